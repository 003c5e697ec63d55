/*
 * The disk test (disk_test.h): the plan of disk_plan.c, with the sector
 * contents of disk_pattern.c (shared with dom0's disk check), written and
 * read back through blkfront with up to DISK_TEST_IN_FLIGHT requests on
 * the ring at once, each request's pages its own (a slot), and every
 * sector checked after the read.  Results are counted per kind of extent,
 * so that a failure says which shape of request went wrong.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/console_input.h>
#include <frontend/blkfront.h>
#include "disk_pattern.h"
#include "disk_plan.h"
#include "disk_test.h"

#define PAGE_SIZE 4096
#define DISK_TEST_IN_FLIGHT 4
#define DEFAULT_SEED 1
#define DEFAULT_EXTENTS 64
#define DEFAULT_SECONDS 120
#define POISON 0xa5
#define SUB_PAGE_SECTOR 4
#define VBD_NAME_SIZE 16

struct slot {
    bool busy;
    const struct disk_extent *extent;
    struct blkfront_request request;
};

struct kind_result {
    unsigned int extents;
    unsigned int failed;
    uint64_t sectors;
};

struct run {
    const char *family;
    uint64_t seed;
    uint64_t deadline_ns;
    unsigned int passed;
    unsigned int failed;
    uint64_t requests;
};

static uint8_t slot_pages[DISK_TEST_IN_FLIGHT][BLKIF_MAX_SEGMENTS_PER_REQUEST][PAGE_SIZE]
    __attribute__((aligned(PAGE_SIZE)));
static struct slot slots[DISK_TEST_IN_FLIGHT];
static struct disk_plan plan;
static struct blkfront device;

static void report(struct run *run, const char *name, bool holds, const char *why)
{
    if (holds) {
        console_printf("PASS %s: %s\n", run->family, name);
        run->passed++;
    } else {
        console_printf("FAIL %s: %s: %s\n", run->family, name, why);
        run->failed++;
    }
}

/* --- one extent in a slot ---------------------------------------------------------- */

static void prepare_slot(unsigned int index, const struct disk_extent *extent, uint8_t operation, uint64_t seed)
{
    struct slot *slot = &slots[index];
    uint64_t sector = extent->sector;

    slot->extent = extent;
    slot->request.operation = operation;
    slot->request.sector = extent->sector;
    slot->request.segment_count = extent->segment_count;
    for (unsigned int segment = 0; segment < extent->segment_count; segment++) {
        const struct blkfront_segment_spec *spec = &extent->segments[segment];
        uint8_t *page = slot_pages[index][segment];

        slot->request.segments[segment] =
            (struct blkfront_segment){ .page = page, .first_sect = spec->first_sect, .last_sect = spec->last_sect };
        memset(page, POISON, PAGE_SIZE);
        if (operation == BLKIF_OP_WRITE)
            for (unsigned int in_page = spec->first_sect; in_page <= spec->last_sect; in_page++)
                disk_pattern_fill(page + in_page * DISK_SECTOR_SIZE, sector++, seed);
    }
}

static bool poisoned(const uint8_t *bytes, unsigned int length)
{
    for (unsigned int index = 0; index < length; index++)
        if (bytes[index] != POISON)
            return false;
    return true;
}

/* Every sector read as the pattern says, and nothing outside the segments touched. */
static bool slot_reads_back(unsigned int index, uint64_t seed)
{
    const struct disk_extent *extent = slots[index].extent;
    uint64_t sector = extent->sector;

    for (unsigned int segment = 0; segment < extent->segment_count; segment++) {
        const struct blkfront_segment_spec *spec = &extent->segments[segment];
        const uint8_t *page = slot_pages[index][segment];

        if (!poisoned(page, spec->first_sect * DISK_SECTOR_SIZE) ||
            !poisoned(page + (spec->last_sect + 1) * DISK_SECTOR_SIZE,
                      (BLKFRONT_SECTORS_PER_PAGE - 1 - spec->last_sect) * DISK_SECTOR_SIZE)) {
            console_printf("disk test: extent at sector %lu: segment %u wrote outside sectors %u-%u\n",
                           extent->sector, segment, spec->first_sect, spec->last_sect);
            return false;
        }
        for (unsigned int in_page = spec->first_sect; in_page <= spec->last_sect; in_page++, sector++)
            if (!disk_pattern_matches(page + in_page * DISK_SECTOR_SIZE, sector, seed)) {
                console_printf("disk test: sector %lu does not hold its pattern\n", sector);
                return false;
            }
    }
    return true;
}

static void finish_slot(unsigned int index, struct run *run, struct kind_result *results)
{
    struct slot *slot = &slots[index];
    struct kind_result *result = &results[slot->extent->kind];
    bool good = slot->request.status == BLKIF_RSP_OKAY;

    if (!good)
        console_printf("disk test: %s of sector %lu answered status %d\n",
                       slot->request.operation == BLKIF_OP_WRITE ? "write" : "read", slot->extent->sector,
                       slot->request.status);
    if (good && slot->request.operation == BLKIF_OP_READ)
        good = slot_reads_back(index, run->seed);
    result->extents++;
    result->sectors += disk_extent_sectors(slot->extent);
    result->failed += good ? 0 : 1;
    slot->busy = false;
}

/* --- the plan through the ring ------------------------------------------------------- */

static int free_slot(void)
{
    for (int index = 0; index < DISK_TEST_IN_FLIGHT; index++)
        if (!slots[index].busy)
            return index;
    return -1;
}

/* Submits what fits; returns how many extents were started, or an error. */
static int start_extents(struct run *run, uint8_t operation, unsigned int *next)
{
    int started = 0, index;

    while (*next < plan.count && (index = free_slot()) >= 0) {
        int result;

        prepare_slot((unsigned int)index, &plan.extents[*next], operation, run->seed);
        result = blkfront_submit(&device, &slots[index].request);
        if (result == -XEN_EBUSY)
            break;
        if (result != 0)
            return result;
        slots[index].busy = true;
        run->requests++;
        (*next)++;
        started++;
    }
    return started;
}

static int finish_extents(struct run *run, struct kind_result *results)
{
    int finished = 0;

    for (unsigned int index = 0; index < DISK_TEST_IN_FLIGHT; index++)
        if (slots[index].busy && slots[index].request.done) {
            finish_slot(index, run, results);
            finished++;
        }
    return finished;
}

static int run_plan(struct run *run, uint8_t operation, struct kind_result *results)
{
    unsigned int next = 0;

    memset(slots, 0, sizeof(slots));
    for (;;) {
        int started, completed;

        device.event_arrived = false;
        if ((started = start_extents(run, operation, &next)) < 0)
            return started;
        if ((completed = blkfront_complete(&device)) < 0)
            return completed;
        if (finish_extents(run, results) + started + completed > 0)
            continue;
        if (next == plan.count && blkfront_in_flight(&device) == 0)
            return 0;
        if (system_time_ns() >= run->deadline_ns)
            return -XEN_ETIMEDOUT;
        blkfront_wait(&device, run->deadline_ns);
    }
}

static void report_kinds(struct run *run, const char *verb, int outcome, const struct kind_result *results)
{
    for (unsigned int kind = 0; kind < DISK_EXTENT_KINDS; kind++) {
        unsigned int planned = disk_plan_count_kind(&plan, (enum disk_extent_kind)kind);
        char name[80], why[80];

        if (planned == 0)
            continue;
        format_string(name, sizeof(name), "%s_%s", verb, disk_extent_kind_name((enum disk_extent_kind)kind));
        if (outcome != 0)
            format_string(why, sizeof(why), "the run stopped with error %d", outcome);
        else
            format_string(why, sizeof(why), "%u of %u extents failed, %u planned", results[kind].failed,
                          results[kind].extents, planned);
        report(run, name, outcome == 0 && results[kind].failed == 0 && results[kind].extents == planned, why);
    }
}

/* --- the cases ---------------------------------------------------------------------- */

static int write_plan(struct run *run)
{
    struct kind_result results[DISK_EXTENT_KINDS] = { 0 };
    int outcome = run_plan(run, BLKIF_OP_WRITE, results);

    report_kinds(run, "write", outcome, results);
    return outcome;
}

static void flush(struct run *run)
{
    struct blkfront_request request = { .operation = BLKIF_OP_FLUSH_DISKCACHE };
    char why[64];
    int result;

    if (!device.flush_cache) {
        console_printf("%s: the backend offers no flush: its writes are durable when answered\n", run->family);
        return;
    }
    result = blkfront_run(&device, &request, run->deadline_ns);
    format_string(why, sizeof(why), "error %d, status %d", result, request.status);
    report(run, "flush_is_answered_okay", result == 0 && request.status == BLKIF_RSP_OKAY, why);
}

static int read_plan(struct run *run)
{
    struct kind_result results[DISK_EXTENT_KINDS] = { 0 };
    int outcome = run_plan(run, BLKIF_OP_READ, results);
    uint64_t sectors = 0;

    for (unsigned int kind = 0; kind < DISK_EXTENT_KINDS; kind++)
        sectors += results[kind].sectors;
    report_kinds(run, "read_back", outcome, results);
    console_printf("%s: %lu sectors read back and checked\n", run->family, sectors);
    return outcome;
}

/* One sector in the middle of a page: the backend must copy that sector and nothing else. */
static void check_sub_page_read(struct run *run)
{
    uint8_t *page = slot_pages[0][0];
    struct blkfront_request request = {
        .operation = BLKIF_OP_READ, .sector = 0, .segment_count = 1,
        .segments = { { .page = page, .first_sect = SUB_PAGE_SECTOR, .last_sect = SUB_PAGE_SECTOR } } };
    int result;

    memset(page, POISON, PAGE_SIZE);
    result = blkfront_run(&device, &request, run->deadline_ns);
    report(run, "sub_page_read_fills_only_its_sector",
           result == 0 && request.status == BLKIF_RSP_OKAY &&
               disk_pattern_matches(page + SUB_PAGE_SECTOR * DISK_SECTOR_SIZE, 0, run->seed) &&
               poisoned(page, SUB_PAGE_SECTOR * DISK_SECTOR_SIZE) &&
               poisoned(page + (SUB_PAGE_SECTOR + 1) * DISK_SECTOR_SIZE,
                        PAGE_SIZE - (SUB_PAGE_SECTOR + 1) * DISK_SECTOR_SIZE),
           "the page around the sector changed, or the read failed");
}

static void check_local_refusals(struct run *run)
{
    struct blkfront_request beyond = {
        .operation = BLKIF_OP_READ, .sector = device.sectors, .segment_count = 1,
        .segments = { { .page = slot_pages[0][0], .first_sect = 0, .last_sect = 0 } } };
    struct blkfront_request backwards = {
        .operation = BLKIF_OP_READ, .sector = 0, .segment_count = 1,
        .segments = { { .page = slot_pages[0][0], .first_sect = 2, .last_sect = 1 } } };

    report(run, "request_beyond_the_disk_is_refused_before_sending",
           blkfront_submit(&device, &beyond) == -XEN_EINVAL && blkfront_in_flight(&device) == 0,
           "it was sent");
    report(run, "segment_ending_before_it_starts_is_refused_before_sending",
           blkfront_submit(&device, &backwards) == -XEN_EINVAL && blkfront_in_flight(&device) == 0,
           "it was sent");
}

/* Blocks until a line ends (CR or LF) on the domain's console, or the deadline: 0 or an error. */
static int wait_for_console_line(uint64_t deadline_ns)
{
    char typed[64];
    int result = console_input_start();

    while (result == 0 && system_time_ns() < deadline_ns) {
        long taken = console_input_take(typed, sizeof(typed));

        if (taken < 0)
            return (int)taken;
        for (long index = 0; index < taken; index++)
            if (typed[index] == '\r' || typed[index] == '\n')
                return 0;
        if (taken == 0)
            console_input_wait_until(deadline_ns);
    }
    return result != 0 ? result : -XEN_ETIMEDOUT;
}

/* The plan of run->seed written, flushed (if write_first), read back and checked: 0 or the run's error. */
static int run_seed(struct run *run, uint64_t extents, bool fill, bool write_first)
{
    int result = disk_plan_make(&plan, device.sectors, run->seed, (unsigned int)extents, fill);

    report(run, "plan_fits_the_disk", result == 0, "disk too small or too many extents");
    if (result != 0)
        return result;
    if (write_first && (result = write_plan(run)) == 0)
        flush(run);
    if (read_plan(run) == 0)
        check_sub_page_read(run);
    else if (result == 0)
        result = -XEN_EIO;
    return result;
}

/* then-seed=N: once a line is typed on the console (xl console), the plan of seed N over the same vbd. */
static void run_then_seed(struct run *run, uint64_t seed, uint64_t extents, bool fill)
{
    int result;

    console_printf("%s: seed %lu written and read back; waiting for a line on the console\n", run->family,
                   run->seed);
    result = wait_for_console_line(run->deadline_ns);
    report(run, "a_line_is_typed_on_the_console", result == 0, "none came before the deadline");
    if (result != 0)
        return;
    run->seed = seed;
    if (run_seed(run, extents, fill, true) == 0)
        console_printf("%s: seed %lu written and read back\n", run->family, run->seed);
}

int run_disk_test(const char *command_line, bool write_first)
{
    struct run run = { .family = write_first ? "disk_test" : "disk_verify", .seed = DEFAULT_SEED };
    uint64_t extents = DEFAULT_EXTENTS, seconds = DEFAULT_SECONDS, then_seed, start = system_time_ns();
    bool fill = command_line_find(command_line, "fill", NULL, 0);
    char vbd[VBD_NAME_SIZE];
    int result;

    command_line_get_unsigned(command_line, "seed", &run.seed);
    command_line_get_unsigned(command_line, "extents", &extents);
    command_line_get_unsigned(command_line, "seconds", &seconds);
    run.deadline_ns = start + seconds * NANOSECONDS_PER_SECOND;
    result = blkfront_connect(&device, command_line_find(command_line, "vbd", vbd, sizeof(vbd)) ? vbd : NULL,
                              run.deadline_ns);
    report(&run, "vbd_connects", result == 0, "the handshake failed");
    if (result == 0) {
        check_local_refusals(&run);
        result = run_seed(&run, extents, fill, write_first);
        if (result == 0 && write_first && command_line_get_unsigned(command_line, "then-seed", &then_seed))
            run_then_seed(&run, then_seed, extents, fill);
        console_printf("%s: %lu requests on a disk of %lu sectors in %lu ms\n", run.family, run.requests,
                       device.sectors, (system_time_ns() - start) / NANOSECONDS_PER_MILLISECOND);
        report(&run, "vbd_closes", blkfront_close(&device, run.deadline_ns) == 0, "writing Closed failed");
    }
    console_printf("SUMMARY %s: %u passed, %u failed\n", run.family, run.passed, run.failed);
    return run.failed == 0 ? 0 : -XEN_EIO;
}
