/*
 * The extended processor state (XSAVE) a PV guest may enable in XCR0, and
 * the check of a value the guest writes with xsetbv.  pvmon switches the
 * x87, SSE and AVX (YMM) components at most; the CPUID policy offers
 * those of them the hypervisor switches (pvmon/cpuid_policy.h), and a
 * guest's XCR0 may name only what its CPUID leaf 0xD offers.  Pure code,
 * host-tested: the rules are at the top of hypervisor/common/xstate.c.
 */
#ifndef PVMON_XSTATE_H
#define PVMON_XSTATE_H

#include <stdbool.h>
#include <stdint.h>

/* XCR0 bits (Xen's X86_XCR0_*, xen/arch/x86/include/asm/x86-defns.h). */
#define XSTATE_X87 (UINT64_C(1) << 0)
#define XSTATE_SSE (UINT64_C(1) << 1)
#define XSTATE_YMM (UINT64_C(1) << 2)
#define XSTATE_BNDREGS (UINT64_C(1) << 3)
#define XSTATE_BNDCSR (UINT64_C(1) << 4)
#define XSTATE_OPMASK (UINT64_C(1) << 5)
#define XSTATE_ZMM (UINT64_C(1) << 6)
#define XSTATE_HI_ZMM (UINT64_C(1) << 7)
/* What a vCPU starts with, as in Xen (XSTATE_FP_SSE, xstate_alloc_save_area). */
#define XSTATE_FP_SSE (XSTATE_X87 | XSTATE_SSE)
/* Every component pvmon may switch for a vCPU. */
#define XSTATE_SWITCHABLE (XSTATE_X87 | XSTATE_SSE | XSTATE_YMM)

/* The XCR0 register xsetbv writes when ECX is 0 (XCR_XFEATURE_ENABLED_MASK). */
#define XSTATE_XCR0_INDEX 0

/* The standard-format XSAVE area: the FXSAVE image, then the 64-byte
 * header whose first word is XSTATE_BV. */
#define XSAVE_LEGACY_AREA_SIZE 512
#define XSAVE_HEADER_SIZE 64
#define XSAVE_HEADER_OFFSET XSAVE_LEGACY_AREA_SIZE
#define XSAVE_EXTENDED_AREA_OFFSET (XSAVE_LEGACY_AREA_SIZE + XSAVE_HEADER_SIZE)

/* Whether a guest may set XCR0 to value, when its CPUID offers the
 * components in offered (leaf 0xD subleaf 0, EDX:EAX): Xen's
 * handle_xsetbv and valid_xcr0 (xen/arch/x86/xstate.c). */
bool xstate_xcr0_is_valid(uint64_t value, uint64_t offered);

#endif
