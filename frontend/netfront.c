/*
 * netfront (netfront.h): the xenbus handshake of Linux 6.1's xen-netfront
 * (xennet_create_dev, talk_to_netback, xennet_connect, netback_changed)
 * and its data path (xennet_start_xmit, xennet_tx_buf_gc,
 * xennet_alloc_rx_buffers, xennet_poll), written for our kernel.  Both
 * rings are ring/'s frontend ends (Xen's io/ring.h layout, 256 entries
 * each); every response is copied out of the shared page once and
 * checked (netfront_shadow.c) before anything in it is used.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include "grant_table.h"
#include "netfront.h"
#include "xenbus.h"
#include "xenbus_device.h"

#define ADDRESS_TEXT_SIZE 32
#define TX_ENTRY_SIZE sizeof(union netif_tx_sring_entry)
#define RX_ENTRY_SIZE sizeof(union netif_rx_sring_entry)

/* One vif's pages (a domain of ours has one): the two rings and the rx buffers. */
static uint8_t tx_ring_page[NETFRONT_PAGE_SIZE] __attribute__((aligned(NETFRONT_PAGE_SIZE)));
static uint8_t rx_ring_page[NETFRONT_PAGE_SIZE] __attribute__((aligned(NETFRONT_PAGE_SIZE)));
static uint8_t rx_buffer_pages[NETFRONT_RX_BUFFERS][NETFRONT_PAGE_SIZE] __attribute__((aligned(NETFRONT_PAGE_SIZE)));
static bool pages_taken;
static uint8_t received_frame[NETFRONT_RX_FRAME_BYTES];

static int fail(struct netfront *device, const char *step, int error)
{
    console_printf("netfront %s: %s: error %d\n", device->frontend_path, step, error);
    return error;
}

static int break_device(struct netfront *device, const char *why)
{
    if (!device->broken)
        console_printf("netfront %s: device broken: %s\n", device->frontend_path, why);
    device->broken = true;
    return -XEN_EIO;
}

static void note_device_event(evtchn_port_t port, void *context)
{
    struct netfront *device = context;

    (void)port;
    device->event_arrived = true;
}

static void notify_backend(struct netfront *device)
{
    hypercall_event_send(device->port);
    device->statistics.notifications++;
}

/* --- xenstore nodes -------------------------------------------------------------- */

static int read_backend_number(struct netfront *device, const char *node, uint64_t *value)
{
    return xenbus_device_read_number(device->backend_path, node, value);
}

static int write_frontend_state(struct netfront *device, XenbusState state)
{
    return xenbus_device_write_state(device->frontend_path, state);
}

/* Linux xen_net_read_mac: the frontend's mac node, required. */
static int read_address(struct netfront *device)
{
    char path[NETFRONT_PATH_SIZE], text[ADDRESS_TEXT_SIZE];
    int result;

    xenbus_device_node_path(path, device->frontend_path, "mac");
    result = xenbus_read(XENBUS_NO_TRANSACTION, path, text, sizeof(text));
    if (result < 0)
        return result;
    return netfront_parse_address(text, device->address);
}

int netfront_await_backend(struct netfront *device, XenbusState wanted, uint64_t deadline_ns)
{
    return xenbus_device_await_backend("netfront", device->frontend_path, device->backend_path, wanted,
                                       deadline_ns);
}

/* --- the rings and the event channel ------------------------------------------------ */

/* The vif's pages (never given back: the backend may copy into them until
 * it has closed), the rings initialised and granted to the backend. */
static int set_up_rings(struct netfront *device)
{
    int result;

    if (pages_taken)
        return -XEN_ENOMEM;
    pages_taken = true;
    device->tx_shared = (struct netif_tx_sring *)tx_ring_page;
    device->rx_shared = (struct netif_rx_sring *)rx_ring_page;
    device->rx_pages = rx_buffer_pages;
    for (unsigned int page = 0; page < NETFRONT_RX_BUFFERS; page++)
        device->rx_free_pages[page] = (uint16_t)page;
    device->rx_free_page_count = NETFRONT_RX_BUFFERS;
    memset(tx_ring_page, 0, sizeof(tx_ring_page));
    memset(rx_ring_page, 0, sizeof(rx_ring_page));
    ring_front_init(&device->tx, device->tx_shared, NETFRONT_PAGE_SIZE, TX_ENTRY_SIZE);
    ring_front_init(&device->rx, device->rx_shared, NETFRONT_PAGE_SIZE, RX_ENTRY_SIZE);
    netfront_tx_shadow_init(&device->tx_shadow);
    netfront_rx_shadow_init(&device->rx_shadow);
    if ((result = grant_table_grant_page(device->backend_id, tx_ring_page, false, &device->tx_ring_ref)) != 0)
        return result;
    return grant_table_grant_page(device->backend_id, rx_ring_page, false, &device->rx_ring_ref);
}

static int set_up_event_channel(struct netfront *device)
{
    return xenbus_device_alloc_event_channel(device->backend_id, &device->port, note_device_event, device);
}

static int write_node(struct netfront *device, uint32_t transaction, const char *node, uint64_t value)
{
    return xenbus_device_write_number(transaction, device->frontend_path, node, value);
}

static int write_ring_nodes(void *context, uint32_t transaction)
{
    struct netfront *device = context;
    int result;

    if ((result = write_node(device, transaction, "tx-ring-ref", device->tx_ring_ref)) != 0 ||
        (result = write_node(device, transaction, "rx-ring-ref", device->rx_ring_ref)) != 0 ||
        (result = write_node(device, transaction, "event-channel", device->port)) != 0 ||
        (result = write_node(device, transaction, "request-rx-copy", 1)) != 0 ||
        (result = write_node(device, transaction, "feature-rx-notify", 1)) != 0)
        return result;
    return write_node(device, transaction, "feature-sg", 1);
}

/* Linux talk_to_netback: the nodes in one transaction, run again on EAGAIN. */
static int publish_rings(struct netfront *device)
{
    return xenbus_device_publish(write_ring_nodes, device);
}

/* Linux xennet_connect: feature-rx-copy is required; feature-sg is read. */
static int read_backend_features(struct netfront *device)
{
    uint64_t rx_copy = 0, sg = 0;

    if (read_backend_number(device, "feature-rx-copy", &rx_copy) != 0 || rx_copy == 0)
        return -XEN_ENODEV;
    device->backend_sg = read_backend_number(device, "feature-sg", &sg) == 0 && sg == 1;
    return 0;
}

/* --- receive buffers ---------------------------------------------------------------- */

/* Linux xennet_alloc_rx_buffers: a zeroed page granted writable in free rx slots, up to the target. */
static int refill_rx_ring(struct netfront *device)
{
    bool posted = false;

    while (device->rx_shadow.posted_count < device->rx_target && device->rx_free_page_count > 0 &&
           ring_front_free_requests(&device->rx) > 0) {
        RING_IDX index = device->rx.req_prod_pvt;
        uint16_t id = netfront_rx_id(index), page = device->rx_free_pages[device->rx_free_page_count - 1];
        struct netif_rx_request request = { .id = id };
        int result;

        memset(device->rx_pages[page], 0, NETFRONT_PAGE_SIZE);
        if ((result = grant_table_grant_page(device->backend_id, device->rx_pages[page], false, &request.gref)) != 0)
            return result;
        if (netfront_rx_shadow_post(&device->rx_shadow, index, request.gref) != 0) {
            grant_table_end_access(request.gref);
            return break_device(device, "an rx slot still holds a buffer");
        }
        device->rx_free_page_count--;
        device->rx_slot_page[id] = page;
        ring_front_put_request(&device->rx, &request, sizeof(request));
        posted = true;
    }
    if (posted && ring_front_push_requests(&device->rx))
        notify_backend(device);
    return 0;
}

int netfront_post_raw_rx(struct netfront *device, const struct netif_rx_request *request)
{
    if (device->broken)
        return -XEN_EIO;
    if (ring_front_free_requests(&device->rx) == 0 ||
        netfront_rx_shadow_post(&device->rx_shadow, device->rx.req_prod_pvt, NETFRONT_NO_GRANT) != 0)
        return -XEN_EBUSY;
    ring_front_put_request(&device->rx, request, sizeof(*request));
    if (ring_front_push_requests(&device->rx))
        notify_backend(device);
    return 0;
}

/* --- the handshake ------------------------------------------------------------------- */

static int handshake(struct netfront *device, uint64_t deadline_ns)
{
    int result;

    if ((result = write_frontend_state(device, XenbusStateInitialising)) != 0)
        return fail(device, "writing state Initialising", result);
    if ((result = netfront_await_backend(device, XenbusStateInitWait, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's InitWait", result);
    if ((result = read_backend_features(device)) != 0)
        return fail(device, "the backend offers no feature-rx-copy", result);
    if ((result = set_up_rings(device)) != 0)
        return fail(device, "granting the ring pages", result);
    if ((result = set_up_event_channel(device)) != 0)
        return fail(device, "allocating the event channel", result);
    if ((result = publish_rings(device)) != 0)
        return fail(device, "writing the ring references, event-channel and features", result);
    if ((result = refill_rx_ring(device)) != 0)
        return fail(device, "posting the rx buffers", result);
    if ((result = write_frontend_state(device, XenbusStateConnected)) != 0)
        return fail(device, "writing state Connected", result);
    if ((result = netfront_await_backend(device, XenbusStateConnected, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's Connected", result);
    return 0;
}

int netfront_locate(struct netfront *device, const char *vif)
{
    int result;

    memset(device, 0, sizeof(*device));
    format_string(device->frontend_path, sizeof(device->frontend_path), "device/vif");
    if ((result = xenbus_init()) != 0)
        return fail(device, "finding the xenstore ring", result);
    if ((result = xenbus_device_choose(device->frontend_path, "vif", vif)) != 0)
        return fail(device, "finding the vif", result);
    if ((result = xenbus_device_read_backend(device->frontend_path, device->backend_path, &device->backend_id)) != 0)
        return fail(device, "reading backend and backend-id", result);
    if ((result = read_address(device)) != 0)
        return fail(device, "reading mac", result);
    return 0;
}

int netfront_connect(struct netfront *device, const char *vif, unsigned int rx_buffers, uint64_t deadline_ns)
{
    const uint8_t *mac = device->address;
    int result;

    if ((result = netfront_locate(device, vif)) != 0)
        return result;
    netfront_set_rx_buffers(device, rx_buffers);
    if ((result = grant_table_init()) != 0)
        return fail(device, "setting up the grant table", result);
    if ((result = handshake(device, deadline_ns)) != 0)
        return result;
    console_printf("netfront %s: connected to %s (domain %u): mac %02x:%02x:%02x:%02x:%02x:%02x, sg %s, "
                   "event channel %u, tx-ring-ref %u, rx-ring-ref %u, %u rx buffers\n",
                   device->frontend_path, device->backend_path, device->backend_id, mac[0], mac[1], mac[2], mac[3],
                   mac[4], mac[5], device->backend_sg ? "yes" : "no", device->port, device->tx_ring_ref,
                   device->rx_ring_ref, device->rx_shadow.posted_count);
    return 0;
}

void netfront_set_rx_buffers(struct netfront *device, unsigned int rx_buffers)
{
    device->rx_target = rx_buffers < NETFRONT_RX_BUFFERS ? rx_buffers : NETFRONT_RX_BUFFERS;
}

/* --- transmit ------------------------------------------------------------------------ */

static void push_tx_and_notify(struct netfront *device)
{
    if (ring_front_push_requests(&device->tx))
        notify_backend(device);
}

/* Takes an id for request (a data slot) and puts it on the ring. */
static int put_data_slot(struct netfront *device, struct netif_tx_request *request, grant_ref_t gref,
                         struct netfront_transmission *transmission)
{
    if (netfront_tx_shadow_take(&device->tx_shadow, transmission, gref, &request->id) != 0)
        return -XEN_EBUSY;
    request->gref = gref == NETFRONT_NO_GRANT ? request->gref : gref;
    ring_front_put_request(&device->tx, request, sizeof(*request));
    transmission->slots_outstanding++;
    device->statistics.tx_slots++;
    return 0;
}

static void start_transmission(struct netfront_transmission *transmission)
{
    transmission->slots_outstanding = 0;
    transmission->done = false;
    transmission->status = NETIF_RSP_OKAY;
}

int netfront_transmit(struct netfront *device, struct netfront_transmission *transmission)
{
    struct netfront_tx_piece pieces[NETFRONT_MAX_TX_SLOTS];
    struct netif_tx_request requests[NETFRONT_MAX_TX_SLOTS];
    grant_ref_t grefs[NETFRONT_MAX_TX_SLOTS];
    unsigned int count;
    int result;

    if (device->broken)
        return -XEN_EIO;
    if (transmission->fragment_count > NETFRONT_MAX_TX_SLOTS ||
        netfront_plan_transmission(transmission->fragments, transmission->fragment_count, pieces, &count) != 0 ||
        (count > 1 && !device->backend_sg))
        return -XEN_EINVAL;
    if (ring_front_free_requests(&device->tx) < count || device->tx_shadow.free_count < count)
        return -XEN_EBUSY;
    for (unsigned int index = 0; index < count; index++)
        if ((result = grant_table_grant_page(device->backend_id, (const void *)pieces[index].page_address, true,
                                             &grefs[index])) != 0) {
            while (index-- > 0)
                grant_table_end_access(grefs[index]);
            return result;
        }
    netfront_tx_requests(pieces, count, requests);
    start_transmission(transmission);
    for (unsigned int index = 0; index < count; index++)
        if (put_data_slot(device, &requests[index], grefs[index], transmission) != 0)
            return break_device(device, "tx ids ran out after they were counted");
    device->statistics.tx_frames++;
    device->statistics.tx_bytes += requests[0].size;
    push_tx_and_notify(device);
    return 0;
}

int netfront_transmit_raw(struct netfront *device, const union netfront_tx_slot *slots, const bool *extra,
                          unsigned int count, struct netfront_transmission *completion)
{
    unsigned int data_slots = 0;

    if (device->broken)
        return -XEN_EIO;
    for (unsigned int index = 0; index < count; index++)
        data_slots += !extra[index];
    if (ring_front_free_requests(&device->tx) < count || device->tx_shadow.free_count < data_slots)
        return -XEN_EBUSY;
    start_transmission(completion);
    for (unsigned int index = 0; index < count; index++) {
        union netfront_tx_slot slot = slots[index];

        if (extra[index])
            ring_front_put_request(&device->tx, &slot, sizeof(slot));
        else if (put_data_slot(device, &slot.request, NETFRONT_NO_GRANT, completion) != 0)
            return break_device(device, "tx ids ran out after they were counted");
    }
    completion->done = completion->slots_outstanding == 0;
    push_tx_and_notify(device);
    return 0;
}

/* Linux xennet_tx_buf_gc, for one response (copied out of the ring). */
static int complete_tx_response(struct netfront *device, const struct netif_tx_response *response)
{
    struct netfront_transmission *transmission;
    struct netfront_tx_entry entry;
    const char *problem;

    if (netfront_tx_response_is_null(response))
        return 0;
    if ((problem = netfront_tx_response_problem(&device->tx_shadow, response)) != NULL)
        return break_device(device, problem);
    entry = netfront_tx_shadow_complete(&device->tx_shadow, response->id);
    if (entry.gref != NETFRONT_NO_GRANT && grant_table_end_access(entry.gref) != 0)
        return break_device(device, "the backend has not released a tx grant it answered for");
    transmission = entry.owner;
    if (response->status != NETIF_RSP_OKAY && transmission->status == NETIF_RSP_OKAY) {
        transmission->status = response->status;
        device->statistics.tx_errors++;
    }
    if (--transmission->slots_outstanding == 0)
        transmission->done = true;
    return 0;
}

int netfront_complete_transmissions(struct netfront *device)
{
    union netif_tx_sring_entry entry;
    int completed = 0;

    if (device->broken)
        return -XEN_EIO;
    do {
        RING_IDX available = ring_front_poll_responses(&device->tx);

        if (device->tx.broken)
            return break_device(device, "the tx response producer runs beyond the requests");
        for (RING_IDX count = 0; count < available; count++) {
            if (!ring_front_take_response(&device->tx, &entry))
                return break_device(device, "a tx response shown could not be taken");
            if (complete_tx_response(device, &entry.rsp) != 0)
                return -XEN_EIO;
            completed++;
        }
    } while (ring_front_final_check_for_responses(&device->tx));
    if (device->tx.broken)
        return break_device(device, "the tx response producer runs beyond the requests");
    return completed;
}

/* --- receive ------------------------------------------------------------------------- */

/* Takes back the buffer of rx slot index: its grant ended, its page free
 * again (a page whose grant the backend still holds is never used again).
 * 0, or -XEN_EBUSY for a grant still held. */
static int take_back_buffer(struct netfront *device, RING_IDX index)
{
    struct netfront_rx_buffer buffer = netfront_rx_shadow_take(&device->rx_shadow, index);

    if (!buffer.posted || buffer.gref == NETFRONT_NO_GRANT)
        return 0;
    if (grant_table_end_access(buffer.gref) != 0)
        return -XEN_EBUSY;
    device->rx_free_pages[device->rx_free_page_count++] = device->rx_slot_page[netfront_rx_id(index)];
    return 0;
}

/* Takes the buffers of a decided packet's slots back (Linux: "Grant still
 * in use by backend domain" breaks the device).  Their pages are reused
 * only by the next refill, after the packet's data has been read. */
static int take_back_buffers(struct netfront *device, const struct netfront_rx_packet *packet)
{
    int result = 0;

    for (unsigned int slot = 0; slot < packet->slot_count; slot++)
        if (take_back_buffer(device, packet->first_index + slot) != 0)
            result = break_device(device, "the backend has not released an rx grant it answered for");
    device->statistics.rx_slots += packet->slot_count;
    return result;
}

static uint32_t assemble(struct netfront *device, const struct netfront_rx_packet *packet)
{
    uint32_t length = 0;

    for (unsigned int index = 0; index < packet->segment_count; index++) {
        const struct netfront_rx_segment *segment = &packet->segments[index];

        memcpy(received_frame + length,
               device->rx_pages[device->rx_slot_page[netfront_rx_id(segment->index)]] + segment->offset,
               segment->length);
        length += segment->length;
    }
    return length;
}

/* One packet's responses, each copied out of the ring once, as far as available allows. */
static enum netfront_rx_verdict take_packet(struct netfront *device, struct netfront_rx_packet *packet,
                                            RING_IDX available)
{
    enum netfront_rx_verdict verdict = NETFRONT_RX_NEED_MORE;
    union netfront_rx_slot slot;

    netfront_rx_packet_start(packet, device->rx.rsp_cons);
    while (verdict == NETFRONT_RX_NEED_MORE) {
        if (packet->slot_count == available)
            return netfront_rx_packet_truncated(packet);
        ring_front_take_response(&device->rx, &slot);
        verdict = netfront_rx_packet_add(packet, &device->rx_shadow, &slot);
    }
    return verdict;
}

static int receive_packet(struct netfront *device, RING_IDX available, netfront_deliver deliver, void *context)
{
    struct netfront_rx_packet packet;
    enum netfront_rx_verdict verdict = take_packet(device, &packet, available);

    if (take_back_buffers(device, &packet) != 0)
        return -XEN_EIO;
    if (verdict != NETFRONT_RX_COMPLETE) {
        device->statistics.rx_errors++;
        return (int)packet.slot_count;
    }
    if (packet.length > NETFRONT_RX_FRAME_BYTES) {
        device->statistics.rx_too_long++;
        return (int)packet.slot_count;
    }
    device->statistics.rx_frames++;
    device->statistics.rx_bytes += packet.length;
    deliver(context, received_frame, assemble(device, &packet));
    return (int)packet.slot_count;
}

int netfront_receive(struct netfront *device, unsigned int budget, netfront_deliver deliver, void *context)
{
    unsigned int handed = 0;

    if (device->broken)
        return -XEN_EIO;
    do {
        RING_IDX available = ring_front_poll_responses(&device->rx);

        if (device->rx.broken)
            return break_device(device, "the rx response producer runs beyond the requests");
        while (available > 0 && handed < budget) {
            int slots = receive_packet(device, available, deliver, context);

            if (slots < 0)
                return slots;
            available -= (RING_IDX)slots;
            handed++;
        }
        if (refill_rx_ring(device) != 0)
            return -XEN_EIO;
    } while (handed < budget && ring_front_final_check_for_responses(&device->rx));
    if (device->rx.broken)
        return break_device(device, "the rx response producer runs beyond the requests");
    return (int)handed;
}

/* --- waiting and closing ---------------------------------------------------------------- */

void netfront_wait(struct netfront *device, uint64_t deadline_ns)
{
    wait_for_flag_until(&device->event_arrived, deadline_ns);
}

static void drop_frame(void *context, const uint8_t *frame, uint32_t length)
{
    (void)context;
    (void)frame;
    (void)length;
}

int netfront_wait_for(struct netfront *device, struct netfront_transmission *transmission, uint64_t deadline_ns)
{
    int result;

    for (;;) {
        device->event_arrived = false;
        if ((result = netfront_complete_transmissions(device)) < 0)
            return result;
        if (transmission->done)
            return 0;
        if ((result = netfront_receive(device, NETFRONT_RX_RING_SIZE, drop_frame, NULL)) < 0)
            return result;
        if (system_time_ns() >= deadline_ns)
            return -XEN_ETIMEDOUT;
        netfront_wait(device, deadline_ns);
    }
}

int netfront_backend_state(struct netfront *device, uint64_t *state)
{
    return read_backend_number(device, "state", state);
}

unsigned int netfront_tx_in_flight(const struct netfront *device)
{
    return netfront_tx_shadow_in_flight(&device->tx_shadow);
}

unsigned int netfront_rx_posted(const struct netfront *device)
{
    return device->rx_shadow.posted_count;
}

/* The buffers still posted, their grants ended once the backend is closed. */
static int end_buffer_grants(struct netfront *device)
{
    int result = 0;

    for (unsigned int id = 0; id < NETFRONT_RX_RING_SIZE; id++)
        if (take_back_buffer(device, id) != 0)
            result = -XEN_EBUSY;
    for (unsigned int id = 0; id < NETFRONT_TX_RING_SIZE; id++) {
        struct netfront_tx_entry *entry = &device->tx_shadow.entries[id];

        if (entry->pending && entry->gref != NETFRONT_NO_GRANT && grant_table_end_access(entry->gref) != 0)
            result = -XEN_EBUSY;
        entry->pending = false;
    }
    return result;
}

/* Linux's frontend close (xenbus_frontend_closed): Closing, the backend's
 * Closing, Closed, the backend's Closed (it has let go of the rings by
 * then), and only then the grants are ended. */
int netfront_close(struct netfront *device, uint64_t deadline_ns)
{
    int result;

    device->rx_target = 0;
    if ((result = write_frontend_state(device, XenbusStateClosing)) != 0)
        return fail(device, "writing state Closing", result);
    if ((result = netfront_await_backend(device, XenbusStateClosing, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's Closing", result);
    events_detach(device->port);
    if ((result = write_frontend_state(device, XenbusStateClosed)) != 0)
        return fail(device, "writing state Closed", result);
    if ((result = netfront_await_backend(device, XenbusStateClosed, deadline_ns)) != 0)
        return fail(device, "waiting for the backend's Closed", result);
    if ((result = grant_table_end_access(device->tx_ring_ref)) != 0 ||
        (result = grant_table_end_access(device->rx_ring_ref)) != 0)
        return fail(device, "ending the ring pages' grants", result);
    if ((result = end_buffer_grants(device)) != 0)
        return fail(device, "ending the buffers' grants", result);
    return 0;
}
