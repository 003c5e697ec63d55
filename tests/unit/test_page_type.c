/*
 * Specification of common/page_type.c: frames handed to and given back by
 * a domain, general and type references, pinning and validating page
 * tables level by level, the entry rules, page-table updates, and the
 * release of a frame with its last reference.  Every test runs on a fresh
 * simulated machine (simulated_memory.h); every refused operation must
 * return -XEN_EINVAL and leave the whole frame table and RAM as they were,
 * but for the conservative changes pvmon/page_type.h allows a refusal
 * (a forgotten known-zero mark, the remembered type of a frame no one
 * holds a type on, U forced on in a table validated and devalidated on
 * the way).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/io_memory.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#include "simulated_memory.h"
#include "suites.h"

#define FRAME_COUNT 32
#define OWNER 1
#define OTHER_OWNER 2
/* The owner field of a frame never assigned: a check of the owner alone
 * would let this one through. */
#define NOBODY 0

/* The allocation's share of reference_count right after page_assign. */
#define ALLOCATION_REFERENCE 1

#define PRESENT PAGE_TABLE_ENTRY_PRESENT
#define WRITABLE PAGE_TABLE_ENTRY_WRITABLE
#define USER PAGE_TABLE_ENTRY_USER
#define WRITE_THROUGH (UINT64_C(1) << 3)
#define CACHE_DISABLE (UINT64_C(1) << 4)
#define ACCESSED (UINT64_C(1) << 5)
#define DIRTY (UINT64_C(1) << 6)
#define LARGE PAGE_TABLE_ENTRY_LARGE
#define GLOBAL (UINT64_C(1) << 8)
#define SOFTWARE_BITS UINT64_C(0xe00)
#define NO_EXECUTE (UINT64_C(1) << 63)
/* What a guest kernel writes for a table entry or a data mapping. */
#define TABLE_FLAGS (PRESENT | WRITABLE | USER)
#define READ_ONLY_FLAGS (PRESENT | USER)

_Static_assert(LAST_HYPERVISOR_SLOT - FIRST_HYPERVISOR_SLOT + 1 == HYPERVISOR_L4_SLOT_COUNT,
               "the hypervisor owns HYPERVISOR_L4_SLOT_COUNT L4 slots");

static struct simulated_memory machine;
static const struct page_memory *memory;
static struct simulated_snapshot before_refusal;

static void create_machine(void)
{
    simulated_memory_create(&machine, FRAME_COUNT);
    memory = simulated_memory_view(&machine);
}

static void destroy_machine(void)
{
    simulated_snapshot_free(&before_refusal);
    simulated_memory_destroy(&machine);
}

static uint64_t entry_to(uint64_t frame, uint64_t flags)
{
    return (frame << 12) | flags;
}

/* What the guest writes through a writable mapping, before any pin. */
static void write_entry(uint64_t table, unsigned int index, uint64_t entry)
{
    simulated_page_of(&machine, table)[index] = entry;
}

static int frame_entry_linear_count(uint64_t frame)
{
    return machine.frames[frame].linear_count;
}

static uint64_t read_entry(uint64_t table, unsigned int index)
{
    return simulated_page_of(&machine, table)[index];
}

static void assign(uint64_t frame)
{
    page_assign(memory, frame, OWNER, false);
}

static void assign_range(uint64_t first_frame, uint64_t count)
{
    for (uint64_t frame = first_frame; frame < first_frame + count; frame++)
        assign(frame);
}

static void expect_references(uint64_t frame, uint32_t references)
{
    uint32_t actual = page_reference_count(memory, frame);

    ck_assert_msg(actual == references, "frame %llu holds %u references, expected %u", (unsigned long long) frame,
                  actual, references);
}

static void expect_type(uint64_t frame, enum page_type type, uint32_t count)
{
    enum page_type actual_type = page_type_of(memory, frame);
    uint32_t actual_count = page_type_count(memory, frame);

    ck_assert_msg(actual_count == count, "frame %llu holds %u type references, expected %u",
                  (unsigned long long) frame, actual_count, count);
    ck_assert_msg(actual_type == type, "frame %llu has type %d, expected %d", (unsigned long long) frame,
                  actual_type, type);
}

static void expect_counts(uint64_t frame, uint32_t references, enum page_type type, uint32_t type_count)
{
    expect_references(frame, references);
    expect_type(frame, type, type_count);
}

/* A frame that holds no type reference: its type is not specified, only
 * that nothing holds it. */
static void expect_no_type_reference(uint64_t frame, uint32_t references)
{
    expect_references(frame, references);
    ck_assert_msg(page_type_count(memory, frame) == 0, "frame %llu still holds %u type references",
                  (unsigned long long) frame, page_type_count(memory, frame));
}

static void expect_not_released(uint64_t frame)
{
    ck_assert_msg(machine.release_counts[frame] == 0, "frame %llu was released", (unsigned long long) frame);
}

static void expect_released_once(uint64_t frame)
{
    ck_assert_msg(machine.release_counts[frame] == 1, "frame %llu was released %u times, expected once",
                  (unsigned long long) frame, machine.release_counts[frame]);
}

static void remember_state_before_refusal(void)
{
    simulated_snapshot_free(&before_refusal);
    simulated_snapshot_take(&machine, &before_refusal);
}

static void expect_state_unchanged_by_refusal(uint64_t releases_before)
{
    char change[256] = "";
    bool changed_too_much =
        simulated_snapshot_refusal_changed_too_much(&machine, &before_refusal, change, sizeof(change));

    ck_assert_msg(!changed_too_much, "a refused operation changed %s", change);
    ck_assert_msg(machine.release_total == releases_before, "a refused operation released a frame");
    simulated_snapshot_free(&before_refusal);
}

/* What a refusal left on an owner's pending release (a table refused
 * part way, to give back what it took) is finished at once. */
static void finish_every_pending_release(void)
{
    for (uint16_t owner = 0; owner < SIMULATED_OWNER_LIMIT; owner++)
        ck_assert_int_eq(page_finish_pending_release(memory, owner), 0);
}

/* The call must return -XEN_EINVAL and, once its pending release is
 * finished, change nothing that counts. */
#define expect_refused(call)                                                   \
    do {                                                                       \
        uint64_t releases_before_ = machine.release_total;                     \
        remember_state_before_refusal();                                       \
        ck_assert_int_eq((call), -XEN_EINVAL);                                 \
        finish_every_pending_release();                                        \
        expect_state_unchanged_by_refusal(releases_before_);                   \
    } while (0)

/* The same, for a refusal with another error. */
#define expect_refused_with(call, error)                                       \
    do {                                                                       \
        uint64_t releases_before_ = machine.release_total;                     \
        remember_state_before_refusal();                                       \
        ck_assert_int_eq((call), (error));                                     \
        finish_every_pending_release();                                        \
        expect_state_unchanged_by_refusal(releases_before_);                   \
    } while (0)

/* Frames of the tree most tests build: L4 -> L3 -> L2 -> L1 -> data. */
enum {
    TREE_L4 = 1,
    TREE_L3,
    TREE_L2,
    TREE_L1,
    TREE_DATA,
    TREE_READ_ONLY_DATA,
    TREE_FRAME_COUNT = TREE_READ_ONLY_DATA,
};

/* Writes the tree's entries (not yet validated): L1 maps TREE_DATA
 * writable at 0 and TREE_READ_ONLY_DATA read-only at 1. */
static void build_tree(void)
{
    assign_range(TREE_L4, TREE_FRAME_COUNT);
    write_entry(TREE_L4, 0, entry_to(TREE_L3, TABLE_FLAGS));
    write_entry(TREE_L3, 0, entry_to(TREE_L2, TABLE_FLAGS));
    write_entry(TREE_L2, 0, entry_to(TREE_L1, TABLE_FLAGS));
    write_entry(TREE_L1, 0, entry_to(TREE_DATA, TABLE_FLAGS));
    write_entry(TREE_L1, 1, entry_to(TREE_READ_ONLY_DATA, READ_ONLY_FLAGS));
}

/* A pinned, empty table of the given level at frame. */
static void pin_empty_table(uint64_t frame, enum page_type level)
{
    assign(frame);
    ck_assert_int_eq(page_pin(memory, frame, OWNER, level), 0);
}

/* ---- assignment, giving back, release ---- */

START_TEST(an_assigned_frame_belongs_to_its_owner_with_only_the_allocation_reference)
{
    page_assign(memory, 3, OWNER, false);

    ck_assert_uint_eq(machine.frames[3].state, FRAME_DOMAIN);
    ck_assert_uint_eq(machine.frames[3].owner, OWNER);
    ck_assert(machine.frames[3].reference_count & PAGE_REFERENCE_ALLOCATED);
    expect_counts(3, ALLOCATION_REFERENCE, PAGE_TYPE_NONE, 0);
    ck_assert(!page_is_known_zero(memory, 3));
    expect_not_released(3);
}
END_TEST

START_TEST(a_frame_assigned_as_zeroed_is_known_zero)
{
    page_assign(memory, 3, OWNER, true);

    ck_assert(page_is_known_zero(memory, 3));
    ck_assert(machine.frames[3].flags & FRAME_FLAG_KNOWN_ZERO);
}
END_TEST

START_TEST(a_general_reference_alone_keeps_a_frame_known_zero)
{
    page_assign(memory, 3, OWNER, true);

    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert(page_is_known_zero(memory, 3));
}
END_TEST

START_TEST(taking_the_writable_type_clears_known_zero)
{
    page_assign(memory, 3, OWNER, true);

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert(!page_is_known_zero(memory, 3));
    page_put_reference_and_type(memory, 3);
    ck_assert(!page_is_known_zero(memory, 3));
}
END_TEST

START_TEST(taking_a_page_table_type_clears_known_zero)
{
    page_assign(memory, 3, OWNER, true);

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert(!page_is_known_zero(memory, 3));
}
END_TEST

START_TEST(taking_the_descriptor_type_clears_known_zero)
{
    page_assign(memory, 3, OWNER, true);

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR), 0);
    ck_assert(!page_is_known_zero(memory, 3));
}
END_TEST

START_TEST(a_frame_cleared_while_no_type_is_held_is_known_zero_again)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);

    page_mark_known_zero(memory, 3);

    ck_assert(page_is_known_zero(memory, 3));
}
END_TEST

START_TEST(a_frame_cleared_while_a_type_is_held_stays_not_known_zero)
{
    assign_range(3, 2);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_pin(memory, 4, OWNER, PAGE_TYPE_L1), 0);

    page_mark_known_zero(memory, 3);
    page_mark_known_zero(memory, 4);

    ck_assert(!page_is_known_zero(memory, 3));
    ck_assert(!page_is_known_zero(memory, 4));
}
END_TEST

START_TEST(giving_back_an_unreferenced_frame_releases_it)
{
    assign(3);

    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);
    expect_released_once(3);
    ck_assert_uint_eq(machine.last_released, 3);
    expect_references(3, 0);
    ck_assert(!(machine.frames[3].reference_count & PAGE_REFERENCE_ALLOCATED));
}
END_TEST

START_TEST(giving_back_a_frame_twice_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    expect_refused(page_give_back(memory, 3, OWNER));
    expect_not_released(3);
}
END_TEST

START_TEST(giving_back_a_released_frame_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    expect_refused(page_give_back(memory, 3, OWNER));
    expect_released_once(3);
}
END_TEST

START_TEST(giving_back_a_frame_of_another_owner_is_refused)
{
    assign(3);

    expect_refused(page_give_back(memory, 3, OTHER_OWNER));
}
END_TEST

START_TEST(giving_back_a_frame_never_assigned_is_refused)
{
    expect_refused(page_give_back(memory, 3, NOBODY));
}
END_TEST

START_TEST(giving_back_a_frame_beyond_the_frame_table_is_refused)
{
    expect_refused(page_give_back(memory, FRAME_COUNT, OWNER));
    expect_refused(page_give_back(memory, UINT64_MAX, OWNER));
}
END_TEST

START_TEST(a_given_back_frame_still_referenced_is_released_with_its_last_reference)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);
    expect_not_released(3);
    expect_references(3, 1);

    page_put_reference(memory, 3);

    expect_released_once(3);
    expect_references(3, 0);
}
END_TEST

START_TEST(a_given_back_frame_still_referenced_refuses_new_references)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    expect_refused(page_get_reference(memory, 3, OWNER));
    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE));
}
END_TEST

START_TEST(a_released_frame_refuses_references)
{
    assign(3);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    expect_refused(page_get_reference(memory, 3, OWNER));
}
END_TEST

START_TEST(a_released_frame_can_be_assigned_again)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    page_assign(memory, 3, OTHER_OWNER, true);

    ck_assert_uint_eq(machine.frames[3].owner, OTHER_OWNER);
    ck_assert(page_is_known_zero(memory, 3));
    expect_no_type_reference(3, ALLOCATION_REFERENCE);
    ck_assert_int_eq(page_get_reference(memory, 3, OTHER_OWNER), 0);
    expect_refused(page_get_reference(memory, 3, OWNER));
}
END_TEST

/* ---- general references ---- */

START_TEST(a_reference_on_an_own_frame_is_counted_and_put_back)
{
    assign(3);

    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 2, PAGE_TYPE_NONE, 0);
    page_put_reference(memory, 3);
    page_put_reference(memory, 3);
    expect_counts(3, ALLOCATION_REFERENCE, PAGE_TYPE_NONE, 0);
    expect_not_released(3);
}
END_TEST

START_TEST(a_reference_on_a_frame_of_another_owner_is_refused)
{
    assign(3);

    expect_refused(page_get_reference(memory, 3, OTHER_OWNER));
}
END_TEST

START_TEST(a_reference_on_a_frame_never_assigned_is_refused)
{
    expect_refused(page_get_reference(memory, 3, NOBODY));
}
END_TEST

START_TEST(a_frame_that_is_not_a_domain_frame_is_refused_whatever_its_other_fields_say)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    machine.frames[3].state = FRAME_HYPERVISOR;

    expect_refused(page_get_reference(memory, 3, OWNER));
    expect_refused(page_give_back(memory, 3, OWNER));
    expect_refused(page_get_type(memory, 3, OWNER, PAGE_TYPE_L1));
    expect_refused(page_unpin(memory, 3, OWNER));
    expect_refused(page_update_entry(memory, OWNER, 3, 0, 0, false, NULL));
}
END_TEST

START_TEST(a_reference_beyond_the_frame_table_is_refused)
{
    expect_refused(page_get_reference(memory, FRAME_COUNT, OWNER));
    expect_refused(page_get_reference(memory, UINT64_MAX, OWNER));
    expect_refused(page_get_reference_and_type(memory, FRAME_COUNT, OWNER, PAGE_TYPE_WRITABLE));
}
END_TEST

START_TEST(a_reference_that_would_overflow_the_count_is_refused)
{
    assign(3);
    machine.frames[3].reference_count |= PAGE_REFERENCE_COUNT_MASK;

    expect_refused(page_get_reference(memory, 3, OWNER));
}
END_TEST

/* ---- type references ---- */

START_TEST(a_writable_type_reference_is_counted_and_put_back)
{
    assign(3);

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 2, PAGE_TYPE_WRITABLE, 2);
    page_put_reference_and_type(memory, 3);
    page_put_reference_and_type(memory, 3);
    expect_no_type_reference(3, ALLOCATION_REFERENCE);
}
END_TEST

START_TEST(a_type_reference_rides_on_a_general_reference_the_caller_holds)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);

    ck_assert_int_eq(page_get_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    page_put_type(memory, 3);
    expect_no_type_reference(3, ALLOCATION_REFERENCE + 1);
}
END_TEST

START_TEST(a_type_on_a_frame_of_another_owner_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);

    expect_refused(page_get_type(memory, 3, OTHER_OWNER, PAGE_TYPE_WRITABLE));
    expect_refused(page_get_reference_and_type(memory, 3, OTHER_OWNER, PAGE_TYPE_WRITABLE));
}
END_TEST

START_TEST(a_type_that_does_not_exist_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);

    expect_refused(page_get_type(memory, 3, OWNER, PAGE_TYPE_NONE));
    expect_refused(page_get_type(memory, 3, OWNER, (enum page_type) 7));
    expect_refused(page_get_reference_and_type(memory, 3, OWNER, (enum page_type) 7));
}
END_TEST

START_TEST(questions_about_a_frame_beyond_the_frame_table_have_harmless_answers)
{
    ck_assert_int_eq(page_type_of(memory, FRAME_COUNT), PAGE_TYPE_NONE);
    ck_assert_uint_eq(page_type_count(memory, FRAME_COUNT), 0);
    ck_assert_uint_eq(page_reference_count(memory, FRAME_COUNT), 0);
    ck_assert(!page_is_known_zero(memory, FRAME_COUNT));
    ck_assert(!page_is_validated_table(memory, FRAME_COUNT, PAGE_TYPE_L1));
    page_mark_known_zero(memory, FRAME_COUNT);
}
END_TEST

START_TEST(the_writable_type_is_refused_on_an_l1_in_use)
{
    pin_empty_table(3, PAGE_TYPE_L1);

    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE));
}
END_TEST

START_TEST(a_page_table_type_is_refused_on_a_frame_in_use_as_writable)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);

    for (enum page_type level = PAGE_TYPE_L1; level <= PAGE_TYPE_L4; level++) {
        expect_refused(page_get_reference_and_type(memory, 3, OWNER, level));
        expect_refused(page_pin(memory, 3, OWNER, level));
    }
}
END_TEST

START_TEST(the_descriptor_type_and_the_writable_type_exclude_each_other)
{
    assign_range(3, 2);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR), 0);

    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR));
    expect_refused(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_WRITABLE));
}
END_TEST

START_TEST(a_second_page_table_level_is_refused_on_a_table_in_use)
{
    pin_empty_table(3, PAGE_TYPE_L2);

    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1));
    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L3));
}
END_TEST

START_TEST(the_type_changes_once_its_count_is_back_to_zero)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    ck_assert(page_is_validated_table(memory, 3, PAGE_TYPE_L1));
}
END_TEST

START_TEST(changing_from_writable_to_a_page_table_asks_for_a_tlb_flush)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(changing_from_writable_to_a_descriptor_page_asks_for_a_tlb_flush)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(changing_from_a_page_table_to_writable_asks_for_a_tlb_flush)
{
    assign(3);
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(taking_the_same_type_again_asks_for_no_tlb_flush)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(changing_an_unlinked_l2_into_an_l1_asks_for_a_tlb_flush)
{
    assign(3);
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(changing_a_page_table_into_a_descriptor_page_asks_for_a_tlb_flush)
{
    assign(3);
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(a_type_change_after_a_full_flush_asks_for_none)
{
    assign(3);
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    simulated_full_flush(&machine);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(writable_to_a_page_table_after_a_full_flush_asks_for_none)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    simulated_full_flush(&machine);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(a_flush_asked_for_one_frame_covers_every_frame_left_before_it)
{
    assign(3);
    assign(4);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    page_put_reference_and_type(memory, 4);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(a_frame_left_after_the_last_flush_still_asks_for_one)
{
    assign(3);
    assign(4);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    simulated_full_flush(&machine);
    page_put_reference_and_type(memory, 4);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before);
    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(a_stamp_equal_to_a_wrapped_clock_asks_for_a_flush)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    page_put_reference_and_type(memory, 3);
    machine.tlb_flush_clock += 0x10000;
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(a_type_reference_that_would_overflow_the_count_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);
    machine.frames[3].type_info |= PAGE_TYPE_COUNT_MASK;

    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE));
}
END_TEST

START_TEST(a_failed_type_leaves_no_general_reference_behind)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    uint32_t references = page_reference_count(memory, 3);

    expect_refused(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE));
    expect_references(3, references);
}
END_TEST

/* ---- pinning and validation ---- */

START_TEST(pinning_an_empty_l1_holds_one_reference_and_one_type_reference)
{
    assign(3);

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);

    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    ck_assert(machine.frames[3].type_info & PAGE_TYPE_PINNED);
    ck_assert(machine.frames[3].type_info & PAGE_TYPE_VALIDATED);
    ck_assert(page_is_validated_table(memory, 3, PAGE_TYPE_L1));
    ck_assert(!page_is_validated_table(memory, 3, PAGE_TYPE_L2));
}
END_TEST

START_TEST(pinning_an_l1_references_every_mapped_frame_and_makes_writable_ones_writable)
{
    build_tree();

    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    expect_no_type_reference(TREE_READ_ONLY_DATA, ALLOCATION_REFERENCE + 1);
}
END_TEST

START_TEST(pinning_an_l4_validates_the_whole_tree)
{
    build_tree();

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);

    expect_counts(TREE_L4, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L4, 1);
    expect_counts(TREE_L3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L3, 1);
    expect_counts(TREE_L2, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L2, 1);
    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    expect_no_type_reference(TREE_READ_ONLY_DATA, ALLOCATION_REFERENCE + 1);
    ck_assert(page_is_validated_table(memory, TREE_L4, PAGE_TYPE_L4));
    ck_assert(page_is_validated_table(memory, TREE_L3, PAGE_TYPE_L3));
    ck_assert(page_is_validated_table(memory, TREE_L2, PAGE_TYPE_L2));
    ck_assert(page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
    ck_assert(!(machine.frames[TREE_L3].type_info & PAGE_TYPE_PINNED));
}
END_TEST

START_TEST(a_table_shared_by_two_entries_holds_two_type_references)
{
    build_tree();
    write_entry(TREE_L2, 7, entry_to(TREE_L1, TABLE_FLAGS));

    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);

    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 2, PAGE_TYPE_L1, 2);
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(pinning_a_pinned_frame_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L2);

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L2));
}
END_TEST

START_TEST(pinning_with_a_level_that_is_not_a_page_table_is_refused)
{
    assign(3);

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_NONE));
    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_WRITABLE));
    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR));
    expect_refused(page_pin(memory, 3, OWNER, (enum page_type) 7));
}
END_TEST

START_TEST(pinning_a_frame_of_another_owner_is_refused)
{
    assign(3);

    expect_refused(page_pin(memory, 3, OTHER_OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(pinning_a_frame_never_assigned_or_beyond_the_table_is_refused)
{
    expect_refused(page_pin(memory, 3, NOBODY, PAGE_TYPE_L1));
    expect_refused(page_pin(memory, FRAME_COUNT, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(pinning_a_given_back_frame_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(pinning_an_l1_in_use_as_l2_is_refused)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L3, OWNER, PAGE_TYPE_L3), 0);

    expect_refused(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(a_table_referenced_by_a_validated_table_can_be_pinned_too)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);

    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 2, PAGE_TYPE_L1, 2);
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(unpinning_a_frame_never_pinned_is_refused)
{
    assign(3);

    expect_refused(page_unpin(memory, 3, OWNER));
}
END_TEST

START_TEST(unpinning_a_table_only_referenced_by_another_table_is_refused)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);

    expect_refused(page_unpin(memory, TREE_L1, OWNER));
}
END_TEST

START_TEST(unpinning_a_frame_of_another_owner_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);

    expect_refused(page_unpin(memory, 3, OTHER_OWNER));
}
END_TEST

START_TEST(unpinning_twice_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);

    expect_refused(page_unpin(memory, 3, OWNER));
}
END_TEST

START_TEST(unpinning_returns_every_count_to_its_state_before_the_pin)
{
    build_tree();

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);

    for (uint64_t frame = TREE_L4; frame <= TREE_READ_ONLY_DATA; frame++) {
        expect_no_type_reference(frame, ALLOCATION_REFERENCE);
        ck_assert(!(machine.frames[frame].type_info & (PAGE_TYPE_PINNED | PAGE_TYPE_VALIDATED)));
        expect_not_released(frame);
    }
    ck_assert(!page_is_validated_table(memory, TREE_L4, PAGE_TYPE_L4));
    ck_assert(!page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
}
END_TEST

START_TEST(unpinning_a_table_still_referenced_elsewhere_keeps_it_validated)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);

    ck_assert_int_eq(page_unpin(memory, TREE_L1, OWNER), 0);

    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    ck_assert(page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
    ck_assert(!(machine.frames[TREE_L1].type_info & PAGE_TYPE_PINNED));
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(a_table_unpinned_and_no_longer_in_use_may_become_writable)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_unpin(memory, TREE_L1, OWNER), 0);

    ck_assert_int_eq(page_get_reference_and_type(memory, TREE_L1, OWNER, PAGE_TYPE_WRITABLE), 0);
    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(a_validation_failure_part_way_undoes_every_reference_taken)
{
    assign_range(3, 4);
    write_entry(3, 0, entry_to(4, TABLE_FLAGS));
    write_entry(3, 1, entry_to(5, READ_ONLY_FLAGS));
    write_entry(3, 2, entry_to(6, TABLE_FLAGS));
    write_entry(3, 3, entry_to(FRAME_COUNT + 5, TABLE_FLAGS));
    write_entry(3, 4, entry_to(6, TABLE_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
    expect_no_type_reference(4, ALLOCATION_REFERENCE);
}
END_TEST

START_TEST(a_validation_failure_part_way_gives_back_every_count)
{
    uint32_t references[FRAME_COUNT];
    uint32_t type_references[FRAME_COUNT];

    build_tree();
    write_entry(TREE_L1, 2, entry_to(TREE_DATA, TABLE_FLAGS));
    write_entry(TREE_L2, 1, entry_to(FRAME_COUNT, TABLE_FLAGS));
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        references[frame] = page_reference_count(memory, frame);
        type_references[frame] = page_type_count(memory, frame);
    }

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), -XEN_EINVAL);
    ck_assert(machine.pending_releases[OWNER].pending);
    ck_assert_int_eq(page_finish_pending_release(memory, OWNER), 0);

    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        expect_references(frame, references[frame]);
        ck_assert_uint_eq(page_type_count(memory, frame), type_references[frame]);
        ck_assert(!(machine.frames[frame].type_info & (PAGE_TYPE_VALIDATED | PAGE_TYPE_PINNED)));
    }
    ck_assert_uint_eq(machine.release_total, 0);
}
END_TEST

START_TEST(a_validation_failure_deep_in_the_tree_undoes_every_level)
{
    build_tree();
    assign_range(10, 3);
    write_entry(TREE_L4, 1, entry_to(10, TABLE_FLAGS));
    write_entry(10, 0, entry_to(11, TABLE_FLAGS));
    write_entry(11, 0, entry_to(12, TABLE_FLAGS));
    write_entry(12, 0, entry_to(TREE_DATA, TABLE_FLAGS));
    write_entry(12, 1, entry_to(TREE_L2, READ_ONLY_FLAGS));
    write_entry(12, 2, entry_to(20, TABLE_FLAGS)); /* never assigned */

    expect_refused(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4));
}
END_TEST

START_TEST(a_validation_failure_leaves_a_table_validated_elsewhere_as_it_was)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    assign(10);
    write_entry(10, 0, entry_to(TREE_L1, TABLE_FLAGS));
    write_entry(10, 1, entry_to(TREE_L1, TABLE_FLAGS | LARGE));

    expect_refused(page_pin(memory, 10, OWNER, PAGE_TYPE_L2));
    ck_assert(page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
}
END_TEST

START_TEST(an_l2_entry_pointing_at_its_own_table_is_refused)
{
    assign(3);
    write_entry(3, 0, entry_to(3, TABLE_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L2));
}
END_TEST

START_TEST(an_l2_entry_pointing_at_another_l2_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    assign(4);
    write_entry(4, 0, entry_to(3, TABLE_FLAGS));

    expect_refused(page_pin(memory, 4, OWNER, PAGE_TYPE_L2));
}
END_TEST

START_TEST(an_l4_entry_pointing_at_its_own_table_is_refused)
{
    assign(3);
    write_entry(3, 0, entry_to(3, TABLE_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L4));
}
END_TEST

/* ---- read-only linear page tables (Xen's pv-linear-pt, XSA-240 rules) ---- */

static int update(uint64_t table, unsigned int index, uint64_t entry)
{
    return page_update_entry(memory, OWNER, table, index, entry, false, NULL);
}

START_TEST(a_read_only_l4_entry_at_its_own_table_is_accepted_and_holds_nothing)
{
    assign(3);
    write_entry(3, 0, entry_to(3, READ_ONLY_FLAGS));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L4), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L4, 1);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    expect_no_type_reference(3, ALLOCATION_REFERENCE);
}
END_TEST

START_TEST(a_read_only_l2_entry_at_its_own_table_is_accepted)
{
    assign(3);
    write_entry(3, 5, entry_to(3, READ_ONLY_FLAGS));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L2), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L2, 1);
}
END_TEST

START_TEST(a_self_map_made_writable_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L4);
    ck_assert_int_eq(update(3, 0, entry_to(3, READ_ONLY_FLAGS)), 0);

    expect_refused(update(3, 0, entry_to(3, TABLE_FLAGS)));
    ck_assert_uint_eq(read_entry(3, 0) & WRITABLE, 0);
}
END_TEST

START_TEST(a_read_only_entry_at_another_table_of_its_level_takes_a_type_reference)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);

    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 2, PAGE_TYPE_L2, 2);
    ck_assert_int_eq(frame_entry_linear_count(3), -1);
    ck_assert_int_eq(frame_entry_linear_count(4), 1);
}
END_TEST

START_TEST(removing_a_linear_entry_gives_its_references_back)
{
    pin_empty_table(3, PAGE_TYPE_L3);
    pin_empty_table(4, PAGE_TYPE_L3);
    ck_assert_int_eq(update(4, 7, entry_to(3, READ_ONLY_FLAGS)), 0);

    ck_assert_int_eq(update(4, 7, 0), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L3, 1);
    ck_assert_int_eq(frame_entry_linear_count(3), 0);
    ck_assert_int_eq(frame_entry_linear_count(4), 0);
}
END_TEST

START_TEST(a_writable_entry_at_another_table_of_its_level_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);

    expect_refused(update(4, 0, entry_to(3, TABLE_FLAGS)));
}
END_TEST

START_TEST(a_linear_entry_made_writable_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L4);
    pin_empty_table(4, PAGE_TYPE_L4);
    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);

    expect_refused(update(4, 0, entry_to(3, TABLE_FLAGS)));
}
END_TEST

START_TEST(a_table_used_linearly_cannot_hold_linear_entries)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);
    pin_empty_table(5, PAGE_TYPE_L2);
    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);

    expect_refused(update(3, 0, entry_to(5, READ_ONLY_FLAGS)));
}
END_TEST

START_TEST(a_table_holding_linear_entries_cannot_be_used_linearly)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);
    pin_empty_table(5, PAGE_TYPE_L2);
    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);

    expect_refused(update(5, 0, entry_to(4, READ_ONLY_FLAGS)));
}
END_TEST

START_TEST(a_table_may_hold_several_linear_entries_and_be_used_by_several)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);
    pin_empty_table(5, PAGE_TYPE_L2);
    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);
    ck_assert_int_eq(update(4, 1, entry_to(5, READ_ONLY_FLAGS)), 0);

    ck_assert_int_eq(update(4, 2, entry_to(3, READ_ONLY_FLAGS)), 0);
    ck_assert_int_eq(frame_entry_linear_count(4), 3);
    ck_assert_int_eq(frame_entry_linear_count(3), -2);
}
END_TEST

START_TEST(a_linear_entry_at_another_owners_table_is_refused)
{
    page_assign(memory, 3, OTHER_OWNER, false);
    ck_assert_int_eq(page_pin(memory, 3, OTHER_OWNER, PAGE_TYPE_L2), 0);
    pin_empty_table(4, PAGE_TYPE_L2);

    expect_refused(update(4, 0, entry_to(3, READ_ONLY_FLAGS)));
}
END_TEST

START_TEST(validating_a_table_with_a_linear_entry_takes_its_references)
{
    pin_empty_table(3, PAGE_TYPE_L3);
    assign(4);
    write_entry(4, 9, entry_to(3, READ_ONLY_FLAGS));

    ck_assert_int_eq(page_pin(memory, 4, OWNER, PAGE_TYPE_L3), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 2, PAGE_TYPE_L3, 2);
    ck_assert_int_eq(page_unpin(memory, 4, OWNER), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L3, 1);
    ck_assert_int_eq(frame_entry_linear_count(3), 0);
}
END_TEST

START_TEST(a_table_used_linearly_stays_validated_until_its_last_linear_entry_goes)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);
    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);

    ck_assert(page_is_validated_table(memory, 3, PAGE_TYPE_L2));
    ck_assert_int_eq(page_unpin(memory, 4, OWNER), 0);
    expect_no_type_reference(3, ALLOCATION_REFERENCE);
    expect_no_type_reference(4, ALLOCATION_REFERENCE);
}
END_TEST

START_TEST(an_unlinked_linear_table_that_changes_level_asks_for_a_flush)
{
    pin_empty_table(3, PAGE_TYPE_L2);
    pin_empty_table(4, PAGE_TYPE_L2);
    ck_assert_int_eq(update(4, 0, entry_to(3, READ_ONLY_FLAGS)), 0);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    ck_assert_int_eq(update(4, 0, 0), 0);
    uint64_t flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_gt(machine.tlb_flush_requests, flushes_before);
}
END_TEST

START_TEST(an_l3_entry_pointing_at_an_l1_in_use_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    assign(4);
    write_entry(4, 0, entry_to(3, TABLE_FLAGS));

    expect_refused(page_pin(memory, 4, OWNER, PAGE_TYPE_L3));
}
END_TEST

START_TEST(an_l2_entry_pointing_at_a_frame_in_use_as_writable_is_refused)
{
    assign_range(3, 2);
    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_WRITABLE), 0);
    write_entry(3, 0, entry_to(4, TABLE_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L2));
}
END_TEST

START_TEST(an_l1_mapping_its_own_table_read_only_is_accepted)
{
    assign(3);
    write_entry(3, 0, entry_to(3, READ_ONLY_FLAGS));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 2, PAGE_TYPE_L1, 1);
}
END_TEST

START_TEST(an_l1_mapping_its_own_table_writable_is_refused)
{
    assign(3);
    write_entry(3, 0, entry_to(3, TABLE_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(a_writable_mapping_of_a_pinned_l1_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    assign(4);
    write_entry(4, 0, entry_to(3, TABLE_FLAGS));

    expect_refused(page_pin(memory, 4, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(a_read_only_mapping_of_a_pinned_page_table_is_accepted)
{
    pin_empty_table(3, PAGE_TYPE_L3);
    assign(4);
    write_entry(4, 0, entry_to(3, READ_ONLY_FLAGS));

    ck_assert_int_eq(page_pin(memory, 4, OWNER, PAGE_TYPE_L1), 0);
    expect_counts(3, ALLOCATION_REFERENCE + 2, PAGE_TYPE_L3, 1);
}
END_TEST

START_TEST(a_writable_mapping_of_a_descriptor_page_is_refused)
{
    assign_range(3, 2);
    ck_assert_int_eq(page_get_reference_and_type(memory, 4, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR), 0);
    write_entry(3, 0, entry_to(4, TABLE_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(an_entry_mapping_a_frame_of_another_owner_is_refused)
{
    assign(3);
    page_assign(memory, 4, OTHER_OWNER, false);

    write_entry(3, 0, entry_to(4, READ_ONLY_FLAGS));
    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
    write_entry(3, 0, entry_to(4, TABLE_FLAGS));
    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L2));
}
END_TEST

START_TEST(an_entry_mapping_a_frame_beyond_the_frame_table_is_refused)
{
    assign(3);

    for (enum page_type level = PAGE_TYPE_L1; level <= PAGE_TYPE_L4; level++) {
        write_entry(3, 5, entry_to(FRAME_COUNT, READ_ONLY_FLAGS));
        expect_refused(page_pin(memory, 3, OWNER, level));
        write_entry(3, 5, entry_to(UINT64_C(0xffffffffff), READ_ONLY_FLAGS));
        expect_refused(page_pin(memory, 3, OWNER, level));
    }
}
END_TEST

START_TEST(an_entry_mapping_a_frame_never_assigned_is_refused)
{
    assign(3);
    write_entry(3, 0, entry_to(4, READ_ONLY_FLAGS));

    expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
}
END_TEST

START_TEST(superpage_and_global_bits_are_refused_in_l2_to_l4)
{
    static const uint64_t refused_bits[] = {LARGE, GLOBAL};

    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_int_eq(page_pin(memory, TREE_L3, OWNER, PAGE_TYPE_L3), 0);
    assign(10);
    for (size_t bit = 0; bit < sizeof(refused_bits) / sizeof(refused_bits[0]); bit++) {
        write_entry(10, 3, entry_to(TREE_L1, TABLE_FLAGS | refused_bits[bit]));
        expect_refused(page_pin(memory, 10, OWNER, PAGE_TYPE_L2));
        write_entry(10, 3, entry_to(TREE_L2, TABLE_FLAGS | refused_bits[bit]));
        expect_refused(page_pin(memory, 10, OWNER, PAGE_TYPE_L3));
        write_entry(10, 3, entry_to(TREE_L3, TABLE_FLAGS | refused_bits[bit]));
        expect_refused(page_pin(memory, 10, OWNER, PAGE_TYPE_L4));
    }
}
END_TEST

/* Pins frame 10 holding entry at index 3 as level, and unpins it again:
 * whether the entry's bits are accepted there, and kept as written. */
static bool accepted_and_kept(enum page_type level, uint64_t entry)
{
    bool accepted;

    write_entry(10, 3, entry);
    accepted = page_pin(memory, 10, OWNER, level) == 0;
    if (accepted) {
        ck_assert_uint_eq(simulated_page_of(&machine, 10)[3] & ~PAGE_TABLE_ENTRY_USER,
                          entry & ~PAGE_TABLE_ENTRY_USER);
        ck_assert_int_eq(page_unpin(memory, 10, OWNER), 0);
    }
    return accepted;
}

/* docs/page-table-entry-bits.md: bits 52-62 are software bits that Xen
 * lets a guest keep at every level, but for bit 62 of an L1 entry
 * (_PAGE_GNTTAB). */
START_TEST(bits_52_to_62_are_kept_at_every_level_but_62_in_an_l1_entry)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_int_eq(page_pin(memory, TREE_L3, OWNER, PAGE_TYPE_L3), 0);
    assign(10);
    for (unsigned int bit = 52; bit <= 62; bit++) {
        uint64_t software = UINT64_C(1) << bit;

        ck_assert(accepted_and_kept(PAGE_TYPE_L1, entry_to(TREE_DATA, READ_ONLY_FLAGS | software)) == (bit != 62));
        ck_assert(accepted_and_kept(PAGE_TYPE_L2, entry_to(TREE_L1, TABLE_FLAGS | software)));
        ck_assert(accepted_and_kept(PAGE_TYPE_L3, entry_to(TREE_L2, TABLE_FLAGS | software)));
        ck_assert(accepted_and_kept(PAGE_TYPE_L4, entry_to(TREE_L3, TABLE_FLAGS | software)));
    }
}
END_TEST

START_TEST(an_l1_entry_may_carry_dirty_global_software_and_no_execute_bits)
{
    uint64_t flags = TABLE_FLAGS | ACCESSED | DIRTY | GLOBAL | SOFTWARE_BITS | NO_EXECUTE;

    assign_range(3, 2);
    write_entry(3, 0, entry_to(4, flags));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_eq(read_entry(3, 0), entry_to(4, flags));
}
END_TEST

START_TEST(an_l1_entry_with_a_cache_attribute_is_refused)
{
    static const uint64_t attributes[] = { WRITE_THROUGH, CACHE_DISABLE, LARGE };

    assign_range(3, 2);
    for (unsigned int index = 0; index < 3; index++) {
        write_entry(3, 0, entry_to(4, READ_ONLY_FLAGS | attributes[index]));
        expect_refused(page_pin(memory, 3, OWNER, PAGE_TYPE_L1));
    }
}
END_TEST

START_TEST(an_upper_level_entry_with_a_cache_attribute_is_refused)
{
    pin_empty_table(4, PAGE_TYPE_L1);
    pin_empty_table(5, PAGE_TYPE_L2);
    pin_empty_table(6, PAGE_TYPE_L3);
    assign_range(10, 3);
    write_entry(10, 0, entry_to(4, TABLE_FLAGS | WRITE_THROUGH));
    expect_refused(page_pin(memory, 10, OWNER, PAGE_TYPE_L2));
    write_entry(11, 0, entry_to(5, TABLE_FLAGS | CACHE_DISABLE));
    expect_refused(page_pin(memory, 11, OWNER, PAGE_TYPE_L3));
    write_entry(12, 0, entry_to(6, TABLE_FLAGS | WRITE_THROUGH | CACHE_DISABLE));
    expect_refused(page_pin(memory, 12, OWNER, PAGE_TYPE_L4));
}
END_TEST

START_TEST(a_cache_attribute_added_to_an_entry_in_use_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    assign(4);
    ck_assert_int_eq(page_update_entry(memory, OWNER, 3, 0, entry_to(4, TABLE_FLAGS), false, NULL), 0);

    expect_refused(page_update_entry(memory, OWNER, 3, 0, entry_to(4, TABLE_FLAGS | CACHE_DISABLE), false, NULL));
    ck_assert_uint_eq(read_entry(3, 0), entry_to(4, TABLE_FLAGS));
}
END_TEST

START_TEST(an_l2_entry_may_carry_accessed_software_and_no_execute_bits)
{
    uint64_t flags = TABLE_FLAGS | ACCESSED | SOFTWARE_BITS | NO_EXECUTE;

    assign_range(3, 2);
    write_entry(3, 0, entry_to(4, flags));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_uint_eq(read_entry(3, 0), entry_to(4, flags));
    ck_assert(page_is_validated_table(memory, 4, PAGE_TYPE_L1));
}
END_TEST

/* Linux's _PAGE_TABLE is P, RW, U, A and D. */
START_TEST(upper_level_entries_may_carry_the_dirty_bit_linux_sets)
{
    uint64_t linux_table_flags = PRESENT | WRITABLE | USER | ACCESSED | DIRTY;

    build_tree();
    write_entry(TREE_L4, 0, entry_to(TREE_L3, linux_table_flags));
    write_entry(TREE_L3, 0, entry_to(TREE_L2, linux_table_flags));
    write_entry(TREE_L2, 0, entry_to(TREE_L1, linux_table_flags));

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    ck_assert_uint_eq(read_entry(TREE_L3, 0), entry_to(TREE_L2, linux_table_flags));
    ck_assert(page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
}
END_TEST

START_TEST(validation_forces_the_user_bit_on_at_every_level)
{
    build_tree();
    write_entry(TREE_L4, 0, entry_to(TREE_L3, PRESENT | WRITABLE));
    write_entry(TREE_L3, 0, entry_to(TREE_L2, PRESENT));
    write_entry(TREE_L2, 0, entry_to(TREE_L1, PRESENT | WRITABLE));
    write_entry(TREE_L1, 0, entry_to(TREE_DATA, PRESENT | WRITABLE));

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);

    ck_assert_uint_eq(read_entry(TREE_L4, 0), entry_to(TREE_L3, PRESENT | WRITABLE | USER));
    ck_assert_uint_eq(read_entry(TREE_L3, 0), entry_to(TREE_L2, PRESENT | USER));
    ck_assert_uint_eq(read_entry(TREE_L2, 0), entry_to(TREE_L1, PRESENT | WRITABLE | USER));
    ck_assert_uint_eq(read_entry(TREE_L1, 0), entry_to(TREE_DATA, PRESENT | WRITABLE | USER));
}
END_TEST

START_TEST(a_non_present_entry_is_kept_as_it_is_and_holds_nothing)
{
    uint64_t not_present = entry_to(4, WRITABLE | LARGE | DIRTY | (UINT64_C(1) << 55));

    assign_range(3, 2);
    write_entry(3, 9, not_present);

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L2), 0);
    ck_assert_uint_eq(read_entry(3, 9), not_present);
    expect_no_type_reference(4, ALLOCATION_REFERENCE);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_uint_eq(read_entry(3, 9), not_present);
    expect_no_type_reference(4, ALLOCATION_REFERENCE);
}
END_TEST

/* ---- the hypervisor's L4 slots ---- */

START_TEST(validating_an_l4_puts_the_hypervisor_entries_in_their_slots)
{
    assign(3);
    write_entry(3, FIRST_HYPERVISOR_SLOT, entry_to(3, TABLE_FLAGS | LARGE));
    write_entry(3, LAST_HYPERVISOR_SLOT, entry_to(FRAME_COUNT + 1, TABLE_FLAGS | (UINT64_C(1) << 60)));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L4), 0);

    for (unsigned int slot = FIRST_HYPERVISOR_SLOT; slot <= LAST_HYPERVISOR_SLOT; slot++)
        ck_assert_uint_eq(read_entry(3, slot), SIMULATED_HYPERVISOR_L4_ENTRY(slot - FIRST_HYPERVISOR_SLOT));
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L4, 1);
}
END_TEST

START_TEST(only_the_hypervisor_slots_of_an_l4_are_replaced)
{
    assign_range(3, 2);
    write_entry(3, FIRST_HYPERVISOR_SLOT - 1, entry_to(4, TABLE_FLAGS));
    write_entry(3, LAST_HYPERVISOR_SLOT + 1, entry_to(FRAME_COUNT + 1, TABLE_FLAGS & ~PRESENT));

    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L4), 0);

    ck_assert_uint_eq(read_entry(3, FIRST_HYPERVISOR_SLOT - 1), entry_to(4, TABLE_FLAGS));
    ck_assert_uint_eq(read_entry(3, LAST_HYPERVISOR_SLOT + 1), entry_to(FRAME_COUNT + 1, TABLE_FLAGS & ~PRESENT));
    expect_counts(4, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L3, 1);
}
END_TEST

START_TEST(a_guest_update_of_a_hypervisor_l4_slot_is_refused)
{
    assign(4);
    pin_empty_table(3, PAGE_TYPE_L4);

    for (unsigned int slot = FIRST_HYPERVISOR_SLOT; slot <= LAST_HYPERVISOR_SLOT; slot++) {
        expect_refused(page_update_entry(memory, OWNER, 3, slot, 0, false, NULL));
        expect_refused(page_update_entry(memory, OWNER, 3, slot, entry_to(4, TABLE_FLAGS), false, NULL));
    }
}
END_TEST

/* ---- page-table updates ---- */

START_TEST(an_update_of_an_l1_in_use_maps_the_new_frame_and_unmaps_the_old)
{
    build_tree();
    assign(10);
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    uint64_t stored = 0;

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 0, entry_to(10, PRESENT | WRITABLE), false, &stored),
                     0);

    ck_assert_uint_eq(stored, entry_to(10, PRESENT | WRITABLE | USER));
    ck_assert_uint_eq(read_entry(TREE_L1, 0), stored);
    expect_counts(10, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    expect_no_type_reference(TREE_DATA, ALLOCATION_REFERENCE);
    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
}
END_TEST

/* ---- foreign mappings (mmu_update's foreigndom) ---- */

START_TEST(a_foreign_update_maps_the_other_owners_frame_with_its_references)
{
    build_tree();
    page_assign(memory, 20, OTHER_OWNER, false);
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    ck_assert_int_eq(page_update_entry_foreign(memory, OWNER, OTHER_OWNER, TREE_L1, 2,
                                               entry_to(20, PRESENT | WRITABLE), false, NULL), 0);

    expect_counts(20, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_uint_eq(read_entry(TREE_L1, 2), entry_to(20, PRESENT | WRITABLE | USER));
}
END_TEST

START_TEST(a_foreign_update_may_not_name_the_callers_own_frames)
{
    build_tree();
    assign(20);
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    expect_refused(page_update_entry_foreign(memory, OWNER, OTHER_OWNER, TREE_L1, 2,
                                             entry_to(20, PRESENT | WRITABLE), false, NULL));
}
END_TEST

START_TEST(a_foreign_update_names_foreign_frames_only_in_l1_entries)
{
    build_tree();
    page_assign(memory, 20, OTHER_OWNER, false);
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);

    expect_refused(page_update_entry_foreign(memory, OWNER, OTHER_OWNER, TREE_L2, 1, entry_to(20, TABLE_FLAGS),
                                             false, NULL));
}
END_TEST

START_TEST(a_foreign_frame_given_back_lives_until_its_mapping_goes)
{
    build_tree();
    page_assign(memory, 20, OTHER_OWNER, false);
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_update_entry_foreign(memory, OWNER, OTHER_OWNER, TREE_L1, 2,
                                               entry_to(20, PRESENT | WRITABLE), false, NULL), 0);

    ck_assert_int_eq(page_give_back(memory, 20, OTHER_OWNER), 0);
    expect_not_released(20);
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, 0, false, NULL), 0);

    expect_released_once(20);
}
END_TEST

START_TEST(a_table_holding_a_foreign_entry_cannot_be_validated_again)
{
    build_tree();
    page_assign(memory, 20, OTHER_OWNER, false);
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_update_entry_foreign(memory, OWNER, OTHER_OWNER, TREE_L1, 2,
                                               entry_to(20, READ_ONLY_FLAGS), false, NULL), 0);
    ck_assert_int_eq(page_unpin(memory, TREE_L1, OWNER), 0);
    expect_references(20, ALLOCATION_REFERENCE);

    expect_refused(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1));
}
END_TEST


/* ---- device memory (I/O frames: Xen's get_page_from_l1e for MMIO) ---- */

/* OWNER's I/O memory: frames DEVICE_FRAME .. DEVICE_FRAME + 15, and the
 * reserved frame RESERVED_DEVICE_FRAME inside the frame table. */
#define DEVICE_FRAME UINT64_C(0xfeb00)
#define RESERVED_DEVICE_FRAME (FRAME_COUNT - 2)
#define DOMID_IO_OWNER UINT16_C(0x7ff1)
#define UNCACHED (WRITE_THROUGH | CACHE_DISABLE)
#define PAT_BIT (UINT64_C(1) << 7)

static struct io_memory owner_io_memory = {
    .count = 2,
    .ranges = { { RESERVED_DEVICE_FRAME, RESERVED_DEVICE_FRAME }, { DEVICE_FRAME, DEVICE_FRAME + 15 } },
};

/* The tree with its L1 pinned, OWNER given its I/O memory and one frame
 * of the frame table reserved (not RAM). */
static void expect_frame_table_as_before(void)
{
    ck_assert_msg(memcmp(machine.frames, before_refusal.frames, FRAME_COUNT * sizeof(struct frame)) == 0,
                  "a device mapping changed the frame table");
    ck_assert_uint_eq(machine.release_total, 0);
    simulated_snapshot_free(&before_refusal);
}

static void build_tree_with_io_memory(void)
{
    build_tree();
    machine.frames[RESERVED_DEVICE_FRAME].state = FRAME_RESERVED;
    machine.io_memory[OWNER] = &owner_io_memory;
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
}

START_TEST(a_device_frame_through_domid_io_is_mapped_uncached_and_holds_nothing)
{
    uint64_t stored = 0;

    build_tree_with_io_memory();
    remember_state_before_refusal();

    ck_assert_int_eq(page_update_entry_foreign(memory, OWNER, DOMID_IO_OWNER, TREE_L1, 2,
                                               entry_to(DEVICE_FRAME, PRESENT | WRITABLE), false, &stored), 0);

    ck_assert_uint_eq(stored, entry_to(DEVICE_FRAME, PRESENT | WRITABLE | USER | UNCACHED));
    ck_assert_uint_eq(read_entry(TREE_L1, 2), stored);
    expect_frame_table_as_before();
}
END_TEST

START_TEST(a_device_frame_through_domid_self_is_accepted_for_a_domain_with_io_memory)
{
    uint64_t stored = 0;

    build_tree_with_io_memory();

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME + 15, READ_ONLY_FLAGS),
                                       false, &stored), 0);

    ck_assert_uint_eq(stored, entry_to(DEVICE_FRAME + 15, READ_ONLY_FLAGS | UNCACHED));
}
END_TEST

START_TEST(a_reserved_frame_of_the_frame_table_is_device_memory_and_keeps_its_counts)
{
    build_tree_with_io_memory();

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(RESERVED_DEVICE_FRAME, TABLE_FLAGS),
                                       false, NULL), 0);

    expect_counts(RESERVED_DEVICE_FRAME, 0, PAGE_TYPE_NONE, 0);
    ck_assert_uint_eq(machine.frames[RESERVED_DEVICE_FRAME].state, FRAME_RESERVED);
}
END_TEST

START_TEST(a_device_entry_already_write_combining_or_uncached_minus_is_kept)
{
    uint64_t stored = 0;

    build_tree_with_io_memory();

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS | PAT_BIT),
                                       false, &stored), 0);
    ck_assert_uint_eq(stored, entry_to(DEVICE_FRAME, TABLE_FLAGS | PAT_BIT));
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 3,
                                       entry_to(DEVICE_FRAME, TABLE_FLAGS | CACHE_DISABLE), false, &stored), 0);
    ck_assert_uint_eq(stored, entry_to(DEVICE_FRAME, TABLE_FLAGS | CACHE_DISABLE));
}
END_TEST

START_TEST(removing_or_replacing_a_device_mapping_drops_nothing)
{
    build_tree_with_io_memory();
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS), false,
                                       NULL), 0);
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME + 1, READ_ONLY_FLAGS),
                                       false, NULL), 0);
    remember_state_before_refusal();

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, 0, false, NULL), 0);

    expect_frame_table_as_before();
}
END_TEST

START_TEST(a_device_entry_replaced_by_ram_takes_the_ram_references)
{
    build_tree_with_io_memory();
    assign(10);
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS), false,
                                       NULL), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(10, TABLE_FLAGS), false, NULL), 0);

    expect_counts(10, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(a_domain_without_io_memory_mapping_a_device_frame_is_eperm)
{
    build_tree_with_io_memory();
    machine.io_memory[OWNER] = NULL;

    expect_refused_with(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS), false,
                                          NULL), -XEN_EPERM);
    expect_refused_with(page_update_entry_foreign(memory, OWNER, DOMID_IO_OWNER, TREE_L1, 2,
                                                  entry_to(DEVICE_FRAME, TABLE_FLAGS), false, NULL), -XEN_EPERM);
    expect_refused_with(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(RESERVED_DEVICE_FRAME, TABLE_FLAGS),
                                          false, NULL), -XEN_EPERM);
}
END_TEST

START_TEST(a_domain_without_io_memory_asking_a_cache_attribute_is_einval_first)
{
    build_tree_with_io_memory();
    machine.io_memory[OWNER] = NULL;

    expect_refused(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS | UNCACHED),
                                     false, NULL));
}
END_TEST

START_TEST(a_frame_outside_the_domains_io_memory_is_eperm)
{
    build_tree_with_io_memory();

    expect_refused_with(page_update_entry_foreign(memory, OWNER, DOMID_IO_OWNER, TREE_L1, 2,
                                                  entry_to(DEVICE_FRAME + 16, TABLE_FLAGS), false, NULL),
                        -XEN_EPERM);
    expect_refused_with(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(FRAME_COUNT, TABLE_FLAGS), false,
                                          NULL), -XEN_EPERM);
}
END_TEST

START_TEST(the_all_ones_frame_is_einval_as_xen_s_invalid_mfn)
{
    build_tree_with_io_memory();

    expect_refused(page_update_entry_foreign(memory, OWNER, DOMID_IO_OWNER, TREE_L1, 2,
                                             entry_to(IO_MEMORY_INVALID_FRAME, TABLE_FLAGS), false, NULL));
}
END_TEST

START_TEST(domid_io_naming_ram_is_ebusy)
{
    build_tree_with_io_memory();
    assign(10);

    expect_refused_with(page_update_entry_foreign(memory, OWNER, DOMID_IO_OWNER, TREE_L1, 2,
                                                  entry_to(10, TABLE_FLAGS), false, NULL), -XEN_EBUSY);
}
END_TEST

START_TEST(a_frame_owner_without_io_memory_lends_no_device_frame)
{
    build_tree_with_io_memory();

    expect_refused_with(page_update_entry_foreign(memory, OWNER, OTHER_OWNER, TREE_L1, 2,
                                                  entry_to(DEVICE_FRAME, TABLE_FLAGS), false, NULL), -XEN_EPERM);
}
END_TEST

START_TEST(ram_stays_write_back_for_a_domain_with_io_memory)
{
    build_tree_with_io_memory();
    assign(10);

    expect_refused(page_update_entry(memory, OWNER, TREE_L1, 2, entry_to(10, TABLE_FLAGS | UNCACHED), false, NULL));
}
END_TEST

START_TEST(pinning_an_l1_with_device_entries_makes_them_uncached_and_unpinning_drops_nothing)
{
    build_tree();
    machine.frames[RESERVED_DEVICE_FRAME].state = FRAME_RESERVED;
    machine.io_memory[OWNER] = &owner_io_memory;
    write_entry(TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS));
    write_entry(TREE_L1, 3, entry_to(RESERVED_DEVICE_FRAME, READ_ONLY_FLAGS | PAT_BIT));

    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    ck_assert_uint_eq(read_entry(TREE_L1, 2), entry_to(DEVICE_FRAME, TABLE_FLAGS | UNCACHED));
    ck_assert_uint_eq(read_entry(TREE_L1, 3), entry_to(RESERVED_DEVICE_FRAME, READ_ONLY_FLAGS | PAT_BIT));
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_int_eq(page_unpin(memory, TREE_L1, OWNER), 0);
    expect_counts(RESERVED_DEVICE_FRAME, 0, PAGE_TYPE_NONE, 0);
    expect_no_type_reference(TREE_DATA, ALLOCATION_REFERENCE);
    ck_assert_uint_eq(machine.release_total, 0);
}
END_TEST

/* A validation refused at any entry answers -EINVAL (where Xen's pin
 * passes get_page_from_l1e's -EPERM up). */
START_TEST(pinning_an_l1_with_a_device_entry_is_refused_without_io_memory)
{
    build_tree();
    write_entry(TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS));

    expect_refused(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1));
}
END_TEST

/* The fix-up a refusal may leave is U forced on: a device entry before
 * the refused one keeps its memory type (page_type.h). */
START_TEST(a_refused_l1_validation_leaves_its_device_entries_cached_as_they_were)
{
    build_tree();
    machine.io_memory[OWNER] = &owner_io_memory;
    write_entry(TREE_L1, 2, entry_to(DEVICE_FRAME, TABLE_FLAGS));
    write_entry(TREE_L1, 3, entry_to(DEVICE_FRAME + 1, READ_ONLY_FLAGS | PAT_BIT | WRITE_THROUGH));
    write_entry(TREE_L1, 4, entry_to(FRAME_COUNT - 1, READ_ONLY_FLAGS));

    expect_refused(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1));

    ck_assert_uint_eq(read_entry(TREE_L1, 2), entry_to(DEVICE_FRAME, TABLE_FLAGS));
    ck_assert_uint_eq(read_entry(TREE_L1, 3), entry_to(DEVICE_FRAME + 1, READ_ONLY_FLAGS | PAT_BIT | WRITE_THROUGH));
}
END_TEST

START_TEST(replacing_an_entry_with_one_to_the_same_frame_keeps_the_counts)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 0, entry_to(TREE_DATA, TABLE_FLAGS | NO_EXECUTE),
                                       false, NULL), 0);

    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_uint_eq(read_entry(TREE_L1, 0), entry_to(TREE_DATA, TABLE_FLAGS | NO_EXECUTE));
}
END_TEST

START_TEST(replacing_the_only_entry_to_a_table_with_the_same_entry_keeps_it_validated)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L2, 0, entry_to(TREE_L1, TABLE_FLAGS), false, NULL), 0);

    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert(page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
}
END_TEST

START_TEST(making_a_read_only_mapping_writable_takes_the_writable_type)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 1, entry_to(TREE_READ_ONLY_DATA, TABLE_FLAGS), false,
                                       NULL), 0);
    expect_counts(TREE_READ_ONLY_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 1, entry_to(TREE_READ_ONLY_DATA, READ_ONLY_FLAGS),
                                       false, NULL), 0);
    expect_no_type_reference(TREE_READ_ONLY_DATA, ALLOCATION_REFERENCE + 1);
}
END_TEST

START_TEST(clearing_an_entry_of_a_table_in_use_drops_what_it_held)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L3, OWNER, PAGE_TYPE_L3), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L3, 0, 0, false, NULL), 0);

    ck_assert_uint_eq(read_entry(TREE_L3, 0), 0);
    for (uint64_t frame = TREE_L2; frame <= TREE_READ_ONLY_DATA; frame++)
        expect_no_type_reference(frame, ALLOCATION_REFERENCE);
    ck_assert(!page_is_validated_table(memory, TREE_L2, PAGE_TYPE_L2));
}
END_TEST

START_TEST(an_update_of_an_l2_in_use_validates_the_new_l1)
{
    build_tree();
    pin_empty_table(10, PAGE_TYPE_L2);

    ck_assert_int_eq(page_update_entry(memory, OWNER, 10, 4, entry_to(TREE_L1, TABLE_FLAGS), false, NULL), 0);

    expect_counts(TREE_L1, ALLOCATION_REFERENCE + 1, PAGE_TYPE_L1, 1);
    ck_assert(page_is_validated_table(memory, TREE_L1, PAGE_TYPE_L1));
    expect_counts(TREE_DATA, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(an_invalid_update_of_a_table_in_use_leaves_the_old_entry)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);
    page_assign(memory, 10, OTHER_OWNER, false);
    assign(11);

    expect_refused(page_update_entry(memory, OWNER, TREE_L2, 0, entry_to(TREE_L1, TABLE_FLAGS | LARGE), false, NULL));
    expect_refused(page_update_entry(memory, OWNER, TREE_L2, 0, entry_to(10, TABLE_FLAGS), false, NULL));
    expect_refused(page_update_entry(memory, OWNER, TREE_L2, 0, entry_to(FRAME_COUNT, TABLE_FLAGS), false, NULL));
    expect_refused(page_update_entry(memory, OWNER, TREE_L2, 0, entry_to(TREE_L2, TABLE_FLAGS), false, NULL));
    expect_refused(page_update_entry(memory, OWNER, TREE_L1, 5, entry_to(TREE_L1, TABLE_FLAGS), false, NULL));
    expect_refused(page_update_entry(memory, OWNER, TREE_L1, 5, entry_to(11, TABLE_FLAGS | (UINT64_C(1) << 62)),
                                     false, NULL));
}
END_TEST

START_TEST(an_update_mapping_a_frame_of_another_owner_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    page_assign(memory, 4, OTHER_OWNER, false);

    expect_refused(page_update_entry(memory, OWNER, 3, 0, entry_to(4, READ_ONLY_FLAGS), false, NULL));
}
END_TEST

START_TEST(an_update_of_a_table_of_another_owner_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    assign(4);
    page_assign(memory, 5, OTHER_OWNER, false);

    expect_refused(page_update_entry(memory, OTHER_OWNER, 3, 0, 0, false, NULL));
    expect_refused(page_update_entry(memory, OWNER, 5, 0, entry_to(4, READ_ONLY_FLAGS), false, NULL));
    expect_refused(page_update_entry(memory, NOBODY, 6, 0, 0, false, NULL));
    expect_refused(page_update_entry(memory, OWNER, FRAME_COUNT, 0, 0, false, NULL));
}
END_TEST

START_TEST(an_update_beyond_the_last_entry_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    assign(4);

    expect_refused(page_update_entry(memory, OWNER, 3, PAGE_TABLE_ENTRIES, 0, false, NULL));
    expect_refused(page_update_entry(memory, OWNER, 4, PAGE_TABLE_ENTRIES, 0, false, NULL));
    expect_refused(page_update_entry(memory, OWNER, 4, UINT32_MAX, 0, false, NULL));
}
END_TEST

START_TEST(an_update_that_would_overflow_a_reference_count_is_refused)
{
    pin_empty_table(3, PAGE_TYPE_L1);
    assign(4);
    machine.frames[4].reference_count |= PAGE_REFERENCE_COUNT_MASK;

    expect_refused(page_update_entry(memory, OWNER, 3, 0, entry_to(4, READ_ONLY_FLAGS), false, NULL));
}
END_TEST

START_TEST(preserving_accessed_and_dirty_keeps_the_old_entry_bits)
{
    assign_range(3, 3);
    write_entry(3, 0, entry_to(4, TABLE_FLAGS | ACCESSED | DIRTY));
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    uint64_t stored = 0;

    ck_assert_int_eq(page_update_entry(memory, OWNER, 3, 0, entry_to(5, TABLE_FLAGS), true, &stored), 0);

    ck_assert_uint_eq(stored, entry_to(5, TABLE_FLAGS | ACCESSED | DIRTY));
    ck_assert_uint_eq(read_entry(3, 0), stored);
    expect_counts(5, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(without_preserving_the_old_accessed_and_dirty_bits_are_lost)
{
    assign_range(3, 2);
    write_entry(3, 0, entry_to(4, TABLE_FLAGS | ACCESSED | DIRTY));
    ck_assert_int_eq(page_pin(memory, 3, OWNER, PAGE_TYPE_L1), 0);
    uint64_t stored = 0;

    ck_assert_int_eq(page_update_entry(memory, OWNER, 3, 0, entry_to(4, READ_ONLY_FLAGS), false, &stored), 0);

    ck_assert_uint_eq(stored, entry_to(4, READ_ONLY_FLAGS));
    ck_assert_uint_eq(read_entry(3, 0), stored);
}
END_TEST

START_TEST(preserving_keeps_the_accessed_bit_of_an_l2_entry)
{
    build_tree();
    write_entry(TREE_L2, 0, entry_to(TREE_L1, TABLE_FLAGS | ACCESSED));
    ck_assert_int_eq(page_pin(memory, TREE_L2, OWNER, PAGE_TYPE_L2), 0);
    uint64_t stored = 0;

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L2, 0, entry_to(TREE_L1, PRESENT), true, &stored), 0);

    ck_assert_uint_eq(stored, entry_to(TREE_L1, PRESENT | USER | ACCESSED));
}
END_TEST

START_TEST(an_update_of_a_plain_frame_stores_the_value_as_it_is)
{
    uint64_t anything = entry_to(FRAME_COUNT + 3, TABLE_FLAGS | LARGE | DIRTY | (UINT64_C(1) << 57));
    uint64_t stored = 0;

    assign(3);

    ck_assert_int_eq(page_update_entry(memory, OWNER, 3, 17, anything, false, &stored), 0);

    ck_assert_uint_eq(stored, anything);
    ck_assert_uint_eq(read_entry(3, 17), anything);
    expect_no_type_reference(3, ALLOCATION_REFERENCE);
    ck_assert_uint_eq(machine.release_total, 0);
}
END_TEST

START_TEST(an_update_of_a_frame_in_use_as_writable_stores_the_value_and_keeps_the_counts)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_WRITABLE), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, 3, 0, entry_to(3, TABLE_FLAGS), false, NULL), 0);

    ck_assert_uint_eq(read_entry(3, 0), entry_to(3, TABLE_FLAGS));
    expect_counts(3, ALLOCATION_REFERENCE + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(an_update_of_a_table_no_longer_in_use_stores_the_value_as_it_is)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_unpin(memory, TREE_L1, OWNER), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 0, entry_to(TREE_L1, TABLE_FLAGS | LARGE), false,
                                       NULL), 0);

    ck_assert_uint_eq(read_entry(TREE_L1, 0), entry_to(TREE_L1, TABLE_FLAGS | LARGE));
    expect_no_type_reference(TREE_L1, ALLOCATION_REFERENCE);
    expect_no_type_reference(TREE_DATA, ALLOCATION_REFERENCE);
}
END_TEST

START_TEST(an_update_of_a_known_zero_frame_clears_known_zero)
{
    page_assign(memory, 3, OWNER, true);

    ck_assert_int_eq(page_update_entry(memory, OWNER, 3, 0, 1, false, NULL), 0);

    ck_assert(!page_is_known_zero(memory, 3));
}
END_TEST

START_TEST(an_update_of_a_descriptor_page_in_use_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference_and_type(memory, 3, OWNER, PAGE_TYPE_SEGMENT_DESCRIPTOR), 0);

    expect_refused(page_update_entry(memory, OWNER, 3, 0, 0, false, NULL));
}
END_TEST

START_TEST(an_update_of_a_given_back_frame_is_refused)
{
    assign(3);
    ck_assert_int_eq(page_get_reference(memory, 3, OWNER), 0);
    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);

    expect_refused(page_update_entry(memory, OWNER, 3, 0, 0, false, NULL));
}
END_TEST

/* ---- giving back frames that are still mapped ---- */

START_TEST(a_given_back_frame_still_mapped_is_released_when_its_last_mapping_goes)
{
    build_tree();
    write_entry(TREE_L1, 2, entry_to(TREE_DATA, READ_ONLY_FLAGS));
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);

    ck_assert_int_eq(page_give_back(memory, TREE_DATA, OWNER), 0);
    expect_not_released(TREE_DATA);
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 0, 0, false, NULL), 0);
    expect_not_released(TREE_DATA);
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L1, 2, 0, false, NULL), 0);

    expect_released_once(TREE_DATA);
    expect_references(TREE_DATA, 0);
}
END_TEST

START_TEST(a_given_back_frame_still_mapped_cannot_be_mapped_again)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L1, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_give_back(memory, TREE_DATA, OWNER), 0);

    expect_refused(page_update_entry(memory, OWNER, TREE_L1, 3, entry_to(TREE_DATA, READ_ONLY_FLAGS), false, NULL));
}
END_TEST

START_TEST(unpinning_releases_every_given_back_frame_of_the_tree)
{
    build_tree();
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    for (uint64_t frame = TREE_L4; frame <= TREE_READ_ONLY_DATA; frame++)
        ck_assert_int_eq(page_give_back(memory, frame, OWNER), 0);
    ck_assert_uint_eq(machine.release_total, 0);

    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);

    for (uint64_t frame = TREE_L4; frame <= TREE_READ_ONLY_DATA; frame++) {
        expect_released_once(frame);
        expect_references(frame, 0);
    }
    ck_assert_uint_eq(machine.release_total, TREE_FRAME_COUNT);
}
END_TEST

START_TEST(a_given_back_table_in_use_stays_until_it_is_unpinned)
{
    pin_empty_table(3, PAGE_TYPE_L1);

    ck_assert_int_eq(page_give_back(memory, 3, OWNER), 0);
    expect_not_released(3);
    expect_counts(3, 1, PAGE_TYPE_L1, 1);
    ck_assert_int_eq(page_unpin(memory, 3, OWNER), 0);

    expect_released_once(3);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, create_machine, destroy_machine);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *page_type_suite(void)
{
    Suite *suite = suite_create("page_type");

    add_test_case(suite, an_assigned_frame_belongs_to_its_owner_with_only_the_allocation_reference);
    add_test_case(suite, a_frame_assigned_as_zeroed_is_known_zero);
    add_test_case(suite, a_general_reference_alone_keeps_a_frame_known_zero);
    add_test_case(suite, taking_the_writable_type_clears_known_zero);
    add_test_case(suite, taking_a_page_table_type_clears_known_zero);
    add_test_case(suite, taking_the_descriptor_type_clears_known_zero);
    add_test_case(suite, a_frame_cleared_while_no_type_is_held_is_known_zero_again);
    add_test_case(suite, a_frame_cleared_while_a_type_is_held_stays_not_known_zero);
    add_test_case(suite, giving_back_an_unreferenced_frame_releases_it);
    add_test_case(suite, giving_back_a_frame_twice_is_refused);
    add_test_case(suite, giving_back_a_released_frame_is_refused);
    add_test_case(suite, giving_back_a_frame_of_another_owner_is_refused);
    add_test_case(suite, giving_back_a_frame_never_assigned_is_refused);
    add_test_case(suite, giving_back_a_frame_beyond_the_frame_table_is_refused);
    add_test_case(suite, a_given_back_frame_still_referenced_is_released_with_its_last_reference);
    add_test_case(suite, a_given_back_frame_still_referenced_refuses_new_references);
    add_test_case(suite, a_released_frame_refuses_references);
    add_test_case(suite, a_released_frame_can_be_assigned_again);
    add_test_case(suite, a_reference_on_an_own_frame_is_counted_and_put_back);
    add_test_case(suite, a_reference_on_a_frame_of_another_owner_is_refused);
    add_test_case(suite, a_reference_on_a_frame_never_assigned_is_refused);
    add_test_case(suite, a_frame_that_is_not_a_domain_frame_is_refused_whatever_its_other_fields_say);
    add_test_case(suite, a_reference_beyond_the_frame_table_is_refused);
    add_test_case(suite, a_reference_that_would_overflow_the_count_is_refused);
    add_test_case(suite, a_writable_type_reference_is_counted_and_put_back);
    add_test_case(suite, a_type_reference_rides_on_a_general_reference_the_caller_holds);
    add_test_case(suite, a_type_on_a_frame_of_another_owner_is_refused);
    add_test_case(suite, a_type_that_does_not_exist_is_refused);
    add_test_case(suite, questions_about_a_frame_beyond_the_frame_table_have_harmless_answers);
    add_test_case(suite, the_writable_type_is_refused_on_an_l1_in_use);
    add_test_case(suite, a_page_table_type_is_refused_on_a_frame_in_use_as_writable);
    add_test_case(suite, the_descriptor_type_and_the_writable_type_exclude_each_other);
    add_test_case(suite, a_second_page_table_level_is_refused_on_a_table_in_use);
    add_test_case(suite, the_type_changes_once_its_count_is_back_to_zero);
    add_test_case(suite, changing_from_writable_to_a_page_table_asks_for_a_tlb_flush);
    add_test_case(suite, changing_from_writable_to_a_descriptor_page_asks_for_a_tlb_flush);
    add_test_case(suite, changing_from_a_page_table_to_writable_asks_for_a_tlb_flush);
    add_test_case(suite, taking_the_same_type_again_asks_for_no_tlb_flush);
    add_test_case(suite, changing_an_unlinked_l2_into_an_l1_asks_for_a_tlb_flush);
    add_test_case(suite, changing_a_page_table_into_a_descriptor_page_asks_for_a_tlb_flush);
    add_test_case(suite, a_type_change_after_a_full_flush_asks_for_none);
    add_test_case(suite, writable_to_a_page_table_after_a_full_flush_asks_for_none);
    add_test_case(suite, a_flush_asked_for_one_frame_covers_every_frame_left_before_it);
    add_test_case(suite, a_frame_left_after_the_last_flush_still_asks_for_one);
    add_test_case(suite, a_stamp_equal_to_a_wrapped_clock_asks_for_a_flush);
    add_test_case(suite, a_type_reference_that_would_overflow_the_count_is_refused);
    add_test_case(suite, a_failed_type_leaves_no_general_reference_behind);
    add_test_case(suite, pinning_an_empty_l1_holds_one_reference_and_one_type_reference);
    add_test_case(suite, pinning_an_l1_references_every_mapped_frame_and_makes_writable_ones_writable);
    add_test_case(suite, pinning_an_l4_validates_the_whole_tree);
    add_test_case(suite, a_table_shared_by_two_entries_holds_two_type_references);
    add_test_case(suite, pinning_a_pinned_frame_is_refused);
    add_test_case(suite, pinning_with_a_level_that_is_not_a_page_table_is_refused);
    add_test_case(suite, pinning_a_frame_of_another_owner_is_refused);
    add_test_case(suite, pinning_a_frame_never_assigned_or_beyond_the_table_is_refused);
    add_test_case(suite, pinning_a_given_back_frame_is_refused);
    add_test_case(suite, pinning_an_l1_in_use_as_l2_is_refused);
    add_test_case(suite, a_table_referenced_by_a_validated_table_can_be_pinned_too);
    add_test_case(suite, unpinning_a_frame_never_pinned_is_refused);
    add_test_case(suite, unpinning_a_table_only_referenced_by_another_table_is_refused);
    add_test_case(suite, unpinning_a_frame_of_another_owner_is_refused);
    add_test_case(suite, unpinning_twice_is_refused);
    add_test_case(suite, unpinning_returns_every_count_to_its_state_before_the_pin);
    add_test_case(suite, unpinning_a_table_still_referenced_elsewhere_keeps_it_validated);
    add_test_case(suite, a_table_unpinned_and_no_longer_in_use_may_become_writable);
    add_test_case(suite, a_validation_failure_part_way_undoes_every_reference_taken);
    add_test_case(suite, a_validation_failure_part_way_gives_back_every_count);
    add_test_case(suite, a_validation_failure_deep_in_the_tree_undoes_every_level);
    add_test_case(suite, a_validation_failure_leaves_a_table_validated_elsewhere_as_it_was);
    add_test_case(suite, an_l2_entry_pointing_at_its_own_table_is_refused);
    add_test_case(suite, an_l2_entry_pointing_at_another_l2_is_refused);
    add_test_case(suite, an_l4_entry_pointing_at_its_own_table_is_refused);
    add_test_case(suite, an_l3_entry_pointing_at_an_l1_in_use_is_refused);
    add_test_case(suite, a_read_only_l4_entry_at_its_own_table_is_accepted_and_holds_nothing);
    add_test_case(suite, a_read_only_l2_entry_at_its_own_table_is_accepted);
    add_test_case(suite, a_self_map_made_writable_is_refused);
    add_test_case(suite, a_read_only_entry_at_another_table_of_its_level_takes_a_type_reference);
    add_test_case(suite, removing_a_linear_entry_gives_its_references_back);
    add_test_case(suite, a_writable_entry_at_another_table_of_its_level_is_refused);
    add_test_case(suite, a_linear_entry_made_writable_is_refused);
    add_test_case(suite, a_table_used_linearly_cannot_hold_linear_entries);
    add_test_case(suite, a_table_holding_linear_entries_cannot_be_used_linearly);
    add_test_case(suite, a_table_may_hold_several_linear_entries_and_be_used_by_several);
    add_test_case(suite, a_linear_entry_at_another_owners_table_is_refused);
    add_test_case(suite, validating_a_table_with_a_linear_entry_takes_its_references);
    add_test_case(suite, a_table_used_linearly_stays_validated_until_its_last_linear_entry_goes);
    add_test_case(suite, an_unlinked_linear_table_that_changes_level_asks_for_a_flush);
    add_test_case(suite, an_l2_entry_pointing_at_a_frame_in_use_as_writable_is_refused);
    add_test_case(suite, an_l1_mapping_its_own_table_read_only_is_accepted);
    add_test_case(suite, an_l1_mapping_its_own_table_writable_is_refused);
    add_test_case(suite, a_writable_mapping_of_a_pinned_l1_is_refused);
    add_test_case(suite, a_read_only_mapping_of_a_pinned_page_table_is_accepted);
    add_test_case(suite, a_writable_mapping_of_a_descriptor_page_is_refused);
    add_test_case(suite, an_entry_mapping_a_frame_of_another_owner_is_refused);
    add_test_case(suite, an_entry_mapping_a_frame_beyond_the_frame_table_is_refused);
    add_test_case(suite, an_entry_mapping_a_frame_never_assigned_is_refused);
    add_test_case(suite, superpage_and_global_bits_are_refused_in_l2_to_l4);
    add_test_case(suite, bits_52_to_62_are_kept_at_every_level_but_62_in_an_l1_entry);
    add_test_case(suite, an_l1_entry_may_carry_dirty_global_software_and_no_execute_bits);
    add_test_case(suite, an_l1_entry_with_a_cache_attribute_is_refused);
    add_test_case(suite, an_upper_level_entry_with_a_cache_attribute_is_refused);
    add_test_case(suite, a_cache_attribute_added_to_an_entry_in_use_is_refused);
    add_test_case(suite, an_l2_entry_may_carry_accessed_software_and_no_execute_bits);
    add_test_case(suite, upper_level_entries_may_carry_the_dirty_bit_linux_sets);
    add_test_case(suite, validation_forces_the_user_bit_on_at_every_level);
    add_test_case(suite, a_non_present_entry_is_kept_as_it_is_and_holds_nothing);
    add_test_case(suite, validating_an_l4_puts_the_hypervisor_entries_in_their_slots);
    add_test_case(suite, only_the_hypervisor_slots_of_an_l4_are_replaced);
    add_test_case(suite, a_guest_update_of_a_hypervisor_l4_slot_is_refused);
    add_test_case(suite, an_update_of_an_l1_in_use_maps_the_new_frame_and_unmaps_the_old);
    add_test_case(suite, a_foreign_update_maps_the_other_owners_frame_with_its_references);
    add_test_case(suite, a_foreign_update_may_not_name_the_callers_own_frames);
    add_test_case(suite, a_foreign_update_names_foreign_frames_only_in_l1_entries);
    add_test_case(suite, a_foreign_frame_given_back_lives_until_its_mapping_goes);
    add_test_case(suite, a_table_holding_a_foreign_entry_cannot_be_validated_again);
    add_test_case(suite, a_device_frame_through_domid_io_is_mapped_uncached_and_holds_nothing);
    add_test_case(suite, a_device_frame_through_domid_self_is_accepted_for_a_domain_with_io_memory);
    add_test_case(suite, a_reserved_frame_of_the_frame_table_is_device_memory_and_keeps_its_counts);
    add_test_case(suite, a_device_entry_already_write_combining_or_uncached_minus_is_kept);
    add_test_case(suite, removing_or_replacing_a_device_mapping_drops_nothing);
    add_test_case(suite, a_device_entry_replaced_by_ram_takes_the_ram_references);
    add_test_case(suite, a_domain_without_io_memory_mapping_a_device_frame_is_eperm);
    add_test_case(suite, a_domain_without_io_memory_asking_a_cache_attribute_is_einval_first);
    add_test_case(suite, a_frame_outside_the_domains_io_memory_is_eperm);
    add_test_case(suite, the_all_ones_frame_is_einval_as_xen_s_invalid_mfn);
    add_test_case(suite, domid_io_naming_ram_is_ebusy);
    add_test_case(suite, a_frame_owner_without_io_memory_lends_no_device_frame);
    add_test_case(suite, ram_stays_write_back_for_a_domain_with_io_memory);
    add_test_case(suite, pinning_an_l1_with_device_entries_makes_them_uncached_and_unpinning_drops_nothing);
    add_test_case(suite, pinning_an_l1_with_a_device_entry_is_refused_without_io_memory);
    add_test_case(suite, a_refused_l1_validation_leaves_its_device_entries_cached_as_they_were);
    add_test_case(suite, replacing_an_entry_with_one_to_the_same_frame_keeps_the_counts);
    add_test_case(suite, replacing_the_only_entry_to_a_table_with_the_same_entry_keeps_it_validated);
    add_test_case(suite, making_a_read_only_mapping_writable_takes_the_writable_type);
    add_test_case(suite, clearing_an_entry_of_a_table_in_use_drops_what_it_held);
    add_test_case(suite, an_update_of_an_l2_in_use_validates_the_new_l1);
    add_test_case(suite, an_invalid_update_of_a_table_in_use_leaves_the_old_entry);
    add_test_case(suite, an_update_mapping_a_frame_of_another_owner_is_refused);
    add_test_case(suite, an_update_of_a_table_of_another_owner_is_refused);
    add_test_case(suite, an_update_beyond_the_last_entry_is_refused);
    add_test_case(suite, an_update_that_would_overflow_a_reference_count_is_refused);
    add_test_case(suite, preserving_accessed_and_dirty_keeps_the_old_entry_bits);
    add_test_case(suite, without_preserving_the_old_accessed_and_dirty_bits_are_lost);
    add_test_case(suite, preserving_keeps_the_accessed_bit_of_an_l2_entry);
    add_test_case(suite, an_update_of_a_plain_frame_stores_the_value_as_it_is);
    add_test_case(suite, an_update_of_a_frame_in_use_as_writable_stores_the_value_and_keeps_the_counts);
    add_test_case(suite, an_update_of_a_table_no_longer_in_use_stores_the_value_as_it_is);
    add_test_case(suite, an_update_of_a_known_zero_frame_clears_known_zero);
    add_test_case(suite, an_update_of_a_descriptor_page_in_use_is_refused);
    add_test_case(suite, an_update_of_a_given_back_frame_is_refused);
    add_test_case(suite, a_given_back_frame_still_mapped_is_released_when_its_last_mapping_goes);
    add_test_case(suite, a_given_back_frame_still_mapped_cannot_be_mapped_again);
    add_test_case(suite, unpinning_releases_every_given_back_frame_of_the_tree);
    add_test_case(suite, a_given_back_table_in_use_stays_until_it_is_unpinned);
    return suite;
}

REGISTER_SUITE(page_type_suite)
