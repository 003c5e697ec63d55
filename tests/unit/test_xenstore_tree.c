/*
 * Specification of the xenstore tree (tools/xenstored/xenstore_tree.h):
 * values, implicit parents, MKDIR and RM as docs/misc/xenstore.txt
 * describes them, children in creation order, and the memory limits,
 * each refused with ENOSPC and no change.
 */
#include <stdio.h>
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_tree.h>

#include "suites.h"

#define DOMU 3

static char listing[4096];
static uint32_t listing_length;

static void setup(void)
{
    xenstore_tree_init();
}

/* The node's value as a string ("" for an empty one); NULL if there is no such node. */
static const char *value_of(const char *path)
{
    static char text[XENSTORE_VALUE_MAX + 1];
    const uint8_t *value;
    uint32_t length;

    if (xenstore_tree_read(path, &value, &length) != 0)
        return NULL;
    memcpy(text, value, length);
    text[length] = '\0';
    return text;
}

/* The domU's home, made by dom0 as the toolstack does: not counted against the domU. */
static void make_domu_home(void)
{
    bool created;

    ck_assert_int_eq(xenstore_tree_mkdir("/local/domain/3", 0, &created), 0);
}

static int write_string(const char *path, const char *value, xenstore_domain owner)
{
    return xenstore_tree_write(path, value, (uint32_t)strlen(value), owner);
}

/* The children as one string, names separated by commas. */
static const char *children_of(const char *path)
{
    static char text[4096];

    if (xenstore_tree_directory(path, listing, sizeof(listing), &listing_length) != 0)
        return NULL;
    for (uint32_t index = 0; index < listing_length; index++)
        text[index] = listing[index] == '\0' ? ',' : listing[index];
    text[listing_length] = '\0';
    return text;
}

START_TEST(test_new_tree_has_only_an_empty_root)
{
    ck_assert_str_eq(value_of("/"), "");
    ck_assert_str_eq(children_of("/"), "");
}
END_TEST

START_TEST(test_written_value_reads_back)
{
    ck_assert_int_eq(write_string("/tool/name", "pvmon", 0), 0);
    ck_assert_str_eq(value_of("/tool/name"), "pvmon");
}
END_TEST

START_TEST(test_value_may_hold_nul_bytes)
{
    const uint8_t *value;
    uint32_t length;

    ck_assert_int_eq(xenstore_tree_write("/binary", "a\0b", 3, 0), 0);
    ck_assert_int_eq(xenstore_tree_read("/binary", &value, &length), 0);
    ck_assert_uint_eq(length, 3);
    ck_assert_mem_eq(value, "a\0b", 3);
}
END_TEST

START_TEST(test_write_creates_missing_parents_empty)
{
    ck_assert_int_eq(write_string("/a/b/c", "leaf", 0), 0);
    ck_assert_str_eq(value_of("/a"), "");
    ck_assert_str_eq(value_of("/a/b"), "");
    ck_assert_str_eq(children_of("/a"), "b,");
}
END_TEST

START_TEST(test_rewrite_replaces_the_value_and_keeps_the_others)
{
    ck_assert_int_eq(write_string("/x", "first", 0), 0);
    ck_assert_int_eq(write_string("/y", "other", 0), 0);
    ck_assert_int_eq(write_string("/x", "second and longer", 0), 0);
    ck_assert_str_eq(value_of("/x"), "second and longer");
    ck_assert_str_eq(value_of("/y"), "other");
}
END_TEST

START_TEST(test_read_of_a_missing_node_is_enoent)
{
    const uint8_t *value;
    uint32_t length;

    ck_assert_int_eq(xenstore_tree_read("/missing", &value, &length), -XEN_ENOENT);
}
END_TEST

START_TEST(test_mkdir_creates_an_empty_node_and_its_parents)
{
    bool created;

    ck_assert_int_eq(xenstore_tree_mkdir("/d/e", 0, &created), 0);
    ck_assert(created);
    ck_assert_str_eq(value_of("/d/e"), "");
    ck_assert(xenstore_tree_exists("/d"));
}
END_TEST

START_TEST(test_mkdir_leaves_an_existing_node_and_its_value)
{
    bool created;

    ck_assert_int_eq(write_string("/d", "kept", 0), 0);
    ck_assert_int_eq(xenstore_tree_mkdir("/d", 0, &created), 0);
    ck_assert(!created);
    ck_assert_str_eq(value_of("/d"), "kept");
}
END_TEST

START_TEST(test_directory_lists_children_in_creation_order)
{
    ck_assert_int_eq(write_string("/p/zeta", "", 0), 0);
    ck_assert_int_eq(write_string("/p/alpha", "", 0), 0);
    ck_assert_int_eq(write_string("/p/mid/deeper", "", 0), 0);
    ck_assert_str_eq(children_of("/p"), "zeta,alpha,mid,");
}
END_TEST

START_TEST(test_directory_of_a_missing_node_is_enoent)
{
    ck_assert_int_eq(xenstore_tree_directory("/missing", listing, sizeof(listing), &listing_length), -XEN_ENOENT);
}
END_TEST

START_TEST(test_directory_too_long_for_the_buffer_is_e2big)
{
    ck_assert_int_eq(write_string("/p/abcdef", "", 0), 0);
    ck_assert_int_eq(xenstore_tree_directory("/p", listing, 6, &listing_length), -XEN_E2BIG);
    ck_assert_int_eq(xenstore_tree_directory("/p", listing, 7, &listing_length), 0);
}
END_TEST

START_TEST(test_remove_takes_the_node_and_everything_below)
{
    bool removed;

    ck_assert_int_eq(write_string("/r/s/t", "v", 0), 0);
    ck_assert_int_eq(write_string("/r/u", "w", 0), 0);
    ck_assert_int_eq(xenstore_tree_remove("/r/s", &removed), 0);
    ck_assert(removed);
    ck_assert(!xenstore_tree_exists("/r/s"));
    ck_assert(!xenstore_tree_exists("/r/s/t"));
    ck_assert_str_eq(value_of("/r/u"), "w");
    ck_assert_str_eq(children_of("/r"), "u,");
}
END_TEST

START_TEST(test_remove_of_a_missing_node_under_an_existing_parent_is_no_error)
{
    bool removed;

    ck_assert_int_eq(write_string("/r", "", 0), 0);
    ck_assert_int_eq(xenstore_tree_remove("/r/missing", &removed), 0);
    ck_assert(!removed);
}
END_TEST

START_TEST(test_remove_under_a_missing_parent_is_enoent)
{
    bool removed;

    ck_assert_int_eq(xenstore_tree_remove("/missing/child", &removed), -XEN_ENOENT);
}
END_TEST

START_TEST(test_root_cannot_be_removed)
{
    bool removed;

    ck_assert_int_eq(xenstore_tree_remove("/", &removed), -XEN_EINVAL);
}
END_TEST

START_TEST(test_removed_values_give_their_space_back)
{
    char value[XENSTORE_VALUE_MAX];
    char path[32];
    bool removed;

    memset(value, 'v', sizeof(value));
    for (unsigned int round = 0; round < 4 * XENSTORE_VALUE_SPACE / XENSTORE_VALUE_MAX; round++) {
        snprintf(path, sizeof(path), "/big/%u", round);
        ck_assert_int_eq(xenstore_tree_write(path, value, sizeof(value), 0), 0);
        ck_assert_int_eq(xenstore_tree_remove(path, &removed), 0);
    }
    ck_assert_int_eq(write_string("/small", "still fits", 0), 0);
}
END_TEST

START_TEST(test_value_longer_than_the_maximum_is_enospc)
{
    static char value[XENSTORE_VALUE_MAX + 1];

    ck_assert_int_eq(xenstore_tree_write("/big", value, sizeof(value), 0), -XEN_ENOSPC);
    ck_assert(!xenstore_tree_exists("/big"));
    ck_assert_int_eq(xenstore_tree_write("/big", value, XENSTORE_VALUE_MAX, 0), 0);
}
END_TEST

START_TEST(test_values_beyond_the_shared_space_are_enospc)
{
    static char value[XENSTORE_VALUE_MAX];
    char path[32];
    unsigned int fitted = XENSTORE_VALUE_SPACE / XENSTORE_VALUE_MAX;

    for (unsigned int index = 0; index < fitted; index++) {
        snprintf(path, sizeof(path), "/v%u", index);
        ck_assert_int_eq(xenstore_tree_write(path, value, sizeof(value), 0), 0);
    }
    ck_assert_int_eq(xenstore_tree_write("/one-more", "x", 1, 0), -XEN_ENOSPC);
    ck_assert(!xenstore_tree_exists("/one-more"));
}
END_TEST

START_TEST(test_domu_owning_its_quota_of_nodes_gets_enospc)
{
    char path[48];

    make_domu_home();
    for (unsigned int index = 0; index < XENSTORE_NODES_PER_DOMAIN; index++) {
        snprintf(path, sizeof(path), "/local/domain/3/n%u", index);
        ck_assert_int_eq(write_string(path, "", DOMU), 0);
    }
    ck_assert_uint_eq(xenstore_tree_nodes_owned(DOMU), XENSTORE_NODES_PER_DOMAIN);
    ck_assert_int_eq(write_string("/local/domain/3/one-more", "", DOMU), -XEN_ENOSPC);
    ck_assert(!xenstore_tree_exists("/local/domain/3/one-more"));
}
END_TEST

START_TEST(test_quota_counts_the_parents_a_write_would_create)
{
    char path[48];

    make_domu_home();
    for (unsigned int index = 0; index < XENSTORE_NODES_PER_DOMAIN - 1; index++) {
        snprintf(path, sizeof(path), "/local/domain/3/n%u", index);
        ck_assert_int_eq(write_string(path, "", DOMU), 0);
    }
    ck_assert_int_eq(write_string("/local/domain/3/a/b", "", DOMU), -XEN_ENOSPC);
    ck_assert(!xenstore_tree_exists("/local/domain/3/a"));
    ck_assert_int_eq(write_string("/local/domain/3/a", "", DOMU), 0);
}
END_TEST

START_TEST(test_dom0_has_no_node_quota)
{
    char path[32];

    for (unsigned int index = 0; index < XENSTORE_NODES_PER_DOMAIN + 1; index++) {
        snprintf(path, sizeof(path), "/n%u", index);
        ck_assert_int_eq(write_string(path, "", 0), 0);
    }
}
END_TEST

START_TEST(test_removing_nodes_gives_back_quota)
{
    char path[48];
    bool removed;

    make_domu_home();
    for (unsigned int index = 0; index < XENSTORE_NODES_PER_DOMAIN; index++) {
        snprintf(path, sizeof(path), "/local/domain/3/n%u", index);
        ck_assert_int_eq(write_string(path, "", DOMU), 0);
    }
    ck_assert_int_eq(xenstore_tree_remove("/local/domain/3/n0", &removed), 0);
    ck_assert_int_eq(write_string("/local/domain/3/again", "", DOMU), 0);
}
END_TEST

START_TEST(test_full_node_pool_is_enospc)
{
    char path[32];
    unsigned int index;

    for (index = 0; index < XENSTORE_MAX_NODES - 1; index++) {
        snprintf(path, sizeof(path), "/n%u", index);
        ck_assert_int_eq(write_string(path, "", 0), 0);
    }
    snprintf(path, sizeof(path), "/n%u", index);
    ck_assert_int_eq(write_string(path, "", 0), -XEN_ENOSPC);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *xenstore_tree_suite(void)
{
    Suite *suite = suite_create("xenstore_tree");

    add_test_case(suite, test_new_tree_has_only_an_empty_root);
    add_test_case(suite, test_written_value_reads_back);
    add_test_case(suite, test_value_may_hold_nul_bytes);
    add_test_case(suite, test_write_creates_missing_parents_empty);
    add_test_case(suite, test_rewrite_replaces_the_value_and_keeps_the_others);
    add_test_case(suite, test_read_of_a_missing_node_is_enoent);
    add_test_case(suite, test_mkdir_creates_an_empty_node_and_its_parents);
    add_test_case(suite, test_mkdir_leaves_an_existing_node_and_its_value);
    add_test_case(suite, test_directory_lists_children_in_creation_order);
    add_test_case(suite, test_directory_of_a_missing_node_is_enoent);
    add_test_case(suite, test_directory_too_long_for_the_buffer_is_e2big);
    add_test_case(suite, test_remove_takes_the_node_and_everything_below);
    add_test_case(suite, test_remove_of_a_missing_node_under_an_existing_parent_is_no_error);
    add_test_case(suite, test_remove_under_a_missing_parent_is_enoent);
    add_test_case(suite, test_root_cannot_be_removed);
    add_test_case(suite, test_removed_values_give_their_space_back);
    add_test_case(suite, test_value_longer_than_the_maximum_is_enospc);
    add_test_case(suite, test_values_beyond_the_shared_space_are_enospc);
    add_test_case(suite, test_domu_owning_its_quota_of_nodes_gets_enospc);
    add_test_case(suite, test_quota_counts_the_parents_a_write_would_create);
    add_test_case(suite, test_dom0_has_no_node_quota);
    add_test_case(suite, test_removing_nodes_gives_back_quota);
    add_test_case(suite, test_full_node_pool_is_enospc);
    return suite;
}

REGISTER_SUITE(xenstore_tree_suite)
