/*
 * Specification of blkif request validation (backend/blkif_request.h):
 * each of Linux blkback's checks as a case, with the status it answers
 * (BLKIF_RSP_ERROR or BLKIF_RSP_EOPNOTSUPP) and the id and real operation
 * the response echoes.  The vbd has 1000 sectors.
 */
#include <stdint.h>
#include <string.h>
#include <backend/blkif_request.h>

#include "suites.h"

#define VBD_SECTORS 1000

static const struct blkif_vbd_limits writable_vbd = { .sectors = VBD_SECTORS, .read_only = false };
static const struct blkif_vbd_limits read_only_vbd = { .sectors = VBD_SECTORS, .read_only = true };
static union blkif_request_copy request;
static struct blkif_checked_request checked;

/* A request with count whole-page segments (grefs 100, 101, ...) at sector. */
static void make_request(uint8_t operation, uint64_t sector, unsigned int count)
{
    memset(&request, 0, sizeof(request));
    request.rw.operation = operation;
    request.rw.id = 0x1122334455667788;
    request.rw.sector_number = sector;
    request.rw.nr_segments = (uint8_t)count;
    for (unsigned int index = 0; index < count && index < BLKIF_MAX_SEGMENTS_PER_REQUEST; index++)
        request.rw.seg[index] = (struct blkif_request_segment) { .gref = 100 + index, .first_sect = 0, .last_sect = 7 };
}

static void check_against(const struct blkif_vbd_limits *vbd)
{
    memset(&checked, 0xcc, sizeof(checked));
    blkif_request_check(&request, vbd, &checked);
}

static void assert_refused(int16_t status)
{
    ck_assert_int_eq(checked.action, BLKIF_ACTION_REFUSE);
    ck_assert_int_eq(checked.refusal_status, status);
    ck_assert_uint_eq(checked.segment_count, 0);
}

START_TEST(test_read_is_served_with_its_segments)
{
    make_request(BLKIF_OP_READ, 16, 2);
    request.rw.seg[1].first_sect = 2;
    request.rw.seg[1].last_sect = 5;
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_READ);
    ck_assert_uint_eq(checked.sector, 16);
    ck_assert_uint_eq(checked.sector_count, 12);
    ck_assert_uint_eq(checked.segment_count, 2);
    ck_assert_uint_eq(checked.segments[0].gref, 100);
    ck_assert_uint_eq(checked.segments[0].offset, 0);
    ck_assert_uint_eq(checked.segments[0].length, 4096);
    ck_assert_uint_eq(checked.segments[1].gref, 101);
    ck_assert_uint_eq(checked.segments[1].offset, 1024);
    ck_assert_uint_eq(checked.segments[1].length, 2048);
}
END_TEST

START_TEST(test_write_is_served)
{
    make_request(BLKIF_OP_WRITE, 0, 1);
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_WRITE);
    ck_assert_uint_eq(checked.sector_count, 8);
}
END_TEST

START_TEST(test_empty_flush_is_served)
{
    make_request(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_FLUSH);
    ck_assert_uint_eq(checked.segment_count, 0);
    ck_assert_uint_eq(checked.sector_count, 0);
}
END_TEST

START_TEST(test_flush_ignores_its_sector_number)
{
    make_request(BLKIF_OP_FLUSH_DISKCACHE, UINT64_MAX, 0);
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_FLUSH);
}
END_TEST

START_TEST(test_eleven_segments_are_served)
{
    make_request(BLKIF_OP_WRITE, 0, 11);
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_WRITE);
    ck_assert_uint_eq(checked.sector_count, 88);
}
END_TEST

START_TEST(test_twelve_segments_are_an_error)
{
    make_request(BLKIF_OP_WRITE, 0, 12);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_255_segments_are_an_error)
{
    make_request(BLKIF_OP_READ, 0, 255);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_read_without_segments_is_an_error)
{
    make_request(BLKIF_OP_READ, 0, 0);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_write_without_segments_is_an_error)
{
    make_request(BLKIF_OP_WRITE, 0, 0);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_flush_with_data_is_an_error)
{
    make_request(BLKIF_OP_FLUSH_DISKCACHE, 0, 1);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_first_sect_after_last_sect_is_an_error)
{
    make_request(BLKIF_OP_READ, 0, 1);
    request.rw.seg[0].first_sect = 4;
    request.rw.seg[0].last_sect = 3;
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_last_sect_beyond_the_page_is_an_error)
{
    make_request(BLKIF_OP_READ, 0, 1);
    request.rw.seg[0].last_sect = 8;
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_segment_of_one_sector_at_the_page_end_is_served)
{
    make_request(BLKIF_OP_READ, 0, 1);
    request.rw.seg[0].first_sect = 7;
    request.rw.seg[0].last_sect = 7;
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_READ);
    ck_assert_uint_eq(checked.segments[0].offset, 3584);
    ck_assert_uint_eq(checked.segments[0].length, 512);
}
END_TEST

START_TEST(test_bad_segment_after_good_ones_is_an_error)
{
    make_request(BLKIF_OP_WRITE, 0, 3);
    request.rw.seg[2].first_sect = 0;
    request.rw.seg[2].last_sect = 255;
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_last_sectors_of_the_vbd_are_served)
{
    make_request(BLKIF_OP_READ, VBD_SECTORS - 8, 1);
    check_against(&writable_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_READ);
}
END_TEST

START_TEST(test_request_running_past_the_end_is_an_error)
{
    make_request(BLKIF_OP_READ, VBD_SECTORS - 7, 1);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_request_starting_past_the_end_is_an_error)
{
    make_request(BLKIF_OP_WRITE, VBD_SECTORS, 1);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_sector_range_wrapping_around_is_an_error)
{
    make_request(BLKIF_OP_READ, UINT64_MAX - 3, 1);
    check_against(&(struct blkif_vbd_limits) { .sectors = UINT64_MAX });
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_write_to_read_only_vbd_is_an_error)
{
    make_request(BLKIF_OP_WRITE, 0, 1);
    check_against(&read_only_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_flush_of_read_only_vbd_is_an_error)
{
    make_request(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
    check_against(&read_only_vbd);
    assert_refused(BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_read_from_read_only_vbd_is_served)
{
    make_request(BLKIF_OP_READ, 0, 1);
    check_against(&read_only_vbd);
    ck_assert_int_eq(checked.action, BLKIF_ACTION_READ);
}
END_TEST

START_TEST(test_write_barrier_is_not_supported)
{
    make_request(BLKIF_OP_WRITE_BARRIER, 0, 0);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_EOPNOTSUPP);
    ck_assert_uint_eq(checked.operation, BLKIF_OP_WRITE_BARRIER);
}
END_TEST

START_TEST(test_discard_is_not_supported_and_echoes_its_id)
{
    memset(&request, 0, sizeof(request));
    request.discard = (struct blkif_request_discard) {
        .operation = BLKIF_OP_DISCARD, .id = 42, .sector_number = 0, .nr_sectors = 8,
    };
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_EOPNOTSUPP);
    ck_assert_uint_eq(checked.id, 42);
    ck_assert_uint_eq(checked.operation, BLKIF_OP_DISCARD);
}
END_TEST

START_TEST(test_indirect_is_not_supported_and_echoes_the_inner_operation)
{
    memset(&request, 0, sizeof(request));
    request.indirect = (struct blkif_request_indirect) {
        .operation = BLKIF_OP_INDIRECT, .indirect_op = BLKIF_OP_WRITE, .nr_segments = 32, .id = 7,
    };
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_EOPNOTSUPP);
    ck_assert_uint_eq(checked.id, 7);
    ck_assert_uint_eq(checked.operation, BLKIF_OP_WRITE);
}
END_TEST

START_TEST(test_reserved_operation_is_not_supported)
{
    make_request(BLKIF_OP_RESERVED_1, 0, 1);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_EOPNOTSUPP);
    ck_assert_uint_eq(checked.operation, BLKIF_OP_RESERVED_1);
}
END_TEST

START_TEST(test_unknown_operation_is_not_supported)
{
    make_request(200, 0, 1);
    check_against(&writable_vbd);
    assert_refused(BLKIF_RSP_EOPNOTSUPP);
    ck_assert_uint_eq(checked.operation, 200);
}
END_TEST

START_TEST(test_response_echoes_id_and_operation)
{
    struct blkif_response response;

    make_request(BLKIF_OP_WRITE, VBD_SECTORS, 1);
    check_against(&writable_vbd);
    response = blkif_response_for(&checked, checked.refusal_status);
    ck_assert_uint_eq(response.id, 0x1122334455667788);
    ck_assert_uint_eq(response.operation, BLKIF_OP_WRITE);
    ck_assert_int_eq(response.status, BLKIF_RSP_ERROR);
}
END_TEST

static Suite *blkif_request_suite(void)
{
    Suite *suite = suite_create("blkif_request");
    TCase *served = tcase_create("served");
    TCase *segments = tcase_create("segments");
    TCase *range = tcase_create("range");
    TCase *operations = tcase_create("operations");

    tcase_add_test(served, test_read_is_served_with_its_segments);
    tcase_add_test(served, test_write_is_served);
    tcase_add_test(served, test_empty_flush_is_served);
    tcase_add_test(served, test_flush_ignores_its_sector_number);
    tcase_add_test(served, test_response_echoes_id_and_operation);
    suite_add_tcase(suite, served);

    tcase_add_test(segments, test_eleven_segments_are_served);
    tcase_add_test(segments, test_twelve_segments_are_an_error);
    tcase_add_test(segments, test_255_segments_are_an_error);
    tcase_add_test(segments, test_read_without_segments_is_an_error);
    tcase_add_test(segments, test_write_without_segments_is_an_error);
    tcase_add_test(segments, test_flush_with_data_is_an_error);
    tcase_add_test(segments, test_first_sect_after_last_sect_is_an_error);
    tcase_add_test(segments, test_last_sect_beyond_the_page_is_an_error);
    tcase_add_test(segments, test_segment_of_one_sector_at_the_page_end_is_served);
    tcase_add_test(segments, test_bad_segment_after_good_ones_is_an_error);
    suite_add_tcase(suite, segments);

    tcase_add_test(range, test_last_sectors_of_the_vbd_are_served);
    tcase_add_test(range, test_request_running_past_the_end_is_an_error);
    tcase_add_test(range, test_request_starting_past_the_end_is_an_error);
    tcase_add_test(range, test_sector_range_wrapping_around_is_an_error);
    tcase_add_test(range, test_write_to_read_only_vbd_is_an_error);
    tcase_add_test(range, test_flush_of_read_only_vbd_is_an_error);
    tcase_add_test(range, test_read_from_read_only_vbd_is_served);
    suite_add_tcase(suite, range);

    tcase_add_test(operations, test_write_barrier_is_not_supported);
    tcase_add_test(operations, test_discard_is_not_supported_and_echoes_its_id);
    tcase_add_test(operations, test_indirect_is_not_supported_and_echoes_the_inner_operation);
    tcase_add_test(operations, test_reserved_operation_is_not_supported);
    tcase_add_test(operations, test_unknown_operation_is_not_supported);
    suite_add_tcase(suite, operations);
    return suite;
}

REGISTER_SUITE(blkif_request_suite)
