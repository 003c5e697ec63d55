/*
 * multicall from a domU.  Expected values: xen/common/multicall.c
 * (do_multicall: -EFAULT for an unreadable list, each entry's result in
 * its result field, later entries still run after a failing one, a nested
 * multicall -EINVAL) and the dispatch of each entry (-ENOSYS for an
 * unknown number).  Only the result fields are read back: Xen may
 * overwrite the rest of each entry.
 */
#include "check.h"

const char test_family[] = "multicall";

static struct multicall_entry entry(unsigned long op, unsigned long first, unsigned long second)
{
    return (struct multicall_entry) { .op = op, .args = { first, second } };
}

void run_tests(void)
{
    struct multicall_entry calls[4];

    expect_result("empty_list_returns_0", hypercall_multicall(calls, 0), 0);
    expect_result("list_in_hypervisor_is_efault",
                  hypercall_multicall((struct multicall_entry *)HYPERVISOR_IMAGE_ADDRESS, 1), -XEN_EFAULT);
    expect_result("list_non_canonical_is_efault",
                  hypercall_multicall((struct multicall_entry *)NON_CANONICAL_ADDRESS, 1), -XEN_EFAULT);
    expect_result("list_unmapped_is_efault", hypercall_multicall((struct multicall_entry *)UNMAPPED_ADDRESS, 1),
                  -XEN_EFAULT);

    calls[0] = entry(__HYPERVISOR_xen_version, XENVER_version, 0);
    calls[1] = entry(__HYPERVISOR_sched_op, 99, 0);
    calls[2] = entry(__HYPERVISOR_vm_assist, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag);
    calls[3] = entry(63, 0, 0);
    expect_result("four_entries_return_0", hypercall_multicall(calls, 4), 0);
    expect_result("entry_result_matches_direct_call", (long)calls[0].result,
                  hypercall_xen_version(XENVER_version, 0));
    expect_result("failing_entry_result_is_its_error", (long)calls[1].result, -XEN_ENOSYS);
    expect_result("entry_after_a_failing_one_still_runs", (long)calls[2].result, 0);
    expect_result("unknown_hypercall_entry_is_enosys", (long)calls[3].result, -XEN_ENOSYS);

    calls[0] = entry(__HYPERVISOR_multicall, (unsigned long)&calls[1], 0);
    expect_result("nested_multicall_returns_0", hypercall_multicall(calls, 1), 0);
    expect_result("nested_multicall_entry_is_einval", (long)calls[0].result, -XEN_EINVAL);

    calls[0] = entry(__HYPERVISOR_xen_version, XENVER_extraversion, HYPERVISOR_IMAGE_ADDRESS);
    expect_result("entry_with_hypervisor_pointer_returns_0", hypercall_multicall(calls, 1), 0);
    expect_result("entry_with_hypervisor_pointer_is_efault", (long)calls[0].result, -XEN_EFAULT);
}
