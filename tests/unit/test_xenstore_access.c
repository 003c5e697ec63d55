/*
 * Specification of the xenstore's permission rules
 * (tools/xenstored/xenstore_store.h), one by one, as Xen 4.17's xenstored
 * keeps them (tools/xenstore/xenstored_core.c, xenstored_watch.c):
 * which access each operation needs, what a domain learns about a node
 * it may not see, who may change a node's list, how new nodes inherit
 * it, which watchers hear of a change, and what is left of a domain
 * that is gone.  The store holds two domUs'
 * homes as libxl makes them and a vbd's frontend and backend directories
 * with libxl's lists (split-drivers.md §2.1): the frontend's
 * { {3, none}, {0, read} }, the backend's { {0, none}, {3, read} }.
 */
#include <stdio.h>
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_home.h>
#include <tools/xenstored/xenstore_store.h>
#include <tools/xenstored/xenstore_tree.h>

#include "suites.h"

#define DOMU 3
#define OTHER_DOMU 4
#define FRONTEND "/local/domain/3/device/vbd/51712"
#define BACKEND "/local/domain/0/backend/vbd/3/51712"
#define MAX_EVENTS 8

static struct {
    xenstore_domain watcher;
    char path[XENSTORE_PATH_SIZE];
} events[MAX_EVENTS];
static unsigned int event_count;

static void record_event(xenstore_domain watcher, const char *path, const char *token, void *context)
{
    (void)token;
    (void)context;
    ck_assert_uint_lt(event_count, MAX_EVENTS);
    events[event_count].watcher = watcher;
    strcpy(events[event_count].path, path);
    event_count++;
}

static void set_list(const char *path, xenstore_domain domain, const struct xenstore_permission *perms,
                     unsigned int count)
{
    ck_assert_int_eq(xenstore_store_set_permissions(domain, path, perms, count), 0);
}

static void setup(void)
{
    const struct xenstore_permission frontend[] = { { DOMU, XENSTORE_PERM_NONE }, { 0, XENSTORE_PERM_READ } };
    const struct xenstore_permission backend[] = { { 0, XENSTORE_PERM_NONE }, { DOMU, XENSTORE_PERM_READ } };

    xenstore_store_init(record_event, NULL);
    ck_assert_int_eq(xenstore_home_create(DOMU), 0);
    ck_assert_int_eq(xenstore_home_create(OTHER_DOMU), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/name", "guest"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/0/name", "Domain-0"), 0);
    ck_assert_int_eq(xenstore_store_mkdir(0, FRONTEND), 0);
    set_list(FRONTEND, 0, frontend, 2);
    ck_assert_int_eq(xenstore_store_write_string(0, BACKEND "/state", "1"), 0);
    set_list(BACKEND, 0, backend, 2);
    set_list(BACKEND "/state", 0, backend, 2);
    event_count = 0;
}

static int read_as(xenstore_domain domain, const char *path)
{
    const uint8_t *value;
    uint32_t length;

    return xenstore_store_read(domain, path, &value, &length);
}

static int write_as(xenstore_domain domain, const char *path)
{
    return xenstore_store_write_string(domain, path, "x");
}

/* The node's list as dom0 reads it, in the wire format ("n3,r0,"). */
static const char *list_of(const char *path)
{
    static char text[64];
    struct xenstore_permission perms[XENSTORE_PERMISSIONS_MAX];
    static const char letters[] = "nrwb";
    unsigned int count;
    size_t used = 0;

    ck_assert_int_eq(xenstore_store_get_permissions(0, path, perms, XENSTORE_PERMISSIONS_MAX, &count), 0);
    text[0] = '\0';
    for (unsigned int index = 0; index < count; index++)
        used += (size_t)snprintf(&text[used], sizeof(text) - used, "%c%u,", letters[perms[index].access],
                                 (unsigned int)perms[index].domain);
    return text;
}

/* --- reading ---------------------------------------------------------------------- */

START_TEST(test_domu_reads_a_node_whose_list_lets_it_read)
{
    ck_assert_int_eq(read_as(DOMU, BACKEND "/state"), 0);
}
END_TEST

START_TEST(test_domu_reading_a_node_its_list_does_not_let_it_read_gets_eacces)
{
    ck_assert_int_eq(read_as(DOMU, "/local/domain/0/name"), -XEN_EACCES);
}
END_TEST

START_TEST(test_other_domu_reading_a_node_readable_by_one_domu_gets_eacces)
{
    ck_assert_int_eq(read_as(OTHER_DOMU, BACKEND "/state"), -XEN_EACCES);
}
END_TEST

START_TEST(test_dom0_reads_a_node_whatever_its_list)
{
    ck_assert_int_eq(read_as(0, "/local/domain/3/data"), 0);
}
END_TEST

START_TEST(test_missing_node_under_a_node_the_domu_may_read_is_enoent)
{
    ck_assert_int_eq(read_as(DOMU, "/local/domain/3/missing"), -XEN_ENOENT);
}
END_TEST

START_TEST(test_missing_node_under_a_node_the_domu_may_not_read_is_eacces)
{
    ck_assert_int_eq(read_as(DOMU, "/local/domain/4/missing"), -XEN_EACCES);
    ck_assert_int_eq(read_as(DOMU, "/nowhere/at/all"), -XEN_EACCES);
}
END_TEST

START_TEST(test_missing_node_is_judged_by_its_nearest_existing_ancestor)
{
    ck_assert_int_eq(read_as(DOMU, "/local/domain/3/data/a/b/c"), -XEN_ENOENT);
    ck_assert_int_eq(read_as(DOMU, "/local/domain/4/data/a/b/c"), -XEN_EACCES);
}
END_TEST

START_TEST(test_directory_needs_read)
{
    char listing[256];
    uint32_t length;

    ck_assert_int_eq(xenstore_store_directory(DOMU, "/local/domain/4", listing, sizeof(listing), &length),
                     -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_directory(DOMU, BACKEND, listing, sizeof(listing), &length), 0);
}
END_TEST

/* Xen: send_directory lists every child; reading each is another matter. */
START_TEST(test_directory_lists_children_the_domu_may_not_read)
{
    const struct xenstore_permission private_list[] = { { 0, XENSTORE_PERM_NONE } };
    char listing[256];
    uint32_t length;

    ck_assert_int_eq(xenstore_store_write_string(0, BACKEND "/private", "p"), 0);
    set_list(BACKEND "/private", 0, private_list, 1);
    ck_assert_int_eq(xenstore_store_directory(DOMU, BACKEND, listing, sizeof(listing), &length), 0);
    ck_assert_mem_eq(listing, "state\0private", 14);
    ck_assert_int_eq(read_as(DOMU, BACKEND "/private"), -XEN_EACCES);
}
END_TEST

START_TEST(test_get_permissions_needs_read)
{
    struct xenstore_permission perms[XENSTORE_PERMISSIONS_MAX];
    unsigned int count;

    ck_assert_int_eq(xenstore_store_get_permissions(DOMU, "/local/domain/4", perms, XENSTORE_PERMISSIONS_MAX, &count),
                     -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_get_permissions(DOMU, BACKEND, perms, XENSTORE_PERMISSIONS_MAX, &count), 0);
    ck_assert_uint_eq(count, 2);
}
END_TEST

START_TEST(test_get_permissions_into_too_small_an_array_is_e2big)
{
    struct xenstore_permission perms[1];
    unsigned int count;

    ck_assert_int_eq(xenstore_store_get_permissions(0, BACKEND, perms, 1, &count), -XEN_E2BIG);
}
END_TEST

/* --- writing ----------------------------------------------------------------------- */

START_TEST(test_domu_with_read_only_may_not_write_the_node)
{
    ck_assert_int_eq(write_as(DOMU, "name"), -XEN_EACCES);
    ck_assert_int_eq(read_as(0, "/local/domain/3/name"), 0);
}
END_TEST

START_TEST(test_domu_may_write_a_node_it_owns)
{
    ck_assert_int_eq(write_as(DOMU, "control/shutdown"), 0);
}
END_TEST

START_TEST(test_domu_may_write_a_node_whose_entry_gives_it_write_only)
{
    const struct xenstore_permission write_only[] = { { DOMU, XENSTORE_PERM_NONE },
                                                      { OTHER_DOMU, XENSTORE_PERM_WRITE } };

    ck_assert_int_eq(write_as(DOMU, "data/shared"), 0);
    set_list("/local/domain/3/data/shared", DOMU, write_only, 2);
    ck_assert_int_eq(write_as(OTHER_DOMU, "/local/domain/3/data/shared"), 0);
    ck_assert_int_eq(read_as(OTHER_DOMU, "/local/domain/3/data/shared"), -XEN_EACCES);
}
END_TEST

START_TEST(test_domu_creates_a_node_under_a_node_it_may_write)
{
    ck_assert_int_eq(write_as(DOMU, "data/new/deep"), 0);
    ck_assert_int_eq(read_as(DOMU, "data/new/deep"), 0);
}
END_TEST

START_TEST(test_domu_creating_a_node_under_a_node_it_may_only_read_gets_eacces)
{
    ck_assert_int_eq(write_as(DOMU, "newkey"), -XEN_EACCES);
    ck_assert_int_eq(read_as(0, "/local/domain/3/newkey"), -XEN_ENOENT);
}
END_TEST

START_TEST(test_domu_creating_a_node_under_a_node_it_may_not_see_gets_eacces)
{
    ck_assert_int_eq(write_as(DOMU, "/local/domain/4/data/x"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "/tool"), -XEN_EACCES);
}
END_TEST

START_TEST(test_mkdir_of_an_existing_node_without_write_is_eacces)
{
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "name"), -XEN_EACCES);
}
END_TEST

START_TEST(test_mkdir_of_an_existing_node_with_write_changes_nothing)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "data"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_node_a_domu_creates_is_its_own_with_the_parents_other_entries)
{
    const struct xenstore_permission shared[] = { { DOMU, XENSTORE_PERM_NONE }, { OTHER_DOMU, XENSTORE_PERM_BOTH } };

    set_list("/local/domain/3/data", 0, shared, 2);
    ck_assert_int_eq(write_as(OTHER_DOMU, "/local/domain/3/data/from-4"), 0);
    ck_assert_str_eq(list_of("/local/domain/3/data/from-4"), "n4,b4,");
}
END_TEST

START_TEST(test_node_dom0_creates_keeps_its_parents_list)
{
    ck_assert_int_eq(write_as(0, FRONTEND "/backend-id"), 0);
    ck_assert_str_eq(list_of(FRONTEND "/backend-id"), "n3,r0,");
}
END_TEST

START_TEST(test_nodes_a_domu_creates_count_against_its_quota)
{
    unsigned int owned = xenstore_tree_nodes_owned(DOMU);

    ck_assert_int_eq(write_as(DOMU, FRONTEND "/ring-ref"), 0);
    ck_assert_uint_eq(xenstore_tree_nodes_owned(DOMU), owned + 1);
}
END_TEST

/* --- removing ---------------------------------------------------------------------- */

START_TEST(test_remove_needs_write_on_the_node)
{
    ck_assert_int_eq(xenstore_store_remove(DOMU, "name"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_remove(DOMU, "control/shutdown"), 0);
}
END_TEST

START_TEST(test_domu_removing_its_home_gets_eacces_because_the_home_is_dom0s)
{
    ck_assert_int_eq(xenstore_store_remove(DOMU, "/local/domain/3"), -XEN_EACCES);
}
END_TEST

START_TEST(test_remove_of_a_missing_node_under_a_node_it_may_not_write_is_eacces)
{
    ck_assert_int_eq(xenstore_store_remove(DOMU, "/local/domain/4/missing"), -XEN_EACCES);
}
END_TEST

START_TEST(test_domu_removing_the_root_gets_eacces_not_einval)
{
    ck_assert_int_eq(xenstore_store_remove(DOMU, "/"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_remove(0, "/"), -XEN_EINVAL);
}
END_TEST

/* --- changing a list ----------------------------------------------------------------- */

START_TEST(test_owner_sets_its_nodes_list)
{
    const struct xenstore_permission shared[] = { { DOMU, XENSTORE_PERM_NONE }, { OTHER_DOMU, XENSTORE_PERM_READ } };

    ck_assert_int_eq(write_as(DOMU, "data/x"), 0);
    set_list("data/x", DOMU, shared, 2);
    ck_assert_str_eq(list_of("/local/domain/3/data/x"), "n3,r4,");
    ck_assert_int_eq(read_as(OTHER_DOMU, "/local/domain/3/data/x"), 0);
}
END_TEST

START_TEST(test_domain_with_write_that_does_not_own_the_node_may_not_set_its_list)
{
    const struct xenstore_permission shared[] = { { DOMU, XENSTORE_PERM_NONE }, { OTHER_DOMU, XENSTORE_PERM_BOTH } };
    const struct xenstore_permission open[] = { { DOMU, XENSTORE_PERM_BOTH } };

    ck_assert_int_eq(write_as(DOMU, "data/x"), 0);
    set_list("data/x", DOMU, shared, 2);
    ck_assert_int_eq(xenstore_store_set_permissions(OTHER_DOMU, "/local/domain/3/data/x", open, 1), -XEN_EACCES);
    ck_assert_str_eq(list_of("/local/domain/3/data/x"), "n3,b4,");
}
END_TEST

START_TEST(test_domu_giving_its_node_away_gets_eperm)
{
    const struct xenstore_permission given[] = { { OTHER_DOMU, XENSTORE_PERM_NONE } };

    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "data", given, 1), -XEN_EPERM);
    ck_assert_str_eq(list_of("/local/domain/3/data"), "n3,");
}
END_TEST

START_TEST(test_dom0_may_give_a_node_to_another_owner)
{
    const struct xenstore_permission given[] = { { OTHER_DOMU, XENSTORE_PERM_NONE } };

    set_list("/local/domain/3/data", 0, given, 1);
    ck_assert_int_eq(write_as(DOMU, "data/x"), -XEN_EACCES);
    ck_assert_int_eq(write_as(OTHER_DOMU, "/local/domain/3/data/x"), 0);
}
END_TEST

START_TEST(test_domu_setting_the_list_of_a_node_it_may_not_read_gets_eacces)
{
    const struct xenstore_permission open[] = { { DOMU, XENSTORE_PERM_BOTH } };

    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, BACKEND, open, 1), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "/local/domain/0/name", open, 1), -XEN_EACCES);
}
END_TEST

START_TEST(test_setting_the_list_of_a_missing_node_is_enoent_or_eacces_as_its_ancestor_says)
{
    const struct xenstore_permission mine[] = { { DOMU, XENSTORE_PERM_NONE } };

    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "data/missing", mine, 1), -XEN_ENOENT);
    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "/local/domain/4/missing", mine, 1), -XEN_EACCES);
}
END_TEST

START_TEST(test_special_paths_lists_are_not_a_domus_to_set)
{
    const struct xenstore_permission mine[] = { { DOMU, XENSTORE_PERM_READ } };

    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "@releaseDomain", mine, 1), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "@other", mine, 1), -XEN_EINVAL);
}
END_TEST

START_TEST(test_malformed_list_is_refused_before_the_node_is_looked_at)
{
    const struct xenstore_permission bad[] = { { DOMU, 7 } };
    struct xenstore_permission many[XENSTORE_PERMISSIONS_MAX + 1] = { { DOMU, XENSTORE_PERM_NONE } };

    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "data", bad, 1), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "data", bad, 0), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_store_set_permissions(DOMU, "data", many, XENSTORE_PERMISSIONS_MAX + 1), -XEN_ENOSPC);
    ck_assert_str_eq(list_of("/local/domain/3/data"), "n3,");
}
END_TEST

/* --- watches ------------------------------------------------------------------------- */

START_TEST(test_watcher_hears_a_change_to_a_node_it_may_read)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, BACKEND, "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, BACKEND "/state", "2"), 0);
    ck_assert_uint_eq(event_count, 1);
    ck_assert_str_eq(events[0].path, BACKEND "/state");
}
END_TEST

START_TEST(test_watcher_does_not_hear_a_change_to_a_node_it_may_not_read_nor_its_parent)
{
    ck_assert_int_eq(xenstore_store_watch(OTHER_DOMU, "/", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, BACKEND "/state", "2"), 0);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

/* Xen: watch_permitted lets the node's parent decide too. */
START_TEST(test_watcher_hears_a_change_to_a_node_it_may_not_read_under_a_parent_it_may)
{
    const struct xenstore_permission private_list[] = { { 0, XENSTORE_PERM_NONE } };

    ck_assert_int_eq(xenstore_store_write_string(0, BACKEND "/private", "p"), 0);
    set_list(BACKEND "/private", 0, private_list, 1);
    ck_assert_int_eq(xenstore_store_watch(DOMU, BACKEND, "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, BACKEND "/private", "q"), 0);
    ck_assert_uint_eq(event_count, 1);
}
END_TEST

START_TEST(test_setting_a_list_fires_the_nodes_watches)
{
    const struct xenstore_permission more[] = { { DOMU, XENSTORE_PERM_NONE }, { OTHER_DOMU, XENSTORE_PERM_READ } };

    ck_assert_int_eq(xenstore_store_watch(OTHER_DOMU, "/local/domain/3/data", "t"), 0);
    set_list("/local/domain/3/data", DOMU, more, 2);
    ck_assert_uint_eq(event_count, 1);
    ck_assert_uint_eq(events[0].watcher, OTHER_DOMU);
}
END_TEST

/* Xen: fire_watches with the old list, "a watcher losing permissions to access a node should receive the event". */
START_TEST(test_watcher_losing_read_hears_of_the_change_that_took_it)
{
    const struct xenstore_permission shared[] = { { OTHER_DOMU, XENSTORE_PERM_NONE }, { DOMU, XENSTORE_PERM_READ } };
    const struct xenstore_permission private_list[] = { { OTHER_DOMU, XENSTORE_PERM_NONE } };

    ck_assert_int_eq(xenstore_store_write_string(OTHER_DOMU, "data/x", "1"), 0);
    set_list("/local/domain/4/data/x", OTHER_DOMU, shared, 2);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/4/data/x", "t"), 0);
    set_list("/local/domain/4/data/x", OTHER_DOMU, private_list, 1);
    ck_assert_uint_eq(event_count, 1);
    ck_assert_uint_eq(events[0].watcher, DOMU);
}
END_TEST

START_TEST(test_removal_is_heard_only_by_watchers_that_could_read_the_node)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, BACKEND, "t"), 0);
    ck_assert_int_eq(xenstore_store_watch(OTHER_DOMU, BACKEND, "t"), 0);
    ck_assert_int_eq(xenstore_store_remove(0, BACKEND), 0);
    ck_assert_uint_eq(event_count, 1);
    ck_assert_uint_eq(events[0].watcher, DOMU);
}
END_TEST

/* --- a domain that is gone (Xen: domain_tree_remove, domain_adjust_node_perms) --------- */

/* Domain 3 may write into domain 4's data/, and leaves a node of its own there. */
static void leave_a_node_in_the_other_home(void)
{
    const struct xenstore_permission shared[] = { { OTHER_DOMU, XENSTORE_PERM_NONE }, { DOMU, XENSTORE_PERM_BOTH } };

    set_list("/local/domain/4/data", 0, shared, 2);
    ck_assert_int_eq(write_as(DOMU, "/local/domain/4/data/from-3/leaf"), 0);
}

START_TEST(test_released_domains_nodes_are_removed_with_what_is_below_them)
{
    leave_a_node_in_the_other_home();
    xenstore_store_release_domain(DOMU);
    ck_assert_int_eq(read_as(0, "/local/domain/4/data/from-3"), -XEN_ENOENT);
    ck_assert_int_eq(read_as(0, "/local/domain/4/data"), 0);
    ck_assert_uint_eq(xenstore_tree_nodes_owned(DOMU), 0);
}
END_TEST

START_TEST(test_removal_of_a_released_domains_nodes_fires_the_watches)
{
    leave_a_node_in_the_other_home();
    ck_assert_int_eq(xenstore_store_watch(OTHER_DOMU, "data", "t"), 0);
    xenstore_store_release_domain(DOMU);
    ck_assert_uint_ge(event_count, 1);
    ck_assert_uint_eq(events[0].watcher, OTHER_DOMU);
    ck_assert_str_eq(events[0].path, "data/from-3");
}
END_TEST

START_TEST(test_released_domains_entries_leave_every_list)
{
    xenstore_store_release_domain(DOMU);
    ck_assert_str_eq(list_of(BACKEND), "n0,");
}
END_TEST

START_TEST(test_released_domains_watches_are_gone)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, BACKEND, "t"), 0);
    xenstore_store_release_domain(DOMU);
    ck_assert_int_eq(xenstore_store_unwatch(DOMU, BACKEND, "t"), -XEN_ENOENT);
}
END_TEST

START_TEST(test_releasing_dom0_changes_nothing)
{
    xenstore_store_release_domain(0);
    ck_assert_int_eq(read_as(0, "/local/domain/0/name"), 0);
    ck_assert_str_eq(list_of(FRONTEND), "n3,r0,");
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

static Suite *xenstore_access_suite(void)
{
    Suite *suite = suite_create("xenstore_access");

    add_test_case(suite, test_domu_reads_a_node_whose_list_lets_it_read);
    add_test_case(suite, test_domu_reading_a_node_its_list_does_not_let_it_read_gets_eacces);
    add_test_case(suite, test_other_domu_reading_a_node_readable_by_one_domu_gets_eacces);
    add_test_case(suite, test_dom0_reads_a_node_whatever_its_list);
    add_test_case(suite, test_missing_node_under_a_node_the_domu_may_read_is_enoent);
    add_test_case(suite, test_missing_node_under_a_node_the_domu_may_not_read_is_eacces);
    add_test_case(suite, test_missing_node_is_judged_by_its_nearest_existing_ancestor);
    add_test_case(suite, test_directory_needs_read);
    add_test_case(suite, test_directory_lists_children_the_domu_may_not_read);
    add_test_case(suite, test_get_permissions_needs_read);
    add_test_case(suite, test_get_permissions_into_too_small_an_array_is_e2big);
    add_test_case(suite, test_domu_with_read_only_may_not_write_the_node);
    add_test_case(suite, test_domu_may_write_a_node_it_owns);
    add_test_case(suite, test_domu_may_write_a_node_whose_entry_gives_it_write_only);
    add_test_case(suite, test_domu_creates_a_node_under_a_node_it_may_write);
    add_test_case(suite, test_domu_creating_a_node_under_a_node_it_may_only_read_gets_eacces);
    add_test_case(suite, test_domu_creating_a_node_under_a_node_it_may_not_see_gets_eacces);
    add_test_case(suite, test_mkdir_of_an_existing_node_without_write_is_eacces);
    add_test_case(suite, test_mkdir_of_an_existing_node_with_write_changes_nothing);
    add_test_case(suite, test_node_a_domu_creates_is_its_own_with_the_parents_other_entries);
    add_test_case(suite, test_node_dom0_creates_keeps_its_parents_list);
    add_test_case(suite, test_nodes_a_domu_creates_count_against_its_quota);
    add_test_case(suite, test_remove_needs_write_on_the_node);
    add_test_case(suite, test_domu_removing_its_home_gets_eacces_because_the_home_is_dom0s);
    add_test_case(suite, test_remove_of_a_missing_node_under_a_node_it_may_not_write_is_eacces);
    add_test_case(suite, test_domu_removing_the_root_gets_eacces_not_einval);
    add_test_case(suite, test_owner_sets_its_nodes_list);
    add_test_case(suite, test_domain_with_write_that_does_not_own_the_node_may_not_set_its_list);
    add_test_case(suite, test_domu_giving_its_node_away_gets_eperm);
    add_test_case(suite, test_dom0_may_give_a_node_to_another_owner);
    add_test_case(suite, test_domu_setting_the_list_of_a_node_it_may_not_read_gets_eacces);
    add_test_case(suite, test_setting_the_list_of_a_missing_node_is_enoent_or_eacces_as_its_ancestor_says);
    add_test_case(suite, test_special_paths_lists_are_not_a_domus_to_set);
    add_test_case(suite, test_malformed_list_is_refused_before_the_node_is_looked_at);
    add_test_case(suite, test_watcher_hears_a_change_to_a_node_it_may_read);
    add_test_case(suite, test_watcher_does_not_hear_a_change_to_a_node_it_may_not_read_nor_its_parent);
    add_test_case(suite, test_watcher_hears_a_change_to_a_node_it_may_not_read_under_a_parent_it_may);
    add_test_case(suite, test_setting_a_list_fires_the_nodes_watches);
    add_test_case(suite, test_watcher_losing_read_hears_of_the_change_that_took_it);
    add_test_case(suite, test_removal_is_heard_only_by_watchers_that_could_read_the_node);
    add_test_case(suite, test_released_domains_nodes_are_removed_with_what_is_below_them);
    add_test_case(suite, test_removal_of_a_released_domains_nodes_fires_the_watches);
    add_test_case(suite, test_released_domains_entries_leave_every_list);
    add_test_case(suite, test_released_domains_watches_are_gone);
    add_test_case(suite, test_releasing_dom0_changes_nothing);
    return suite;
}

REGISTER_SUITE(xenstore_access_suite)
