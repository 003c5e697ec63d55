/*
 * Specification of the shared-ring library (ring/ring.h): Xen's io/ring.h
 * layout and arithmetic with free-running indices, checked across the
 * 2^32 wrap; a request producer beyond the ring (or moving back) and a
 * response producer beyond the requests break the ring for good; the
 * notification hold-off rule (new - event) < (new - old); the final check
 * before sleeping; copy-once reading.  Both ends run here over one page,
 * with blkif's entries.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/io/blkif.h>
#include <xen/io/netif.h>
#include <ring/ring.h>

#include "suites.h"

#define PAGE_BYTES 4096
#define BLKIF_ENTRY_SIZE sizeof(union blkif_sring_entry)
#define NEAR_WRAP 0xfffffff0u

static union {
    struct blkif_sring blkif;
    uint8_t bytes[PAGE_BYTES];
} page __attribute__((aligned(PAGE_BYTES)));
static struct ring_front front;
static struct ring_back back;

/* Entry i of the page (the sring's ring[1] is Xen's variable-length array). */
static union blkif_sring_entry *slot(unsigned int index)
{
    return (union blkif_sring_entry *)(page.bytes + offsetof(struct blkif_sring, ring)) + index;
}

static void setup(void)
{
    memset(&page, 0xa5, sizeof(page));
    ring_front_init(&front, &page, PAGE_BYTES, BLKIF_ENTRY_SIZE);
    ring_back_attach(&back, &page, PAGE_BYTES, BLKIF_ENTRY_SIZE, 0);
}

/* Both ends attached to a ring whose indices all start at index. */
static void attach_at(RING_IDX index)
{
    page.blkif.req_prod = page.blkif.rsp_prod = index;
    page.blkif.req_event = page.blkif.rsp_event = index + 1;
    ring_front_attach(&front, &page, PAGE_BYTES, BLKIF_ENTRY_SIZE, index);
    ring_back_attach(&back, &page, PAGE_BYTES, BLKIF_ENTRY_SIZE, index);
}

static struct blkif_request request_with_id(uint64_t id)
{
    return (struct blkif_request) { .operation = BLKIF_OP_READ, .nr_segments = 1, .id = id };
}

static void frontend_sends(unsigned int count, uint64_t first_id)
{
    for (unsigned int index = 0; index < count; index++) {
        struct blkif_request request = request_with_id(first_id + index);

        ck_assert(ring_front_put_request(&front, &request, sizeof(request)));
    }
    ring_front_push_requests(&front);
}

/* The backend takes every waiting request and answers each with its id. */
static unsigned int backend_answers_all(void)
{
    RING_IDX waiting = ring_back_poll_requests(&back);

    for (RING_IDX index = 0; index < waiting; index++) {
        union blkif_sring_entry entry;
        struct blkif_response response;

        ck_assert(ring_back_take_request(&back, &entry));
        response = (struct blkif_response) { .id = entry.req.id, .operation = entry.req.operation };
        ck_assert(ring_back_put_response(&back, &response, sizeof(response)));
    }
    ring_back_push_responses(&back);
    return waiting;
}

START_TEST(test_layout_is_xens_sring)
{
    ck_assert_uint_eq(offsetof(struct ring_shared, req_prod), offsetof(struct blkif_sring, req_prod));
    ck_assert_uint_eq(offsetof(struct ring_shared, req_event), offsetof(struct blkif_sring, req_event));
    ck_assert_uint_eq(offsetof(struct ring_shared, rsp_prod), offsetof(struct blkif_sring, rsp_prod));
    ck_assert_uint_eq(offsetof(struct ring_shared, rsp_event), offsetof(struct blkif_sring, rsp_event));
    ck_assert_uint_eq(offsetof(struct ring_shared, entries), offsetof(struct blkif_sring, ring));
}
END_TEST

START_TEST(test_entry_counts_are_xens)
{
    ck_assert_uint_eq(ring_entry_count(PAGE_BYTES, BLKIF_ENTRY_SIZE), __CONST_RING_SIZE(blkif, PAGE_BYTES));
    ck_assert_uint_eq(ring_entry_count(PAGE_BYTES, BLKIF_ENTRY_SIZE), 32);
    ck_assert_uint_eq(ring_entry_count(PAGE_BYTES, sizeof(union netif_tx_sring_entry)), 256);
    ck_assert_uint_eq(ring_entry_count(PAGE_BYTES, sizeof(union netif_rx_sring_entry)), 256);
}
END_TEST

START_TEST(test_ring_too_small_for_one_entry_is_broken)
{
    ring_back_attach(&back, &page, RING_ENTRIES_OFFSET + BLKIF_ENTRY_SIZE - 1, BLKIF_ENTRY_SIZE, 0);
    ck_assert(back.broken);
}
END_TEST

START_TEST(test_front_init_is_shared_ring_init)
{
    ck_assert_uint_eq(page.blkif.req_prod, 0);
    ck_assert_uint_eq(page.blkif.rsp_prod, 0);
    ck_assert_uint_eq(page.blkif.req_event, 1);
    ck_assert_uint_eq(page.blkif.rsp_event, 1);
    ck_assert_uint_eq(page.blkif.__pad[0], 0);
    ck_assert_uint_eq(front.size, 32);
}
END_TEST

START_TEST(test_requests_arrive_in_order_at_their_slots)
{
    union blkif_sring_entry entry;

    frontend_sends(3, 100);
    ck_assert_uint_eq(slot(2)->req.id, 102);
    ck_assert_uint_eq(ring_back_poll_requests(&back), 3);
    for (uint64_t id = 100; id < 103; id++) {
        ck_assert(ring_back_take_request(&back, &entry));
        ck_assert_uint_eq(entry.req.id, id);
    }
    ck_assert(!ring_back_take_request(&back, &entry));
}
END_TEST

START_TEST(test_unpublished_requests_are_not_seen)
{
    struct blkif_request request = request_with_id(1);

    ck_assert(ring_front_put_request(&front, &request, sizeof(request)));
    ck_assert_uint_eq(ring_back_poll_requests(&back), 0);
}
END_TEST

START_TEST(test_request_not_polled_is_not_taken)
{
    union blkif_sring_entry entry;

    frontend_sends(1, 7);
    ck_assert(!ring_back_take_request(&back, &entry));
}
END_TEST

START_TEST(test_responses_reach_the_frontend)
{
    union blkif_sring_entry entry;

    frontend_sends(2, 40);
    ck_assert_uint_eq(backend_answers_all(), 2);
    ck_assert_uint_eq(ring_front_poll_responses(&front), 2);
    ck_assert(ring_front_take_response(&front, &entry));
    ck_assert_uint_eq(entry.rsp.id, 40);
    ck_assert(ring_front_take_response(&front, &entry));
    ck_assert_uint_eq(entry.rsp.id, 41);
    ck_assert_uint_eq(ring_front_free_requests(&front), 32);
}
END_TEST

START_TEST(test_full_ring_refuses_another_request)
{
    struct blkif_request request = request_with_id(0);

    frontend_sends(32, 0);
    ck_assert_uint_eq(ring_front_free_requests(&front), 0);
    ck_assert(!ring_front_put_request(&front, &request, sizeof(request)));
}
END_TEST

START_TEST(test_backend_answers_only_requests_it_took)
{
    struct blkif_response response = { .id = 1 };

    ck_assert(!ring_back_put_response(&back, &response, sizeof(response)));
    frontend_sends(1, 1);
    ring_back_poll_requests(&back);
    ck_assert(!ring_back_put_response(&back, &response, sizeof(response)));
}
END_TEST

START_TEST(test_outstanding_counts_taken_unanswered_requests)
{
    union blkif_sring_entry entry;

    frontend_sends(3, 0);
    ring_back_poll_requests(&back);
    ring_back_take_request(&back, &entry);
    ring_back_take_request(&back, &entry);
    ck_assert_uint_eq(ring_back_outstanding(&back), 2);
}
END_TEST

START_TEST(test_indices_wrap_at_two_to_the_32)
{
    union blkif_sring_entry entry;

    attach_at(NEAR_WRAP);
    for (unsigned int round = 0; round < 3; round++) {
        frontend_sends(20, round * 20);
        ck_assert_uint_eq(backend_answers_all(), 20);
        ck_assert_uint_eq(ring_front_poll_responses(&front), 20);
        for (uint64_t id = round * 20; id < round * 20 + 20; id++) {
            ck_assert(ring_front_take_response(&front, &entry));
            ck_assert_uint_eq(entry.rsp.id, id);
        }
    }
    ck_assert_uint_eq(page.blkif.req_prod, (RING_IDX)(NEAR_WRAP + 60));
    ck_assert(!back.broken);
    ck_assert(!front.broken);
}
END_TEST

START_TEST(test_wrapped_index_uses_its_masked_slot)
{
    attach_at(0xffffffffu);
    frontend_sends(2, 500);
    ck_assert_uint_eq(slot(31)->req.id, 500);
    ck_assert_uint_eq(slot(0)->req.id, 501);
}
END_TEST

START_TEST(test_request_producer_one_ring_ahead_is_accepted)
{
    page.blkif.req_prod = 32;
    ck_assert_uint_eq(ring_back_poll_requests(&back), 32);
    ck_assert(!back.broken);
}
END_TEST

START_TEST(test_request_producer_beyond_the_ring_breaks_it)
{
    page.blkif.req_prod = 33;
    ck_assert_uint_eq(ring_back_poll_requests(&back), 0);
    ck_assert(back.broken);
}
END_TEST

START_TEST(test_request_producer_beyond_the_ring_across_the_wrap_breaks_it)
{
    attach_at(NEAR_WRAP);
    page.blkif.req_prod = NEAR_WRAP + 33;
    ck_assert_uint_eq(ring_back_poll_requests(&back), 0);
    ck_assert(back.broken);
}
END_TEST

START_TEST(test_overflow_counts_from_the_responses_not_the_consumer)
{
    union blkif_sring_entry entry;

    frontend_sends(32, 0);
    ring_back_poll_requests(&back);
    ring_back_take_request(&back, &entry);
    /* One request taken but unanswered: its slot is still the frontend's to wait on. */
    page.blkif.req_prod = 33;
    ck_assert_uint_eq(ring_back_poll_requests(&back), 0);
    ck_assert(back.broken);
}
END_TEST

START_TEST(test_request_producer_moving_back_breaks_the_ring)
{
    union blkif_sring_entry entry;

    frontend_sends(4, 0);
    ring_back_poll_requests(&back);
    for (int index = 0; index < 4; index++)
        ring_back_take_request(&back, &entry);
    page.blkif.req_prod = 2;
    ck_assert_uint_eq(ring_back_poll_requests(&back), 0);
    ck_assert(back.broken);
}
END_TEST

START_TEST(test_broken_backend_ring_stays_broken)
{
    union blkif_sring_entry entry;
    struct blkif_response response = { 0 };

    page.blkif.req_prod = 1000;
    ring_back_poll_requests(&back);
    page.blkif.req_prod = 1;
    ck_assert_uint_eq(ring_back_poll_requests(&back), 0);
    ck_assert(!ring_back_take_request(&back, &entry));
    ck_assert(!ring_back_put_response(&back, &response, sizeof(response)));
    ck_assert(!ring_back_final_check_for_requests(&back));
}
END_TEST

START_TEST(test_broken_ring_writes_nothing_to_the_page)
{
    page.blkif.req_prod = 1000;
    page.blkif.req_event = 77;
    ring_back_poll_requests(&back);
    ring_back_final_check_for_requests(&back);
    ring_back_push_responses(&back);
    ck_assert_uint_eq(page.blkif.req_event, 77);
    ck_assert_uint_eq(page.blkif.rsp_prod, 0);
}
END_TEST

START_TEST(test_response_producer_beyond_the_requests_breaks_the_front)
{
    frontend_sends(2, 0);
    page.blkif.rsp_prod = 3;
    ck_assert_uint_eq(ring_front_poll_responses(&front), 0);
    ck_assert(front.broken);
}
END_TEST

START_TEST(test_response_producer_moving_back_breaks_the_front)
{
    union blkif_sring_entry entry;

    frontend_sends(2, 0);
    backend_answers_all();
    ring_front_poll_responses(&front);
    ring_front_take_response(&front, &entry);
    ring_front_take_response(&front, &entry);
    page.blkif.rsp_prod = 1;
    ck_assert_uint_eq(ring_front_poll_responses(&front), 0);
    ck_assert(front.broken);
}
END_TEST

START_TEST(test_request_is_copied_once_out_of_the_page)
{
    union blkif_sring_entry entry;

    frontend_sends(1, 9);
    ring_back_poll_requests(&back);
    ck_assert(ring_back_take_request(&back, &entry));
    slot(0)->req.nr_segments = 200;
    slot(0)->req.id = 10;
    ck_assert_uint_eq(entry.req.nr_segments, 1);
    ck_assert_uint_eq(entry.req.id, 9);
}
END_TEST

START_TEST(test_request_copy_is_the_whole_entry)
{
    union blkif_sring_entry entry;

    frontend_sends(1, 9);
    memset(&slot(0)->req.seg[10], 0x5a, sizeof(slot(0)->req.seg[10]));
    ring_back_poll_requests(&back);
    memset(&entry, 0, sizeof(entry));
    ck_assert(ring_back_take_request(&back, &entry));
    ck_assert_uint_eq(entry.req.seg[10].gref, 0x5a5a5a5a);
}
END_TEST

/* --- notification hold-off ------------------------------------------------- */

/* The backend publishes responses 10 and 11 (old 10, new 12) against rsp_event. */
static bool notify_publishing_two_with_event(RING_IDX event)
{
    union blkif_sring_entry entry;

    attach_at(10);
    frontend_sends(2, 0);
    ring_back_poll_requests(&back);
    ring_back_take_request(&back, &entry);
    ring_back_take_request(&back, &entry);
    ring_back_put_response(&back, &entry, sizeof(struct blkif_response));
    ring_back_put_response(&back, &entry, sizeof(struct blkif_response));
    page.blkif.rsp_event = event;
    return ring_back_push_responses(&back);
}

START_TEST(test_notify_when_event_is_the_first_new_entry)
{
    ck_assert(notify_publishing_two_with_event(11));
}
END_TEST

START_TEST(test_notify_when_event_is_the_last_new_entry)
{
    ck_assert(notify_publishing_two_with_event(12));
}
END_TEST

START_TEST(test_no_notify_when_event_was_already_passed)
{
    ck_assert(!notify_publishing_two_with_event(10));
}
END_TEST

START_TEST(test_no_notify_when_event_is_beyond_the_new_entries)
{
    ck_assert(!notify_publishing_two_with_event(13));
}
END_TEST

START_TEST(test_notify_hold_off_across_the_wrap)
{
    struct blkif_request request = request_with_id(0);

    attach_at(0xffffffffu);
    page.blkif.req_event = 0;
    ring_front_put_request(&front, &request, sizeof(request));
    ring_front_put_request(&front, &request, sizeof(request));
    ck_assert(ring_front_push_requests(&front));
}
END_TEST

START_TEST(test_notify_decision_ignores_a_scribbled_producer)
{
    struct blkif_request request = request_with_id(0);

    /* The backend rewrites req_prod to hide that the event lies in the new batch. */
    page.blkif.req_prod = 1;
    page.blkif.req_event = 1;
    ring_front_put_request(&front, &request, sizeof(request));
    ck_assert(ring_front_push_requests(&front));
}
END_TEST

START_TEST(test_final_check_asks_for_the_next_request)
{
    ck_assert(!ring_back_final_check_for_requests(&back));
    ck_assert_uint_eq(page.blkif.req_event, 1);
    frontend_sends(1, 0);
    ck_assert(backend_answers_all() == 1);
    ck_assert(!ring_back_final_check_for_requests(&back));
    ck_assert_uint_eq(page.blkif.req_event, 2);
}
END_TEST

START_TEST(test_final_check_sees_waiting_requests)
{
    frontend_sends(1, 0);
    page.blkif.req_event = 50;
    ck_assert(ring_back_final_check_for_requests(&back));
    ck_assert_uint_eq(page.blkif.req_event, 50);
}
END_TEST

START_TEST(test_request_after_final_check_notifies_the_backend)
{
    struct blkif_request request = request_with_id(0);

    ring_back_final_check_for_requests(&back);
    ring_front_put_request(&front, &request, sizeof(request));
    ck_assert(ring_front_push_requests(&front));
}
END_TEST

START_TEST(test_front_final_check_asks_for_the_next_response)
{
    frontend_sends(1, 0);
    ck_assert(!ring_front_final_check_for_responses(&front));
    ck_assert_uint_eq(page.blkif.rsp_event, 1);
    ck_assert_uint_eq(backend_answers_all(), 1);
    ck_assert(ring_front_final_check_for_responses(&front));
}
END_TEST

static Suite *ring_suite(void)
{
    Suite *suite = suite_create("ring");
    TCase *layout = tcase_create("layout");
    TCase *arithmetic = tcase_create("arithmetic");
    TCase *overflow = tcase_create("overflow");
    TCase *notification = tcase_create("notification");

    tcase_add_checked_fixture(layout, setup, NULL);
    tcase_add_test(layout, test_layout_is_xens_sring);
    tcase_add_test(layout, test_entry_counts_are_xens);
    tcase_add_test(layout, test_ring_too_small_for_one_entry_is_broken);
    tcase_add_test(layout, test_front_init_is_shared_ring_init);
    suite_add_tcase(suite, layout);

    tcase_add_checked_fixture(arithmetic, setup, NULL);
    tcase_add_test(arithmetic, test_requests_arrive_in_order_at_their_slots);
    tcase_add_test(arithmetic, test_unpublished_requests_are_not_seen);
    tcase_add_test(arithmetic, test_request_not_polled_is_not_taken);
    tcase_add_test(arithmetic, test_responses_reach_the_frontend);
    tcase_add_test(arithmetic, test_full_ring_refuses_another_request);
    tcase_add_test(arithmetic, test_backend_answers_only_requests_it_took);
    tcase_add_test(arithmetic, test_outstanding_counts_taken_unanswered_requests);
    tcase_add_test(arithmetic, test_indices_wrap_at_two_to_the_32);
    tcase_add_test(arithmetic, test_wrapped_index_uses_its_masked_slot);
    tcase_add_test(arithmetic, test_request_is_copied_once_out_of_the_page);
    tcase_add_test(arithmetic, test_request_copy_is_the_whole_entry);
    suite_add_tcase(suite, arithmetic);

    tcase_add_checked_fixture(overflow, setup, NULL);
    tcase_add_test(overflow, test_request_producer_one_ring_ahead_is_accepted);
    tcase_add_test(overflow, test_request_producer_beyond_the_ring_breaks_it);
    tcase_add_test(overflow, test_request_producer_beyond_the_ring_across_the_wrap_breaks_it);
    tcase_add_test(overflow, test_overflow_counts_from_the_responses_not_the_consumer);
    tcase_add_test(overflow, test_request_producer_moving_back_breaks_the_ring);
    tcase_add_test(overflow, test_broken_backend_ring_stays_broken);
    tcase_add_test(overflow, test_broken_ring_writes_nothing_to_the_page);
    tcase_add_test(overflow, test_response_producer_beyond_the_requests_breaks_the_front);
    tcase_add_test(overflow, test_response_producer_moving_back_breaks_the_front);
    suite_add_tcase(suite, overflow);

    tcase_add_checked_fixture(notification, setup, NULL);
    tcase_add_test(notification, test_notify_when_event_is_the_first_new_entry);
    tcase_add_test(notification, test_notify_when_event_is_the_last_new_entry);
    tcase_add_test(notification, test_no_notify_when_event_was_already_passed);
    tcase_add_test(notification, test_no_notify_when_event_is_beyond_the_new_entries);
    tcase_add_test(notification, test_notify_hold_off_across_the_wrap);
    tcase_add_test(notification, test_notify_decision_ignores_a_scribbled_producer);
    tcase_add_test(notification, test_final_check_asks_for_the_next_request);
    tcase_add_test(notification, test_final_check_sees_waiting_requests);
    tcase_add_test(notification, test_request_after_final_check_notifies_the_backend);
    tcase_add_test(notification, test_front_final_check_asks_for_the_next_response);
    suite_add_tcase(suite, notification);
    return suite;
}

REGISTER_SUITE(ring_suite)
