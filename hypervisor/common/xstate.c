/*
 * The XCR0 a PV guest may set with xsetbv (see pvmon/xstate.h).  This file
 * owns the check; the emulator (common/privileged_instruction.c) decodes
 * the instruction and the kernel loads the value.  Rules kept, from Xen
 * 4.17's handle_xsetbv and valid_xcr0 (xen/arch/x86/xstate.c), where any
 * refusal is #GP(0) (x86emul_write_xcr in xen/arch/x86/x86_emulate.c):
 * - no bit the guest's CPUID does not offer (xcr0_max, from leaf 0xD);
 * - x87 always set;
 * - YMM needs SSE;
 * - OPMASK, ZMM and HI_ZMM need YMM and come all three together;
 * - BNDREGS and BNDCSR come together.
 * pvmon offers at most x87, SSE and YMM, so the last two can only fail
 * through the first; they are kept so that the check stays Xen's.
 */
#include <pvmon/xstate.h>

#define XSTATE_AVX512 (XSTATE_OPMASK | XSTATE_ZMM | XSTATE_HI_ZMM)
#define XSTATE_MPX (XSTATE_BNDREGS | XSTATE_BNDCSR)

static bool all_or_none(uint64_t value, uint64_t group)
{
    return (value & group) == 0 || (value & group) == group;
}

static bool components_are_consistent(uint64_t value)
{
    if (!(value & XSTATE_X87))
        return false;
    if ((value & XSTATE_YMM) && !(value & XSTATE_SSE))
        return false;
    if ((value & XSTATE_AVX512) && !(value & XSTATE_YMM))
        return false;
    return all_or_none(value, XSTATE_AVX512) && all_or_none(value, XSTATE_MPX);
}

bool xstate_xcr0_is_valid(uint64_t value, uint64_t offered)
{
    return (value & ~offered) == 0 && components_are_consistent(value);
}
