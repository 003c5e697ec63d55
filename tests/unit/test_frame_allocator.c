/*
 * Specification of the buddy frame allocator: releasing memory at boot,
 * allocating aligned blocks, freeing and coalescing, rejecting bad
 * requests without side effects, and an invariant checker that notices
 * corruption.  Frame tables are allocated at their exact size, so the
 * address sanitizer catches any access past the end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/frame_allocator.h>

#include "suites.h"

static void create_allocator(struct frame_allocator *allocator, uint64_t frame_count)
{
    struct frame *frames = malloc(frame_count * sizeof(struct frame));

    ck_assert_ptr_nonnull(frames);
    memset(frames, 0xa5, frame_count * sizeof(struct frame));
    frame_allocator_init(allocator, frames, frame_count);
}

static void destroy_allocator(struct frame_allocator *allocator)
{
    free(allocator->frames);
}

static void expect_free_heads(const struct frame_allocator *allocator,
                              const uint32_t expected[FRAME_MAX_ORDER + 1])
{
    for (unsigned int order = 0; order <= FRAME_MAX_ORDER; order++)
        ck_assert_msg(allocator->free_heads[order] == expected[order], "free list %u starts at %u, expected %u",
                      order, allocator->free_heads[order], expected[order]);
}

/* Sets every expected free-list head to FRAME_NONE; tests then fill in the ones they expect. */
static void no_free_heads(uint32_t heads[FRAME_MAX_ORDER + 1])
{
    for (unsigned int order = 0; order <= FRAME_MAX_ORDER; order++)
        heads[order] = FRAME_NONE;
}

static void expect_frames_in_state(const struct frame_allocator *allocator, uint64_t first_frame, uint64_t count,
                                   enum frame_state state)
{
    for (uint64_t frame = first_frame; frame < first_frame + count; frame++)
        ck_assert_msg(allocator->frames[frame].state == state, "frame %llu is in state %u, expected %u",
                      (unsigned long long) frame, allocator->frames[frame].state, state);
}

/* A fixed-seed xorshift generator, so that a failure can be reproduced. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

START_TEST(test_new_allocator_has_every_frame_reserved_and_nothing_free)
{
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];
    uint64_t frame = 0;

    create_allocator(&allocator, 64);
    expect_frames_in_state(&allocator, 0, 64, FRAME_RESERVED);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 0);
    no_free_heads(heads);
    expect_free_heads(&allocator, heads);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 0, &frame), -XEN_ENOMEM);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_released_range_becomes_free)
{
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];

    create_allocator(&allocator, 64);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 16, 16), 0);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 16);
    expect_frames_in_state(&allocator, 0, 16, FRAME_RESERVED);
    expect_frames_in_state(&allocator, 16, 16, FRAME_FREE);
    expect_frames_in_state(&allocator, 32, 32, FRAME_RESERVED);
    no_free_heads(heads);
    heads[4] = 16;
    expect_free_heads(&allocator, heads);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_release_with_odd_boundaries_forms_largest_aligned_blocks)
{
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];

    create_allocator(&allocator, 64);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 3, 30), 0);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 30);
    no_free_heads(heads);
    heads[0] = 32;
    heads[2] = 4;
    heads[3] = 8;
    heads[4] = 16;
    expect_free_heads(&allocator, heads);
    ck_assert_uint_eq(allocator.frames[3].next_free, FRAME_NONE);
    ck_assert_uint_eq(allocator.frames[32].next_free, 3);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_neighbouring_releases_coalesce_into_one_block)
{
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];

    create_allocator(&allocator, 8);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 0, 5), 0);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 5, 3), 0);
    no_free_heads(heads);
    heads[3] = 0;
    expect_free_heads(&allocator, heads);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_release_outside_the_table_is_rejected)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 8, 9), -XEN_EINVAL);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 17, 0), -XEN_EINVAL);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, UINT64_MAX, 2), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 0);
    expect_frames_in_state(&allocator, 0, 16, FRAME_RESERVED);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_release_of_frames_not_reserved_is_rejected_and_changes_nothing)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 0, 8), 0);
    ck_assert_int_eq(frame_allocator_release_range(&allocator, 4, 8), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 8);
    expect_frames_in_state(&allocator, 8, 8, FRAME_RESERVED);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_allocation_is_a_naturally_aligned_block_of_hypervisor_frames)
{
    struct frame_allocator allocator;
    uint64_t frame = UINT64_MAX;

    create_allocator(&allocator, 128);
    frame_allocator_release_range(&allocator, 1, 100);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 3, &frame), 0);
    ck_assert_uint_eq(frame % 8, 0);
    ck_assert(frame >= 1 && frame + 8 <= 101);
    expect_frames_in_state(&allocator, frame, 8, FRAME_HYPERVISOR);
    for (uint64_t index = frame; index < frame + 8; index++)
        ck_assert_uint_eq(allocator.frames[index].owner, 0);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 92);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_allocation_clears_owner_type_and_references_left_from_earlier_use)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;
    uint64_t again = 0;

    create_allocator(&allocator, 1);
    frame_allocator_release_range(&allocator, 0, 1);
    frame_allocator_allocate(&allocator, 0, &frame);
    allocator.frames[frame].state = FRAME_DOMAIN;
    allocator.frames[frame].owner = 7;
    allocator.frames[frame].type_info = 0x1234;
    allocator.frames[frame].reference_count = 3;
    ck_assert_int_eq(frame_allocator_free(&allocator, frame, 0), 0);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 0, &again), 0);
    ck_assert_uint_eq(again, frame);
    ck_assert_uint_eq(allocator.frames[frame].state, FRAME_HYPERVISOR);
    ck_assert_uint_eq(allocator.frames[frame].owner, 0);
    ck_assert_uint_eq(allocator.frames[frame].type_info, 0);
    ck_assert_uint_eq(allocator.frames[frame].reference_count, 0);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_allocation_splits_a_larger_block_into_free_buddies)
{
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];
    uint64_t frame = UINT64_MAX;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 16);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 0, &frame), 0);
    ck_assert_uint_eq(frame, 0);
    no_free_heads(heads);
    heads[0] = 1;
    heads[1] = 2;
    heads[2] = 4;
    heads[3] = 8;
    expect_free_heads(&allocator, heads);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 15);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_allocating_everything_gives_distinct_aligned_released_frames)
{
    static const uint64_t released[][2] = { { 5, 65 }, { 100, 157 }, { 290, 10 } };
    bool handed_out[300] = { false };
    struct frame_allocator allocator;
    uint64_t released_frames = 0;
    uint64_t allocated_frames = 0;

    create_allocator(&allocator, 300);
    for (size_t range = 0; range < 3; range++) {
        frame_allocator_release_range(&allocator, released[range][0], released[range][1]);
        released_frames += released[range][1];
    }
    for (int order = 2; order >= 0; order--) {
        uint64_t frame;

        while (frame_allocator_allocate(&allocator, (unsigned int) order, &frame) == 0) {
            ck_assert_uint_eq(frame % (1u << order), 0);
            for (uint64_t index = frame; index < frame + (1u << order); index++) {
                bool was_released = false;

                for (size_t range = 0; range < 3; range++)
                    was_released |= index >= released[range][0] &&
                                    index < released[range][0] + released[range][1];
                ck_assert_msg(was_released, "frame %llu was never released", (unsigned long long) index);
                ck_assert_msg(!handed_out[index], "frame %llu handed out twice", (unsigned long long) index);
                handed_out[index] = true;
            }
            allocated_frames += 1u << order;
        }
    }
    ck_assert_uint_eq(allocated_frames, released_frames);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 0);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_freeing_everything_coalesces_back_into_one_block)
{
    enum { FRAME_COUNT = 1024 };
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];
    uint64_t frames[FRAME_COUNT];
    uint64_t random_state = 12345;

    create_allocator(&allocator, FRAME_COUNT);
    frame_allocator_release_range(&allocator, 0, FRAME_COUNT);
    for (int index = 0; index < FRAME_COUNT; index++)
        ck_assert_int_eq(frame_allocator_allocate(&allocator, 0, &frames[index]), 0);
    for (int index = FRAME_COUNT - 1; index > 0; index--) {
        int other = (int) (next_random(&random_state) % (uint64_t) (index + 1));
        uint64_t swapped = frames[index];

        frames[index] = frames[other];
        frames[other] = swapped;
    }
    for (int index = 0; index < FRAME_COUNT; index++)
        ck_assert_int_eq(frame_allocator_free(&allocator, frames[index], 0), 0);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), FRAME_COUNT);
    no_free_heads(heads);
    heads[10] = 0;
    expect_free_heads(&allocator, heads);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_double_free_is_rejected)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 16);
    frame_allocator_allocate(&allocator, 2, &frame);
    ck_assert_int_eq(frame_allocator_free(&allocator, frame, 2), 0);
    ck_assert_int_eq(frame_allocator_free(&allocator, frame, 2), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 16);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_freeing_a_block_with_a_free_frame_in_it_is_rejected)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 2);
    frame_allocator_release_range(&allocator, 0, 2);
    frame_allocator_allocate(&allocator, 0, &frame);
    ck_assert_int_eq(frame_allocator_free(&allocator, 0, 1), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 1);
    ck_assert_uint_eq(allocator.frames[frame].state, FRAME_HYPERVISOR);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_freeing_reserved_frames_is_rejected)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 8);
    ck_assert_int_eq(frame_allocator_free(&allocator, 8, 3), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 8);
    expect_frames_in_state(&allocator, 8, 8, FRAME_RESERVED);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_freeing_a_misaligned_block_is_rejected)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 16);
    frame_allocator_allocate(&allocator, 3, &frame);
    ck_assert_int_eq(frame_allocator_free(&allocator, frame + 2, 2), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 8);
    expect_frames_in_state(&allocator, frame, 8, FRAME_HYPERVISOR);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_freeing_outside_the_table_is_rejected)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 10);
    frame_allocator_release_range(&allocator, 0, 10);
    frame_allocator_allocate(&allocator, 1, &frame);
    ck_assert_int_eq(frame_allocator_free(&allocator, 8, 2), -XEN_EINVAL);
    ck_assert_int_eq(frame_allocator_free(&allocator, 1ull << 40, 0), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 8);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_partial_free_of_an_allocation_is_allowed)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 4);
    frame_allocator_release_range(&allocator, 0, 4);
    frame_allocator_allocate(&allocator, 2, &frame);
    ck_assert_int_eq(frame_allocator_free(&allocator, frame + 2, 1), 0);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 2);
    expect_frames_in_state(&allocator, frame, 2, FRAME_HYPERVISOR);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_domain_frames_can_be_freed)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 4);
    frame_allocator_release_range(&allocator, 0, 4);
    frame_allocator_allocate(&allocator, 1, &frame);
    allocator.frames[frame].state = FRAME_DOMAIN;
    allocator.frames[frame].owner = 3;
    allocator.frames[frame + 1].state = FRAME_DOMAIN;
    allocator.frames[frame + 1].owner = 3;
    ck_assert_int_eq(frame_allocator_free(&allocator, frame, 1), 0);
    ck_assert_uint_eq(allocator.frames[frame].owner, 0);
    expect_frames_in_state(&allocator, 0, 4, FRAME_FREE);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_order_above_maximum_is_rejected)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 16);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, FRAME_MAX_ORDER + 1, &frame), -XEN_EINVAL);
    ck_assert_int_eq(frame_allocator_free(&allocator, 0, FRAME_MAX_ORDER + 1), -XEN_EINVAL);
    ck_assert_int_eq(frame_allocator_free(&allocator, 0, 64), -XEN_EINVAL);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 16);
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_running_out_of_memory_is_reported_and_changes_nothing)
{
    struct frame_allocator allocator;
    uint64_t frame = 0;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 4, 4);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 3, &frame), -XEN_ENOMEM);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 4);
    ck_assert_uint_eq(allocator.free_heads[2], 4);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_fragmented_memory_cannot_satisfy_a_larger_order)
{
    struct frame_allocator allocator;
    uint64_t frames[8];
    uint64_t frame = 0;

    create_allocator(&allocator, 8);
    frame_allocator_release_range(&allocator, 0, 8);
    for (int index = 0; index < 8; index++)
        frame_allocator_allocate(&allocator, 0, &frames[index]);
    for (uint64_t even = 0; even < 8; even += 2)
        ck_assert_int_eq(frame_allocator_free(&allocator, even, 0), 0);
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), 4);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 1, &frame), -XEN_ENOMEM);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_blocks_never_grow_beyond_maximum_order)
{
    const uint64_t largest_block = 1ull << FRAME_MAX_ORDER;
    struct frame_allocator allocator;
    uint64_t first = 0;
    uint64_t second = 0;
    uint64_t third = 0;

    create_allocator(&allocator, 2 * largest_block);
    frame_allocator_release_range(&allocator, 0, 2 * largest_block);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    ck_assert_int_eq(frame_allocator_allocate(&allocator, FRAME_MAX_ORDER, &first), 0);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, FRAME_MAX_ORDER, &second), 0);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 0, &third), -XEN_ENOMEM);
    ck_assert_uint_eq(first + second, largest_block);
    ck_assert_int_eq(frame_allocator_free(&allocator, first, FRAME_MAX_ORDER), 0);
    ck_assert_int_eq(frame_allocator_free(&allocator, second, FRAME_MAX_ORDER), 0);
    ck_assert_uint_ne(allocator.frames[allocator.free_heads[FRAME_MAX_ORDER]].next_free, FRAME_NONE);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_buddy_beyond_end_of_table_is_never_merged)
{
    struct frame_allocator allocator;
    uint32_t heads[FRAME_MAX_ORDER + 1];
    uint64_t frame = 0;

    create_allocator(&allocator, 6);
    frame_allocator_release_range(&allocator, 0, 6);
    ck_assert_int_eq(frame_allocator_allocate(&allocator, 1, &frame), 0);
    ck_assert_uint_eq(frame, 4);
    ck_assert_int_eq(frame_allocator_free(&allocator, 4, 1), 0);
    no_free_heads(heads);
    heads[1] = 4;
    heads[2] = 0;
    expect_free_heads(&allocator, heads);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_an_allocated_frame_inside_a_free_block)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 16);
    allocator.frames[5].state = FRAME_HYPERVISOR;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_a_broken_backward_link)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 1);
    frame_allocator_release_range(&allocator, 2, 1);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    allocator.frames[0].previous_free = FRAME_NONE;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_a_cycle_in_a_free_list)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 1);
    frame_allocator_release_range(&allocator, 2, 1);
    allocator.frames[0].next_free = 2;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_uncoalesced_buddies)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 2);
    allocator.frames[0].state = FRAME_FREE;
    allocator.frames[1].state = FRAME_FREE;
    allocator.frames[0].next_free = 1;
    allocator.frames[1].previous_free = 0;
    allocator.free_heads[0] = 0;
    allocator.free_frames = 2;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_a_misaligned_block)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 4);
    allocator.frames[1].state = FRAME_FREE;
    allocator.frames[2].state = FRAME_FREE;
    allocator.frames[1].order = 1;
    allocator.free_heads[1] = 1;
    allocator.free_frames = 2;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_a_wrong_free_count)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 8);
    allocator.free_frames++;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

START_TEST(test_invariant_check_notices_a_free_frame_on_no_list)
{
    struct frame_allocator allocator;

    create_allocator(&allocator, 16);
    frame_allocator_release_range(&allocator, 0, 8);
    allocator.frames[12].state = FRAME_FREE;
    ck_assert(!frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

/* A live allocation in the randomized test. */
struct allocation {
    uint64_t first_frame;
    unsigned int order;
};

#define RANDOM_FRAME_COUNT 4093
#define RANDOM_STEPS 3000
#define RANDOM_LARGEST_ORDER 5

START_TEST(test_random_allocations_and_frees_keep_invariants)
{
    static struct allocation live[RANDOM_FRAME_COUNT];
    static bool in_use[RANDOM_FRAME_COUNT];
    struct frame_allocator allocator;
    uint64_t random_state = 0x0123456789abcdefull;
    size_t live_count = 0;

    memset(in_use, 0, sizeof(in_use));
    create_allocator(&allocator, RANDOM_FRAME_COUNT);
    frame_allocator_release_range(&allocator, 7, 2000);
    frame_allocator_release_range(&allocator, 2100, RANDOM_FRAME_COUNT - 2100);
    uint64_t released = frame_allocator_free_count(&allocator);

    for (int step = 0; step < RANDOM_STEPS; step++) {
        bool allocate = live_count == 0 || next_random(&random_state) % 3 != 0;

        if (allocate) {
            unsigned int order = (unsigned int) (next_random(&random_state) % (RANDOM_LARGEST_ORDER + 1));
            uint64_t frame;

            if (frame_allocator_allocate(&allocator, order, &frame) == 0) {
                ck_assert_uint_eq(frame % (1u << order), 0);
                for (uint64_t index = frame; index < frame + (1u << order); index++) {
                    ck_assert(!in_use[index]);
                    in_use[index] = true;
                }
                live[live_count++] = (struct allocation) { frame, order };
            }
        } else {
            size_t victim = next_random(&random_state) % live_count;
            struct allocation freed = live[victim];

            ck_assert_int_eq(frame_allocator_free(&allocator, freed.first_frame, freed.order), 0);
            for (uint64_t index = freed.first_frame; index < freed.first_frame + (1u << freed.order); index++)
                in_use[index] = false;
            live[victim] = live[--live_count];
        }
        ck_assert_msg(frame_allocator_invariants_hold(&allocator), "invariants broken at step %d", step);
    }
    while (live_count > 0) {
        live_count--;
        ck_assert_int_eq(frame_allocator_free(&allocator, live[live_count].first_frame, live[live_count].order), 0);
    }
    ck_assert_uint_eq(frame_allocator_free_count(&allocator), released);
    ck_assert(frame_allocator_invariants_hold(&allocator));
    destroy_allocator(&allocator);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *frame_allocator_suite(void)
{
    Suite *suite = suite_create("frame_allocator");

    add_test_case(suite, test_new_allocator_has_every_frame_reserved_and_nothing_free);
    add_test_case(suite, test_released_range_becomes_free);
    add_test_case(suite, test_release_with_odd_boundaries_forms_largest_aligned_blocks);
    add_test_case(suite, test_neighbouring_releases_coalesce_into_one_block);
    add_test_case(suite, test_release_outside_the_table_is_rejected);
    add_test_case(suite, test_release_of_frames_not_reserved_is_rejected_and_changes_nothing);
    add_test_case(suite, test_allocation_is_a_naturally_aligned_block_of_hypervisor_frames);
    add_test_case(suite, test_allocation_clears_owner_type_and_references_left_from_earlier_use);
    add_test_case(suite, test_allocation_splits_a_larger_block_into_free_buddies);
    add_test_case(suite, test_allocating_everything_gives_distinct_aligned_released_frames);
    add_test_case(suite, test_freeing_everything_coalesces_back_into_one_block);
    add_test_case(suite, test_double_free_is_rejected);
    add_test_case(suite, test_freeing_a_block_with_a_free_frame_in_it_is_rejected);
    add_test_case(suite, test_freeing_reserved_frames_is_rejected);
    add_test_case(suite, test_freeing_a_misaligned_block_is_rejected);
    add_test_case(suite, test_freeing_outside_the_table_is_rejected);
    add_test_case(suite, test_partial_free_of_an_allocation_is_allowed);
    add_test_case(suite, test_domain_frames_can_be_freed);
    add_test_case(suite, test_order_above_maximum_is_rejected);
    add_test_case(suite, test_running_out_of_memory_is_reported_and_changes_nothing);
    add_test_case(suite, test_fragmented_memory_cannot_satisfy_a_larger_order);
    add_test_case(suite, test_blocks_never_grow_beyond_maximum_order);
    add_test_case(suite, test_buddy_beyond_end_of_table_is_never_merged);
    add_test_case(suite, test_invariant_check_notices_an_allocated_frame_inside_a_free_block);
    add_test_case(suite, test_invariant_check_notices_a_broken_backward_link);
    add_test_case(suite, test_invariant_check_notices_a_cycle_in_a_free_list);
    add_test_case(suite, test_invariant_check_notices_uncoalesced_buddies);
    add_test_case(suite, test_invariant_check_notices_a_misaligned_block);
    add_test_case(suite, test_invariant_check_notices_a_wrong_free_count);
    add_test_case(suite, test_invariant_check_notices_a_free_frame_on_no_list);
    add_test_case(suite, test_random_allocations_and_frees_keep_invariants);
    return suite;
}

REGISTER_SUITE(frame_allocator_suite)
