/*
 * What the workload programs share: the result line, the clock and
 * number parsing (see common.h for the rules they keep).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common.h"

uint64_t monotonic_ns(const char *step)
{
    struct timespec now;

    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
        perror("clock_gettime(CLOCK_MONOTONIC)");
        exit(report(false, step, "error=no-monotonic-clock"));
    }
    return (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
}

bool parse_number(const char *step, const char *what, const char *text, uint64_t minimum,
                  uint64_t maximum, uint64_t *value)
{
    char *end;

    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);

    /* strtoull accepts a sign and leading blanks: only digits are a number here. */
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || parsed < minimum ||
        parsed > maximum) {
        fprintf(stderr, "%s: %s must be a decimal number from %llu to %llu, not '%s'\n", step, what,
                (unsigned long long) minimum, (unsigned long long) maximum, text);
        return false;
    }
    *value = parsed;
    return true;
}

int report(bool passed, const char *step, const char *format, ...)
{
    va_list arguments;

    printf("pvmon-linux: %s %s ", passed ? "PASS" : "FAIL", step);
    va_start(arguments, format);
    vprintf(format, arguments);
    va_end(arguments);
    printf("\n");
    if (fflush(stdout) != 0)
        return EXIT_FAILURE;
    return passed ? EXIT_SUCCESS : EXIT_FAILURE;
}
