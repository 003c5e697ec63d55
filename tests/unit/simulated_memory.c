/*
 * The simulated machine of the page-type tests and fuzzer (see
 * simulated_memory.h): its callbacks, snapshots, and the rule of what a
 * refused call may change.  A request for a frame outside the simulated
 * RAM is a bug in the code under test: it is reported and the process
 * aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simulated_memory.h"

/* Entry bits, written again here rather than taken from the code under test. */
#define PAGE_TABLE_ENTRY_PRESENT_BIT (UINT64_C(1) << 0)
#define PAGE_TABLE_ENTRY_USER_BIT (UINT64_C(1) << 2)

static struct simulated_memory *machine_of(const struct page_memory *memory)
{
    return memory->context;
}

static void *allocate_zeroed(size_t count, size_t size)
{
    void *block = calloc(count, size);

    if (block == NULL) {
        fprintf(stderr, "simulated memory: out of host memory\n");
        abort();
    }
    return block;
}

static void refuse_out_of_range(const struct simulated_memory *machine, uint64_t frame, const char *request)
{
    if (frame < machine->frame_count)
        return;
    fprintf(stderr, "simulated memory: %s of frame %llu, beyond the %llu simulated frames\n", request,
            (unsigned long long) frame, (unsigned long long) machine->frame_count);
    abort();
}

static uint64_t *simulated_table(const struct page_memory *memory, uint64_t frame)
{
    struct simulated_memory *machine = machine_of(memory);

    refuse_out_of_range(machine, frame, "table contents asked");
    machine->table_visits++;
    return machine->pages[frame];
}

static void simulated_release(const struct page_memory *memory, uint64_t frame)
{
    struct simulated_memory *machine = machine_of(memory);

    refuse_out_of_range(machine, frame, "release");
    machine->release_counts[frame]++;
    machine->last_released = frame;
    machine->release_total++;
}

static void simulated_request_tlb_flush(const struct page_memory *memory)
{
    machine_of(memory)->tlb_flush_requests++;
    machine_of(memory)->tlb_flush_clock++;
}

static uint32_t simulated_tlb_flush_clock(const struct page_memory *memory)
{
    return machine_of(memory)->tlb_flush_clock;
}

void simulated_full_flush(struct simulated_memory *machine)
{
    machine->tlb_flush_clock++;
}

static bool simulated_preempt_requested(const struct page_memory *memory)
{
    struct simulated_memory *machine = machine_of(memory);

    machine->questions_total++;
    machine->preempt_questions++;
    if (machine->preempt_every == 0 || machine->preempt_questions < machine->preempt_every)
        return false;
    machine->preempt_questions = 0;
    machine->stops_total++;
    return true;
}

static struct page_pending_release *simulated_pending_release(const struct page_memory *memory, uint16_t owner)
{
    return owner < SIMULATED_OWNER_LIMIT ? &machine_of(memory)->pending_releases[owner] : NULL;
}

static const struct io_memory *simulated_io_memory_of(const struct page_memory *memory, uint16_t domain)
{
    return domain < SIMULATED_OWNER_LIMIT ? machine_of(memory)->io_memory[domain] : NULL;
}

void simulated_memory_create(struct simulated_memory *machine, uint64_t frame_count)
{
    memset(machine, 0, sizeof(*machine));
    machine->frame_count = frame_count;
    machine->frames = allocate_zeroed(frame_count, sizeof(struct frame));
    machine->pages = allocate_zeroed(frame_count, sizeof(simulated_page));
    machine->release_counts = allocate_zeroed(frame_count, sizeof(uint32_t));
    for (uint64_t frame = 0; frame < frame_count; frame++) {
        machine->frames[frame].state = FRAME_FREE;
        machine->frames[frame].next_free = FRAME_NONE;
        machine->frames[frame].previous_free = FRAME_NONE;
    }
    for (unsigned int index = 0; index < HYPERVISOR_L4_SLOT_COUNT; index++)
        machine->hypervisor_l4_entries[index] = SIMULATED_HYPERVISOR_L4_ENTRY(index);

    machine->memory.frames = machine->frames;
    machine->memory.frame_count = frame_count;
    machine->memory.table = simulated_table;
    machine->memory.hypervisor_l4_entries = machine->hypervisor_l4_entries;
    machine->memory.release = simulated_release;
    machine->memory.request_tlb_flush = simulated_request_tlb_flush;
    machine->memory.preempt_requested = simulated_preempt_requested;
    machine->memory.pending_release = simulated_pending_release;
    machine->memory.tlb_flush_clock = simulated_tlb_flush_clock;
    machine->memory.io_memory_of = simulated_io_memory_of;
    machine->memory.context = machine;
}

void simulated_memory_destroy(struct simulated_memory *machine)
{
    free(machine->frames);
    free(machine->pages);
    free(machine->release_counts);
    memset(machine, 0, sizeof(*machine));
}

const struct page_memory *simulated_memory_view(const struct simulated_memory *machine)
{
    return &machine->memory;
}

uint64_t *simulated_page_of(struct simulated_memory *machine, uint64_t frame)
{
    refuse_out_of_range(machine, frame, "page asked by the test");
    return machine->pages[frame];
}

void simulated_snapshot_take(const struct simulated_memory *machine, struct simulated_snapshot *snapshot)
{
    if (snapshot->frames != NULL && snapshot->frame_count != machine->frame_count)
        simulated_snapshot_free(snapshot);
    if (snapshot->frames == NULL) {
        snapshot->frame_count = machine->frame_count;
        snapshot->frames = allocate_zeroed(machine->frame_count, sizeof(struct frame));
        snapshot->pages = allocate_zeroed(machine->frame_count, sizeof(simulated_page));
    }
    memcpy(snapshot->frames, machine->frames, machine->frame_count * sizeof(struct frame));
    memcpy(snapshot->pages, machine->pages, machine->frame_count * sizeof(simulated_page));
}

void simulated_snapshot_describe_difference(const struct simulated_memory *machine,
                                            const struct simulated_snapshot *snapshot, uint64_t frame, char *text,
                                            size_t size)
{
    const struct frame *before = &snapshot->frames[frame];
    const struct frame *after = &machine->frames[frame];

    if (memcmp(before, after, sizeof(struct frame)) != 0) {
        snprintf(text, size,
                 "frame %llu: type_info %#x -> %#x, reference_count %#x -> %#x, state %u -> %u, owner %u -> %u, "
                 "flags %#x -> %#x, linear_count %d -> %d", (unsigned long long) frame, before->type_info,
                 after->type_info, before->reference_count, after->reference_count, before->state, after->state,
                 before->owner, after->owner, before->flags, after->flags, before->linear_count,
                 after->linear_count);
        return;
    }
    for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
        if (snapshot->pages[frame][index] == machine->pages[frame][index])
            continue;
        snprintf(text, size, "page of frame %llu, entry %u: %#llx -> %#llx", (unsigned long long) frame, index,
                 (unsigned long long) snapshot->pages[frame][index], (unsigned long long) machine->pages[frame][index]);
        return;
    }
    snprintf(text, size, "frame %llu: no difference", (unsigned long long) frame);
}

static bool frame_change_allowed_by_refusal(const struct frame *before, const struct frame *after)
{
    uint32_t kept_type_bits = PAGE_TYPE_COUNT_MASK | PAGE_TYPE_VALIDATED | PAGE_TYPE_PINNED;
    bool type_in_use = (before->type_info & PAGE_TYPE_COUNT_MASK) != 0;
    uint8_t flags_gained = after->flags & ~before->flags;
    uint8_t flags_lost = before->flags & ~after->flags;

    if (type_in_use)
        kept_type_bits |= PAGE_TYPE_MASK;
    if (before->state == FRAME_DOMAIN && after->state == FRAME_DOMAIN) {
        /* pvmon/frame.h: validated_entries means something only while
         * partial (a refusal is not checked when a table was), and the
         * flush stamp only while the type count is 0. */
        if (before->linear_count != after->linear_count ||
            (type_in_use && before->tlb_flush_stamp != after->tlb_flush_stamp))
            return false;
    } else if (before->next_free != after->next_free || before->previous_free != after->previous_free) {
        return false;
    }
    return before->reference_count == after->reference_count && before->state == after->state &&
           before->owner == after->owner && before->order == after->order &&
           (before->type_info & kept_type_bits) == (after->type_info & kept_type_bits) && flags_gained == 0 &&
           (flags_lost & ~FRAME_FLAG_KNOWN_ZERO) == 0;
}

static bool is_table_in_use(const struct frame *frame)
{
    uint32_t type = (frame->type_info & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT;

    return type >= PAGE_TYPE_L1 && type <= PAGE_TYPE_L4 && (frame->type_info & PAGE_TYPE_COUNT_MASK) != 0;
}

/* The entry a refusal left, against what it was: the same, or for a table
 * not in use, the present entry with U forced on. */
static bool entry_change_allowed_by_refusal(bool table_in_use, uint64_t before, uint64_t after)
{
    if (before == after)
        return true;
    return !table_in_use && (before & PAGE_TABLE_ENTRY_PRESENT_BIT) && after == (before | PAGE_TABLE_ENTRY_USER_BIT);
}

bool simulated_snapshot_refusal_changed_too_much(const struct simulated_memory *machine,
                                                 const struct simulated_snapshot *snapshot, char *text, size_t size)
{
    for (uint64_t frame = 0; frame < machine->frame_count; frame++) {
        const struct frame *before = &snapshot->frames[frame];
        bool table_in_use = is_table_in_use(before);

        if (!frame_change_allowed_by_refusal(before, &machine->frames[frame])) {
            simulated_snapshot_describe_difference(machine, snapshot, frame, text, size);
            return true;
        }
        for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
            uint64_t old_entry = snapshot->pages[frame][index];
            uint64_t new_entry = machine->pages[frame][index];

            if (entry_change_allowed_by_refusal(table_in_use, old_entry, new_entry))
                continue;
            snprintf(text, size, "entry %u of %s frame %llu: %#llx -> %#llx", index,
                     table_in_use ? "the table in use" : "the", (unsigned long long) frame,
                     (unsigned long long) old_entry, (unsigned long long) new_entry);
            return true;
        }
    }
    return false;
}

void simulated_snapshot_free(struct simulated_snapshot *snapshot)
{
    free(snapshot->frames);
    free(snapshot->pages);
    snapshot->frames = NULL;
    snapshot->pages = NULL;
    snapshot->frame_count = 0;
}
