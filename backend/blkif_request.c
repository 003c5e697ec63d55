/*
 * blkif request validation (see blkif_request.h): a pure function of the
 * request's private copy and the vbd's size and mode, in the order of
 * Linux blkback's checks.
 */
#include "blkif_request.h"

static void refuse(struct blkif_checked_request *checked, int16_t status)
{
    checked->action = BLKIF_ACTION_REFUSE;
    checked->refusal_status = status;
    checked->segment_count = 0;
    checked->sector_count = 0;
}

/* The operation the response must carry: INDIRECT's inner one (blkfront's check). */
static uint8_t real_operation(const union blkif_request_copy *request)
{
    if (request->rw.operation == BLKIF_OP_INDIRECT)
        return request->indirect.indirect_op;
    return request->rw.operation;
}

static bool segment_count_valid(enum blkif_action action, unsigned int count)
{
    if (action == BLKIF_ACTION_FLUSH)
        return count == 0;
    return count >= 1 && count <= BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

/* Copies the segments into checked; false if one leaves its page or runs backwards. */
static bool take_segments(const struct blkif_request *request, struct blkif_checked_request *checked)
{
    for (unsigned int index = 0; index < checked->segment_count; index++) {
        const struct blkif_request_segment *segment = &request->seg[index];
        unsigned int sectors;

        if (segment->last_sect >= BLKIF_SECTORS_PER_PAGE || segment->last_sect < segment->first_sect)
            return false;
        sectors = (unsigned int)segment->last_sect - segment->first_sect + 1;
        checked->segments[index] = (struct blkif_checked_segment) {
            .gref = segment->gref,
            .offset = (uint16_t)(segment->first_sect * BLKIF_SECTOR_SIZE),
            .length = (uint16_t)(sectors * BLKIF_SECTOR_SIZE),
        };
        checked->sector_count += sectors;
    }
    return true;
}

/* Linux's xen_vbd_translate: no write to a read-only vbd, no sector beyond it. */
static bool inside_vbd(const struct blkif_checked_request *checked, const struct blkif_vbd_limits *vbd)
{
    uint64_t end = checked->sector + checked->sector_count;

    if (checked->action != BLKIF_ACTION_READ && vbd->read_only)
        return false;
    if (checked->sector_count == 0)
        return true;
    return end >= checked->sector && end <= vbd->sectors;
}

static bool action_for(uint8_t operation, enum blkif_action *action)
{
    switch (operation) {
    case BLKIF_OP_READ:
        *action = BLKIF_ACTION_READ;
        return true;
    case BLKIF_OP_WRITE:
        *action = BLKIF_ACTION_WRITE;
        return true;
    case BLKIF_OP_FLUSH_DISKCACHE:
        *action = BLKIF_ACTION_FLUSH;
        return true;
    default:
        return false;
    }
}

void blkif_request_check(const union blkif_request_copy *request, const struct blkif_vbd_limits *vbd,
                         struct blkif_checked_request *checked)
{
    *checked = (struct blkif_checked_request) {
        .id = request->rw.id,
        .operation = real_operation(request),
        .sector = request->rw.sector_number,
        .segment_count = request->rw.nr_segments,
    };
    if (!action_for(request->rw.operation, &checked->action)) {
        refuse(checked, BLKIF_RSP_EOPNOTSUPP);
        return;
    }
    if (!segment_count_valid(checked->action, checked->segment_count) || !take_segments(&request->rw, checked) ||
        !inside_vbd(checked, vbd))
        refuse(checked, BLKIF_RSP_ERROR);
}

struct blkif_response blkif_response_for(const struct blkif_checked_request *checked, int16_t status)
{
    return (struct blkif_response) { .id = checked->id, .operation = checked->operation, .status = status };
}
