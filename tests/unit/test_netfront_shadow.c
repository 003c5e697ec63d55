/*
 * Specification of netfront's bookkeeping and of the checks it makes on
 * what it sends and on what the backend answers (frontend/netfront_shadow.c;
 * Xen io/netif.h, Linux 6.1 xen-netfront.c).
 */
#include <stdint.h>

#include <xen/errno.h>
#include <frontend/netfront_shadow.h>

#include "suites.h"

static uint8_t pages[4][NETFRONT_PAGE_SIZE] __attribute__((aligned(NETFRONT_PAGE_SIZE)));
static struct netfront_tx_piece pieces[NETFRONT_MAX_TX_SLOTS];
static unsigned int piece_count;
static struct netfront_tx_shadow tx_shadow;
static struct netfront_rx_shadow rx_shadow;
static struct netfront_rx_packet packet;
static int owner;

static int plan_one(const void *data, uint32_t length)
{
    struct netfront_fragment fragment = { .data = data, .length = length };

    return netfront_plan_transmission(&fragment, 1, pieces, &piece_count);
}

/* --- the address --------------------------------------------------------------------- */

START_TEST(test_a_mac_node_gives_the_six_bytes_of_the_address)
{
    uint8_t address[6] = { 0 };

    ck_assert_int_eq(netfront_parse_address("00:16:3e:0A:fF:21", address), 0);
    ck_assert_mem_eq(address, ((uint8_t[]){ 0x00, 0x16, 0x3e, 0x0a, 0xff, 0x21 }), 6);
}
END_TEST

START_TEST(test_a_malformed_mac_node_is_einval_and_leaves_the_address_alone)
{
    static const char *const malformed[] = {
        "", "00:16:3e:00:00", "00:16:3e:00:00:2", "00:16:3e:00:00:211", "00-16-3e-00-00-21",
        "00:16:3g:00:00:21", "0:16:3e:00:00:21:", " 00:16:3e:00:00:21",
    };
    uint8_t address[6] = { 1, 2, 3, 4, 5, 6 };

    for (unsigned int index = 0; index < sizeof(malformed) / sizeof(malformed[0]); index++)
        ck_assert_int_eq(netfront_parse_address(malformed[index], address), -XEN_EINVAL);
    ck_assert_mem_eq(address, ((uint8_t[]){ 1, 2, 3, 4, 5, 6 }), 6);
}
END_TEST

/* --- transmit: slots -------------------------------------------------------------- */

START_TEST(test_a_frame_within_a_page_takes_one_slot_of_its_length)
{
    struct netif_tx_request requests[NETFRONT_MAX_TX_SLOTS];

    ck_assert_int_eq(plan_one(&pages[0][100], 60), 0);
    ck_assert_uint_eq(piece_count, 1);
    ck_assert_ptr_eq((void *)pieces[0].page_address, pages[0]);
    ck_assert_uint_eq(pieces[0].offset, 100);
    netfront_tx_requests(pieces, piece_count, requests);
    ck_assert_uint_eq(requests[0].size, 60);
    ck_assert_uint_eq(requests[0].offset, 100);
    ck_assert_uint_eq(requests[0].flags & NETTXF_more_data, 0);
}
END_TEST

START_TEST(test_a_frame_crossing_a_page_takes_two_slots_the_first_sized_as_the_whole)
{
    struct netif_tx_request requests[NETFRONT_MAX_TX_SLOTS];

    ck_assert_int_eq(plan_one(&pages[0][NETFRONT_PAGE_SIZE - 100], 1514), 0);
    ck_assert_uint_eq(piece_count, 2);
    ck_assert_ptr_eq((void *)pieces[1].page_address, pages[1]);
    ck_assert_uint_eq(pieces[1].offset, 0);
    ck_assert_uint_eq(pieces[1].size, 1414);
    netfront_tx_requests(pieces, piece_count, requests);
    ck_assert_uint_eq(requests[0].size, 1514);
    ck_assert_uint_eq(requests[0].flags, NETTXF_more_data);
    ck_assert_uint_eq(requests[1].size, 1414);
    ck_assert_uint_eq(requests[1].flags, 0);
}
END_TEST

START_TEST(test_each_fragment_is_cut_at_page_ends_and_empty_ones_take_no_slot)
{
    struct netfront_fragment fragments[] = {
        { .data = &pages[0][0], .length = 14 },
        { .data = &pages[2][0], .length = 0 },
        { .data = &pages[1][NETFRONT_PAGE_SIZE - 8], .length = 108 },
    };

    ck_assert_int_eq(netfront_plan_transmission(fragments, 3, pieces, &piece_count), 0);
    ck_assert_uint_eq(piece_count, 3);
    ck_assert_uint_eq(pieces[0].size, 14);
    ck_assert_uint_eq(pieces[1].size, 8);
    ck_assert_uint_eq(pieces[2].size, 100);
    ck_assert_ptr_eq((void *)pieces[2].page_address, pages[2]);
}
END_TEST

START_TEST(test_a_frame_shorter_than_the_header_is_einval)
{
    ck_assert_int_eq(plan_one(pages[0], NETFRONT_MIN_FRAME_BYTES - 1), -XEN_EINVAL);
    ck_assert_int_eq(plan_one(pages[0], 0), -XEN_EINVAL);
    ck_assert_int_eq(plan_one(pages[0], NETFRONT_MIN_FRAME_BYTES), 0);
}
END_TEST

START_TEST(test_a_frame_longer_than_the_mtu_allows_is_einval)
{
    ck_assert_int_eq(plan_one(pages[0], NETFRONT_MAX_FRAME_BYTES), 0);
    ck_assert_int_eq(plan_one(pages[0], NETFRONT_MAX_FRAME_BYTES + 1), -XEN_EINVAL);
}
END_TEST

START_TEST(test_fragments_adding_up_beyond_the_maximum_are_einval)
{
    struct netfront_fragment fragments[] = {
        { .data = pages[0], .length = 1000 },
        { .data = pages[1], .length = UINT32_MAX - 500 },
    };

    ck_assert_int_eq(netfront_plan_transmission(fragments, 2, pieces, &piece_count), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_first_slot_shorter_than_the_header_is_einval)
{
    ck_assert_int_eq(plan_one(&pages[0][NETFRONT_PAGE_SIZE - 13], 100), -XEN_EINVAL);
    ck_assert_int_eq(plan_one(&pages[0][NETFRONT_PAGE_SIZE - 14], 100), 0);
}
END_TEST

START_TEST(test_eighteen_slots_may_be_sent_nineteen_may_not)
{
    struct netfront_fragment fragments[NETFRONT_MAX_TX_SLOTS + 1];

    for (unsigned int index = 0; index <= NETFRONT_MAX_TX_SLOTS; index++)
        fragments[index] = (struct netfront_fragment){ .data = &pages[index % 4][index * 80], .length = 60 };
    ck_assert_int_eq(netfront_plan_transmission(fragments, NETFRONT_MAX_TX_SLOTS, pieces, &piece_count), 0);
    ck_assert_uint_eq(piece_count, NETFRONT_MAX_TX_SLOTS);
    ck_assert_int_eq(netfront_plan_transmission(fragments, NETFRONT_MAX_TX_SLOTS + 1, pieces, &piece_count),
                     -XEN_EINVAL);
}
END_TEST

/* --- transmit: ids and responses --------------------------------------------------- */

static uint16_t taken_id(grant_ref_t gref)
{
    uint16_t id = UINT16_MAX;

    ck_assert_int_eq(netfront_tx_shadow_take(&tx_shadow, &owner, gref, &id), 0);
    return id;
}

START_TEST(test_tx_ids_are_below_the_ring_size_and_distinct)
{
    bool seen[NETFRONT_TX_RING_SIZE] = { false };
    uint16_t id;

    netfront_tx_shadow_init(&tx_shadow);
    for (unsigned int count = 0; count < NETFRONT_TX_RING_SIZE; count++) {
        id = taken_id(count);
        ck_assert_uint_lt(id, NETFRONT_TX_RING_SIZE);
        ck_assert(!seen[id]);
        seen[id] = true;
    }
    ck_assert_int_eq(netfront_tx_shadow_take(&tx_shadow, &owner, 0, &id), -XEN_EBUSY);
    ck_assert_uint_eq(netfront_tx_shadow_in_flight(&tx_shadow), NETFRONT_TX_RING_SIZE);
}
END_TEST

START_TEST(test_a_response_to_a_pending_slot_gives_back_its_grant_and_owner)
{
    struct netif_tx_response response;
    struct netfront_tx_entry entry;

    netfront_tx_shadow_init(&tx_shadow);
    response = (struct netif_tx_response){ .id = taken_id(42), .status = NETIF_RSP_OKAY };
    ck_assert_ptr_null(netfront_tx_response_problem(&tx_shadow, &response));
    entry = netfront_tx_shadow_complete(&tx_shadow, response.id);
    ck_assert_uint_eq(entry.gref, 42);
    ck_assert_ptr_eq(entry.owner, &owner);
    ck_assert_uint_eq(netfront_tx_shadow_in_flight(&tx_shadow), 0);
}
END_TEST

START_TEST(test_a_tx_response_id_beyond_the_ring_is_refused)
{
    struct netif_tx_response response = { .id = NETFRONT_TX_RING_SIZE, .status = NETIF_RSP_OKAY };

    netfront_tx_shadow_init(&tx_shadow);
    taken_id(1);
    ck_assert_ptr_nonnull(netfront_tx_response_problem(&tx_shadow, &response));
    response.id = UINT16_MAX;
    ck_assert_ptr_nonnull(netfront_tx_response_problem(&tx_shadow, &response));
}
END_TEST

START_TEST(test_a_tx_response_for_a_slot_not_in_flight_is_refused)
{
    struct netif_tx_response response = { .status = NETIF_RSP_ERROR };

    netfront_tx_shadow_init(&tx_shadow);
    response.id = (uint16_t)((taken_id(1) + 1) % NETFRONT_TX_RING_SIZE);
    ck_assert_ptr_nonnull(netfront_tx_response_problem(&tx_shadow, &response));
}
END_TEST

START_TEST(test_a_second_tx_response_for_the_same_slot_is_refused)
{
    struct netif_tx_response response = { .status = NETIF_RSP_OKAY };

    netfront_tx_shadow_init(&tx_shadow);
    response.id = taken_id(1);
    netfront_tx_shadow_complete(&tx_shadow, response.id);
    ck_assert_ptr_nonnull(netfront_tx_response_problem(&tx_shadow, &response));
}
END_TEST

START_TEST(test_an_extra_slots_null_response_answers_nothing_and_is_no_problem)
{
    struct netif_tx_response response = { .id = UINT16_MAX, .status = NETIF_RSP_NULL };

    netfront_tx_shadow_init(&tx_shadow);
    ck_assert(netfront_tx_response_is_null(&response));
    ck_assert_ptr_null(netfront_tx_response_problem(&tx_shadow, &response));
}
END_TEST

START_TEST(test_a_released_tx_id_is_taken_again)
{
    uint16_t id;

    netfront_tx_shadow_init(&tx_shadow);
    for (unsigned int count = 0; count < NETFRONT_TX_RING_SIZE; count++)
        id = taken_id(count);
    netfront_tx_shadow_release(&tx_shadow, id);
    ck_assert_uint_eq(taken_id(7), id);
}
END_TEST

/* --- receive ------------------------------------------------------------------------- */

static void post_all(RING_IDX first, unsigned int count)
{
    netfront_rx_shadow_init(&rx_shadow);
    for (unsigned int offset = 0; offset < count; offset++)
        ck_assert_int_eq(netfront_rx_shadow_post(&rx_shadow, first + offset, 100 + offset), 0);
}

static union netfront_rx_slot data_slot(RING_IDX index, uint16_t offset, int16_t status, uint16_t flags)
{
    return (union netfront_rx_slot){
        .response = { .id = netfront_rx_id(index), .offset = offset, .flags = flags, .status = status } };
}

static union netfront_rx_slot extra_slot(uint8_t type, uint8_t flags)
{
    return (union netfront_rx_slot){ .extra = { .type = type, .flags = flags } };
}

static enum netfront_rx_verdict add(union netfront_rx_slot slot)
{
    return netfront_rx_packet_add(&packet, &rx_shadow, &slot);
}

START_TEST(test_the_rx_id_of_a_ring_slot_is_its_index_in_the_ring)
{
    ck_assert_uint_eq(netfront_rx_id(5), 5);
    ck_assert_uint_eq(netfront_rx_id(NETFRONT_RX_RING_SIZE + 44), 44);
    ck_assert_uint_eq(netfront_rx_id(UINT32_MAX), NETFRONT_RX_RING_SIZE - 1);
}
END_TEST

START_TEST(test_a_slot_holds_one_posted_buffer_at_a_time)
{
    netfront_rx_shadow_init(&rx_shadow);
    ck_assert_int_eq(netfront_rx_shadow_post(&rx_shadow, 3, 77), 0);
    ck_assert_int_eq(netfront_rx_shadow_post(&rx_shadow, 3 + NETFRONT_RX_RING_SIZE, 78), -XEN_EBUSY);
    ck_assert_uint_eq(netfront_rx_shadow_take(&rx_shadow, 3).gref, 77);
    ck_assert_uint_eq(rx_shadow.posted_count, 0);
    ck_assert_int_eq(netfront_rx_shadow_post(&rx_shadow, 3 + NETFRONT_RX_RING_SIZE, 78), 0);
}
END_TEST

START_TEST(test_one_response_is_a_whole_packet)
{
    post_all(10, 1);
    netfront_rx_packet_start(&packet, 10);
    ck_assert_int_eq(add(data_slot(10, 0, 60, 0)), NETFRONT_RX_COMPLETE);
    ck_assert_uint_eq(packet.length, 60);
    ck_assert_uint_eq(packet.segment_count, 1);
    ck_assert_uint_eq(packet.segments[0].index, 10);
    ck_assert_uint_eq(packet.slot_count, 1);
}
END_TEST

START_TEST(test_more_data_chains_the_next_slots_into_one_packet)
{
    post_all(NETFRONT_RX_RING_SIZE - 1, 3); /* across the ring's end */
    netfront_rx_packet_start(&packet, NETFRONT_RX_RING_SIZE - 1);
    ck_assert_int_eq(add(data_slot(NETFRONT_RX_RING_SIZE - 1, 0, 4096, NETRXF_more_data)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(data_slot(NETFRONT_RX_RING_SIZE, 0, 4096, NETRXF_more_data)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(data_slot(NETFRONT_RX_RING_SIZE + 1, 2, 100, 0)), NETFRONT_RX_COMPLETE);
    ck_assert_uint_eq(packet.length, 8292);
    ck_assert_uint_eq(packet.segments[2].offset, 2);
}
END_TEST

START_TEST(test_a_negative_status_drops_the_packet)
{
    post_all(0, 1);
    netfront_rx_packet_start(&packet, 0);
    ck_assert_int_eq(add(data_slot(0, 0, NETIF_RSP_ERROR, 0)), NETFRONT_RX_DROP);
    ck_assert_ptr_nonnull(packet.problem);
}
END_TEST

START_TEST(test_data_beyond_the_page_drops_the_packet_and_up_to_its_end_does_not)
{
    post_all(0, 2);
    netfront_rx_packet_start(&packet, 0);
    ck_assert_int_eq(add(data_slot(0, 96, 4001, 0)), NETFRONT_RX_DROP);
    netfront_rx_packet_start(&packet, 1);
    ck_assert_int_eq(add(data_slot(1, 96, 4000, 0)), NETFRONT_RX_COMPLETE);
}
END_TEST

START_TEST(test_a_response_id_other_than_its_requests_drops_the_packet)
{
    union netfront_rx_slot slot = data_slot(4, 0, 60, 0);

    post_all(0, 8);
    slot.response.id = 5;
    netfront_rx_packet_start(&packet, 4);
    ck_assert_int_eq(add(slot), NETFRONT_RX_DROP);
}
END_TEST

START_TEST(test_a_response_in_a_slot_without_a_buffer_drops_the_packet)
{
    post_all(0, 1);
    netfront_rx_packet_start(&packet, 1);
    ck_assert_int_eq(add(data_slot(1, 0, 60, 0)), NETFRONT_RX_DROP);
}
END_TEST

START_TEST(test_a_dropped_packet_still_takes_every_slot_of_its_chain)
{
    post_all(0, 3);
    netfront_rx_packet_start(&packet, 0);
    ck_assert_int_eq(add(data_slot(0, 0, -1, NETRXF_more_data)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(data_slot(1, 0, 100, NETRXF_more_data)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(data_slot(2, 0, 100, 0)), NETFRONT_RX_DROP);
    ck_assert_uint_eq(packet.slot_count, 3);
}
END_TEST

START_TEST(test_extras_follow_the_first_response_and_data_follows_them)
{
    post_all(0, 4);
    netfront_rx_packet_start(&packet, 0);
    ck_assert_int_eq(add(data_slot(0, 0, 4096, NETRXF_extra_info | NETRXF_more_data)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(extra_slot(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(extra_slot(XEN_NETIF_EXTRA_TYPE_HASH, 0)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(data_slot(3, 0, 10, 0)), NETFRONT_RX_COMPLETE);
    ck_assert_uint_eq(packet.length, 4106);
    ck_assert_uint_eq(packet.segment_count, 2);
    ck_assert_uint_eq(packet.segments[1].index, 3);
}
END_TEST

START_TEST(test_a_packet_ends_with_its_last_extra_when_no_data_follows)
{
    post_all(0, 2);
    netfront_rx_packet_start(&packet, 0);
    ck_assert_int_eq(add(data_slot(0, 0, 60, NETRXF_extra_info)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(add(extra_slot(XEN_NETIF_EXTRA_TYPE_GSO, 0)), NETFRONT_RX_COMPLETE);
    ck_assert_uint_eq(packet.length, 60);
}
END_TEST

START_TEST(test_an_extra_of_type_zero_or_beyond_the_known_drops_the_packet)
{
    post_all(0, 4);
    netfront_rx_packet_start(&packet, 0);
    add(data_slot(0, 0, 60, NETRXF_extra_info));
    ck_assert_int_eq(add(extra_slot(0, 0)), NETFRONT_RX_DROP);
    netfront_rx_packet_start(&packet, 2);
    add(data_slot(2, 0, 60, NETRXF_extra_info));
    ck_assert_int_eq(add(extra_slot(XEN_NETIF_EXTRA_TYPE_MAX, 0)), NETFRONT_RX_DROP);
}
END_TEST

static enum netfront_rx_verdict chain_of(unsigned int slots, int16_t first_status)
{
    enum netfront_rx_verdict verdict = NETFRONT_RX_NEED_MORE;

    post_all(0, slots);
    netfront_rx_packet_start(&packet, 0);
    for (unsigned int index = 0; index < slots; index++)
        verdict = add(data_slot(index, 0, index == 0 ? first_status : 100,
                                index + 1 < slots ? NETRXF_more_data : 0));
    return verdict;
}

START_TEST(test_eighteen_rx_slots_are_taken_nineteen_only_after_a_small_first)
{
    ck_assert_int_eq(chain_of(XEN_NETIF_NR_SLOTS_MIN, 1000), NETFRONT_RX_COMPLETE);
    ck_assert_int_eq(chain_of(XEN_NETIF_NR_SLOTS_MIN + 1, 1000), NETFRONT_RX_DROP);
    ck_assert_int_eq(chain_of(XEN_NETIF_NR_SLOTS_MIN + 1, NETFRONT_RX_COPY_THRESHOLD), NETFRONT_RX_COMPLETE);
    ck_assert_int_eq(chain_of(XEN_NETIF_NR_SLOTS_MIN + 2, NETFRONT_RX_COPY_THRESHOLD), NETFRONT_RX_DROP);
}
END_TEST

START_TEST(test_a_chain_longer_than_the_responses_published_is_dropped)
{
    post_all(0, 2);
    netfront_rx_packet_start(&packet, 0);
    ck_assert_int_eq(add(data_slot(0, 0, 100, NETRXF_more_data)), NETFRONT_RX_NEED_MORE);
    ck_assert_int_eq(netfront_rx_packet_truncated(&packet), NETFRONT_RX_DROP);
    ck_assert_ptr_nonnull(packet.problem);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *netfront_shadow_suite(void)
{
    Suite *suite = suite_create("netfront_shadow");

    add_test_case(suite, test_a_mac_node_gives_the_six_bytes_of_the_address);
    add_test_case(suite, test_a_malformed_mac_node_is_einval_and_leaves_the_address_alone);
    add_test_case(suite, test_a_frame_within_a_page_takes_one_slot_of_its_length);
    add_test_case(suite, test_a_frame_crossing_a_page_takes_two_slots_the_first_sized_as_the_whole);
    add_test_case(suite, test_each_fragment_is_cut_at_page_ends_and_empty_ones_take_no_slot);
    add_test_case(suite, test_a_frame_shorter_than_the_header_is_einval);
    add_test_case(suite, test_a_frame_longer_than_the_mtu_allows_is_einval);
    add_test_case(suite, test_fragments_adding_up_beyond_the_maximum_are_einval);
    add_test_case(suite, test_a_first_slot_shorter_than_the_header_is_einval);
    add_test_case(suite, test_eighteen_slots_may_be_sent_nineteen_may_not);
    add_test_case(suite, test_tx_ids_are_below_the_ring_size_and_distinct);
    add_test_case(suite, test_a_response_to_a_pending_slot_gives_back_its_grant_and_owner);
    add_test_case(suite, test_a_tx_response_id_beyond_the_ring_is_refused);
    add_test_case(suite, test_a_tx_response_for_a_slot_not_in_flight_is_refused);
    add_test_case(suite, test_a_second_tx_response_for_the_same_slot_is_refused);
    add_test_case(suite, test_an_extra_slots_null_response_answers_nothing_and_is_no_problem);
    add_test_case(suite, test_a_released_tx_id_is_taken_again);
    add_test_case(suite, test_the_rx_id_of_a_ring_slot_is_its_index_in_the_ring);
    add_test_case(suite, test_a_slot_holds_one_posted_buffer_at_a_time);
    add_test_case(suite, test_one_response_is_a_whole_packet);
    add_test_case(suite, test_more_data_chains_the_next_slots_into_one_packet);
    add_test_case(suite, test_a_negative_status_drops_the_packet);
    add_test_case(suite, test_data_beyond_the_page_drops_the_packet_and_up_to_its_end_does_not);
    add_test_case(suite, test_a_response_id_other_than_its_requests_drops_the_packet);
    add_test_case(suite, test_a_response_in_a_slot_without_a_buffer_drops_the_packet);
    add_test_case(suite, test_a_dropped_packet_still_takes_every_slot_of_its_chain);
    add_test_case(suite, test_extras_follow_the_first_response_and_data_follows_them);
    add_test_case(suite, test_a_packet_ends_with_its_last_extra_when_no_data_follows);
    add_test_case(suite, test_an_extra_of_type_zero_or_beyond_the_known_drops_the_packet);
    add_test_case(suite, test_eighteen_rx_slots_are_taken_nineteen_only_after_a_small_first);
    add_test_case(suite, test_a_chain_longer_than_the_responses_published_is_dropped);
    return suite;
}

REGISTER_SUITE(netfront_shadow_suite)
