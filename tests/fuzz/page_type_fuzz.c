/*
 * The page-type fuzzer: LLVMFuzzerTestOneInput reads its input as a
 * sequence of 8-byte operations on a simulated machine of
 * FUZZ_FRAME_COUNT frames and two owners (assign, give back, get and put
 * references and types, pin, unpin, update an entry, clear a page as
 * MMUEXT_CLEAR_PAGE does), then lets go of
 * everything it holds and gives every frame back.  After every step it
 * checks what the harness can predict on its own (which calls must be
 * refused or must succeed, that a refused call changed nothing but what
 * pvmon/page_type.h allows a refusal to change, that a frame taking
 * another type with no full flush since it was last in use asked for a
 * TLB flush: writable, tables of every level and descriptor pages), then
 * the invariants of page_type_invariants.c; at the end every frame must
 * have been released.  Any violation aborts with a message.
 *
 * Preemption (pvmon/page_type.h, "Preemptible validation"): an operation
 * may run with the preempt hook answering "stop" every 1-8 questions.  A
 * preempted pin, type or update is not retried: the partial tables stay
 * for later operations to meet, and the teardown at the end finishes
 * them.  As the kernel does, an operation first finishes a pending
 * release left by an earlier one, and is dropped if that is preempted.
 * A step whose work is not bounded is a violation: it must stop at the
 * first "stop", and visit at most TABLES_PER_QUESTION tables per question
 * asked, plus TABLES_PER_QUESTION + 1 (see run_step).
 *
 * Operation bytes: 0 kind (low four bits) and preemption (high four: 8-15
 * stop every 1-8 questions, otherwise never), 1 frame, 2 owner, 3 type or
 * level, 4 entry index, 5 entry target, 6-7 entry flags (bit 7 of byte 7
 * also chooses known-zero for assign and preserve-A/D for updates).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/io_memory.h>
#include <pvmon/page_type.h>

#include "page_type_harness.h"

#define OPERATION_SIZE 8
#define MAX_OPERATIONS 256
#define FIRST_OWNER 0
#define SECOND_OWNER 1
/* A domain that owns nothing. */
#define INTRUDER 2
/* At the start the first FIRST_OWNER_FRAMES frames belong to the first
 * owner and the next SECOND_OWNER_FRAMES to the second; the rest are free
 * until an assign operation takes them. */
#define FIRST_OWNER_FRAMES 28
#define SECOND_OWNER_FRAMES 28
#define OUT_OF_RANGE_FRAMES 4
#define HOT_FRAMES_PER_OWNER 8
/* Between two questions, validation or devalidation goes down from one
 * entry of an L4 to an L1 at most: three tables below the one it works
 * on.  An entry update visits its own table once more. */
#define TABLES_PER_QUESTION 3
#define OWNER_COUNT 3

#define ENTRY_PRESENT (UINT64_C(1) << 0)
#define ENTRY_WRITABLE (UINT64_C(1) << 1)
#define ENTRY_USER (UINT64_C(1) << 2)
#define ENTRY_WRITE_THROUGH (UINT64_C(1) << 3)
#define ENTRY_CACHE_DISABLE (UINT64_C(1) << 4)
#define ENTRY_ACCESSED (UINT64_C(1) << 5)
#define ENTRY_DIRTY (UINT64_C(1) << 6)
#define ENTRY_LARGE (UINT64_C(1) << 7)
#define ENTRY_GLOBAL (UINT64_C(1) << 8)
#define ENTRY_SOFTWARE (UINT64_C(1) << 9)
#define ENTRY_GRANT_TABLE_MAPPING (UINT64_C(1) << 62)
#define ENTRY_NO_EXECUTE (UINT64_C(1) << 63)

enum operation_kind {
    OPERATION_ASSIGN,
    OPERATION_GIVE_BACK,
    OPERATION_GET_REFERENCE,
    OPERATION_PUT_REFERENCE,
    OPERATION_GET_TYPE,
    OPERATION_PUT_TYPE,
    OPERATION_GET_REFERENCE_AND_TYPE,
    OPERATION_PUT_REFERENCE_AND_TYPE,
    OPERATION_PIN,
    OPERATION_UNPIN,
    OPERATION_UPDATE_ENTRY,
    OPERATION_CLEAR_PAGE,
    /* Not decoded from the input: what the kernel and the teardown do. */
    OPERATION_FINISH_PENDING_RELEASE,
    OPERATION_RELEASE_PARTIAL,
};

static const char *const operation_names[] = {
    "assign", "give back", "get reference", "put reference", "get type", "put type",
    "get reference and type", "put reference and type", "pin", "unpin", "update entry", "clear page",
    "finish pending release", "release partial table",
};

/* What the first byte of an operation asks for: updates build the tables,
 * so they come most often, and pins next. */
static const enum operation_kind operation_kinds[16] = {
    OPERATION_ASSIGN, OPERATION_GIVE_BACK, OPERATION_GET_REFERENCE, OPERATION_PUT_REFERENCE,
    OPERATION_GET_TYPE, OPERATION_PUT_TYPE, OPERATION_GET_REFERENCE_AND_TYPE, OPERATION_PUT_REFERENCE_AND_TYPE,
    OPERATION_PIN, OPERATION_PIN, OPERATION_UNPIN, OPERATION_CLEAR_PAGE,
    OPERATION_UPDATE_ENTRY, OPERATION_UPDATE_ENTRY, OPERATION_UPDATE_ENTRY, OPERATION_UPDATE_ENTRY,
};

struct operation {
    enum operation_kind kind;
    uint64_t frame;
    uint16_t owner;
    enum page_type type;
    unsigned int index;
    uint64_t entry;
    bool flag;
    unsigned int preempt_every; /* 0: never */
};

/* ---- decoding ---- */

/* Mostly one of a few frames of each owner, so that tables fill up and
 * point at each other; otherwise any frame, a few beyond the machine (the
 * device frames among them, more often), or one far beyond it. */
static uint64_t decode_frame(uint8_t byte)
{
    if (byte < 160)
        return (byte & 1 ? FIRST_OWNER_FRAMES : 0) + (byte >> 1) % HOT_FRAMES_PER_OWNER;
    if (byte == 0xff)
        return UINT64_C(1) << 40;
    if (byte >= 0xf0)
        return FUZZ_FRAME_COUNT + (byte & 1);
    return byte % (FUZZ_FRAME_COUNT + OUT_OF_RANGE_FRAMES);
}

/* Mostly the frame's own owner, so that most calls get past the owner
 * check; sometimes the other owner or a domain that owns nothing. */
static uint16_t decode_owner(const struct harness *harness, uint64_t frame, uint8_t byte)
{
    static const uint16_t others[] = {FIRST_OWNER, SECOND_OWNER, INTRUDER};

    if ((byte & 3) != 3 && frame < FUZZ_FRAME_COUNT)
        return harness->frames[frame].owner;
    return others[(byte >> 2) % 3];
}

/* Mostly the first few entries, so that tables fill up and entries get
 * replaced; sometimes the L4 slots around the hypervisor's, the last
 * ones, or beyond the table. */
static unsigned int decode_index(uint8_t byte)
{
    static const unsigned int unusual_indexes[] = {255, 256, 257, 263, 270, 271, 272, 300, 510, 511, 512, 4096};

    if (byte < 200)
        return byte % 4;
    return unusual_indexes[(byte - 200) % (sizeof(unusual_indexes) / sizeof(unusual_indexes[0]))];
}

/* Mostly a frame in the same group of eight as the table (so, mostly of
 * the same owner), sometimes any frame, one beyond the machine or far
 * beyond it. */
static uint64_t decode_target(uint64_t table_frame, uint8_t byte)
{
    if (!(byte & 0x80) && table_frame < FUZZ_FRAME_COUNT)
        return (table_frame & ~UINT64_C(7)) + (byte & 7);
    return decode_frame(byte);
}

/* One time in four, D (allowed everywhere) or one of the bits the upper
 * levels or all levels refuse, so that validation succeeds often enough
 * to build deep trees. */
static uint64_t decode_risky_bit(uint8_t byte)
{
    switch (byte & 0xf) {
    case 0:
        return ENTRY_DIRTY;
    case 1:
        return ENTRY_LARGE;
    case 2:
        return ENTRY_GLOBAL;
    case 3:
        return UINT64_C(1) << (52 + ((byte >> 4) & 7) + (byte >> 7) * 3);
    default:
        return 0;
    }
}

static uint64_t decode_entry(uint64_t table_frame, uint8_t target_byte, uint8_t flags_byte, uint8_t risky_byte)
{
    uint64_t entry = decode_target(table_frame, target_byte) << 12;

    if ((flags_byte & 7) != 7)
        entry |= ENTRY_PRESENT;
    if (flags_byte & 8)
        entry |= ENTRY_WRITABLE;
    if (flags_byte & 0x10)
        entry |= ENTRY_USER;
    if (flags_byte & 0x20)
        entry |= ENTRY_ACCESSED;
    if (flags_byte & 0x40)
        entry |= ENTRY_SOFTWARE | ENTRY_NO_EXECUTE;
    if (flags_byte & 0x80)
        entry |= ENTRY_WRITE_THROUGH | ENTRY_CACHE_DISABLE;
    return entry | decode_risky_bit(risky_byte);
}

static enum page_type decode_level(uint8_t byte)
{
    if (byte >= 240)
        return (enum page_type) (byte % 8);
    return PAGE_TYPE_L1 + byte % 4;
}

static struct operation decode_operation(const struct harness *harness, const uint8_t bytes[OPERATION_SIZE])
{
    struct operation operation;

    operation.kind = operation_kinds[bytes[0] % 16];
    operation.frame = decode_frame(bytes[1]);
    operation.owner = decode_owner(harness, operation.frame, bytes[2]);
    operation.type = operation.kind == OPERATION_PIN ? decode_level(bytes[3])
                                                     : (enum page_type) (PAGE_TYPE_WRITABLE + bytes[3] % 6);
    operation.index = decode_index(bytes[4]);
    operation.entry = decode_entry(operation.frame, bytes[5], bytes[6], bytes[7]);
    operation.flag = (bytes[7] & 0x80) != 0;
    operation.preempt_every = bytes[0] >> 4 >= 8 ? (bytes[0] >> 4) - 7 : 0;
    return operation;
}

/* ---- what the harness predicts ---- */

static const struct page_memory *memory_of(const struct harness *harness)
{
    return simulated_memory_view(&harness->machine);
}

static bool in_range(uint64_t frame)
{
    return frame < FUZZ_FRAME_COUNT;
}

static bool holds_allocated(const struct harness *harness, uint64_t frame, uint16_t owner)
{
    return in_range(frame) && harness->frames[frame].life == LIFE_ALLOCATED && harness->frames[frame].owner == owner;
}

static void expect_result(const struct harness *harness, int result, int expected, const char *why)
{
    if (result != expected)
        harness_violation(harness, "returned %d, expected %d: %s", result, expected, why);
}

/* A call whose outcome the harness can only sometimes predict; one that
 * may validate may also be preempted, if preemption is on. */
static void expect_outcome(const struct harness *harness, int result, bool must_refuse, bool must_succeed,
                           const char *why)
{
    if (must_refuse && result != -XEN_EINVAL)
        harness_violation(harness, "returned %d, expected -XEN_EINVAL: %s", result, why);
    if (result == -XEN_ERESTART && harness->machine.preempt_every != 0)
        return;
    if (must_succeed && result != 0)
        harness_violation(harness, "returned %d, expected success: nothing in the contract refuses it", result);
    if (result != 0 && result != -XEN_EINVAL)
        harness_violation(harness, "returned %d, neither 0 nor -XEN_EINVAL", result);
}

/* An L1 entry naming a frame beyond the machine names device memory
 * (pvmon/page_type.h invariant 6), which only FUZZ_DEVICE_OWNER may map,
 * and only its two frames: such an update of an L1 in use may also be
 * refused with -EPERM, and nothing else may be.  The invariant check
 * finds any device entry that got in where it may not. */
static int device_refusal_to_tolerate(const struct harness *harness, const struct operation *operation)
{
    const struct frame *table;

    if (!in_range(operation->frame) || !(operation->entry & ENTRY_PRESENT) ||
        in_range(harness_entry_target(operation->entry)))
        return 0;
    table = &harness->machine.frames[operation->frame];
    if (harness_type_of(table) != PAGE_TYPE_L1 || harness_type_count_of(table) == 0)
        return 0;
    return -XEN_EPERM;
}

static bool is_partial(const struct frame *frame)
{
    return (frame->type_info & PAGE_TYPE_PARTIAL) != 0;
}

/* A type reference that needs no validation and meets no other type:
 * the same type again on a table that is not partial, or writable or
 * descriptor on a frame no one holds a type on. */
static bool type_reference_must_be_granted(const struct harness *harness, uint64_t frame, enum page_type type)
{
    const struct frame *actual = &harness->machine.frames[frame];

    if (harness_type_count_of(actual) > 0)
        return harness_type_of(actual) == type && !is_partial(actual);
    return type == PAGE_TYPE_WRITABLE || type == PAGE_TYPE_SEGMENT_DESCRIPTOR;
}

/* ---- operations ---- */

static void assign(struct harness *harness, const struct operation *operation)
{
    uint64_t frame = operation->frame;

    if (!in_range(frame) || harness->frames[frame].life != LIFE_UNASSIGNED)
        return;
    if (operation->flag)
        memset(harness->machine.pages[frame], 0, sizeof(simulated_page));
    page_assign(memory_of(harness), frame, operation->owner, operation->flag);
    harness->frames[frame].life = LIFE_ALLOCATED;
    harness->frames[frame].owner = operation->owner;

    const struct frame *actual = &harness->machine.frames[frame];
    if (actual->state != FRAME_DOMAIN || actual->owner != operation->owner ||
        actual->reference_count != (PAGE_REFERENCE_ALLOCATED | FUZZ_ALLOCATION_REFERENCE) ||
        actual->type_info != 0 || page_is_known_zero(memory_of(harness), frame) != operation->flag)
        harness_violation(harness, "frame %llu assigned to %u is in state %u, owner %u, references %#x, "
                          "type %#x, known zero %d", (unsigned long long) frame, operation->owner, actual->state,
                          actual->owner, actual->reference_count, actual->type_info,
                          page_is_known_zero(memory_of(harness), frame));
}

static int give_back(struct harness *harness, const struct operation *operation)
{
    bool allowed = holds_allocated(harness, operation->frame, operation->owner);
    int result = page_give_back(memory_of(harness), operation->frame, operation->owner);

    expect_result(harness, result, allowed ? 0 : -XEN_EINVAL, "give back is allowed exactly to the owner");
    if (result == 0)
        harness->frames[operation->frame].life = LIFE_GIVEN_BACK;
    return result;
}

static int get_reference(struct harness *harness, const struct operation *operation)
{
    bool allowed = holds_allocated(harness, operation->frame, operation->owner);
    int result = page_get_reference(memory_of(harness), operation->frame, operation->owner);

    expect_result(harness, result, allowed ? 0 : -XEN_EINVAL,
                  "references go exactly to the owner of an allocated frame");
    if (result == 0)
        harness->frames[operation->frame].general_references++;
    return result;
}

/* A general reference the harness holds and no type reference rides on. */
static bool holds_spare_reference(const struct harness *harness, uint64_t frame)
{
    return in_range(frame) && harness->frames[frame].general_references > harness->frames[frame].type_references;
}

static bool holds_type_reference(const struct harness *harness, uint64_t frame)
{
    return in_range(frame) && harness->frames[frame].type_references > 0;
}

static int put_reference(struct harness *harness, const struct operation *operation)
{
    if (!holds_spare_reference(harness, operation->frame))
        return 0;
    harness->frames[operation->frame].general_references--;
    page_put_reference(memory_of(harness), operation->frame);
    return 0;
}

static void note_type_taken(struct harness *harness, uint64_t frame, enum page_type type)
{
    struct harness_frame *record = &harness->frames[frame];

    if (record->type_references > 0 && record->held_type != type)
        harness_violation(harness, "frame %llu gave a type reference of %d while the harness holds type %d",
                          (unsigned long long) frame, type, record->held_type);
    record->held_type = type;
    record->type_references++;
}

static int get_type(struct harness *harness, const struct operation *operation)
{
    if (!holds_spare_reference(harness, operation->frame))
        return 0;
    bool foreign = harness->frames[operation->frame].owner != operation->owner;
    bool granted = !foreign && type_reference_must_be_granted(harness, operation->frame, operation->type);
    int result = page_get_type(memory_of(harness), operation->frame, operation->owner, operation->type);

    expect_outcome(harness, result, foreign, granted, "a type on a frame of another owner");
    if (result == 0)
        note_type_taken(harness, operation->frame, operation->type);
    return result;
}

static int put_type(struct harness *harness, const struct operation *operation)
{
    if (!holds_type_reference(harness, operation->frame))
        return 0;
    harness->frames[operation->frame].type_references--;
    page_put_type(memory_of(harness), operation->frame);
    return 0;
}

static int get_reference_and_type(struct harness *harness, const struct operation *operation)
{
    bool allowed = holds_allocated(harness, operation->frame, operation->owner);
    bool granted = allowed && type_reference_must_be_granted(harness, operation->frame, operation->type);
    int result = page_get_reference_and_type(memory_of(harness), operation->frame, operation->owner, operation->type);

    expect_outcome(harness, result, !allowed, granted, "references go only to the owner of an allocated frame");
    if (result == 0) {
        harness->frames[operation->frame].general_references++;
        note_type_taken(harness, operation->frame, operation->type);
    }
    return result;
}

static int put_reference_and_type(struct harness *harness, const struct operation *operation)
{
    if (!holds_type_reference(harness, operation->frame))
        return 0;
    harness->frames[operation->frame].type_references--;
    harness->frames[operation->frame].general_references--;
    page_put_reference_and_type(memory_of(harness), operation->frame);
    return 0;
}

static int pin(struct harness *harness, const struct operation *operation)
{
    bool level_valid = harness_is_page_table_type(operation->type);
    bool allowed = holds_allocated(harness, operation->frame, operation->owner) && level_valid &&
                   harness->frames[operation->frame].pinned_level == PAGE_TYPE_NONE;
    bool already_validated = allowed &&
                             (harness->machine.frames[operation->frame].type_info & PAGE_TYPE_VALIDATED) &&
                             harness_type_of(&harness->machine.frames[operation->frame]) == operation->type;
    int result = page_pin(memory_of(harness), operation->frame, operation->owner, operation->type);

    expect_outcome(harness, result, !allowed, already_validated,
                   "pinning needs an allocated, unpinned frame of the owner and L1-L4");
    if (result == 0)
        harness->frames[operation->frame].pinned_level = operation->type;
    return result;
}

static int unpin(struct harness *harness, const struct operation *operation)
{
    uint64_t frame = operation->frame;
    bool allowed = in_range(frame) && harness->frames[frame].pinned_level != PAGE_TYPE_NONE &&
                   harness->frames[frame].owner == operation->owner;
    int result = page_unpin(memory_of(harness), frame, operation->owner);

    expect_result(harness, result, allowed ? 0 : -XEN_EINVAL,
                  "unpinning is allowed exactly on a pinned frame of the owner");
    if (result == 0)
        harness->frames[frame].pinned_level = PAGE_TYPE_NONE;
    return result;
}

/* Whether the new entry of a table in use must be refused by the entry
 * rules alone, or because it maps what the owner may not map. */
static bool entry_must_be_refused(const struct harness *harness, uint16_t owner, enum page_type level,
                                  uint64_t old_entry, uint64_t entry)
{
    uint64_t target = harness_entry_target(entry);

    if (!(entry & ENTRY_PRESENT))
        return false;
    if (level == PAGE_TYPE_L1 && !in_range(target) && harness_device_permitted(owner, target))
        return (entry & ENTRY_GRANT_TABLE_MAPPING) != 0;
    if (!harness_entry_allowed(entry, level) || !in_range(target))
        return true;
    if (harness->frames[target].life == LIFE_UNASSIGNED || harness->frames[target].owner != owner)
        return true;
    /* A given-back frame takes no new reference; whether an entry that
     * already maps it may be rewritten is left open. */
    bool already_mapped = (old_entry & ENTRY_PRESENT) && harness_entry_target(old_entry) == target;
    return !already_mapped && harness->frames[target].life == LIFE_GIVEN_BACK;
}

/* Whether a new entry of a table in use at level must be accepted: it is
 * not present, or it is allowed and maps a frame of the owner that needs
 * no validation to take what the entry holds. */
static bool entry_must_be_accepted(const struct harness *harness, uint16_t owner, enum page_type level,
                                   uint64_t entry)
{
    uint64_t target = harness_entry_target(entry);

    if (!(entry & ENTRY_PRESENT))
        return true;
    if (level == PAGE_TYPE_L1 && !in_range(target) && harness_device_permitted(owner, target))
        return !(entry & ENTRY_GRANT_TABLE_MAPPING);
    if (!harness_entry_allowed(entry, level) || !holds_allocated(harness, target, owner))
        return false;
    if (level == PAGE_TYPE_L1)
        return !(entry & ENTRY_WRITABLE) || type_reference_must_be_granted(harness, target, PAGE_TYPE_WRITABLE);
    const struct frame *actual = &harness->machine.frames[target];
    return (actual->type_info & PAGE_TYPE_VALIDATED) && harness_type_of(actual) == level - 1;
}

/* Whether nothing in the contract lets the update fail: a plain frame of
 * the owner (no type held, or writable), or an acceptable entry of a table
 * in use outside the hypervisor's slots. */
static bool update_must_succeed(const struct harness *harness, const struct operation *operation)
{
    uint64_t frame = operation->frame;

    if (!holds_allocated(harness, frame, operation->owner) || operation->index >= PAGE_TABLE_ENTRIES)
        return false;

    const struct frame *table = &harness->machine.frames[frame];
    enum page_type type = harness_type_of(table);
    if (harness_type_count_of(table) == 0 || type == PAGE_TYPE_WRITABLE)
        return true;
    if (!harness_is_page_table_type(type) || is_partial(table) || harness_is_hypervisor_slot(type, operation->index))
        return false;
    return entry_must_be_accepted(harness, operation->owner, type, operation->entry);
}

static bool update_must_be_refused(const struct harness *harness, const struct operation *operation)
{
    uint64_t frame = operation->frame;

    if (!in_range(frame) || operation->index >= PAGE_TABLE_ENTRIES)
        return true;
    if (harness->frames[frame].life == LIFE_UNASSIGNED || harness->frames[frame].owner != operation->owner)
        return true;

    const struct frame *table = &harness->machine.frames[frame];
    enum page_type type = harness_type_of(table);
    bool in_use = harness_type_count_of(table) > 0;
    if (in_use && type == PAGE_TYPE_SEGMENT_DESCRIPTOR)
        return true;
    if (!in_use || !harness_is_page_table_type(type))
        return false;
    if (is_partial(table) || harness_is_hypervisor_slot(type, operation->index))
        return true;
    return entry_must_be_refused(harness, operation->owner, type, harness->machine.pages[frame][operation->index],
                                 operation->entry);
}

/* What a successful update must have stored, in the bits the contract
 * decides (*decided): a plain frame gets the value as it is, a table in
 * use the value with U forced on if present, and with preservation the
 * A and D bits of the old entry.  Preserving into a plain frame, into a
 * non-present entry or from a non-present entry is left open. */
static uint64_t expected_store(const struct operation *operation, bool table_in_use, uint64_t old_entry,
                               uint64_t *decided)
{
    uint64_t accessed_dirty = ENTRY_ACCESSED | ENTRY_DIRTY;
    bool present = (operation->entry & ENTRY_PRESENT) != 0;
    uint64_t entry = operation->entry;

    *decided = ~UINT64_C(0);
    if (operation->flag && (!table_in_use || !present || !(old_entry & ENTRY_PRESENT)))
        *decided &= ~accessed_dirty;
    if (!table_in_use || !present)
        return entry;
    if (!in_range(harness_entry_target(entry)))
        entry = harness_device_entry_stored(entry);
    if (operation->flag)
        return entry | ENTRY_USER | (old_entry & accessed_dirty);
    return entry | ENTRY_USER;
}

static int update_entry(struct harness *harness, const struct operation *operation)
{
    bool must_refuse = update_must_be_refused(harness, operation);
    bool must_succeed = update_must_succeed(harness, operation);
    bool table_in_use = false;
    uint64_t old_entry = 0;

    if (in_range(operation->frame) && operation->index < PAGE_TABLE_ENTRIES) {
        const struct frame *table = &harness->machine.frames[operation->frame];
        table_in_use = harness_is_page_table_type(harness_type_of(table)) && harness_type_count_of(table) > 0;
        old_entry = harness->machine.pages[operation->frame][operation->index];
    }
    uint64_t stored = 0;
    int device_refusal = device_refusal_to_tolerate(harness, operation);
    int result = page_update_entry(memory_of(harness), operation->owner, operation->frame, operation->index,
                                   operation->entry, operation->flag, &stored);

    if (device_refusal != 0 && result == device_refusal)
        return result;
    expect_outcome(harness, result, must_refuse, must_succeed, "the table, the index or the new entry is not allowed");
    if (result != 0)
        return result;
    uint64_t in_memory = harness->machine.pages[operation->frame][operation->index];
    uint64_t decided = 0;
    uint64_t expected = expected_store(operation, table_in_use, old_entry, &decided);
    if (stored != in_memory)
        harness_violation(harness, "update reported %#llx stored but the table holds %#llx",
                          (unsigned long long) stored, (unsigned long long) in_memory);
    if ((stored & decided) != (expected & decided))
        harness_violation(harness, "update of %#llx over %#llx stored %#llx, expected %#llx",
                          (unsigned long long) operation->entry, (unsigned long long) old_entry,
                          (unsigned long long) stored, (unsigned long long) expected);
    return result;
}

/* MMUEXT_CLEAR_PAGE: the hypervisor zeroes the page under a writable type
 * reference, then marks it known zero, which it must be if nothing holds
 * a type on it any more. */
static int clear_page(struct harness *harness, const struct operation *operation)
{
    const struct page_memory *memory = memory_of(harness);
    bool allowed = holds_allocated(harness, operation->frame, operation->owner);
    bool granted = allowed && type_reference_must_be_granted(harness, operation->frame, PAGE_TYPE_WRITABLE);
    int result = page_get_reference_and_type(memory, operation->frame, operation->owner, PAGE_TYPE_WRITABLE);

    expect_outcome(harness, result, !allowed, granted, "references go only to the owner of an allocated frame");
    if (result != 0)
        return result;
    memset(harness->machine.pages[operation->frame], 0, sizeof(simulated_page));
    page_put_reference_and_type(memory, operation->frame);
    page_mark_known_zero(memory, operation->frame);
    if (page_type_count(memory, operation->frame) == 0 && !page_is_known_zero(memory, operation->frame))
        harness_violation(harness, "frame %llu was cleared with no type held, but is not known zero",
                          (unsigned long long) operation->frame);
    return 0;
}

static int finish_pending_release(struct harness *harness, const struct operation *operation)
{
    int result = page_finish_pending_release(memory_of(harness), operation->owner);

    if (result == -XEN_ERESTART && harness->machine.preempt_every != 0)
        return result;
    expect_result(harness, result, 0, "a pending release always finishes unless preempted");
    if (harness->machine.pending_releases[operation->owner].pending)
        harness_violation(harness, "the pending release of owner %u is still there", operation->owner);
    return result;
}

/* The teardown's sweep: a partial table nothing continues (unless
 * finishing a pending release tore it down on the way). */
static int release_partial(struct harness *harness, const struct operation *operation)
{
    if (!is_partial(&harness->machine.frames[operation->frame]))
        return 0;
    int result = page_release_partial(memory_of(harness), operation->frame, operation->owner);

    if (result == -XEN_ERESTART && harness->machine.preempt_every != 0)
        return result;
    expect_result(harness, result, 0, "a partial table of the owner is released when the slot is empty");
    return result;
}

static int perform(struct harness *harness, const struct operation *operation)
{
    switch (operation->kind) {
    case OPERATION_ASSIGN:
        assign(harness, operation);
        return 0;
    case OPERATION_GIVE_BACK:
        return give_back(harness, operation);
    case OPERATION_GET_REFERENCE:
        return get_reference(harness, operation);
    case OPERATION_PUT_REFERENCE:
        return put_reference(harness, operation);
    case OPERATION_GET_TYPE:
        return get_type(harness, operation);
    case OPERATION_PUT_TYPE:
        return put_type(harness, operation);
    case OPERATION_GET_REFERENCE_AND_TYPE:
        return get_reference_and_type(harness, operation);
    case OPERATION_PUT_REFERENCE_AND_TYPE:
        return put_reference_and_type(harness, operation);
    case OPERATION_PIN:
        return pin(harness, operation);
    case OPERATION_UNPIN:
        return unpin(harness, operation);
    case OPERATION_UPDATE_ENTRY:
        return update_entry(harness, operation);
    case OPERATION_CLEAR_PAGE:
        return clear_page(harness, operation);
    case OPERATION_FINISH_PENDING_RELEASE:
        return finish_pending_release(harness, operation);
    case OPERATION_RELEASE_PARTIAL:
        return release_partial(harness, operation);
    }
    return 0;
}

/* ---- checks around every step ---- */

/* The flush rule of pvmon/page_type.h, invariant 2: a frame seen in use
 * (type count non-zero after a step) that takes another type with no full
 * flush since must have asked for one.  (A use that starts and ends inside
 * one step is not seen: the check may miss a case, never invent one.) */
static void check_tlb_flush_asked(const struct harness *harness, const struct simulated_snapshot *before,
                                  uint64_t flushes_before)
{
    if (harness->machine.tlb_flush_requests > flushes_before)
        return;
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        const struct harness_frame *record = &harness->frames[frame];
        enum page_type old_type = harness_type_of(&before->frames[frame]);
        enum page_type new_type = harness_type_of(&harness->machine.frames[frame]);

        if (old_type != new_type && old_type != PAGE_TYPE_NONE && new_type != PAGE_TYPE_NONE &&
            record->seen_in_use && record->last_in_use_clock == harness->machine.tlb_flush_clock)
            harness_violation(harness, "frame %llu went from type %d to %d with no TLB flush since its last use",
                              (unsigned long long) frame, old_type, new_type);
    }
}

static void note_frames_in_use(struct harness *harness)
{
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        if (harness_type_count_of(&harness->machine.frames[frame]) == 0)
            continue;
        harness->frames[frame].seen_in_use = true;
        harness->frames[frame].last_in_use_clock = harness->machine.tlb_flush_clock;
    }
}

static bool any_partial_table(const struct simulated_snapshot *snapshot)
{
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++)
        if (is_partial(&snapshot->frames[frame]))
            return true;
    return false;
}

/* A refusal, once the release it may have left pending is finished,
 * changed nothing but what pvmon/page_type.h allows.  Not checked when a
 * table was partial before: a refusal met while continuing it tears down
 * what the partial state held, as Xen does. */
static void check_refusal_changed_nothing(struct harness *harness, const struct simulated_snapshot *before,
                                          uint64_t releases_before)
{
    char change[256];

    for (uint16_t owner = 0; owner < OWNER_COUNT; owner++)
        if (page_finish_pending_release(memory_of(harness), owner) != 0)
            harness_violation(harness, "the pending release of owner %u did not finish", owner);
    if (any_partial_table(before))
        return;
    if (simulated_snapshot_refusal_changed_too_much(&harness->machine, before, change, sizeof(change)))
        harness_violation(harness, "a refused call changed %s", change);
    if (harness->machine.release_total != releases_before)
        harness_violation(harness, "a refused call released a frame");
}

static void describe_operation(struct harness *harness, const struct operation *operation)
{
    snprintf(harness->step_description, sizeof(harness->step_description),
             "%s: frame %llu, owner %u, type %d, index %u, entry %#llx, flag %d", operation_names[operation->kind],
             (unsigned long long) operation->frame, operation->owner, operation->type, operation->index,
             (unsigned long long) operation->entry, operation->flag);
}

/* The work of one step is bounded: it stopped at the first "stop", and
 * visited no more tables than the questions it asked allow. */
static void check_work_bounded(const struct harness *harness, unsigned int preempt_every, uint64_t questions,
                               uint64_t stops, uint64_t tables)
{
    if (stops > 1 || (stops == 1 && questions > preempt_every))
        harness_violation(harness, "went on after being told to stop: %llu questions, %llu stops, every %u",
                          (unsigned long long) questions, (unsigned long long) stops, preempt_every);
    if (tables > TABLES_PER_QUESTION * (questions + 1) + 1)
        harness_violation(harness, "visited %llu tables for %llu questions: work not bounded",
                          (unsigned long long) tables, (unsigned long long) questions);
}

static void perform_step(struct harness *harness, const struct operation *operation)
{
    struct simulated_memory *machine = &harness->machine;
    uint64_t flushes_before = machine->tlb_flush_requests;
    uint64_t releases_before = machine->release_total;
    uint64_t questions_before = machine->questions_total;
    uint64_t stops_before = machine->stops_total;
    uint64_t tables_before = machine->table_visits;

    harness->step++;
    describe_operation(harness, operation);
    simulated_snapshot_take(machine, &harness->before_step);
    machine->preempt_every = operation->preempt_every;
    machine->preempt_questions = 0;
    int result = perform(harness, operation);
    check_work_bounded(harness, operation->preempt_every, machine->questions_total - questions_before,
                       machine->stops_total - stops_before, machine->table_visits - tables_before);
    machine->preempt_every = 0;
    if (result == -XEN_EINVAL)
        check_refusal_changed_nothing(harness, &harness->before_step, releases_before);
    else
        check_tlb_flush_asked(harness, &harness->before_step, flushes_before);
    note_frames_in_use(harness);
    harness_check_invariants(harness);
}

static int pending_release_owner(const struct harness *harness)
{
    for (uint16_t owner = 0; owner < OWNER_COUNT; owner++)
        if (harness->machine.pending_releases[owner].pending)
            return owner;
    return -1;
}

/* As mmu_update and mmuext_op do: a pending release is finished first, and
 * the operation waits for another step if that is preempted. */
static void run_step(struct harness *harness, const struct operation *operation)
{
    int owner = pending_release_owner(harness);

    if (owner >= 0) {
        struct operation finish = *operation;

        finish.kind = OPERATION_FINISH_PENDING_RELEASE;
        finish.owner = (uint16_t) owner;
        perform_step(harness, &finish);
        if (pending_release_owner(harness) >= 0)
            return;
    }
    perform_step(harness, operation);
}

/* ---- the life of one input ---- */

static const struct io_memory device_owner_io_memory = {
    .count = 1,
    .ranges = { { FUZZ_FRAME_COUNT, FUZZ_FRAME_COUNT + FUZZ_DEVICE_FRAMES - 1 } },
};

static void start_machine(struct harness *harness)
{
    memset(harness, 0, sizeof(*harness));
    simulated_memory_create(&harness->machine, FUZZ_FRAME_COUNT);
    harness->machine.io_memory[FUZZ_DEVICE_OWNER] = &device_owner_io_memory;
    for (uint64_t frame = 0; frame < FIRST_OWNER_FRAMES + SECOND_OWNER_FRAMES; frame++) {
        uint16_t owner = frame < FIRST_OWNER_FRAMES ? FIRST_OWNER : SECOND_OWNER;

        page_assign(memory_of(harness), frame, owner, true);
        harness->frames[frame].life = LIFE_ALLOCATED;
        harness->frames[frame].owner = owner;
    }
    harness_check_invariants(harness);
}

static struct operation cleanup_operation(enum operation_kind kind, uint64_t frame, uint16_t owner)
{
    struct operation operation;

    memset(&operation, 0, sizeof(operation));
    operation.kind = kind;
    operation.frame = frame;
    operation.owner = owner;
    return operation;
}

/* Lets go of everything: afterwards every frame must have been released. */
static void release_everything(struct harness *harness)
{
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        const struct harness_frame *record = &harness->frames[frame];
        struct operation operation;

        while (record->type_references > 0) {
            operation = cleanup_operation(OPERATION_PUT_REFERENCE_AND_TYPE, frame, record->owner);
            run_step(harness, &operation);
        }
        while (record->general_references > 0) {
            operation = cleanup_operation(OPERATION_PUT_REFERENCE, frame, record->owner);
            run_step(harness, &operation);
        }
        if (record->pinned_level != PAGE_TYPE_NONE) {
            operation = cleanup_operation(OPERATION_UNPIN, frame, record->owner);
            run_step(harness, &operation);
        }
    }
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        if (!is_partial(&harness->machine.frames[frame]) || harness->frames[frame].life == LIFE_UNASSIGNED)
            continue;
        struct operation operation = cleanup_operation(OPERATION_RELEASE_PARTIAL, frame, harness->frames[frame].owner);
        run_step(harness, &operation);
    }
    for (int owner = pending_release_owner(harness); owner >= 0; owner = pending_release_owner(harness)) {
        struct operation operation = cleanup_operation(OPERATION_FINISH_PENDING_RELEASE, 0, (uint16_t) owner);
        run_step(harness, &operation);
    }
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++) {
        if (harness->frames[frame].life != LIFE_ALLOCATED)
            continue;
        struct operation operation = cleanup_operation(OPERATION_GIVE_BACK, frame, harness->frames[frame].owner);
        run_step(harness, &operation);
    }
    for (uint64_t frame = 0; frame < FUZZ_FRAME_COUNT; frame++)
        if (harness->frames[frame].life != LIFE_UNASSIGNED)
            harness_violation(harness, "frame %llu was never released although nothing holds it any more",
                              (unsigned long long) frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct harness harness;
    size_t operations = size / OPERATION_SIZE;

    if (operations > MAX_OPERATIONS)
        operations = MAX_OPERATIONS;
    start_machine(&harness);
    for (size_t number = 0; number < operations; number++) {
        struct operation operation = decode_operation(&harness, data + number * OPERATION_SIZE);

        run_step(&harness, &operation);
    }
    release_everything(&harness);
    simulated_snapshot_free(&harness.before_step);
    simulated_memory_destroy(&harness.machine);
    return 0;
}
