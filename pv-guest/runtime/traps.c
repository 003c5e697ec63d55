/*
 * The trap table and trap dispatch (see traps.h).  Every exception vector
 * gets a trap_info with the "mask events" flag (bit 2, interrupt-gate
 * semantics: the hypervisor sets the event mask on the way in and the
 * iret hypercall restores it from the saved RFLAGS.IF), DPL 0 except #BP
 * and #OF, which int3 and into reach from the guest kernel in ring 3
 * (Xen public arch-x86/xen.h, struct trap_info).
 *
 * Whatever arrives from guest user mode (an exception, a SYSCALL, an
 * event upcall once its handlers have run) goes to the kernel's user-mode
 * handler, if it installed one.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>
#include <guest/hypercall.h>
#include "console.h"
#include "events.h"
#include "runtime.h"
#include "traps.h"

#define TRAP_INFO_MASK_EVENTS 4
#define BREAKPOINT_VECTOR 3
#define OVERFLOW_VECTOR 4
#define PAGE_FAULT_VECTOR 14
#define FAILSAFE_FRAME_RIP 4 /* after DS, ES, FS, GS */

static trap_hook hooks[TRAP_VECTOR_COUNT];
static user_mode_handler user_handler;

static const char *const vector_names[TRAP_VECTOR_COUNT] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved",
    "#MF x87 floating point", "#AC alignment check", "#MC machine check", "#XM SIMD floating point",
};

static uint8_t trap_flags(unsigned int vector)
{
    unsigned int dpl = vector == BREAKPOINT_VECTOR || vector == OVERFLOW_VECTOR ? 3 : 0;

    return (uint8_t)(dpl | TRAP_INFO_MASK_EVENTS);
}

int traps_install(void)
{
    static struct trap_info table[TRAP_VECTOR_COUNT + 1];
    unsigned int count = 0;

    for (unsigned int vector = 0; vector < TRAP_VECTOR_COUNT; vector++) {
        if (trap_entry_points[vector] == 0)
            continue;
        table[count++] = (struct trap_info) {
            .vector = (uint8_t)vector,
            .flags = trap_flags(vector),
            .cs = FLAT_KERNEL_CS,
            .address = trap_entry_points[vector],
        };
    }
    table[count] = (struct trap_info) { 0 };
    return (int)hypercall_set_trap_table(table);
}

void traps_set_hook(unsigned int vector, trap_hook hook)
{
    if (vector < TRAP_VECTOR_COUNT)
        hooks[vector] = hook;
}

void traps_set_user_mode_handler(user_mode_handler handler)
{
    user_handler = handler;
}

static void report_unexpected_trap(const struct trap_frame *frame)
{
    const char *name = frame->vector < TRAP_VECTOR_COUNT      ? vector_names[frame->vector]
                       : frame->vector == SYSCALL_CALLBACK_VECTOR ? "SYSCALL from user mode"
                                                                  : "unknown";

    if (frame->vector == PAGE_FAULT_VECTOR)
        console_printf("runtime: unexpected trap %lu (%s) at rip %#lx, error code %#lx, cr2 %#lx; crashing\n",
                       frame->vector, name, frame->rip, frame->error_code,
                       (unsigned long)runtime_vcpu_info()->arch.cr2);
    else
        console_printf("runtime: unexpected trap %lu (%s) at rip %#lx, error code %#lx; crashing\n",
                       frame->vector, name, frame->rip, frame->error_code);
}

void handle_trap(struct trap_frame *frame)
{
    if (frame->vector == EVENT_UPCALL_VECTOR)
        events_handle_upcall();
    if (trap_frame_from_user_mode(frame) && user_handler != NULL) {
        user_handler(frame);
        return;
    }
    if (frame->vector == EVENT_UPCALL_VECTOR)
        return;
    if (frame->vector < TRAP_VECTOR_COUNT && hooks[frame->vector] != NULL && hooks[frame->vector](frame))
        return;
    report_unexpected_trap(frame);
    runtime_exit(SHUTDOWN_crash);
}

void handle_failsafe(const uint64_t *frame)
{
    console_printf("runtime: failsafe callback for rip %#lx; crashing\n", frame[FAILSAFE_FRAME_RIP]);
    runtime_exit(SHUTDOWN_crash);
}
