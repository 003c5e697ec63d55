/*
 * multicall (xen/common/multicall.c): a list of hypercalls from guest
 * memory, each entry's result written back into it.
 *
 * Rules kept here: a failing entry does not stop the list, but an
 * unreadable list or result slot is -EFAULT, and the list stops if the
 * calling domain ends.  Nested multicalls and iret (which rewrites the
 * caller's registers) are refused in a list with -EINVAL.  pvmon has no
 * hypercall continuations, so a list is at most MULTICALL_LIST_LIMIT
 * entries (-EINVAL beyond).
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <xen/xen.h>

#define MULTICALL_LIST_LIMIT 1024

static bool domain_still_runs(const struct vcpu *vcpu)
{
    return current_vcpu() == vcpu;
}

long do_multicall(struct vcpu *vcpu, uint64_t list, uint64_t count)
{
    if (count > MULTICALL_LIST_LIMIT)
        return -XEN_EINVAL;
    if (!guest_range_is_valid(list, count * sizeof(struct multicall_entry)))
        return -XEN_EFAULT;
    for (uint64_t index = 0; index < count; index++) {
        uint64_t address = list + index * sizeof(struct multicall_entry);
        struct multicall_entry entry;
        bool refused;

        if (copy_from_guest(&entry, address, sizeof(entry)) != 0)
            return -XEN_EFAULT;
        refused = entry.op == __HYPERVISOR_multicall || entry.op == __HYPERVISOR_iret;
        entry.result = refused ? (uint64_t)-XEN_EINVAL : (uint64_t)hypercall_call(vcpu, entry.op, entry.args);
        if (!domain_still_runs(vcpu))
            return 0;
        if (copy_to_guest(address + __builtin_offsetof(struct multicall_entry, result), &entry.result,
                          sizeof(entry.result)) != 0)
            return -XEN_EFAULT;
    }
    return 0;
}
