/*
 * blkfront (blkfront.h): the xenbus handshake of Linux 6.1's
 * xen-blkfront (talk_to_blkback, blkback_changed, blkfront_connect) and
 * the request path (blkif_queue_rw_req, blkif_interrupt), written for our
 * kernel.  The ring is ring/'s frontend end (Xen's io/ring.h layout); every
 * response is copied out of the shared page once and checked
 * (blkfront_shadow.c) before anything in it is used.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include "blkfront.h"
#include "grant_table.h"
#include "xenbus.h"
#include "xenbus_device.h"

#define PAGE_SIZE 4096
#define RING_PAGE_POOL 4
#define PROTOCOL_X86_64 "x86_64-abi"
#define RING_ENTRY_SIZE sizeof(union blkif_sring_entry)

static uint8_t ring_pages[RING_PAGE_POOL][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned int ring_pages_used;

static int fail(struct blkfront *device, const char *step, int error)
{
    console_printf("blkfront %s: %s: error %d\n", device->frontend_path, step, error);
    return error;
}

static int break_device(struct blkfront *device, const char *why)
{
    if (!device->broken)
        console_printf("blkfront %s: device broken: %s\n", device->frontend_path, why);
    device->broken = true;
    return -XEN_EIO;
}

static void note_device_event(evtchn_port_t port, void *context)
{
    struct blkfront *device = context;

    (void)port;
    device->event_arrived = true;
}

/* --- xenstore nodes -------------------------------------------------------------- */

static int read_frontend_number(struct blkfront *device, const char *node, uint64_t *value)
{
    return xenbus_device_read_number(device->frontend_path, node, value);
}

static int read_backend_number(struct blkfront *device, const char *node, uint64_t *value)
{
    return xenbus_device_read_number(device->backend_path, node, value);
}

static int write_frontend_state(struct blkfront *device, XenbusState state)
{
    return xenbus_device_write_state(device->frontend_path, state);
}

static int read_backend_location(struct blkfront *device)
{
    int result = xenbus_device_read_backend(device->frontend_path, device->backend_path, &device->backend_id);

    if (result != 0)
        return result;
    return read_frontend_number(device, "virtual-device", &device->virtual_device);
}

int blkfront_await_backend(struct blkfront *device, XenbusState wanted, uint64_t deadline_ns)
{
    return xenbus_device_await_backend("blkfront", device->frontend_path, device->backend_path, wanted,
                                       deadline_ns);
}

/* --- the ring and the event channel ----------------------------------------------- */

/* A ring page from the pool (never given back: the backend may map it
 * until it has closed), initialised and granted to the backend. */
static int set_up_ring(struct blkfront *device)
{
    if (ring_pages_used == RING_PAGE_POOL)
        return -XEN_ENOMEM;
    device->shared_ring = (struct blkif_sring *)ring_pages[ring_pages_used++];
    memset(device->shared_ring, 0, PAGE_SIZE);
    ring_front_init(&device->ring, device->shared_ring, PAGE_SIZE, RING_ENTRY_SIZE);
    blkfront_shadow_init(&device->shadow);
    return grant_table_grant_page(device->backend_id, device->shared_ring, false, &device->ring_ref);
}

static int set_up_event_channel(struct blkfront *device)
{
    return xenbus_device_alloc_event_channel(device->backend_id, &device->port, note_device_event, device);
}

static int write_ring_nodes(void *context, uint32_t transaction)
{
    struct blkfront *device = context;
    char path[BLKFRONT_PATH_SIZE];
    int result;

    if ((result = xenbus_device_write_number(transaction, device->frontend_path, "ring-ref", device->ring_ref)) != 0 ||
        (result = xenbus_device_write_number(transaction, device->frontend_path, "event-channel", device->port)) != 0)
        return result;
    xenbus_device_node_path(path, device->frontend_path, "protocol");
    return xenbus_write(transaction, path, PROTOCOL_X86_64);
}

/* Linux talk_to_blkback: the ring nodes in one transaction, run again on EAGAIN. */
static int publish_ring(struct blkfront *device)
{
    return xenbus_device_publish(write_ring_nodes, device);
}

/* Linux blkfront_connect: sectors, info and sector-size are required. */
static int read_disk_geometry(struct blkfront *device)
{
    uint64_t flush = 0;
    int result;

    if ((result = read_backend_number(device, "sectors", &device->sectors)) != 0 ||
        (result = read_backend_number(device, "info", &device->info)) != 0 ||
        (result = read_backend_number(device, "sector-size", &device->sector_size)) != 0)
        return result;
    if (device->sector_size != BLKFRONT_SECTOR_SIZE)
        return -XEN_EINVAL;
    device->flush_cache = read_backend_number(device, "feature-flush-cache", &flush) == 0 && flush == 1;
    return 0;
}

static int handshake(struct blkfront *device, uint64_t deadline_ns)
{
    int result;

    if ((result = blkfront_await_backend(device, XenbusStateInitWait, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's InitWait", result);
    if ((result = set_up_ring(device)) != 0)
        return fail(device, "granting the ring page", result);
    if ((result = set_up_event_channel(device)) != 0)
        return fail(device, "allocating the event channel", result);
    if ((result = publish_ring(device)) != 0)
        return fail(device, "writing ring-ref, event-channel and protocol", result);
    if ((result = write_frontend_state(device, XenbusStateInitialised)) != 0)
        return fail(device, "writing state Initialised", result);
    if ((result = blkfront_await_backend(device, XenbusStateConnected, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's Connected", result);
    if ((result = read_disk_geometry(device)) != 0)
        return fail(device, "reading sectors, info and sector-size", result);
    if ((result = write_frontend_state(device, XenbusStateConnected)) != 0)
        return fail(device, "writing state Connected", result);
    return 0;
}

int blkfront_locate(struct blkfront *device, const char *vbd)
{
    int result;

    memset(device, 0, sizeof(*device));
    format_string(device->frontend_path, sizeof(device->frontend_path), "device/vbd");
    if ((result = xenbus_init()) != 0)
        return fail(device, "finding the xenstore ring", result);
    if ((result = xenbus_device_choose(device->frontend_path, "vbd", vbd)) != 0)
        return fail(device, "finding the vbd", result);
    if ((result = read_backend_location(device)) != 0)
        return fail(device, "reading backend, backend-id and virtual-device", result);
    return 0;
}

int blkfront_connect(struct blkfront *device, const char *vbd, uint64_t deadline_ns)
{
    int result;

    if ((result = blkfront_locate(device, vbd)) != 0)
        return result;
    if ((result = grant_table_init()) != 0)
        return fail(device, "setting up the grant table", result);
    if ((result = handshake(device, deadline_ns)) != 0)
        return result;
    console_printf("blkfront %s: connected to %s (domain %u): %lu sectors of %lu bytes, info %#lx, "
                   "flush %s, event channel %u, ring-ref %u\n",
                   device->frontend_path, device->backend_path, device->backend_id, device->sectors,
                   device->sector_size, device->info, device->flush_cache ? "yes" : "no", device->port,
                   device->ring_ref);
    return 0;
}

/* --- requests ---------------------------------------------------------------------- */

static void push_and_notify(struct blkfront *device)
{
    if (ring_front_push_requests(&device->ring))
        hypercall_event_send(device->port);
}

static int end_grants(struct blkfront *device, struct blkfront_shadow_entry *entry)
{
    bool all_ended = true;

    for (unsigned int index = 0; index < entry->grant_count; index++)
        if (grant_table_end_access(entry->grants[index]) != 0)
            all_ended = false;
    entry->grant_count = 0;
    return all_ended ? 0 : break_device(device, "the backend has not released a grant it answered for");
}

static uint64_t request_sectors(const struct blkfront_request *request)
{
    uint64_t sectors = 0;

    for (unsigned int index = 0; index < request->segment_count; index++)
        sectors += (uint64_t)(request->segments[index].last_sect - request->segments[index].first_sect) + 1;
    return sectors;
}

static int check_request(const struct blkfront *device, const struct blkfront_request *request)
{
    struct blkfront_segment_spec specs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    unsigned int count = request->segment_count;
    int result;

    if (count > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return -XEN_EINVAL;
    for (unsigned int index = 0; index < count; index++) {
        specs[index].first_sect = request->segments[index].first_sect;
        specs[index].last_sect = request->segments[index].last_sect;
    }
    if ((result = blkfront_check_request(request->operation, count, specs)) != 0)
        return result;
    if (request->operation == BLKIF_OP_FLUSH_DISKCACHE)
        return device->flush_cache ? 0 : -XEN_EOPNOTSUPP;
    if (request->sector > device->sectors || request_sectors(request) > device->sectors - request->sector)
        return -XEN_EINVAL;
    if (request->operation == BLKIF_OP_WRITE && (device->info & VDISK_READONLY))
        return -XEN_EROFS;
    return 0;
}

/* Grants each segment's page to the backend: read-only for a WRITE, which the backend only reads. */
static int grant_segments(struct blkfront *device, const struct blkfront_request *request,
                          struct blkfront_shadow_entry *entry, struct blkif_request *ring_request)
{
    bool readonly = request->operation == BLKIF_OP_WRITE;

    for (unsigned int index = 0; index < request->segment_count; index++) {
        const struct blkfront_segment *segment = &request->segments[index];
        grant_ref_t ref;
        int result = grant_table_grant_page(device->backend_id, segment->page, readonly, &ref);

        if (result != 0) {
            end_grants(device, entry);
            return result;
        }
        entry->grants[entry->grant_count++] = ref;
        ring_request->seg[index] = (struct blkif_request_segment){
            .gref = ref, .first_sect = segment->first_sect, .last_sect = segment->last_sect };
    }
    return 0;
}

int blkfront_submit(struct blkfront *device, struct blkfront_request *request)
{
    struct blkif_request ring_request = { 0 };
    uint64_t id;
    int result;

    if (device->broken)
        return -XEN_EIO;
    if ((result = check_request(device, request)) != 0)
        return result;
    if (ring_front_free_requests(&device->ring) == 0 ||
        blkfront_shadow_take(&device->shadow, request->operation, request, &id) != 0)
        return -XEN_EBUSY;
    ring_request.operation = request->operation;
    ring_request.nr_segments = (uint8_t)request->segment_count;
    ring_request.handle = (blkif_vdev_t)device->virtual_device;
    ring_request.id = id;
    ring_request.sector_number = request->sector;
    if ((result = grant_segments(device, request, &device->shadow.entries[id], &ring_request)) != 0) {
        blkfront_shadow_release(&device->shadow, id);
        return result;
    }
    request->done = false;
    ring_front_put_request(&device->ring, &ring_request, sizeof(ring_request));
    push_and_notify(device);
    return 0;
}

int blkfront_submit_raw(struct blkfront *device, struct blkif_request *raw, struct blkfront_request *completion)
{
    uint64_t id;

    if (device->broken)
        return -XEN_EIO;
    if (ring_front_free_requests(&device->ring) == 0 ||
        blkfront_shadow_take(&device->shadow, raw->operation, completion, &id) != 0)
        return -XEN_EBUSY;
    raw->id = id;
    completion->done = false;
    ring_front_put_request(&device->ring, raw, sizeof(*raw));
    push_and_notify(device);
    return 0;
}

/* One response, copied out of the shared page once (ring/), checked, then acted on. */
static int complete_response(struct blkfront *device)
{
    union blkif_sring_entry entry_copy;
    const struct blkif_response *response = &entry_copy.rsp;
    struct blkfront_shadow_entry *entry;
    struct blkfront_request *request;
    const char *problem;

    if (!ring_front_take_response(&device->ring, &entry_copy))
        return break_device(device, "a response shown could not be taken");
    problem = blkfront_shadow_response_problem(&device->shadow, response->id, response->operation);
    if (problem != NULL)
        return break_device(device, problem);
    entry = blkfront_shadow_complete(&device->shadow, response->id);
    request = entry->owner;
    if (end_grants(device, entry) != 0)
        return -XEN_EIO;
    request->status = response->status;
    request->done = true;
    blkfront_shadow_release(&device->shadow, response->id);
    return 0;
}

int blkfront_complete(struct blkfront *device)
{
    int completed = 0;

    if (device->broken)
        return -XEN_EIO;
    do {
        RING_IDX available = ring_front_poll_responses(&device->ring);

        if (device->ring.broken)
            return break_device(device, "the response producer runs beyond the requests");
        for (RING_IDX count = 0; count < available; count++) {
            if (complete_response(device) != 0)
                return -XEN_EIO;
            completed++;
        }
    } while (ring_front_final_check_for_responses(&device->ring));
    if (device->ring.broken)
        return break_device(device, "the response producer runs beyond the requests");
    return completed;
}

void blkfront_wait(struct blkfront *device, uint64_t deadline_ns)
{
    wait_for_flag_until(&device->event_arrived, deadline_ns);
}

int blkfront_run(struct blkfront *device, struct blkfront_request *request, uint64_t deadline_ns)
{
    int result = blkfront_submit(device, request);

    return result != 0 ? result : blkfront_wait_for(device, request, deadline_ns);
}

int blkfront_wait_for(struct blkfront *device, struct blkfront_request *request, uint64_t deadline_ns)
{
    int result;

    for (;;) {
        device->event_arrived = false;
        if ((result = blkfront_complete(device)) < 0)
            return result;
        if (request->done)
            return 0;
        if (system_time_ns() >= deadline_ns)
            return -XEN_ETIMEDOUT;
        blkfront_wait(device, deadline_ns);
    }
}

int blkfront_backend_state(struct blkfront *device, uint64_t *state)
{
    return read_backend_number(device, "state", state);
}

unsigned int blkfront_in_flight(const struct blkfront *device)
{
    return blkfront_shadow_in_flight(&device->shadow);
}

/* Linux's frontend close (blkfront_closing, xenbus_frontend_closed): Closing,
 * the backend's Closing, Closed, the backend's Closed (it has unmapped the
 * ring by then), and only then the ring's grant is ended. */
int blkfront_close(struct blkfront *device, uint64_t deadline_ns)
{
    int result;

    if ((result = write_frontend_state(device, XenbusStateClosing)) != 0)
        return fail(device, "writing state Closing", result);
    if ((result = blkfront_await_backend(device, XenbusStateClosing, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's Closing", result);
    events_detach(device->port);
    if ((result = write_frontend_state(device, XenbusStateClosed)) != 0)
        return fail(device, "writing state Closed", result);
    if ((result = blkfront_await_backend(device, XenbusStateClosed, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's Closed", result);
    if ((result = grant_table_end_access(device->ring_ref)) != 0)
        return fail(device, "ending the ring page's grant", result);
    return 0;
}
