/*
 * dom0's block benchmark (see block_bench.h): four timed passes over the
 * first block device, one 64 KiB or 4 KiB unit in flight at a time.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "block_bench.h"
#include "block_device.h"
#include "direct_map.h" /* PAGE_SIZE */

#define SEQUENTIAL_SIZE (64u * 1024u)
#define RANDOM_SIZE 4096u
#define UNIT_PAGES (SEQUENTIAL_SIZE / PAGE_SIZE)
#define SECTORS_PER_PAGE (PAGE_SIZE / BLOCK_SECTOR_SIZE)
#define MIB (UINT64_C(1024) * 1024)
#define DEFAULT_MIB 64
#define DEFAULT_RANDOM_REQUESTS 1024
#define MAX_RANDOM_REQUESTS 10000000
#define COMPLETION_TIMEOUT_NS (UINT64_C(20) * 1000 * 1000 * 1000)

struct pass {
    const char *name;
    enum block_operation operation;
    unsigned int size;
    bool random;
};

static const struct pass passes[] = {
    { "seq-write", BLOCK_WRITE, SEQUENTIAL_SIZE, false },
    { "seq-read", BLOCK_READ, SEQUENTIAL_SIZE, false },
    { "rand-write", BLOCK_WRITE, RANDOM_SIZE, true },
    { "rand-read", BLOCK_READ, RANDOM_SIZE, true },
};

static uint8_t unit_pages[UNIT_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct block_request unit_requests[2];
static volatile bool device_event;
static unsigned int completions;

/* xorshift64 from the same seed as blockbench.c: the domU's offsets. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
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

/* Submits the requests together and waits for them all; 0 or the first error. */
static int run_together(struct block_device *device, struct block_request *requests, unsigned int count)
{
    unsigned int submitted = 0;
    int result = 0, waited;

    completions = 0;
    while (submitted < count && (result = block_device_submit(device, &requests[submitted])) == 0)
        submitted++;
    waited = wait_for_completions(device, submitted);
    if (result != 0 || (result = waited) != 0)
        return result;
    for (unsigned int index = 0; index < count; index++)
        if (requests[index].status != 0)
            return requests[index].status;
    return 0;
}

/* Fills request with `pages` of unit_pages from `first_page`, at sector. */
static void build_request(struct block_request *request, enum block_operation operation, uint64_t sector,
                          unsigned int first_page, unsigned int pages)
{
    *request = (struct block_request) { .operation = operation, .sector = sector, .segment_count = pages,
                                        .status = 1 };
    for (unsigned int index = 0; index < pages; index++)
        request->segments[index] = (struct block_segment) {
            .machine_address = runtime_machine_address(unit_pages[first_page + index]),
            .length = PAGE_SIZE,
        };
}

/* One unit of the pass at byte offset: one request, or two for 64 KiB. */
static int transfer_unit(struct block_device *device, const struct pass *pass, uint64_t offset)
{
    unsigned int pages = pass->size / PAGE_SIZE;
    unsigned int first_pages = pages < BLOCK_MAX_SEGMENTS ? pages : BLOCK_MAX_SEGMENTS;
    unsigned int count = 1;
    uint64_t sector = offset / BLOCK_SECTOR_SIZE;

    build_request(&unit_requests[0], pass->operation, sector, 0, first_pages);
    if (pages > first_pages) {
        build_request(&unit_requests[1], pass->operation, sector + first_pages * SECTORS_PER_PAGE, first_pages,
                      pages - first_pages);
        count = 2;
    }
    return run_together(device, unit_requests, count);
}

static int flush(struct block_device *device)
{
    struct block_request request = { .operation = BLOCK_FLUSH, .status = 1 };

    if (!block_device_has_flush(device))
        return 0;
    return run_together(device, &request, 1);
}

/* Runs one pass over region bytes; prints its line; true if it completed. */
static bool run_pass(struct block_device *device, const struct pass *pass, uint64_t region,
                     uint64_t random_requests)
{
    uint64_t requests = pass->random ? random_requests : region / pass->size;
    uint64_t slots = region / pass->size;
    uint64_t random_state = 0x2545f4914f6cdd1dULL;
    uint64_t start_ns = system_time_ns();
    int result = 0;

    for (uint64_t request = 0; request < requests && result == 0; request++) {
        uint64_t slot = pass->random ? next_random(&random_state) % slots : request;

        result = transfer_unit(device, pass, slot * pass->size);
    }
    if (result == 0 && pass->operation == BLOCK_WRITE)
        result = flush(device);
    if (result != 0) {
        console_printf("FAIL block-bench pass=%s error=%d\n", pass->name, result);
        return false;
    }
    console_printf("block-bench pass=%s size=%u requests=%lu bytes=%lu ns=%lu\n", pass->name, pass->size,
                   requests, requests * pass->size, system_time_ns() - start_ns);
    return true;
}

unsigned int block_bench_run(const char *command_line)
{
    uint64_t mib = DEFAULT_MIB, random_requests = DEFAULT_RANDOM_REQUESTS;
    struct block_device *device = block_device_count() > 0 ? block_device_get(0) : NULL;
    unsigned int failures = 0;

    command_line_get_unsigned(command_line, "bench_mib", &mib);
    command_line_get_unsigned(command_line, "bench_requests", &random_requests);
    if (device == NULL || block_device_read_only(device) || mib == 0 ||
        block_device_sectors(device) < mib * MIB / BLOCK_SECTOR_SIZE || random_requests == 0 ||
        random_requests > MAX_RANDOM_REQUESTS) {
        console_printf("FAIL block-bench no writable block device of %lu MiB (or bad bench_requests=%lu)\n",
                       mib, random_requests);
        return 1;
    }
    block_device_set_wakeup_flag(&device_event);
    console_printf("block-bench on %s: %lu MiB, %lu random requests\n", block_device_name(device), mib,
                   random_requests);
    for (size_t index = 0; index < sizeof(passes) / sizeof(passes[0]); index++)
        if (!run_pass(device, &passes[index], mib * MIB, random_requests))
            failures++;
    return failures;
}
