/*
 * The guest's virtual IDT (see pvmon/trap_table.h).  Rules kept:
 *
 * - A handler address must be canonical, else -EINVAL (Xen's
 *   do_set_trap_table, xen/arch/x86/pv/callback.c, is_canonical_address).
 * - pvmon's own rule, stricter than Xen: a handler inside the hypervisor's
 *   L4 slots 256-271 is refused with -EINVAL too.  Xen accepts it and the
 *   bounce then faults in the guest; no guest has code there.
 * - The selector's RPL is raised to the guest kernel's ring (Xen's
 *   fixup_guest_code_selector, GUEST_KERNEL_RPL 3 for 64-bit guests); the
 *   flags are stored as given, and only bits 0-2 mean anything.
 * - int $n from the guest is a software interrupt only if the vector's
 *   virtual DPL is at least 1 from the guest kernel, 3 from user mode
 *   (Xen's permit_softint, xen/arch/x86/include/asm/regs.h).
 */
#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/string.h>
#include <pvmon/trap_table.h>

#define CANONICAL_ADDRESS_BITS 48
#define GUEST_KERNEL_RING 3
#define SELECTOR_RPL_MASK 3
#define LOWEST_DPL_FROM_GUEST_KERNEL 1
#define LOWEST_DPL_FROM_GUEST_USER 3

static bool is_canonical_address(uint64_t address)
{
    uint64_t upper_bits = address >> (CANONICAL_ADDRESS_BITS - 1);

    return upper_bits == 0 || upper_bits == (UINT64_MAX >> (CANONICAL_ADDRESS_BITS - 1));
}

static bool is_in_hypervisor_slots(uint64_t address)
{
    return address >= HYPERVISOR_SLOTS_START && address < HYPERVISOR_SLOTS_END;
}

static uint16_t with_guest_kernel_rpl(uint16_t selector)
{
    if ((selector & SELECTOR_RPL_MASK) >= GUEST_KERNEL_RING)
        return selector;
    return (uint16_t) ((selector & ~SELECTOR_RPL_MASK) | GUEST_KERNEL_RING);
}

void trap_table_clear(struct virtual_trap_table *table)
{
    memset(table, 0, sizeof(*table));
}

bool trap_table_entry_ends_list(const struct trap_info *entry)
{
    return entry->address == 0;
}

int trap_table_set_entry(struct virtual_trap_table *table, const struct trap_info *entry)
{
    struct trap_info *stored = &table->entries[entry->vector];

    if (!is_canonical_address(entry->address) || is_in_hypervisor_slots(entry->address))
        return -XEN_EINVAL;
    *stored = *entry;
    stored->cs = with_guest_kernel_rpl(entry->cs);
    return 0;
}

bool trap_table_lookup(const struct virtual_trap_table *table, unsigned int vector, uint64_t *handler,
                       unsigned int *dpl, bool *mask_events)
{
    const struct trap_info *entry;

    if (vector >= TRAP_TABLE_VECTORS || table->entries[vector].address == 0)
        return false;
    entry = &table->entries[vector];
    *handler = entry->address;
    *dpl = entry->flags & TRAP_FLAG_DPL_MASK;
    *mask_events = (entry->flags & TRAP_FLAG_MASK_EVENTS) != 0;
    return true;
}

bool trap_table_permits_software_interrupt(const struct virtual_trap_table *table, unsigned int vector,
                                           bool from_guest_kernel)
{
    unsigned int lowest_dpl = from_guest_kernel ? LOWEST_DPL_FROM_GUEST_KERNEL : LOWEST_DPL_FROM_GUEST_USER;

    if (vector >= TRAP_TABLE_VECTORS)
        return false;
    return (table->entries[vector].flags & TRAP_FLAG_DPL_MASK) >= lowest_dpl;
}
