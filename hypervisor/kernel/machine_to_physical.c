/*
 * The machine-to-physical table (M2P): for every machine frame, the
 * pseudo-physical frame number its owning domain knows it by, or
 * INVALID_M2P_ENTRY.  Xen x86-64 PV ABI: guests read it, never write it,
 * at MACH2PHYS_VIRT_START (L4 slot 256, part of the hypervisor's slots in
 * every guest L4) and learn its extent from XENMEM_machphys_mapping.
 *
 * Rules kept here:
 *   - One entry per machine frame the frame table covers; every entry is
 *     invalid until a domain gets the frame, and invalid again when the
 *     frame goes back, so no domain learns another's layout from stale
 *     entries.
 *   - The table lives in hypervisor frames mapped read-only for guests;
 *     the hypervisor writes it through the direct map.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/string.h>
#include <xen/memory.h>

#define INVALID_ENTRY UINT64_MAX

static uint64_t *entries;
static uint64_t entry_count;

static uint64_t allocate_zeroed_table(void)
{
    uint64_t frame;

    if (hypervisor_allocate_frames(0, &frame) != 0)
        panic("no memory for the machine-to-physical table's page tables");
    memset(physical_to_virtual(frame * PAGE_SIZE), 0, PAGE_SIZE);
    return frame * PAGE_SIZE;
}

void machine_to_physical_init(void)
{
    uint64_t pages;
    unsigned int order = 0;
    uint64_t first_frame;

    entry_count = machine_frame_allocator()->frame_count;
    pages = (entry_count * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
    while ((UINT64_C(1) << order) < pages)
        order++;
    if (hypervisor_allocate_frames(order, &first_frame) != 0)
        panic("no memory for the machine-to-physical table (%lu pages)", pages);
    entries = physical_to_virtual(first_frame * PAGE_SIZE);
    for (uint64_t index = 0; index < entry_count; index++)
        entries[index] = INVALID_ENTRY;
    for (uint64_t page = 0; page < pages; page++)
        paging_map_guest_readable(M2P_VIRT_START + page * PAGE_SIZE, (first_frame + page) * PAGE_SIZE,
                                  allocate_zeroed_table);
}

void machine_to_physical_set(uint64_t machine_frame, uint64_t physical_frame)
{
    BUG_ON(machine_frame >= entry_count);
    entries[machine_frame] = physical_frame;
}

void machine_to_physical_clear(uint64_t machine_frame)
{
    machine_to_physical_set(machine_frame, INVALID_ENTRY);
}

/* XENMEM_machphys_mapping: where the table is, and the largest frame it covers. */
long machine_to_physical_describe(uint64_t argument)
{
    struct xen_machphys_mapping mapping = {
        .v_start = M2P_VIRT_START,
        .v_end = M2P_VIRT_START + entry_count * sizeof(uint64_t),
        .max_mfn = entry_count - 1,
    };

    return copy_to_guest(argument, &mapping, sizeof(mapping)) != 0 ? -XEN_EFAULT : 0;
}
