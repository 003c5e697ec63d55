/*
 * Tests of common/privileged_instruction.c: decoding and emulating the
 * privileged instructions of a 64-bit PV guest kernel, and the forced-
 * emulation CPUID prefix.  The instruction bytes sit in a fake guest code
 * buffer of which only the first `readable` bytes can be fetched, and a
 * fake vCPU answers the callbacks and counts the changes asked of it.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/privileged_instruction.h>

#include "suites.h"

#define CODE_ADDRESS UINT64_C(0xffffffff81001000)
#define CODE_CAPACITY 32
#define MAXIMUM_INSTRUCTION_LENGTH 15

#define RFLAGS_INTERRUPT UINT64_C(0x200)
#define RFLAGS_RESUME UINT64_C(0x10000)
#define RFLAGS_TRAP UINT64_C(0x100)

#define MSR_TIME_STAMP_COUNTER 0x10u
#define MSR_APIC_BASE 0x1bu
#define MSR_MISC_ENABLE 0x1a0u
#define MSR_PAT 0x277u
#define MSR_PERF_CAPABILITIES 0x345u
#define MSR_SYSENTER_CS 0x174u
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u
#define FS_BASE 0 /* index in fake_vcpu.segment_bases */
#define GS_BASE 1
#define SHADOW_GS_BASE 2

#define EFER_SCE (UINT64_C(1) << 0)
#define EFER_LME (UINT64_C(1) << 8)
#define EFER_LMA (UINT64_C(1) << 10)
#define EFER_NXE (UINT64_C(1) << 11)
#define EFER_SVME (UINT64_C(1) << 12)
#define EFER_LMSLE (UINT64_C(1) << 13)
#define EFER_FFXSE (UINT64_C(1) << 14)
#define EFER_AIBRSE (UINT64_C(1) << 21)

#define MISC_ENABLE_FAST_STRING (UINT64_C(1) << 0)
#define MISC_ENABLE_PERF_AVAILABLE (UINT64_C(1) << 7)
#define MISC_ENABLE_BTS_UNAVAILABLE (UINT64_C(1) << 11)
#define MISC_ENABLE_PEBS_UNAVAILABLE (UINT64_C(1) << 12)
#define MISC_ENABLE_MONITOR (UINT64_C(1) << 18)
#define MISC_ENABLE_XTPR_DISABLE (UINT64_C(1) << 23)

#define CR0_GUEST_VIEW UINT64_C(0x80050033) /* PG AM WP NE ET MP PE */
#define CR0_TS (UINT64_C(1) << 3)
#define CR0_WP (UINT64_C(1) << 16)
#define CR4_TSD (UINT64_C(1) << 2)
#define CR4_DE (UINT64_C(1) << 3)
#define CR4_PAE (UINT64_C(1) << 5)
#define CR4_MCE (UINT64_C(1) << 6)
#define CR4_PGE (UINT64_C(1) << 7)
#define CR4_OSFXSR (UINT64_C(1) << 9)
#define CR4_OSXMMEXCPT (UINT64_C(1) << 10)
#define CR4_FSGSBASE (UINT64_C(1) << 16)
#define CR4_PCIDE (UINT64_C(1) << 17)
#define CR4_OSXSAVE (UINT64_C(1) << 18)
#define CR4_SMEP (UINT64_C(1) << 20)
#define CR4_GUEST_VIEW (CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT)
#define CR2_VALUE UINT64_C(0x00007f0000123456)
#define CR3_VALUE UINT64_C(0x0000000012345000)

#define APIC_BASE_OF_BOOT_VCPU UINT64_C(0xfee00900)
#define APIC_BASE_OF_OTHER_VCPU UINT64_C(0xfee00800)
#define TIMESTAMP UINT64_C(0x0000123487654321)

#define DEBUG_REGISTERS 8
#define NO_REGISTER 99

/* ModRM bytes for register operands (mod 3): special register, general register. */
#define MODRM(special, general) (0xc0 | ((special) << 3) | (general))
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSP 4
#define RDI 7

struct fake_vcpu {
    uint8_t code[CODE_CAPACITY];
    size_t readable;
    bool fetch_failed;
    uint64_t failed_fetch_address;
    uint64_t highest_fetched_address;

    uint64_t control_registers[5];
    unsigned int control_register_writes;
    unsigned int written_control_register;
    uint64_t written_control_value;
    unsigned int task_switched_calls;
    bool task_switched;

    uint64_t segment_bases[3]; /* FS_BASE, GS_BASE, SHADOW_GS_BASE */
    int segment_base_error;
    unsigned int segment_base_writes;

    uint64_t efer;
    uint64_t misc_enable;
    bool has_misc_enable;
    unsigned int vcpu_id;

    uint64_t debug_registers[DEBUG_REGISTERS];
    int debug_register_error;
    unsigned int debug_register_number;
    unsigned int debug_register_writes;

    uint32_t guest_leaf_1_ecx;
    uint32_t guest_leaf_1_edx;
    uint32_t guest_leaf_7_ebx;
    uint64_t guest_xstate_offered; /* leaf 0xD subleaf 0 EDX:EAX */
    uint32_t cpuid_leaf;
    uint32_t cpuid_subleaf;

    unsigned int io_privilege_level;

    unsigned int xcr0_writes;
    uint64_t xcr0;
};

static int fake_fetch(void *context, uint64_t guest_address, void *buffer, size_t length)
{
    struct fake_vcpu *vcpu = context;

    if (guest_address > vcpu->highest_fetched_address)
        vcpu->highest_fetched_address = guest_address;
    if (guest_address < CODE_ADDRESS || guest_address + length > CODE_ADDRESS + vcpu->readable) {
        vcpu->fetch_failed = true;
        vcpu->failed_fetch_address = guest_address;
        return -XEN_EFAULT;
    }
    memcpy(buffer, &vcpu->code[guest_address - CODE_ADDRESS], length);
    return 0;
}

static uint64_t fake_read_control_register(void *context, unsigned int number)
{
    struct fake_vcpu *vcpu = context;

    ck_assert(number == 0 || number == 2 || number == 3 || number == 4);
    return vcpu->control_registers[number];
}

static void fake_write_control_register(void *context, unsigned int number, uint64_t value)
{
    struct fake_vcpu *vcpu = context;

    vcpu->control_register_writes++;
    vcpu->written_control_register = number;
    vcpu->written_control_value = value;
}

static void fake_set_task_switched(void *context, bool set)
{
    struct fake_vcpu *vcpu = context;

    vcpu->task_switched_calls++;
    vcpu->task_switched = set;
}

static int fake_read_segment_base(void *context, uint32_t msr, uint64_t *value)
{
    struct fake_vcpu *vcpu = context;

    ck_assert(msr >= MSR_FS_BASE && msr <= MSR_SHADOW_GS_BASE);
    if (vcpu->segment_base_error != 0)
        return vcpu->segment_base_error;
    *value = vcpu->segment_bases[msr - MSR_FS_BASE];
    return 0;
}

static int fake_write_segment_base(void *context, uint32_t msr, uint64_t value)
{
    struct fake_vcpu *vcpu = context;

    ck_assert(msr >= MSR_FS_BASE && msr <= MSR_SHADOW_GS_BASE);
    if (vcpu->segment_base_error != 0)
        return vcpu->segment_base_error;
    vcpu->segment_base_writes++;
    vcpu->segment_bases[msr - MSR_FS_BASE] = value;
    return 0;
}

static uint64_t fake_read_efer(void *context)
{
    return ((struct fake_vcpu *)context)->efer;
}

static int fake_read_misc_enable(void *context, uint64_t *value)
{
    struct fake_vcpu *vcpu = context;

    if (!vcpu->has_misc_enable)
        return -XEN_ENODEV;
    *value = vcpu->misc_enable;
    return 0;
}

static uint64_t fake_read_timestamp_counter(void *context)
{
    (void)context;
    return TIMESTAMP;
}

static unsigned int fake_vcpu_id(void *context)
{
    return ((struct fake_vcpu *)context)->vcpu_id;
}

static int fake_read_debug_register(void *context, unsigned int number, uint64_t *value)
{
    struct fake_vcpu *vcpu = context;

    vcpu->debug_register_number = number;
    if (number >= DEBUG_REGISTERS)
        return -XEN_ENODEV;
    if (vcpu->debug_register_error != 0)
        return vcpu->debug_register_error;
    *value = vcpu->debug_registers[number];
    return 0;
}

static int fake_write_debug_register(void *context, unsigned int number, uint64_t value)
{
    struct fake_vcpu *vcpu = context;

    vcpu->debug_register_number = number;
    if (number >= DEBUG_REGISTERS)
        return -XEN_ENODEV;
    if (vcpu->debug_register_error != 0)
        return vcpu->debug_register_error;
    vcpu->debug_register_writes++;
    vcpu->debug_registers[number] = value;
    return 0;
}

/* Leaves 1 and 7 carry the features under test; any other leaf answers
 * values made from its number, so that tests see which leaf was asked. */
static void fake_cpuid(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS])
{
    struct fake_vcpu *vcpu = context;

    vcpu->cpuid_leaf = leaf;
    vcpu->cpuid_subleaf = subleaf;
    memset(result, 0, CPUID_REGISTERS * sizeof(result[0]));
    if (leaf == CPUID_PROCESSOR_INFORMATION_LEAF) {
        result[CPUID_ECX] = vcpu->guest_leaf_1_ecx;
        result[CPUID_EDX] = vcpu->guest_leaf_1_edx;
    } else if (leaf == CPUID_STRUCTURED_FEATURES_LEAF) {
        result[CPUID_EBX] = vcpu->guest_leaf_7_ebx;
    } else if (leaf == CPUID_XSTATE_LEAF && subleaf == 0) {
        result[CPUID_EAX] = (uint32_t)vcpu->guest_xstate_offered;
        result[CPUID_EDX] = (uint32_t)(vcpu->guest_xstate_offered >> 32);
    } else {
        result[CPUID_EAX] = leaf + 0x100;
        result[CPUID_EBX] = subleaf + 0x200;
        result[CPUID_ECX] = 0xfedcba98;
        result[CPUID_EDX] = 0x87654321;
    }
}

static unsigned int fake_io_privilege_level(void *context)
{
    return ((struct fake_vcpu *)context)->io_privilege_level;
}

static void fake_write_xcr0(void *context, uint64_t value)
{
    struct fake_vcpu *vcpu = context;

    vcpu->xcr0_writes++;
    vcpu->xcr0 = value;
}

static struct fake_vcpu new_vcpu(void)
{
    struct fake_vcpu vcpu;

    memset(&vcpu, 0, sizeof(vcpu));
    vcpu.control_registers[0] = CR0_GUEST_VIEW;
    vcpu.control_registers[2] = CR2_VALUE;
    vcpu.control_registers[3] = CR3_VALUE;
    vcpu.control_registers[4] = CR4_GUEST_VIEW;
    vcpu.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    vcpu.has_misc_enable = true;
    vcpu.misc_enable = MISC_ENABLE_FAST_STRING;
    vcpu.guest_leaf_1_edx = CPUID_1_EDX_TSC;
    vcpu.written_control_register = NO_REGISTER;
    vcpu.debug_register_number = NO_REGISTER;
    return vcpu;
}

static struct privileged_operations operations_of(struct fake_vcpu *vcpu)
{
    struct privileged_operations operations = {
        .context = vcpu,
        .fetch = fake_fetch,
        .read_control_register = fake_read_control_register,
        .write_control_register = fake_write_control_register,
        .set_task_switched = fake_set_task_switched,
        .read_segment_base = fake_read_segment_base,
        .write_segment_base = fake_write_segment_base,
        .read_efer = fake_read_efer,
        .read_misc_enable = fake_read_misc_enable,
        .read_timestamp_counter = fake_read_timestamp_counter,
        .vcpu_id = fake_vcpu_id,
        .read_debug_register = fake_read_debug_register,
        .write_debug_register = fake_write_debug_register,
        .io_privilege_level = fake_io_privilege_level,
        .write_xcr0 = fake_write_xcr0,
        .cpuid = fake_cpuid,
    };

    return operations;
}

/* A frame at CODE_ADDRESS whose registers all hold distinct values. */
static struct trap_frame frame_at_code(void)
{
    struct trap_frame frame = {
        .r15 = 0x0f0f0f0f0f0f0f0f, .r14 = 0x0e0e0e0e0e0e0e0e, .r13 = 0x0d0d0d0d0d0d0d0d,
        .r12 = 0x0c0c0c0c0c0c0c0c, .r11 = 0x0b0b0b0b0b0b0b0b, .r10 = 0x0a0a0a0a0a0a0a0a,
        .r9 = 0x0909090909090909,  .r8 = 0x0808080808080808,  .rbp = 0x0505050505050505,
        .rdi = 0x0707070707070707, .rsi = 0x0606060606060606, .rdx = 0x0202020202020202,
        .rcx = 0x0101010101010101, .rbx = 0x0303030303030303, .rax = 0x1234567890abcdef,
        .vector = 13,              .rip = CODE_ADDRESS,       .cs = 0xe033,
        .rflags = RFLAGS_INTERRUPT | RFLAGS_RESUME | 2,       .rsp = 0xffffc90000123f00,
        .ss = 0xe02b,
    };

    return frame;
}

static void place_code(struct fake_vcpu *vcpu, const uint8_t *bytes, size_t length)
{
    ck_assert_uint_le(length, CODE_CAPACITY);
    memcpy(vcpu->code, bytes, length);
    vcpu->readable = length;
}

static enum emulation_result emulate_bytes(struct fake_vcpu *vcpu, struct trap_frame *frame, const uint8_t *bytes,
                                           size_t length)
{
    struct privileged_operations operations = operations_of(vcpu);

    place_code(vcpu, bytes, length);
    return privileged_instruction_emulate(frame, &operations);
}

static enum emulation_result forced_cpuid_bytes(struct fake_vcpu *vcpu, struct trap_frame *frame,
                                                const uint8_t *bytes, size_t length)
{
    struct privileged_operations operations = operations_of(vcpu);

    place_code(vcpu, bytes, length);
    return forced_cpuid_emulate(frame, &operations);
}

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define EMULATE(vcpu, frame, ...) emulate_bytes(vcpu, frame, BYTES(__VA_ARGS__))
#define FORCED_CPUID(vcpu, frame, ...) forced_cpuid_bytes(vcpu, frame, BYTES(__VA_ARGS__))

#define RDMSR 0x0f, 0x32
#define WRMSR 0x0f, 0x30
#define FORCED_EMULATION_PREFIX 0x0f, 0x0b, 0x78, 0x65, 0x6e
#define CPUID 0x0f, 0xa2

static bool frames_equal(const struct trap_frame *left, const struct trap_frame *right)
{
    return memcmp(left, right, sizeof(*left)) == 0;
}

/* The frame after a successful emulation: RIP moved on, RF cleared. */
static struct trap_frame completed(struct trap_frame frame, unsigned int length)
{
    frame.rip += length;
    frame.rflags &= ~RFLAGS_RESUME;
    return frame;
}

static enum emulation_result rdmsr(struct fake_vcpu *vcpu, struct trap_frame *frame, uint32_t msr)
{
    frame->rcx = msr;
    return EMULATE(vcpu, frame, RDMSR);
}

static enum emulation_result wrmsr(struct fake_vcpu *vcpu, struct trap_frame *frame, uint32_t msr,
                                   uint64_t value)
{
    frame->rcx = msr;
    frame->rax = value & 0xffffffff;
    frame->rdx = value >> 32;
    return EMULATE(vcpu, frame, WRMSR);
}

/* The value a successful rdmsr left in EDX:EAX. */
static uint64_t edx_eax(const struct trap_frame *frame)
{
    ck_assert_uint_eq(frame->rax >> 32, 0);
    ck_assert_uint_eq(frame->rdx >> 32, 0);
    return (frame->rdx << 32) | frame->rax;
}

/* rdmsr */

START_TEST(test_rdmsr_of_fs_base_returns_the_hardware_value)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.segment_bases[FS_BASE] = UINT64_C(0x00007f1234567890);
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_FS_BASE), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, 0x34567890);
    ck_assert_uint_eq(frame.rdx, 0x00007f12);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

START_TEST(test_rdmsr_of_gs_base_returns_the_guest_kernel_gs_base)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.segment_bases[GS_BASE] = UINT64_C(0xffff888000010000);
    vcpu.segment_bases[SHADOW_GS_BASE] = UINT64_C(0x00007f0000001000);
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_GS_BASE), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), UINT64_C(0xffff888000010000));
}
END_TEST

START_TEST(test_rdmsr_of_shadow_gs_base_returns_the_guest_user_gs_base)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.segment_bases[GS_BASE] = UINT64_C(0xffff888000010000);
    vcpu.segment_bases[SHADOW_GS_BASE] = UINT64_C(0x00007f0000001000);
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_SHADOW_GS_BASE), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), UINT64_C(0x00007f0000001000));
}
END_TEST

START_TEST(test_rdmsr_takes_the_msr_number_from_ecx_only)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.segment_bases[FS_BASE] = UINT64_C(0x1000);
    frame.rcx = UINT64_C(0xffffffff00000000) | MSR_FS_BASE;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, RDMSR), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), 0x1000);
}
END_TEST

START_TEST(test_rdmsr_of_segment_base_refused_by_the_vcpu_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before;

    vcpu.segment_base_error = -XEN_EINVAL;
    frame.rcx = MSR_FS_BASE;
    before = frame;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, RDMSR), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_rdmsr_of_efer_shows_only_the_bits_a_pv_guest_may_see)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | EFER_LMSLE | EFER_FFXSE | EFER_AIBRSE;
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_EFER), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_FFXSE);
}
END_TEST

START_TEST(test_rdmsr_of_pat_returns_xen_pat)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_PAT), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), UINT64_C(0x0000050100070406));
    ck_assert_uint_eq(XEN_MSR_PAT, UINT64_C(0x0000050100070406));
}
END_TEST

START_TEST(test_rdmsr_of_apic_base_on_vcpu_0_marks_the_boot_processor)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_APIC_BASE), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), APIC_BASE_OF_BOOT_VCPU);
}
END_TEST

START_TEST(test_rdmsr_of_apic_base_on_another_vcpu_has_no_boot_processor_bit)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.vcpu_id = 1;
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_APIC_BASE), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), APIC_BASE_OF_OTHER_VCPU);
}
END_TEST

START_TEST(test_rdmsr_of_misc_enable_hides_performance_monitoring_and_monitor)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.misc_enable = MISC_ENABLE_FAST_STRING | MISC_ENABLE_PERF_AVAILABLE | MISC_ENABLE_MONITOR;
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_MISC_ENABLE), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAILABLE |
                                           MISC_ENABLE_PEBS_UNAVAILABLE | MISC_ENABLE_XTPR_DISABLE);
}
END_TEST

START_TEST(test_rdmsr_of_misc_enable_without_the_msr_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.has_misc_enable = false;
    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_MISC_ENABLE), EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_rdmsr_of_time_stamp_counter_returns_the_guest_counter)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_TIME_STAMP_COUNTER), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), TIMESTAMP);
}
END_TEST

START_TEST(test_rdmsr_of_perf_capabilities_reads_zero)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(rdmsr(&vcpu, &frame, MSR_PERF_CAPABILITIES), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), 0);
}
END_TEST

/* Machine check: no banks, nothing to report (a minimal vMCE). */
START_TEST(test_rdmsr_of_machine_check_capabilities_and_status_reads_zero)
{
    static const uint32_t machine_check[] = { 0x179, 0x17a };

    for (unsigned int index = 0; index < 2; index++) {
        struct fake_vcpu vcpu = new_vcpu();
        struct trap_frame frame = frame_at_code();

        ck_assert_int_eq(rdmsr(&vcpu, &frame, machine_check[index]), EMULATION_DONE);
        ck_assert_uint_eq(edx_eax(&frame), 0);
    }
}
END_TEST

START_TEST(test_wrmsr_of_machine_check_status_accepts_only_zero)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, 0x17a, 0), EMULATION_DONE);
    frame = frame_at_code();
    ck_assert_int_eq(wrmsr(&vcpu, &frame, 0x17a, 1), EMULATION_RAISE_GENERAL_PROTECTION);
    frame = frame_at_code();
    ck_assert_int_eq(wrmsr(&vcpu, &frame, 0x179, 0), EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_rdmsr_of_hypercall_page_msr_reads_zero)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(rdmsr(&vcpu, &frame, XEN_HYPERCALL_PAGE_MSR), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), 0);
}
END_TEST

START_TEST(test_rdmsr_of_unknown_msr_raises_general_protection)
{
    static const uint32_t unknown[] = { MSR_STAR, MSR_SYSENTER_CS, 0x48, 0xc0010015, 0x40000001 };

    for (unsigned int index = 0; index < sizeof(unknown) / sizeof(unknown[0]); index++) {
        struct fake_vcpu vcpu = new_vcpu();
        struct trap_frame frame = frame_at_code();
        struct trap_frame before;

        frame.rcx = unknown[index];
        before = frame;
        ck_assert_int_eq(EMULATE(&vcpu, &frame, RDMSR), EMULATION_RAISE_GENERAL_PROTECTION);
        ck_assert(frames_equal(&frame, &before));
    }
}
END_TEST

/* wrmsr */

START_TEST(test_wrmsr_of_fs_base_writes_edx_eax)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected;

    frame.rcx = MSR_FS_BASE;
    frame.rax = UINT64_C(0xffffffff89abcdef);
    frame.rdx = UINT64_C(0xffffffff00007fff);
    expected = completed(frame, 2);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, WRMSR), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.segment_bases[FS_BASE], UINT64_C(0x00007fff89abcdef));
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_wrmsr_of_gs_base_writes_the_guest_kernel_gs_base)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_GS_BASE, UINT64_C(0xffff888000020000)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.segment_bases[GS_BASE], UINT64_C(0xffff888000020000));
    ck_assert_uint_eq(vcpu.segment_base_writes, 1);
}
END_TEST

START_TEST(test_wrmsr_of_shadow_gs_base_writes_the_guest_user_gs_base)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_SHADOW_GS_BASE, UINT64_C(0x00007f0000002000)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.segment_bases[SHADOW_GS_BASE], UINT64_C(0x00007f0000002000));
    ck_assert_uint_eq(vcpu.segment_base_writes, 1);
}
END_TEST

START_TEST(test_wrmsr_of_non_canonical_segment_base_raises_general_protection)
{
    static const uint32_t msrs[] = { MSR_FS_BASE, MSR_GS_BASE, MSR_SHADOW_GS_BASE };

    for (unsigned int index = 0; index < sizeof(msrs) / sizeof(msrs[0]); index++) {
        struct fake_vcpu vcpu = new_vcpu();
        struct trap_frame frame = frame_at_code();

        ck_assert_int_eq(wrmsr(&vcpu, &frame, msrs[index], UINT64_C(0x0000800000000000)),
                         EMULATION_RAISE_GENERAL_PROTECTION);
        ck_assert_uint_eq(vcpu.segment_base_writes, 0);
        ck_assert_uint_eq(frame.rip, CODE_ADDRESS);
    }
}
END_TEST

START_TEST(test_wrmsr_of_segment_base_refused_by_the_vcpu_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.segment_base_error = -XEN_EINVAL;
    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_FS_BASE, 0x1000), EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_wrmsr_of_efer_with_the_value_read_is_accepted)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE), EMULATION_DONE);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

START_TEST(test_wrmsr_of_efer_changing_a_bit_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA),
                     EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_wrmsr_of_pat_raises_general_protection_even_with_the_same_value)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_PAT, XEN_MSR_PAT), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_PAT, UINT64_C(0x0007040600070406)),
                     EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_wrmsr_of_misc_enable_with_the_value_read_is_accepted)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    uint64_t guest_value = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE |
                           MISC_ENABLE_XTPR_DISABLE;

    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_MISC_ENABLE, guest_value), EMULATION_DONE);
}
END_TEST

START_TEST(test_wrmsr_of_misc_enable_with_another_value_is_ignored)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_MISC_ENABLE, MISC_ENABLE_MONITOR), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.misc_enable, MISC_ENABLE_FAST_STRING);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

START_TEST(test_wrmsr_of_misc_enable_without_the_msr_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.has_misc_enable = false;
    ck_assert_int_eq(wrmsr(&vcpu, &frame, MSR_MISC_ENABLE, 0), EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_wrmsr_of_msrs_that_only_read_raises_general_protection)
{
    static const uint32_t read_only[] = { MSR_APIC_BASE, MSR_TIME_STAMP_COUNTER, MSR_PERF_CAPABILITIES };

    for (unsigned int index = 0; index < sizeof(read_only) / sizeof(read_only[0]); index++) {
        struct fake_vcpu vcpu = new_vcpu();
        struct trap_frame frame = frame_at_code();

        ck_assert_int_eq(wrmsr(&vcpu, &frame, read_only[index], 0), EMULATION_RAISE_GENERAL_PROTECTION);
    }
}
END_TEST

START_TEST(test_wrmsr_of_hypercall_page_msr_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(wrmsr(&vcpu, &frame, XEN_HYPERCALL_PAGE_MSR, UINT64_C(0x1234000)),
                     EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_wrmsr_of_unknown_msr_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before;

    frame.rcx = MSR_STAR;
    before = frame;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, WRMSR), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

/* rdtsc */

START_TEST(test_rdtsc_returns_the_guest_counter_in_edx_eax)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x31), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), TIMESTAMP);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

/* Control registers */

START_TEST(test_mov_from_cr0_returns_the_guest_view)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected;

    vcpu.control_registers[0] = CR0_GUEST_VIEW | CR0_TS;
    expected = completed(frame, 3);
    expected.rax = CR0_GUEST_VIEW | CR0_TS;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x20, MODRM(0, RAX)), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_mov_from_cr2_returns_the_guest_cr2)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x20, MODRM(2, RBX)), EMULATION_DONE);
    ck_assert_uint_eq(frame.rbx, CR2_VALUE);
}
END_TEST

START_TEST(test_mov_from_cr3_returns_the_current_base)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x20, MODRM(3, RCX)), EMULATION_DONE);
    ck_assert_uint_eq(frame.rcx, CR3_VALUE);
}
END_TEST

START_TEST(test_mov_from_cr4_returns_the_guest_view)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x20, MODRM(4, RDX)), EMULATION_DONE);
    ck_assert_uint_eq(frame.rdx, CR4_GUEST_VIEW);
}
END_TEST

START_TEST(test_mov_from_cr_with_rex_b_writes_r8_to_r15)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected;

    expected = completed(frame, 4);
    expected.r15 = CR4_GUEST_VIEW;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x41, 0x0f, 0x20, MODRM(4, RDI)), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_mov_from_cr_into_rsp_writes_the_saved_stack_pointer)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x20, MODRM(3, RSP)), EMULATION_DONE);
    ck_assert_uint_eq(frame.rsp, CR3_VALUE);
}
END_TEST

START_TEST(test_mov_cr_ignores_the_modrm_mod_field)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x20, 0x00), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, CR0_GUEST_VIEW);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 3);
}
END_TEST

START_TEST(test_mov_from_cr8_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x44, 0x0f, 0x20, MODRM(0, RAX)), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_mov_to_cr0_setting_ts_sets_task_switched)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rax = CR0_GUEST_VIEW | CR0_TS;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(0, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.task_switched_calls, 1);
    ck_assert(vcpu.task_switched);
}
END_TEST

START_TEST(test_mov_to_cr0_clearing_ts_clears_task_switched)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.control_registers[0] = CR0_GUEST_VIEW | CR0_TS;
    vcpu.task_switched = true;
    frame.rbx = CR0_GUEST_VIEW;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(0, RBX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.task_switched_calls, 1);
    ck_assert(!vcpu.task_switched);
}
END_TEST

START_TEST(test_mov_to_cr0_changing_another_bit_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rax = (CR0_GUEST_VIEW & ~CR0_WP) | CR0_TS;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(0, RAX)), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert_uint_eq(vcpu.task_switched_calls, 0);
}
END_TEST

START_TEST(test_mov_to_cr2_stores_the_value)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rax = UINT64_C(0x00007f00deadb000);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(2, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.written_control_register, 2);
    ck_assert_uint_eq(vcpu.written_control_value, UINT64_C(0x00007f00deadb000));
}
END_TEST

START_TEST(test_mov_to_cr3_is_reported_as_unsupported)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(3, RAX)), EMULATION_CR3_WRITE_UNSUPPORTED);
    ck_assert(frames_equal(&frame, &before));
    ck_assert_uint_eq(vcpu.control_register_writes, 0);
}
END_TEST

START_TEST(test_mov_to_cr4_keeps_tsd_when_the_guest_has_tsc)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rax = CR4_GUEST_VIEW | CR4_TSD;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(4, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.written_control_register, 4);
    ck_assert_uint_eq(vcpu.written_control_value, CR4_GUEST_VIEW | CR4_TSD);
}
END_TEST

START_TEST(test_mov_to_cr4_drops_guest_bits_its_cpuid_does_not_offer)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.guest_leaf_1_edx = 0;
    frame.rax = CR4_GUEST_VIEW | CR4_TSD | CR4_DE | CR4_FSGSBASE | CR4_OSXSAVE;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(4, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.written_control_value, CR4_GUEST_VIEW);
}
END_TEST

START_TEST(test_mov_to_cr4_keeps_de_fsgsbase_and_osxsave_when_cpuid_offers_them)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.guest_leaf_1_edx = CPUID_1_EDX_DE;
    vcpu.guest_leaf_1_ecx = CPUID_1_ECX_XSAVE;
    vcpu.guest_leaf_7_ebx = CPUID_7_0_EBX_FSGSBASE;
    frame.rax = CR4_GUEST_VIEW | CR4_DE | CR4_FSGSBASE | CR4_OSXSAVE;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(4, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.written_control_value, CR4_GUEST_VIEW | CR4_DE | CR4_FSGSBASE | CR4_OSXSAVE);
}
END_TEST

START_TEST(test_mov_to_cr4_cannot_change_the_bits_the_hypervisor_sets)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rax = CR4_PGE | CR4_PCIDE | CR4_SMEP;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x22, MODRM(4, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.written_control_value, CR4_GUEST_VIEW);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 3);
}
END_TEST

START_TEST(test_mov_to_cr_reads_the_register_selected_by_rex_b)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x41, 0x0f, 0x22, MODRM(2, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.written_control_value, frame.r8);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 4);
}
END_TEST

START_TEST(test_mov_to_cr8_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x44, 0x0f, 0x22, MODRM(0, RAX)), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert_uint_eq(vcpu.task_switched_calls, 0);
    ck_assert_uint_eq(vcpu.control_register_writes, 0);
}
END_TEST

START_TEST(test_lock_prefixed_mov_cr_is_not_emulated)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xf0, 0x0f, 0x20, MODRM(0, RAX)), EMULATION_NOT_HANDLED);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

/* Debug registers */

START_TEST(test_mov_from_dr7_returns_the_vcpu_value)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.debug_registers[7] = 0x400;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x21, MODRM(7, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, 0x400);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 3);
}
END_TEST

START_TEST(test_mov_to_dr0_passes_the_value_to_the_vcpu)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x23, MODRM(0, RBX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.debug_registers[0], frame.rbx);
    ck_assert_uint_eq(vcpu.debug_register_writes, 1);
}
END_TEST

START_TEST(test_mov_from_dr4_asks_the_vcpu_for_register_4)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x21, MODRM(4, RAX)), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.debug_register_number, 4);
}
END_TEST

START_TEST(test_refused_debug_register_value_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    vcpu.debug_register_error = -XEN_EPERM;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x23, MODRM(7, RAX)), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_failed_debug_register_read_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    vcpu.debug_register_error = -XEN_EINVAL;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x21, MODRM(6, RAX)), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_mov_dr_with_rex_r_names_dr8_which_raises_invalid_opcode)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x44, 0x0f, 0x21, MODRM(0, RAX)), EMULATION_RAISE_INVALID_OPCODE);
    ck_assert_uint_eq(vcpu.debug_register_number, 8);
    ck_assert(frames_equal(&frame, &before));
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x44, 0x0f, 0x23, MODRM(1, RAX)), EMULATION_RAISE_INVALID_OPCODE);
    ck_assert_uint_eq(vcpu.debug_register_number, 9);
}
END_TEST

START_TEST(test_mov_from_dr_with_rex_b_writes_r8_to_r15)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected;

    vcpu.debug_registers[6] = 0xffff0ff0;
    expected = completed(frame, 4);
    expected.r9 = 0xffff0ff0;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x41, 0x0f, 0x21, MODRM(6, RCX)), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

/* clts and wbinvd */

START_TEST(test_clts_clears_task_switched)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    vcpu.task_switched = true;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x06), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.task_switched_calls, 1);
    ck_assert(!vcpu.task_switched);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

START_TEST(test_wbinvd_is_skipped_without_effect)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected = completed(frame, 2);

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x09), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

/* cli and sti: no effect under a virtual IOPL of 1 or more, as in Xen */

START_TEST(test_cli_and_sti_with_virtual_iopl_1_are_skipped_without_effect)
{
    static const uint8_t opcodes[] = { 0xfa, 0xfb };

    for (unsigned int index = 0; index < 2; index++) {
        struct fake_vcpu vcpu = new_vcpu();
        struct trap_frame frame = frame_at_code();
        struct trap_frame expected = completed(frame, 1);

        vcpu.io_privilege_level = 1;
        ck_assert_int_eq(EMULATE(&vcpu, &frame, opcodes[index]), EMULATION_DONE);
        ck_assert(frames_equal(&frame, &expected));
    }
}
END_TEST

START_TEST(test_cli_with_virtual_iopl_0_raises_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame original = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xfa), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(frames_equal(&frame, &original));
}
END_TEST

/* I/O ports */

START_TEST(test_in_al_from_immediate_port_returns_all_ones_in_al_only)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected = completed(frame, 2);

    expected.rax = UINT64_C(0x1234567890abcdff);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xe4, 0x80), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_in_ax_from_immediate_port_returns_all_ones_in_ax_only)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x66, 0xe5, 0x71), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x1234567890abffff));
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 3);
}
END_TEST

START_TEST(test_in_eax_from_immediate_port_zero_extends_into_rax)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xe5, 0x71), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x00000000ffffffff));
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

START_TEST(test_in_al_from_dx_returns_all_ones_in_al_only)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected = completed(frame, 1);

    expected.rax = UINT64_C(0x1234567890abcdff);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xec), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_in_ax_from_dx_returns_all_ones_in_ax_only)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x66, 0xed), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x1234567890abffff));
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 2);
}
END_TEST

START_TEST(test_in_eax_from_dx_zero_extends_into_rax)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xed), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x00000000ffffffff));
}
END_TEST

START_TEST(test_in_with_rex_w_stays_32_bit)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x48, 0xed), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x00000000ffffffff));
    frame = frame_at_code();
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x66, 0x48, 0xed), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x00000000ffffffff));
}
END_TEST

START_TEST(test_out_to_immediate_port_is_dropped)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected = completed(frame, 2);

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xe6, 0x80), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
    frame = frame_at_code();
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xe7, 0x80), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
    frame = frame_at_code();
    expected = completed(frame, 3);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x66, 0xe7, 0x80), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_out_to_dx_port_is_dropped)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected = completed(frame, 1);

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xee), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
    frame = frame_at_code();
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xef), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_in_missing_its_port_byte_is_a_fetch_fault)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;
    struct privileged_operations operations = operations_of(&vcpu);

    place_code(&vcpu, BYTES(0xe4, 0x80));
    vcpu.readable = 1;
    ck_assert_int_eq(privileged_instruction_emulate(&frame, &operations), EMULATION_FETCH_FAULT);
    ck_assert_uint_eq(vcpu.failed_fetch_address, CODE_ADDRESS + 1);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

/* Prefixes, length, fetching */

START_TEST(test_segment_override_prefixes_are_accepted)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x0f, 0x09), EMULATION_DONE);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 8);
}
END_TEST

START_TEST(test_repeat_prefixes_are_accepted)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rcx = MSR_PAT;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0xf3, 0xf2, RDMSR), EMULATION_DONE);
    ck_assert_uint_eq(edx_eax(&frame), XEN_MSR_PAT);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 4);
}
END_TEST

START_TEST(test_rex_followed_by_a_legacy_prefix_is_ignored)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x48, 0x66, 0xed), EMULATION_DONE);
    ck_assert_uint_eq(frame.rax, UINT64_C(0x1234567890abffff));
    frame = frame_at_code();
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x41, 0x3e, 0x0f, 0x20, MODRM(4, RDI)), EMULATION_DONE);
    ck_assert_uint_eq(frame.rdi, CR4_GUEST_VIEW);
    ck_assert_uint_eq(frame.r15, 0x0f0f0f0f0f0f0f0f);
}
END_TEST

START_TEST(test_address_size_prefix_is_not_emulated)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x67, 0xec), EMULATION_NOT_HANDLED);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_unknown_opcode_is_not_emulated)
{
    static const uint8_t unknown[][3] = {
        { 0xf4, 0x90, 0x90 },  /* hlt */
        { 0x6c, 0x90, 0x90 },  /* insb */
        { 0x0f, 0x01, 0xf8 },  /* swapgs */
        { 0x0f, 0x01, 0xf9 },  /* rdtscp */
        { 0x0f, 0x0b, 0x90 },  /* ud2 */
        { 0x0f, 0x08, 0x90 },  /* invd */
        { 0x0f, 0x24, 0xc0 },  /* mov from test register (removed) */
        { 0xcd, 0x80, 0x90 },  /* int $0x80 */
    };

    for (unsigned int index = 0; index < sizeof(unknown) / sizeof(unknown[0]); index++) {
        struct fake_vcpu vcpu = new_vcpu();
        struct trap_frame frame = frame_at_code();
        struct trap_frame before = frame;

        ck_assert_int_eq(emulate_bytes(&vcpu, &frame, unknown[index], sizeof(unknown[index])),
                         EMULATION_NOT_HANDLED);
        ck_assert(frames_equal(&frame, &before));
    }
}
END_TEST

START_TEST(test_instruction_of_15_bytes_is_emulated)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
                             0x3e, 0x3e, 0x0f, 0x09),
                     EMULATION_DONE);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + MAXIMUM_INSTRUCTION_LENGTH);
}
END_TEST

START_TEST(test_instruction_longer_than_15_bytes_is_not_emulated)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
                             0x3e, 0x3e, 0x3e, 0x0f, 0x09),
                     EMULATION_NOT_HANDLED);
    ck_assert(frames_equal(&frame, &before));
    ck_assert_uint_lt(vcpu.highest_fetched_address, CODE_ADDRESS + MAXIMUM_INSTRUCTION_LENGTH);
}
END_TEST

START_TEST(test_fetch_fault_is_reported)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;
    struct privileged_operations operations = operations_of(&vcpu);

    vcpu.readable = 0;
    ck_assert_int_eq(privileged_instruction_emulate(&frame, &operations), EMULATION_FETCH_FAULT);
    ck_assert(vcpu.fetch_failed);
    ck_assert_uint_eq(vcpu.failed_fetch_address, CODE_ADDRESS);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_truncated_instruction_reports_the_first_unreadable_byte)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;
    struct privileged_operations operations = operations_of(&vcpu);

    place_code(&vcpu, BYTES(0x0f, 0x20, MODRM(0, RAX)));
    vcpu.readable = 2;
    ck_assert_int_eq(privileged_instruction_emulate(&frame, &operations), EMULATION_FETCH_FAULT);
    ck_assert_uint_eq(vcpu.failed_fetch_address, CODE_ADDRESS + 2);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

#define NON_CANONICAL_RIP UINT64_C(0x0000800000000000)
#define HYPERVISOR_SLOT_RIP UINT64_C(0xffff808000200000)

START_TEST(test_fetch_at_a_non_canonical_rip_is_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before;
    struct privileged_operations operations = operations_of(&vcpu);

    frame.rip = NON_CANONICAL_RIP;
    before = frame;
    ck_assert_int_eq(privileged_instruction_emulate(&frame, &operations), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(!vcpu.fetch_failed);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_fetch_in_the_hypervisor_slots_is_general_protection)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct privileged_operations operations = operations_of(&vcpu);

    frame.rip = HYPERVISOR_SLOT_RIP;
    ck_assert_int_eq(privileged_instruction_emulate(&frame, &operations), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert(!vcpu.fetch_failed);
}
END_TEST

START_TEST(test_forced_cpuid_at_a_non_canonical_rip_is_a_fetch_fault)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct privileged_operations operations = operations_of(&vcpu);

    frame.rip = NON_CANONICAL_RIP;
    ck_assert_int_eq(forced_cpuid_emulate(&frame, &operations), EMULATION_FETCH_FAULT);
    ck_assert_uint_eq(vcpu.failed_fetch_address, NON_CANONICAL_RIP);
}
END_TEST

START_TEST(test_registers_are_unchanged_when_not_emulated)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x48, 0x0f, 0x05), EMULATION_NOT_HANDLED);
    ck_assert(frames_equal(&frame, &before));
    ck_assert_uint_eq(vcpu.control_register_writes + vcpu.task_switched_calls + vcpu.segment_base_writes +
                          vcpu.debug_register_writes,
                      0);
}
END_TEST

START_TEST(test_emulation_clears_the_resume_flag_and_keeps_the_others)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    frame.rflags |= RFLAGS_TRAP;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x09), EMULATION_DONE);
    ck_assert_uint_eq(frame.rflags, RFLAGS_INTERRUPT | RFLAGS_TRAP | 2);
}
END_TEST

/* Forced-emulation CPUID */

START_TEST(test_forced_cpuid_prefix_advances_rip_by_seven)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(FORCED_CPUID(&vcpu, &frame, FORCED_EMULATION_PREFIX, CPUID), EMULATION_DONE);
    ck_assert_uint_eq(frame.rip, CODE_ADDRESS + 7);
    ck_assert_uint_eq(frame.rflags & RFLAGS_RESUME, 0);
}
END_TEST

START_TEST(test_forced_cpuid_returns_the_guest_view_of_eax_and_ecx)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected;

    frame.rax = UINT64_C(0xffffffff40000000);
    frame.rcx = UINT64_C(0xffffffff00000003);
    expected = completed(frame, 7);
    expected.rax = 0x40000100;
    expected.rbx = 0x203;
    expected.rcx = 0xfedcba98;
    expected.rdx = 0x87654321;
    ck_assert_int_eq(FORCED_CPUID(&vcpu, &frame, FORCED_EMULATION_PREFIX, CPUID), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.cpuid_leaf, 0x40000000);
    ck_assert_uint_eq(vcpu.cpuid_subleaf, 3);
    ck_assert(frames_equal(&frame, &expected));
}
END_TEST

START_TEST(test_plain_ud2_is_not_forced_emulation)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(FORCED_CPUID(&vcpu, &frame, 0x0f, 0x0b, 0x90, 0x90, 0x90, 0x90, 0x90),
                     EMULATION_NOT_HANDLED);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_forced_emulation_prefix_before_another_instruction_is_not_emulated)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;

    ck_assert_int_eq(FORCED_CPUID(&vcpu, &frame, FORCED_EMULATION_PREFIX, 0x0f, 0x31), EMULATION_NOT_HANDLED);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_forced_cpuid_cut_short_after_the_prefix_is_a_fetch_fault)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before = frame;
    struct privileged_operations operations = operations_of(&vcpu);

    place_code(&vcpu, BYTES(FORCED_EMULATION_PREFIX, CPUID));
    vcpu.readable = 6;
    ck_assert_int_eq(forced_cpuid_emulate(&frame, &operations), EMULATION_FETCH_FAULT);
    ck_assert_uint_eq(vcpu.failed_fetch_address, CODE_ADDRESS + 6);
    ck_assert(frames_equal(&frame, &before));
}
END_TEST

START_TEST(test_forced_cpuid_fetch_fault_at_rip_is_reported)
{
    struct fake_vcpu vcpu = new_vcpu();
    struct trap_frame frame = frame_at_code();
    struct privileged_operations operations = operations_of(&vcpu);

    vcpu.readable = 0;
    ck_assert_int_eq(forced_cpuid_emulate(&frame, &operations), EMULATION_FETCH_FAULT);
    ck_assert_uint_eq(vcpu.failed_fetch_address, CODE_ADDRESS);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

/* xsetbv */

#define XSETBV 0x0f, 0x01, 0xd1
#define XCR0_X87 UINT64_C(1)
#define XCR0_SSE UINT64_C(2)
#define XCR0_YMM UINT64_C(4)
#define XCR0_BNDREGS UINT64_C(8)
#define XCR0_OPMASK UINT64_C(0x20)
#define XCR0_ZMM UINT64_C(0x40)
#define XCR0_HI_ZMM UINT64_C(0x80)
#define XCR0_PKRU UINT64_C(0x200)
#define XCR0_OFFERED (XCR0_X87 | XCR0_SSE | XCR0_YMM)

/* A vCPU whose CPUID offers x87, SSE and YMM and whose CR4 has OSXSAVE. */
static struct fake_vcpu vcpu_with_osxsave(void)
{
    struct fake_vcpu vcpu = new_vcpu();

    vcpu.guest_leaf_1_ecx = CPUID_1_ECX_XSAVE;
    vcpu.guest_xstate_offered = XCR0_OFFERED;
    vcpu.control_registers[4] = CR4_GUEST_VIEW | CR4_OSXSAVE;
    return vcpu;
}

static enum emulation_result xsetbv(struct fake_vcpu *vcpu, struct trap_frame *frame, uint64_t value)
{
    frame->rcx = 0;
    frame->rax = value & 0xffffffff;
    frame->rdx = value >> 32;
    return EMULATE(vcpu, frame, XSETBV);
}

static void assert_xsetbv_accepted(uint64_t value)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();
    struct trap_frame expected;

    frame.rcx = 0;
    frame.rax = value & 0xffffffff;
    frame.rdx = value >> 32;
    expected = completed(frame, 3);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, XSETBV), EMULATION_DONE);
    ck_assert(frames_equal(&frame, &expected));
    ck_assert_uint_eq(vcpu.xcr0_writes, 1);
    ck_assert_uint_eq(vcpu.xcr0, value);
}

static void assert_xsetbv_refused(uint64_t value, enum emulation_result verdict)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();
    struct trap_frame before;

    frame.rcx = 0;
    frame.rax = value & 0xffffffff;
    frame.rdx = value >> 32;
    before = frame;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, XSETBV), verdict);
    ck_assert(frames_equal(&frame, &before));
    ck_assert_uint_eq(vcpu.xcr0_writes, 0);
}

START_TEST(test_xsetbv_of_x87_sse_and_ymm_is_loaded)
{
    assert_xsetbv_accepted(XCR0_X87 | XCR0_SSE | XCR0_YMM);
}
END_TEST

START_TEST(test_xsetbv_of_x87_and_sse_is_loaded)
{
    assert_xsetbv_accepted(XCR0_X87 | XCR0_SSE);
}
END_TEST

START_TEST(test_xsetbv_of_x87_alone_is_loaded)
{
    assert_xsetbv_accepted(XCR0_X87);
}
END_TEST

START_TEST(test_xsetbv_without_x87_raises_general_protection)
{
    assert_xsetbv_refused(0, EMULATION_RAISE_GENERAL_PROTECTION);
    assert_xsetbv_refused(XCR0_SSE, EMULATION_RAISE_GENERAL_PROTECTION);
    assert_xsetbv_refused(XCR0_SSE | XCR0_YMM, EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_xsetbv_of_ymm_without_sse_raises_general_protection)
{
    assert_xsetbv_refused(XCR0_X87 | XCR0_YMM, EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_xsetbv_of_a_component_cpuid_does_not_offer_raises_general_protection)
{
    assert_xsetbv_refused(XCR0_OFFERED | XCR0_BNDREGS, EMULATION_RAISE_GENERAL_PROTECTION);
    assert_xsetbv_refused(XCR0_OFFERED | XCR0_OPMASK | XCR0_ZMM | XCR0_HI_ZMM, EMULATION_RAISE_GENERAL_PROTECTION);
    assert_xsetbv_refused(XCR0_OFFERED | XCR0_PKRU, EMULATION_RAISE_GENERAL_PROTECTION);
    assert_xsetbv_refused(XCR0_OFFERED | (UINT64_C(1) << 62), EMULATION_RAISE_GENERAL_PROTECTION);
    assert_xsetbv_refused(XCR0_OFFERED | (UINT64_C(1) << 32), EMULATION_RAISE_GENERAL_PROTECTION);
}
END_TEST

START_TEST(test_xsetbv_of_ymm_raises_general_protection_when_cpuid_offers_only_x87_and_sse)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();

    vcpu.guest_xstate_offered = XCR0_X87 | XCR0_SSE;
    ck_assert_int_eq(xsetbv(&vcpu, &frame, XCR0_OFFERED), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert_uint_eq(vcpu.cpuid_leaf, CPUID_XSTATE_LEAF);
    ck_assert_uint_eq(vcpu.xcr0_writes, 0);
}
END_TEST

START_TEST(test_xsetbv_of_a_register_other_than_xcr0_raises_general_protection)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();

    frame.rcx = 1;
    frame.rax = XCR0_X87 | XCR0_SSE;
    frame.rdx = 0;
    ck_assert_int_eq(EMULATE(&vcpu, &frame, XSETBV), EMULATION_RAISE_GENERAL_PROTECTION);
    ck_assert_uint_eq(vcpu.xcr0_writes, 0);
}
END_TEST

START_TEST(test_xsetbv_reads_only_ecx_edx_and_eax)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();

    frame.rcx = UINT64_C(0xffffffff00000000);
    frame.rax = UINT64_C(0xffffffff00000000) | XCR0_OFFERED;
    frame.rdx = UINT64_C(0xffffffff00000000);
    ck_assert_int_eq(EMULATE(&vcpu, &frame, XSETBV), EMULATION_DONE);
    ck_assert_uint_eq(vcpu.xcr0, XCR0_OFFERED);
}
END_TEST

START_TEST(test_xsetbv_while_the_guest_cr4_has_no_osxsave_raises_invalid_opcode)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();

    vcpu.control_registers[4] = CR4_GUEST_VIEW;
    ck_assert_int_eq(xsetbv(&vcpu, &frame, XCR0_OFFERED), EMULATION_RAISE_INVALID_OPCODE);
    ck_assert_uint_eq(vcpu.xcr0_writes, 0);
}
END_TEST

START_TEST(test_xsetbv_with_an_operand_size_or_repeat_prefix_raises_invalid_opcode)
{
    const uint8_t prefixes[] = { 0x66, 0xf2, 0xf3 };

    for (unsigned int index = 0; index < sizeof(prefixes); index++) {
        struct fake_vcpu vcpu = vcpu_with_osxsave();
        struct trap_frame frame = frame_at_code();

        frame.rcx = 0;
        frame.rax = XCR0_OFFERED;
        frame.rdx = 0;
        ck_assert_int_eq(EMULATE(&vcpu, &frame, prefixes[index], XSETBV), EMULATION_RAISE_INVALID_OPCODE);
        ck_assert_uint_eq(vcpu.xcr0_writes, 0);
    }
}
END_TEST

START_TEST(test_other_0f_01_instructions_are_not_emulated)
{
    const uint8_t modrm[] = { 0xd0, 0xf9, 0xc1, 0x11, 0xd9 };

    for (unsigned int index = 0; index < sizeof(modrm); index++) {
        struct fake_vcpu vcpu = vcpu_with_osxsave();
        struct trap_frame frame = frame_at_code();

        ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x01, modrm[index]), EMULATION_NOT_HANDLED);
        ck_assert_uint_eq(vcpu.xcr0_writes, 0);
    }
}
END_TEST

START_TEST(test_xsetbv_cut_short_is_a_fetch_fault)
{
    struct fake_vcpu vcpu = vcpu_with_osxsave();
    struct trap_frame frame = frame_at_code();

    ck_assert_int_eq(EMULATE(&vcpu, &frame, 0x0f, 0x01), EMULATION_FETCH_FAULT);
    ck_assert_uint_eq(vcpu.failed_fetch_address, CODE_ADDRESS + 2);
}
END_TEST

Suite *privileged_instruction_suite(void)
{
    Suite *suite = suite_create("privileged_instruction");

    add_test_case(suite, test_rdmsr_of_fs_base_returns_the_hardware_value);
    add_test_case(suite, test_xsetbv_of_x87_sse_and_ymm_is_loaded);
    add_test_case(suite, test_xsetbv_of_x87_and_sse_is_loaded);
    add_test_case(suite, test_xsetbv_of_x87_alone_is_loaded);
    add_test_case(suite, test_xsetbv_without_x87_raises_general_protection);
    add_test_case(suite, test_xsetbv_of_ymm_without_sse_raises_general_protection);
    add_test_case(suite, test_xsetbv_of_a_component_cpuid_does_not_offer_raises_general_protection);
    add_test_case(suite, test_xsetbv_of_ymm_raises_general_protection_when_cpuid_offers_only_x87_and_sse);
    add_test_case(suite, test_xsetbv_of_a_register_other_than_xcr0_raises_general_protection);
    add_test_case(suite, test_xsetbv_reads_only_ecx_edx_and_eax);
    add_test_case(suite, test_xsetbv_while_the_guest_cr4_has_no_osxsave_raises_invalid_opcode);
    add_test_case(suite, test_xsetbv_with_an_operand_size_or_repeat_prefix_raises_invalid_opcode);
    add_test_case(suite, test_other_0f_01_instructions_are_not_emulated);
    add_test_case(suite, test_xsetbv_cut_short_is_a_fetch_fault);
    add_test_case(suite, test_rdmsr_of_gs_base_returns_the_guest_kernel_gs_base);
    add_test_case(suite, test_rdmsr_of_shadow_gs_base_returns_the_guest_user_gs_base);
    add_test_case(suite, test_rdmsr_takes_the_msr_number_from_ecx_only);
    add_test_case(suite, test_rdmsr_of_segment_base_refused_by_the_vcpu_raises_general_protection);
    add_test_case(suite, test_rdmsr_of_efer_shows_only_the_bits_a_pv_guest_may_see);
    add_test_case(suite, test_rdmsr_of_pat_returns_xen_pat);
    add_test_case(suite, test_rdmsr_of_apic_base_on_vcpu_0_marks_the_boot_processor);
    add_test_case(suite, test_rdmsr_of_apic_base_on_another_vcpu_has_no_boot_processor_bit);
    add_test_case(suite, test_rdmsr_of_misc_enable_hides_performance_monitoring_and_monitor);
    add_test_case(suite, test_rdmsr_of_misc_enable_without_the_msr_raises_general_protection);
    add_test_case(suite, test_rdmsr_of_time_stamp_counter_returns_the_guest_counter);
    add_test_case(suite, test_rdmsr_of_perf_capabilities_reads_zero);
    add_test_case(suite, test_rdmsr_of_machine_check_capabilities_and_status_reads_zero);
    add_test_case(suite, test_wrmsr_of_machine_check_status_accepts_only_zero);
    add_test_case(suite, test_rdmsr_of_hypercall_page_msr_reads_zero);
    add_test_case(suite, test_rdmsr_of_unknown_msr_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_fs_base_writes_edx_eax);
    add_test_case(suite, test_wrmsr_of_gs_base_writes_the_guest_kernel_gs_base);
    add_test_case(suite, test_wrmsr_of_shadow_gs_base_writes_the_guest_user_gs_base);
    add_test_case(suite, test_wrmsr_of_non_canonical_segment_base_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_segment_base_refused_by_the_vcpu_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_efer_with_the_value_read_is_accepted);
    add_test_case(suite, test_wrmsr_of_efer_changing_a_bit_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_pat_raises_general_protection_even_with_the_same_value);
    add_test_case(suite, test_wrmsr_of_misc_enable_with_the_value_read_is_accepted);
    add_test_case(suite, test_wrmsr_of_misc_enable_with_another_value_is_ignored);
    add_test_case(suite, test_wrmsr_of_misc_enable_without_the_msr_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_msrs_that_only_read_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_hypercall_page_msr_raises_general_protection);
    add_test_case(suite, test_wrmsr_of_unknown_msr_raises_general_protection);
    add_test_case(suite, test_rdtsc_returns_the_guest_counter_in_edx_eax);
    add_test_case(suite, test_mov_from_cr0_returns_the_guest_view);
    add_test_case(suite, test_mov_from_cr2_returns_the_guest_cr2);
    add_test_case(suite, test_mov_from_cr3_returns_the_current_base);
    add_test_case(suite, test_mov_from_cr4_returns_the_guest_view);
    add_test_case(suite, test_mov_from_cr_with_rex_b_writes_r8_to_r15);
    add_test_case(suite, test_mov_from_cr_into_rsp_writes_the_saved_stack_pointer);
    add_test_case(suite, test_mov_cr_ignores_the_modrm_mod_field);
    add_test_case(suite, test_mov_from_cr8_raises_general_protection);
    add_test_case(suite, test_mov_to_cr0_setting_ts_sets_task_switched);
    add_test_case(suite, test_mov_to_cr0_clearing_ts_clears_task_switched);
    add_test_case(suite, test_mov_to_cr0_changing_another_bit_raises_general_protection);
    add_test_case(suite, test_mov_to_cr2_stores_the_value);
    add_test_case(suite, test_mov_to_cr3_is_reported_as_unsupported);
    add_test_case(suite, test_mov_to_cr4_keeps_tsd_when_the_guest_has_tsc);
    add_test_case(suite, test_mov_to_cr4_drops_guest_bits_its_cpuid_does_not_offer);
    add_test_case(suite, test_mov_to_cr4_keeps_de_fsgsbase_and_osxsave_when_cpuid_offers_them);
    add_test_case(suite, test_mov_to_cr4_cannot_change_the_bits_the_hypervisor_sets);
    add_test_case(suite, test_mov_to_cr_reads_the_register_selected_by_rex_b);
    add_test_case(suite, test_mov_to_cr8_raises_general_protection);
    add_test_case(suite, test_lock_prefixed_mov_cr_is_not_emulated);
    add_test_case(suite, test_mov_from_dr7_returns_the_vcpu_value);
    add_test_case(suite, test_mov_to_dr0_passes_the_value_to_the_vcpu);
    add_test_case(suite, test_mov_from_dr4_asks_the_vcpu_for_register_4);
    add_test_case(suite, test_refused_debug_register_value_raises_general_protection);
    add_test_case(suite, test_failed_debug_register_read_raises_general_protection);
    add_test_case(suite, test_mov_dr_with_rex_r_names_dr8_which_raises_invalid_opcode);
    add_test_case(suite, test_mov_from_dr_with_rex_b_writes_r8_to_r15);
    add_test_case(suite, test_clts_clears_task_switched);
    add_test_case(suite, test_wbinvd_is_skipped_without_effect);
    add_test_case(suite, test_cli_and_sti_with_virtual_iopl_1_are_skipped_without_effect);
    add_test_case(suite, test_cli_with_virtual_iopl_0_raises_general_protection);
    add_test_case(suite, test_in_al_from_immediate_port_returns_all_ones_in_al_only);
    add_test_case(suite, test_in_ax_from_immediate_port_returns_all_ones_in_ax_only);
    add_test_case(suite, test_in_eax_from_immediate_port_zero_extends_into_rax);
    add_test_case(suite, test_in_al_from_dx_returns_all_ones_in_al_only);
    add_test_case(suite, test_in_ax_from_dx_returns_all_ones_in_ax_only);
    add_test_case(suite, test_in_eax_from_dx_zero_extends_into_rax);
    add_test_case(suite, test_in_with_rex_w_stays_32_bit);
    add_test_case(suite, test_out_to_immediate_port_is_dropped);
    add_test_case(suite, test_out_to_dx_port_is_dropped);
    add_test_case(suite, test_in_missing_its_port_byte_is_a_fetch_fault);
    add_test_case(suite, test_segment_override_prefixes_are_accepted);
    add_test_case(suite, test_repeat_prefixes_are_accepted);
    add_test_case(suite, test_rex_followed_by_a_legacy_prefix_is_ignored);
    add_test_case(suite, test_address_size_prefix_is_not_emulated);
    add_test_case(suite, test_unknown_opcode_is_not_emulated);
    add_test_case(suite, test_instruction_of_15_bytes_is_emulated);
    add_test_case(suite, test_instruction_longer_than_15_bytes_is_not_emulated);
    add_test_case(suite, test_fetch_fault_is_reported);
    add_test_case(suite, test_truncated_instruction_reports_the_first_unreadable_byte);
    add_test_case(suite, test_fetch_at_a_non_canonical_rip_is_general_protection);
    add_test_case(suite, test_fetch_in_the_hypervisor_slots_is_general_protection);
    add_test_case(suite, test_registers_are_unchanged_when_not_emulated);
    add_test_case(suite, test_emulation_clears_the_resume_flag_and_keeps_the_others);
    add_test_case(suite, test_forced_cpuid_prefix_advances_rip_by_seven);
    add_test_case(suite, test_forced_cpuid_returns_the_guest_view_of_eax_and_ecx);
    add_test_case(suite, test_plain_ud2_is_not_forced_emulation);
    add_test_case(suite, test_forced_emulation_prefix_before_another_instruction_is_not_emulated);
    add_test_case(suite, test_forced_cpuid_cut_short_after_the_prefix_is_a_fetch_fault);
    add_test_case(suite, test_forced_cpuid_fetch_fault_at_rip_is_reported);
    add_test_case(suite, test_forced_cpuid_at_a_non_canonical_rip_is_a_fetch_fault);
    return suite;
}

REGISTER_SUITE(privileged_instruction_suite)
