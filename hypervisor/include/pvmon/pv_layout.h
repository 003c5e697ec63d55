/*
 * The start-of-day memory layout of a 64-bit Xen PV guest: where, in
 * guest pfns and in guest virtual addresses, the domain builder puts each
 * piece before the first instruction runs (xen.h, "Start-of-day memory
 * layout"; Xen's pv/dom0_build.c: dom0_construct; libxenguest's
 * xg_dom_core.c: xc_dom_build_image and xg_dom_x86.c).
 *
 * One region starting at VIRT_BASE maps guest pfns 0, 1, 2, ... in order
 * (virtual address = VIRT_BASE + (pfn << PAGE_SHIFT)).  It holds, each
 * piece page-aligned and following the last:
 *
 *   the kernel's segments (from their pfn; the pfns below them are mapped
 *   but free), the module if it travels mapped, the p2m list, start_info,
 *   the xenstore ring, the console ring, the page tables (L4, then L3s,
 *   L2s, L1s), the boot stack,
 *
 * and ends at v_end, rounded up to 4 MiB with at least 512 KiB to spare
 * after the stack.  The page tables map exactly [VIRT_BASE, v_end), so
 * their number depends on v_end and v_end on their number: the smallest
 * count that covers the region it ends is taken, as Xen does.  A module
 * that travels by pfn (SIF_MOD_START_PFN) is not mapped: it takes the
 * pfns right after v_end, as libxenguest places it.
 *
 * Linux keeps only the one L2 table that maps VIRT_BASE
 * (arch/x86/xen/mmu_pv.c: xen_setup_kernel_pagetable), so the region must
 * lie inside the 1 GiB-aligned 1 GiB that contains VIRT_BASE: with
 * Linux's VIRT_BASE 0xffffffff80000000, v_end <= 0xffffffffc0000000.
 */
#ifndef PVMON_PV_LAYOUT_H
#define PVMON_PV_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/pv_kernel.h>

/* A run of guest pages. */
struct pv_layout_area {
    uint64_t first_pfn;
    uint64_t pages;
    uint64_t virtual_address;   /* of first_pfn; 0 when not mapped */
};

struct pv_layout {
    struct pv_layout_area kernel;       /* the kernel's page-rounded extent */
    struct pv_layout_area module;       /* pages 0: no module; virtual_address 0: travels by pfn */
    struct pv_layout_area p2m;          /* nr_pages 8-byte entries (start_info.mfn_list) */
    struct pv_layout_area start_info;
    struct pv_layout_area xenstore;
    struct pv_layout_area console;
    struct pv_layout_area page_tables;  /* start_info.pt_base and nr_pt_frames */
    uint64_t level4_tables;             /* page_tables holds these in this order */
    uint64_t level3_tables;
    uint64_t level2_tables;
    uint64_t level1_tables;
    struct pv_layout_area stack;
    uint64_t bootstrap_pages;           /* pfns [0, bootstrap_pages) are mapped */
    uint64_t bootstrap_end_virtual;     /* v_end */
    uint64_t start_info_virtual;        /* goes in RSI */
    uint64_t stack_top_virtual;         /* goes in RSP */
};

/*
 * Lays out a guest of nr_pages pages around `kernel`, which
 * pv_kernel_parse filled in.  module_size is the initial module's size in
 * bytes (0: none); module_by_pfn leaves it unmapped.  Returns 0 with
 * *layout filled in, or:
 *   -XEN_EINVAL  the region would not fit in the 1 GiB Linux maps, or
 *                would end at the top of the address space;
 *   -XEN_ENOMEM  the region (and an unmapped module after it) needs more
 *                than nr_pages pages.
 * Pure arithmetic: nothing is read or written but *layout.
 */
int pv_layout_compute(const struct pv_kernel *kernel, uint64_t nr_pages, uint64_t module_size,
                      bool module_by_pfn, struct pv_layout *layout);

#endif
