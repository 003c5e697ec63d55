/*
 * multicall (xen/common/multicall.c, Xen 4.17): a list of hypercalls from
 * guest memory, each entry's result written back into it.
 *
 * Rules kept here:
 *   - The count is 32 bits (Xen's uint32_t nr_calls) and any length is
 *     allowed; the whole remaining list must lie in guest space (-EFAULT
 *     before any entry runs), checked again on every re-entry (XSA-212).
 *   - Before every entry but the first of this entry into the hypervisor,
 *     a preemption check; if something is due, the multicall continues
 *     itself from that entry (list advanced, count reduced).
 *   - An entry is read once into hypervisor memory; a failing entry does
 *     not stop the list, but an unreadable entry or unwritable result is
 *     -EFAULT, and the list stops if the calling domain ends.
 *   - An entry whose hypercall was preempted is written back whole, with
 *     the arguments of its remaining work, and the multicall continues
 *     from it (Xen's MCSF_call_preempted); if it cannot be written back,
 *     the continuation is dropped and the multicall is -EFAULT.
 *   - A nested multicall is -EINVAL in its entry (MCSF_in_multicall).
 *   - iret ends the list (Xen's mc_exit, XSA-213): it runs, rewriting the
 *     guest's registers from its stack as a direct iret does, its result
 *     is written back as well as can be, and the multicall returns that
 *     result (the RAX that iret restored).
 */
#include <pvmon/arch.h>
#include <pvmon/cpu.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <xen/xen.h>

#define ENTRY_SIZE sizeof(struct multicall_entry)
#define RESULT_OFFSET __builtin_offsetof(struct multicall_entry, result)

static bool domain_still_runs(const struct vcpu *vcpu)
{
    return current_vcpu() == vcpu;
}

static long continue_from(struct vcpu *vcpu, uint64_t address, uint32_t remaining)
{
    return hypercall_create_continuation(vcpu, __HYPERVISOR_multicall, 2, (const uint64_t[]){ address, remaining });
}

/* iret in a list: the last entry that runs. */
static long run_iret(struct vcpu *vcpu, uint64_t address)
{
    long result = do_iret(vcpu, guest_trap_frame());

    if (domain_still_runs(vcpu))
        (void)copy_to_guest(address + RESULT_OFFSET, &result, sizeof(result));
    return result;
}

static long run_entry(struct vcpu *vcpu, struct multicall_entry *entry)
{
    long result;

    hypercall_continuation_reset(vcpu);
    hypercall_continuation_enter_multicall(vcpu, entry->args);
    result = hypercall_call(vcpu, entry->op, entry->args);
    hypercall_continuation_leave_multicall(vcpu);
    return result;
}

long do_multicall(struct vcpu *vcpu, uint64_t list, uint64_t count_argument)
{
    uint32_t count = (uint32_t)count_argument;

    if (hypercall_continuation_in_multicall(vcpu))
        return -XEN_EINVAL;
    if (!guest_range_is_valid(list, (uint64_t)count * ENTRY_SIZE))
        return -XEN_EFAULT;
    for (uint32_t index = 0; index < count; index++) {
        uint64_t address = list + index * ENTRY_SIZE;
        struct multicall_entry entry;

        if (index != 0 && hypercall_preempt_check())
            return continue_from(vcpu, address, count - index);
        if (copy_from_guest(&entry, address, sizeof(entry)) != 0)
            return -XEN_EFAULT;
        if (entry.op == __HYPERVISOR_iret)
            return run_iret(vcpu, address);
        entry.result = (uint64_t)run_entry(vcpu, &entry);
        if (!domain_still_runs(vcpu))
            return 0;
        if (hypercall_continuation_created(vcpu)) {
            if (copy_to_guest(address, &entry, sizeof(entry)) == 0)
                return continue_from(vcpu, address, count - index);
            hypercall_continuation_reset(vcpu);
            return -XEN_EFAULT;
        }
        if (copy_to_guest(address + RESULT_OFFSET, &entry.result, sizeof(entry.result)) != 0)
            return -XEN_EFAULT;
    }
    return 0;
}
