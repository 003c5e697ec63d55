/*
 * Specification of the driver's side of a split virtqueue
 * (pv-guest/kernel/virtqueue.h): the one-page layout a legacy device
 * needs, chains published in the available ring with free-running indices,
 * used entries taken back in any order, and a device that breaks the
 * protocol (an id beyond the queue or not in flight, a used index running
 * ahead) detected as an error instead of corrupting the driver.  The tests
 * play the device's side of the memory.
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/virtqueue.h>

#include "suites.h"

#define QUEUE_SIZE 8
#define PAGE_BYTES 4096

static uint8_t memory[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static struct virtqueue queue;
static struct virtqueue_layout layout;
static int tokens[QUEUE_SIZE * 2];

static void setup(void)
{
    memset(memory, 0xa5, sizeof(memory));
    ck_assert_int_eq(virtqueue_layout(QUEUE_SIZE, 4, &layout), 0);
    virtqueue_init(&queue, QUEUE_SIZE, memory, &layout);
}

static struct virtqueue_buffer buffer(uint64_t address, uint32_t length, bool device_writes)
{
    return (struct virtqueue_buffer) { .address = address, .length = length, .device_writes = device_writes };
}

static void add_one(int *token)
{
    struct virtqueue_buffer single = buffer(0x1000, 512, false);

    ck_assert_int_eq(virtqueue_add(&queue, &single, 1, token), 0);
}

/* The device's side: the head of the n-th chain it was offered. */
static uint16_t offered_head(uint16_t index)
{
    return queue.available->ring[index % QUEUE_SIZE];
}

/* The device's side: reports chain `head` used with `length` bytes written. */
static void device_uses(uint32_t head, uint32_t length)
{
    uint16_t index = queue.used->idx;

    queue.used->ring[index % QUEUE_SIZE] = (struct virtq_used_elem) { .id = head, .len = length };
    queue.used->idx = (uint16_t)(index + 1);
}

START_TEST(test_128_entries_with_alignment_4_fit_in_one_page)
{
    struct virtqueue_layout page_layout;

    ck_assert_int_eq(virtqueue_layout(128, 4, &page_layout), 0);
    ck_assert_uint_eq(page_layout.available_offset, 128 * 16);
    ck_assert_uint_le(page_layout.total_bytes, PAGE_BYTES);
}
END_TEST

START_TEST(test_without_event_index_the_used_ring_follows_the_last_available_entry)
{
    struct virtqueue_layout page_layout;

    ck_assert_int_eq(virtqueue_layout(128, 4, &page_layout), 0);
    ck_assert_uint_eq(page_layout.used_offset, 128 * 16 + 4 + 2 * 128);
    ck_assert_uint_eq(page_layout.total_bytes, page_layout.used_offset + 4 + 8 * 128);
    ck_assert_int_eq(virtqueue_layout(8, 16, &page_layout), 0);
    ck_assert_uint_eq(page_layout.used_offset, 160);
}
END_TEST

START_TEST(test_layout_with_page_alignment_places_used_ring_on_a_page_boundary)
{
    struct virtqueue_layout page_layout;

    ck_assert_int_eq(virtqueue_layout(256, 4096, &page_layout), 0);
    ck_assert_uint_eq(page_layout.used_offset, 8192);
}
END_TEST

START_TEST(test_layout_refuses_a_size_that_is_not_a_power_of_two)
{
    ck_assert_int_eq(virtqueue_layout(100, 4, &layout), -XEN_EINVAL);
    ck_assert_int_eq(virtqueue_layout(0, 4, &layout), -XEN_EINVAL);
    ck_assert_int_eq(virtqueue_layout(VIRTQUEUE_MAX_SIZE * 2, 4, &layout), -XEN_EINVAL);
}
END_TEST

START_TEST(test_layout_refuses_a_used_alignment_below_4_or_not_a_power_of_two)
{
    ck_assert_int_eq(virtqueue_layout(8, 2, &layout), -XEN_EINVAL);
    ck_assert_int_eq(virtqueue_layout(8, 12, &layout), -XEN_EINVAL);
}
END_TEST

START_TEST(test_init_clears_the_shared_memory_and_frees_every_descriptor)
{
    for (size_t index = 0; index < layout.total_bytes; index++)
        ck_assert_uint_eq(memory[index], 0);
    ck_assert_uint_eq(memory[layout.total_bytes], 0xa5);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), 0);
}
END_TEST

START_TEST(test_a_chain_is_linked_with_next_and_marks_device_written_buffers)
{
    struct virtqueue_buffer chain[3] = { buffer(0x1000, 16, false), buffer(0x2000, 4096, true),
                                         buffer(0x3010, 1, true) };
    uint16_t head, second, third;

    ck_assert_int_eq(virtqueue_add(&queue, chain, 3, &tokens[0]), 0);
    head = offered_head(0);
    second = queue.descriptors[head].next;
    third = queue.descriptors[second].next;
    ck_assert_uint_eq(queue.descriptors[head].addr, 0x1000);
    ck_assert_uint_eq(queue.descriptors[head].len, 16);
    ck_assert_uint_eq(queue.descriptors[head].flags, VIRTQ_DESC_F_NEXT);
    ck_assert_uint_eq(queue.descriptors[second].addr, 0x2000);
    ck_assert_uint_eq(queue.descriptors[second].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
    ck_assert_uint_eq(queue.descriptors[third].addr, 0x3010);
    ck_assert_uint_eq(queue.descriptors[third].flags, VIRTQ_DESC_F_WRITE);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE - 3);
}
END_TEST

START_TEST(test_adding_publishes_the_head_and_advances_the_available_index)
{
    add_one(&tokens[0]);
    add_one(&tokens[1]);
    ck_assert_uint_eq(queue.available->idx, 2);
    ck_assert_uint_ne(offered_head(0), offered_head(1));
}
END_TEST

START_TEST(test_a_chain_longer_than_the_free_descriptors_is_busy_and_changes_nothing)
{
    struct virtqueue_buffer chain[QUEUE_SIZE];

    for (unsigned int index = 0; index < QUEUE_SIZE; index++)
        chain[index] = buffer(0x1000, 512, false);
    add_one(&tokens[0]);
    ck_assert_int_eq(virtqueue_add(&queue, chain, QUEUE_SIZE, &tokens[1]), -XEN_EBUSY);
    ck_assert_uint_eq(queue.available->idx, 1);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE - 1);
}
END_TEST

START_TEST(test_an_empty_buffer_or_an_empty_chain_or_no_token_is_invalid)
{
    struct virtqueue_buffer empty = buffer(0x1000, 0, false), good = buffer(0x1000, 512, false);

    ck_assert_int_eq(virtqueue_add(&queue, &empty, 1, &tokens[0]), -XEN_EINVAL);
    ck_assert_int_eq(virtqueue_add(&queue, &good, 0, &tokens[0]), -XEN_EINVAL);
    ck_assert_int_eq(virtqueue_add(&queue, &good, 1, NULL), -XEN_EINVAL);
    ck_assert_uint_eq(queue.available->idx, 0);
}
END_TEST

START_TEST(test_nothing_used_yet_takes_nothing)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 0);
}
END_TEST

START_TEST(test_a_used_chain_returns_its_token_and_length_and_frees_its_descriptors)
{
    struct virtqueue_buffer chain[2] = { buffer(0x1000, 16, false), buffer(0x2000, 1, true) };
    void *token;
    uint32_t written;

    ck_assert_int_eq(virtqueue_add(&queue, chain, 2, &tokens[3]), 0);
    device_uses(offered_head(0), 1);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_ptr_eq(token, &tokens[3]);
    ck_assert_uint_eq(written, 1);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), 0);
}
END_TEST

START_TEST(test_used_entries_are_pending_until_taken)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    ck_assert(!virtqueue_has_used(&queue));
    device_uses(offered_head(0), 0);
    ck_assert(virtqueue_has_used(&queue));
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert(!virtqueue_has_used(&queue));
}
END_TEST

START_TEST(test_a_broken_queue_has_nothing_pending)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    device_uses(QUEUE_SIZE + 1, 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    ck_assert(!virtqueue_has_used(&queue));
}
END_TEST

START_TEST(test_chains_may_complete_in_any_order)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    add_one(&tokens[1]);
    add_one(&tokens[2]);
    device_uses(offered_head(2), 0);
    device_uses(offered_head(0), 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_ptr_eq(token, &tokens[2]);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_ptr_eq(token, &tokens[0]);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), 1);
    device_uses(offered_head(1), 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_ptr_eq(token, &tokens[1]);
}
END_TEST

START_TEST(test_the_queue_fills_and_every_descriptor_is_reusable)
{
    void *token;
    uint32_t written;

    for (unsigned int index = 0; index < QUEUE_SIZE; index++)
        add_one(&tokens[index]);
    ck_assert_int_eq(virtqueue_add(&queue, &(struct virtqueue_buffer) { 0x1000, 512, false }, 1, &tokens[0]),
                     -XEN_EBUSY);
    for (uint16_t index = 0; index < QUEUE_SIZE; index++)
        device_uses(offered_head(index), 0);
    for (unsigned int index = 0; index < QUEUE_SIZE; index++)
        ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE);
    for (unsigned int index = 0; index < QUEUE_SIZE; index++)
        add_one(&tokens[index]);
}
END_TEST

START_TEST(test_indices_run_freely_past_65535)
{
    void *token;
    uint32_t written;

    for (unsigned int round = 0; round < 70000; round++) {
        add_one(&tokens[round % 2]);
        device_uses(offered_head((uint16_t)round), 0);
        ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
        ck_assert_ptr_eq(token, &tokens[round % 2]);
    }
    ck_assert_uint_eq(queue.available->idx, (uint16_t)70000);
    ck_assert_uint_eq(queue.used->idx, (uint16_t)70000);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE);
}
END_TEST

START_TEST(test_a_used_id_beyond_the_queue_is_a_device_bug)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    device_uses(QUEUE_SIZE, 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    ck_assert(virtqueue_broken(&queue));
}
END_TEST

START_TEST(test_a_used_id_that_is_not_a_head_in_flight_is_a_device_bug)
{
    struct virtqueue_buffer chain[2] = { buffer(0x1000, 16, false), buffer(0x2000, 1, true) };
    void *token;
    uint32_t written;

    ck_assert_int_eq(virtqueue_add(&queue, chain, 2, &tokens[0]), 0);
    device_uses(queue.descriptors[offered_head(0)].next, 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), 1);
}
END_TEST

START_TEST(test_a_chain_used_twice_is_a_device_bug)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    add_one(&tokens[1]);
    device_uses(offered_head(0), 0);
    device_uses(offered_head(0), 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
}
END_TEST

START_TEST(test_a_used_index_ahead_of_what_is_in_flight_is_a_device_bug)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    device_uses(offered_head(0), 0);
    queue.used->idx = 2;
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), 1);
}
END_TEST

START_TEST(test_a_broken_queue_refuses_to_add_and_to_take)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    device_uses(QUEUE_SIZE + 5, 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    device_uses(offered_head(0), 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    ck_assert_int_eq(virtqueue_add(&queue, &(struct virtqueue_buffer) { 0x1000, 512, false }, 1, &tokens[1]),
                     -XEN_EIO);
}
END_TEST

START_TEST(test_descriptor_links_rewritten_by_the_device_do_not_redirect_the_free_list)
{
    struct virtqueue_buffer chain[3] = { buffer(0x1000, 16, false), buffer(0x2000, 512, true),
                                         buffer(0x3000, 1, true) };
    void *token;
    uint32_t written;

    ck_assert_int_eq(virtqueue_add(&queue, chain, 3, &tokens[0]), 0);
    for (unsigned int index = 0; index < QUEUE_SIZE; index++)
        queue.descriptors[index].next = 0xffff;
    device_uses(offered_head(0), 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE);
    for (unsigned int index = 0; index < QUEUE_SIZE; index++)
        add_one(&tokens[index]);
    for (uint16_t index = 1; index <= QUEUE_SIZE; index++)
        ck_assert_uint_lt(offered_head(index), QUEUE_SIZE);
}
END_TEST

START_TEST(test_notification_is_wanted_unless_the_device_says_no_notify)
{
    add_one(&tokens[0]);
    ck_assert(virtqueue_should_notify(&queue));
    queue.used->flags = VIRTQ_USED_F_NO_NOTIFY;
    ck_assert(!virtqueue_should_notify(&queue));
}
END_TEST

START_TEST(test_after_a_reset_every_chain_in_flight_is_handed_back_once)
{
    void *token;
    unsigned int handed_back = 0;
    bool seen[3] = { false, false, false };

    add_one(&tokens[0]);
    add_one(&tokens[1]);
    add_one(&tokens[2]);
    while (virtqueue_next_abandoned(&queue, &token)) {
        unsigned int which = (unsigned int)((int *)token - tokens);

        ck_assert_uint_lt(which, 3);
        ck_assert(!seen[which]);
        seen[which] = true;
        handed_back++;
    }
    ck_assert_uint_eq(handed_back, 3);
    ck_assert_uint_eq(virtqueue_free_descriptors(&queue), QUEUE_SIZE);
}
END_TEST

START_TEST(test_reset_clears_a_broken_queue_and_its_indices)
{
    void *token;
    uint32_t written;

    add_one(&tokens[0]);
    device_uses(QUEUE_SIZE, 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), -XEN_EIO);
    while (virtqueue_next_abandoned(&queue, &token))
        ;
    virtqueue_reset(&queue);
    ck_assert(!virtqueue_broken(&queue));
    ck_assert_uint_eq(queue.available->idx, 0);
    ck_assert_uint_eq(queue.used->idx, 0);
    add_one(&tokens[1]);
    device_uses(offered_head(0), 0);
    ck_assert_int_eq(virtqueue_take_used(&queue, &token, &written), 1);
    ck_assert_ptr_eq(token, &tokens[1]);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *virtqueue_suite(void)
{
    Suite *suite = suite_create("virtqueue");

    add_test_case(suite, test_128_entries_with_alignment_4_fit_in_one_page);
    add_test_case(suite, test_without_event_index_the_used_ring_follows_the_last_available_entry);
    add_test_case(suite, test_layout_with_page_alignment_places_used_ring_on_a_page_boundary);
    add_test_case(suite, test_layout_refuses_a_size_that_is_not_a_power_of_two);
    add_test_case(suite, test_layout_refuses_a_used_alignment_below_4_or_not_a_power_of_two);
    add_test_case(suite, test_init_clears_the_shared_memory_and_frees_every_descriptor);
    add_test_case(suite, test_a_chain_is_linked_with_next_and_marks_device_written_buffers);
    add_test_case(suite, test_adding_publishes_the_head_and_advances_the_available_index);
    add_test_case(suite, test_a_chain_longer_than_the_free_descriptors_is_busy_and_changes_nothing);
    add_test_case(suite, test_an_empty_buffer_or_an_empty_chain_or_no_token_is_invalid);
    add_test_case(suite, test_nothing_used_yet_takes_nothing);
    add_test_case(suite, test_a_used_chain_returns_its_token_and_length_and_frees_its_descriptors);
    add_test_case(suite, test_used_entries_are_pending_until_taken);
    add_test_case(suite, test_a_broken_queue_has_nothing_pending);
    add_test_case(suite, test_chains_may_complete_in_any_order);
    add_test_case(suite, test_the_queue_fills_and_every_descriptor_is_reusable);
    add_test_case(suite, test_indices_run_freely_past_65535);
    add_test_case(suite, test_notification_is_wanted_unless_the_device_says_no_notify);
    add_test_case(suite, test_after_a_reset_every_chain_in_flight_is_handed_back_once);
    add_test_case(suite, test_a_used_id_beyond_the_queue_is_a_device_bug);
    add_test_case(suite, test_a_used_id_that_is_not_a_head_in_flight_is_a_device_bug);
    add_test_case(suite, test_a_chain_used_twice_is_a_device_bug);
    add_test_case(suite, test_a_used_index_ahead_of_what_is_in_flight_is_a_device_bug);
    add_test_case(suite, test_a_broken_queue_refuses_to_add_and_to_take);
    add_test_case(suite, test_descriptor_links_rewritten_by_the_device_do_not_redirect_the_free_list);
    add_test_case(suite, test_reset_clears_a_broken_queue_and_its_indices);
    return suite;
}

REGISTER_SUITE(virtqueue_suite)
