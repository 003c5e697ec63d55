/*
 * The CPUID a 64-bit PV guest sees: the native leaves, filtered down to
 * what a PV guest may use, plus Xen's hypervisor leaves at 0x40000000.
 * The guest reaches it through the forced-emulation prefix (ud2 "xen"
 * cpuid), which Linux uses for every cpuid() it issues.
 *
 * The native values come through a callback, so that the policy is pure:
 * the hypervisor passes the CPUID instruction, host tests pass a table.
 * The rules, and where pvmon hides more than Xen, are listed at the top
 * of hypervisor/common/cpuid_policy.c.
 */
#ifndef PVMON_CPUID_POLICY_H
#define PVMON_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* Xen's leaves (<xen/arch-x86/cpuid.h>): signature, version (the one in
 * pvmon/xen_version.h), hypercall page. */
#define XEN_SIGNATURE_LEAF 0x40000000u
#define XEN_VERSION_LEAF 0x40000001u
#define XEN_HYPERCALL_LEAF 0x40000002u
#define XEN_HYPERCALL_PAGE_MSR 0x40000000u

/* Index of each register in a result[CPUID_REGISTERS]. */
enum cpuid_register { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX, CPUID_REGISTERS };

#define CPUID_PROCESSOR_INFORMATION_LEAF 1
#define CPUID_STRUCTURED_FEATURES_LEAF 7
#define CPUID_XSTATE_LEAF 0xd

/* Feature bits that the privileged-instruction emulator consults too. */
#define CPUID_1_EDX_DE (UINT32_C(1) << 2)
#define CPUID_1_EDX_TSC (UINT32_C(1) << 4)
#define CPUID_1_ECX_XSAVE (UINT32_C(1) << 26)
#define CPUID_1_ECX_OSXSAVE (UINT32_C(1) << 27)
#define CPUID_1_ECX_AVX (UINT32_C(1) << 28)
#define CPUID_1_ECX_HYPERVISOR (UINT32_C(1) << 31)
#define CPUID_7_0_EBX_FSGSBASE (UINT32_C(1) << 0)

struct cpuid_host {
    void *context;
    /* The processor's own answer to CPUID with EAX = leaf, ECX = subleaf. */
    void (*native_cpuid)(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS]);
    /* The XCR0 components the hypervisor saves and restores for its vCPUs
     * (at most XSTATE_SWITCHABLE, pvmon/xstate.h), with its own CR4.OSXSAVE
     * set; 0 when it does not use XSAVE.  XSAVE is offered only if these
     * hold x87 and SSE, AVX only if they hold YMM. */
    uint64_t switched_xstate;
    /* The asking vCPU's XCR0: leaf 0xD reports the size of its area. */
    uint64_t guest_xcr0;
    /* Whether the vCPU's view of CR4 has OSXSAVE set. */
    bool guest_osxsave;
    /* Whether the guest kernel asks through the forced-emulation prefix
     * (Xen's "enlightened" view, where OSXSAVE shows whenever XSAVE is
     * offered and the hypervisor's CR4 has it, whatever the guest's CR4). */
    bool enlightened_kernel_view;
};

/* What a PV guest's CPUID with EAX = leaf, ECX = subleaf returns. */
void cpuid_policy_guest_leaf(const struct cpuid_host *host, uint32_t leaf, uint32_t subleaf,
                             uint32_t result[CPUID_REGISTERS]);

#endif
