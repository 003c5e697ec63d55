/*
 * Tests of common/calendar.c: dates to Unix seconds.
 */
#include <check.h>

#include <pvmon/calendar.h>

#include "suites.h"

static uint64_t unix_seconds(unsigned int year, unsigned int month, unsigned int day, unsigned int hour,
                             unsigned int minute, unsigned int second)
{
    struct calendar_time time = { year, month, day, hour, minute, second };

    return calendar_to_unix_seconds(&time);
}

START_TEST(the_epoch_is_zero)
{
    ck_assert_uint_eq(unix_seconds(1970, 1, 1, 0, 0, 0), 0);
}
END_TEST

START_TEST(a_known_date_matches_its_unix_time)
{
    ck_assert_uint_eq(unix_seconds(2026, 11, 21, 12, 34, 56), UINT64_C(1795264496));
}
END_TEST

START_TEST(leap_day_2024_is_counted)
{
    ck_assert_uint_eq(unix_seconds(2024, 3, 1, 0, 0, 0) - unix_seconds(2024, 2, 28, 0, 0, 0), 2 * 86400);
}
END_TEST

START_TEST(year_2100_has_no_leap_day)
{
    ck_assert_uint_eq(unix_seconds(2100, 3, 1, 0, 0, 0) - unix_seconds(2100, 2, 28, 0, 0, 0), 86400);
}
END_TEST

START_TEST(out_of_range_fields_are_invalid)
{
    struct calendar_time good = { 2026, 11, 21, 23, 59, 59 };
    struct calendar_time bad_month = { 2026, 13, 1, 0, 0, 0 };
    struct calendar_time before_epoch = { 1969, 12, 31, 0, 0, 0 };
    struct calendar_time bad_hour = { 2026, 1, 1, 24, 0, 0 };

    ck_assert(calendar_time_is_valid(&good));
    ck_assert(!calendar_time_is_valid(&bad_month));
    ck_assert(!calendar_time_is_valid(&before_epoch));
    ck_assert(!calendar_time_is_valid(&bad_hour));
}
END_TEST

static Suite *calendar_suite(void)
{
    Suite *suite = suite_create("calendar");
    TCase *cases = tcase_create("unix_seconds");

    tcase_add_test(cases, the_epoch_is_zero);
    tcase_add_test(cases, a_known_date_matches_its_unix_time);
    tcase_add_test(cases, leap_day_2024_is_counted);
    tcase_add_test(cases, year_2100_has_no_leap_day);
    tcase_add_test(cases, out_of_range_fields_are_invalid);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(calendar_suite)
