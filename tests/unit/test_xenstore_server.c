/*
 * Specification of dom0's xenstore server on a ring page
 * (tools/xenstored/xenstore_server.h, xenstore_ring.h): requests and
 * replies travel through struct xenstore_domain_interface with
 * free-running indexes, across the end of the ring and in pieces when a
 * message is bigger than the ring; the domain is notified when its rings
 * moved; watch events reach the watcher's ring; a header announcing more
 * than XENSTORE_PAYLOAD_MAX bytes or inconsistent indexes break the
 * connection for good, with the error in the page and nothing read past
 * the ring.  The tests play the guest's side of the page.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xenstored/xenstore_server.h>
#include <tools/xenstored/xenstore_home.h>
#include <tools/xenstored/xenstore_store.h>
#include <tools/xenstored/xenstore_tree.h>

#include "suites.h"

#define DOMU 3
#define OTHER_DOMU 4

struct guest {
    struct xenstore_domain_interface page;
    unsigned int notifications;
    unsigned int reports;
    const char *last_report;
};

static struct guest guest, other_guest;

static void notify(void *context)
{
    ((struct guest *)context)->notifications++;
}

static void report(void *context, const char *what)
{
    struct guest *reported = context;

    reported->reports++;
    reported->last_report = what;
}

static void connect(struct guest *client, xenstore_domain domain)
{
    struct xenstore_client hooks = { .notify = notify, .report = report, .context = client };

    memset(client, 0, sizeof(*client));
    ck_assert_int_eq(xenstore_server_connect(domain, &client->page, &hooks), 0);
}

static void setup(void)
{
    xenstore_server_init();
    ck_assert_int_eq(xenstore_home_create(DOMU), 0);
    ck_assert_int_eq(xenstore_home_create(OTHER_DOMU), 0);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/3/name", "guest"), 0);
    connect(&guest, DOMU);
}

/* --- the guest's side of the page ---------------------------------------------- */

/* Puts bytes into the request ring (there must be room). */
static void guest_put(struct guest *client, const void *data, uint32_t length)
{
    const uint8_t *bytes = data;

    ck_assert_uint_le(client->page.req_prod - client->page.req_cons + length, XENSTORE_RING_SIZE);
    for (uint32_t index = 0; index < length; index++)
        client->page.req[MASK_XENSTORE_IDX(client->page.req_prod + index)] = (char)bytes[index];
    client->page.req_prod += length;
}

static void guest_put_request(struct guest *client, uint32_t type, uint32_t request_id, const void *payload,
                              uint32_t length)
{
    struct xsd_sockmsg header = { .type = type, .req_id = request_id, .len = length };

    guest_put(client, &header, sizeof(header));
    guest_put(client, payload, length);
}

/* Takes length bytes out of the response ring (they must be there). */
static void guest_take(struct guest *client, void *buffer, uint32_t length)
{
    uint8_t *bytes = buffer;

    ck_assert_uint_ge(client->page.rsp_prod - client->page.rsp_cons, length);
    for (uint32_t index = 0; index < length; index++)
        bytes[index] = (uint8_t)client->page.rsp[MASK_XENSTORE_IDX(client->page.rsp_cons + index)];
    client->page.rsp_cons += length;
}

static uint32_t guest_responses_waiting(const struct guest *client)
{
    return client->page.rsp_prod - client->page.rsp_cons;
}

/* Takes one whole message: its header, and its payload NUL-terminated into payload. */
static struct xsd_sockmsg guest_take_message(struct guest *client, char *payload)
{
    struct xsd_sockmsg header;

    guest_take(client, &header, sizeof(header));
    guest_take(client, payload, header.len);
    payload[header.len] = '\0';
    return header;
}

/* Moves every index of the page to start, as if a long history had gone through it. */
static void start_indexes_at(struct guest *client, XENSTORE_RING_IDX start)
{
    client->page.req_cons = client->page.req_prod = start;
    client->page.rsp_cons = client->page.rsp_prod = start;
}

/* --- cases ---------------------------------------------------------------------- */

START_TEST(test_connecting_advertises_the_error_field)
{
    ck_assert_uint_eq(guest.page.server_features, XENSTORE_SERVER_FEATURE_ERROR);
    ck_assert_uint_eq(guest.page.connection, XENSTORE_CONNECTED);
    ck_assert_uint_eq(guest.page.error, XENSTORE_ERROR_NONE);
}
END_TEST

START_TEST(test_domain_connects_only_once)
{
    struct xenstore_client hooks = { .notify = notify, .report = report, .context = &other_guest };

    ck_assert_int_eq(xenstore_server_connect(DOMU, &other_guest.page, &hooks), -XEN_EEXIST);
}
END_TEST

START_TEST(test_connections_beyond_the_table_are_enospc)
{
    static struct guest others[XENSTORE_MAX_CONNECTIONS];
    struct xenstore_client hooks = { .notify = notify, .report = report, .context = &other_guest };

    for (unsigned int index = 1; index < XENSTORE_MAX_CONNECTIONS; index++)
        connect(&others[index], (xenstore_domain)(DOMU + index));
    ck_assert_int_eq(xenstore_server_connect(100, &other_guest.page, &hooks), -XEN_ENOSPC);
}
END_TEST

START_TEST(test_request_in_the_ring_gets_its_reply_and_a_notification)
{
    char payload[64];
    struct xsd_sockmsg reply;

    guest_put_request(&guest, XS_READ, 42, "name", 5);
    ck_assert(!xenstore_server_service());
    reply = guest_take_message(&guest, payload);
    ck_assert_uint_eq(reply.type, XS_READ);
    ck_assert_uint_eq(reply.req_id, 42);
    ck_assert_str_eq(payload, "guest");
    ck_assert_uint_eq(guest.page.req_cons, guest.page.req_prod);
    ck_assert_uint_eq(guest.notifications, 1);
}
END_TEST

START_TEST(test_nothing_to_do_sends_no_notification)
{
    xenstore_server_service();
    ck_assert_uint_eq(guest.notifications, 0);
}
END_TEST

START_TEST(test_half_sent_request_waits_for_the_rest)
{
    struct xsd_sockmsg header = { .type = XS_READ, .req_id = 1, .len = 5 };
    char payload[64];

    guest_put(&guest, &header, sizeof(header));
    guest_put(&guest, "na", 2);
    xenstore_server_service();
    ck_assert_uint_eq(guest_responses_waiting(&guest), 0);
    guest_put(&guest, "me", 3);
    xenstore_server_service();
    guest_take_message(&guest, payload);
    ck_assert_str_eq(payload, "guest");
}
END_TEST

START_TEST(test_messages_cross_the_end_of_the_ring_and_indexes_wrap)
{
    char payload[64];

    start_indexes_at(&guest, UINT32_MAX - 7);
    guest_put_request(&guest, XS_READ, 1, "name", 5);
    xenstore_server_service();
    guest_take_message(&guest, payload);
    ck_assert_str_eq(payload, "guest");
}
END_TEST

START_TEST(test_several_requests_are_served_in_order)
{
    char payload[64];

    guest_put_request(&guest, XS_WRITE, 1, "data/x\0one", 10);
    guest_put_request(&guest, XS_READ, 2, "data/x", 7);
    xenstore_server_service();
    ck_assert_uint_eq(guest_take_message(&guest, payload).req_id, 1);
    ck_assert_uint_eq(guest_take_message(&guest, payload).req_id, 2);
    ck_assert_str_eq(payload, "one");
}
END_TEST

/* A WRITE of a value longer than the ring: the guest feeds it in ring-sized pieces. */
START_TEST(test_request_bigger_than_the_ring_arrives_in_pieces)
{
    static char request[sizeof(struct xsd_sockmsg) + 8 + XENSTORE_VALUE_MAX];
    struct xsd_sockmsg header = { .type = XS_WRITE, .req_id = 9, .len = 7 + XENSTORE_VALUE_MAX };
    uint32_t sent = 0, total = sizeof(header) + header.len;
    char payload[64];

    memcpy(request, &header, sizeof(header));
    memcpy(request + sizeof(header), "data/x", 7);
    memset(request + sizeof(header) + 7, 'v', XENSTORE_VALUE_MAX);
    while (sent < total) {
        uint32_t piece = XENSTORE_RING_SIZE - (guest.page.req_prod - guest.page.req_cons);

        piece = piece < total - sent ? piece : total - sent;
        guest_put(&guest, request + sent, piece);
        sent += piece;
        xenstore_server_service();
    }
    ck_assert_uint_eq(guest_take_message(&guest, payload).req_id, 9);
    ck_assert_str_eq(payload, "OK");
}
END_TEST

/* A READ of that value: the reply waits in the queue and follows as the guest reads. */
START_TEST(test_reply_bigger_than_the_ring_follows_as_the_guest_reads)
{
    static char value[XENSTORE_VALUE_MAX];
    static char received[sizeof(struct xsd_sockmsg) + XENSTORE_VALUE_MAX];
    uint32_t total = sizeof(struct xsd_sockmsg) + XENSTORE_VALUE_MAX, taken = 0;
    struct xsd_sockmsg header;

    memset(value, 'v', sizeof(value));
    ck_assert_int_eq(xenstore_store_write(0, "/local/domain/3/big", value, sizeof(value)), 0);
    guest_put_request(&guest, XS_READ, 5, "big", 4);
    while (taken < total) {
        uint32_t waiting;

        xenstore_server_service();
        waiting = guest_responses_waiting(&guest);
        ck_assert_uint_gt(waiting, 0);
        guest_take(&guest, received + taken, waiting);
        taken += waiting;
    }
    memcpy(&header, received, sizeof(header));
    ck_assert_uint_eq(header.len, XENSTORE_VALUE_MAX);
    ck_assert_mem_eq(received + sizeof(header), value, XENSTORE_VALUE_MAX);
}
END_TEST

START_TEST(test_watch_event_reaches_the_watchers_ring_with_ids_zero)
{
    char payload[64];
    struct xsd_sockmsg message;

    connect(&other_guest, OTHER_DOMU);
    guest_put_request(&other_guest, XS_WATCH, 1, "data\0tok", 9);
    xenstore_server_service();
    guest_take_message(&other_guest, payload);
    guest_take_message(&other_guest, payload);
    ck_assert_int_eq(xenstore_store_write_string(0, "/local/domain/4/data/x", "1"), 0);
    other_guest.notifications = 0;
    xenstore_server_service();
    message = guest_take_message(&other_guest, payload);
    ck_assert_uint_eq(message.type, XS_WATCH_EVENT);
    ck_assert_uint_eq(message.req_id, 0);
    ck_assert_uint_eq(message.tx_id, 0);
    ck_assert_mem_eq(payload, "data/x\0tok", 11);
    ck_assert_uint_eq(other_guest.notifications, 1);
}
END_TEST

START_TEST(test_guest_that_stops_reading_stops_being_served)
{
    unsigned int requests = 0;

    while (guest.page.req_prod - guest.page.req_cons + sizeof(struct xsd_sockmsg) + 5 <= XENSTORE_RING_SIZE) {
        guest_put_request(&guest, XS_READ, requests++, "name", 5);
        xenstore_server_service();
    }
    ck_assert_uint_eq(guest.reports, 0);
    ck_assert_uint_gt(guest.page.req_prod - guest.page.req_cons, 0);
}
END_TEST

START_TEST(test_header_announcing_more_than_the_payload_limit_breaks_the_connection)
{
    struct xsd_sockmsg header = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };

    guest_put(&guest, &header, sizeof(header));
    xenstore_server_service();
    ck_assert_uint_eq(guest.page.error, XENSTORE_ERROR_PROTO);
    ck_assert_uint_eq(guest.reports, 1);
    ck_assert_uint_eq(guest.notifications, 1);
    ck_assert_uint_eq(guest_responses_waiting(&guest), 0);
}
END_TEST

START_TEST(test_broken_connection_is_never_read_again)
{
    struct xsd_sockmsg header = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
    XENSTORE_RING_IDX consumed;

    guest_put(&guest, &header, sizeof(header));
    xenstore_server_service();
    consumed = guest.page.req_cons;
    guest.page.error = XENSTORE_ERROR_NONE;
    guest_put_request(&guest, XS_READ, 2, "name", 5);
    xenstore_server_service();
    ck_assert_uint_eq(guest.page.req_cons, consumed);
    ck_assert_uint_eq(guest_responses_waiting(&guest), 0);
}
END_TEST

START_TEST(test_request_index_more_than_a_ring_ahead_breaks_the_connection)
{
    guest.page.req_prod = guest.page.req_cons + XENSTORE_RING_SIZE + 1;
    xenstore_server_service();
    ck_assert_uint_eq(guest.page.error, XENSTORE_ERROR_RINGIDX);
    ck_assert_uint_eq(guest.page.req_cons, 0);
}
END_TEST

START_TEST(test_response_index_more_than_a_ring_behind_breaks_the_connection)
{
    guest.page.rsp_cons = guest.page.rsp_prod - XENSTORE_RING_SIZE - 1;
    guest_put_request(&guest, XS_READ, 1, "name", 5);
    xenstore_server_service();
    ck_assert_uint_eq(guest.page.error, XENSTORE_ERROR_RINGIDX);
}
END_TEST

START_TEST(test_broken_connection_leaves_the_others_served)
{
    struct xsd_sockmsg header = { .type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1 };
    char payload[64];

    connect(&other_guest, OTHER_DOMU);
    guest_put(&guest, &header, sizeof(header));
    guest_put_request(&other_guest, XS_GET_DOMAIN_PATH, 1, "4", 2);
    xenstore_server_service();
    guest_take_message(&other_guest, payload);
    ck_assert_str_eq(payload, "/local/domain/4");
}
END_TEST

START_TEST(test_disconnected_domain_is_not_served_and_its_watches_are_gone)
{
    char payload[64];

    guest_put_request(&guest, XS_WATCH, 1, "data\0tok", 9);
    xenstore_server_service();
    guest_take_message(&guest, payload);
    guest_take_message(&guest, payload);
    xenstore_server_disconnect(DOMU);
    ck_assert_int_eq(xenstore_store_watch(DOMU, "data", "tok"), 0);
    guest_put_request(&guest, XS_READ, 2, "name", 5);
    guest.notifications = 0;
    xenstore_server_service();
    ck_assert_uint_eq(guest_responses_waiting(&guest), 0);
    ck_assert_uint_eq(guest.notifications, 0);
}
END_TEST

START_TEST(test_busy_guest_is_served_a_bounded_number_of_requests_per_call)
{
    char payload[64];

    for (unsigned int index = 0; index < XENSTORE_REQUESTS_PER_PASS + 1; index++)
        guest_put_request(&guest, XS_TRANSACTION_END, index, "T", 2);
    ck_assert(xenstore_server_service());
    for (unsigned int index = 0; index < XENSTORE_REQUESTS_PER_PASS; index++)
        guest_take_message(&guest, payload);
    ck_assert_uint_eq(guest_responses_waiting(&guest), 0);
    ck_assert(!xenstore_server_service());
    ck_assert_uint_eq(guest_take_message(&guest, payload).req_id, XENSTORE_REQUESTS_PER_PASS);
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

static Suite *xenstore_server_suite(void)
{
    Suite *suite = suite_create("xenstore_server");

    add_test_case(suite, test_connecting_advertises_the_error_field);
    add_test_case(suite, test_domain_connects_only_once);
    add_test_case(suite, test_connections_beyond_the_table_are_enospc);
    add_test_case(suite, test_request_in_the_ring_gets_its_reply_and_a_notification);
    add_test_case(suite, test_nothing_to_do_sends_no_notification);
    add_test_case(suite, test_half_sent_request_waits_for_the_rest);
    add_test_case(suite, test_messages_cross_the_end_of_the_ring_and_indexes_wrap);
    add_test_case(suite, test_several_requests_are_served_in_order);
    add_test_case(suite, test_request_bigger_than_the_ring_arrives_in_pieces);
    add_test_case(suite, test_reply_bigger_than_the_ring_follows_as_the_guest_reads);
    add_test_case(suite, test_watch_event_reaches_the_watchers_ring_with_ids_zero);
    add_test_case(suite, test_guest_that_stops_reading_stops_being_served);
    add_test_case(suite, test_header_announcing_more_than_the_payload_limit_breaks_the_connection);
    add_test_case(suite, test_broken_connection_is_never_read_again);
    add_test_case(suite, test_request_index_more_than_a_ring_ahead_breaks_the_connection);
    add_test_case(suite, test_response_index_more_than_a_ring_behind_breaks_the_connection);
    add_test_case(suite, test_broken_connection_leaves_the_others_served);
    add_test_case(suite, test_disconnected_domain_is_not_served_and_its_watches_are_gone);
    add_test_case(suite, test_busy_guest_is_served_a_bounded_number_of_requests_per_call);
    return suite;
}

REGISTER_SUITE(xenstore_server_suite)
