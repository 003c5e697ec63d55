/*
 * Runs every host unit-test suite (each test file registers its own with
 * REGISTER_SUITE, see suites.h) with the check framework, prints one line
 * per test case, then "unit: N passed, N failed" for tests/run-all.sh to
 * add up.  Exits non-zero when any case failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <check.h>

#include "suites.h"

#define MAX_SUITES 128

static Suite *(*suite_constructors[MAX_SUITES])(void);
static size_t suite_count;

void register_suite(Suite *(*constructor)(void))
{
    if (suite_count == MAX_SUITES) {
        fprintf(stderr, "unit: more than %d suites; raise MAX_SUITES\n", MAX_SUITES);
        exit(EXIT_FAILURE);
    }
    suite_constructors[suite_count++] = constructor;
}

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

    for (size_t index = 0; index < suite_count; index++)
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
