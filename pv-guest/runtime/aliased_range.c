/*
 * The aliased read-only range (see aliased_range.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/errno.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include "aliased_range.h"
#include "runtime.h"

#define ENTRIES_PER_TABLE 512
#define PTE_PRESENT UINT64_C(0x001)
#define PTE_WRITABLE UINT64_C(0x002)
#define PTE_USER UINT64_C(0x004)
#define PTE_ACCESSED UINT64_C(0x020)
#define FIRST_HYPERVISOR_L4_SLOT 256
#define LAST_HYPERVISOR_L4_SLOT 271
#define L4_SLOT_SHIFT 39
#define CANONICAL_SIGN_SLOT 256

/* A leaf mapping the page read-only; a table entry pointing at a table. */
#define READ_ONLY_LEAF (PTE_PRESENT | PTE_USER | PTE_ACCESSED)
#define TABLE_ENTRY (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED)

static uint64_t machine_address_of(const void *page)
{
    return runtime_machine_address(page);
}

static void fill_text(uint8_t *text, const char *line)
{
    size_t length = 0, offset = 0;

    while (line[length] != '\0')
        length++;
    while (length > 0 && offset < ALIASED_RANGE_PAGE_SIZE) {
        for (size_t index = 0; index < length && offset < ALIASED_RANGE_PAGE_SIZE - 1; index++)
            text[offset++] = (uint8_t)line[index];
        text[offset++] = '\n';
    }
}

static void fill_table(uint64_t *table, uint64_t entry, unsigned int count)
{
    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        table[index] = index < count ? entry : 0;
}

/* Xen's rule for a frame about to become a page table: no writable mapping. */
static long map_read_only(const void *page)
{
    return hypercall_update_va_mapping((unsigned long)page, machine_address_of(page) | READ_ONLY_LEAF,
                                       UVMF_INVLPG);
}

static long link_into_l4(unsigned int l4_slot, uint64_t l3_machine_address)
{
    struct mmu_update request = {
        .ptr = machine_address_of((const void *)runtime_start_info->pt_base) + l4_slot * sizeof(uint64_t),
        .val = l3_machine_address | TABLE_ENTRY,
    };

    return hypercall5(__HYPERVISOR_mmu_update, (unsigned long)&request, 1, 0, DOMID_SELF, 0);
}

static uint64_t slot_address(unsigned int l4_slot)
{
    uint64_t address = (uint64_t)l4_slot << L4_SLOT_SHIFT;

    return l4_slot >= CANONICAL_SIGN_SLOT ? address | UINT64_C(0xffff000000000000) : address;
}

long aliased_range_map(struct aliased_range_pages *pages, const char *line, unsigned int l4_slot,
                       unsigned int gibibytes, uint64_t *start)
{
    long result;

    if (gibibytes == 0 || gibibytes > ENTRIES_PER_TABLE || l4_slot >= ENTRIES_PER_TABLE || line[0] == '\0' ||
        (l4_slot >= FIRST_HYPERVISOR_L4_SLOT && l4_slot <= LAST_HYPERVISOR_L4_SLOT))
        return -XEN_EINVAL;
    fill_text(pages->text, line);
    fill_table(pages->l1, machine_address_of(pages->text) | READ_ONLY_LEAF, ENTRIES_PER_TABLE);
    fill_table(pages->l2, machine_address_of(pages->l1) | TABLE_ENTRY, ENTRIES_PER_TABLE);
    fill_table(pages->l3, machine_address_of(pages->l2) | TABLE_ENTRY, gibibytes);
    if ((result = map_read_only(pages->l1)) != 0 || (result = map_read_only(pages->l2)) != 0 ||
        (result = map_read_only(pages->l3)) != 0)
        return result;
    result = link_into_l4(l4_slot, machine_address_of(pages->l3));
    if (result == 0)
        *start = slot_address(l4_slot);
    return result;
}
