/*
 * Hypercall preemption and continuations (pvmon/hypercall_continuation.h
 * says how a hypercall uses them).
 *
 * Rules kept here:
 *   - The check is cheap, because hypercalls run with interrupts off and
 *     call it between small units of work: two bytes of vcpu_info and one
 *     TSC reading against the deadline the APIC timer is armed for
 *     (kernel/time.c), so no interrupt is held back for longer than one
 *     unit.  The timer interrupt itself is taken as soon as the guest is
 *     re-entered, and may switch domains.
 *   - A reschedule already asked for preempts (Xen's pending
 *     SCHEDULE_SOFTIRQ): a domain the call woke, with a boost, runs first.
 *   - A pending, unmasked upcall preempts too (Xen's
 *     local_events_need_delivery): a guest can force a continuation by
 *     sending itself an event, which makes preemption testable
 *     deterministically.
 *   - A continuation outside a multicall writes only the argument
 *     registers and RAX of the guest's own trap frame; the RIP rewind is
 *     hypercall_entry's, so it happens once per SYSCALL.
 */
#include <pvmon/cpu.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/panic.h>
#include <pvmon/time.h>

#define CONTINUATION_ARGUMENT_LIMIT 6

static bool events_need_delivery(const struct vcpu *vcpu)
{
    const struct vcpu_info *info = vcpu->vcpu_info;

    return info->evtchn_upcall_pending && !info->evtchn_upcall_mask;
}

bool hypercall_preempt_check(void)
{
    const struct vcpu *vcpu = current_vcpu();

    if (vcpu != NULL && events_need_delivery(vcpu))
        return true;
    return schedule_reschedule_pending() || timer_deadline_passed();
}

static void write_argument_registers(struct trap_frame *frame, unsigned int op, unsigned int argument_count,
                                     const uint64_t arguments[])
{
    uint64_t *registers[CONTINUATION_ARGUMENT_LIMIT] = { &frame->rdi, &frame->rsi, &frame->rdx,
                                                          &frame->r10, &frame->r8,  &frame->r9 };

    frame->rax = op;
    for (unsigned int index = 0; index < argument_count; index++)
        *registers[index] = arguments[index];
}

long hypercall_create_continuation(struct vcpu *vcpu, unsigned int op, unsigned int argument_count,
                                   const uint64_t arguments[])
{
    BUG_ON(argument_count > CONTINUATION_ARGUMENT_LIMIT);
    vcpu->hypercall_preempted = true;
    if (vcpu->multicall_entry_arguments != NULL) {
        for (unsigned int index = 0; index < argument_count; index++)
            vcpu->multicall_entry_arguments[index] = arguments[index];
    } else {
        write_argument_registers(guest_trap_frame(), op, argument_count, arguments);
    }
    return op;
}

void hypercall_continuation_reset(struct vcpu *vcpu)
{
    vcpu->hypercall_preempted = false;
}

bool hypercall_continuation_created(const struct vcpu *vcpu)
{
    return vcpu->hypercall_preempted;
}

void hypercall_continuation_enter_multicall(struct vcpu *vcpu, uint64_t entry_arguments[])
{
    vcpu->multicall_entry_arguments = entry_arguments;
}

void hypercall_continuation_leave_multicall(struct vcpu *vcpu)
{
    vcpu->multicall_entry_arguments = NULL;
}

bool hypercall_continuation_in_multicall(const struct vcpu *vcpu)
{
    return vcpu->multicall_entry_arguments != NULL;
}
