/*
 * PV system time and sleeping (see clock.h).  The time record is read
 * twice around the copy under Xen's version protocol: an odd version, or
 * one that changed meanwhile, means the hypervisor was updating it, and
 * the copy is taken again.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include "clock.h"
#include "console.h"
#include "events.h"
#include "runtime.h"

struct time_record {
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
};

static volatile uint64_t timer_events;
static bool timer_failure_reported;

static void read_barrier(void)
{
    __asm__ volatile("lfence" : : : "memory");
}

static uint64_t read_tsc(void)
{
    uint32_t low, high;

    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

static struct time_record read_time_record(void)
{
    const volatile struct vcpu_time_info *time = &runtime_vcpu_info()->time;
    struct time_record record;
    uint32_t version;

    do {
        version = time->version;
        read_barrier();
        record = (struct time_record) {
            .tsc_timestamp = time->tsc_timestamp,
            .system_time = time->system_time,
            .tsc_to_system_mul = time->tsc_to_system_mul,
            .tsc_shift = time->tsc_shift,
        };
        read_barrier();
    } while ((version & 1) != 0 || version != time->version);
    return record;
}

uint64_t system_time_ns(void)
{
    struct time_record record = read_time_record();
    uint64_t delta = read_tsc() - record.tsc_timestamp;

    if (record.tsc_shift < 0)
        delta >>= -record.tsc_shift;
    else
        delta <<= record.tsc_shift;
    return record.system_time + (uint64_t)(((unsigned __int128)delta * record.tsc_to_system_mul) >> 32);
}

static void (*timer_hook)(void);

static void count_timer_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    timer_events++;
    if (timer_hook != NULL)
        timer_hook();
}

void clock_set_timer_hook(void (*hook)(void))
{
    timer_hook = hook;
}

int clock_init(void)
{
    evtchn_port_t port;

    return events_bind_virq(VIRQ_TIMER, count_timer_event, 0, &port);
}

uint64_t clock_timer_events(void)
{
    return timer_events;
}

/* Blocks until an event; if the timer cannot be armed, yields instead (and
 * says so once).  NO_DEADLINE_NS stops the one-shot timer instead of arming
 * it: a deadline at 2^63 ns or later is long past for Xen's signed time. */
static void block_until_event_or(uint64_t deadline_ns)
{
    long result = deadline_ns == NO_DEADLINE_NS ? hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL)
                                                : hypercall_set_singleshot_timer(deadline_ns);

    if (result == 0) {
        hypercall_block();
        return;
    }
    if (!timer_failure_reported) {
        timer_failure_reported = true;
        console_printf("runtime: VCPUOP_set_singleshot_timer failed (%ld); yielding instead of blocking\n",
                       result);
    }
    hypercall_yield();
}

bool wait_for_flag_until(volatile bool *flag, uint64_t deadline_ns)
{
    bool were_disabled = events_disabled();

    events_disable();
    while (!*flag && system_time_ns() < deadline_ns) {
        block_until_event_or(deadline_ns);
        events_disable();
    }
    if (!were_disabled)
        events_enable();
    return *flag;
}

void sleep_until(uint64_t deadline_ns)
{
    static volatile bool never;

    wait_for_flag_until(&never, deadline_ns);
}

void sleep_ns(uint64_t duration_ns)
{
    sleep_until(system_time_ns() + duration_ns);
}
