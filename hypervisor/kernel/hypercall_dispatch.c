/*
 * The hypercall dispatch table: how a guest's SYSCALL reaches a handler.
 *
 * A 64-bit PV guest kernel issues SYSCALL with the hypercall number in RAX
 * and its arguments in RDI, RSI, RDX, R10 and R8 (Xen x86-64 register
 * ABI); the entry stub saves them in the trap frame and hypercall_entry
 * looks the number up here.  A number outside the table, or one pvmon does
 * not implement, returns -ENOSYS.  The result goes back in RAX, unless
 * the handler created a continuation (pvmon/hypercall_continuation.h):
 * then RIP goes back over the SYSCALL, so that the guest issues the call
 * again with the arguments the handler left in its registers.
 * multicall (kernel/multicall.c) calls entries through hypercall_call.
 *
 * A hypercall that fails (a negative result) is counted against its
 * domain (common/hypercall_failures.c): a domain that keeps failing, at
 * least HYPERCALL_FAILURES_WORTH_A_WARNING times in a second, gets a
 * warning in pvmon's log at most once a second, naming the hypercall and
 * error it failed with most.  Only the hypercall itself counts, not the
 * entries of a multicall.  Success costs one comparison.
 *
 * SYSCALL from guest user mode is not a hypercall, and the iret hypercall
 * takes a fast path: both are sorted out before hypercall_entry, by
 * guest_syscall (kernel/guest_entry.c).
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercall_failures.h>
#include <pvmon/hypercalls.h>
#include <pvmon/printk.h>
#include <pvmon/time.h>
#include <public/domain_control.h>
#include <public/memory_extension.h>
#include <xen/xen.h>

#define HYPERCALL_TABLE_SIZE 64

typedef long (*hypercall_handler)(struct vcpu *vcpu, const uint64_t arguments[HYPERCALL_ARGUMENTS]);

static long set_trap_table(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_set_trap_table(vcpu, arguments[0]);
}

static long set_gdt(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_set_gdt(vcpu, arguments[0], arguments[1]);
}

static long update_descriptor(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_update_descriptor(vcpu, arguments[0], arguments[1]);
}

static long stack_switch(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_stack_switch(vcpu, arguments[0], arguments[1]);
}

static long set_callbacks(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_set_callbacks(vcpu, arguments[0], arguments[1], arguments[2]);
}

static long fpu_taskswitch(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_fpu_taskswitch(vcpu, arguments[0]);
}

static long set_debugreg(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_set_debugreg(vcpu, arguments[0], arguments[1]);
}

static long get_debugreg(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_get_debugreg(vcpu, arguments[0]);
}

static long memory_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_memory_op(vcpu, arguments[0], arguments[1]);
}

static long multicall(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_multicall(vcpu, arguments[0], arguments[1]);
}

static long mmu_update(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_mmu_update(vcpu, arguments[0], arguments[1], arguments[2], arguments[3]);
}

static long mmuext_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_mmuext_op(vcpu, arguments[0], arguments[1], arguments[2], arguments[3]);
}

static long memory_extension(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_memory_extension(vcpu, arguments[0], arguments[1]);
}

static long update_va_mapping(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_update_va_mapping(vcpu, arguments[0], arguments[1], arguments[2]);
}

static long update_va_mapping_otherdomain(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_update_va_mapping_otherdomain(vcpu, arguments[0], arguments[1], arguments[2], arguments[3]);
}

static long set_timer_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_set_timer_op(vcpu, arguments[0]);
}

static long xen_version(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_xen_version(vcpu, arguments[0], arguments[1]);
}

static long console_io(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_console_io(vcpu, arguments[0], arguments[1], arguments[2]);
}

static long vm_assist(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_vm_assist(vcpu, arguments[0], arguments[1]);
}

static long vcpu_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_vcpu_op(vcpu, arguments[0], arguments[1], arguments[2]);
}

static long set_segment_base(struct vcpu *vcpu, const uint64_t arguments[])
{
    (void)vcpu;
    return do_set_segment_base(arguments[0], arguments[1]);
}

static long sched_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_sched_op(vcpu, arguments[0], arguments[1]);
}

static long callback_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_callback_op(vcpu, arguments[0], arguments[1]);
}

static long event_channel_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_event_channel_op(vcpu, arguments[0], arguments[1]);
}

static long grant_table_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_grant_table_op(vcpu, arguments[0], arguments[1], arguments[2]);
}

static long physdev_op(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_physdev_op(vcpu, arguments[0], arguments[1]);
}

static long domain_control(struct vcpu *vcpu, const uint64_t arguments[])
{
    return do_domain_control(vcpu, arguments[0]);
}

static const hypercall_handler hypercall_table[HYPERCALL_TABLE_SIZE] = {
    [__HYPERVISOR_set_trap_table] = set_trap_table,
    [__HYPERVISOR_mmu_update] = mmu_update,
    [__HYPERVISOR_set_gdt] = set_gdt,
    [__HYPERVISOR_stack_switch] = stack_switch,
    [__HYPERVISOR_set_callbacks] = set_callbacks,
    [__HYPERVISOR_fpu_taskswitch] = fpu_taskswitch,
    [__HYPERVISOR_set_debugreg] = set_debugreg,
    [__HYPERVISOR_get_debugreg] = get_debugreg,
    [__HYPERVISOR_update_descriptor] = update_descriptor,
    [__HYPERVISOR_memory_op] = memory_op,
    [__HYPERVISOR_multicall] = multicall,
    [__HYPERVISOR_update_va_mapping] = update_va_mapping,
    [__HYPERVISOR_update_va_mapping_otherdomain] = update_va_mapping_otherdomain,
    [__HYPERVISOR_set_timer_op] = set_timer_op,
    [__HYPERVISOR_xen_version] = xen_version,
    [__HYPERVISOR_console_io] = console_io,
    [__HYPERVISOR_vm_assist] = vm_assist,
    [__HYPERVISOR_vcpu_op] = vcpu_op,
    [__HYPERVISOR_set_segment_base] = set_segment_base,
    [__HYPERVISOR_sched_op] = sched_op,
    [__HYPERVISOR_callback_op] = callback_op,
    [__HYPERVISOR_event_channel_op] = event_channel_op,
    [__HYPERVISOR_grant_table_op] = grant_table_op,
    [__HYPERVISOR_physdev_op] = physdev_op,
    [__HYPERVISOR_mmuext_op] = mmuext_op,
    [__PVMON_HYPERVISOR_domain_control] = domain_control,
    [__PVMON_HYPERVISOR_memory_extension] = memory_extension,
};

long hypercall_call(struct vcpu *vcpu, uint64_t number, const uint64_t arguments[HYPERCALL_ARGUMENTS])
{
    domain_memory_count_hypercall();
    if (number >= HYPERCALL_TABLE_SIZE || hypercall_table[number] == NULL)
        return -XEN_ENOSYS;
    return hypercall_table[number](vcpu, arguments);
}

static void count_failed_hypercall(struct domain *domain, uint64_t number, long result)
{
    struct hypercall_failure_report report;
    const char *name;

    if (!hypercall_failures_count(&domain->hypercall_failures, number, result) ||
        !hypercall_failures_read_clock(&domain->hypercall_failures, system_time_ns(), &report))
        return;
    name = hypercall_name(report.most.hypercall);
    if (name != NULL)
        printk(LOG_WARNING, "hypercalls: domain %u: %s failed %lu times with %ld in the last %lu ms, %lu other failures\n",
               domain->id, name, report.most.count, report.most.error, report.window_ns / 1000000, report.others);
    else
        printk(LOG_WARNING,
               "hypercalls: domain %u: hypercall %lu failed %lu times with %ld in the last %lu ms, %lu other failures\n",
               domain->id, report.most.hypercall, report.most.count, report.most.error, report.window_ns / 1000000,
               report.others);
}

void hypercall_entry(struct trap_frame *frame)
{
    struct vcpu *vcpu = current_vcpu();
    uint64_t arguments[HYPERCALL_ARGUMENTS] = { frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9 };
    uint64_t number = frame->rax;
    long result;

    hypercall_continuation_reset(vcpu);
    result = hypercall_call(vcpu, number, arguments);
    frame->rax = (uint64_t)result;
    if (hypercall_continuation_created(vcpu))
        frame->rip -= SYSCALL_INSTRUCTION_LENGTH;
    else if (result < 0)
        count_failed_hypercall(vcpu->domain, number, result);
}
