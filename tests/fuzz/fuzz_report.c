/*
 * The report of a broken invariant, shared by the fuzz harnesses (see
 * fuzz_report.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_report.h"

void fuzz_report_violation(const char *harness, unsigned int step, const char *operation, const char *format, ...)
{
    va_list arguments;

    fprintf(stderr, "%s fuzz: step %u (%s): ", harness, step, operation);
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
    abort();
}
