/*
 * update_va_mapping: a guest kernel changes the L1 entry that maps one of
 * its virtual addresses (xen/arch/x86/pv/mm.c and mm.c:
 * do_update_va_mapping), and the walk it and the writable-page-table
 * emulation share.
 *
 * Rules kept here:
 *   - The address must be the guest's (canonical, not in the hypervisor's
 *     slots) and mapped by an L1 reachable from the vCPU's kernel page
 *     tables: L4, L3 and L2 entries present and not large (-EINVAL
 *     otherwise).  Because the root is a validated L4, every table on the
 *     way is a validated table of the domain's (pvmon/page_type.h,
 *     invariant 3).
 *   - The new entry is an L1 update like any other: common/page_type.c
 *     checks its bits, takes its references and drops the old entry's.
 *   - The flush flags are Xen's: UVMF_INVLPG invalidates the address,
 *     UVMF_TLB_FLUSH the whole TLB.  The bits above them say which vCPUs:
 *     UVMF_LOCAL (0), UVMF_ALL, or else the address of a vCPU bitmap,
 *     which must be readable (-EFAULT); with one vCPU, every choice that
 *     names vCPU 0 flushes here.
 *   - update_va_mapping_otherdomain (hypercall 22) is the same with the
 *     new entry naming a frame of another domain, under mmu_update's
 *     foreigndom rules (privileged callers only).
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <xen/xen.h>

#define FLUSH_TARGET_MASK (~(uint64_t)UVMF_FLUSHTYPE_MASK)

static unsigned int table_index(uint64_t virtual_address, unsigned int level)
{
    return (virtual_address >> (PAGE_SHIFT + 9 * (level - 1))) & (PAGE_TABLE_ENTRIES - 1);
}

int guest_find_l1_entry(uint64_t root_page_table, uint64_t virtual_address, uint64_t *l1_frame,
                        unsigned int *index)
{
    const struct page_memory *memory = domain_page_memory();
    uint64_t table_frame = root_page_table / PAGE_SIZE;

    if (root_page_table == 0 || !guest_range_is_valid(virtual_address, 1))
        return -XEN_EINVAL;
    for (unsigned int level = 4; level > 1; level--) {
        uint64_t entry = memory->table(memory, table_frame)[table_index(virtual_address, level)];

        if (!(entry & PAGE_TABLE_ENTRY_PRESENT) || (entry & PAGE_TABLE_ENTRY_LARGE))
            return -XEN_EINVAL;
        table_frame = page_table_entry_frame(entry);
    }
    if (!page_is_validated_table(memory, table_frame, PAGE_TYPE_L1))
        return -XEN_EINVAL;
    *l1_frame = table_frame;
    *index = table_index(virtual_address, 1);
    return 0;
}

/* Whether the flags name this CPU's vCPU; -EFAULT for an unreadable mask. */
static int flush_applies_here(uint64_t flags, bool *applies)
{
    uint64_t target = flags & FLUSH_TARGET_MASK;
    uint64_t vcpu_mask;

    if (target == UVMF_LOCAL || target == UVMF_ALL) {
        *applies = true;
        return 0;
    }
    if (copy_from_guest(&vcpu_mask, target, sizeof(vcpu_mask)) != 0)
        return -XEN_EFAULT;
    *applies = vcpu_mask & 1;
    return 0;
}

long do_update_va_mapping(struct vcpu *vcpu, uint64_t virtual_address, uint64_t entry, uint64_t flags)
{
    return do_update_va_mapping_otherdomain(vcpu, virtual_address, entry, flags, DOMID_SELF);
}

long do_update_va_mapping_otherdomain(struct vcpu *vcpu, uint64_t virtual_address, uint64_t entry,
                                      uint64_t flags, uint64_t foreign_domain)
{
    uint16_t frame_owner;
    uint64_t l1_frame;
    unsigned int index;
    bool applies = false;
    int error = page_frame_owner_for_update(vcpu, foreign_domain, &frame_owner);

    if (error)
        return error;
    if ((flags & UVMF_FLUSHTYPE_MASK) != UVMF_NONE) {
        error = flush_applies_here(flags, &applies);
        if (error)
            return error;
    }
    error = guest_find_l1_entry(vcpu->kernel_root_page_table, virtual_address, &l1_frame, &index);
    if (error == 0)
        error = page_update_entry_foreign(domain_page_memory(), vcpu->domain->id, frame_owner, l1_frame, index,
                                          entry, false, NULL);
    if (error)
        return error;
    domain_memory_count(DOMAIN_MEMORY_PAGE_TABLE_UPDATE);
    if (applies && (flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        paging_invalidate_page(virtual_address);
    else if (applies && (flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH)
        domain_memory_flush_tlb(TLB_FLUSH_REQUESTED);
    return 0;
}
