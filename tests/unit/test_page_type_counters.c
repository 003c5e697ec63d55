/*
 * Specification of the work common/page_type.c counts through its
 * page_memory's count hook (pvmon/page_type.h, enum page_type_work): the
 * present entries a table references as it is validated and releases as
 * it is devalidated, and the general references taken.  Exact counts for
 * known sequences on a simulated machine (simulated_memory.h).
 */
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#include "simulated_memory.h"
#include "suites.h"

#define FRAME_COUNT 32
#define OWNER 1
#define OTHER_OWNER 2

#define PRESENT PAGE_TABLE_ENTRY_PRESENT
#define WRITABLE PAGE_TABLE_ENTRY_WRITABLE
#define USER PAGE_TABLE_ENTRY_USER
#define TABLE_FLAGS (PRESENT | WRITABLE | USER)
#define READ_ONLY_FLAGS (PRESENT | USER)
/* A not-present entry a guest may keep (a swap entry): never counted. */
#define NOT_PRESENT_VALUE UINT64_C(0x1234000)

enum { TABLE = 1, UPPER_TABLE, FIRST_DATA };

static struct simulated_memory machine;
static const struct page_memory *memory;
static uint64_t counted[PAGE_TYPE_WORK_REFERENCES_TAKEN + 1];

static void count_work(const struct page_memory *counted_memory, enum page_type_work work, uint64_t amount)
{
    (void)counted_memory;
    counted[work] += amount;
}

static void create_machine(void)
{
    simulated_memory_create(&machine, FRAME_COUNT);
    machine.memory.count = count_work;
    memory = simulated_memory_view(&machine);
    for (unsigned int work = 0; work <= PAGE_TYPE_WORK_REFERENCES_TAKEN; work++)
        counted[work] = 0;
}

static void destroy_machine(void)
{
    simulated_memory_destroy(&machine);
}

static void write_entry(uint64_t table, unsigned int index, uint64_t entry)
{
    simulated_page_of(&machine, table)[index] = entry;
}

/* An L1 (assigned, not pinned) mapping present_count data frames of owner
 * read-only, with not-present values between them. */
static void build_l1(uint64_t table, unsigned int present_count, uint16_t data_owner)
{
    page_assign(memory, table, OWNER, false);
    for (unsigned int index = 0; index < present_count; index++) {
        page_assign(memory, FIRST_DATA + index, data_owner, false);
        write_entry(table, 2 * index, ((FIRST_DATA + index) << 12) | READ_ONLY_FLAGS);
        write_entry(table, 2 * index + 1, NOT_PRESENT_VALUE);
    }
}

static void expect_counted(uint64_t validated, uint64_t devalidated, uint64_t references)
{
    ck_assert_uint_eq(counted[PAGE_TYPE_WORK_ENTRIES_VALIDATED], validated);
    ck_assert_uint_eq(counted[PAGE_TYPE_WORK_ENTRIES_DEVALIDATED], devalidated);
    ck_assert_uint_eq(counted[PAGE_TYPE_WORK_REFERENCES_TAKEN], references);
}

START_TEST(pinning_an_l1_counts_its_present_entries_validated)
{
    build_l1(TABLE, 5, OWNER);
    ck_assert_int_eq(page_pin(memory, TABLE, OWNER, PAGE_TYPE_L1), 0);
    /* The pin's own reference on the table, and one per present entry. */
    expect_counted(5, 0, 1 + 5);
}
END_TEST

START_TEST(unpinning_an_l1_counts_its_present_entries_devalidated)
{
    build_l1(TABLE, 3, OWNER);
    ck_assert_int_eq(page_pin(memory, TABLE, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_unpin(memory, TABLE, OWNER), 0);
    expect_counted(3, 3, 1 + 3);
}
END_TEST

START_TEST(an_empty_l1_counts_no_entries)
{
    build_l1(TABLE, 0, OWNER);
    ck_assert_int_eq(page_pin(memory, TABLE, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_unpin(memory, TABLE, OWNER), 0);
    expect_counted(0, 0, 1);
}
END_TEST

START_TEST(a_refused_l1_counts_no_entries_validated)
{
    build_l1(TABLE, 2, OWNER);
    page_assign(memory, FIRST_DATA + 2, OTHER_OWNER, false);
    write_entry(TABLE, 4, ((uint64_t)(FIRST_DATA + 2) << 12) | READ_ONLY_FLAGS);
    ck_assert_int_eq(page_pin(memory, TABLE, OWNER, PAGE_TYPE_L1), -XEN_EINVAL);
    ck_assert_uint_eq(counted[PAGE_TYPE_WORK_ENTRIES_VALIDATED], 0);
}
END_TEST

START_TEST(pinning_an_l2_counts_its_entry_and_the_l1_entries_below)
{
    build_l1(TABLE, 2, OWNER);
    page_assign(memory, UPPER_TABLE, OWNER, false);
    write_entry(UPPER_TABLE, 0, ((uint64_t)TABLE << 12) | TABLE_FLAGS);
    write_entry(UPPER_TABLE, 1, NOT_PRESENT_VALUE);
    ck_assert_int_eq(page_pin(memory, UPPER_TABLE, OWNER, PAGE_TYPE_L2), 0);
    /* References: the pin's, the L2 entry's on the L1, the L1's two. */
    expect_counted(1 + 2, 0, 1 + 1 + 2);
    ck_assert_int_eq(page_unpin(memory, UPPER_TABLE, OWNER), 0);
    expect_counted(3, 3, 4);
}
END_TEST

START_TEST(a_reference_taken_and_put_back_counts_one)
{
    page_assign(memory, FIRST_DATA, OWNER, false);
    ck_assert_int_eq(page_get_reference(memory, FIRST_DATA, OWNER), 0);
    page_put_reference(memory, FIRST_DATA);
    expect_counted(0, 0, 1);
}
END_TEST

START_TEST(a_refused_reference_counts_none)
{
    page_assign(memory, FIRST_DATA, OWNER, false);
    ck_assert_int_eq(page_get_reference(memory, FIRST_DATA, OTHER_OWNER), -XEN_EINVAL);
    expect_counted(0, 0, 0);
}
END_TEST

START_TEST(without_a_count_hook_nothing_is_counted_and_pinning_works)
{
    machine.memory.count = NULL;
    build_l1(TABLE, 2, OWNER);
    ck_assert_int_eq(page_pin(memory, TABLE, OWNER, PAGE_TYPE_L1), 0);
    ck_assert_int_eq(page_unpin(memory, TABLE, OWNER), 0);
    expect_counted(0, 0, 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, create_machine, destroy_machine);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *page_type_counters_suite(void)
{
    Suite *suite = suite_create("page_type_counters");

    add_test_case(suite, pinning_an_l1_counts_its_present_entries_validated);
    add_test_case(suite, unpinning_an_l1_counts_its_present_entries_devalidated);
    add_test_case(suite, an_empty_l1_counts_no_entries);
    add_test_case(suite, a_refused_l1_counts_no_entries_validated);
    add_test_case(suite, pinning_an_l2_counts_its_entry_and_the_l1_entries_below);
    add_test_case(suite, a_reference_taken_and_put_back_counts_one);
    add_test_case(suite, a_refused_reference_counts_none);
    add_test_case(suite, without_a_count_hook_nothing_is_counted_and_pinning_works);
    return suite;
}

REGISTER_SUITE(page_type_counters_suite)
