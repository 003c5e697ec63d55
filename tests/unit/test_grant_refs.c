/*
 * Specification of the guest side of grant table v1 entries
 * (frontend/grant_refs.c): the entry protocol of Xen's public
 * grant_table.h as a granter follows it, over one plain table frame.
 */
#include <stdint.h>
#include <string.h>

#include <xen/errno.h>
#include <frontend/grant_refs.h>

#include "suites.h"

#define BACKEND 0
#define OTHER_DOMAIN 7
#define FRAME 0x1234
#define ENTRIES ((unsigned int)GRANT_ENTRIES_PER_FRAME)

static grant_entry_v1_t table[GRANT_ENTRIES_PER_FRAME];
static struct grant_refs refs;

static void fresh_table(void)
{
    memset(table, 0, sizeof(table));
    grant_refs_init(&refs, table, ENTRIES);
}

static grant_ref_t granted(domid_t domid, uint64_t frame, int readonly)
{
    grant_ref_t ref = 0;

    ck_assert_int_eq(grant_refs_grant(&refs, domid, frame, readonly, &ref), 0);
    return ref;
}

START_TEST(test_a_grant_fills_domid_frame_and_permit_access)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(OTHER_DOMAIN, FRAME, 0);
    ck_assert_uint_eq(table[ref].domid, OTHER_DOMAIN);
    ck_assert_uint_eq(table[ref].frame, FRAME);
    ck_assert_uint_eq(table[ref].flags, GTF_permit_access);
}
END_TEST

START_TEST(test_a_readonly_grant_sets_gtf_readonly)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(BACKEND, FRAME, 1);
    ck_assert_uint_eq(table[ref].flags, GTF_permit_access | GTF_readonly);
}
END_TEST

START_TEST(test_reserved_references_are_never_handed_out)
{
    fresh_table();
    ck_assert_uint_eq(grant_refs_free_count(&refs), ENTRIES - GNTTAB_NR_RESERVED_ENTRIES);
    for (unsigned int count = 0; count < ENTRIES - GNTTAB_NR_RESERVED_ENTRIES; count++)
        ck_assert_uint_ge(granted(BACKEND, FRAME, 0), GNTTAB_NR_RESERVED_ENTRIES);
}
END_TEST

START_TEST(test_an_exhausted_table_refuses_with_enospc)
{
    grant_ref_t ref = 0;

    fresh_table();
    for (unsigned int count = 0; count < ENTRIES - GNTTAB_NR_RESERVED_ENTRIES; count++)
        granted(BACKEND, FRAME, 0);
    ck_assert_int_eq(grant_refs_grant(&refs, BACKEND, FRAME, 0, &ref), -XEN_ENOSPC);
}
END_TEST

START_TEST(test_a_frame_beyond_32_bits_is_einval)
{
    grant_ref_t ref = 0;

    fresh_table();
    ck_assert_int_eq(grant_refs_grant(&refs, BACKEND, UINT64_C(1) << 32, 0, &ref), -XEN_EINVAL);
    ck_assert_uint_eq(grant_refs_free_count(&refs), ENTRIES - GNTTAB_NR_RESERVED_ENTRIES);
}
END_TEST

START_TEST(test_ending_an_unused_grant_clears_flags_and_frees_the_reference)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(BACKEND, FRAME, 0);
    ck_assert_int_eq(grant_refs_end(&refs, ref), 0);
    ck_assert_uint_eq(table[ref].flags, 0);
    ck_assert_uint_eq(grant_refs_free_count(&refs), ENTRIES - GNTTAB_NR_RESERVED_ENTRIES);
}
END_TEST

START_TEST(test_ending_while_the_peer_reads_is_ebusy_and_keeps_the_entry)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(BACKEND, FRAME, 0);
    table[ref].flags |= GTF_reading;
    ck_assert_int_eq(grant_refs_end(&refs, ref), -XEN_EBUSY);
    ck_assert_uint_eq(table[ref].flags, GTF_permit_access | GTF_reading);
    ck_assert_uint_eq(grant_refs_free_count(&refs), ENTRIES - GNTTAB_NR_RESERVED_ENTRIES - 1);
}
END_TEST

START_TEST(test_ending_while_the_peer_writes_is_ebusy)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(BACKEND, FRAME, 0);
    table[ref].flags |= GTF_reading | GTF_writing;
    ck_assert_int_eq(grant_refs_end(&refs, ref), -XEN_EBUSY);
}
END_TEST

START_TEST(test_ending_succeeds_once_the_peer_released_the_frame)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(BACKEND, FRAME, 0);
    table[ref].flags |= GTF_reading;
    ck_assert_int_eq(grant_refs_end(&refs, ref), -XEN_EBUSY);
    table[ref].flags &= (uint16_t)~GTF_reading;
    ck_assert_int_eq(grant_refs_end(&refs, ref), 0);
}
END_TEST

START_TEST(test_ending_twice_is_einval)
{
    grant_ref_t ref;

    fresh_table();
    ref = granted(BACKEND, FRAME, 0);
    ck_assert_int_eq(grant_refs_end(&refs, ref), 0);
    ck_assert_int_eq(grant_refs_end(&refs, ref), -XEN_EINVAL);
    ck_assert_uint_eq(grant_refs_free_count(&refs), ENTRIES - GNTTAB_NR_RESERVED_ENTRIES);
}
END_TEST

START_TEST(test_ending_a_reference_beyond_the_table_is_einval)
{
    fresh_table();
    ck_assert_int_eq(grant_refs_end(&refs, ENTRIES), -XEN_EINVAL);
    ck_assert_int_eq(grant_refs_end(&refs, 1), -XEN_EINVAL);
}
END_TEST

START_TEST(test_an_ended_reference_is_handed_out_again)
{
    grant_ref_t first, second;

    fresh_table();
    first = granted(BACKEND, FRAME, 0);
    ck_assert_int_eq(grant_refs_end(&refs, first), 0);
    second = granted(OTHER_DOMAIN, FRAME + 1, 1);
    ck_assert_uint_eq(second, first);
    ck_assert_uint_eq(table[second].domid, OTHER_DOMAIN);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *grant_refs_suite(void)
{
    Suite *suite = suite_create("grant_refs");

    add_test_case(suite, test_a_grant_fills_domid_frame_and_permit_access);
    add_test_case(suite, test_a_readonly_grant_sets_gtf_readonly);
    add_test_case(suite, test_reserved_references_are_never_handed_out);
    add_test_case(suite, test_an_exhausted_table_refuses_with_enospc);
    add_test_case(suite, test_a_frame_beyond_32_bits_is_einval);
    add_test_case(suite, test_ending_an_unused_grant_clears_flags_and_frees_the_reference);
    add_test_case(suite, test_ending_while_the_peer_reads_is_ebusy_and_keeps_the_entry);
    add_test_case(suite, test_ending_while_the_peer_writes_is_ebusy);
    add_test_case(suite, test_ending_succeeds_once_the_peer_released_the_frame);
    add_test_case(suite, test_ending_twice_is_einval);
    add_test_case(suite, test_ending_a_reference_beyond_the_table_is_einval);
    add_test_case(suite, test_an_ended_reference_is_handed_out_again);
    return suite;
}

REGISTER_SUITE(grant_refs_suite)
