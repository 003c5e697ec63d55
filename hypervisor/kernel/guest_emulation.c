/*
 * What a guest's #GP or #UD may stand for: a privileged instruction the
 * guest kernel may not execute in ring 3, or the forced-emulation CPUID
 * prefix.  The decoding and the policy are pure and live in
 * common/privileged_instruction.c and common/cpuid_policy.c; this file
 * gives them the vCPU and the hardware, and turns their verdict into what
 * the guest sees (Xen's pv_emulate_privileged_op / pv_emulate_invalid_op):
 * the instruction done, or #GP, #UD or #PF bounced to the guest.  A
 * fetch that faulted is a #PF at the unreadable byte, with error code
 * "instruction fetch" when NX is on for a privileged instruction (Xen's
 * insn_fetch in pv/emul-priv-op.c) and 0 for the forced-CPUID signature
 * (pv/emul-inv-op.c); a fetch outside guest space is #GP(0).
 */
#include <pvmon/arch.h>
#include <pvmon/cpuid_policy.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/privileged_instruction.h>

#define VECTOR_DEBUG 1
#define VECTOR_INVALID_OPCODE 6
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14
#define RFLAGS_TRAP (1UL << 8)
#define DEBUG_STATUS_SINGLE_STEP (1UL << 14)

/* The MSR numbers the emulator passes for the segment bases. */
#define MSR_NUMBER_FS_BASE 0xc0000100u
#define MSR_NUMBER_GS_BASE 0xc0000101u
#define MSR_NUMBER_SHADOW_GS_BASE 0xc0000102u
#define MSR_NUMBER_MISC_ENABLE 0x000001a0u

#define CR0_TASK_SWITCHED (1UL << 3)
#define CR4_OSXSAVE (1UL << 18)
#define EFER_NO_EXECUTE_ENABLE (1UL << 11)
#define PAGE_FAULT_INSTRUCTION_FETCH (1UL << 4)

struct emulation_context {
    struct vcpu *vcpu;
    bool forced_cpuid;          /* the forced-emulation prefix (#UD), not a #GP */
    uint64_t failed_fetch_address;
    uint64_t fetch_fault_error_code;
};

static int fetch(void *context, uint64_t guest_address, void *buffer, size_t length)
{
    struct emulation_context *emulation = context;
    int error = copy_from_guest(buffer, guest_address, length);

    if (error)
        emulation->failed_fetch_address = guest_address;
    return error;
}

static uint64_t read_control_register(void *context, unsigned int number)
{
    const struct vcpu *vcpu = ((struct emulation_context *)context)->vcpu;

    switch (number) {
    case 0:
        return (cpu_read_control_register(0) & ~CR0_TASK_SWITCHED) |
               (vcpu->context.task_switched ? CR0_TASK_SWITCHED : 0);
    case 2:
        return vcpu->vcpu_info->arch.cr2;
    case 3:
        return vcpu->kernel_mode ? vcpu->kernel_root_page_table : vcpu->user_root_page_table;
    default:
        return vcpu->guest_control_register4;
    }
}

static void write_control_register(void *context, unsigned int number, uint64_t value)
{
    struct vcpu *vcpu = ((struct emulation_context *)context)->vcpu;

    if (number == 2)
        vcpu->vcpu_info->arch.cr2 = value;
    else
        vcpu->guest_control_register4 = value;
}

static void set_task_switched(void *context, bool set)
{
    do_fpu_taskswitch(((struct emulation_context *)context)->vcpu, set);
}

static enum segment_base segment_base_named(uint32_t msr)
{
    switch (msr) {
    case MSR_NUMBER_FS_BASE:
        return SEGMENT_BASE_FS;
    case MSR_NUMBER_GS_BASE:
        return SEGMENT_BASE_GS;
    default:
        return SEGMENT_BASE_SHADOW_GS;
    }
}

static int read_segment_base(void *context, uint32_t msr, uint64_t *value)
{
    (void)context;
    *value = cpu_read_segment_base(segment_base_named(msr));
    return 0;
}

static int write_segment_base(void *context, uint32_t msr, uint64_t value)
{
    (void)context;
    cpu_write_segment_base(segment_base_named(msr), value);
    return 0;
}

static uint64_t read_efer(void *context)
{
    (void)context;
    return cpu_read_efer();
}

static int read_misc_enable(void *context, uint64_t *value)
{
    (void)context;
    return cpu_read_msr_safe(MSR_NUMBER_MISC_ENABLE, value);
}

static uint64_t read_timestamp_counter(void *context)
{
    (void)context;
    return cpu_read_timestamp_counter();
}

static unsigned int vcpu_id(void *context)
{
    return ((struct emulation_context *)context)->vcpu->id;
}

static int read_debug_register(void *context, unsigned int number, uint64_t *value)
{
    struct vcpu *vcpu = ((struct emulation_context *)context)->vcpu;

    vcpu->context.debug.status = cpu_read_debug_status();
    return debug_registers_get(&vcpu->context.debug, number, value);
}

static int write_debug_register(void *context, unsigned int number, uint64_t value)
{
    struct vcpu *vcpu = ((struct emulation_context *)context)->vcpu;
    long result = number > 7 ? -XEN_ENODEV : do_set_debugreg(vcpu, number, value);

    return (int)result;
}

static unsigned int io_privilege_level(void *context)
{
    return ((struct emulation_context *)context)->vcpu->io_privilege_level;
}

static void native_cpuid(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS])
{
    (void)context;
    cpu_cpuid(leaf, subleaf, result);
}

/* Xen's guest_cpuid gives the enlightened OSXSAVE to the guest kernel's
 * #UD (forced) CPUID only. */
static void guest_cpuid(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS])
{
    const struct emulation_context *emulation = context;
    const struct vcpu *vcpu = emulation->vcpu;
    const struct cpuid_host host = {
        .context = context,
        .native_cpuid = native_cpuid,
        .switched_xstate = xstate_switched_components(),
        .guest_xcr0 = vcpu->context.xcr0,
        .guest_osxsave = (vcpu->guest_control_register4 & CR4_OSXSAVE) != 0,
        .enlightened_kernel_view = emulation->forced_cpuid && vcpu->kernel_mode,
    };

    cpuid_policy_guest_leaf(&host, leaf, subleaf, result);
}

static void write_xcr0(void *context, uint64_t value)
{
    struct vcpu *vcpu = ((struct emulation_context *)context)->vcpu;

    vcpu->context.xcr0 = value;
    xstate_load_guest_xcr0(value);
}

static const struct privileged_operations operations_template = {
    .fetch = fetch,
    .read_control_register = read_control_register,
    .write_control_register = write_control_register,
    .set_task_switched = set_task_switched,
    .read_segment_base = read_segment_base,
    .write_segment_base = write_segment_base,
    .read_efer = read_efer,
    .read_misc_enable = read_misc_enable,
    .read_timestamp_counter = read_timestamp_counter,
    .vcpu_id = vcpu_id,
    .read_debug_register = read_debug_register,
    .write_debug_register = write_debug_register,
    .io_privilege_level = io_privilege_level,
    .write_xcr0 = write_xcr0,
    .cpuid = guest_cpuid,
};

/* Turns the emulator's verdict into what the guest sees; false when the
 * original fault is to go to the guest unchanged. */
static bool finish(struct vcpu *vcpu, struct trap_frame *frame, enum emulation_result result,
                   const struct emulation_context *context)
{
    switch (result) {
    case EMULATION_DONE:
        if (frame->rflags & RFLAGS_TRAP) {
            vcpu->context.debug.status |= DEBUG_STATUS_SINGLE_STEP;
            guest_raise_exception(vcpu, frame, VECTOR_DEBUG, false, 0);
        }
        return true;
    case EMULATION_RAISE_GENERAL_PROTECTION:
    case EMULATION_CR3_WRITE_UNSUPPORTED:
        guest_raise_exception(vcpu, frame, VECTOR_GENERAL_PROTECTION, true, 0);
        return true;
    case EMULATION_RAISE_INVALID_OPCODE:
        guest_raise_exception(vcpu, frame, VECTOR_INVALID_OPCODE, false, 0);
        return true;
    case EMULATION_FETCH_FAULT:
        vcpu->vcpu_info->arch.cr2 = context->failed_fetch_address;
        guest_raise_exception(vcpu, frame, VECTOR_PAGE_FAULT, true, context->fetch_fault_error_code);
        return true;
    default:
        return false;
    }
}

bool guest_emulate_privileged(struct vcpu *vcpu, struct trap_frame *frame)
{
    struct emulation_context context = {
        .vcpu = vcpu,
        .fetch_fault_error_code = cpu_read_efer() & EFER_NO_EXECUTE_ENABLE ? PAGE_FAULT_INSTRUCTION_FETCH : 0,
    };
    struct privileged_operations operations = operations_template;

    operations.context = &context;
    return finish(vcpu, frame, privileged_instruction_emulate(frame, &operations), &context);
}

bool guest_emulate_forced_cpuid(struct vcpu *vcpu, struct trap_frame *frame)
{
    struct emulation_context context = { .vcpu = vcpu, .forced_cpuid = true };
    struct privileged_operations operations = operations_template;

    operations.context = &context;
    return finish(vcpu, frame, forced_cpuid_emulate(frame, &operations), &context);
}
