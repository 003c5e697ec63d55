/*
 * Specification of common/page_type.c's fast paths for validating and
 * devalidating whole tables (the empty entries skipped in groups, the
 * common L1 entries referenced in one step), by agreement with the entry
 * rules as page_update_entry applies them one entry at a time.
 *
 * Each case builds random tables on two identical simulated machines
 * (simulated_memory.h): on the first the guest writes the table and pins
 * it whole, on the second it pins the table empty and writes the same
 * entries one by one through page_update_entry.  The pin is refused
 * exactly when one of the updates is; accepted, both machines hold the
 * same frame table and the same RAM, and unpinning gives every reference
 * back; refused, the first machine is as it was before the pin but for
 * what pvmon/page_type.h lets a refusal change.  The random entries mix
 * empty ones (with junk in their other bits, as a swap entry has) with
 * present ones naming the owner's frames, another owner's, frames given
 * back or never assigned, device memory, tables and the table itself,
 * with allowed and refused bits.
 *
 * The walks skip empty entries, but owe each one its preemption question
 * (pvmon/page_type.h): the last cases count the questions, check where a
 * walk stopped at every question stops, and that questions asked a run at
 * once (preempt_requested_among) stop a walk where one by one would.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#include "simulated_memory.h"
#include "suites.h"
#include "test_random.h"

#define FRAME_COUNT 48
#define OWNER 1
#define OTHER_OWNER 2
#define ROUNDS 300

#define PRESENT PAGE_TABLE_ENTRY_PRESENT
#define WRITABLE PAGE_TABLE_ENTRY_WRITABLE
#define USER PAGE_TABLE_ENTRY_USER
#define TABLE_FLAGS (PRESENT | WRITABLE | USER)
/* Bits an entry may carry at every level, P and RW aside: U, A, D, the
 * software bits 9-11 and 52-61, NX. */
#define HARMLESS_BITS (USER | (UINT64_C(3) << 5) | UINT64_C(0xe00) | (UINT64_C(0x3ff) << 52) | (UINT64_C(1) << 63))
/* Refused somewhere: PWT, PCD, bit 7 (PAT or PSE), G (upper levels), bit 62. */
#define DOUBTFUL_BITS ((UINT64_C(3) << 3) | (UINT64_C(1) << 7) | (UINT64_C(1) << 8) | (UINT64_C(1) << 62))

/* Frames: the table under test, four L1s an L2 may name, the owner's
 * data, another owner's, two given back, two never assigned. */
enum {
    TABLE = 1,
    FIRST_L1 = 2,
    L1_COUNT = 4,
    FIRST_DATA = 8,
    DATA_COUNT = 24,
    FIRST_OTHER = FIRST_DATA + DATA_COUNT,
    OTHER_COUNT = 4,
    FIRST_GIVEN_BACK = FIRST_OTHER + OTHER_COUNT,
    FIRST_UNASSIGNED = FIRST_GIVEN_BACK + 2,
};

static struct simulated_memory whole;    /* pinned whole */
static struct simulated_memory stepwise; /* pinned empty, then updated */
static struct simulated_snapshot before_pin;
static uint64_t random_state;

static uint64_t next_random(void)
{
    return test_random_next(&random_state);
}

static bool one_in(unsigned int chances)
{
    return next_random() % chances == 0;
}

static void create_machines(void)
{
    simulated_memory_create(&whole, FRAME_COUNT);
    simulated_memory_create(&stepwise, FRAME_COUNT);
}

static void destroy_machines(void)
{
    simulated_snapshot_free(&before_pin);
    simulated_memory_destroy(&whole);
    simulated_memory_destroy(&stepwise);
}

static void assign_frames(struct simulated_memory *machine)
{
    const struct page_memory *memory = simulated_memory_view(machine);

    for (uint64_t frame = TABLE; frame < FIRST_OTHER; frame++)
        page_assign(memory, frame, OWNER, false);
    for (uint64_t frame = FIRST_OTHER; frame < FIRST_GIVEN_BACK; frame++)
        page_assign(memory, frame, OTHER_OWNER, false);
    for (uint64_t frame = FIRST_GIVEN_BACK; frame < FIRST_UNASSIGNED; frame++) {
        page_assign(memory, frame, OWNER, false);
        ck_assert_int_eq(page_give_back(memory, frame, OWNER), 0);
    }
}

/* A frame an entry may name: mostly the owner's data, sometimes anything. */
static uint64_t random_target(uint64_t usual_first, uint64_t usual_count)
{
    switch (next_random() % 16) {
    case 0:
        return FIRST_OTHER + next_random() % OTHER_COUNT;
    case 1:
        return FIRST_GIVEN_BACK + next_random() % (FRAME_COUNT - FIRST_GIVEN_BACK);
    case 2:
        return FRAME_COUNT + next_random() % 4; /* beyond RAM: device memory no one may map */
    case 3:
        return TABLE;
    case 4:
        return FIRST_L1 + next_random() % L1_COUNT;
    default:
        return usual_first + next_random() % usual_count;
    }
}

/* refusals_one_in: how rarely a present entry carries a bit that may be
 * refused or names a frame that may be refused (0: never). */
static uint64_t random_entry(uint64_t usual_first, uint64_t usual_count, unsigned int refusals_one_in)
{
    bool doubtful = refusals_one_in != 0 && one_in(refusals_one_in);
    uint64_t bits = next_random();
    uint64_t frame;

    if (one_in(3))
        return one_in(2) ? 0 : bits & ~PRESENT;
    frame = doubtful ? random_target(usual_first, usual_count) : usual_first + next_random() % usual_count;
    bits &= HARMLESS_BITS | WRITABLE | (doubtful ? DOUBTFUL_BITS : 0);
    return (frame << 12) | bits | PRESENT;
}

/* Entries are written in clusters, as a process's mappings are: the rest
 * of the table is empty, so the group skips see both. */
static void fill_random_table(uint64_t *entries, uint64_t usual_first, uint64_t usual_count, unsigned int refusals_one_in)
{
    memset(entries, 0, PAGE_TABLE_ENTRIES * sizeof(*entries));
    for (unsigned int cluster = next_random() % 5; cluster > 0; cluster--) {
        unsigned int start = next_random() % PAGE_TABLE_ENTRIES;
        unsigned int length = 1 + next_random() % 40;

        for (unsigned int index = start; index < start + length && index < PAGE_TABLE_ENTRIES; index++)
            entries[index] = random_entry(usual_first, usual_count, refusals_one_in);
    }
}

static void expect_same_machines(unsigned int round)
{
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        const struct frame *left = &whole.frames[frame];
        const struct frame *right = &stepwise.frames[frame];

        if (left->type_info != right->type_info || left->reference_count != right->reference_count ||
            left->linear_count != right->linear_count || left->flags != right->flags)
            ck_abort_msg("round %u frame %llu: pinned whole type_info %#x references %#x linear %d flags %#x, "
                      "stepwise %#x %#x %d %#x",
                      round, (unsigned long long) frame, left->type_info, left->reference_count, left->linear_count,
                      left->flags, right->type_info, right->reference_count, right->linear_count, right->flags);
        for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
            if (whole.pages[frame][index] != stepwise.pages[frame][index])
                ck_abort_msg("round %u frame %llu entry %u: %#llx pinned whole, %#llx stepwise", round,
                             (unsigned long long) frame, index, (unsigned long long) whole.pages[frame][index],
                             (unsigned long long) stepwise.pages[frame][index]);
        }
    }
}

/* Writes every non-zero entry of entries into the pinned table, in order;
 * the first refusal stops. */
static int update_one_by_one(const uint64_t *entries)
{
    const struct page_memory *memory = simulated_memory_view(&stepwise);

    for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
        int error;

        if (entries[index] == 0)
            continue;
        error = page_update_entry(memory, OWNER, TABLE, index, entries[index], false, NULL);
        if (error)
            return error;
    }
    return 0;
}

static void expect_refusal_changed_nothing(unsigned int round)
{
    char difference[256];

    ck_assert(page_finish_pending_release(simulated_memory_view(&whole), OWNER) == 0);
    ck_assert_msg(!simulated_snapshot_refusal_changed_too_much(&whole, &before_pin, difference, sizeof(difference)),
                  "round %u: a refused pin changed %s", round, difference);
}

static void expect_everything_given_back(struct simulated_memory *machine, unsigned int round)
{
    const struct page_memory *memory = simulated_memory_view(machine);

    for (uint64_t frame = TABLE; frame < FIRST_GIVEN_BACK; frame++) {
        if (page_type_count(memory, frame) != 0 || page_reference_count(memory, frame) != 1)
            ck_abort_msg("round %u: frame %llu keeps %u type references and %u references", round,
                         (unsigned long long) frame, page_type_count(memory, frame),
                         page_reference_count(memory, frame));
    }
}

/* One round at level: the same table pinned whole and built stepwise.
 * Whether the pin was accepted. */
static bool compare_one_round(enum page_type level, const uint64_t *entries, unsigned int round)
{
    const struct page_memory *whole_memory = simulated_memory_view(&whole);
    const struct page_memory *stepwise_memory = simulated_memory_view(&stepwise);
    int pin_result, stepwise_result;

    memcpy(whole.pages[TABLE], entries, sizeof(simulated_page));
    simulated_snapshot_take(&whole, &before_pin);
    pin_result = page_pin(whole_memory, TABLE, OWNER, level);
    ck_assert_int_eq(page_pin(stepwise_memory, TABLE, OWNER, level), 0);
    stepwise_result = update_one_by_one(entries);
    ck_assert_msg((pin_result == 0) == (stepwise_result == 0), "round %u: pin %d, updates one by one %d", round,
                  pin_result, stepwise_result);
    if (pin_result == 0) {
        expect_same_machines(round);
        ck_assert_int_eq(page_unpin(whole_memory, TABLE, OWNER), 0);
        ck_assert_int_eq(page_finish_pending_release(whole_memory, OWNER), 0);
        expect_everything_given_back(&whole, round);
        return true;
    }
    ck_assert_int_eq(pin_result, -XEN_EINVAL);
    expect_refusal_changed_nothing(round);
    return false;
}

static void run_rounds(enum page_type level, uint64_t seed)
{
    static uint64_t entries[PAGE_TABLE_ENTRIES];
    static const unsigned int refusal_rates[] = { 0, 0, 200, 40, 8 };
    unsigned int accepted = 0, refused = 0;

    random_state = seed;
    for (unsigned int round = 0; round < ROUNDS; round++) {
        unsigned int refusals_one_in = refusal_rates[round % 5];

        create_machines();
        assign_frames(&whole);
        assign_frames(&stepwise);
        for (unsigned int l1 = 0; l1 < L1_COUNT; l1++) {
            fill_random_table(entries, FIRST_DATA, DATA_COUNT, l1 == 0 ? 0 : refusals_one_in);
            memcpy(whole.pages[FIRST_L1 + l1], entries, sizeof(simulated_page));
            memcpy(stepwise.pages[FIRST_L1 + l1], entries, sizeof(simulated_page));
        }
        if (level == PAGE_TYPE_L1)
            fill_random_table(entries, FIRST_DATA, DATA_COUNT, refusals_one_in);
        else
            fill_random_table(entries, FIRST_L1, L1_COUNT, refusals_one_in);
        if (compare_one_round(level, entries, round))
            accepted++;
        else
            refused++;
        destroy_machines();
    }
    /* Both outcomes must have been seen for the agreement to mean anything. */
    ck_assert_uint_gt(accepted, ROUNDS / 5);
    ck_assert_uint_gt(refused, ROUNDS / 20);
}

START_TEST(an_l1_pinned_whole_holds_what_its_entries_written_one_by_one_hold)
{
    run_rounds(PAGE_TYPE_L1, UINT64_C(0x9e3779b97f4a7c15));
}
END_TEST

START_TEST(an_l2_pinned_whole_holds_what_its_entries_written_one_by_one_hold)
{
    run_rounds(PAGE_TYPE_L2, UINT64_C(0x2545f4914f6cdd1d));
}
END_TEST

/* ---- the questions a walk owes its skipped entries ---- */

/* An L4 whose only entries name itself (read-only: they hold nothing, so
 * no walk goes below), far apart, with junk present in two of the
 * hypervisor's slots, which the walks skip without a question. */
static void build_sparse_l4(struct simulated_memory *machine)
{
    const struct page_memory *memory = simulated_memory_view(machine);

    page_assign(memory, TABLE, OWNER, false);
    machine->pages[TABLE][5] = (TABLE << 12) | PRESENT | USER;
    machine->pages[TABLE][300] = (TABLE << 12) | PRESENT | USER;
    machine->pages[TABLE][FIRST_HYPERVISOR_SLOT + 1] = UINT64_C(0x1234000) | PRESENT;
    machine->pages[TABLE][LAST_HYPERVISOR_SLOT] = UINT64_C(0x5678000) | PRESENT;
}

#define QUESTIONED_L4_ENTRIES (PAGE_TABLE_ENTRIES - 1 - HYPERVISOR_L4_SLOT_COUNT)

START_TEST(a_walk_asks_before_every_entry_but_the_first_and_the_hypervisors_slots_empty_or_not)
{
    const struct page_memory *memory;

    simulated_memory_create(&whole, FRAME_COUNT);
    memory = simulated_memory_view(&whole);
    build_sparse_l4(&whole);

    ck_assert_int_eq(page_pin(memory, TABLE, OWNER, PAGE_TYPE_L4), 0);
    ck_assert_uint_eq(whole.questions_total, QUESTIONED_L4_ENTRIES);
    ck_assert_int_eq(page_unpin(memory, TABLE, OWNER), 0);
    ck_assert_uint_eq(whole.questions_total, 2 * QUESTIONED_L4_ENTRIES);
    simulated_memory_destroy(&whole);
}
END_TEST

START_TEST(a_walk_preempted_at_every_question_stops_before_every_entry_but_the_hypervisors_slots)
{
    const struct page_memory *memory;
    unsigned int expected = 0;
    int result;

    simulated_memory_create(&whole, FRAME_COUNT);
    memory = simulated_memory_view(&whole);
    build_sparse_l4(&whole);
    whole.preempt_every = 1;
    while ((result = page_pin(memory, TABLE, OWNER, PAGE_TYPE_L4)) == -XEN_ERESTART) {
        expected = expected + 1 == FIRST_HYPERVISOR_SLOT ? LAST_HYPERVISOR_SLOT + 1 : expected + 1;
        ck_assert_uint_eq(whole.frames[TABLE].validated_entries, expected);
    }
    ck_assert_int_eq(result, 0);
    ck_assert_uint_eq(expected, PAGE_TABLE_ENTRIES - 1);
    simulated_memory_destroy(&whole);
}
END_TEST

/* A memory that asks a run of questions at once, answering as the
 * simulated machine's one-by-one hook would (stop at every
 * preempt_every-th), and counting the runs. */
static uint64_t runs_asked;

static unsigned int ask_run_at_once(const struct page_memory *memory, unsigned int count)
{
    unsigned int answered = 0;

    runs_asked++;
    while (answered < count && !memory->preempt_requested(memory))
        answered++;
    return answered;
}

static void expect_same_frame_table(void)
{
    for (uint64_t frame = 0; frame < FRAME_COUNT; frame++) {
        const struct frame *left = &whole.frames[frame];
        const struct frame *right = &stepwise.frames[frame];

        if (left->type_info != right->type_info || left->reference_count != right->reference_count ||
            left->validated_entries != right->validated_entries || left->flags != right->flags)
            ck_abort_msg("frame %llu: type_info %#x/%#x references %#x/%#x validated_entries %u/%u",
                         (unsigned long long) frame, left->type_info, right->type_info, left->reference_count,
                         right->reference_count, left->validated_entries, right->validated_entries);
    }
}

START_TEST(questions_asked_a_run_at_once_stop_a_walk_where_one_by_one_would)
{
    for (uint64_t every = 1; every < 40; every += 3) {
        int result;

        create_machines();
        build_sparse_l4(&whole);
        build_sparse_l4(&stepwise);
        whole.memory.preempt_requested_among = ask_run_at_once;
        whole.preempt_every = stepwise.preempt_every = every;
        runs_asked = 0;
        do {
            result = page_pin(simulated_memory_view(&whole), TABLE, OWNER, PAGE_TYPE_L4);
            ck_assert_int_eq(page_pin(simulated_memory_view(&stepwise), TABLE, OWNER, PAGE_TYPE_L4), result);
            expect_same_frame_table();
        } while (result == -XEN_ERESTART);
        ck_assert_int_eq(result, 0);
        ck_assert_int_eq(page_unpin(simulated_memory_view(&whole), TABLE, OWNER), 0);
        ck_assert_int_eq(page_unpin(simulated_memory_view(&stepwise), TABLE, OWNER), 0);
        expect_same_frame_table();
        do {
            result = page_finish_pending_release(simulated_memory_view(&whole), OWNER);
            ck_assert_int_eq(page_finish_pending_release(simulated_memory_view(&stepwise), OWNER), result);
            expect_same_frame_table();
        } while (result == -XEN_ERESTART);
        ck_assert_int_eq(result, 0);
        ck_assert_uint_eq(whole.questions_total, stepwise.questions_total);
        /* Asked in runs, not one by one (but where every question stops). */
        ck_assert(runs_asked > 0 && (every == 1 || runs_asked < whole.questions_total));
        destroy_machines();
    }
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *page_type_fast_paths_suite(void)
{
    Suite *suite = suite_create("page_type_fast_paths");

    add_test_case(suite, an_l1_pinned_whole_holds_what_its_entries_written_one_by_one_hold);
    add_test_case(suite, an_l2_pinned_whole_holds_what_its_entries_written_one_by_one_hold);
    add_test_case(suite, a_walk_asks_before_every_entry_but_the_first_and_the_hypervisors_slots_empty_or_not);
    add_test_case(suite, a_walk_preempted_at_every_question_stops_before_every_entry_but_the_hypervisors_slots);
    add_test_case(suite, questions_asked_a_run_at_once_stop_a_walk_where_one_by_one_would);
    return suite;
}

REGISTER_SUITE(page_type_fast_paths_suite)
