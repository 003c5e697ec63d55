/*
 * dom0's raw disk figures (see virtio_blk_bench.h): sequential 64 KiB and
 * random 4 KiB writes and reads on the first block device.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "block_device.h"
#include "direct_map.h"
#include "virtio_blk_bench.h"

#define PAGES_PER_64K 16
#define SECTORS_PER_PAGE (PAGE_SIZE / BLOCK_SECTOR_SIZE)
#define RANGE_SECTORS (BENCH_SEQUENTIAL_OPERATIONS * PAGES_PER_64K * SECTORS_PER_PAGE)
#define COMPLETION_TIMEOUT_NS (UINT64_C(20) * 1000 * 1000 * 1000)

static uint8_t data_pages[PAGES_PER_64K][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile bool device_event;
static unsigned int completions;

static void count_completion(struct block_request *request)
{
    (void)request;
    completions++;
}

/* Submits the requests together and waits for all; 0 or the first error. */
static int run(struct block_device *device, struct block_request *requests, unsigned int count)
{
    uint64_t deadline = system_time_ns() + COMPLETION_TIMEOUT_NS;
    int result;

    completions = 0;
    for (unsigned int index = 0; index < count; index++)
        if ((result = block_device_submit(device, &requests[index])) != 0)
            return result;
    do {
        device_event = false;
        block_device_complete(device, count_completion);
        if (completions == count)
            break;
    } while (wait_for_flag_until(&device_event, deadline) && system_time_ns() < deadline);
    if (completions != count)
        return -XEN_ETIMEDOUT;
    for (unsigned int index = 0; index < count; index++)
        if (requests[index].status != 0)
            return requests[index].status;
    return 0;
}

/* A request over data pages [first_page, first_page + pages) at sector. */
static struct block_request request_of(enum block_operation operation, uint64_t sector, unsigned int first_page,
                                       unsigned int pages)
{
    struct block_request request = { .operation = operation, .sector = sector, .segment_count = pages };

    for (unsigned int index = 0; index < pages; index++)
        request.segments[index] = (struct block_segment) {
            .machine_address = runtime_machine_address(data_pages[first_page + index]), .length = PAGE_SIZE
        };
    return request;
}

static int flush_if_writing(struct block_device *device, enum block_operation operation)
{
    struct block_request flush = { .operation = BLOCK_FLUSH };

    if (operation != BLOCK_WRITE || !block_device_has_flush(device))
        return 0;
    return run(device, &flush, 1);
}

static int sequential(struct block_device *device, enum block_operation operation)
{
    struct block_request halves[2];
    int result = 0;

    for (unsigned int operation_index = 0; operation_index < BENCH_SEQUENTIAL_OPERATIONS && result == 0;
         operation_index++) {
        uint64_t sector = (uint64_t)operation_index * PAGES_PER_64K * SECTORS_PER_PAGE;

        halves[0] = request_of(operation, sector, 0, BLOCK_MAX_SEGMENTS);
        halves[1] = request_of(operation, sector + BLOCK_MAX_SEGMENTS * SECTORS_PER_PAGE, BLOCK_MAX_SEGMENTS,
                               PAGES_PER_64K - BLOCK_MAX_SEGMENTS);
        result = run(device, halves, 2);
    }
    return result != 0 ? result : flush_if_writing(device, operation);
}

static int random_4k(struct block_device *device, enum block_operation operation)
{
    uint64_t state = UINT64_C(0x9e3779b97f4a7c15);
    int result = 0;

    for (unsigned int index = 0; index < BENCH_RANDOM_OPERATIONS && result == 0; index++) {
        struct block_request request;

        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        request = request_of(operation, state % (RANGE_SECTORS / SECTORS_PER_PAGE) * SECTORS_PER_PAGE, 0, 1);
        result = run(device, &request, 1);
    }
    return result != 0 ? result : flush_if_writing(device, operation);
}

struct workload {
    const char *name;
    int (*run)(struct block_device *device, enum block_operation operation);
    enum block_operation operation;
    unsigned int operations;
};

static const struct workload workloads[] = {
    { "virtio-blk-sequential-write-64k", sequential, BLOCK_WRITE, BENCH_SEQUENTIAL_OPERATIONS },
    { "virtio-blk-sequential-read-64k", sequential, BLOCK_READ, BENCH_SEQUENTIAL_OPERATIONS },
    { "virtio-blk-random-write-4k", random_4k, BLOCK_WRITE, BENCH_RANDOM_OPERATIONS },
    { "virtio-blk-random-read-4k", random_4k, BLOCK_READ, BENCH_RANDOM_OPERATIONS },
};

int virtio_blk_bench(void)
{
    struct block_device *device = block_device_get(0);
    int result = 0;

    if (device == NULL || block_device_read_only(device) || block_device_sectors(device) < RANGE_SECTORS) {
        console_printf("virtio-blk bench: needs a writable disk of at least %lu sectors\n", RANGE_SECTORS);
        return -XEN_ENODEV;
    }
    block_device_set_wakeup_flag(&device_event);
    for (unsigned int index = 0; index < sizeof(workloads) / sizeof(workloads[0]) && result == 0; index++) {
        uint64_t start = system_time_ns();

        result = workloads[index].run(device, workloads[index].operation);
        if (result == 0)
            console_printf("bench %s %u %lu\n", workloads[index].name, workloads[index].operations,
                           system_time_ns() - start);
        else
            console_printf("virtio-blk bench: %s failed: %d\n", workloads[index].name, result);
    }
    block_device_set_wakeup_flag(NULL);
    return result;
}
