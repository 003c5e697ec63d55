/*
 * Runs every host unit-test suite with the check framework and prints one
 * line per test case, then "unit: N passed, N failed" for tests/run-all.sh
 * to add up.  Exits non-zero when any case failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <check.h>

#include "suites.h"

static Suite *(*const suite_constructors[])(void) = {
    format_suite,
    memory_map_suite,
    frame_allocator_suite,
    boot_archive_suite,
    command_line_suite,
    crc32_suite,
    time_scale_suite,
    boot_info_suite,
};

static void print_result(TestResult *result)
{
    const char *verdict = tr_rtype(result) == CK_PASS ? "PASS" : "FAIL";

    printf("%s %s\n", verdict, tr_tcname(result));
    if (tr_rtype(result) != CK_PASS)
        printf("     %s:%d: %s\n", tr_lfile(result), tr_lno(result), tr_msg(result));
}

int main(void)
{
    SRunner *runner = srunner_create(NULL);
    size_t count = sizeof(suite_constructors) / sizeof(suite_constructors[0]);

    for (size_t index = 0; index < count; index++)
        srunner_add_suite(runner, suite_constructors[index]());

    srunner_run_all(runner, CK_SILENT);

    int total = srunner_ntests_run(runner);
    int failed = srunner_ntests_failed(runner);
    TestResult **results = srunner_results(runner);

    for (int index = 0; index < total; index++)
        print_result(results[index]);
    free(results);
    srunner_free(runner);

    printf("unit: %d passed, %d failed\n", total - failed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
