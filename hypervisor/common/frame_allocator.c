/*
 * The buddy allocator over the frame table (see pvmon/frame_allocator.h).
 *
 * A free block of 2^order frames has all its frames FRAME_FREE; its first
 * frame carries the order and the links of its free list.  The buddy of
 * the block at frame number f is the block at f ^ 2^order.  A frame that
 * is FREE and aligned to 2^order is always the first frame of a free block
 * (a larger free block around it would contain the block being merged),
 * so checking the buddy's state and order is enough to merge safely.
 *
 * Every public function checks its arguments completely before changing
 * anything, so an error leaves the allocator as it was.
 */
#include <pvmon/errno.h>
#include <pvmon/frame_allocator.h>

static uint64_t frames_in_order(unsigned int order)
{
    return (uint64_t) 1 << order;
}

static bool is_aligned_to_order(uint64_t frame_number, unsigned int order)
{
    return (frame_number & (frames_in_order(order) - 1)) == 0;
}

static bool range_is_inside(const struct frame_allocator *allocator, uint64_t first_frame, uint64_t count)
{
    return first_frame <= allocator->frame_count && count <= allocator->frame_count - first_frame;
}

static void set_state(struct frame_allocator *allocator, uint64_t first_frame, uint64_t count,
                      enum frame_state state)
{
    for (uint64_t index = first_frame; index < first_frame + count; index++)
        allocator->frames[index].state = state;
}

static bool all_frames_in_state(const struct frame_allocator *allocator, uint64_t first_frame, uint64_t count,
                                enum frame_state state)
{
    for (uint64_t index = first_frame; index < first_frame + count; index++) {
        if (allocator->frames[index].state != state)
            return false;
    }
    return true;
}

static void push_free_block(struct frame_allocator *allocator, uint32_t block, unsigned int order)
{
    struct frame *first = &allocator->frames[block];
    uint32_t old_head = allocator->free_heads[order];

    first->order = (uint8_t) order;
    first->previous_free = FRAME_NONE;
    first->next_free = old_head;
    if (old_head != FRAME_NONE)
        allocator->frames[old_head].previous_free = block;
    allocator->free_heads[order] = block;
}

static void remove_free_block(struct frame_allocator *allocator, uint32_t block, unsigned int order)
{
    struct frame *first = &allocator->frames[block];

    if (first->previous_free != FRAME_NONE)
        allocator->frames[first->previous_free].next_free = first->next_free;
    else
        allocator->free_heads[order] = first->next_free;
    if (first->next_free != FRAME_NONE)
        allocator->frames[first->next_free].previous_free = first->previous_free;
    first->next_free = FRAME_NONE;
    first->previous_free = FRAME_NONE;
    first->order = 0;
}

static bool buddy_is_free_at_order(const struct frame_allocator *allocator, uint64_t buddy, unsigned int order)
{
    return buddy < allocator->frame_count && allocator->frames[buddy].state == FRAME_FREE &&
           allocator->frames[buddy].order == order;
}

/* Marks a block free and merges it with its buddies for as long as they are free too. */
static void free_block(struct frame_allocator *allocator, uint64_t block, unsigned int order)
{
    set_state(allocator, block, frames_in_order(order), FRAME_FREE);
    allocator->free_frames += frames_in_order(order);
    while (order < FRAME_MAX_ORDER) {
        uint64_t buddy = block ^ frames_in_order(order);

        if (!buddy_is_free_at_order(allocator, buddy, order))
            break;
        remove_free_block(allocator, (uint32_t) buddy, order);
        if (buddy < block)
            block = buddy;
        order++;
    }
    push_free_block(allocator, (uint32_t) block, order);
}

void frame_allocator_init(struct frame_allocator *allocator, struct frame *frames, uint64_t frame_count)
{
    allocator->frames = frames;
    allocator->frame_count = frame_count;
    allocator->free_frames = 0;
    for (unsigned int order = 0; order <= FRAME_MAX_ORDER; order++)
        allocator->free_heads[order] = FRAME_NONE;
    for (uint64_t index = 0; index < frame_count; index++) {
        frames[index] = (struct frame) {
            .next_free = FRAME_NONE,
            .previous_free = FRAME_NONE,
            .state = FRAME_RESERVED,
        };
    }
}

/* The largest order of an aligned block starting at first_frame that fits in count frames. */
static unsigned int largest_order_fitting(uint64_t first_frame, uint64_t count)
{
    unsigned int order = 0;

    while (order < FRAME_MAX_ORDER && is_aligned_to_order(first_frame, order + 1) &&
           frames_in_order(order + 1) <= count)
        order++;
    return order;
}

int frame_allocator_release_range(struct frame_allocator *allocator, uint64_t first_frame, uint64_t count)
{
    if (!range_is_inside(allocator, first_frame, count) ||
        !all_frames_in_state(allocator, first_frame, count, FRAME_RESERVED))
        return -XEN_EINVAL;

    uint64_t end = first_frame + count;

    for (uint64_t block = first_frame; block < end;) {
        unsigned int order = largest_order_fitting(block, end - block);

        free_block(allocator, block, order);
        block += frames_in_order(order);
    }
    return 0;
}

/* Takes the block off its list and returns its unneeded upper halves to smaller lists. */
static void split_block(struct frame_allocator *allocator, uint32_t block, unsigned int order,
                        unsigned int wanted_order)
{
    remove_free_block(allocator, block, order);
    while (order > wanted_order) {
        order--;
        push_free_block(allocator, block + (uint32_t) frames_in_order(order), order);
    }
}

int frame_allocator_allocate(struct frame_allocator *allocator, unsigned int order, uint64_t *first_frame)
{
    if (order > FRAME_MAX_ORDER)
        return -XEN_EINVAL;

    unsigned int block_order = order;

    while (block_order <= FRAME_MAX_ORDER && allocator->free_heads[block_order] == FRAME_NONE)
        block_order++;
    if (block_order > FRAME_MAX_ORDER)
        return -XEN_ENOMEM;

    uint32_t block = allocator->free_heads[block_order];

    split_block(allocator, block, block_order, order);
    for (uint64_t index = block; index < block + frames_in_order(order); index++) {
        allocator->frames[index] = (struct frame) {
            .next_free = FRAME_NONE,
            .previous_free = FRAME_NONE,
            .owner = 0,
            .state = FRAME_HYPERVISOR,
        };
    }
    allocator->free_frames -= frames_in_order(order);
    *first_frame = block;
    return 0;
}

static bool all_frames_allocated(const struct frame_allocator *allocator, uint64_t first_frame, uint64_t count)
{
    for (uint64_t index = first_frame; index < first_frame + count; index++) {
        uint8_t state = allocator->frames[index].state;

        if (state != FRAME_HYPERVISOR && state != FRAME_DOMAIN)
            return false;
    }
    return true;
}

int frame_allocator_free(struct frame_allocator *allocator, uint64_t first_frame, unsigned int order)
{
    if (order > FRAME_MAX_ORDER || !is_aligned_to_order(first_frame, order) ||
        !range_is_inside(allocator, first_frame, frames_in_order(order)) ||
        !all_frames_allocated(allocator, first_frame, frames_in_order(order)))
        return -XEN_EINVAL;

    for (uint64_t index = first_frame; index < first_frame + frames_in_order(order); index++)
        allocator->frames[index].owner = 0;
    free_block(allocator, first_frame, order);
    return 0;
}

uint64_t frame_allocator_free_count(const struct frame_allocator *allocator)
{
    return allocator->free_frames;
}

static bool free_block_is_sound(const struct frame_allocator *allocator, uint64_t block, unsigned int order)
{
    uint64_t buddy = block ^ frames_in_order(order);

    return allocator->frames[block].order == order && is_aligned_to_order(block, order) &&
           range_is_inside(allocator, block, frames_in_order(order)) &&
           all_frames_in_state(allocator, block, frames_in_order(order), FRAME_FREE) &&
           (order == FRAME_MAX_ORDER || !buddy_is_free_at_order(allocator, buddy, order));
}

/*
 * Walks one free list, adding its frames to *listed_frames.  A list longer
 * than the table has frames must contain a cycle.
 */
static bool free_list_is_sound(const struct frame_allocator *allocator, unsigned int order,
                               uint64_t *listed_frames)
{
    uint32_t previous = FRAME_NONE;
    uint64_t blocks = 0;

    for (uint32_t block = allocator->free_heads[order]; block != FRAME_NONE;
         block = allocator->frames[block].next_free) {
        if (block >= allocator->frame_count || ++blocks > allocator->frame_count)
            return false;
        if (allocator->frames[block].previous_free != previous || !free_block_is_sound(allocator, block, order))
            return false;
        *listed_frames += frames_in_order(order);
        previous = block;
    }
    return true;
}

bool frame_allocator_invariants_hold(const struct frame_allocator *allocator)
{
    uint64_t listed_frames = 0;
    uint64_t frames_marked_free = 0;

    for (unsigned int order = 0; order <= FRAME_MAX_ORDER; order++) {
        if (!free_list_is_sound(allocator, order, &listed_frames))
            return false;
    }
    for (uint64_t index = 0; index < allocator->frame_count; index++) {
        if (allocator->frames[index].state == FRAME_FREE)
            frames_marked_free++;
    }
    return listed_frames == allocator->free_frames && frames_marked_free == allocator->free_frames;
}
