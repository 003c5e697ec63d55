/*
 * The first half of the cross-domain leak test (tests/system/leak.domains,
 * run by tests/system/run-system-tests.sh): this domU writes a secret
 * (LEAK_SECRET, pv_memory.h) into every 8-byte word of as many machine
 * frames as it can get, and gives them back; memory_leak_scan.c then runs
 * in a later scenario and looks for any trace of it.
 *
 * Rule enforced (the memory extension's guarantee, and Xen's
 * scrub-on-free): no information passes from one domain to another
 * through memory.  Every frame is zeroed before any domain sees it again,
 * whether it was given back with XENMEM_decrease_reservation or with the
 * domain's end.  Within this domain, every frame XENMEM_populate_physmap
 * hands out is zero, even right after the domain gave back frames full of
 * its secret.
 *
 * What it fills: its free frames (slack pages and the frames beyond the
 * bootstrap region); then, for BALLOON_ROUNDS rounds, it gives the frames
 * beyond the region back (decrease_reservation), takes as many as
 * populate_physmap gives, checks they are zero and fills them too.  At
 * the end it gives half of the last round's frames back; gives back
 * frames still in use (L1 tables full of the secret, pinned; its slack
 * pages, still mapped), which the hypervisor frees when they are unpinned
 * or unmapped; unmaps some given-back frames without a TLB flush and keeps
 * writing the secret through the stale translations while the idle loop
 * zeroes freed frames; and keeps the rest until it shuts down.  It prints
 *   "memory_leak_fill: filled N frames (D distinct) with the secret"
 * for the system test, which needs the scanner to scan more than D.
 */
#include "pv_memory.h"

const char test_family[] = "memory_leak_fill";

#define BALLOON_ROUNDS 3
#define PINNED_TABLES 64
#define STALE_PAGES 32
#define STALE_ROUNDS 5
#define STALE_PAUSE_NS (20 * NANOSECONDS_PER_MILLISECOND)
#define TRACKED_FRAMES 16384
#define DISTINCT_FRAME_LIMIT (UINT64_C(1) << 18) /* 1 GiB of machine memory */
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED | PTE_DIRTY)
#define DATA_PTE (PTE_PRESENT | PTE_ACCESSED)

static struct guest_memory memory;
static uint64_t extents[TRACKED_FRAMES];
static uint64_t extent_count;
static uint8_t seen_frames[DISTINCT_FRAME_LIMIT / 8];
static uint64_t filled, distinct;
static uint64_t stale_first_pfn = UINT64_MAX; /* slack pages from here on were given back already */

static void count_frame(uint64_t frame)
{
    filled++;
    if (frame >= DISTINCT_FRAME_LIMIT) {
        distinct++;
        return;
    }
    if (!(seen_frames[frame / 8] & (1 << (frame % 8))))
        distinct++;
    seen_frames[frame / 8] |= (uint8_t)(1 << (frame % 8));
}

static void fill_page(volatile uint64_t *page)
{
    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        page[index] = LEAK_SECRET;
}

static bool fill_through_window(uint64_t frame)
{
    if (map_frame(memory.window, frame, WRITABLE_PTE) != 0)
        return false;
    fill_page((volatile uint64_t *)memory.window);
    count_frame(frame);
    return true;
}

static bool frame_is_zero(uint64_t frame)
{
    bool zero = true;

    if (map_frame(memory.window, frame, DATA_PTE) != 0)
        return false;
    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        zero = zero && ((const volatile uint64_t *)memory.window)[index] == 0;
    return zero;
}

static void fill_own_free_frames(void)
{
    uint64_t failures = 0;

    for (uint64_t pfn = memory.first_free_pfn; pfn < memory.bootstrap_end_pfn; pfn++) {
        fill_page((volatile uint64_t *)bootstrap_address(pfn));
        count_frame(frame_of_pfn(pfn));
    }
    for (uint64_t pfn = memory.bootstrap_end_pfn; pfn < memory.nr_pages && extent_count < TRACKED_FRAMES; pfn++) {
        extents[extent_count++] = frame_of_pfn(pfn);
        failures += !fill_through_window(frame_of_pfn(pfn));
    }
    expect_result("every_free_frame_can_be_mapped_writable", (long)failures, 0);
}

static void balloon_round(unsigned int round)
{
    uint64_t count = extent_count, not_zero = 0, failures = 0;
    long done;

    hypercall_update_va_mapping(memory.window, 0, UVMF_INVLPG);
    done = reservation_op(XENMEM_decrease_reservation, extents, count, 0, DOMID_SELF);
    if (round == 0)
        expect_result("decrease_gives_back_every_filled_frame", done, (long)count);
    for (uint64_t index = 0; index < count; index++)
        extents[index] = memory.bootstrap_end_pfn + index;
    done = reservation_op(XENMEM_populate_physmap, extents, count, 0, DOMID_SELF);
    extent_count = done > 0 ? (uint64_t)done : 0;
    if (round == 0)
        expect_true("populate_gives_frames_back", extent_count > 0, done, "some frames");
    for (uint64_t index = 0; index < extent_count; index++) {
        not_zero += !frame_is_zero(extents[index]);
        failures += !fill_through_window(extents[index]);
    }
    if (round == 0) {
        expect_result("populated_frames_hold_nothing_of_the_frames_given_back", (long)not_zero, 0);
        expect_result("populated_frames_can_be_mapped_writable", (long)failures, 0);
    } else if (not_zero != 0 || failures != 0) {
        expect_true("later_rounds_get_zero_writable_frames", false, (long)(not_zero + failures), "none otherwise");
    }
}

/* Frames given back while mapped, then unmapped without a TLB flush
 * (UVMF_NONE): the stale translations may still reach the freed frames, so
 * the secret is written through them again after the idle loop had time
 * to zero them.  The hypervisor must flush before it zeroes and reuses a
 * frame (Xen's tlbflush_timestamp), or these late writes reach whoever
 * gets the frame next. */
static void write_through_stale_translations(void)
{
    uint64_t pages[STALE_PAGES], frames[STALE_PAGES], count = 0, landed = 0, unmapped = 0;

    for (uint64_t pfn = memory.bootstrap_end_pfn - 1; pfn >= memory.first_free_pfn && count < STALE_PAGES; pfn--) {
        if ((uint64_t)bootstrap_address(pfn) == memory.window)
            continue;
        pages[count] = (uint64_t)bootstrap_address(pfn);
        frames[count++] = frame_of_pfn(pfn);
    }
    for (uint64_t index = 0; index < count; index++)
        fill_page((volatile uint64_t *)pages[index]);
    expect_result("mapped_frames_are_given_back",
                  reservation_op(XENMEM_decrease_reservation, frames, count, 0, DOMID_SELF), (long)count);
    for (uint64_t index = 0; index < count; index++)
        unmapped += hypercall_update_va_mapping(pages[index], 0, UVMF_NONE) == 0;
    expect_result("given_back_frames_are_unmapped_without_a_flush", (long)unmapped, (long)count);
    for (unsigned int round = 0; round < STALE_ROUNDS; round++) {
        for (uint64_t index = 0; index < count; index++)
            for (unsigned int word = 0; word < ENTRIES_PER_TABLE; word += 64)
                landed += !write_faults(pages[index] + word * sizeof(uint64_t), LEAK_SECRET);
        sleep_ns(STALE_PAUSE_NS);
    }
    console_printf("memory_leak_fill: %lu late writes through stale translations landed\n", landed);
    stale_first_pfn = pfn_of_address((const void *)pages[count - 1]);
}

/* Frames given back while still in use, freed later by other paths: L1
 * tables full of the secret (every word a not-present entry, so they
 * validate), pinned when given back and unpinned after; and the slack
 * pages, given back while mapped and then unmapped. */
static void give_back_frames_in_use(uint64_t held)
{
    uint64_t tables = held < PINNED_TABLES ? held : PINNED_TABLES;
    static uint64_t slack[TRACKED_FRAMES];
    uint64_t pinned = 0, unpinned = 0;
    uint64_t slack_count = 0, unmapped = 0;
    long given_back;

    for (uint64_t index = 0; index < tables; index++)
        pinned += mmuext_one(MMUEXT_PIN_L1_TABLE, extents[index]) == 0;
    expect_result("frames_full_of_the_secret_pin_as_l1_tables", (long)pinned, (long)tables);
    given_back = reservation_op(XENMEM_decrease_reservation, extents, tables, 0, DOMID_SELF);
    expect_true("pinned_l1_tables_are_given_back_or_refused", given_back == (long)tables || given_back == 0,
                given_back, "all or none");
    for (uint64_t index = 0; index < tables; index++)
        unpinned += mmuext_one(MMUEXT_UNPIN_TABLE, extents[index]) == 0;
    console_printf("memory_leak_fill: gave back %ld pinned L1 tables, %lu unpinned after\n", given_back, unpinned);

    for (uint64_t pfn = memory.first_free_pfn; pfn < memory.bootstrap_end_pfn && pfn < stale_first_pfn; pfn++)
        if ((uint64_t)bootstrap_address(pfn) != memory.window)
            slack[slack_count++] = frame_of_pfn(pfn);
    expect_result("mapped_slack_frames_are_given_back",
                  reservation_op(XENMEM_decrease_reservation, slack, slack_count, 0, DOMID_SELF), (long)slack_count);
    for (uint64_t pfn = memory.first_free_pfn; pfn < memory.bootstrap_end_pfn && pfn < stale_first_pfn; pfn++)
        if ((uint64_t)bootstrap_address(pfn) != memory.window)
            unmapped += hypercall_update_va_mapping((uint64_t)bootstrap_address(pfn), 0, UVMF_INVLPG) == 0;
    expect_result("given_back_slack_frames_are_unmapped", (long)unmapped, (long)slack_count);
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);
    long kept;

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready)
        return;
    fill_own_free_frames();
    for (unsigned int round = 0; round < BALLOON_ROUNDS; round++)
        balloon_round(round);
    hypercall_update_va_mapping(memory.window, 0, UVMF_INVLPG);
    kept = (long)extent_count / 2;
    expect_result("decrease_gives_back_half_of_the_last_round",
                  reservation_op(XENMEM_decrease_reservation, extents + kept, extent_count - (uint64_t)kept, 0,
                                 DOMID_SELF),
                  (long)extent_count - kept);
    expect_page_faults();
    write_through_stale_translations();
    give_back_frames_in_use((uint64_t)kept);
    console_printf("memory_leak_fill: filled %lu frames (%lu distinct) with the secret\n", filled, distinct);
    expect_true("filled_at_least_every_free_frame", distinct >= memory.nr_pages - memory.first_free_pfn,
                (long)distinct, "at least its free frames");
}
