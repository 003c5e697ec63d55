/*
 * The second half of the cross-domain leak test (tests/system/leak.domains,
 * after memory_leak_fill.c has filled its memory with LEAK_SECRET and
 * gone): this domU reads every byte of every frame it can get and counts
 * the frames holding any trace of the secret.  The expected count is 0.
 *
 * Rule enforced: no information passes from one domain to another through
 * memory (pvmon's memory extension: frames are zeroed before any domain
 * sees them again; Xen scrubs freed domain memory), whichever way the
 * first domain gave its frames back.
 *
 * What it scans: every frame of its own but the kernel image (which holds
 * the secret's halves in its code): the p2m list, start_info, the console
 * and xenstore pages, the bootstrap page tables, the boot stack, the slack
 * pages and the frames beyond the bootstrap region; then whatever
 * populate_physmap gives until it fails; then, for up to BALLOON_ROUNDS
 * rounds while that finds new frames, it gives the frames beyond the
 * region back and takes as many again, to see more of the machine.  A
 * trace: any aligned 4-byte half of any 8-byte word equal to either half
 * of the secret.  It prints
 *   "memory_leak_scan: scanned N frames (D distinct), T with a trace of the secret"
 * and the system test checks T = 0 and D above the filler's distinct count.
 */
#include "pv_memory.h"

const char test_family[] = "memory_leak_scan";

#define BALLOON_ROUNDS 8
#define POPULATE_BATCH 64
#define TRACKED_FRAMES 32768
#define DISTINCT_FRAME_LIMIT (UINT64_C(1) << 18) /* 1 GiB of machine memory */
#define DATA_PTE (PTE_PRESENT | PTE_ACCESSED)
#define SECRET_LOW ((uint32_t)LEAK_SECRET)
#define SECRET_HIGH ((uint32_t)(LEAK_SECRET >> 32))

static struct guest_memory memory;
static uint64_t extents[TRACKED_FRAMES];
static uint64_t extent_count;
static uint8_t seen_frames[DISTINCT_FRAME_LIMIT / 8];
static uint64_t scanned, distinct, traces, unmappable;

static bool word_has_trace(uint64_t word)
{
    uint32_t low = (uint32_t)word, high = (uint32_t)(word >> 32);

    return low == SECRET_LOW || low == SECRET_HIGH || high == SECRET_LOW || high == SECRET_HIGH;
}

static bool page_has_trace(const volatile uint64_t *page)
{
    bool trace = false;

    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        trace = word_has_trace(page[index]) || trace;
    return trace;
}

/* The detector itself, on a page of the kernel's stack (never scanned). */
static void check_detector(void)
{
    volatile uint64_t page[ENTRIES_PER_TABLE];

    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        page[index] = 0;
    expect_true("detector_finds_nothing_in_a_zero_page", !page_has_trace(page), 1, "no trace");
    page[ENTRIES_PER_TABLE - 1] = LEAK_SECRET;
    expect_true("detector_finds_the_secret_in_the_last_word", page_has_trace(page), 0, "a trace");
    page[ENTRIES_PER_TABLE - 1] = (uint64_t)SECRET_LOW << 32;
    expect_true("detector_finds_half_the_secret_moved_by_4_bytes", page_has_trace(page), 0, "a trace");
    page[ENTRIES_PER_TABLE - 1] = 0;
}

static void scan_page(const volatile uint64_t *page, uint64_t frame)
{
    bool trace = page_has_trace(page);

    scanned++;
    traces += trace;
    if (trace)
        console_printf("memory_leak_scan: frame %#lx holds a trace of the secret\n", frame);
    if (frame >= DISTINCT_FRAME_LIMIT) {
        distinct++;
    } else if (!(seen_frames[frame / 8] & (1 << (frame % 8)))) {
        distinct++;
        seen_frames[frame / 8] |= (uint8_t)(1 << (frame % 8));
    }
}

static void scan_through_window(uint64_t frame)
{
    if (map_frame(memory.window, frame, DATA_PTE) != 0) {
        unmappable++;
        return;
    }
    scan_page((const volatile uint64_t *)memory.window, frame);
}

static void scan_own_frames(void)
{
    for (uint64_t pfn = memory.image_end_pfn; pfn < memory.bootstrap_end_pfn; pfn++)
        scan_page((const volatile uint64_t *)bootstrap_address(pfn), frame_of_pfn(pfn));
    for (uint64_t pfn = memory.bootstrap_end_pfn; pfn < memory.nr_pages && extent_count < TRACKED_FRAMES; pfn++) {
        extents[extent_count++] = frame_of_pfn(pfn);
        scan_through_window(frame_of_pfn(pfn));
    }
}

/* populate_physmap in batches until it gives less than asked; scans what it gave. */
static uint64_t populate_and_scan(uint64_t next_gpfn)
{
    uint64_t gained = 0;

    while (extent_count + POPULATE_BATCH <= TRACKED_FRAMES) {
        uint64_t *batch = extents + extent_count;
        long done;

        for (unsigned int index = 0; index < POPULATE_BATCH; index++)
            batch[index] = next_gpfn + index;
        done = reservation_op(XENMEM_populate_physmap, batch, POPULATE_BATCH, 0, DOMID_SELF);
        if (done <= 0)
            break;
        for (long index = 0; index < done; index++)
            scan_through_window(batch[index]);
        extent_count += (uint64_t)done;
        next_gpfn += (uint64_t)done;
        gained += (uint64_t)done;
        if (done < POPULATE_BATCH)
            break;
    }
    return gained;
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);
    uint64_t gained;

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready)
        return;
    check_detector();
    scan_own_frames();
    gained = populate_and_scan(memory.nr_pages);
    console_printf("memory_leak_scan: populate_physmap gave %lu frames beyond the initial reservation\n", gained);
    for (unsigned int round = 0; round < BALLOON_ROUNDS; round++) {
        uint64_t distinct_before = distinct;
        long given_back;

        hypercall_update_va_mapping(memory.window, 0, UVMF_INVLPG);
        given_back = reservation_op(XENMEM_decrease_reservation, extents, extent_count, 0, DOMID_SELF);
        if (given_back != (long)extent_count) {
            expect_result("decrease_gives_back_every_scanned_frame", given_back, (long)extent_count);
            break;
        }
        extent_count = 0;
        populate_and_scan(memory.bootstrap_end_pfn);
        if (distinct == distinct_before)
            break;
    }
    hypercall_update_va_mapping(memory.window, 0, UVMF_INVLPG);
    console_printf("memory_leak_scan: scanned %lu frames (%lu distinct), %lu with a trace of the secret\n", scanned,
                   distinct, traces);
    expect_result("frames_with_a_trace_of_the_secret", (long)traces, 0);
    expect_result("frames_that_could_not_be_mapped", (long)unmappable, 0);
    expect_true("scanned_at_least_every_own_frame_but_the_image", distinct >= memory.nr_pages - memory.image_end_pfn,
                (long)distinct, "every frame but the image");
}
