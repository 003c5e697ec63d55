/*
 * Specification of blkback's service of one vbd (backend/blkback.h), run
 * against a simulated frontend (domain 1: its ring through ring.h's front
 * end, its data pages granted to dom0), the hypervisor's own grant-table
 * code on a simulated machine (simulated_grants.h: GNTTABOP_copy exactly
 * as pvmon does it) and a RAM disk implementing block_device.h's submit
 * and completion, which completes requests only when a test says so and
 * keeps a "durable" image that only a FLUSH updates.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pvmon/errno.h>
#include <backend/blkback.h>

#include "simulated_grants.h"
#include "suites.h"

#define FRAME_COUNT 512
#define DOM0 0
#define FRONTEND 1
#define STRANGER 2
#define DATA_PAGES 16
#define DISK_SECTORS 4096
#define VBD_FIRST_SECTOR 1024
#define VBD_SECTORS 2048
#define DISK_QUEUE 64
#define PAGE_BYTES 4096
#define RING_ENTRY_SIZE sizeof(union blkif_sring_entry)

/* The RAM disk: block_device.h's device as the tests see it. */
struct block_device {
    uint8_t data[DISK_SECTORS * BLOCK_SECTOR_SIZE];
    uint8_t durable[DISK_SECTORS * BLOCK_SECTOR_SIZE];
    struct block_request *queued[DISK_QUEUE];
    unsigned int queued_count;
    unsigned int busy_answers; /* the next submissions answered -EBUSY */
    int next_status;           /* the status the next completion gets */
    unsigned int submissions;
    unsigned int flushes;
};

static struct simulated_grants world;
static struct block_device disk;
static uint8_t ring_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
static struct ring_front front;
static struct blkback vbd;
#define POOL_PAGES 200
static uint64_t bounce_frames[POOL_PAGES];
static struct blkback_bounce_pool pool;
static uint64_t data_frames[DATA_PAGES];
static unsigned int notifications;

static uint8_t *machine_bytes(uint64_t machine_address)
{
    return (uint8_t *)simulated_page_of(&world.machine, machine_address >> 12) + (machine_address & 0xfff);
}

/* --- the RAM disk ----------------------------------------------------------- */

static int ram_disk_submit(struct block_device *device, struct block_request *request)
{
    if (device->busy_answers > 0) {
        device->busy_answers--;
        return -XEN_EBUSY;
    }
    ck_assert_uint_lt(device->queued_count, DISK_QUEUE);
    device->queued[device->queued_count++] = request;
    device->submissions++;
    return 0;
}

static void ram_disk_transfer(struct block_device *device, struct block_request *request)
{
    uint64_t offset = request->sector * BLOCK_SECTOR_SIZE;

    if (request->operation == BLOCK_FLUSH) {
        memcpy(device->durable, device->data, sizeof(device->data));
        device->flushes++;
        return;
    }
    for (unsigned int index = 0; index < request->segment_count; index++) {
        const struct block_segment *segment = &request->segments[index];

        ck_assert_uint_le(offset + segment->length, sizeof(device->data));
        if (request->operation == BLOCK_WRITE)
            memcpy(device->data + offset, machine_bytes(segment->machine_address), segment->length);
        else
            memcpy(machine_bytes(segment->machine_address), device->data + offset, segment->length);
        offset += segment->length;
    }
}

/* Completes the queued requests, last queued first when reversed. */
static unsigned int ram_disk_complete(struct block_device *device, bool reversed)
{
    unsigned int count = device->queued_count;

    device->queued_count = 0;
    for (unsigned int step = 0; step < count; step++) {
        struct block_request *request = device->queued[reversed ? count - 1 - step : step];

        request->status = device->next_status;
        if (request->status == 0)
            ram_disk_transfer(device, request);
        blkback_request_done(request);
    }
    device->next_status = 0;
    return count;
}

/* --- the hypervisor as blkback sees it ---------------------------------------- */

static long simulated_grant_copy(struct gnttab_copy *copies, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        grant_table_copy(&world.environment, DOM0, &copies[index]);
    return 0;
}

static void count_notification(struct blkback *notified)
{
    ck_assert_ptr_eq(notified, &vbd);
    notifications++;
}

static const struct blkback_operations operations = {
    .grant_copy = simulated_grant_copy,
    .submit = ram_disk_submit,
    .notify_frontend = count_notification,
};

static void start_vbd(bool read_only, bool disk_has_flush)
{
    struct blkback_vbd_config config = {
        .disk = &disk,
        .first_sector = VBD_FIRST_SECTOR,
        .sectors = VBD_SECTORS,
        .read_only = read_only,
        .disk_has_flush = disk_has_flush,
        .frontend_domain = FRONTEND,
    };

    blkback_init(&vbd, &operations, &config, &pool, NULL);
    blkback_attach(&vbd, ring_page);
}

static void setup(void)
{
    simulated_grants_create(&world, FRAME_COUNT);
    for (uint16_t domain = DOM0; domain <= STRANGER; domain++)
        ck_assert(simulated_grants_add_domain(&world, domain));
    for (unsigned int index = 0; index < POOL_PAGES; index++)
        bounce_frames[index] = simulated_grants_give_frame(&world, DOM0);
    blkback_bounce_pool_init(&pool, bounce_frames, POOL_PAGES);
    for (unsigned int index = 0; index < DATA_PAGES; index++) {
        data_frames[index] = simulated_grants_give_frame(&world, FRONTEND);
        simulated_grants_permit(&world, FRONTEND, 10 + index, DOM0, data_frames[index], false);
    }
    memset(&disk, 0, sizeof(disk));
    for (unsigned int index = 0; index < sizeof(disk.data); index++)
        disk.data[index] = (uint8_t)(index * 7 + index / 4096);
    notifications = 0;
    ring_front_init(&front, ring_page, PAGE_BYTES, RING_ENTRY_SIZE);
    start_vbd(false, true);
}

static void teardown(void)
{
    simulated_grants_destroy(&world);
}

/* --- the simulated frontend ---------------------------------------------------- */

static uint8_t *data_page(unsigned int index)
{
    return machine_bytes(data_frames[index] << 12);
}

static grant_ref_t gref_of(unsigned int page)
{
    return 10 + page;
}

/* A request of count whole pages (data pages first_page, first_page + 1, ...). */
static struct blkif_request pages_request(uint8_t operation, uint64_t id, uint64_t sector, unsigned int first_page,
                                          unsigned int count)
{
    struct blkif_request request = { .operation = operation, .nr_segments = (uint8_t)count, .id = id,
                                     .sector_number = sector };

    for (unsigned int index = 0; index < count; index++)
        request.seg[index] = (struct blkif_request_segment) {
            .gref = gref_of(first_page + index), .first_sect = 0, .last_sect = 7 };
    return request;
}

static void send(const struct blkif_request *request)
{
    ck_assert(ring_front_put_request(&front, request, sizeof(*request)));
    ring_front_push_requests(&front);
}

static unsigned int responses_waiting(void)
{
    return ring_front_poll_responses(&front);
}

static struct blkif_response next_response(void)
{
    union blkif_sring_entry entry;

    ck_assert(ring_front_take_response(&front, &entry));
    return entry.rsp;
}

static void expect_response(uint64_t id, uint8_t operation, int16_t status)
{
    struct blkif_response response;

    ck_assert_uint_ge(responses_waiting(), 1);
    response = next_response();
    ck_assert_uint_eq(response.id, id);
    ck_assert_uint_eq(response.operation, operation);
    ck_assert_int_eq(response.status, status);
}

static const uint8_t *disk_sector(uint64_t vbd_sector)
{
    return disk.data + (VBD_FIRST_SECTOR + vbd_sector) * BLOCK_SECTOR_SIZE;
}

/* One full round: the backend takes, the disk completes, the backend answers. */
static void serve_and_complete(void)
{
    blkback_service(&vbd);
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
}

/* --- reads and writes ---------------------------------------------------------- */

START_TEST(test_read_brings_the_vbd_s_sectors_into_the_grants)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 5, 16, 0, 2);

    send(&request);
    serve_and_complete();
    expect_response(5, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    ck_assert_mem_eq(data_page(0), disk_sector(16), PAGE_BYTES);
    ck_assert_mem_eq(data_page(1), disk_sector(24), PAGE_BYTES);
}
END_TEST

START_TEST(test_write_puts_the_grants_on_the_vbd_s_sectors)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 6, 40, 2, 3);

    for (unsigned int page = 2; page < 5; page++)
        memset(data_page(page), 0x30 + page, PAGE_BYTES);
    send(&request);
    serve_and_complete();
    expect_response(6, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    for (unsigned int page = 2; page < 5; page++)
        ck_assert_mem_eq(disk_sector(40 + (page - 2) * 8), data_page(page), PAGE_BYTES);
}
END_TEST

START_TEST(test_partial_segment_moves_only_its_sectors)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 1);
    uint8_t before[BLOCK_SECTOR_SIZE];

    memcpy(before, disk_sector(2), sizeof(before));
    memset(data_page(0), 0xee, PAGE_BYTES);
    request.seg[0].first_sect = 3;
    request.seg[0].last_sect = 4;
    send(&request);
    serve_and_complete();
    expect_response(1, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    ck_assert_uint_eq(disk_sector(0)[0], 0xee);
    ck_assert_uint_eq(disk_sector(1)[BLOCK_SECTOR_SIZE - 1], 0xee);
    ck_assert_mem_eq(disk_sector(2), before, sizeof(before));
}
END_TEST

START_TEST(test_vbd_sectors_start_at_its_first_disk_sector)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 1);

    memset(data_page(0), 0x77, PAGE_BYTES);
    send(&request);
    serve_and_complete();
    ck_assert_uint_eq(disk.data[VBD_FIRST_SECTOR * BLOCK_SECTOR_SIZE], 0x77);
    ck_assert_uint_ne(disk.data[(VBD_FIRST_SECTOR - 1) * BLOCK_SECTOR_SIZE], 0x77);
}
END_TEST

START_TEST(test_no_response_before_the_disk_completes)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 1);

    send(&request);
    blkback_service(&vbd);
    ck_assert_uint_eq(disk.submissions, 1);
    ck_assert_uint_eq(responses_waiting(), 0);
    ck_assert(!blkback_idle(&vbd));
}
END_TEST

START_TEST(test_write_data_is_copied_before_submission)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 1);

    memset(data_page(0), 0x11, PAGE_BYTES);
    send(&request);
    blkback_service(&vbd);
    memset(data_page(0), 0x22, PAGE_BYTES);
    ram_disk_complete(&disk, false);
    ck_assert_uint_eq(disk_sector(0)[0], 0x11);
}
END_TEST

START_TEST(test_grants_are_released_when_the_response_is_published)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 2);

    send(&request);
    serve_and_complete();
    expect_response(1, BLKIF_OP_READ, BLKIF_RSP_OKAY);
    ck_assert_uint_eq(simulated_grants_entry(&world, FRONTEND, gref_of(0))->flags, GTF_permit_access);
    ck_assert_uint_eq(simulated_grants_entry(&world, FRONTEND, gref_of(1))->flags, GTF_permit_access);
}
END_TEST

START_TEST(test_responses_follow_completion_order_with_their_ids)
{
    struct blkif_request first = pages_request(BLKIF_OP_READ, 100, 0, 0, 1);
    struct blkif_request second = pages_request(BLKIF_OP_WRITE, 200, 8, 1, 1);

    send(&first);
    send(&second);
    blkback_service(&vbd);
    ram_disk_complete(&disk, true);
    blkback_service(&vbd);
    expect_response(200, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    expect_response(100, BLKIF_OP_READ, BLKIF_RSP_OKAY);
}
END_TEST

/* --- refused requests and bad grants --------------------------------------------- */

START_TEST(test_invalid_request_is_answered_at_once_and_never_reaches_the_disk)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 9, 0, 0, 1);

    request.seg[0].first_sect = 5;
    request.seg[0].last_sect = 2;
    send(&request);
    blkback_service(&vbd);
    expect_response(9, BLKIF_OP_READ, BLKIF_RSP_ERROR);
    ck_assert_uint_eq(disk.submissions, 0);
}
END_TEST

START_TEST(test_request_beyond_the_vbd_never_reaches_the_disk)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 9, VBD_SECTORS - 4, 0, 1);

    send(&request);
    blkback_service(&vbd);
    expect_response(9, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
    ck_assert_uint_eq(disk.submissions, 0);
}
END_TEST

START_TEST(test_write_with_a_bad_grant_fails_alone)
{
    struct blkif_request bad = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 2);
    struct blkif_request good = pages_request(BLKIF_OP_WRITE, 2, 64, 2, 1);
    uint8_t before[PAGE_BYTES];

    memcpy(before, disk_sector(0), sizeof(before));
    bad.seg[1].gref = 5000;
    send(&bad);
    send(&good);
    serve_and_complete();
    expect_response(1, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
    expect_response(2, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    ck_assert_uint_eq(disk.submissions, 1);
    ck_assert_mem_eq(disk_sector(0), before, sizeof(before));
}
END_TEST

START_TEST(test_write_from_a_grant_given_to_another_domain_fails)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 3, 0, 0, 1);

    simulated_grants_permit(&world, FRONTEND, gref_of(0), STRANGER, data_frames[0], false);
    send(&request);
    serve_and_complete();
    expect_response(3, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
    ck_assert_uint_eq(disk.submissions, 0);
}
END_TEST

START_TEST(test_read_into_a_read_only_grant_fails)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 4, 0, 0, 1);

    simulated_grants_permit(&world, FRONTEND, gref_of(0), DOM0, data_frames[0], true);
    memset(data_page(0), 0x99, PAGE_BYTES);
    send(&request);
    serve_and_complete();
    expect_response(4, BLKIF_OP_READ, BLKIF_RSP_ERROR);
    ck_assert_uint_eq(data_page(0)[0], 0x99);
}
END_TEST

START_TEST(test_read_into_a_revoked_grant_fails)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 4, 0, 0, 1);

    send(&request);
    blkback_service(&vbd);
    simulated_grants_entry(&world, FRONTEND, gref_of(0))->flags = 0;
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
    expect_response(4, BLKIF_OP_READ, BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_disk_error_is_an_error_response)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 8, 0, 0, 1);

    send(&request);
    blkback_service(&vbd);
    disk.next_status = -XEN_EIO;
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
    expect_response(8, BLKIF_OP_READ, BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_unsupported_operation_is_eopnotsupp_with_its_operation)
{
    struct blkif_request request = { .operation = BLKIF_OP_WRITE_BARRIER, .id = 12 };

    send(&request);
    blkback_service(&vbd);
    expect_response(12, BLKIF_OP_WRITE_BARRIER, BLKIF_RSP_EOPNOTSUPP);
}
END_TEST

START_TEST(test_write_to_a_read_only_vbd_is_refused)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 13, 0, 0, 1);

    start_vbd(true, true);
    send(&request);
    blkback_service(&vbd);
    expect_response(13, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
    ck_assert_uint_eq(disk.submissions, 0);
}
END_TEST

/* --- flush ------------------------------------------------------------------------ */

START_TEST(test_flush_is_answered_only_after_the_disk_flush)
{
    struct blkif_request flush = { .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 30 };

    send(&flush);
    blkback_service(&vbd);
    ck_assert_uint_eq(responses_waiting(), 0);
    ck_assert_uint_eq(disk.queued_count, 1);
    ck_assert_int_eq(disk.queued[0]->operation, BLOCK_FLUSH);
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
    expect_response(30, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(test_answered_flush_makes_every_answered_write_durable)
{
    struct blkif_request write = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 1);
    struct blkif_request flush = { .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 2 };

    memset(data_page(0), 0x5c, PAGE_BYTES);
    send(&write);
    serve_and_complete();
    expect_response(1, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
    send(&flush);
    serve_and_complete();
    expect_response(2, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_OKAY);
    ck_assert_mem_eq(disk.durable + VBD_FIRST_SECTOR * BLOCK_SECTOR_SIZE, data_page(0), PAGE_BYTES);
}
END_TEST

START_TEST(test_failed_disk_flush_is_an_error_response)
{
    struct blkif_request flush = { .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 31 };

    send(&flush);
    blkback_service(&vbd);
    disk.next_status = -XEN_EIO;
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
    expect_response(31, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_flush_on_a_disk_without_cache_is_answered_at_once)
{
    struct blkif_request flush = { .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 32 };

    start_vbd(false, false);
    send(&flush);
    blkback_service(&vbd);
    expect_response(32, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_OKAY);
    ck_assert_uint_eq(disk.submissions, 0);
}
END_TEST

/* --- a busy disk ------------------------------------------------------------------- */

START_TEST(test_busy_disk_gets_the_request_again_on_the_next_pass)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 40, 0, 0, 1);

    disk.busy_answers = 1;
    send(&request);
    blkback_service(&vbd);
    ck_assert_uint_eq(disk.submissions, 0);
    blkback_service(&vbd);
    ck_assert_uint_eq(disk.submissions, 1);
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
    expect_response(40, BLKIF_OP_READ, BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(test_busy_disk_holds_back_further_requests)
{
    struct blkif_request first = pages_request(BLKIF_OP_READ, 1, 0, 0, 1);
    struct blkif_request second = pages_request(BLKIF_OP_READ, 2, 8, 1, 1);

    disk.busy_answers = 2;
    send(&first);
    send(&second);
    blkback_service(&vbd);
    blkback_service(&vbd);
    ck_assert_uint_eq(ring_back_outstanding(&vbd.ring), 1);
}
END_TEST

/* --- bounded work and broken rings --------------------------------------------------- */

START_TEST(test_requests_in_flight_are_bounded_by_the_slots)
{
    for (unsigned int index = 0; index < 32; index++) {
        struct blkif_request request = pages_request(BLKIF_OP_READ, index, index * 8, index % DATA_PAGES, 1);

        send(&request);
    }
    blkback_service(&vbd);
    ck_assert_uint_eq(disk.submissions, BLKBACK_SLOTS);
    ck_assert_uint_eq(ring_back_outstanding(&vbd.ring), BLKBACK_SLOTS);
}
END_TEST

START_TEST(test_storm_of_bad_requests_is_bounded_per_pass)
{
    for (unsigned int index = 0; index < 32; index++) {
        struct blkif_request request = { .operation = 99, .id = index };

        send(&request);
    }
    ck_assert(blkback_service(&vbd));
    ck_assert_uint_eq(responses_waiting(), BLKBACK_REQUESTS_PER_PASS);
    ck_assert(!blkback_service(&vbd));
    ck_assert_uint_eq(responses_waiting(), 32);
}
END_TEST

START_TEST(test_every_request_of_a_full_ring_is_served_eventually)
{
    unsigned int passes = 0;

    for (unsigned int index = 0; index < 32; index++) {
        struct blkif_request request = pages_request(BLKIF_OP_READ, index, index * 8, index % DATA_PAGES, 1);

        send(&request);
    }
    while (responses_waiting() < 32 && passes++ < 20)
        serve_and_complete();
    for (unsigned int index = 0; index < 32; index++)
        ck_assert_int_eq(next_response().status, BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(test_producer_beyond_the_ring_breaks_only_this_vbd)
{
    ((struct ring_shared *)ring_page)->req_prod = 40;
    ck_assert(!blkback_service(&vbd));
    ck_assert(blkback_broken(&vbd));
    ck_assert_uint_eq(disk.submissions, 0);
    ck_assert_uint_eq(((struct ring_shared *)ring_page)->rsp_prod, 0);
}
END_TEST

START_TEST(test_requests_on_disk_when_the_ring_breaks_finish_without_response)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 1);

    send(&request);
    blkback_service(&vbd);
    ((struct ring_shared *)ring_page)->req_prod = 100;
    blkback_service(&vbd);
    ram_disk_complete(&disk, false);
    blkback_service(&vbd);
    ck_assert(blkback_idle(&vbd));
    ck_assert_uint_eq(((struct ring_shared *)ring_page)->rsp_prod, 0);
}
END_TEST

START_TEST(test_empty_pool_holds_requests_on_the_ring)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 1);

    blkback_bounce_pool_init(&pool, bounce_frames, BLKIF_MAX_SEGMENTS_PER_REQUEST - 1);
    send(&request);
    ck_assert(!blkback_service(&vbd));
    ck_assert_uint_eq(disk.submissions, 0);
    ck_assert_uint_eq(ring_back_outstanding(&vbd.ring), 0);
}
END_TEST

START_TEST(test_request_holds_one_bounce_page_per_segment_until_the_disk_is_done)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 3);

    send(&request);
    blkback_service(&vbd);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES - 3);
    ram_disk_complete(&disk, false);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
}
END_TEST

START_TEST(test_failed_grant_copy_gives_the_pages_back)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 2);

    request.seg[0].gref = 9999;
    send(&request);
    blkback_service(&vbd);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
}
END_TEST

START_TEST(test_stopped_vbd_gives_its_pages_back_when_the_disk_is_done)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 2);

    send(&request);
    blkback_service(&vbd);
    blkback_stop(&vbd);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES - 2);
    ram_disk_complete(&disk, false);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
}
END_TEST

/* --- stopping ---------------------------------------------------------------------------- */

START_TEST(test_stopped_vbd_lets_the_disk_finish_into_its_bounce_pages)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 1);

    memset(data_page(0), 0xab, PAGE_BYTES);
    send(&request);
    blkback_service(&vbd);
    blkback_stop(&vbd);
    ck_assert(!blkback_idle(&vbd));
    ram_disk_complete(&disk, false);
    ck_assert(blkback_idle(&vbd));
    ck_assert_uint_eq(data_page(0)[0], 0xab);
    ck_assert_uint_eq(((struct ring_shared *)ring_page)->rsp_prod, 0);
}
END_TEST

START_TEST(test_stopped_vbd_takes_no_request)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 1);

    send(&request);
    blkback_stop(&vbd);
    ck_assert(!blkback_service(&vbd));
    ck_assert_uint_eq(disk.submissions, 0);
}
END_TEST

START_TEST(test_stopping_drops_a_request_the_disk_refused_as_busy)
{
    struct blkif_request request = pages_request(BLKIF_OP_READ, 1, 0, 0, 1);

    disk.busy_answers = 1;
    send(&request);
    blkback_service(&vbd);
    blkback_stop(&vbd);
    blkback_service(&vbd);
    ck_assert_uint_eq(disk.submissions, 0);
    ck_assert(blkback_idle(&vbd));
}
END_TEST

/* --- a hostile frontend at random ---------------------------------------------------- */

static uint64_t random_state;

static uint32_t next_random(void)
{
    random_state = random_state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(random_state >> 33);
}

/* A request of random bytes, mostly with plausible fields so that it goes deep. */
static void scribble_entry(unsigned int slot)
{
    union blkif_sring_entry *entry =
        (union blkif_sring_entry *)(ring_page + offsetof(struct blkif_sring, ring)) + slot;

    for (unsigned int index = 0; index < sizeof(*entry); index++)
        ((uint8_t *)entry)[index] = (uint8_t)next_random();
    if (next_random() % 4 != 0) {
        entry->req.operation = (uint8_t)(next_random() % 4);
        entry->req.nr_segments = (uint8_t)(next_random() % 13);
        entry->req.sector_number = next_random() % (VBD_SECTORS + 16);
        for (unsigned int index = 0; index < BLKIF_MAX_SEGMENTS_PER_REQUEST; index++) {
            entry->req.seg[index].gref = next_random() % (DATA_PAGES + 16);
            entry->req.seg[index].first_sect = (uint8_t)(next_random() % 9);
            entry->req.seg[index].last_sect = (uint8_t)(next_random() % 9);
        }
    }
}

static unsigned int bounce_pages_held(void)
{
    unsigned int held = 0;

    for (unsigned int index = 0; index < BLKBACK_SLOTS; index++)
        held += vbd.slots[index].bounce_count;
    return held;
}

START_TEST(test_random_hostile_frontend_keeps_every_bound)
{
    struct ring_shared *shared = (struct ring_shared *)ring_page;
    RING_IDX producer;

    random_state = 12345;
    for (unsigned int round = 0; round < 5000; round++) {
        RING_IDX consumed_before = vbd.ring.req_cons, responses_before = vbd.ring.rsp_prod_pvt;

        for (unsigned int count = next_random() % 4; count > 0; count--)
            scribble_entry(next_random() % 32);
        producer = vbd.ring.req_cons + next_random() % (33 - ring_back_outstanding(&vbd.ring));
        shared->req_prod = producer;
        if (next_random() % 3 == 0)
            disk.busy_answers = next_random() % 3;
        if (next_random() % 2 == 0) {
            disk.next_status = next_random() % 8 == 0 ? -XEN_EIO : 0;
            ram_disk_complete(&disk, next_random() % 2 == 0);
        }
        blkback_service(&vbd);
        ck_assert_uint_le(vbd.ring.req_cons - consumed_before, BLKBACK_REQUESTS_PER_PASS);
        ck_assert_uint_le(ring_back_outstanding(&vbd.ring), 32);
        ck_assert_uint_le(disk.queued_count, BLKBACK_SLOTS);
        ck_assert_uint_eq(pool.free_count + bounce_pages_held(), POOL_PAGES);
        ck_assert(vbd.ring.rsp_prod_pvt - responses_before <= vbd.ring.req_cons - responses_before);
        ck_assert(!blkback_broken(&vbd));
    }
    shared->req_prod = vbd.ring.rsp_prod_pvt + 33;
    blkback_service(&vbd);
    ck_assert(blkback_broken(&vbd));
    blkback_stop(&vbd);
    ram_disk_complete(&disk, false);
    ck_assert(blkback_idle(&vbd));
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
}
END_TEST

/* --- notifications ------------------------------------------------------------------------ */

START_TEST(test_frontend_waiting_for_a_response_is_notified)
{
    struct blkif_request request = { .operation = 99, .id = 1 };

    send(&request);
    ring_front_final_check_for_responses(&front);
    blkback_service(&vbd);
    ck_assert_uint_eq(notifications, 1);
}
END_TEST

START_TEST(test_frontend_not_asking_is_not_notified)
{
    struct blkif_request request = { .operation = 99, .id = 1 };

    ((struct ring_shared *)ring_page)->rsp_event = 100;
    send(&request);
    blkback_service(&vbd);
    ck_assert_uint_eq(notifications, 0);
}
END_TEST

START_TEST(test_drained_ring_asks_for_the_next_request)
{
    struct blkif_request request = { .operation = 99, .id = 1 };

    send(&request);
    ck_assert(!blkback_service(&vbd));
    ck_assert_uint_eq(((struct ring_shared *)ring_page)->req_event, 2);
}
END_TEST

START_TEST(test_statistics_count_requests_and_grant_copies)
{
    struct blkif_request request = pages_request(BLKIF_OP_WRITE, 1, 0, 0, 3);

    send(&request);
    serve_and_complete();
    ck_assert_uint_eq(vbd.statistics.writes, 1);
    ck_assert_uint_eq(vbd.statistics.sectors_written, 24);
    ck_assert_uint_eq(vbd.statistics.grant_copy_calls, 1);
    ck_assert_uint_eq(vbd.statistics.grant_copy_segments, 3);
}
END_TEST

static Suite *blkback_suite(void)
{
    Suite *suite = suite_create("blkback");
    TCase *data = tcase_create("data");
    TCase *refusals = tcase_create("refusals");
    TCase *flush = tcase_create("flush");
    TCase *bounds = tcase_create("bounds");
    TCase *teardown_cases = tcase_create("stopping");
    TCase *events = tcase_create("events");
    TCase *all[] = { data, refusals, flush, bounds, teardown_cases, events };

    for (unsigned int index = 0; index < sizeof(all) / sizeof(all[0]); index++) {
        tcase_add_checked_fixture(all[index], setup, teardown);
        suite_add_tcase(suite, all[index]);
    }
    tcase_add_test(data, test_read_brings_the_vbd_s_sectors_into_the_grants);
    tcase_add_test(data, test_write_puts_the_grants_on_the_vbd_s_sectors);
    tcase_add_test(data, test_partial_segment_moves_only_its_sectors);
    tcase_add_test(data, test_vbd_sectors_start_at_its_first_disk_sector);
    tcase_add_test(data, test_no_response_before_the_disk_completes);
    tcase_add_test(data, test_write_data_is_copied_before_submission);
    tcase_add_test(data, test_grants_are_released_when_the_response_is_published);
    tcase_add_test(data, test_responses_follow_completion_order_with_their_ids);

    tcase_add_test(refusals, test_invalid_request_is_answered_at_once_and_never_reaches_the_disk);
    tcase_add_test(refusals, test_request_beyond_the_vbd_never_reaches_the_disk);
    tcase_add_test(refusals, test_write_with_a_bad_grant_fails_alone);
    tcase_add_test(refusals, test_write_from_a_grant_given_to_another_domain_fails);
    tcase_add_test(refusals, test_read_into_a_read_only_grant_fails);
    tcase_add_test(refusals, test_read_into_a_revoked_grant_fails);
    tcase_add_test(refusals, test_disk_error_is_an_error_response);
    tcase_add_test(refusals, test_unsupported_operation_is_eopnotsupp_with_its_operation);
    tcase_add_test(refusals, test_write_to_a_read_only_vbd_is_refused);

    tcase_add_test(flush, test_flush_is_answered_only_after_the_disk_flush);
    tcase_add_test(flush, test_answered_flush_makes_every_answered_write_durable);
    tcase_add_test(flush, test_failed_disk_flush_is_an_error_response);
    tcase_add_test(flush, test_flush_on_a_disk_without_cache_is_answered_at_once);

    tcase_add_test(bounds, test_busy_disk_gets_the_request_again_on_the_next_pass);
    tcase_add_test(bounds, test_busy_disk_holds_back_further_requests);
    tcase_add_test(bounds, test_requests_in_flight_are_bounded_by_the_slots);
    tcase_add_test(bounds, test_storm_of_bad_requests_is_bounded_per_pass);
    tcase_add_test(bounds, test_every_request_of_a_full_ring_is_served_eventually);
    tcase_add_test(bounds, test_producer_beyond_the_ring_breaks_only_this_vbd);
    tcase_add_test(bounds, test_requests_on_disk_when_the_ring_breaks_finish_without_response);

    tcase_add_test(bounds, test_empty_pool_holds_requests_on_the_ring);
    tcase_add_test(bounds, test_request_holds_one_bounce_page_per_segment_until_the_disk_is_done);
    tcase_add_test(bounds, test_failed_grant_copy_gives_the_pages_back);
    tcase_add_test(teardown_cases, test_stopped_vbd_gives_its_pages_back_when_the_disk_is_done);
    tcase_add_test(teardown_cases, test_stopped_vbd_lets_the_disk_finish_into_its_bounce_pages);
    tcase_add_test(teardown_cases, test_stopped_vbd_takes_no_request);
    tcase_add_test(teardown_cases, test_stopping_drops_a_request_the_disk_refused_as_busy);

    tcase_add_test(events, test_frontend_waiting_for_a_response_is_notified);
    tcase_add_test(events, test_frontend_not_asking_is_not_notified);
    tcase_add_test(events, test_drained_ring_asks_for_the_next_request);
    tcase_add_test(events, test_statistics_count_requests_and_grant_copies);
    tcase_add_test(bounds, test_random_hostile_frontend_keeps_every_bound);
    return suite;
}

REGISTER_SUITE(blkback_suite)
