/*
 * The start-of-day layout of a 64-bit PV guest (see pvmon/pv_layout.h).
 *
 * Pieces are handed out in guest pfns, counted from VIRT_BASE, by a
 * cursor that never passes the end of the 1 GiB Linux maps; since every
 * count is compared with the pfns left before it is added or shifted into
 * an address, no arithmetic can overflow, whatever nr_pages and the module
 * size are.
 *
 * Rules kept, with the source each follows:
 *   - order of the pieces, 4 MiB rounding of v_end and >= 512 KiB of slack
 *     after the boot stack: Xen pv/dom0_build.c: dom0_construct; the
 *     xenstore and console pages after start_info, then page tables, then
 *     one stack page: libxenguest xg_dom_x86.c: alloc_magic_pages_pv and
 *     xg_dom_core.c: xc_dom_build_image;
 *   - page tables: one L4, and as many L3s, L2s and L1s as it takes to map
 *     [VIRT_BASE, v_end), counted as Xen counts them (dom0_construct's NR
 *     macro); the smallest count whose v_end they cover is taken;
 *   - p2m list: nr_pages entries of 8 bytes, in whole pages (Linux fills
 *     the rest of its last page: arch/x86/xen/p2m.c);
 *   - a module by pfn is placed in the pfns right after v_end
 *     (xc_dom_build_image loads unmapped modules after padding to
 *     virt_pgtab_end), and only for a kernel with a MOD_START_PFN note
 *     (xen.h: SIF_MOD_START_PFN);
 *   - the whole region lies in the 1 GiB-aligned 1 GiB that holds
 *     VIRT_BASE (Linux mmu_pv.c: xen_setup_kernel_pagetable keeps one L2),
 *     and v_end must be an address (below 2^64): -XEN_EINVAL otherwise;
 *   - the region, and a module by pfn after it, fit in nr_pages:
 *     -XEN_ENOMEM otherwise (xg_dom_x86.c: count_pgtables, "not enough
 *     memory for initial mapping").
 * The region is guest-owned because the kernel's extent is (pv_kernel.c)
 * and the 1 GiB around it cannot straddle the canonical hole or the
 * hypervisor's slots, whose edges are all 1 GiB-aligned.
 */
#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/pv_layout.h>
#include <pvmon/string.h>

#define GIGABYTE_SHIFT 30
#define GIGABYTE ((uint64_t) 1 << GIGABYTE_SHIFT)
#define PAGES_PER_GIGABYTE (GIGABYTE >> PAGE_SHIFT)
#define REGION_ALIGNMENT_PAGES ((4UL << 20) >> PAGE_SHIFT)
#define MINIMUM_SLACK_PAGES ((512UL << 10) >> PAGE_SHIFT)
#define P2M_ENTRIES_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

/* One table at each level maps this many address bits: an L1 2 MiB, an L2
 * 1 GiB, an L3 512 GiB; the single L4 maps everything. */
#define LEVEL1_TABLE_SPAN_SHIFT 21
#define LEVEL2_TABLE_SPAN_SHIFT 30
#define LEVEL3_TABLE_SPAN_SHIFT 39
#define PAGE_TABLE_LEVELS 4

_Static_assert((HYPERVISOR_SLOTS_START & (GIGABYTE - 1)) == 0 && (HYPERVISOR_SLOTS_END & (GIGABYTE - 1)) == 0,
               "a 1 GiB block is either inside the hypervisor's slots or outside them");

/* Hands out consecutive pfns, never at or beyond limit_pfn. */
struct cursor {
    uint64_t virtual_base;
    uint64_t next_pfn;
    uint64_t limit_pfn; /* the first pfn outside the 1 GiB Linux maps */
};

static uint64_t pages_for_bytes(uint64_t bytes)
{
    return bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);
}

static uint64_t p2m_pages(uint64_t nr_pages)
{
    return nr_pages / P2M_ENTRIES_PER_PAGE + (nr_pages % P2M_ENTRIES_PER_PAGE != 0);
}

static bool take_pages(struct cursor *cursor, uint64_t pages, struct pv_layout_area *area)
{
    if (pages > cursor->limit_pfn - cursor->next_pfn)
        return false;
    *area = (struct pv_layout_area) {
        .first_pfn = cursor->next_pfn,
        .pages = pages,
        .virtual_address = cursor->virtual_base + (cursor->next_pfn << PAGE_SHIFT),
    };
    cursor->next_pfn += pages;
    return true;
}

/* Where in its 1 GiB block VIRT_BASE lies, in pages. */
static uint64_t base_page_in_block(uint64_t virtual_base)
{
    return (virtual_base & (GIGABYTE - 1)) >> PAGE_SHIFT;
}

/* v_end in pfns: the end of the stack rounded up to 4 MiB of virtual
 * address (block starts are 4 MiB-aligned, so rounding the position in
 * the block is enough), plus 4 MiB when that leaves less than 512 KiB. */
static uint64_t bootstrap_end_pfn(uint64_t stack_end_pfn, uint64_t virtual_base)
{
    uint64_t end_in_block = base_page_in_block(virtual_base) + stack_end_pfn;
    uint64_t rounded = (end_in_block + REGION_ALIGNMENT_PAGES - 1) & ~(REGION_ALIGNMENT_PAGES - 1);

    if (rounded - end_in_block < MINIMUM_SLACK_PAGES)
        rounded += REGION_ALIGNMENT_PAGES;
    return rounded - base_page_in_block(virtual_base);
}

/* How many tables of one level map [first, last]: Xen's NR(first, last + 1, shift). */
static uint64_t tables_spanning(uint64_t first, uint64_t last, unsigned int span_shift)
{
    return (last >> span_shift) - (first >> span_shift) + 1;
}

static uint64_t count_page_tables(uint64_t first, uint64_t last, struct pv_layout *layout)
{
    layout->level4_tables = 1;
    layout->level3_tables = tables_spanning(first, last, LEVEL3_TABLE_SPAN_SHIFT);
    layout->level2_tables = tables_spanning(first, last, LEVEL2_TABLE_SPAN_SHIFT);
    layout->level1_tables = tables_spanning(first, last, LEVEL1_TABLE_SPAN_SHIFT);
    return layout->level4_tables + layout->level3_tables + layout->level2_tables + layout->level1_tables;
}

/*
 * The page tables map the whole region, themselves included, so their
 * count and v_end depend on each other: try counts from the smallest up
 * (one table per level) until the tables needed for the resulting v_end
 * are no more than the count tried.  The needed count never falls as the
 * count tried grows, so the first fit needs exactly the count tried.
 */
static int place_page_tables_and_stack(const struct cursor *cursor, struct pv_layout *layout)
{
    uint64_t base = cursor->virtual_base;

    for (uint64_t frames = PAGE_TABLE_LEVELS;; frames++) {
        struct cursor trial = *cursor;

        if (!take_pages(&trial, frames, &layout->page_tables) || !take_pages(&trial, 1, &layout->stack))
            return -XEN_EINVAL;

        uint64_t end_pfn = bootstrap_end_pfn(trial.next_pfn, base);

        if (end_pfn > trial.limit_pfn || (end_pfn << PAGE_SHIFT) > UINT64_MAX - base)
            return -XEN_EINVAL;
        if (count_page_tables(base, base + (end_pfn << PAGE_SHIFT) - 1, layout) <= frames) {
            layout->bootstrap_pages = end_pfn;
            return 0;
        }
    }
}

/* Places the kernel's page-rounded extent; false if it leaves the 1 GiB. */
static bool place_kernel(const struct pv_kernel *kernel, struct cursor *cursor, struct pv_layout *layout)
{
    uint64_t first_pfn = (kernel->virtual_start - kernel->virtual_base) >> PAGE_SHIFT;

    if (first_pfn > cursor->limit_pfn)
        return false;
    cursor->next_pfn = first_pfn;
    return take_pages(cursor, (kernel->virtual_end - kernel->virtual_start) >> PAGE_SHIFT, &layout->kernel);
}

/* The kernel, a mapped module, the p2m list, start_info, xenstore and console, in this order. */
static int place_pieces_before_page_tables(const struct pv_kernel *kernel, uint64_t nr_pages, uint64_t module_size,
                                           bool module_by_pfn, struct cursor *cursor, struct pv_layout *layout)
{
    if (!place_kernel(kernel, cursor, layout))
        return -XEN_EINVAL;
    if (module_size != 0 && !module_by_pfn && !take_pages(cursor, pages_for_bytes(module_size), &layout->module))
        return -XEN_EINVAL;
    if (!take_pages(cursor, p2m_pages(nr_pages), &layout->p2m) || !take_pages(cursor, 1, &layout->start_info) ||
        !take_pages(cursor, 1, &layout->xenstore) || !take_pages(cursor, 1, &layout->console))
        return -XEN_EINVAL;
    return 0;
}

/* A module by pfn takes the pfns right after v_end and is not mapped. */
static int place_module_by_pfn(uint64_t nr_pages, uint64_t module_size, struct pv_layout *layout)
{
    uint64_t pages = pages_for_bytes(module_size);

    if (pages > nr_pages - layout->bootstrap_pages)
        return -XEN_ENOMEM;
    layout->module = (struct pv_layout_area) { .first_pfn = layout->bootstrap_pages, .pages = pages };
    return 0;
}

int pv_layout_compute(const struct pv_kernel *kernel, uint64_t nr_pages, uint64_t module_size,
                      bool module_by_pfn, struct pv_layout *layout)
{
    struct cursor cursor = {
        .virtual_base = kernel->virtual_base,
        .limit_pfn = PAGES_PER_GIGABYTE - base_page_in_block(kernel->virtual_base),
    };
    int result;

    memset(layout, 0, sizeof(*layout));
    if (module_size != 0 && module_by_pfn && !kernel->mod_start_pfn)
        return -XEN_EINVAL;
    result = place_pieces_before_page_tables(kernel, nr_pages, module_size, module_by_pfn, &cursor, layout);
    if (result == 0)
        result = place_page_tables_and_stack(&cursor, layout);
    if (result == 0 && layout->bootstrap_pages > nr_pages)
        result = -XEN_ENOMEM;
    if (result == 0 && module_size != 0 && module_by_pfn)
        result = place_module_by_pfn(nr_pages, module_size, layout);
    if (result != 0)
        return result;
    layout->bootstrap_end_virtual = kernel->virtual_base + (layout->bootstrap_pages << PAGE_SHIFT);
    layout->start_info_virtual = layout->start_info.virtual_address;
    layout->stack_top_virtual = layout->stack.virtual_address + PAGE_SIZE;
    return 0;
}
