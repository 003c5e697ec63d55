/*
 * PV system time and sleeping.  System time (nanoseconds since the
 * hypervisor booted) comes from vcpu_info.time under its version protocol
 * (odd while the hypervisor updates it), extrapolated with the TSC:
 * system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul >> 32, with a
 * right shift for a negative tsc_shift (Xen public xen.h).  Sleeping arms
 * the one-shot timer (VCPUOP_set_singleshot_timer, delivered as VIRQ_TIMER)
 * and blocks (SCHEDOP_block), never spinning.
 */
#ifndef PV_RUNTIME_CLOCK_H
#define PV_RUNTIME_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NANOSECONDS_PER_MICROSECOND 1000UL
#define NANOSECONDS_PER_MILLISECOND 1000000UL
#define NANOSECONDS_PER_SECOND 1000000000UL
/* A deadline that never comes: waiting with it arms no timer. */
#define NO_DEADLINE_NS UINT64_MAX

uint64_t system_time_ns(void);

/* Binds VIRQ_TIMER; the runtime calls it once events are set up. */
int clock_init(void);

/* Counts VIRQ_TIMER events since boot. */
uint64_t clock_timer_events(void);

/* Also runs hook (NULL: none) on every VIRQ_TIMER event, in the upcall:
 * how a test watches what happens between the parts of a preempted
 * hypercall. */
void clock_set_timer_hook(void (*hook)(void));

/* Blocks until *flag is true or system time reaches deadline_ns (with
 * NO_DEADLINE_NS, until *flag is true); returns *flag. */
bool wait_for_flag_until(volatile bool *flag, uint64_t deadline_ns);

void sleep_until(uint64_t deadline_ns);
void sleep_ns(uint64_t duration_ns);

#endif
