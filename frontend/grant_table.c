/*
 * The guest's grant table v1 (grant_table.h): GNTTABOP_query_size for the
 * largest size allowed, GNTTABOP_setup_table for up to
 * GRANT_TABLE_MAX_FRAMES frames, each returned frame (a machine frame:
 * Xen gives a PV guest MFNs) mapped present, writable and user over a
 * page-aligned page of the kernel's own whose L1 entry exists in the
 * initial mapping, then handed to grant_refs.c.  Xen: common/grant_table.c
 * gnttab_query_size, gnttab_setup_table; Linux grant-table.c
 * gnttab_setup / arch_gnttab_map_shared.
 */
#include <stdint.h>
#include <xen/errno.h>
#include <guest/grant_table.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "grant_refs.h"
#include "grant_table.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PTE_PRESENT 0x001UL
#define PTE_WRITABLE 0x002UL
#define PTE_USER 0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY 0x040UL

static uint8_t table_window[GRANT_TABLE_MAX_FRAMES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct grant_refs refs;
static bool table_ready;

/* A grant operation's outcome: the call's own error, or -XEN_EIO for a status other than okay. */
static int operation_result(const char *step, long result, int16_t status)
{
    if (result != 0) {
        console_printf("grant table: %s: hypercall failed: %ld\n", step, result);
        return (int)result;
    }
    if (status != GNTST_okay) {
        console_printf("grant table: %s: status %d\n", step, status);
        return -XEN_EIO;
    }
    return 0;
}

static int query_frame_limit(uint32_t *frames)
{
    struct gnttab_query_size query = { .dom = DOMID_SELF };
    long call = grant_query_size(&query);
    int result = operation_result("query_size", call, query.status);

    if (result != 0)
        return result;
    if (query.max_nr_frames == 0) {
        console_printf("grant table: query_size allows no frame\n");
        return -XEN_EIO;
    }
    *frames = query.max_nr_frames < GRANT_TABLE_MAX_FRAMES ? query.max_nr_frames : GRANT_TABLE_MAX_FRAMES;
    return 0;
}

static int map_table_frame(unsigned int index, xen_pfn_t machine_frame)
{
    uint64_t entry = (uint64_t)machine_frame << PAGE_SHIFT | PTE_PRESENT | PTE_WRITABLE | PTE_USER |
                     PTE_ACCESSED | PTE_DIRTY;
    long result = hypercall_update_va_mapping((unsigned long)table_window[index], entry, UVMF_INVLPG);

    if (result != 0)
        console_printf("grant table: mapping frame %u (mfn %#lx) failed: %ld\n", index, machine_frame, result);
    return (int)result;
}

int grant_table_init(void)
{
    xen_pfn_t frame_list[GRANT_TABLE_MAX_FRAMES];
    uint32_t frames = 0;
    int16_t status = GNTST_general_error;
    long call;
    int result;

    if (table_ready)
        return 0;
    if ((result = query_frame_limit(&frames)) != 0)
        return result;
    call = grant_setup_table(frames, frame_list, &status);
    result = operation_result("setup_table", call, status);
    if (result != 0)
        return result;
    for (unsigned int index = 0; index < frames; index++)
        if ((result = map_table_frame(index, frame_list[index])) != 0)
            return result;
    grant_refs_init(&refs, (grant_entry_v1_t *)table_window, frames * (unsigned int)GRANT_ENTRIES_PER_FRAME);
    table_ready = true;
    console_printf("grant table: %u frames, %u entries\n", frames, refs.entry_count);
    return 0;
}

int grant_table_grant_frame(domid_t domid, uint64_t frame, bool readonly, grant_ref_t *ref)
{
    if (!table_ready)
        return -XEN_EINVAL;
    return grant_refs_grant(&refs, domid, frame, readonly, ref);
}

int grant_table_grant_page(domid_t domid, const void *page, bool readonly, grant_ref_t *ref)
{
    if (((uint64_t)page & (PAGE_SIZE - 1)) != 0)
        return -XEN_EINVAL;
    return grant_table_grant_frame(domid, runtime_machine_address(page) >> PAGE_SHIFT, readonly, ref);
}

int grant_table_end_access(grant_ref_t ref)
{
    if (!table_ready)
        return -XEN_EINVAL;
    return grant_refs_end(&refs, ref);
}

unsigned int grant_table_entry_count(void)
{
    return table_ready ? refs.entry_count : 0;
}

unsigned int grant_table_free_count(void)
{
    return table_ready ? grant_refs_free_count(&refs) : 0;
}
