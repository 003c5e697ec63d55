/*
 * The hypercalls that stand in for privileged register writes a PV guest
 * kernel may not make itself: fpu_taskswitch (CR0.TS), set_debugreg and
 * get_debugreg, and set_segment_base (the FS and GS bases and the user GS
 * selector).
 *
 * Rules kept here (xen/arch/x86/pv/misc-hypercalls.c, xen/arch/x86/x86_64/mm.c:
 * do_set_segment_base):
 *   - fpu_taskswitch(1) sets the guest's virtual CR0.TS, and the real one
 *     while it runs, so its next FPU instruction bounces #NM to it;
 *     fpu_taskswitch(0) clears both.
 *   - Debug register values are checked by common/debug_registers.c and
 *     loaded at once (the vCPU is running); DR6 is read from the hardware,
 *     which may have set bits since.
 *   - A segment base must be canonical (-EINVAL).  While the guest kernel
 *     runs, the user GS base is the shadow one.  An unknown selector for
 *     the base is -EINVAL.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/hypercalls.h>
#include <xen/xen.h>

#define DEBUG_STATUS_REGISTER 6
#define CANONICAL_SIGN_SHIFT 47

long do_fpu_taskswitch(struct vcpu *vcpu, uint64_t set)
{
    vcpu->context.task_switched = set != 0;
    cpu_set_task_switched(set != 0);
    return 0;
}

long do_set_debugreg(struct vcpu *vcpu, uint64_t reg, uint64_t value)
{
    int error = debug_registers_set(&vcpu->context.debug, reg > UINT32_MAX ? UINT32_MAX : (unsigned int)reg,
                                    value);
    if (error == 0)
        cpu_load_debug_registers(&vcpu->context.debug);
    return error;
}

/* The value goes back as the hypercall's result, as in Xen. */
long do_get_debugreg(struct vcpu *vcpu, uint64_t reg)
{
    uint64_t value;
    int error;

    vcpu->context.debug.status = cpu_read_debug_status();
    error = debug_registers_get(&vcpu->context.debug, reg > UINT32_MAX ? UINT32_MAX : (unsigned int)reg, &value);
    return error ? error : (long)value;
}

static bool is_canonical(uint64_t address)
{
    uint64_t upper = address >> CANONICAL_SIGN_SHIFT;

    return upper == 0 || upper == (UINT64_MAX >> CANONICAL_SIGN_SHIFT);
}

static long write_segment_base(enum segment_base which, uint64_t base)
{
    if (!is_canonical(base))
        return -XEN_EINVAL;
    cpu_write_segment_base(which, base);
    return 0;
}

long do_set_segment_base(uint64_t which, uint64_t base)
{
    switch (which) {
    case SEGBASE_FS:
        return write_segment_base(SEGMENT_BASE_FS, base);
    case SEGBASE_GS_USER:
        return write_segment_base(SEGMENT_BASE_SHADOW_GS, base);
    case SEGBASE_GS_KERNEL:
        return write_segment_base(SEGMENT_BASE_GS, base);
    case SEGBASE_GS_USER_SEL:
        cpu_load_user_gs_selector((uint16_t)base);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}
