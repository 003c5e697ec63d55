/*
 * Xen PV time as a guest sees it: each vCPU's vcpu_time_info and the
 * wallclock fields of shared_info (Xen public xen.h).
 *
 * The hypervisor publishes, per vCPU, a TSC value (tsc_timestamp), the
 * system time in nanoseconds at that TSC (system_time) and the scale that
 * turns later TSC ticks into nanoseconds (tsc_to_system_mul, tsc_shift;
 * the scale of pvmon/time.h).  The guest computes
 *
 *     system_time + ((((tsc - tsc_timestamp) << tsc_shift) * mul) >> 32)
 *
 * (>> -tsc_shift when the shift is negative).  Wallclock time is
 * wc_sec/wc_nsec, the Unix time at system time 0, plus system time.
 *
 * Both are read by the guest while the hypervisor writes them, under
 * Xen's version protocol: the writer makes the version odd, writes the
 * fields, then makes the version even again; a reader retries while the
 * version is odd or changed under it.  Publishing is for the hypervisor;
 * pv_time_read_system_time is the guest's side and also compiles into
 * our PV kernel.  Callers serialise publishers of the same area.
 */
#ifndef PVMON_PV_TIME_H
#define PVMON_PV_TIME_H

#include <stdint.h>

#include <pvmon/time.h>
#include <xen/xen.h>

/* Publish (tsc_timestamp, system_time_ns, scale) to one vCPU's time area. */
void pv_time_publish(volatile struct vcpu_time_info *time, uint64_t tsc_timestamp,
                     uint64_t system_time_ns, struct time_scale scale);

/*
 * Publish the wallclock: the Unix time at system time 0.  Nanoseconds of
 * a second or more carry into the seconds.
 */
void pv_time_publish_wallclock(volatile struct shared_info *shared_info, uint64_t boot_epoch_seconds,
                               uint64_t boot_epoch_nanoseconds);

/*
 * The guest's reading: the system time in nanoseconds at TSC value tsc,
 * from a consistent snapshot of *time.  A tsc older than the published
 * tsc_timestamp (read before an update landed) gives the earlier time it
 * stands for, never a wrapped-around one; the result stops at 0.
 */
uint64_t pv_time_read_system_time(const volatile struct vcpu_time_info *time, uint64_t tsc);

#endif
