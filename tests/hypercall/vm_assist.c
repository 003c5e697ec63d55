/*
 * vm_assist from a domU.  Expected values: xen/common/domain.c
 * (do_vm_assist): a type outside the 64-bit PV mask (4gb_segments,
 * 4gb_segments_notify, writable_pagetables, pae_extended_cr3,
 * architectural_iopl, runstate_update_flag, m2p_strict) is -EINVAL, an
 * unknown command with a valid type -ENOSYS.
 */
#include "check.h"

const char test_family[] = "vm_assist";

void run_tests(void)
{
    expect_result("enable_runstate_update_flag_succeeds",
                  hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag), 0);
    expect_result("disable_runstate_update_flag_succeeds",
                  hypercall_vm_assist(VMASST_CMD_disable, VMASST_TYPE_runstate_update_flag), 0);
    expect_result("enable_writable_pagetables_succeeds",
                  hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    expect_result("enable_m2p_strict_succeeds", hypercall_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict), 0);
    expect_result("type_6_is_einval", hypercall_vm_assist(VMASST_CMD_enable, 6), -XEN_EINVAL);
    expect_result("type_64_is_einval", hypercall_vm_assist(VMASST_CMD_enable, 64), -XEN_EINVAL);
    expect_result("unknown_command_is_enosys", hypercall_vm_assist(99, VMASST_TYPE_runstate_update_flag),
                  -XEN_ENOSYS);
}
