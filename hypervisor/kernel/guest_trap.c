/*
 * Exceptions raised by a guest in ring 3, and its int $n: what the
 * hypervisor emulates, and what it bounces to the handler the guest
 * registered with set_trap_table.
 *
 * Rules kept here (Xen x86-64 PV ABI; xen/arch/x86/traps.c,
 * xen/arch/x86/pv/traps.c, emul-priv-op.c, emul-inv-op.c):
 *   - #GP from the guest kernel is first offered to the privileged-
 *     instruction emulator (rdmsr/wrmsr, CR and DR moves, in/out, clts,
 *     wbinvd).  A #GP whose error code names an IDT vector (int $n on a
 *     DPL-0 gate) is the guest's software interrupt n when its virtual
 *     DPL allows it (1 from the kernel, 3 from user mode), RIP past the
 *     two-byte instruction; otherwise the #GP itself goes to the guest.
 *   - #UD at the forced-emulation prefix (ud2 "xen" cpuid) is CPUID with
 *     the guest's policy.
 *   - #PF: a kernel write to one of its own read-only L1 tables is first
 *     offered to the writable-page-table emulation
 *     (kernel/page_table_write_fault.c).  Otherwise CR2 is written to
 *     vcpu_info.arch.cr2 before the bounce, and the error code's user bit
 *     says guest user mode, not ring 3.
 *   - #NM with the guest's virtual CR0.TS set goes to the guest, which
 *     clears its TS (fpu_taskswitch semantics); otherwise it was ours.
 *   - int3, into and int $0x80 arrive through DPL-3 gates as their own
 *     vectors.
 *   - A vector the guest has no handler for crashes the domain, alone.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/format.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>

#define VECTOR_DEVICE_NOT_AVAILABLE 7
#define VECTOR_INVALID_OPCODE 6
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14
#define VECTOR_GUEST_SOFTWARE_INTERRUPT 0x80
#define PAGE_FAULT_USER_BIT 4UL
#define SOFTWARE_INTERRUPT_ERROR_BITS 3UL
#define ERROR_CODE_NAMES_IDT_VECTOR 2UL
#define INT_INSTRUCTION_LENGTH 2
#define INT_IMMEDIATE_OPCODE 0xcd

static bool vector_has_error_code(uint64_t vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static void crash_unhandled(struct vcpu *vcpu, const struct trap_frame *frame, uint64_t vector,
                            uint64_t error_code)
{
    char why[128];

    format_string(why, sizeof(why), "unhandled %s at rip %#lx, error code %#lx, cr2 %#lx",
                  exception_name(vector), frame->rip, error_code, cpu_read_fault_address());
    domain_crash(vcpu->domain, why);
}

void guest_raise_exception(struct vcpu *vcpu, struct trap_frame *frame, uint64_t vector,
                              bool has_error_code, uint64_t error_code)
{
    struct bounce_request request = { .has_error_code = has_error_code, .error_code = (uint32_t)error_code };
    unsigned int dpl;

    if (!trap_table_lookup(&vcpu->trap_table, vector, &request.handler, &dpl, &request.mask_events)) {
        crash_unhandled(vcpu, frame, vector, error_code);
        return;
    }
    domain_memory_count(DOMAIN_MEMORY_EXCEPTION_BOUNCED);
    guest_bounce(vcpu, frame, &request);
}

static void software_interrupt(struct vcpu *vcpu, struct trap_frame *frame, unsigned int vector)
{
    if (!trap_table_permits_software_interrupt(&vcpu->trap_table, vector, vcpu->kernel_mode)) {
        guest_raise_exception(vcpu, frame, VECTOR_GENERAL_PROTECTION, true, (vector << 3) | ERROR_CODE_NAMES_IDT_VECTOR);
        return;
    }
    frame->rip += INT_INSTRUCTION_LENGTH;
    guest_raise_exception(vcpu, frame, vector, false, 0);
}

/* int $0x80 came through its DPL-3 gate with RIP already past it; without
 * the guest's permission it becomes the #GP a DPL-0 gate would have given. */
static void direct_software_interrupt(struct vcpu *vcpu, struct trap_frame *frame, unsigned int vector)
{
    frame->rip -= INT_INSTRUCTION_LENGTH;
    software_interrupt(vcpu, frame, vector);
}

/* The vector of the int $n that raised this #GP: the instruction's
 * immediate when it can be read (QEMU's TCG reports n * 16 + 2 instead of
 * the architectural n * 8 + 2 as the error code), else the error code's. */
static unsigned int software_interrupt_vector(const struct trap_frame *frame)
{
    uint8_t instruction[INT_INSTRUCTION_LENGTH];

    if (copy_from_guest(instruction, frame->rip, sizeof(instruction)) == 0 && instruction[0] == INT_IMMEDIATE_OPCODE)
        return instruction[1];
    return (unsigned int)(frame->error_code >> 3) & 0xff;
}

static void general_protection(struct vcpu *vcpu, struct trap_frame *frame)
{
    if ((frame->error_code & SOFTWARE_INTERRUPT_ERROR_BITS) == ERROR_CODE_NAMES_IDT_VECTOR) {
        software_interrupt(vcpu, frame, software_interrupt_vector(frame));
        return;
    }
    if (frame->error_code == 0 && vcpu->kernel_mode && guest_emulate_privileged(vcpu, frame))
        return;
    guest_raise_exception(vcpu, frame, VECTOR_GENERAL_PROTECTION, true, frame->error_code);
}

static void page_fault(struct vcpu *vcpu, struct trap_frame *frame)
{
    uint64_t error_code = frame->error_code;

    uint64_t fault_address = cpu_read_fault_address();

    if (guest_emulate_page_table_write(vcpu, frame, fault_address))
        return;
    vcpu->vcpu_info->arch.cr2 = fault_address;
    if (vcpu->kernel_mode)
        error_code &= ~PAGE_FAULT_USER_BIT;
    domain_memory_count(DOMAIN_MEMORY_PAGE_FAULT_TO_GUEST);
    guest_raise_exception(vcpu, frame, VECTOR_PAGE_FAULT, true, error_code);
}

static void device_not_available(struct vcpu *vcpu, struct trap_frame *frame)
{
    cpu_set_task_switched(false);
    if (!vcpu->context.task_switched)
        return;
    vcpu->context.task_switched = false;
    guest_raise_exception(vcpu, frame, VECTOR_DEVICE_NOT_AVAILABLE, false, 0);
}

void guest_trap(struct trap_frame *frame)
{
    struct vcpu *vcpu = current_vcpu();
    uint64_t vector = frame->vector;

    if (vcpu == NULL)
        panic_with_frame(frame, "%s from ring 3 with no guest running", exception_name(vector));
    switch (vector) {
    case VECTOR_GENERAL_PROTECTION:
        general_protection(vcpu, frame);
        return;
    case VECTOR_PAGE_FAULT:
        page_fault(vcpu, frame);
        return;
    case VECTOR_DEVICE_NOT_AVAILABLE:
        device_not_available(vcpu, frame);
        return;
    case VECTOR_GUEST_SOFTWARE_INTERRUPT:
        direct_software_interrupt(vcpu, frame, (unsigned int)vector);
        return;
    case VECTOR_INVALID_OPCODE:
        if (guest_emulate_forced_cpuid(vcpu, frame))
            return;
        break;
    default:
        break;
    }
    guest_raise_exception(vcpu, frame, vector, vector_has_error_code(vector), frame->error_code);
}
