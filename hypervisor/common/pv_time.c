/*
 * Xen PV time (see pvmon/pv_time.h): this file owns the writing of a
 * vCPU's vcpu_time_info and of shared_info's wallclock fields, and the
 * guest-side reading of system time.  The rules it keeps:
 *
 * - the version protocol of Xen's public xen.h (vcpu_time_info and
 *   wc_version): an update first sets version to (version + 1) | 1, which
 *   is odd even if a previous writer left it odd, then writes the fields,
 *   then adds 1, so a clean update moves an even version on by 2 (as
 *   version_update_begin/end in xen/arch/x86/time.c);
 * - each version write is separated from the field writes by a fence, and
 *   the reader fences between its version and field reads, so a reader
 *   that sees no version change saw no partial update (on x86 the fences
 *   only keep the compiler from reordering);
 * - tsc_to_system_mul/tsc_shift are the scale of common/time_scale.c, which
 *   is computed as Xen's set_time_scale (xen/arch/x86/time.c) does;
 * - flags stays 0: pvmon does not promise XEN_PVCLOCK_TSC_STABLE_BIT;
 * - the wallclock is the Unix time at system time 0, its seconds split
 *   into wc_sec (low 32 bits) and wc_sec_hi (high 32 bits), as Xen's
 *   update_domain_wallclock_time (xen/arch/x86/time.c) writes them.
 *
 * Only <stdint.h> and ABI headers are used, so the reader builds into a
 * freestanding guest kernel too.
 */
#include <pvmon/pv_time.h>


static void write_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void read_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static void begin_update(volatile uint32_t *version)
{
    *version = (*version + 1) | 1;
    write_barrier();
}

static void end_update(volatile uint32_t *version)
{
    write_barrier();
    *version = *version + 1;
}

void pv_time_publish(volatile struct vcpu_time_info *time, uint64_t tsc_timestamp,
                     uint64_t system_time_ns, struct time_scale scale)
{
    begin_update(&time->version);
    time->tsc_timestamp = tsc_timestamp;
    time->system_time = system_time_ns;
    time->tsc_to_system_mul = scale.multiplier;
    time->tsc_shift = scale.shift;
    time->flags = 0;
    end_update(&time->version);
}

void pv_time_publish_wallclock(volatile struct shared_info *shared_info, uint64_t boot_epoch_seconds,
                               uint64_t boot_epoch_nanoseconds)
{
    uint64_t seconds = boot_epoch_seconds + boot_epoch_nanoseconds / NANOSECONDS_PER_SECOND;

    begin_update(&shared_info->wc_version);
    shared_info->wc_sec = (uint32_t) seconds;
    shared_info->wc_nsec = (uint32_t) (boot_epoch_nanoseconds % NANOSECONDS_PER_SECOND);
    shared_info->wc_sec_hi = (uint32_t) (seconds >> 32);
    end_update(&shared_info->wc_version);
}

struct time_snapshot {
    uint64_t tsc_timestamp;
    uint64_t system_time;
    struct time_scale scale;
};

static struct time_snapshot read_consistent_snapshot(const volatile struct vcpu_time_info *time)
{
    struct time_snapshot snapshot;
    uint32_t version;

    do {
        version = time->version;
        read_barrier();
        snapshot.tsc_timestamp = time->tsc_timestamp;
        snapshot.system_time = time->system_time;
        snapshot.scale.multiplier = time->tsc_to_system_mul;
        snapshot.scale.shift = time->tsc_shift;
        read_barrier();
    } while ((version & 1) != 0 || version != time->version);
    return snapshot;
}

uint64_t pv_time_read_system_time(const volatile struct vcpu_time_info *time, uint64_t tsc)
{
    struct time_snapshot snapshot = read_consistent_snapshot(time);
    uint64_t nanoseconds_before;

    if (tsc >= snapshot.tsc_timestamp)
        return snapshot.system_time + time_scale_apply(snapshot.scale, tsc - snapshot.tsc_timestamp);
    nanoseconds_before = time_scale_apply(snapshot.scale, snapshot.tsc_timestamp - tsc);
    return nanoseconds_before < snapshot.system_time ? snapshot.system_time - nanoseconds_before : 0;
}
