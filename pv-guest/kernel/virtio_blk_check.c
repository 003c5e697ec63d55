/*
 * dom0's check of its block devices (see virtio_blk_check.h): requests of
 * several shapes in flight together, written, flushed, read back and
 * compared, each completion awaited on the devices' interrupts.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "block_device.h"
#include "direct_map.h"
#include "disk_pattern.h"
#include "virtio_blk.h"
#include "virtio_blk_check.h"

#define DATA_PAGES 16
#define SHAPES 4
#define COMPLETION_TIMEOUT_NS (UINT64_C(20) * 1000 * 1000 * 1000)
#define FROM_THE_END UINT64_MAX

struct segment_shape {
    unsigned int page;   /* in the data pages */
    unsigned int offset;
    unsigned int length;
};

struct request_shape {
    const char *name;
    uint64_t first_sector;   /* FROM_THE_END: the disk's last sectors */
    unsigned int sectors;
    unsigned int segment_count;
    struct segment_shape segments[BLOCK_MAX_SEGMENTS];
};

static const struct request_shape shapes[SHAPES] = {
    { "one page", 0, 8, 1, { { 0, 0, 4096 } } },
    { "eleven segments", 128, 88, 11,
      { { 1, 0, 4096 }, { 2, 0, 4096 }, { 3, 0, 4096 }, { 4, 0, 4096 }, { 5, 0, 4096 }, { 6, 0, 4096 },
        { 7, 0, 4096 }, { 8, 0, 4096 }, { 9, 0, 4096 }, { 10, 0, 4096 }, { 11, 0, 4096 } } },
    { "crossing a page", 300, 6, 2, { { 12, 3072, 1024 }, { 13, 0, 2048 } } },
    { "end of the disk", FROM_THE_END, 8, 2, { { 14, 0, 2048 }, { 15, 2048, 2048 } } },
};

static uint8_t write_pages[DATA_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t read_pages[DATA_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct block_request requests[SHAPES];
static volatile bool device_event;
static unsigned int completions;
static unsigned int passed, failed;

static void report(bool success, const struct block_device *device, const char *what, int detail)
{
    console_printf("%s virtio-blk %s: %s (%d)\n", success ? "PASS" : "FAIL", block_device_name(device), what,
                   detail);
    if (success)
        passed++;
    else
        failed++;
}

static uint64_t first_sector_of(const struct block_device *device, const struct request_shape *shape)
{
    return shape->first_sector == FROM_THE_END ? block_device_sectors(device) - shape->sectors : shape->first_sector;
}

static uint8_t *segment_bytes(uint8_t pages[DATA_PAGES][PAGE_SIZE], const struct segment_shape *segment)
{
    return &pages[segment->page][segment->offset];
}

/* Calls visit(bytes, sector) for each sector of the shape's segments, in order. */
static unsigned int for_each_sector(uint8_t pages[DATA_PAGES][PAGE_SIZE], const struct request_shape *shape,
                                    uint64_t first_sector, bool (*visit)(uint8_t *bytes, uint64_t sector))
{
    uint64_t sector = first_sector;
    unsigned int mismatches = 0;

    for (unsigned int index = 0; index < shape->segment_count; index++)
        for (unsigned int offset = 0; offset < shape->segments[index].length; offset += BLOCK_SECTOR_SIZE)
            if (!visit(segment_bytes(pages, &shape->segments[index]) + offset, sector++))
                mismatches++;
    return mismatches;
}

static bool fill_sector(uint8_t *bytes, uint64_t sector)
{
    disk_pattern_fill(bytes, sector, VIRTIO_BLK_CHECK_SEED);
    return true;
}

static bool sector_matches(uint8_t *bytes, uint64_t sector)
{
    return disk_pattern_matches(bytes, sector, VIRTIO_BLK_CHECK_SEED);
}

static void build_request(struct block_request *request, enum block_operation operation, uint64_t sector,
                          uint8_t pages[DATA_PAGES][PAGE_SIZE], const struct request_shape *shape)
{
    *request = (struct block_request) { .operation = operation, .sector = sector,
                                        .segment_count = shape->segment_count, .status = 1 };
    for (unsigned int index = 0; index < shape->segment_count; index++)
        request->segments[index] = (struct block_segment) {
            .machine_address = runtime_machine_address(segment_bytes(pages, &shape->segments[index])),
            .length = shape->segments[index].length,
        };
}

static void count_completion(struct block_request *request)
{
    (void)request;
    completions++;
}

/* Waits until `expected` requests have completed; 0 or -ETIMEDOUT. */
static int wait_for_completions(struct block_device *device, unsigned int expected)
{
    uint64_t deadline = system_time_ns() + COMPLETION_TIMEOUT_NS;

    for (;;) {
        device_event = false;
        block_device_complete(device, count_completion);
        if (completions >= expected)
            return 0;
        if (!wait_for_flag_until(&device_event, deadline))
            return -XEN_ETIMEDOUT;
    }
}

/* Submits every request, then waits for all; 0, or the first error (once
 * whatever was submitted has completed). */
static int run_together(struct block_device *device, struct block_request *batch, unsigned int count)
{
    unsigned int submitted = 0;
    int result = 0, waited;

    completions = 0;
    while (submitted < count && (result = block_device_submit(device, &batch[submitted])) == 0)
        submitted++;
    waited = wait_for_completions(device, submitted);
    if (result != 0 || (result = waited) != 0)
        return result;
    for (unsigned int index = 0; index < count; index++)
        if (batch[index].status != 0)
            return batch[index].status;
    return 0;
}

static int flush(struct block_device *device)
{
    struct block_request request = { .operation = BLOCK_FLUSH, .status = 1 };

    return run_together(device, &request, 1);
}

static void check_writes_reach_the_disk(struct block_device *device)
{
    int result;

    for (unsigned int index = 0; index < SHAPES; index++) {
        uint64_t sector = first_sector_of(device, &shapes[index]);

        for_each_sector(write_pages, &shapes[index], sector, fill_sector);
        build_request(&requests[index], BLOCK_WRITE, sector, write_pages, &shapes[index]);
    }
    result = run_together(device, requests, SHAPES);
    report(result == 0, device, "four writes in flight together complete", result);
    if (block_device_has_flush(device)) {
        result = flush(device);
        report(result == 0, device, "a flush completes after them", result);
    }
    memset(read_pages, 0, sizeof(read_pages));
    for (unsigned int index = 0; index < SHAPES; index++)
        build_request(&requests[index], BLOCK_READ, first_sector_of(device, &shapes[index]), read_pages,
                      &shapes[index]);
    result = run_together(device, requests, SHAPES);
    report(result == 0, device, "four reads in flight together complete", result);
    for (unsigned int index = 0; index < SHAPES; index++) {
        unsigned int mismatches = for_each_sector(read_pages, &shapes[index],
                                                  first_sector_of(device, &shapes[index]), sector_matches);

        console_printf("virtio-blk %s: %s: sectors %lu+%u read back, %u mismatched\n", block_device_name(device),
                       shapes[index].name, first_sector_of(device, &shapes[index]), shapes[index].sectors,
                       mismatches);
        report(mismatches == 0, device, "data read back is what was written", (int)mismatches);
    }
}

/* One more request than the driver has slots: the last is -EBUSY, the
 * others are all in flight together and complete. */
static void check_a_full_device_is_busy(struct block_device *device)
{
    static struct block_request many[VIRTIO_BLK_SLOTS + 1];
    unsigned int accepted = 0;
    int result = 0, waited;

    completions = 0;
    for (unsigned int index = 0; index <= VIRTIO_BLK_SLOTS; index++) {
        build_request(&many[index], BLOCK_READ, index, read_pages, &shapes[0]);
        many[index].segments[0].length = BLOCK_SECTOR_SIZE;
        if ((result = block_device_submit(device, &many[index])) != 0)
            break;
        accepted++;
    }
    report(accepted == VIRTIO_BLK_SLOTS && result == -XEN_EBUSY, device,
           "with every slot in flight the next request is busy", result);
    waited = wait_for_completions(device, accepted);
    report(waited == 0, device, "all the requests in flight complete", waited);
}

static void check_refusals(struct block_device *device)
{
    struct block_request beyond;
    int result;

    build_request(&beyond, BLOCK_READ, block_device_sectors(device) - 4, read_pages, &shapes[0]);
    result = block_device_submit(device, &beyond);
    report(result == -XEN_EINVAL, device, "a read beyond the end of the disk is refused", result);
}

static void check_read_only(struct block_device *device)
{
    struct block_request request;
    int result;

    build_request(&request, BLOCK_WRITE, 0, write_pages, &shapes[0]);
    result = block_device_submit(device, &request);
    report(result == -XEN_EROFS, device, "a write to a read-only disk is refused", result);
    build_request(&request, BLOCK_READ, 0, read_pages, &shapes[0]);
    result = run_together(device, &request, 1);
    report(result == 0, device, "a read from a read-only disk completes", result);
}

static void check_device(struct block_device *device)
{
    uint64_t interrupts_before = virtio_blk_interrupts(device);
    uint64_t interrupts;

    if (block_device_read_only(device))
        check_read_only(device);
    else
        check_writes_reach_the_disk(device);
    check_a_full_device_is_busy(device);
    check_refusals(device);
    interrupts = virtio_blk_interrupts(device) - interrupts_before;
    console_printf("virtio-blk %s: %lu interrupts received\n", block_device_name(device), interrupts);
    report(interrupts > 0, device, "completions arrived through the device's interrupt", (int)interrupts);
}

unsigned int virtio_blk_check(void)
{
    passed = failed = 0;
    block_device_set_wakeup_flag(&device_event);
    if (block_device_count() == 0) {
        console_printf("FAIL virtio-blk: no block device to check\n");
        failed++;
    }
    for (unsigned int index = 0; index < block_device_count(); index++)
        check_device(block_device_get(index));
    block_device_set_wakeup_flag(NULL);
    console_printf("virtio-blk check: %u passed, %u failed\n", passed, failed);
    return failed;
}
