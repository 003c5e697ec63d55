/*
 * A host benchmark of common/page_type.c on the page-table work of one
 * Linux fork+exit (make bench-page-type): the shape Debian's 6.1 kernel
 * gives a small static process as a Xen PV guest (arch/x86/xen/mmu_pv.c:
 * __xen_pgd_pin pins every L1 on its own with MMUEXT_PIN_L1_TABLE, then
 * the kernel's L4 and the user L4 that shares its user L3s;
 * __xen_pgd_unpin undoes it in the other order).  The kernel half of the
 * L4 names L3s that init_mm keeps pinned.
 *
 * The callbacks are the hypervisor's in spirit (kernel/domain_memory.c):
 * a table is reached directly, preemption is asked of a counter that
 * checks every 32nd question, work is counted in plain counters.  It
 * prints the nanoseconds per fork+exit's page-table work and the counters
 * for one, then the nanoseconds per L1 entry set and cleared (the entry
 * updates of mmap 4 MiB, touch, munmap); run it under valgrind
 * --tool=callgrind for instructions per function.  Nothing here is a test: it asserts only that every pin and
 * unpin succeeds and that the tree is given back whole.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pvmon/layout.h>
#include <pvmon/page_type.h>

#define OWNER 1
#define FRAME_COUNT 64
#define PRESENT_RW_USER_ACCESSED_DIRTY UINT64_C(0x67)
#define PRESENT_USER_ACCESSED UINT64_C(0x25)

/* Frames: 1-4 the kernel L3s pinned once, 5-8 an L2 and L1 under two of
 * them; 10 the kernel L4, 11 the user L4, 12-13 user L3s, 14-15 L2s,
 * 16-19 L1s, 32 and up the pages the L1s map. */
enum {
    KERNEL_L3 = 1,
    KERNEL_L2 = 5,
    KERNEL_L1 = 7,
    PROCESS_L4 = 10,
    USER_L4 = 11,
    USER_L3 = 12,
    USER_L2 = 14,
    USER_L1 = 16,
    USER_L1_COUNT = 4,
    DATA_FRAME = 32,
};

static struct frame frames[FRAME_COUNT];
static uint64_t (*pages)[PAGE_TABLE_ENTRIES];
static uint64_t hypervisor_entries[HYPERVISOR_L4_SLOT_COUNT];
static struct page_pending_release pending;
static uint32_t flush_clock;
static unsigned int questions;
static uint64_t work_counters[3];
static uint64_t flush_requests;

static uint64_t *bench_table(const struct page_memory *memory, uint64_t frame)
{
    (void)memory;
    return pages[frame];
}

static void bench_release(const struct page_memory *memory, uint64_t frame)
{
    (void)memory;
    fprintf(stderr, "page-type bench: frame %llu released\n", (unsigned long long)frame);
    exit(1);
}

static void bench_flush(const struct page_memory *memory)
{
    (void)memory;
    flush_clock++;
    flush_requests++;
}

static bool bench_preempt(const struct page_memory *memory)
{
    (void)memory;
    if (++questions < 32)
        return false;
    questions = 0;
    return false;
}

static unsigned int bench_preempt_among(const struct page_memory *memory, unsigned int count)
{
    (void)memory;
    questions += count;
    if (questions < 32)
        return count;
    questions = 0;
    return count;
}

static struct page_pending_release *bench_pending(const struct page_memory *memory, uint16_t owner)
{
    (void)memory;
    (void)owner;
    return &pending;
}

static uint32_t bench_clock(const struct page_memory *memory)
{
    (void)memory;
    return flush_clock;
}

static void bench_count(const struct page_memory *memory, enum page_type_work work, uint64_t amount)
{
    (void)memory;
    work_counters[work] += amount;
}

static const struct page_memory memory = {
    .frames = frames,
    .frame_count = FRAME_COUNT,
    .table = bench_table,
    .hypervisor_l4_entries = hypervisor_entries,
    .release = bench_release,
    .request_tlb_flush = bench_flush,
    .preempt_requested = bench_preempt,
    .preempt_requested_among = bench_preempt_among,
    .pending_release = bench_pending,
    .tlb_flush_clock = bench_clock,
    .count = bench_count,
};

static uint64_t table_entry(uint64_t frame)
{
    return (frame << 12) | PRESENT_RW_USER_ACCESSED_DIRTY;
}

static void require(int error, const char *what)
{
    if (error == 0)
        return;
    fprintf(stderr, "page-type bench: %s failed: %d\n", what, error);
    exit(1);
}

/* The kernel's half: four L3s pinned for good, two with an L2 and an L1. */
static void build_kernel_half(void)
{
    for (unsigned int index = 0; index < 2; index++) {
        pages[KERNEL_L3 + index][index] = table_entry(KERNEL_L2 + index);
        pages[KERNEL_L2 + index][7] = table_entry(KERNEL_L1 + index);
        for (unsigned int entry = 0; entry < 64; entry++)
            pages[KERNEL_L1 + index][entry] = table_entry(DATA_FRAME + entry % 16) & ~UINT64_C(2);
    }
    for (unsigned int index = 0; index < 4; index++)
        require(page_pin(&memory, KERNEL_L3 + index, OWNER, PAGE_TYPE_L3), "kernel L3 pin");
}

/* A small static process: text and data at 4 MiB (L1s 0, 1), a stack and
 * the vdso at the top of the user half (L1s 2, 3). */
static void build_process(void)
{
    static const unsigned int present[USER_L1_COUNT] = { 24, 40, 16, 8 };
    static const unsigned int kernel_slots[4] = { 273, 402, 468, 511 };

    for (unsigned int l1 = 0; l1 < USER_L1_COUNT; l1++) {
        for (unsigned int entry = 0; entry < present[l1]; entry++) {
            uint64_t value = table_entry(DATA_FRAME + (l1 * 7 + entry) % 32);

            pages[USER_L1 + l1][l1 >= 2 ? 511 - entry : entry] = l1 == 0 ? value & ~UINT64_C(2) : value;
        }
    }
    pages[USER_L2][2] = table_entry(USER_L1);
    pages[USER_L2][3] = table_entry(USER_L1 + 1);
    pages[USER_L2 + 1][510] = table_entry(USER_L1 + 2);
    pages[USER_L2 + 1][511] = table_entry(USER_L1 + 3);
    pages[USER_L3][0] = table_entry(USER_L2);
    pages[USER_L3 + 1][511] = table_entry(USER_L2 + 1);
    for (unsigned int l4 = PROCESS_L4; l4 <= USER_L4; l4++) {
        pages[l4][0] = table_entry(USER_L3);
        pages[l4][255] = table_entry(USER_L3 + 1);
    }
    for (unsigned int slot = 0; slot < 4; slot++)
        pages[PROCESS_L4][kernel_slots[slot]] = table_entry(KERNEL_L3 + slot);
}

static void fork_exit_page_tables(void)
{
    for (unsigned int l1 = 0; l1 < USER_L1_COUNT; l1++)
        require(page_pin(&memory, USER_L1 + l1, OWNER, PAGE_TYPE_L1), "L1 pin");
    require(page_pin(&memory, PROCESS_L4, OWNER, PAGE_TYPE_L4), "L4 pin");
    require(page_pin(&memory, USER_L4, OWNER, PAGE_TYPE_L4), "user L4 pin");
    require(page_unpin(&memory, PROCESS_L4, OWNER), "L4 unpin");
    require(page_unpin(&memory, USER_L4, OWNER), "user L4 unpin");
    for (unsigned int l1 = 0; l1 < USER_L1_COUNT; l1++)
        require(page_unpin(&memory, USER_L1 + l1, OWNER), "L1 unpin");
    require(pending.pending ? -1 : 0, "nothing left pending");
}

/* What mmap of 4 MiB, touching it and munmap cost in entry updates: each
 * of the L1's entries (here one L1's 512, twice) set to a writable
 * mapping of a data page by the fault, then cleared by the unmap. */
static void map_touch_unmap_entries(void)
{
    uint64_t table = USER_L1 + 1;

    require(page_pin(&memory, table, OWNER, PAGE_TYPE_L1), "L1 pin");
    for (unsigned int round = 0; round < 2; round++) {
        for (unsigned int index = 64; index < PAGE_TABLE_ENTRIES; index++)
            require(page_update_entry(&memory, OWNER, table, index, table_entry(DATA_FRAME + index % 32), false,
                                      NULL),
                    "entry set");
        for (unsigned int index = 64; index < PAGE_TABLE_ENTRIES; index++)
            require(page_update_entry(&memory, OWNER, table, index, 0, false, NULL), "entry clear");
    }
    require(page_unpin(&memory, table, OWNER), "L1 unpin");
}

int main(int argc, char **argv)
{
    unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    struct timespec start, end;
    double nanoseconds;

    pages = calloc(FRAME_COUNT, sizeof(*pages));
    if (pages == NULL)
        return 1;
    for (uint64_t frame = 1; frame < FRAME_COUNT; frame++)
        page_assign(&memory, frame, OWNER, false);
    build_kernel_half();
    build_process();
    memset(work_counters, 0, sizeof(work_counters));
    flush_requests = 0;
    fork_exit_page_tables();
    printf("per fork+exit: %llu entries validated, %llu devalidated, %llu references taken, %llu flushes\n",
           (unsigned long long)work_counters[PAGE_TYPE_WORK_ENTRIES_VALIDATED],
           (unsigned long long)work_counters[PAGE_TYPE_WORK_ENTRIES_DEVALIDATED],
           (unsigned long long)work_counters[PAGE_TYPE_WORK_REFERENCES_TAKEN], (unsigned long long)flush_requests);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned long round = 0; round < rounds; round++)
        fork_exit_page_tables();
    clock_gettime(CLOCK_MONOTONIC, &end);
    nanoseconds = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    printf("%lu rounds: %.0f ns per fork+exit's page-table work\n", rounds, nanoseconds / (double)rounds);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned long round = 0; round < rounds / 10; round++)
        map_touch_unmap_entries();
    clock_gettime(CLOCK_MONOTONIC, &end);
    nanoseconds = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
    printf("%lu rounds: %.1f ns per L1 entry set and cleared\n", rounds / 10,
           nanoseconds / (double)(rounds / 10) / (2.0 * (PAGE_TABLE_ENTRIES - 64)));
    free(pages);
    return 0;
}
