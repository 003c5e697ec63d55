/*
 * The privileged-instruction fuzzer: LLVMFuzzerTestOneInput builds one
 * #GP(0) (or, for the forced-CPUID prefix, one #UD) of a PV guest kernel
 * and hands it to hypervisor/common/privileged_instruction.c with a fake
 * vCPU whose every answer comes from the input.
 *
 * Input bytes: 0 flags (the entry point, where RIP is, CR4.OSXSAVE, a
 * CPUID leaf 0xD offering x87/SSE/AVX), 1-8 RIP, 9 how many
 * instruction bytes can be read, 10 how the bytes are made (raw, the
 * forced-CPUID prefix, or up to four prefixes from the emulator's list and
 * an opening, often xsetbv, chosen by byte 26, the rest raw), 11-25 the
 * bytes, then the general registers, RFLAGS, the
 * guest's CR0 and CR4 (OSXSAVE set or clear by a flag bit), its CPUID
 * leaves 1, 7 and 0xD, and the callbacks' answers (errors for the
 * segment-base, debug-register and MISC_ENABLE callbacks, EFER, TSC, vCPU
 * number, IOPL).  RIP is random, in the guest kernel's half, or a few
 * bytes before a page end with the next page unreadable.  The 15 bytes
 * sit in a heap block of exactly that size, so AddressSanitizer stops any
 * read past them.  The rules checked (pvmon/privileged_instruction.h):
 *   - fetch is asked for one byte at a time, within [RIP, RIP + 15);
 *   - emulated: RIP moved by the instruction's length (1-15) as this
 *     file's own decoder of the emulator's opcode list reads it, which is
 *     also the number of bytes fetched, and RFLAGS.RF is clear; any other
 *     result: the frame is unchanged and no state changed (a void
 *     state-changing callback was not called, an int one called only if
 *     it refused);
 *   - write_xcr0 only for exactly 0f 01 d1 after prefixes none of which
 *     is 66, f2 or f3 (REX and segment overrides are ignored, as in Xen's
 *     x86_emulate, where only 66/f2/f3 set vex.pfx), with ECX 0, the
 *     guest's CR4.OSXSAVE set and EDX:EAX valid for xstate_xcr0_is_valid
 *     against CPUID leaf 0xD; then the result is emulated, and such an
 *     xsetbv, fully readable, must reach write_xcr0;
 *   - write_segment_base only with canonical values, write_control_register
 *     only CR2 and CR4, and CR4 only with the bits the guest may set
 *     (PV_CR4_* of the header against its CPUID);
 *   - forced_cpuid_emulate uses only fetch and cpuid, and when it emulates,
 *     the 7 bytes were 0f 0b 78 65 6e 0f a2 and RIP moved by 7.
 * Any violation aborts naming the entry point.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/privileged_instruction.h>
#include <pvmon/xstate.h>

#include "fuzz_input.h"
#include "fuzz_report.h"

#define MAXIMUM_INSTRUCTION_LENGTH 15
#define KERNEL_HALF_START UINT64_C(0xffff800000000000)
#define CANONICAL_BITS 48
#define RFLAGS_RESUME (UINT64_C(1) << 16)
#define FORCED_CPUID_LENGTH 7
#define XSETBV_MODRM 0xd1
#define FORCED_PREFIX_COUNT 4
#define CR0_TASK_SWITCHED (UINT64_C(1) << 3) /* architectural CR0.TS */
#define ALL_REGISTERS_NEAR_CR0 0x30

static const char *current_entry = "set-up";

#define violation(...) fuzz_report_violation("privileged-instruction", 0, current_entry, __VA_ARGS__)

/* The prefixes the emulator reads (its opening comment), lock excluded. */
static const uint8_t prefixes[] = { 0x66, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf2, 0xf3, 0x40, 0x41, 0x44, 0x48, 0x4c, 0x4f };
/* Openings of the instructions it emulates (and some it does not); wrmsr and mov to CR0 (with RAX) twice. */
static const uint8_t openings[][3] = {
    { 0x0f, 0x01, 0xd1 }, { 0x0f, 0x01, 0xd0 }, { 0x0f, 0x30 }, { 0x0f, 0x32 }, { 0x0f, 0x31 },
    { 0x0f, 0x20 },       { 0x0f, 0x22 },       { 0x0f, 0x21 }, { 0x0f, 0x23 }, { 0x0f, 0x06 },
    { 0x0f, 0x09 },       { 0xe4 },             { 0xe5 },       { 0xe6 },       { 0xe7 },
    { 0xec },             { 0xed },             { 0xee },       { 0xef },       { 0xfa },
    { 0xfb },             { 0xf0, 0x0f, 0x22 }, { 0x0f, 0x0b, 'x' }, { 0x0f, 0x22, 0xc0 }, { 0x0f, 0x22, 0xe0 },
    { 0x0f, 0x30 },       { 0x0f, 0x22, 0xc0 }, { 0x0f, 0x30 },
};
static const uint8_t forced_cpuid[FORCED_CPUID_LENGTH] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };

struct fake_vcpu {
    const uint8_t *code; /* MAXIMUM_INSTRUCTION_LENGTH bytes at RIP */
    uint64_t rip;
    unsigned int readable;
    unsigned int fetched; /* one past the furthest byte fetched */
    bool forced_cpuid;
    uint64_t cr0, cr2, cr3, cr4;
    uint32_t leaf_1[CPUID_REGISTERS], leaf_7[CPUID_REGISTERS], leaf_d[CPUID_REGISTERS];
    int segment_base_answer, debug_register_answer, misc_enable_answer;
    uint64_t efer, misc_enable, timestamp_counter, answer_value;
    unsigned int vcpu_id, iopl;
    unsigned int state_changes;
    bool xcr0_written;
    uint64_t xcr0;
};

static struct fake_vcpu *vcpu_of(void *context)
{
    return context;
}

static void only_privileged(const struct fake_vcpu *vcpu, const char *callback)
{
    if (vcpu->forced_cpuid)
        violation("forced CPUID called %s", callback);
}

static int fetch(void *context, uint64_t guest_address, void *buffer, size_t length)
{
    struct fake_vcpu *vcpu = vcpu_of(context);
    uint64_t offset = guest_address - vcpu->rip;

    if (length != 1)
        violation("fetch of %zu bytes at RIP+%lu", length, (unsigned long)offset);
    if (offset >= MAXIMUM_INSTRUCTION_LENGTH)
        violation("fetch at RIP+%lu, past the 15-byte limit", (unsigned long)offset);
    if (offset >= vcpu->readable)
        return -XEN_EFAULT;
    memcpy(buffer, vcpu->code + offset, 1);
    if (offset + 1 > vcpu->fetched)
        vcpu->fetched = (unsigned int)offset + 1;
    return 0;
}

static uint64_t read_control_register(void *context, unsigned int number)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "read_control_register");
    switch (number) {
    case 0: return vcpu->cr0;
    case 2: return vcpu->cr2;
    case 3: return vcpu->cr3;
    case 4: return vcpu->cr4;
    default: violation("read_control_register(%u)", number);
    }
}

static bool guest_has(const uint32_t *leaf, enum cpuid_register index, uint32_t feature)
{
    return (leaf[index] & feature) != 0;
}

/* The CR4 bits a write may leave set: the guest's choices its CPUID offers, and those kept as read. */
static uint64_t cr4_settable(const struct fake_vcpu *vcpu)
{
    uint64_t bits = vcpu->cr4 & PV_CR4_KEPT_AS_READ;

    if (guest_has(vcpu->leaf_1, CPUID_EDX, CPUID_1_EDX_TSC))
        bits |= PV_CR4_TSD;
    if (guest_has(vcpu->leaf_1, CPUID_EDX, CPUID_1_EDX_DE))
        bits |= PV_CR4_DE;
    if (guest_has(vcpu->leaf_7, CPUID_EBX, CPUID_7_0_EBX_FSGSBASE))
        bits |= PV_CR4_FSGSBASE;
    if (guest_has(vcpu->leaf_1, CPUID_ECX, CPUID_1_ECX_XSAVE))
        bits |= PV_CR4_OSXSAVE;
    return bits;
}

static void write_control_register(void *context, unsigned int number, uint64_t value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "write_control_register");
    if (number != 2 && number != 4)
        violation("write_control_register(%u)", number);
    if (number == 4 && (value & ~cr4_settable(vcpu)) != 0)
        violation("CR4 written with %#lx, beyond the settable %#lx", (unsigned long)value,
                  (unsigned long)cr4_settable(vcpu));
    vcpu->state_changes++;
}

static void set_task_switched(void *context, bool set)
{
    (void)set;
    only_privileged(vcpu_of(context), "set_task_switched");
    vcpu_of(context)->state_changes++;
}

static bool is_segment_base_msr(uint32_t msr)
{
    return msr == 0xc0000100u || msr == 0xc0000101u || msr == 0xc0000102u;
}

static int read_segment_base(void *context, uint32_t msr, uint64_t *value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "read_segment_base");
    if (!is_segment_base_msr(msr))
        violation("read_segment_base(%#x)", msr);
    *value = vcpu->answer_value;
    return vcpu->segment_base_answer;
}

static bool is_canonical(uint64_t value)
{
    return (uint64_t)((int64_t)(value << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS)) == value;
}

static int write_segment_base(void *context, uint32_t msr, uint64_t value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "write_segment_base");
    if (!is_segment_base_msr(msr))
        violation("write_segment_base(%#x)", msr);
    if (!is_canonical(value))
        violation("write_segment_base(%#x) with the non-canonical %#lx", msr, (unsigned long)value);
    if (vcpu->segment_base_answer == 0)
        vcpu->state_changes++;
    return vcpu->segment_base_answer;
}

static uint64_t read_efer(void *context)
{
    only_privileged(vcpu_of(context), "read_efer");
    return vcpu_of(context)->efer;
}

static int read_misc_enable(void *context, uint64_t *value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "read_misc_enable");
    *value = vcpu->misc_enable;
    return vcpu->misc_enable_answer;
}

static uint64_t read_timestamp_counter(void *context)
{
    only_privileged(vcpu_of(context), "read_timestamp_counter");
    return vcpu_of(context)->timestamp_counter;
}

static unsigned int vcpu_id(void *context)
{
    only_privileged(vcpu_of(context), "vcpu_id");
    return vcpu_of(context)->vcpu_id;
}

static int read_debug_register(void *context, unsigned int number, uint64_t *value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "read_debug_register");
    if (number > 15)
        violation("read_debug_register(%u)", number);
    *value = vcpu->answer_value;
    return vcpu->debug_register_answer;
}

static int write_debug_register(void *context, unsigned int number, uint64_t value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    (void)value;
    only_privileged(vcpu, "write_debug_register");
    if (number > 15)
        violation("write_debug_register(%u)", number);
    if (vcpu->debug_register_answer == 0)
        vcpu->state_changes++;
    return vcpu->debug_register_answer;
}

static unsigned int io_privilege_level(void *context)
{
    only_privileged(vcpu_of(context), "io_privilege_level");
    return vcpu_of(context)->iopl;
}

static void write_xcr0(void *context, uint64_t value)
{
    struct fake_vcpu *vcpu = vcpu_of(context);

    only_privileged(vcpu, "write_xcr0");
    if (vcpu->xcr0_written)
        violation("write_xcr0 called twice");
    vcpu->xcr0_written = true;
    vcpu->xcr0 = value;
    vcpu->state_changes++;
}

static void cpuid(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS])
{
    struct fake_vcpu *vcpu = vcpu_of(context);
    const uint32_t *answer = leaf == CPUID_PROCESSOR_INFORMATION_LEAF ? vcpu->leaf_1
                             : leaf == CPUID_STRUCTURED_FEATURES_LEAF ? vcpu->leaf_7
                             : leaf == CPUID_XSTATE_LEAF              ? vcpu->leaf_d
                                                                      : vcpu->leaf_1;

    (void)subleaf;
    memcpy(result, answer, sizeof(uint32_t) * CPUID_REGISTERS);
}

/* Every general register differs from CR0 at most in TS: a mov to CR0 that must succeed. */
static void registers_near_cr0(struct trap_frame *frame, uint64_t cr0)
{
    uint64_t *general[] = { &frame->rax, &frame->rcx, &frame->rdx, &frame->rbx, &frame->rsp, &frame->rbp,
                            &frame->rsi, &frame->rdi, &frame->r8,  &frame->r9,  &frame->r10, &frame->r11,
                            &frame->r12, &frame->r13, &frame->r14, &frame->r15 };

    for (size_t index = 0; index < sizeof(general) / sizeof(general[0]); index++)
        *general[index] = cr0 ^ (*general[index] & CR0_TASK_SWITCHED);
}

/* The instruction as this file reads the emulator's opcode list: its length (0: not one it emulates). */
struct reference_decoding {
    unsigned int length;
    bool xsetbv;
    bool simd_prefix; /* 66, f2 or f3 */
};

static bool is_prefix(uint8_t byte)
{
    return byte == 0x66 || byte == 0x26 || byte == 0x2e || byte == 0x36 || byte == 0x3e || byte == 0x64 ||
           byte == 0x65 || byte == 0xf2 || byte == 0xf3 || (byte >= 0x40 && byte <= 0x4f);
}

static unsigned int two_byte_length(const uint8_t *code, unsigned int at, bool *xsetbv)
{
    if (at + 1 >= MAXIMUM_INSTRUCTION_LENGTH)
        return 0;
    switch (code[at + 1]) {
    case 0x06: case 0x09: case 0x30: case 0x31: case 0x32: return at + 2;
    case 0x20: case 0x21: case 0x22: case 0x23: return at + 3;
    case 0x01:
        *xsetbv = at + 2 < MAXIMUM_INSTRUCTION_LENGTH && code[at + 2] == XSETBV_MODRM;
        return *xsetbv ? at + 3 : 0;
    default: return 0;
    }
}

static struct reference_decoding reference_decode(const uint8_t *code)
{
    struct reference_decoding decoding = { 0, false, false };
    unsigned int at = 0;

    while (at < MAXIMUM_INSTRUCTION_LENGTH && is_prefix(code[at])) {
        if (code[at] == 0x66 || code[at] == 0xf2 || code[at] == 0xf3)
            decoding.simd_prefix = true;
        at++;
    }
    if (at == MAXIMUM_INSTRUCTION_LENGTH)
        return decoding;
    switch (code[at]) {
    case 0x0f: decoding.length = two_byte_length(code, at, &decoding.xsetbv); break;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7: decoding.length = at + 2; break;
    case 0xec: case 0xed: case 0xee: case 0xef: case 0xfa: case 0xfb: decoding.length = at + 1; break;
    default: break;
    }
    if (decoding.length > MAXIMUM_INSTRUCTION_LENGTH)
        decoding.length = 0;
    if (decoding.length == 0)
        decoding.xsetbv = false;
    return decoding;
}

static uint64_t edx_eax(const struct trap_frame *frame)
{
    return (frame->rdx & UINT32_MAX) << 32 | (frame->rax & UINT32_MAX);
}

static uint64_t offered_xstate(const struct fake_vcpu *vcpu)
{
    return (uint64_t)vcpu->leaf_d[CPUID_EDX] << 32 | vcpu->leaf_d[CPUID_EAX];
}

/* Whether xsetbv, read whole, must write XCR0. */
static bool xsetbv_is_allowed(const struct fake_vcpu *vcpu, const struct reference_decoding *decoding,
                              const struct trap_frame *frame)
{
    return decoding->xsetbv && !decoding->simd_prefix && (vcpu->cr4 & PV_CR4_OSXSAVE) &&
           (uint32_t)frame->rcx == XSTATE_XCR0_INDEX && xstate_xcr0_is_valid(edx_eax(frame), offered_xstate(vcpu));
}

static void check_xcr0_write(const struct fake_vcpu *vcpu, const struct reference_decoding *decoding,
                             const struct trap_frame *before, enum emulation_result result)
{
    bool whole = decoding->length != 0 && decoding->length <= vcpu->readable &&
                 guest_range_is_valid(vcpu->rip, decoding->length);
    bool allowed = xsetbv_is_allowed(vcpu, decoding, before);

    if (vcpu->xcr0_written) {
        if (!allowed)
            violation("write_xcr0(%#lx) for %s (simd prefix %d, ECX %#x, CR4 %#lx, offered %#lx)",
                      (unsigned long)vcpu->xcr0, decoding->xsetbv ? "xsetbv" : "not xsetbv", decoding->simd_prefix,
                      (uint32_t)before->rcx, (unsigned long)vcpu->cr4, (unsigned long)offered_xstate(vcpu));
        if (vcpu->xcr0 != edx_eax(before))
            violation("write_xcr0(%#lx), EDX:EAX %#lx", (unsigned long)vcpu->xcr0, (unsigned long)edx_eax(before));
        if (result != EMULATION_DONE)
            violation("write_xcr0 called, result %d", result);
    } else if (allowed && whole) {
        violation("a valid xsetbv of %#lx gave %d without writing XCR0", (unsigned long)edx_eax(before), result);
    }
}

static void check_outcome(const struct fake_vcpu *vcpu, const struct trap_frame *before,
                          const struct trap_frame *after, enum emulation_result result, unsigned int expected_length)
{
    if (result != EMULATION_DONE) {
        if (memcmp(before, after, sizeof(*before)) != 0)
            violation("result %d changed the trap frame", result);
        if (vcpu->state_changes != 0)
            violation("result %d after %u state changes", result, vcpu->state_changes);
        return;
    }
    if (expected_length == 0)
        violation("emulated an instruction this harness does not decode (first byte %#x)", vcpu->code[0]);
    if (after->rip - before->rip != expected_length)
        violation("RIP moved by %lu, the instruction is %u bytes", (unsigned long)(after->rip - before->rip),
                  expected_length);
    if (vcpu->fetched != expected_length)
        violation("%u bytes fetched for a %u-byte instruction", vcpu->fetched, expected_length);
    if (after->rflags & RFLAGS_RESUME)
        violation("RFLAGS.RF still set after emulation");
}

static uint64_t choose_rip(struct fuzz_input *input, uint8_t placement, unsigned int *readable)
{
    uint64_t rip = fuzz_input_bytes(input, 8);
    unsigned int page_room = 1 + (placement >> 3) % MAXIMUM_INSTRUCTION_LENGTH;

    switch ((placement >> 1) % 4) {
    case 0: return rip;
    case 1: return KERNEL_HALF_START | rip;
    default:
        rip = (KERNEL_HALF_START | rip) & ~(PAGE_SIZE - 1);
        rip += PAGE_SIZE - page_room;
        if (*readable > page_room)
            *readable = page_room;
        return rip;
    }
}

static void make_code(struct fuzz_input *input, uint8_t *code)
{
    uint8_t mode = fuzz_input_byte(input);
    unsigned int at = 0;

    for (unsigned int index = 0; index < MAXIMUM_INSTRUCTION_LENGTH; index++)
        code[index] = fuzz_input_byte(input);
    if (mode % 4 == 0)
        return;
    if (mode % 4 == 3) {
        memcpy(code, forced_cpuid, sizeof(forced_cpuid));
        return;
    }
    unsigned int prefix_limit = mode % 4 == 2 ? MAXIMUM_INSTRUCTION_LENGTH : FORCED_PREFIX_COUNT;

    for (unsigned int count = (mode >> 2) % (prefix_limit + 1); count > 0; count--, at++)
        code[at] = prefixes[code[at] % sizeof(prefixes)];
    uint8_t choice = fuzz_input_byte(input);
    const uint8_t *opening = openings[(choice & 0x80) ? 0 : choice % (sizeof(openings) / sizeof(openings[0]))];
    for (unsigned int index = 0; index < 3 && at + index < MAXIMUM_INSTRUCTION_LENGTH && (index == 0 || opening[index] != 0); index++)
        code[at + index] = opening[index];
}

static void fill_frame(struct fuzz_input *input, struct trap_frame *frame, uint8_t selector)
{
    static const uint32_t msrs[] = { 0x10, 0x1b, 0x179, 0x17a, 0x1a0, 0x277, 0x345, 0xc0000080u,
                                     0xc0000100u, 0xc0000101u, 0xc0000102u, 0x40000000u, 0 };
    uint64_t *words = (uint64_t *)frame;

    for (size_t index = 0; index < sizeof(*frame) / sizeof(uint64_t); index++)
        words[index] = fuzz_input_bytes(input, 8);
    if (selector & 4)
        frame->rcx &= ~(uint64_t)UINT32_MAX;
    else if (selector & 1)
        frame->rcx = msrs[(frame->rcx & 0xff) % (sizeof(msrs) / sizeof(msrs[0]))];
    if (selector & 2) {
        frame->rax = (frame->rax & XSTATE_YMM) | XSTATE_FP_SSE;
        frame->rdx &= 1;
    }
}

static void fill_vcpu(struct fuzz_input *input, struct fake_vcpu *vcpu, uint8_t flags)
{
    static const int answers[] = { 0, 0, -XEN_ENODEV, -XEN_EINVAL, -XEN_EPERM };

    vcpu->cr0 = fuzz_input_bytes(input, 8);
    vcpu->cr2 = fuzz_input_bytes(input, 8);
    vcpu->cr3 = fuzz_input_bytes(input, 8);
    vcpu->cr4 = fuzz_input_bytes(input, 8);
    vcpu->cr4 = (flags & 0x80) ? vcpu->cr4 | PV_CR4_OSXSAVE : vcpu->cr4 & ~PV_CR4_OSXSAVE;
    for (unsigned int index = 0; index < CPUID_REGISTERS; index++) {
        vcpu->leaf_1[index] = (uint32_t)fuzz_input_bytes(input, 4);
        vcpu->leaf_7[index] = (uint32_t)fuzz_input_bytes(input, 4);
        vcpu->leaf_d[index] = (uint32_t)fuzz_input_bytes(input, 4);
    }
    if (flags & 0x40) {
        vcpu->leaf_d[CPUID_EAX] = XSTATE_SWITCHABLE | (vcpu->leaf_d[CPUID_EAX] & XSTATE_BNDREGS);
        vcpu->leaf_d[CPUID_EDX] = 0;
    }
    vcpu->segment_base_answer = answers[fuzz_input_byte(input) % 5];
    vcpu->debug_register_answer = answers[fuzz_input_byte(input) % 5];
    vcpu->misc_enable_answer = answers[fuzz_input_byte(input) % 5];
    vcpu->efer = fuzz_input_bytes(input, 8);
    vcpu->misc_enable = fuzz_input_bytes(input, 8);
    vcpu->timestamp_counter = fuzz_input_bytes(input, 8);
    vcpu->answer_value = fuzz_input_bytes(input, 8);
    vcpu->vcpu_id = fuzz_input_byte(input) % 4;
    vcpu->iopl = fuzz_input_byte(input) % 4;
}

static void check_forced_cpuid(const struct fake_vcpu *vcpu, const struct trap_frame *before,
                               const struct trap_frame *after, enum emulation_result result)
{
    if (result != EMULATION_DONE) {
        if (memcmp(before, after, sizeof(*before)) != 0)
            violation("result %d changed the trap frame", result);
        return;
    }
    if (memcmp(vcpu->code, forced_cpuid, sizeof(forced_cpuid)) != 0)
        violation("emulated bytes that are not the forced-CPUID prefix");
    if (after->rip - before->rip != FORCED_CPUID_LENGTH || vcpu->fetched != FORCED_CPUID_LENGTH)
        violation("RIP moved by %lu, %u bytes fetched", (unsigned long)(after->rip - before->rip), vcpu->fetched);
    if (after->rflags & RFLAGS_RESUME)
        violation("RFLAGS.RF still set after emulation");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    uint8_t flags = fuzz_input_byte(&input);
    struct fake_vcpu vcpu = { 0 };
    struct privileged_operations operations = {
        &vcpu, fetch, read_control_register, write_control_register, set_task_switched, read_segment_base,
        write_segment_base, read_efer, read_misc_enable, read_timestamp_counter, vcpu_id, read_debug_register,
        write_debug_register, io_privilege_level, write_xcr0, cpuid,
    };
    uint8_t *code = malloc(MAXIMUM_INSTRUCTION_LENGTH);
    struct trap_frame before, after;
    struct reference_decoding decoding;
    enum emulation_result result;
    uint8_t selector;

    if (code == NULL)
        abort();
    vcpu.readable = fuzz_input_byte(&input) % 32;
    if (vcpu.readable > MAXIMUM_INSTRUCTION_LENGTH)
        vcpu.readable = MAXIMUM_INSTRUCTION_LENGTH;
    vcpu.rip = choose_rip(&input, flags, &vcpu.readable);
    make_code(&input, code);
    vcpu.code = code;
    vcpu.forced_cpuid = flags & 1;
    selector = fuzz_input_byte(&input);
    fill_frame(&input, &before, selector);
    before.rip = vcpu.rip;
    fill_vcpu(&input, &vcpu, flags);
    if ((selector & ALL_REGISTERS_NEAR_CR0) == ALL_REGISTERS_NEAR_CR0)
        registers_near_cr0(&before, vcpu.cr0);
    after = before;
    current_entry = vcpu.forced_cpuid ? "forced_cpuid_emulate" : "privileged_instruction_emulate";
    if (vcpu.forced_cpuid) {
        result = forced_cpuid_emulate(&after, &operations);
        check_forced_cpuid(&vcpu, &before, &after, result);
    } else {
        result = privileged_instruction_emulate(&after, &operations);
        decoding = reference_decode(code);
        check_outcome(&vcpu, &before, &after, result, decoding.length);
        check_xcr0_write(&vcpu, &decoding, &before, result);
    }
    free(code);
    return 0;
}
