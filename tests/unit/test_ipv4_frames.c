/*
 * Specification of the ARP and ICMP echo frames of dom0's network
 * self-checks (pv-guest/kernel/ipv4_frames.h): frames built byte for byte
 * as known ones (made with python3 struct and an RFC 1071 sum of its own,
 * and read back by tcpdump -vvv without a checksum complaint), parsed back,
 * and hostile frames refused without reading beyond them.
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/ipv4_frames.h>

#include "suites.h"

/* 52:54:00:12:34:56, 10.0.2.15 -> 52:55:0a:00:02:02, 10.0.2.2: echo
 * request, id 0x7076, seq 1, payload "pvmon!!!". */
static const uint8_t known_echo[50] = {
    0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x00, 0x45, 0x00, 0x00,
    0x24, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x62, 0xc9, 0x0a, 0x00, 0x02, 0x0f, 0x0a, 0x00, 0x02, 0x02,
    0x08, 0x00, 0x1a, 0x60, 0x70, 0x76, 0x00, 0x01, 0x70, 0x76, 0x6d, 0x6f, 0x6e, 0x21, 0x21, 0x21,
};

/* Broadcast: who has 10.0.2.2, tell 10.0.2.15 (52:54:00:12:34:56). */
static const uint8_t known_arp_request[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06, 0x00, 0x01,
    0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x0a, 0x00, 0x02, 0x0f,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x02,
};

static const struct ethernet_address own = { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
static const struct ethernet_address gateway = { { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 } };
static const struct ethernet_address broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct ipv4_address own_ip = { { 10, 0, 2, 15 } };
static const struct ipv4_address gateway_ip = { { 10, 0, 2, 2 } };

static uint8_t frame[ETHERNET_MAX_FRAME_BYTES];

static struct echo_packet known_echo_packet(void)
{
    return (struct echo_packet) { .type = ICMP_ECHO_REQUEST, .source = own_ip, .destination = gateway_ip,
                                  .identifier = 0x7076, .sequence = 1, .payload = (const uint8_t *)"pvmon!!!",
                                  .payload_bytes = 8 };
}

START_TEST(test_an_echo_request_is_built_as_the_known_frame)
{
    struct echo_packet packet = known_echo_packet();

    ck_assert_uint_eq(ipv4_frames_build_echo(frame, &gateway, &own, &packet), sizeof(known_echo));
    ck_assert_mem_eq(frame, known_echo, sizeof(known_echo));
}
END_TEST

START_TEST(test_an_arp_request_is_built_as_the_known_frame)
{
    struct arp_packet packet = { .operation = ARP_REQUEST, .sender_hardware = own, .sender = own_ip,
                                 .target = gateway_ip };

    ck_assert_uint_eq(ipv4_frames_build_arp(frame, &broadcast, &packet), sizeof(known_arp_request));
    ck_assert_mem_eq(frame, known_arp_request, sizeof(known_arp_request));
}
END_TEST

START_TEST(test_an_echo_payload_longer_than_one_frame_carries_is_not_built)
{
    struct echo_packet packet = known_echo_packet();

    packet.payload_bytes = ICMP_ECHO_MAX_PAYLOAD + 1;
    ck_assert_uint_eq(ipv4_frames_build_echo(frame, &gateway, &own, &packet), 0);
}
END_TEST

START_TEST(test_the_known_echo_parses_with_right_checksums)
{
    struct echo_packet packet;

    ck_assert_int_eq(ipv4_frames_parse_echo(known_echo, sizeof(known_echo), &packet), 0);
    ck_assert_uint_eq(packet.type, ICMP_ECHO_REQUEST);
    ck_assert(ipv4_address_equal(&packet.source, &own_ip));
    ck_assert(ipv4_address_equal(&packet.destination, &gateway_ip));
    ck_assert_uint_eq(packet.identifier, 0x7076);
    ck_assert_uint_eq(packet.sequence, 1);
    ck_assert_uint_eq(packet.payload_bytes, 8);
    ck_assert_mem_eq(packet.payload, "pvmon!!!", 8);
    ck_assert(packet.checksums_valid);
}
END_TEST

START_TEST(test_a_flipped_payload_bit_or_header_bit_makes_the_checksums_wrong)
{
    struct echo_packet packet;

    memcpy(frame, known_echo, sizeof(known_echo));
    frame[49] ^= 0x01;
    ck_assert_int_eq(ipv4_frames_parse_echo(frame, sizeof(known_echo), &packet), 0);
    ck_assert(!packet.checksums_valid);
    memcpy(frame, known_echo, sizeof(known_echo));
    frame[22] ^= 0x01; /* the TTL */
    ck_assert_int_eq(ipv4_frames_parse_echo(frame, sizeof(known_echo), &packet), 0);
    ck_assert(!packet.checksums_valid);
}
END_TEST

START_TEST(test_the_known_arp_request_parses)
{
    struct arp_packet packet;

    ck_assert_int_eq(ipv4_frames_parse_arp(known_arp_request, sizeof(known_arp_request), &packet), 0);
    ck_assert_uint_eq(packet.operation, ARP_REQUEST);
    ck_assert(ethernet_address_equal(&packet.sender_hardware, &own));
    ck_assert(ipv4_address_equal(&packet.sender, &own_ip));
    ck_assert(ipv4_address_equal(&packet.target, &gateway_ip));
}
END_TEST

START_TEST(test_an_arp_packet_cut_short_is_refused)
{
    struct arp_packet packet;

    ck_assert_int_eq(ipv4_frames_parse_arp(known_arp_request, sizeof(known_arp_request) - 1, &packet), -XEN_EINVAL);
}
END_TEST

START_TEST(test_arp_for_another_hardware_or_protocol_is_refused)
{
    struct arp_packet packet;

    memcpy(frame, known_arp_request, sizeof(known_arp_request));
    frame[15] = 6; /* IEEE 802 */
    ck_assert_int_eq(ipv4_frames_parse_arp(frame, sizeof(known_arp_request), &packet), -XEN_EINVAL);
    memcpy(frame, known_arp_request, sizeof(known_arp_request));
    frame[19] = 16; /* protocol addresses of 16 bytes */
    ck_assert_int_eq(ipv4_frames_parse_arp(frame, sizeof(known_arp_request), &packet), -XEN_EINVAL);
}
END_TEST

START_TEST(test_an_echo_is_not_taken_for_arp_nor_arp_for_an_echo)
{
    struct arp_packet arp;
    struct echo_packet echo;

    ck_assert_int_eq(ipv4_frames_parse_arp(known_echo, sizeof(known_echo), &arp), -XEN_EINVAL);
    ck_assert_int_eq(ipv4_frames_parse_echo(known_arp_request, sizeof(known_arp_request), &echo), -XEN_EINVAL);
}
END_TEST

START_TEST(test_icmp_other_than_echo_is_refused)
{
    struct echo_packet packet;

    memcpy(frame, known_echo, sizeof(known_echo));
    frame[34] = 3; /* destination unreachable */
    ck_assert_int_eq(ipv4_frames_parse_echo(frame, sizeof(known_echo), &packet), -XEN_EINVAL);
    memcpy(frame, known_echo, sizeof(known_echo));
    frame[35] = 1; /* an echo with a code */
    ck_assert_int_eq(ipv4_frames_parse_echo(frame, sizeof(known_echo), &packet), -XEN_EINVAL);
}
END_TEST

START_TEST(test_an_echo_whose_ip_length_runs_beyond_the_frame_is_refused)
{
    struct echo_packet packet;

    ck_assert_int_eq(ipv4_frames_parse_echo(known_echo, sizeof(known_echo) - 1, &packet), -XEN_EINVAL);
}
END_TEST

START_TEST(test_an_echo_in_a_fragment_is_refused)
{
    struct echo_packet packet;

    memcpy(frame, known_echo, sizeof(known_echo));
    frame[20] = 0x20; /* more fragments */
    ck_assert_int_eq(ipv4_frames_parse_echo(frame, sizeof(known_echo), &packet), -XEN_EINVAL);
}
END_TEST

START_TEST(test_an_echo_after_ip_options_is_refused)
{
    struct echo_packet packet;
    uint8_t with_options[sizeof(known_echo) + 4];

    memcpy(with_options, known_echo, 34);
    memset(with_options + 34, 1, 4); /* four no-operation options */
    memcpy(with_options + 38, known_echo + 34, sizeof(known_echo) - 34);
    with_options[14] = 0x46;
    with_options[17] = 0x28;
    ck_assert_int_eq(ipv4_frames_parse_echo(with_options, sizeof(with_options), &packet), -XEN_EINVAL);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *ipv4_frames_suite(void)
{
    Suite *suite = suite_create("ipv4_frames");

    add_test_case(suite, test_an_echo_request_is_built_as_the_known_frame);
    add_test_case(suite, test_an_arp_request_is_built_as_the_known_frame);
    add_test_case(suite, test_an_echo_payload_longer_than_one_frame_carries_is_not_built);
    add_test_case(suite, test_the_known_echo_parses_with_right_checksums);
    add_test_case(suite, test_a_flipped_payload_bit_or_header_bit_makes_the_checksums_wrong);
    add_test_case(suite, test_the_known_arp_request_parses);
    add_test_case(suite, test_an_arp_packet_cut_short_is_refused);
    add_test_case(suite, test_arp_for_another_hardware_or_protocol_is_refused);
    add_test_case(suite, test_an_echo_is_not_taken_for_arp_nor_arp_for_an_echo);
    add_test_case(suite, test_icmp_other_than_echo_is_refused);
    add_test_case(suite, test_an_echo_whose_ip_length_runs_beyond_the_frame_is_refused);
    add_test_case(suite, test_an_echo_in_a_fragment_is_refused);
    add_test_case(suite, test_an_echo_after_ip_options_is_refused);
    return suite;
}

REGISTER_SUITE(ipv4_frames_suite)
