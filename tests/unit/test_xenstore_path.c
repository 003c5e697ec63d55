/*
 * Specification of xenstore paths (tools/xenstored/xenstore_path.h): the
 * syntax of docs/misc/xenstore.txt, relative paths resolved under the
 * domain's home /local/domain/<id>, pvmon's length limits and
 * xenstore.txt's "child" relation.  (Who may touch a node is its
 * permissions', test_xenstore_access.c.)
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_path.h>

#include "suites.h"

static char resolved[XENSTORE_PATH_SIZE];

START_TEST(test_absolute_path_resolves_to_itself)
{
    ck_assert_int_eq(xenstore_path_resolve(3, "/local/domain/3/name", resolved), 0);
    ck_assert_str_eq(resolved, "/local/domain/3/name");
}
END_TEST

START_TEST(test_root_is_a_valid_path)
{
    ck_assert_int_eq(xenstore_path_resolve(0, "/", resolved), 0);
    ck_assert_str_eq(resolved, "/");
}
END_TEST

START_TEST(test_relative_path_resolves_under_the_domains_home)
{
    ck_assert_int_eq(xenstore_path_resolve(7, "memory/target", resolved), 0);
    ck_assert_str_eq(resolved, "/local/domain/7/memory/target");
}
END_TEST

START_TEST(test_allowed_characters_are_letters_digits_and_four_punctuation_marks)
{
    ck_assert_int_eq(xenstore_path_resolve(0, "/aZ09-_@/x", resolved), 0);
    ck_assert_int_eq(xenstore_path_resolve(0, "/a b", resolved), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_path_resolve(0, "/a.b", resolved), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_path_resolve(0, "/a\xc3\xa9", resolved), -XEN_EINVAL);
}
END_TEST

START_TEST(test_doubled_and_trailing_slashes_and_the_empty_path_are_invalid)
{
    ck_assert_int_eq(xenstore_path_resolve(0, "/a//b", resolved), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_path_resolve(0, "/a/", resolved), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_path_resolve(0, "a/", resolved), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_path_resolve(0, "//", resolved), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_path_resolve(0, "", resolved), -XEN_EINVAL);
}
END_TEST

START_TEST(test_special_path_names_no_node)
{
    ck_assert(xenstore_path_is_special("@releaseDomain"));
    ck_assert_int_eq(xenstore_path_resolve(0, "@releaseDomain", resolved), -XEN_EINVAL);
}
END_TEST

START_TEST(test_special_path_is_at_sign_and_a_name)
{
    ck_assert(xenstore_path_is_special("@introduceDomain"));
    ck_assert(!xenstore_path_is_special("@"));
    ck_assert(!xenstore_path_is_special("@a/b"));
    ck_assert(!xenstore_path_is_special("/@a"));
}
END_TEST

START_TEST(test_path_of_the_size_limit_is_invalid_one_shorter_is_valid)
{
    char path[XENSTORE_PATH_SIZE + 1];

    memset(path, 'a', sizeof(path));
    for (size_t slash = 0; slash < XENSTORE_PATH_SIZE; slash += 32)
        path[slash] = '/';
    path[XENSTORE_PATH_SIZE] = '\0';
    ck_assert_int_eq(xenstore_path_resolve(0, path, resolved), -XEN_EINVAL);
    path[XENSTORE_PATH_SIZE - 1] = '\0';
    ck_assert_int_eq(xenstore_path_resolve(0, path, resolved), 0);
}
END_TEST

START_TEST(test_relative_path_too_long_once_resolved_is_invalid)
{
    char path[XENSTORE_PATH_SIZE];

    memset(path, 'a', sizeof(path));
    for (size_t slash = 32; slash < XENSTORE_PATH_SIZE; slash += 32)
        path[slash] = '/';
    path[XENSTORE_PATH_SIZE - 10] = '\0';
    ck_assert_int_eq(xenstore_path_resolve(0, path + 1, resolved), -XEN_EINVAL);
}
END_TEST

START_TEST(test_component_longer_than_the_name_limit_is_invalid)
{
    char path[XENSTORE_NAME_SIZE + 2];

    memset(path, 'n', sizeof(path));
    path[0] = '/';
    path[XENSTORE_NAME_SIZE + 1] = '\0';
    ck_assert_int_eq(xenstore_path_resolve(0, path, resolved), -XEN_EINVAL);
    path[XENSTORE_NAME_SIZE] = '\0';
    ck_assert_int_eq(xenstore_path_resolve(0, path, resolved), 0);
}
END_TEST

START_TEST(test_path_is_within_itself_and_its_ancestors)
{
    ck_assert(xenstore_path_is_within("/a/b", "/a/b"));
    ck_assert(xenstore_path_is_within("/a/b/c", "/a/b"));
    ck_assert(xenstore_path_is_within("/a/b", "/"));
}
END_TEST

START_TEST(test_path_is_not_within_a_sibling_that_shares_its_prefix)
{
    ck_assert(!xenstore_path_is_within("/a/bc", "/a/b"));
    ck_assert(!xenstore_path_is_within("/a", "/a/b"));
}
END_TEST

START_TEST(test_path_below_home_is_what_follows_the_home)
{
    ck_assert_str_eq(xenstore_path_below_home(4, "/local/domain/4/control/shutdown"), "control/shutdown");
    ck_assert_ptr_null(xenstore_path_below_home(4, "/local/domain/4"));
    ck_assert_ptr_null(xenstore_path_below_home(4, "/local/domain/40/x"));
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *xenstore_path_suite(void)
{
    Suite *suite = suite_create("xenstore_path");

    add_test_case(suite, test_absolute_path_resolves_to_itself);
    add_test_case(suite, test_root_is_a_valid_path);
    add_test_case(suite, test_relative_path_resolves_under_the_domains_home);
    add_test_case(suite, test_allowed_characters_are_letters_digits_and_four_punctuation_marks);
    add_test_case(suite, test_doubled_and_trailing_slashes_and_the_empty_path_are_invalid);
    add_test_case(suite, test_special_path_names_no_node);
    add_test_case(suite, test_special_path_is_at_sign_and_a_name);
    add_test_case(suite, test_path_of_the_size_limit_is_invalid_one_shorter_is_valid);
    add_test_case(suite, test_relative_path_too_long_once_resolved_is_invalid);
    add_test_case(suite, test_component_longer_than_the_name_limit_is_invalid);
    add_test_case(suite, test_path_is_within_itself_and_its_ancestors);
    add_test_case(suite, test_path_is_not_within_a_sibling_that_shares_its_prefix);
    add_test_case(suite, test_path_below_home_is_what_follows_the_home);
    return suite;
}

REGISTER_SUITE(xenstore_path_suite)
