/*
 * One vbd's service (see blkback.h): ring → private copy → validation →
 * grant copies and the disk → response.  Pure; the hypervisor and the
 * disk only through struct blkback_operations.
 */
#include <pvmon/errno.h>
#include "blkback.h"

#define RING_PAGE_BYTES 4096
#define BOUNCE_PAGE_SHIFT 12

_Static_assert(sizeof(union blkif_request_copy) == sizeof(union blkif_sring_entry),
               "a request's copy is one whole ring entry");
_Static_assert(BLOCK_MAX_SEGMENTS == BLKIF_MAX_SEGMENTS_PER_REQUEST, "one disk segment per blkif segment");
_Static_assert(BLOCK_SECTOR_SIZE == BLKIF_SECTOR_SIZE, "blkif and the disk count 512-byte sectors");

void blkback_bounce_pool_init(struct blkback_bounce_pool *pool, const uint64_t *frames, unsigned int count)
{
    pool->free_count = count < BLKBACK_POOL_PAGES_MAX ? count : BLKBACK_POOL_PAGES_MAX;
    for (unsigned int index = 0; index < pool->free_count; index++)
        pool->free_frames[index] = frames[index];
}

void blkback_init(struct blkback *vbd, const struct blkback_operations *operations,
                  const struct blkback_vbd_config *config, struct blkback_bounce_pool *pool, void *context)
{
    *vbd = (struct blkback) { .operations = operations, .pool = pool, .config = *config, .context = context };
    for (unsigned int index = 0; index < BLKBACK_SLOTS; index++)
        vbd->slots[index].vbd = vbd;
}

void blkback_attach(struct blkback *vbd, void *ring_page)
{
    ring_back_attach(&vbd->ring, ring_page, RING_PAGE_BYTES, sizeof(union blkif_sring_entry), 0);
    vbd->attached = true;
}

bool blkback_broken(const struct blkback *vbd)
{
    return vbd->attached && vbd->ring.broken;
}

bool blkback_idle(const struct blkback *vbd)
{
    return vbd->on_disk == 0;
}

static bool ring_usable(const struct blkback *vbd)
{
    return vbd->attached && !vbd->stopped && !vbd->ring.broken;
}

/* --- responses ------------------------------------------------------------ */

static void respond(struct blkback *vbd, const struct blkif_checked_request *request, int16_t status)
{
    struct blkif_response response = blkif_response_for(request, status);

    if (!ring_usable(vbd))
        return;
    if (ring_back_put_response(&vbd->ring, &response, sizeof(response)))
        vbd->unpushed = true;
}

static void push_responses(struct blkback *vbd)
{
    if (!vbd->unpushed || !ring_usable(vbd))
        return;
    vbd->unpushed = false;
    if (ring_back_push_responses(&vbd->ring)) {
        vbd->statistics.notifications++;
        vbd->operations->notify_frontend(vbd);
    }
}

/* One bounce page per segment of the slot's request (the caller checked there are enough). */
static void take_bounce_pages(struct blkback_slot *slot)
{
    struct blkback_bounce_pool *pool = slot->vbd->pool;

    slot->bounce_count = slot->request.segment_count;
    for (unsigned int index = 0; index < slot->bounce_count; index++)
        slot->bounce_frames[index] = pool->free_frames[--pool->free_count];
}

static void release_slot(struct blkback_slot *slot)
{
    struct blkback_bounce_pool *pool = slot->vbd->pool;

    for (unsigned int index = 0; index < slot->bounce_count; index++)
        pool->free_frames[pool->free_count++] = slot->bounce_frames[index];
    slot->bounce_count = 0;
    slot->state = BLKBACK_SLOT_FREE;
}

void blkback_stop(struct blkback *vbd)
{
    vbd->stopped = true;
    for (unsigned int index = 0; index < BLKBACK_SLOTS; index++)
        if (vbd->slots[index].state == BLKBACK_SLOT_WAITING)
            release_slot(&vbd->slots[index]);
}

/* --- grant copies --------------------------------------------------------- */

/* One element per segment, between the frontend's grant and the slot's bounce page. */
static struct gnttab_copy copy_element(const struct blkback_slot *slot, unsigned int index, bool to_frontend)
{
    const struct blkif_checked_segment *segment = &slot->request.segments[index];
    struct gnttab_copy copy = { .len = segment->length };
    struct gnttab_copy_ptr grant = {
        .u.ref = segment->gref, .domid = slot->vbd->config.frontend_domain, .offset = segment->offset,
    };
    struct gnttab_copy_ptr bounce = { .u.gmfn = slot->bounce_frames[index], .domid = DOMID_SELF, .offset = 0 };

    if (to_frontend) {
        copy.source = bounce;
        copy.dest = grant;
        copy.flags = GNTCOPY_dest_gref;
    } else {
        copy.source = grant;
        copy.dest = bounce;
        copy.flags = GNTCOPY_source_gref;
    }
    return copy;
}

/* Copies every segment of the slot's request one way; true only if each copy succeeded. */
static bool copy_segments(struct blkback_slot *slot, bool to_frontend)
{
    struct gnttab_copy copies[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    unsigned int count = slot->request.segment_count;
    struct blkback *vbd = slot->vbd;

    for (unsigned int index = 0; index < count; index++) {
        copies[index] = copy_element(slot, index, to_frontend);
        copies[index].status = GNTST_general_error;
    }
    vbd->statistics.grant_copy_calls++;
    vbd->statistics.grant_copy_segments += count;
    if (vbd->operations->grant_copy(copies, count) != 0)
        return false;
    for (unsigned int index = 0; index < count; index++)
        if (copies[index].status != GNTST_okay)
            return false;
    return true;
}

/* --- the disk --------------------------------------------------------------- */

static enum block_operation disk_operation(enum blkif_action action)
{
    if (action == BLKIF_ACTION_READ)
        return BLOCK_READ;
    if (action == BLKIF_ACTION_WRITE)
        return BLOCK_WRITE;
    return BLOCK_FLUSH;
}

static void prepare_disk_request(struct blkback_slot *slot)
{
    const struct blkif_checked_request *request = &slot->request;

    slot->io = (struct block_request) {
        .operation = disk_operation(request->action),
        .sector = request->action == BLKIF_ACTION_FLUSH ? 0 : slot->vbd->config.first_sector + request->sector,
        .segment_count = request->segment_count,
        .owner = slot,
    };
    for (unsigned int index = 0; index < request->segment_count; index++)
        slot->io.segments[index] = (struct block_segment) {
            .machine_address = slot->bounce_frames[index] << BOUNCE_PAGE_SHIFT,
            .length = request->segments[index].length,
        };
}

/* Submits the slot's disk request; false if the disk is busy (try again later). */
static bool submit(struct blkback_slot *slot)
{
    struct blkback *vbd = slot->vbd;
    int result = vbd->operations->submit(vbd->config.disk, &slot->io);

    if (result == -XEN_EBUSY) {
        slot->state = BLKBACK_SLOT_WAITING;
        return false;
    }
    if (result != 0) {
        vbd->statistics.disk_errors++;
        respond(vbd, &slot->request, BLKIF_RSP_ERROR);
        release_slot(slot);
        return true;
    }
    slot->state = BLKBACK_SLOT_ON_DISK;
    vbd->on_disk++;
    return true;
}

static void count_request(struct blkback *vbd, const struct blkif_checked_request *request)
{
    if (request->action == BLKIF_ACTION_READ) {
        vbd->statistics.reads++;
        vbd->statistics.sectors_read += request->sector_count;
    } else if (request->action == BLKIF_ACTION_WRITE) {
        vbd->statistics.writes++;
        vbd->statistics.sectors_written += request->sector_count;
    } else {
        vbd->statistics.flushes++;
    }
}

void blkback_request_done(struct block_request *io)
{
    struct blkback_slot *slot = io->owner;
    struct blkback *vbd = slot->vbd;
    int16_t status = BLKIF_RSP_OKAY;

    vbd->on_disk--;
    if (vbd->stopped || !ring_usable(vbd)) {
        release_slot(slot);
        return;
    }
    if (io->status != 0) {
        vbd->statistics.disk_errors++;
        status = BLKIF_RSP_ERROR;
    } else if (slot->request.action == BLKIF_ACTION_READ && !copy_segments(slot, true)) {
        vbd->statistics.grant_copy_failures++;
        status = BLKIF_RSP_ERROR;
    }
    respond(vbd, &slot->request, status);
    release_slot(slot);
}

/* --- taking requests -------------------------------------------------------- */

/* A free slot, if the pool also has pages for a request of the largest size; else NULL. */
static struct blkback_slot *free_slot(struct blkback *vbd)
{
    if (vbd->pool->free_count < BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return NULL;
    for (unsigned int index = 0; index < BLKBACK_SLOTS; index++)
        if (vbd->slots[index].state == BLKBACK_SLOT_FREE)
            return &vbd->slots[index];
    return NULL;
}

/* Starts a checked request in slot; false if the disk was busy (the slot keeps it). */
static bool start(struct blkback *vbd, struct blkback_slot *slot)
{
    const struct blkif_checked_request *request = &slot->request;

    if (request->action == BLKIF_ACTION_FLUSH && !vbd->config.disk_has_flush) {
        respond(vbd, request, BLKIF_RSP_OKAY);
        return true;
    }
    take_bounce_pages(slot);
    if (request->action == BLKIF_ACTION_WRITE && !copy_segments(slot, false)) {
        vbd->statistics.grant_copy_failures++;
        respond(vbd, request, BLKIF_RSP_ERROR);
        release_slot(slot);
        return true;
    }
    prepare_disk_request(slot);
    return submit(slot);
}

/* Takes, checks and starts the next request; false if the disk is busy. */
static bool take_request(struct blkback *vbd, struct blkback_slot *slot)
{
    const struct blkif_vbd_limits limits = { .sectors = vbd->config.sectors, .read_only = vbd->config.read_only };
    union blkif_request_copy copy;

    ring_back_take_request(&vbd->ring, &copy);
    blkif_request_check(&copy, &limits, &slot->request);
    if (slot->request.action == BLKIF_ACTION_REFUSE) {
        vbd->statistics.refused++;
        respond(vbd, &slot->request, slot->request.refusal_status);
        return true;
    }
    count_request(vbd, &slot->request);
    return start(vbd, slot);
}

/* Submits again what the disk refused as busy; false if it still is. */
static bool resubmit_waiting(struct blkback *vbd)
{
    for (unsigned int index = 0; index < BLKBACK_SLOTS; index++) {
        struct blkback_slot *slot = &vbd->slots[index];

        if (slot->state == BLKBACK_SLOT_WAITING && !submit(slot))
            return false;
    }
    return true;
}

/* Takes at most BLKBACK_REQUESTS_PER_PASS requests; true if the ring still holds some now. */
static bool take_requests(struct blkback *vbd)
{
    for (unsigned int taken = 0; taken < BLKBACK_REQUESTS_PER_PASS; taken++) {
        struct blkback_slot *slot;

        if (ring_back_poll_requests(&vbd->ring) == 0)
            return false;
        slot = free_slot(vbd);
        if (slot == NULL || !take_request(vbd, slot))
            return false;
    }
    return ring_back_poll_requests(&vbd->ring) != 0;
}

bool blkback_service(struct blkback *vbd)
{
    bool more;

    if (!ring_usable(vbd))
        return false;
    if (!resubmit_waiting(vbd)) {
        push_responses(vbd);
        return false;
    }
    more = take_requests(vbd);
    push_responses(vbd);
    if (!ring_usable(vbd))
        return false;
    if (more)
        return true;
    if (free_slot(vbd) == NULL)
        return false;
    return ring_back_final_check_for_requests(&vbd->ring);
}
