/*
 * The direct map (see direct_map.h).  At boot it finds the kernel's L2
 * through the start-of-day tables (start_info.pt_base is the L4's virtual
 * address; each entry's machine frame leads, through the M2P table, to
 * the pseudo-physical frame and so to its address in the bootstrap
 * mapping), remembers every L1 hooked into it, and extends it over the
 * memory beyond the bootstrap region with L1 tables of its own.
 *
 * The new L1s are written with plain stores where the first of them
 * already maps them (direct_map_extend says how), not an mmu_update per
 * entry.
 *
 * Changing one page's mapping (protect, unprotect, remove, restore) is
 * one entry of that page's L1, written with mmu_update by machine address
 * and validated by the hypervisor, since the L1 is in use.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "direct_map.h"
#include "mmu_batch.h"

#define LEVEL4_SHIFT 39
#define LEVEL3_SHIFT 30
#define KERNEL_TABLE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED)
#define PAGE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY)

static const uint64_t *const machine_to_physical = (const uint64_t *)MACH2PHYS_VIRT_START;

struct kernel_l1 {
    uint64_t machine_frame;   /* 0: no L1 at this L2 index */
    const uint64_t *entries;  /* read-only, through the direct map */
};

static uint64_t level2_machine_frame;
static struct kernel_l1 level1_tables[TABLE_ENTRIES];
static uint64_t domain_pages;

uint64_t machine_frame_of(uint64_t pfn)
{
    return runtime_machine_frame(pfn);
}

bool physical_frame_of(uint64_t mfn, uint64_t *pfn)
{
    uint64_t candidate = machine_to_physical[mfn];

    if (candidate >= domain_pages || machine_frame_of(candidate) != mfn)
        return false;
    *pfn = candidate;
    return true;
}

static unsigned int table_index(uint64_t virtual_address, unsigned int shift)
{
    return (unsigned int)(virtual_address >> shift) & (TABLE_ENTRIES - 1);
}

/* The table a present entry points at, through the direct map. */
static const uint64_t *child_table(uint64_t entry, uint64_t *child_mfn)
{
    uint64_t pfn;

    if ((entry & PTE_PRESENT) == 0)
        return NULL;
    *child_mfn = (entry & PTE_ADDRESS_MASK) >> PAGE_SHIFT;
    if (!physical_frame_of(*child_mfn, &pfn))
        return NULL;
    return direct_map_page(pfn);
}

static unsigned int present_entries(const uint64_t *table)
{
    unsigned int count = 0;

    while (count < TABLE_ENTRIES && (table[count] & PTE_PRESENT) != 0)
        count++;
    return count;
}

int direct_map_init(const struct start_info *start_info, uint64_t *bootstrap_pages)
{
    const uint64_t *level4 = (const uint64_t *)start_info->pt_base;
    const uint64_t *level3, *level2;
    uint64_t level3_mfn, l1_mfn;
    unsigned int level1_count = 0;

    domain_pages = start_info->nr_pages;
    level3 = child_table(level4[table_index(KERNEL_VIRTUAL_BASE, LEVEL4_SHIFT)], &level3_mfn);
    level2 = level3 == NULL ? NULL
                            : child_table(level3[table_index(KERNEL_VIRTUAL_BASE, LEVEL3_SHIFT)],
                                          &level2_machine_frame);
    if (level2 == NULL) {
        console_printf("direct map: cannot follow the start-of-day tables to the kernel's L2\n");
        return -XEN_EINVAL;
    }
    while (level1_count < TABLE_ENTRIES &&
           (level1_tables[level1_count].entries = child_table(level2[level1_count], &l1_mfn)) != NULL) {
        level1_tables[level1_count].machine_frame = l1_mfn;
        level1_count++;
    }
    if (level1_count == 0) {
        console_printf("direct map: the kernel's L2 maps nothing\n");
        return -XEN_EINVAL;
    }
    *bootstrap_pages = (uint64_t)(level1_count - 1) * TABLE_ENTRIES +
                       present_entries(level1_tables[level1_count - 1].entries);
    return 0;
}

static uint64_t entry_machine_address(uint64_t pfn)
{
    return level1_tables[pfn / TABLE_ENTRIES].machine_frame << PAGE_SHIFT | (pfn % TABLE_ENTRIES) * 8;
}

static uint64_t current_entry(uint64_t pfn)
{
    return level1_tables[pfn / TABLE_ENTRIES].entries[pfn % TABLE_ENTRIES];
}

/* The direct map's entry for pfn: read-only if it is one of the new tables. */
static uint64_t new_entry(uint64_t pfn, uint64_t end_pfn, uint64_t first_table, uint64_t end_table)
{
    uint64_t entry;

    if (pfn >= end_pfn)
        return 0;
    entry = machine_frame_of(pfn) << PAGE_SHIFT | PAGE_FLAGS | PTE_NO_EXECUTE;
    return pfn >= first_table && pfn < end_table ? entry & ~PTE_WRITABLE : entry;
}

/* The L2 entry for the new L1 at table_pfn, covering from first_covered. */
static void hook_new_table(uint64_t table_pfn, uint64_t first_covered)
{
    uint64_t level2_index = first_covered / TABLE_ENTRIES;
    uint64_t table_mfn = machine_frame_of(table_pfn);

    mmu_batch_update(level2_machine_frame << PAGE_SHIFT | level2_index * 8,
                     table_mfn << PAGE_SHIFT | KERNEL_TABLE_FLAGS);
    level1_tables[level2_index] = (struct kernel_l1) {
        .machine_frame = table_mfn,
        .entries = direct_map_page(table_pfn),
    };
}

/*
 * The new tables are the pages [first_pfn, first_pfn + tables), all
 * within the first one's 512 pages.  Writing every entry with mmu_update
 * would cost one hypercall entry per page mapped; instead:
 *   1. the first table is written with mmu_update: itself read-only, the
 *      other new tables writable, and hooked into the L2 (validated);
 *   2. the other tables, now reachable, are filled with plain stores;
 *   3. their entries in the first table become read-only, the TLB is
 *      flushed, and they are hooked into the L2 (each validated).
 * A frame is hooked as a page table only once nothing maps it writable
 * (mmu_batch.h; Xen's _get_page_type in xen/arch/x86/mm.c).
 */
int direct_map_extend(uint64_t first_pfn, uint64_t end_pfn, uint64_t *table_pages)
{
    uint64_t tables = (end_pfn - first_pfn + TABLE_ENTRIES - 1) / TABLE_ENTRIES;
    uint64_t end_table = first_pfn + tables;
    int error;

    if (first_pfn % TABLE_ENTRIES != 0 || end_pfn > DIRECT_MAP_MAX_PAGES || first_pfn >= end_pfn ||
        tables >= end_pfn - first_pfn || tables > TABLE_ENTRIES) {
        console_printf("direct map: cannot extend over pages [%lu, %lu)\n", first_pfn, end_pfn);
        return -XEN_EINVAL;
    }
    for (unsigned int index = 0; index < TABLE_ENTRIES; index++)
        mmu_batch_update(machine_frame_of(first_pfn) << PAGE_SHIFT | index * 8,
                         new_entry(first_pfn + index, end_pfn, first_pfn, first_pfn + 1));
    hook_new_table(first_pfn, first_pfn);
    error = mmu_batch_submit();
    if (error != 0)
        return error;
    for (uint64_t table = 1; table < tables; table++) {
        uint64_t *entries = direct_map_page(first_pfn + table);
        uint64_t first_covered = first_pfn + table * TABLE_ENTRIES;

        for (unsigned int index = 0; index < TABLE_ENTRIES; index++)
            entries[index] = new_entry(first_covered + index, end_pfn, first_pfn, end_table);
    }
    for (uint64_t table = 1; table < tables; table++)
        mmu_batch_update(entry_machine_address(first_pfn + table),
                         new_entry(first_pfn + table, end_pfn, first_pfn, end_table));
    mmu_batch_flush_tlb();
    for (uint64_t table = 1; table < tables; table++)
        hook_new_table(first_pfn + table, first_pfn + table * TABLE_ENTRIES);
    error = mmu_batch_submit();
    if (error != 0)
        return error;
    *table_pages = tables;
    return 0;
}

void direct_map_protect(uint64_t pfn)
{
    mmu_batch_remap_kernel_page((uint64_t)direct_map_page(pfn), current_entry(pfn) & ~PTE_WRITABLE);
}

void direct_map_unprotect(uint64_t pfn)
{
    mmu_batch_remap_kernel_page((uint64_t)direct_map_page(pfn), current_entry(pfn) | PTE_WRITABLE);
}

void direct_map_remove(uint64_t pfn)
{
    mmu_batch_update(entry_machine_address(pfn), 0);
}

void direct_map_restore(uint64_t pfn)
{
    mmu_batch_update(entry_machine_address(pfn), machine_frame_of(pfn) << PAGE_SHIFT | PAGE_FLAGS | PTE_NO_EXECUTE);
}
