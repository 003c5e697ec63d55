/*
 * A vif's xenbus device (see netback_xenbus.h): the toolstack's nodes and
 * the backend's states, over dom0's own xenstore.  Pure: the hypervisor
 * only through struct netback_xenbus_operations.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <xen/io/xenbus.h>
#include <tools/xenstored/xenstore_store.h>
#include "netback_xenbus.h"
#include "xenbus_nodes.h"

#define DOM0 0
#define MAC_TEXT_SIZE 18

static void report(struct netback_xenbus *device, const char *what)
{
    device->operations->report(device, what);
}

static void switch_state(struct netback_xenbus *device, XenbusState state)
{
    if (xenbus_nodes_write_number(device->backend_path, "state", state) != 0)
        report(device, "writing the backend's state failed");
}

/* --- the toolstack's nodes ------------------------------------------------------------ */

static int write_backend_nodes(const struct netback_xenbus *device, const char *mac)
{
    const char *directory = device->backend_path;
    const struct netback_xenbus_config *config = &device->config;
    int result;

    if ((result = xenbus_nodes_create_backend(directory, device->frontend_path, config->vif.frontend_domain)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "mac", mac)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "bridge", config->bridge)) != 0 ||
        (result = xenbus_nodes_write_number(directory, "handle", config->handle)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "type", "vif")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "hotplug-status", "connected")) != 0)
        return result;
    return 0;
}

/* The frontend's mtu: dom0's node, which the domain may read but not change (libxl's ro_front). */
static int write_mtu(const struct netback_xenbus *device)
{
    const struct xenstore_permission permissions[] = {
        { .domain = DOM0, .access = XENSTORE_PERM_NONE },
        { .domain = device->config.vif.frontend_domain, .access = XENSTORE_PERM_READ },
    };
    char path[XENSTORE_PATH_SIZE];
    int result = xenbus_nodes_write_number(device->frontend_path, "mtu", ETHERNET_MTU);

    if (result != 0)
        return result;
    format_string(path, sizeof(path), "%s/mtu", device->frontend_path);
    return xenstore_store_set_permissions(DOM0, path, permissions, 2);
}

static int write_frontend_nodes(const struct netback_xenbus *device, const char *mac)
{
    const char *directory = device->frontend_path;
    const struct netback_xenbus_config *config = &device->config;
    int result;

    if ((result = xenbus_nodes_create_frontend(directory, device->backend_path, config->vif.frontend_domain)) != 0 ||
        (result = xenbus_nodes_write_number(directory, "handle", config->handle)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "mac", mac)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "trusted", "1")) != 0 ||
        (result = write_mtu(device)) != 0)
        return result;
    return 0;
}

/* --- the backend's states ---------------------------------------------------------------- */

/* Step 1 (netback_probe): the features, then InitWait. */
static int start(struct netback_xenbus *device)
{
    const char *directory = device->backend_path;
    int result;

    if ((result = xenbus_nodes_write_text(directory, "feature-sg", "1")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "feature-rx-copy", "1")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "feature-rx-flip", "0")) != 0)
        return result;
    device->phase = NETBACK_XENBUS_WAITING;
    switch_state(device, XenbusStateInitWait);
    return 0;
}

/* Undoes what connecting did: no rings, no port; the vif never touches its rings again. */
static void disconnect(struct netback_xenbus *device)
{
    netback_stop(&device->vif);
    if (device->local_port != 0) {
        device->operations->close_event_channel(device, device->local_port);
        device->local_port = 0;
    }
    for (enum netback_ring ring = NETBACK_TX_RING; ring < NETBACK_RINGS; ring++) {
        if (device->ring_mapped[ring])
            device->operations->unmap_ring(device, ring);
        device->ring_mapped[ring] = false;
    }
}

/* xenbus_dev_fatal: the reason in the backend's error node, state Closing. */
static void fail(struct netback_xenbus *device, const char *reason)
{
    report(device, reason);
    disconnect(device);
    if (xenbus_nodes_write_text(device->backend_path, "error", reason) != 0)
        report(device, "writing the backend's error node failed");
    device->phase = NETBACK_XENBUS_CLOSING;
    switch_state(device, XenbusStateClosing);
}

/* What the frontend wrote must ask for what this backend offers: rx-copy, one queue. */
static const char *check_transport(const struct netback_xenbus *device)
{
    uint64_t value;

    if (xenbus_nodes_read_number(device->frontend_path, "request-rx-copy", 1, &value) != 0 || value != 1)
        return "the frontend does not request rx-copy";
    if (xenbus_nodes_read_number(device->frontend_path, "multi-queue-num-queues", UINT32_MAX, &value) == 0 &&
        value > 1)
        return "several queues not offered";
    return NULL;
}

static bool map_rings(struct netback_xenbus *device, void *pages[NETBACK_RINGS])
{
    static const char *const keys[NETBACK_RINGS] = { "tx-ring-ref", "rx-ring-ref" };
    uint64_t refs[NETBACK_RINGS];

    for (enum netback_ring ring = NETBACK_TX_RING; ring < NETBACK_RINGS; ring++)
        if (xenbus_nodes_read_number(device->frontend_path, keys[ring], UINT32_MAX, &refs[ring]) != 0) {
            fail(device, "reading tx-ring-ref and rx-ring-ref failed");
            return false;
        }
    for (enum netback_ring ring = NETBACK_TX_RING; ring < NETBACK_RINGS; ring++) {
        if (device->operations->map_ring(device, ring, (grant_ref_t)refs[ring], &pages[ring]) != 0) {
            fail(device, "mapping a ring failed");
            return false;
        }
        device->ring_mapped[ring] = true;
    }
    return true;
}

/* Step 2 (Linux netback's connect): the frontend's rings and port, then Connected. */
static void connect(struct netback_xenbus *device)
{
    const char *problem = check_transport(device);
    void *pages[NETBACK_RINGS];
    uint64_t port;

    if (problem != NULL) {
        fail(device, problem);
        return;
    }
    if (xenbus_nodes_read_number(device->frontend_path, "event-channel", UINT32_MAX, &port) != 0) {
        fail(device, "reading event-channel failed");
        return;
    }
    if (!map_rings(device, pages))
        return;
    if (device->operations->bind_event_channel(device, (evtchn_port_t)port, &device->local_port) != 0) {
        device->local_port = 0;
        fail(device, "binding the event channel failed");
        return;
    }
    netback_attach(&device->vif, pages[NETBACK_TX_RING], pages[NETBACK_RX_RING]);
    device->phase = NETBACK_XENBUS_CONNECTED;
    switch_state(device, XenbusStateConnected);
    report(device, "connected");
}

/* A fresh vif, for a frontend starting over. */
static void restart(struct netback_xenbus *device)
{
    struct packet_pool *pool = device->vif.pool;
    const struct netback_operations *operations = device->vif.operations;

    netback_init(&device->vif, operations, &device->config.vif, pool, device);
    if (start(device) != 0)
        report(device, "starting over failed");
}

static void close_device(struct netback_xenbus *device)
{
    disconnect(device);
    device->phase = NETBACK_XENBUS_CLOSED;
    switch_state(device, XenbusStateClosed);
}

/* The frontend asks to close: one last pass answers what it sent before,
 * then the vif is disconnected (Linux's backend_disconnect), then Closing. */
static void closing(struct netback_xenbus *device)
{
    bool was_connected = device->phase == NETBACK_XENBUS_CONNECTED;

    if (was_connected)
        netback_service(&device->vif);
    disconnect(device);
    device->phase = NETBACK_XENBUS_CLOSING;
    switch_state(device, XenbusStateClosing);
    if (was_connected)
        report(device, "disconnected");
}

/* Follows the frontend's state (Linux netback's frontend_changed). */
static void follow_frontend(struct netback_xenbus *device)
{
    XenbusState state = xenbus_nodes_read_state(device->frontend_path);

    switch (device->phase) {
    case NETBACK_XENBUS_WAITING:
    case NETBACK_XENBUS_CONNECTED:
        if (device->phase == NETBACK_XENBUS_WAITING && state == XenbusStateConnected)
            connect(device);
        else if (state == XenbusStateClosing)
            closing(device);
        else if (state == XenbusStateClosed || state == XenbusStateUnknown)
            close_device(device);
        break;
    case NETBACK_XENBUS_CLOSING:
        if (state == XenbusStateClosed || state == XenbusStateUnknown)
            close_device(device);
        break;
    case NETBACK_XENBUS_CLOSED:
        if (state == XenbusStateInitialising)
            restart(device);
        break;
    }
}

int netback_xenbus_create(struct netback_xenbus *device, const struct netback_xenbus_operations *operations,
                          const struct netback_xenbus_config *config,
                          const struct netback_operations *vif_operations, struct packet_pool *pool, void *context)
{
    char mac[MAC_TEXT_SIZE];
    int result;

    *device = (struct netback_xenbus) { .operations = operations, .config = *config, .context = context };
    xenbus_nodes_device_paths(device->frontend_path, device->backend_path, "vif", config->vif.frontend_domain,
                              config->handle);
    ethernet_address_format(&config->vif.address, mac);
    netback_init(&device->vif, vif_operations, &config->vif, pool, device);
    if ((result = write_backend_nodes(device, mac)) != 0 || (result = write_frontend_nodes(device, mac)) != 0)
        return result;
    return start(device);
}

/* Whether this pass must read the frontend's state: always, except while
 * connected with nothing in the store changed since the last reading. */
static bool frontend_may_have_changed(struct netback_xenbus *device)
{
    return xenbus_nodes_frontend_may_have_changed(device->phase == NETBACK_XENBUS_CONNECTED,
                                                  &device->followed_generation);
}

/* Why netback disabled the vif, for the log and the error node. */
static const char *broken_reason(const struct netback *vif)
{
    if (vif->tx.broken)
        return "the frontend's tx request producer ran beyond the ring";
    if (vif->rx.broken)
        return "the frontend's rx request producer ran beyond the ring";
    return "the frontend sent a malformed packet (a slot crossing its page, too many slots, "
           "a bad extra, or slots it never published)";
}

bool netback_xenbus_service(struct netback_xenbus *device)
{
    if (frontend_may_have_changed(device))
        follow_frontend(device);
    if (device->phase != NETBACK_XENBUS_CONNECTED)
        return false;
    if (netback_service(&device->vif))
        return true;
    if (netback_broken(&device->vif))
        fail(device, broken_reason(&device->vif));
    return false;
}

bool netback_xenbus_connected(const struct netback_xenbus *device)
{
    return device->phase == NETBACK_XENBUS_CONNECTED;
}

void netback_xenbus_destroy(struct netback_xenbus *device)
{
    disconnect(device);
    device->phase = NETBACK_XENBUS_CLOSED;
    xenbus_nodes_remove_device(device->frontend_path, device->backend_path, "vif", device->config.vif.frontend_domain);
}
