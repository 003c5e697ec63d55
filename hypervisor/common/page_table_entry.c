/*
 * One guest page-table entry's own bits (see pvmon/page_table_entry.h).
 */
#include <pvmon/errno.h>
#include <pvmon/page_table_entry.h>

/* PWT, PCD and PAT (bit 7 of an L1 entry): a memory type other than WB. */
#define CACHE_ATTRIBUTE_BITS UINT64_C(0x98)

/* Bit 62 (PAGE_TABLE_ENTRY_GRANT) is Xen's _PAGE_GNTTAB, the one high
 * software bit Xen keeps for itself in an L1 entry
 * (docs/page-table-entry-bits.md). */
int page_table_entry_check_l1(uint64_t entry, uint64_t *accepted)
{
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT)) {
        *accepted = entry;
        return 0;
    }
    if (entry & (PAGE_TABLE_ENTRY_GRANT | CACHE_ATTRIBUTE_BITS))
        return -XEN_EINVAL;
    *accepted = entry | PAGE_TABLE_ENTRY_USER;
    return 0;
}

uint64_t page_table_entry_frame(uint64_t entry)
{
    return (entry & PAGE_TABLE_ENTRY_ADDRESS_MASK) >> 12;
}
