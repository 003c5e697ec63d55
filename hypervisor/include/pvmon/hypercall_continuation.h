/*
 * Hypercall preemption and continuations, Xen's way
 * (xen/include/xen/sched.h: hypercall_preempt_check;
 * xen/arch/x86/hypercall.c: hypercall_create_continuation).
 *
 * A hypercall whose work is long does it in units, and before every unit
 * but the first of this entry it asks hypercall_preempt_check whether
 * something else is due: the armed timer deadline has passed (a slice
 * end, a guest timer, the heartbeat tick), a reschedule is pending (a
 * boosted vCPU was woken: Xen's SCHEDULE_SOFTIRQ), or the calling vCPU
 * has an event upcall pending and unmasked (Xen's
 * local_events_need_delivery).
 * If so it returns hypercall_create_continuation(vcpu, op, arguments):
 *   - outside a multicall, the guest's argument registers (RDI, RSI, RDX,
 *     R10, R8, R9) in the trap frame take the arguments that describe the
 *     remaining work, RAX takes op again, and hypercall_entry moves RIP
 *     back over the 2-byte SYSCALL: the guest re-issues the call when it
 *     next runs, after its pending event and after whatever the scheduler
 *     runs first;
 *   - inside a multicall, the current entry's arguments take them, and
 *     the multicall (kernel/multicall.c) writes the entry back and
 *     continues itself from that entry (Xen's MCSF_call_preempted).
 * Every re-entry is a fresh hypercall: the handler checks its arguments
 * again as if the guest had just written them (XSA-212).
 */
#ifndef PVMON_HYPERCALL_CONTINUATION_H
#define PVMON_HYPERCALL_CONTINUATION_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/domain.h>

#define SYSCALL_INSTRUCTION_LENGTH 2

/* Xen's encodings of remaining work in a re-issued hypercall's arguments
 * (xen/arch/x86/include/asm/hypercall.h, xen/include/xen/hypercall.h):
 * mmu_update and mmuext_op mark the 32-bit count of a continuation with
 * its top bit; memory_op's reservation commands carry the next extent in
 * the command's bits 6 and up. */
#define MMU_UPDATE_PREEMPTED 0x80000000u
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)

bool hypercall_preempt_check(void);

/* Records the continuation (argument_count <= 6) and returns op, which the
 * caller returns as its result: RAX, or the multicall entry's result until
 * the entry runs again. */
long hypercall_create_continuation(struct vcpu *vcpu, unsigned int op, unsigned int argument_count,
                                   const uint64_t arguments[]);

/* kernel/hypercall_dispatch.c and kernel/multicall.c: a hypercall starts
 * with no continuation; afterwards, whether one was created. */
void hypercall_continuation_reset(struct vcpu *vcpu);
bool hypercall_continuation_created(const struct vcpu *vcpu);

/* kernel/multicall.c: while an entry runs, continuations rewrite
 * entry_arguments instead of the guest's registers. */
void hypercall_continuation_enter_multicall(struct vcpu *vcpu, uint64_t entry_arguments[]);
void hypercall_continuation_leave_multicall(struct vcpu *vcpu);
bool hypercall_continuation_in_multicall(const struct vcpu *vcpu);

#endif
