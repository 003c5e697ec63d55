/*
 * Specification of Ethernet frame parsing and transport checksums
 * (backend/ethernet.h).
 *
 * The known frames below were built on the host with python3's struct
 * module (Ethernet 00:16:3e:00:00:21 -> 00:16:3e:00:00:22, 10.0.2.21 ->
 * 10.0.2.22, fd00::21 -> fd00::22) with their checksums computed there,
 * and checked independently by tcpdump 4.99 reading them from a pcap file
 * ("tcpdump -vv -n -r"): it reported "[udp sum ok]" for the UDP frames
 * and "cksum 0xe87b (correct)", "cksum 0x6fb6 (correct)" and "cksum
 * 0x9dc9 (correct)" for the TCP ones.  A test blanks a frame's checksum
 * field (or leaves what Linux's CHECKSUM_PARTIAL leaves there), fills it
 * and compares the whole frame with the known one.
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <backend/ethernet.h>

#include "suites.h"

/* IPv4 UDP, 31 payload bytes (odd), then 6 bytes of Ethernet padding after the IP packet: 79 bytes, checksum 0x106c. */
static const uint8_t ipv4_udp[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x22, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x3b, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
    0x10, 0x54, 0x0a, 0x00, 0x02, 0x15, 0x0a, 0x00, 0x02, 0x16, 0x9c, 0x40,
    0x00, 0x07, 0x00, 0x27, 0x10, 0x6c, 0x70, 0x76, 0x6d, 0x6f, 0x6e, 0x3a,
    0x20, 0x6e, 0x75, 0x6d, 0x62, 0x65, 0x72, 0x65, 0x64, 0x20, 0x66, 0x72,
    0x61, 0x6d, 0x65, 0x20, 0x30, 0x30, 0x30, 0x31, 0x20, 0x6f, 0x6b, 0x0a,
    0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* IPv4 TCP with 8 option bytes and 37 payload bytes (odd): 98 bytes, checksum 0xe87b. */
static const uint8_t ipv4_tcp[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x22, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x43, 0x21, 0x40, 0x00, 0x40, 0x06,
    0xdf, 0x58, 0x0a, 0x00, 0x02, 0x15, 0x0a, 0x00, 0x02, 0x16, 0x9c, 0x41,
    0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x70, 0x18,
    0x01, 0xf6, 0xe8, 0x7b, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01,
    0x04, 0x02, 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50,
    0x2f, 0x31, 0x2e, 0x30, 0x0d, 0x0a, 0x48, 0x6f, 0x73, 0x74, 0x3a, 0x20,
    0x31, 0x30, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0x32, 0x32, 0x0d, 0x0a, 0x0d,
    0x0a, 0x21,
};
/* IPv6 UDP, 19 payload bytes: 81 bytes, checksum 0x7aad. */
static const uint8_t ipv6_udp[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x22, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x1b, 0x11, 0x40, 0xfd, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x21, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0x9c, 0x42, 0x00, 0x35, 0x00, 0x1b,
    0x7a, 0xad, 0x70, 0x76, 0x6d, 0x6f, 0x6e, 0x20, 0x69, 0x70, 0x76, 0x36,
    0x20, 0x64, 0x61, 0x74, 0x61, 0x67, 0x72, 0x61, 0x6d,
};
/* IPv6 TCP, 24 payload bytes: 98 bytes, checksum 0x6fb6. */
static const uint8_t ipv6_tcp[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x22, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21,
    0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x06, 0x40, 0xfd, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x21, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0x9c, 0x41, 0x00, 0x50, 0x01, 0x02,
    0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x50, 0x18, 0x01, 0xf6, 0x6f, 0xb6,
    0x00, 0x00, 0x70, 0x76, 0x6d, 0x6f, 0x6e, 0x20, 0x69, 0x70, 0x76, 0x36,
    0x20, 0x73, 0x65, 0x67, 0x6d, 0x65, 0x6e, 0x74, 0x2c, 0x20, 0x6f, 0x64,
    0x64, 0x2e,
};
/* IPv4 TCP behind an 802.1Q tag (VLAN 5): 64 bytes, checksum 0x9dc9. */
static const uint8_t vlan_ipv4_tcp[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x22, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21,
    0x81, 0x00, 0x00, 0x05, 0x08, 0x00, 0x45, 0x00, 0x00, 0x2e, 0x55, 0x55,
    0x40, 0x00, 0x40, 0x06, 0xcd, 0x4a, 0x0a, 0x00, 0x02, 0x15, 0x0a, 0x00,
    0x02, 0x16, 0x9c, 0x41, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b,
    0x0c, 0x0d, 0x50, 0x18, 0x01, 0xf6, 0x9d, 0xc9, 0x00, 0x00, 0x74, 0x61,
    0x67, 0x67, 0x65, 0x64,
};
/* IPv4 UDP whose last payload word makes the sum come out as 0: sent as 0xffff: 52 bytes, checksum 0xffff. */
static const uint8_t ipv4_udp_zero[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x22, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x26, 0x01, 0x01, 0x40, 0x00, 0x40, 0x11,
    0x21, 0x9c, 0x0a, 0x00, 0x02, 0x15, 0x0a, 0x00, 0x02, 0x16, 0x9c, 0x40,
    0x00, 0x07, 0x00, 0x12, 0xff, 0xff, 0x7a, 0x65, 0x72, 0x6f, 0x20, 0x73,
    0x75, 0x6d, 0xc8, 0xa2,
};

#define IPV4_UDP_CHECKSUM 40
#define IPV4_TCP_CHECKSUM 50
#define IPV6_UDP_CHECKSUM 60
#define IPV6_TCP_CHECKSUM 70
#define VLAN_TCP_CHECKSUM 54
/* What Linux's CHECKSUM_PARTIAL leaves in ipv4_tcp's field: the pseudo-header's folded sum. */
#define IPV4_TCP_PSEUDO_HEADER_SUM 0x1871

static uint8_t frame[ETHERNET_MAX_FRAME_BYTES];

static void load(const uint8_t *known, size_t length)
{
    memset(frame, 0xa5, sizeof(frame));
    memcpy(frame, known, length);
}

static void set_be16(size_t offset, uint16_t value)
{
    frame[offset] = (uint8_t)(value >> 8);
    frame[offset + 1] = (uint8_t)value;
}

/* Loads known with `left` in its checksum field, fills it, and expects the known frame back. */
static void assert_filled_as_known(const uint8_t *known, size_t length, size_t field, uint16_t left)
{
    load(known, length);
    set_be16(field, left);
    ck_assert_int_eq(ethernet_fill_transport_checksum(frame, length), 0);
    ck_assert_mem_eq(frame, known, length);
}

/* The frame is refused and left as it was. */
static void assert_refused_untouched(size_t length)
{
    uint8_t before[sizeof(frame)];

    memcpy(before, frame, sizeof(frame));
    ck_assert_int_eq(ethernet_fill_transport_checksum(frame, length), -XEN_EINVAL);
    ck_assert_mem_eq(frame, before, sizeof(frame));
}

START_TEST(test_rfc1071_example_sums_to_ddf2)
{
    static const uint8_t bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

    ck_assert_uint_eq(internet_checksum_add(0, bytes, sizeof(bytes)), 0x2ddf0);
    ck_assert_uint_eq(internet_checksum_finish(0x2ddf0), 0x220d);
}
END_TEST

START_TEST(test_odd_last_byte_is_padded_with_zero)
{
    static const uint8_t bytes[] = { 0x12, 0x34, 0x56 };

    ck_assert_uint_eq(internet_checksum_add(0, bytes, sizeof(bytes)), 0x1234 + 0x5600);
}
END_TEST

START_TEST(test_sum_continues_across_calls_split_at_an_even_byte)
{
    uint32_t whole = internet_checksum_add(0, ipv4_tcp, sizeof(ipv4_tcp));
    uint32_t split = internet_checksum_add(internet_checksum_add(0, ipv4_tcp, 34), ipv4_tcp + 34, sizeof(ipv4_tcp) - 34);

    ck_assert_uint_eq(internet_checksum_finish(split), internet_checksum_finish(whole));
}
END_TEST

START_TEST(test_sum_near_the_top_of_32_bits_keeps_its_carries)
{
    static const uint8_t bytes[] = { 0xff, 0xff, 0x00, 0x02 };
    uint32_t sum = internet_checksum_add(0xffffffffu, bytes, sizeof(bytes));

    /* 0xffffffff folds to 0xffff: the sum is 0xffff + 0xffff + 2, whose checksum is 0xfffd (a sum
     * wrapping at 32 bits would lose a carry and give 0xfffe). */
    ck_assert_uint_eq(internet_checksum_finish(sum), 0xfffd);
}
END_TEST

START_TEST(test_ipv4_udp_checksum_is_filled)
{
    assert_filled_as_known(ipv4_udp, sizeof(ipv4_udp), IPV4_UDP_CHECKSUM, 0);
}
END_TEST

START_TEST(test_ipv4_tcp_checksum_is_filled_over_options_and_an_odd_payload)
{
    assert_filled_as_known(ipv4_tcp, sizeof(ipv4_tcp), IPV4_TCP_CHECKSUM, 0);
}
END_TEST

START_TEST(test_pseudo_header_sum_left_by_linux_is_replaced)
{
    assert_filled_as_known(ipv4_tcp, sizeof(ipv4_tcp), IPV4_TCP_CHECKSUM, IPV4_TCP_PSEUDO_HEADER_SUM);
}
END_TEST

START_TEST(test_garbage_left_in_the_field_is_replaced)
{
    assert_filled_as_known(ipv4_udp, sizeof(ipv4_udp), IPV4_UDP_CHECKSUM, 0xbeef);
}
END_TEST

START_TEST(test_ipv6_udp_checksum_is_filled)
{
    assert_filled_as_known(ipv6_udp, sizeof(ipv6_udp), IPV6_UDP_CHECKSUM, 0);
}
END_TEST

START_TEST(test_ipv6_tcp_checksum_is_filled)
{
    assert_filled_as_known(ipv6_tcp, sizeof(ipv6_tcp), IPV6_TCP_CHECKSUM, 0);
}
END_TEST

START_TEST(test_checksum_behind_a_vlan_tag_is_filled)
{
    assert_filled_as_known(vlan_ipv4_tcp, sizeof(vlan_ipv4_tcp), VLAN_TCP_CHECKSUM, 0);
}
END_TEST

START_TEST(test_udp_sum_of_zero_is_sent_as_ffff)
{
    assert_filled_as_known(ipv4_udp_zero, sizeof(ipv4_udp_zero), IPV4_UDP_CHECKSUM, 0);
}
END_TEST

START_TEST(test_ethernet_padding_is_not_summed)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(IPV4_UDP_CHECKSUM, 0);
    memset(frame + sizeof(ipv4_udp) - 6, 0x5a, 6);
    ck_assert_int_eq(ethernet_fill_transport_checksum(frame, sizeof(ipv4_udp)), 0);
    ck_assert_mem_eq(frame + IPV4_UDP_CHECKSUM, ipv4_udp + IPV4_UDP_CHECKSUM, 2);
}
END_TEST

START_TEST(test_ipv4_fragment_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    frame[20] |= 0x20; /* more fragments */
    assert_refused_untouched(sizeof(ipv4_udp));
}
END_TEST

START_TEST(test_ipv4_later_fragment_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(20, 0x0001); /* fragment offset 8 bytes, DF cleared */
    assert_refused_untouched(sizeof(ipv4_udp));
}
END_TEST

START_TEST(test_ipv6_extension_header_is_refused)
{
    load(ipv6_udp, sizeof(ipv6_udp));
    frame[20] = 0; /* next header: hop-by-hop options */
    assert_refused_untouched(sizeof(ipv6_udp));
}
END_TEST

START_TEST(test_icmp_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    frame[23] = IP_PROTOCOL_ICMP;
    assert_refused_untouched(sizeof(ipv4_udp));
}
END_TEST

START_TEST(test_arp_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(12, ETHERTYPE_ARP);
    assert_refused_untouched(sizeof(ipv4_udp));
}
END_TEST

START_TEST(test_ipv4_total_length_beyond_the_frame_is_refused)
{
    load(ipv4_tcp, sizeof(ipv4_tcp));
    assert_refused_untouched(sizeof(ipv4_tcp) - 1);
}
END_TEST

START_TEST(test_ipv6_payload_length_beyond_the_frame_is_refused)
{
    load(ipv6_tcp, sizeof(ipv6_tcp));
    assert_refused_untouched(sizeof(ipv6_tcp) - 1);
}
END_TEST

START_TEST(test_tcp_segment_shorter_than_its_header_is_refused)
{
    load(ipv4_tcp, sizeof(ipv4_tcp));
    set_be16(16, 20 + 19); /* total length: a 19-byte TCP segment */
    assert_refused_untouched(sizeof(ipv4_tcp));
}
END_TEST

START_TEST(test_udp_segment_shorter_than_its_header_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(16, 20 + 7);
    assert_refused_untouched(sizeof(ipv4_udp));
}
END_TEST

START_TEST(test_frame_shorter_than_an_ethernet_header_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    assert_refused_untouched(ETHERNET_HEADER_BYTES - 1);
}
END_TEST

START_TEST(test_ipv4_header_cut_short_is_refused)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    assert_refused_untouched(ETHERNET_HEADER_BYTES + 19);
}
END_TEST

START_TEST(test_filled_frames_are_valid)
{
    ck_assert(ethernet_transport_checksum_valid(ipv4_udp, sizeof(ipv4_udp)));
    ck_assert(ethernet_transport_checksum_valid(ipv4_tcp, sizeof(ipv4_tcp)));
    ck_assert(ethernet_transport_checksum_valid(ipv6_udp, sizeof(ipv6_udp)));
    ck_assert(ethernet_transport_checksum_valid(ipv6_tcp, sizeof(ipv6_tcp)));
    ck_assert(ethernet_transport_checksum_valid(vlan_ipv4_tcp, sizeof(vlan_ipv4_tcp)));
    ck_assert(ethernet_transport_checksum_valid(ipv4_udp_zero, sizeof(ipv4_udp_zero)));
}
END_TEST

START_TEST(test_one_flipped_payload_bit_is_invalid)
{
    load(ipv4_tcp, sizeof(ipv4_tcp));
    frame[sizeof(ipv4_tcp) - 1] ^= 0x01;
    ck_assert(!ethernet_transport_checksum_valid(frame, sizeof(ipv4_tcp)));
}
END_TEST

START_TEST(test_flipped_address_in_the_pseudo_header_is_invalid)
{
    load(ipv6_udp, sizeof(ipv6_udp));
    frame[22 + 15] ^= 0x80; /* the source address's last byte */
    ck_assert(!ethernet_transport_checksum_valid(frame, sizeof(ipv6_udp)));
}
END_TEST

START_TEST(test_udp_without_checksum_is_valid_over_ipv4)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(IPV4_UDP_CHECKSUM, 0);
    ck_assert(ethernet_transport_checksum_valid(frame, sizeof(ipv4_udp)));
}
END_TEST

START_TEST(test_udp_without_checksum_is_invalid_over_ipv6)
{
    load(ipv6_udp, sizeof(ipv6_udp));
    set_be16(IPV6_UDP_CHECKSUM, 0);
    ck_assert(!ethernet_transport_checksum_valid(frame, sizeof(ipv6_udp)));
}
END_TEST

START_TEST(test_what_cannot_be_checked_is_invalid)
{
    load(ipv4_udp, sizeof(ipv4_udp));
    frame[23] = IP_PROTOCOL_ICMP;
    ck_assert(!ethernet_transport_checksum_valid(frame, sizeof(ipv4_udp)));
}
END_TEST

START_TEST(test_ipv4_frame_parses_to_its_headers)
{
    struct ethernet_frame_info info;
    static const struct ethernet_address guest21 = { { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21 } };
    static const struct ethernet_address guest22 = { { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x22 } };

    ck_assert_int_eq(ethernet_parse(ipv4_udp, sizeof(ipv4_udp), &info), 0);
    ck_assert(ethernet_address_equal(&info.destination, &guest22));
    ck_assert(ethernet_address_equal(&info.source, &guest21));
    ck_assert_uint_eq(info.ethertype, ETHERTYPE_IPV4);
    ck_assert(!info.vlan_tagged);
    ck_assert_uint_eq(info.network_offset, 14);
    ck_assert_uint_eq(info.ip_version, 4);
    ck_assert_uint_eq(info.transport_protocol, IP_PROTOCOL_UDP);
    ck_assert(!info.ipv4_fragment);
    ck_assert_uint_eq(info.transport_offset, 34);
    ck_assert_uint_eq(info.transport_length, 39); /* not the 6 padding bytes */
}
END_TEST

START_TEST(test_vlan_tag_is_stepped_over)
{
    struct ethernet_frame_info info;

    ck_assert_int_eq(ethernet_parse(vlan_ipv4_tcp, sizeof(vlan_ipv4_tcp), &info), 0);
    ck_assert(info.vlan_tagged);
    ck_assert_uint_eq(info.ethertype, ETHERTYPE_IPV4);
    ck_assert_uint_eq(info.network_offset, 18);
    ck_assert_uint_eq(info.transport_offset, 38);
    ck_assert_uint_eq(info.transport_length, 26);
}
END_TEST

START_TEST(test_ipv6_frame_parses_to_its_headers)
{
    struct ethernet_frame_info info;

    ck_assert_int_eq(ethernet_parse(ipv6_tcp, sizeof(ipv6_tcp), &info), 0);
    ck_assert_uint_eq(info.ip_version, 6);
    ck_assert_uint_eq(info.transport_protocol, IP_PROTOCOL_TCP);
    ck_assert_uint_eq(info.transport_offset, 54);
    ck_assert_uint_eq(info.transport_length, 44);
}
END_TEST

START_TEST(test_arp_parses_as_not_ip)
{
    struct ethernet_frame_info info;

    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(12, ETHERTYPE_ARP);
    ck_assert_int_eq(ethernet_parse(frame, 42, &info), 0);
    ck_assert_uint_eq(info.ethertype, ETHERTYPE_ARP);
    ck_assert_uint_eq(info.ip_version, 0);
    ck_assert_uint_eq(info.network_offset, 14);
}
END_TEST

START_TEST(test_bare_ethernet_header_parses)
{
    struct ethernet_frame_info info;

    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(12, 0x88b5); /* local experimental ethertype */
    ck_assert_int_eq(ethernet_parse(frame, ETHERNET_HEADER_BYTES, &info), 0);
    ck_assert_uint_eq(info.ip_version, 0);
}
END_TEST

START_TEST(test_vlan_tag_cut_short_is_refused)
{
    struct ethernet_frame_info info;

    ck_assert_int_eq(ethernet_parse(vlan_ipv4_tcp, 17, &info), -XEN_EINVAL);
}
END_TEST

START_TEST(test_ipv4_header_length_below_five_words_is_refused)
{
    struct ethernet_frame_info info;

    load(ipv4_udp, sizeof(ipv4_udp));
    frame[14] = 0x44;
    ck_assert_int_eq(ethernet_parse(frame, sizeof(ipv4_udp), &info), -XEN_EINVAL);
}
END_TEST

START_TEST(test_ipv4_header_length_beyond_total_length_is_refused)
{
    struct ethernet_frame_info info;

    load(ipv4_udp, sizeof(ipv4_udp));
    set_be16(16, 20);
    frame[14] = 0x46; /* 24-byte header in a 20-byte packet */
    ck_assert_int_eq(ethernet_parse(frame, sizeof(ipv4_udp), &info), -XEN_EINVAL);
}
END_TEST

START_TEST(test_ip_version_not_matching_the_ethertype_is_refused)
{
    struct ethernet_frame_info info;

    load(ipv4_udp, sizeof(ipv4_udp));
    frame[14] = 0x65;
    ck_assert_int_eq(ethernet_parse(frame, sizeof(ipv4_udp), &info), -XEN_EINVAL);
    load(ipv6_udp, sizeof(ipv6_udp));
    frame[14] = 0x45;
    ck_assert_int_eq(ethernet_parse(frame, sizeof(ipv6_udp), &info), -XEN_EINVAL);
}
END_TEST

START_TEST(test_ipv4_options_move_the_transport_header)
{
    struct ethernet_frame_info info;

    load(ipv4_udp, sizeof(ipv4_udp));
    frame[14] = 0x46;
    ck_assert_int_eq(ethernet_parse(frame, sizeof(ipv4_udp), &info), 0);
    ck_assert_uint_eq(info.transport_offset, 38);
    ck_assert_uint_eq(info.transport_length, 35);
}
END_TEST

START_TEST(test_address_text_round_trips)
{
    struct ethernet_address address;
    char text[18];

    ck_assert_int_eq(ethernet_address_parse("00:16:3e:0a:BC:ff", &address), 0);
    ck_assert_uint_eq(address.bytes[0], 0x00);
    ck_assert_uint_eq(address.bytes[2], 0x3e);
    ck_assert_uint_eq(address.bytes[4], 0xbc);
    ck_assert_uint_eq(address.bytes[5], 0xff);
    ethernet_address_format(&address, text);
    ck_assert_str_eq(text, "00:16:3e:0a:bc:ff");
}
END_TEST

START_TEST(test_malformed_address_text_is_refused)
{
    static const char *const malformed[] = {
        "", "00:16:3e:00:00", "00:16:3e:00:00:2", "00:16:3e:00:00:211", "00:16:3e:00:00:21:",
        "00-16-3e-00-00-21", "00:16:3g:00:00:21", "0:16:3e:00:00:21", " 00:16:3e:00:00:21",
    };
    struct ethernet_address address = { { 1, 2, 3, 4, 5, 6 } };
    const struct ethernet_address unchanged = address;

    for (unsigned int index = 0; index < sizeof(malformed) / sizeof(malformed[0]); index++) {
        ck_assert_msg(ethernet_address_parse(malformed[index], &address) == -XEN_EINVAL, "%s", malformed[index]);
        ck_assert(ethernet_address_equal(&address, &unchanged));
    }
}
END_TEST

START_TEST(test_group_bit_makes_an_address_multicast)
{
    static const struct ethernet_address broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
    static const struct ethernet_address ipv4_multicast = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
    static const struct ethernet_address xen_vif = { { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21 } };
    static const struct ethernet_address locally_administered = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

    ck_assert(ethernet_address_is_multicast(&broadcast));
    ck_assert(ethernet_address_is_multicast(&ipv4_multicast));
    ck_assert(!ethernet_address_is_multicast(&xen_vif));
    ck_assert(!ethernet_address_is_multicast(&locally_administered));
}
END_TEST

START_TEST(test_zero_address_is_zero_and_no_other)
{
    static const struct ethernet_address zero = { { 0 } };
    static const struct ethernet_address last_bit = { { 0, 0, 0, 0, 0, 1 } };

    ck_assert(ethernet_address_is_zero(&zero));
    ck_assert(!ethernet_address_is_zero(&last_bit));
    ck_assert(!ethernet_address_equal(&zero, &last_bit));
    ck_assert(ethernet_address_equal(&last_bit, &last_bit));
}
END_TEST

static Suite *ethernet_suite(void)
{
    Suite *suite = suite_create("ethernet");
    TCase *sums = tcase_create("internet checksum");
    TCase *fill = tcase_create("filling");
    TCase *refuse = tcase_create("refusing");
    TCase *validity = tcase_create("validity");
    TCase *parse = tcase_create("parsing");
    TCase *addresses = tcase_create("addresses");

    tcase_add_test(sums, test_rfc1071_example_sums_to_ddf2);
    tcase_add_test(sums, test_odd_last_byte_is_padded_with_zero);
    tcase_add_test(sums, test_sum_continues_across_calls_split_at_an_even_byte);
    tcase_add_test(sums, test_sum_near_the_top_of_32_bits_keeps_its_carries);
    suite_add_tcase(suite, sums);

    tcase_add_test(fill, test_ipv4_udp_checksum_is_filled);
    tcase_add_test(fill, test_ipv4_tcp_checksum_is_filled_over_options_and_an_odd_payload);
    tcase_add_test(fill, test_pseudo_header_sum_left_by_linux_is_replaced);
    tcase_add_test(fill, test_garbage_left_in_the_field_is_replaced);
    tcase_add_test(fill, test_ipv6_udp_checksum_is_filled);
    tcase_add_test(fill, test_ipv6_tcp_checksum_is_filled);
    tcase_add_test(fill, test_checksum_behind_a_vlan_tag_is_filled);
    tcase_add_test(fill, test_udp_sum_of_zero_is_sent_as_ffff);
    tcase_add_test(fill, test_ethernet_padding_is_not_summed);
    suite_add_tcase(suite, fill);

    tcase_add_test(refuse, test_ipv4_fragment_is_refused);
    tcase_add_test(refuse, test_ipv4_later_fragment_is_refused);
    tcase_add_test(refuse, test_ipv6_extension_header_is_refused);
    tcase_add_test(refuse, test_icmp_is_refused);
    tcase_add_test(refuse, test_arp_is_refused);
    tcase_add_test(refuse, test_ipv4_total_length_beyond_the_frame_is_refused);
    tcase_add_test(refuse, test_ipv6_payload_length_beyond_the_frame_is_refused);
    tcase_add_test(refuse, test_tcp_segment_shorter_than_its_header_is_refused);
    tcase_add_test(refuse, test_udp_segment_shorter_than_its_header_is_refused);
    tcase_add_test(refuse, test_frame_shorter_than_an_ethernet_header_is_refused);
    tcase_add_test(refuse, test_ipv4_header_cut_short_is_refused);
    suite_add_tcase(suite, refuse);

    tcase_add_test(validity, test_filled_frames_are_valid);
    tcase_add_test(validity, test_one_flipped_payload_bit_is_invalid);
    tcase_add_test(validity, test_flipped_address_in_the_pseudo_header_is_invalid);
    tcase_add_test(validity, test_udp_without_checksum_is_valid_over_ipv4);
    tcase_add_test(validity, test_udp_without_checksum_is_invalid_over_ipv6);
    tcase_add_test(validity, test_what_cannot_be_checked_is_invalid);
    suite_add_tcase(suite, validity);

    tcase_add_test(parse, test_ipv4_frame_parses_to_its_headers);
    tcase_add_test(parse, test_vlan_tag_is_stepped_over);
    tcase_add_test(parse, test_ipv6_frame_parses_to_its_headers);
    tcase_add_test(parse, test_arp_parses_as_not_ip);
    tcase_add_test(parse, test_bare_ethernet_header_parses);
    tcase_add_test(parse, test_vlan_tag_cut_short_is_refused);
    tcase_add_test(parse, test_ipv4_header_length_below_five_words_is_refused);
    tcase_add_test(parse, test_ipv4_header_length_beyond_total_length_is_refused);
    tcase_add_test(parse, test_ip_version_not_matching_the_ethertype_is_refused);
    tcase_add_test(parse, test_ipv4_options_move_the_transport_header);
    suite_add_tcase(suite, parse);

    tcase_add_test(addresses, test_address_text_round_trips);
    tcase_add_test(addresses, test_malformed_address_text_is_refused);
    tcase_add_test(addresses, test_group_bit_makes_an_address_multicast);
    tcase_add_test(addresses, test_zero_address_is_zero_and_no_other);
    suite_add_tcase(suite, addresses);
    return suite;
}

REGISTER_SUITE(ethernet_suite)
