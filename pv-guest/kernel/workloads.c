/*
 * The demonstration's workloads (see workloads.h).  Shares are measured
 * by the domain itself: the runstate's time[RUNSTATE_running] (which the
 * hypervisor brings up to date when asked, as Xen's vcpu_runstate_get
 * does) before and after, over the PV system time in between.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include "console_echo.h"
#include "disk_attacks.h"
#include "disk_broken.h"
#include "disk_test.h"
#include "microbenchmarks.h"
#include "net_attacks.h"
#include "net_test.h"
#include "workloads.h"

#define DEFAULT_SECONDS 2
#define IDLE_PERIOD_NS (100 * NANOSECONDS_PER_MILLISECOND)

struct measurement {
    uint64_t running_ns;
    uint64_t system_ns;
};

static struct measurement measure(void)
{
    struct vcpu_runstate_info runstate = { 0 };
    long result = hypercall_get_runstate_info(&runstate);

    if (result != 0)
        console_printf("workload: VCPUOP_get_runstate_info failed: %ld\n", result);
    return (struct measurement) { .running_ns = runstate.time[RUNSTATE_running], .system_ns = system_time_ns() };
}

static void report_share(const char *role, struct measurement start, struct measurement end)
{
    uint64_t running_ms = (end.running_ns - start.running_ns) / NANOSECONDS_PER_MILLISECOND;
    uint64_t elapsed_ms = (end.system_ns - start.system_ns) / NANOSECONDS_PER_MILLISECOND;
    uint64_t permille = elapsed_ms == 0 ? 0 : running_ms * 1000 / elapsed_ms;

    console_printf("workload %s: ran %lu ms of %lu ms: CPU share %lu.%lu%%\n", role, running_ms, elapsed_ms,
                   permille / 10, permille % 10);
}

static void compute_until(uint64_t end_ns)
{
    volatile uint64_t iterations = 0;

    while (system_time_ns() < end_ns)
        iterations++;
}

static unsigned int idle_until(uint64_t end_ns, bool spin)
{
    unsigned int wake_ups = 0;

    for (uint64_t next = system_time_ns() + IDLE_PERIOD_NS; next <= end_ns; next += IDLE_PERIOD_NS) {
        if (spin)
            compute_until(next);
        else
            sleep_until(next);
        wake_ups++;
    }
    return wake_ups;
}

int run_workload(const char *command_line)
{
    char role[16] = "", wait[16] = "";
    uint64_t seconds = DEFAULT_SECONDS;
    bool spin = command_line_find(command_line, "wait", wait, sizeof(wait)) && strcmp(wait, "spin") == 0;
    struct measurement start;

    command_line_find(command_line, "role", role, sizeof(role));
    if (strcmp(role, "microbenchmarks") == 0)
        return run_microbenchmarks(command_line);
    if (strcmp(role, "disk-attack") == 0)
        return run_disk_attack(command_line);
    if (strcmp(role, "disk-broken") == 0) {
        run_disk_broken(command_line);
        return 0;
    }
    if (strcmp(role, "disk-test") == 0 || strcmp(role, "disk-verify") == 0) {
        run_disk_test(command_line, strcmp(role, "disk-test") == 0);
        return 0;
    }
    if (strcmp(role, "net-test") == 0) {
        run_net_test(command_line);
        return 0;
    }
    if (strcmp(role, "net-attack") == 0)
        return run_net_attack(command_line);
    if (strcmp(role, "console-echo") == 0)
        return run_console_echo(command_line);
    command_line_get_unsigned(command_line, "seconds", &seconds);
    start = measure();
    if (strcmp(role, "busy") == 0) {
        console_printf("workload busy: computing for %lu s\n", seconds);
        compute_until(start.system_ns + seconds * NANOSECONDS_PER_SECOND);
    } else if (strcmp(role, "idle") == 0) {
        console_printf("workload idle: waking every 100 ms for %lu s, %s in between\n", seconds,
                       spin ? "spinning" : "blocking");
        console_printf("workload idle: woke %u times\n",
                       idle_until(start.system_ns + seconds * NANOSECONDS_PER_SECOND, spin));
    } else {
        console_printf("workload: unknown role '%s'\n", role);
        return -XEN_EINVAL;
    }
    report_share(spin ? "idle-spinning" : role, start, measure());
    return 0;
}
