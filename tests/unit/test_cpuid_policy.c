/*
 * Tests of common/cpuid_policy.c: the CPUID a PV guest sees.  A fake
 * processor answers every native leaf with all bits set (or all clear),
 * except the leaves that give the largest leaf or subleaf, so that what the
 * guest sees is exactly what the policy lets through.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/cpuid_policy.h>
#include <pvmon/xstate.h>

#include "suites.h"

#define BIT(number) (UINT32_C(1) << (number))
#define ALL_BITS UINT32_MAX

/* Leaf 1 EDX */
#define FPU BIT(0)
#define VME BIT(1)
#define DE BIT(2)
#define PSE BIT(3)
#define TSC BIT(4)
#define MSR BIT(5)
#define PAE BIT(6)
#define MCE BIT(7)
#define CX8 BIT(8)
#define APIC BIT(9)
#define SEP BIT(11)
#define MTRR BIT(12)
#define PGE BIT(13)
#define MCA BIT(14)
#define CMOV BIT(15)
#define PAT BIT(16)
#define PSE36 BIT(17)
#define CLFLUSH BIT(19)
#define DS BIT(21)
#define ACPI BIT(22)
#define MMX BIT(23)
#define FXSR BIT(24)
#define SSE BIT(25)
#define SSE2 BIT(26)
#define SS BIT(27)
#define HTT BIT(28)
#define TM1 BIT(29)
#define PBE BIT(31)
/* Leaf 1 ECX */
#define SSE3 BIT(0)
#define PCLMULQDQ BIT(1)
#define DTES64 BIT(2)
#define MONITOR BIT(3)
#define DSCPL BIT(4)
#define VMX BIT(5)
#define SMX BIT(6)
#define EIST BIT(7)
#define TM2 BIT(8)
#define SSSE3 BIT(9)
#define FMA BIT(12)
#define CX16 BIT(13)
#define PDCM BIT(15)
#define PCID BIT(17)
#define DCA BIT(18)
#define SSE4_1 BIT(19)
#define SSE4_2 BIT(20)
#define X2APIC BIT(21)
#define MOVBE BIT(22)
#define POPCNT BIT(23)
#define TSC_DEADLINE BIT(24)
#define AESNI BIT(25)
#define XSAVE BIT(26)
#define OSXSAVE BIT(27)
#define AVX BIT(28)
#define F16C BIT(29)
#define RDRAND BIT(30)
#define HYPERVISOR BIT(31)
/* Leaf 7 subleaf 0 EBX */
#define FSGSBASE BIT(0)
#define BMI1 BIT(3)
#define HLE BIT(4)
#define AVX2 BIT(5)
#define SMEP BIT(7)
#define BMI2 BIT(8)
#define ERMS BIT(9)
#define INVPCID BIT(10)
#define RTM BIT(11)
#define AVX512F BIT(16)
#define RDSEED BIT(18)
#define ADX BIT(19)
#define SMAP BIT(20)
#define CLFLUSHOPT BIT(23)
#define CLWB BIT(24)
#define SHA BIT(29)
/* Leaf 7 subleaf 0 ECX */
#define PREFETCHWT1 BIT(0)
#define UMIP BIT(2)
#define PKU BIT(3)
#define OSPKE BIT(4)
#define GFNI BIT(8)
#define VAES BIT(9)
#define LA57 BIT(16)
#define RDPID BIT(22)
#define CLDEMOTE BIT(25)
/* Leaf 7 subleaf 0 EDX */
#define FSRM BIT(4)
#define MD_CLEAR BIT(10)
#define SERIALIZE BIT(14)
#define IBRSB BIT(26)
#define STIBP BIT(27)
#define ARCH_CAPS BIT(29)
#define SSBD BIT(31)
/* Leaf 7 subleaf 1 EAX */
#define AVX_VNNI BIT(4)
#define FZRM BIT(10)
#define FSRS BIT(11)
#define FSRCS BIT(12)
/* 0x80000001 EDX and ECX */
#define SYSCALL BIT(11)
#define NX BIT(20)
#define MMXEXT BIT(22)
#define FFXSR BIT(25)
#define PAGE1GB BIT(26)
#define RDTSCP BIT(27)
#define LM BIT(29)
#define AMD_3DNOWEXT BIT(30)
#define AMD_3DNOW BIT(31)
#define LAHF_LM BIT(0)
#define CMP_LEGACY BIT(1)
#define SVM BIT(2)
#define ABM BIT(5)
#define SSE4A BIT(6)
#define MISALIGNSSE BIT(7)
#define PREFETCH_3DNOW BIT(8)
#define XOP BIT(11)
#define FMA4 BIT(16)
#define TBM BIT(21)
#define DBEXT BIT(26)
/* 0x80000008 EBX */
#define CLZERO BIT(0)
#define RSTR_FP_ERR_PTRS BIT(2)
#define IBPB BIT(12)
#define SSB_NO BIT(26)
#define BTC_NO BIT(29)

#define GENUINE_INTEL_EBX 0x756e6547u /* "Genu" */
#define GENUINE_INTEL_EDX 0x49656e69u /* "ineI" */
#define GENUINE_INTEL_ECX 0x6c65746eu /* "ntel" */

#define LARGEST_BASIC_LEAF 0x1f
#define LARGEST_FEATURE_SUBLEAF 2
#define LARGEST_EXTENDED_LEAF 0x80000021u
#define CACHE_SUBLEAVES 4

/* Leaf 0xD subleaves 0-7 of a processor with x87, SSE, YMM, MPX and
 * AVX-512 (the offsets and sizes of an Intel Skylake-SP), and XSAVEOPT,
 * XSAVEC, XGETBV1 and XSAVES. */
#define NATIVE_XSTATE_COMPONENTS 0xffu
#define NATIVE_XSTATE_MAXIMUM_SIZE 2688u
#define XSAVE_SUBLEAF_1_FEATURES 0xfu
#define YMM_SIZE 256u
#define YMM_OFFSET 576u
#define X87_SSE_AREA_SIZE 576u
#define X87_SSE_YMM_AREA_SIZE 832u
static const uint32_t native_xstate_leaf[8][CPUID_REGISTERS] = {
    { NATIVE_XSTATE_COMPONENTS, NATIVE_XSTATE_MAXIMUM_SIZE, NATIVE_XSTATE_MAXIMUM_SIZE, 0 },
    { XSAVE_SUBLEAF_1_FEATURES, 0, 0, 0 },
    { YMM_SIZE, YMM_OFFSET, 0, 0 },
    { 64, 960, 0, 0 },
    { 64, 1024, 0, 0 },
    { 64, 1088, 0, 0 },
    { 512, 1152, 0, 0 },
    { 1024, 1664, 0, 0 },
};

/* A processor whose every leaf holds `fill`, apart from the leaves that
 * report the largest leaf or subleaf, leaf 4, whose subleaves end, and
 * leaf 0xD, which is native_xstate_leaf when fill has every bit set. */
struct fake_processor {
    uint32_t largest_basic_leaf;
    uint32_t largest_feature_subleaf;
    uint32_t largest_extended_leaf;
    uint32_t fill;
    uint32_t leaf_1_ecx_missing; /* features of leaf 1 ECX it lacks */
};

static void fake_native_cpuid(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS])
{
    const struct fake_processor *processor = context;

    for (unsigned int index = 0; index < CPUID_REGISTERS; index++)
        result[index] = processor->fill;
    if (leaf == 0) {
        result[CPUID_EAX] = processor->largest_basic_leaf;
        result[CPUID_EBX] = GENUINE_INTEL_EBX;
        result[CPUID_ECX] = GENUINE_INTEL_ECX;
        result[CPUID_EDX] = GENUINE_INTEL_EDX;
    } else if (leaf == CPUID_STRUCTURED_FEATURES_LEAF && subleaf == 0) {
        result[CPUID_EAX] = processor->largest_feature_subleaf;
    } else if (leaf == 0x80000000u) {
        result[CPUID_EAX] = processor->largest_extended_leaf;
    } else if (leaf == 4 && subleaf >= CACHE_SUBLEAVES) {
        memset(result, 0, CPUID_REGISTERS * sizeof(result[0]));
    } else if (leaf == CPUID_PROCESSOR_INFORMATION_LEAF) {
        result[CPUID_ECX] &= ~processor->leaf_1_ecx_missing;
    } else if (leaf == CPUID_XSTATE_LEAF && processor->fill == ALL_BITS) {
        memset(result, 0, CPUID_REGISTERS * sizeof(result[0]));
        if (subleaf < 8)
            memcpy(result, native_xstate_leaf[subleaf], CPUID_REGISTERS * sizeof(result[0]));
    }
}

static struct fake_processor processor_with_every_feature(void)
{
    struct fake_processor processor = {
        .largest_basic_leaf = LARGEST_BASIC_LEAF,
        .largest_feature_subleaf = LARGEST_FEATURE_SUBLEAF,
        .largest_extended_leaf = LARGEST_EXTENDED_LEAF,
        .fill = ALL_BITS,
    };

    return processor;
}

static uint32_t guest_register(struct fake_processor *processor, uint32_t leaf, uint32_t subleaf,
                               enum cpuid_register register_index)
{
    struct cpuid_host host = { .context = processor, .native_cpuid = fake_native_cpuid };
    uint32_t result[CPUID_REGISTERS];

    cpuid_policy_guest_leaf(&host, leaf, subleaf, result);
    return result[register_index];
}

/* What the guest sees of one register on a processor with every feature. */
static uint32_t seen(uint32_t leaf, uint32_t subleaf, enum cpuid_register register_index)
{
    struct fake_processor processor = processor_with_every_feature();

    return guest_register(&processor, leaf, subleaf, register_index);
}

static bool leaf_is_zero(struct fake_processor *processor, uint32_t leaf, uint32_t subleaf)
{
    for (unsigned int index = 0; index < CPUID_REGISTERS; index++) {
        if (guest_register(processor, leaf, subleaf, (enum cpuid_register)index) != 0)
            return false;
    }
    return true;
}

static void assert_hidden(uint32_t leaf, uint32_t subleaf, enum cpuid_register register_index, uint32_t features)
{
    ck_assert_uint_eq(seen(leaf, subleaf, register_index) & features, 0);
}

/* Xen's leaves */

START_TEST(test_hypervisor_leaf_0x40000000_says_XenVMMXenVMM)
{
    struct fake_processor processor = processor_with_every_feature();
    uint32_t signature[3] = {
        guest_register(&processor, 0x40000000, 0, CPUID_EBX),
        guest_register(&processor, 0x40000000, 0, CPUID_ECX),
        guest_register(&processor, 0x40000000, 0, CPUID_EDX),
    };

    ck_assert_int_eq(memcmp(signature, "XenVMMXenVMM", sizeof(signature)), 0);
}
END_TEST

START_TEST(test_hypervisor_leaf_0x40000000_names_0x40000002_as_the_largest_xen_leaf)
{
    ck_assert_uint_eq(seen(0x40000000, 0, CPUID_EAX), 0x40000002);
}
END_TEST

START_TEST(test_version_leaf_reports_xen_4_14)
{
    ck_assert_uint_eq(seen(0x40000001, 0, CPUID_EAX), 0x0004000e);
    ck_assert_uint_eq(seen(0x40000001, 0, CPUID_EBX), 0);
}
END_TEST

START_TEST(test_hypercall_leaf_reports_one_page_and_the_msr_base)
{
    ck_assert_uint_eq(seen(0x40000002, 0, CPUID_EAX), 1);
    ck_assert_uint_eq(seen(0x40000002, 0, CPUID_EBX), 0x40000000);
    ck_assert_uint_eq(seen(0x40000002, 0, CPUID_ECX), 0);
    ck_assert_uint_eq(seen(0x40000002, 0, CPUID_EDX), 0);
}
END_TEST

START_TEST(test_leaves_past_the_xen_leaves_are_zero)
{
    static const uint32_t leaves[] = { 0x40000003, 0x40000004, 0x40000005, 0x400000ff,
                                       0x40000100, 0x40000102, 0x4fffffff };
    struct fake_processor processor = processor_with_every_feature();

    for (unsigned int index = 0; index < sizeof(leaves) / sizeof(leaves[0]); index++)
        ck_assert(leaf_is_zero(&processor, leaves[index], 0));
}
END_TEST

/* Ranges and maxima */

START_TEST(test_leaf_0_keeps_the_native_largest_leaf_and_vendor)
{
    ck_assert_uint_eq(seen(0, 0, CPUID_EAX), LARGEST_BASIC_LEAF);
    ck_assert_uint_eq(seen(0, 0, CPUID_EBX), GENUINE_INTEL_EBX);
    ck_assert_uint_eq(seen(0, 0, CPUID_ECX), GENUINE_INTEL_ECX);
    ck_assert_uint_eq(seen(0, 0, CPUID_EDX), GENUINE_INTEL_EDX);
}
END_TEST

START_TEST(test_basic_leaf_above_the_native_maximum_is_zero)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.largest_basic_leaf = 4;
    ck_assert(!leaf_is_zero(&processor, 4, 0));
    ck_assert(leaf_is_zero(&processor, 7, 0));
}
END_TEST

START_TEST(test_extended_leaf_above_the_native_maximum_is_zero)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.largest_extended_leaf = 0x80000008;
    ck_assert(!leaf_is_zero(&processor, 0x80000008, 0));
    ck_assert(leaf_is_zero(&processor, 0x80000021, 0));
}
END_TEST

START_TEST(test_extended_maximum_is_clamped_to_0x80000021)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.largest_extended_leaf = 0x80000028;
    ck_assert_uint_eq(guest_register(&processor, 0x80000000, 0, CPUID_EAX), 0x80000021);
    ck_assert(leaf_is_zero(&processor, 0x80000022, 0));
    ck_assert(leaf_is_zero(&processor, 0x80000028, 0));
}
END_TEST

START_TEST(test_leaves_outside_the_known_ranges_are_zero)
{
    static const uint32_t leaves[] = { 0x20000000, 0x50000000, 0x7fffffff, 0x8fffffff, 0xc0000000, 0xffffffff };
    struct fake_processor processor = processor_with_every_feature();

    for (unsigned int index = 0; index < sizeof(leaves) / sizeof(leaves[0]); index++)
        ck_assert(leaf_is_zero(&processor, leaves[index], 0));
}
END_TEST

/* Leaf 1 */

START_TEST(test_cpuid_sets_the_hypervisor_bit)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.fill = 0;
    ck_assert_uint_eq(guest_register(&processor, 1, 0, CPUID_ECX), HYPERVISOR);
}
END_TEST

START_TEST(test_cpuid_shows_no_feature_the_processor_lacks)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.fill = 0;
    ck_assert_uint_eq(guest_register(&processor, 1, 0, CPUID_EDX), 0);
    ck_assert_uint_eq(guest_register(&processor, 7, 0, CPUID_EBX), 0);
    ck_assert_uint_eq(guest_register(&processor, 7, 0, CPUID_ECX), 0);
    ck_assert_uint_eq(guest_register(&processor, 7, 0, CPUID_EDX), 0);
    ck_assert(leaf_is_zero(&processor, 0x80000001, 0));
}
END_TEST

START_TEST(test_leaf_1_clears_the_initial_apic_id)
{
    ck_assert_uint_eq(seen(1, 0, CPUID_EBX), 0x00ffffff);
}
END_TEST

START_TEST(test_leaf_1_clears_the_processor_type)
{
    ck_assert_uint_eq(seen(1, 0, CPUID_EAX), 0x0fff0fff);
}
END_TEST

/* The whole allow-list, register by register. */
START_TEST(test_guest_sees_exactly_the_features_xen_offers_less_pvmon_exceptions)
{
    static const struct {
        uint32_t leaf, subleaf;
        enum cpuid_register register_index;
        uint32_t features;
    } expected[] = {
        { 1, 0, CPUID_EDX,
          FPU | TSC | MSR | PAE | MCE | CX8 | APIC | SEP | MCA | CMOV | PAT | CLFLUSH | MMX | FXSR | SSE | SSE2 |
              SS | HTT },
        { 1, 0, CPUID_ECX,
          SSE3 | PCLMULQDQ | SSSE3 | CX16 | SSE4_1 | SSE4_2 | MOVBE | POPCNT | AESNI | RDRAND | HYPERVISOR },
        { 7, 0, CPUID_EBX, BMI1 | BMI2 | ERMS | RDSEED | ADX | CLFLUSHOPT | CLWB | SHA },
        { 7, 0, CPUID_ECX, PREFETCHWT1 | GFNI | CLDEMOTE },
        { 7, 0, CPUID_EDX, FSRM | MD_CLEAR | SERIALIZE },
        { 7, 1, CPUID_EAX, FZRM | FSRS | FSRCS },
        { 7, 1, CPUID_EBX, 0 },
        { 7, 1, CPUID_ECX, 0 },
        { 7, 1, CPUID_EDX, BIT(14) /* PREFETCHI */ },
        { 7, 2, CPUID_EDX, BIT(5) /* MCDT_NO */ },
        { 0x80000001, 0, CPUID_EDX,
          FPU | TSC | MSR | PAE | MCE | CX8 | APIC | MCA | CMOV | PAT | MMX | FXSR | SYSCALL | NX | MMXEXT |
              FFXSR | LM | AMD_3DNOWEXT | AMD_3DNOW },
        { 0x80000001, 0, CPUID_ECX, LAHF_LM | CMP_LEGACY | ABM | SSE4A | MISALIGNSSE | PREFETCH_3DNOW | TBM },
        { 0x80000008, 0, CPUID_EBX, CLZERO | RSTR_FP_ERR_PTRS | SSB_NO | BTC_NO },
        { 0x80000021, 0, CPUID_EAX,
          BIT(0) | BIT(2) | BIT(5) | BIT(6) | BIT(10) | BIT(11) | BIT(19) | BIT(20) | BIT(29) },
        { 0x80000021, 0, CPUID_EBX, 0 },
        { 0x80000021, 0, CPUID_ECX, BIT(1) | BIT(2) /* TSA_SQ_NO, TSA_L1_NO */ },
        { 0x80000021, 0, CPUID_EDX, 0 },
    };

    for (unsigned int index = 0; index < sizeof(expected) / sizeof(expected[0]); index++)
        ck_assert_msg(seen(expected[index].leaf, expected[index].subleaf, expected[index].register_index) ==
                          expected[index].features,
                      "leaf %#x.%u register %d", expected[index].leaf, expected[index].subleaf,
                      expected[index].register_index);
}
END_TEST

START_TEST(test_cpuid_keeps_the_basic_features_a_pv_kernel_needs)
{
    uint32_t required_edx = FPU | TSC | MSR | PAE | CX8 | CMOV | PAT | CLFLUSH | MMX | FXSR | SSE | SSE2;
    uint32_t required_ecx = SSE3 | SSSE3 | CX16 | SSE4_1 | SSE4_2 | POPCNT;

    ck_assert_uint_eq(seen(1, 0, CPUID_EDX) & required_edx, required_edx);
    ck_assert_uint_eq(seen(1, 0, CPUID_ECX) & required_ecx, required_ecx);
}
END_TEST

START_TEST(test_cpuid_keeps_long_mode_syscall_and_nx)
{
    uint32_t required = LM | SYSCALL | NX;

    ck_assert_uint_eq(seen(0x80000001, 0, CPUID_EDX) & required, required);
}
END_TEST

/* Hidden features */

START_TEST(test_cpuid_hides_large_and_global_pages)
{
    assert_hidden(1, 0, CPUID_EDX, PSE | PSE36 | PGE);
    assert_hidden(0x80000001, 0, CPUID_EDX, PSE | PSE36 | PGE | PAGE1GB);
}
END_TEST

START_TEST(test_cpuid_hides_mtrr)
{
    assert_hidden(1, 0, CPUID_EDX, MTRR);
    assert_hidden(0x80000001, 0, CPUID_EDX, MTRR);
}
END_TEST

START_TEST(test_cpuid_hides_pcid_and_invpcid)
{
    assert_hidden(1, 0, CPUID_ECX, PCID);
    assert_hidden(7, 0, CPUID_EBX, INVPCID);
}
END_TEST

START_TEST(test_cpuid_hides_smep_from_the_guest)
{
    assert_hidden(7, 0, CPUID_EBX, SMEP);
}
END_TEST

START_TEST(test_cpuid_hides_smap_from_the_guest)
{
    assert_hidden(7, 0, CPUID_EBX, SMAP);
}
END_TEST

START_TEST(test_cpuid_hides_umip)
{
    assert_hidden(7, 0, CPUID_ECX, UMIP);
}
END_TEST

START_TEST(test_cpuid_hides_protection_keys)
{
    assert_hidden(7, 0, CPUID_ECX, PKU | OSPKE);
}
END_TEST

START_TEST(test_cpuid_hides_five_level_paging)
{
    assert_hidden(7, 0, CPUID_ECX, LA57);
}
END_TEST

START_TEST(test_cpuid_hides_vmx_and_svm)
{
    assert_hidden(1, 0, CPUID_ECX, VMX | SMX);
    assert_hidden(0x80000001, 0, CPUID_ECX, SVM);
}
END_TEST

START_TEST(test_cpuid_hides_monitor)
{
    assert_hidden(1, 0, CPUID_ECX, MONITOR);
}
END_TEST

START_TEST(test_cpuid_hides_x2apic_and_tsc_deadline)
{
    assert_hidden(1, 0, CPUID_ECX, X2APIC | TSC_DEADLINE);
}
END_TEST

START_TEST(test_cpuid_hides_fsgsbase)
{
    assert_hidden(7, 0, CPUID_EBX, FSGSBASE);
}
END_TEST

START_TEST(test_cpuid_hides_xsave_and_osxsave_when_the_hypervisor_does_not_use_xsave)
{
    struct fake_processor processor = processor_with_every_feature();
    struct cpuid_host host = { .context = &processor, .native_cpuid = fake_native_cpuid,
                               .enlightened_kernel_view = true, .guest_osxsave = true };
    uint32_t result[CPUID_REGISTERS];

    cpuid_policy_guest_leaf(&host, 1, 0, result);
    ck_assert_uint_eq(result[CPUID_ECX] & (XSAVE | OSXSAVE), 0);
}
END_TEST

START_TEST(test_cpuid_hides_the_features_that_need_xsave_when_the_hypervisor_does_not_use_it)
{
    assert_hidden(1, 0, CPUID_ECX, AVX | FMA | F16C);
    assert_hidden(7, 0, CPUID_EBX, AVX2 | AVX512F);
    assert_hidden(7, 0, CPUID_ECX, VAES);
    assert_hidden(7, 1, CPUID_EAX, AVX_VNNI);
    assert_hidden(0x80000001, 0, CPUID_ECX, XOP | FMA4);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_is_zero_when_the_hypervisor_does_not_use_xsave)
{
    struct fake_processor processor = processor_with_every_feature();

    ck_assert(leaf_is_zero(&processor, 0xd, 0));
    ck_assert(leaf_is_zero(&processor, 0xd, 1));
    ck_assert(leaf_is_zero(&processor, 0xd, 2));
}
END_TEST

/* XSAVE offered: the hypervisor switches `switched`, the vCPU has xcr0. */
struct xsave_view {
    uint64_t switched;
    uint64_t xcr0;
    bool guest_osxsave;
    bool enlightened;
};

static void xsave_leaf(struct fake_processor *processor, struct xsave_view view, uint32_t leaf, uint32_t subleaf,
                       uint32_t result[CPUID_REGISTERS])
{
    struct cpuid_host host = {
        .context = processor,
        .native_cpuid = fake_native_cpuid,
        .switched_xstate = view.switched,
        .guest_xcr0 = view.xcr0,
        .guest_osxsave = view.guest_osxsave,
        .enlightened_kernel_view = view.enlightened,
    };

    cpuid_policy_guest_leaf(&host, leaf, subleaf, result);
}

static uint32_t xsave_register(struct xsave_view view, uint32_t leaf, uint32_t subleaf, enum cpuid_register index)
{
    struct fake_processor processor = processor_with_every_feature();
    uint32_t result[CPUID_REGISTERS];

    xsave_leaf(&processor, view, leaf, subleaf, result);
    return result[index];
}

static const struct xsave_view avx_view = { .switched = XSTATE_SWITCHABLE, .xcr0 = XSTATE_FP_SSE };

START_TEST(test_cpuid_offers_xsave_avx_fma_f16c_when_the_hypervisor_switches_ymm)
{
    uint32_t ecx = xsave_register(avx_view, 1, 0, CPUID_ECX);

    ck_assert_uint_eq(ecx & (XSAVE | AVX | FMA | F16C), XSAVE | AVX | FMA | F16C);
}
END_TEST

START_TEST(test_cpuid_offers_avx2_when_the_hypervisor_switches_ymm)
{
    ck_assert_uint_eq(xsave_register(avx_view, 7, 0, CPUID_EBX) & AVX2, AVX2);
}
END_TEST

START_TEST(test_cpuid_keeps_avx512_xop_fma4_vaes_and_avx_vnni_hidden_with_xsave)
{
    ck_assert_uint_eq(xsave_register(avx_view, 7, 0, CPUID_EBX) & AVX512F, 0);
    ck_assert_uint_eq(xsave_register(avx_view, 7, 0, CPUID_ECX) & (VAES | PKU | OSPKE), 0);
    ck_assert_uint_eq(xsave_register(avx_view, 7, 1, CPUID_EAX) & AVX_VNNI, 0);
    ck_assert_uint_eq(xsave_register(avx_view, 0x80000001, 0, CPUID_ECX) & (XOP | FMA4), 0);
}
END_TEST

START_TEST(test_cpuid_offers_xsave_without_avx_when_the_hypervisor_switches_only_x87_and_sse)
{
    struct xsave_view view = { .switched = XSTATE_FP_SSE, .xcr0 = XSTATE_FP_SSE };

    ck_assert_uint_eq(xsave_register(view, 1, 0, CPUID_ECX) & (XSAVE | AVX | FMA | F16C), XSAVE);
    ck_assert_uint_eq(xsave_register(view, 7, 0, CPUID_EBX) & AVX2, 0);
    ck_assert_uint_eq(xsave_register(view, 0xd, 0, CPUID_EAX), XSTATE_FP_SSE);
    ck_assert_uint_eq(xsave_register(view, 0xd, 2, CPUID_EAX), 0);
}
END_TEST

START_TEST(test_cpuid_offers_no_ymm_on_a_processor_without_avx)
{
    struct fake_processor processor = processor_with_every_feature();
    uint32_t result[CPUID_REGISTERS];

    processor.leaf_1_ecx_missing = AVX;
    xsave_leaf(&processor, avx_view, 1, 0, result);
    ck_assert_uint_eq(result[CPUID_ECX] & (XSAVE | AVX | FMA | F16C), XSAVE);
    xsave_leaf(&processor, avx_view, 0xd, 0, result);
    ck_assert_uint_eq(result[CPUID_EAX], XSTATE_FP_SSE);
}
END_TEST

START_TEST(test_cpuid_hides_xsave_when_the_hypervisor_does_not_switch_sse)
{
    struct xsave_view view = { .switched = XSTATE_X87 | XSTATE_YMM, .enlightened = true };

    ck_assert_uint_eq(xsave_register(view, 1, 0, CPUID_ECX) & (XSAVE | OSXSAVE | AVX), 0);
    ck_assert_uint_eq(xsave_register(view, 0xd, 0, CPUID_EAX), 0);
}
END_TEST

START_TEST(test_osxsave_is_clear_while_the_guest_cr4_has_no_osxsave_outside_the_kernel_view)
{
    ck_assert_uint_eq(xsave_register(avx_view, 1, 0, CPUID_ECX) & OSXSAVE, 0);
}
END_TEST

START_TEST(test_osxsave_shows_in_the_guest_kernel_forced_cpuid_as_xen_leaks_it)
{
    struct xsave_view view = avx_view;

    view.enlightened = true;
    ck_assert_uint_eq(xsave_register(view, 1, 0, CPUID_ECX) & OSXSAVE, OSXSAVE);
}
END_TEST

START_TEST(test_osxsave_follows_the_guest_cr4)
{
    struct xsave_view view = avx_view;

    view.guest_osxsave = true;
    ck_assert_uint_eq(xsave_register(view, 1, 0, CPUID_ECX) & OSXSAVE, OSXSAVE);
}
END_TEST

START_TEST(test_native_osxsave_never_passes_through)
{
    struct xsave_view view = { .switched = 0, .guest_osxsave = false };

    ck_assert_uint_eq(xsave_register(view, 1, 0, CPUID_ECX) & OSXSAVE, 0);
    ck_assert_uint_eq(xsave_register(avx_view, 1, 0, CPUID_ECX) & OSXSAVE, 0);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_0_offers_x87_sse_ymm_only)
{
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 0, CPUID_EAX), XSTATE_X87 | XSTATE_SSE | XSTATE_YMM);
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 0, CPUID_EDX), 0);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_0_ecx_is_the_size_of_every_offered_component)
{
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 0, CPUID_ECX), X87_SSE_YMM_AREA_SIZE);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_0_ebx_is_the_size_for_the_vcpus_xcr0)
{
    struct xsave_view view = avx_view;

    ck_assert_uint_eq(xsave_register(view, 0xd, 0, CPUID_EBX), X87_SSE_AREA_SIZE);
    view.xcr0 = XSTATE_SWITCHABLE;
    ck_assert_uint_eq(xsave_register(view, 0xd, 0, CPUID_EBX), X87_SSE_YMM_AREA_SIZE);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_1_keeps_xsaveopt_xsavec_xgetbv1_but_not_xsaves)
{
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 1, CPUID_EAX), 0x7);
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 1, CPUID_ECX), 0);
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 1, CPUID_EDX), 0);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_1_ebx_is_the_compacted_size_for_the_vcpus_xcr0)
{
    struct xsave_view view = avx_view;

    view.xcr0 = XSTATE_SWITCHABLE;
    ck_assert_uint_eq(xsave_register(view, 0xd, 1, CPUID_EBX), X87_SSE_AREA_SIZE + YMM_SIZE);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_2_describes_ymm)
{
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 2, CPUID_EAX), YMM_SIZE);
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 2, CPUID_EBX), YMM_OFFSET);
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 2, CPUID_ECX), 0);
    ck_assert_uint_eq(xsave_register(avx_view, 0xd, 2, CPUID_EDX), 0);
}
END_TEST

START_TEST(test_xsave_leaf_0xd_components_beyond_ymm_are_zero)
{
    for (uint32_t subleaf = 3; subleaf < 64; subleaf++) {
        for (unsigned int index = 0; index < CPUID_REGISTERS; index++)
            ck_assert_uint_eq(xsave_register(avx_view, 0xd, subleaf, (enum cpuid_register)index), 0);
    }
}
END_TEST

START_TEST(test_cpuid_hides_debug_store_and_thermal_monitoring)
{
    assert_hidden(1, 0, CPUID_EDX, DS | ACPI | TM1 | PBE);
    assert_hidden(1, 0, CPUID_ECX, DTES64 | DSCPL | EIST | TM2 | PDCM | DCA);
}
END_TEST

START_TEST(test_cpuid_hides_debugging_extensions_and_virtual_8086_extensions)
{
    assert_hidden(1, 0, CPUID_EDX, DE | VME);
    assert_hidden(0x80000001, 0, CPUID_EDX, DE | VME);
}
END_TEST

START_TEST(test_cpuid_hides_rdtscp_and_rdpid)
{
    assert_hidden(0x80000001, 0, CPUID_EDX, RDTSCP);
    assert_hidden(7, 0, CPUID_ECX, RDPID);
}
END_TEST

START_TEST(test_cpuid_hides_speculation_control_msrs)
{
    assert_hidden(7, 0, CPUID_EDX, IBRSB | STIBP | SSBD | ARCH_CAPS);
    assert_hidden(0x80000008, 0, CPUID_EBX, IBPB);
}
END_TEST

START_TEST(test_cpuid_hides_transactional_memory)
{
    assert_hidden(7, 0, CPUID_EBX, HLE | RTM);
}
END_TEST

START_TEST(test_cpuid_hides_amd_breakpoint_address_masks)
{
    assert_hidden(0x80000001, 0, CPUID_ECX, DBEXT);
}
END_TEST

/* Leaf 7 */

START_TEST(test_leaf_7_reports_at_most_subleaf_2)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.largest_feature_subleaf = 5;
    ck_assert_uint_eq(guest_register(&processor, 7, 0, CPUID_EAX), 2);
    ck_assert(!leaf_is_zero(&processor, 7, 2));
    ck_assert(leaf_is_zero(&processor, 7, 3));
}
END_TEST

START_TEST(test_leaf_7_subleaf_above_the_native_maximum_is_zero)
{
    struct fake_processor processor = processor_with_every_feature();

    processor.largest_feature_subleaf = 0;
    ck_assert_uint_eq(guest_register(&processor, 7, 0, CPUID_EAX), 0);
    ck_assert(leaf_is_zero(&processor, 7, 1));
}
END_TEST

/* Other basic leaves */

START_TEST(test_leaves_without_a_pv_meaning_are_zero)
{
    static const uint32_t leaves[] = { 3, 5, 6, 8, 9, 0xa, 0xb, 0xc, 0xe, 0x10, 0x14, 0x15, 0x16, 0x1f };
    struct fake_processor processor = processor_with_every_feature();

    for (unsigned int index = 0; index < sizeof(leaves) / sizeof(leaves[0]); index++)
        ck_assert_msg(leaf_is_zero(&processor, leaves[index], 0), "leaf %#x", leaves[index]);
}
END_TEST

START_TEST(test_cache_descriptor_leaf_passes_through)
{
    ck_assert_uint_eq(seen(2, 0, CPUID_EAX), ALL_BITS);
    ck_assert_uint_eq(seen(2, 0, CPUID_EDX), ALL_BITS);
}
END_TEST

START_TEST(test_cache_parameter_leaf_passes_with_reserved_bits_cleared)
{
    ck_assert_uint_eq(seen(4, 1, CPUID_EAX), 0xffffc3ff);
    ck_assert_uint_eq(seen(4, 1, CPUID_EBX), ALL_BITS);
    ck_assert_uint_eq(seen(4, 1, CPUID_ECX), ALL_BITS);
    ck_assert_uint_eq(seen(4, 1, CPUID_EDX), 7);
}
END_TEST

START_TEST(test_cache_parameter_leaf_ends_at_the_first_null_subleaf)
{
    struct fake_processor processor = processor_with_every_feature();

    ck_assert(leaf_is_zero(&processor, 4, CACHE_SUBLEAVES));
}
END_TEST

/* Other extended leaves */

START_TEST(test_brand_string_and_cache_leaves_pass_through)
{
    for (uint32_t leaf = 0x80000002; leaf <= 0x80000006; leaf++) {
        ck_assert_uint_eq(seen(leaf, 0, CPUID_EAX), ALL_BITS);
        ck_assert_uint_eq(seen(leaf, 0, CPUID_EDX), ALL_BITS);
    }
}
END_TEST

START_TEST(test_power_management_leaf_0x80000007_is_zero)
{
    struct fake_processor processor = processor_with_every_feature();

    ck_assert(leaf_is_zero(&processor, 0x80000007, 0));
}
END_TEST

START_TEST(test_address_size_leaf_keeps_physical_bits_and_reports_48_linear_bits)
{
    ck_assert_uint_eq(seen(0x80000008, 0, CPUID_EAX), 0x30ff);
    ck_assert_uint_eq(seen(0x80000008, 0, CPUID_ECX), 0x0003f0ff);
    ck_assert_uint_eq(seen(0x80000008, 0, CPUID_EDX), 0);
}
END_TEST

START_TEST(test_leaf_0x80000001_keeps_the_signature)
{
    ck_assert_uint_eq(seen(0x80000001, 0, CPUID_EAX), ALL_BITS);
    ck_assert_uint_eq(seen(0x80000001, 0, CPUID_EBX), 0xff00ffff);
}
END_TEST

START_TEST(test_undescribed_extended_leaves_are_zero)
{
    static const uint32_t leaves[] = { 0x80000009, 0x8000000a, 0x80000019, 0x8000001a, 0x8000001f, 0x80000020 };
    struct fake_processor processor = processor_with_every_feature();

    for (unsigned int index = 0; index < sizeof(leaves) / sizeof(leaves[0]); index++)
        ck_assert_msg(leaf_is_zero(&processor, leaves[index], 0), "leaf %#x", leaves[index]);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *cpuid_policy_suite(void)
{
    Suite *suite = suite_create("cpuid_policy");

    add_test_case(suite, test_hypervisor_leaf_0x40000000_says_XenVMMXenVMM);
    add_test_case(suite, test_hypervisor_leaf_0x40000000_names_0x40000002_as_the_largest_xen_leaf);
    add_test_case(suite, test_version_leaf_reports_xen_4_14);
    add_test_case(suite, test_hypercall_leaf_reports_one_page_and_the_msr_base);
    add_test_case(suite, test_leaves_past_the_xen_leaves_are_zero);
    add_test_case(suite, test_leaf_0_keeps_the_native_largest_leaf_and_vendor);
    add_test_case(suite, test_basic_leaf_above_the_native_maximum_is_zero);
    add_test_case(suite, test_extended_leaf_above_the_native_maximum_is_zero);
    add_test_case(suite, test_extended_maximum_is_clamped_to_0x80000021);
    add_test_case(suite, test_leaves_outside_the_known_ranges_are_zero);
    add_test_case(suite, test_cpuid_sets_the_hypervisor_bit);
    add_test_case(suite, test_cpuid_shows_no_feature_the_processor_lacks);
    add_test_case(suite, test_leaf_1_clears_the_initial_apic_id);
    add_test_case(suite, test_leaf_1_clears_the_processor_type);
    add_test_case(suite, test_guest_sees_exactly_the_features_xen_offers_less_pvmon_exceptions);
    add_test_case(suite, test_cpuid_keeps_the_basic_features_a_pv_kernel_needs);
    add_test_case(suite, test_cpuid_keeps_long_mode_syscall_and_nx);
    add_test_case(suite, test_cpuid_hides_large_and_global_pages);
    add_test_case(suite, test_cpuid_hides_mtrr);
    add_test_case(suite, test_cpuid_hides_pcid_and_invpcid);
    add_test_case(suite, test_cpuid_hides_smep_from_the_guest);
    add_test_case(suite, test_cpuid_hides_smap_from_the_guest);
    add_test_case(suite, test_cpuid_hides_umip);
    add_test_case(suite, test_cpuid_hides_protection_keys);
    add_test_case(suite, test_cpuid_hides_five_level_paging);
    add_test_case(suite, test_cpuid_hides_vmx_and_svm);
    add_test_case(suite, test_cpuid_hides_monitor);
    add_test_case(suite, test_cpuid_hides_x2apic_and_tsc_deadline);
    add_test_case(suite, test_cpuid_hides_fsgsbase);
    add_test_case(suite, test_cpuid_hides_xsave_and_osxsave_when_the_hypervisor_does_not_use_xsave);
    add_test_case(suite, test_cpuid_hides_the_features_that_need_xsave_when_the_hypervisor_does_not_use_it);
    add_test_case(suite, test_xsave_leaf_0xd_is_zero_when_the_hypervisor_does_not_use_xsave);
    add_test_case(suite, test_cpuid_offers_xsave_avx_fma_f16c_when_the_hypervisor_switches_ymm);
    add_test_case(suite, test_cpuid_offers_avx2_when_the_hypervisor_switches_ymm);
    add_test_case(suite, test_cpuid_keeps_avx512_xop_fma4_vaes_and_avx_vnni_hidden_with_xsave);
    add_test_case(suite, test_cpuid_offers_xsave_without_avx_when_the_hypervisor_switches_only_x87_and_sse);
    add_test_case(suite, test_cpuid_offers_no_ymm_on_a_processor_without_avx);
    add_test_case(suite, test_cpuid_hides_xsave_when_the_hypervisor_does_not_switch_sse);
    add_test_case(suite, test_osxsave_is_clear_while_the_guest_cr4_has_no_osxsave_outside_the_kernel_view);
    add_test_case(suite, test_osxsave_shows_in_the_guest_kernel_forced_cpuid_as_xen_leaks_it);
    add_test_case(suite, test_osxsave_follows_the_guest_cr4);
    add_test_case(suite, test_native_osxsave_never_passes_through);
    add_test_case(suite, test_xsave_leaf_0xd_0_offers_x87_sse_ymm_only);
    add_test_case(suite, test_xsave_leaf_0xd_0_ecx_is_the_size_of_every_offered_component);
    add_test_case(suite, test_xsave_leaf_0xd_0_ebx_is_the_size_for_the_vcpus_xcr0);
    add_test_case(suite, test_xsave_leaf_0xd_1_keeps_xsaveopt_xsavec_xgetbv1_but_not_xsaves);
    add_test_case(suite, test_xsave_leaf_0xd_1_ebx_is_the_compacted_size_for_the_vcpus_xcr0);
    add_test_case(suite, test_xsave_leaf_0xd_2_describes_ymm);
    add_test_case(suite, test_xsave_leaf_0xd_components_beyond_ymm_are_zero);
    add_test_case(suite, test_cpuid_hides_debug_store_and_thermal_monitoring);
    add_test_case(suite, test_cpuid_hides_debugging_extensions_and_virtual_8086_extensions);
    add_test_case(suite, test_cpuid_hides_rdtscp_and_rdpid);
    add_test_case(suite, test_cpuid_hides_speculation_control_msrs);
    add_test_case(suite, test_cpuid_hides_transactional_memory);
    add_test_case(suite, test_cpuid_hides_amd_breakpoint_address_masks);
    add_test_case(suite, test_leaf_7_reports_at_most_subleaf_2);
    add_test_case(suite, test_leaf_7_subleaf_above_the_native_maximum_is_zero);
    add_test_case(suite, test_leaves_without_a_pv_meaning_are_zero);
    add_test_case(suite, test_cache_descriptor_leaf_passes_through);
    add_test_case(suite, test_cache_parameter_leaf_passes_with_reserved_bits_cleared);
    add_test_case(suite, test_cache_parameter_leaf_ends_at_the_first_null_subleaf);
    add_test_case(suite, test_brand_string_and_cache_leaves_pass_through);
    add_test_case(suite, test_power_management_leaf_0x80000007_is_zero);
    add_test_case(suite, test_address_size_leaf_keeps_physical_bits_and_reports_48_linear_bits);
    add_test_case(suite, test_leaf_0x80000001_keeps_the_signature);
    add_test_case(suite, test_undescribed_extended_leaves_are_zero);
    return suite;
}

REGISTER_SUITE(cpuid_policy_suite)
