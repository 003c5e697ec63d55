/*
 * Specification of a transmitted packet's verdict (backend/netif_packet.h):
 * each check of Linux 6.1's netback (xenvif_count_requests,
 * xenvif_get_extras, xenvif_tx_build_gops) as a case, with the slot on
 * which the verdict comes and the responses every slot gets.  Data slots
 * have ids 100, 101, ... and grefs 500, 501, ...
 */
#include <stdint.h>
#include <string.h>
#include <backend/netif_packet.h>

#include "suites.h"

static struct netif_packet packet;
static unsigned int data_slots_sent;

static void start(void)
{
    memset(&packet, 0xcc, sizeof(packet));
    netif_packet_start(&packet);
    data_slots_sent = 0;
}

static enum netif_packet_verdict add_data(uint16_t offset, uint16_t size, uint16_t flags)
{
    union netif_tx_slot slot;

    memset(&slot, 0, sizeof(slot));
    slot.request = (struct netif_tx_request) {
        .gref = 500 + data_slots_sent,
        .offset = offset,
        .flags = flags,
        .id = (uint16_t)(100 + data_slots_sent),
        .size = size,
    };
    data_slots_sent++;
    return netif_packet_add(&packet, &slot);
}

static enum netif_packet_verdict add_extra(uint8_t type, uint8_t flags)
{
    union netif_tx_slot slot;

    memset(&slot, 0, sizeof(slot));
    slot.extra.type = type;
    slot.extra.flags = flags;
    return netif_packet_add(&packet, &slot);
}

/* A first slot of `size` whole-packet bytes, followed by `count` follow-on slots of `each` bytes; the
 * verdict of the last slot, every earlier one having asked for more. */
static enum netif_packet_verdict send_packet(uint16_t size, unsigned int count, uint16_t each)
{
    enum netif_packet_verdict verdict = add_data(0, size, count > 0 ? NETTXF_more_data : 0);

    for (unsigned int index = 0; index < count; index++) {
        ck_assert_int_eq(verdict, NETIF_PACKET_NEED_MORE);
        verdict = add_data(0, each, index + 1 < count ? NETTXF_more_data : 0);
    }
    return verdict;
}

static void assert_every_data_slot_answered(int16_t status)
{
    unsigned int data = 0;

    for (unsigned int index = 0; index < packet.slot_count; index++) {
        struct netif_tx_response response = netif_packet_response(&packet, index, status);

        if (packet.response_is_extra[index]) {
            ck_assert_int_eq(response.status, NETIF_RSP_NULL);
            continue;
        }
        ck_assert_uint_eq(response.id, 100 + data);
        ck_assert_int_eq(response.status, status);
        data++;
    }
    ck_assert_uint_eq(data, data_slots_sent);
}

START_TEST(test_single_slot_frame_is_complete)
{
    start();
    ck_assert_int_eq(add_data(256, 60, 0), NETIF_PACKET_COMPLETE);
    ck_assert_uint_eq(packet.slot_count, 1);
    ck_assert_uint_eq(packet.length, 60);
    ck_assert_uint_eq(packet.segment_count, 1);
    ck_assert_uint_eq(packet.segments[0].gref, 500);
    ck_assert_uint_eq(packet.segments[0].offset, 256);
    ck_assert_uint_eq(packet.segments[0].length, 60);
    ck_assert(!packet.checksum_blank);
    assert_every_data_slot_answered(NETIF_RSP_OKAY);
}
END_TEST

START_TEST(test_csum_blank_flag_is_kept)
{
    start();
    ck_assert_int_eq(add_data(0, 60, NETTXF_csum_blank | NETTXF_data_validated), NETIF_PACKET_COMPLETE);
    ck_assert(packet.checksum_blank);
    ck_assert_uint_eq(packet.first_flags, NETTXF_csum_blank | NETTXF_data_validated);
}
END_TEST

START_TEST(test_first_slot_holds_what_the_later_slots_leave)
{
    start();
    ck_assert_int_eq(add_data(3000, 1514, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 1000, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 400, 0), NETIF_PACKET_COMPLETE);
    ck_assert_uint_eq(packet.segment_count, 3);
    ck_assert_uint_eq(packet.segments[0].offset, 3000);
    ck_assert_uint_eq(packet.segments[0].length, 114);
    ck_assert_uint_eq(packet.segments[1].gref, 501);
    ck_assert_uint_eq(packet.segments[1].length, 1000);
    ck_assert_uint_eq(packet.segments[2].gref, 502);
    ck_assert_uint_eq(packet.segments[2].length, 400);
    assert_every_data_slot_answered(NETIF_RSP_OKAY);
}
END_TEST

START_TEST(test_empty_follow_on_slot_is_taken)
{
    start();
    ck_assert_int_eq(send_packet(60, 1, 0), NETIF_PACKET_COMPLETE);
    ck_assert_uint_eq(packet.segments[1].length, 0);
}
END_TEST

START_TEST(test_largest_frame_is_complete)
{
    start();
    ck_assert_int_eq(add_data(0, ETHERNET_MAX_FRAME_BYTES, 0), NETIF_PACKET_COMPLETE);
}
END_TEST

START_TEST(test_frame_longer_than_the_largest_is_dropped)
{
    start();
    ck_assert_int_eq(add_data(0, ETHERNET_MAX_FRAME_BYTES + 1, 0), NETIF_PACKET_DROP);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_gso_sized_packet_is_dropped_after_all_its_slots)
{
    start();
    ck_assert_int_eq(send_packet(9000, 2, 4000), NETIF_PACKET_DROP);
    ck_assert_uint_eq(packet.slot_count, 3);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_first_size_below_an_ethernet_header_is_dropped)
{
    start();
    ck_assert_int_eq(add_data(0, ETHERNET_HEADER_BYTES - 1, 0), NETIF_PACKET_DROP);
}
END_TEST

START_TEST(test_first_size_of_an_ethernet_header_is_complete)
{
    start();
    ck_assert_int_eq(add_data(0, ETHERNET_HEADER_BYTES, 0), NETIF_PACKET_COMPLETE);
}
END_TEST

START_TEST(test_first_slot_with_less_than_a_header_of_its_own_is_dropped)
{
    start();
    ck_assert_int_eq(send_packet(100, 1, 90), NETIF_PACKET_DROP);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_first_slot_crossing_its_page_is_fatal)
{
    start();
    ck_assert_int_eq(add_data(4000, 97, 0), NETIF_PACKET_FATAL);
}
END_TEST

START_TEST(test_first_slot_ending_at_its_page_end_is_complete)
{
    start();
    ck_assert_int_eq(add_data(4000, 96, 0), NETIF_PACKET_COMPLETE);
}
END_TEST

START_TEST(test_first_slot_crossing_by_its_own_data_only_is_judged_on_it)
{
    /* 200 bytes at 4000 would cross, but the first slot's own data is 96. */
    start();
    ck_assert_int_eq(add_data(4000, 200, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 104, 0), NETIF_PACKET_COMPLETE);
}
END_TEST

START_TEST(test_short_first_slot_crossing_its_page_is_dropped_as_linux_checks_size_first)
{
    start();
    ck_assert_int_eq(add_data(4090, 10, 0), NETIF_PACKET_DROP);
}
END_TEST

START_TEST(test_follow_on_slot_crossing_its_page_is_fatal_at_once)
{
    start();
    ck_assert_int_eq(add_data(0, 1000, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(4000, 97, NETTXF_more_data), NETIF_PACKET_FATAL);
}
END_TEST

START_TEST(test_slot_crossing_its_page_in_a_refused_packet_is_fatal)
{
    start();
    ck_assert_int_eq(add_data(0, 100, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 200, NETTXF_more_data), NETIF_PACKET_NEED_MORE); /* too big: refused */
    ck_assert_int_eq(add_data(4095, 2, 0), NETIF_PACKET_FATAL);
}
END_TEST

START_TEST(test_later_slot_bigger_than_what_is_left_drops_the_packet)
{
    start();
    ck_assert_int_eq(add_data(0, 1000, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 600, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 401, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 1, 0), NETIF_PACKET_DROP);
    ck_assert_uint_eq(packet.slot_count, 4);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_later_slots_using_up_the_first_size_exactly_leave_it_no_header)
{
    start();
    ck_assert_int_eq(send_packet(1000, 2, 500), NETIF_PACKET_DROP);
}
END_TEST

START_TEST(test_eighteen_follow_on_slots_are_complete)
{
    start();
    ck_assert_int_eq(send_packet(14 + 18 * 64, NETIF_PACKET_DROP_SLOTS, 64), NETIF_PACKET_COMPLETE);
    ck_assert_uint_eq(packet.segment_count, 19);
    ck_assert_uint_eq(packet.segments[0].length, 14);
    assert_every_data_slot_answered(NETIF_RSP_OKAY);
}
END_TEST

START_TEST(test_nineteen_follow_on_slots_are_dropped)
{
    start();
    ck_assert_int_eq(send_packet(100 + 19 * 64, NETIF_PACKET_DROP_SLOTS + 1, 64), NETIF_PACKET_DROP);
    ck_assert_uint_eq(packet.slot_count, 20);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_twenty_follow_on_slots_are_dropped)
{
    start();
    ck_assert_int_eq(send_packet(100 + 20 * 64, NETIF_PACKET_FATAL_SLOTS, 64), NETIF_PACKET_DROP);
    ck_assert_uint_eq(packet.slot_count, 21);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_twenty_first_follow_on_slot_claimed_is_fatal)
{
    start();
    ck_assert_int_eq(add_data(0, 100, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    for (unsigned int index = 1; index < NETIF_PACKET_FATAL_SLOTS; index++)
        ck_assert_int_eq(add_data(0, 1, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 1, NETTXF_more_data), NETIF_PACKET_FATAL);
    ck_assert_uint_eq(packet.slot_count, 1 + NETIF_PACKET_FATAL_SLOTS);
}
END_TEST

START_TEST(test_extra_of_type_none_is_fatal)
{
    start();
    ck_assert_int_eq(add_data(0, 60, NETTXF_extra_info), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_NONE, 0), NETIF_PACKET_FATAL);
}
END_TEST

START_TEST(test_extra_of_unknown_type_is_fatal)
{
    start();
    ck_assert_int_eq(add_data(0, 60, NETTXF_extra_info), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_MAX, 0), NETIF_PACKET_FATAL);
}
END_TEST

START_TEST(test_extra_type_given_twice_is_fatal)
{
    start();
    ck_assert_int_eq(add_data(0, 60, NETTXF_extra_info), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_HASH, 0), NETIF_PACKET_FATAL);
}
END_TEST

START_TEST(test_gso_extra_drops_the_packet_and_is_answered_null)
{
    start();
    ck_assert_int_eq(add_data(0, 60, NETTXF_extra_info), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0), NETIF_PACKET_DROP);
    ck_assert_uint_eq(packet.slot_count, 2);
    ck_assert(!packet.response_is_extra[0]);
    ck_assert(packet.response_is_extra[1]);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_extras_come_before_the_follow_on_slots)
{
    start();
    ck_assert_int_eq(add_data(0, 1000, NETTXF_extra_info | NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, XEN_NETIF_EXTRA_FLAG_MORE), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_extra(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 500, 0), NETIF_PACKET_DROP);
    ck_assert_uint_eq(packet.slot_count, 4);
    ck_assert_uint_eq(packet.segment_count, 2);
    ck_assert(packet.response_is_extra[1] && packet.response_is_extra[2] && !packet.response_is_extra[3]);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_largest_packet_fits_the_slot_arrays)
{
    start();
    ck_assert_int_eq(add_data(0, 1000, NETTXF_extra_info | NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    for (uint8_t type = XEN_NETIF_EXTRA_TYPE_GSO; type < XEN_NETIF_EXTRA_TYPE_MAX; type++)
        ck_assert_int_eq(add_extra(type, type + 1 < XEN_NETIF_EXTRA_TYPE_MAX ? XEN_NETIF_EXTRA_FLAG_MORE : 0),
                         NETIF_PACKET_NEED_MORE);
    for (unsigned int index = 1; index < NETIF_PACKET_FATAL_SLOTS; index++)
        ck_assert_int_eq(add_data(0, 1, NETTXF_more_data), NETIF_PACKET_NEED_MORE);
    ck_assert_int_eq(add_data(0, 1, NETTXF_more_data), NETIF_PACKET_FATAL);
    ck_assert_uint_le(packet.slot_count, NETIF_PACKET_MAX_SLOTS);
}
END_TEST

START_TEST(test_decided_packet_takes_no_more_slots)
{
    start();
    ck_assert_int_eq(add_data(0, 60, 0), NETIF_PACKET_COMPLETE);
    ck_assert_int_eq(add_data(0, 60, 0), NETIF_PACKET_FATAL);
    ck_assert_uint_eq(packet.slot_count, 1);
}
END_TEST

START_TEST(test_failed_copy_answers_every_data_slot_with_error)
{
    start();
    ck_assert_int_eq(send_packet(1000, 2, 100), NETIF_PACKET_COMPLETE);
    assert_every_data_slot_answered(NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_start_forgets_the_previous_packet)
{
    start();
    ck_assert_int_eq(send_packet(1000, 2, 100), NETIF_PACKET_COMPLETE);
    netif_packet_start(&packet);
    data_slots_sent = 0;
    ck_assert_uint_eq(packet.slot_count, 0);
    ck_assert_int_eq(add_data(0, 60, 0), NETIF_PACKET_COMPLETE);
    ck_assert_uint_eq(packet.segment_count, 1);
}
END_TEST

static Suite *netif_packet_suite(void)
{
    Suite *suite = suite_create("netif_packet");
    TCase *complete = tcase_create("complete");
    TCase *first = tcase_create("first slot");
    TCase *follow_on = tcase_create("follow-on slots");
    TCase *extras = tcase_create("extras");
    TCase *responses = tcase_create("responses");

    tcase_add_test(complete, test_single_slot_frame_is_complete);
    tcase_add_test(complete, test_csum_blank_flag_is_kept);
    tcase_add_test(complete, test_first_slot_holds_what_the_later_slots_leave);
    tcase_add_test(complete, test_empty_follow_on_slot_is_taken);
    tcase_add_test(complete, test_largest_frame_is_complete);
    tcase_add_test(complete, test_frame_longer_than_the_largest_is_dropped);
    tcase_add_test(complete, test_gso_sized_packet_is_dropped_after_all_its_slots);
    suite_add_tcase(suite, complete);

    tcase_add_test(first, test_first_size_below_an_ethernet_header_is_dropped);
    tcase_add_test(first, test_first_size_of_an_ethernet_header_is_complete);
    tcase_add_test(first, test_first_slot_with_less_than_a_header_of_its_own_is_dropped);
    tcase_add_test(first, test_first_slot_crossing_its_page_is_fatal);
    tcase_add_test(first, test_first_slot_ending_at_its_page_end_is_complete);
    tcase_add_test(first, test_first_slot_crossing_by_its_own_data_only_is_judged_on_it);
    tcase_add_test(first, test_short_first_slot_crossing_its_page_is_dropped_as_linux_checks_size_first);
    suite_add_tcase(suite, first);

    tcase_add_test(follow_on, test_follow_on_slot_crossing_its_page_is_fatal_at_once);
    tcase_add_test(follow_on, test_slot_crossing_its_page_in_a_refused_packet_is_fatal);
    tcase_add_test(follow_on, test_later_slot_bigger_than_what_is_left_drops_the_packet);
    tcase_add_test(follow_on, test_later_slots_using_up_the_first_size_exactly_leave_it_no_header);
    tcase_add_test(follow_on, test_eighteen_follow_on_slots_are_complete);
    tcase_add_test(follow_on, test_nineteen_follow_on_slots_are_dropped);
    tcase_add_test(follow_on, test_twenty_follow_on_slots_are_dropped);
    tcase_add_test(follow_on, test_twenty_first_follow_on_slot_claimed_is_fatal);
    suite_add_tcase(suite, follow_on);

    tcase_add_test(extras, test_extra_of_type_none_is_fatal);
    tcase_add_test(extras, test_extra_of_unknown_type_is_fatal);
    tcase_add_test(extras, test_extra_type_given_twice_is_fatal);
    tcase_add_test(extras, test_gso_extra_drops_the_packet_and_is_answered_null);
    tcase_add_test(extras, test_extras_come_before_the_follow_on_slots);
    tcase_add_test(extras, test_largest_packet_fits_the_slot_arrays);
    suite_add_tcase(suite, extras);

    tcase_add_test(responses, test_decided_packet_takes_no_more_slots);
    tcase_add_test(responses, test_failed_copy_answers_every_data_slot_with_error);
    tcase_add_test(responses, test_start_forgets_the_previous_packet);
    suite_add_tcase(suite, responses);
    return suite;
}

REGISTER_SUITE(netif_packet_suite)
