/*
 * The frontends' shared xenbus half (see xenbus_device.h), over xenbus.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/format.h>
#include <xen/errno.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include "xenbus.h"
#include "xenbus_device.h"

#define TRANSACTION_ATTEMPTS 8
#define NAME_LIST_SIZE 512
#define TOKEN_SIZE 64

void xenbus_device_node_path(char *path, const char *directory, const char *node)
{
    format_string(path, XENBUS_DEVICE_PATH_SIZE, "%s/%s", directory, node);
}

int xenbus_device_read_number(const char *directory, const char *node, uint64_t *value)
{
    char path[XENBUS_DEVICE_PATH_SIZE];

    xenbus_device_node_path(path, directory, node);
    return xenbus_read_unsigned(XENBUS_NO_TRANSACTION, path, value);
}

int xenbus_device_write_number(uint32_t transaction, const char *directory, const char *node, uint64_t value)
{
    char path[XENBUS_DEVICE_PATH_SIZE];

    xenbus_device_node_path(path, directory, node);
    return xenbus_write_unsigned(transaction, path, value);
}

int xenbus_device_write_state(const char *frontend_path, XenbusState state)
{
    return xenbus_device_write_number(XENBUS_NO_TRANSACTION, frontend_path, "state", state);
}

int xenbus_device_choose(char *frontend_path, const char *class, const char *id)
{
    static char names[NAME_LIST_SIZE];
    char directory[XENBUS_DEVICE_PATH_SIZE];
    int count;

    format_string(directory, sizeof(directory), "device/%s", class);
    if (id == NULL) {
        count = xenbus_directory(XENBUS_NO_TRANSACTION, directory, names, sizeof(names));
        if (count < 0)
            return count;
        if (count == 0)
            return -XEN_ENODEV;
        id = names;
    }
    xenbus_device_node_path(frontend_path, directory, id);
    return 0;
}

int xenbus_device_read_backend(const char *frontend_path, char *backend_path, domid_t *backend_id)
{
    char path[XENBUS_DEVICE_PATH_SIZE];
    uint64_t id;
    int result;

    xenbus_device_node_path(path, frontend_path, "backend");
    result = xenbus_read(XENBUS_NO_TRANSACTION, path, backend_path, XENBUS_DEVICE_PATH_SIZE);
    if (result < 0)
        return result;
    if ((result = xenbus_device_read_number(frontend_path, "backend-id", &id)) != 0)
        return result;
    if (id >= DOMID_FIRST_RESERVED)
        return -XEN_EINVAL;
    *backend_id = (domid_t)id;
    return 0;
}

/* Until the backend's state is wanted (Closed counts for Closing): a backend
 * closing meanwhile, or a state that cannot be read for another reason than
 * its absence, is an error. */
static int wait_for_watched_state(const char *driver, const char *frontend_path, const char *backend_path,
                                  XenbusState wanted, uint64_t deadline_ns)
{
    char path[XENBUS_DEVICE_PATH_SIZE], token[TOKEN_SIZE];
    uint64_t state = XenbusStateUnknown;

    for (;;) {
        int result = xenbus_device_read_number(backend_path, "state", &state);

        if (result == 0 && (state == wanted || (wanted == XenbusStateClosing && state == XenbusStateClosed)))
            return 0;
        if (result == 0 && (state == XenbusStateClosing || state == XenbusStateClosed) &&
            wanted < XenbusStateClosing)
            return -XEN_ENODEV;
        if (result != 0 && result != -XEN_ENOENT)
            return result;
        result = xenbus_next_event(path, sizeof(path), token, sizeof(token), deadline_ns);
        if (result == -XEN_ETIMEDOUT)
            console_printf("%s %s: backend state stayed %lu, waiting for %u\n", driver, frontend_path, state,
                           wanted);
        if (result != 0)
            return result;
    }
}

int xenbus_device_await_backend(const char *driver, const char *frontend_path, const char *backend_path,
                                XenbusState wanted, uint64_t deadline_ns)
{
    char path[XENBUS_DEVICE_PATH_SIZE];
    int result;

    xenbus_device_node_path(path, backend_path, "state");
    if ((result = xenbus_watch(path, frontend_path)) != 0)
        return result;
    result = wait_for_watched_state(driver, frontend_path, backend_path, wanted, deadline_ns);
    xenbus_unwatch(path, frontend_path);
    return result;
}

int xenbus_device_publish(int (*write_nodes)(void *device, uint32_t transaction), void *device)
{
    for (unsigned int attempt = 0; attempt < TRANSACTION_ATTEMPTS; attempt++) {
        uint32_t transaction;
        int result = xenbus_transaction_start(&transaction);

        if (result != 0)
            return result;
        if ((result = write_nodes(device, transaction)) != 0) {
            xenbus_transaction_end(transaction, false);
            return result;
        }
        result = xenbus_transaction_end(transaction, true);
        if (result != -XEN_EAGAIN)
            return result;
    }
    return -XEN_EAGAIN;
}

int xenbus_device_alloc_event_channel(domid_t backend_id, evtchn_port_t *port, event_handler handler,
                                      void *context)
{
    struct evtchn_alloc_unbound unbound = { .dom = DOMID_SELF, .remote_dom = backend_id };
    long result = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &unbound);

    if (result != 0)
        return (int)result;
    *port = unbound.port;
    return events_attach(*port, handler, context);
}
