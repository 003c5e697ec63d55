/*
 * The small CPU-state hypercalls from a domU: stack_switch,
 * set_segment_base, fpu_taskswitch, set_debugreg and get_debugreg.
 * Expected values: xen/arch/x86/pv/misc-hypercalls.c (do_stack_switch and
 * do_fpu_taskswitch always 0; do_set_segment_base -EINVAL for a
 * non-canonical base or an unknown selector; set_debugreg -EPERM for a
 * breakpoint address in the hypervisor's range or DR7.GD, -EINVAL for
 * upper bits in DR6/DR7, -ENODEV for an unknown register; do_get_debugreg
 * -ENODEV for an unknown register).  With CR0.TS set by fpu_taskswitch(1),
 * an FPU instruction raises #NM, which the hypervisor bounces to the guest.
 */
#include "check.h"

const char test_family[] = "cpu_state";

#define DEVICE_NOT_AVAILABLE_VECTOR 7
#define DR7_GENERAL_DETECT (1UL << 13)

static uint64_t fs_target = 0x600dcafe;
static uint64_t breakpoint_target;
static volatile bool device_not_available_seen;

static bool clear_task_switched(struct trap_frame *frame)
{
    (void)frame;
    device_not_available_seen = true;
    return hypercall_fpu_taskswitch(0) == 0;
}

static uint64_t load_through_fs(void)
{
    uint64_t value;

    __asm__ volatile("movq %%fs:0, %0" : "=r"(value) : : "memory");
    return value;
}

static void check_stack_switch(void)
{
    expect_result("stack_switch_returns_0", hypercall_stack_switch(FLAT_KERNEL_SS, (unsigned long)&fs_target), 0);
}

static void check_set_segment_base(void)
{
    expect_result("set_fs_base_succeeds", hypercall_set_segment_base(SEGBASE_FS, (unsigned long)&fs_target), 0);
    expect_result("fs_relative_load_uses_the_new_base", (long)load_through_fs(), 0x600dcafe);
    expect_result("set_fs_base_back_to_0_succeeds", hypercall_set_segment_base(SEGBASE_FS, 0), 0);
    expect_result("set_fs_base_non_canonical_is_einval",
                  hypercall_set_segment_base(SEGBASE_FS, NON_CANONICAL_ADDRESS), -XEN_EINVAL);
    expect_result("set_gs_kernel_base_non_canonical_is_einval",
                  hypercall_set_segment_base(SEGBASE_GS_KERNEL, NON_CANONICAL_ADDRESS), -XEN_EINVAL);
    expect_result("set_gs_user_base_non_canonical_is_einval",
                  hypercall_set_segment_base(SEGBASE_GS_USER, NON_CANONICAL_ADDRESS), -XEN_EINVAL);
    expect_result("set_gs_user_selector_null_succeeds", hypercall_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);
    expect_result("set_unknown_segment_base_is_einval", hypercall_set_segment_base(99, 0), -XEN_EINVAL);
}

static void check_fpu_taskswitch(void)
{
    expect_result("fpu_taskswitch_set_returns_0", hypercall_fpu_taskswitch(1), 0);
    traps_set_hook(DEVICE_NOT_AVAILABLE_VECTOR, clear_task_switched);
    device_not_available_seen = false;
    __asm__ volatile("fnop" : : : "memory");
    expect_true("fpu_use_with_task_switched_raises_device_not_available", device_not_available_seen, 0,
                "the #NM hook to run");
    traps_set_hook(DEVICE_NOT_AVAILABLE_VECTOR, 0);
    expect_result("fpu_taskswitch_clear_returns_0", hypercall_fpu_taskswitch(0), 0);
}

static void check_debug_registers(void)
{
    expect_result("set_dr0_to_guest_address_succeeds", hypercall_set_debugreg(0, (unsigned long)&breakpoint_target), 0);
    expect_result("get_dr0_returns_it", hypercall_get_debugreg(0), (long)&breakpoint_target);
    expect_result("set_dr0_to_0_succeeds", hypercall_set_debugreg(0, 0), 0);
    expect_result("set_dr0_in_hypervisor_range_is_eperm", hypercall_set_debugreg(0, HYPERVISOR_IMAGE_ADDRESS),
                  -XEN_EPERM);
    expect_result("set_dr3_at_start_of_hypervisor_range_is_eperm",
                  hypercall_set_debugreg(3, HYPERVISOR_RANGE_START), -XEN_EPERM);
    expect_result("set_dr7_general_detect_is_eperm", hypercall_set_debugreg(7, DR7_GENERAL_DETECT), -XEN_EPERM);
    expect_result("set_dr7_upper_bits_is_einval", hypercall_set_debugreg(7, 1UL << 32), -XEN_EINVAL);
    expect_result("set_dr6_upper_bits_is_einval", hypercall_set_debugreg(6, 1UL << 32), -XEN_EINVAL);
    expect_result("set_dr7_0_succeeds", hypercall_set_debugreg(7, 0), 0);
    expect_result("set_unknown_debug_register_is_enodev", hypercall_set_debugreg(8, 0), -XEN_ENODEV);
    expect_result("get_unknown_debug_register_is_enodev", hypercall_get_debugreg(8), -XEN_ENODEV);
}

void run_tests(void)
{
    check_stack_switch();
    check_set_segment_base();
    check_fpu_taskswitch();
    check_debug_registers();
}
