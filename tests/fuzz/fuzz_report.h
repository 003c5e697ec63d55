/*
 * How a fuzz harness reports a broken invariant: one line on stderr
 * naming the harness, the step and the operation under way, then abort(),
 * so that libFuzzer keeps the input and the seeded pass fails.
 */
#ifndef PVMON_TEST_FUZZ_REPORT_H
#define PVMON_TEST_FUZZ_REPORT_H

void fuzz_report_violation(const char *harness, unsigned int step, const char *operation, const char *format, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

#endif
