/*
 * Tests of common/pv_time.c: the vcpu_time_info and wallclock a guest
 * reads, and the guest's own reading of system time.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/pv_time.h>
#include <pvmon/time.h>

#include "suites.h"


/* The formula of Xen's public xen.h, written out as a guest would. */
static uint64_t guest_formula(const struct vcpu_time_info *time, uint64_t tsc)
{
    uint64_t delta = tsc - time->tsc_timestamp;

    if (time->tsc_shift >= 0)
        delta <<= time->tsc_shift;
    else
        delta >>= -time->tsc_shift;
    return time->system_time + (uint64_t) (((unsigned __int128) delta * time->tsc_to_system_mul) >> 32);
}

static uint64_t exact_nanoseconds(uint64_t ticks, uint64_t frequency)
{
    return (uint64_t) ((unsigned __int128) ticks * NANOSECONDS_PER_SECOND / frequency);
}

static struct vcpu_time_info published(uint64_t tsc_timestamp, uint64_t system_time, uint64_t frequency)
{
    struct vcpu_time_info time;

    memset(&time, 0, sizeof(time));
    pv_time_publish(&time, tsc_timestamp, system_time, time_scale_for_frequency(frequency));
    return time;
}

/* Allowed error: 1 ns per started second of ticks, plus 1 ns of rounding. */
static uint64_t allowed_error(uint64_t ticks, uint64_t frequency)
{
    return 1 + (ticks + frequency - 1) / frequency;
}

static uint64_t distance(uint64_t first, uint64_t second)
{
    return first > second ? first - second : second - first;
}

START_TEST(test_guest_formula_is_within_a_nanosecond_per_second_from_1_mhz_to_10_ghz)
{
    static const uint64_t extra_frequencies[] = { 1193182, 62500000, 999999937, 1000000001,
                                                  2000000000ULL, 2000000001ULL, 2598508000ULL,
                                                  3999999999ULL, 4294967296ULL, 10000000000ULL };
    uint64_t frequencies[64 + sizeof(extra_frequencies) / sizeof(extra_frequencies[0])];
    unsigned int count = 0;

    for (uint64_t frequency = 1000000; frequency < 10000000000ULL; frequency = frequency * 9 / 7)
        frequencies[count++] = frequency;
    for (unsigned int index = 0; index < sizeof(extra_frequencies) / sizeof(extra_frequencies[0]); index++)
        frequencies[count++] = extra_frequencies[index];

    for (unsigned int index = 0; index < count; index++) {
        uint64_t frequency = frequencies[index];
        uint64_t tsc_timestamp = 123456789;
        struct vcpu_time_info time = published(tsc_timestamp, 5000, frequency);
        const uint64_t ticks[] = { 1, 999, frequency / 1000, frequency - 1, frequency, 7 * frequency + 3,
                                   3600 * frequency };

        for (unsigned int sample = 0; sample < sizeof(ticks) / sizeof(ticks[0]); sample++) {
            uint64_t nanoseconds = guest_formula(&time, tsc_timestamp + ticks[sample]) - 5000;

            ck_assert_uint_le(distance(nanoseconds, exact_nanoseconds(ticks[sample], frequency)),
                              allowed_error(ticks[sample], frequency));
        }
    }
}
END_TEST

START_TEST(test_one_gigahertz_tsc_counts_exact_nanoseconds)
{
    struct vcpu_time_info time = published(1000, 0, 1000000000);

    ck_assert_int_eq(time.tsc_shift, 1);
    ck_assert_uint_eq(time.tsc_to_system_mul, 1U << 31);
    ck_assert_uint_eq(guest_formula(&time, 1001), 1);
    ck_assert_uint_eq(guest_formula(&time, 1000 + 123456789012ULL), 123456789012ULL);
}
END_TEST

START_TEST(test_fast_tsc_gets_a_negative_shift_that_the_guest_formula_applies)
{
    struct vcpu_time_info time = published(0, 0, 3000000000ULL);

    ck_assert_int_lt(time.tsc_shift, 0);
    ck_assert_uint_le(distance(guest_formula(&time, 3000000000ULL), NANOSECONDS_PER_SECOND), 1);
}
END_TEST

START_TEST(test_slow_tsc_gets_a_positive_shift)
{
    ck_assert_int_gt(published(0, 0, 1000000).tsc_shift, 0);
}
END_TEST

START_TEST(test_publish_writes_timestamp_system_time_and_clears_flags)
{
    struct vcpu_time_info time;

    memset(&time, 0, sizeof(time));
    time.flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    pv_time_publish(&time, 777, 888, time_scale_for_frequency(2500000000ULL));
    ck_assert_uint_eq(time.tsc_timestamp, 777);
    ck_assert_uint_eq(time.system_time, 888);
    ck_assert_uint_eq(time.tsc_to_system_mul, time_scale_for_frequency(2500000000ULL).multiplier);
    ck_assert_uint_eq(time.flags, 0);
}
END_TEST

START_TEST(test_version_is_even_after_an_update_and_moves_on_by_two)
{
    struct vcpu_time_info time;

    memset(&time, 0, sizeof(time));
    pv_time_publish(&time, 1, 2, time_scale_for_frequency(1000000000));
    ck_assert_uint_eq(time.version, 2);
    pv_time_publish(&time, 3, 4, time_scale_for_frequency(1000000000));
    ck_assert_uint_eq(time.version, 4);
}
END_TEST

START_TEST(test_version_left_odd_becomes_even_after_an_update)
{
    struct vcpu_time_info time;

    memset(&time, 0, sizeof(time));
    time.version = 7;
    pv_time_publish(&time, 1, 2, time_scale_for_frequency(1000000000));
    ck_assert_uint_eq(time.version % 2, 0);
    ck_assert_uint_gt(time.version, 7);
}
END_TEST

START_TEST(test_version_wraps_around_to_an_even_value)
{
    struct vcpu_time_info time;

    memset(&time, 0, sizeof(time));
    time.version = UINT32_MAX - 1;
    pv_time_publish(&time, 1, 2, time_scale_for_frequency(1000000000));
    ck_assert_uint_eq(time.version, 0);
}
END_TEST

START_TEST(test_reader_adds_scaled_ticks_to_system_time)
{
    struct vcpu_time_info time = published(1000000, 42000, 2000000000ULL);

    ck_assert_uint_eq(pv_time_read_system_time(&time, 1000000), 42000);
    ck_assert_uint_eq(pv_time_read_system_time(&time, 1000000 + 2000000000ULL),
                      42000 + NANOSECONDS_PER_SECOND);
    ck_assert_uint_eq(pv_time_read_system_time(&time, 1000000 + 123457),
                      guest_formula(&time, 1000000 + 123457));
}
END_TEST

START_TEST(test_reader_gives_earlier_time_for_tsc_before_the_timestamp)
{
    struct vcpu_time_info time = published(5000, 1000000, 1000000000);

    ck_assert_uint_eq(pv_time_read_system_time(&time, 4000), 999000);
}
END_TEST

START_TEST(test_reader_stops_at_zero_for_tsc_long_before_the_timestamp)
{
    struct vcpu_time_info time = published(5000000, 100, 1000000000);

    ck_assert_uint_eq(pv_time_read_system_time(&time, 0), 0);
}
END_TEST

START_TEST(test_wallclock_holds_the_boot_epoch_and_an_even_version)
{
    static struct shared_info shared_info;

    memset(&shared_info, 0, sizeof(shared_info));
    pv_time_publish_wallclock(&shared_info, 1700000000, 250000000);
    ck_assert_uint_eq(shared_info.wc_version, 2);
    ck_assert_uint_eq(shared_info.wc_sec, 1700000000);
    ck_assert_uint_eq(shared_info.wc_nsec, 250000000);
    ck_assert_uint_eq(shared_info.wc_sec_hi, 0);
    pv_time_publish_wallclock(&shared_info, 1700000001, 0);
    ck_assert_uint_eq(shared_info.wc_version, 4);
}
END_TEST

START_TEST(test_wallclock_seconds_beyond_32_bits_go_to_wc_sec_hi)
{
    static struct shared_info shared_info;
    uint64_t seconds = (5ULL << 32) + 17;

    memset(&shared_info, 0, sizeof(shared_info));
    pv_time_publish_wallclock(&shared_info, seconds, 0);
    ck_assert_uint_eq(shared_info.wc_sec, 17);
    ck_assert_uint_eq(shared_info.wc_sec_hi, 5);
}
END_TEST

START_TEST(test_wallclock_nanoseconds_of_a_second_or_more_carry_into_seconds)
{
    static struct shared_info shared_info;

    memset(&shared_info, 0, sizeof(shared_info));
    pv_time_publish_wallclock(&shared_info, 10, 2500000000ULL);
    ck_assert_uint_eq(shared_info.wc_sec, 12);
    ck_assert_uint_eq(shared_info.wc_nsec, 500000000);
}
END_TEST

Suite *pv_time_suite(void)
{
    Suite *suite = suite_create("pv_time");
    TCase *cases = tcase_create("pv_time");

    tcase_add_test(cases, test_guest_formula_is_within_a_nanosecond_per_second_from_1_mhz_to_10_ghz);
    tcase_add_test(cases, test_one_gigahertz_tsc_counts_exact_nanoseconds);
    tcase_add_test(cases, test_fast_tsc_gets_a_negative_shift_that_the_guest_formula_applies);
    tcase_add_test(cases, test_slow_tsc_gets_a_positive_shift);
    tcase_add_test(cases, test_publish_writes_timestamp_system_time_and_clears_flags);
    tcase_add_test(cases, test_version_is_even_after_an_update_and_moves_on_by_two);
    tcase_add_test(cases, test_version_left_odd_becomes_even_after_an_update);
    tcase_add_test(cases, test_version_wraps_around_to_an_even_value);
    tcase_add_test(cases, test_reader_adds_scaled_ticks_to_system_time);
    tcase_add_test(cases, test_reader_gives_earlier_time_for_tsc_before_the_timestamp);
    tcase_add_test(cases, test_reader_stops_at_zero_for_tsc_long_before_the_timestamp);
    tcase_add_test(cases, test_wallclock_holds_the_boot_epoch_and_an_even_version);
    tcase_add_test(cases, test_wallclock_seconds_beyond_32_bits_go_to_wc_sec_hi);
    tcase_add_test(cases, test_wallclock_nanoseconds_of_a_second_or_more_carry_into_seconds);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(pv_time_suite)
