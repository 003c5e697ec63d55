/*
 * XSAVE, AVX and the extended state as a PV guest kernel sees them
 * (Xen 4.17: xen/arch/x86/cpuid.c guest_cpuid, xen/arch/x86/xstate.c
 * handle_xsetbv and valid_xcr0, xen/arch/x86/pv/emul-priv-op.c).  Two of
 * these guests run side by side:
 *   - the forced CPUID shows XSAVE, AVX and AVX2, and OSXSAVE as Xen leaks
 *     it to a PV kernel; leaf 0xD offers x87, SSE and YMM, with the area
 *     size of the vCPU's own XCR0;
 *   - a vCPU starts with XCR0 = x87|SSE (xgetbv, which runs natively);
 *   - xsetbv before the guest's CR4.OSXSAVE is #UD; afterwards every value
 *     Xen refuses (no x87, YMM without SSE, a component not offered, an
 *     XCR other than 0) is #GP(0) and changes nothing;
 *   - the odd domain enables YMM at once and fills all sixteen YMM
 *     registers with a pattern of its own; the even one keeps XCR0 =
 *     x87|SSE through many vCPU switches (xgetbv still reads its own
 *     value), then enables YMM: its registers hold the initial state
 *     (zero), never the other domain's; then it fills its own pattern.
 *     Each checks after every switch that its registers are still its own.
 */
#include "pv_memory.h"

const char test_family[] = "xstate";

#define INVALID_OPCODE_VECTOR 6
#define GENERAL_PROTECTION_VECTOR 13
#define FAULT(vector, code) ((long)(vector) << 16 | (code))
#define NO_FAULT (-1L)

#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_AVX (1u << 28)
#define CPUID_7_EBX_AVX2 (1u << 5)
#define CR4_OSXSAVE (1ul << 18)

#define XCR0_X87 1u
#define XCR0_SSE 2u
#define XCR0_YMM 4u
#define XCR0_BNDREGS 8u
#define XCR0_AVX512 0xe0u
#define XCR0_PKRU 0x200u
#define XCR0_FP_SSE (XCR0_X87 | XCR0_SSE)
#define XCR0_AVX (XCR0_FP_SSE | XCR0_YMM)
#define X87_SSE_AREA 576
#define X87_SSE_YMM_AREA 832

#define YMM_REGISTERS 16
#define YMM_BYTES 32
#define ROUNDS 20
#define LATE_ROUNDS 6
#define ROUND_NS 15000000ULL /* longer than a 10 ms slice */

static uint8_t own_ymm[YMM_REGISTERS][YMM_BYTES] __attribute__((aligned(32)));
static uint8_t read_ymm[YMM_REGISTERS][YMM_BYTES] __attribute__((aligned(32)));

static void forced_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t result[4])
{
    __asm__ volatile("ud2; .ascii \"xen\"; cpuid"
                     : "=a"(result[0]), "=b"(result[1]), "=c"(result[2]), "=d"(result[3])
                     : "a"(leaf), "c"(subleaf));
}

static uint32_t cpuid_register(uint32_t leaf, uint32_t subleaf, unsigned int index)
{
    uint32_t result[4];

    forced_cpuid(leaf, subleaf, result);
    return result[index];
}

/* try_xsetbv(xcr, low, high): xsetbv; a fault there is recorded and
 * try_xsetbv returns. */
void try_xsetbv(uint32_t xcr, uint32_t low, uint32_t high);
extern const char xsetbv_instruction[], xsetbv_resume[];
__asm__(".text\n"
        ".globl try_xsetbv, xsetbv_instruction, xsetbv_resume\n"
        "try_xsetbv:\n"
        "    movl %edi, %ecx\n"
        "    movl %esi, %eax\n"
        "xsetbv_instruction:\n"
        "    xsetbv\n"
        "xsetbv_resume:\n"
        "    ret\n");

static volatile long last_fault = NO_FAULT;

static bool recover_xsetbv(struct trap_frame *frame)
{
    if (frame->rip != (uint64_t)xsetbv_instruction)
        return false;
    last_fault = FAULT(frame->vector, frame->error_code);
    frame->rip = (uint64_t)xsetbv_resume;
    return true;
}

/* The fault an xsetbv of value to xcr raised, or NO_FAULT. */
static long xsetbv_fault(uint32_t xcr, uint64_t value)
{
    last_fault = NO_FAULT;
    try_xsetbv(xcr, (uint32_t)value, (uint32_t)(value >> 32));
    return last_fault;
}

static uint64_t xgetbv0(void)
{
    uint32_t low, high;

    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t)high << 32 | low;
}

static void set_cr4_osxsave(void)
{
    uint64_t cr4;

    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
}

void load_ymm(const uint8_t (*values)[YMM_BYTES]);
void store_ymm(uint8_t (*values)[YMM_BYTES]);
__asm__(".text\n"
        ".globl load_ymm, store_ymm\n"
        "load_ymm:\n"
        "    vmovdqu 0(%rdi), %ymm0\n"
        "    vmovdqu 32(%rdi), %ymm1\n"
        "    vmovdqu 64(%rdi), %ymm2\n"
        "    vmovdqu 96(%rdi), %ymm3\n"
        "    vmovdqu 128(%rdi), %ymm4\n"
        "    vmovdqu 160(%rdi), %ymm5\n"
        "    vmovdqu 192(%rdi), %ymm6\n"
        "    vmovdqu 224(%rdi), %ymm7\n"
        "    vmovdqu 256(%rdi), %ymm8\n"
        "    vmovdqu 288(%rdi), %ymm9\n"
        "    vmovdqu 320(%rdi), %ymm10\n"
        "    vmovdqu 352(%rdi), %ymm11\n"
        "    vmovdqu 384(%rdi), %ymm12\n"
        "    vmovdqu 416(%rdi), %ymm13\n"
        "    vmovdqu 448(%rdi), %ymm14\n"
        "    vmovdqu 480(%rdi), %ymm15\n"
        "    ret\n"
        "store_ymm:\n"
        "    vmovdqu %ymm0, 0(%rdi)\n"
        "    vmovdqu %ymm1, 32(%rdi)\n"
        "    vmovdqu %ymm2, 64(%rdi)\n"
        "    vmovdqu %ymm3, 96(%rdi)\n"
        "    vmovdqu %ymm4, 128(%rdi)\n"
        "    vmovdqu %ymm5, 160(%rdi)\n"
        "    vmovdqu %ymm6, 192(%rdi)\n"
        "    vmovdqu %ymm7, 224(%rdi)\n"
        "    vmovdqu %ymm8, 256(%rdi)\n"
        "    vmovdqu %ymm9, 288(%rdi)\n"
        "    vmovdqu %ymm10, 320(%rdi)\n"
        "    vmovdqu %ymm11, 352(%rdi)\n"
        "    vmovdqu %ymm12, 384(%rdi)\n"
        "    vmovdqu %ymm13, 416(%rdi)\n"
        "    vmovdqu %ymm14, 448(%rdi)\n"
        "    vmovdqu %ymm15, 480(%rdi)\n"
        "    ret\n");

static bool ymm_equal(const uint8_t (*values)[YMM_BYTES])
{
    store_ymm(read_ymm);
    for (unsigned int reg = 0; reg < YMM_REGISTERS; reg++)
        for (unsigned int byte = 0; byte < YMM_BYTES; byte++)
            if (read_ymm[reg][byte] != values[reg][byte])
                return false;
    return true;
}

static long nonzero_bytes_read(void)
{
    long count = 0;

    for (unsigned int reg = 0; reg < YMM_REGISTERS; reg++)
        for (unsigned int byte = 0; byte < YMM_BYTES; byte++)
            count += read_ymm[reg][byte] != 0;
    return count;
}

static void check_cpuid(void)
{
    uint32_t ecx = cpuid_register(1, 0, 2);

    expect_true("cpuid_shows_xsave_and_avx", (ecx & (CPUID_1_ECX_XSAVE | CPUID_1_ECX_AVX)) ==
                (CPUID_1_ECX_XSAVE | CPUID_1_ECX_AVX), ecx, "XSAVE and AVX in leaf 1 ECX");
    expect_true("forced_cpuid_shows_osxsave_to_the_kernel", (ecx & CPUID_1_ECX_OSXSAVE) != 0, ecx,
                "OSXSAVE in leaf 1 ECX");
    expect_true("cpuid_shows_avx2", (cpuid_register(7, 0, 1) & CPUID_7_EBX_AVX2) != 0, cpuid_register(7, 0, 1),
                "AVX2 in leaf 7 EBX");
    expect_result("cpuid_0xd_offers_x87_sse_ymm", cpuid_register(0xd, 0, 0), XCR0_AVX);
    expect_result("cpuid_0xd_offers_nothing_above_bit_31", cpuid_register(0xd, 0, 3), 0);
    expect_result("cpuid_0xd_size_for_every_offered_component", cpuid_register(0xd, 0, 2), X87_SSE_YMM_AREA);
    expect_result("cpuid_0xd_size_for_the_initial_xcr0", cpuid_register(0xd, 0, 1), X87_SSE_AREA);
    expect_result("cpuid_0xd_hides_xsaves", cpuid_register(0xd, 1, 0) & (1u << 3), 0);
    expect_result("cpuid_0xd_hides_avx512_components", cpuid_register(0xd, 5, 0), 0);
}

static void check_xsetbv(void)
{
    expect_result("xcr0_starts_as_x87_and_sse", (long)xgetbv0(), XCR0_FP_SSE);
    expect_result("xsetbv_before_cr4_osxsave_is_ud", xsetbv_fault(0, XCR0_AVX), FAULT(INVALID_OPCODE_VECTOR, 0));
    set_cr4_osxsave();
    expect_result("xsetbv_without_x87_is_gp0", xsetbv_fault(0, XCR0_SSE),
                  FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_zero_is_gp0", xsetbv_fault(0, 0), FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_ymm_without_sse_is_gp0", xsetbv_fault(0, XCR0_X87 | XCR0_YMM),
                  FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_mpx_is_gp0", xsetbv_fault(0, XCR0_AVX | XCR0_BNDREGS),
                  FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_avx512_is_gp0", xsetbv_fault(0, XCR0_AVX | XCR0_AVX512),
                  FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_pkru_is_gp0", xsetbv_fault(0, XCR0_AVX | XCR0_PKRU),
                  FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_a_high_bit_is_gp0", xsetbv_fault(0, XCR0_AVX | (1ull << 40)),
                  FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("xsetbv_of_xcr1_is_gp0", xsetbv_fault(1, XCR0_FP_SSE), FAULT(GENERAL_PROTECTION_VECTOR, 0));
    expect_result("refused_xsetbv_leave_xcr0_unchanged", (long)xgetbv0(), XCR0_FP_SSE);
    expect_result("xsetbv_of_x87_alone_is_accepted", xsetbv_fault(0, XCR0_X87), NO_FAULT);
    expect_result("xcr0_reads_x87_alone", (long)xgetbv0(), XCR0_X87);
    expect_result("xsetbv_back_to_x87_and_sse_is_accepted", xsetbv_fault(0, XCR0_FP_SSE), NO_FAULT);
}

static void fill_own_pattern(long id)
{
    for (unsigned int reg = 0; reg < YMM_REGISTERS; reg++)
        for (unsigned int byte = 0; byte < YMM_BYTES; byte++)
            own_ymm[reg][byte] = (uint8_t)(0x80 | (id << 5) | (reg + byte));
    load_ymm(own_ymm);
}

/* Rounds through vCPU switches: how many found the registers changed. */
static unsigned int rounds_with_changed_ymm(unsigned int rounds)
{
    unsigned int changed = 0;

    for (unsigned int round = 0; round < rounds; round++) {
        spin_for(ROUND_NS);
        if (!ymm_equal(own_ymm))
            changed++;
    }
    return changed;
}

static void enable_ymm(void)
{
    expect_result("xsetbv_of_x87_sse_ymm_is_accepted", xsetbv_fault(0, XCR0_AVX), NO_FAULT);
    expect_result("xcr0_reads_x87_sse_ymm", (long)xgetbv0(), XCR0_AVX);
    expect_result("cpuid_0xd_size_follows_xcr0", cpuid_register(0xd, 0, 1), X87_SSE_YMM_AREA);
}

static void check_late_enabler(void)
{
    unsigned int xcr0_changed = 0;
    static const uint8_t initial[YMM_REGISTERS][YMM_BYTES];

    for (unsigned int round = 0; round < LATE_ROUNDS; round++) {
        spin_for(ROUND_NS);
        if (xgetbv0() != XCR0_FP_SSE)
            xcr0_changed++;
    }
    expect_result("xcr0_of_x87_and_sse_stays_the_vcpus_own_across_switches", xcr0_changed, 0);
    enable_ymm();
    expect_true("ymm_enabled_late_holds_the_initial_state_not_another_domains", ymm_equal(initial),
                nonzero_bytes_read(), "0 non-zero bytes");
}

void run_tests(void)
{
    long id = own_domain_id();

    expect_true("setup_learns_its_own_domain_id", id > 0, id, "a domU id");
    if (id <= 0)
        return;
    traps_set_hook(INVALID_OPCODE_VECTOR, recover_xsetbv);
    traps_set_hook(GENERAL_PROTECTION_VECTOR, recover_xsetbv);
    check_cpuid();
    check_xsetbv();
    if (id % 2 == 0)
        check_late_enabler();
    else
        enable_ymm();
    fill_own_pattern(id);
    expect_result("ymm_registers_stay_the_vcpus_own_across_switches", rounds_with_changed_ymm(ROUNDS), 0);
    expect_result("xcr0_stays_the_vcpus_own_across_switches", (long)xgetbv0(), XCR0_AVX);
    traps_set_hook(INVALID_OPCODE_VECTOR, 0);
    traps_set_hook(GENERAL_PROTECTION_VECTOR, 0);
}
