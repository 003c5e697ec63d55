/*
 * One guest page-table entry's own bits (see pvmon/page_table_entry.h).
 */
#include <pvmon/errno.h>
#include <pvmon/page_table_entry.h>

#define RESERVED_FOR_HYPERVISOR_BITS UINT64_C(0x7ff0000000000000)
/* PWT, PCD and PAT (bit 7 of an L1 entry): a memory type other than WB. */
#define CACHE_ATTRIBUTE_BITS UINT64_C(0x98)

int page_table_entry_check_l1(uint64_t entry, uint64_t *accepted)
{
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT)) {
        *accepted = entry;
        return 0;
    }
    if (entry & (RESERVED_FOR_HYPERVISOR_BITS | CACHE_ATTRIBUTE_BITS))
        return -XEN_EINVAL;
    *accepted = entry | PAGE_TABLE_ENTRY_USER;
    return 0;
}

uint64_t page_table_entry_frame(uint64_t entry)
{
    return (entry & PAGE_TABLE_ENTRY_ADDRESS_MASK) >> 12;
}
