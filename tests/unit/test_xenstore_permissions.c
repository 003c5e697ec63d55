/*
 * Specification of a xenstore node's permission list
 * (tools/xenstored/xenstore_permissions.h), as Xen 4.17's xenstored has
 * it: the owner and dom0 may do everything, a domain with an entry gets
 * that entry's access, any other the first entry's (perm_for_conn); a
 * new node copies its parent's list, owned by an unprivileged creator
 * (construct_node); the wire format is a letter and a decimal domain id
 * per entry, each followed by a NUL (xs_strings_to_perms,
 * xs_perm_to_string); at most 5 entries (Xen's per-node quota).
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_permissions.h>

#include "suites.h"

#define ALL (XENSTORE_PERM_BOTH | XENSTORE_PERM_OWNER)

/* Owner 3 with default access none, domain 4 may read, domain 5 may write. */
static struct xenstore_permission_list frontend_like(void)
{
    return (struct xenstore_permission_list) {
        .count = 3,
        .entries = { { 3, XENSTORE_PERM_NONE }, { 4, XENSTORE_PERM_READ }, { 5, XENSTORE_PERM_WRITE } },
    };
}

static void expect_same_entry(const struct xenstore_permission *got, const struct xenstore_permission *expected)
{
    ck_assert_uint_eq(got->domain, expected->domain);
    ck_assert_uint_eq(got->access, expected->access);
}

static int parse(const char *text, uint32_t length, struct xenstore_permission_list *list)
{
    return xenstore_permissions_parse(text, length, list);
}

/* --- access ------------------------------------------------------------------ */

START_TEST(test_owner_has_every_access_whatever_the_default)
{
    struct xenstore_permission_list list = frontend_like();

    ck_assert_uint_eq(xenstore_permissions_access(&list, 3), ALL);
}
END_TEST

START_TEST(test_dom0_has_every_access_on_any_node)
{
    struct xenstore_permission_list list = frontend_like();

    ck_assert_uint_eq(xenstore_permissions_access(&list, 0), ALL);
}
END_TEST

START_TEST(test_domain_with_an_entry_gets_that_entrys_access)
{
    struct xenstore_permission_list list = frontend_like();

    ck_assert_uint_eq(xenstore_permissions_access(&list, 4), XENSTORE_PERM_READ);
    ck_assert_uint_eq(xenstore_permissions_access(&list, 5), XENSTORE_PERM_WRITE);
}
END_TEST

START_TEST(test_domain_without_an_entry_gets_the_first_entrys_access)
{
    struct xenstore_permission_list list = frontend_like();

    ck_assert_uint_eq(xenstore_permissions_access(&list, 6), XENSTORE_PERM_NONE);
    list.entries[0].access = XENSTORE_PERM_READ;
    ck_assert_uint_eq(xenstore_permissions_access(&list, 6), XENSTORE_PERM_READ);
}
END_TEST

START_TEST(test_first_entry_for_a_domain_counts)
{
    struct xenstore_permission_list list = frontend_like();

    list.entries[2] = (struct xenstore_permission) { 4, XENSTORE_PERM_BOTH };
    ck_assert_uint_eq(xenstore_permissions_access(&list, 4), XENSTORE_PERM_READ);
}
END_TEST

START_TEST(test_only_the_owner_and_dom0_may_change_the_list)
{
    struct xenstore_permission_list list = frontend_like();

    list.entries[1].access = XENSTORE_PERM_BOTH;
    ck_assert_uint_eq(xenstore_permissions_access(&list, 4) & XENSTORE_PERM_OWNER, 0);
}
END_TEST

/* --- inheritance --------------------------------------------------------------- */

START_TEST(test_node_dom0_creates_keeps_its_parents_list)
{
    struct xenstore_permission_list parent = frontend_like();
    struct xenstore_permission_list child = xenstore_permissions_inherit(&parent, 0);

    ck_assert_uint_eq(child.count, parent.count);
    for (unsigned int index = 0; index < parent.count; index++)
        expect_same_entry(&child.entries[index], &parent.entries[index]);
}
END_TEST

START_TEST(test_node_a_domu_creates_is_its_own_with_the_parents_other_entries)
{
    struct xenstore_permission_list parent = frontend_like();
    struct xenstore_permission_list child = xenstore_permissions_inherit(&parent, 5);

    ck_assert_uint_eq(child.count, 3);
    ck_assert_uint_eq(child.entries[0].domain, 5);
    ck_assert_uint_eq(child.entries[0].access, XENSTORE_PERM_NONE);
    expect_same_entry(&child.entries[1], &parent.entries[1]);
    expect_same_entry(&child.entries[2], &parent.entries[2]);
}
END_TEST

/* --- lists from the toolstack ---------------------------------------------------- */

START_TEST(test_list_of_no_entries_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(xenstore_permissions_make(NULL, 0, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_entry_with_an_access_beyond_both_is_einval)
{
    const struct xenstore_permission entries[] = { { 3, XENSTORE_PERM_OWNER } };
    struct xenstore_permission_list list;

    ck_assert_int_eq(xenstore_permissions_make(entries, 1, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_list_longer_than_the_quota_is_enospc)
{
    struct xenstore_permission entries[XENSTORE_PERMISSIONS_MAX + 1] = { { 0, 0 } };
    struct xenstore_permission_list list;

    ck_assert_int_eq(xenstore_permissions_make(entries, XENSTORE_PERMISSIONS_MAX + 1, &list), -XEN_ENOSPC);
    ck_assert_int_eq(xenstore_permissions_make(entries, XENSTORE_PERMISSIONS_MAX, &list), 0);
}
END_TEST

/* --- the wire format ------------------------------------------------------------- */

START_TEST(test_each_letter_parses_to_its_access)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("n1\0r2\0w3\0b4", 12, &list), 0);
    ck_assert_uint_eq(list.count, 4);
    ck_assert_uint_eq(list.entries[0].access, XENSTORE_PERM_NONE);
    ck_assert_uint_eq(list.entries[1].access, XENSTORE_PERM_READ);
    ck_assert_uint_eq(list.entries[2].access, XENSTORE_PERM_WRITE);
    ck_assert_uint_eq(list.entries[3].access, XENSTORE_PERM_BOTH);
    ck_assert_uint_eq(list.entries[3].domain, 4);
}
END_TEST

START_TEST(test_largest_domain_id_parses)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("r65535", 7, &list), 0);
    ck_assert_uint_eq(list.entries[0].domain, 65535);
}
END_TEST

START_TEST(test_unknown_letter_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("x1", 3, &list), -XEN_EINVAL);
    ck_assert_int_eq(parse("R1", 3, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_letter_without_a_domain_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("r", 2, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_empty_entry_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("", 1, &list), -XEN_EINVAL);
    ck_assert_int_eq(parse("r1\0\0", 4, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_domain_with_other_characters_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("r1a", 4, &list), -XEN_EINVAL);
    ck_assert_int_eq(parse("r-1", 4, &list), -XEN_EINVAL);
    ck_assert_int_eq(parse("r 1", 4, &list), -XEN_EINVAL);
    ck_assert_int_eq(parse("r0x1", 5, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_domain_beyond_16_bits_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("r65536", 7, &list), -XEN_EINVAL);
    ck_assert_int_eq(parse("r99999999999", 13, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_bytes_after_the_last_nul_are_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("r1\0r2", 5, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_no_bytes_at_all_is_einval)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("", 0, &list), -XEN_EINVAL);
}
END_TEST

START_TEST(test_more_entries_than_the_quota_is_enospc_before_they_are_parsed)
{
    struct xenstore_permission_list list;

    ck_assert_int_eq(parse("n1\0r2\0r3\0r4\0r5\0bad", 19, &list), -XEN_ENOSPC);
}
END_TEST

START_TEST(test_list_formats_as_xen_writes_it)
{
    struct xenstore_permission_list list = frontend_like();
    char text[XENSTORE_PERMISSIONS_TEXT_SIZE];
    uint32_t length = xenstore_permissions_format(&list, text, sizeof(text));

    ck_assert_uint_eq(length, 9);
    ck_assert_mem_eq(text, "n3\0r4\0w5", 9);
}
END_TEST

START_TEST(test_longest_list_fits_the_documented_text_size)
{
    struct xenstore_permission_list list = { .count = XENSTORE_PERMISSIONS_MAX };
    char text[XENSTORE_PERMISSIONS_TEXT_SIZE];

    for (unsigned int index = 0; index < XENSTORE_PERMISSIONS_MAX; index++)
        list.entries[index] = (struct xenstore_permission) { 65535, XENSTORE_PERM_BOTH };
    ck_assert_uint_eq(xenstore_permissions_format(&list, text, sizeof(text)), XENSTORE_PERMISSIONS_TEXT_SIZE);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *xenstore_permissions_suite(void)
{
    Suite *suite = suite_create("xenstore_permissions");

    add_test_case(suite, test_owner_has_every_access_whatever_the_default);
    add_test_case(suite, test_dom0_has_every_access_on_any_node);
    add_test_case(suite, test_domain_with_an_entry_gets_that_entrys_access);
    add_test_case(suite, test_domain_without_an_entry_gets_the_first_entrys_access);
    add_test_case(suite, test_first_entry_for_a_domain_counts);
    add_test_case(suite, test_only_the_owner_and_dom0_may_change_the_list);
    add_test_case(suite, test_node_dom0_creates_keeps_its_parents_list);
    add_test_case(suite, test_node_a_domu_creates_is_its_own_with_the_parents_other_entries);
    add_test_case(suite, test_list_of_no_entries_is_einval);
    add_test_case(suite, test_entry_with_an_access_beyond_both_is_einval);
    add_test_case(suite, test_list_longer_than_the_quota_is_enospc);
    add_test_case(suite, test_each_letter_parses_to_its_access);
    add_test_case(suite, test_largest_domain_id_parses);
    add_test_case(suite, test_unknown_letter_is_einval);
    add_test_case(suite, test_letter_without_a_domain_is_einval);
    add_test_case(suite, test_empty_entry_is_einval);
    add_test_case(suite, test_domain_with_other_characters_is_einval);
    add_test_case(suite, test_domain_beyond_16_bits_is_einval);
    add_test_case(suite, test_bytes_after_the_last_nul_are_einval);
    add_test_case(suite, test_no_bytes_at_all_is_einval);
    add_test_case(suite, test_more_entries_than_the_quota_is_enospc_before_they_are_parsed);
    add_test_case(suite, test_list_formats_as_xen_writes_it);
    add_test_case(suite, test_longest_list_fits_the_documented_text_size);
    return suite;
}

REGISTER_SUITE(xenstore_permissions_suite)
