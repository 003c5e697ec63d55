/*
 * Specification of the failing-hypercall counter (common/hypercall_failures.c):
 * when a domain's failures are worth a warning, and what the warning says.
 */
#include <stdint.h>
#include <string.h>

#include <pvmon/hypercall_failures.h>
#include <xen/xen.h>

#include "suites.h"

#define SECOND UINT64_C(1000000000)
#define START (7 * SECOND)
#define ENOSYS_RESULT (-38L)
#define EINVAL_RESULT (-22L)
#define ENOENT_RESULT (-2L)
#define LOOP_FAILURES 10000

/* One failure at now_ns, counted as kernel/hypercall_dispatch.c does:
 * true if it brought a warning. */
static bool fail_once(struct hypercall_failures *failures, uint64_t hypercall, long error, uint64_t now_ns,
                 struct hypercall_failure_report *report)
{
    return hypercall_failures_count(failures, hypercall, error) &&
           hypercall_failures_read_clock(failures, now_ns, report);
}

/* count failures of one pair spread evenly over [start, start + span_ns);
 * returns how many of them brought a warning. */
static unsigned int fail_repeatedly(struct hypercall_failures *failures, uint64_t hypercall, long error,
                                    uint64_t count, uint64_t start, uint64_t span_ns,
                                    struct hypercall_failure_report *report)
{
    unsigned int warnings = 0;

    for (uint64_t index = 0; index < count; index++)
        warnings += fail_once(failures, hypercall, error, start + index * (span_ns / count), report);
    return warnings;
}

/* Failures of one pair at now_ns until one brings a warning, at most
 * limit; returns how many it took (limit + 1 if none did). */
static uint64_t failures_until_warning(struct hypercall_failures *failures, uint64_t hypercall, long error,
                                       uint64_t now_ns, uint64_t limit, struct hypercall_failure_report *report)
{
    for (uint64_t count = 1; count <= limit; count++) {
        if (fail_once(failures, hypercall, error, now_ns, report))
            return count;
    }
    return limit + 1;
}

START_TEST(test_a_loop_of_failures_is_reported_within_a_clock_period_after_a_second)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    ck_assert_uint_eq(fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START, SECOND,
                                      &report),
                      0);
    ck_assert_uint_le(failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND,
                                             LOOP_FAILURES, &report),
                      HYPERCALL_FAILURE_CLOCK_PERIOD);
}
END_TEST

START_TEST(test_the_report_names_the_hypercall_its_error_and_the_count)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;
    uint64_t more;

    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START, SECOND, &report);
    more = failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND, LOOP_FAILURES,
                                  &report);
    ck_assert_uint_eq(report.most.hypercall, __HYPERVISOR_vcpu_op);
    ck_assert_int_eq(report.most.error, ENOSYS_RESULT);
    ck_assert_uint_eq(report.most.count, LOOP_FAILURES + more);
    ck_assert_uint_eq(report.others, 0);
    ck_assert_uint_eq(report.window_ns, SECOND);
}
END_TEST

START_TEST(test_the_clock_is_read_at_the_first_failure_and_once_a_period)
{
    struct hypercall_failures failures = { 0 };
    unsigned int readings = 0;

    for (unsigned int count = 0; count < 10 * HYPERCALL_FAILURE_CLOCK_PERIOD; count++) {
        if (hypercall_failures_count(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT))
            readings++;
    }
    ck_assert_uint_eq(readings, 1 + 10);
}
END_TEST

START_TEST(test_a_loop_is_reported_at_most_once_a_second)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    ck_assert_uint_eq(fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, 5 * LOOP_FAILURES, START,
                                      5 * SECOND, &report),
                      4);
}
END_TEST

START_TEST(test_fewer_failures_than_the_threshold_in_a_second_are_not_reported)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, HYPERCALL_FAILURES_WORTH_A_WARNING - 100, START,
                    SECOND, &report);
    ck_assert_uint_gt(failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND, 99,
                                             &report),
                      99);
}
END_TEST

START_TEST(test_the_threshold_in_a_second_is_reported)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, HYPERCALL_FAILURES_WORTH_A_WARNING, START,
                    SECOND, &report);
    ck_assert_uint_le(failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND,
                                             HYPERCALL_FAILURE_CLOCK_PERIOD, &report),
                      HYPERCALL_FAILURE_CLOCK_PERIOD);
}
END_TEST

START_TEST(test_rare_failures_over_a_long_time_are_not_reported)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    ck_assert_uint_eq(fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, 100 * HYPERCALL_FAILURE_CLOCK_PERIOD,
                                      START, 3600 * SECOND, &report),
                      0);
}
END_TEST

START_TEST(test_a_burst_that_stops_within_its_second_is_not_reported)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    ck_assert_uint_eq(fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START,
                                      SECOND / 2, &report),
                      0);
}
END_TEST

START_TEST(test_the_pair_that_failed_most_is_named_and_the_rest_are_others)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;
    uint64_t more;

    fail_repeatedly(&failures, __HYPERVISOR_memory_op, EINVAL_RESULT, 10, START, 10, &report);
    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START + 10, SECOND / 2, &report);
    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOENT_RESULT, 20, START + SECOND / 2, 20, &report);
    more = failures_until_warning(&failures, __HYPERVISOR_sched_op, EINVAL_RESULT, START + SECOND, LOOP_FAILURES,
                                  &report);
    ck_assert_uint_eq(report.most.hypercall, __HYPERVISOR_vcpu_op);
    ck_assert_int_eq(report.most.error, ENOSYS_RESULT);
    ck_assert_uint_eq(report.most.count, LOOP_FAILURES);
    ck_assert_uint_eq(report.others, 30 + more);
}
END_TEST

START_TEST(test_pairs_beyond_the_kinds_told_apart_count_as_others)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;
    uint64_t more;

    for (uint64_t hypercall = 0; hypercall < HYPERCALL_FAILURE_KINDS; hypercall++)
        fail_once(&failures, hypercall, EINVAL_RESULT, START, &report);
    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START, SECOND / 2, &report);
    more = failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND, LOOP_FAILURES,
                                  &report);
    ck_assert_uint_eq(report.most.count, 1);
    ck_assert_uint_eq(report.others, LOOP_FAILURES + more + HYPERCALL_FAILURE_KINDS - 1);
}
END_TEST

START_TEST(test_the_next_window_opens_at_the_failure_after_a_report)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START, SECOND, &report);
    failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND, LOOP_FAILURES, &report);
    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START + 2 * SECOND, SECOND,
                    &report);
    ck_assert_uint_eq(failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + 3 * SECOND,
                                             HYPERCALL_FAILURE_CLOCK_PERIOD, &report),
                      HYPERCALL_FAILURE_CLOCK_PERIOD - LOOP_FAILURES % HYPERCALL_FAILURE_CLOCK_PERIOD);
    ck_assert_uint_eq(report.window_ns, SECOND);
    ck_assert_uint_eq(report.most.count, LOOP_FAILURES + HYPERCALL_FAILURE_CLOCK_PERIOD -
                                             LOOP_FAILURES % HYPERCALL_FAILURE_CLOCK_PERIOD);
}
END_TEST

START_TEST(test_time_going_backwards_keeps_the_window_open)
{
    struct hypercall_failures failures = { 0 };
    struct hypercall_failure_report report;

    fail_repeatedly(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, LOOP_FAILURES, START, SECOND / 2, &report);
    ck_assert_uint_gt(failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, 0, LOOP_FAILURES,
                                             &report),
                      LOOP_FAILURES);
    ck_assert_uint_le(failures_until_warning(&failures, __HYPERVISOR_vcpu_op, ENOSYS_RESULT, START + SECOND,
                                             HYPERCALL_FAILURE_CLOCK_PERIOD, &report),
                      HYPERCALL_FAILURE_CLOCK_PERIOD);
    ck_assert_uint_eq(report.window_ns, SECOND);
}
END_TEST

START_TEST(test_hypercalls_are_named_as_xen_names_them)
{
    ck_assert_str_eq(hypercall_name(__HYPERVISOR_vcpu_op), "vcpu_op");
    ck_assert_str_eq(hypercall_name(__HYPERVISOR_mmu_update), "mmu_update");
    ck_assert_str_eq(hypercall_name(__HYPERVISOR_set_trap_table), "set_trap_table");
}
END_TEST

START_TEST(test_a_number_with_no_hypercall_has_no_name)
{
    ck_assert_ptr_null(hypercall_name(11));
    ck_assert_ptr_null(hypercall_name(63));
    ck_assert_ptr_null(hypercall_name(UINT64_MAX));
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *hypercall_failures_suite(void)
{
    Suite *suite = suite_create("hypercall_failures");

    add_test_case(suite, test_a_loop_of_failures_is_reported_within_a_clock_period_after_a_second);
    add_test_case(suite, test_the_report_names_the_hypercall_its_error_and_the_count);
    add_test_case(suite, test_the_clock_is_read_at_the_first_failure_and_once_a_period);
    add_test_case(suite, test_a_loop_is_reported_at_most_once_a_second);
    add_test_case(suite, test_fewer_failures_than_the_threshold_in_a_second_are_not_reported);
    add_test_case(suite, test_the_threshold_in_a_second_is_reported);
    add_test_case(suite, test_rare_failures_over_a_long_time_are_not_reported);
    add_test_case(suite, test_a_burst_that_stops_within_its_second_is_not_reported);
    add_test_case(suite, test_the_pair_that_failed_most_is_named_and_the_rest_are_others);
    add_test_case(suite, test_pairs_beyond_the_kinds_told_apart_count_as_others);
    add_test_case(suite, test_the_next_window_opens_at_the_failure_after_a_report);
    add_test_case(suite, test_time_going_backwards_keeps_the_window_open);
    add_test_case(suite, test_hypercalls_are_named_as_xen_names_them);
    add_test_case(suite, test_a_number_with_no_hypercall_has_no_name);
    return suite;
}

REGISTER_SUITE(hypercall_failures_suite)
