/*
 * System time, the heartbeat tick and the one timer interrupt.
 *
 * System time is nanoseconds since the hypervisor's first C instruction
 * (time_record_boot), from the TSC through the Xen-form
 * scale of common/time_scale.c (0 until the TSC has been calibrated).  The
 * local APIC timer runs in one-shot mode and is always armed for the
 * earliest of two deadlines: the heartbeat tick (counted against absolute
 * deadlines, deadline += period, so late interrupts do not make it drift)
 * and whatever the scheduler needs next (the end of a time slice, a
 * guest's timer).  On expiry the serial line's input is polled
 * (kernel/serial_input.c), the scheduler's hook runs, then the timer is
 * re-armed.  The armed deadline is kept, so that a long hypercall
 * can see cheaply that the interrupt is due (timer_deadline_passed).
 */
#include <stdbool.h>
#include <pvmon/arch.h>
#include <pvmon/calendar.h>
#include <pvmon/printk.h>
#include <pvmon/pv_time.h>
#include <pvmon/serial_input.h>
#include <pvmon/time.h>

static struct time_scale tsc_scale;
static uint64_t boot_timestamp;
static bool calibrated;
static uint64_t tick_period_ns;
static uint64_t next_tick_deadline_ns;
static volatile uint64_t tick_count;
static uint64_t boot_epoch_ns;
static void (*expiry_handler)(uint64_t now_ns);
static uint64_t (*deadline_source)(void);
static uint64_t tsc_khz;
/* The armed deadline as a TSC value (0: nothing armed), so that checking
 * it costs one TSC read and a comparison. */
static uint64_t armed_deadline_timestamp;

void time_record_boot(void)
{
    boot_timestamp = cpu_read_timestamp_counter();
}

/* The TSC at system time 0. */
uint64_t time_boot_timestamp(void)
{
    return boot_timestamp;
}

void time_init(const struct timer_calibration *calibration)
{
    tsc_scale = time_scale_for_frequency(calibration->tsc_hz);
    tsc_khz = calibration->tsc_hz / 1000;
    calibrated = true;
}

uint64_t system_time_ns(void)
{
    if (!calibrated)
        return 0;
    return time_scale_apply(tsc_scale, cpu_read_timestamp_counter() - boot_timestamp);
}

/* The wallclock at system time 0, from the real-time clock (0 if it
 * reads nonsense), for every domain's shared_info. */
void time_read_wallclock(void)
{
    struct calendar_time now;
    uint64_t system_time = system_time_ns();

    platform_read_real_time_clock(&now);
    if (!calendar_time_is_valid(&now)) {
        printk(LOG_WARNING, "real-time clock reads %u-%u-%u %u:%u:%u; the wallclock starts at 1970\n",
               now.year, now.month, now.day, now.hour, now.minute, now.second);
        return;
    }
    boot_epoch_ns = calendar_to_unix_seconds(&now) * NANOSECONDS_PER_SECOND - system_time;
    printk(LOG_INFO, "wallclock: %04u-%02u-%02u %02u:%02u:%02u UTC from the real-time clock\n", now.year,
           now.month, now.day, now.hour, now.minute, now.second);
}

void time_publish_wallclock(struct shared_info *shared_info)
{
    pv_time_publish_wallclock(shared_info, boot_epoch_ns / NANOSECONDS_PER_SECOND,
                              boot_epoch_ns % NANOSECONDS_PER_SECOND);
}

struct time_scale system_time_scale(void)
{
    return tsc_scale;
}

/* One TSC reading and the system time it stands for, for vcpu_time_info. */
void time_sample(uint64_t *timestamp, uint64_t *system_time)
{
    *timestamp = cpu_read_timestamp_counter();
    *system_time = calibrated ? time_scale_apply(tsc_scale, *timestamp - boot_timestamp) : 0;
}

uint64_t timer_tick_count(void)
{
    return tick_count;
}

static uint64_t earliest(uint64_t first, uint64_t second)
{
    return first < second ? first : second;
}

/* Arms the APIC for the next heartbeat tick or the scheduler's next
 * deadline, whichever comes first. */
/* TSC cycles in at most ns (rounded down, so that the deadline is never
 * seen late); ns is at most a tick period here, so nothing overflows. */
static uint64_t cycles_within(uint64_t ns)
{
    return ns * tsc_khz / 1000000;
}

void timer_reprogram(void)
{
    uint64_t timestamp = cpu_read_timestamp_counter();
    uint64_t now = calibrated ? time_scale_apply(tsc_scale, timestamp - boot_timestamp) : 0;
    uint64_t deadline = next_tick_deadline_ns;
    uint64_t delay;

    if (deadline_source != NULL)
        deadline = earliest(deadline, deadline_source());
    delay = deadline > now ? deadline - now : 1;
    armed_deadline_timestamp = calibrated ? timestamp + cycles_within(delay) : 0;
    apic_timer_arm(delay);
}

/* Whether the deadline the timer is armed for has passed: the timer
 * interrupt is due, or held back because interrupts are off (hypercall
 * preemption, kernel/hypercall_continuation.c).  Before the ticks start
 * nothing is armed and nothing is due. */
bool timer_deadline_passed(void)
{
    return armed_deadline_timestamp != 0 && cpu_read_timestamp_counter() >= armed_deadline_timestamp;
}

static void handle_timer_interrupt(void)
{
    uint64_t now = system_time_ns();

    while (next_tick_deadline_ns <= now) {
        tick_count++;
        next_tick_deadline_ns += tick_period_ns;
    }
    serial_input_poll();
    if (expiry_handler != NULL)
        expiry_handler(now);
    timer_reprogram();
}

void timer_set_scheduler_hooks(void (*on_interrupt)(uint64_t now_ns), uint64_t (*next_deadline)(void))
{
    expiry_handler = on_interrupt;
    deadline_source = next_deadline;
}

void timer_start_ticks(uint64_t period_ns)
{
    tick_period_ns = period_ns;
    next_tick_deadline_ns = system_time_ns() + period_ns;
    trap_set_timer_handler(handle_timer_interrupt);
    timer_reprogram();
}
