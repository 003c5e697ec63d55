/*
 * A 64-bit PV vCPU's debug registers as the set_debugreg and
 * get_debugreg hypercalls see them: DR0-DR3 (breakpoint addresses), DR6
 * (status) and DR7 (control), with Xen's checks on every value a guest
 * writes.  Register numbers are those of the hypercalls (0-7); DR4 and
 * DR5 are the old aliases of DR6 and DR7.
 *
 * pvmon keeps the guest's CR4.DE (debugging extensions) clear at all
 * times, so DR4/DR5 always alias DR6/DR7 and I/O breakpoints are always
 * refused.  The guest is also never offered RTM or bus-lock detection, so
 * the DR6/DR7 bits of those features read as reserved.
 *
 * Functions return 0 or a negative Xen errno value with Xen's meaning:
 * -XEN_EINVAL a bit that can never be set, -XEN_EPERM a valid setting
 * that a guest is not allowed, -XEN_ENODEV no such register.  A refused
 * write changes nothing.
 */
#ifndef PVMON_DEBUG_REGISTERS_H
#define PVMON_DEBUG_REGISTERS_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUG_STATUS_RESET UINT64_C(0xffff0ff0)  /* DR6 after reset */
#define DEBUG_CONTROL_RESET UINT64_C(0x00000400) /* DR7 after reset */

struct debug_registers {
    uint64_t address[4]; /* DR0-DR3 */
    uint64_t status;     /* DR6 */
    uint64_t control;    /* DR7 */
};

/* The values after reset: no breakpoints, DR6 and DR7 at their reset values. */
void debug_registers_reset(struct debug_registers *registers);

/* set_debugreg: check value and store it, adjusted as the hardware would hold it. */
int debug_registers_set(struct debug_registers *registers, unsigned int reg, uint64_t value);

/* get_debugreg: the value of register reg in *value. */
int debug_registers_get(const struct debug_registers *registers, unsigned int reg, uint64_t *value);

/* A #DB raised in the hypervisor's own context, with the interrupted
 * RFLAGS and the hardware's DR6 and DR7: what to do before resuming
 * (Xen's do_debug outside guest mode). */
struct hypervisor_debug_response {
    bool clear_single_step;     /* clear RFLAGS.TF in the interrupted frame */
    bool disable_breakpoints;   /* write 0 to DR7 */
};
struct hypervisor_debug_response debug_exception_in_hypervisor(uint64_t rflags, uint64_t status, uint64_t control);

#endif
