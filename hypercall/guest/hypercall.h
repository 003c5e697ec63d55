/*
 * Guest-side hypercall wrappers for 64-bit PV kernels, on the Xen x86-64
 * register ABI: the guest kernel (ring 3) executes SYSCALL with the
 * hypercall number in RAX and up to five arguments in RDI, RSI, RDX, R10
 * and R8; the result comes back in RAX.  SYSCALL itself overwrites RCX and
 * R11, and the hypervisor may change the argument registers, so all of
 * them are outputs here.  No hypercall page is needed (Linux 6.1.121 and
 * later call the same way).  The iret hypercall is not here: it never
 * returns to its caller, and pv-guest/runtime/entry.S issues it.
 * Shared by pv-guest/ and the hypercall tests (tests/hypercall/).
 */
#ifndef PVMON_GUEST_HYPERCALL_H
#define PVMON_GUEST_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <public/console_extension.h>
#include <public/domain_control.h>

static inline long hypercall5(unsigned long number, unsigned long first, unsigned long second,
                              unsigned long third, unsigned long fourth, unsigned long fifth)
{
    register unsigned long r10 __asm__("r10") = fourth;
    register unsigned long r8 __asm__("r8") = fifth;
    long result;

    __asm__ volatile("syscall"
                     : "=a"(result), "+D"(first), "+S"(second), "+d"(third), "+r"(r10), "+r"(r8)
                     : "a"(number)
                     : "rcx", "r11", "memory");
    return result;
}

static inline long hypercall3(unsigned long number, unsigned long first, unsigned long second,
                              unsigned long third)
{
    return hypercall5(number, first, second, third, 0, 0);
}

/* --- console_io (18) --------------------------------------------------- */

static inline long hypercall_console_write(const char *text, unsigned long length)
{
    return hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, length, (unsigned long)text);
}

/* dom0's only: the serial line's input, up to size bytes; returns how many. */
static inline long hypercall_console_read(char *buffer, unsigned long size)
{
    return hypercall3(__HYPERVISOR_console_io, CONSOLEIO_read, size, (unsigned long)buffer);
}

/* pvmon's direct output for dom0 (public/console_extension.h). */
static inline long hypercall_console_write_direct(const char *text, unsigned long length)
{
    return hypercall3(__HYPERVISOR_console_io, PVMON_CONSOLEIO_write_direct, length, (unsigned long)text);
}

/* --- sched_op (29), set_timer_op (15) ---------------------------------- */

static inline long hypercall_sched_op(int command, void *argument)
{
    return hypercall3(__HYPERVISOR_sched_op, (unsigned long)command, (unsigned long)argument, 0);
}

static inline long hypercall_shutdown(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };

    return hypercall_sched_op(SCHEDOP_shutdown, &shutdown);
}

/* Clears the event mask and sleeps until an event is pending (Xen's "sti; hlt"). */
static inline long hypercall_block(void)
{
    return hypercall_sched_op(SCHEDOP_block, 0);
}

static inline long hypercall_yield(void)
{
    return hypercall_sched_op(SCHEDOP_yield, 0);
}

static inline long hypercall_poll(evtchn_port_t *ports, unsigned int count, uint64_t timeout_ns)
{
    struct sched_poll poll = { .nr_ports = count, .timeout = timeout_ns };

    set_xen_guest_handle(poll.ports, ports);
    return hypercall_sched_op(SCHEDOP_poll, &poll);
}

/* An absolute deadline in system time; 0 cancels. */
static inline long hypercall_set_timer_op(uint64_t deadline_ns)
{
    return hypercall3(__HYPERVISOR_set_timer_op, deadline_ns, 0, 0);
}

/* --- traps and callbacks: set_trap_table (0), set_callbacks (4), callback_op (30) */

static inline long hypercall_set_trap_table(const struct trap_info *table)
{
    return hypercall3(__HYPERVISOR_set_trap_table, (unsigned long)table, 0, 0);
}

static inline long hypercall_set_callbacks(unsigned long event, unsigned long failsafe, unsigned long syscall)
{
    return hypercall3(__HYPERVISOR_set_callbacks, event, failsafe, syscall);
}

static inline long hypercall_callback_op(int command, const void *argument)
{
    return hypercall3(__HYPERVISOR_callback_op, (unsigned long)command, (unsigned long)argument, 0);
}

static inline long hypercall_register_callback(uint16_t type, unsigned long address, uint16_t flags)
{
    struct callback_register callback = { .type = type, .flags = flags, .address = address };

    return hypercall_callback_op(CALLBACKOP_register, &callback);
}

/* --- event_channel_op (32) --------------------------------------------- */

static inline long hypercall_event_channel_op(int command, void *argument)
{
    return hypercall3(__HYPERVISOR_event_channel_op, (unsigned long)command, (unsigned long)argument, 0);
}

static inline long hypercall_event_send(evtchn_port_t port)
{
    struct evtchn_send send = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_send, &send);
}

static inline long hypercall_event_unmask(evtchn_port_t port)
{
    struct evtchn_unmask unmask = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_unmask, &unmask);
}

static inline long hypercall_event_close(evtchn_port_t port)
{
    struct evtchn_close close = { .port = port };

    return hypercall_event_channel_op(EVTCHNOP_close, &close);
}

/* --- vcpu_op (24) ------------------------------------------------------ */

static inline long hypercall_vcpu_op(int command, unsigned int vcpu, void *argument)
{
    return hypercall3(__HYPERVISOR_vcpu_op, (unsigned long)command, vcpu, (unsigned long)argument);
}

static inline long hypercall_set_singleshot_timer(uint64_t deadline_ns)
{
    struct vcpu_set_singleshot_timer timer = { .timeout_abs_ns = deadline_ns, .flags = 0 };

    return hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, &timer);
}

static inline long hypercall_get_runstate_info(struct vcpu_runstate_info *runstate)
{
    return hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, runstate);
}

/* --- xen_version (17), vm_assist (21), multicall (13) ------------------ */

static inline long hypercall_xen_version(int command, void *argument)
{
    return hypercall3(__HYPERVISOR_xen_version, (unsigned long)command, (unsigned long)argument, 0);
}

static inline long hypercall_vm_assist(unsigned int command, unsigned int type)
{
    return hypercall3(__HYPERVISOR_vm_assist, command, type, 0);
}

static inline long hypercall_multicall(struct multicall_entry *calls, unsigned long count)
{
    return hypercall3(__HYPERVISOR_multicall, (unsigned long)calls, count, 0);
}

/* --- memory: update_va_mapping (14), update_va_mapping_otherdomain (22) */

static inline long hypercall_update_va_mapping(unsigned long virtual_address, uint64_t entry,
                                               unsigned long flags)
{
    return hypercall3(__HYPERVISOR_update_va_mapping, virtual_address, entry, flags);
}

/* update_va_mapping_otherdomain (22): the same, with the entry naming a
 * frame of domain (a privileged caller's foreign mapping). */
static inline long hypercall_update_va_mapping_otherdomain(unsigned long virtual_address, uint64_t entry,
                                                           unsigned long flags, domid_t domain)
{
    return hypercall5(__HYPERVISOR_update_va_mapping_otherdomain, virtual_address, entry, flags, domain, 0);
}

/* --- CPU state: set_gdt (2), stack_switch (3), fpu_taskswitch (5),
 *     set_debugreg (8), get_debugreg (9), update_descriptor (10),
 *     set_segment_base (25) -------------------------------------------- */

static inline long hypercall_set_gdt(const xen_ulong_t *frames, unsigned int entries)
{
    return hypercall3(__HYPERVISOR_set_gdt, (unsigned long)frames, entries, 0);
}

static inline long hypercall_stack_switch(unsigned long stack_segment, unsigned long stack_pointer)
{
    return hypercall3(__HYPERVISOR_stack_switch, stack_segment, stack_pointer, 0);
}

static inline long hypercall_fpu_taskswitch(int set)
{
    return hypercall3(__HYPERVISOR_fpu_taskswitch, (unsigned long)set, 0, 0);
}

static inline long hypercall_set_debugreg(int reg, unsigned long value)
{
    return hypercall3(__HYPERVISOR_set_debugreg, (unsigned long)reg, value, 0);
}

static inline long hypercall_get_debugreg(int reg)
{
    return hypercall3(__HYPERVISOR_get_debugreg, (unsigned long)reg, 0, 0);
}

/* machine_address: of the 8-byte descriptor slot (machine frame, not pseudo-physical). */
static inline long hypercall_update_descriptor(uint64_t machine_address, uint64_t descriptor)
{
    return hypercall3(__HYPERVISOR_update_descriptor, machine_address, descriptor, 0);
}

static inline long hypercall_set_segment_base(unsigned int which, unsigned long base)
{
    return hypercall3(__HYPERVISOR_set_segment_base, which, base, 0);
}

/* --- pvmon's domain_control (56), hypercall/public/domain_control.h ---- */

static inline long hypercall_domain_control(struct pvmon_domain_control *request)
{
    return hypercall3(__PVMON_HYPERVISOR_domain_control, (unsigned long)request, 0, 0);
}

/* The hypervisor's console history (PVMON_DOMAIN_CONTROL_read_console):
 * up to *count bytes into buffer, from the oldest byte kept, or from
 * *index if incremental; on success *count is the bytes copied and *index
 * where to read on.  clear drops what was read (`xl dmesg -c`). */
static inline long hypercall_read_console(char *buffer, uint32_t *count, uint32_t *index, bool incremental,
                                          bool clear)
{
    struct pvmon_domain_control request = {
        .command = PVMON_DOMAIN_CONTROL_read_console,
        .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
        .u.read_console = { .buffer = (uint64_t)(unsigned long)buffer, .count = *count, .index = *index,
                            .clear = clear, .incremental = incremental },
    };
    long error = hypercall_domain_control(&request);

    if (error == 0) {
        *count = request.u.read_console.count;
        *index = request.u.read_console.index;
    }
    return error;
}

#endif
