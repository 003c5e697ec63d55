/*
 * Specification of the xenstore wire protocol as dom0 serves it
 * (tools/xenstored/xenstore_protocol.h): each request gets exactly one
 * reply carrying its req_id and tx_id, with the payloads of
 * docs/misc/xenstore.txt, or XS_ERROR and Xen's name of the error;
 * GET_PERMS and SET_PERMS in Xen's string format ("r0", each with its
 * NUL); WATCH is acknowledged before its first event; transactions are
 * accepted no-ops; malformed payloads and unknown types are EINVAL.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_protocol.h>
#include <tools/xenstored/xenstore_home.h>
#include <tools/xenstored/xenstore_store.h>

#include "suites.h"

#define DOMU 3
#define REQUEST_ID 0x1234
#define MAX_MESSAGES 8

/* Replies and watch events, in the order they were sent. */
struct message {
    struct xsd_sockmsg header;
    char payload[XENSTORE_PAYLOAD_MAX + 1];
    xenstore_domain event_watcher;
};

static struct message messages[MAX_MESSAGES];
static unsigned int message_count;

static struct message *next_message(void)
{
    ck_assert_uint_lt(message_count, MAX_MESSAGES);
    return &messages[message_count++];
}

static void record_reply(const struct xsd_sockmsg *header, const char *payload, void *context)
{
    struct message *message = next_message();

    (void)context;
    message->header = *header;
    memcpy(message->payload, payload, header->len);
    message->payload[header->len] = '\0';
}

static void record_event(xenstore_domain watcher, const char *path, const char *token, void *context)
{
    struct message *message = next_message();
    uint32_t path_size = (uint32_t)strlen(path) + 1;

    (void)context;
    message->header = (struct xsd_sockmsg) { .type = XS_WATCH_EVENT, .len = path_size + (uint32_t)strlen(token) + 1 };
    memcpy(message->payload, path, path_size);
    strcpy(message->payload + path_size, token);
    message->event_watcher = watcher;
}

static void setup(void)
{
    xenstore_store_init(record_event, NULL);
    ck_assert_int_eq(xenstore_home_create(DOMU), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/name", "guest"), 0);
    message_count = 0;
}

/* Sends a request of length bytes (its strings' NULs included) as the domU; returns its reply. */
static const struct message *send_request(uint32_t type, uint32_t transaction, const char *payload, uint32_t length)
{
    struct xsd_sockmsg header = { .type = type, .req_id = REQUEST_ID, .tx_id = transaction, .len = length };

    message_count = 0;
    xenstore_protocol_handle(DOMU, &header, payload, record_reply, NULL);
    ck_assert_uint_ge(message_count, 1);
    return &messages[0];
}

/* A request whose payload is one string and its NUL. */
static const struct message *send_string(uint32_t type, const char *payload)
{
    return send_request(type, 0, payload, (uint32_t)strlen(payload) + 1);
}

static void expect_reply(const struct message *reply, uint32_t type, const char *payload, uint32_t length)
{
    ck_assert_uint_eq(reply->header.type, type);
    ck_assert_uint_eq(reply->header.req_id, REQUEST_ID);
    ck_assert_uint_eq(reply->header.len, length);
    ck_assert_mem_eq(reply->payload, payload, length);
}

static void expect_ok(const struct message *reply, uint32_t type)
{
    expect_reply(reply, type, "OK", 3);
}

static void expect_error(const struct message *reply, const char *name)
{
    expect_reply(reply, XS_ERROR, name, (uint32_t)strlen(name) + 1);
}

START_TEST(test_read_replies_with_the_value_without_a_nul)
{
    expect_reply(send_string(XS_READ, "name"), XS_READ, "guest", 5);
}
END_TEST

START_TEST(test_write_takes_the_value_after_the_path_and_replies_ok)
{
    expect_ok(send_request(XS_WRITE, 0, "data/x\0hello", 12), XS_WRITE);
    expect_reply(send_string(XS_READ, "data/x"), XS_READ, "hello", 5);
}
END_TEST

START_TEST(test_written_value_keeps_its_nul_bytes)
{
    expect_ok(send_request(XS_WRITE, 0, "data/x\0a\0b", 10), XS_WRITE);
    expect_reply(send_string(XS_READ, "data/x"), XS_READ, "a\0b", 3);
}
END_TEST

START_TEST(test_write_of_an_empty_value)
{
    expect_ok(send_request(XS_WRITE, 0, "data/x", 7), XS_WRITE);
    expect_reply(send_string(XS_READ, "data/x"), XS_READ, "", 0);
}
END_TEST

START_TEST(test_mkdir_and_rm_reply_ok)
{
    expect_ok(send_string(XS_MKDIR, "data/dir"), XS_MKDIR);
    expect_ok(send_string(XS_RM, "data/dir"), XS_RM);
    expect_error(send_string(XS_READ, "data/dir"), "ENOENT");
}
END_TEST

START_TEST(test_directory_replies_with_each_child_and_its_nul)
{
    expect_ok(send_request(XS_WRITE, 0, "data/a\0", 7), XS_WRITE);
    expect_ok(send_request(XS_WRITE, 0, "data/bb\0", 8), XS_WRITE);
    expect_reply(send_string(XS_DIRECTORY, "data"), XS_DIRECTORY, "a\0bb", 5);
}
END_TEST

START_TEST(test_error_reply_keeps_the_ids_and_names_the_error)
{
    const struct message *reply = send_request(XS_READ, 7, "missing", 8);

    expect_error(reply, "ENOENT");
    ck_assert_uint_eq(reply->header.tx_id, 7);
}
END_TEST

START_TEST(test_reading_outside_the_home_is_eacces)
{
    expect_error(send_string(XS_READ, "/local/domain/0/name"), "EACCES");
}
END_TEST

/* --- permissions (Xen: do_get_perms, do_set_perms, xs_strings_to_perms) --- */

START_TEST(test_get_perms_replies_with_each_entry_and_its_nul)
{
    expect_reply(send_string(XS_GET_PERMS, "name"), XS_GET_PERMS, "n0\0r3", 6);
}
END_TEST

START_TEST(test_set_perms_takes_the_entries_after_the_path_and_replies_ok)
{
    expect_ok(send_request(XS_SET_PERMS, 0, "data\0n3\0r4\0b5", 14), XS_SET_PERMS);
    expect_reply(send_string(XS_GET_PERMS, "data"), XS_GET_PERMS, "n3\0r4\0b5", 9);
}
END_TEST

START_TEST(test_set_perms_without_an_entry_is_einval)
{
    expect_error(send_string(XS_SET_PERMS, "data"), "EINVAL");
}
END_TEST

START_TEST(test_set_perms_with_an_unknown_letter_is_einval)
{
    expect_error(send_request(XS_SET_PERMS, 0, "data\0x3", 8), "EINVAL");
}
END_TEST

START_TEST(test_set_perms_with_a_letter_and_no_domain_is_einval)
{
    expect_error(send_request(XS_SET_PERMS, 0, "data\0r", 7), "EINVAL");
}
END_TEST

START_TEST(test_set_perms_with_a_domain_that_is_not_a_number_is_einval)
{
    expect_error(send_request(XS_SET_PERMS, 0, "data\0n3x", 9), "EINVAL");
    expect_error(send_request(XS_SET_PERMS, 0, "data\0n-3", 9), "EINVAL");
    expect_error(send_request(XS_SET_PERMS, 0, "data\0n65536", 12), "EINVAL");
}
END_TEST

START_TEST(test_set_perms_with_an_entry_missing_its_nul_is_einval)
{
    expect_error(send_request(XS_SET_PERMS, 0, "data\0n3\0r4", 10), "EINVAL");
}
END_TEST

START_TEST(test_set_perms_with_more_entries_than_the_quota_is_enospc)
{
    expect_error(send_request(XS_SET_PERMS, 0, "data\0n3\0r1\0r2\0r4\0r5\0r6", 23), "ENOSPC");
}
END_TEST

START_TEST(test_refused_set_perms_changes_nothing)
{
    expect_error(send_request(XS_SET_PERMS, 0, "name\0b3", 8), "EACCES");
    expect_reply(send_string(XS_GET_PERMS, "name"), XS_GET_PERMS, "n0\0r3", 6);
}
END_TEST

START_TEST(test_watch_is_acknowledged_before_its_first_event)
{
    send_request(XS_WATCH, 0, "control\0tok", 12);
    ck_assert_uint_eq(message_count, 2);
    expect_ok(&messages[0], XS_WATCH);
    ck_assert_uint_eq(messages[1].header.type, XS_WATCH_EVENT);
    ck_assert_uint_eq(messages[1].event_watcher, DOMU);
    ck_assert_mem_eq(messages[1].payload, "control\0tok", 12);
}
END_TEST

/* Changed with per-node permissions: Xen refuses no watch for access (do_watch), so a malformed one. */
START_TEST(test_refused_watch_sends_no_event)
{
    send_request(XS_WATCH, 0, "data//x\0tok", 12);
    ck_assert_uint_eq(message_count, 1);
    expect_error(&messages[0], "EINVAL");
}
END_TEST

START_TEST(test_unwatch_replies_ok_then_enoent)
{
    send_request(XS_WATCH, 0, "control\0tok", 12);
    expect_ok(send_request(XS_UNWATCH, 0, "control\0tok", 12), XS_UNWATCH);
    expect_error(send_request(XS_UNWATCH, 0, "control\0tok", 12), "ENOENT");
}
END_TEST

START_TEST(test_reset_watches_drops_every_watch)
{
    send_request(XS_WATCH, 0, "control\0tok", 12);
    expect_ok(send_string(XS_RESET_WATCHES, ""), XS_RESET_WATCHES);
    expect_error(send_request(XS_UNWATCH, 0, "control\0tok", 12), "ENOENT");
}
END_TEST

START_TEST(test_transaction_start_hands_out_distinct_nonzero_ids)
{
    char first[16];

    strcpy(first, send_string(XS_TRANSACTION_START, "")->payload);
    ck_assert_uint_eq(messages[0].header.type, XS_TRANSACTION_START);
    ck_assert_str_ne(first, "0");
    ck_assert_str_ne(send_string(XS_TRANSACTION_START, "")->payload, first);
}
END_TEST

START_TEST(test_request_in_a_transaction_acts_at_once)
{
    expect_ok(send_request(XS_WRITE, 5, "data/x\0in", 9), XS_WRITE);
    expect_reply(send_string(XS_READ, "data/x"), XS_READ, "in", 2);
}
END_TEST

START_TEST(test_transaction_end_commit_or_abort_replies_ok)
{
    expect_ok(send_request(XS_TRANSACTION_END, 5, "T", 2), XS_TRANSACTION_END);
    expect_ok(send_request(XS_TRANSACTION_END, 5, "F", 2), XS_TRANSACTION_END);
    expect_error(send_request(XS_TRANSACTION_END, 5, "X", 2), "EINVAL");
}
END_TEST

START_TEST(test_transaction_start_inside_a_transaction_is_einval)
{
    expect_error(send_request(XS_TRANSACTION_START, 5, "", 1), "EINVAL");
}
END_TEST

START_TEST(test_get_domain_path_replies_with_the_home)
{
    expect_reply(send_string(XS_GET_DOMAIN_PATH, "12"), XS_GET_DOMAIN_PATH, "/local/domain/12", 17);
    expect_error(send_string(XS_GET_DOMAIN_PATH, "65536"), "EINVAL");
    expect_error(send_string(XS_GET_DOMAIN_PATH, "x"), "EINVAL");
}
END_TEST

START_TEST(test_path_without_its_nul_is_einval)
{
    expect_error(send_request(XS_READ, 0, "name", 4), "EINVAL");
    expect_error(send_request(XS_WRITE, 0, "data/x", 6), "EINVAL");
    expect_error(send_request(XS_WATCH, 0, "control\0tok", 11), "EINVAL");
}
END_TEST

START_TEST(test_single_path_followed_by_more_bytes_is_einval)
{
    expect_error(send_request(XS_READ, 0, "name\0x", 6), "EINVAL");
}
END_TEST

START_TEST(test_unknown_type_is_einval)
{
    expect_error(send_request(XS_TYPE_COUNT, 0, "", 0), "EINVAL");
    expect_error(send_request(999, 0, "", 0), "EINVAL");
}
END_TEST

START_TEST(test_reply_types_sent_as_requests_are_einval)
{
    expect_error(send_string(XS_WATCH_EVENT, "name"), "EINVAL");
    expect_error(send_string(XS_ERROR, "name"), "EINVAL");
}
END_TEST

START_TEST(test_requests_it_does_not_implement_are_enosys)
{
    expect_error(send_string(XS_INTRODUCE, "1"), "ENOSYS");
    expect_error(send_string(XS_DIRECTORY_PART, "name"), "ENOSYS");
}
END_TEST

START_TEST(test_error_names_are_xens)
{
    ck_assert_str_eq(xenstore_protocol_error_name(-XEN_ENOSPC), "ENOSPC");
    ck_assert_str_eq(xenstore_protocol_error_name(-XEN_E2BIG), "E2BIG");
    ck_assert_str_eq(xenstore_protocol_error_name(-XEN_EEXIST), "EEXIST");
    ck_assert_str_eq(xenstore_protocol_error_name(-XEN_ENOSYS), "ENOSYS");
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

static Suite *xenstore_protocol_suite(void)
{
    Suite *suite = suite_create("xenstore_protocol");

    add_test_case(suite, test_read_replies_with_the_value_without_a_nul);
    add_test_case(suite, test_write_takes_the_value_after_the_path_and_replies_ok);
    add_test_case(suite, test_written_value_keeps_its_nul_bytes);
    add_test_case(suite, test_write_of_an_empty_value);
    add_test_case(suite, test_mkdir_and_rm_reply_ok);
    add_test_case(suite, test_directory_replies_with_each_child_and_its_nul);
    add_test_case(suite, test_error_reply_keeps_the_ids_and_names_the_error);
    add_test_case(suite, test_reading_outside_the_home_is_eacces);
    add_test_case(suite, test_get_perms_replies_with_each_entry_and_its_nul);
    add_test_case(suite, test_set_perms_takes_the_entries_after_the_path_and_replies_ok);
    add_test_case(suite, test_set_perms_without_an_entry_is_einval);
    add_test_case(suite, test_set_perms_with_an_unknown_letter_is_einval);
    add_test_case(suite, test_set_perms_with_a_letter_and_no_domain_is_einval);
    add_test_case(suite, test_set_perms_with_a_domain_that_is_not_a_number_is_einval);
    add_test_case(suite, test_set_perms_with_an_entry_missing_its_nul_is_einval);
    add_test_case(suite, test_set_perms_with_more_entries_than_the_quota_is_enospc);
    add_test_case(suite, test_refused_set_perms_changes_nothing);
    add_test_case(suite, test_watch_is_acknowledged_before_its_first_event);
    add_test_case(suite, test_refused_watch_sends_no_event);
    add_test_case(suite, test_unwatch_replies_ok_then_enoent);
    add_test_case(suite, test_reset_watches_drops_every_watch);
    add_test_case(suite, test_transaction_start_hands_out_distinct_nonzero_ids);
    add_test_case(suite, test_request_in_a_transaction_acts_at_once);
    add_test_case(suite, test_transaction_end_commit_or_abort_replies_ok);
    add_test_case(suite, test_transaction_start_inside_a_transaction_is_einval);
    add_test_case(suite, test_get_domain_path_replies_with_the_home);
    add_test_case(suite, test_path_without_its_nul_is_einval);
    add_test_case(suite, test_single_path_followed_by_more_bytes_is_einval);
    add_test_case(suite, test_unknown_type_is_einval);
    add_test_case(suite, test_reply_types_sent_as_requests_are_einval);
    add_test_case(suite, test_requests_it_does_not_implement_are_enosys);
    add_test_case(suite, test_error_names_are_xens);
    return suite;
}

REGISTER_SUITE(xenstore_protocol_suite)
