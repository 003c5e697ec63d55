/*
 * A buddy allocator over the frame table, as in Xen's page allocator.
 *
 * Free memory is kept as blocks of 2^order frames, each naturally aligned
 * by absolute frame number, on one doubly linked free list per order.
 * A freed block is merged with its buddy (the other half of the block one
 * order larger) whenever that buddy is free too, so free memory is always
 * fully coalesced.  Frames start out FRAME_RESERVED and only become
 * allocatable once released at boot.  frame_count must be below 2^32,
 * because frame numbers are stored in 32 bits and FRAME_NONE is reserved.
 */
#ifndef PVMON_FRAME_ALLOCATOR_H
#define PVMON_FRAME_ALLOCATOR_H

#include <stdbool.h>
#include <stdint.h>

#include <pvmon/frame.h>

#define FRAME_MAX_ORDER 18 /* largest block: 2^18 frames = 1 GiB */

struct frame_allocator {
    struct frame *frames;
    uint64_t frame_count;
    uint32_t free_heads[FRAME_MAX_ORDER + 1]; /* first block of each free list, or FRAME_NONE */
    uint64_t free_frames;
};

/* Every frame becomes FRAME_RESERVED; nothing is free. */
void frame_allocator_init(struct frame_allocator *allocator, struct frame *frames, uint64_t frame_count);

/*
 * Boot: hands count RESERVED frames from first_frame on to the allocator,
 * coalescing them with free buddies.  -XEN_EINVAL, changing nothing, if
 * the range leaves the frame table or any frame in it is not RESERVED.
 */
int frame_allocator_release_range(struct frame_allocator *allocator, uint64_t first_frame, uint64_t count);

/*
 * Allocates 2^order naturally aligned frames, marked FRAME_HYPERVISOR with
 * owner 0 and type_info and reference_count cleared, splitting a larger
 * free block if needed.  -XEN_EINVAL if order exceeds FRAME_MAX_ORDER,
 * -XEN_ENOMEM if no block is large enough.
 */
int frame_allocator_allocate(struct frame_allocator *allocator, unsigned int order, uint64_t *first_frame);

/*
 * Returns 2^order frames from first_frame on, which must be aligned to
 * 2^order and all allocated (HYPERVISOR or DOMAIN), to the allocator.
 * Otherwise -XEN_EINVAL and nothing changes, so a double free is caught.
 */
int frame_allocator_free(struct frame_allocator *allocator, uint64_t first_frame, unsigned int order);

uint64_t frame_allocator_free_count(const struct frame_allocator *allocator);

/*
 * For tests and fuzzers: every free list is well linked and free of
 * cycles; each block on it has that list's order, is aligned, lies inside
 * the table and has only FREE frames; no block's buddy is free at the same
 * order; and the listed blocks, the FREE frames in the table and
 * free_frames all count the same number of frames.
 */
bool frame_allocator_invariants_hold(const struct frame_allocator *allocator);

#endif
