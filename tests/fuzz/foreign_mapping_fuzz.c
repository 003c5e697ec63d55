/*
 * The foreign-mapping fuzzer: LLVMFuzzerTestOneInput drives the public
 * API of pvmon/page_type.h on a simulated machine
 * (tests/unit/simulated_memory.c) with three owners, one of them
 * privileged, as mmu_update's foreigndom uses it: L1 entries written by
 * page_update_entry (every domain) and page_update_entry_foreign (only the
 * privileged domain may reach it: hypervisor/kernel/mmu_update.c refuses
 * foreigndom to the others before page_type.c is called, so the harness
 * keeps that rule and the fuzzer checks what page_type.c must do on each
 * path), frames given back, tables unpinned and pinned again, and a
 * domain's teardown as hypervisor/kernel/domain.c does it (unpin
 * everything, give everything back, then the frames still mapped by
 * another domain leave it, owned by DOMID_INVALID).
 *
 * After every step, from the harness's own records:
 *   - a call was accepted exactly when the rules allow: the ordinary path
 *     names only frames the caller holds; the foreign path names only
 *     frames the chosen owner holds, and only in L1 entries; a table with
 *     a foreign entry cannot be pinned again; nobody writes another
 *     domain's table;
 *   - every frame's reference and type counts are what its allocation,
 *     pin and the entries mapping it account for, and every table in use
 *     holds exactly the entries written, any naming another domain's (or
 *     an orphaned) frame having come through the foreign path;
 *   - a frame is released when, and only when, nothing references it any
 *     more, and only once: a given-back frame a foreign entry still maps
 *     lives on, owned by its old owner or, after that owner's teardown,
 *     by DOMID_INVALID, and no one, not even a domain with the old id, can
 *     take a new reference on it;
 *   - device memory (pvmon/page_type.h invariant 6): the privileged
 *     domain alone has I/O memory, frames FRAME_COUNT and FRAME_COUNT + 1
 *     beyond the machine; an L1 entry naming a frame beyond the machine
 *     is accepted exactly when the caller and the frame owner asked for
 *     both have it, holds no reference, and is refused with -EPERM
 *     otherwise (-EINVAL for the all-ones frame, Xen's INVALID_MFN);
 *   - the step's work (basic blocks of page_type.c) stays under a bound.
 * At the end everything is unmapped, unpinned and given back, and every
 * frame that was ever assigned must have been released exactly once.
 * Any violation aborts with a message naming the step.
 *
 * Operation bytes: 0 kind, 1 caller, 2 table, 3 entry index, 4 target
 * frame, 5 flags, 6 frame owner for the foreign path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/io_memory.h>
#include <pvmon/page_type.h>
#include <xen/xen.h>

#include "fuzz_report.h"
#include "../unit/simulated_memory.h"
#include "fuzz_input.h"
#include "work_meter.h"

#define FRAME_COUNT UINT64_C(48)
#define OWNERS 3
#define PRIVILEGED_OWNER 0 /* index into owner_ids */
#define MAX_STEPS 300
#define TABLES 5
#define INDEXES_USED 8 /* entries 0-7 of each table, so that entries get replaced */
#define ENTRY_PRESENT (UINT64_C(1) << 0)
#define ENTRY_WRITABLE (UINT64_C(1) << 1)
#define ENTRY_USER (UINT64_C(1) << 2)
#define ENTRY_ACCESSED (UINT64_C(1) << 5)
#define ENTRY_UNCACHED (UINT64_C(3) << 3) /* PWT and PCD */
/* A pin or unpin (de)validates one 512-entry table here; the bound leaves
 * room for that and nothing that grows with the machine. */
#define WORK_BOUND (64 * PAGE_TABLE_ENTRIES + 1024)

static const uint16_t owner_ids[OWNERS] = {0, 4, 9};
/* The privileged owner's I/O memory: two frames beyond the machine. */
static const struct io_memory privileged_io_memory = {
    .count = 1,
    .ranges = { { FRAME_COUNT, FRAME_COUNT + 1 } },
};
/* Each owner's frames start here; the last ones stay free. */
static const uint64_t owner_first_frames[OWNERS + 1] = {0, 16, 32, 44};

enum operation_kind {
    OPERATION_UPDATE,
    OPERATION_UPDATE_FOREIGN,
    OPERATION_GIVE_BACK,
    OPERATION_UNMAP,
    OPERATION_UNPIN,
    OPERATION_PIN,
    OPERATION_TEARDOWN,
    OPERATION_TRY_REFERENCE,
    OPERATION_KINDS,
};

static const char *const operation_names[] = {
    "update", "foreign update", "give back", "unmap", "unpin", "pin", "teardown", "try reference",
};

/* The page tables: frame, owner, level.  The L2 takes no foreign entry. */
static const struct {
    uint64_t frame;
    unsigned int owner;
    enum page_type level;
} tables[TABLES] = {
    {0, 0, PAGE_TYPE_L1}, {1, 0, PAGE_TYPE_L1}, {2, 0, PAGE_TYPE_L2}, {16, 1, PAGE_TYPE_L1}, {32, 2, PAGE_TYPE_L1},
};

struct model_frame {
    bool assigned;          /* ever assigned */
    uint16_t owner;         /* DOMID_INVALID once orphaned */
    bool allocated;         /* not given back */
    bool pinned;                /* only the frames of tables[] are ever pinned */
    uint32_t mappings;          /* present entries naming it */
    uint32_t writable_mappings;
    bool released;
};

struct model_entry {
    uint64_t value;  /* as stored; 0 when not present */
    bool foreign;
};

struct harness {
    struct simulated_memory machine;
    struct model_frame frames[FRAME_COUNT];
    struct model_entry entries[TABLES][INDEXES_USED];
    bool alive[OWNERS];
    unsigned int step;
    const char *operation;
};

static struct harness harness;

#define violation(...) fuzz_report_violation("foreign-mapping", harness.step, harness.operation, __VA_ARGS__)

static const struct page_memory *memory(void)
{
    return simulated_memory_view(&harness.machine);
}

static bool held_by(uint64_t frame, uint16_t owner)
{
    if (frame >= FRAME_COUNT)
        return false;
    const struct model_frame *model = &harness.frames[frame];

    return model->assigned && !model->released && model->allocated && model->owner == owner;
}

static bool is_device_frame(uint64_t frame)
{
    return frame >= FRAME_COUNT;
}

static bool device_frame_permitted(uint64_t frame, uint16_t domain)
{
    return domain == owner_ids[PRIVILEGED_OWNER] && io_memory_permits(&privileged_io_memory, frame);
}

static void expect_outcome(int got, bool accepted, const char *what)
{
    if ((got == 0) != accepted || (got != 0 && got != -XEN_EINVAL))
        violation("%s: returned %d, expected %s", what, got, accepted ? "0" : "-EINVAL");
}

static void start_metering(void)
{
    work_meter_reset();
}

static void check_work(void)
{
    uint64_t work = work_meter_blocks();

    if (work > WORK_BOUND)
        violation("%llu basic blocks, beyond the bound of %u", (unsigned long long) work, WORK_BOUND);
}

/* ---- the model's bookkeeping ---- */

static void add_mapping(uint64_t entry)
{
    if (!(entry & ENTRY_PRESENT) || is_device_frame(entry >> 12))
        return;
    struct model_frame *target = &harness.frames[(entry >> 12) & 0xffffffffff];
    target->mappings++;
    if (entry & ENTRY_WRITABLE)
        target->writable_mappings++;
}

static void drop_mapping(uint64_t entry)
{
    if (!(entry & ENTRY_PRESENT) || is_device_frame(entry >> 12))
        return;
    struct model_frame *target = &harness.frames[(entry >> 12) & 0xffffffffff];
    target->mappings--;
    if (entry & ENTRY_WRITABLE)
        target->writable_mappings--;
}

static uint32_t expected_references(const struct model_frame *frame)
{
    return (frame->allocated ? 1 : 0) + (frame->pinned ? 1 : 0) + frame->mappings;
}

/* Releases the model expects now; the machine must agree. */
static void check_frames(void)
{
    for (uint64_t number = 0; number < FRAME_COUNT; number++) {
        struct model_frame *frame = &harness.frames[number];
        uint32_t releases = harness.machine.release_counts[number];

        if (!frame->assigned)
            continue;
        bool should_be_released = expected_references(frame) == 0;
        if (releases > 1)
            violation("frame %llu released %u times", (unsigned long long) number, releases);
        if ((releases == 1) != should_be_released)
            violation("frame %llu %s, with %u references expected", (unsigned long long) number,
                      releases == 1 ? "released" : "not released", expected_references(frame));
        frame->released = releases == 1;
        if (frame->released)
            continue;
        uint32_t references = page_reference_count(memory(), number);
        uint32_t type_references = page_type_count(memory(), number);
        uint32_t expected_types = frame->pinned ? 1 : frame->writable_mappings;
        if (references != expected_references(frame) || type_references != expected_types)
            violation("frame %llu: %u references and %u type references, expected %u and %u",
                      (unsigned long long) number, references, type_references, expected_references(frame),
                      expected_types);
        if (harness.machine.frames[number].owner != frame->owner)
            violation("frame %llu owned by %u, expected %u", (unsigned long long) number,
                      harness.machine.frames[number].owner, frame->owner);
    }
}

/* The tables in use hold what the model wrote, and every entry naming
 * another domain's frame (or an orphaned one) came through the foreign
 * path. */
static void check_tables(void)
{
    for (unsigned int table = 0; table < TABLES; table++) {
        const uint64_t *contents = simulated_page_of(&harness.machine, tables[table].frame);

        if (!harness.frames[tables[table].frame].pinned)
            continue;
        for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
            const struct model_entry *model = &harness.entries[table][index % INDEXES_USED];
            uint64_t expected = index < INDEXES_USED ? model->value : 0;

            if (contents[index] != expected)
                violation("table %llu entry %u holds %#llx, expected %#llx", (unsigned long long) tables[table].frame,
                          index, (unsigned long long) contents[index], (unsigned long long) expected);
            if (!(expected & ENTRY_PRESENT))
                continue;
            if (is_device_frame(expected >> 12)) {
                if (!device_frame_permitted(expected >> 12, owner_ids[tables[table].owner]))
                    violation("table %llu entry %u names device frame %llu outside its owner's I/O memory",
                              (unsigned long long) tables[table].frame, index,
                              (unsigned long long) (expected >> 12));
                continue;
            }
            uint16_t target_owner = harness.machine.frames[expected >> 12].owner;
            if (target_owner != owner_ids[tables[table].owner] && !model->foreign)
                violation("table %llu entry %u names frame %llu of domain %u, not through the foreign path",
                          (unsigned long long) tables[table].frame, index, (unsigned long long) (expected >> 12),
                          target_owner);
        }
    }
}

/* ---- operations ---- */

static uint64_t choose_frame(uint8_t byte)
{
    if (byte < 0xf0)
        return byte % FRAME_COUNT;
    /* 0xff: the largest frame an entry can name (address bits 12-51),
     * far beyond the machine; one more would spill into software bit 52. */
    return byte == 0xff ? (UINT64_C(1) << 40) - 1 : FRAME_COUNT + byte % 4;
}

static uint64_t make_entry(uint64_t frame, uint8_t flags)
{
    if ((flags & 3) == 0)
        return 0;
    return (frame << 12) | ENTRY_PRESENT | ENTRY_USER | ENTRY_ACCESSED | ((flags & 4) ? ENTRY_WRITABLE : 0);
}

/* Whether a present L1 entry of caller's naming frame may be taken for
 * frame_owner. */
static bool l1_entry_allowed(uint64_t entry, uint16_t caller, uint16_t frame_owner)
{
    if (!(entry & ENTRY_PRESENT))
        return true;
    uint64_t target = entry >> 12;
    if (is_device_frame(target))
        return device_frame_permitted(target, caller) && device_frame_permitted(target, frame_owner);
    if (!held_by(target, frame_owner))
        return false;
    return !(entry & ENTRY_WRITABLE) || !harness.frames[target].pinned; /* no RW mapping of a table in use */
}

/* The same frame with the same RW bit (or not present either time): the
 * entry holds the same references, and a change of its other flags takes
 * none (Xen's mod_l1_entry fast path), so it is accepted whoever owns the
 * frame now. */
static bool keeps_references(uint64_t old_entry, uint64_t new_entry)
{
    if (!(old_entry & ENTRY_PRESENT) || !(new_entry & ENTRY_PRESENT))
        return !(old_entry & ENTRY_PRESENT) && !(new_entry & ENTRY_PRESENT);
    return (old_entry >> 12) == (new_entry >> 12) && (old_entry & ENTRY_WRITABLE) == (new_entry & ENTRY_WRITABLE);
}

static void update(unsigned int caller, unsigned int table, unsigned int index, uint64_t entry,
                   unsigned int frame_owner, bool foreign_path)
{
    const struct model_frame *table_frame = &harness.frames[tables[table].frame];
    uint16_t caller_id = owner_ids[caller];
    uint16_t frame_owner_id = owner_ids[frame_owner];
    bool owns_table = held_by(tables[table].frame, caller_id);
    bool accepted;
    int refusal = -XEN_EINVAL;

    if (owns_table && !table_frame->pinned)
        return; /* a plain write into a frame not in use as a table: the page-type fuzzer's ground */
    if (!owns_table)
        accepted = false; /* another domain's table, or one given back */
    else if (tables[table].level != PAGE_TYPE_L1)
        accepted = !(entry & ENTRY_PRESENT);
    else
        accepted = keeps_references(harness.entries[table][index].value, entry) ||
                   l1_entry_allowed(entry, caller_id, frame_owner_id);
    if (owns_table && tables[table].level == PAGE_TYPE_L1 && (entry & ENTRY_PRESENT) &&
        is_device_frame(entry >> 12) && (entry >> 12) != IO_MEMORY_INVALID_FRAME)
        refusal = -XEN_EPERM;
    if (owns_table && tables[table].level != PAGE_TYPE_L1 && (entry & ENTRY_PRESENT) &&
        held_by(entry >> 12, caller_id))
        return; /* an L2 entry naming the caller's own frame validates a tree: the page-type fuzzer's ground */

    uint64_t stored = 0;
    start_metering();
    int got = foreign_path ? page_update_entry_foreign(memory(), caller_id, frame_owner_id, tables[table].frame,
                                                       index, entry, false, &stored)
                           : page_update_entry(memory(), caller_id, tables[table].frame, index, entry, false, &stored);
    check_work();
    if ((got == 0) != accepted || (got != 0 && got != refusal))
        violation("%s by domain %u of table %llu entry %u to %#llx naming domain %u's frames: returned %d, "
                  "expected %d", foreign_path ? "page_update_entry_foreign" : "page_update_entry", caller_id,
                  (unsigned long long) tables[table].frame, index, (unsigned long long) entry, frame_owner_id, got,
                  accepted ? 0 : refusal);
    if (got != 0)
        return;
    struct model_entry *model = &harness.entries[table][index];
    if (!keeps_references(model->value, entry))
        model->foreign = (entry & ENTRY_PRESENT) && frame_owner != caller;
    if ((entry & ENTRY_PRESENT) && is_device_frame(entry >> 12) && stored != (entry | ENTRY_UNCACHED))
        violation("device entry %#llx stored as %#llx, not uncached", (unsigned long long) entry,
                  (unsigned long long) stored);
    add_mapping(entry);
    drop_mapping(model->value);
    model->value = stored;
}

static void give_back(unsigned int owner, uint64_t frame)
{
    bool accepted = held_by(frame, owner_ids[owner]);

    start_metering();
    int got = page_give_back(memory(), frame, owner_ids[owner]);
    check_work();
    expect_outcome(got, accepted, "page_give_back");
    if (got == 0)
        harness.frames[frame].allocated = false;
}

static void unpin(unsigned int table)
{
    struct model_frame *frame = &harness.frames[tables[table].frame];
    uint16_t owner = owner_ids[tables[table].owner];
    bool accepted = frame->pinned && frame->owner == owner;

    start_metering();
    int got = page_unpin(memory(), tables[table].frame, owner);
    check_work();
    expect_outcome(got, accepted, "page_unpin");
    if (got != 0)
        return;
    frame->pinned = false;
    for (unsigned int index = 0; index < INDEXES_USED; index++)
        drop_mapping(harness.entries[table][index].value); /* the references stay in the frame's contents */
}

/* Pinning again validates the table: only the owner's frames may be named. */
static void pin(unsigned int table)
{
    struct model_frame *frame = &harness.frames[tables[table].frame];
    uint16_t owner = owner_ids[tables[table].owner];
    bool accepted = !frame->pinned && frame->writable_mappings == 0 && held_by(tables[table].frame, owner);

    for (unsigned int index = 0; accepted && index < INDEXES_USED; index++)
        accepted = l1_entry_allowed(harness.entries[table][index].value, owner, owner);
    start_metering();
    int got = page_pin(memory(), tables[table].frame, owner, tables[table].level);
    check_work();
    expect_outcome(got, accepted, "page_pin");
    if (got != 0)
        return;
    frame->pinned = true;
    for (unsigned int index = 0; index < INDEXES_USED; index++)
        add_mapping(harness.entries[table][index].value);
}

/* hypervisor/kernel/domain.c's release_domain_memory, and its checks. */
static void teardown(unsigned int owner)
{
    uint16_t id = owner_ids[owner];

    if (owner == PRIVILEGED_OWNER || !harness.alive[owner])
        return;
    harness.alive[owner] = false;
    for (unsigned int table = 0; table < TABLES; table++) {
        if (tables[table].owner == owner && harness.frames[tables[table].frame].pinned)
            unpin(table);
    }
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        if (harness.frames[frame].owner == id && harness.frames[frame].allocated)
            give_back(owner, frame);
    }
    check_frames();
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        struct frame *entry = &harness.machine.frames[frame];

        if (entry->state != FRAME_DOMAIN || entry->owner != id || harness.frames[frame].released)
            continue;
        if ((entry->reference_count & PAGE_REFERENCE_ALLOCATED) || (entry->type_info & PAGE_TYPE_PINNED) ||
            ((entry->type_info & PAGE_TYPE_COUNT_MASK) != 0 && page_type_of(memory(), frame) != PAGE_TYPE_WRITABLE))
            violation("frame %llu of torn-down domain %u lives on still allocated, pinned or typed",
                      (unsigned long long) frame, id);
        if (harness.frames[frame].mappings == 0)
            violation("frame %llu of torn-down domain %u lives on with no mapping", (unsigned long long) frame, id);
        entry->owner = DOMID_INVALID;
        harness.frames[frame].owner = DOMID_INVALID;
    }
}

/* Nobody may take a reference on a frame that is not held: given back,
 * orphaned, another's, or beyond the machine. */
static void try_reference(unsigned int owner, uint64_t frame, bool as_invalid)
{
    uint16_t id = as_invalid ? DOMID_INVALID : owner_ids[owner];
    bool accepted = held_by(frame, id);

    start_metering();
    int got = page_get_reference(memory(), frame, id);
    check_work();
    expect_outcome(got, accepted, "page_get_reference");
    if (got == 0)
        page_put_reference(memory(), frame);
}

static void run_operation(struct fuzz_input *input)
{
    enum operation_kind kind = (enum operation_kind) (fuzz_input_byte(input) % OPERATION_KINDS);
    unsigned int caller = fuzz_input_byte(input) % OWNERS;
    unsigned int table = fuzz_input_byte(input) % TABLES;
    unsigned int index = fuzz_input_byte(input) % INDEXES_USED;
    uint64_t frame = choose_frame(fuzz_input_byte(input));
    uint8_t flags = fuzz_input_byte(input);
    unsigned int frame_owner = fuzz_input_byte(input) % OWNERS;

    harness.operation = operation_names[kind];
    switch (kind) {
    case OPERATION_UPDATE:
        if (harness.alive[caller])
            update(caller, table, index, make_entry(frame, flags), caller, flags & 8);
        break;
    case OPERATION_UPDATE_FOREIGN:
        /* mmu_update: only the privileged domain may name another domain as
         * foreigndom.  Mostly into its own L1s, naming the other owner's frames. */
        if (!(flags & 0x10)) {
            table = table % 2;
            frame = owner_first_frames[frame_owner] + frame % (owner_first_frames[frame_owner + 1] -
                                                                owner_first_frames[frame_owner]);
        }
        if (harness.alive[PRIVILEGED_OWNER])
            update(PRIVILEGED_OWNER, table, index, make_entry(frame, flags), frame_owner, true);
        break;
    case OPERATION_GIVE_BACK:
        /* a quarter of the time, or the frames would all be gone early */
        if (harness.alive[caller] && (flags & 0x60) == 0x60)
            give_back(caller, frame);
        break;
    case OPERATION_UNMAP:
        if (harness.alive[tables[table].owner])
            update(tables[table].owner, table, index, 0, tables[table].owner, false);
        break;
    case OPERATION_UNPIN:
        if (harness.alive[tables[table].owner])
            unpin(table);
        break;
    case OPERATION_PIN:
        if (harness.alive[tables[table].owner])
            pin(table);
        break;
    case OPERATION_TEARDOWN:
        /* an eighth of the time, for the same reason */
        if ((flags & 0xe0) == 0xe0)
            teardown(caller);
        break;
    default:
        try_reference(caller, frame, flags & 1);
        break;
    }
}

/* Frames 0-15 belong to the privileged owner, 16-31 and 32-43 to the others; their tables are pinned. */
static void set_up(void)
{
    simulated_memory_destroy(&harness.machine);
    memset(&harness, 0, sizeof(harness));
    simulated_memory_create(&harness.machine, FRAME_COUNT);
    harness.machine.io_memory[owner_ids[PRIVILEGED_OWNER]] = &privileged_io_memory;
    harness.operation = "set-up";
    for (uint64_t frame = 0; frame < owner_first_frames[OWNERS]; frame++) {
        unsigned int owner = frame < owner_first_frames[1] ? 0 : frame < owner_first_frames[2] ? 1 : 2;

        page_assign(memory(), frame, owner_ids[owner], true);
        harness.frames[frame] = (struct model_frame) {.assigned = true, .owner = owner_ids[owner], .allocated = true};
    }
    for (unsigned int owner = 0; owner < OWNERS; owner++)
        harness.alive[owner] = true;
    for (unsigned int table = 0; table < TABLES; table++)
        pin(table);
}

/* Unmaps, unpins and gives back everything: every frame must be released once. */
static void let_go_of_everything(void)
{
    harness.operation = "letting go of everything";
    for (unsigned int table = 0; table < TABLES; table++) {
        for (unsigned int index = 0; index < INDEXES_USED; index++) {
            if (harness.frames[tables[table].frame].pinned && harness.entries[table][index].value != 0)
                update(tables[table].owner, table, index, 0, tables[table].owner, false);
        }
    }
    for (unsigned int table = 0; table < TABLES; table++) {
        if (harness.frames[tables[table].frame].pinned)
            unpin(table);
    }
    for (unsigned int table = 0; table < TABLES; table++) {
        /* an unpinned table's contents hold no references; clear them so that the recount agrees */
        memset(harness.entries[table], 0, sizeof(harness.entries[table]));
    }
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        const struct model_frame *model = &harness.frames[frame];

        if (model->allocated && !model->released) {
            unsigned int owner = 0;
            while (owner_ids[owner] != model->owner)
                owner++;
            give_back(owner, frame);
        }
    }
    check_frames();
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        if (harness.frames[frame].assigned && harness.machine.release_counts[frame] != 1)
            violation("frame %llu not released at the end", (unsigned long long) frame);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = {data, size, 0};

    set_up();
    check_frames();
    for (harness.step = 1; harness.step <= MAX_STEPS && !fuzz_input_exhausted(&input); harness.step++) {
        run_operation(&input);
        check_frames();
        check_tables();
    }
    let_go_of_everything();
    return 0;
}
