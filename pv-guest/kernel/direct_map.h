/*
 * The kernel's view of its memory: every pseudo-physical page of the
 * domain is mapped at KERNEL_VIRTUAL_BASE + pfn * PAGE_SIZE, the rule the
 * domain builder's start-of-day mapping follows for the bootstrap region
 * (Xen x86-64 PV ABI), extended by direct_map_extend over the rest of the
 * domain's memory.  So the kernel reaches any frame (a process's pages,
 * its page tables) through this one mapping.
 *
 * The rule that keeps it legal under the hypervisor: a frame in use as a
 * page table is mapped read-only here (direct_map_protect before it
 * becomes one, direct_map_unprotect after it stops being one), every
 * other frame the domain has is mapped writable, and a frame about to be
 * given back to the hypervisor is unmapped first (direct_map_remove).
 *
 * The direct map lives in the L2 table that maps VIRT_BASE (L4 slot 511,
 * L3 index 510), so it covers at most 1 GiB of pseudo-physical memory:
 * DIRECT_MAP_MAX_PAGES.
 */
#ifndef PV_KERNEL_DIRECT_MAP_H
#define PV_KERNEL_DIRECT_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>

#define KERNEL_VIRTUAL_BASE UINT64_C(0xffffffff80000000)
#define PAGE_SHIFT 12
#define PAGE_SIZE (UINT64_C(1) << PAGE_SHIFT)
#define TABLE_ENTRIES 512
#define DIRECT_MAP_MAX_PAGES (TABLE_ENTRIES * TABLE_ENTRIES)

/* Page-table entry bits (Intel SDM vol. 3, 4.5). */
#define PTE_PRESENT UINT64_C(0x001)
#define PTE_WRITABLE UINT64_C(0x002)
#define PTE_USER UINT64_C(0x004)
#define PTE_ACCESSED UINT64_C(0x020)
#define PTE_DIRTY UINT64_C(0x040)
#define PTE_NO_EXECUTE (UINT64_C(1) << 63)
#define PTE_ADDRESS_MASK UINT64_C(0x000ffffffffff000)

static inline void *direct_map_page(uint64_t pfn)
{
    return (void *)(KERNEL_VIRTUAL_BASE + (pfn << PAGE_SHIFT));
}

/* The machine frame behind a pseudo-physical one (start_info's p2m list). */
uint64_t machine_frame_of(uint64_t pfn);

/* The pseudo-physical frame behind a machine frame of this domain, from
 * the hypervisor's read-only M2P table; false if it is not one of ours. */
bool physical_frame_of(uint64_t mfn, uint64_t *pfn);

/* Reads the kernel's start-of-day tables: how many pages the builder mapped. */
int direct_map_init(const struct start_info *start_info, uint64_t *bootstrap_pages);

/*
 * Maps [first_pfn, end_pfn) (first_pfn on a 2 MiB boundary, end_pfn at
 * most DIRECT_MAP_MAX_PAGES): the first *table_pages of those pages become
 * the new L1 tables (mapped read-only in themselves; at most 512 of them,
 * all within the first one's reach), the first filled with mmu_update, the
 * others with plain stores through it before they become tables, each
 * hooked into the kernel's L2.  Submits; 0 or an error.
 */
int direct_map_extend(uint64_t first_pfn, uint64_t end_pfn, uint64_t *table_pages);

/* Queued in the page-table batch (mmu_batch.h): */
void direct_map_protect(uint64_t pfn);   /* read-only, before it becomes a page table */
void direct_map_unprotect(uint64_t pfn); /* writable again, once it is no page table */
void direct_map_remove(uint64_t pfn);    /* unmapped, before it is given back (flush the TLB after) */
void direct_map_restore(uint64_t pfn);   /* writable, at its (new) machine frame */

#endif
