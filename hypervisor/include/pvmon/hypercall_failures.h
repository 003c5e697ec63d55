/*
 * Failing hypercalls counted per domain (common/hypercall_failures.c), so
 * that a guest stuck in a loop of failing calls shows in pvmon's log
 * (kernel/hypercall_dispatch.c prints the report).  A window opens at a
 * domain's first failure; the clock is read only at that failure and at
 * every HYPERCALL_FAILURE_CLOCK_PERIOD-th one after it (reading the clock
 * at each would double the cost of a failing hypercall), and the window
 * closes at the first such reading at least a second after it opened.  A
 * window that held HYPERCALL_FAILURES_WORTH_A_WARNING failures or more per
 * second it lasted is reported when it closes, naming the hypercall and
 * error that failed most in it.  So a domain gets at most one warning a
 * second, only while it keeps failing; nothing is printed for a window
 * that its failures stop in.  A zeroed struct is a domain with no failure
 * counted yet.
 *
 *     if (hypercall_failures_count(failures, hypercall, error) &&
 *         hypercall_failures_read_clock(failures, now_ns, &report))
 *         ... log the report ...
 */
#ifndef PVMON_HYPERCALL_FAILURES_H
#define PVMON_HYPERCALL_FAILURES_H

#include <stdbool.h>
#include <stdint.h>

#define HYPERCALL_FAILURE_WINDOW_NS UINT64_C(1000000000)
#define HYPERCALL_FAILURES_WORTH_A_WARNING 1000
#define HYPERCALL_FAILURE_CLOCK_PERIOD 64 /* a power of two */
/* (hypercall, error) pairs told apart in one window; the rest count as "other". */
#define HYPERCALL_FAILURE_KINDS 4

struct hypercall_failure_kind {
    uint64_t hypercall;
    long error;
    uint64_t count;
};

struct hypercall_failures {
    uint64_t window_start_ns;
    uint64_t total;             /* failures in the open window; 0: no window open */
    unsigned int kind_count;
    struct hypercall_failure_kind kinds[HYPERCALL_FAILURE_KINDS];
};

struct hypercall_failure_report {
    struct hypercall_failure_kind most;  /* the pair that failed most in the window */
    uint64_t others;                     /* the window's other failures */
    uint64_t window_ns;                  /* how long the window was open */
};

/* Counts one failure (error < 0) of hypercall.  Returns true when the
 * caller is to read the clock and hand it to hypercall_failures_read_clock. */
bool hypercall_failures_count(struct hypercall_failures *failures, uint64_t hypercall, long error);

/* Opens the window at now_ns, or closes it if it has lasted a second.
 * Returns true when the window it closed is worth a warning, and then
 * fills *report. */
bool hypercall_failures_read_clock(struct hypercall_failures *failures, uint64_t now_ns,
                                   struct hypercall_failure_report *report);

/* Xen's name of a hypercall number (pvmon's own included), or NULL. */
const char *hypercall_name(uint64_t number);

#endif
