/*
 * Specification of the xenstore's operations on behalf of a domain
 * (tools/xenstored/xenstore_store.h) in homes made as libxl makes them
 * (xenstore_home.h): relative paths under the home, a domU confined to
 * what its home's permissions give it (EACCES elsewhere; dom0
 * everywhere), and watches as docs/misc/xenstore.txt describes them: a
 * first event when set, then one per change at or below the watched
 * path, on removal of an ancestor too, matched by whole path components,
 * reported relative when set relative, never about nodes the watcher may
 * not read.  The permission rules one by one: test_xenstore_access.c.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_home.h>
#include <tools/xenstored/xenstore_store.h>
#include <tools/xenstored/xenstore_tree.h>

#include "suites.h"

#define DOMU 3
#define OTHER_DOMU 4
#define MAX_EVENTS 16

struct event {
    xenstore_domain watcher;
    char path[XENSTORE_PATH_SIZE];
    char token[XENSTORE_TOKEN_SIZE];
};

static struct event events[MAX_EVENTS];
static unsigned int event_count;

static void record_event(xenstore_domain watcher, const char *path, const char *token, void *context)
{
    (void)context;
    ck_assert_uint_lt(event_count, MAX_EVENTS);
    events[event_count].watcher = watcher;
    strcpy(events[event_count].path, path);
    strcpy(events[event_count].token, token);
    event_count++;
}

static void expect_event(unsigned int index, xenstore_domain watcher, const char *path, const char *token)
{
    ck_assert_uint_lt(index, event_count);
    ck_assert_uint_eq(events[index].watcher, watcher);
    ck_assert_str_eq(events[index].path, path);
    ck_assert_str_eq(events[index].token, token);
}

/* A store with the domUs' homes, made by dom0 as the toolstack does. */
static void setup(void)
{
    xenstore_store_init(record_event, NULL);
    ck_assert_int_eq(xenstore_home_create(DOMU), 0);
    ck_assert_int_eq(xenstore_home_create(OTHER_DOMU), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/name", "guest"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/4/name", "other"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/0/name", "Domain-0"), 0);
    event_count = 0;
}

static const char *value_as(xenstore_domain domain, const char *path)
{
    static char text[XENSTORE_PATH_SIZE];
    const uint8_t *value;
    uint32_t length;

    if (xenstore_store_read(domain, path, &value, &length) != 0)
        return NULL;
    memcpy(text, value, length);
    text[length] = '\0';
    return text;
}

static int read_as(xenstore_domain domain, const char *path)
{
    const uint8_t *value;
    uint32_t length;

    return xenstore_store_read(domain, path, &value, &length);
}

/* --- paths and confinement ------------------------------------------------ */

START_TEST(test_generation_moves_on_with_every_change_and_not_on_reads)
{
    uint64_t before = xenstore_store_generation();

    ck_assert_str_eq(value_as(DOMU, "name"), "guest");
    ck_assert_uint_eq(xenstore_store_generation(), before);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_uint_gt(xenstore_store_generation(), before);
    before = xenstore_store_generation();
    ck_assert_int_eq(xenstore_store_remove(DOMU, "data/x"), 0);
    ck_assert_uint_gt(xenstore_store_generation(), before);
    before = xenstore_store_generation();
    ck_assert_int_eq(xenstore_store_mkdir(0, "/local/domain/3/data/d"), 0);
    ck_assert_uint_gt(xenstore_store_generation(), before);
}
END_TEST

START_TEST(test_relative_path_names_a_node_in_the_callers_home)
{
    ck_assert_str_eq(value_as(DOMU, "name"), "guest");
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_str_eq(value_as(0, "/local/domain/3/data/x"), "1");
}
END_TEST

START_TEST(test_domu_reads_and_writes_its_home_by_absolute_path)
{
    ck_assert_str_eq(value_as(DOMU, "/local/domain/3/name"), "guest");
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "/local/domain/3/data/y", "2"), 0);
}
END_TEST

START_TEST(test_domu_reading_another_domains_home_gets_eacces)
{
    ck_assert_int_eq(read_as(DOMU, "/local/domain/4/name"), -XEN_EACCES);
    ck_assert_int_eq(read_as(DOMU, "/local/domain/0/name"), -XEN_EACCES);
    ck_assert_int_eq(read_as(DOMU, "/local/domain"), -XEN_EACCES);
}
END_TEST

START_TEST(test_domu_gets_eacces_outside_its_home_whether_the_node_exists_or_not)
{
    ck_assert_int_eq(read_as(DOMU, "/missing"), -XEN_EACCES);
}
END_TEST

START_TEST(test_domu_changing_anything_outside_its_home_gets_eacces_and_nothing_changes)
{
    char listing[64];
    uint32_t length;

    ck_assert_int_eq(xenstore_store_write_string(DOMU, "/local/domain/4/name", "mine"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "/tool"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_remove(DOMU, "/local/domain/4"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_directory(DOMU, "/", listing, sizeof(listing), &length), -XEN_EACCES);
    ck_assert_str_eq(value_as(0, "/local/domain/4/name"), "other");
    ck_assert_int_eq(read_as(0, "/tool"), -XEN_ENOENT);
}
END_TEST

/* Not a rule of its own: libxl's home is dom0's, the domain may only read it. */
START_TEST(test_domu_may_not_remove_its_home_itself)
{
    ck_assert_int_eq(xenstore_store_remove(DOMU, "/local/domain/3"), -XEN_EACCES);
    ck_assert_str_eq(value_as(DOMU, "name"), "guest");
}
END_TEST

START_TEST(test_domu_may_remove_a_node_of_its_home_it_may_write)
{
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_int_eq(xenstore_store_remove(DOMU, "data/x"), 0);
    ck_assert_int_eq(read_as(DOMU, "data/x"), -XEN_ENOENT);
}
END_TEST

/* Changed with per-node permissions (Xen: the toolstack's nodes are dom0's, libxl_create.c roperm). */
START_TEST(test_domu_may_not_remove_what_dom0_wrote_in_its_home)
{
    ck_assert_int_eq(xenstore_store_remove(DOMU, "name"), -XEN_EACCES);
    ck_assert_str_eq(value_as(DOMU, "name"), "guest");
}
END_TEST

START_TEST(test_dom0_reads_and_writes_everywhere)
{
    ck_assert_int_eq(xenstore_store_write_string(0, "/tool/x", "y"), 0);
    ck_assert_str_eq(value_as(0, "/local/domain/3/name"), "guest");
    ck_assert_int_eq(xenstore_store_remove(0, "/local/domain/3"), 0);
}
END_TEST

START_TEST(test_malformed_path_is_einval_before_access_is_considered)
{
    ck_assert_int_eq(read_as(DOMU, "/local//domain"), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/", "x"), -XEN_EINVAL);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "@releaseDomain", "x"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_domus_nodes_are_counted_against_its_quota)
{
    unsigned int owned = xenstore_tree_nodes_owned(DOMU);

    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/a/b", "x"), 0);
    ck_assert_uint_eq(xenstore_tree_nodes_owned(DOMU), owned + 2);
}
END_TEST

/* --- watches ----------------------------------------------------------------- */

START_TEST(test_new_watch_fires_once_with_the_path_as_given)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "control/shutdown", "tok"), 0);
    ck_assert_uint_eq(event_count, 0);
    xenstore_store_fire_new_watch(DOMU, "control/shutdown", "tok");
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "control/shutdown", "tok");
}
END_TEST

START_TEST(test_write_fires_a_watch_on_the_node)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/3/memory/target", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/memory/target", "1024"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "/local/domain/3/memory/target", "t");
}
END_TEST

START_TEST(test_change_below_a_watched_path_fires_with_the_changed_path)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/3/device", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/device/vif/0/state", "1"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "/local/domain/3/device/vif/0/state", "t");
}
END_TEST

START_TEST(test_watch_matches_whole_path_components_only)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/3/dev", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/device", "x"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_change_above_a_watched_path_does_not_fire_it)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/3/data/deep", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/data", "x"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_mkdir_fires_only_when_it_creates_the_node)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "data/dir"), 0);
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "data/dir"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "data/dir", "t");
}
END_TEST

START_TEST(test_remove_fires_a_watch_on_the_removed_node)
{
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_remove(DOMU, "data/x"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "data/x", "t");
}
END_TEST

START_TEST(test_removing_an_ancestor_fires_a_watch_below_it_with_the_watched_path)
{
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/a/b", "1"), 0);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data/a/b", "t"), 0);
    ck_assert_int_eq(xenstore_store_remove(DOMU, "data/a"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "data/a/b", "t");
}
END_TEST

/*
 * Changed with per-node permissions: Xen fires a removal only for the
 * nodes that were removed (xenstored_core.c delnode_sub; watch_permitted
 * needs the node), so a watch on a path that did not exist stays quiet.
 */
START_TEST(test_removing_an_ancestor_does_not_fire_a_watch_on_a_node_that_never_existed)
{
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/a/b", "1"), 0);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data/a/b/c", "t"), 0);
    ck_assert_int_eq(xenstore_store_remove(DOMU, "data/a"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_removing_a_missing_node_fires_nothing)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_mkdir(DOMU, "data"), 0);
    event_count = 0;
    ck_assert_int_eq(xenstore_store_remove(DOMU, "data/missing"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_relative_watch_reports_relative_paths)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "memory", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/memory/target", "2048"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "memory/target", "t");
}
END_TEST

START_TEST(test_relative_watch_reports_removal_of_the_home_relative_too)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "control/shutdown", "t"), 0);
    ck_assert_int_eq(xenstore_store_remove(0, "/local/domain/3"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, DOMU, "control/shutdown", "t");
}
END_TEST

START_TEST(test_every_matching_watch_fires_with_its_own_token)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "first"), 0);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "second"), 0);
    ck_assert_int_eq(xenstore_store_watch(0, "/local/domain/3", "dom0"), 0);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_uint_eq(event_count, 3);
    expect_event(0, DOMU, "data/x", "first");
    expect_event(1, DOMU, "data/x", "second");
    expect_event(2, 0, "/local/domain/3/data/x", "dom0");
}
END_TEST

/* Changed with per-node permissions: Xen's do_watch checks no access, the events are filtered. */
START_TEST(test_domu_may_watch_outside_its_home_but_hears_nothing_it_may_not_read)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/4", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/4/data/x", "1"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_domu_may_watch_a_special_path_which_never_fires_on_changes)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "@releaseDomain", "t"), 0);
    ck_assert_int_eq(xenstore_store_remove(0, "/local/domain/4"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_dom0_watching_the_root_hears_about_every_change)
{
    ck_assert_int_eq(xenstore_store_watch(0, "/", "all"), 0);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, 0, "/local/domain/3/data/x", "all");
}
END_TEST

START_TEST(test_same_watch_twice_is_eexist)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), -XEN_EEXIST);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "/local/domain/3/data", "t"), -XEN_EEXIST);
}
END_TEST

START_TEST(test_unwatch_stops_the_events)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_unwatch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_write_string(DOMU, "data/x", "1"), 0);
    ck_assert_uint_eq(event_count, 0);
}
END_TEST

START_TEST(test_unwatch_of_an_unknown_watch_is_enoent)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_unwatch(DOMU, "data", "other"), -XEN_ENOENT);
    /* Changed with per-node permissions: Xen's do_unwatch checks no access either. */
    ck_assert_int_eq(xenstore_store_unwatch(OTHER_DOMU, "/local/domain/3/data", "t"), -XEN_ENOENT);
}
END_TEST

START_TEST(test_too_many_watches_for_a_domain_is_e2big)
{
    char token[16];

    for (unsigned int index = 0; index < XENSTORE_WATCHES_PER_DOMAIN; index++) {
        token[0] = (char)('a' + index % 26);
        token[1] = (char)('a' + index / 26);
        token[2] = '\0';
        ck_assert_int_eq(xenstore_store_watch(DOMU, "data", token), 0);
    }
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "one-more"), -XEN_E2BIG);
    ck_assert_int_eq(xenstore_store_watch(OTHER_DOMU, "data", "one-more"), 0);
}
END_TEST

START_TEST(test_token_too_long_is_einval)
{
    char token[XENSTORE_TOKEN_SIZE + 1];

    memset(token, 't', sizeof(token));
    token[XENSTORE_TOKEN_SIZE] = '\0';
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", token), -XEN_EINVAL);
}
END_TEST

START_TEST(test_forgotten_watches_fire_no_more)
{
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "t"), 0);
    ck_assert_int_eq(xenstore_store_watch(OTHER_DOMU, "data", "t"), 0);
    xenstore_store_forget_watches(DOMU);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/data/x", "1"), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/4/data/x", "1"), 0);
    ck_assert_uint_eq(event_count, 1);
    expect_event(0, OTHER_DOMU, "data/x", "t");
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

static Suite *xenstore_store_suite(void)
{
    Suite *suite = suite_create("xenstore_store");

    add_test_case(suite, test_generation_moves_on_with_every_change_and_not_on_reads);
    add_test_case(suite, test_relative_path_names_a_node_in_the_callers_home);
    add_test_case(suite, test_domu_reads_and_writes_its_home_by_absolute_path);
    add_test_case(suite, test_domu_reading_another_domains_home_gets_eacces);
    add_test_case(suite, test_domu_gets_eacces_outside_its_home_whether_the_node_exists_or_not);
    add_test_case(suite, test_domu_changing_anything_outside_its_home_gets_eacces_and_nothing_changes);
    add_test_case(suite, test_domu_may_not_remove_its_home_itself);
    add_test_case(suite, test_domu_may_remove_a_node_of_its_home_it_may_write);
    add_test_case(suite, test_domu_may_not_remove_what_dom0_wrote_in_its_home);
    add_test_case(suite, test_dom0_reads_and_writes_everywhere);
    add_test_case(suite, test_malformed_path_is_einval_before_access_is_considered);
    add_test_case(suite, test_domus_nodes_are_counted_against_its_quota);
    add_test_case(suite, test_new_watch_fires_once_with_the_path_as_given);
    add_test_case(suite, test_write_fires_a_watch_on_the_node);
    add_test_case(suite, test_change_below_a_watched_path_fires_with_the_changed_path);
    add_test_case(suite, test_watch_matches_whole_path_components_only);
    add_test_case(suite, test_change_above_a_watched_path_does_not_fire_it);
    add_test_case(suite, test_mkdir_fires_only_when_it_creates_the_node);
    add_test_case(suite, test_remove_fires_a_watch_on_the_removed_node);
    add_test_case(suite, test_removing_an_ancestor_fires_a_watch_below_it_with_the_watched_path);
    add_test_case(suite, test_removing_an_ancestor_does_not_fire_a_watch_on_a_node_that_never_existed);
    add_test_case(suite, test_removing_a_missing_node_fires_nothing);
    add_test_case(suite, test_relative_watch_reports_relative_paths);
    add_test_case(suite, test_relative_watch_reports_removal_of_the_home_relative_too);
    add_test_case(suite, test_every_matching_watch_fires_with_its_own_token);
    add_test_case(suite, test_domu_may_watch_outside_its_home_but_hears_nothing_it_may_not_read);
    add_test_case(suite, test_domu_may_watch_a_special_path_which_never_fires_on_changes);
    add_test_case(suite, test_dom0_watching_the_root_hears_about_every_change);
    add_test_case(suite, test_same_watch_twice_is_eexist);
    add_test_case(suite, test_unwatch_stops_the_events);
    add_test_case(suite, test_unwatch_of_an_unknown_watch_is_enoent);
    add_test_case(suite, test_too_many_watches_for_a_domain_is_e2big);
    add_test_case(suite, test_token_too_long_is_einval);
    add_test_case(suite, test_forgotten_watches_fire_no_more);
    return suite;
}

REGISTER_SUITE(xenstore_store_suite)
