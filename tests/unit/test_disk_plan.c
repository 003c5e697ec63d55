/*
 * Specification of the disk test's plan (pv-guest/kernel/disk_plan.c).
 */
#include <stdint.h>
#include <string.h>

#include <xen/errno.h>
#include <kernel/disk_plan.h>

#include "suites.h"

#define DISK_SECTORS (64 * 2048)
#define SEED 42

static struct disk_plan plan;

static void make_plan(uint64_t sectors, unsigned int spread)
{
    ck_assert_int_eq(disk_plan_make(&plan, sectors, SEED, spread, false), 0);
}

START_TEST(test_every_extent_lies_within_the_disk)
{
    make_plan(DISK_SECTORS, DISK_PLAN_MAX_SPREAD);
    for (unsigned int index = 0; index < plan.count; index++)
        ck_assert_uint_le(plan.extents[index].sector + disk_extent_sectors(&plan.extents[index]), DISK_SECTORS);
}
END_TEST

START_TEST(test_every_segment_is_a_valid_blkif_segment)
{
    make_plan(DISK_SECTORS, DISK_PLAN_MAX_SPREAD);
    for (unsigned int index = 0; index < plan.count; index++)
        ck_assert_int_eq(blkfront_check_request(BLKIF_OP_WRITE, plan.extents[index].segment_count,
                                                plan.extents[index].segments), 0);
}
END_TEST

START_TEST(test_the_plan_covers_the_first_and_the_last_sector)
{
    make_plan(DISK_PLAN_MIN_SECTORS, 4);
    ck_assert_uint_eq(plan.extents[0].sector, 0);
    ck_assert_uint_eq(plan.extents[1].sector + disk_extent_sectors(&plan.extents[1]), DISK_PLAN_MIN_SECTORS);
    ck_assert_uint_eq(plan.extents[2].sector + disk_extent_sectors(&plan.extents[2]), DISK_PLAN_MIN_SECTORS);
}
END_TEST

START_TEST(test_the_plan_has_eleven_whole_pages_and_eleven_sub_page_segments)
{
    make_plan(DISK_SECTORS, 0);
    ck_assert_uint_eq(plan.count, DISK_PLAN_FIXED_EXTENTS);
    ck_assert_uint_eq(plan.extents[2].segment_count, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    ck_assert_uint_eq(disk_extent_sectors(&plan.extents[2]), 88);
    ck_assert_uint_eq(plan.extents[3].segment_count, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    ck_assert_uint_lt(disk_extent_sectors(&plan.extents[3]), 88);
}
END_TEST

START_TEST(test_spread_extents_reach_the_second_half_of_the_disk)
{
    uint64_t highest = 0;

    make_plan(DISK_SECTORS, 64);
    for (unsigned int index = DISK_PLAN_FIXED_EXTENTS; index < plan.count; index++)
        if (plan.extents[index].sector > highest)
            highest = plan.extents[index].sector;
    ck_assert_uint_gt(highest, DISK_SECTORS / 2);
}
END_TEST

START_TEST(test_a_disk_too_small_or_too_many_extents_is_einval)
{
    ck_assert_int_eq(disk_plan_make(&plan, DISK_PLAN_MIN_SECTORS - 1, SEED, 1, false), -XEN_EINVAL);
    ck_assert_int_eq(disk_plan_make(&plan, DISK_SECTORS, SEED, DISK_PLAN_MAX_SPREAD + 1, false), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_fill_covers_every_sector_once_in_order)
{
    const uint64_t sectors = 16 * 2048 + 5; /* 16 MiB and a last extent that is not whole */
    uint64_t next = 0;
    unsigned int index;

    ck_assert_int_eq(disk_plan_make(&plan, sectors, SEED, 8, true), 0);
    for (index = 0; index < plan.count && plan.extents[index].kind == DISK_EXTENT_WHOLE_DISK; index++) {
        ck_assert_uint_eq(plan.extents[index].sector, next);
        ck_assert_int_eq(blkfront_check_request(BLKIF_OP_WRITE, plan.extents[index].segment_count,
                                                plan.extents[index].segments), 0);
        next += disk_extent_sectors(&plan.extents[index]);
    }
    ck_assert_uint_eq(next, sectors);
    ck_assert_uint_eq(index, disk_plan_count_kind(&plan, DISK_EXTENT_WHOLE_DISK));
    ck_assert_uint_eq(plan.count - index, DISK_PLAN_FIXED_EXTENTS + 8);
}
END_TEST

START_TEST(test_a_fill_of_a_disk_too_large_is_einval)
{
    ck_assert_int_eq(disk_plan_make(&plan, DISK_PLAN_MAX_FILL_SECTORS + 1, SEED, 0, true), -XEN_EINVAL);
    ck_assert_int_eq(disk_plan_make(&plan, DISK_PLAN_MAX_FILL_SECTORS, SEED, 0, true), 0);
}
END_TEST

START_TEST(test_without_a_fill_no_extent_is_a_fill)
{
    make_plan(DISK_SECTORS, 8);
    ck_assert_uint_eq(disk_plan_count_kind(&plan, DISK_EXTENT_WHOLE_DISK), 0);
}
END_TEST

START_TEST(test_the_same_seed_gives_the_same_plan)
{
    static struct disk_plan first;

    make_plan(DISK_SECTORS, 32);
    memcpy(&first, &plan, sizeof(plan));
    make_plan(DISK_SECTORS, 32);
    ck_assert_mem_eq(&first, &plan, sizeof(plan));
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *disk_plan_suite(void)
{
    Suite *suite = suite_create("disk_plan");

    add_test_case(suite, test_every_extent_lies_within_the_disk);
    add_test_case(suite, test_every_segment_is_a_valid_blkif_segment);
    add_test_case(suite, test_the_plan_covers_the_first_and_the_last_sector);
    add_test_case(suite, test_the_plan_has_eleven_whole_pages_and_eleven_sub_page_segments);
    add_test_case(suite, test_spread_extents_reach_the_second_half_of_the_disk);
    add_test_case(suite, test_a_disk_too_small_or_too_many_extents_is_einval);
    add_test_case(suite, test_a_fill_covers_every_sector_once_in_order);
    add_test_case(suite, test_a_fill_of_a_disk_too_large_is_einval);
    add_test_case(suite, test_without_a_fill_no_extent_is_a_fill);
    add_test_case(suite, test_the_same_seed_gives_the_same_plan);
    return suite;
}

REGISTER_SUITE(disk_plan_suite)
