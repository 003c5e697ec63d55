/*
 * The hypervisor's use of XSAVE for its vCPUs' extended state: CR4.OSXSAVE,
 * the processor's XCR0, and saving and restoring a vCPU's area.
 *
 * Rules kept here (Xen 4.17: xen/arch/x86/xstate.c xstate_init, xsave,
 * xrstor, set_xcr0; xen/arch/x86/i387.c):
 *   - XSAVE is used when the processor has it and its leaf 0xD names x87
 *     and SSE.  The components switched are x87, SSE and YMM, those of them
 *     the processor has, as long as their standard-format area fits a
 *     vCPU's FPU_STATE_SIZE bytes (CPUID 0xD:0 EBX with XCR0 set to them);
 *     YMM is dropped if it would not.  Without XSAVE, CR4.OSXSAVE stays
 *     clear and vCPUs get FXSAVE images (arch/x86/context.c).
 *   - While no vCPU runs, XCR0 holds every switched component.  A vCPU's
 *     area is saved and restored with XCR0 and the instruction mask both
 *     set to all of them, whatever XCR0 the guest chose, so a component
 *     the guest has not enabled (yet) is still its own when it enables it,
 *     and the next vCPU sees none of it (Xen saves with xcr0_accum for the
 *     same reason).  Then the vCPU's own XCR0 is loaded for it to run with,
 *     so xgetbv, which a guest runs natively, reads its own value.
 *   - pvmon writes XCR0 itself only; a guest's xsetbv faults (CPL 3) and
 *     is emulated (common/privileged_instruction.c), so the value cached
 *     here is the processor's.
 *   - The areas are saved with plain XSAVE, and pvmon's own XRSTOR is the
 *     last before a vCPU runs, so a guest's XSAVEOPT (its "modified"
 *     optimisation follows the linear address and CPL of the last XRSTOR)
 *     never skips a component on the strength of another domain's XRSTOR.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/xstate.h>
#include <pvmon/x86.h>

#define CPUID_1_ECX_XSAVE_BIT (1U << 26)
#define XSTATE_LEAF 0xd
#define HIGH_HALF_SHIFT 32

_Static_assert(FPU_STATE_SIZE >= XSAVE_EXTENDED_AREA_OFFSET, "an XSAVE area holds x87 and SSE at least");

static uint64_t switched_components;
static uint64_t processor_xcr0;

static void write_xcr0(uint64_t value)
{
    __asm__ volatile("xsetbv" : : "c"(XSTATE_XCR0_INDEX), "a"((uint32_t)value),
                     "d"((uint32_t)(value >> HIGH_HALF_SHIFT)));
    processor_xcr0 = value;
}

static void load_xcr0(uint64_t value)
{
    if (value != processor_xcr0)
        write_xcr0(value);
}

/* Sets XCR0 to components and returns the area size they need. */
static uint32_t area_size_with(uint64_t components)
{
    write_xcr0(components);
    return cpuid(XSTATE_LEAF, 0).ebx;
}

static uint64_t components_that_fit(uint64_t components)
{
    if (area_size_with(components) <= FPU_STATE_SIZE)
        return components;
    components &= ~XSTATE_YMM;
    return area_size_with(components) <= FPU_STATE_SIZE ? components : 0;
}

uint64_t xstate_init(void)
{
    struct cpuid_result leaf;
    uint64_t components;

    if (cpuid(0, 0).eax < XSTATE_LEAF || !(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE_BIT))
        return 0;
    leaf = cpuid(XSTATE_LEAF, 0);
    components = ((uint64_t)leaf.edx << HIGH_HALF_SHIFT | leaf.eax) & XSTATE_SWITCHABLE;
    if ((components & XSTATE_FP_SSE) != XSTATE_FP_SSE)
        return 0;
    write_cr4(read_cr4() | CR4_OSXSAVE);
    switched_components = components_that_fit(components);
    if (switched_components == 0) {
        write_cr4(read_cr4() & ~CR4_OSXSAVE);
        return 0;
    }
    write_xcr0(switched_components);
    return switched_components;
}

uint64_t xstate_switched_components(void)
{
    return switched_components;
}

void xstate_load_guest_xcr0(uint64_t value)
{
    load_xcr0(value);
}

void xstate_save(uint8_t *area)
{
    load_xcr0(switched_components);
    __asm__ volatile("xsave64 %0"
                     : "=m"(*(uint8_t(*)[FPU_STATE_SIZE])area)
                     : "a"((uint32_t)switched_components), "d"((uint32_t)(switched_components >> HIGH_HALF_SHIFT))
                     : "memory");
}

void xstate_restore(const uint8_t *area, uint64_t guest_xcr0)
{
    load_xcr0(switched_components);
    __asm__ volatile("xrstor64 %0"
                     : : "m"(*(const uint8_t(*)[FPU_STATE_SIZE])area), "a"((uint32_t)switched_components),
                       "d"((uint32_t)(switched_components >> HIGH_HALF_SHIFT))
                     : "memory");
    load_xcr0(guest_xcr0);
}
