/*
 * Exceptions and interrupts arriving in the hypervisor (from entry.S).
 *
 * Rules kept here:
 *   - A fault in hypervisor code at an instruction listed in the exception
 *     table (safe_copy, later copy_from_guest and friends) is recovered:
 *     execution resumes at the listed fixup, which makes the operation
 *     return -XEN_EFAULT.  This is how guest pointers are touched without
 *     trusting them.
 *   - Any other exception in the hypervisor is a bug: it panics, printing
 *     the exception's name, error code, RIP, CR2 (the last page-fault
 *     address, which also explains a #DF) and registers.
 *   - #BP (int3) is reported and execution continues after it.
 *   - #DB arrives on its own stack (IST), like NMI and #MC, because a
 *     guest can hold one back with mov ss over a syscall so that it
 *     arrives at the SYSCALL stub's first instruction, on the guest's RSP
 *     (XSA-260; entry.S).  In the hypervisor it can only be a guest's
 *     breakpoint (its debug registers stay loaded, and set_debugreg
 *     admits only guest addresses): a data breakpoint hit while copying
 *     from or to that guest, or one held back that way.  Xen's do_debug
 *     rules then apply (common/debug_registers.c): a single step is
 *     cleared, a hit instruction breakpoint disables the breakpoints, and
 *     execution continues; the first few are logged.  The guest finds a
 *     data hit in DR6.
 *   - The local APIC timer interrupt goes to the handler kernel/time.c
 *     registers; spurious APIC interrupts are ignored.
 *   - NMI, #DF and #MC belong to the machine, wherever they arrive: an NMI
 *     nothing claims is reported and ignored, #DF and #MC panic.
 *   - Other exceptions raised in ring 3 belong to the running guest and go to
 *     guest_trap (kernel/guest_trap.c).  SYSCALL does not come here: its
 *     stub calls guest_syscall (kernel/guest_entry.c) directly.
 *   - Whatever brought the CPU from a guest, the way back goes through
 *     leave_to_guest (kernel/schedule.c), which may switch vCPUs and
 *     delivers pending events; except after an NMI (or #DF, #MC), which
 *     returns straight to the interrupted guest, and any switch waits for
 *     the next entry (as Xen's NMI path does).
 */
#include <pvmon/arch.h>
#include <pvmon/debug_registers.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/x86.h>

#define VECTOR_DEBUG 1
#define VECTOR_NMI 2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_MACHINE_CHECK 18
#define VECTOR_BREAKPOINT 3
#define VECTOR_SEGMENT_NOT_PRESENT 11
#define VECTOR_STACK_FAULT 12
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14
#define VECTOR_GUEST_SOFTWARE_INTERRUPT 0x80
#define RFLAGS_TRAP 0x100UL
#define LOGGED_HYPERVISOR_DEBUG_EXCEPTIONS 8

struct exception_table_entry {
    uint64_t faulting_instruction;
    uint64_t fixup;
};

extern const struct exception_table_entry exception_table_start[];
extern const struct exception_table_entry exception_table_end[];

static void (*timer_handler)(void);

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 floating point", "#AC alignment check",
    "#MC machine check", "#XM SIMD floating point", "#VE virtualization",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24",
    "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

const char *exception_name(uint64_t vector)
{
    return vector < 32 ? exception_names[vector] : "interrupt";
}

static void (*device_interrupt_handler)(unsigned int gsi);

void trap_set_device_interrupt_handler(void (*handler)(unsigned int gsi))
{
    device_interrupt_handler = handler;
}

void trap_set_timer_handler(void (*handler)(void))
{
    timer_handler = handler;
}

/*
 * int safe_copy(void *destination, const void *source, size_t length)
 * Copies the 8-byte words with "rep movsq", then the tail with "rep movsb",
 * as Xen's __copy_to_guest_ll/__copy_from_guest_ll do
 * (xen/arch/x86/usercopy.c): under QEMU's TCG and -icount each repetition
 * is one step, so a 66 MB kernel image staged from dom0 costs 8 M steps
 * instead of 66 M.  A fault in either instruction, on either side, ends
 * the copy (both are in the exception table) and the function returns
 * -XEN_EFAULT instead of crashing the hypervisor; what was copied before
 * the fault stays copied, as with a byte copy.
 */
int safe_copy(void *destination, const void *source, size_t length)
{
    int result = 0;
    size_t words = length / sizeof(uint64_t);

    __asm__ volatile("1: rep movsq\n"
                     "   mov %[tail], %%rcx\n"
                     "4: rep movsb\n"
                     "2:\n"
                     ".pushsection .fixup, \"ax\"\n"
                     "3: movl %[fault], %[result]\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     ".pushsection .exception_table, \"a\"\n"
                     ".balign 8\n"
                     ".quad 1b, 3b\n"
                     ".quad 4b, 3b\n"
                     ".popsection"
                     : [result] "+r"(result), "+D"(destination), "+S"(source), "+c"(words)
                     : [fault] "i"(-XEN_EFAULT), [tail] "r"(length % sizeof(uint64_t))
                     : "memory");
    return result;
}

static const struct exception_table_entry *find_fixup(uint64_t rip)
{
    for (const struct exception_table_entry *entry = exception_table_start;
         entry < exception_table_end; entry++) {
        if (entry->faulting_instruction == rip)
            return entry;
    }
    return NULL;
}

static bool recover_from_fault(struct trap_frame *frame)
{
    const struct exception_table_entry *entry = find_fixup(frame->rip);
    struct recovered_fault *record = &current_cpu()->last_recovered_fault;

    if (entry == NULL)
        return false;
    record->vector = frame->vector;
    record->error_code = frame->error_code;
    record->rip = frame->rip;
    record->address = frame->vector == VECTOR_PAGE_FAULT ? read_cr2() : 0;
    printk(LOG_DEBUG, "recovered %s at %#lx (address %#lx), resuming at fixup %#lx\n",
           exception_name(frame->vector), frame->rip, record->address, entry->fixup);
    frame->rip = entry->fixup;
    return true;
}

static void debug_exception_in_hypervisor_context(struct trap_frame *frame)
{
    static unsigned int logged;
    uint64_t status = cpu_read_debug_status();
    struct hypervisor_debug_response response =
        debug_exception_in_hypervisor(frame->rflags, status, cpu_read_debug_control());

    if (response.clear_single_step)
        frame->rflags &= ~RFLAGS_TRAP;
    if (response.disable_breakpoints)
        cpu_disable_breakpoints();
    if (logged < LOGGED_HYPERVISOR_DEBUG_EXCEPTIONS) {
        logged++;
        printk(LOG_WARNING, "#DB in the hypervisor at rip %#lx, rsp %#lx, dr6 %#lx%s; continuing\n", frame->rip,
               frame->rsp, status, response.disable_breakpoints ? ", breakpoints disabled" : "");
    }
}

static void handle_exception(struct trap_frame *frame)
{
    if (frame->vector == VECTOR_DEBUG) {
        debug_exception_in_hypervisor_context(frame);
        return;
    }
    if (frame->vector == VECTOR_NMI) {
        printk(LOG_WARNING, "NMI at rip %#lx (cs %#lx); nothing claims it, continuing\n", frame->rip, frame->cs);
        return;
    }
    if (frame->vector == VECTOR_BREAKPOINT) {
        printk(LOG_INFO, "caught %s at rip %#lx; continuing\n", exception_name(frame->vector),
               frame->rip);
        return;
    }
    if ((frame->vector == VECTOR_PAGE_FAULT || frame->vector == VECTOR_GENERAL_PROTECTION ||
         frame->vector == VECTOR_SEGMENT_NOT_PRESENT || frame->vector == VECTOR_STACK_FAULT) &&
        recover_from_fault(frame))
        return;
    panic_with_frame(frame, "unexpected %s in the hypervisor, error code %#lx, rip %#lx, cr2 %#lx",
                     exception_name(frame->vector), frame->error_code, frame->rip, read_cr2());
}

static void handle_interrupt(struct trap_frame *frame)
{
    switch (frame->vector) {
    case APIC_TIMER_VECTOR:
        apic_end_of_interrupt();
        if (timer_handler != NULL)
            timer_handler();
        return;
    case APIC_SPURIOUS_VECTOR:
        return;
    default:
        if (frame->vector >= IO_APIC_FIRST_VECTOR && frame->vector < IO_APIC_FIRST_VECTOR + IO_APIC_MAX_PINS &&
            device_interrupt_handler != NULL) {
            device_interrupt_handler((unsigned int)(frame->vector - IO_APIC_FIRST_VECTOR));
            return;
        }
        printk(LOG_WARNING, "unexpected interrupt vector %lu\n", frame->vector);
        apic_end_of_interrupt();
        return;
    }
}

void handle_trap(struct trap_frame *frame);

static bool from_guest(const struct trap_frame *frame)
{
    return (frame->cs & 3) == 3;
}

/* NMI, #DF and #MC report on the machine, not on the guest that happened
 * to be running: they never go to a guest's handlers. */
static bool is_machine_event(const struct trap_frame *frame)
{
    return frame->vector == VECTOR_NMI || frame->vector == VECTOR_DOUBLE_FAULT ||
           frame->vector == VECTOR_MACHINE_CHECK;
}

/* Vectors 3, 4 and 0x80 are open to ring 3 (DPL 3 gates), so a guest's
 * int $0x80 arrives here like an interrupt; it is the guest's trap, and it
 * must never reach the APIC's end-of-interrupt. */
static bool guest_software_interrupt(const struct trap_frame *frame)
{
    return frame->vector == VECTOR_GUEST_SOFTWARE_INTERRUPT && from_guest(frame);
}

void handle_trap(struct trap_frame *frame)
{
    if (guest_software_interrupt(frame))
        guest_trap(frame);
    else if (frame->vector >= 32)
        handle_interrupt(frame);
    else if (from_guest(frame) && !is_machine_event(frame))
        guest_trap(frame);
    else
        handle_exception(frame);
    if (from_guest(frame) && !is_machine_event(frame))
        leave_to_guest(frame);
}
