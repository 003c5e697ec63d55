/*
 * runstate ROUNDS MS: the kernel must never read a stale runstate area,
 * even when the vCPU was switched out and in while this process computed in
 * user mode, where its page tables do not map the kernel's area (Xen's
 * contract: xen/arch/x86/domain.c _update_runstate_area, pv/domain.c
 * _toggle_guest_pt).  Run it beside a busy domain, so that the hypervisor
 * preempts the domain in every round.
 *
 * First, SYS_runstate must refuse with -EFAULT a buffer
 * the process cannot write: the kernel's own image, its null page, its
 * read-only program text, a range wrapping around the address space:
 *     runstate: 4 buffers outside the process refused with -EFAULT, 0 accepted
 * That call registers the kernel's area (kernel/runstate_area.c).
 * Then, ROUNDS times, the process computes for about MS milliseconds of
 * its own CPU time without a system call (an iteration count calibrated on
 * the hypervisor's time[RUNSTATE_running]) and enters the kernel with
 * SYS_runstate, which reads the area first thing and then asks the
 * hypervisor (VCPUOP_get_runstate_info).  A round was preempted when the
 * hypervisor's time[RUNSTATE_runnable] grew during it; its area was current
 * when it holds the hypervisor's last change of state (state_entry_time)
 * and the times of the states the vCPU is not in.  Prints each stale round,
 * then:
 *     runstate: 8 rounds of 100 ms in user mode, 8 preempted, 0 stale areas
 *     at kernel entry: runnable 412 ms in the area, 412 ms for the hypervisor
 * and exits with 1 if a round was not preempted or its area was stale.
 */
#include <pvmon/errno.h>
#include "lib/user.h"

#define DEFAULT_ROUNDS 8
#define DEFAULT_MILLISECONDS 100
#define CALIBRATION_ITERATIONS UINT64_C(2000000)
#define NANOSECONDS_PER_MILLISECOND UINT64_C(1000000)
#define KERNEL_IMAGE_ADDRESS UINT64_C(0xffffffff80000000)
#define WRAPPING_ADDRESS UINT64_C(0xfffffffffffffff0)

static volatile uint64_t sink;

static void compute(uint64_t iterations)
{
    for (uint64_t iteration = 0; iteration < iterations; iteration++)
        sink += iteration;
}

static bool views_read(struct runstate_views *views)
{
    int error = runstate(views);

    if (error != 0)
        print("runstate: SYS_runstate failed: %d\n", error);
    return error == 0;
}

static uint64_t iterations_per_millisecond(const struct runstate_views *before)
{
    struct runstate_views after;
    uint64_t running_ns;

    compute(CALIBRATION_ITERATIONS);
    if (!views_read(&after))
        return 0;
    running_ns = after.hypervisor.time[RUNSTATE_VIEW_RUNNING] - before->hypervisor.time[RUNSTATE_VIEW_RUNNING];
    return CALIBRATION_ITERATIONS * NANOSECONDS_PER_MILLISECOND / (running_ns == 0 ? 1 : running_ns) + 1;
}

static bool buffers_outside_the_process_are_refused(void)
{
    const uint64_t buffers[] = { KERNEL_IMAGE_ADDRESS, 0, (uint64_t)(uintptr_t)&compute, WRAPPING_ADDRESS };
    const unsigned int count = sizeof(buffers) / sizeof(buffers[0]);
    unsigned int refused = 0;

    for (unsigned int index = 0; index < count; index++) {
        int result = runstate((struct runstate_views *)(uintptr_t)buffers[index]);

        if (result == -XEN_EFAULT)
            refused++;
        else
            print("runstate: SYS_runstate into %#lx returned %d\n", buffers[index], result);
    }
    print("runstate: %u buffers outside the process refused with -EFAULT, %u accepted\n", refused, count - refused);
    return refused == count;
}

/* The area says what the hypervisor says, but for the time of the state it
 * is in now, which the hypervisor counts up to the moment it answers. */
static bool area_is_current(const struct runstate_views *views)
{
    const struct runstate_view *area = &views->area, *hypervisor = &views->hypervisor;

    if (area->state != hypervisor->state || area->state_entry_time != hypervisor->state_entry_time)
        return false;
    for (unsigned int state = 0; state < RUNSTATE_VIEW_STATES; state++) {
        if (state != (unsigned int)hypervisor->state && area->time[state] != hypervisor->time[state])
            return false;
    }
    return true;
}

static void report_stale(uint64_t round, const struct runstate_views *views)
{
    print("runstate: round %lu: stale area at kernel entry: runnable %lu ns since %lu ns (state %ld), "
          "the hypervisor's %lu ns since %lu ns (state %ld)\n",
          round, views->area.time[RUNSTATE_VIEW_RUNNABLE], views->area.state_entry_time, (long)views->area.state,
          views->hypervisor.time[RUNSTATE_VIEW_RUNNABLE], views->hypervisor.state_entry_time,
          (long)views->hypervisor.state);
}

int main(int argc, char **argv)
{
    uint64_t rounds = DEFAULT_ROUNDS, milliseconds = DEFAULT_MILLISECONDS, iterations, preempted = 0, stale = 0;
    struct runstate_views previous, now;

    if ((argc > 1 && !parse_unsigned(argv[1], &rounds)) || (argc > 2 && !parse_unsigned(argv[2], &milliseconds)) ||
        rounds == 0 || milliseconds == 0) {
        print("runstate: usage: runstate ROUNDS MS\n");
        return 1;
    }
    if (!buffers_outside_the_process_are_refused())
        return 1;
    if (!views_read(&previous) || (iterations = iterations_per_millisecond(&previous)) == 0)
        return 1;
    iterations *= milliseconds;
    if (!views_read(&previous))
        return 1;
    for (uint64_t round = 1; round <= rounds; round++) {
        compute(iterations);
        if (!views_read(&now))
            return 1;
        preempted += now.hypervisor.time[RUNSTATE_VIEW_RUNNABLE] > previous.hypervisor.time[RUNSTATE_VIEW_RUNNABLE];
        if (!area_is_current(&now)) {
            report_stale(round, &now);
            stale++;
        }
        previous = now;
    }
    print("runstate: %lu rounds of %lu ms in user mode, %lu preempted, %lu stale areas at kernel entry: "
          "runnable %lu ms in the area, %lu ms for the hypervisor\n",
          rounds, milliseconds, preempted, stale, now.area.time[RUNSTATE_VIEW_RUNNABLE] / NANOSECONDS_PER_MILLISECOND,
          now.hypervisor.time[RUNSTATE_VIEW_RUNNABLE] / NANOSECONDS_PER_MILLISECOND);
    return preempted == rounds && stale == 0 ? 0 : 1;
}
