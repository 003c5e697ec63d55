/*
 * Specification of a virtio-net receive queue from the driver's side
 * (pv-guest/kernel/virtio_net_receiver.h), against a simulated device that
 * misbehaves: every buffer posted, writable, of one header and one largest
 * frame; a frame handed over without its header and the buffer posted
 * again; lengths the device lies about dropped and counted; a pass bounded
 * by its budget however much the device has filled; a device that hands
 * back a buffer it was not given is a protocol error, not a delivery.  The
 * tests play the device's side of the memory (a buffer's "bus address" is
 * its host address).
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/virtio_net_receiver.h>

#include "suites.h"

#define QUEUE_SIZE 8
#define BUFFERS 4
#define PAGE_BYTES 4096
#define MODERN_HEADER 12
#define LEGACY_HEADER 10
#define MAX_DELIVERIES 16

static uint8_t memory[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static struct virtio_net_buffer_slot slots[BUFFERS];
static uint64_t slot_addresses[BUFFERS];
static struct virtqueue queue;
static struct virtio_net_receiver receiver;
static struct net_device_statistics statistics;
static uint16_t offered_seen; /* the device's copy of how many it has taken from the available ring */

struct delivery {
    const uint8_t *frame;
    uint32_t length;
    uint8_t first_byte;
};

static struct delivery deliveries[MAX_DELIVERIES];
static unsigned int delivery_count;

static void deliver(void *context, const uint8_t *frame, uint32_t length)
{
    ck_assert_ptr_eq(context, &receiver);
    ck_assert_uint_lt(delivery_count, MAX_DELIVERIES);
    deliveries[delivery_count++] = (struct delivery) { .frame = frame, .length = length, .first_byte = frame[0] };
}

static void start(unsigned int header_bytes)
{
    struct virtqueue_layout layout;

    ck_assert_int_eq(virtqueue_layout(QUEUE_SIZE, 4, &layout), 0);
    virtqueue_init(&queue, QUEUE_SIZE, memory, &layout);
    for (unsigned int index = 0; index < BUFFERS; index++)
        slot_addresses[index] = (uint64_t)(uintptr_t)&slots[index];
    memset(slots, 0, sizeof(slots));
    statistics = (struct net_device_statistics) { 0 };
    delivery_count = 0;
    offered_seen = 0;
    virtio_net_receiver_init(&receiver, &queue, header_bytes, slots, slot_addresses, BUFFERS, &statistics);
    ck_assert_int_eq(virtio_net_receiver_post_all(&receiver), 0);
}

static void setup(void)
{
    start(MODERN_HEADER);
}

/* The device's side: takes the next buffer offered; returns its head. */
static uint16_t device_takes_buffer(void)
{
    uint16_t head = queue.available->ring[offered_seen % QUEUE_SIZE];

    ck_assert_uint_ne(offered_seen, queue.available->idx);
    offered_seen++;
    return head;
}

/* The device's side: reports descriptor `head` used with `written` bytes. */
static void device_uses(uint32_t head, uint32_t written)
{
    uint16_t index = queue.used->idx;

    queue.used->ring[index % QUEUE_SIZE] = (struct virtq_used_elem) { .id = head, .len = written };
    queue.used->idx = (uint16_t)(index + 1);
}

/* The device's side: writes a header and a frame of `length` bytes whose
 * bytes are `fill` into the next buffer, and reports `written`. */
static void device_receives(uint32_t length, uint8_t fill, uint32_t written)
{
    uint16_t head = device_takes_buffer();
    uint8_t *buffer = (uint8_t *)(uintptr_t)queue.descriptors[head].addr;

    memset(buffer, 0xee, receiver.header_bytes);
    memset(buffer + receiver.header_bytes, fill, length);
    device_uses(head, written);
}

static void device_receives_frame(uint32_t length, uint8_t fill)
{
    device_receives(length, fill, receiver.header_bytes + length);
}

START_TEST(test_every_buffer_is_posted_writable_for_a_header_and_the_largest_frame)
{
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), BUFFERS);
    for (unsigned int index = 0; index < BUFFERS; index++) {
        struct virtq_desc descriptor = queue.descriptors[queue.available->ring[index]];

        ck_assert_uint_eq(descriptor.addr, slot_addresses[index]);
        ck_assert_uint_eq(descriptor.len, MODERN_HEADER + ETHERNET_MAX_FRAME_BYTES);
        ck_assert_uint_eq(descriptor.flags, VIRTQ_DESC_F_WRITE);
    }
}
END_TEST

START_TEST(test_no_buffer_crosses_a_page)
{
    for (unsigned int index = 0; index < BUFFERS; index++)
        ck_assert_uint_le(slot_addresses[index] % PAGE_BYTES + MODERN_HEADER + ETHERNET_MAX_FRAME_BYTES, PAGE_BYTES);
}
END_TEST

START_TEST(test_a_frame_is_handed_over_without_its_header_and_counted)
{
    device_receives_frame(60, 0x42);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 1);
    ck_assert_uint_eq(delivery_count, 1);
    ck_assert_uint_eq(deliveries[0].length, 60);
    ck_assert_uint_eq(deliveries[0].first_byte, 0x42);
    ck_assert_ptr_eq(deliveries[0].frame, slots[0].bytes + MODERN_HEADER);
    ck_assert_uint_eq(statistics.frames_received, 1);
    ck_assert_uint_eq(statistics.bytes_received, 60);
    ck_assert_uint_eq(statistics.receive_errors, 0);
}
END_TEST

START_TEST(test_a_legacy_header_is_10_bytes)
{
    start(LEGACY_HEADER);
    device_receives_frame(ETHERNET_MAX_FRAME_BYTES, 0x17);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 1);
    ck_assert_uint_eq(deliveries[0].length, ETHERNET_MAX_FRAME_BYTES);
    ck_assert_ptr_eq(deliveries[0].frame, slots[0].bytes + LEGACY_HEADER);
    ck_assert_uint_eq(queue.descriptors[0].len, LEGACY_HEADER + ETHERNET_MAX_FRAME_BYTES);
}
END_TEST

START_TEST(test_a_taken_buffer_is_posted_again)
{
    uint16_t published = queue.available->idx;

    device_receives_frame(60, 1);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 1);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), BUFFERS);
    ck_assert_uint_eq(queue.available->idx, (uint16_t)(published + 1));
    ck_assert_uint_eq(queue.descriptors[queue.available->ring[published % QUEUE_SIZE]].addr, slot_addresses[0]);
}
END_TEST

START_TEST(test_the_device_never_runs_out_of_buffers_over_many_frames)
{
    for (unsigned int frame = 0; frame < 1000; frame++) {
        device_receives_frame(64, (uint8_t)frame);
        ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 1);
        ck_assert_uint_eq(deliveries[0].first_byte, (uint8_t)frame);
        delivery_count = 0;
    }
    ck_assert_uint_eq(statistics.frames_received, 1000);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), BUFFERS);
}
END_TEST

START_TEST(test_a_length_shorter_than_an_ethernet_header_is_dropped_and_counted)
{
    device_receives(60, 0x42, MODERN_HEADER + ETHERNET_HEADER_BYTES - 1);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 1);
    ck_assert_uint_eq(delivery_count, 0);
    ck_assert_uint_eq(statistics.receive_errors, 1);
    ck_assert_uint_eq(statistics.frames_received, 0);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), BUFFERS);
}
END_TEST

START_TEST(test_a_length_beyond_the_buffer_is_dropped_and_counted)
{
    device_receives(60, 0x42, MODERN_HEADER + ETHERNET_MAX_FRAME_BYTES + 1);
    device_receives(60, 0x43, UINT32_MAX);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 2);
    ck_assert_uint_eq(delivery_count, 0);
    ck_assert_uint_eq(statistics.receive_errors, 2);
    ck_assert_uint_eq(virtqueue_chains_in_flight(&queue), BUFFERS);
}
END_TEST

START_TEST(test_a_pass_takes_no_more_buffers_than_its_budget)
{
    for (unsigned int frame = 0; frame < BUFFERS; frame++)
        device_receives_frame(60, (uint8_t)frame);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 3, deliver, &receiver), 3);
    ck_assert_uint_eq(delivery_count, 3);
    ck_assert(virtqueue_has_used(&queue));
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 3, deliver, &receiver), 1);
    ck_assert_uint_eq(deliveries[3].first_byte, 3);
    ck_assert(!virtqueue_has_used(&queue));
}
END_TEST

START_TEST(test_dropped_frames_count_against_the_budget)
{
    for (unsigned int frame = 0; frame < BUFFERS; frame++)
        device_receives(60, 0, 0);
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 2, deliver, &receiver), 2);
    ck_assert_uint_eq(statistics.receive_errors, 2);
}
END_TEST

START_TEST(test_nothing_filled_takes_nothing)
{
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), 0);
    ck_assert_uint_eq(delivery_count, 0);
}
END_TEST

START_TEST(test_a_buffer_the_device_was_not_given_is_a_protocol_error)
{
    device_uses(QUEUE_SIZE - 1, MODERN_HEADER + 60); /* descriptor 7 was never posted */
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), -XEN_EIO);
    ck_assert_uint_eq(delivery_count, 0);
    ck_assert_uint_eq(statistics.frames_received, 0);
}
END_TEST

START_TEST(test_a_used_index_far_ahead_delivers_nothing)
{
    queue.used->idx = 1000;
    ck_assert_int_eq(virtio_net_receiver_take(&receiver, 16, deliver, &receiver), -XEN_EIO);
    ck_assert_uint_eq(delivery_count, 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *virtio_net_receiver_suite(void)
{
    Suite *suite = suite_create("virtio_net_receiver");

    add_test_case(suite, test_every_buffer_is_posted_writable_for_a_header_and_the_largest_frame);
    add_test_case(suite, test_no_buffer_crosses_a_page);
    add_test_case(suite, test_a_frame_is_handed_over_without_its_header_and_counted);
    add_test_case(suite, test_a_legacy_header_is_10_bytes);
    add_test_case(suite, test_a_taken_buffer_is_posted_again);
    add_test_case(suite, test_the_device_never_runs_out_of_buffers_over_many_frames);
    add_test_case(suite, test_a_length_shorter_than_an_ethernet_header_is_dropped_and_counted);
    add_test_case(suite, test_a_length_beyond_the_buffer_is_dropped_and_counted);
    add_test_case(suite, test_a_pass_takes_no_more_buffers_than_its_budget);
    add_test_case(suite, test_dropped_frames_count_against_the_budget);
    add_test_case(suite, test_nothing_filled_takes_nothing);
    add_test_case(suite, test_a_buffer_the_device_was_not_given_is_a_protocol_error);
    add_test_case(suite, test_a_used_index_far_ahead_delivers_nothing);
    return suite;
}

REGISTER_SUITE(virtio_net_receiver_suite)
