/*
 * A vbd's xenbus device (see blkback_xenbus.h): the toolstack's nodes and
 * the backend's states, over dom0's own xenstore.  Pure: the hypervisor
 * only through struct blkback_xenbus_operations.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>
#include "blkback_xenbus.h"
#include "xenbus_nodes.h"

/* --- xenstore ------------------------------------------------------------------- */

static void report(struct blkback_xenbus *device, const char *what)
{
    device->operations->report(device, what);
}

static void switch_state(struct blkback_xenbus *device, XenbusState state)
{
    if (xenbus_nodes_write_number(device->backend_path, "state", state) != 0)
        report(device, "writing the backend's state failed");
}

static XenbusState frontend_state(const struct blkback_xenbus *device)
{
    return xenbus_nodes_read_state(device->frontend_path);
}

/* --- the toolstack's nodes ------------------------------------------------------------ */

static int write_backend_nodes(const struct blkback_xenbus *device)
{
    const char *directory = device->backend_path;
    const struct blkback_xenbus_config *config = &device->config;
    int result;

    if ((result = xenbus_nodes_create_backend(directory, device->frontend_path, config->frontend_domain)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "params", config->params)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "mode", config->vbd.read_only ? "r" : "w")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "type", "phy")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "dev", config->vdev)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "removable", "0")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "bootable", "1")) != 0 ||
        (result = xenbus_nodes_write_text(directory, "device-type", "disk")) != 0)
        return result;
    return 0;
}

static int write_frontend_nodes(const struct blkback_xenbus *device)
{
    const char *directory = device->frontend_path;
    const struct blkback_xenbus_config *config = &device->config;
    int result;

    if ((result = xenbus_nodes_create_frontend(directory, device->backend_path, config->frontend_domain)) != 0 ||
        (result = xenbus_nodes_write_number(directory, "virtual-device", config->virtual_device)) != 0 ||
        (result = xenbus_nodes_write_text(directory, "device-type", "disk")) != 0)
        return result;
    return 0;
}

/* --- the backend's states ---------------------------------------------------------------- */

static int write_flush_feature(const struct blkback_xenbus *device)
{
    return xenbus_nodes_write_number(device->backend_path, "feature-flush-cache", device->config.vbd.disk_has_flush ? 1 : 0);
}

/* Step 1: the features, then InitWait. */
static int start(struct blkback_xenbus *device)
{
    int result = write_flush_feature(device);

    if (result != 0)
        return result;
    device->phase = BLKBACK_XENBUS_WAITING;
    switch_state(device, XenbusStateInitWait);
    return 0;
}

/* Undoes what connecting did: no ring, no port; the vbd never touches the ring again. */
static void disconnect(struct blkback_xenbus *device)
{
    blkback_stop(&device->vbd);
    if (device->local_port != 0) {
        device->operations->close_event_channel(device, device->local_port);
        device->local_port = 0;
    }
    if (device->ring_mapped) {
        device->operations->unmap_ring(device);
        device->ring_mapped = false;
    }
}

/* xenbus_dev_fatal: the reason in the backend's error node, state Closing. */
static void fail(struct blkback_xenbus *device, const char *reason)
{
    report(device, reason);
    disconnect(device);
    if (xenbus_nodes_write_text(device->backend_path, "error", reason) != 0)
        report(device, "writing the backend's error node failed");
    device->phase = BLKBACK_XENBUS_CLOSING;
    switch_state(device, XenbusStateClosing);
}

/* What the frontend wrote must describe the one ring of one page this backend offers. */
static const char *check_transport(const struct blkback_xenbus *device)
{
    char protocol[XENBUS_NODES_VALUE_SIZE];
    uint64_t value;
    int result;

    result = xenbus_nodes_read_text(device->frontend_path, "protocol", protocol);
    if (result == 0 && strcmp(protocol, XEN_IO_PROTO_ABI_X86_64) != 0)
        return "unsupported protocol";
    if (result != 0 && result != -XEN_ENOENT)
        return "unreadable protocol";
    if (xenbus_nodes_read_number(device->frontend_path, "ring-page-order", UINT32_MAX, &value) == 0 && value != 0)
        return "multi-page ring not offered";
    if (xenbus_nodes_read_number(device->frontend_path, "multi-queue-num-queues", UINT32_MAX, &value) == 0 && value > 1)
        return "several queues not offered";
    return NULL;
}

static int write_disk_nodes(const struct blkback_xenbus *device)
{
    const char *directory = device->backend_path;
    int result;

    if ((result = xenbus_nodes_write_number(directory, "sectors", device->config.vbd.sectors)) != 0 ||
        (result = xenbus_nodes_write_number(directory, "info", device->config.vbd.read_only ? VDISK_READONLY : 0)) != 0 ||
        (result = xenbus_nodes_write_number(directory, "sector-size", BLKIF_SECTOR_SIZE)) != 0 ||
        (result = xenbus_nodes_write_number(directory, "physical-sector-size", BLKIF_SECTOR_SIZE)) != 0 ||
        (result = write_flush_feature(device)) != 0)
        return result;
    return 0;
}

/* Step 2: the frontend's ring and port, then Connected. */
static void connect(struct blkback_xenbus *device)
{
    uint64_t ring_ref, port;
    const char *problem = check_transport(device);
    void *page;

    if (problem != NULL) {
        fail(device, problem);
        return;
    }
    if (xenbus_nodes_read_number(device->frontend_path, "ring-ref", UINT32_MAX, &ring_ref) != 0 ||
        xenbus_nodes_read_number(device->frontend_path, "event-channel", UINT32_MAX, &port) != 0) {
        fail(device, "reading ring-ref and event-channel failed");
        return;
    }
    if (device->operations->map_ring(device, (grant_ref_t)ring_ref, &page) != 0) {
        fail(device, "mapping the ring failed");
        return;
    }
    device->ring_mapped = true;
    if (device->operations->bind_event_channel(device, (evtchn_port_t)port, &device->local_port) != 0) {
        device->local_port = 0;
        fail(device, "binding the event channel failed");
        return;
    }
    blkback_attach(&device->vbd, page);
    if (write_disk_nodes(device) != 0) {
        fail(device, "writing the disk's nodes failed");
        return;
    }
    device->phase = BLKBACK_XENBUS_CONNECTED;
    switch_state(device, XenbusStateConnected);
    report(device, "connected");
}

/* A fresh vbd on the same disk, for a frontend starting over. */
static void restart(struct blkback_xenbus *device)
{
    struct blkback_bounce_pool *pool = device->vbd.pool;
    const struct blkback_operations *operations = device->vbd.operations;

    blkback_init(&device->vbd, operations, &device->config.vbd, pool, device);
    if (start(device) != 0)
        report(device, "starting over failed");
}

/* Step 3: no ring, no port, state Closed. */
static void close_device(struct blkback_xenbus *device)
{
    bool was_connected = device->ring_mapped;

    disconnect(device);
    device->phase = BLKBACK_XENBUS_CLOSED;
    switch_state(device, XenbusStateClosed);
    if (was_connected)
        report(device, "disconnected");
}

/* The frontend asks to close: Closing, the ring still served for what is in flight (Linux blkback). */
static void closing(struct blkback_xenbus *device)
{
    device->phase = BLKBACK_XENBUS_CLOSING;
    switch_state(device, XenbusStateClosing);
}

/* Follows the frontend's state (Linux blkback's frontend_changed). */
static void follow_frontend(struct blkback_xenbus *device)
{
    XenbusState state = frontend_state(device);

    switch (device->phase) {
    case BLKBACK_XENBUS_WAITING:
    case BLKBACK_XENBUS_CONNECTED:
        if (device->phase == BLKBACK_XENBUS_WAITING &&
            (state == XenbusStateInitialised || state == XenbusStateConnected))
            connect(device);
        else if (state == XenbusStateClosing)
            closing(device);
        else if (state == XenbusStateClosed || state == XenbusStateUnknown)
            close_device(device);
        break;
    case BLKBACK_XENBUS_CLOSING:
        if (state == XenbusStateClosed || state == XenbusStateUnknown)
            close_device(device);
        break;
    case BLKBACK_XENBUS_CLOSED:
        if (state == XenbusStateInitialising && blkback_idle(&device->vbd))
            restart(device);
        break;
    }
}

int blkback_xenbus_create(struct blkback_xenbus *device, const struct blkback_xenbus_operations *operations,
                          const struct blkback_xenbus_config *config,
                          const struct blkback_operations *vbd_operations, struct blkback_bounce_pool *pool,
                          void *context)
{
    int result;

    *device = (struct blkback_xenbus) { .operations = operations, .config = *config, .context = context };
    xenbus_nodes_device_paths(device->frontend_path, device->backend_path, "vbd", config->frontend_domain,
                              config->virtual_device);
    blkback_init(&device->vbd, vbd_operations, &config->vbd, pool, device);
    if ((result = write_backend_nodes(device)) != 0 || (result = write_frontend_nodes(device)) != 0)
        return result;
    return start(device);
}

/* Whether this pass must read the frontend's state: always, except while
 * connected with nothing in the store changed since the last reading (the
 * other phases also wait on things outside the store, such as the disk). */
static bool frontend_may_have_changed(struct blkback_xenbus *device)
{
    return xenbus_nodes_frontend_may_have_changed(device->phase == BLKBACK_XENBUS_CONNECTED,
                                                  &device->followed_generation);
}

bool blkback_xenbus_service(struct blkback_xenbus *device)
{
    if (frontend_may_have_changed(device))
        follow_frontend(device);
    if (!device->ring_mapped)
        return false;
    if (blkback_service(&device->vbd))
        return true;
    if (blkback_broken(&device->vbd))
        fail(device, "the frontend's request producer ran beyond the ring");
    return false;
}

void blkback_xenbus_destroy(struct blkback_xenbus *device)
{
    disconnect(device);
    device->phase = BLKBACK_XENBUS_CLOSED;
    xenbus_nodes_remove_device(device->frontend_path, device->backend_path, "vbd", device->config.frontend_domain);
}

void blkback_xenbus_fail(struct blkback_xenbus *device, const char *reason)
{
    fail(device, reason);
}

bool blkback_xenbus_idle(const struct blkback_xenbus *device)
{
    return blkback_idle(&device->vbd);
}
