/*
 * The part of a vCPU's state that lives in the CPU beyond its general
 * registers, saved when the vCPU stops running and loaded when it runs
 * again: FPU, SSE and AVX state (an XSAVE area with the guest's XCR0, or
 * an FXSAVE image where the processor has no XSAVE), the data segment
 * selectors, the FS, GS and shadow GS bases (pvmon never uses FS or GS
 * itself, so the hardware holds the guest's values while it runs), its
 * virtual CR0.TS and its debug registers.
 *
 * Rules kept here:
 *   - FPU state is switched eagerly on every vCPU switch; pvmon itself is
 *     built without SSE and never touches it.  With XSAVE, every component
 *     pvmon switches is saved and restored whatever the guest's XCR0
 *     (arch/x86/xstate.c).  A new vCPU starts with x87 and SSE as after
 *     FNINIT (FCW 0x37f, MXCSR 0x1f80), YMM in its initial (zero) state
 *     and XCR0 = x87|SSE (Xen's XSTATE_FP_SSE).
 *   - On a CPU whose FXRSTOR (and XRSTOR) leaves the previous x87
 *     FIP/FDP/FOP in place (common/fpu_pointers.c), they are first set to
 *     fixed values pointing into the incoming vCPU's own image, so one
 *     domain never reads another's (Xen's fpu_fxrstor, and xrstor in
 *     xen/arch/x86/xstate.c, which makes the same check on the area's
 *     FXSAVE part).
 *   - A vCPU whose guest set CR0.TS (fpu_taskswitch) runs with the real TS
 *     set, so its next FPU instruction raises #NM, which goes to the guest
 *     (Xen's rule).
 *   - The bases are re-read from the hardware when a vCPU stops, never
 *     trusted from a cache: the guest may load FS/GS selectors itself
 *     (brief 3.2; Xen's save_segments).
 *   - A data selector that no longer loads (the guest changed its GDT) is
 *     replaced by the null selector instead of faulting in the hypervisor.
 */
#include <pvmon/arch.h>
#include "exception_fixup.h"
#include <pvmon/domain.h>
#include <pvmon/fpu_pointers.h>
#include <pvmon/string.h>
#include <pvmon/x86.h>
#include <pvmon/xstate.h>

#define FPU_DEFAULT_CONTROL_WORD 0x037f  /* all x87 exceptions masked, as after FNINIT */
#define FPU_DEFAULT_MXCSR 0x1f80         /* all SSE exceptions masked */
#define FXSAVE_MXCSR_OFFSET 24

enum data_selector { SELECTOR_DS, SELECTOR_ES, SELECTOR_FS, SELECTOR_GS };

_Static_assert(FPU_STATE_SIZE >= FXSAVE_IMAGE_SIZE && XSAVE_LEGACY_AREA_SIZE == FXSAVE_IMAGE_SIZE,
               "a vCPU's FPU state starts with an FXSAVE image");

static bool fpu_pointers_survive_fxrstor_here;

void cpu_context_init(const struct cpu_features *features)
{
    fpu_pointers_survive_fxrstor_here = features->fpu_pointers_survive_fxrstor;
}

/* Leaves FIP/FDP/FOP at fixed values: no pending exception, an empty
 * st(7) for a load, and a load from the image itself. */
static void reset_fpu_pointers(const uint8_t *image)
{
    __asm__ volatile("fnclex\n\t"
                     "ffree %%st(7)\n\t"
                     "fildl %0"
                     : : "m"(*(const uint32_t *)image));
}

static void restore_fpu(const struct vcpu_context *context)
{
    if (fpu_pointers_need_clearing(fpu_pointers_survive_fxrstor_here, context->fpu_state))
        reset_fpu_pointers(context->fpu_state);
    if (xstate_switched_components() != 0)
        xstate_restore(context->fpu_state, context->xcr0);
    else
        __asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[FXSAVE_IMAGE_SIZE])context->fpu_state));
}

static void save_fpu(struct vcpu_context *context)
{
    if (xstate_switched_components() != 0)
        xstate_save(context->fpu_state);
    else
        __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FXSAVE_IMAGE_SIZE])context->fpu_state));
}

/* x87 and SSE as after FNINIT with MXCSR's default; with XSAVE, the
 * header says they are to be loaded (XSTATE_BV) and leaves every other
 * component in its initial state. */
void vcpu_context_init(struct vcpu_context *context)
{
    uint16_t control_word = FPU_DEFAULT_CONTROL_WORD;
    uint32_t mxcsr = FPU_DEFAULT_MXCSR;
    uint64_t loaded_components = XSTATE_FP_SSE;

    memset(context, 0, sizeof(*context));
    memcpy(&context->fpu_state[0], &control_word, sizeof(control_word));
    memcpy(&context->fpu_state[FXSAVE_MXCSR_OFFSET], &mxcsr, sizeof(mxcsr));
    if (xstate_switched_components() != 0) {
        memcpy(&context->fpu_state[XSAVE_HEADER_OFFSET], &loaded_components, sizeof(loaded_components));
        context->xcr0 = XSTATE_FP_SSE;
    }
    debug_registers_reset(&context->debug);
}

static void set_task_switched(bool set)
{
    uint64_t cr0 = read_cr0();
    uint64_t wanted = set ? cr0 | CR0_TS : cr0 & ~CR0_TS;

    if (wanted != cr0)
        write_cr0(wanted);
}

void cpu_set_task_switched(bool set)
{
    set_task_switched(set);
}

static void save_selectors(uint16_t selectors[4])
{
    __asm__ volatile("mov %%ds, %0" : "=r"(selectors[SELECTOR_DS]));
    __asm__ volatile("mov %%es, %0" : "=r"(selectors[SELECTOR_ES]));
    __asm__ volatile("mov %%fs, %0" : "=r"(selectors[SELECTOR_FS]));
    __asm__ volatile("mov %%gs, %0" : "=r"(selectors[SELECTOR_GS]));
}

/* Loads a data segment register; a selector that faults loads null. */
#define LOAD_SELECTOR(register_name, selector)                                  \
    __asm__ volatile("1: mov %k0, %%" register_name "\n"                        \
                     "2:\n"                                                     \
                     EXCEPTION_FIXUP("xor %k0, %k0; mov %k0, %%" register_name) \
                     : : "r"((uint32_t)(selector)))

static void load_selectors(const uint16_t selectors[4])
{
    LOAD_SELECTOR("ds", selectors[SELECTOR_DS]);
    LOAD_SELECTOR("es", selectors[SELECTOR_ES]);
    LOAD_SELECTOR("fs", selectors[SELECTOR_FS]);
    LOAD_SELECTOR("gs", selectors[SELECTOR_GS]);
}

static void write_debug_registers(const struct debug_registers *debug)
{
    __asm__ volatile("mov %0, %%dr7" : : "r"(0UL));
    __asm__ volatile("mov %0, %%dr0" : : "r"(debug->address[0]));
    __asm__ volatile("mov %0, %%dr1" : : "r"(debug->address[1]));
    __asm__ volatile("mov %0, %%dr2" : : "r"(debug->address[2]));
    __asm__ volatile("mov %0, %%dr3" : : "r"(debug->address[3]));
    __asm__ volatile("mov %0, %%dr6" : : "r"(debug->status));
    __asm__ volatile("mov %0, %%dr7" : : "r"(debug->control));
}

uint64_t cpu_read_debug_status(void)
{
    uint64_t status;

    __asm__ volatile("mov %%dr6, %0" : "=r"(status));
    return status;
}

uint64_t cpu_read_debug_control(void)
{
    uint64_t control;

    __asm__ volatile("mov %%dr7, %0" : "=r"(control));
    return control;
}

/* Until the next vCPU switch loads the guest's DR7 again. */
void cpu_disable_breakpoints(void)
{
    __asm__ volatile("mov %0, %%dr7" : : "r"(0UL));
}

void vcpu_context_save(struct vcpu_context *context)
{
    set_task_switched(false);
    save_fpu(context);
    save_selectors(context->data_selectors);
    context->fs_base = rdmsr(MSR_FS_BASE);
    context->gs_base = rdmsr(MSR_GS_BASE);
    context->shadow_gs_base = rdmsr(MSR_SHADOW_GS_BASE);
    context->debug.status = cpu_read_debug_status();
}

/* Loading a selector overwrites its base, so the bases come after. */
void vcpu_context_load(const struct vcpu_context *context)
{
    set_task_switched(false);
    restore_fpu(context);
    load_selectors(context->data_selectors);
    wrmsr(MSR_FS_BASE, context->fs_base);
    wrmsr(MSR_GS_BASE, context->gs_base);
    wrmsr(MSR_SHADOW_GS_BASE, context->shadow_gs_base);
    write_debug_registers(&context->debug);
    set_task_switched(context->task_switched);
}

/* The guest kernel/user toggle swaps the active and shadow GS bases. */
void cpu_swap_gs(void)
{
    __asm__ volatile("swapgs" ::: "memory");
}

static uint32_t segment_base_register(enum segment_base which)
{
    switch (which) {
    case SEGMENT_BASE_FS:
        return MSR_FS_BASE;
    case SEGMENT_BASE_GS:
        return MSR_GS_BASE;
    default:
        return MSR_SHADOW_GS_BASE;
    }
}

uint64_t cpu_read_segment_base(enum segment_base which)
{
    return rdmsr(segment_base_register(which));
}

void cpu_write_segment_base(enum segment_base which, uint64_t base)
{
    wrmsr(segment_base_register(which), base);
}

/* set_segment_base(SEGBASE_GS_USER_SEL): loads the user GS selector, which
 * is the shadow one while the guest kernel runs (swapgs around it). */
void cpu_load_user_gs_selector(uint16_t selector)
{
    cpu_swap_gs();
    LOAD_SELECTOR("gs", selector);
    cpu_swap_gs();
}

void cpu_load_debug_registers(const struct debug_registers *debug)
{
    write_debug_registers(debug);
}
