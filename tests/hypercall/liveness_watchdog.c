/*
 * The liveness test's watchdog (tests/liveness): a domU that asks for a
 * timer event every period_us of system time (VCPUOP_set_singleshot_timer,
 * re-armed one period after each wake-up, then SCHEDOP_block) for seconds
 * of system time, and records the largest gap between two consecutive
 * wake-ups, read from its vcpu_time_info.  Under -icount shift=0 system
 * time counts guest instructions, so the gap is exact: it is the longest
 * the machine kept this domain from its due timer, whatever another
 * domain's hypercalls did meanwhile.  The scenario gives the watchdog a
 * far larger scheduler weight than the attacker, so that a timer due
 * while the attacker runs preempts it at once (scheduler_policy.c: an
 * entity woken with credit is boosted and preempts one that is not).
 * That holds only once the scheduler has handed out credit (after 30 ms
 * of running time): until then a woken domain may wait for the running
 * one's slice to end, 10 ms, which is scheduling policy and not a
 * hypercall's length.  So gaps end
 * counting settle_ms after the start, and the attacker spins until its
 * attack starts, later than that.
 *
 * Command line: period_us=N (default 1000), seconds=N (default 3),
 * settle_ms=N (default 50), report_us=N (default 5000).  Prints
 * "LIVENESS watchdog: settled at_ns=T" when gaps start counting, "LIVENESS watchdog: new
 * max_gap_ns=G at_ns=T" whenever the largest gap grows (so that a log cut
 * short still tells), "LIVENESS watchdog: gap_ns=G at_ns=T" for every
 * other gap of report_us or more (to tell which part of an attack, or of
 * the domains' starts and ends, held the machine), and at the end
 * "LIVENESS watchdog: max_gap_ns=G events=N period_ns=P seconds=S".
 */
#include <pvmon/command_line.h>
#include "check.h"

const char test_family[] = "liveness_watchdog";

#define DEFAULT_PERIOD_US 1000
#define DEFAULT_SECONDS 3
#define DEFAULT_REPORT_US 5000
#define DEFAULT_SETTLE_MS 50

struct watch {
    uint64_t period_ns;
    uint64_t report_ns;
    uint64_t end_ns;
    uint64_t max_gap_ns;
    uint64_t wakeups;
};

static uint64_t option(const char *name, uint64_t fallback)
{
    uint64_t value;

    if (command_line_get_unsigned((const char *)runtime_start_info->cmd_line, name, &value) && value > 0)
        return value;
    return fallback;
}

static void watch_until_end(struct watch *watch)
{
    uint64_t last_ns = system_time_ns();

    while (last_ns < watch->end_ns) {
        uint64_t now_ns;

        sleep_until(last_ns + watch->period_ns);
        now_ns = system_time_ns();
        watch->wakeups++;
        if (now_ns - last_ns > watch->max_gap_ns) {
            watch->max_gap_ns = now_ns - last_ns;
            console_printf("LIVENESS watchdog: new max_gap_ns=%lu at_ns=%lu\n", watch->max_gap_ns, now_ns);
        } else if (now_ns - last_ns >= watch->report_ns) {
            console_printf("LIVENESS watchdog: gap_ns=%lu at_ns=%lu\n", now_ns - last_ns, now_ns);
        }
        last_ns = now_ns;
    }
}

/* Wakes every period without counting gaps until settled_ns. */
static void settle_until(const struct watch *watch, uint64_t settled_ns)
{
    uint64_t last_ns = system_time_ns();

    while (last_ns < settled_ns) {
        sleep_until(last_ns + watch->period_ns);
        last_ns = system_time_ns();
    }
    console_printf("LIVENESS watchdog: settled at_ns=%lu\n", last_ns);
}

void run_tests(void)
{
    uint64_t seconds = option("seconds", DEFAULT_SECONDS);
    uint64_t settle_ns = option("settle_ms", DEFAULT_SETTLE_MS) * NANOSECONDS_PER_MILLISECOND;
    struct watch watch = {
        .period_ns = option("period_us", DEFAULT_PERIOD_US) * NANOSECONDS_PER_MICROSECOND,
        .report_ns = option("report_us", DEFAULT_REPORT_US) * NANOSECONDS_PER_MICROSECOND,
    };
    uint64_t started_ns = system_time_ns();

    console_printf("LIVENESS watchdog: started at_ns=%lu\n", started_ns);
    settle_until(&watch, started_ns + settle_ns);
    watch.end_ns = started_ns + seconds * NANOSECONDS_PER_SECOND;
    watch_until_end(&watch);
    console_printf("LIVENESS watchdog: max_gap_ns=%lu events=%lu period_ns=%lu seconds=%lu\n", watch.max_gap_ns,
                   watch.wakeups, watch.period_ns, seconds);
    expect_true("timer_events_kept_coming", watch.wakeups > 0, (long)watch.wakeups, "at least one wake-up");
}
