/*
 * The xenstore client our frontends use (frontend/xenbus.c), as a domU
 * sees it against dom0's xenstore: each call of the library with the
 * answer docs/misc/xenstore.txt gives, errors as negative Xen errnos, and
 * watch events queued in order.  tests/hypercall/xenbus_client.c checks
 * the server at the wire level; this guest checks the library a frontend
 * calls (tests/system/xenbus.domains).
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/string.h>
#include <frontend/xenbus.h>
#include "check.h"

const char test_family[] = "xenbus_library";

#define WAIT_NS (1000 * NANOSECONDS_PER_MILLISECOND)
#define QUIET_NS (100 * NANOSECONDS_PER_MILLISECOND)
#define VALUE_SIZE 64

static char value[VALUE_SIZE];

static bool reads(const char *path, const char *expected)
{
    int length = xenbus_read(XENBUS_NO_TRANSACTION, path, value, sizeof(value));

    return length == (int)strlen(expected) && strcmp(value, expected) == 0;
}

static bool next_event_is(const char *path, const char *token, uint64_t wait_ns)
{
    char event_path[VALUE_SIZE], event_token[VALUE_SIZE];
    int result = xenbus_next_event(event_path, sizeof(event_path), event_token, sizeof(event_token),
                                   system_time_ns() + wait_ns);

    return result == 0 && strcmp(event_path, path) == 0 && strcmp(event_token, token) == 0;
}

static void check_reads_and_writes(void)
{
    uint64_t domid = 0;

    expect_result("read_of_the_name_gives_its_length", xenbus_read(0, "name", value, sizeof(value)), 7);
    expect_true("read_of_the_name_gives_the_value", strcmp(value, "xenbus2") == 0, 0, "xenbus2");
    expect_result("read_unsigned_of_domid", xenbus_read_unsigned(0, "domid", &domid), 0);
    expect_true("domid_is_a_domu", domid != 0, (long)domid, "non-zero");
    expect_result("read_unsigned_of_a_word_is_einval", xenbus_read_unsigned(0, "name", &domid), -XEN_EINVAL);
    expect_result("write_succeeds", xenbus_write(0, "data/greeting", "hello"), 0);
    expect_true("written_value_reads_back", reads("data/greeting", "hello"), 0, "hello");
    expect_result("write_unsigned_succeeds", xenbus_write_unsigned(0, "data/number", 51712), 0);
    expect_true("unsigned_value_reads_back_in_decimal", reads("data/number", "51712"), 0, "51712");
    expect_result("read_into_a_buffer_too_small_is_e2big", xenbus_read(0, "data/greeting", value, 5), -XEN_E2BIG);
    expect_result("read_of_a_missing_node_is_enoent", xenbus_read(0, "data/missing", value, sizeof(value)),
                  -XEN_ENOENT);
    expect_result("read_outside_the_home_is_eacces",
                  xenbus_read(0, "/local/domain/0/name", value, sizeof(value)), -XEN_EACCES);
}

static void check_directory_and_remove(void)
{
    char names[VALUE_SIZE];

    expect_result("directory_counts_the_children", xenbus_directory(0, "data", names, sizeof(names)), 2);
    expect_true("directory_lists_names_in_order",
                strcmp(names, "greeting") == 0 && strcmp(names + 9, "number") == 0, 0, "greeting, number");
    expect_result("directory_too_long_for_the_buffer_is_e2big", xenbus_directory(0, "data", names, 4),
                  -XEN_E2BIG);
    expect_result("remove_succeeds", xenbus_remove(0, "data/number"), 0);
    expect_result("removed_node_is_enoent", xenbus_read(0, "data/number", value, sizeof(value)), -XEN_ENOENT);
}

static void check_watches(void)
{
    expect_result("watch_succeeds", xenbus_watch("data/watched", "tok"), 0);
    expect_true("watch_fires_at_once", next_event_is("data/watched", "tok", WAIT_NS), 0, "data/watched|tok");
    expect_result("write_below_the_watch", xenbus_write(0, "data/watched/leaf", "1"), 0);
    expect_result("second_write_below_the_watch", xenbus_write(0, "data/watched/leaf", "2"), 0);
    expect_true("events_queued_during_requests_come_in_order",
                next_event_is("data/watched/leaf", "tok", WAIT_NS) &&
                    next_event_is("data/watched/leaf", "tok", WAIT_NS),
                0, "two events for data/watched/leaf");
    expect_result("unwatch_succeeds", xenbus_unwatch("data/watched", "tok"), 0);
    expect_result("write_after_unwatch", xenbus_write(0, "data/watched/leaf", "3"), 0);
    expect_result("no_event_after_unwatch_times_out",
                  xenbus_next_event(value, sizeof(value), value, sizeof(value), system_time_ns() + QUIET_NS),
                  -XEN_ETIMEDOUT);
    expect_result("no_event_dropped", xenbus_dropped_events(), 0);
}

static void check_transactions(void)
{
    uint32_t transaction = 0;

    expect_result("transaction_start_succeeds", xenbus_transaction_start(&transaction), 0);
    expect_true("transaction_id_is_non_zero", transaction != 0, transaction, "non-zero");
    expect_result("write_in_the_transaction", xenbus_write(transaction, "data/in-transaction", "1"), 0);
    expect_result("transaction_commit_succeeds", xenbus_transaction_end(transaction, true), 0);
    expect_true("committed_write_reads_back", reads("data/in-transaction", "1"), 0, "1");
}

void run_tests(void)
{
    int result = xenbus_init();

    expect_result("init_finds_the_ring", result, 0);
    if (result != 0)
        return;
    expect_result("second_init_is_harmless", xenbus_init(), 0);
    check_reads_and_writes();
    check_directory_and_remove();
    check_watches();
    check_transactions();
}
