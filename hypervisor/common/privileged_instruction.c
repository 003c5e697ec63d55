/*
 * Emulation of a 64-bit PV guest kernel's privileged instructions and of
 * the forced-emulation CPUID prefix (see pvmon/privileged_instruction.h).
 * This file owns decoding them and what each may do.  Rules kept:
 *
 * Decoding (the opcodes of xen/arch/x86/pv/emul-priv-op.c: validate, run by
 * Xen's x86_emulate in 64-bit mode):
 * - Prefixes: 0x66 (operand size), the segment overrides and rep/repne
 *   (no effect on these instructions; Xen ignores them too), and REX, which
 *   counts only directly before the opcode: a legacy prefix after it
 *   cancels it, as on hardware.  lock is not emulated: the processor
 *   raises #UD for it here, except that on AMD lock mov CR0 means CR8
 *   (xen/arch/x86/x86_emulate/decode.c).  Any other byte ends the prefixes,
 *   and an opcode not listed below is not emulated.
 * - More than 15 bytes is not an instruction (the processor raises #GP).
 * - Fetching a byte at an address outside guest space (non-canonical, or
 *   in the hypervisor's L4 slots) is #GP(0), as in Xen's insn_fetch
 *   (pv_emul_virt_to_linear: __addr_ok); a byte that cannot be read
 *   otherwise is a fetch fault (#PF).  The forced-CPUID signature is read
 *   like Xen's copy_from_guest_pv in emul-inv-op.c: any unreadable byte,
 *   wherever it is, is a fetch fault.
 * - mov CR/DR: the ModRM mod field is ignored, the operand is always a
 *   register; REX.R selects CR8-15/DR8-15 and REX.B r8-r15.
 * - RIP moves past the instruction and RFLAGS.RF is cleared on success
 *   (xen/arch/x86/pv/emulate.c: pv_emul_instruction_done).
 *
 * MSRs (emul-priv-op.c: read_msr, write_msr; xen/arch/x86/msr.c:
 * guest_rdmsr_xen):
 * - FS_BASE, GS_BASE (the kernel's), SHADOW_GS_BASE (the user's) go to the
 *   vCPU; a non-canonical value written is #GP.
 * - EFER reads the processor's value less unknown bits, SVME and AIBRSE
 *   (guest_efer); a write is accepted only if it changes nothing of that,
 *   since Linux writes back what it read.  Otherwise #GP.
 * - PAT reads XEN_MSR_PAT.  Xen has no write case for it, so any write,
 *   even of the same value, is #GP.
 * - APIC_BASE reads the default base, enabled, with the boot-processor bit
 *   on vCPU 0 ("Linux PV guests will attempt to read APIC_BASE").
 * - MISC_ENABLE reads the processor's value with PERF_AVAIL and
 *   MONITOR_ENABLE cleared and BTS_UNAVAIL, PEBS_UNAVAIL and XTPR_DISABLE
 *   set (guest_misc_enable); writing that value is accepted, writing
 *   another is ignored.  Without the MSR it is #GP.
 * - PERF_CAPABILITIES reads 0; TSC reads the guest's time-stamp counter;
 *   0x40000000 (the hypercall-page MSR) reads 0.  Writing any of them is
 *   #GP: pvmon fills the hypercall page from the ELF note only.
 * - Machine check (Xen's vmce.c, in its smallest form): MCG_CAP reads 0,
 *   no banks and no MCG_CTL, and MCG_STATUS reads 0; writing 0 to
 *   MCG_STATUS is accepted.  Linux sees MCE and MCA in CPUID and reads
 *   both with accessors that panic on a #GP ("MCA architectural
 *   violation").
 * - Every other MSR is #GP.  Xen fakes a read of 0 when the guest has no
 *   #GP handler yet and the processor has the MSR; pvmon cannot ask the
 *   processor here and does not.
 * Control registers (read_cr, write_cr; xen/arch/x86/pv/domain.c:
 * pv_fixup_guest_cr4; PV_CR4_GUEST_MASK and PV_CR4_GUEST_VISIBLE_MASK in
 * xen/arch/x86/include/asm/pv/domain.h):
 * - CR0, CR2, CR3, CR4 read the guest's view; other numbers are #GP.
 * - CR0: a write may change TS only (then fpu_taskswitch); a change of any
 *   other bit is #GP.  clts clears TS.
 * - CR2: a write is stored.  CR3: a write is EMULATION_CR3_WRITE_UNSUPPORTED.
 * - CR4: a write never faults.  The guest keeps its choice of TSD, DE,
 *   FSGSBASE and OSXSAVE, each only if its CPUID shows the feature (TSC,
 *   DE, FSGSBASE, XSAVE); PAE, MCE, OSFXSR and OSXMMEXCPT stay as they
 *   read; every other bit is silently dropped.
 * Debug registers (xen/arch/x86/x86_emulate/util-xen.c: x86emul_read_dr,
 * x86emul_write_dr): -ENODEV from the vCPU is #UD, any other error #GP.
 * Time-stamp counter: rdtsc faults only under the guest's CR4.TSD; it reads
 * the guest's counter (read_msr MSR_IA32_TSC).
 * xsetbv (0f 01 d1; Xen's x86_emulate and x86emul_write_xcr, and
 * handle_xsetbv in xen/arch/x86/xstate.c): a 66, f2 or f3 prefix is #UD,
 * and so is the guest's view of CR4 without OSXSAVE; ECX other than 0
 * (XCR0) is #GP, and so is a value common/xstate.c refuses for the
 * components the guest's CPUID leaf 0xD offers.  Any other 0f 01
 * instruction is not emulated.
 * wbinvd: ignored, as Xen does for a domain that may not flush caches
 * (cache_op).
 * I/O ports: reads give all ones and writes are dropped, as Xen does for
 * a guest kernel whose virtual IOPL allows port access (Linux sets it with
 * PHYSDEVOP_set_iopl) and that owns no ports (guest_io_read).  A byte or
 * word read merges into RAX, a doubleword zero-extends; REX.W does not
 * widen in/out past 32 bits.
 * cli and sti: skipped without effect when the guest kernel's virtual
 * IOPL is at least 1 (Xen's iopl_ok), #GP otherwise.  Xen does not touch
 * the event mask here either: the popf that usually follows cannot be
 * trapped (IF in popf is ignored at CPL 3), so a masking cli would leave
 * events masked for good.  Linux runs one before its alternatives are
 * patched (this_cpu_cmpxchg16b_emu: pushf; cli; ...; popf), where nothing
 * can interrupt it anyway with one vCPU.
 * Forced CPUID (xen/arch/x86/pv/emul-inv-op.c): 0f 0b "xen" then 0f a2;
 * anything else is not emulated.  pvmon has no CPUID faulting, so the
 * CPL check Xen makes there does not apply.
 */
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/privileged_instruction.h>
#include <pvmon/xstate.h>

#define MAXIMUM_INSTRUCTION_LENGTH 15

#define PREFIX_OPERAND_SIZE 0x66
#define PREFIX_LOCK 0xf0
#define PREFIX_REPEAT_NOT_EQUAL 0xf2
#define PREFIX_REPEAT 0xf3
#define PREFIX_SEGMENT_ES 0x26
#define PREFIX_SEGMENT_CS 0x2e
#define PREFIX_SEGMENT_SS 0x36
#define PREFIX_SEGMENT_DS 0x3e
#define PREFIX_SEGMENT_FS 0x64
#define PREFIX_SEGMENT_GS 0x65
#define REX_FIRST 0x40
#define REX_LAST 0x4f
#define REX_OPERAND_64_BIT 0x08 /* REX.W */
#define REX_MODRM_REG_HIGH 0x04 /* REX.R */
#define REX_MODRM_RM_HIGH 0x01  /* REX.B */
#define REGISTER_HIGH_BANK 8

#define MODRM_REG_SHIFT 3
#define MODRM_FIELD_MASK 7

#define OPCODE_TWO_BYTE_ESCAPE 0x0f
#define OPCODE_GROUP_7 0x01
#define MODRM_XSETBV 0xd1
#define OPCODE_CLTS 0x06
#define OPCODE_WBINVD 0x09
#define OPCODE_UD2 0x0b
#define OPCODE_MOV_FROM_CONTROL_REGISTER 0x20
#define OPCODE_MOV_FROM_DEBUG_REGISTER 0x21
#define OPCODE_MOV_TO_CONTROL_REGISTER 0x22
#define OPCODE_MOV_TO_DEBUG_REGISTER 0x23
#define OPCODE_WRMSR 0x30
#define OPCODE_RDTSC 0x31
#define OPCODE_RDMSR 0x32
#define OPCODE_CPUID 0xa2
#define OPCODE_IN_AL_FROM_IMMEDIATE_PORT 0xe4
#define OPCODE_IN_EAX_FROM_IMMEDIATE_PORT 0xe5
#define OPCODE_OUT_AL_TO_IMMEDIATE_PORT 0xe6
#define OPCODE_OUT_EAX_TO_IMMEDIATE_PORT 0xe7
#define OPCODE_IN_AL_FROM_DX_PORT 0xec
#define OPCODE_IN_EAX_FROM_DX_PORT 0xed
#define OPCODE_OUT_AL_TO_DX_PORT 0xee
#define OPCODE_OUT_EAX_TO_DX_PORT 0xef
#define OPCODE_CLEAR_INTERRUPT_FLAG 0xfa
#define OPCODE_SET_INTERRUPT_FLAG 0xfb
#define PORT_OPCODE_WIDE 0x01    /* AX/EAX rather than AL */
#define PORT_OPCODE_OUT 0x02     /* out rather than in */
#define PORT_OPCODE_DX_PORT 0x08 /* port in DX rather than an immediate byte */

#define RFLAGS_RESUME (UINT64_C(1) << 16)

#define MSR_TIME_STAMP_COUNTER 0x00000010u
#define MSR_APIC_BASE 0x0000001bu
#define MSR_MACHINE_CHECK_CAPABILITIES 0x00000179u
#define MSR_MACHINE_CHECK_STATUS 0x0000017au
#define MSR_MISC_ENABLE 0x000001a0u
#define MSR_PAT 0x00000277u
#define MSR_PERF_CAPABILITIES 0x00000345u
#define MSR_EFER 0xc0000080u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u

#define APIC_DEFAULT_BASE UINT64_C(0xfee00000)
#define APIC_BASE_BOOT_PROCESSOR (UINT64_C(1) << 8)
#define APIC_BASE_ENABLE (UINT64_C(1) << 11)
#define BOOT_VCPU 0

#define EFER_SYSCALL (UINT64_C(1) << 0)
#define EFER_LONG_MODE_ENABLE (UINT64_C(1) << 8)
#define EFER_LONG_MODE_ACTIVE (UINT64_C(1) << 10)
#define EFER_NO_EXECUTE (UINT64_C(1) << 11)
#define EFER_FAST_FXSAVE (UINT64_C(1) << 14)
#define GUEST_EFER_BITS                                                                              \
    (EFER_SYSCALL | EFER_LONG_MODE_ENABLE | EFER_LONG_MODE_ACTIVE | EFER_NO_EXECUTE | EFER_FAST_FXSAVE)

#define MISC_ENABLE_PERF_AVAILABLE (UINT64_C(1) << 7)
#define MISC_ENABLE_BTS_UNAVAILABLE (UINT64_C(1) << 11)
#define MISC_ENABLE_PEBS_UNAVAILABLE (UINT64_C(1) << 12)
#define MISC_ENABLE_MONITOR (UINT64_C(1) << 18)
#define MISC_ENABLE_XTPR_DISABLE (UINT64_C(1) << 23)

#define CR0_TASK_SWITCHED (UINT64_C(1) << 3)

#define CONTROL_REGISTER_0 0
#define CONTROL_REGISTER_2 2
#define CONTROL_REGISTER_3 3
#define CONTROL_REGISTER_4 4

#define CANONICAL_SIGN_SHIFT 47
#define LOW_HALF_MASK UINT64_C(0xffffffff)
#define HIGH_HALF_SHIFT 32

#define BYTE_MASK UINT64_C(0xff)
#define WORD_MASK UINT64_C(0xffff)
#define DOUBLEWORD_MASK UINT64_C(0xffffffff)

/* What has been read of the instruction so far. */
struct instruction {
    uint64_t address; /* RIP at the fault */
    bool fetch_outside_guest_space_is_general_protection;
    unsigned int length;
    bool operand_size_override;
    bool repeat_prefix;         /* f2 or f3 */
    uint8_t rex;
};

/* The registers of a mov CR/DR: the CR or DR number and the general register. */
struct register_operands {
    unsigned int special;
    unsigned int general;
};

/* EMULATION_DONE when the byte was read. */
static enum emulation_result fetch_byte(struct instruction *instruction,
                                        const struct privileged_operations *operations, uint8_t *byte)
{
    uint64_t address = instruction->address + instruction->length;

    if (instruction->length == MAXIMUM_INSTRUCTION_LENGTH)
        return EMULATION_NOT_HANDLED;
    if (instruction->fetch_outside_guest_space_is_general_protection && !guest_range_is_valid(address, 1))
        return EMULATION_RAISE_GENERAL_PROTECTION;
    if (operations->fetch(operations->context, address, byte, 1) != 0)
        return EMULATION_FETCH_FAULT;
    instruction->length++;
    return EMULATION_DONE;
}

static bool is_ignored_prefix(uint8_t byte)
{
    switch (byte) {
    case PREFIX_SEGMENT_ES:
    case PREFIX_SEGMENT_CS:
    case PREFIX_SEGMENT_SS:
    case PREFIX_SEGMENT_DS:
    case PREFIX_SEGMENT_FS:
    case PREFIX_SEGMENT_GS:
    case PREFIX_REPEAT_NOT_EQUAL:
    case PREFIX_REPEAT:
        return true;
    default:
        return false;
    }
}

static bool is_rex(uint8_t byte)
{
    return byte >= REX_FIRST && byte <= REX_LAST;
}

/* Reads the prefixes and leaves the first opcode byte in *opcode. */
static enum emulation_result fetch_opcode(struct instruction *instruction,
                                          const struct privileged_operations *operations, uint8_t *opcode)
{
    for (;;) {
        enum emulation_result result = fetch_byte(instruction, operations, opcode);

        if (result != EMULATION_DONE)
            return result;
        if (*opcode == PREFIX_LOCK)
            return EMULATION_NOT_HANDLED;
        if (is_rex(*opcode)) {
            instruction->rex = *opcode;
            continue;
        }
        if (*opcode == PREFIX_OPERAND_SIZE)
            instruction->operand_size_override = true;
        else if (!is_ignored_prefix(*opcode))
            return EMULATION_DONE;
        if (*opcode == PREFIX_REPEAT || *opcode == PREFIX_REPEAT_NOT_EQUAL)
            instruction->repeat_prefix = true;
        instruction->rex = 0;
    }
}

/* Where general register number (0 RAX, 1 RCX, ... 15 R15) is in the frame. */
static size_t general_register_offset(unsigned int number)
{
    static const size_t offsets[] = {
        offsetof(struct trap_frame, rax), offsetof(struct trap_frame, rcx), offsetof(struct trap_frame, rdx),
        offsetof(struct trap_frame, rbx), offsetof(struct trap_frame, rsp), offsetof(struct trap_frame, rbp),
        offsetof(struct trap_frame, rsi), offsetof(struct trap_frame, rdi), offsetof(struct trap_frame, r8),
        offsetof(struct trap_frame, r9),  offsetof(struct trap_frame, r10), offsetof(struct trap_frame, r11),
        offsetof(struct trap_frame, r12), offsetof(struct trap_frame, r13), offsetof(struct trap_frame, r14),
        offsetof(struct trap_frame, r15),
    };

    return offsets[number];
}

static uint64_t read_general_register(const struct trap_frame *registers, unsigned int number)
{
    return *(const uint64_t *)((const char *)registers + general_register_offset(number));
}

static void write_general_register(struct trap_frame *registers, unsigned int number, uint64_t value)
{
    *(uint64_t *)((char *)registers + general_register_offset(number)) = value;
}

static enum emulation_result fetch_register_operands(struct instruction *instruction,
                                                     const struct privileged_operations *operations,
                                                     struct register_operands *operands)
{
    uint8_t modrm;
    enum emulation_result result = fetch_byte(instruction, operations, &modrm);

    if (result != EMULATION_DONE)
        return result;
    operands->special = (modrm >> MODRM_REG_SHIFT) & MODRM_FIELD_MASK;
    operands->general = modrm & MODRM_FIELD_MASK;
    if (instruction->rex & REX_MODRM_REG_HIGH)
        operands->special += REGISTER_HIGH_BANK;
    if (instruction->rex & REX_MODRM_RM_HIGH)
        operands->general += REGISTER_HIGH_BANK;
    return EMULATION_DONE;
}

static bool is_canonical(uint64_t address)
{
    uint64_t upper = address >> CANONICAL_SIGN_SHIFT;

    return upper == 0 || upper == (UINT64_MAX >> CANONICAL_SIGN_SHIFT);
}

static bool is_segment_base(uint32_t msr)
{
    return msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_SHADOW_GS_BASE;
}

static uint64_t guest_efer(const struct privileged_operations *operations)
{
    return operations->read_efer(operations->context) & GUEST_EFER_BITS;
}

static int read_guest_misc_enable(const struct privileged_operations *operations, uint64_t *value)
{
    int error = operations->read_misc_enable(operations->context, value);

    if (error != 0)
        return error;
    *value &= ~(MISC_ENABLE_PERF_AVAILABLE | MISC_ENABLE_MONITOR);
    *value |= MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE | MISC_ENABLE_XTPR_DISABLE;
    return 0;
}

static uint64_t apic_base(const struct privileged_operations *operations)
{
    uint64_t value = APIC_DEFAULT_BASE | APIC_BASE_ENABLE;

    if (operations->vcpu_id(operations->context) == BOOT_VCPU)
        value |= APIC_BASE_BOOT_PROCESSOR;
    return value;
}

/* 0 and the guest's value of msr, or a negative value for #GP. */
static int read_msr(const struct privileged_operations *operations, uint32_t msr, uint64_t *value)
{
    if (is_segment_base(msr))
        return operations->read_segment_base(operations->context, msr, value);
    switch (msr) {
    case MSR_EFER:
        *value = guest_efer(operations);
        return 0;
    case MSR_PAT:
        *value = XEN_MSR_PAT;
        return 0;
    case MSR_APIC_BASE:
        *value = apic_base(operations);
        return 0;
    case MSR_MISC_ENABLE:
        return read_guest_misc_enable(operations, value);
    case MSR_TIME_STAMP_COUNTER:
        *value = operations->read_timestamp_counter(operations->context);
        return 0;
    case MSR_PERF_CAPABILITIES:
    case XEN_HYPERCALL_PAGE_MSR:
    case MSR_MACHINE_CHECK_CAPABILITIES:
    case MSR_MACHINE_CHECK_STATUS:
        *value = 0;
        return 0;
    default:
        return -XEN_EPERM;
    }
}

/* 0 when the write is done or ignored, a negative value for #GP. */
static int write_msr(const struct privileged_operations *operations, uint32_t msr, uint64_t value)
{
    uint64_t current;

    if (is_segment_base(msr)) {
        if (!is_canonical(value))
            return -XEN_EINVAL;
        return operations->write_segment_base(operations->context, msr, value);
    }
    switch (msr) {
    case MSR_EFER:
        return value == guest_efer(operations) ? 0 : -XEN_EPERM;
    case MSR_MISC_ENABLE:
        /* The value read back is accepted, any other ignored: only a
         * processor without the MSR makes this #GP. */
        return read_guest_misc_enable(operations, &current);
    case MSR_MACHINE_CHECK_STATUS:
        return value == 0 ? 0 : -XEN_EPERM;
    default:
        return -XEN_EPERM;
    }
}

static void set_edx_eax(struct trap_frame *registers, uint64_t value)
{
    registers->rax = value & LOW_HALF_MASK;
    registers->rdx = value >> HIGH_HALF_SHIFT;
}

static enum emulation_result emulate_rdmsr(struct trap_frame *registers,
                                           const struct privileged_operations *operations)
{
    uint64_t value;

    if (read_msr(operations, (uint32_t)registers->rcx, &value) != 0)
        return EMULATION_RAISE_GENERAL_PROTECTION;
    set_edx_eax(registers, value);
    return EMULATION_DONE;
}

static enum emulation_result emulate_wrmsr(const struct trap_frame *registers,
                                           const struct privileged_operations *operations)
{
    uint64_t value = ((registers->rdx & LOW_HALF_MASK) << HIGH_HALF_SHIFT) | (registers->rax & LOW_HALF_MASK);

    if (write_msr(operations, (uint32_t)registers->rcx, value) != 0)
        return EMULATION_RAISE_GENERAL_PROTECTION;
    return EMULATION_DONE;
}

static enum emulation_result emulate_rdtsc(struct trap_frame *registers,
                                           const struct privileged_operations *operations)
{
    set_edx_eax(registers, operations->read_timestamp_counter(operations->context));
    return EMULATION_DONE;
}

static bool is_readable_control_register(unsigned int number)
{
    return number == CONTROL_REGISTER_0 || number == CONTROL_REGISTER_2 || number == CONTROL_REGISTER_3 ||
           number == CONTROL_REGISTER_4;
}

static enum emulation_result emulate_mov_from_control_register(struct trap_frame *registers,
                                                               const struct privileged_operations *operations,
                                                               const struct register_operands *operands)
{
    if (!is_readable_control_register(operands->special))
        return EMULATION_RAISE_GENERAL_PROTECTION;
    write_general_register(registers, operands->general,
                           operations->read_control_register(operations->context, operands->special));
    return EMULATION_DONE;
}

static bool guest_has_feature(const struct privileged_operations *operations, uint32_t leaf,
                              enum cpuid_register register_index, uint32_t feature)
{
    uint32_t result[CPUID_REGISTERS];

    operations->cpuid(operations->context, leaf, 0, result);
    return (result[register_index] & feature) != 0;
}

/* The CR4 bits the guest chooses itself, as far as its CPUID offers them. */
static uint64_t guest_controlled_cr4_bits(const struct privileged_operations *operations)
{
    uint64_t bits = 0;

    if (guest_has_feature(operations, CPUID_PROCESSOR_INFORMATION_LEAF, CPUID_EDX, CPUID_1_EDX_TSC))
        bits |= PV_CR4_TSD;
    if (guest_has_feature(operations, CPUID_PROCESSOR_INFORMATION_LEAF, CPUID_EDX, CPUID_1_EDX_DE))
        bits |= PV_CR4_DE;
    if (guest_has_feature(operations, CPUID_STRUCTURED_FEATURES_LEAF, CPUID_EBX, CPUID_7_0_EBX_FSGSBASE))
        bits |= PV_CR4_FSGSBASE;
    if (guest_has_feature(operations, CPUID_PROCESSOR_INFORMATION_LEAF, CPUID_ECX, CPUID_1_ECX_XSAVE))
        bits |= PV_CR4_OSXSAVE;
    return bits;
}

static enum emulation_result write_cr0(const struct privileged_operations *operations, uint64_t value)
{
    uint64_t current = operations->read_control_register(operations->context, CONTROL_REGISTER_0);

    if ((value ^ current) & ~CR0_TASK_SWITCHED)
        return EMULATION_RAISE_GENERAL_PROTECTION;
    operations->set_task_switched(operations->context, (value & CR0_TASK_SWITCHED) != 0);
    return EMULATION_DONE;
}

static enum emulation_result write_cr4(const struct privileged_operations *operations, uint64_t value)
{
    uint64_t current = operations->read_control_register(operations->context, CONTROL_REGISTER_4);
    uint64_t fixed = (value & guest_controlled_cr4_bits(operations)) | (current & PV_CR4_KEPT_AS_READ);

    operations->write_control_register(operations->context, CONTROL_REGISTER_4, fixed);
    return EMULATION_DONE;
}

static enum emulation_result emulate_mov_to_control_register(const struct trap_frame *registers,
                                                             const struct privileged_operations *operations,
                                                             const struct register_operands *operands)
{
    uint64_t value = read_general_register(registers, operands->general);

    switch (operands->special) {
    case CONTROL_REGISTER_0:
        return write_cr0(operations, value);
    case CONTROL_REGISTER_2:
        operations->write_control_register(operations->context, CONTROL_REGISTER_2, value);
        return EMULATION_DONE;
    case CONTROL_REGISTER_3:
        return EMULATION_CR3_WRITE_UNSUPPORTED;
    case CONTROL_REGISTER_4:
        return write_cr4(operations, value);
    default:
        return EMULATION_RAISE_GENERAL_PROTECTION;
    }
}

static enum emulation_result debug_register_failure(int error)
{
    return error == -XEN_ENODEV ? EMULATION_RAISE_INVALID_OPCODE : EMULATION_RAISE_GENERAL_PROTECTION;
}

static enum emulation_result emulate_mov_from_debug_register(struct trap_frame *registers,
                                                             const struct privileged_operations *operations,
                                                             const struct register_operands *operands)
{
    uint64_t value;
    int error = operations->read_debug_register(operations->context, operands->special, &value);

    if (error != 0)
        return debug_register_failure(error);
    write_general_register(registers, operands->general, value);
    return EMULATION_DONE;
}

static enum emulation_result emulate_mov_to_debug_register(const struct trap_frame *registers,
                                                           const struct privileged_operations *operations,
                                                           const struct register_operands *operands)
{
    uint64_t value = read_general_register(registers, operands->general);
    int error = operations->write_debug_register(operations->context, operands->special, value);

    return error != 0 ? debug_register_failure(error) : EMULATION_DONE;
}

static enum emulation_result emulate_register_move(struct instruction *instruction, uint8_t opcode,
                                                   struct trap_frame *registers,
                                                   const struct privileged_operations *operations)
{
    struct register_operands operands;
    enum emulation_result result = fetch_register_operands(instruction, operations, &operands);

    if (result != EMULATION_DONE)
        return result;
    switch (opcode) {
    case OPCODE_MOV_FROM_CONTROL_REGISTER:
        return emulate_mov_from_control_register(registers, operations, &operands);
    case OPCODE_MOV_TO_CONTROL_REGISTER:
        return emulate_mov_to_control_register(registers, operations, &operands);
    case OPCODE_MOV_FROM_DEBUG_REGISTER:
        return emulate_mov_from_debug_register(registers, operations, &operands);
    default:
        return emulate_mov_to_debug_register(registers, operations, &operands);
    }
}

/* The XCR0 components the guest's CPUID offers (leaf 0xD subleaf 0). */
static uint64_t offered_xstate(const struct privileged_operations *operations)
{
    uint32_t result[CPUID_REGISTERS];

    operations->cpuid(operations->context, CPUID_XSTATE_LEAF, 0, result);
    return (uint64_t)result[CPUID_EDX] << HIGH_HALF_SHIFT | result[CPUID_EAX];
}

static enum emulation_result emulate_xsetbv(const struct instruction *instruction,
                                            const struct trap_frame *registers,
                                            const struct privileged_operations *operations)
{
    uint64_t cr4 = operations->read_control_register(operations->context, CONTROL_REGISTER_4);
    uint64_t value = (registers->rdx & LOW_HALF_MASK) << HIGH_HALF_SHIFT | (registers->rax & LOW_HALF_MASK);

    if (instruction->operand_size_override || instruction->repeat_prefix || !(cr4 & PV_CR4_OSXSAVE))
        return EMULATION_RAISE_INVALID_OPCODE;
    if ((uint32_t)registers->rcx != XSTATE_XCR0_INDEX || !xstate_xcr0_is_valid(value, offered_xstate(operations)))
        return EMULATION_RAISE_GENERAL_PROTECTION;
    operations->write_xcr0(operations->context, value);
    return EMULATION_DONE;
}

static enum emulation_result emulate_group_7(struct instruction *instruction, const struct trap_frame *registers,
                                             const struct privileged_operations *operations)
{
    uint8_t modrm;
    enum emulation_result result = fetch_byte(instruction, operations, &modrm);

    if (result != EMULATION_DONE)
        return result;
    if (modrm != MODRM_XSETBV)
        return EMULATION_NOT_HANDLED;
    return emulate_xsetbv(instruction, registers, operations);
}

static enum emulation_result emulate_two_byte(struct instruction *instruction, struct trap_frame *registers,
                                              const struct privileged_operations *operations)
{
    uint8_t opcode;
    enum emulation_result result = fetch_byte(instruction, operations, &opcode);

    if (result != EMULATION_DONE)
        return result;
    switch (opcode) {
    case OPCODE_CLTS:
        operations->set_task_switched(operations->context, false);
        return EMULATION_DONE;
    case OPCODE_WBINVD:
        return EMULATION_DONE;
    case OPCODE_GROUP_7:
        return emulate_group_7(instruction, registers, operations);
    case OPCODE_MOV_FROM_CONTROL_REGISTER:
    case OPCODE_MOV_FROM_DEBUG_REGISTER:
    case OPCODE_MOV_TO_CONTROL_REGISTER:
    case OPCODE_MOV_TO_DEBUG_REGISTER:
        return emulate_register_move(instruction, opcode, registers, operations);
    case OPCODE_WRMSR:
        return emulate_wrmsr(registers, operations);
    case OPCODE_RDTSC:
        return emulate_rdtsc(registers, operations);
    case OPCODE_RDMSR:
        return emulate_rdmsr(registers, operations);
    default:
        return EMULATION_NOT_HANDLED;
    }
}

/* The mask of the part of RAX a port access moves: AL, AX or EAX. */
static uint64_t port_access_mask(const struct instruction *instruction, uint8_t opcode)
{
    if (!(opcode & PORT_OPCODE_WIDE))
        return BYTE_MASK;
    if (instruction->operand_size_override && !(instruction->rex & REX_OPERAND_64_BIT))
        return WORD_MASK;
    return DOUBLEWORD_MASK;
}

static void read_all_ones(struct trap_frame *registers, uint64_t mask)
{
    if (mask == DOUBLEWORD_MASK)
        registers->rax = DOUBLEWORD_MASK;
    else
        registers->rax |= mask;
}

static enum emulation_result emulate_port_access(struct instruction *instruction, uint8_t opcode,
                                                 struct trap_frame *registers,
                                                 const struct privileged_operations *operations)
{
    if (!(opcode & PORT_OPCODE_DX_PORT)) {
        uint8_t port;
        enum emulation_result result = fetch_byte(instruction, operations, &port);

        if (result != EMULATION_DONE)
            return result;
    }
    if (!(opcode & PORT_OPCODE_OUT))
        read_all_ones(registers, port_access_mask(instruction, opcode));
    return EMULATION_DONE;
}

#define LOWEST_IOPL_FOR_INTERRUPT_FLAG 1

static enum emulation_result emulate_interrupt_flag(const struct privileged_operations *operations)
{
    if (operations->io_privilege_level(operations->context) < LOWEST_IOPL_FOR_INTERRUPT_FLAG)
        return EMULATION_RAISE_GENERAL_PROTECTION;
    return EMULATION_DONE;
}

static enum emulation_result emulate(struct instruction *instruction, struct trap_frame *registers,
                                     const struct privileged_operations *operations)
{
    uint8_t opcode;
    enum emulation_result result = fetch_opcode(instruction, operations, &opcode);

    if (result != EMULATION_DONE)
        return result;
    switch (opcode) {
    case OPCODE_TWO_BYTE_ESCAPE:
        return emulate_two_byte(instruction, registers, operations);
    case OPCODE_IN_AL_FROM_IMMEDIATE_PORT:
    case OPCODE_IN_EAX_FROM_IMMEDIATE_PORT:
    case OPCODE_OUT_AL_TO_IMMEDIATE_PORT:
    case OPCODE_OUT_EAX_TO_IMMEDIATE_PORT:
    case OPCODE_IN_AL_FROM_DX_PORT:
    case OPCODE_IN_EAX_FROM_DX_PORT:
    case OPCODE_OUT_AL_TO_DX_PORT:
    case OPCODE_OUT_EAX_TO_DX_PORT:
        return emulate_port_access(instruction, opcode, registers, operations);
    case OPCODE_CLEAR_INTERRUPT_FLAG:
    case OPCODE_SET_INTERRUPT_FLAG:
        return emulate_interrupt_flag(operations);
    default:
        return EMULATION_NOT_HANDLED;
    }
}

static void complete_instruction(struct trap_frame *registers, unsigned int length)
{
    registers->rip += length;
    registers->rflags &= ~RFLAGS_RESUME;
}

enum emulation_result privileged_instruction_emulate(struct trap_frame *registers,
                                                     const struct privileged_operations *operations)
{
    struct instruction instruction = {
        .address = registers->rip,
        .fetch_outside_guest_space_is_general_protection = true,
    };
    struct trap_frame updated = *registers;
    enum emulation_result result = emulate(&instruction, &updated, operations);

    if (result != EMULATION_DONE)
        return result;
    complete_instruction(&updated, instruction.length);
    *registers = updated;
    return EMULATION_DONE;
}

/* EMULATION_DONE when the next length bytes are the expected ones. */
static enum emulation_result match_bytes(struct instruction *instruction,
                                         const struct privileged_operations *operations,
                                         const uint8_t *expected, unsigned int length)
{
    for (unsigned int index = 0; index < length; index++) {
        uint8_t byte;
        enum emulation_result result = fetch_byte(instruction, operations, &byte);

        if (result != EMULATION_DONE)
            return result;
        if (byte != expected[index])
            return EMULATION_NOT_HANDLED;
    }
    return EMULATION_DONE;
}

enum emulation_result forced_cpuid_emulate(struct trap_frame *registers,
                                           const struct privileged_operations *operations)
{
    static const uint8_t signature[] = { OPCODE_TWO_BYTE_ESCAPE, OPCODE_UD2, 'x', 'e', 'n' };
    static const uint8_t cpuid[] = { OPCODE_TWO_BYTE_ESCAPE, OPCODE_CPUID };
    struct instruction instruction = { .address = registers->rip };
    uint32_t result[CPUID_REGISTERS];
    enum emulation_result matched = match_bytes(&instruction, operations, signature, sizeof(signature));

    if (matched == EMULATION_DONE)
        matched = match_bytes(&instruction, operations, cpuid, sizeof(cpuid));
    if (matched != EMULATION_DONE)
        return matched;
    operations->cpuid(operations->context, (uint32_t)registers->rax, (uint32_t)registers->rcx, result);
    registers->rax = result[CPUID_EAX];
    registers->rbx = result[CPUID_EBX];
    registers->rcx = result[CPUID_ECX];
    registers->rdx = result[CPUID_EDX];
    complete_instruction(registers, instruction.length);
    return EMULATION_DONE;
}
