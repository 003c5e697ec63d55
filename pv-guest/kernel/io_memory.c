/*
 * Mapping device registers over a window page (see io_memory.h): the walk
 * to the window's L1 entry and the mmu_update with foreigndom DOMID_IO.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include <runtime/runtime.h>
#include "direct_map.h"
#include "io_memory.h"

#define PTE_WRITE_THROUGH UINT64_C(0x008)
#define PTE_CACHE_DISABLE UINT64_C(0x010)
#define IO_PAGE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_WRITE_THROUGH | \
                       PTE_CACHE_DISABLE | PTE_NO_EXECUTE)
#define LEVELS 4

static const uint64_t *const machine_to_physical = (const uint64_t *)MACH2PHYS_VIRT_START;

/* The kernel's mapping of one of its own page-table frames, or NULL. */
static const uint64_t *table_of(uint64_t entry)
{
    uint64_t machine_frame = (entry & PTE_ADDRESS_MASK) >> PAGE_SHIFT, pfn;

    if ((entry & PTE_PRESENT) == 0)
        return NULL;
    pfn = machine_to_physical[machine_frame];
    if (pfn >= runtime_start_info->nr_pages || runtime_machine_frame(pfn) != machine_frame)
        return NULL;
    return direct_map_page(pfn);
}

/* The machine address of the L1 entry mapping the page at address. */
static int find_level1_entry(uint64_t address, uint64_t *entry_machine_address)
{
    const uint64_t *table = (const uint64_t *)runtime_start_info->pt_base;
    unsigned int shift = PAGE_SHIFT + 9 * (LEVELS - 1);

    for (unsigned int level = LEVELS; level > 1; level--, shift -= 9) {
        table = table_of(table[(address >> shift) % TABLE_ENTRIES]);
        if (table == NULL)
            return -XEN_EINVAL;
    }
    *entry_machine_address = runtime_machine_address(&table[(address >> PAGE_SHIFT) % TABLE_ENTRIES]);
    return 0;
}

static long invalidate_page(uint64_t address)
{
    struct mmuext_op operation = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = address };

    return hypercall5(__HYPERVISOR_mmuext_op, (unsigned long)&operation, 1, 0, DOMID_SELF, 0);
}

int io_memory_map(void *window, uint64_t machine_frame)
{
    uint64_t address = (uint64_t)window;
    struct mmu_update update;
    long result;
    int found;

    if (address % PAGE_SIZE != 0)
        return -XEN_EINVAL;
    found = find_level1_entry(address, &update.ptr);
    if (found != 0)
        return found;
    update.ptr |= MMU_NORMAL_PT_UPDATE;
    update.val = machine_frame << PAGE_SHIFT | IO_PAGE_FLAGS;
    result = hypercall5(__HYPERVISOR_mmu_update, (unsigned long)&update, 1, 0, DOMID_IO, 0);
    if (result != 0)
        return (int)result;
    return (int)invalidate_page(address);
}
