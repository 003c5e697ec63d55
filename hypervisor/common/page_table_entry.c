/*
 * One guest page-table entry's own bits (see pvmon/page_table_entry.h).
 */
#include <pvmon/errno.h>
#include <pvmon/page_table_entry.h>

/* Bit 62: Xen's _PAGE_GNTTAB, the one high software bit Xen keeps for
 * itself in an L1 entry (docs/page-table-entry-bits.md). */
#define GRANT_TABLE_MAPPING_BIT (UINT64_C(1) << 62)
/* PWT, PCD and PAT (bit 7 of an L1 entry): a memory type other than WB. */
#define CACHE_ATTRIBUTE_BITS UINT64_C(0x98)

int page_table_entry_check_l1(uint64_t entry, uint64_t *accepted)
{
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT)) {
        *accepted = entry;
        return 0;
    }
    if (entry & (GRANT_TABLE_MAPPING_BIT | CACHE_ATTRIBUTE_BITS))
        return -XEN_EINVAL;
    *accepted = entry | PAGE_TABLE_ENTRY_USER;
    return 0;
}

uint64_t page_table_entry_frame(uint64_t entry)
{
    return (entry & PAGE_TABLE_ENTRY_ADDRESS_MASK) >> 12;
}
