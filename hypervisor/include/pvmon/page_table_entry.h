/*
 * The rules for one page-table entry a 64-bit PV guest asks pvmon to
 * write, as far as the entry's own bits go (Xen's get_page_from_l1e and
 * the L1 fix-ups of xen/arch/x86/pv/mm.h; brief section 4).  Whether the
 * guest may map the frame the entry names is the caller's question.
 *
 * An L1 entry that is not present is accepted as it is.  A present one
 * may carry P, RW, US, A, D, G, the software bits 9-11 and 52-61, and NX,
 * kept as they are (Xen's L1_DISALLOW_MASK: Linux 6.6 and later keep a
 * saved Dirty bit in bit 58).  Bit 62 is Xen's _PAGE_GNTTAB and makes the
 * entry -EINVAL, as in Xen.  The hardware ignores bits 52-62 of an entry
 * (protection keys are never enabled for a guest), and pvmon gives them no
 * meaning of its own.  US is forced on, since the guest kernel runs in
 * ring 3.  docs/page-table-entry-bits.md has the table for every level.
 *
 * Cache attributes: PWT, PCD and PAT (bit 7) are -EINVAL, so every guest
 * mapping is write-back, the same memory type as pvmon's direct map of
 * all RAM: a frame is never mapped with conflicting attributes (which
 * can raise #MC on some CPUs), and pvmon never has to flush caches
 * before it validates a frame a guest wrote through an uncached or
 * write-combining mapping (Xen's XSA-402).  This is Xen 4.17's rule
 * (l1_disallow_mask) for a PV domain with no I/O memory, I/O ports or
 * devices, which every pvmon domain is: pvmon maps only RAM into guests.
 * Linux as a PV domU maps its RAM write-back.
 *
 * Device memory: an entry naming an I/O frame of a domain that has I/O
 * memory (pvmon/io_memory.h; only dom0) may carry cache attributes, and
 * is forced uncached as Xen's get_page_from_l1e forces it: unless PAT,
 * PCD and PWT already select UC, UC- or WC in the PAT the hypervisor
 * programs (XEN_MSR_PAT: indexes 2, 3, 4, 6, 7), they are replaced by
 * PCD|PWT (index 3, UC).  RAM keeps the write-back rule above (where Xen
 * would let a domain with I/O memory choose: pvmon never lets RAM be
 * mapped with two memory types).
 */
#ifndef PVMON_PAGE_TABLE_ENTRY_H
#define PVMON_PAGE_TABLE_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_TABLE_ENTRY_PRESENT (UINT64_C(1) << 0)
#define PAGE_TABLE_ENTRY_WRITABLE (UINT64_C(1) << 1)
#define PAGE_TABLE_ENTRY_USER (UINT64_C(1) << 2)
#define PAGE_TABLE_ENTRY_LARGE (UINT64_C(1) << 7)
/* Bit 62, Xen's _PAGE_GNTTAB: an L1 entry only the grant-table code writes
 * (a host mapping of a grant, pvmon/grant_table.h); guests may not. */
#define PAGE_TABLE_ENTRY_GRANT (UINT64_C(1) << 62)
#define PAGE_TABLE_ENTRY_ADDRESS_MASK UINT64_C(0x000ffffffffff000)

#define PAGE_TABLE_ENTRY_WRITE_THROUGH (UINT64_C(1) << 3)
#define PAGE_TABLE_ENTRY_CACHE_DISABLE (UINT64_C(1) << 4)
#define PAGE_TABLE_ENTRY_L1_PAT (UINT64_C(1) << 7)

enum page_table_entry_memory {
    PAGE_TABLE_ENTRY_RAM,    /* write-back only */
    PAGE_TABLE_ENTRY_DEVICE, /* an I/O frame of a domain with I/O memory: uncached */
};

/* 0 with *accepted the entry to store, or -XEN_EINVAL. */
int page_table_entry_check_l1(uint64_t entry, enum page_table_entry_memory memory, uint64_t *accepted);

/* The machine frame a present entry points at (inline: page_type.c asks
 * for it for every entry of every table it validates or devalidates). */
static inline uint64_t page_table_entry_frame(uint64_t entry)
{
    return (entry & PAGE_TABLE_ENTRY_ADDRESS_MASK) >> 12;
}

#endif
