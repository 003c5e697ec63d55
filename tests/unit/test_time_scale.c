/*
 * Tests of common/time_scale.c: the TSC-to-nanoseconds conversion in the
 * Xen PV ABI's (multiplier, shift) form.
 */
#include <check.h>
#include <stdint.h>

#include <pvmon/time.h>

#include "suites.h"

static uint64_t nanoseconds_after_one_second(uint64_t frequency)
{
    return time_scale_apply(time_scale_for_frequency(frequency), frequency);
}

START_TEST(test_one_gigahertz_counts_one_nanosecond_per_tick)
{
    struct time_scale scale = time_scale_for_frequency(1000000000);

    ck_assert_uint_eq(time_scale_apply(scale, 1000), 1000);
    ck_assert_uint_eq(time_scale_apply(scale, 1000000000), 1000000000);
}
END_TEST

START_TEST(test_multiplier_keeps_31_significant_bits)
{
    static const uint64_t frequencies[] = { 1193182, 62500000, 1000000000, 2598508000ULL,
                                            4000000000ULL, 10000000000ULL };

    for (unsigned int index = 0; index < sizeof(frequencies) / sizeof(frequencies[0]); index++) {
        struct time_scale scale = time_scale_for_frequency(frequencies[index]);

        ck_assert_uint_ge(scale.multiplier, 1U << 31);
    }
}
END_TEST

START_TEST(test_one_second_of_ticks_is_one_second_within_a_microsecond)
{
    static const uint64_t frequencies[] = { 1193182, 62500000, 999999937, 2598508000ULL,
                                            3999999999ULL, 10000000000ULL };

    for (unsigned int index = 0; index < sizeof(frequencies) / sizeof(frequencies[0]); index++) {
        uint64_t nanoseconds = nanoseconds_after_one_second(frequencies[index]);

        ck_assert_uint_le(nanoseconds, 1000000000);
        ck_assert_uint_ge(nanoseconds, 1000000000 - 1000);
    }
}
END_TEST

START_TEST(test_slow_counters_shift_left_and_fast_counters_shift_right)
{
    ck_assert_int_gt(time_scale_for_frequency(62500000).shift, 0);
    ck_assert_int_lt(time_scale_for_frequency(2598508000ULL).shift, 0);
}
END_TEST

START_TEST(test_zero_frequency_gives_a_scale_that_reads_zero)
{
    struct time_scale scale = time_scale_for_frequency(0);

    ck_assert_uint_eq(time_scale_apply(scale, 123456789), 0);
}
END_TEST

START_TEST(test_an_hour_of_a_3_gigahertz_counter_does_not_overflow)
{
    uint64_t frequency = 3000000000ULL;
    uint64_t nanoseconds = time_scale_apply(time_scale_for_frequency(frequency), frequency * 3600);

    ck_assert_uint_ge(nanoseconds, 3600ULL * 1000000000 - 3600ULL * 1000);
    ck_assert_uint_le(nanoseconds, 3600ULL * 1000000000);
}
END_TEST

Suite *time_scale_suite(void)
{
    Suite *suite = suite_create("time_scale");
    TCase *cases = tcase_create("time_scale");

    tcase_add_test(cases, test_one_gigahertz_counts_one_nanosecond_per_tick);
    tcase_add_test(cases, test_multiplier_keeps_31_significant_bits);
    tcase_add_test(cases, test_one_second_of_ticks_is_one_second_within_a_microsecond);
    tcase_add_test(cases, test_slow_counters_shift_left_and_fast_counters_shift_right);
    tcase_add_test(cases, test_zero_frequency_gives_a_scale_that_reads_zero);
    tcase_add_test(cases, test_an_hour_of_a_3_gigahertz_counter_does_not_overflow);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(time_scale_suite)
