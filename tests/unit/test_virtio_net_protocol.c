/*
 * Specification of the virtio-net protocol of dom0's driver
 * (pv-guest/kernel/virtio_net_protocol.h): the features it accepts, the
 * header's length, the address and link read from the configuration, the
 * frames it lets reach a device, and the lengths it believes a device
 * reporting a received frame.
 */
#include <pvmon/errno.h>
#include <kernel/virtio_blk_protocol.h>
#include <kernel/virtio_net_protocol.h>

#include "suites.h"

#define EVERYTHING UINT64_C(0xffffffffffffffff)
#define MAC_AND_STATUS (virtio_feature_bit(VIRTIO_NET_F_MAC) | virtio_feature_bit(VIRTIO_NET_F_STATUS))
/* The configuration's first 8 bytes, little-endian: 52:54:00:12:34:56, status link up. */
#define QEMU_CONFIG UINT64_C(0x0001563412005452)

START_TEST(test_legacy_accepts_mac_and_status_and_nothing_else)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_net_accept_features(EVERYTHING, false, &accepted), 0);
    ck_assert_uint_eq(accepted, MAC_AND_STATUS);
}
END_TEST

START_TEST(test_modern_accepts_version_1_too)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_net_accept_features(EVERYTHING, true, &accepted), 0);
    ck_assert_uint_eq(accepted, MAC_AND_STATUS | virtio_feature_bit(VIRTIO_F_VERSION_1));
}
END_TEST

START_TEST(test_a_modern_device_without_version_1_is_refused)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_net_accept_features(MAC_AND_STATUS, true, &accepted), -XEN_ENODEV);
}
END_TEST

START_TEST(test_only_features_offered_are_accepted)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_net_accept_features(virtio_feature_bit(VIRTIO_NET_F_STATUS), false, &accepted), 0);
    ck_assert_uint_eq(accepted, virtio_feature_bit(VIRTIO_NET_F_STATUS));
}
END_TEST

START_TEST(test_the_header_is_10_bytes_legacy_and_12_with_version_1)
{
    ck_assert_uint_eq(virtio_net_header_bytes(MAC_AND_STATUS), 10);
    ck_assert_uint_eq(virtio_net_header_bytes(MAC_AND_STATUS | virtio_feature_bit(VIRTIO_F_VERSION_1)), 12);
}
END_TEST

START_TEST(test_the_address_comes_from_the_configuration_with_the_mac_feature)
{
    static const uint8_t expected[ETHERNET_ADDRESS_BYTES] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    struct ethernet_address address;

    virtio_net_config_address(QEMU_CONFIG, MAC_AND_STATUS, 3, &address);
    ck_assert_mem_eq(address.bytes, expected, ETHERNET_ADDRESS_BYTES);
}
END_TEST

START_TEST(test_without_the_mac_feature_the_address_is_made_up_local_unicast_and_per_device)
{
    struct ethernet_address first, second;

    virtio_net_config_address(QEMU_CONFIG, virtio_feature_bit(VIRTIO_NET_F_STATUS), 0, &first);
    virtio_net_config_address(QEMU_CONFIG, virtio_feature_bit(VIRTIO_NET_F_STATUS), 1, &second);
    ck_assert_uint_eq(first.bytes[0] & 3, 2); /* locally administered, unicast */
    ck_assert(!ethernet_address_equal(&first, &second));
}
END_TEST

START_TEST(test_the_link_follows_the_status_bit_with_the_status_feature)
{
    ck_assert(virtio_net_config_link_up(QEMU_CONFIG, MAC_AND_STATUS));
    ck_assert(!virtio_net_config_link_up(QEMU_CONFIG & ~(UINT64_C(1) << 48), MAC_AND_STATUS));
}
END_TEST

START_TEST(test_without_the_status_feature_the_link_is_up)
{
    ck_assert(virtio_net_config_link_up(0, virtio_feature_bit(VIRTIO_NET_F_MAC)));
}
END_TEST

START_TEST(test_a_frame_of_one_byte_to_the_largest_within_a_page_may_be_sent)
{
    ck_assert_int_eq(virtio_net_check_transmission(0x123000, 1), 0);
    ck_assert_int_eq(virtio_net_check_transmission(0x123000 + 4096 - ETHERNET_MAX_FRAME_BYTES,
                                                   ETHERNET_MAX_FRAME_BYTES), 0);
}
END_TEST

START_TEST(test_an_empty_or_oversized_frame_is_invalid)
{
    ck_assert_int_eq(virtio_net_check_transmission(0x123000, 0), -XEN_EINVAL);
    ck_assert_int_eq(virtio_net_check_transmission(0x123000, ETHERNET_MAX_FRAME_BYTES + 1), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_frame_crossing_its_page_is_invalid)
{
    ck_assert_int_eq(virtio_net_check_transmission(0x123fff, 2), -XEN_EINVAL);
    ck_assert_int_eq(virtio_net_check_transmission(0x123000 + 4096 - 60, 61), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_received_frame_is_what_follows_the_header)
{
    uint32_t length = 0;

    ck_assert_int_eq(virtio_net_received_frame_length(12 + 60, 12, &length), 0);
    ck_assert_uint_eq(length, 60);
    ck_assert_int_eq(virtio_net_received_frame_length(10 + ETHERNET_MAX_FRAME_BYTES, 10, &length), 0);
    ck_assert_uint_eq(length, ETHERNET_MAX_FRAME_BYTES);
}
END_TEST

START_TEST(test_a_received_length_below_a_header_or_beyond_the_buffer_is_refused)
{
    uint32_t length = 77;

    ck_assert_int_eq(virtio_net_received_frame_length(0, 12, &length), -XEN_EINVAL);
    ck_assert_int_eq(virtio_net_received_frame_length(12 + ETHERNET_HEADER_BYTES - 1, 12, &length), -XEN_EINVAL);
    ck_assert_int_eq(virtio_net_received_frame_length(12 + ETHERNET_MAX_FRAME_BYTES + 1, 12, &length),
                     -XEN_EINVAL);
    ck_assert_int_eq(virtio_net_received_frame_length(UINT32_MAX, 12, &length), -XEN_EINVAL);
    ck_assert_uint_eq(length, 77);
}
END_TEST

START_TEST(test_the_queue_is_the_largest_power_of_two_both_allow)
{
    ck_assert_uint_eq(virtio_net_queue_size(256, 128, 64), 128);
    ck_assert_uint_eq(virtio_net_queue_size(100, 128, 2), 64);
}
END_TEST

START_TEST(test_a_queue_below_the_minimum_is_refused)
{
    ck_assert_uint_eq(virtio_net_queue_size(32, 128, 64), 0);
    ck_assert_uint_eq(virtio_net_queue_size(0, 128, 1), 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *virtio_net_protocol_suite(void)
{
    Suite *suite = suite_create("virtio_net_protocol");

    add_test_case(suite, test_legacy_accepts_mac_and_status_and_nothing_else);
    add_test_case(suite, test_modern_accepts_version_1_too);
    add_test_case(suite, test_a_modern_device_without_version_1_is_refused);
    add_test_case(suite, test_only_features_offered_are_accepted);
    add_test_case(suite, test_the_header_is_10_bytes_legacy_and_12_with_version_1);
    add_test_case(suite, test_the_address_comes_from_the_configuration_with_the_mac_feature);
    add_test_case(suite, test_without_the_mac_feature_the_address_is_made_up_local_unicast_and_per_device);
    add_test_case(suite, test_the_link_follows_the_status_bit_with_the_status_feature);
    add_test_case(suite, test_without_the_status_feature_the_link_is_up);
    add_test_case(suite, test_a_frame_of_one_byte_to_the_largest_within_a_page_may_be_sent);
    add_test_case(suite, test_an_empty_or_oversized_frame_is_invalid);
    add_test_case(suite, test_a_frame_crossing_its_page_is_invalid);
    add_test_case(suite, test_a_received_frame_is_what_follows_the_header);
    add_test_case(suite, test_a_received_length_below_a_header_or_beyond_the_buffer_is_refused);
    add_test_case(suite, test_the_queue_is_the_largest_power_of_two_both_allow);
    add_test_case(suite, test_a_queue_below_the_minimum_is_refused);
    return suite;
}

REGISTER_SUITE(virtio_net_protocol_suite)
