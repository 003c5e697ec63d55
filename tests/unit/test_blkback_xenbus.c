/*
 * Specification of a vbd's xenbus device (backend/blkback_xenbus.h): the
 * toolstack's nodes with libxl's permissions, and the backend's side of
 * Linux 6.1 blkfront's handshake, over dom0's real xenstore
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
#include <backend/blkback_xenbus.h>

#include "suites.h"

#define FRONTEND 5
#define STRANGER 6
#define VIRTUAL_DEVICE 51712
#define FRONT "/local/domain/5/device/vbd/51712"
#define BACK "/local/domain/0/backend/vbd/5/51712"
#define RING_REF 77
#define REMOTE_PORT 9
#define LOCAL_PORT 30

static struct blkback_xenbus device;
static struct blkback_bounce_pool pool;
static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static grant_ref_t mapped_ref;
static unsigned int maps, unmaps, binds, closes;
static evtchn_port_t bound_remote_port;
static long map_result;

static void ignore_event(xenstore_domain domain, const char *path, const char *token, void *context)
{
    (void)domain, (void)path, (void)token, (void)context;
}

static long map_ring(struct blkback_xenbus *mapping, grant_ref_t ref, void **page)
{
    ck_assert_ptr_eq(mapping, &device);
    maps++;
    mapped_ref = ref;
    *page = ring_page;
    return map_result;
}

static void unmap_ring(struct blkback_xenbus *mapping)
{
    (void)mapping;
    unmaps++;
}

static long bind_event_channel(struct blkback_xenbus *binding, evtchn_port_t remote_port, evtchn_port_t *local_port)
{
    (void)binding;
    binds++;
    bound_remote_port = remote_port;
    *local_port = LOCAL_PORT;
    return 0;
}

static void close_event_channel(struct blkback_xenbus *closing, evtchn_port_t local_port)
{
    (void)closing;
    ck_assert_uint_eq(local_port, LOCAL_PORT);
    closes++;
}

static void report(struct blkback_xenbus *reporting, const char *what)
{
    (void)reporting, (void)what;
}

static const struct blkback_xenbus_operations operations = {
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

static int no_submit(struct block_device *disk, struct block_request *request)
{
    (void)disk, (void)request;
    return -XEN_EIO;
}

static void no_notify(struct blkback *vbd)
{
    (void)vbd;
}

static const struct blkback_operations vbd_operations = { no_copy, no_submit, no_notify };

static void create(bool read_only, bool disk_has_flush)
{
    struct blkback_xenbus_config config = {
        .frontend_domain = FRONTEND,
        .virtual_device = VIRTUAL_DEVICE,
        .vdev = "xvda",
        .params = "/dev/vda@0+16",
        .vbd = { .sectors = 32768, .read_only = read_only, .disk_has_flush = disk_has_flush,
                 .frontend_domain = FRONTEND },
    };

    ck_assert_int_eq(blkback_xenbus_create(&device, &operations, &config, &vbd_operations, &pool, NULL), 0);
}

static void setup(void)
{
    xenstore_store_init(ignore_event, NULL);
    memset(ring_page, 0, sizeof(ring_page));
    maps = unmaps = binds = closes = 0;
    map_result = 0;
    pool.free_count = 0;
    create(false, true);
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

/* What Linux's talk_to_blkback writes, then Initialised. */
static void frontend_offers_its_ring(const char *protocol)
{
    frontend_writes("ring-ref", "77");
    frontend_writes("event-channel", "9");
    if (protocol != NULL)
        frontend_writes("protocol", protocol);
    frontend_writes("feature-persistent", "1");
    frontend_writes("state", "3");
}

static void connect_frontend(void)
{
    frontend_offers_its_ring("x86_64-abi");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "4");
}

START_TEST(test_toolstack_writes_the_frontend_directory)
{
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/backend"), BACK);
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/backend-id"), "0");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/state"), "1");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/virtual-device"), "51712");
    ck_assert_str_eq(read_as(FRONTEND, FRONT "/device-type"), "disk");
}
END_TEST

START_TEST(test_toolstack_writes_the_backend_directory)
{
    ck_assert_str_eq(read_as(0, BACK "/frontend"), FRONT);
    ck_assert_str_eq(read_as(0, BACK "/frontend-id"), "5");
    ck_assert_str_eq(read_as(0, BACK "/online"), "1");
    ck_assert_str_eq(read_as(0, BACK "/params"), "/dev/vda@0+16");
    ck_assert_str_eq(read_as(0, BACK "/mode"), "w");
    ck_assert_str_eq(read_as(0, BACK "/type"), "phy");
    ck_assert_str_eq(read_as(0, BACK "/dev"), "xvda");
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
    ck_assert_uint_eq(permissions[0].access, XENSTORE_PERM_NONE);
    ck_assert_uint_eq(permissions[1].domain, FRONTEND);
    ck_assert_uint_eq(permissions[1].access, XENSTORE_PERM_READ);
}
END_TEST

START_TEST(test_frontend_reads_but_cannot_write_the_backend_nodes)
{
    ck_assert_str_eq(read_as(FRONTEND, BACK "/state"), "2");
    ck_assert_int_eq(xenstore_store_write_string(FRONTEND, BACK "/state", "4"), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_write_string(FRONTEND, BACK "/sectors", "999999"), -XEN_EACCES);
}
END_TEST

START_TEST(test_another_domain_sees_neither_directory)
{
    const uint8_t *bytes;
    uint32_t length;

    ck_assert_int_eq(xenstore_store_read(STRANGER, BACK "/state", &bytes, &length), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_read(STRANGER, FRONT "/state", &bytes, &length), -XEN_EACCES);
    ck_assert_int_eq(xenstore_store_write_string(STRANGER, FRONT "/ring-ref", "1"), -XEN_EACCES);
}
END_TEST

START_TEST(test_backend_waits_in_initwait_with_its_features)
{
    ck_assert_str_eq(read_as(0, BACK "/state"), "2");
    ck_assert_str_eq(read_as(0, BACK "/feature-flush-cache"), "1");
}
END_TEST

START_TEST(test_frontend_that_never_answers_costs_nothing)
{
    for (int pass = 0; pass < 100; pass++)
        ck_assert(!blkback_xenbus_service(&device));
    ck_assert_uint_eq(maps, 0);
    ck_assert_str_eq(read_as(0, BACK "/state"), "2");
}
END_TEST

START_TEST(test_initialised_frontend_gets_its_ring_mapped_and_port_bound)
{
    connect_frontend();
    ck_assert_uint_eq(maps, 1);
    ck_assert_uint_eq(mapped_ref, RING_REF);
    ck_assert_uint_eq(binds, 1);
    ck_assert_uint_eq(bound_remote_port, REMOTE_PORT);
    ck_assert_uint_eq(device.phase, BLKBACK_XENBUS_CONNECTED);
}
END_TEST

START_TEST(test_connected_backend_describes_the_disk)
{
    connect_frontend();
    ck_assert_str_eq(read_as(FRONTEND, BACK "/sectors"), "32768");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/info"), "0");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/sector-size"), "512");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/physical-sector-size"), "512");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/feature-flush-cache"), "1");
}
END_TEST

START_TEST(test_read_only_vbd_is_mode_r_and_info_readonly)
{
    create(true, true);
    connect_frontend();
    ck_assert_str_eq(read_as(0, BACK "/mode"), "r");
    ck_assert_str_eq(read_as(0, BACK "/info"), "4");
}
END_TEST

START_TEST(test_disk_without_cache_advertises_no_flush)
{
    create(false, false);
    ck_assert_str_eq(read_as(0, BACK "/feature-flush-cache"), "0");
}
END_TEST

START_TEST(test_missing_protocol_is_the_native_one)
{
    frontend_offers_its_ring(NULL);
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "4");
}
END_TEST

START_TEST(test_other_protocol_is_refused)
{
    frontend_offers_its_ring("x86_32-abi");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_str_eq(read_as(FRONTEND, BACK "/error"), "unsupported protocol");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_missing_ring_ref_is_refused)
{
    frontend_writes("event-channel", "9");
    frontend_writes("state", "3");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_malformed_ring_ref_is_refused)
{
    frontend_writes("ring-ref", "77x");
    frontend_writes("event-channel", "9");
    frontend_writes("state", "3");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_multi_page_ring_is_refused)
{
    frontend_writes("ring-page-order", "2");
    frontend_offers_its_ring("x86_64-abi");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_ring_that_cannot_be_mapped_is_refused)
{
    map_result = -1;
    frontend_offers_its_ring("x86_64-abi");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(binds, 0);
}
END_TEST

START_TEST(test_closing_frontend_is_answered_closing_and_still_served)
{
    connect_frontend();
    frontend_writes("state", "5");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(unmaps, 0);
    ck_assert(device.ring_mapped);
}
END_TEST

START_TEST(test_closed_frontend_gets_its_ring_unmapped_and_port_closed)
{
    connect_frontend();
    frontend_writes("state", "5");
    blkback_xenbus_service(&device);
    frontend_writes("state", "6");
    blkback_xenbus_service(&device);
    ck_assert_uint_eq(unmaps, 1);
    ck_assert_uint_eq(closes, 1);
    ck_assert_str_eq(read_as(0, BACK "/state"), "6");
}
END_TEST

START_TEST(test_frontend_closing_before_connecting_is_answered_closing)
{
    frontend_writes("state", "5");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    frontend_writes("state", "6");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "6");
    ck_assert_uint_eq(maps, 0);
}
END_TEST

START_TEST(test_broken_ring_closes_the_device)
{
    connect_frontend();
    ((struct ring_shared *)ring_page)->req_prod = 1000;
    ck_assert(!blkback_xenbus_service(&device));
    ck_assert_str_eq(read_as(0, BACK "/state"), "5");
    ck_assert_uint_eq(unmaps, 1);
    ck_assert_uint_eq(closes, 1);
    frontend_writes("state", "6");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "6");
}
END_TEST

START_TEST(test_closed_device_starts_over_for_an_initialising_frontend)
{
    connect_frontend();
    frontend_writes("state", "6");
    blkback_xenbus_service(&device);
    frontend_writes("state", "1");
    blkback_xenbus_service(&device);
    ck_assert_str_eq(read_as(0, BACK "/state"), "2");
    connect_frontend();
    ck_assert_uint_eq(maps, 2);
}
END_TEST

START_TEST(test_destroy_removes_both_directories_and_undoes_the_connection)
{
    const uint8_t *bytes;
    uint32_t length;

    connect_frontend();
    blkback_xenbus_destroy(&device);
    ck_assert_uint_eq(unmaps, 1);
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

static Suite *blkback_xenbus_suite(void)
{
    Suite *suite = suite_create("blkback_xenbus");

    add_test_case(suite, test_toolstack_writes_the_frontend_directory);
    add_test_case(suite, test_toolstack_writes_the_backend_directory);
    add_test_case(suite, test_directories_have_libxl_s_permissions);
    add_test_case(suite, test_frontend_reads_but_cannot_write_the_backend_nodes);
    add_test_case(suite, test_another_domain_sees_neither_directory);
    add_test_case(suite, test_backend_waits_in_initwait_with_its_features);
    add_test_case(suite, test_frontend_that_never_answers_costs_nothing);
    add_test_case(suite, test_initialised_frontend_gets_its_ring_mapped_and_port_bound);
    add_test_case(suite, test_connected_backend_describes_the_disk);
    add_test_case(suite, test_read_only_vbd_is_mode_r_and_info_readonly);
    add_test_case(suite, test_disk_without_cache_advertises_no_flush);
    add_test_case(suite, test_missing_protocol_is_the_native_one);
    add_test_case(suite, test_other_protocol_is_refused);
    add_test_case(suite, test_missing_ring_ref_is_refused);
    add_test_case(suite, test_malformed_ring_ref_is_refused);
    add_test_case(suite, test_multi_page_ring_is_refused);
    add_test_case(suite, test_ring_that_cannot_be_mapped_is_refused);
    add_test_case(suite, test_closing_frontend_is_answered_closing_and_still_served);
    add_test_case(suite, test_closed_frontend_gets_its_ring_unmapped_and_port_closed);
    add_test_case(suite, test_frontend_closing_before_connecting_is_answered_closing);
    add_test_case(suite, test_broken_ring_closes_the_device);
    add_test_case(suite, test_closed_device_starts_over_for_an_initialising_frontend);
    add_test_case(suite, test_destroy_removes_both_directories_and_undoes_the_connection);
    return suite;
}

REGISTER_SUITE(blkback_xenbus_suite)
