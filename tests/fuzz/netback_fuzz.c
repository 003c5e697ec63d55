/*
 * The netback fuzzer: LLVMFuzzerTestOneInput drives one vif
 * (backend/netback.c, with netif_packet.c, ethernet.c, packet_buffer.c and
 * ring/ under it) against a HOSTILE frontend, domain 1, that writes its
 * rings' pages directly: any tx entry (data slots, extras, flags, sizes,
 * grefs, offsets), well-formed packets of one to three slots (some with
 * their checksum left blank), any request producer (beyond the ring
 * included), any rx request (good, bad, read-only or foreign grants), any
 * event index; its grants change under the vif (revoked, read-only, given
 * to another domain).  dom0's side queues frames for the guest from any
 * bridge port, serves the vif, lets delivered frames go, and stops it.
 * GNTTABOP_copy is the hypervisor's own (hypervisor/common/grant_table.c
 * on tests/unit/simulated_grants.c).
 *
 * After every step:
 *   - buffers: the pool's free buffers, the frames on the vif's queue and
 *     the delivered frames the harness holds are every buffer, each once
 *     (no leak, no double put), and a queue holds at most
 *     NETBACK_RX_QUEUE frames, NETBACK_RX_QUEUE_PER_SOURCE from a port;
 *   - a delivered frame is 14 to 1518 bytes and holds one reference;
 *   - responses: neither ring ever has more responses published than
 *     requests taken, and its producer never moves back; an rx response
 *     sits in its request's slot with that request's id, offset 0, flags
 *     0 and a status of NETIF_RSP_ERROR exactly when its grant did not let
 *     dom0 write the page, else the length of a frame; a tx
 *     response's status is OKAY, ERROR or NULL;
 *   - a broken vif stays broken, and neither a broken nor a stopped vif
 *     takes a request or publishes a response again;
 *   - a pass's work (basic blocks of the metered code) stays under a
 *     bound, whatever the rings hold.
 * Any violation aborts with a message naming the step.
 *
 * Operation bytes: 0 kind (kind_table), then what the kind needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <backend/netback.h>

#include "fuzz_input.h"
#include "fuzz_report.h"
#include "work_meter.h"
#include "../unit/simulated_grants.h"

#define MAX_STEPS 300
#define FRAME_COUNT 160
#define DOM0 0
#define FRONTEND 1
#define STRANGER 2
#define DATA_PAGES 8u
#define FIRST_GREF 10u
#define POOL_BUFFERS 96
#define PAGE_BYTES 4096
#define RING_ENTRIES 256
#define HELD_MAX POOL_BUFFERS
#define PORTS 4
/* Per pass: every tx packet's slots and a checksum over a frame, every rx frame. */
#define WORK_BOUND (NETBACK_TX_PACKETS_PER_PASS * (NETIF_PACKET_MAX_SLOTS * 200 + 2 * ETHERNET_MAX_FRAME_BYTES) + \
                    NETBACK_RX_QUEUE * 200 + 5000)

#define violation(...) fuzz_report_violation("netback", harness.step, harness.operation, __VA_ARGS__)

enum operation_kind {
    OPERATION_TX_RAW,
    OPERATION_TX_PACKET,
    OPERATION_TX_PUBLISH,
    OPERATION_RX_POST,
    OPERATION_QUEUE_FRAME,
    OPERATION_SERVICE,
    OPERATION_GRANT,
    OPERATION_RELEASE,
    OPERATION_STOP,
    OPERATION_EVENTS,
    OPERATION_KINDS,
};

static const char *const operation_names[OPERATION_KINDS] = {
    "tx raw entry", "tx packet", "tx publish", "rx post", "queue frame", "service", "grant change",
    "release delivered", "stop", "event indices",
};

struct harness {
    struct simulated_grants world;
    uint8_t tx_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
    uint8_t rx_page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
    uint64_t data_frames[DATA_PAGES];
    struct packet_pool pool;
    struct netback vif;
    RING_IDX tx_prod, rx_prod;            /* the frontend's private producers */
    uint16_t rx_ids[RING_ENTRIES];        /* the id posted in each rx slot */
    grant_ref_t rx_grefs[RING_ENTRIES];   /* ... and the gref */
    bool writable[DATA_PAGES];            /* the page's grant lets dom0 write it */
    struct packet_buffer *held[HELD_MAX]; /* delivered frames */
    unsigned int held_count;
    bool was_broken;
    bool stopped;
    unsigned int step;
    const char *operation;
};

static struct harness harness;

static struct ring_shared *shared(uint8_t *page)
{
    return (struct ring_shared *)page;
}

static uint8_t *machine_bytes(uint64_t frame)
{
    return (uint8_t *)simulated_page_of(&harness.world.machine, frame);
}

/* --- the hypervisor and the bridge as netback sees them ---------------------------- */

static long copy_grants(struct gnttab_copy *copies, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        grant_table_copy(&harness.world.environment, DOM0, &copies[index]);
    return 0;
}

static void notify(struct netback *vif)
{
    (void)vif;
}

static void keep_delivered(struct netback *vif, struct packet_buffer *frame)
{
    (void)vif;
    if (frame->length < ETHERNET_HEADER_BYTES || frame->length > ETHERNET_MAX_FRAME_BYTES)
        violation("a delivered frame of %u bytes", frame->length);
    if (frame->references != 1)
        violation("a delivered frame holds %u references", frame->references);
    if (harness.held_count == HELD_MAX)
        violation("more frames delivered than the pool has");
    harness.held[harness.held_count++] = frame;
}

static const struct netback_operations operations = { copy_grants, notify, keep_delivered };

static void set_up(void)
{
    static uint8_t *pages[POOL_BUFFERS];
    static uint64_t frames[POOL_BUFFERS];
    struct netback_config config = { .frontend_domain = FRONTEND, .address = { { 0, 0x16, 0x3e, 0, 0, 1 } } };

    memset(&harness, 0, sizeof(harness));
    simulated_grants_create(&harness.world, FRAME_COUNT);
    for (uint16_t domain = DOM0; domain <= STRANGER; domain++)
        if (!simulated_grants_add_domain(&harness.world, domain))
            abort();
    for (unsigned int index = 0; index < POOL_BUFFERS; index++) {
        frames[index] = simulated_grants_give_frame(&harness.world, DOM0);
        pages[index] = machine_bytes(frames[index]);
    }
    packet_pool_init(&harness.pool, pages, frames, POOL_BUFFERS);
    for (unsigned int index = 0; index < DATA_PAGES; index++) {
        harness.writable[index] = true;
        harness.data_frames[index] = simulated_grants_give_frame(&harness.world, FRONTEND);
        simulated_grants_permit(&harness.world, FRONTEND, FIRST_GREF + index, DOM0, harness.data_frames[index],
                                false);
    }
    shared(harness.tx_page)->req_event = shared(harness.tx_page)->rsp_event = 1;
    shared(harness.rx_page)->req_event = shared(harness.rx_page)->rsp_event = 1;
    netback_init(&harness.vif, &operations, &config, &harness.pool, NULL);
    netback_attach(&harness.vif, harness.tx_page, harness.rx_page);
}

static void let_go(void)
{
    netback_stop(&harness.vif);
    for (unsigned int index = 0; index < harness.held_count; index++)
        packet_buffer_put(&harness.pool, harness.held[index]);
    if (harness.pool.free_count != harness.pool.count)
        violation("%u of %u buffers came back at the end", harness.pool.free_count, harness.pool.count);
    simulated_grants_destroy(&harness.world);
}

/* --- the hostile frontend ------------------------------------------------------------- */

static grant_ref_t some_gref(struct fuzz_input *input)
{
    uint8_t byte = fuzz_input_byte(input);

    return byte < 240 ? FIRST_GREF + byte % DATA_PAGES : (grant_ref_t)fuzz_input_bytes(input, 4);
}

static void put_tx_entry(const void *entry)
{
    memcpy(harness.tx_page + RING_ENTRIES_OFFSET + (harness.tx_prod % RING_ENTRIES) * sizeof(union netif_tx_sring_entry),
           entry, sizeof(union netif_tx_sring_entry));
    harness.tx_prod++;
}

static void tx_raw(struct fuzz_input *input)
{
    uint8_t entry[sizeof(union netif_tx_sring_entry)];

    for (unsigned int index = 0; index < sizeof(entry); index++)
        entry[index] = fuzz_input_byte(input);
    if (entry[0] & 1) /* mostly grefs that exist */
        ((struct netif_tx_request *)entry)->gref = FIRST_GREF + entry[1] % DATA_PAGES;
    put_tx_entry(entry);
}

#define UDP_HEADERS (ETHERNET_HEADER_BYTES + 20 + 8)

static void put_be16(uint8_t *at, uint32_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
}

/* Ethernet, IPv4 and UDP headers for a frame of length bytes, so that a blank checksum may be filled. */
static void write_udp_headers(uint8_t *frame, uint16_t length)
{
    uint8_t *ip = frame + ETHERNET_HEADER_BYTES;

    put_be16(frame + 12, ETHERTYPE_IPV4);
    ip[0] = 0x45;
    ip[6] = ip[7] = 0;
    put_be16(ip + 2, (uint32_t)length - ETHERNET_HEADER_BYTES);
    ip[9] = IP_PROTOCOL_UDP;
    put_be16(ip + 24, (uint32_t)length - ETHERNET_HEADER_BYTES - 20);
}

/* A packet of one to three slots that add up, its bytes written to the slots' pages, published. */
static void tx_packet(struct fuzz_input *input)
{
    unsigned int slots = 1 + fuzz_input_byte(input) % 3;
    uint16_t length = (uint16_t)(ETHERNET_HEADER_BYTES + fuzz_input_bytes(input, 2) % 1600);
    uint16_t flags = fuzz_input_byte(input) & (NETTXF_csum_blank | NETTXF_data_validated);
    uint8_t seed = fuzz_input_byte(input);
    uint16_t left = length;

    for (unsigned int slot = 0; slot < slots; slot++) {
        unsigned int page = fuzz_input_byte(input) % DATA_PAGES;
        uint16_t piece = slot + 1 == slots ? left : (uint16_t)(left / (slots - slot));
        uint16_t offset = (uint16_t)(fuzz_input_bytes(input, 2) % (PAGE_BYTES - piece + 1));
        struct netif_tx_request request = {
            .gref = FIRST_GREF + page,
            .offset = offset,
            .flags = (uint16_t)((slot == 0 ? flags : 0) | (slot + 1 < slots ? NETTXF_more_data : 0)),
            .id = (uint16_t)fuzz_input_bytes(input, 2),
            .size = slot == 0 ? length : piece,
        };
        uint8_t *bytes = machine_bytes(harness.data_frames[page]) + offset;

        for (uint16_t index = 0; index < piece; index++)
            bytes[index] = (uint8_t)(seed + index * 7);
        if (slot == 0 && piece >= UDP_HEADERS && (fuzz_input_byte(input) & 1))
            write_udp_headers(bytes, length);
        put_tx_entry(&request);
        left = (uint16_t)(left - piece);
    }
    shared(harness.tx_page)->req_prod = harness.tx_prod; /* as a frontend keeping the protocol pushes it */
}

static void tx_publish(struct fuzz_input *input)
{
    uint8_t byte = fuzz_input_byte(input);

    if (byte < 224)
        shared(harness.tx_page)->req_prod = harness.tx_prod;
    else
        shared(harness.tx_page)->req_prod = harness.tx_prod + (RING_IDX)fuzz_input_bytes(input, 4);
}

static void rx_post(struct fuzz_input *input)
{
    struct netif_rx_request request = { .id = (uint16_t)fuzz_input_bytes(input, 2), .gref = some_gref(input) };
    unsigned int slot = harness.rx_prod % RING_ENTRIES;

    memcpy(harness.rx_page + RING_ENTRIES_OFFSET + slot * sizeof(union netif_rx_sring_entry), &request,
           sizeof(request));
    harness.rx_ids[slot] = request.id;
    harness.rx_grefs[slot] = request.gref;
    harness.rx_prod++;
    if (fuzz_input_byte(input) < 240)
        shared(harness.rx_page)->req_prod = harness.rx_prod;
    else
        shared(harness.rx_page)->req_prod = harness.rx_prod + fuzz_input_byte(input) * 4u;
}

static void change_grant(struct fuzz_input *input)
{
    unsigned int page = fuzz_input_byte(input) % DATA_PAGES;
    grant_ref_t ref = FIRST_GREF + page;
    uint8_t how = fuzz_input_byte(input) % 4;

    harness.writable[page] = how == 0;
    if (how == 3) {
        simulated_grants_entry(&harness.world, FRONTEND, ref)->flags = 0;
        return;
    }
    simulated_grants_permit(&harness.world, FRONTEND, ref, how == 2 ? STRANGER : DOM0, harness.data_frames[page],
                            how == 1);
}

static void set_events(struct fuzz_input *input)
{
    uint8_t *page = fuzz_input_byte(input) & 1 ? harness.rx_page : harness.tx_page;

    shared(page)->req_event = (RING_IDX)fuzz_input_bytes(input, 4);
    shared(page)->rsp_event = (RING_IDX)fuzz_input_bytes(input, 4);
}

/* --- dom0's side ------------------------------------------------------------------------ */

static void queue_frame(struct fuzz_input *input)
{
    struct packet_buffer *frame = packet_buffer_allocate(&harness.pool);
    int result;

    if (frame == NULL)
        return;
    frame->length = ETHERNET_HEADER_BYTES + (uint32_t)(fuzz_input_bytes(input, 2) % 1505);
    frame->source_port = fuzz_input_byte(input) % PORTS;
    memset(frame->data, fuzz_input_byte(input), frame->length);
    result = netback_queue_frame(&harness.vif, frame);
    if (result != 0 && result != -XEN_ENOSPC && result != -XEN_ENOTCONN)
        violation("netback_queue_frame returned %d", result);
    packet_buffer_put(&harness.pool, frame);
}

static void release_delivered(void)
{
    for (unsigned int index = 0; index < harness.held_count; index++)
        packet_buffer_put(&harness.pool, harness.held[index]);
    harness.held_count = 0;
}

/* --- checks --------------------------------------------------------------------------- */

static void check_rx_responses(RING_IDX from, RING_IDX to)
{
    for (RING_IDX index = from; index != to; index++) {
        const struct netif_rx_response *response = (const struct netif_rx_response *)(
            harness.rx_page + RING_ENTRIES_OFFSET + (index % RING_ENTRIES) * sizeof(union netif_rx_sring_entry));

        if (response->id != harness.rx_ids[index % RING_ENTRIES])
            violation("rx response %u has id %u, its request %u", index, response->id,
                      harness.rx_ids[index % RING_ENTRIES]);
        if (response->offset != 0 || response->flags != 0)
            violation("rx response %u has offset %u, flags %#x", index, response->offset, response->flags);
        grant_ref_t gref = harness.rx_grefs[index % RING_ENTRIES];
        bool copyable = gref - FIRST_GREF < DATA_PAGES && harness.writable[gref - FIRST_GREF];

        if (response->status != NETIF_RSP_ERROR &&
            (response->status < ETHERNET_HEADER_BYTES || response->status > ETHERNET_MAX_FRAME_BYTES))
            violation("rx response %u has status %d", index, response->status);
        if ((response->status != NETIF_RSP_ERROR) != copyable)
            violation("rx response %u has status %d for gref %u, %s", index, response->status, gref,
                      copyable ? "granted writable to dom0" : "not writable by dom0");
    }
}

static void check_tx_responses(RING_IDX from, RING_IDX to)
{
    for (RING_IDX index = from; index != to; index++) {
        const struct netif_tx_response *response = (const struct netif_tx_response *)(
            harness.tx_page + RING_ENTRIES_OFFSET + (index % RING_ENTRIES) * sizeof(union netif_tx_sring_entry));

        if (response->status != NETIF_RSP_OKAY && response->status != NETIF_RSP_ERROR &&
            response->status != NETIF_RSP_NULL)
            violation("tx response %u has status %d", index, response->status);
    }
}

static void check_ring(const struct ring_back *ring, RING_IDX published_before, RING_IDX taken_before,
                       const uint8_t *page)
{
    RING_IDX published = shared((uint8_t *)page)->rsp_prod;

    if (published - published_before > ring->req_cons - published_before)
        violation("%u responses published for %u requests taken", published, ring->req_cons);
    if (published - published_before > (RING_IDX)1 << 16 || ring->req_cons - taken_before > (RING_IDX)1 << 16)
        violation("the response producer or the consumer moved back");
    if ((harness.was_broken || harness.stopped) && (published != published_before || ring->req_cons != taken_before))
        violation("a broken or stopped vif used its ring");
}

static void check_buffers(void)
{
    unsigned int per_port[PORTS] = { 0 };

    if (harness.vif.rx_queue_count > NETBACK_RX_QUEUE)
        violation("%u frames queued", harness.vif.rx_queue_count);
    for (unsigned int position = 0; position < harness.vif.rx_queue_count; position++) {
        const struct packet_buffer *frame =
            harness.vif.rx_queue[(harness.vif.rx_queue_head + position) % NETBACK_RX_QUEUE];

        if (++per_port[frame->source_port] > NETBACK_RX_QUEUE_PER_SOURCE)
            violation("more than its share of the queue from port %u", frame->source_port);
        if (frame->references != 1)
            violation("a queued frame holds %u references", frame->references);
    }
    if (harness.pool.free_count + harness.vif.rx_queue_count + harness.held_count != harness.pool.count)
        violation("%u free + %u queued + %u delivered buffers of %u", harness.pool.free_count,
                  harness.vif.rx_queue_count, harness.held_count, harness.pool.count);
}

static void service(void)
{
    RING_IDX tx_published = shared(harness.tx_page)->rsp_prod, rx_published = shared(harness.rx_page)->rsp_prod;
    RING_IDX tx_taken = harness.vif.tx.req_cons, rx_taken = harness.vif.rx.req_cons;

    work_meter_reset();
    netback_service(&harness.vif);
    if (work_meter_blocks() > WORK_BOUND)
        violation("a pass took %lu basic blocks", (unsigned long)work_meter_blocks());
    check_ring(&harness.vif.tx, tx_published, tx_taken, harness.tx_page);
    check_ring(&harness.vif.rx, rx_published, rx_taken, harness.rx_page);
    check_tx_responses(tx_published, shared(harness.tx_page)->rsp_prod);
    check_rx_responses(rx_published, shared(harness.rx_page)->rsp_prod);
    if (harness.was_broken && !netback_broken(&harness.vif))
        violation("a broken vif mended");
    harness.was_broken = netback_broken(&harness.vif);
}

/* How often each kind comes: packets, posts and passes most. */
static const enum operation_kind kind_table[] = {
    OPERATION_TX_RAW, OPERATION_TX_PACKET, OPERATION_TX_PACKET, OPERATION_TX_PACKET, OPERATION_TX_PUBLISH,
    OPERATION_RX_POST, OPERATION_RX_POST, OPERATION_QUEUE_FRAME, OPERATION_QUEUE_FRAME, OPERATION_SERVICE,
    OPERATION_SERVICE, OPERATION_SERVICE, OPERATION_GRANT, OPERATION_RELEASE, OPERATION_STOP, OPERATION_EVENTS,
};

static void run_operation(struct fuzz_input *input)
{
    uint8_t byte = fuzz_input_byte(input);
    enum operation_kind kind = kind_table[byte % (sizeof(kind_table) / sizeof(kind_table[0]))];

    harness.operation = operation_names[kind];
    switch (kind) {
    case OPERATION_TX_RAW:
        tx_raw(input);
        break;
    case OPERATION_TX_PACKET:
        tx_packet(input);
        break;
    case OPERATION_TX_PUBLISH:
        tx_publish(input);
        break;
    case OPERATION_RX_POST:
        rx_post(input);
        break;
    case OPERATION_QUEUE_FRAME:
        queue_frame(input);
        break;
    case OPERATION_SERVICE:
        service();
        break;
    case OPERATION_GRANT:
        change_grant(input);
        break;
    case OPERATION_RELEASE:
        release_delivered();
        break;
    case OPERATION_STOP:
        netback_stop(&harness.vif);
        harness.stopped = true;
        break;
    case OPERATION_EVENTS:
        set_events(input);
        break;
    case OPERATION_KINDS:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };

    set_up();
    for (harness.step = 1; harness.step <= MAX_STEPS && !fuzz_input_exhausted(&input); harness.step++) {
        run_operation(&input);
        check_buffers();
    }
    harness.operation = "the end";
    let_go();
    return 0;
}
