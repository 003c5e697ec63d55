/*
 * A guest's virtual IDT: the handlers it registers with set_trap_table
 * (Xen x86-64 PV ABI, struct trap_info in <xen/arch-x86/xen.h>), which the
 * hypervisor bounces exceptions and software interrupts to.
 *
 * Each of the 256 vectors holds a handler address (0: no handler), a
 * virtual DPL in flags bits 0-1 (who may reach the vector with int $n:
 * 0 nobody, 1 or 2 the guest kernel, 3 everyone) and, in flags bit 2,
 * whether events are masked on entry (interrupt-gate semantics).  The
 * selector is ignored for 64-bit guests, which are always entered on the
 * flat kernel code selector.  The rules are those of Xen's
 * do_set_trap_table (xen/arch/x86/pv/callback.c) and permit_softint
 * (xen/arch/x86/include/asm/regs.h), plus one of pvmon's own: a handler
 * inside the hypervisor's slots is refused.
 */
#ifndef PVMON_TRAP_TABLE_H
#define PVMON_TRAP_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>

#define TRAP_TABLE_VECTORS 256
#define TRAP_FLAG_DPL_MASK 3
#define TRAP_FLAG_MASK_EVENTS 4

struct virtual_trap_table {
    struct trap_info entries[TRAP_TABLE_VECTORS];
};

/* set_trap_table(NULL): every vector without a handler, DPL 0. */
void trap_table_clear(struct virtual_trap_table *table);

/* set_trap_table's list ends at the first entry whose address is 0. */
bool trap_table_entry_ends_list(const struct trap_info *entry);

/*
 * Validates one entry and stores it at its vector, replacing what was
 * there; an address of 0 removes the vector's handler.  -XEN_EINVAL,
 * storing nothing, if the address is not canonical or lies in the
 * hypervisor's slots.  The selector's RPL is raised to the guest kernel's
 * ring (3), as Xen does.
 */
int trap_table_set_entry(struct virtual_trap_table *table, const struct trap_info *entry);

/*
 * The handler registered for vector: false if there is none (or vector is
 * not below 256); otherwise true with its address, virtual DPL and whether
 * events are to be masked on entry.
 */
bool trap_table_lookup(const struct virtual_trap_table *table, unsigned int vector, uint64_t *handler,
                       unsigned int *dpl, bool *mask_events);

/*
 * Whether the guest's int $vector, which trapped to the hypervisor as #GP
 * because the real IDT gate is DPL 0, is to be delivered as a software
 * interrupt: the vector's virtual DPL must be at least 1 from the guest
 * kernel and 3 from guest user mode.  Otherwise the #GP goes to the guest.
 * Says nothing on whether a handler is registered (trap_table_lookup).
 */
bool trap_table_permits_software_interrupt(const struct virtual_trap_table *table, unsigned int vector,
                                           bool from_guest_kernel);

#endif
