/*
 * System time and the periodic tick.
 *
 * System time is nanoseconds since the hypervisor's first C instruction
 * (time_record_boot), from the TSC through the Xen-form
 * scale of common/time_scale.c (0 until the TSC has been calibrated).  The
 * tick is the local APIC timer in one-shot mode, re-armed on every expiry
 * against an absolute deadline (deadline += period), so that late
 * interrupts do not make the tick drift.  Later, the scheduler's time
 * slices and the guests' one-shot timers hang off the same interrupt.
 */
#include <stdbool.h>
#include <pvmon/arch.h>
#include <pvmon/time.h>

static struct time_scale tsc_scale;
static uint64_t boot_timestamp;
static bool calibrated;
static uint64_t tick_period_ns;
static uint64_t next_tick_deadline_ns;
static volatile uint64_t tick_count;

void time_record_boot(void)
{
    boot_timestamp = cpu_read_timestamp_counter();
}

void time_init(const struct timer_calibration *calibration)
{
    tsc_scale = time_scale_for_frequency(calibration->tsc_hz);
    calibrated = true;
}

uint64_t system_time_ns(void)
{
    if (!calibrated)
        return 0;
    return time_scale_apply(tsc_scale, cpu_read_timestamp_counter() - boot_timestamp);
}

uint64_t timer_tick_count(void)
{
    return tick_count;
}

static void arm_next_tick(void)
{
    uint64_t now = system_time_ns();

    next_tick_deadline_ns += tick_period_ns;
    apic_timer_arm(next_tick_deadline_ns > now ? next_tick_deadline_ns - now : 1);
}

static void handle_tick(void)
{
    tick_count++;
    arm_next_tick();
}

void timer_start_ticks(uint64_t period_ns)
{
    tick_period_ns = period_ns;
    next_tick_deadline_ns = system_time_ns();
    trap_set_timer_handler(handle_tick);
    arm_next_tick();
}
