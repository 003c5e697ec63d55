/*
 * Time.  pvmon counts time in nanoseconds since boot ("system time", as
 * Xen names it) derived from the TSC.  The conversion from TSC ticks to
 * nanoseconds is the one the Xen PV ABI publishes to guests in
 * vcpu_time_info (tsc_to_system_mul, tsc_shift):
 *
 *     ns = ((ticks << shift) * multiplier) >> 32   (>> -shift if shift < 0)
 *
 * so that the hypervisor and its guests agree on the time exactly.
 */
#ifndef PVMON_TIME_H
#define PVMON_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define NANOSECONDS_PER_SECOND UINT64_C(1000000000)

struct time_scale {
    uint32_t multiplier;
    int8_t shift;
};

/* common/time_scale.c: pure arithmetic, tested on the host. */
struct time_scale time_scale_for_frequency(uint64_t ticks_per_second);
uint64_t time_scale_apply(struct time_scale scale, uint64_t ticks);

/* kernel/time.c */
struct timer_calibration;
void time_record_boot(void);
uint64_t time_boot_timestamp(void);
void time_init(const struct timer_calibration *calibration);
uint64_t system_time_ns(void);
uint64_t timer_tick_count(void);
void timer_start_ticks(uint64_t period_ns);
void timer_reprogram(void);
bool timer_deadline_passed(void);
void timer_set_scheduler_hooks(void (*on_interrupt)(uint64_t now_ns), uint64_t (*next_deadline)(void));
struct time_scale system_time_scale(void);
void time_sample(uint64_t *timestamp, uint64_t *system_time);
struct shared_info;
void time_read_wallclock(void);
void time_publish_wallclock(struct shared_info *shared_info);

#endif
