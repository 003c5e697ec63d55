/*
 * Processes' LDTs (see process_ldt.h).  Rules kept:
 *   - the vCPU's LDT is what installed_pfn says (0: the null LDT), and it
 *     is changed only when the process that runs needs another;
 *   - an LDT page is read-only in the direct map from before its first
 *     MMUEXT_SET_LDT until after the last one that names it is undone;
 *   - descriptors are written with update_descriptor only, which the
 *     hypervisor checks (a data segment of DPL 3 passes unchanged).
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <xen/xen.h>
#include "direct_map.h"
#include "frame_pool.h"
#include "mmu_batch.h"
#include "process_ldt.h"

#define DESCRIPTOR_SIZE 8
#define BYTE_GRANULAR_LIMIT UINT64_C(0x100000)
#define PAGE_GRANULAR_LIMIT (UINT64_C(1) << 32)
#define DATA_DPL3_PRESENT_WRITABLE UINT64_C(0x0040f30000000000) /* P, DPL 3, S, type 3 (RW, accessed), D/B */
#define GRANULARITY_4K (UINT64_C(1) << 55)

static uint64_t installed_pfn;  /* 0: the null LDT */

static uint64_t data_segment(uint32_t base, uint64_t limit)
{
    uint64_t encoded = limit - 1;
    uint64_t descriptor = DATA_DPL3_PRESENT_WRITABLE;

    if (limit > BYTE_GRANULAR_LIMIT) {
        encoded = (limit - 1) >> PAGE_SHIFT;
        descriptor |= GRANULARITY_4K;
    }
    return descriptor | (encoded & 0xffff) | (encoded >> 16 & 0xf) << 48 | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)(base >> 24) << 56;
}

static void install(uint64_t pfn)
{
    if (installed_pfn == pfn)
        return;
    mmu_batch_set_ldt(pfn == 0 ? 0 : (uint64_t)direct_map_page(pfn), pfn == 0 ? 0 : LDT_ENTRIES);
    installed_pfn = pfn;
}

static int create(struct process_ldt *ldt)
{
    uint64_t pfn;
    enum frame_origin origin;
    int error = frame_allocate(FRAME_ZEROED, &pfn, &origin);

    if (error)
        return error;
    direct_map_protect(pfn);
    if ((error = mmu_batch_submit()) != 0) {
        direct_map_unprotect(pfn);
        mmu_batch_submit();
        frame_free(pfn);
        return error;
    }
    *ldt = (struct process_ldt) { .exists = true, .pfn = pfn };
    return 0;
}

long process_ldt_set_data_segment(struct process_ldt *ldt, uint64_t index, uint64_t base, uint64_t limit)
{
    long result = 0;
    int error;

    if (index >= LDT_ENTRIES || base > UINT32_MAX || limit == 0 || limit > PAGE_GRANULAR_LIMIT)
        return -XEN_EINVAL;
    if (!ldt->exists && (error = create(ldt)) != 0)
        return error;
    mmu_batch_call(__HYPERVISOR_update_descriptor, (machine_frame_of(ldt->pfn) << PAGE_SHIFT) + index * DESCRIPTOR_SIZE,
                   data_segment((uint32_t)base, limit), 0, &result);
    install(ldt->pfn);
    error = mmu_batch_submit();
    return error != 0 ? error : result;
}

int process_ldt_load(const struct process_ldt *ldt)
{
    uint64_t wanted = ldt->exists ? ldt->pfn : 0;

    if (installed_pfn == wanted)
        return 0;
    install(wanted);
    return mmu_batch_submit();
}

void process_ldt_release(struct process_ldt *ldt)
{
    if (!ldt->exists)
        return;
    if (installed_pfn == ldt->pfn)
        install(0);
    direct_map_unprotect(ldt->pfn);
    mmu_batch_submit();
    frame_free(ldt->pfn);
    *ldt = (struct process_ldt) { 0 };
}
