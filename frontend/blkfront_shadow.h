/*
 * blkfront's bookkeeping of requests in flight, pure (host-tested): the
 * ids handed to the backend (Linux blkfront's "shadow": an id is an index
 * below the ring size), the grants each request holds, and the checks a
 * frontend makes before it believes anything the backend writes:
 *   - a request it sends: READ and WRITE carry 1 to
 *     BLKIF_MAX_SEGMENTS_PER_REQUEST segments with first_sect <= last_sect
 *     < 8 (Xen io/blkif.h), FLUSH_DISKCACHE none; other operations are
 *     not sent;
 *   - a response: its id is below the ring size and pending, and it echoes
 *     the request's operation (Linux xen-blkfront.c blkif_interrupt: "bad
 *     response id", "response has wrong operation").
 * (A response producer beyond the requests sent is ring/'s to catch.)
 * A failed response check means a broken backend: the caller stops using
 * the device.
 */
#ifndef FRONTEND_BLKFRONT_SHADOW_H
#define FRONTEND_BLKFRONT_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include <xen/io/blkif.h>

#define BLKFRONT_RING_SIZE __CONST_RING_SIZE(blkif, 4096)
#define BLKFRONT_SECTORS_PER_PAGE 8

struct blkfront_segment_spec {
    uint8_t first_sect;
    uint8_t last_sect;
};

struct blkfront_shadow_entry {
    bool pending;
    uint8_t operation;
    unsigned int grant_count;
    grant_ref_t grants[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    void *owner;
};

struct blkfront_shadow {
    struct blkfront_shadow_entry entries[BLKFRONT_RING_SIZE];
    unsigned int free_ids[BLKFRONT_RING_SIZE];
    unsigned int free_count;
};

void blkfront_shadow_init(struct blkfront_shadow *shadow);

/* Takes a free id for a request of operation, on behalf of owner.
 * -XEN_EBUSY when every id is in flight. */
int blkfront_shadow_take(struct blkfront_shadow *shadow, uint8_t operation, void *owner, uint64_t *id);

/* NULL if the response (id, operation) answers a pending request; else what is wrong with it. */
const char *blkfront_shadow_response_problem(const struct blkfront_shadow *shadow, uint64_t id,
                                             uint8_t operation);

/* The pending entry id names (checked first), now no longer pending; its
 * id is free again once blkfront_shadow_release is called, which also
 * gives back an id taken for a request that was never sent. */
struct blkfront_shadow_entry *blkfront_shadow_complete(struct blkfront_shadow *shadow, uint64_t id);
void blkfront_shadow_release(struct blkfront_shadow *shadow, uint64_t id);

unsigned int blkfront_shadow_in_flight(const struct blkfront_shadow *shadow);

/* 0 if a request of operation with these segments may be sent; -XEN_EINVAL otherwise,
 * -XEN_EOPNOTSUPP for an operation blkfront does not send. */
int blkfront_check_request(uint8_t operation, unsigned int segment_count,
                           const struct blkfront_segment_spec *segments);

#endif
