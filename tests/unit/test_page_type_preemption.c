/*
 * Specification of preemptible validation in common/page_type.c (the
 * "Preemptible validation" rules of pvmon/page_type.h, Xen's PGT_partial):
 * a whole 4-level tree pinned and unpinned with the simulated machine's
 * preempt hook answering "stop" every N questions.  Each call must do a
 * bounded amount of work, the calls must end in exactly the state one
 * unpreempted call leaves, and a partial table must answer every other
 * operation as Xen does and survive a teardown.
 *
 * Work is measured from outside: the count changes (general and type
 * references, summed over every frame) between the frame table before and
 * after a call.  One question covers one entry of an L2-L4, which moves
 * at most one L1: 512 entries of at most two counts each, plus the two
 * counts of the entry itself.  A call may also move the partial state of
 * each of the four levels (two counts each) and a pin (two counts).
 *
 * The interactions with read-only linear entries and the TLB flush stamp
 * (pvmon/page_type.h) are specified here too: a table holding linear
 * entries validated and torn down in preempted steps, the stamp written
 * at the end of a preempted devalidation, and a partial table refused as
 * a linear target.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#include "simulated_memory.h"
#include "suites.h"

#define OWNER 1

#define TABLE_FLAGS (PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE | PAGE_TABLE_ENTRY_USER)
#define READ_ONLY_FLAGS (PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_USER)

/* The tree: one L4, L3S L3s under it, L2S_PER_L3 L2s under each, and
 * L1S_PER_L2 L1s under each L2, whose 512 entries map DATA_FRAMES frames
 * in turn, one in three writable. */
#define L3S 2
#define L2S_PER_L3 2
#define L1S_PER_L2 4
#define DATA_FRAMES 32
#define TREE_L4 1
#define FIRST_L3 (TREE_L4 + 1)
#define FIRST_L2 (FIRST_L3 + L3S)
#define FIRST_L1 (FIRST_L2 + L3S * L2S_PER_L3)
#define L1_COUNT (L3S * L2S_PER_L3 * L1S_PER_L2)
#define FIRST_DATA (FIRST_L1 + L1_COUNT)
#define FRAME_COUNT (FIRST_DATA + DATA_FRAMES + 8)
/* A frame outside the tree, for other operations. */
#define SPARE_TABLE (FIRST_DATA + DATA_FRAMES)

/* The work one question may cover, and what a call adds around it. */
#define WORK_PER_QUESTION (2 * PAGE_TABLE_ENTRIES + 2)
#define WORK_AROUND_A_CALL (4 * 2 + 2)

static struct simulated_memory machine;
static struct simulated_memory reference_machine;
static const struct page_memory *memory;

static uint64_t entry_to(uint64_t frame, uint64_t flags)
{
    return (frame << 12) | flags;
}

static void build_tree_on(struct simulated_memory *target)
{
    const struct page_memory *view = simulated_memory_view(target);
    unsigned int l2 = 0;
    unsigned int l1 = 0;

    for (uint64_t frame = TREE_L4; frame < FRAME_COUNT; frame++)
        page_assign(view, frame, OWNER, false);
    for (unsigned int l3 = 0; l3 < L3S; l3++) {
        simulated_page_of(target, TREE_L4)[l3] = entry_to(FIRST_L3 + l3, TABLE_FLAGS);
        for (unsigned int index = 0; index < L2S_PER_L3; index++, l2++)
            simulated_page_of(target, FIRST_L3 + l3)[index] = entry_to(FIRST_L2 + l2, TABLE_FLAGS);
    }
    for (l2 = 0; l2 < L3S * L2S_PER_L3; l2++) {
        for (unsigned int index = 0; index < L1S_PER_L2; index++, l1++)
            simulated_page_of(target, FIRST_L2 + l2)[index] = entry_to(FIRST_L1 + l1, TABLE_FLAGS);
    }
    for (l1 = 0; l1 < L1_COUNT; l1++) {
        for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
            uint64_t flags = index % 3 == 0 ? TABLE_FLAGS : READ_ONLY_FLAGS;

            simulated_page_of(target, FIRST_L1 + l1)[index] = entry_to(FIRST_DATA + index % DATA_FRAMES, flags);
        }
    }
}

static void create_machines(void)
{
    simulated_memory_create(&machine, FRAME_COUNT);
    simulated_memory_create(&reference_machine, FRAME_COUNT);
    memory = simulated_memory_view(&machine);
    build_tree_on(&machine);
    build_tree_on(&reference_machine);
}

static void destroy_machines(void)
{
    simulated_memory_destroy(&machine);
    simulated_memory_destroy(&reference_machine);
}

static uint64_t count_distance(uint32_t before, uint32_t after)
{
    return before > after ? before - after : after - before;
}

/* The work a call did, seen from the frame table. */
static uint64_t work_between(const struct simulated_snapshot *before)
{
    uint64_t work = 0;

    for (uint64_t frame = 0; frame < machine.frame_count; frame++) {
        const struct frame *old = &before->frames[frame];
        const struct frame *new = &machine.frames[frame];

        work += count_distance(old->reference_count & PAGE_REFERENCE_COUNT_MASK,
                               new->reference_count & PAGE_REFERENCE_COUNT_MASK);
        work += count_distance(old->type_info & PAGE_TYPE_COUNT_MASK, new->type_info & PAGE_TYPE_COUNT_MASK);
    }
    return work;
}

struct preempted_run {
    unsigned int calls;
    uint64_t most_questions;
    uint64_t most_work;
    int result;
};

static void note_call(struct preempted_run *run, const struct simulated_snapshot *before, uint64_t questions_before)
{
    uint64_t questions = machine.questions_total - questions_before;
    uint64_t work = work_between(before);

    run->calls++;
    if (questions > run->most_questions)
        run->most_questions = questions;
    if (work > run->most_work)
        run->most_work = work;
    ck_assert_msg(work <= (questions + 1) * WORK_PER_QUESTION + WORK_AROUND_A_CALL,
                  "call %u did %llu units of work after %llu questions", run->calls, (unsigned long long) work,
                  (unsigned long long) questions);
}

/* Pins until the pin stops asking to be called again. */
static struct preempted_run pin_preempted(uint64_t frame, enum page_type level)
{
    struct simulated_snapshot before = {0};
    struct preempted_run run = {0};

    do {
        uint64_t questions_before = machine.questions_total;

        simulated_snapshot_take(&machine, &before);
        run.result = page_pin(memory, frame, OWNER, level);
        note_call(&run, &before, questions_before);
    } while (run.result == -XEN_ERESTART && run.calls < 100000);
    simulated_snapshot_free(&before);
    return run;
}

/* Finishes the owner's pending release, one call at a time. */
static struct preempted_run finish_preempted(void)
{
    struct simulated_snapshot before = {0};
    struct preempted_run run = {0};

    do {
        uint64_t questions_before = machine.questions_total;

        simulated_snapshot_take(&machine, &before);
        run.result = page_finish_pending_release(memory, OWNER);
        note_call(&run, &before, questions_before);
    } while (run.result == -XEN_ERESTART && run.calls < 100000);
    simulated_snapshot_free(&before);
    return run;
}

/* The frame table and RAM of machine and reference_machine are the same. */
static void expect_same_state_as_reference(void)
{
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        ck_assert_msg(memcmp(&machine.frames[frame], &reference_machine.frames[frame], sizeof(struct frame)) == 0,
                      "frame %llu: type_info %#x vs %#x, reference_count %#x vs %#x, flags %#x vs %#x, "
                      "validated_entries %u vs %u",
                      (unsigned long long) frame, machine.frames[frame].type_info,
                      reference_machine.frames[frame].type_info, machine.frames[frame].reference_count,
                      reference_machine.frames[frame].reference_count, machine.frames[frame].flags,
                      reference_machine.frames[frame].flags, machine.frames[frame].validated_entries,
                      reference_machine.frames[frame].validated_entries);
        ck_assert_msg(memcmp(machine.pages[frame], reference_machine.pages[frame], sizeof(simulated_page)) == 0,
                      "the contents of frame %llu differ", (unsigned long long) frame);
    }
    ck_assert_uint_eq(machine.release_total, reference_machine.release_total);
}

static void pin_reference_tree(void)
{
    ck_assert_int_eq(page_pin(simulated_memory_view(&reference_machine), TREE_L4, OWNER, PAGE_TYPE_L4), 0);
}

/* Starts pinning the tree and stops after calls preempted calls. */
static void pin_part_way(unsigned int calls)
{
    machine.preempt_every = 1;
    for (unsigned int call = 0; call < calls; call++)
        ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), -XEN_ERESTART);
}

static bool is_partial(uint64_t frame)
{
    return machine.frames[frame].type_info & PAGE_TYPE_PARTIAL;
}

/* ---- pinning and unpinning in bounded steps ---- */

START_TEST(pinning_a_tree_with_preemption_at_every_question_takes_one_call_per_l1_at_least)
{
    struct preempted_run run;

    machine.preempt_every = 1;
    run = pin_preempted(TREE_L4, PAGE_TYPE_L4);

    ck_assert_int_eq(run.result, 0);
    ck_assert_uint_ge(run.calls, L1_COUNT);
    ck_assert_uint_le(run.most_questions, 1);
    ck_assert_uint_le(run.most_work, WORK_PER_QUESTION * 2 + WORK_AROUND_A_CALL);
}
END_TEST

START_TEST(a_preempted_pin_ends_in_the_state_of_an_unpreempted_one)
{
    machine.preempt_every = 1;
    ck_assert_int_eq(pin_preempted(TREE_L4, PAGE_TYPE_L4).result, 0);
    pin_reference_tree();

    expect_same_state_as_reference();
    ck_assert(page_is_validated_table(memory, TREE_L4, PAGE_TYPE_L4));
}
END_TEST

START_TEST(a_pin_preempted_every_seven_questions_ends_in_the_same_state)
{
    struct preempted_run run;

    machine.preempt_every = 7;
    run = pin_preempted(TREE_L4, PAGE_TYPE_L4);
    pin_reference_tree();

    ck_assert_int_eq(run.result, 0);
    ck_assert_uint_gt(run.calls, 1);
    ck_assert_uint_le(run.most_questions, 7);
    expect_same_state_as_reference();
}
END_TEST

START_TEST(an_unpin_completes_at_once_and_leaves_the_devalidation_pending)
{
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    machine.preempt_every = 1;

    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);

    ck_assert(machine.pending_releases[OWNER].pending);
    ck_assert_uint_eq(machine.pending_releases[OWNER].frame, TREE_L4);
    ck_assert(is_partial(TREE_L4));
    ck_assert(!(machine.frames[TREE_L4].type_info & PAGE_TYPE_PINNED));
}
END_TEST

START_TEST(an_unpin_finished_in_bounded_steps_ends_in_the_state_of_an_unpreempted_one)
{
    struct preempted_run run;

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    pin_reference_tree();
    machine.preempt_every = 1;
    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);
    run = finish_preempted();
    ck_assert_int_eq(page_unpin(simulated_memory_view(&reference_machine), TREE_L4, OWNER), 0);

    ck_assert_int_eq(run.result, 0);
    ck_assert_uint_ge(run.calls, L1_COUNT);
    ck_assert_uint_le(run.most_questions, 1);
    ck_assert_uint_le(run.most_work, WORK_PER_QUESTION * 2 + WORK_AROUND_A_CALL);
    ck_assert(!machine.pending_releases[OWNER].pending);
    expect_same_state_as_reference();
}
END_TEST

START_TEST(a_pin_stopped_part_way_leaves_a_chain_of_partial_tables)
{
    pin_part_way(3);

    ck_assert(is_partial(TREE_L4));
    ck_assert(is_partial(FIRST_L3));
    ck_assert(is_partial(FIRST_L2));
    ck_assert_uint_eq(page_type_count(memory, TREE_L4), 1);
    ck_assert(!(machine.frames[TREE_L4].type_info & (PAGE_TYPE_VALIDATED | PAGE_TYPE_PINNED)));
    ck_assert(machine.frames[TREE_L4].flags & FRAME_FLAG_PARTIAL_ENTRY);
    ck_assert(page_is_validated_table(memory, FIRST_L1, PAGE_TYPE_L1));
    ck_assert(!machine.pending_releases[OWNER].pending);
}
END_TEST

/* ---- what other operations see of a partial table (Xen's answers) ---- */

START_TEST(a_partial_table_refuses_a_writable_mapping)
{
    pin_part_way(3);
    page_assign(memory, SPARE_TABLE, OWNER, false);
    ck_assert_int_eq(page_pin(memory, SPARE_TABLE, OWNER, PAGE_TYPE_L1), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, SPARE_TABLE, 0, entry_to(FIRST_L3, TABLE_FLAGS), false, NULL),
                     -XEN_EINVAL);
    ck_assert_int_eq(page_get_reference_and_type(memory, FIRST_L3, OWNER, PAGE_TYPE_WRITABLE), -XEN_EINVAL);
    ck_assert(is_partial(FIRST_L3));
}
END_TEST

START_TEST(a_partial_table_refuses_a_pin_of_another_level)
{
    pin_part_way(3);

    ck_assert_int_eq(page_pin(memory, FIRST_L3, OWNER, PAGE_TYPE_L2), -XEN_EINVAL);
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L3), -XEN_EINVAL);
    ck_assert(is_partial(FIRST_L3));
    ck_assert(is_partial(TREE_L4));
}
END_TEST

START_TEST(a_partial_table_is_not_pinned_so_unpinning_it_is_refused)
{
    pin_part_way(3);

    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), -XEN_EINVAL);
    ck_assert_int_eq(page_unpin(memory, FIRST_L3, OWNER), -XEN_EINVAL);
    ck_assert(is_partial(TREE_L4));
}
END_TEST

START_TEST(an_entry_of_a_partial_table_cannot_be_updated)
{
    uint64_t entry = simulated_page_of(&machine, FIRST_L2)[0];

    pin_part_way(3);

    ck_assert_int_eq(page_update_entry(memory, OWNER, FIRST_L2, 0, 0, false, NULL), -XEN_EINVAL);
    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L4, 5, 0, false, NULL), -XEN_EINVAL);
    ck_assert_uint_eq(simulated_page_of(&machine, FIRST_L2)[0], entry | PAGE_TABLE_ENTRY_USER);
}
END_TEST

START_TEST(pinning_a_partial_table_at_its_level_continues_it_and_the_parent_then_counts_it)
{
    pin_part_way(3);
    machine.preempt_every = 0;

    ck_assert_int_eq(page_pin(memory, FIRST_L3, OWNER, PAGE_TYPE_L3), 0);
    ck_assert(page_is_validated_table(memory, FIRST_L3, PAGE_TYPE_L3));
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);

    ck_assert_uint_eq(page_type_count(memory, FIRST_L3), 2);
    ck_assert(!(machine.frames[FIRST_L3].type_info & PAGE_TYPE_PARTIAL));
    ck_assert_int_eq(page_unpin(memory, FIRST_L3, OWNER), 0);
    ck_assert_int_eq(page_pin(simulated_memory_view(&reference_machine), TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    expect_same_state_as_reference();
}
END_TEST

START_TEST(a_given_back_partial_table_lives_until_its_teardown)
{
    pin_part_way(3);

    ck_assert_int_eq(page_give_back(memory, FIRST_L3, OWNER), 0);
    ck_assert_uint_eq(machine.release_counts[FIRST_L3], 0);
    ck_assert(is_partial(FIRST_L3));

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), -XEN_ERESTART);
    machine.preempt_every = 0;
    ck_assert_int_eq(page_release_partial(memory, TREE_L4, OWNER), 0);
    ck_assert_uint_eq(machine.release_counts[FIRST_L3], 1);
    ck_assert_uint_eq(page_type_count(memory, FIRST_L2), 0);
}
END_TEST

START_TEST(a_refusal_met_after_preemption_gives_back_everything_once_finished)
{
    struct simulated_snapshot before = {0};
    char change[256] = "";

    simulated_page_of(&machine, FIRST_L3 + 1)[1] |= PAGE_TABLE_ENTRY_LARGE;
    simulated_snapshot_take(&machine, &before);
    machine.preempt_every = 1;
    ck_assert_int_eq(pin_preempted(TREE_L4, PAGE_TYPE_L4).result, -XEN_EINVAL);

    ck_assert(machine.pending_releases[OWNER].pending);
    ck_assert_int_eq(finish_preempted().result, 0);
    ck_assert_msg(!simulated_snapshot_refusal_changed_too_much(&machine, &before, change, sizeof(change)),
                  "the refused pin changed %s", change);
    ck_assert_uint_eq(machine.release_total, 0);
    simulated_snapshot_free(&before);
}
END_TEST

/* ---- entry updates naming a large subtree (mmu_update on an L4 slot) ---- */

START_TEST(an_l4_entry_naming_a_large_subtree_is_validated_in_bounded_calls)
{
    uint64_t slot_entry = simulated_page_of(&machine, TREE_L4)[1];
    unsigned int calls = 0;
    int result;

    simulated_page_of(&machine, TREE_L4)[1] = 0;
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    machine.preempt_every = 1;
    do {
        result = page_update_entry(memory, OWNER, TREE_L4, 1, slot_entry, false, NULL);
        calls++;
    } while (result == -XEN_ERESTART && calls < 100000);

    ck_assert_int_eq(result, 0);
    ck_assert_uint_ge(calls, L2S_PER_L3 * L1S_PER_L2);
    ck_assert(page_is_validated_table(memory, FIRST_L3 + 1, PAGE_TYPE_L3));
    ck_assert_int_eq(page_pin(simulated_memory_view(&reference_machine), TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    expect_same_state_as_reference();
}
END_TEST

START_TEST(clearing_an_l4_entry_completes_and_parks_the_old_subtree)
{
    struct preempted_run run;

    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    machine.preempt_every = 1;

    ck_assert_int_eq(page_update_entry(memory, OWNER, TREE_L4, 1, 0, false, NULL), 0);
    ck_assert_uint_eq(simulated_page_of(&machine, TREE_L4)[1], 0);
    ck_assert(machine.pending_releases[OWNER].pending);
    ck_assert_uint_eq(machine.pending_releases[OWNER].frame, FIRST_L3 + 1);
    run = finish_preempted();

    ck_assert_int_eq(run.result, 0);
    ck_assert_uint_ge(run.calls, L2S_PER_L3 * L1S_PER_L2);
    ck_assert_uint_eq(page_type_count(memory, FIRST_L3 + 1), 0);
    ck_assert_uint_eq(page_reference_count(memory, FIRST_L3 + 1), 1);
    for (uint64_t l1 = FIRST_L1 + L1_COUNT / 2; l1 < FIRST_L1 + L1_COUNT; l1++)
        ck_assert_uint_eq(page_type_count(memory, l1), 0);
}
END_TEST

/* ---- linear entries, the flush stamp and preemption together ---- */

/* Entries of the tree's L4 beyond its subtrees, validated after many
 * preempted calls: one naming the L4 itself, one naming another L4. */
#define SELF_ENTRY_INDEX 300
#define LINEAR_ENTRY_INDEX 400
/* Another L4 of the owner, with two empty L3s under it so that its own
 * devalidation asks a question between its two entries. */
#define OTHER_L4 SPARE_TABLE
#define OTHER_L4_FIRST_L3 (SPARE_TABLE + 1)

static void add_linear_entries_on(struct simulated_memory *target)
{
    const struct page_memory *view = simulated_memory_view(target);

    simulated_page_of(target, OTHER_L4)[0] = entry_to(OTHER_L4_FIRST_L3, TABLE_FLAGS);
    simulated_page_of(target, OTHER_L4)[1] = entry_to(OTHER_L4_FIRST_L3 + 1, TABLE_FLAGS);
    ck_assert_int_eq(page_pin(view, OTHER_L4, OWNER, PAGE_TYPE_L4), 0);
    simulated_page_of(target, TREE_L4)[SELF_ENTRY_INDEX] = entry_to(TREE_L4, READ_ONLY_FLAGS);
    simulated_page_of(target, TREE_L4)[LINEAR_ENTRY_INDEX] = entry_to(OTHER_L4, READ_ONLY_FLAGS);
}

START_TEST(a_tree_whose_l4_holds_linear_entries_pinned_in_preempted_steps_ends_as_unpreempted)
{
    add_linear_entries_on(&machine);
    add_linear_entries_on(&reference_machine);
    machine.preempt_every = 1;

    ck_assert_int_eq(pin_preempted(TREE_L4, PAGE_TYPE_L4).result, 0);
    pin_reference_tree();

    expect_same_state_as_reference();
    ck_assert_int_eq(machine.frames[TREE_L4].linear_count, 1);
    ck_assert_int_eq(machine.frames[OTHER_L4].linear_count, -1);
    ck_assert_uint_eq(page_type_count(memory, OTHER_L4), 2);
    ck_assert_uint_eq(page_type_count(memory, TREE_L4), 1);
}
END_TEST

START_TEST(a_partial_l4_holds_the_linear_entries_below_its_validated_entries)
{
    add_linear_entries_on(&machine);
    machine.preempt_every = 1;
    while (!is_partial(TREE_L4) || machine.frames[TREE_L4].validated_entries <= LINEAR_ENTRY_INDEX)
        ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), -XEN_ERESTART);

    ck_assert_int_eq(machine.frames[TREE_L4].linear_count, 1);
    ck_assert_int_eq(machine.frames[OTHER_L4].linear_count, -1);
    ck_assert_uint_eq(page_type_count(memory, OTHER_L4), 2);
    ck_assert_uint_eq(page_type_count(memory, TREE_L4), 1);
}
END_TEST

/* The other L4's only type reference left is the linear entry, so the
 * teardown of the tree devalidates it too, in steps of its own. */
START_TEST(a_table_with_linear_entries_torn_down_in_preempted_steps_gives_everything_back)
{
    struct preempted_run run;

    add_linear_entries_on(&machine);
    add_linear_entries_on(&reference_machine);
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    pin_reference_tree();
    ck_assert_int_eq(page_unpin(memory, OTHER_L4, OWNER), 0);
    ck_assert_int_eq(page_unpin(simulated_memory_view(&reference_machine), OTHER_L4, OWNER), 0);
    machine.preempt_every = 1;

    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);
    run = finish_preempted();
    ck_assert_int_eq(page_unpin(simulated_memory_view(&reference_machine), TREE_L4, OWNER), 0);

    ck_assert_int_eq(run.result, 0);
    ck_assert_uint_le(run.most_questions, 1);
    expect_same_state_as_reference();
    for (uint64_t frame = TREE_L4; frame < FRAME_COUNT; frame++) {
        ck_assert_uint_eq(page_type_count(memory, frame), 0);
        ck_assert_uint_eq(page_reference_count(memory, frame), 1);
        ck_assert_int_eq(machine.frames[frame].linear_count, 0);
    }
}
END_TEST

START_TEST(the_linear_target_stopped_part_way_is_the_partial_entry_of_the_table_holding_it)
{
    add_linear_entries_on(&machine);
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    ck_assert_int_eq(page_unpin(memory, OTHER_L4, OWNER), 0);
    machine.preempt_every = 1;
    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);

    while (!is_partial(OTHER_L4))
        ck_assert_int_eq(page_finish_pending_release(memory, OWNER), -XEN_ERESTART);

    ck_assert(machine.frames[TREE_L4].flags & FRAME_FLAG_PARTIAL_ENTRY);
    ck_assert_uint_eq(machine.frames[TREE_L4].validated_entries, LINEAR_ENTRY_INDEX);
    ck_assert_int_eq(machine.frames[TREE_L4].linear_count, 0);
    ck_assert_int_eq(machine.frames[OTHER_L4].linear_count, 0);
    ck_assert_int_eq(finish_preempted().result, 0);
    ck_assert(!is_partial(OTHER_L4));
    ck_assert_uint_eq(page_type_count(memory, OTHER_L4), 0);
    ck_assert_uint_eq(page_reference_count(memory, OTHER_L4), 1);
}
END_TEST

/* pvmon/page_type.h invariant 2: the stamp is written when the type count
 * reaches 0, also at the end of a devalidation done in preempted steps. */
START_TEST(a_table_devalidated_in_preempted_steps_then_mapped_writable_asks_for_a_flush)
{
    uint64_t flushes_before;

    simulated_full_flush(&machine);
    simulated_full_flush(&machine);
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    machine.preempt_every = 1;
    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);
    ck_assert_int_eq(finish_preempted().result, 0);
    machine.preempt_every = 0;
    flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_type(memory, FIRST_L2, OWNER, PAGE_TYPE_WRITABLE), 0);

    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before + 1);
    ck_assert_uint_eq(machine.frames[TREE_L4].tlb_flush_stamp, (uint16_t) machine.tlb_flush_clock - 1);
}
END_TEST

/* The L4's partial entry names an L3 whose partial state the teardown
 * sweep gave up and which the guest then mapped writable: continuing the
 * L4 is refused at its first entry and gives up its partial state too,
 * dropping its type count to 0 there. */
START_TEST(a_partial_table_given_up_by_a_refusal_is_stamped_at_its_last_use)
{
    uint64_t flushes_before;

    simulated_full_flush(&machine);
    pin_part_way(1);
    machine.preempt_every = 0;
    ck_assert(is_partial(TREE_L4) && is_partial(FIRST_L3));
    ck_assert_uint_eq(machine.frames[TREE_L4].validated_entries, 0);
    ck_assert_int_eq(page_release_partial(memory, FIRST_L3, OWNER), 0);
    ck_assert_int_eq(page_get_type(memory, FIRST_L3, OWNER, PAGE_TYPE_WRITABLE), 0);
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), -XEN_EINVAL);
    ck_assert_uint_eq(page_type_count(memory, TREE_L4), 0);
    ck_assert(!machine.pending_releases[OWNER].pending);
    flushes_before = machine.tlb_flush_requests;

    ck_assert_int_eq(page_get_type(memory, TREE_L4, OWNER, PAGE_TYPE_WRITABLE), 0);

    ck_assert_uint_eq(machine.tlb_flush_requests, flushes_before + 1);
}
END_TEST

/* A linear entry's target must be a validated table of its level: never
 * a partial one (Xen's get_lN_linear_pagetable on PGT_validated). */
START_TEST(a_linear_entry_aimed_at_a_partial_table_is_refused)
{
    uint32_t references_before;

    pin_part_way(3);
    machine.preempt_every = 0;
    ck_assert(is_partial(TREE_L4));
    references_before = page_reference_count(memory, TREE_L4);
    ck_assert_int_eq(page_pin(memory, OTHER_L4, OWNER, PAGE_TYPE_L4), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, OTHER_L4, 0, entry_to(TREE_L4, READ_ONLY_FLAGS), false, NULL),
                     -XEN_EINVAL);

    ck_assert(is_partial(TREE_L4));
    ck_assert_uint_eq(page_type_count(memory, TREE_L4), 1);
    ck_assert_uint_eq(page_reference_count(memory, TREE_L4), references_before);
    ck_assert_int_eq(machine.frames[TREE_L4].linear_count, 0);
    ck_assert_int_eq(machine.frames[OTHER_L4].linear_count, 0);
}
END_TEST

START_TEST(a_table_validated_with_a_linear_entry_at_a_partial_table_is_refused)
{
    pin_part_way(3);
    machine.preempt_every = 0;
    simulated_page_of(&machine, OTHER_L4)[0] = entry_to(TREE_L4, READ_ONLY_FLAGS);

    ck_assert_int_eq(page_pin(memory, OTHER_L4, OWNER, PAGE_TYPE_L4), -XEN_EINVAL);

    ck_assert(is_partial(TREE_L4));
    ck_assert_uint_eq(page_type_count(memory, OTHER_L4), 0);
    ck_assert_int_eq(machine.frames[TREE_L4].linear_count, 0);
}
END_TEST

START_TEST(the_same_linear_entry_is_accepted_once_the_partial_table_is_finished)
{
    pin_part_way(3);
    machine.preempt_every = 0;
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    ck_assert_int_eq(page_pin(memory, OTHER_L4, OWNER, PAGE_TYPE_L4), 0);

    ck_assert_int_eq(page_update_entry(memory, OWNER, OTHER_L4, 0, entry_to(TREE_L4, READ_ONLY_FLAGS), false, NULL),
                     0);

    ck_assert_int_eq(machine.frames[TREE_L4].linear_count, -1);
    ck_assert_int_eq(machine.frames[OTHER_L4].linear_count, 1);
}
END_TEST

/* ---- teardown ---- */

/* What a domain's teardown does (kernel/domain.c): its pending release,
 * every pin, every partial table nothing continues, every allocation. */
static void tear_down_owner(void)
{
    while (page_finish_pending_release(memory, OWNER) == -XEN_ERESTART)
        continue;
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        if (machine.frames[frame].state == FRAME_DOMAIN && (machine.frames[frame].type_info & PAGE_TYPE_PINNED)) {
            ck_assert_int_eq(page_unpin(memory, frame, OWNER), 0);
            while (page_finish_pending_release(memory, OWNER) == -XEN_ERESTART)
                continue;
        }
    }
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        if (machine.frames[frame].state == FRAME_DOMAIN && is_partial(frame) &&
            page_release_partial(memory, frame, OWNER) != 0) {
            while (page_finish_pending_release(memory, OWNER) == -XEN_ERESTART)
                continue;
        }
    }
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        if (machine.frames[frame].state == FRAME_DOMAIN &&
            (machine.frames[frame].reference_count & PAGE_REFERENCE_ALLOCATED))
            ck_assert_int_eq(page_give_back(memory, frame, OWNER), 0);
    }
}

static void expect_every_frame_released_once(void)
{
    for (uint64_t frame = TREE_L4; frame < FRAME_COUNT; frame++)
        ck_assert_msg(machine.release_counts[frame] == 1, "frame %llu was released %u times",
                      (unsigned long long) frame, machine.release_counts[frame]);
}

START_TEST(the_teardown_of_a_domain_with_a_pin_stopped_part_way_releases_every_frame)
{
    pin_part_way(5);

    tear_down_owner();

    expect_every_frame_released_once();
}
END_TEST

START_TEST(the_teardown_of_a_domain_with_an_unpin_pending_releases_every_frame)
{
    ck_assert_int_eq(page_pin(memory, TREE_L4, OWNER, PAGE_TYPE_L4), 0);
    machine.preempt_every = 1;
    ck_assert_int_eq(page_unpin(memory, TREE_L4, OWNER), 0);
    ck_assert_int_eq(page_finish_pending_release(memory, OWNER), -XEN_ERESTART);

    tear_down_owner();

    expect_every_frame_released_once();
}
END_TEST

START_TEST(the_teardown_of_a_domain_with_partial_tables_preempted_throughout_releases_every_frame)
{
    pin_part_way(5);
    ck_assert_int_eq(page_pin(memory, FIRST_L3 + 1, OWNER, PAGE_TYPE_L3), -XEN_ERESTART);
    machine.preempt_every = 3;

    tear_down_owner();

    expect_every_frame_released_once();
}
END_TEST

static Suite *page_type_preemption_suite(void)
{
    Suite *suite = suite_create("page_type_preemption");
    TCase *test_case = tcase_create("preemption");

    tcase_add_checked_fixture(test_case, create_machines, destroy_machines);
    tcase_add_test(test_case, pinning_a_tree_with_preemption_at_every_question_takes_one_call_per_l1_at_least);
    tcase_add_test(test_case, a_preempted_pin_ends_in_the_state_of_an_unpreempted_one);
    tcase_add_test(test_case, a_pin_preempted_every_seven_questions_ends_in_the_same_state);
    tcase_add_test(test_case, an_unpin_completes_at_once_and_leaves_the_devalidation_pending);
    tcase_add_test(test_case, an_unpin_finished_in_bounded_steps_ends_in_the_state_of_an_unpreempted_one);
    tcase_add_test(test_case, a_pin_stopped_part_way_leaves_a_chain_of_partial_tables);
    tcase_add_test(test_case, a_partial_table_refuses_a_writable_mapping);
    tcase_add_test(test_case, a_partial_table_refuses_a_pin_of_another_level);
    tcase_add_test(test_case, a_partial_table_is_not_pinned_so_unpinning_it_is_refused);
    tcase_add_test(test_case, an_entry_of_a_partial_table_cannot_be_updated);
    tcase_add_test(test_case, pinning_a_partial_table_at_its_level_continues_it_and_the_parent_then_counts_it);
    tcase_add_test(test_case, a_given_back_partial_table_lives_until_its_teardown);
    tcase_add_test(test_case, a_refusal_met_after_preemption_gives_back_everything_once_finished);
    tcase_add_test(test_case, an_l4_entry_naming_a_large_subtree_is_validated_in_bounded_calls);
    tcase_add_test(test_case, clearing_an_l4_entry_completes_and_parks_the_old_subtree);
    tcase_add_test(test_case, a_tree_whose_l4_holds_linear_entries_pinned_in_preempted_steps_ends_as_unpreempted);
    tcase_add_test(test_case, a_partial_l4_holds_the_linear_entries_below_its_validated_entries);
    tcase_add_test(test_case, a_table_with_linear_entries_torn_down_in_preempted_steps_gives_everything_back);
    tcase_add_test(test_case, the_linear_target_stopped_part_way_is_the_partial_entry_of_the_table_holding_it);
    tcase_add_test(test_case, a_table_devalidated_in_preempted_steps_then_mapped_writable_asks_for_a_flush);
    tcase_add_test(test_case, a_partial_table_given_up_by_a_refusal_is_stamped_at_its_last_use);
    tcase_add_test(test_case, a_linear_entry_aimed_at_a_partial_table_is_refused);
    tcase_add_test(test_case, a_table_validated_with_a_linear_entry_at_a_partial_table_is_refused);
    tcase_add_test(test_case, the_same_linear_entry_is_accepted_once_the_partial_table_is_finished);
    tcase_add_test(test_case, the_teardown_of_a_domain_with_a_pin_stopped_part_way_releases_every_frame);
    tcase_add_test(test_case, the_teardown_of_a_domain_with_an_unpin_pending_releases_every_frame);
    tcase_add_test(test_case, the_teardown_of_a_domain_with_partial_tables_preempted_throughout_releases_every_frame);
    suite_add_tcase(suite, test_case);
    return suite;
}

REGISTER_SUITE(page_type_preemption_suite)
