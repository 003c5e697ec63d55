/*
 * The malicious network frontends of net_attacks.h.  Each attack
 * connects through a station (net_station.h), misbehaves in one way and
 * reports what the backend did about it.  The raw slots name a page of
 * zeroes granted read-only to the backend, so that a copy fails only
 * where the attack means it to.
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
#include <frontend/grant_table.h>
#include <frontend/xenbus.h>
#include "attack_verdicts.h"
#include "net_attacks.h"
#include "net_station.h"

#define FAMILY "net_attack"
#define CONNECT_WAIT_NS (60 * NANOSECONDS_PER_SECOND)
#define ANSWER_WAIT_NS (5 * NANOSECONDS_PER_SECOND)
#define HALT_WAIT_NS (3 * NANOSECONDS_PER_SECOND)
#define PEER_WAIT_NS (20 * NANOSECONDS_PER_SECOND)
#define CLOSE_WAIT_NS (10 * NANOSECONDS_PER_SECOND)
#define DEFAULT_SECONDS 20
#define NOTIFICATION_STORM 100000
#define NO_SUCH_DOMAIN (DOMID_FIRST_RESERVED - 1)
#define STARVED_RX_BUFFERS 8
#define BROADCAST_INTERVAL_NS (100 * NANOSECONDS_PER_MILLISECOND)
#define NOBODY_IP 0x0a0002fa /* 10.0.2.250 */
#define MAX_RAW_SLOTS (NETFRONT_MAX_TX_SLOTS + 4)
#define NO_HANDSHAKE UINT32_MAX
#define NEVER_ALLOCATED_PORT 4000

struct attack_run {
    const char *command_line;
    struct attack_verdicts verdicts;
    bool vif_closed;
};

static uint8_t data_page[NETFRONT_PAGE_SIZE] __attribute__((aligned(NETFRONT_PAGE_SIZE)));
static uint8_t good_page[NETFRONT_PAGE_SIZE] __attribute__((aligned(NETFRONT_PAGE_SIZE)));
static struct netfront_transmission flood_transmissions[NETFRONT_TX_RING_SIZE];
static bool flood_used[NETFRONT_TX_RING_SIZE];
static struct net_station station;
static grant_ref_t data_ref;

static void report(struct attack_run *run, const char *name, bool holds, const char *why)
{
    attack_verdict(&run->verdicts, name, holds, why);
}

static uint64_t from_now(uint64_t duration_ns)
{
    return system_time_ns() + duration_ns;
}

static uint64_t backend_state(void)
{
    uint64_t state = XenbusStateUnknown;

    netfront_backend_state(&station.device, &state);
    return state;
}

/* Whether the backend disabled the vif (Closing or Closed) by deadline_ns. */
static bool vif_disabled_by(uint64_t deadline_ns)
{
    return netfront_await_backend(&station.device, XenbusStateClosing, deadline_ns) == 0;
}

/* A data slot of size bytes of the zero page, flags as given. */
static union netfront_tx_slot data_slot(uint16_t size, uint16_t flags)
{
    return (union netfront_tx_slot){ .request = { .gref = data_ref, .offset = 0, .flags = flags, .size = size } };
}

/*
 * Sends count raw slots and judges the answer: every slot answered and
 * not OKAY, or the vif disabled, is what a malformed packet deserves.
 */
static void expect_refused(struct attack_run *run, const char *name, const union netfront_tx_slot *slots,
                           const bool *extra, unsigned int count)
{
    static struct netfront_transmission completion; /* netfront may answer it after a timeout */
    char why[96];
    int result;

    if (run->vif_closed) {
        console_printf(FAMILY ": %s not sent: the backend disabled the vif\n", name);
        return;
    }
    if ((result = netfront_transmit_raw(&station.device, slots, extra, count, &completion)) != 0) {
        format_string(why, sizeof(why), "could not be sent: %d", result);
        report(run, name, false, why);
        return;
    }
    result = netfront_wait_for(&station.device, &completion, from_now(ANSWER_WAIT_NS));
    if (result == 0) {
        format_string(why, sizeof(why), "answered with status %d", completion.status);
        report(run, name, completion.status != NETIF_RSP_OKAY, why);
        return;
    }
    if (result == -XEN_EIO) {
        report(run, name, false, "the backend's answer failed netfront's checks");
        run->vif_closed = true;
        return;
    }
    run->vif_closed = vif_disabled_by(from_now(HALT_WAIT_NS));
    format_string(why, sizeof(why), "no answer (%d); backend state %lu", result, backend_state());
    if (run->vif_closed)
        console_printf(FAMILY ": %s: the backend disabled the vif instead of answering\n", name);
    report(run, name, run->vif_closed, why);
}

/* A packet the backend must take as fatal: no OKAY, and the vif disabled. */
static void expect_disabled(struct attack_run *run, const char *name, const union netfront_tx_slot *slots,
                            const bool *extra, unsigned int count)
{
    char why[64];

    expect_refused(run, name, slots, extra, count);
    if (!run->vif_closed)
        run->vif_closed = vif_disabled_by(from_now(HALT_WAIT_NS));
    format_string(why, sizeof(why), "backend state %lu", backend_state());
    report(run, "backend_disables_the_vif", run->vif_closed, why);
}

/* After refused packets, a good frame must still be served, and the peer still answer. */
static void expect_still_served(struct attack_run *run)
{
    static const struct netfront_fragment fragment = { good_page, NET_FRAME_ARP_BYTES };
    static struct netfront_transmission transmission; /* netfront may answer it after a timeout */
    char why[80];
    int result;

    if (run->vif_closed)
        return;
    net_frame_build_arp(good_page, NET_FRAME_ARP_REQUEST, &station.self, &station.peer);
    transmission = (struct netfront_transmission){ .fragments = &fragment, .fragment_count = 1 };
    result = netfront_transmit(&station.device, &transmission);
    if (result == 0)
        result = netfront_wait_for(&station.device, &transmission, from_now(ANSWER_WAIT_NS));
    format_string(why, sizeof(why), "result %d, status %d, %u tx slots in flight", result, transmission.status,
                  netfront_tx_in_flight(&station.device));
    report(run, "a_good_frame_is_still_answered_okay", result == 0 && transmission.status == NETIF_RSP_OKAY, why);
    if (!station.has_peer)
        return;
    station.peer_known = false;
    report(run, "the_peer_still_answers_arp", net_station_resolve_peer(&station, from_now(PEER_WAIT_NS)),
           "no ARP reply from the peer");
}

static const bool no_extras[MAX_RAW_SLOTS];

/* --- the attacks on the tx ring ---------------------------------------------------- */

/* Whether a response producer stays within the requests really written. */
static bool answered_at_most(RING_IDX response_producer, RING_IDX requests_written)
{
    return (int32_t)(response_producer - requests_written) <= 0;
}

static void producer_beyond_ring(struct attack_run *run)
{
    RING_IDX written = station.device.tx.req_prod_pvt, beyond = written + NETFRONT_TX_RING_SIZE + 1;

    __atomic_store_n(&station.device.tx_shared->req_prod, beyond, __ATOMIC_RELEASE);
    hypercall_event_send(station.device.port);
    sleep_ns(HALT_WAIT_NS);
    report(run, "no_answer_to_a_producer_beyond_the_ring",
           answered_at_most(__atomic_load_n(&station.device.tx_shared->rsp_prod, __ATOMIC_ACQUIRE), written),
           "the backend answered requests that were never written");
    run->vif_closed = vif_disabled_by(from_now(ANSWER_WAIT_NS));
    report(run, "backend_disables_the_vif", run->vif_closed, "the vif still claims to be connected");
}

static void rx_producer_beyond_ring(struct attack_run *run)
{
    RING_IDX written = station.device.rx.req_prod_pvt, beyond = written + NETFRONT_RX_RING_SIZE + 1;
    uint8_t frame[NET_FRAME_ARP_BYTES];

    __atomic_store_n(&station.device.rx_shared->req_prod, beyond, __ATOMIC_RELEASE);
    hypercall_event_send(station.device.port);
    /* Frames for this vif make the backend look at the rx ring. */
    net_frame_build_arp(frame, NET_FRAME_ARP_REQUEST, &station.self, &station.peer);
    net_station_send(&station, frame, sizeof(frame), NET_LAYOUT_ONE_SLOT);
    sleep_ns(HALT_WAIT_NS);
    report(run, "no_rx_answer_to_a_producer_beyond_the_ring",
           answered_at_most(__atomic_load_n(&station.device.rx_shared->rsp_prod, __ATOMIC_ACQUIRE), written),
           "the backend filled buffers that were never posted");
    run->vif_closed = vif_disabled_by(from_now(ANSWER_WAIT_NS));
    report(run, "backend_disables_the_vif", run->vif_closed, "the vif still claims to be connected");
}

static void expect_slot_refused(struct attack_run *run, const char *name, grant_ref_t ref)
{
    union netfront_tx_slot slot = data_slot(60, 0);

    slot.request.gref = ref;
    expect_refused(run, name, &slot, no_extras, 1);
}

/* rx buffers under bad references: the frames copied into them fail, netfront drops them, the vif goes on. */
static void bad_rx_grants(struct attack_run *run, const grant_ref_t *refs, unsigned int count)
{
    uint64_t errors_before = station.device.statistics.rx_errors;
    char why[80];

    for (unsigned int index = 0; index < count; index++) {
        struct netif_rx_request request = { .id = netfront_rx_id(station.device.rx.req_prod_pvt), .gref = refs[index] };

        if (netfront_post_raw_rx(&station.device, &request) != 0) {
            report(run, "bad_rx_buffers_posted", false, "no rx slot free");
            return;
        }
    }
    netfront_set_rx_buffers(&station.device, NETFRONT_RX_BUFFERS);
    station.peer_known = false;
    net_station_resolve_peer(&station, from_now(PEER_WAIT_NS));
    format_string(why, sizeof(why), "%lu packets dropped, %lu received, broken %d",
                  station.device.statistics.rx_errors - errors_before, station.device.statistics.rx_frames,
                  station.device.broken);
    report(run, "frames_for_bad_rx_buffers_fail_alone",
           !station.device.broken && station.device.statistics.rx_errors - errors_before >= count, why);
}

static void bad_grant(struct attack_run *run)
{
    grant_ref_t refs[4];

    refs[0] = grant_table_entry_count() + 100;
    refs[1] = grant_table_entry_count() - 1;
    if (grant_table_grant_page(NO_SUCH_DOMAIN, data_page, false, &refs[2]) != 0 ||
        grant_table_grant_page(station.device.backend_id, data_page, true, &refs[3]) != 0) {
        report(run, "grants_made", false, "the grant table refused");
        return;
    }
    expect_slot_refused(run, "reference_beyond_the_grant_table", refs[0]);
    expect_slot_refused(run, "reference_never_granted", refs[1]);
    expect_slot_refused(run, "page_granted_to_another_domain", refs[2]);
    if (station.has_peer && !run->vif_closed)
        bad_rx_grants(run, refs, 4);
    expect_still_served(run);
}

static void more_slots_than_sent(struct attack_run *run)
{
    union netfront_tx_slot slots[2] = { data_slot(100, NETTXF_more_data), data_slot(200, 0) };

    expect_refused(run, "later_slot_bigger_than_the_first_size", slots, no_extras, 2);
    expect_still_served(run);
    slots[0] = data_slot(200, NETTXF_more_data);
    expect_disabled(run, "last_published_slot_says_more_data", slots, no_extras, 1);
}

static void oversized_frame(struct attack_run *run)
{
    union netfront_tx_slot slots[3] = {
        data_slot(9000, NETTXF_more_data), data_slot(4000, NETTXF_more_data), data_slot(4000, 0) };
    union netfront_tx_slot big = data_slot(1600, 0);

    expect_refused(run, "frame_of_1600_bytes", &big, no_extras, 1);
    expect_refused(run, "frame_of_9000_bytes_in_three_slots", slots, no_extras, 3);
    expect_still_served(run);
}

static void undersized_frame(struct attack_run *run)
{
    union netfront_tx_slot slot = data_slot(13, 0);

    expect_refused(run, "frame_of_13_bytes", &slot, no_extras, 1);
    slot = data_slot(0, 0);
    expect_refused(run, "frame_of_0_bytes", &slot, no_extras, 1);
    expect_still_served(run);
}

static void slot_crossing_page(struct attack_run *run)
{
    union netfront_tx_slot slot = data_slot(200, 0);

    slot.request.offset = NETFRONT_PAGE_SIZE - 100;
    expect_disabled(run, "slot_crossing_its_page", &slot, no_extras, 1);
}

static void bad_extra(struct attack_run *run)
{
    union netfront_tx_slot slots[2] = { data_slot(60, NETTXF_extra_info) };
    bool extra[2] = { false, true };

    slots[1].extra = (struct netif_extra_info){ .type = XEN_NETIF_EXTRA_TYPE_GSO, .flags = 0 };
    slots[1].extra.u.gso.size = 1400;
    slots[1].extra.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
    expect_refused(run, "gso_extra_not_offered", slots, extra, 2);
    expect_still_served(run);
    slots[1].extra = (struct netif_extra_info){ .type = 0, .flags = 0 };
    expect_disabled(run, "extra_of_type_0", slots, extra, 2);
}

/* A packet of count slots: a 60-byte first slot's own data, then count - 1 slots of 60 bytes. */
static unsigned int packet_of(union netfront_tx_slot *slots, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        slots[index] = data_slot(60, index + 1 < count ? NETTXF_more_data : 0);
    slots[0].request.size = (uint16_t)(60 * count);
    return count;
}

static void too_many_slots(struct attack_run *run)
{
    union netfront_tx_slot slots[MAX_RAW_SLOTS];

    expect_refused(run, "packet_of_20_slots", slots, no_extras, packet_of(slots, 20));
    expect_still_served(run);
    expect_disabled(run, "packet_of_22_slots", slots, no_extras, packet_of(slots, 22));
}

/* --- floods, starvation and death ------------------------------------------------------ */

static int broadcast(uint32_t target_ip)
{
    struct net_frame_endpoint target = { .ip = target_ip };
    uint8_t frame[NET_FRAME_ARP_BYTES];

    net_frame_build_arp(frame, NET_FRAME_ARP_REQUEST, &station.self, &target);
    return net_station_send(&station, frame, sizeof(frame), NET_LAYOUT_ONE_SLOT);
}

struct flood_counts {
    uint64_t sent;
    uint64_t answered;
    uint64_t errors;
};

/* Counts the flood's answered transmissions and frees their places. */
static void collect_answers(struct flood_counts *counts)
{
    for (unsigned int index = 0; index < NETFRONT_TX_RING_SIZE; index++)
        if (flood_used[index] && flood_transmissions[index].done) {
            counts->answered++;
            counts->errors += flood_transmissions[index].status != NETIF_RSP_OKAY;
            flood_used[index] = false;
        }
}

/* Puts a broadcast frame (the data page's) in every free place while the ring takes it. */
static void fill_tx_ring(struct flood_counts *counts)
{
    union netfront_tx_slot slot = data_slot(NET_FRAME_ARP_BYTES, 0);

    collect_answers(counts);
    for (unsigned int index = 0; index < NETFRONT_TX_RING_SIZE; index++) {
        if (flood_used[index])
            continue;
        flood_used[index] = netfront_transmit_raw(&station.device, &slot, no_extras, 1,
                                                  &flood_transmissions[index]) == 0;
        if (!flood_used[index])
            return;
        counts->sent++;
    }
}

static void flood(struct attack_run *run)
{
    uint64_t seconds = DEFAULT_SECONDS, start = system_time_ns(), deadline;
    struct flood_counts counts = { 0 };
    char why[96];

    command_line_get_unsigned(run->command_line, "seconds", &seconds);
    deadline = start + seconds * NANOSECONDS_PER_SECOND;
    net_frame_build_arp(data_page, NET_FRAME_ARP_REQUEST, &station.self,
                        &(struct net_frame_endpoint){ .ip = NOBODY_IP });
    while (system_time_ns() < deadline && !station.device.broken) {
        fill_tx_ring(&counts);
        if (net_station_pump(&station, deadline) != 0)
            break;
    }
    while (netfront_tx_in_flight(&station.device) > 0 && system_time_ns() < deadline + ANSWER_WAIT_NS)
        if (net_station_pump(&station, deadline + ANSWER_WAIT_NS) != 0)
            break;
    collect_answers(&counts);
    console_printf(FAMILY ": flood: %lu broadcast frames sent in %lu ms, %lu answered, %lu with errors\n",
                   counts.sent, (system_time_ns() - start) / NANOSECONDS_PER_MILLISECOND, counts.answered,
                   counts.errors);
    format_string(why, sizeof(why), "%lu sent, %lu answered, %lu errors, broken %d", counts.sent, counts.answered,
                  counts.errors, station.device.broken);
    report(run, "flood_frames_answered_okay", counts.answered > 0 && counts.errors == 0 && !station.device.broken,
           why);
    for (unsigned int count = 0; count < NOTIFICATION_STORM; count++)
        hypercall_event_send(station.device.port);
    console_printf(FAMILY ": flood: %u notifications without requests sent\n", NOTIFICATION_STORM);
    expect_still_served(run);
}

static void rx_never_refilled(struct attack_run *run)
{
    uint64_t seconds = DEFAULT_SECONDS, deadline, sent = 0;
    char why[96];

    command_line_get_unsigned(run->command_line, "seconds", &seconds);
    deadline = from_now(seconds * NANOSECONDS_PER_SECOND);
    console_printf(FAMILY ": %u rx buffers posted, never refilled for %lu s\n", netfront_rx_posted(&station.device),
                   seconds);
    while (system_time_ns() < deadline && !station.device.broken) {
        uint64_t next = from_now(BROADCAST_INTERVAL_NS);

        sent += broadcast(station.has_peer ? station.peer.ip : NOBODY_IP) == 0;
        for (;;) {
            station.device.event_arrived = false;
            if (netfront_complete_transmissions(&station.device) < 0 || system_time_ns() >= next)
                break;
            netfront_wait(&station.device, next);
        }
    }
    format_string(why, sizeof(why), "%lu sent, %lu errors, broken %d, backend state %lu", sent,
                  station.device.statistics.tx_errors, station.device.broken, backend_state());
    report(run, "tx_still_served_while_rx_starves",
           sent > 0 && station.device.statistics.tx_errors == 0 && !station.device.broken, why);
    report(run, "vif_stays_connected", backend_state() == XenbusStateConnected, why);
    netfront_set_rx_buffers(&station.device, NETFRONT_RX_BUFFERS);
    expect_still_served(run);
}

static void die_mid_transfer(struct attack_run *run)
{
    union netfront_tx_slot slots[MAX_RAW_SLOTS];
    static struct netfront_transmission completion;
    unsigned int packets = 0;

    (void)run;
    while (netfront_transmit_raw(&station.device, slots, no_extras, packet_of(slots, 4), &completion) == 0)
        packets++;
    console_printf(FAMILY ": crashing with %u tx slots in flight (%u packets), %u rx buffers posted\n",
                   netfront_tx_in_flight(&station.device), packets, netfront_rx_posted(&station.device));
    runtime_exit(SHUTDOWN_crash);
}

/* --- the handshake attacks ----------------------------------------------------------- */

static int write_frontend_node(const char *node, uint64_t value)
{
    char path[NETFRONT_PATH_SIZE];

    format_string(path, sizeof(path), "%s/%s", station.device.frontend_path, node);
    return xenbus_write_unsigned(XENBUS_NO_TRANSACTION, path, value);
}

/* Answers the backend's InitWait with the nodes given (each ring-ref and
 * the port as named, request-rx-copy as given) and Connected: the
 * backend must not connect, but close the vif. */
static void expect_not_connected(struct attack_run *run, grant_ref_t ring_ref, evtchn_port_t port,
                                 uint64_t request_rx_copy)
{
    char why[64];
    int result = netfront_locate(&station.device, NULL);

    report(run, "vif_found", result == 0, "no vif");
    if (result != 0)
        return;
    result = netfront_await_backend(&station.device, XenbusStateInitWait, from_now(CONNECT_WAIT_NS));
    report(run, "backend_waits_for_the_frontend", result == 0, "the backend never reached InitWait");
    if (write_frontend_node("tx-ring-ref", ring_ref) != 0 || write_frontend_node("rx-ring-ref", ring_ref) != 0 ||
        write_frontend_node("event-channel", port) != 0 ||
        write_frontend_node("request-rx-copy", request_rx_copy) != 0 ||
        write_frontend_node("state", XenbusStateConnected) != 0) {
        report(run, "handshake_nodes_written", false, "xenstore refused");
        return;
    }
    result = netfront_await_backend(&station.device, XenbusStateConnected, from_now(ANSWER_WAIT_NS));
    format_string(why, sizeof(why), "%d, backend state %lu", result, backend_state());
    report(run, "backend_does_not_connect", result != 0, why);
    report(run, "backend_closes_the_vif", vif_disabled_by(from_now(ANSWER_WAIT_NS)), why);
    write_frontend_node("state", XenbusStateClosed);
}

static void bad_ring_ref(struct attack_run *run)
{
    expect_not_connected(run, GNTTAB_NR_RESERVED_ENTRIES + 1, NEVER_ALLOCATED_PORT, 1);
}

/* A frontend that asks for rx-flip, which Linux 6.1's netback refuses (-EOPNOTSUPP). */
static void no_rx_copy(struct attack_run *run)
{
    struct evtchn_alloc_unbound unbound = { .dom = DOMID_SELF };
    grant_ref_t refs[2];
    long result;

    if (grant_table_init() != 0 || netfront_locate(&station.device, NULL) != 0) {
        report(run, "vif_found", false, "no vif or grant table");
        return;
    }
    unbound.remote_dom = station.device.backend_id;
    result = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &unbound);
    if (result != 0 || grant_table_grant_page(station.device.backend_id, data_page, false, &refs[0]) != 0 ||
        grant_table_grant_page(station.device.backend_id, good_page, false, &refs[1]) != 0) {
        report(run, "ring_granted", false, "the grant table or the event channel refused");
        return;
    }
    memset(data_page, 0, sizeof(data_page));
    memset(good_page, 0, sizeof(good_page));
    expect_not_connected(run, refs[0], unbound.port, 0);
}

/* --- dispatch ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*run)(struct attack_run *run);
    unsigned int rx_buffers; /* NO_HANDSHAKE: the attack does the handshake itself */
} attacks[] = {
    { "producer-beyond-ring", producer_beyond_ring, NETFRONT_RX_BUFFERS },
    { "rx-producer-beyond-ring", rx_producer_beyond_ring, NETFRONT_RX_BUFFERS },
    { "bad-grant", bad_grant, 0 },
    { "more-slots-than-sent", more_slots_than_sent, NETFRONT_RX_BUFFERS },
    { "oversized-frame", oversized_frame, NETFRONT_RX_BUFFERS },
    { "undersized-frame", undersized_frame, NETFRONT_RX_BUFFERS },
    { "slot-crossing-page", slot_crossing_page, NETFRONT_RX_BUFFERS },
    { "bad-extra", bad_extra, NETFRONT_RX_BUFFERS },
    { "too-many-slots", too_many_slots, NETFRONT_RX_BUFFERS },
    { "flood", flood, NETFRONT_RX_BUFFERS },
    { "rx-never-refilled", rx_never_refilled, STARVED_RX_BUFFERS },
    { "die-mid-transfer", die_mid_transfer, NETFRONT_RX_BUFFERS },
    { "bad-ring-ref", bad_ring_ref, NO_HANDSHAKE },
    { "no-rx-copy", no_rx_copy, NO_HANDSHAKE },
};

static void attack_and_close(struct attack_run *run, void (*attack)(struct attack_run *run))
{
    int result = grant_table_grant_page(station.device.backend_id, data_page, true, &data_ref);

    report(run, "data_page_granted", result == 0, "the grant table refused");
    if (result != 0)
        return;
    attack(run);
    if (!run->vif_closed && !station.device.broken)
        report(run, "vif_closes", netfront_close(&station.device, from_now(CLOSE_WAIT_NS)) == 0,
               "the close handshake failed");
}

int run_net_attack(const char *command_line)
{
    struct attack_run run = { .command_line = command_line, .verdicts = { .family = FAMILY } };
    char name[32] = "";

    command_line_find(command_line, "attack", name, sizeof(name));
    for (size_t index = 0; index < sizeof(attacks) / sizeof(attacks[0]); index++) {
        int result;

        if (strcmp(name, attacks[index].name) != 0)
            continue;
        console_printf(FAMILY ": %s\n", name);
        if (attacks[index].rx_buffers == NO_HANDSHAKE) {
            attacks[index].run(&run);
        } else {
            result = net_station_connect(&station, command_line, attacks[index].rx_buffers,
                                         from_now(CONNECT_WAIT_NS));
            report(&run, "vif_connects", result == 0, "the handshake failed");
            if (result == 0)
                attack_and_close(&run, attacks[index].run);
        }
        attack_verdicts_summary(&run.verdicts);
        return 0;
    }
    console_printf(FAMILY ": unknown attack '%s'\n", name);
    return -XEN_EINVAL;
}
