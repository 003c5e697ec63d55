/*
 * What the workload programs of the Linux guest's initramfs share (each
 * is a static Linux executable built from its own file and common.c by
 * tools/make-linux-initramfs.sh; workload.sh runs them).
 *
 * Rules every program keeps:
 *   - its result is one line on stdout, "pvmon-linux: PASS STEP key=value..."
 *     or "pvmon-linux: FAIL STEP key=value...", printed by report();
 *   - diagnostics (what failed, and where) go to stderr as "STEP: ...",
 *     at most MAX_DIAGNOSTICS of one kind, so that a broken run stays
 *     readable on a serial console;
 *   - it exits 0 after PASS and 1 after FAIL, including for bad arguments;
 *   - times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef PVMON_LINUX_WORKLOAD_COMMON_H
#define PVMON_LINUX_WORKLOAD_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_DIAGNOSTICS 8

/* Nanoseconds on CLOCK_MONOTONIC; exits with a FAIL of step if the clock cannot be read. */
uint64_t monotonic_ns(const char *step);

/*
 * Parses a decimal number in [minimum, maximum] from text, the whole of
 * it.  On anything else says why on stderr (naming what, e.g. "COUNT")
 * and returns false.
 */
bool parse_number(const char *step, const char *what, const char *text, uint64_t minimum,
                  uint64_t maximum, uint64_t *value);

/*
 * Prints the result line of step: "pvmon-linux: PASS|FAIL step " and the
 * key=value details formatted by format.  Returns the exit status that
 * goes with it (0 for PASS, 1 for FAIL).
 */
int report(bool passed, const char *step, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
