/*
 * Debug registers of a 64-bit PV vCPU (see pvmon/debug_registers.h).
 * This file owns the checks on values written with set_debugreg and the
 * stored values read with get_debugreg.  It keeps the rules of Xen's
 * set_debugreg and do_get_debugreg (xen/arch/x86/pv/misc-hypercalls.c;
 * the latter reads through x86emul_read_dr), with the bit definitions of
 * xen/arch/x86/include/asm/debugreg.h and x86-defns.h and the reserved-bit
 * adjustment of x86_adj_dr6_rsvd/x86_adj_dr7_rsvd (xen/arch/x86/debug.c)
 * for a guest without RTM or bus-lock detection:
 *
 * - DR0-DR3 must be guest addresses: in the lower canonical half or at or
 *   above the end of the hypervisor's slots (HYPERVISOR_VIRT_END); a
 *   non-canonical address or one in 0xffff800000000000-0xffff87ffffffffff
 *   gives -EPERM.  Only the start address is checked, as Xen does: every
 *   breakpoint is at most 8 bytes and naturally aligned, so it cannot
 *   straddle those boundaries.
 * - DR4/DR5 are DR6/DR7 (CR4.DE is always clear for pvmon's guests; with
 *   it set Xen answers -ENODEV).
 * - DR6 and DR7: any of the upper 32 bits set gives -EINVAL.
 * - DR6: reserved bits are forced, not refused: bits 4-11 and 16-31 read
 *   as one, bit 12 as zero.
 * - DR7: bits 11, 12, 14 and 15 are forced to zero and bit 10 to one;
 *   then general detect (GD, bit 13) gives -EPERM, and, when any
 *   breakpoint is enabled, an I/O breakpoint (R/W field 10b in any of the
 *   four slots, enabled or not) gives -EPERM because CR4.DE is clear.
 * - Any other register number gives -ENODEV, for reading and writing.
 *
 * A #DB raised in the hypervisor's own context (Xen's do_debug when not
 * in guest mode; DR6 is mostly guest-controlled, so it is crosschecked
 * with DR7): a single step (RFLAGS.TF set in the interrupted frame) is
 * cleared, since pvmon has no debugger; a hit instruction breakpoint
 * (B0-B3 in DR6 for a slot DR7 enables with R/W 00) would fire again at
 * once, so all breakpoints are disabled; anything else (a guest's data
 * breakpoint hit while the hypervisor touched its memory, or one held
 * back by mov ss over a syscall) has already happened and is ignored.
 */
#include <stdbool.h>

#include <pvmon/debug_registers.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>

#define LAST_ADDRESS_REGISTER 3
#define STATUS_ALIAS_REGISTER 4
#define CONTROL_ALIAS_REGISTER 5
#define STATUS_REGISTER 6
#define CONTROL_REGISTER 7

#define UPPER_HALF_MASK UINT64_C(0xffffffff00000000)

#define STATUS_FORCED_ZERO UINT64_C(0x00001000)
#define STATUS_FORCED_ONE DEBUG_STATUS_RESET

#define CONTROL_RTM_ENABLE UINT64_C(0x00000800)
#define CONTROL_FORCED_ZERO (UINT64_C(0x0000d000) | CONTROL_RTM_ENABLE)
#define CONTROL_FORCED_ONE DEBUG_CONTROL_RESET
#define CONTROL_GENERAL_DETECT UINT64_C(0x00002000)
#define CONTROL_ENABLE_MASK UINT64_C(0x000000ff) /* L0, G0, ... L3, G3 */
#define CONTROL_ACCESS_SHIFT 16                  /* R/W of slot n at bits 16 + 4n */
#define CONTROL_SLOT_BITS 4
#define CONTROL_ACCESS_MASK 3
#define CONTROL_ACCESS_IO 2
#define CONTROL_ACCESS_EXECUTE 0
#define CONTROL_SLOT_ENABLE_BITS 2
#define STATUS_HIT_MASK UINT64_C(0xf)
#define RFLAGS_TRAP UINT64_C(0x100)

void debug_registers_reset(struct debug_registers *registers)
{
    for (unsigned int reg = 0; reg <= LAST_ADDRESS_REGISTER; reg++)
        registers->address[reg] = 0;
    registers->status = DEBUG_STATUS_RESET;
    registers->control = DEBUG_CONTROL_RESET;
}

static bool is_guest_address(uint64_t address)
{
    return guest_range_is_valid(address, 1);
}

static bool has_io_breakpoint(uint64_t control)
{
    for (unsigned int slot = 0; slot <= LAST_ADDRESS_REGISTER; slot++) {
        unsigned int shift = CONTROL_ACCESS_SHIFT + slot * CONTROL_SLOT_BITS;

        if (((control >> shift) & CONTROL_ACCESS_MASK) == CONTROL_ACCESS_IO)
            return true;
    }
    return false;
}

static int set_address(struct debug_registers *registers, unsigned int reg, uint64_t value)
{
    if (!is_guest_address(value))
        return -XEN_EPERM;
    registers->address[reg] = value;
    return 0;
}

static int set_status(struct debug_registers *registers, uint64_t value)
{
    if (value & UPPER_HALF_MASK)
        return -XEN_EINVAL;
    registers->status = (value | STATUS_FORCED_ONE) & ~STATUS_FORCED_ZERO;
    return 0;
}

static int set_control(struct debug_registers *registers, uint64_t value)
{
    uint64_t control;

    if (value & UPPER_HALF_MASK)
        return -XEN_EINVAL;
    control = (value & ~CONTROL_FORCED_ZERO) | CONTROL_FORCED_ONE;
    if (control & CONTROL_GENERAL_DETECT)
        return -XEN_EPERM;
    if ((control & CONTROL_ENABLE_MASK) && has_io_breakpoint(control))
        return -XEN_EPERM;
    registers->control = control;
    return 0;
}

int debug_registers_set(struct debug_registers *registers, unsigned int reg, uint64_t value)
{
    if (reg <= LAST_ADDRESS_REGISTER)
        return set_address(registers, reg, value);
    switch (reg) {
    case STATUS_ALIAS_REGISTER:
    case STATUS_REGISTER:
        return set_status(registers, value);
    case CONTROL_ALIAS_REGISTER:
    case CONTROL_REGISTER:
        return set_control(registers, value);
    default:
        return -XEN_ENODEV;
    }
}

int debug_registers_get(const struct debug_registers *registers, unsigned int reg, uint64_t *value)
{
    if (reg <= LAST_ADDRESS_REGISTER) {
        *value = registers->address[reg];
        return 0;
    }
    switch (reg) {
    case STATUS_ALIAS_REGISTER:
    case STATUS_REGISTER:
        *value = registers->status;
        return 0;
    case CONTROL_ALIAS_REGISTER:
    case CONTROL_REGISTER:
        *value = registers->control;
        return 0;
    default:
        return -XEN_ENODEV;
    }
}

static bool is_enabled_instruction_breakpoint(uint64_t control, unsigned int slot)
{
    unsigned int access_shift = CONTROL_ACCESS_SHIFT + slot * CONTROL_SLOT_BITS;
    bool enabled = (control >> (slot * CONTROL_SLOT_ENABLE_BITS)) & 3;

    return enabled && ((control >> access_shift) & CONTROL_ACCESS_MASK) == CONTROL_ACCESS_EXECUTE;
}

struct hypervisor_debug_response debug_exception_in_hypervisor(uint64_t rflags, uint64_t status, uint64_t control)
{
    struct hypervisor_debug_response response = { .clear_single_step = (rflags & RFLAGS_TRAP) != 0 };

    for (unsigned int slot = 0; slot <= LAST_ADDRESS_REGISTER; slot++) {
        if ((status & STATUS_HIT_MASK & (UINT64_C(1) << slot)) && is_enabled_instruction_breakpoint(control, slot))
            response.disable_breakpoints = true;
    }
    return response;
}
