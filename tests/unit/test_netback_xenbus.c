/*
 * Specification of a vif's xenbus device (backend/netback_xenbus.h): the
 * toolstack's nodes with libxl's permissions, and the backend's side of
 * Linux 6.1 netfront's handshake, over dom0's real xenstore
 * (xenstore_store.h).  The frontend (domain 5) writes its nodes as
 * itself, so every write it makes is checked against the permissions; a
 * third domain (6) must see nothing.  The hypervisor is a record of the
 * ring mappings and event channels asked for.
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <xen/io/xenbus.h>
#include <tools/xenstored/xenstore_store.h>
#include <backend/netback_xenbus.h>

#include "suites.h"

#define FRONTEND 5
#define STRANGER 6
#define HANDLE 0
#define FRONT "/local/domain/5/device/vif/0"
#define BACK "/local/domain/0/backend/vif/5/0"
#define LOCAL_PORT 31

static struct netback_xenbus device;
static struct packet_pool pool;
static uint8_t ring_pages[NETBACK_RINGS][4096] __attribute__((aligned(4096)));
static grant_ref_t mapped_refs[NETBACK_RINGS];
static unsigned int maps, unmaps, binds, closes;
static evtchn_port_t bound_remote_port;
static long map_result;

static void ignore_event(xenstore_domain domain, const char *path, const char *token, void *context)
{
    (void)domain, (void)path, (void)token, (void)context;
}

static long map_ring(struct netback_xenbus *mapping, enum netback_ring ring, grant_ref_t ref, void **page)
{
    ck_assert_ptr_eq(mapping, &device);
    if (map_result != 0)
        return map_result;
    maps++;
    mapped_refs[ring] = ref;
    *page = ring_pages[ring];
    return 0;
}

static void unmap_ring(struct netback_xenbus *mapping, enum netback_ring ring)
{
    (void)mapping, (void)ring;
    unmaps++;
}

static long bind_event_channel(struct netback_xenbus *binding, evtchn_port_t remote_port, evtchn_port_t *local_port)
{
    (void)binding;
    binds++;
    bound_remote_port = remote_port;
    *local_port = LOCAL_PORT;
    return 0;
}

static void close_event_channel(struct netback_xenbus *closing, evtchn_port_t local_port)
{
    (void)closing;
    ck_assert_uint_eq(local_port, LOCAL_PORT);
    closes++;
}

static void report(struct netback_xenbus *reporting, const char *what)
{
    (void)reporting, (void)what;
}

static const struct netback_xenbus_operations operations = {
    .map_ring = map_ring,
    .unmap_ring = unmap_ring,
    .bind_event_channel = bind_event_channel,
    .close_event_channel = close_event_channel,
    .report = report,
};

static long no_copy(struct gnttab_copy *copies, unsigned int count)
{
    (void)copies, (void)count;
    return 0;
}

static void no_notify(struct netback *vif)
{
    (void)vif;
}

static void no_deliver(struct netback *vif, struct packet_buffer *frame)
{
    (void)vif, (void)frame;
}

static const struct netback_operations vif_operations = { no_copy, no_notify, no_deliver };

static void setup(void)
{
    struct netback_xenbus_config config = {
        .handle = HANDLE,
        .bridge = "xenbr0",
        .vif = { .frontend_domain = FRONTEND, .address = { { 0x00, 0x16, 0x3e, 0x0a, 0xbc, 0x21 } } },
    };

    xenstore_store_init(ignore_event, NULL);
    memset(ring_pages, 0, sizeof(ring_pages));
    maps = unmaps = binds = closes = 0;
    map_result = 0;
    packet_pool_init(&pool, NULL, NULL, 0);
    ck_assert_int_eq(netback_xenbus_create(&device, &operations, &config, &vif_operations, &pool, NULL), 0);
}

/* The node's value as domain sees it, or "" when it may not read it (or it is missing). */
static const char *read_as(xenstore_domain domain, const char *path)
{
    static char value[256];
    const uint8_t *bytes;
    uint32_t length;

    if (xenstore_store_read(domain, path, &bytes, &length) != 0)
        return "";
    memcpy(value, bytes, length);
    value[length] = '\0';
    return value;
}

static void frontend_writes(const char *key, const char *value)
{
    char path[256];

    strcpy(path, FRONT "/");
    strcat(path, key);
    ck_assert_int_eq(xenstore_store_write_string(FRONTEND, path, value), 0);
}

/* What Linux's talk_to_netback writes (one queue, one event channel), then Connected. */
static void frontend_offers_its_rings(void)
{
    frontend_writes("tx-ring-ref", "768");
    frontend_writes("rx-ring-ref", "769");
    frontend_writes("event-channel", "11");
    frontend_writes("request-rx-copy", "1");
    frontend_writes("feature-rx-notify", "1");
    frontend_writes("feature-sg", "1");
    frontend_writes("feature-gso-tcpv4", "1");
    frontend_writes("feature-gso-tcpv6", "1");
    frontend_writes("feature-ipv6-csum-offload", "1");
}

static void connect_frontend(void)
{
    frontend_offers_its_rings();
    frontend_writes("state", "4");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "4");
}

START_TEST(test_toolstack_writes_the_frontend_directory)
{
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/backend"), BACK);
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/backend-id"), "0");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/state"), "1");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/handle"), "0");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/mac"), "00:16:3e:0a:bc:21");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/mtu"), "1500");
}
END_TEST

START_TEST(test_toolstack_writes_the_backend_directory)
{
    ck_assert_str_eq(read_as(0, BACK "/frontend"), FRONT);
    ck_assert_str_eq(read_as(0, BACK "/frontend-id"), "5");
    ck_assert_str_eq(read_as(0, BACK "/online"), "1");
    ck_assert_str_eq(read_as(0, BACK "/mac"), "00:16:3e:0a:bc:21");
    ck_assert_str_eq(read_as(0, BACK "/bridge"), "xenbr0");
    ck_assert_str_eq(read_as(0, BACK "/handle"), "0");
    ck_assert_str_eq(read_as(0, BACK "/type"), "vif");
    ck_assert_str_eq(read_as(0, BACK "/hotplug-status"), "connected");
}
END_TEST

START_TEST(test_directories_have_libxl_s_permissions)
{
    struct xenstore_permission permissions[XENSTORE_PERMISSIONS_MAX];
    unsigned int count;

    ck_assert_int_eq(xenstore_store_get_permissions(0, FRONT, permissions, XENSTORE_PERMISSIONS_MAX, &count), 0);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(permissions[0].domain, FRONTEND);
    ck_assert_uint_eq(permissions[0].access, XENSTORE_PERM_NONE);
    ck_assert_uint_eq(permissions[1].domain, 0);
    ck_assert_uint_eq(permissions[1].access, XENSTORE_PERM_READ);
    ck_assert_int_eq(xenstore_store_get_permissions(0, BACK, permissions, XENSTORE_PERMISSIONS_MAX, &count), 0);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(permissions[0].domain, 0);
    ck_assert_uint_eq(permissions[1].domain, FRONTEND);
    ck_assert_uint_eq(permissions[1].access, XENSTORE_PERM_READ);
}
END_TEST

START_TEST(test_frontend_may_not_change_its_mtu_or_the_backend_nodes)
{
    ck_assert_int_eq(xenstore_store_write_string(FRONTEND, FRONT "/mtu", "9000"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_write_string(FRONTEND, BACK "/state", "4"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_write_string(FRONTEND, BACK "/mac", "00:16:3e:00:00:01"), -XEN_EACCES);
}
END_TEST

START_TEST(test_another_domain_sees_neither_directory)
{
    const uint8_t *bytes;
    uint32_t length;

    ck_assert_int_eq(xenstore_store_read(STRANGER, BACK "/state", &bytes, &length), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_read(STRANGER, FRONT "/mac", &bytes, &length), -XEN_EACCES);
}
END_TEST

START_TEST(test_backend_waits_in_initwait_offering_rx_copy_and_sg_only)
{
    ck_assert_str_eq(read_as(FRONTEND, BACK "/state"), "2");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-rx-copy"), "1");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-sg"), "1");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-rx-flip"), "0");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-gso-tcpv4"), "");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-gso-tcpv6"), "");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/multi-queue-max-queues"), "");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-split-event-channels"), "");
}
END_TEST

START_TEST(test_frontend_that_never_answers_costs_nothing)
{
    for (int pass = 0; pass < 100; pass++)
        ck_assert(!netback_xenbus_service(&device));
    ck_assert_uint_eq(maps, 0);
    ck_assert_str_eq(read_as(0, BACK "/state"), "2");
}
END_TEST

START_TEST(test_rings_are_not_mapped_before_the_frontend_is_connected)
{
    frontend_offers_its_rings();
    frontend_writes("state", "3");
    netback_xenbus_service(&device);
    ck_assert_uint_eq(maps, 0);
    ck_assert_str_eq(read_as(0, BACK "/state"), "2");
}
END_TEST

START_TEST(test_connected_frontend_gets_both_rings_mapped_and_its_port_bound)
{
    connect_frontend();
    ck_assert_uint_eq(maps, 2);
    ck_assert_uint_eq(mapped_refs[NETBACK_TX_RING], 768);
    ck_assert_uint_eq(mapped_refs[NETBACK_RX_RING], 769);
    ck_assert_uint_eq(binds, 1);
    ck_assert_uint_eq(bound_remote_port, 11);
    ck_assert(netback_xenbus_connected(&device));
    ck_assert(device.vif.attached);
}
END_TEST

START_TEST(test_frontend_without_rx_copy_is_refused)
{
    frontend_offers_its_rings();
    frontend_writes("request-rx-copy", "0");
    frontend_writes("state", "4");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/error"), "the frontend does not request rx-copy");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_several_queues_are_refused)
{
    frontend_offers_its_rings();
    frontend_writes("multi-queue-num-queues", "2");
    frontend_writes("state", "4");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_malformed_ring_ref_is_refused)
{
    frontend_offers_its_rings();
    frontend_writes("rx-ring-ref", "-1");
    frontend_writes("state", "4");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_missing_event_channel_is_refused)
{
    frontend_writes("tx-ring-ref", "768");
    frontend_writes("rx-ring-ref", "769");
    frontend_writes("request-rx-copy", "1");
    frontend_writes("state", "4");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_ring_that_cannot_be_mapped_is_refused)
{
    map_result = -XEN_EINVAL;
    frontend_offers_its_rings();
    frontend_writes("state", "4");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(binds, 0);
}
END_TEST

START_TEST(test_closing_frontend_is_disconnected_at_once)
{
    connect_frontend();
    frontend_writes("state", "5");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(unmaps, 2);
    ck_assert_uint_eq(closes, 1);
    ck_assert(device.vif.stopped);
    frontend_writes("state", "6");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "6");
    ck_assert_uint_eq(unmaps, 2);
}
END_TEST

START_TEST(test_requests_sent_before_closing_are_answered)
{
    struct ring_front front;
    struct netif_tx_request request = { .gref = 10, .size = 60 };

    connect_frontend();
    ring_front_attach(&front, ring_pages[NETBACK_TX_RING], 4096, sizeof(union netif_tx_sring_entry), 0);
    ck_assert(ring_front_put_request(&front, &request, sizeof(request)));
    ring_front_push_requests(&front);
    frontend_writes("state", "5");
    netback_xenbus_service(&device);
    ck_assert_uint_eq(ring_front_poll_responses(&front), 1);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
}
END_TEST

START_TEST(test_disabled_vif_closes_the_device_with_its_reason)
{
    connect_frontend();
    ((struct ring_shared *)ring_pages[NETBACK_TX_RING])->req_prod = 1000;
    ck_assert(!netback_xenbus_service(&device));
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/error"), "the frontend's tx request producer ran beyond the ring");
    ck_assert_uint_eq(unmaps, 2);
    ck_assert_uint_eq(closes, 1);
}
END_TEST

START_TEST(test_closed_device_starts_over_for_an_initialising_frontend)
{
    connect_frontend();
    frontend_writes("state", "6");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "6");
    frontend_writes("state", "1");
    netback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "2");
    connect_frontend();
    ck_assert_uint_eq(maps, 4);
    ck_assert(!device.vif.stopped);
}
END_TEST

START_TEST(test_destroy_removes_both_directories_and_undoes_the_connection)
{
    const uint8_t *bytes;
    uint32_t length;

    connect_frontend();
    netback_xenbus_destroy(&device);
    ck_assert_uint_eq(unmaps, 2);
    ck_assert_uint_eq(closes, 1);
    ck_assert_int_eq(xenstore_store_read(0, FRONT, &bytes, &length), -XEN_ENOENT);
    ck_assert_int_eq(xenstore_store_read(0, BACK, &bytes, &length), -XEN_ENOENT);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *netback_xenbus_suite(void)
{
    Suite *suite = suite_create("netback_xenbus");

    add_test_case(suite, test_toolstack_writes_the_frontend_directory);
    add_test_case(suite, test_toolstack_writes_the_backend_directory);
    add_test_case(suite, test_directories_have_libxl_s_permissions);
    add_test_case(suite, test_frontend_may_not_change_its_mtu_or_the_backend_nodes);
    add_test_case(suite, test_another_domain_sees_neither_directory);
    add_test_case(suite, test_backend_waits_in_initwait_offering_rx_copy_and_sg_only);
    add_test_case(suite, test_frontend_that_never_answers_costs_nothing);
    add_test_case(suite, test_rings_are_not_mapped_before_the_frontend_is_connected);
    add_test_case(suite, test_connected_frontend_gets_both_rings_mapped_and_its_port_bound);
    add_test_case(suite, test_frontend_without_rx_copy_is_refused);
    add_test_case(suite, test_several_queues_are_refused);
    add_test_case(suite, test_malformed_ring_ref_is_refused);
    add_test_case(suite, test_missing_event_channel_is_refused);
    add_test_case(suite, test_ring_that_cannot_be_mapped_is_refused);
    add_test_case(suite, test_closing_frontend_is_disconnected_at_once);
    add_test_case(suite, test_requests_sent_before_closing_are_answered);
    add_test_case(suite, test_disabled_vif_closes_the_device_with_its_reason);
    add_test_case(suite, test_closed_device_starts_over_for_an_initialising_frontend);
    add_test_case(suite, test_destroy_removes_both_directories_and_undoes_the_connection);
    return suite;
}

REGISTER_SUITE(netback_xenbus_suite)
