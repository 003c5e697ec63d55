/*
 * The frame allocator (see frame_pool.h).  Two bitmaps over the domain's
 * pseudo-physical frames say which pages are free and which are known to
 * be zero; a free page is either known zero or dirty, and the two counts
 * are kept with the bitmaps.  A search starts where the last one of the
 * same kind ended.
 *
 * Rules kept:
 *   - the known-zero query happens before the direct map maps anything
 *     writable, since a writable mapping ends pvmon's knowledge;
 *   - a page is cleared through the direct map, never twice: a known-zero
 *     page is handed out as it is (unless prezeroed=off);
 *   - a page is unmapped from the direct map, and the TLB flushed, before
 *     it is given back, so that nothing but its allocation references it
 *     (pvmon refuses it otherwise; a refused page stays free, dirty); a
 *     given-back page is neither free nor allocated (the absent bitmap)
 *     and its p2m entry is invalid; once populated it is free and known
 *     zero, but left outside the direct map (outside_direct_map_bitmap),
 *     so that a page that only ever serves user space costs no direct-map
 *     update either way; every allocation but a known-zero FRAME_ZEROED_USER
 *     one maps the page there first, and so does frame_map_in_kernel
 *     before the kernel reaches a user page there;
 *   - pvmon never hands back more than the domain's maximum reservation
 *     (its rule 3): a populate that comes back short leaves the rest absent.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <xen/memory.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "direct_map.h"
#include "frame_pool.h"
#include "mmu_batch.h"

#define BITS_PER_WORD 64
#define BITMAP_WORDS (DIRECT_MAP_MAX_PAGES / BITS_PER_WORD)
#define INVALID_MACHINE_FRAME (~UINT64_C(0))
#define MINIMUM_LOW_WATER 64

enum frame_kind { KIND_KNOWN_ZERO, KIND_DIRTY };

static uint64_t free_bitmap[BITMAP_WORDS];
static uint64_t known_zero_bitmap[BITMAP_WORDS];
static uint64_t absent_bitmap[BITMAP_WORDS];
static uint64_t outside_direct_map_bitmap[BITMAP_WORDS];
static uint64_t search_start[2];
static uint64_t absent_search_start;
static uint64_t page_count;
static bool known_zero_in_use;
static struct frame_pool_statistics statistics;

static bool test_bit(const uint64_t *bitmap, uint64_t pfn)
{
    return (bitmap[pfn / BITS_PER_WORD] >> (pfn % BITS_PER_WORD) & 1) != 0;
}

static void set_bit(uint64_t *bitmap, uint64_t pfn)
{
    bitmap[pfn / BITS_PER_WORD] |= UINT64_C(1) << (pfn % BITS_PER_WORD);
}

static void clear_bit(uint64_t *bitmap, uint64_t pfn)
{
    bitmap[pfn / BITS_PER_WORD] &= ~(UINT64_C(1) << (pfn % BITS_PER_WORD));
}

static uint64_t *count_of(enum frame_kind kind)
{
    return kind == KIND_KNOWN_ZERO ? &statistics.free_known_zero : &statistics.free_dirty;
}

static void add_free(uint64_t pfn, enum frame_kind kind)
{
    set_bit(free_bitmap, pfn);
    if (kind == KIND_KNOWN_ZERO)
        set_bit(known_zero_bitmap, pfn);
    else
        clear_bit(known_zero_bitmap, pfn);
    (*count_of(kind))++;
}

/* Finds a free page of the kind (the count says there is one) and takes it out of the pool. */
static int take(enum frame_kind kind, uint64_t *pfn)
{
    uint64_t words = (page_count + BITS_PER_WORD - 1) / BITS_PER_WORD;
    uint64_t start = search_start[kind];

    for (uint64_t step = 0; step < words; step++) {
        uint64_t word = (start + step) % words;
        uint64_t kind_mask = kind == KIND_KNOWN_ZERO ? known_zero_bitmap[word] : ~known_zero_bitmap[word];
        uint64_t candidates = free_bitmap[word] & kind_mask;

        if (candidates != 0) {
            *pfn = word * BITS_PER_WORD + (uint64_t)__builtin_ctzll(candidates);
            search_start[kind] = word;
            clear_bit(free_bitmap, *pfn);
            clear_bit(known_zero_bitmap, *pfn);
            (*count_of(kind))--;
            return 0;
        }
    }
    console_printf("frame pool: the count says %lu free pages of a kind, the bitmap has none\n", *count_of(kind));
    return -XEN_ENOMEM;
}

static int take_preferring(enum frame_kind first_choice, uint64_t *pfn, enum frame_kind *taken)
{
    enum frame_kind other = first_choice == KIND_KNOWN_ZERO ? KIND_DIRTY : KIND_KNOWN_ZERO;

    *taken = *count_of(first_choice) > 0 ? first_choice : other;
    if (*count_of(*taken) == 0)
        return -XEN_ENOMEM;
    return take(*taken, pfn);
}

static void populate_some(void);

/* Takes given-back pages back when the allocation would otherwise clear a
 * dirty page (or find none). */
static void populate_if_needed(bool known_zero_wanted)
{
    if (statistics.pages_absent == 0 || statistics.free_known_zero > 0)
        return;
    if (known_zero_wanted || statistics.free_dirty == 0)
        populate_some();
}

int frame_map_in_kernel(uint64_t pfn)
{
    int error;

    if (pfn >= page_count || !test_bit(outside_direct_map_bitmap, pfn))
        return 0;
    direct_map_restore(pfn);
    if ((error = mmu_batch_submit()) != 0)
        return error;
    clear_bit(outside_direct_map_bitmap, pfn);
    statistics.mapped_in_kernel_later++;
    return 0;
}

int frame_allocate(enum frame_need need, uint64_t *pfn, enum frame_origin *origin)
{
    bool zeroed = need != FRAME_ANY;
    bool known_zero_wanted = zeroed && known_zero_in_use;
    enum frame_origin served;
    enum frame_kind taken;
    int error;

    populate_if_needed(known_zero_wanted);
    error = take_preferring(known_zero_wanted ? KIND_KNOWN_ZERO : KIND_DIRTY, pfn, &taken);
    if (error != 0)
        return error;
    if (!zeroed) {
        served = FRAME_AS_IT_WAS;
    } else if (taken == KIND_KNOWN_ZERO && known_zero_in_use) {
        served = FRAME_WAS_KNOWN_ZERO;
    } else {
        served = FRAME_CLEARED;
    }
    if (!(need == FRAME_ZEROED_USER && served == FRAME_WAS_KNOWN_ZERO) && (error = frame_map_in_kernel(*pfn)) != 0) {
        add_free(*pfn, taken);
        return error;
    }
    if (served == FRAME_CLEARED) {
        memset(direct_map_page(*pfn), 0, PAGE_SIZE);
        statistics.cleared++;
    } else if (served == FRAME_WAS_KNOWN_ZERO) {
        statistics.known_zero_handed_out++;
    }
    if (origin != NULL)
        *origin = served;
    return 0;
}

/* Takes pfn, known free, out of the pool. */
static void take_this(uint64_t pfn)
{
    (*count_of(test_bit(known_zero_bitmap, pfn) ? KIND_KNOWN_ZERO : KIND_DIRTY))--;
    clear_bit(free_bitmap, pfn);
    clear_bit(known_zero_bitmap, pfn);
}

int frame_allocate_contiguous(uint64_t count, uint64_t *first_pfn)
{
    uint64_t run = 0;

    for (uint64_t pfn = 0; pfn < page_count && count > 0; pfn++) {
        run = test_bit(free_bitmap, pfn) ? run + 1 : 0;
        if (run == count) {
            *first_pfn = pfn + 1 - count;
            for (uint64_t taken = *first_pfn; taken <= pfn; taken++) {
                take_this(taken);
                if (test_bit(outside_direct_map_bitmap, taken))
                    direct_map_restore(taken);
            }
            if (mmu_batch_submit() != 0) {
                for (uint64_t taken = *first_pfn; taken <= pfn; taken++)
                    add_free(taken, KIND_DIRTY);
                return -XEN_ENOMEM;
            }
            for (uint64_t taken = *first_pfn; taken <= pfn; taken++)
                clear_bit(outside_direct_map_bitmap, taken);
            return 0;
        }
    }
    return -XEN_ENOMEM;
}

void frame_free(uint64_t pfn)
{
    if (pfn >= page_count || test_bit(free_bitmap, pfn)) {
        console_printf("frame pool: page %lu freed twice or not ours; ignored\n", pfn);
        return;
    }
    add_free(pfn, KIND_DIRTY);
}

bool frame_pool_uses_known_zero(void)
{
    return known_zero_in_use;
}

void frame_pool_get_statistics(struct frame_pool_statistics *copy)
{
    *copy = statistics;
}

/* --- start of day ------------------------------------------------------ */

/* Asks pvmon which of [first, end) are known zero, before anything maps them. */
static void learn_known_zero(uint64_t first, uint64_t end)
{
    static uint8_t answer[PVMON_KNOWN_ZERO_QUERY_LIMIT / 8];
    const uint64_t *physical_to_machine = (const uint64_t *)runtime_start_info->mfn_list;

    for (uint64_t chunk = first; chunk < end; chunk += PVMON_KNOWN_ZERO_QUERY_LIMIT) {
        uint64_t count = end - chunk < PVMON_KNOWN_ZERO_QUERY_LIMIT ? end - chunk : PVMON_KNOWN_ZERO_QUERY_LIMIT;
        struct pvmon_known_zero_query query = {
            .frames = (uint64_t)&physical_to_machine[chunk],
            .bitmap = (uint64_t)answer,
            .count = (uint32_t)count,
        };
        long result = hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_query_known_zero,
                                 (unsigned long)&query, 0);

        if (result != 0) {
            console_printf("frame pool: the known-zero query failed (%ld): no page counts as known zero\n",
                           result);
            return;
        }
        for (uint64_t index = 0; index < count; index++) {
            if ((answer[index / 8] >> (index % 8) & 1) != 0)
                set_bit(known_zero_bitmap, chunk + index);
        }
    }
}

static void add_free_range(uint64_t first, uint64_t end)
{
    for (uint64_t pfn = first; pfn < end; pfn++) {
        bool known_zero = test_bit(known_zero_bitmap, pfn);

        add_free(pfn, known_zero ? KIND_KNOWN_ZERO : KIND_DIRTY);
        statistics.known_zero_at_boot += known_zero;
    }
}

int frame_pool_init(const struct start_info *start_info, bool use_known_zero)
{
    uint64_t bootstrap_pages, table_pages = 0;
    uint64_t first_free = (start_info->pt_base - KERNEL_VIRTUAL_BASE) / PAGE_SIZE + start_info->nr_pt_frames + 1;
    int error = direct_map_init(start_info, &bootstrap_pages);

    if (error != 0)
        return error;
    known_zero_in_use = use_known_zero;
    page_count = start_info->nr_pages < DIRECT_MAP_MAX_PAGES ? start_info->nr_pages : DIRECT_MAP_MAX_PAGES;
    if (page_count < start_info->nr_pages)
        console_printf("frame pool: using %lu of %lu pages (the direct map holds 1 GiB)\n", page_count,
                       start_info->nr_pages);
    if (first_free > bootstrap_pages) {
        console_printf("frame pool: the boot stack ends beyond the bootstrap mapping\n");
        return -XEN_EINVAL;
    }
    learn_known_zero(first_free, page_count);
    if (bootstrap_pages < page_count && (error = direct_map_extend(bootstrap_pages, page_count, &table_pages)) != 0)
        return error;
    for (uint64_t pfn = bootstrap_pages; pfn < bootstrap_pages + table_pages; pfn++)
        clear_bit(known_zero_bitmap, pfn);
    add_free_range(first_free, bootstrap_pages);
    add_free_range(bootstrap_pages + table_pages, page_count);
    statistics.managed_pages = statistics.free_known_zero + statistics.free_dirty;
    console_printf("frame pool: %lu pages free (%lu known zero), %lu pages of direct-map tables; "
                   "prezeroed pages %s\n", statistics.managed_pages, statistics.free_known_zero, table_pages,
                   known_zero_in_use ? "used" : "ignored (prezeroed=off)");
    return 0;
}

/* --- free page reporting ------------------------------------------------- */

static uint64_t report_pfns[FRAME_REPORT_BATCH];
static uint64_t report_frames[FRAME_REPORT_BATCH];
static uint64_t populate_pfns[FRAME_POPULATE_BATCH];
static xen_pfn_t populated[FRAME_POPULATE_BATCH];

/* Pages pvmon did not take: free, dirty, still outside the direct map
 * until an allocation needs them there. */
static void keep_refused(uint64_t first, uint64_t end)
{
    for (uint64_t index = first; index < end; index++)
        add_free(report_pfns[index], KIND_DIRTY);
    statistics.give_back_refused += end - first;
}

/* Unmaps up to a batch of dirty pages, flushes the TLB, gives their
 * frames back; those pvmon took become absent. */
static int give_back_batch(void)
{
    struct pvmon_free_frames request = { .frames = (uint64_t)report_frames };
    uint64_t taken = 0, started_ns = system_time_ns();
    enum frame_kind kind;
    long result;
    int error;

    while (taken < FRAME_REPORT_BATCH && take_preferring(KIND_DIRTY, &report_pfns[taken], &kind) == 0) {
        report_frames[taken] = machine_frame_of(report_pfns[taken]);
        if (!test_bit(outside_direct_map_bitmap, report_pfns[taken]))
            direct_map_remove(report_pfns[taken]);
        set_bit(outside_direct_map_bitmap, report_pfns[taken]);
        taken++;
    }
    mmu_batch_flush_tlb();
    if ((error = mmu_batch_submit()) != 0) {
        keep_refused(0, taken);
        return error;
    }
    request.count = (uint32_t)taken;
    result = hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_give_back_free,
                        (unsigned long)&request, 0);
    if (request.given_back > taken)
        request.given_back = 0;
    for (uint64_t index = 0; index < request.given_back; index++) {
        runtime_set_machine_frame(report_pfns[index], INVALID_MACHINE_FRAME);
        set_bit(absent_bitmap, report_pfns[index]);
    }
    statistics.pages_absent += request.given_back;
    statistics.pages_given_back += request.given_back;
    statistics.give_back_batches++;
    keep_refused(request.given_back, taken);
    statistics.give_back_ns += system_time_ns() - started_ns;
    if (result != 0)
        console_printf("frame pool: pvmon took %u of %lu pages given back (%ld)\n", request.given_back, taken,
                       result);
    return (int)result;
}

int frame_pool_give_back_free(void)
{
    int error = 0;

    if (!known_zero_in_use)
        return 0;
    while (error == 0 && statistics.free_dirty + statistics.free_known_zero >= FRAME_FREE_KEEP + FRAME_REPORT_BATCH)
        error = give_back_batch();
    return error;
}

/* The next absent pseudo-physical frames, up to a batch; how many. */
static uint64_t pick_absent(void)
{
    uint64_t words = (page_count + BITS_PER_WORD - 1) / BITS_PER_WORD, count = 0;

    for (uint64_t step = 0; step <= words && count < FRAME_POPULATE_BATCH; step++) {
        uint64_t word = (absent_search_start + step) % words;

        while (absent_bitmap[word] != 0 && count < FRAME_POPULATE_BATCH) {
            uint64_t pfn = word * BITS_PER_WORD + (uint64_t)__builtin_ctzll(absent_bitmap[word]);

            clear_bit(absent_bitmap, pfn);
            populate_pfns[count++] = pfn;
        }
        if (count > 0)
            absent_search_start = word;
    }
    return count;
}

/* Takes a batch of given-back pages back (XENMEM_populate_physmap): zero
 * frames, free and known zero, left outside the direct map (an allocation
 * that needs them there maps them: frame_map_in_kernel).  Those pvmon did
 * not give (out of memory) stay absent. */
static void populate_some(void)
{
    struct xen_memory_reservation reservation = { .extent_order = 0, .domid = DOMID_SELF };
    uint64_t count = pick_absent(), done, started_ns = system_time_ns(), mapped_back;
    long result;

    for (uint64_t index = 0; index < count; index++)
        populated[index] = populate_pfns[index];
    reservation.nr_extents = count;
    set_xen_guest_handle(reservation.extent_start, populated);
    result = hypercall3(__HYPERVISOR_memory_op, XENMEM_populate_physmap, (unsigned long)&reservation, 0);
    done = result < 0 || (uint64_t)result > count ? 0 : (uint64_t)result;
    for (uint64_t index = 0; index < done; index++) {
        runtime_set_machine_frame(populate_pfns[index], populated[index]);
        if (!physical_frame_of(populated[index], &mapped_back) || mapped_back != populate_pfns[index])
            console_printf("frame pool: after populate_physmap, M2P[%#lx] is not gpfn %#lx\n",
                           (unsigned long)populated[index], populate_pfns[index]);
    }
    for (uint64_t index = 0; index < done; index++)
        add_free(populate_pfns[index], KIND_KNOWN_ZERO);
    for (uint64_t index = done; index < count; index++)
        set_bit(absent_bitmap, populate_pfns[index]);
    statistics.pages_absent -= done;
    statistics.pages_populated += done;
    statistics.populate_batches++;
    statistics.populate_ns += system_time_ns() - started_ns;
}
