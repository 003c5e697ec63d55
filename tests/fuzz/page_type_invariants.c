/*
 * The page-type fuzzer's invariant check (see page_type_harness.h).  It
 * does not rely on the code under test: it recounts, from the harness's
 * own records (allocations, pins, references held) and from the entries
 * of every validated table, what each frame's reference count and type
 * count must be, which type it must have and its linear count (read-only
 * linear entries, one level only), and compares with the frame
 * table (the code under test is only asked whether page_reference_count
 * and friends agree with it).  A partial table counts its partial state
 * (one type and one general reference), the entries below its
 * validated_entries and its partial entry (a general reference); a
 * pending release counts a general reference on its frame.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_type_harness.h"

#define ENTRY_PRESENT (UINT64_C(1) << 0)
#define ENTRY_WRITABLE (UINT64_C(1) << 1)
#define ENTRY_USER (UINT64_C(1) << 2)
#define ENTRY_LARGE (UINT64_C(1) << 7)
#define ENTRY_GLOBAL (UINT64_C(1) << 8)
#define ENTRY_GRANT_TABLE_MAPPING (UINT64_C(1) << 62)
#define ENTRY_ADDRESS UINT64_C(0x000ffffffffff000)
#define ENTRY_CACHE_ATTRIBUTES (UINT64_C(0x18))
/* docs/page-table-entry-bits.md: what a present entry may never hold. */
#define UPPER_LEVEL_REFUSED (ENTRY_LARGE | ENTRY_GLOBAL | ENTRY_CACHE_ATTRIBUTES)
#define L1_REFUSED (ENTRY_GRANT_TABLE_MAPPING | ENTRY_CACHE_ATTRIBUTES | ENTRY_LARGE)

static const char *const type_names[] = {"none", "writable", "L1", "L2", "L3", "L4", "descriptor", "type 7"};

/* What the recount expects of one frame. */
struct expectation {
    uint32_t references;
    uint32_t type_references;
    enum page_type required_type; /* PAGE_TYPE_NONE: no type reference asks for one */
    const char *required_by;
    uint32_t linear_entries;      /* its read-only entries at other tables of its level */
    uint32_t linear_uses;         /* such entries of other tables at it */
};

void harness_violation(const struct harness *harness, const char *format, ...)
{
    va_list arguments;

    fprintf(stderr, "page-type fuzz: invariant broken at step %u (%s): ", harness->step,
            harness->step_description[0] != '\0' ? harness->step_description : "start");
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
    abort();
}

enum page_type harness_type_of(const struct frame *frame)
{
    return (enum page_type) ((frame->type_info & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT);
}

uint32_t harness_type_count_of(const struct frame *frame)
{
    return frame->type_info & PAGE_TYPE_COUNT_MASK;
}

bool harness_is_page_table_type(enum page_type type)
{
    return type >= PAGE_TYPE_L1 && type <= PAGE_TYPE_L4;
}

bool harness_is_hypervisor_slot(enum page_type level, unsigned int index)
{
    return level == PAGE_TYPE_L4 && index >= FIRST_HYPERVISOR_SLOT &&
           index < FIRST_HYPERVISOR_SLOT + HYPERVISOR_L4_SLOT_COUNT;
}

uint64_t harness_entry_target(uint64_t entry)
{
    return (entry & ENTRY_ADDRESS) >> 12;
}

bool harness_device_permitted(uint16_t owner, uint64_t frame)
{
    return owner == FUZZ_DEVICE_OWNER && frame >= FUZZ_FRAME_COUNT && frame < FUZZ_FRAME_COUNT + FUZZ_DEVICE_FRAMES;
}

/* Xen's rule, computed independently: the PAT index (PAT, PCD, PWT) in
 * XEN_MSR_PAT; UC (0), WC (1) and UC- (7) stay, anything else becomes
 * index 3 (PCD|PWT, UC). */
uint64_t harness_device_entry_stored(uint64_t entry)
{
    static const uint8_t xen_pat_types[8] = {6, 4, 7, 0, 1, 5, 0, 0};
    unsigned int index = ((entry >> 7) & 1) << 2 | ((entry >> 4) & 1) << 1 | ((entry >> 3) & 1);
    uint8_t type = xen_pat_types[index];

    if (type == 0 || type == 1 || type == 7)
        return entry | ENTRY_USER;
    return (entry & ~(ENTRY_LARGE | ENTRY_CACHE_ATTRIBUTES)) | ENTRY_CACHE_ATTRIBUTES | ENTRY_USER;
}

bool harness_entry_allowed(uint64_t entry, enum page_type level)
{
    if (!(entry & ENTRY_PRESENT))
        return true;
    if (level == PAGE_TYPE_L1)
        return !(entry & L1_REFUSED);
    return !(entry & UPPER_LEVEL_REFUSED);
}

static const char *type_name(enum page_type type)
{
    return type_names[type & 7];
}

static void require_type(const struct harness *harness, struct expectation *expectation, uint64_t frame,
                         enum page_type type, const char *why)
{
    if (expectation->required_type != PAGE_TYPE_NONE && expectation->required_type != type)
        harness_violation(harness, "frame %llu is used as %s (%s) and as %s (%s) at once",
                          (unsigned long long) frame, type_name(expectation->required_type),
                          expectation->required_by, type_name(type), why);
    expectation->required_type = type;
    expectation->required_by = why;
}

static void note_releases(struct harness *harness)
{
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        struct harness_frame *record = &harness->frames[frame];
        uint32_t releases = harness->machine.release_counts[frame];

        if (releases == record->releases_seen)
            continue;
        if (releases != record->releases_seen + 1)
            harness_violation(harness, "frame %llu was released %u times in one step", (unsigned long long) frame,
                              releases - record->releases_seen);
        if (record->life != LIFE_GIVEN_BACK)
            harness_violation(harness, "frame %llu was released although %s", (unsigned long long) frame,
                              record->life == LIFE_ALLOCATED ? "its owner still holds it" : "no one had it");
        record->life = LIFE_UNASSIGNED;
        record->releases_seen = releases;
    }
}

static void count_harness_holdings(const struct harness *harness, struct expectation expectations[])
{
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        const struct harness_frame *record = &harness->frames[frame];
        struct expectation *expectation = &expectations[frame];

        if (record->life == LIFE_ALLOCATED)
            expectation->references += FUZZ_ALLOCATION_REFERENCE;
        expectation->references += record->general_references;
        expectation->type_references += record->type_references;
        if (record->type_references > 0)
            require_type(harness, expectation, frame, record->held_type, "a type reference of the harness");
        if (record->pinned_level != PAGE_TYPE_NONE) {
            expectation->references++;
            expectation->type_references++;
            require_type(harness, expectation, frame, record->pinned_level, "a pin");
        }
    }
}

static void check_hypervisor_slots(const struct harness *harness, uint64_t table)
{
    const uint64_t *entries = harness->machine.pages[table];

    for (unsigned int slot = 0; slot < HYPERVISOR_L4_SLOT_COUNT; slot++)
        if (entries[FIRST_HYPERVISOR_SLOT + slot] != SIMULATED_HYPERVISOR_L4_ENTRY(slot))
            harness_violation(harness, "validated L4 %llu holds %#llx in hypervisor slot %u",
                              (unsigned long long) table,
                              (unsigned long long) entries[FIRST_HYPERVISOR_SLOT + slot],
                              FIRST_HYPERVISOR_SLOT + slot);
}

/* A read-only linear entry (pvmon/page_type.h): at its own table it holds
 * nothing; at another table of its level, a general and a type reference,
 * and one level of linearity only. */
static void count_linear_entry(const struct harness *harness, struct expectation expectations[], uint64_t table,
                               enum page_type level, unsigned int index, uint64_t entry)
{
    uint64_t target = harness_entry_target(entry);

    if (entry & ENTRY_WRITABLE)
        harness_violation(harness, "validated %s %llu maps the %s %llu writable at %u", type_name(level),
                          (unsigned long long) table, type_name(level), (unsigned long long) target, index);
    if (target == table)
        return;
    expectations[target].references++;
    expectations[target].type_references++;
    require_type(harness, &expectations[target], target, level, "a linear entry");
    expectations[table].linear_entries++;
    expectations[target].linear_uses++;
}

static void check_linear_counts(const struct harness *harness, uint64_t frame, const struct expectation *expectation)
{
    const struct frame *actual = &harness->machine.frames[frame];
    int32_t expected = (int32_t) expectation->linear_entries - (int32_t) expectation->linear_uses;

    if (expectation->linear_entries > 0 && expectation->linear_uses > 0)
        harness_violation(harness, "table %llu holds %u linear entries and is used by %u: a chain of two",
                          (unsigned long long) frame, expectation->linear_entries, expectation->linear_uses);
    if (actual->state == FRAME_DOMAIN && harness_type_count_of(actual) == 0 && actual->linear_count != 0)
        harness_violation(harness, "frame %llu has no type reference but linear count %d",
                          (unsigned long long) frame, actual->linear_count);
    if (harness_type_count_of(actual) > 0 && harness_is_page_table_type(harness_type_of(actual)) &&
        actual->linear_count != expected)
        harness_violation(harness, "table %llu has linear count %d, the recount %d", (unsigned long long) frame,
                          actual->linear_count, expected);
}

static void count_entry(const struct harness *harness, struct expectation expectations[], uint64_t table,
                        enum page_type level, unsigned int index, uint64_t entry)
{
    static const char *const held_by[] = {"", "", "an RW L1 entry", "an L2 entry", "an L3 entry", "an L4 entry"};
    const struct frame *table_frame = &harness->machine.frames[table];
    uint64_t target = harness_entry_target(entry);

    if (level == PAGE_TYPE_L1 && target >= FUZZ_FRAME_COUNT) {
        if (!harness_device_permitted(table_frame->owner, target) || (entry & ENTRY_GRANT_TABLE_MAPPING) ||
            harness_device_entry_stored(entry) != entry)
            harness_violation(harness, "validated L1 %llu of owner %u holds the device entry %#llx at %u",
                              (unsigned long long) table, table_frame->owner, (unsigned long long) entry, index);
        return;
    }
    if (!harness_entry_allowed(entry, level) || !(entry & ENTRY_USER))
        harness_violation(harness, "validated %s %llu holds the forbidden entry %#llx at %u", type_name(level),
                          (unsigned long long) table, (unsigned long long) entry, index);
    if (target >= FUZZ_FRAME_COUNT)
        harness_violation(harness, "validated %s %llu maps frame %llu beyond the machine at %u", type_name(level),
                          (unsigned long long) table, (unsigned long long) target, index);
    const struct frame *target_frame = &harness->machine.frames[target];
    if (target_frame->state != FRAME_DOMAIN || target_frame->owner != table_frame->owner)
        harness_violation(harness, "validated %s %llu of owner %u maps frame %llu (state %u, owner %u) at %u",
                          type_name(level), (unsigned long long) table, table_frame->owner,
                          (unsigned long long) target, target_frame->state, target_frame->owner, index);

    if (level != PAGE_TYPE_L1 && harness_type_of(target_frame) == level) {
        count_linear_entry(harness, expectations, table, level, index, entry);
        return;
    }
    expectations[target].references++;
    if (level == PAGE_TYPE_L1 && !(entry & ENTRY_WRITABLE))
        return;
    expectations[target].type_references++;
    require_type(harness, &expectations[target], target, level == PAGE_TYPE_L1 ? PAGE_TYPE_WRITABLE : level - 1,
                 held_by[level]);
}

/* The partial entry of a partial table holds a general reference on a
 * frame of its owner, and nothing more. */
static void count_partial_entry(const struct harness *harness, struct expectation expectations[], uint64_t table,
                                enum page_type level, unsigned int index)
{
    uint64_t entry = harness->machine.pages[table][index];
    uint64_t target = harness_entry_target(entry);

    if (index >= PAGE_TABLE_ENTRIES || harness_is_hypervisor_slot(level, index) || !(entry & ENTRY_PRESENT) ||
        !harness_entry_allowed(entry, level) || target >= FUZZ_FRAME_COUNT ||
        harness->machine.frames[target].owner != harness->machine.frames[table].owner)
        harness_violation(harness, "partial %s %llu has its partial entry %u at %#llx", type_name(level),
                          (unsigned long long) table, index, (unsigned long long) entry);
    expectations[target].references++;
}

/* A partial table (pvmon/page_type.h): an L2-L4 of count 1, neither
 * validated nor pinned; its partial state holds that type count and a
 * general reference; its entries below validated_entries hold theirs. */
static unsigned int check_partial_table(const struct harness *harness, struct expectation expectations[],
                                        uint64_t table, enum page_type level)
{
    const struct frame *table_frame = &harness->machine.frames[table];

    if (level == PAGE_TYPE_L1 || harness_type_count_of(table_frame) != 1 ||
        (table_frame->type_info & (PAGE_TYPE_VALIDATED | PAGE_TYPE_PINNED)) ||
        table_frame->validated_entries > PAGE_TABLE_ENTRIES)
        harness_violation(harness, "partial %s %llu has type_info %#x and %u validated entries", type_name(level),
                          (unsigned long long) table, table_frame->type_info, table_frame->validated_entries);
    expectations[table].references++;
    expectations[table].type_references++;
    require_type(harness, &expectations[table], table, level, "its partial state");
    if (table_frame->flags & FRAME_FLAG_PARTIAL_ENTRY)
        count_partial_entry(harness, expectations, table, level, table_frame->validated_entries);
    return table_frame->validated_entries;
}

static void count_table_entries(const struct harness *harness, struct expectation expectations[], uint64_t table)
{
    const struct frame *table_frame = &harness->machine.frames[table];
    enum page_type level = harness_type_of(table_frame);
    unsigned int held_entries = PAGE_TABLE_ENTRIES;

    if (table_frame->type_info & PAGE_TYPE_PARTIAL)
        held_entries = check_partial_table(harness, expectations, table, level);
    else if (!(table_frame->type_info & PAGE_TYPE_VALIDATED))
        harness_violation(harness, "%s %llu has %u type references but is not validated", type_name(level),
                          (unsigned long long) table, harness_type_count_of(table_frame));
    else if (level == PAGE_TYPE_L4)
        check_hypervisor_slots(harness, table);
    for (unsigned int index = 0; index < held_entries; index++) {
        uint64_t entry = harness->machine.pages[table][index];

        if (harness_is_hypervisor_slot(level, index) || !(entry & ENTRY_PRESENT))
            continue;
        count_entry(harness, expectations, table, level, index, entry);
    }
}

/* A pending release holds a general reference on its frame. */
static void count_pending_releases(const struct harness *harness, struct expectation expectations[])
{
    for (unsigned int owner = 0; owner < SIMULATED_OWNER_LIMIT; owner++) {
        const struct page_pending_release *pending = &harness->machine.pending_releases[owner];

        if (!pending->pending)
            continue;
        if (pending->frame >= FUZZ_FRAME_COUNT || harness->machine.frames[pending->frame].owner != owner)
            harness_violation(harness, "the pending release of owner %u names frame %llu", owner,
                              (unsigned long long) pending->frame);
        expectations[pending->frame].references++;
    }
}

static void count_validated_tables(const struct harness *harness, struct expectation expectations[])
{
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        const struct frame *table_frame = &harness->machine.frames[frame];
        enum page_type type = harness_type_of(table_frame);

        if (!harness_is_page_table_type(type))
            continue;
        if (harness_type_count_of(table_frame) > 0)
            count_table_entries(harness, expectations, frame);
        else if (table_frame->type_info & (PAGE_TYPE_VALIDATED | PAGE_TYPE_PARTIAL))
            harness_violation(harness, "%s %llu has no type reference left but is still validated or partial",
                              type_name(type), (unsigned long long) frame);
    }
}

static void check_ownership(const struct harness *harness, uint64_t frame)
{
    const struct harness_frame *record = &harness->frames[frame];
    const struct frame *actual = &harness->machine.frames[frame];
    bool allocated = (actual->reference_count & PAGE_REFERENCE_ALLOCATED) != 0;

    if (allocated != (record->life == LIFE_ALLOCATED))
        harness_violation(harness, "frame %llu has the allocation bit %s, but the harness %s",
                          (unsigned long long) frame, allocated ? "set" : "clear",
                          record->life == LIFE_ALLOCATED ? "holds it allocated" : "does not hold it");
    if (record->life != LIFE_UNASSIGNED && (actual->state != FRAME_DOMAIN || actual->owner != record->owner))
        harness_violation(harness, "frame %llu is in state %u of owner %u, expected a frame of owner %u",
                          (unsigned long long) frame, actual->state, actual->owner, record->owner);
    if (((actual->type_info & PAGE_TYPE_PINNED) != 0) != (record->pinned_level != PAGE_TYPE_NONE))
        harness_violation(harness, "frame %llu has the pinned bit %s, but the harness %s it",
                          (unsigned long long) frame, (actual->type_info & PAGE_TYPE_PINNED) ? "set" : "clear",
                          record->pinned_level != PAGE_TYPE_NONE ? "pinned" : "did not pin");
}

static bool page_is_zero(const uint64_t *entries)
{
    for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++)
        if (entries[index] != 0)
            return false;
    return true;
}

static void check_known_zero(const struct harness *harness, uint64_t frame)
{
    const struct frame *actual = &harness->machine.frames[frame];

    if (!(actual->flags & FRAME_FLAG_KNOWN_ZERO))
        return;
    if (!page_is_zero(harness->machine.pages[frame]))
        harness_violation(harness, "frame %llu is marked known zero but its page is not zero",
                          (unsigned long long) frame);
    if (harness_type_count_of(actual) != 0)
        harness_violation(harness, "frame %llu is marked known zero but holds %u references of type %s",
                          (unsigned long long) frame, harness_type_count_of(actual),
                          type_name(harness_type_of(actual)));
}

static void check_counts(const struct harness *harness, uint64_t frame, const struct expectation *expectation)
{
    const struct page_memory *memory = simulated_memory_view(&harness->machine);
    const struct frame *actual = &harness->machine.frames[frame];
    uint32_t references = actual->reference_count & PAGE_REFERENCE_COUNT_MASK;

    if (references != expectation->references || page_reference_count(memory, frame) != references)
        harness_violation(harness, "frame %llu holds %u references (page_reference_count says %u), the recount %u",
                          (unsigned long long) frame, references, page_reference_count(memory, frame),
                          expectation->references);
    if (harness_type_count_of(actual) != expectation->type_references ||
        page_type_count(memory, frame) != harness_type_count_of(actual))
        harness_violation(harness, "frame %llu holds %u type references (page_type_count says %u), the recount %u",
                          (unsigned long long) frame, harness_type_count_of(actual), page_type_count(memory, frame),
                          expectation->type_references);
    if (expectation->type_references > 0 && harness_type_of(actual) != expectation->required_type)
        harness_violation(harness, "frame %llu has the type %s but %s needs it as %s", (unsigned long long) frame,
                          type_name(harness_type_of(actual)), expectation->required_by,
                          type_name(expectation->required_type));
    if (page_type_of(memory, frame) != harness_type_of(actual))
        harness_violation(harness, "page_type_of(%llu) says %s, the frame table %s", (unsigned long long) frame,
                          type_name(page_type_of(memory, frame)), type_name(harness_type_of(actual)));
}

static void check_release_is_not_overdue(const struct harness *harness, uint64_t frame,
                                         const struct expectation *expectation)
{
    if (harness->frames[frame].life == LIFE_GIVEN_BACK && expectation->references == 0)
        harness_violation(harness, "frame %llu was given back and lost its last reference, but was never released",
                          (unsigned long long) frame);
}

void harness_check_invariants(struct harness *harness)
{
    struct expectation expectations[FUZZ_FRAME_COUNT];

    memset(expectations, 0, sizeof(expectations));
    note_releases(harness);
    count_harness_holdings(harness, expectations);
    count_validated_tables(harness, expectations);
    count_pending_releases(harness, expectations);
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        check_ownership(harness, frame);
        check_counts(harness, frame, &expectations[frame]);
        check_linear_counts(harness, frame, &expectations[frame]);
        check_known_zero(harness, frame);
        check_release_is_not_overdue(harness, frame, &expectations[frame]);
    }
}
