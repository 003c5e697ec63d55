/*
 * Runstate accounting of one vCPU, in Xen's struct vcpu_runstate_info
 * (Xen public vcpu.h): the current state (RUNSTATE_running, _runnable,
 * _blocked or _offline), the system time it was entered, and the
 * nanoseconds spent so far in each state.
 *
 * The hypervisor keeps its own copy, changes it at every state change,
 * and publishes it to the area the guest registered with
 * VCPUOP_register_runstate_memory_area.  A guest that enabled
 * VMASST_TYPE_runstate_update_flag sees XEN_RUNSTATE_UPDATE (bit 63 of
 * state_entry_time) set for as long as the published copy is being
 * rewritten; the hypervisor's own copy never carries that bit.
 *
 * Time that goes backwards is clamped: a change whose time is earlier
 * than (or equal to) the current state's entry time adds nothing and
 * keeps the entry time, so no state is charged negative time and the sum
 * of the times never exceeds the latest time seen minus the start time.
 */
#ifndef PVMON_RUNSTATE_H
#define PVMON_RUNSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/vcpu.h>

/* A new vCPU: offline since now_ns, no time in any state. */
void runstate_init(struct vcpu_runstate_info *runstate, uint64_t now_ns);

/*
 * Enter new_state at now_ns, charging the time since the current state
 * was entered to that state.  Entering the current state again changes
 * nothing.  Returns 0, or -XEN_EINVAL (and changes nothing) for a
 * new_state that is not a RUNSTATE_* value.
 */
int runstate_change(struct vcpu_runstate_info *runstate, int new_state, uint64_t now_ns);

/* The runstate as of now_ns, with the current state's time so far included (VCPUOP_get_runstate_info). */
struct vcpu_runstate_info runstate_snapshot(const struct vcpu_runstate_info *runstate, uint64_t now_ns);

/*
 * How the published copy reaches the guest: write length bytes from
 * source at byte offset within the guest's vcpu_runstate_info.  Returns 0
 * or a negative Xen errno value (-XEN_EFAULT).
 */
typedef int (*runstate_write_function)(void *context, size_t offset, const void *source, size_t length);

/*
 * Publish *runstate to the guest's area through write.  With update_flag
 * (the guest enabled VMASST_TYPE_runstate_update_flag): first the byte
 * holding XEN_RUNSTATE_UPDATE is written with the flag set, then the
 * whole structure with the flag still set, then that byte with the flag
 * clear, each step ordered after the one before.  Single-byte flag writes
 * keep the protocol safe even when write copies byte by byte.  Without
 * update_flag the structure is written once.  Every step is attempted;
 * returns 0 or the first failure.
 */
int runstate_publish(const struct vcpu_runstate_info *runstate, bool update_flag,
                     runstate_write_function write, void *context);

#endif
