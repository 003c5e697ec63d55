/*
 * One guest page-table entry's own bits (see pvmon/page_table_entry.h).
 */
#include <pvmon/errno.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/privileged_instruction.h>

/* PWT, PCD and PAT (bit 7 of an L1 entry): a memory type other than WB. */
#define CACHE_ATTRIBUTE_BITS \
    (PAGE_TABLE_ENTRY_WRITE_THROUGH | PAGE_TABLE_ENTRY_CACHE_DISABLE | PAGE_TABLE_ENTRY_L1_PAT)
#define UNCACHED_ATTRIBUTES (PAGE_TABLE_ENTRY_WRITE_THROUGH | PAGE_TABLE_ENTRY_CACHE_DISABLE)

/* Memory types in the PAT MSR. */
#define MEMORY_TYPE_UC 0x00
#define MEMORY_TYPE_WC 0x01
#define MEMORY_TYPE_UC_MINUS 0x07

/* The PAT index an L1 entry selects: PAT, PCD, PWT as bits 2, 1, 0. */
static unsigned int pat_index(uint64_t entry)
{
    return (unsigned int)(((entry & PAGE_TABLE_ENTRY_L1_PAT) ? 4 : 0) |
                          ((entry & PAGE_TABLE_ENTRY_CACHE_DISABLE) ? 2 : 0) |
                          ((entry & PAGE_TABLE_ENTRY_WRITE_THROUGH) ? 1 : 0));
}

/* Xen's get_page_from_l1e for MMIO: not cacheable stays, anything else
 * becomes UC. */
static uint64_t force_uncached(uint64_t entry)
{
    unsigned int type = (unsigned int)(XEN_MSR_PAT >> (8 * pat_index(entry))) & 0xff;

    if (type == MEMORY_TYPE_UC || type == MEMORY_TYPE_UC_MINUS || type == MEMORY_TYPE_WC)
        return entry;
    return (entry & ~CACHE_ATTRIBUTE_BITS) | UNCACHED_ATTRIBUTES;
}

/* Bit 62 (PAGE_TABLE_ENTRY_GRANT) is Xen's _PAGE_GNTTAB, the one high
 * software bit Xen keeps for itself in an L1 entry
 * (docs/page-table-entry-bits.md). */
int page_table_entry_check_l1(uint64_t entry, enum page_table_entry_memory memory, uint64_t *accepted)
{
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT)) {
        *accepted = entry;
        return 0;
    }
    if (entry & PAGE_TABLE_ENTRY_GRANT)
        return -XEN_EINVAL;
    if (memory == PAGE_TABLE_ENTRY_DEVICE) {
        *accepted = force_uncached(entry) | PAGE_TABLE_ENTRY_USER;
        return 0;
    }
    if (entry & CACHE_ATTRIBUTE_BITS)
        return -XEN_EINVAL;
    *accepted = entry | PAGE_TABLE_ENTRY_USER;
    return 0;
}
