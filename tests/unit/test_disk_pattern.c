/*
 * Specification of the disk check's sector contents
 * (pv-guest/kernel/disk_pattern.h): a sector filled for (sector, seed)
 * matches exactly that sector and seed, and a zero or shifted sector never
 * passes for it.
 */
#include <string.h>
#include <kernel/disk_pattern.h>

#include "suites.h"

static uint8_t sector[DISK_PATTERN_SECTOR_SIZE];

START_TEST(test_a_filled_sector_matches_its_own_number_and_seed)
{
    disk_pattern_fill(sector, 1234, 42);
    ck_assert(disk_pattern_matches(sector, 1234, 42));
}
END_TEST

START_TEST(test_a_sector_at_another_place_or_with_another_seed_does_not_match)
{
    disk_pattern_fill(sector, 1234, 42);
    ck_assert(!disk_pattern_matches(sector, 1235, 42));
    ck_assert(!disk_pattern_matches(sector, 1234, 43));
}
END_TEST

START_TEST(test_a_zero_sector_does_not_match)
{
    memset(sector, 0, sizeof(sector));
    ck_assert(!disk_pattern_matches(sector, 0, 0));
}
END_TEST

START_TEST(test_one_changed_byte_does_not_match)
{
    disk_pattern_fill(sector, 7, 42);
    sector[511] ^= 1;
    ck_assert(!disk_pattern_matches(sector, 7, 42));
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *disk_pattern_suite(void)
{
    Suite *suite = suite_create("disk_pattern");

    add_test_case(suite, test_a_filled_sector_matches_its_own_number_and_seed);
    add_test_case(suite, test_a_sector_at_another_place_or_with_another_seed_does_not_match);
    add_test_case(suite, test_a_zero_sector_does_not_match);
    add_test_case(suite, test_one_changed_byte_does_not_match);
    return suite;
}

REGISTER_SUITE(disk_pattern_suite)
