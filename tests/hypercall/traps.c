/*
 * Traps and callbacks from a domU: set_trap_table, callback_op,
 * set_callbacks, and what the hypervisor does with them: bounce frames
 * (Xen's layout: RCX, R11, [error code], RIP, CS with the saved event
 * mask in bits 32-39 and RPL 0 for the guest kernel, RFLAGS, RSP, SS)
 * and the iret hypercall.  Expected values: xen/arch/x86/pv/callback.c
 * (do_set_trap_table: a NULL table clears it, a non-canonical handler is
 * -EINVAL; register_guest_callback, unregister_guest_callback: syscall32
 * and sysenter are stored and 0 even for a 64-bit guest, and none of the
 * five can be unregistered), xen/arch/
 * x86/pv/traps.c (#PF error code without the user bit for the guest
 * kernel), xen/arch/x86/traps.c (int $n on a vector of DPL 0 is #GP
 * (n << 3) | 2).  Where pvmon is stricter than Xen, the case says so: a
 * handler or callback inside the hypervisor's range, and set_callbacks
 * with a bad address, are -EINVAL (Xen accepts the first and ignores the
 * second).  The hypervisor address written to is the boot stub's page,
 * which is not mapped after boot, so its #PF is "not present".
 * The iret hypercall with VGCF_in_syscall leaves RCX and R11 to the
 * hypervisor: Xen returns by sysretq then (x86_64/entry.S
 * restore_all_guest), so RCX holds the RIP returned to and R11 the RFLAGS;
 * without the flag both come back from the context (pv/iret.c do_iret).
 */
#include "check.h"
#include <public/memory_extension.h>

const char test_family[] = "traps";

#define BREAKPOINT_VECTOR 3
#define INVALID_OPCODE_VECTOR 6
#define GENERAL_PROTECTION_VECTOR 13
#define PAGE_FAULT_VECTOR 14
#define KERNEL_CS_AS_BOUNCED (FLAT_KERNEL_CS & ~3)
#define RFLAGS_IF 0x200
#define PAGE_FAULT_WRITE 0x2

/* write_and_recover(address): one store, and a label after it for the #PF hook to resume at. */
void write_and_recover(uint64_t address);
extern const char write_recovery_point[];
__asm__(".text\n"
        ".globl write_and_recover\n"
        "write_and_recover:\n"
        "    movq $1, (%rdi)\n"
        ".globl write_recovery_point\n"
        "write_recovery_point:\n"
        "    ret\n");

struct seen_trap {
    bool seen;
    uint64_t error_code;
    uint64_t cs;
    uint64_t rflags;
    uint64_t cr2;
    bool events_masked_in_handler;
};

static struct seen_trap seen;

static void record(const struct trap_frame *frame)
{
    seen = (struct seen_trap) {
        .seen = true,
        .error_code = frame->error_code,
        .cs = frame->cs,
        .rflags = frame->rflags,
        .cr2 = runtime_vcpu_info()->arch.cr2,
        .events_masked_in_handler = events_disabled(),
    };
}

static bool record_and_continue(struct trap_frame *frame)
{
    record(frame);
    return true;
}

/* ud2 and int $n are both two bytes long. */
static bool record_and_skip_two_bytes(struct trap_frame *frame)
{
    record(frame);
    frame->rip += 2;
    return true;
}

static bool record_and_recover_write(struct trap_frame *frame)
{
    record(frame);
    frame->rip = (uint64_t)write_recovery_point;
    return true;
}

static void check_trap_table_arguments(void)
{
    struct trap_info table[2] = { { 0 } };

    expect_result("trap_table_in_hypervisor_is_efault",
                  hypercall_set_trap_table((const struct trap_info *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("trap_table_non_canonical_is_efault",
                  hypercall_set_trap_table((const struct trap_info *)NON_CANONICAL_ADDRESS), -XEN_EFAULT);
    expect_result("trap_table_unmapped_is_efault",
                  hypercall_set_trap_table((const struct trap_info *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    table[0] = (struct trap_info) { .vector = 4, .flags = 3, .cs = FLAT_KERNEL_CS, .address = NON_CANONICAL_ADDRESS };
    expect_result("trap_table_non_canonical_handler_is_einval", hypercall_set_trap_table(table), -XEN_EINVAL);
    table[0].address = HYPERVISOR_IMAGE_ADDRESS;
    expect_result("trap_table_handler_in_hypervisor_range_is_einval", hypercall_set_trap_table(table),
                  -XEN_EINVAL);
    expect_result("empty_trap_table_succeeds", hypercall_set_trap_table(table + 1), 0);
    expect_result("null_trap_table_clears_it", hypercall_set_trap_table(0), 0);
    expect_result("trap_table_reinstalled", traps_install(), 0);
}

static void check_callbacks(void)
{
    struct callback_unregister unregister = { .type = CALLBACKTYPE_event };

    expect_result("register_event_callback_succeeds",
                  hypercall_register_callback(CALLBACKTYPE_event, (unsigned long)event_entry, CALLBACKF_mask_events), 0);
    expect_result("register_failsafe_callback_succeeds",
                  hypercall_register_callback(CALLBACKTYPE_failsafe, (unsigned long)failsafe_entry,
                                              CALLBACKF_mask_events),
                  0);
    expect_result("register_syscall_callback_succeeds",
                  hypercall_register_callback(CALLBACKTYPE_syscall, (unsigned long)failsafe_entry,
                                              CALLBACKF_mask_events),
                  0);
    expect_result("register_syscall32_callback_succeeds_as_on_xen",
                  hypercall_register_callback(CALLBACKTYPE_syscall32, (unsigned long)failsafe_entry,
                                              CALLBACKF_mask_events),
                  0);
    expect_result("register_sysenter_callback_succeeds_as_on_xen",
                  hypercall_register_callback(CALLBACKTYPE_sysenter, (unsigned long)failsafe_entry, 0), 0);
    expect_result("register_non_canonical_sysenter_callback_is_einval",
                  hypercall_register_callback(CALLBACKTYPE_sysenter, NON_CANONICAL_ADDRESS, 0), -XEN_EINVAL);
    unregister.type = CALLBACKTYPE_syscall32;
    expect_result("unregister_syscall32_callback_is_einval",
                  hypercall_callback_op(CALLBACKOP_unregister, &unregister), -XEN_EINVAL);
    unregister.type = CALLBACKTYPE_sysenter;
    expect_result("unregister_sysenter_callback_is_einval",
                  hypercall_callback_op(CALLBACKOP_unregister, &unregister), -XEN_EINVAL);
    unregister.type = CALLBACKTYPE_event;
    expect_result("register_non_canonical_callback_is_einval",
                  hypercall_register_callback(CALLBACKTYPE_event, NON_CANONICAL_ADDRESS, 0), -XEN_EINVAL);
    expect_result("register_unknown_callback_type_is_enosys",
                  hypercall_register_callback(99, (unsigned long)event_entry, 0), -XEN_ENOSYS);
    expect_result("unregister_event_callback_is_einval", hypercall_callback_op(CALLBACKOP_unregister, &unregister),
                  -XEN_EINVAL);
    unregister.type = 99;
    expect_result("unregister_unknown_callback_type_is_enosys",
                  hypercall_callback_op(CALLBACKOP_unregister, &unregister), -XEN_ENOSYS);
    expect_result("unknown_callback_subop_is_enosys", hypercall_callback_op(99, &unregister), -XEN_ENOSYS);
    expect_result("callback_argument_in_hypervisor_is_efault",
                  hypercall_callback_op(CALLBACKOP_register, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("callback_argument_non_canonical_is_efault",
                  hypercall_callback_op(CALLBACKOP_register, (void *)NON_CANONICAL_ADDRESS), -XEN_EFAULT);
    expect_result("callback_argument_unmapped_is_efault",
                  hypercall_callback_op(CALLBACKOP_register, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    expect_result("set_callbacks_succeeds",
                  hypercall_set_callbacks((unsigned long)event_entry, (unsigned long)failsafe_entry, 0), 0);
    expect_result("set_callbacks_with_non_canonical_addresses_is_einval",
                  hypercall_set_callbacks(NON_CANONICAL_ADDRESS, NON_CANONICAL_ADDRESS, NON_CANONICAL_ADDRESS),
                  -XEN_EINVAL);
}

/* After set_callbacks ignored bad addresses, the old event callback must still work. */
static void check_events_still_delivered(void)
{
    expect_true("event_callback_survives_rejected_addresses", self_event_arrives(), 0, "a self-sent event");
}

static void check_breakpoint(bool events_masked)
{
    uint64_t rax = 0x1234, rcx = 0x5678, r11 = 0x9abc;

    traps_set_hook(BREAKPOINT_VECTOR, record_and_continue);
    seen = (struct seen_trap) { 0 };
    if (events_masked)
        events_disable();
    __asm__ volatile("mov %3, %%r11\n"
                     "int3\n"
                     "mov %%r11, %2\n"
                     : "+a"(rax), "+c"(rcx), "=r"(r11)
                     : "r"(r11)
                     : "r11", "memory");
    if (events_masked) {
        expect_true("breakpoint_with_events_masked_saves_mask_1_in_cs", seen.seen && (seen.cs >> 32 & 0xff) == 1,
                    (long)(seen.cs >> 32), "1 in CS bits 32-39");
        expect_true("breakpoint_with_events_masked_saves_rflags_if_clear", (seen.rflags & RFLAGS_IF) == 0,
                    (long)seen.rflags, "RFLAGS.IF clear");
        expect_true("iret_restores_a_set_event_mask", events_disabled(), 0, "the mask still set");
        events_enable();
        return;
    }
    expect_true("int3_reaches_the_breakpoint_handler", seen.seen, 0, "the #BP hook to run");
    expect_result("breakpoint_frame_cs_is_kernel_cs_with_rpl_0", (long)(seen.cs & 0xffff), KERNEL_CS_AS_BOUNCED);
    expect_true("breakpoint_with_events_enabled_saves_mask_0_in_cs", (seen.cs >> 32 & 0xff) == 0,
                (long)(seen.cs >> 32), "0 in CS bits 32-39");
    expect_true("breakpoint_with_events_enabled_saves_rflags_if_set", (seen.rflags & RFLAGS_IF) != 0,
                (long)seen.rflags, "RFLAGS.IF set");
    expect_true("trap_with_mask_flag_runs_with_events_masked", seen.events_masked_in_handler, 0,
                "the mask set in the handler");
    expect_true("iret_restores_a_clear_event_mask", !events_disabled(), 1, "the mask clear");
    expect_result("iret_restores_rax", (long)rax, 0x1234);
    expect_result("iret_restores_rcx", (long)rcx, 0x5678);
    expect_result("iret_restores_r11", (long)r11, 0x9abc);
}

struct iret_result {
    uint64_t rax, rcx, r11, rflags, target;
};

/* The iret hypercall from kernel to kernel mode (RPL 0 in the saved CS) with the given flags, to
 * the instruction after it, with RAX 0x1234, RCX 0x5678 and R11 0x9abc in
 * the context.  The registers but RAX, RCX and R11 survive it, so R9 and
 * R10 carry the target and RFLAGS across (memory operands might be
 * addressed from RSP, which the pushes move). */
static struct iret_result iret_to_the_next_instruction(uint64_t flags)
{
    struct iret_result result;

    __asm__ volatile("mov %%rsp, %%r8\n"
                     "push %[ss]\n"
                     "push %%r8\n"
                     "pushfq\n"
                     "mov (%%rsp), %%r10\n"
                     "push %[cs]\n"
                     "lea 1f(%%rip), %%r9\n"
                     "push %%r9\n"
                     "push %[flags]\n"
                     "push $0x5678\n"
                     "push $0x9abc\n"
                     "push $0x1234\n"
                     "mov %[iret], %%eax\n"
                     "syscall\n"
                     "ud2\n"
                     "1:\n"
                     "mov %%r11, %[r11]\n"
                     "mov %%r10, %[rflags]\n"
                     "mov %%r9, %[target]\n"
                     : "=&a"(result.rax), "=&c"(result.rcx), [r11] "=m"(result.r11), [rflags] "=m"(result.rflags),
                       [target] "=m"(result.target)
                     : [ss] "i"(FLAT_KERNEL_SS), [cs] "i"(FLAT_KERNEL_CS & ~3), [flags] "r"(flags),
                       [iret] "i"(__HYPERVISOR_iret)
                     : "r8", "r9", "r10", "r11", "memory");
    return result;
}

static void check_iret_in_syscall(void)
{
    struct iret_result plain = iret_to_the_next_instruction(0);
    struct iret_result in_syscall = iret_to_the_next_instruction(VGCF_in_syscall);

    expect_result("iret_without_in_syscall_restores_rax", (long)plain.rax, 0x1234);
    expect_result("iret_without_in_syscall_restores_rcx", (long)plain.rcx, 0x5678);
    expect_result("iret_without_in_syscall_restores_r11", (long)plain.r11, 0x9abc);
    expect_result("iret_with_in_syscall_restores_rax", (long)in_syscall.rax, 0x1234);
    expect_result("iret_with_in_syscall_returns_by_sysret_rcx_is_the_rip", (long)in_syscall.rcx,
                  (long)in_syscall.target);
    expect_result("iret_with_in_syscall_returns_by_sysret_r11_is_the_rflags", (long)in_syscall.r11,
                  (long)(in_syscall.rflags | RFLAGS_IF));
}

static bool own_statistics(struct pvmon_domain_memory_statistics *statistics)
{
    return hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_domain_statistics,
                      (unsigned long)statistics, 0) == 0;
}

/* One int3 with events masked (no upcall in between): pvmon counts one
 * exception bounced and one iret hypercall (the handler's return) in the
 * domain's own statistics, and the iret in no hypercall count. */
static void check_iret_and_bounce_are_counted(void)
{
    struct pvmon_domain_memory_statistics before = { 0 }, after = { 0 };
    bool read;

    traps_set_hook(BREAKPOINT_VECTOR, record_and_continue);
    events_disable();
    read = own_statistics(&before);
    __asm__ volatile("int3" : : : "memory");
    read = read && own_statistics(&after);
    events_enable();
    traps_set_hook(BREAKPOINT_VECTOR, 0);
    expect_true("domain_statistics_read_around_a_breakpoint", read, 0, "two readings");
    expect_result("breakpoint_counts_one_iret_hypercall", (long)(after.iret_hypercalls - before.iret_hypercalls), 1);
    expect_result("breakpoint_counts_one_exception_bounced",
                  (long)(after.exceptions_bounced - before.exceptions_bounced), 1);
    expect_result("iret_is_not_counted_as_a_hypercall", (long)(after.hypercalls - before.hypercalls), 1);
}

static void check_faults(void)
{
    traps_set_hook(INVALID_OPCODE_VECTOR, record_and_skip_two_bytes);
    seen = (struct seen_trap) { 0 };
    __asm__ volatile("ud2" : : : "memory");
    expect_true("ud2_reaches_the_invalid_opcode_handler", seen.seen, 0, "the #UD hook to run");

    traps_set_hook(PAGE_FAULT_VECTOR, record_and_recover_write);
    seen = (struct seen_trap) { 0 };
    write_and_recover(UNMAPPED_ADDRESS);
    expect_true("write_to_unmapped_page_reaches_the_page_fault_handler", seen.seen, 0, "the #PF hook to run");
    expect_result("page_fault_cr2_is_in_vcpu_info", (long)seen.cr2, UNMAPPED_ADDRESS);
    expect_result("page_fault_error_code_is_write_without_user_bit", (long)seen.error_code, PAGE_FAULT_WRITE);
    seen = (struct seen_trap) { 0 };
    write_and_recover(HYPERVISOR_IMAGE_ADDRESS);
    expect_true("write_into_hypervisor_reaches_the_page_fault_handler", seen.seen, 0, "the #PF hook to run");
    expect_result("write_into_hypervisor_cr2", (long)seen.cr2, (long)HYPERVISOR_IMAGE_ADDRESS);
    expect_result("write_into_hypervisor_error_code_is_write_without_user_bit", (long)seen.error_code,
                  PAGE_FAULT_WRITE);

    traps_set_hook(GENERAL_PROTECTION_VECTOR, record_and_skip_two_bytes);
    seen = (struct seen_trap) { 0 };
    __asm__ volatile("int $5" : : : "memory");
    expect_true("int_5_with_trap_dpl_0_reaches_general_protection", seen.seen, 0, "the #GP hook to run");
    expect_result("int_5_general_protection_error_code", (long)seen.error_code, (5 << 3) | 2);
    traps_set_hook(GENERAL_PROTECTION_VECTOR, 0);
    traps_set_hook(PAGE_FAULT_VECTOR, 0);
    traps_set_hook(INVALID_OPCODE_VECTOR, 0);
}

void run_tests(void)
{
    check_trap_table_arguments();
    check_callbacks();
    check_events_still_delivered();
    check_breakpoint(false);
    check_breakpoint(true);
    check_iret_and_bounce_are_counted();
    check_iret_in_syscall();
    check_faults();
}
