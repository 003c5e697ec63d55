/*
 * blkfront's requests in flight and the checks of blkfront_shadow.h:
 * ids are indices into the entry array (Linux xen-blkfront.c
 * get_id_from_freelist / add_id_to_freelist), kept on a free stack.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/errno.h>
#include "blkfront_shadow.h"

void blkfront_shadow_init(struct blkfront_shadow *shadow)
{
    shadow->free_count = 0;
    for (unsigned int id = BLKFRONT_RING_SIZE; id-- > 0;) {
        shadow->entries[id] = (struct blkfront_shadow_entry){ .pending = false };
        shadow->free_ids[shadow->free_count++] = id;
    }
}

int blkfront_shadow_take(struct blkfront_shadow *shadow, uint8_t operation, void *owner, uint64_t *id)
{
    struct blkfront_shadow_entry *entry;
    unsigned int taken;

    if (shadow->free_count == 0)
        return -XEN_EBUSY;
    taken = shadow->free_ids[--shadow->free_count];
    entry = &shadow->entries[taken];
    entry->pending = true;
    entry->operation = operation;
    entry->grant_count = 0;
    entry->owner = owner;
    *id = taken;
    return 0;
}

void blkfront_shadow_release(struct blkfront_shadow *shadow, uint64_t id)
{
    shadow->entries[id].pending = false;
    shadow->free_ids[shadow->free_count++] = (unsigned int)id;
}

const char *blkfront_shadow_response_problem(const struct blkfront_shadow *shadow, uint64_t id,
                                             uint8_t operation)
{
    if (id >= BLKFRONT_RING_SIZE)
        return "response id beyond the ring";
    if (!shadow->entries[id].pending)
        return "response to a request not in flight";
    if (shadow->entries[id].operation != operation)
        return "response has the wrong operation";
    return NULL;
}

struct blkfront_shadow_entry *blkfront_shadow_complete(struct blkfront_shadow *shadow, uint64_t id)
{
    struct blkfront_shadow_entry *entry = &shadow->entries[id];

    entry->pending = false;
    return entry;
}

unsigned int blkfront_shadow_in_flight(const struct blkfront_shadow *shadow)
{
    return BLKFRONT_RING_SIZE - shadow->free_count;
}

static bool segment_fits_a_page(const struct blkfront_segment_spec *segment)
{
    return segment->first_sect <= segment->last_sect && segment->last_sect < BLKFRONT_SECTORS_PER_PAGE;
}

int blkfront_check_request(uint8_t operation, unsigned int segment_count,
                           const struct blkfront_segment_spec *segments)
{
    switch (operation) {
    case BLKIF_OP_FLUSH_DISKCACHE:
        return segment_count == 0 ? 0 : -XEN_EINVAL;
    case BLKIF_OP_READ:
    case BLKIF_OP_WRITE:
        if (segment_count == 0 || segment_count > BLKIF_MAX_SEGMENTS_PER_REQUEST)
            return -XEN_EINVAL;
        for (unsigned int index = 0; index < segment_count; index++)
            if (!segment_fits_a_page(&segments[index]))
                return -XEN_EINVAL;
        return 0;
    default:
        return -XEN_EOPNOTSUPP;
    }
}
