/*
 * update_va_mapping: a guest kernel changes the L1 entry that maps one of
 * its virtual addresses (xen/arch/x86/pv/mm.c and mm.c:
 * do_update_va_mapping), the way a 64-bit PV guest maps its shared_info
 * page and anything else it needs.
 *
 * Rules kept here:
 *   - The address must be the guest's (not in the hypervisor's slots,
 *     canonical), and its L4, L3 and L2 entries in the vCPU's kernel page
 *     tables must be present, not large pages, and lead through page-table
 *     frames of the domain's own (-EINVAL otherwise).
 *   - The new entry's bits are checked by common/page_table_entry.c; a
 *     present entry may name only a frame the domain owns or its own
 *     shared_info frame, and may be writable only if that frame is neither
 *     one of its page tables nor part of its GDT (-EINVAL otherwise).  This
 *     keeps Xen's invariant that no page table or descriptor page is ever
 *     writable by its guest; set_gdt checks the other direction with
 *     domain_frame_is_writable_mapped.
 *   - The flush flags are Xen's: UVMF_INVLPG invalidates the address,
 *     UVMF_TLB_FLUSH the whole TLB; with one CPU, UVMF_ALL and a vCPU mask
 *     come down to the same.
 *
 * pvmon's frame types are still minimal: the only page tables are those
 * the domain builder made, so the rules above are complete only until the
 * PV memory work lets guests make new ones (mmu_update, pinning).
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/layout.h>
#include <pvmon/memory.h>
#include <pvmon/page_table_entry.h>
#include <xen/xen.h>

#define ENTRIES_PER_TABLE 512

static unsigned int table_index(uint64_t virtual_address, unsigned int level)
{
    return (virtual_address >> (PAGE_SHIFT + 9 * (level - 1))) & (ENTRIES_PER_TABLE - 1);
}

static bool is_own_page_table(const struct domain *domain, uint64_t frame)
{
    return domain_owns_machine_frame(domain, frame) && domain_frame_is_page_table(frame);
}

/* The L1 entry that maps virtual_address, or NULL. */
static uint64_t *find_l1_entry(const struct domain *domain, uint64_t virtual_address)
{
    uint64_t table_frame = domain->root_page_table / PAGE_SIZE;

    for (unsigned int level = 4; level > 1; level--) {
        const uint64_t *table = physical_to_virtual(table_frame * PAGE_SIZE);
        uint64_t entry = table[table_index(virtual_address, level)];

        if (!(entry & PAGE_TABLE_ENTRY_PRESENT) || (entry & PAGE_TABLE_ENTRY_LARGE))
            return NULL;
        table_frame = page_table_entry_frame(entry);
        if (!is_own_page_table(domain, table_frame))
            return NULL;
    }
    return (uint64_t *)physical_to_virtual(table_frame * PAGE_SIZE) + table_index(virtual_address, 1);
}

static bool may_map(const struct domain *domain, uint64_t entry)
{
    uint64_t frame = page_table_entry_frame(entry);

    if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
        return true;
    if (frame == domain->shared_info_frame)
        return true;
    if (!domain_owns_machine_frame(domain, frame))
        return false;
    return !(entry & PAGE_TABLE_ENTRY_WRITABLE) ||
           domain_frame_type(frame) == FRAME_TYPE_NONE;
}

/* Whether any present, writable L1 entry reachable from the domain's page
 * tables maps frame (walking its own page-table frames only). */
static bool table_maps_writable(const struct domain *domain, uint64_t table_frame, unsigned int level,
                                uint64_t frame)
{
    const uint64_t *table = physical_to_virtual(table_frame * PAGE_SIZE);

    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++) {
        uint64_t entry = table[index];

        if (level == 4 && index >= FIRST_HYPERVISOR_SLOT && index <= LAST_HYPERVISOR_SLOT)
            continue;
        if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
            continue;
        if (level == 1) {
            if ((entry & PAGE_TABLE_ENTRY_WRITABLE) && page_table_entry_frame(entry) == frame)
                return true;
        } else if (!(entry & PAGE_TABLE_ENTRY_LARGE) && is_own_page_table(domain, page_table_entry_frame(entry)) &&
                   table_maps_writable(domain, page_table_entry_frame(entry), level - 1, frame)) {
            return true;
        }
    }
    return false;
}

bool domain_frame_is_writable_mapped(const struct domain *domain, uint64_t frame)
{
    return table_maps_writable(domain, domain->root_page_table / PAGE_SIZE, 4, frame);
}

long do_update_va_mapping(struct vcpu *vcpu, uint64_t virtual_address, uint64_t entry, uint64_t flags)
{
    uint64_t *slot;
    uint64_t accepted;

    if (!guest_range_is_valid(virtual_address, 1))
        return -XEN_EINVAL;
    slot = find_l1_entry(vcpu->domain, virtual_address);
    if (slot == NULL)
        return -XEN_EINVAL;
    if (page_table_entry_check_l1(entry, &accepted) != 0 || !may_map(vcpu->domain, accepted))
        return -XEN_EINVAL;
    __atomic_store_n(slot, accepted, __ATOMIC_SEQ_CST);
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_INVLPG:
        paging_invalidate_page(virtual_address);
        break;
    case UVMF_TLB_FLUSH:
        paging_flush_all();
        break;
    default:
        break;
    }
    return 0;
}
