/*
 * A huge read-only range in which every byte is readable, built from four
 * pages: one page of text, mapped 512 times by one L1, which one L2 maps
 * 512 times (1 GiB), which one L3 maps once per GiB, linked into one slot
 * of the running L4.  So a guest can hand the hypervisor a buffer of up
 * to 512 GiB (an L4 slot) while owning 16 KiB: the liveness test's
 * console_io attack (tests/liveness), from dom0 and from a domU.
 *
 * Rules it keeps (Xen x86-64 PV ABI, xen/arch/x86/mm.c): a frame that
 * becomes a page table is mapped read-only everywhere first (its own
 * mapping in the kernel image is remapped with update_va_mapping); the
 * tables are linked with mmu_update on the running L4, which validates
 * them; the L4 slot must be a guest kernel slot (not 256-271, which are
 * the hypervisor's).  The range stays mapped until the domain ends.
 */
#ifndef PV_RUNTIME_ALIASED_RANGE_H
#define PV_RUNTIME_ALIASED_RANGE_H

#include <stdint.h>

#define ALIASED_RANGE_PAGE_SIZE 4096
#define ALIASED_RANGE_GIB (UINT64_C(1) << 30)

/* The four pages, owned by the caller (static, page-aligned). */
struct aliased_range_pages {
    uint8_t text[ALIASED_RANGE_PAGE_SIZE];
    uint64_t l1[ALIASED_RANGE_PAGE_SIZE / 8];
    uint64_t l2[ALIASED_RANGE_PAGE_SIZE / 8];
    uint64_t l3[ALIASED_RANGE_PAGE_SIZE / 8];
} __attribute__((aligned(ALIASED_RANGE_PAGE_SIZE)));

/*
 * Fills pages->text with line (repeated, each copy ending in '\n'), builds
 * the tables over it and links them into L4 slot l4_slot, mapping
 * gibibytes GiB (1-512).  On success *start is the range's first address.
 * Returns 0 or the failing hypercall's error (-EINVAL for bad arguments).
 */
long aliased_range_map(struct aliased_range_pages *pages, const char *line, unsigned int l4_slot,
                       unsigned int gibibytes, uint64_t *start);

#endif
