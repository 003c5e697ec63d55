/*
 * Specification of netback's service of one vif (backend/netback.h), run
 * against a simulated frontend (domain 1: its tx and rx rings through
 * ring.h's front end, its data pages granted to dom0) and the
 * hypervisor's own grant-table code on a simulated machine
 * (simulated_grants.h: GNTTABOP_copy exactly as pvmon does it).  dom0's
 * packet buffers are pages of domain 0 on the same machine; what the vif
 * delivers is kept, with its reference, for the test to look at.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <backend/netback.h>

#include "simulated_grants.h"
#include "suites.h"

#define FRAME_COUNT 512
#define DOM0 0
#define FRONTEND 1
#define STRANGER 2
#define DATA_PAGES 32
#define POOL_BUFFERS 128
#define PAGE_BYTES 4096
#define FIRST_GREF 10
#define DELIVERED_MAX 256
#define TX_ENTRY_SIZE sizeof(union netif_tx_sring_entry)
#define RX_ENTRY_SIZE sizeof(union netif_rx_sring_entry)
#define RING_ENTRIES 256

static struct simulated_grants world;
static uint8_t tx_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static uint8_t rx_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static struct ring_front front_tx, front_rx;
static struct netback vif;
static struct packet_pool pool;
static uint64_t data_frames[DATA_PAGES];
static unsigned int notifications;
static struct packet_buffer *delivered[DELIVERED_MAX];
static unsigned int delivered_count;

static const struct ethernet_address vif_address = { { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21 } };
static const struct ethernet_address peer_address = { { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x22 } };

static uint8_t *machine_bytes(uint64_t machine_address)
{
    return (uint8_t *)simulated_page_of(&world.machine, machine_address >> 12) + (machine_address & 0xfff);
}

/* --- the hypervisor and the bridge as netback sees them ------------------------- */

static long simulated_grant_copy(struct gnttab_copy *copies, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        grant_table_copy(&world.environment, DOM0, &copies[index]);
    return 0;
}

static void count_notification(struct netback *notified)
{
    ck_assert_ptr_eq(notified, &vif);
    notifications++;
}

static void keep_delivered(struct netback *from, struct packet_buffer *frame)
{
    ck_assert_ptr_eq(from, &vif);
    ck_assert_uint_lt(delivered_count, DELIVERED_MAX);
    delivered[delivered_count++] = frame;
}

static const struct netback_operations operations = {
    .grant_copy = simulated_grant_copy,
    .notify_frontend = count_notification,
    .deliver = keep_delivered,
};

static void setup(void)
{
    static uint8_t *pages[POOL_BUFFERS];
    static uint64_t frames[POOL_BUFFERS];
    struct netback_config config = { .frontend_domain = FRONTEND, .address = vif_address };

    simulated_grants_create(&world, FRAME_COUNT);
    for (uint16_t domain = DOM0; domain <= STRANGER; domain++)
        ck_assert(simulated_grants_add_domain(&world, domain));
    for (unsigned int index = 0; index < POOL_BUFFERS; index++) {
        frames[index] = simulated_grants_give_frame(&world, DOM0);
        pages[index] = machine_bytes(frames[index] << 12);
    }
    packet_pool_init(&pool, pages, frames, POOL_BUFFERS);
    for (unsigned int index = 0; index < DATA_PAGES; index++) {
        data_frames[index] = simulated_grants_give_frame(&world, FRONTEND);
        simulated_grants_permit(&world, FRONTEND, FIRST_GREF + index, DOM0, data_frames[index], false);
    }
    notifications = 0;
    delivered_count = 0;
    ring_front_init(&front_tx, tx_page, PAGE_BYTES, TX_ENTRY_SIZE);
    ring_front_init(&front_rx, rx_page, PAGE_BYTES, RX_ENTRY_SIZE);
    netback_init(&vif, &operations, &config, &pool, NULL);
    netback_attach(&vif, tx_page, rx_page);
}

static void teardown(void)
{
    simulated_grants_destroy(&world);
}

/* --- frames --------------------------------------------------------------------------- */

static uint8_t *data_page(unsigned int index)
{
    return machine_bytes(data_frames[index] << 12);
}

static grant_ref_t gref_of(unsigned int page)
{
    return FIRST_GREF + page;
}

static void put_be16(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
}

static uint16_t get_be16(const uint8_t *at)
{
    return (uint16_t)(at[0] << 8 | at[1]);
}

/* An Ethernet frame of length bytes from the peer to the vif, of ethertype 0x88b5 (local experimental), payload numbered by seed. */
static void make_plain_frame(uint8_t *frame, uint32_t length, uint8_t seed)
{
    memcpy(frame, vif_address.bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(frame + 6, peer_address.bytes, ETHERNET_ADDRESS_BYTES);
    put_be16(frame + 12, 0x88b5);
    for (uint32_t index = ETHERNET_HEADER_BYTES; index < length; index++)
        frame[index] = (uint8_t)(seed + index * 13);
}

#define UDP_FRAME_HEADERS (ETHERNET_HEADER_BYTES + 20 + 8)

/* The test's own ones'-complement sum (RFC 1071), independent of ethernet.c's. */
static uint32_t sum_words(uint32_t sum, const uint8_t *bytes, size_t length)
{
    for (size_t index = 0; index + 1 < length; index += 2)
        sum += get_be16(bytes + index);
    if (length % 2)
        sum += (uint32_t)bytes[length - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* A UDP/IPv4 frame 10.0.2.31:4000 -> 10.0.2.32:5000 of payload_bytes, its UDP checksum left 0 (blank). */
static uint32_t make_udp_frame(uint8_t *frame, uint32_t payload_bytes)
{
    uint8_t *ip = frame + ETHERNET_HEADER_BYTES;
    uint8_t *udp = ip + 20;
    uint32_t length = UDP_FRAME_HEADERS + payload_bytes;

    make_plain_frame(frame, length, 3);
    put_be16(frame + 12, ETHERTYPE_IPV4);
    memset(ip, 0, 28);
    ip[0] = 0x45;
    put_be16(ip + 2, (uint16_t)(20 + 8 + payload_bytes));
    ip[8] = 64;
    ip[9] = IP_PROTOCOL_UDP;
    memcpy(ip + 12, (uint8_t[]) { 10, 0, 2, 31 }, 4);
    memcpy(ip + 16, (uint8_t[]) { 10, 0, 2, 32 }, 4);
    put_be16(ip + 10, fold(sum_words(0, ip, 20)));
    put_be16(udp, 4000);
    put_be16(udp + 2, 5000);
    put_be16(udp + 4, (uint16_t)(8 + payload_bytes));
    return length;
}

/* The UDP checksum the frame should carry, computed here from its pseudo-header and segment. */
static uint16_t expected_udp_checksum(const uint8_t *frame, uint32_t length)
{
    const uint8_t *ip = frame + ETHERNET_HEADER_BYTES;
    uint8_t segment[PAGE_BYTES];
    uint32_t udp_length = length - ETHERNET_HEADER_BYTES - 20;
    uint32_t sum = 0;
    uint16_t result;

    memcpy(segment, ip + 20, udp_length);
    segment[6] = segment[7] = 0;
    sum = sum_words(sum, ip + 12, 8);
    sum += IP_PROTOCOL_UDP + udp_length;
    sum = sum_words(sum, segment, udp_length);
    result = fold(sum);
    return result == 0 ? 0xffff : result;
}

/* --- the simulated frontend ------------------------------------------------------------ */

static struct netif_tx_request tx_request(unsigned int page, uint16_t offset, uint16_t flags, uint16_t id,
                                          uint16_t size)
{
    return (struct netif_tx_request) { .gref = gref_of(page), .offset = offset, .flags = flags, .id = id,
                                       .size = size };
}

static void put_tx(const struct netif_tx_request *request)
{
    ck_assert(ring_front_put_request(&front_tx, request, sizeof(*request)));
}

static void put_tx_extra(const struct netif_extra_info *extra)
{
    ck_assert(ring_front_put_request(&front_tx, extra, sizeof(*extra)));
}

static void publish_tx(void)
{
    ring_front_push_requests(&front_tx);
}

/* A frame in one slot: its bytes at offset of data page `page`. */
static void send_frame(unsigned int page, uint16_t offset, const uint8_t *frame, uint16_t length, uint16_t flags,
                       uint16_t id)
{
    struct netif_tx_request request = tx_request(page, offset, flags, id, length);

    memcpy(data_page(page) + offset, frame, length);
    put_tx(&request);
    publish_tx();
}

static void send_plain_frame(unsigned int page, uint16_t length, uint16_t id)
{
    uint8_t frame[PAGE_BYTES];

    make_plain_frame(frame, length, (uint8_t)id);
    send_frame(page, 0, frame, length, 0, id);
}

static struct netif_tx_response next_tx_response(void)
{
    union netif_tx_sring_entry entry;

    ck_assert_uint_ge(ring_front_poll_responses(&front_tx), 1);
    ck_assert(ring_front_take_response(&front_tx, &entry));
    return entry.rsp;
}

static void expect_tx_response(uint16_t id, int16_t status)
{
    struct netif_tx_response response = next_tx_response();

    ck_assert_uint_eq(response.id, id);
    ck_assert_int_eq(response.status, status);
}

static void post_rx(uint16_t id, grant_ref_t gref)
{
    struct netif_rx_request request = { .id = id, .gref = gref };

    ck_assert(ring_front_put_request(&front_rx, &request, sizeof(request)));
    ring_front_push_requests(&front_rx);
}

static struct netif_rx_response next_rx_response(void)
{
    union netif_rx_sring_entry entry;

    ck_assert_uint_ge(ring_front_poll_responses(&front_rx), 1);
    ck_assert(ring_front_take_response(&front_rx, &entry));
    return entry.rsp;
}

/* A buffer of dom0's holding a plain frame of length bytes, one reference
 * (the test's), from bridge port 1 or 2 as the seed is odd or even. */
static struct packet_buffer *dom0_frame(uint32_t length, uint8_t seed)
{
    struct packet_buffer *frame = packet_buffer_allocate(&pool);

    ck_assert_ptr_nonnull(frame);
    make_plain_frame(frame->data, length, seed);
    frame->length = length;
    frame->source_port = (uint16_t)(1 + seed % 2);
    return frame;
}

/* Queues a fresh frame for the guest and drops the test's reference. */
static void queue_frame(uint32_t length, uint8_t seed)
{
    struct packet_buffer *frame = dom0_frame(length, seed);

    ck_assert_int_eq(netback_queue_frame(&vif, frame), 0);
    packet_buffer_put(&pool, frame);
}

static void release_delivered(void)
{
    for (unsigned int index = 0; index < delivered_count; index++)
        packet_buffer_put(&pool, delivered[index]);
    delivered_count = 0;
}

/* --- transmit ----------------------------------------------------------------------------- */

START_TEST(test_one_slot_frame_is_delivered_intact_and_answered_okay)
{
    uint8_t frame[PAGE_BYTES];

    make_plain_frame(frame, 60, 1);
    send_frame(0, 100, frame, 60, 0, 7);
    netback_service(&vif);
    expect_tx_response(7, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_uint_eq(delivered[0]->length, 60);
    ck_assert_mem_eq(delivered[0]->data, frame, 60);
}
END_TEST

START_TEST(test_delivered_frame_holds_one_reference)
{
    send_plain_frame(0, 100, 1);
    netback_service(&vif);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_uint_eq(delivered[0]->references, 1);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS - 1);
}
END_TEST

START_TEST(test_slots_of_a_packet_are_joined_in_order)
{
    uint8_t frame[PAGE_BYTES];
    struct netif_tx_request first = tx_request(0, 4000, NETTXF_more_data, 1, 1000);
    struct netif_tx_request second = tx_request(1, 0, NETTXF_more_data, 2, 600);
    struct netif_tx_request third = tx_request(2, 8, 0, 3, 304);

    make_plain_frame(frame, 1000, 9);
    memcpy(data_page(0) + 4000, frame, 96);
    memcpy(data_page(1), frame + 96, 600);
    memcpy(data_page(2) + 8, frame + 696, 304);
    put_tx(&first);
    put_tx(&second);
    put_tx(&third);
    publish_tx();
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_OKAY);
    expect_tx_response(2, NETIF_RSP_OKAY);
    expect_tx_response(3, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_uint_eq(delivered[0]->length, 1000);
    ck_assert_mem_eq(delivered[0]->data, frame, 1000);
}
END_TEST

START_TEST(test_packet_is_copied_with_one_grant_copy_call)
{
    struct netif_tx_request first = tx_request(0, 0, NETTXF_more_data, 1, 200);
    struct netif_tx_request second = tx_request(1, 0, 0, 2, 100);

    make_plain_frame(data_page(0), 100, 1);
    put_tx(&first);
    put_tx(&second);
    publish_tx();
    netback_service(&vif);
    ck_assert_uint_eq(vif.statistics.grant_copy_calls, 1);
    ck_assert_uint_eq(vif.statistics.grant_copy_segments, 2);
}
END_TEST

START_TEST(test_packets_of_a_pass_share_grant_copy_calls)
{
    for (unsigned int index = 0; index < 5; index++)
        send_plain_frame(index, 60, (uint16_t)index);
    netback_service(&vif);
    ck_assert_uint_eq(delivered_count, 5);
    ck_assert_uint_eq(vif.statistics.grant_copy_calls, 1);
    ck_assert_uint_eq(vif.statistics.grant_copy_segments, 5);
}
END_TEST

START_TEST(test_packets_are_answered_in_the_order_they_were_sent)
{
    send_plain_frame(0, 60, 30);
    send_plain_frame(1, 70, 10);
    send_plain_frame(2, 80, 20);
    netback_service(&vif);
    expect_tx_response(30, NETIF_RSP_OKAY);
    expect_tx_response(10, NETIF_RSP_OKAY);
    expect_tx_response(20, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 3);
    ck_assert_uint_eq(delivered[1]->length, 70);
}
END_TEST

START_TEST(test_blank_udp_checksum_is_filled_before_delivery)
{
    uint8_t frame[PAGE_BYTES];
    uint32_t length = make_udp_frame(frame, 333);
    const uint8_t *udp;

    send_frame(0, 0, frame, (uint16_t)length, NETTXF_csum_blank | NETTXF_data_validated, 1);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
    udp = delivered[0]->data + ETHERNET_HEADER_BYTES + 20;
    ck_assert_uint_eq(get_be16(udp + 6), expected_udp_checksum(frame, length));
    ck_assert_uint_ne(get_be16(udp + 6), 0);
    ck_assert_uint_eq(vif.statistics.tx_checksums_filled, 1);
}
END_TEST

START_TEST(test_checksum_is_left_alone_unless_blank)
{
    uint8_t frame[PAGE_BYTES];
    uint32_t length = make_udp_frame(frame, 64);

    send_frame(0, 0, frame, (uint16_t)length, 0, 1);
    netback_service(&vif);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_mem_eq(delivered[0]->data, frame, length);
    ck_assert_uint_eq(vif.statistics.tx_checksums_filled, 0);
}
END_TEST

START_TEST(test_blank_checksum_that_cannot_be_filled_drops_the_packet)
{
    uint8_t frame[PAGE_BYTES];

    make_plain_frame(frame, 64, 1);
    send_frame(0, 0, frame, 64, NETTXF_csum_blank, 4);
    netback_service(&vif);
    expect_tx_response(4, NETIF_RSP_ERROR);
    ck_assert_uint_eq(delivered_count, 0);
    ck_assert_uint_eq(vif.statistics.tx_dropped, 1);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS);
}
END_TEST

START_TEST(test_bad_grant_drops_only_its_packet)
{
    struct netif_tx_request bad = tx_request(0, 0, 0, 1, 60);

    bad.gref = 5000;
    put_tx(&bad);
    publish_tx();
    send_plain_frame(1, 60, 2);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_ERROR);
    expect_tx_response(2, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_uint_eq(vif.statistics.tx_dropped, 1);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS - 1);
    ck_assert(!netback_broken(&vif));
}
END_TEST

START_TEST(test_grant_given_to_another_domain_is_not_copied)
{
    simulated_grants_permit(&world, FRONTEND, gref_of(0), STRANGER, data_frames[0], false);
    send_plain_frame(0, 60, 1);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_ERROR);
    ck_assert_uint_eq(delivered_count, 0);
}
END_TEST

START_TEST(test_read_only_grant_is_enough_to_transmit)
{
    simulated_grants_permit(&world, FRONTEND, gref_of(0), DOM0, data_frames[0], true);
    send_plain_frame(0, 60, 1);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
}
END_TEST

START_TEST(test_no_grant_is_in_use_once_answered)
{
    struct netif_tx_request first = tx_request(0, 0, NETTXF_more_data, 1, 120);
    struct netif_tx_request second = tx_request(1, 0, 0, 2, 60);

    put_tx(&first);
    put_tx(&second);
    publish_tx();
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_OKAY);
    ck_assert_uint_eq(simulated_grants_entry(&world, FRONTEND, gref_of(0))->flags, GTF_permit_access);
    ck_assert_uint_eq(simulated_grants_entry(&world, FRONTEND, gref_of(1))->flags, GTF_permit_access);
}
END_TEST

START_TEST(test_undersized_frame_is_dropped_and_the_vif_goes_on)
{
    send_plain_frame(0, ETHERNET_HEADER_BYTES - 1, 1);
    send_plain_frame(1, 60, 2);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_ERROR);
    expect_tx_response(2, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert(!netback_broken(&vif));
}
END_TEST

START_TEST(test_oversized_frame_is_dropped_and_the_vif_goes_on)
{
    struct netif_tx_request first = tx_request(0, 0, NETTXF_more_data, 1, ETHERNET_MAX_FRAME_BYTES + 1);
    struct netif_tx_request second = tx_request(1, 0, 0, 2, 1);

    put_tx(&first);
    put_tx(&second);
    publish_tx();
    send_plain_frame(2, 60, 3);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_ERROR);
    expect_tx_response(2, NETIF_RSP_ERROR);
    expect_tx_response(3, NETIF_RSP_OKAY);
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_uint_eq(vif.statistics.tx_dropped, 1);
}
END_TEST

START_TEST(test_extra_slot_of_a_dropped_packet_is_answered_null)
{
    struct netif_tx_request first = tx_request(0, 0, NETTXF_extra_info, 1, 60);
    struct netif_extra_info gso = { .type = XEN_NETIF_EXTRA_TYPE_GSO, .u.gso = { .size = 1448,
                                                                                .type = XEN_NETIF_GSO_TYPE_TCPV4 } };

    put_tx(&first);
    put_tx_extra(&gso);
    publish_tx();
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_ERROR);
    ck_assert_int_eq(next_tx_response().status, NETIF_RSP_NULL);
    ck_assert_uint_eq(delivered_count, 0);
    ck_assert(!netback_broken(&vif));
}
END_TEST

START_TEST(test_pool_exhaustion_drops_the_packet)
{
    struct packet_buffer *held[POOL_BUFFERS];

    for (unsigned int index = 0; index < POOL_BUFFERS; index++)
        held[index] = packet_buffer_allocate(&pool);
    send_plain_frame(0, 60, 1);
    netback_service(&vif);
    expect_tx_response(1, NETIF_RSP_ERROR);
    ck_assert_uint_eq(vif.statistics.tx_dropped, 1);
    packet_buffer_put(&pool, held[0]);
    send_plain_frame(0, 60, 2);
    netback_service(&vif);
    expect_tx_response(2, NETIF_RSP_OKAY);
}
END_TEST

START_TEST(test_tx_pass_serves_at_most_its_budget)
{
    unsigned int sent = NETBACK_TX_PACKETS_PER_PASS + 8;

    for (unsigned int index = 0; index < sent; index++)
        send_plain_frame(index % DATA_PAGES, 60, (uint16_t)index);
    ck_assert(netback_service(&vif));
    ck_assert_uint_eq(delivered_count, NETBACK_TX_PACKETS_PER_PASS);
    ck_assert_uint_eq(ring_front_poll_responses(&front_tx), NETBACK_TX_PACKETS_PER_PASS);
    ck_assert(!netback_service(&vif));
    ck_assert_uint_eq(delivered_count, sent);
}
END_TEST

START_TEST(test_counters_add_up_the_transmitted_bytes)
{
    send_plain_frame(0, 60, 1);
    send_plain_frame(1, 1514, 2);
    netback_service(&vif);
    ck_assert_uint_eq(vif.statistics.tx_packets, 2);
    ck_assert_uint_eq(vif.statistics.tx_bytes, 1574);
}
END_TEST

/* --- protocol violations: the vif alone is disabled ---------------------------------------- */

static void expect_disabled_without_responses(void)
{
    ck_assert(netback_broken(&vif));
    ck_assert_uint_eq(ring_front_poll_responses(&front_tx), 0);
    ck_assert_uint_eq(delivered_count, 0);
}

START_TEST(test_slot_crossing_its_page_disables_the_vif)
{
    struct netif_tx_request crossing = tx_request(0, 4000, 0, 1, 200);

    put_tx(&crossing);
    publish_tx();
    netback_service(&vif);
    expect_disabled_without_responses();
}
END_TEST

START_TEST(test_packets_before_a_fatal_one_are_still_delivered)
{
    struct netif_tx_request crossing = tx_request(1, 4000, 0, 2, 200);

    send_plain_frame(0, 60, 1);
    put_tx(&crossing);
    publish_tx();
    netback_service(&vif);
    ck_assert(netback_broken(&vif));
    ck_assert_uint_eq(delivered_count, 1);
    ck_assert_uint_eq(delivered[0]->length, 60);
}
END_TEST

START_TEST(test_packet_claiming_unpublished_slots_disables_the_vif)
{
    struct netif_tx_request first = tx_request(0, 0, NETTXF_more_data, 1, 200);

    put_tx(&first);
    publish_tx();
    netback_service(&vif);
    expect_disabled_without_responses();
}
END_TEST

START_TEST(test_producer_beyond_the_ring_disables_the_vif)
{
    send_plain_frame(0, 60, 1);
    front_tx.shared->req_prod = RING_ENTRIES + 1;
    netback_service(&vif);
    expect_disabled_without_responses();
}
END_TEST

START_TEST(test_rx_producer_beyond_the_ring_disables_the_vif)
{
    queue_frame(60, 1);
    front_rx.shared->req_prod = RING_ENTRIES + 1;
    netback_service(&vif);
    ck_assert(netback_broken(&vif));
    ck_assert_uint_eq(ring_front_poll_responses(&front_rx), 0);
}
END_TEST

START_TEST(test_disabled_vif_never_reads_its_ring_again)
{
    struct netif_tx_request first = tx_request(0, 0, NETTXF_more_data, 1, 200);

    put_tx(&first);
    publish_tx();
    netback_service(&vif);
    send_plain_frame(1, 60, 2);
    ck_assert(!netback_service(&vif));
    ck_assert_uint_eq(vif.tx.req_cons, 1);
    ck_assert_uint_eq(delivered_count, 0);
}
END_TEST

START_TEST(test_disabled_vif_releases_its_queue_and_refuses_frames)
{
    struct packet_buffer *frame;

    queue_frame(60, 1);
    queue_frame(60, 2);
    front_tx.shared->req_prod = RING_ENTRIES + 1;
    netback_service(&vif);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS);
    frame = dom0_frame(60, 3);
    ck_assert_int_eq(netback_queue_frame(&vif, frame), -XEN_ENOTCONN);
    ck_assert_uint_eq(frame->references, 1);
}
END_TEST

/* --- receive --------------------------------------------------------------------------------- */

START_TEST(test_queued_frame_fills_an_rx_request_at_offset_zero)
{
    struct packet_buffer *frame = dom0_frame(98, 5);
    struct netif_rx_response response;

    ck_assert_int_eq(netback_queue_frame(&vif, frame), 0);
    post_rx(44, gref_of(3));
    netback_service(&vif);
    response = next_rx_response();
    ck_assert_uint_eq(response.id, 44);
    ck_assert_uint_eq(response.offset, 0);
    ck_assert_uint_eq(response.flags, 0);
    ck_assert_int_eq(response.status, 98);
    ck_assert_mem_eq(data_page(3), frame->data, 98);
}
END_TEST

START_TEST(test_rx_response_sits_in_its_request_s_ring_slot)
{
    const struct netif_rx_response *slots = (const struct netif_rx_response *)(rx_page + RING_ENTRIES_OFFSET);

    post_rx(200, gref_of(0));
    post_rx(17, gref_of(1));
    post_rx(9, gref_of(2));
    queue_frame(60, 1);
    queue_frame(61, 2);
    netback_service(&vif);
    ck_assert_uint_eq(slots[0].id, 200);
    ck_assert_int_eq(slots[0].status, 60);
    ck_assert_uint_eq(slots[1].id, 17);
    ck_assert_int_eq(slots[1].status, 61);
    ck_assert_uint_eq(((const struct netif_rx_request *)slots)[2].id, 9);
    ck_assert_uint_eq(((const struct ring_shared *)rx_page)->rsp_prod, 2);
}
END_TEST

START_TEST(test_frames_wait_for_the_guest_s_rx_requests)
{
    queue_frame(60, 1);
    ck_assert(!netback_service(&vif));
    ck_assert_uint_eq(ring_front_poll_responses(&front_rx), 0);
    post_rx(1, gref_of(0));
    netback_service(&vif);
    ck_assert_int_eq(next_rx_response().status, 60);
    ck_assert_uint_eq(vif.statistics.rx_packets, 1);
}
END_TEST

START_TEST(test_frame_is_released_once_copied_to_the_guest)
{
    queue_frame(60, 1);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS - 1);
    post_rx(1, gref_of(0));
    netback_service(&vif);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS);
}
END_TEST

START_TEST(test_full_queue_drops_the_frame_and_counts_it)
{
    struct packet_buffer *frame;

    for (unsigned int index = 0; index < NETBACK_RX_QUEUE; index++)
        queue_frame(60, (uint8_t)index);
    frame = dom0_frame(60, 1);
    ck_assert_int_eq(netback_queue_frame(&vif, frame), -XEN_ENOSPC);
    ck_assert_uint_eq(frame->references, 1);
    ck_assert_uint_eq(vif.statistics.rx_dropped_queue_full, 1);
}
END_TEST

/* A frame from bridge port `port`, queued; the result of netback_queue_frame. */
static int queue_frame_from(uint16_t port)
{
    struct packet_buffer *frame = dom0_frame(60, (uint8_t)port);
    int result;

    frame->source_port = port;
    result = netback_queue_frame(&vif, frame);
    packet_buffer_put(&pool, frame);
    return result;
}

START_TEST(test_one_source_holds_at_most_its_share_of_the_queue)
{
    for (unsigned int index = 0; index < NETBACK_RX_QUEUE_PER_SOURCE; index++)
        ck_assert_int_eq(queue_frame_from(3), 0);
    ck_assert_int_eq(queue_frame_from(3), -XEN_ENOSPC);
    ck_assert_int_eq(queue_frame_from(4), 0);
    ck_assert_uint_eq(vif.statistics.rx_dropped_queue_full, 1);
}
END_TEST

START_TEST(test_source_s_share_frees_as_its_frames_reach_the_guest)
{
    for (unsigned int index = 0; index < NETBACK_RX_QUEUE_PER_SOURCE; index++)
        queue_frame_from(3);
    post_rx(1, gref_of(0));
    netback_service(&vif);
    ck_assert_int_eq(queue_frame_from(3), 0);
}
END_TEST

START_TEST(test_guest_that_never_refills_holds_at_most_the_queue)
{
    unsigned int offered = NETBACK_RX_QUEUE + 36;

    for (unsigned int index = 0; index < offered; index++) {
        struct packet_buffer *frame = dom0_frame(60, (uint8_t)index);

        frame->source_port = (uint16_t)(index % 2);
        netback_queue_frame(&vif, frame);
        packet_buffer_put(&pool, frame);
        netback_service(&vif);
    }
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS - NETBACK_RX_QUEUE);
    ck_assert_uint_eq(vif.statistics.rx_dropped_queue_full, 36);
}
END_TEST

START_TEST(test_frames_go_to_the_guest_in_queue_order)
{
    queue_frame(60, 1);
    queue_frame(61, 2);
    queue_frame(62, 3);
    post_rx(1, gref_of(0));
    post_rx(2, gref_of(1));
    netback_service(&vif);
    post_rx(3, gref_of(2));
    netback_service(&vif);
    ck_assert_int_eq(next_rx_response().status, 60);
    ck_assert_int_eq(next_rx_response().status, 61);
    ck_assert_int_eq(next_rx_response().status, 62);
}
END_TEST

START_TEST(test_rx_copy_to_a_bad_grant_fails_that_frame_alone)
{
    queue_frame(60, 1);
    queue_frame(61, 2);
    post_rx(1, 5000);
    post_rx(2, gref_of(1));
    netback_service(&vif);
    ck_assert_int_eq(next_rx_response().status, NETIF_RSP_ERROR);
    ck_assert_int_eq(next_rx_response().status, 61);
    ck_assert_uint_eq(vif.statistics.rx_copy_failures, 1);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS);
    ck_assert(!netback_broken(&vif));
}
END_TEST

START_TEST(test_rx_copy_to_a_read_only_grant_fails)
{
    simulated_grants_permit(&world, FRONTEND, gref_of(0), DOM0, data_frames[0], true);
    queue_frame(60, 1);
    post_rx(1, gref_of(0));
    netback_service(&vif);
    ck_assert_int_eq(next_rx_response().status, NETIF_RSP_ERROR);
}
END_TEST

START_TEST(test_frames_are_copied_with_one_grant_copy_call_per_pass)
{
    for (unsigned int index = 0; index < 5; index++) {
        queue_frame(60 + index, (uint8_t)index);
        post_rx((uint16_t)index, gref_of(index));
    }
    netback_service(&vif);
    ck_assert_uint_eq(vif.statistics.rx_packets, 5);
    ck_assert_uint_eq(vif.statistics.rx_bytes, 60 + 61 + 62 + 63 + 64);
    ck_assert_uint_eq(vif.statistics.grant_copy_calls, 1);
    ck_assert_uint_eq(vif.statistics.grant_copy_segments, 5);
}
END_TEST

START_TEST(test_unattached_vif_refuses_frames)
{
    struct netback_config config = { .frontend_domain = FRONTEND, .address = vif_address };
    struct packet_buffer *frame = dom0_frame(60, 1);

    netback_init(&vif, &operations, &config, &pool, NULL);
    ck_assert_int_eq(netback_queue_frame(&vif, frame), -XEN_ENOTCONN);
    ck_assert(!netback_broken(&vif));
}
END_TEST

/* --- events --------------------------------------------------------------------------------- */

START_TEST(test_frontend_is_notified_once_for_both_rings)
{
    queue_frame(60, 1);
    post_rx(1, gref_of(0));
    send_plain_frame(1, 60, 2);
    netback_service(&vif);
    ck_assert_uint_eq(notifications, 1);
    ck_assert_uint_eq(vif.statistics.notifications, 1);
}
END_TEST

START_TEST(test_frontend_is_not_notified_when_it_did_not_ask)
{
    ((struct ring_shared *)tx_page)->rsp_event = 100;
    send_plain_frame(0, 60, 1);
    netback_service(&vif);
    ck_assert_uint_eq(notifications, 0);
    expect_tx_response(1, NETIF_RSP_OKAY);
}
END_TEST

START_TEST(test_idle_pass_asks_for_the_next_tx_request)
{
    send_plain_frame(0, 60, 1);
    ck_assert(!netback_service(&vif));
    ck_assert_uint_eq(((struct ring_shared *)tx_page)->req_event, 2);
}
END_TEST

START_TEST(test_rx_requests_are_asked_for_only_while_frames_wait)
{
    struct ring_shared *shared = (struct ring_shared *)rx_page;

    post_rx(1, gref_of(0));
    queue_frame(60, 1);
    shared->req_event = 0;
    netback_service(&vif);
    ck_assert_uint_eq(shared->req_event, 0);
    queue_frame(60, 2);
    netback_service(&vif);
    ck_assert_uint_eq(shared->req_event, 2);
}
END_TEST

/* --- stopping --------------------------------------------------------------------------------- */

START_TEST(test_stopped_vif_releases_its_queue)
{
    queue_frame(60, 1);
    queue_frame(60, 2);
    netback_stop(&vif);
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS);
}
END_TEST

START_TEST(test_stopped_vif_never_touches_its_rings)
{
    send_plain_frame(0, 60, 1);
    post_rx(1, gref_of(1));
    netback_stop(&vif);
    ck_assert(!netback_service(&vif));
    ck_assert_uint_eq(vif.tx.req_cons, 0);
    ck_assert_uint_eq(((struct ring_shared *)tx_page)->rsp_prod, 0);
    ck_assert_int_eq(netback_queue_frame(&vif, dom0_frame(60, 1)), -XEN_ENOTCONN);
    ck_assert(!netback_broken(&vif));
}
END_TEST

START_TEST(test_delivered_frames_outlive_the_vif)
{
    send_plain_frame(0, 60, 1);
    netback_service(&vif);
    netback_stop(&vif);
    ck_assert_uint_eq(delivered[0]->references, 1);
    release_delivered();
    ck_assert_uint_eq(pool.free_count, POOL_BUFFERS);
}
END_TEST

static Suite *netback_suite(void)
{
    Suite *suite = suite_create("netback");
    TCase *transmit = tcase_create("transmit");
    TCase *violations = tcase_create("violations");
    TCase *receive = tcase_create("receive");
    TCase *events = tcase_create("events");
    TCase *stopping = tcase_create("stopping");

    tcase_add_checked_fixture(transmit, setup, teardown);
    tcase_add_test(transmit, test_one_slot_frame_is_delivered_intact_and_answered_okay);
    tcase_add_test(transmit, test_delivered_frame_holds_one_reference);
    tcase_add_test(transmit, test_slots_of_a_packet_are_joined_in_order);
    tcase_add_test(transmit, test_packet_is_copied_with_one_grant_copy_call);
    tcase_add_test(transmit, test_packets_of_a_pass_share_grant_copy_calls);
    tcase_add_test(transmit, test_packets_are_answered_in_the_order_they_were_sent);
    tcase_add_test(transmit, test_blank_udp_checksum_is_filled_before_delivery);
    tcase_add_test(transmit, test_checksum_is_left_alone_unless_blank);
    tcase_add_test(transmit, test_blank_checksum_that_cannot_be_filled_drops_the_packet);
    tcase_add_test(transmit, test_bad_grant_drops_only_its_packet);
    tcase_add_test(transmit, test_grant_given_to_another_domain_is_not_copied);
    tcase_add_test(transmit, test_read_only_grant_is_enough_to_transmit);
    tcase_add_test(transmit, test_no_grant_is_in_use_once_answered);
    tcase_add_test(transmit, test_undersized_frame_is_dropped_and_the_vif_goes_on);
    tcase_add_test(transmit, test_oversized_frame_is_dropped_and_the_vif_goes_on);
    tcase_add_test(transmit, test_extra_slot_of_a_dropped_packet_is_answered_null);
    tcase_add_test(transmit, test_pool_exhaustion_drops_the_packet);
    tcase_add_test(transmit, test_tx_pass_serves_at_most_its_budget);
    tcase_add_test(transmit, test_counters_add_up_the_transmitted_bytes);
    suite_add_tcase(suite, transmit);

    tcase_add_checked_fixture(violations, setup, teardown);
    tcase_add_test(violations, test_slot_crossing_its_page_disables_the_vif);
    tcase_add_test(violations, test_packets_before_a_fatal_one_are_still_delivered);
    tcase_add_test(violations, test_packet_claiming_unpublished_slots_disables_the_vif);
    tcase_add_test(violations, test_producer_beyond_the_ring_disables_the_vif);
    tcase_add_test(violations, test_rx_producer_beyond_the_ring_disables_the_vif);
    tcase_add_test(violations, test_disabled_vif_never_reads_its_ring_again);
    tcase_add_test(violations, test_disabled_vif_releases_its_queue_and_refuses_frames);
    suite_add_tcase(suite, violations);

    tcase_add_checked_fixture(receive, setup, teardown);
    tcase_add_test(receive, test_queued_frame_fills_an_rx_request_at_offset_zero);
    tcase_add_test(receive, test_rx_response_sits_in_its_request_s_ring_slot);
    tcase_add_test(receive, test_frames_wait_for_the_guest_s_rx_requests);
    tcase_add_test(receive, test_frame_is_released_once_copied_to_the_guest);
    tcase_add_test(receive, test_full_queue_drops_the_frame_and_counts_it);
    tcase_add_test(receive, test_one_source_holds_at_most_its_share_of_the_queue);
    tcase_add_test(receive, test_source_s_share_frees_as_its_frames_reach_the_guest);
    tcase_add_test(receive, test_guest_that_never_refills_holds_at_most_the_queue);
    tcase_add_test(receive, test_frames_go_to_the_guest_in_queue_order);
    tcase_add_test(receive, test_rx_copy_to_a_bad_grant_fails_that_frame_alone);
    tcase_add_test(receive, test_rx_copy_to_a_read_only_grant_fails);
    tcase_add_test(receive, test_frames_are_copied_with_one_grant_copy_call_per_pass);
    tcase_add_test(receive, test_unattached_vif_refuses_frames);
    suite_add_tcase(suite, receive);

    tcase_add_checked_fixture(events, setup, teardown);
    tcase_add_test(events, test_frontend_is_notified_once_for_both_rings);
    tcase_add_test(events, test_frontend_is_not_notified_when_it_did_not_ask);
    tcase_add_test(events, test_idle_pass_asks_for_the_next_tx_request);
    tcase_add_test(events, test_rx_requests_are_asked_for_only_while_frames_wait);
    suite_add_tcase(suite, events);

    tcase_add_checked_fixture(stopping, setup, teardown);
    tcase_add_test(stopping, test_stopped_vif_releases_its_queue);
    tcase_add_test(stopping, test_stopped_vif_never_touches_its_rings);
    tcase_add_test(stopping, test_delivered_frames_outlive_the_vif);
    suite_add_tcase(suite, stopping);
    return suite;
}

REGISTER_SUITE(netback_suite)
