/*
 * Failing hypercalls counted per domain (pvmon/hypercall_failures.h): the
 * policy of the "failed N times" warning, pure, tested on the host.
 *
 * Rules kept here:
 *   - Only failures are counted, one at a time, in O(HYPERCALL_FAILURE_KINDS),
 *     the clock given once per HYPERCALL_FAILURE_CLOCK_PERIOD of them: a
 *     successful hypercall costs the caller one comparison and nothing here.
 *   - A window opens at the failure after the last window closed (the
 *     clock read there is its start) and closes at a clock reading at
 *     least HYPERCALL_FAILURE_WINDOW_NS later; a reading that goes
 *     backwards keeps it open.  So reports are at least a window apart.
 *   - A window is worth a warning if it held at least
 *     HYPERCALL_FAILURES_WORTH_A_WARNING failures for each whole window
 *     length it lasted: a rare failure never adds up to a warning.
 *   - The report names the (hypercall, error) pair counted most often in the
 *     window (the earliest such pair on a tie); the first
 *     HYPERCALL_FAILURE_KINDS pairs of a window are told apart, later new
 *     pairs count among the others.  Counts are exact and never overflow
 *     (a window holds fewer than 2^64 hypercalls).
 */
#include <stddef.h>

#include <pvmon/hypercall_failures.h>
#include <public/domain_control.h>
#include <public/memory_extension.h>
#include <xen/xen.h>

static void count_kind(struct hypercall_failures *failures, uint64_t hypercall, long error)
{
    struct hypercall_failure_kind *kind;

    for (unsigned int index = 0; index < failures->kind_count; index++) {
        kind = &failures->kinds[index];
        if (kind->hypercall == hypercall && kind->error == error) {
            kind->count++;
            return;
        }
    }
    if (failures->kind_count == HYPERCALL_FAILURE_KINDS)
        return;
    failures->kinds[failures->kind_count++] = (struct hypercall_failure_kind){
        .hypercall = hypercall,
        .error = error,
        .count = 1,
    };
}

bool hypercall_failures_count(struct hypercall_failures *failures, uint64_t hypercall, long error)
{
    if (failures->total == 0)
        failures->kind_count = 0;
    failures->total++;
    count_kind(failures, hypercall, error);
    return failures->total == 1 || failures->total % HYPERCALL_FAILURE_CLOCK_PERIOD == 0;
}

static void fill_report(const struct hypercall_failures *failures, uint64_t window_ns,
                        struct hypercall_failure_report *report)
{
    const struct hypercall_failure_kind *most = &failures->kinds[0];

    for (unsigned int index = 1; index < failures->kind_count; index++) {
        if (failures->kinds[index].count > most->count)
            most = &failures->kinds[index];
    }
    report->most = *most;
    report->others = failures->total - most->count;
    report->window_ns = window_ns;
}

bool hypercall_failures_read_clock(struct hypercall_failures *failures, uint64_t now_ns,
                                   struct hypercall_failure_report *report)
{
    uint64_t window_ns, windows;
    bool worth_a_warning;

    if (failures->total == 1) {
        failures->window_start_ns = now_ns;
        return false;
    }
    if (now_ns <= failures->window_start_ns || now_ns - failures->window_start_ns < HYPERCALL_FAILURE_WINDOW_NS)
        return false;
    window_ns = now_ns - failures->window_start_ns;
    windows = window_ns / HYPERCALL_FAILURE_WINDOW_NS;
    worth_a_warning = failures->total / windows >= HYPERCALL_FAILURES_WORTH_A_WARNING;
    if (worth_a_warning)
        fill_report(failures, window_ns, report);
    failures->total = 0;
    return worth_a_warning;
}

static const char *const hypercall_names[] = {
    [__HYPERVISOR_set_trap_table] = "set_trap_table",
    [__HYPERVISOR_mmu_update] = "mmu_update",
    [__HYPERVISOR_set_gdt] = "set_gdt",
    [__HYPERVISOR_stack_switch] = "stack_switch",
    [__HYPERVISOR_set_callbacks] = "set_callbacks",
    [__HYPERVISOR_fpu_taskswitch] = "fpu_taskswitch",
    [__HYPERVISOR_sched_op_compat] = "sched_op_compat",
    [__HYPERVISOR_platform_op] = "platform_op",
    [__HYPERVISOR_set_debugreg] = "set_debugreg",
    [__HYPERVISOR_get_debugreg] = "get_debugreg",
    [__HYPERVISOR_update_descriptor] = "update_descriptor",
    [__HYPERVISOR_memory_op] = "memory_op",
    [__HYPERVISOR_multicall] = "multicall",
    [__HYPERVISOR_update_va_mapping] = "update_va_mapping",
    [__HYPERVISOR_set_timer_op] = "set_timer_op",
    [__HYPERVISOR_event_channel_op_compat] = "event_channel_op_compat",
    [__HYPERVISOR_xen_version] = "xen_version",
    [__HYPERVISOR_console_io] = "console_io",
    [__HYPERVISOR_physdev_op_compat] = "physdev_op_compat",
    [__HYPERVISOR_grant_table_op] = "grant_table_op",
    [__HYPERVISOR_vm_assist] = "vm_assist",
    [__HYPERVISOR_update_va_mapping_otherdomain] = "update_va_mapping_otherdomain",
    [__HYPERVISOR_iret] = "iret",
    [__HYPERVISOR_vcpu_op] = "vcpu_op",
    [__HYPERVISOR_set_segment_base] = "set_segment_base",
    [__HYPERVISOR_mmuext_op] = "mmuext_op",
    [__HYPERVISOR_xsm_op] = "xsm_op",
    [__HYPERVISOR_nmi_op] = "nmi_op",
    [__HYPERVISOR_sched_op] = "sched_op",
    [__HYPERVISOR_callback_op] = "callback_op",
    [__HYPERVISOR_xenoprof_op] = "xenoprof_op",
    [__HYPERVISOR_event_channel_op] = "event_channel_op",
    [__HYPERVISOR_physdev_op] = "physdev_op",
    [__HYPERVISOR_hvm_op] = "hvm_op",
    [__HYPERVISOR_sysctl] = "sysctl",
    [__HYPERVISOR_domctl] = "domctl",
    [__HYPERVISOR_kexec_op] = "kexec_op",
    [__HYPERVISOR_tmem_op] = "tmem_op",
    [__HYPERVISOR_argo_op] = "argo_op",
    [__HYPERVISOR_xenpmu_op] = "xenpmu_op",
    [__HYPERVISOR_dm_op] = "dm_op",
    [__HYPERVISOR_hypfs_op] = "hypfs_op",
    [__PVMON_HYPERVISOR_domain_control] = "domain_control",
    [__PVMON_HYPERVISOR_memory_extension] = "memory_extension",
};

const char *hypercall_name(uint64_t number)
{
    if (number >= sizeof(hypercall_names) / sizeof(hypercall_names[0]))
        return NULL;
    return hypercall_names[number];
}
