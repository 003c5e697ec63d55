/*
 * The CPUID a 64-bit PV guest sees (see pvmon/cpuid_policy.h).  This file
 * owns which native leaves and feature bits reach the guest.  Rules kept:
 *
 * - Xen's leaves (xen/arch/x86/cpuid.c: cpuid_hypervisor_leaves; layout in
 *   xen/include/public/arch-x86/cpuid.h): 0x40000000 gives the largest Xen
 *   leaf and "XenVMMXenVMM", 0x40000001 the version as major << 16 | minor
 *   (4.14, pvmon/xen_version.h), 0x40000002 one hypercall page and the MSR
 *   base 0x40000000.  pvmon offers no leaf past 0x40000002 (Xen has up to
 *   0x40000005), which also keeps Linux on grant tables v1; every other
 *   leaf up to 0x4fffffff is zero.  Leaf 0x40000002 ECX is zero, where Xen
 *   sets XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD for PV guests (Linux
 *   reads XENFEAT_mmu_pt_update_preserve_ad from xen_version instead).
 * - A leaf above the native maximum of its range is zero, as in Xen's
 *   guest_cpuid (the AMD model).  Leaf 0 keeps the native maximum basic
 *   leaf (Xen clamps it to 0xd; pvmon zeroes the leaves above 0xd instead),
 *   and the extended maximum is clamped to 0x80000021, Xen's
 *   CPUID_GUEST_NR_EXTD (xen/include/xen/lib/x86/cpu-policy.h).
 * - Leaves zeroed as in Xen's recalculate_misc (xen/arch/x86/cpu-policy.c):
 *   3 (serial number), 5 (MONITOR), 6 (power), 8, 9 (DCA), 0xa (no vPMU),
 *   0xb (topology), 0xc, 0x80000007 (power; invariant TSC is "a", not
 *   offered by default).  pvmon also zeroes every basic leaf above 0xd and
 *   the AMD leaves 0x80000009 to 0x80000020, which it does not describe.
 * - XSAVE (Xen's recalculate_xstate and guest_cpuid, cpu-policy.c and
 *   cpuid.c): offered when the processor has it and the hypervisor
 *   switches at least x87 and SSE with XSAVE (cpuid_host.switched_xstate,
 *   which the hypervisor keeps to what fits a vCPU's area).  The guest's
 *   XCR0 may then hold x87, SSE and, with AVX, YMM: nothing else (no MPX,
 *   AVX-512, PKRU, AMX...).  AVX is offered only with YMM, and FMA, F16C
 *   and AVX2 only with AVX (xen/tools/gen-cpuid.py's dependencies).
 *   OSXSAVE follows Xen's PV rule: set when the guest's view of CR4 has
 *   OSXSAVE, or, for the guest kernel's forced CPUID, whenever XSAVE is
 *   offered (the hypervisor's CR4 has OSXSAVE then): "leaking Xen's
 *   OSXSAVE" is part of the PV ABI, and Linux's xen_check_xsave needs it.
 *   Leaf 0xD (zero without XSAVE): subleaf 0 gives the offered XCR0 bits
 *   in EDX:EAX, in ECX the size of an area holding all of them and in EBX
 *   the size for the vCPU's current XCR0 (xstate_uncompressed_size of
 *   v->arch.xcr0); subleaf 1 EAX keeps XSAVEOPT, XSAVEC and XGETBV1 (all
 *   'A'), never XSAVES ('S': supervisor states, not for PV) nor XFD, EBX
 *   is the compacted size for the current XCR0 when XSAVEC is offered, and
 *   ECX:EDX (XSS bits) are zero; subleaf 2 (YMM) passes the native size,
 *   offset and alignment bit when YMM is offered; every other subleaf is
 *   zero.
 * - Passed through: leaf 2 and 4 (caches; leaf 4 with its reserved fields
 *   cleared, as recalculate_cpuid_policy does), 0x80000002-0x80000006
 *   (brand string, caches).  Leaf 1 loses the initial APIC ID and the
 *   processor type (recalculate_misc, guest_cpuid).  0x80000008 keeps the
 *   physical address size and reports 48 linear bits (LA57 is hidden).
 * - Feature bits: only those Xen marks 'A' (available to all guests by
 *   default) in xen/include/public/arch-x86/cpufeatureset.h, and
 *   HYPERVISOR always (guest_common_feature_adjustments).  On AMD the
 *   leaf-1 EDX bits repeated in 0x80000001 EDX follow the leaf-1 rules.
 *   pvmon hides these 'A' features too, because it does not (yet)
 *   virtualise what they enumerate:
 *     the XSAVE features past AVX2 (AVX-512, XOP, FMA4, VAES,
 *       VPCLMULQDQ, AVX-VNNI, SHA512, SM3, SM4, ...), following Xen's
 *       dependency tree (xen/tools/gen-cpuid.py), and all of XSAVE, AVX,
 *       FMA, F16C and AVX2 when the hypervisor does not use XSAVE;
 *     FSGSBASE (Linux would use rd/wrgsbase, which needs CR4.FSGSBASE);
 *     DE (pvmon keeps CR4.DE clear, see pvmon/debug_registers.h);
 *     RTM (never offered, as debug_registers.h assumes);
 *     ACPI (thermal-control MSRs), RDTSCP and RDPID (MSR_TSC_AUX),
 *     IBRSB, STIBP, SSBD, INTEL_PSFD (MSR_SPEC_CTRL), IBPB and its
 *       refinements (MSR_PRED_CMD), ARCH_CAPS (MSR_ARCH_CAPABILITIES),
 *     DBEXT and ADDR_MSK_EXT (AMD breakpoint address-mask MSRs),
 *     SRSO_US_NO (Xen's PV policy drops it too unless BP_SPEC_REDUCE).
 *   Not 'A' in Xen, so hidden as well: VME, PSE, PSE36, PGE, MTRR, PSN,
 *   DS, TM1, PBE, DTES64, MONITOR, DS-CPL, VMX, SMX, EIST, TM2, PDCM,
 *   PCID, DCA, X2APIC, TSC_DEADLINE, PAGE1GB, SVM, SMEP, SMAP,
 *   INVPCID, UMIP, PKU, OSPKE, LA57, HLE, ...
 */
#include <pvmon/cpuid_policy.h>
#include <pvmon/string.h>
#include <pvmon/xen_version.h>
#include <pvmon/xstate.h>

_Static_assert(__XEN_INTERFACE_VERSION__ ==
                   ((PVMON_XEN_MAJOR_VERSION << 16) | (PVMON_XEN_MINOR_VERSION << 8)),
               "the version pvmon claims is that of the interface it builds with");

#define BIT(number) (UINT32_C(1) << (number))

#define FIRST_HYPERVISOR_LEAF 0x40000000u
#define LAST_HYPERVISOR_LEAF 0x4fffffffu
#define LARGEST_XEN_LEAF XEN_HYPERCALL_LEAF
#define XEN_SIGNATURE_EBX 0x566e6558u /* "XenV" */
#define XEN_SIGNATURE_ECX 0x65584d4du /* "MMXe" */
#define XEN_SIGNATURE_EDX 0x4d4d566eu /* "nVMM" */
#define XEN_HYPERCALL_PAGES 1
#define XEN_VERSION_MAJOR_SHIFT 16

#define FIRST_EXTENDED_LEAF 0x80000000u
#define LAST_EXTENDED_LEAF EXTENDED_FEATURES_2_LEAF
#define LAST_FEATURE_SUBLEAF 2

#define CACHE_DESCRIPTORS_LEAF 2
#define CACHE_PARAMETERS_LEAF 4
#define EXTENDED_PROCESSOR_INFORMATION_LEAF 0x80000001u
#define FIRST_BRAND_STRING_LEAF 0x80000002u
#define L1_CACHE_LEAF 0x80000005u
#define L2_CACHE_LEAF 0x80000006u
#define ADDRESS_SIZES_LEAF 0x80000008u
#define EXTENDED_FEATURES_2_LEAF 0x80000021u

/* Leaf 1 EAX: clear the processor type (bits 12-13) and reserved bits. */
#define SIGNATURE_MASK 0x0fff0fffu
/* Leaf 1 EBX: bits 24-31 are the initial APIC ID, which a vCPU does not have. */
#define LEAF_1_EBX_WITHOUT_APIC_ID 0x00ffffffu
/* Leaf 4: cache type 0 ends the list; bits 10-13 of EAX and 3-31 of EDX are reserved. */
#define CACHE_TYPE_MASK 0x1fu
#define CACHE_EAX_DEFINED 0xffffc3ffu
#define CACHE_EDX_DEFINED 0x00000007u
/* 0x80000001 EBX: the bits Xen's recalculate_misc keeps on AMD. */
#define EXTENDED_SIGNATURE_EBX_MASK 0xff00ffffu
/* 0x80000008: EAX bits 0-7 physical, 8-15 linear address size; ECX core counts. */
#define PHYSICAL_ADDRESS_BITS_MASK 0xffu
#define LINEAR_ADDRESS_BITS_SHIFT 8
#define GUEST_LINEAR_ADDRESS_BITS 48
#define ADDRESS_SIZES_ECX_MASK 0x0003f0ffu

/* Leaf 1 EDX (Xen featureset word 0). */
#define FPU BIT(0)
#define TSC CPUID_1_EDX_TSC
#define MSR BIT(5)
#define PAE BIT(6)
#define MCE BIT(7)
#define CX8 BIT(8)
#define APIC BIT(9)
#define SEP BIT(11)
#define MCA BIT(14)
#define CMOV BIT(15)
#define PAT BIT(16)
#define CLFLUSH BIT(19)
#define MMX BIT(23)
#define FXSR BIT(24)
#define SSE BIT(25)
#define SSE2 BIT(26)
#define SS BIT(27)
#define HTT BIT(28)

/* Leaf 1 ECX (word 1). */
#define SSE3 BIT(0)
#define PCLMULQDQ BIT(1)
#define SSSE3 BIT(9)
#define FMA BIT(12)
#define CX16 BIT(13)
#define SSE4_1 BIT(19)
#define SSE4_2 BIT(20)
#define MOVBE BIT(22)
#define POPCNT BIT(23)
#define AESNI BIT(25)
#define F16C BIT(29)
#define RDRAND BIT(30)
/* Offered with XSAVE, and with AVX (which needs YMM in XCR0). */
#define XSAVE_LEAF_1_ECX CPUID_1_ECX_XSAVE
#define AVX_LEAF_1_ECX (CPUID_1_ECX_AVX | FMA | F16C)

/* 0x80000001 EDX (word 2), and the bits AMD repeats from leaf 1 EDX. */
#define SYSCALL BIT(11)
#define NX BIT(20)
#define MMXEXT BIT(22)
#define FFXSR BIT(25)
#define LM BIT(29)
#define AMD_3DNOWEXT BIT(30)
#define AMD_3DNOW BIT(31)
/* FPU to APIC (bits 0-9), MTRR to PSE36 (12-17), MMX and FXSR: Xen's common_1d. */
#define COMMON_LEAF_1_EDX_BITS 0x0183f3ffu

/* 0x80000001 ECX (word 3). */
#define LAHF_LM BIT(0)
#define CMP_LEGACY BIT(1)
#define ABM BIT(5)
#define SSE4A BIT(6)
#define MISALIGNSSE BIT(7)
#define PREFETCH_3DNOW BIT(8)
#define TBM BIT(21)

/* Leaf 7 subleaf 0 EBX (word 5). */
#define BMI1 BIT(3)
#define AVX2 BIT(5)
#define BMI2 BIT(8)
#define ERMS BIT(9)
#define RDSEED BIT(18)
#define ADX BIT(19)
#define CLFLUSHOPT BIT(23)
#define CLWB BIT(24)
#define SHA BIT(29)

/* Leaf 0xD subleaf 1 EAX (word 4): XSAVES (bit 3) and XFD (bit 4) stay hidden. */
#define XSAVEOPT BIT(0)
#define XSAVEC BIT(1)
#define XGETBV1 BIT(2)
#define GUEST_LEAF_D_1_EAX (XSAVEOPT | XSAVEC | XGETBV1)
/* Leaf 0xD subleaf 2 and up, ECX: bit 1 says the component is 64-byte
 * aligned in the compacted format (bit 0, a supervisor state, is never
 * offered). */
#define XSTATE_COMPONENT_ALIGNED BIT(1)
#define XSTATE_ALIGNMENT 64
#define FIRST_EXTENDED_COMPONENT 2
#define XSTATE_COMPONENTS 64
#define HIGH_HALF_SHIFT 32

/* Leaf 7 subleaf 0 ECX (word 6). */
#define PREFETCHWT1 BIT(0)
#define GFNI BIT(8)
#define CLDEMOTE BIT(25)

/* Leaf 7 subleaf 0 EDX (word 9). */
#define FSRM BIT(4)
#define MD_CLEAR BIT(10)
#define SERIALIZE BIT(14)

/* Leaf 7 subleaf 1 EAX (word 10) and EDX (word 15); subleaf 2 EDX (word 13). */
#define FZRM BIT(10)
#define FSRS BIT(11)
#define FSRCS BIT(12)
#define PREFETCHI BIT(14)
#define MCDT_NO BIT(5)

/* 0x80000008 EBX (word 8). */
#define CLZERO BIT(0)
#define RSTR_FP_ERR_PTRS BIT(2)
#define SSB_NO BIT(26)
#define BTC_NO BIT(29)

/* 0x80000021 EAX (word 11) and ECX (word 18). */
#define NO_NEST_BP BIT(0)
#define LFENCE_DISPATCH BIT(2)
#define VERW_CLEAR BIT(5)
#define NSCB BIT(6)
#define AMD_FSRS BIT(10)
#define AMD_FSRC BIT(11)
#define FSRSC BIT(19)
#define AMD_PREFETCHI BIT(20)
#define SRSO_NO BIT(29)
#define TSA_SQ_NO BIT(1)
#define TSA_L1_NO BIT(2)

#define GUEST_LEAF_1_EDX                                                                             \
    (FPU | TSC | MSR | PAE | MCE | CX8 | APIC | SEP | MCA | CMOV | PAT | CLFLUSH | MMX | FXSR | SSE | \
     SSE2 | SS | HTT)
#define GUEST_LEAF_1_ECX                                                                             \
    (SSE3 | PCLMULQDQ | SSSE3 | CX16 | SSE4_1 | SSE4_2 | MOVBE | POPCNT | AESNI | RDRAND)
#define GUEST_LEAF_80000001_EDX                                                                      \
    (SYSCALL | NX | MMXEXT | FFXSR | LM | AMD_3DNOWEXT | AMD_3DNOW |                                 \
     (COMMON_LEAF_1_EDX_BITS & GUEST_LEAF_1_EDX))
#define GUEST_LEAF_80000001_ECX (LAHF_LM | CMP_LEGACY | ABM | SSE4A | MISALIGNSSE | PREFETCH_3DNOW | TBM)
#define GUEST_LEAF_7_0_EBX (BMI1 | BMI2 | ERMS | RDSEED | ADX | CLFLUSHOPT | CLWB | SHA)
#define GUEST_LEAF_7_0_ECX (PREFETCHWT1 | GFNI | CLDEMOTE)
#define GUEST_LEAF_7_0_EDX (FSRM | MD_CLEAR | SERIALIZE)
#define GUEST_LEAF_7_1_EAX (FZRM | FSRS | FSRCS)
#define GUEST_LEAF_7_1_EDX PREFETCHI
#define GUEST_LEAF_7_2_EDX MCDT_NO
#define GUEST_LEAF_80000008_EBX (CLZERO | RSTR_FP_ERR_PTRS | SSB_NO | BTC_NO)
#define GUEST_LEAF_80000021_EAX                                                                      \
    (NO_NEST_BP | LFENCE_DISPATCH | VERW_CLEAR | NSCB | AMD_FSRS | AMD_FSRC | FSRSC | AMD_PREFETCHI | SRSO_NO)
#define GUEST_LEAF_80000021_ECX (TSA_SQ_NO | TSA_L1_NO)

static void native_leaf(const struct cpuid_host *host, uint32_t leaf, uint32_t subleaf,
                        uint32_t result[CPUID_REGISTERS])
{
    host->native_cpuid(host->context, leaf, subleaf, result);
}

/* EAX of leaf (subleaf 0): the largest leaf of a range, or leaf 7's largest subleaf. */
static uint32_t native_eax(const struct cpuid_host *host, uint32_t leaf)
{
    uint32_t native[CPUID_REGISTERS];

    native_leaf(host, leaf, 0, native);
    return native[CPUID_EAX];
}

static void keep_features(uint32_t result[CPUID_REGISTERS], const uint32_t allowed[CPUID_REGISTERS])
{
    for (unsigned int index = 0; index < CPUID_REGISTERS; index++)
        result[index] &= allowed[index];
}

static void xen_leaf(uint32_t leaf, uint32_t result[CPUID_REGISTERS])
{
    switch (leaf) {
    case XEN_SIGNATURE_LEAF:
        result[CPUID_EAX] = LARGEST_XEN_LEAF;
        result[CPUID_EBX] = XEN_SIGNATURE_EBX;
        result[CPUID_ECX] = XEN_SIGNATURE_ECX;
        result[CPUID_EDX] = XEN_SIGNATURE_EDX;
        return;
    case XEN_VERSION_LEAF:
        result[CPUID_EAX] = (PVMON_XEN_MAJOR_VERSION << XEN_VERSION_MAJOR_SHIFT) | PVMON_XEN_MINOR_VERSION;
        return;
    case XEN_HYPERCALL_LEAF:
        result[CPUID_EAX] = XEN_HYPERCALL_PAGES;
        result[CPUID_EBX] = XEN_HYPERCALL_PAGE_MSR;
        return;
    default:
        return;
    }
}

/* The XCR0 components the guest may enable (0: XSAVE is not offered). */
static uint64_t offered_xstate(const struct cpuid_host *host)
{
    uint32_t features[CPUID_REGISTERS];
    uint32_t xstate[CPUID_REGISTERS];
    uint64_t offered;

    if (native_eax(host, 0) < CPUID_XSTATE_LEAF)
        return 0;
    native_leaf(host, CPUID_PROCESSOR_INFORMATION_LEAF, 0, features);
    if (!(features[CPUID_ECX] & CPUID_1_ECX_XSAVE))
        return 0;
    native_leaf(host, CPUID_XSTATE_LEAF, 0, xstate);
    offered = host->switched_xstate & XSTATE_SWITCHABLE &
              ((uint64_t)xstate[CPUID_EDX] << HIGH_HALF_SHIFT | xstate[CPUID_EAX]);
    if ((offered & XSTATE_FP_SSE) != XSTATE_FP_SSE)
        return 0;
    if (!(features[CPUID_ECX] & CPUID_1_ECX_AVX))
        offered &= ~XSTATE_YMM;
    return offered;
}

static bool guest_sees_osxsave(const struct cpuid_host *host)
{
    return host->guest_osxsave || host->enlightened_kernel_view;
}

static void processor_information_leaf(const struct cpuid_host *host, uint32_t result[CPUID_REGISTERS])
{
    uint64_t offered = offered_xstate(host);
    uint32_t allowed[CPUID_REGISTERS] = {
        SIGNATURE_MASK, LEAF_1_EBX_WITHOUT_APIC_ID, GUEST_LEAF_1_ECX, GUEST_LEAF_1_EDX
    };

    if (offered != 0)
        allowed[CPUID_ECX] |= XSAVE_LEAF_1_ECX;
    if (offered & XSTATE_YMM)
        allowed[CPUID_ECX] |= AVX_LEAF_1_ECX;
    keep_features(result, allowed);
    result[CPUID_ECX] |= CPUID_1_ECX_HYPERVISOR;
    if (offered != 0 && guest_sees_osxsave(host))
        result[CPUID_ECX] |= CPUID_1_ECX_OSXSAVE;
}

static bool has_component(uint64_t components, unsigned int component)
{
    return (components >> component) & 1;
}

/* The standard-format area for components: each extended component at
 * its native offset (Xen's xstate_uncompressed_size). */
static uint32_t uncompressed_size(const struct cpuid_host *host, uint64_t components)
{
    uint64_t size = XSAVE_EXTENDED_AREA_OFFSET;

    for (unsigned int component = FIRST_EXTENDED_COMPONENT; component < XSTATE_COMPONENTS; component++) {
        uint32_t native[CPUID_REGISTERS];

        if (!has_component(components, component))
            continue;
        native_leaf(host, CPUID_XSTATE_LEAF, component, native);
        if ((uint64_t)native[CPUID_EBX] + native[CPUID_EAX] > size)
            size = (uint64_t)native[CPUID_EBX] + native[CPUID_EAX];
    }
    return (uint32_t)size;
}

/* The compacted area for components: one after the other, some aligned
 * to 64 bytes (Xen's xstate_compressed_size). */
static uint32_t compressed_size(const struct cpuid_host *host, uint64_t components)
{
    uint64_t size = XSAVE_EXTENDED_AREA_OFFSET;

    for (unsigned int component = FIRST_EXTENDED_COMPONENT; component < XSTATE_COMPONENTS; component++) {
        uint32_t native[CPUID_REGISTERS];

        if (!has_component(components, component))
            continue;
        native_leaf(host, CPUID_XSTATE_LEAF, component, native);
        if (native[CPUID_ECX] & XSTATE_COMPONENT_ALIGNED)
            size = (size + XSTATE_ALIGNMENT - 1) & ~(uint64_t)(XSTATE_ALIGNMENT - 1);
        size += native[CPUID_EAX];
    }
    return (uint32_t)size;
}

static void xstate_leaf(const struct cpuid_host *host, uint32_t subleaf, uint32_t result[CPUID_REGISTERS])
{
    uint64_t offered = offered_xstate(host);
    uint64_t current = host->guest_xcr0 & offered;

    if (offered == 0)
        return;
    switch (subleaf) {
    case 0:
        result[CPUID_EAX] = (uint32_t)offered;
        result[CPUID_EBX] = uncompressed_size(host, current);
        result[CPUID_ECX] = uncompressed_size(host, offered);
        result[CPUID_EDX] = (uint32_t)(offered >> HIGH_HALF_SHIFT);
        return;
    case 1:
        native_leaf(host, CPUID_XSTATE_LEAF, 1, result);
        result[CPUID_EAX] &= GUEST_LEAF_D_1_EAX;
        result[CPUID_EBX] = result[CPUID_EAX] & XSAVEC ? compressed_size(host, current) : 0;
        result[CPUID_ECX] = 0;
        result[CPUID_EDX] = 0;
        return;
    default:
        if (subleaf >= XSTATE_COMPONENTS || !has_component(offered, subleaf))
            return;
        native_leaf(host, CPUID_XSTATE_LEAF, subleaf, result);
        result[CPUID_ECX] &= XSTATE_COMPONENT_ALIGNED;
        result[CPUID_EDX] = 0;
        return;
    }
}

static void cache_parameters_leaf(uint32_t result[CPUID_REGISTERS])
{
    static const uint32_t allowed[CPUID_REGISTERS] = {
        CACHE_EAX_DEFINED, UINT32_MAX, UINT32_MAX, CACHE_EDX_DEFINED
    };

    if ((result[CPUID_EAX] & CACHE_TYPE_MASK) == 0) {
        memset(result, 0, CPUID_REGISTERS * sizeof(result[0]));
        return;
    }
    keep_features(result, allowed);
}

static void structured_features_leaf(const struct cpuid_host *host, uint32_t subleaf,
                                     uint32_t result[CPUID_REGISTERS])
{
    static const uint32_t allowed[LAST_FEATURE_SUBLEAF + 1][CPUID_REGISTERS] = {
        { 0, GUEST_LEAF_7_0_EBX, GUEST_LEAF_7_0_ECX, GUEST_LEAF_7_0_EDX },
        { GUEST_LEAF_7_1_EAX, 0, 0, GUEST_LEAF_7_1_EDX },
        { 0, 0, 0, GUEST_LEAF_7_2_EDX },
    };
    uint32_t last_subleaf = native_eax(host, CPUID_STRUCTURED_FEATURES_LEAF);

    uint32_t native_ebx;

    if (last_subleaf > LAST_FEATURE_SUBLEAF)
        last_subleaf = LAST_FEATURE_SUBLEAF;
    if (subleaf > last_subleaf)
        return;
    native_leaf(host, CPUID_STRUCTURED_FEATURES_LEAF, subleaf, result);
    native_ebx = result[CPUID_EBX];
    keep_features(result, allowed[subleaf]);
    if (subleaf == 0) {
        result[CPUID_EAX] = last_subleaf;
        if (offered_xstate(host) & XSTATE_YMM)
            result[CPUID_EBX] |= native_ebx & AVX2;
    }
}

static void basic_leaf(const struct cpuid_host *host, uint32_t leaf, uint32_t subleaf,
                       uint32_t result[CPUID_REGISTERS])
{
    if (leaf > native_eax(host, 0))
        return;
    switch (leaf) {
    case 0:
    case CACHE_DESCRIPTORS_LEAF:
        native_leaf(host, leaf, subleaf, result);
        return;
    case CPUID_PROCESSOR_INFORMATION_LEAF:
        native_leaf(host, leaf, subleaf, result);
        processor_information_leaf(host, result);
        return;
    case CACHE_PARAMETERS_LEAF:
        native_leaf(host, leaf, subleaf, result);
        cache_parameters_leaf(result);
        return;
    case CPUID_STRUCTURED_FEATURES_LEAF:
        structured_features_leaf(host, subleaf, result);
        return;
    case CPUID_XSTATE_LEAF:
        xstate_leaf(host, subleaf, result);
        return;
    default:
        return;
    }
}

static void extended_leaf_filtered(const struct cpuid_host *host, uint32_t leaf,
                                   const uint32_t allowed[CPUID_REGISTERS], uint32_t result[CPUID_REGISTERS])
{
    native_leaf(host, leaf, 0, result);
    keep_features(result, allowed);
}

static void address_sizes_leaf(const struct cpuid_host *host, uint32_t result[CPUID_REGISTERS])
{
    static const uint32_t allowed[CPUID_REGISTERS] = {
        PHYSICAL_ADDRESS_BITS_MASK, GUEST_LEAF_80000008_EBX, ADDRESS_SIZES_ECX_MASK, 0
    };

    extended_leaf_filtered(host, ADDRESS_SIZES_LEAF, allowed, result);
    result[CPUID_EAX] |= GUEST_LINEAR_ADDRESS_BITS << LINEAR_ADDRESS_BITS_SHIFT;
}

static void extended_leaf(const struct cpuid_host *host, uint32_t leaf, uint32_t result[CPUID_REGISTERS])
{
    static const uint32_t extended_features[CPUID_REGISTERS] = {
        UINT32_MAX, EXTENDED_SIGNATURE_EBX_MASK, GUEST_LEAF_80000001_ECX, GUEST_LEAF_80000001_EDX
    };
    static const uint32_t extended_features_2[CPUID_REGISTERS] = {
        GUEST_LEAF_80000021_EAX, 0, GUEST_LEAF_80000021_ECX, 0
    };
    uint32_t maximum = native_eax(host, FIRST_EXTENDED_LEAF);

    if (leaf > maximum || leaf > LAST_EXTENDED_LEAF)
        return;
    switch (leaf) {
    case FIRST_EXTENDED_LEAF:
        native_leaf(host, leaf, 0, result);
        if (maximum > LAST_EXTENDED_LEAF)
            result[CPUID_EAX] = LAST_EXTENDED_LEAF;
        return;
    case EXTENDED_PROCESSOR_INFORMATION_LEAF:
        extended_leaf_filtered(host, leaf, extended_features, result);
        return;
    case FIRST_BRAND_STRING_LEAF:
    case FIRST_BRAND_STRING_LEAF + 1:
    case FIRST_BRAND_STRING_LEAF + 2:
    case L1_CACHE_LEAF:
    case L2_CACHE_LEAF:
        native_leaf(host, leaf, 0, result);
        return;
    case ADDRESS_SIZES_LEAF:
        address_sizes_leaf(host, result);
        return;
    case EXTENDED_FEATURES_2_LEAF:
        extended_leaf_filtered(host, leaf, extended_features_2, result);
        return;
    default:
        return;
    }
}

void cpuid_policy_guest_leaf(const struct cpuid_host *host, uint32_t leaf, uint32_t subleaf,
                             uint32_t result[CPUID_REGISTERS])
{
    memset(result, 0, CPUID_REGISTERS * sizeof(result[0]));
    if (leaf < FIRST_HYPERVISOR_LEAF)
        basic_leaf(host, leaf, subleaf, result);
    else if (leaf <= LAST_HYPERVISOR_LEAF)
        xen_leaf(leaf, result);
    else if (leaf >= FIRST_EXTENDED_LEAF)
        extended_leaf(host, leaf, result);
}
