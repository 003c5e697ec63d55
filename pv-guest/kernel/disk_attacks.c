/*
 * The malicious frontends of disk_attacks.h.  Each attack connects (or,
 * for the handshake attacks, only pretends to), misbehaves in one way,
 * and reports what the backend did about it.  Grants made for a raw
 * request are ended once it is answered; one the backend still holds
 * after answering is a failure of the backend.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include <frontend/blkfront.h>
#include <frontend/grant_table.h>
#include <frontend/xenbus.h>
#include "attack_verdicts.h"
#include "disk_attacks.h"

#define PAGE_SIZE 4096
#define FAMILY "disk_attack"
#define CONNECT_WAIT_NS (60 * NANOSECONDS_PER_SECOND)
#define ANSWER_WAIT_NS (5 * NANOSECONDS_PER_SECOND)
#define HALT_WAIT_NS (3 * NANOSECONDS_PER_SECOND)
#define DEFAULT_STORM_REQUESTS 20000
#define DEFAULT_STORM_SECONDS 30
#define NOTIFICATION_STORM 100000
#define DEFAULT_SILENT_SECONDS 15
#define NO_SUCH_DOMAIN (DOMID_FIRST_RESERVED - 1)
#define FIRMWARE_FRAME 0x100
#define NEVER_ALLOCATED_PORT 4000
#define BLKIF_OP_RESERVED 4
#define SECTORS_PER_PAGE 8
#define MAX_GRANTS_PER_CASE 2

struct attack_run {
    const char *command_line;
    struct attack_verdicts verdicts;
    bool vbd_closed;
};

static uint8_t data_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct blkfront device;

static void report(struct attack_run *run, const char *name, bool holds, const char *why)
{
    attack_verdict(&run->verdicts, name, holds, why);
}

static uint64_t from_now(uint64_t duration_ns)
{
    return system_time_ns() + duration_ns;
}

/* A one-page READ or WRITE of sector 0 naming ref. */
static struct blkif_request raw_request(uint8_t operation, grant_ref_t ref)
{
    struct blkif_request request = {
        .operation = operation, .nr_segments = 1, .handle = (blkif_vdev_t)device.virtual_device,
        .sector_number = 0 };

    request.seg[0] = (struct blkif_request_segment){ .gref = ref, .first_sect = 0, .last_sect = SECTORS_PER_PAGE - 1 };
    return request;
}

static grant_ref_t granted_data_page(struct attack_run *run, bool readonly)
{
    grant_ref_t ref = 0;
    int result = grant_table_grant_page(device.backend_id, data_page, readonly, &ref);

    if (result != 0)
        report(run, "data_page_granted", false, "grant_table_grant_page failed");
    return ref;
}

static void end_grants(struct attack_run *run, const grant_ref_t *refs, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        if (grant_table_end_access(refs[index]) == -XEN_EBUSY)
            report(run, "grants_released_after_the_answer", false, "the backend still holds one");
}

/*
 * Sends raw and judges the backend's answer: an error status, or the vbd
 * closed, is what a malformed request deserves; OKAY, or silence on a
 * connected vbd, is not.  refs: the grants raw names that this domain made.
 */
static void expect_refused(struct attack_run *run, const char *name, struct blkif_request *raw,
                           const grant_ref_t *refs, unsigned int ref_count)
{
    struct blkfront_request completion = { 0 };
    uint64_t state = XenbusStateUnknown;
    char why[80];
    int result;

    if (run->vbd_closed) {
        console_printf(FAMILY ": %s not sent: the backend closed the vbd\n", name);
        return;
    }
    if ((result = blkfront_submit_raw(&device, raw, &completion)) != 0) {
        format_string(why, sizeof(why), "could not be sent: %d", result);
        report(run, name, false, why);
        return;
    }
    result = blkfront_wait_for(&device, &completion, from_now(ANSWER_WAIT_NS));
    if (result == 0) {
        format_string(why, sizeof(why), "answered with status %d", completion.status);
        report(run, name, completion.status != BLKIF_RSP_OKAY, why);
        end_grants(run, refs, ref_count);
        return;
    }
    if (result == -XEN_EIO) {
        report(run, name, false, "the backend's answer failed blkfront's checks");
        run->vbd_closed = true;
        return;
    }
    blkfront_backend_state(&device, &state);
    run->vbd_closed = state >= XenbusStateClosing;
    format_string(why, sizeof(why), "no answer (%d); backend state %lu", result, state);
    if (run->vbd_closed)
        console_printf(FAMILY ": %s: the backend closed the vbd instead of answering\n", name);
    report(run, name, run->vbd_closed, why);
}

/* After refused requests, a good one must still be served (unless the backend closed the vbd). */
static void expect_still_served(struct attack_run *run)
{
    struct blkfront_request request = {
        .operation = BLKIF_OP_READ, .sector = 0, .segment_count = 1,
        .segments = { { .page = data_page, .first_sect = 0, .last_sect = SECTORS_PER_PAGE - 1 } } };
    int result;

    if (run->vbd_closed)
        return;
    result = blkfront_run(&device, &request, from_now(ANSWER_WAIT_NS));
    report(run, "a_good_request_is_still_served", result == 0 && request.status == BLKIF_RSP_OKAY,
           "the vbd stopped serving after a refused request");
}

/* --- the attacks on requests ----------------------------------------------------- */

static void producer_beyond_ring(struct attack_run *run)
{
    RING_IDX beyond = device.ring.req_prod_pvt + BLKFRONT_RING_SIZE + 1;

    __atomic_store_n(&device.shared_ring->req_prod, beyond, __ATOMIC_RELEASE);
    hypercall_event_send(device.port);
    sleep_ns(HALT_WAIT_NS);
    report(run, "no_answer_to_a_producer_beyond_the_ring",
           __atomic_load_n(&device.shared_ring->rsp_prod, __ATOMIC_ACQUIRE) == 0,
           "the backend answered requests that were never written");
    run->vbd_closed = true;
}

static void bad_grant_ref(struct attack_run *run)
{
    struct blkif_request request = raw_request(BLKIF_OP_READ, grant_table_entry_count() + 100);
    grant_ref_t readonly;

    expect_refused(run, "reference_beyond_the_grant_table", &request, NULL, 0);
    /* The highest reference: free, its entry invalid. */
    request = raw_request(BLKIF_OP_READ, grant_table_entry_count() - 1);
    expect_refused(run, "reference_never_granted", &request, NULL, 0);
    readonly = granted_data_page(run, true);
    request = raw_request(BLKIF_OP_READ, readonly);
    expect_refused(run, "read_into_a_read_only_grant", &request, &readonly, 1);
    expect_still_served(run);
}

static void foreign_grant_ref(struct attack_run *run)
{
    grant_ref_t refs[MAX_GRANTS_PER_CASE];
    struct blkif_request request;

    if (grant_table_grant_page(NO_SUCH_DOMAIN, data_page, false, &refs[0]) != 0 ||
        grant_table_grant_frame(device.backend_id, FIRMWARE_FRAME, false, &refs[1]) != 0) {
        report(run, "grants_made", false, "the grant table refused");
        return;
    }
    request = raw_request(BLKIF_OP_READ, refs[0]);
    expect_refused(run, "page_granted_to_another_domain", &request, &refs[0], 1);
    request = raw_request(BLKIF_OP_WRITE, refs[1]);
    expect_refused(run, "grant_of_a_frame_not_owned", &request, &refs[1], 1);
    expect_still_served(run);
}

/* One segment with the given bounds, granted for real. */
static void expect_segment_refused(struct attack_run *run, const char *name, uint8_t first, uint8_t last)
{
    grant_ref_t ref = granted_data_page(run, false);
    struct blkif_request request = raw_request(BLKIF_OP_READ, ref);

    request.seg[0].first_sect = first;
    request.seg[0].last_sect = last;
    expect_refused(run, name, &request, &ref, 1);
}

static void first_after_last(struct attack_run *run)
{
    expect_segment_refused(run, "first_sect_after_last_sect", 5, 4);
    expect_still_served(run);
}

static void last_beyond_page(struct attack_run *run)
{
    expect_segment_refused(run, "last_sect_8", 0, 8);
    expect_segment_refused(run, "first_and_last_sect_8", 8, 8);
    expect_still_served(run);
}

static void no_segments(struct attack_run *run)
{
    struct blkif_request request = raw_request(BLKIF_OP_READ, 0);

    request.nr_segments = 0;
    expect_refused(run, "read_without_segments", &request, NULL, 0);
    request = raw_request(BLKIF_OP_WRITE, 0);
    request.nr_segments = 0;
    expect_refused(run, "write_without_segments", &request, NULL, 0);
    expect_still_served(run);
}

static void too_many_segments(struct attack_run *run)
{
    grant_ref_t ref = granted_data_page(run, false);
    struct blkif_request request = raw_request(BLKIF_OP_READ, ref);

    for (unsigned int index = 1; index < BLKIF_MAX_SEGMENTS_PER_REQUEST; index++)
        request.seg[index] = request.seg[0];
    request.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
    expect_refused(run, "twelve_segments", &request, &ref, 1);
    ref = granted_data_page(run, false);
    for (unsigned int index = 0; index < BLKIF_MAX_SEGMENTS_PER_REQUEST; index++)
        request.seg[index].gref = ref;
    request.nr_segments = UINT8_MAX;
    expect_refused(run, "255_segments", &request, &ref, 1);
    expect_still_served(run);
}

static void sector_beyond_disk(struct attack_run *run)
{
    grant_ref_t ref = granted_data_page(run, false);
    struct blkif_request request = raw_request(BLKIF_OP_READ, ref);

    request.sector_number = device.sectors;
    expect_refused(run, "sector_after_the_last", &request, &ref, 1);
    ref = granted_data_page(run, false);
    request = raw_request(BLKIF_OP_WRITE, ref);
    request.sector_number = UINT64_MAX - 3;
    expect_refused(run, "extent_wrapping_around_2_to_the_64", &request, &ref, 1);
    expect_still_served(run);
}

static void unknown_operation(struct attack_run *run)
{
    grant_ref_t ref = granted_data_page(run, false);
    struct blkif_request request = raw_request(BLKIF_OP_RESERVED, ref);

    expect_refused(run, "reserved_operation_4", &request, &ref, 1);
    request = raw_request(BLKIF_OP_DISCARD, 0);
    request.nr_segments = 0;
    expect_refused(run, "discard_not_advertised", &request, NULL, 0);
    ref = granted_data_page(run, false);
    request = raw_request(BLKIF_OP_INDIRECT, ref);
    /* Byte 1 is indirect_op in an indirect request, the operation a backend
     * echoes (Linux blkback): INDIRECT there too, so that either echo matches. */
    request.nr_segments = BLKIF_OP_INDIRECT;
    expect_refused(run, "indirect_not_advertised", &request, &ref, 1);
    expect_still_served(run);
}

/*
 * Fills the ring with one-page READs, each through a grant of its own, and
 * revokes every grant at once, while the backend works on them.  A
 * revocation succeeds only while the backend does not hold the grant
 * (Xen's pin protocol), so each request must still be answered, OKAY if
 * its copy came first, an error if the revocation did; and the grants the
 * revocation found busy must be free once answered.
 */
static void revoke_mid_request(struct attack_run *run)
{
    static struct blkfront_request completions[BLKFRONT_RING_SIZE];
    static uint8_t pages[BLKFRONT_RING_SIZE][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    grant_ref_t refs[BLKFRONT_RING_SIZE];
    bool ended[BLKFRONT_RING_SIZE] = { false };
    unsigned int sent = 0, revoked = 0, answered = 0, late = 0;
    char why[80];

    for (; sent < BLKFRONT_RING_SIZE; sent++) {
        struct blkif_request request;

        if (grant_table_grant_page(device.backend_id, pages[sent], false, &refs[sent]) != 0)
            break;
        request = raw_request(BLKIF_OP_READ, refs[sent]);
        if (blkfront_submit_raw(&device, &request, &completions[sent]) != 0)
            break;
    }
    for (unsigned int index = 0; index < sent; index++)
        if (grant_table_end_access(refs[index]) == 0) {
            revoked++;
            ended[index] = true;
        }
    for (unsigned int index = 0; index < sent; index++)
        if (blkfront_wait_for(&device, &completions[index], from_now(ANSWER_WAIT_NS)) == 0)
            answered++;
    for (unsigned int index = 0; index < sent; index++)
        if (!ended[index] && grant_table_end_access(refs[index]) != 0)
            late++;
    console_printf(FAMILY ": %u reads sent, %u of their grants revoked at once, %u answered\n", sent, revoked,
                   answered);
    format_string(why, sizeof(why), "%u of %u answered", answered, sent);
    report(run, "every_request_answered_despite_revoked_grants", sent == BLKFRONT_RING_SIZE && answered == sent,
           why);
    format_string(why, sizeof(why), "%u grants still held after the answers", late);
    report(run, "busy_grants_released_once_answered", late == 0, why);
    expect_still_served(run);
}

/* --- storms and deaths ------------------------------------------------------------- */

static struct blkfront_request storm_requests[BLKFRONT_RING_SIZE];
static bool storm_busy[BLKFRONT_RING_SIZE];

/* Keeps every free slot of the ring busy with a one-sector read; how many were sent. */
static uint64_t fill_ring(uint64_t sent, uint64_t wanted)
{
    for (unsigned int index = 0; index < BLKFRONT_RING_SIZE && sent < wanted; index++) {
        if (storm_busy[index])
            continue;
        storm_requests[index] = (struct blkfront_request){
            .operation = BLKIF_OP_READ, .sector = sent % device.sectors, .segment_count = 1,
            .segments = { { .page = data_page, .first_sect = 0, .last_sect = 0 } } };
        if (blkfront_submit(&device, &storm_requests[index]) != 0)
            break;
        storm_busy[index] = true;
        sent++;
    }
    return sent;
}

static void storm(struct attack_run *run)
{
    uint64_t wanted = DEFAULT_STORM_REQUESTS, seconds = DEFAULT_STORM_SECONDS, sent = 0, answered = 0, errors = 0;
    uint64_t start = system_time_ns(), deadline;
    char why[80];

    command_line_get_unsigned(run->command_line, "requests", &wanted);
    command_line_get_unsigned(run->command_line, "seconds", &seconds);
    deadline = start + seconds * NANOSECONDS_PER_SECOND;
    while (answered < wanted && system_time_ns() < deadline) {
        device.event_arrived = false;
        sent = fill_ring(sent, wanted);
        if (blkfront_complete(&device) < 0)
            break;
        for (unsigned int index = 0; index < BLKFRONT_RING_SIZE; index++)
            if (storm_busy[index] && storm_requests[index].done) {
                storm_busy[index] = false;
                answered++;
                errors += storm_requests[index].status != BLKIF_RSP_OKAY;
            }
        if (blkfront_in_flight(&device) > 0)
            blkfront_wait(&device, deadline);
    }
    console_printf(FAMILY ": storm: %lu requests sent, %lu answered (%lu errors) in %lu ms\n", sent, answered,
                   errors, (system_time_ns() - start) / NANOSECONDS_PER_MILLISECOND);
    format_string(why, sizeof(why), "%lu of %lu answered, %lu errors", answered, sent, errors);
    report(run, "storm_requests_answered_okay", !device.broken && errors == 0 && answered > 0, why);
    for (unsigned int count = 0; count < NOTIFICATION_STORM; count++)
        hypercall_event_send(device.port);
    console_printf(FAMILY ": storm: %u notifications without requests sent\n", NOTIFICATION_STORM);
    expect_still_served(run);
}

static void crash_mid_request(struct attack_run *run)
{
    static struct blkfront_request requests[BLKFRONT_RING_SIZE];

    (void)run;
    for (unsigned int index = 0; index < BLKFRONT_RING_SIZE; index++) {
        requests[index] = (struct blkfront_request){
            .operation = BLKIF_OP_WRITE, .sector = index * BLKIF_MAX_SEGMENTS_PER_REQUEST * SECTORS_PER_PAGE,
            .segment_count = BLKIF_MAX_SEGMENTS_PER_REQUEST };
        for (unsigned int segment = 0; segment < BLKIF_MAX_SEGMENTS_PER_REQUEST; segment++)
            requests[index].segments[segment] =
                (struct blkfront_segment){ .page = data_page, .first_sect = 0, .last_sect = SECTORS_PER_PAGE - 1 };
        if (blkfront_submit(&device, &requests[index]) != 0)
            break;
    }
    console_printf(FAMILY ": crashing with %u requests in flight\n", blkfront_in_flight(&device));
    runtime_exit(SHUTDOWN_crash);
}

/* --- the handshake attacks ----------------------------------------------------------- */

/* Sleeps, then only looks: the backend must still be waiting for it, neither connected nor gone. */
static void silent(struct attack_run *run)
{
    uint64_t seconds = DEFAULT_SILENT_SECONDS, state = XenbusStateUnknown;
    char why[48];

    command_line_get_unsigned(run->command_line, "seconds", &seconds);
    console_printf(FAMILY ": never answering the handshake; powering off in %lu s\n", seconds);
    sleep_ns(seconds * NANOSECONDS_PER_SECOND);
    if (blkfront_locate(&device, NULL) == 0)
        blkfront_backend_state(&device, &state);
    format_string(why, sizeof(why), "backend state %lu", state);
    report(run, "backend_still_waits_for_a_silent_frontend", state == XenbusStateInitWait, why);
}

static int write_node(const char *directory, const char *node, uint64_t value)
{
    char path[BLKFRONT_PATH_SIZE];

    format_string(path, sizeof(path), "%s/%s", directory, node);
    return xenbus_write_unsigned(XENBUS_NO_TRANSACTION, path, value);
}

static void bad_ring_ref(struct attack_run *run)
{
    char path[BLKFRONT_PATH_SIZE];
    int result = blkfront_locate(&device, NULL);

    report(run, "vbd_found", result == 0, "no vbd");
    if (result != 0)
        return;
    result = blkfront_await_backend(&device, XenbusStateInitWait, from_now(CONNECT_WAIT_NS));
    report(run, "backend_waits_for_the_frontend", result == 0, "the backend never reached InitWait");
    format_string(path, sizeof(path), "%s/protocol", device.frontend_path);
    if (write_node(device.frontend_path, "ring-ref", GNTTAB_NR_RESERVED_ENTRIES + 1) != 0 ||
        write_node(device.frontend_path, "event-channel", NEVER_ALLOCATED_PORT) != 0 ||
        xenbus_write(XENBUS_NO_TRANSACTION, path, "x86_64-abi") != 0 ||
        write_node(device.frontend_path, "state", XenbusStateInitialised) != 0) {
        report(run, "handshake_nodes_written", false, "xenstore refused");
        return;
    }
    result = blkfront_await_backend(&device, XenbusStateConnected, from_now(ANSWER_WAIT_NS));
    report(run, "backend_does_not_connect_to_an_ungranted_ring", result != 0, "the backend said Connected");
    write_node(device.frontend_path, "state", XenbusStateClosed);
}

/* --- dispatch ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*run)(struct attack_run *run);
    bool connects;
} attacks[] = {
    { "producer-beyond-ring", producer_beyond_ring, true },
    { "bad-grant-ref", bad_grant_ref, true },
    { "foreign-grant-ref", foreign_grant_ref, true },
    { "first-after-last", first_after_last, true },
    { "last-beyond-page", last_beyond_page, true },
    { "no-segments", no_segments, true },
    { "too-many-segments", too_many_segments, true },
    { "sector-beyond-disk", sector_beyond_disk, true },
    { "unknown-operation", unknown_operation, true },
    { "revoke-mid-request", revoke_mid_request, true },
    { "storm", storm, true },
    { "crash-mid-request", crash_mid_request, true },
    { "silent", silent, false },
    { "bad-ring-ref", bad_ring_ref, false },
};

int run_disk_attack(const char *command_line)
{
    struct attack_run run = { .command_line = command_line, .verdicts = { .family = FAMILY } };
    char name[32] = "";

    command_line_find(command_line, "attack", name, sizeof(name));
    for (size_t index = 0; index < sizeof(attacks) / sizeof(attacks[0]); index++) {
        if (strcmp(name, attacks[index].name) != 0)
            continue;
        console_printf(FAMILY ": %s\n", name);
        if (attacks[index].connects) {
            int result = blkfront_connect(&device, NULL, from_now(CONNECT_WAIT_NS));

            report(&run, "vbd_connects", result == 0, "the handshake failed");
            if (result == 0)
                attacks[index].run(&run);
            if (result == 0 && !run.vbd_closed)
                blkfront_close(&device, from_now(ANSWER_WAIT_NS));
        } else {
            attacks[index].run(&run);
        }
        attack_verdicts_summary(&run.verdicts);
        return 0;
    }
    console_printf(FAMILY ": unknown attack '%s'\n", name);
    return -XEN_EINVAL;
}
