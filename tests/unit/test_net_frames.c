/*
 * Specification of the ARP and ICMP echo frames of the test guests and of
 * dom0's virtio-net check (pv-guest/kernel/net_frames.c): frames built
 * byte for byte as known ones (made on the host with python3 struct, each
 * checksum computed there by RFC 1071's sum), parsed back, and hostile
 * frames refused without reading beyond them.
 */
#include <stdint.h>
#include <string.h>

#include <xen/errno.h>
#include <kernel/net_frames.h>

#include "suites.h"

/* 10.0.2.31 (00:16:3e:00:00:31) pings 10.0.2.32 (00:16:3e:00:00:32): id 0x4e54, sequence 7, data "abcdefgh". */
static const uint8_t known_echo_request[] = {
    0x00, 0x16, 0x3e, 0x00, 0x00, 0x32, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x31, 0x08, 0x00, 0x45, 0x00, 0x00,
    0x24, 0x00, 0x07, 0x40, 0x00, 0x40, 0x01, 0x22, 0x94, 0x0a, 0x00, 0x02, 0x1f, 0x0a, 0x00, 0x02, 0x20,
    0x08, 0x00, 0x18, 0x0f, 0x4e, 0x54, 0x00, 0x07, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
};

/* 10.0.2.31 asks who has 10.0.2.32. */
static const uint8_t known_arp_request[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x31, 0x08, 0x06, 0x00, 0x01, 0x08,
    0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x16, 0x3e, 0x00, 0x00, 0x31, 0x0a, 0x00, 0x02, 0x1f, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x20,
};

static const struct net_frame_endpoint first = { .address = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x31 }, .ip = 0x0a00021f };
static const struct net_frame_endpoint second = { .address = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x32 }, .ip = 0x0a000220 };

START_TEST(test_an_echo_request_is_built_as_the_known_frame)
{
    uint8_t frame[128];
    struct net_frame_echo echo = {
        .type = NET_FRAME_ICMP_ECHO_REQUEST, .identifier = 0x4e54, .sequence = 7,
        .data = (const uint8_t *)"abcdefgh", .data_length = 8 };

    ck_assert_uint_eq(net_frame_build_echo(frame, &first, &second, &echo), sizeof(known_echo_request));
    ck_assert_mem_eq(frame, known_echo_request, sizeof(known_echo_request));
}
END_TEST

START_TEST(test_an_arp_request_is_built_as_the_known_frame)
{
    uint8_t frame[NET_FRAME_ARP_BYTES];

    ck_assert_uint_eq(net_frame_build_arp(frame, NET_FRAME_ARP_REQUEST, &first, &second), sizeof(known_arp_request));
    ck_assert_mem_eq(frame, known_arp_request, sizeof(known_arp_request));
}
END_TEST

START_TEST(test_the_known_echo_request_parses_with_valid_checksums)
{
    struct net_frame_parsed parsed;

    ck_assert_int_eq(net_frame_parse(known_echo_request, sizeof(known_echo_request), &parsed), 0);
    ck_assert(parsed.is_echo);
    ck_assert(parsed.checksums_valid);
    ck_assert_uint_eq(parsed.source_ip, first.ip);
    ck_assert_uint_eq(parsed.destination_ip, second.ip);
    ck_assert_uint_eq(parsed.echo.sequence, 7);
    ck_assert_uint_eq(parsed.echo.data_length, 8);
    ck_assert_mem_eq(parsed.echo.data, "abcdefgh", 8);
}
END_TEST

START_TEST(test_a_flipped_data_bit_fails_the_icmp_checksum)
{
    uint8_t frame[sizeof(known_echo_request)];
    struct net_frame_parsed parsed;

    memcpy(frame, known_echo_request, sizeof(frame));
    frame[sizeof(frame) - 1] ^= 0x10;
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(parsed.is_echo);
    ck_assert(!parsed.checksums_valid);
}
END_TEST

START_TEST(test_an_ip_length_beyond_the_frame_is_not_an_echo)
{
    struct net_frame_parsed parsed;

    net_frame_parse(known_echo_request, sizeof(known_echo_request) - 1, &parsed);
    ck_assert(!parsed.is_echo);
}
END_TEST

START_TEST(test_the_known_arp_request_parses)
{
    struct net_frame_parsed parsed;

    ck_assert_int_eq(net_frame_parse(known_arp_request, sizeof(known_arp_request), &parsed), 0);
    ck_assert(parsed.is_arp);
    ck_assert_uint_eq(parsed.arp.operation, NET_FRAME_ARP_REQUEST);
    ck_assert_uint_eq(parsed.arp.sender.ip, first.ip);
    ck_assert_mem_eq(parsed.arp.sender.address, first.address, 6);
    ck_assert_uint_eq(parsed.arp.target_ip, second.ip);
    net_frame_parse(known_arp_request, sizeof(known_arp_request) - 1, &parsed);
    ck_assert(!parsed.is_arp);
}
END_TEST

START_TEST(test_a_frame_shorter_than_its_ethernet_header_is_einval)
{
    struct net_frame_parsed parsed;

    ck_assert_int_eq(net_frame_parse(known_arp_request, NET_FRAME_ETHERNET_BYTES - 1, &parsed), -XEN_EINVAL);
}
END_TEST

START_TEST(test_dotted_quads_parse_and_malformed_ones_are_einval)
{
    static const char *const malformed[] = { "", "10.0.2", "10.0.2.256", "10.0.2.31.", "10..2.31", "a.0.2.31",
                                             "10.0.2.3x", "1000.0.2.31" };
    uint32_t ip = 0;

    ck_assert_int_eq(net_frame_parse_ip("10.0.2.31", &ip), 0);
    ck_assert_uint_eq(ip, 0x0a00021f);
    for (unsigned int index = 0; index < sizeof(malformed) / sizeof(malformed[0]); index++)
        ck_assert_int_eq(net_frame_parse_ip(malformed[index], &ip), -XEN_EINVAL);
}
END_TEST

START_TEST(test_the_data_of_two_sequences_differ)
{
    uint8_t one[64], other[64];

    net_frame_fill_data(one, sizeof(one), 1);
    net_frame_fill_data(other, sizeof(other), 2);
    ck_assert_int_ne(memcmp(one, other, sizeof(one)), 0);
}
END_TEST

START_TEST(test_echo_data_longer_than_one_frame_carries_is_not_built)
{
    static uint8_t frame[NET_FRAME_ECHO_HEADERS + NET_FRAME_MAX_ECHO_DATA + 1];
    static const uint8_t data[NET_FRAME_MAX_ECHO_DATA + 1];
    struct net_frame_echo echo = {
        .type = NET_FRAME_ICMP_ECHO_REQUEST, .data = data, .data_length = NET_FRAME_MAX_ECHO_DATA + 1 };

    ck_assert_uint_eq(net_frame_build_echo(frame, &first, &second, &echo), 0);
}
END_TEST

START_TEST(test_a_flipped_ip_header_bit_fails_the_checksums)
{
    uint8_t frame[sizeof(known_echo_request)];
    struct net_frame_parsed parsed;

    memcpy(frame, known_echo_request, sizeof(frame));
    frame[22] ^= 0x01; /* the TTL */
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(parsed.is_echo);
    ck_assert(!parsed.checksums_valid);
}
END_TEST

START_TEST(test_an_arp_reply_parses_with_its_target_address)
{
    uint8_t frame[NET_FRAME_ARP_BYTES];
    struct net_frame_parsed parsed;

    net_frame_build_arp(frame, NET_FRAME_ARP_REPLY, &second, &first);
    ck_assert_int_eq(net_frame_parse(frame, sizeof(frame), &parsed), 0);
    ck_assert(parsed.is_arp);
    ck_assert_uint_eq(parsed.arp.operation, NET_FRAME_ARP_REPLY);
    ck_assert_mem_eq(parsed.destination, first.address, NET_FRAME_ADDRESS_BYTES);
    ck_assert_mem_eq(parsed.arp.target_address, first.address, NET_FRAME_ADDRESS_BYTES);
    ck_assert_uint_eq(parsed.arp.target_ip, first.ip);
}
END_TEST

START_TEST(test_arp_for_another_hardware_or_protocol_is_not_arp)
{
    uint8_t frame[sizeof(known_arp_request)];
    struct net_frame_parsed parsed;

    memcpy(frame, known_arp_request, sizeof(frame));
    frame[15] = 6; /* IEEE 802 */
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(!parsed.is_arp);
    memcpy(frame, known_arp_request, sizeof(frame));
    frame[19] = 16; /* protocol addresses of 16 bytes */
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(!parsed.is_arp);
}
END_TEST

START_TEST(test_an_echo_is_not_taken_for_arp_nor_arp_for_an_echo)
{
    struct net_frame_parsed parsed;

    net_frame_parse(known_echo_request, sizeof(known_echo_request), &parsed);
    ck_assert(!parsed.is_arp);
    net_frame_parse(known_arp_request, sizeof(known_arp_request), &parsed);
    ck_assert(!parsed.is_echo);
}
END_TEST

START_TEST(test_icmp_other_than_echo_is_not_an_echo)
{
    uint8_t frame[sizeof(known_echo_request)];
    struct net_frame_parsed parsed;

    memcpy(frame, known_echo_request, sizeof(frame));
    frame[34] = 3; /* destination unreachable */
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(!parsed.is_echo);
    memcpy(frame, known_echo_request, sizeof(frame));
    frame[35] = 1; /* an echo with a code */
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(!parsed.is_echo);
}
END_TEST

START_TEST(test_an_echo_in_a_fragment_is_not_an_echo)
{
    uint8_t frame[sizeof(known_echo_request)];
    struct net_frame_parsed parsed;

    memcpy(frame, known_echo_request, sizeof(frame));
    frame[20] = 0x20; /* more fragments */
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(!parsed.is_echo);
}
END_TEST

START_TEST(test_an_echo_after_ip_options_is_not_an_echo)
{
    uint8_t frame[sizeof(known_echo_request) + 4];
    struct net_frame_parsed parsed;

    memcpy(frame, known_echo_request, 34);
    memset(frame + 34, 1, 4); /* four no-operation options */
    memcpy(frame + 38, known_echo_request + 34, sizeof(known_echo_request) - 34);
    frame[14] = 0x46;
    frame[17] = 0x28;
    net_frame_parse(frame, sizeof(frame), &parsed);
    ck_assert(!parsed.is_echo);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *net_frames_suite(void)
{
    Suite *suite = suite_create("net_frames");

    add_test_case(suite, test_an_echo_request_is_built_as_the_known_frame);
    add_test_case(suite, test_an_arp_request_is_built_as_the_known_frame);
    add_test_case(suite, test_the_known_echo_request_parses_with_valid_checksums);
    add_test_case(suite, test_a_flipped_data_bit_fails_the_icmp_checksum);
    add_test_case(suite, test_an_ip_length_beyond_the_frame_is_not_an_echo);
    add_test_case(suite, test_the_known_arp_request_parses);
    add_test_case(suite, test_a_frame_shorter_than_its_ethernet_header_is_einval);
    add_test_case(suite, test_dotted_quads_parse_and_malformed_ones_are_einval);
    add_test_case(suite, test_the_data_of_two_sequences_differ);
    add_test_case(suite, test_echo_data_longer_than_one_frame_carries_is_not_built);
    add_test_case(suite, test_a_flipped_ip_header_bit_fails_the_checksums);
    add_test_case(suite, test_an_arp_reply_parses_with_its_target_address);
    add_test_case(suite, test_arp_for_another_hardware_or_protocol_is_not_arp);
    add_test_case(suite, test_an_echo_is_not_taken_for_arp_nor_arp_for_an_echo);
    add_test_case(suite, test_icmp_other_than_echo_is_not_an_echo);
    add_test_case(suite, test_an_echo_in_a_fragment_is_not_an_echo);
    add_test_case(suite, test_an_echo_after_ip_options_is_not_an_echo);
    return suite;
}

REGISTER_SUITE(net_frames_suite)
