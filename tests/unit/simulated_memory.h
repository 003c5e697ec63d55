/*
 * A simulated machine for the page-type tests and the page-type fuzzer:
 * a frame table and 4 KiB pages of RAM in host memory, behind a struct
 * page_memory whose callbacks record what common/page_type.c asks of the
 * hypervisor (frames released, TLB flushes requested).  Snapshots of the
 * whole frame table and RAM let a test check that a refused operation
 * changed nothing but what pvmon/page_type.h allows a refusal to change.
 */
#ifndef PVMON_TEST_SIMULATED_MEMORY_H
#define PVMON_TEST_SIMULATED_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvmon/frame.h>
#include <pvmon/layout.h>
#include <pvmon/page_type.h>

/* What the hypervisor's L4 slot FIRST_HYPERVISOR_SLOT + index holds in the simulation:
 * present, writable, accessed and dirty (a D bit no guest L4 entry may
 * carry), pointing far beyond the simulated RAM so that taking a
 * reference on it would fail. */
#define SIMULATED_HYPERVISOR_L4_ENTRY(index) (UINT64_C(0x00000dead0000063) + ((uint64_t) (index) << 12))

typedef uint64_t simulated_page[PAGE_TABLE_ENTRIES];

/* Owners 0 .. SIMULATED_OWNER_LIMIT - 1 have a pending release slot. */
#define SIMULATED_OWNER_LIMIT 8

struct simulated_memory {
    struct page_memory memory;
    struct frame *frames;
    simulated_page *pages;
    uint64_t frame_count;
    uint64_t hypervisor_l4_entries[HYPERVISOR_L4_SLOT_COUNT];
    /* How many times each frame was released, all releases, the last one. */
    uint32_t *release_counts;
    uint64_t release_total;
    uint64_t last_released;
    uint64_t tlb_flush_requests;
    /* Preemption, deterministic: when preempt_every is not 0, the
     * preempt_every-th question since preempt_questions was last set to 0
     * is answered "stop" (and the count starts again).  Every question is
     * one unit of work, counted in preempt_questions and questions_total. */
    uint64_t preempt_every;
    uint64_t preempt_questions;
    uint64_t questions_total;
    uint64_t stops_total;
    /* How many times page_type.c asked for a table's contents: once per
     * table it validates, devalidates or writes. */
    uint64_t table_visits;
    struct page_pending_release pending_releases[SIMULATED_OWNER_LIMIT];
    /* Full flushes so far: each request, and each simulated_full_flush. */
    uint32_t tlb_flush_clock;
    /* The I/O memory of each owner (NULL: none), for io_memory_of. */
    const struct io_memory *io_memory[SIMULATED_OWNER_LIMIT];
};

/* Every frame starts free (state FRAME_FREE, everything else 0) and every
 * page zeroed. */
void simulated_memory_create(struct simulated_memory *machine, uint64_t frame_count);
void simulated_memory_destroy(struct simulated_memory *machine);

/* A full flush the page-type code did not ask for (the hypervisor loading
 * CR3 at a context switch): advances the flush clock. */
void simulated_full_flush(struct simulated_memory *machine);

/* The machine's page_memory, for the page_* calls. */
const struct page_memory *simulated_memory_view(const struct simulated_memory *machine);
uint64_t *simulated_page_of(struct simulated_memory *machine, uint64_t frame);

/* A copy of the frame table and of RAM.  Start from all zeroes; taking a
 * snapshot again reuses its buffers until simulated_snapshot_free. */
struct simulated_snapshot {
    struct frame *frames;
    simulated_page *pages;
    uint64_t frame_count;
};

void simulated_snapshot_take(const struct simulated_memory *machine, struct simulated_snapshot *snapshot);
/* Says in text what changed in frame, for a failure message. */
void simulated_snapshot_describe_difference(const struct simulated_memory *machine,
                                            const struct simulated_snapshot *snapshot, uint64_t frame, char *text,
                                            size_t size);
/* Whether the machine differs from the snapshot by more than pvmon/page_type.h
 * lets a refused call change: counts, pins, validation, ownership and the
 * entries of every table in use must be as they were; a frame whose type
 * count is 0 may have a different remembered type, a known-zero mark may
 * be gone, and a present entry of a table not in use may have gained U.
 * If so, text says what. */
bool simulated_snapshot_refusal_changed_too_much(const struct simulated_memory *machine,
                                                 const struct simulated_snapshot *snapshot, char *text, size_t size);
void simulated_snapshot_free(struct simulated_snapshot *snapshot);

#endif
