/*
 * The broken-disk test (disk_broken.h): one request at a time through
 * blkfront, each awaited until the deadline, the answers counted.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <xen/io/blkif.h>
#include <frontend/blkfront.h>
#include <frontend/xenbus.h>
#include "disk_broken.h"

#define PAGE_SIZE 4096
#define SECTORS_PER_PAGE 8
#define DEFAULT_SECONDS 60
#define ERROR_NODE_SIZE 128

struct answers {
    uint64_t okay;
    uint64_t errors;
    uint64_t unanswered;
};

static uint8_t pages[BLKIF_MAX_SEGMENTS_PER_REQUEST][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct blkfront device;

/* One request of up to eleven whole pages at sector; its answer counted. */
static void run_one(uint8_t operation, uint64_t sector, uint64_t sectors, uint64_t deadline_ns,
                    struct answers *answers)
{
    struct blkfront_request request = { .operation = operation, .sector = sector };

    while (sectors > 0 && request.segment_count < BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        uint64_t here = sectors < SECTORS_PER_PAGE ? sectors : SECTORS_PER_PAGE;
        unsigned int index = request.segment_count++;

        request.segments[index] = (struct blkfront_segment) {
            .page = pages[index], .first_sect = 0, .last_sect = (uint8_t)(here - 1) };
        sectors -= here;
    }
    if (blkfront_run(&device, &request, deadline_ns) != 0)
        answers->unanswered++;
    else if (request.status == BLKIF_RSP_OKAY)
        answers->okay++;
    else
        answers->errors++;
}

static uint64_t request_sectors(void)
{
    return BLKIF_MAX_SEGMENTS_PER_REQUEST * SECTORS_PER_PAGE;
}

/* The whole disk read, then (unless the vbd is read-only) its first and last eleven pages written. */
static void exercise(uint64_t deadline_ns, struct answers *answers)
{
    uint64_t step = request_sectors();

    for (uint64_t sector = 0; sector < device.sectors && answers->unanswered == 0; sector += step)
        run_one(BLKIF_OP_READ, sector, device.sectors - sector < step ? device.sectors - sector : step, deadline_ns,
                answers);
    if (device.sectors >= step && answers->unanswered == 0 && (device.info & VDISK_READONLY) == 0) {
        memset(pages, 0x5a, sizeof(pages));
        run_one(BLKIF_OP_WRITE, 0, step, deadline_ns, answers);
        run_one(BLKIF_OP_WRITE, device.sectors - step, step, deadline_ns, answers);
    }
}

static void report(const char *name, bool holds, const char *detail, unsigned int *passed, unsigned int *failed)
{
    console_printf("%s disk_broken: %s: %s\n", holds ? "PASS" : "FAIL", name, detail);
    (*(holds ? passed : failed))++;
}

/* The backend's error node, when it refused the connection. */
static void read_error_node(char *error, size_t size)
{
    char path[BLKFRONT_PATH_SIZE + 8];

    format_string(path, sizeof(path), "%s/error", device.backend_path);
    if (xenbus_read(XENBUS_NO_TRANSACTION, path, error, size) < 0)
        format_string(error, size, "(no error node)");
}

int run_disk_broken(const char *command_line)
{
    uint64_t seconds = DEFAULT_SECONDS;
    char expect[8] = "";
    struct answers answers = { 0 };
    unsigned int passed = 0, failed = 0;
    char detail[ERROR_NODE_SIZE + 64], error[ERROR_NODE_SIZE];
    uint64_t deadline_ns;
    int result;

    command_line_get_unsigned(command_line, "seconds", &seconds);
    command_line_find(command_line, "expect", expect, sizeof(expect));
    deadline_ns = system_time_ns() + seconds * NANOSECONDS_PER_SECOND;
    result = blkfront_connect(&device, NULL, deadline_ns);
    if (result != 0) {
        read_error_node(error, sizeof(error));
        format_string(detail, sizeof(detail), "the backend refused the connection (%d): %s", result, error);
        report("the_device_fails_cleanly", result == -XEN_ENODEV, detail, &passed, &failed);
    } else {
        exercise(deadline_ns, &answers);
        format_string(detail, sizeof(detail), "%lu requests answered OKAY, %lu ERROR, %lu unanswered", answers.okay,
                      answers.errors, answers.unanswered);
        report("every_request_is_answered", answers.unanswered == 0, detail, &passed, &failed);
        if (strcmp(expect, "okay") == 0)
            report("every_request_is_answered_okay", answers.errors == 0, detail, &passed, &failed);
        else
            report("the_device_fails_cleanly", answers.errors > 0, detail, &passed, &failed);
        report("the_vbd_closes", blkfront_close(&device, deadline_ns) == 0, "Closing and Closed", &passed, &failed);
    }
    console_printf("SUMMARY disk_broken: %u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : -XEN_EIO;
}
