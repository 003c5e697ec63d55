/*
 * Specification of the virtio-blk protocol of dom0's driver
 * (pv-guest/kernel/virtio_blk_protocol.h): the features it accepts, the
 * requests it lets reach a device (segments, capacity, read-only, flush),
 * the chain each becomes, the meaning of the status byte, and which
 * serial (GET_ID) names a disk.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/virtio_blk_protocol.h>

#include "suites.h"

#define CAPACITY 1000
#define QEMU_OFFERED UINT64_C(0x31006ed4) /* QEMU 7.2 virtio-blk, word 0 */

static struct block_request request;

static void setup(void)
{
    request = (struct block_request) {
        .operation = BLOCK_WRITE,
        .sector = 8,
        .segment_count = 2,
        .segments = { { 0x123000, 4096 }, { 0x456200, 1024 } },
    };
}

static int check(bool read_only, bool has_flush)
{
    return virtio_blk_check_request(&request, CAPACITY, read_only, has_flush);
}

START_TEST(test_legacy_accepts_read_only_and_flush_and_nothing_else)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_blk_accept_features(QEMU_OFFERED | virtio_feature_bit(VIRTIO_BLK_F_RO), false,
                                                &accepted), 0);
    ck_assert_uint_eq(accepted, virtio_feature_bit(VIRTIO_BLK_F_RO) | virtio_feature_bit(VIRTIO_BLK_F_FLUSH));
}
END_TEST

START_TEST(test_legacy_never_accepts_version_1)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_blk_accept_features(QEMU_OFFERED | virtio_feature_bit(VIRTIO_F_VERSION_1), false,
                                                &accepted), 0);
    ck_assert_uint_eq(accepted & virtio_feature_bit(VIRTIO_F_VERSION_1), 0);
}
END_TEST

START_TEST(test_modern_accepts_version_1)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_blk_accept_features(QEMU_OFFERED | virtio_feature_bit(VIRTIO_F_VERSION_1), true,
                                                &accepted), 0);
    ck_assert_uint_eq(accepted, virtio_feature_bit(VIRTIO_BLK_F_FLUSH) | virtio_feature_bit(VIRTIO_F_VERSION_1));
}
END_TEST

START_TEST(test_modern_device_without_version_1_is_refused)
{
    uint64_t accepted;

    ck_assert_int_eq(virtio_blk_accept_features(QEMU_OFFERED, true, &accepted), -XEN_ENODEV);
}
END_TEST

START_TEST(test_a_well_formed_write_is_accepted)
{
    ck_assert_int_eq(check(false, true), 0);
}
END_TEST

START_TEST(test_a_write_to_a_read_only_device_is_erofs)
{
    ck_assert_int_eq(check(true, true), -XEN_EROFS);
}
END_TEST

START_TEST(test_a_read_from_a_read_only_device_is_accepted)
{
    request.operation = BLOCK_READ;
    ck_assert_int_eq(check(true, true), 0);
}
END_TEST

START_TEST(test_a_flush_without_the_flush_feature_is_eopnotsupp)
{
    request.operation = BLOCK_FLUSH;
    request.segment_count = 0;
    ck_assert_int_eq(check(false, false), -XEN_EOPNOTSUPP);
    ck_assert_int_eq(check(false, true), 0);
}
END_TEST

START_TEST(test_a_flush_with_segments_is_invalid)
{
    request.operation = BLOCK_FLUSH;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_no_segments_or_more_than_eleven_is_invalid)
{
    request.segment_count = 0;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
    request.segment_count = BLOCK_MAX_SEGMENTS + 1;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_segment_that_is_empty_or_not_a_sector_multiple_is_invalid)
{
    request.segments[1].length = 0;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
    request.segments[1].length = 700;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_segment_not_sector_aligned_is_invalid)
{
    request.segments[1].machine_address = 0x456100;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_segment_crossing_its_page_is_invalid)
{
    request.segments[1].machine_address = 0x456e00;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
    request.segments[1].machine_address = 0x456c00;
    ck_assert_int_eq(check(false, true), 0);
}
END_TEST

START_TEST(test_the_last_sector_of_the_device_may_be_reached_but_not_passed)
{
    request.segment_count = 1;
    request.segments[0].length = 1024;
    request.sector = CAPACITY - 2;
    ck_assert_int_eq(check(false, true), 0);
    request.sector = CAPACITY - 1;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
    request.sector = CAPACITY + 1;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_sector_near_2_to_the_64_does_not_wrap_into_the_device)
{
    request.sector = UINT64_MAX - 2;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_an_unknown_operation_is_invalid)
{
    request.operation = (enum block_operation)7;
    ck_assert_int_eq(check(false, true), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_write_chain_is_header_segments_then_status_only_status_device_written)
{
    struct virtqueue_buffer chain[VIRTIO_BLK_MAX_CHAIN];

    ck_assert_uint_eq(virtio_blk_build_chain(&request, 0x9000, 0x9010, chain), 4);
    ck_assert_uint_eq(chain[0].address, 0x9000);
    ck_assert_uint_eq(chain[0].length, sizeof(struct virtio_blk_header));
    ck_assert(!chain[0].device_writes);
    ck_assert_uint_eq(chain[1].address, 0x123000);
    ck_assert_uint_eq(chain[1].length, 4096);
    ck_assert(!chain[1].device_writes);
    ck_assert_uint_eq(chain[2].address, 0x456200);
    ck_assert(!chain[2].device_writes);
    ck_assert_uint_eq(chain[3].address, 0x9010);
    ck_assert_uint_eq(chain[3].length, 1);
    ck_assert(chain[3].device_writes);
}
END_TEST

START_TEST(test_a_read_chain_lets_the_device_write_the_segments)
{
    struct virtqueue_buffer chain[VIRTIO_BLK_MAX_CHAIN];

    request.operation = BLOCK_READ;
    ck_assert_uint_eq(virtio_blk_build_chain(&request, 0x9000, 0x9010, chain), 4);
    ck_assert(!chain[0].device_writes);
    ck_assert(chain[1].device_writes);
    ck_assert(chain[2].device_writes);
}
END_TEST

START_TEST(test_a_flush_chain_is_header_and_status_with_sector_0)
{
    struct virtqueue_buffer chain[VIRTIO_BLK_MAX_CHAIN];
    struct virtio_blk_header header;

    request.operation = BLOCK_FLUSH;
    request.segment_count = 0;
    ck_assert_uint_eq(virtio_blk_build_chain(&request, 0x9000, 0x9010, chain), 2);
    virtio_blk_fill_header(&request, &header);
    ck_assert_uint_eq(header.type, VIRTIO_BLK_T_FLUSH);
    ck_assert_uint_eq(header.sector, 0);
}
END_TEST

START_TEST(test_headers_carry_the_type_and_sector)
{
    struct virtio_blk_header header;

    virtio_blk_fill_header(&request, &header);
    ck_assert_uint_eq(header.type, VIRTIO_BLK_T_OUT);
    ck_assert_uint_eq(header.sector, 8);
    ck_assert_uint_eq(header.ioprio, 0);
    request.operation = BLOCK_READ;
    virtio_blk_fill_header(&request, &header);
    ck_assert_uint_eq(header.type, VIRTIO_BLK_T_IN);
    ck_assert_uint_eq(sizeof(header), 16);
}
END_TEST

START_TEST(test_status_ok_is_success_unsupp_is_eopnotsupp_anything_else_eio)
{
    ck_assert_int_eq(virtio_blk_status_error(VIRTIO_BLK_S_OK), 0);
    ck_assert_int_eq(virtio_blk_status_error(VIRTIO_BLK_S_UNSUPP), -XEN_EOPNOTSUPP);
    ck_assert_int_eq(virtio_blk_status_error(VIRTIO_BLK_S_IOERR), -XEN_EIO);
    ck_assert_int_eq(virtio_blk_status_error(VIRTIO_BLK_STATUS_UNWRITTEN), -XEN_EIO);
    ck_assert_int_eq(virtio_blk_status_error(3), -XEN_EIO);
}
END_TEST

START_TEST(test_the_queue_is_as_large_as_wanted_when_the_device_allows_more)
{
    ck_assert_uint_eq(virtio_blk_queue_size(1024, 128), 128);
    ck_assert_uint_eq(virtio_blk_queue_size(128, 128), 128);
}
END_TEST

START_TEST(test_the_queue_shrinks_to_a_power_of_two_the_device_allows)
{
    ck_assert_uint_eq(virtio_blk_queue_size(100, 128), 64);
    ck_assert_uint_eq(virtio_blk_queue_size(16, 128), 16);
}
END_TEST

START_TEST(test_a_queue_too_small_for_one_request_is_refused)
{
    ck_assert_uint_eq(virtio_blk_queue_size(15, 128), 0);
    ck_assert_uint_eq(virtio_blk_queue_size(0, 128), 0);
}
END_TEST

/* A GET_ID answer holding text (the rest zero, as QEMU pads it). */
static bool parse_serial_of(const char *text, char serial[VIRTIO_BLK_SERIAL_SIZE])
{
    uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };

    memcpy(id, text, strlen(text) < sizeof(id) ? strlen(text) : sizeof(id));
    return virtio_blk_parse_serial(id, serial);
}

START_TEST(test_a_serial_shorter_than_20_bytes_ends_at_its_nul)
{
    char serial[VIRTIO_BLK_SERIAL_SIZE];

    ck_assert(parse_serial_of("base.qcow2", serial));
    ck_assert_str_eq(serial, "base.qcow2");
}
END_TEST

START_TEST(test_a_serial_of_exactly_20_bytes_has_no_nul_and_is_whole)
{
    char serial[VIRTIO_BLK_SERIAL_SIZE];

    ck_assert(parse_serial_of("overlay-12345.qcow2_", serial));
    ck_assert_str_eq(serial, "overlay-12345.qcow2_");
}
END_TEST

START_TEST(test_an_empty_serial_names_no_disk)
{
    char serial[VIRTIO_BLK_SERIAL_SIZE];

    ck_assert(!parse_serial_of("", serial));
    ck_assert_str_eq(serial, "");
}
END_TEST

START_TEST(test_a_serial_with_a_slash_space_or_control_byte_names_no_disk)
{
    char serial[VIRTIO_BLK_SERIAL_SIZE];

    ck_assert(!parse_serial_of("../etc", serial));
    ck_assert(!parse_serial_of("a/b", serial));
    ck_assert(!parse_serial_of("a b", serial));
    ck_assert(!parse_serial_of("a\x01", serial));
    ck_assert(!parse_serial_of("a\xff", serial));
    ck_assert_str_eq(serial, "");
}
END_TEST

START_TEST(test_a_serial_starting_with_a_dot_names_no_disk)
{
    char serial[VIRTIO_BLK_SERIAL_SIZE];

    ck_assert(!parse_serial_of(".hidden", serial));
}
END_TEST

START_TEST(test_bytes_after_the_nul_are_ignored)
{
    uint8_t id[VIRTIO_BLK_ID_BYTES] = { 'a', '.', 'i', 'm', 'g', 0, '/', 0xff };
    char serial[VIRTIO_BLK_SERIAL_SIZE];

    ck_assert(virtio_blk_parse_serial(id, serial));
    ck_assert_str_eq(serial, "a.img");
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

static Suite *virtio_blk_protocol_suite(void)
{
    Suite *suite = suite_create("virtio_blk_protocol");

    add_test_case(suite, test_legacy_accepts_read_only_and_flush_and_nothing_else);
    add_test_case(suite, test_legacy_never_accepts_version_1);
    add_test_case(suite, test_modern_accepts_version_1);
    add_test_case(suite, test_modern_device_without_version_1_is_refused);
    add_test_case(suite, test_a_well_formed_write_is_accepted);
    add_test_case(suite, test_a_write_to_a_read_only_device_is_erofs);
    add_test_case(suite, test_a_read_from_a_read_only_device_is_accepted);
    add_test_case(suite, test_a_flush_without_the_flush_feature_is_eopnotsupp);
    add_test_case(suite, test_a_flush_with_segments_is_invalid);
    add_test_case(suite, test_no_segments_or_more_than_eleven_is_invalid);
    add_test_case(suite, test_a_segment_that_is_empty_or_not_a_sector_multiple_is_invalid);
    add_test_case(suite, test_a_segment_not_sector_aligned_is_invalid);
    add_test_case(suite, test_a_segment_crossing_its_page_is_invalid);
    add_test_case(suite, test_the_last_sector_of_the_device_may_be_reached_but_not_passed);
    add_test_case(suite, test_a_sector_near_2_to_the_64_does_not_wrap_into_the_device);
    add_test_case(suite, test_an_unknown_operation_is_invalid);
    add_test_case(suite, test_a_write_chain_is_header_segments_then_status_only_status_device_written);
    add_test_case(suite, test_a_read_chain_lets_the_device_write_the_segments);
    add_test_case(suite, test_a_flush_chain_is_header_and_status_with_sector_0);
    add_test_case(suite, test_headers_carry_the_type_and_sector);
    add_test_case(suite, test_status_ok_is_success_unsupp_is_eopnotsupp_anything_else_eio);
    add_test_case(suite, test_the_queue_is_as_large_as_wanted_when_the_device_allows_more);
    add_test_case(suite, test_the_queue_shrinks_to_a_power_of_two_the_device_allows);
    add_test_case(suite, test_a_queue_too_small_for_one_request_is_refused);
    add_test_case(suite, test_a_serial_shorter_than_20_bytes_ends_at_its_nul);
    add_test_case(suite, test_a_serial_of_exactly_20_bytes_has_no_nul_and_is_whole);
    add_test_case(suite, test_an_empty_serial_names_no_disk);
    add_test_case(suite, test_a_serial_with_a_slash_space_or_control_byte_names_no_disk);
    add_test_case(suite, test_a_serial_starting_with_a_dot_names_no_disk);
    add_test_case(suite, test_bytes_after_the_nul_are_ignored);
    return suite;
}

REGISTER_SUITE(virtio_blk_protocol_suite)
