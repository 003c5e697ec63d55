/*
 * Specification of dom0's "domains" file (pv-guest/kernel/domain_config.h),
 * for the statements the liveness test adds: console-flood (dom0 floods
 * its own console during a scenario) and start-after (a domain built and
 * started later than the others).  A malformed or misplaced statement
 * fails the whole file with the number of its line.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/domain_config.h>

#include "suites.h"

static struct domain_config config;
static unsigned int error_line;

static int parse(const char *text)
{
    error_line = 0;
    return domain_config_parse(text, strlen(text), &config, &error_line);
}

#define SCENARIO "scenario liveness 60\n"
#define WATCHDOG "domain watchdog liveness_watchdog.elf 4 65535 seconds=3\n"

START_TEST(test_console_flood_belongs_to_its_scenario)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "console-flood 200 2097152 3\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].console_flood.delay_milliseconds, 200);
    ck_assert_uint_eq(config.scenarios[0].console_flood.bytes, 2097152);
    ck_assert_uint_eq(config.scenarios[0].console_flood.rounds, 3);
}
END_TEST

START_TEST(test_a_scenario_without_console_flood_has_none)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG), 0);
    ck_assert_uint_eq(config.scenarios[0].console_flood.rounds, 0);
}
END_TEST

START_TEST(test_console_flood_of_the_largest_console_io_count_is_accepted)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4294967295 1\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].console_flood.bytes, UINT64_C(4294967295));
}
END_TEST

START_TEST(test_console_flood_beyond_an_unsigned_int_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4294967296 1\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 2);
}
END_TEST

START_TEST(test_console_flood_of_zero_bytes_or_rounds_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 0 1\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4096 0\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_console_flood_before_any_scenario_is_refused)
{
    ck_assert_int_eq(parse("console-flood 0 4096 1\n" SCENARIO), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 1);
}
END_TEST

START_TEST(test_second_console_flood_in_a_scenario_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4096 1\nconsole-flood 0 4096 1\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 3);
}
END_TEST

START_TEST(test_console_flood_with_a_field_too_many_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4096 1 1\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_start_after_belongs_to_the_domain_above)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "domain attacker liveness_attacker.elf 256 1 attack=none\n"
                                             "start-after 200\n"),
                     0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].start_after_milliseconds, 0);
    ck_assert_uint_eq(config.scenarios[0].domains[1].start_after_milliseconds, 200);
}
END_TEST

START_TEST(test_start_after_before_any_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "start-after 200\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 2);
}
END_TEST

START_TEST(test_second_start_after_for_a_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "start-after 200\nstart-after 300\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 4);
}
END_TEST

START_TEST(test_start_after_zero_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "start-after 0\n"), -XEN_EINVAL);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *domain_config_suite(void)
{
    Suite *suite = suite_create("domain_config");

    add_test_case(suite, test_console_flood_belongs_to_its_scenario);
    add_test_case(suite, test_a_scenario_without_console_flood_has_none);
    add_test_case(suite, test_console_flood_of_the_largest_console_io_count_is_accepted);
    add_test_case(suite, test_console_flood_beyond_an_unsigned_int_is_refused);
    add_test_case(suite, test_console_flood_of_zero_bytes_or_rounds_is_refused);
    add_test_case(suite, test_console_flood_before_any_scenario_is_refused);
    add_test_case(suite, test_second_console_flood_in_a_scenario_is_refused);
    add_test_case(suite, test_console_flood_with_a_field_too_many_is_refused);
    add_test_case(suite, test_start_after_belongs_to_the_domain_above);
    add_test_case(suite, test_start_after_before_any_domain_is_refused);
    add_test_case(suite, test_second_start_after_for_a_domain_is_refused);
    add_test_case(suite, test_start_after_zero_is_refused);
    return suite;
}

REGISTER_SUITE(domain_config_suite)
