/*
 * One vif's service (see netback.h).  Transmit: tx ring → private copy
 * of each slot → netif_packet's verdict → GNTTABOP_copy of the packet's
 * segments into one packet buffer → the checksum filled if left blank →
 * one response per slot → deliver.  Receive: a queued frame → one rx
 * request → GNTTABOP_copy into its grant → the response in that
 * request's slot.  Pure; the hypervisor and the bridge only through
 * struct netback_operations.
 *
 * Linux 6.1's xen-netback is the reference for the protocol's rules
 * (drivers/net/xen-netback/netback.c: xenvif_tx_build_gops,
 * make_tx_response, xenvif_fatal_tx_err; rx.c: xenvif_rx_skb, the
 * response written at req_cons); this file keeps them with copies only.
 */
#include <pvmon/errno.h>
#include "netback.h"

#define RING_PAGE_BYTES 4096

_Static_assert(sizeof(union netif_tx_slot) == sizeof(union netif_tx_sring_entry),
               "a tx slot's copy is one whole ring entry");
_Static_assert(ETHERNET_MAX_FRAME_BYTES <= PACKET_BUFFER_BYTES, "a frame fits one packet buffer");
_Static_assert(ETHERNET_MAX_FRAME_BYTES <= RING_PAGE_BYTES, "a frame fits one rx request's page");
_Static_assert(NETBACK_RX_QUEUE <= NETBACK_RX_FRAMES_PER_PASS,
               "a pass can empty the queue: the rx budget holds by construction");

void netback_init(struct netback *vif, const struct netback_operations *operations,
                  const struct netback_config *config, struct packet_pool *pool, void *context)
{
    *vif = (struct netback) { .operations = operations, .pool = pool, .config = *config, .context = context };
}

void netback_attach(struct netback *vif, void *tx_page, void *rx_page)
{
    ring_back_attach(&vif->tx, tx_page, RING_PAGE_BYTES, sizeof(union netif_tx_sring_entry), 0);
    ring_back_attach(&vif->rx, rx_page, RING_PAGE_BYTES, sizeof(union netif_rx_sring_entry), 0);
    vif->attached = true;
}

bool netback_broken(const struct netback *vif)
{
    return vif->attached && (vif->fatal || vif->tx.broken || vif->rx.broken);
}

static bool rings_usable(const struct netback *vif)
{
    return vif->attached && !vif->stopped && !netback_broken(vif);
}

/* --- the rx queue ------------------------------------------------------------ */

static struct packet_buffer *queued_frame(const struct netback *vif, unsigned int position)
{
    return vif->rx_queue[(vif->rx_queue_head + position) % NETBACK_RX_QUEUE];
}

static void dequeue_frame(struct netback *vif)
{
    packet_buffer_put(vif->pool, queued_frame(vif, 0));
    vif->rx_queue_head = (vif->rx_queue_head + 1) % NETBACK_RX_QUEUE;
    vif->rx_queue_count--;
}

static void release_queue(struct netback *vif)
{
    while (vif->rx_queue_count > 0)
        dequeue_frame(vif);
}

int netback_queue_frame(struct netback *vif, struct packet_buffer *frame)
{
    if (!rings_usable(vif))
        return -XEN_ENOTCONN;
    if (vif->rx_queue_count == NETBACK_RX_QUEUE) {
        vif->statistics.rx_dropped_queue_full++;
        return -XEN_ENOSPC;
    }
    packet_buffer_get(frame);
    vif->rx_queue[(vif->rx_queue_head + vif->rx_queue_count) % NETBACK_RX_QUEUE] = frame;
    vif->rx_queue_count++;
    return 0;
}

void netback_stop(struct netback *vif)
{
    vif->stopped = true;
    release_queue(vif);
}

/* --- grant copies ------------------------------------------------------------ */

/* Runs count copies in one GNTTABOP_copy: element i succeeded iff copies[i].status is GNTST_okay
 * (a failed hypercall fails every element). */
static void grant_copy(struct netback *vif, struct gnttab_copy *copies, unsigned int count)
{
    long result;

    for (unsigned int index = 0; index < count; index++)
        copies[index].status = GNTST_general_error;
    vif->statistics.grant_copy_calls++;
    vif->statistics.grant_copy_segments += count;
    result = vif->operations->grant_copy(copies, count);
    if (result != 0)
        for (unsigned int index = 0; index < count; index++)
            copies[index].status = GNTST_general_error;
}

/* --- transmit: guest -> dom0 ---------------------------------------------------- */

/*
 * Takes one packet's slots off the tx ring.  Its verdict; FATAL also when
 * the packet claims a slot the frontend has not published (Linux's
 * xenvif_count_requests: "Asked for %d slots but exceeds this limit").
 */
static enum netif_packet_verdict take_packet(struct netback *vif, struct netif_packet *packet)
{
    enum netif_packet_verdict verdict;
    union netif_tx_slot slot;

    netif_packet_start(packet);
    do {
        if (ring_back_poll_requests(&vif->tx) == 0)
            return NETIF_PACKET_FATAL;
        ring_back_take_request(&vif->tx, &slot);
        verdict = netif_packet_add(packet, &slot);
    } while (verdict == NETIF_PACKET_NEED_MORE);
    return verdict;
}

/* The packet's data slots, one after the other, into the frame's buffer; true if every copy succeeded. */
static bool copy_packet(struct netback *vif, const struct netif_packet *packet, struct packet_buffer *frame)
{
    struct gnttab_copy copies[NETIF_PACKET_MAX_SLOTS];
    uint32_t offset = 0;

    for (unsigned int index = 0; index < packet->segment_count; index++) {
        const struct netif_packet_segment *segment = &packet->segments[index];

        copies[index] = (struct gnttab_copy) {
            .source = { .u.ref = segment->gref, .domid = vif->config.frontend_domain, .offset = segment->offset },
            .dest = { .u.gmfn = frame->machine_frame, .domid = DOMID_SELF, .offset = (uint16_t)offset },
            .len = segment->length,
            .flags = GNTCOPY_source_gref,
        };
        offset += segment->length;
    }
    grant_copy(vif, copies, packet->segment_count);
    for (unsigned int index = 0; index < packet->segment_count; index++)
        if (copies[index].status != GNTST_okay)
            return false;
    frame->length = offset;
    return true;
}

/* A buffer holding the whole packet, its checksum filled if the frontend left it blank; NULL if it is dropped. */
static struct packet_buffer *build_frame(struct netback *vif, const struct netif_packet *packet)
{
    struct packet_buffer *frame = packet_buffer_allocate(vif->pool);

    if (frame == NULL)
        return NULL;
    if (!copy_packet(vif, packet, frame))
        goto drop;
    if (packet->checksum_blank) {
        if (ethernet_fill_transport_checksum(frame->data, frame->length) != 0)
            goto drop;
        vif->statistics.tx_checksums_filled++;
    }
    return frame;
drop:
    packet_buffer_put(vif->pool, frame);
    return NULL;
}

static void respond_to_packet(struct netback *vif, const struct netif_packet *packet, int16_t status)
{
    for (unsigned int index = 0; index < packet->slot_count; index++) {
        struct netif_tx_response response = netif_packet_response(packet, index, status);

        ring_back_put_response(&vif->tx, &response, sizeof(response));
    }
}

/* Serves the next packet on the tx ring; false if the frontend broke the protocol with it. */
static bool transmit_packet(struct netback *vif)
{
    struct netif_packet packet;
    enum netif_packet_verdict verdict = take_packet(vif, &packet);
    struct packet_buffer *frame = NULL;

    if (verdict == NETIF_PACKET_FATAL) {
        vif->fatal = true;
        return false;
    }
    if (verdict == NETIF_PACKET_COMPLETE)
        frame = build_frame(vif, &packet);
    if (frame == NULL) {
        vif->statistics.tx_dropped++;
        respond_to_packet(vif, &packet, NETIF_RSP_ERROR);
        return true;
    }
    respond_to_packet(vif, &packet, NETIF_RSP_OKAY);
    vif->statistics.tx_packets++;
    vif->statistics.tx_bytes += frame->length;
    vif->operations->deliver(vif, frame);
    return true;
}

/* At most NETBACK_TX_PACKETS_PER_PASS packets; true if the ring still holds requests now. */
static bool serve_tx(struct netback *vif)
{
    for (unsigned int served = 0; served < NETBACK_TX_PACKETS_PER_PASS; served++) {
        if (ring_back_poll_requests(&vif->tx) == 0 || !transmit_packet(vif))
            return false;
    }
    return ring_back_poll_requests(&vif->tx) != 0;
}

/* --- receive: dom0 -> guest ----------------------------------------------------- */

/* The copy of a frame to offset 0 of an rx request's grant. */
static struct gnttab_copy receive_copy(const struct netback *vif, const struct packet_buffer *frame,
                                       grant_ref_t gref)
{
    return (struct gnttab_copy) {
        .source = { .u.gmfn = frame->machine_frame, .domid = DOMID_SELF, .offset = 0 },
        .dest = { .u.ref = gref, .domid = vif->config.frontend_domain, .offset = 0 },
        .len = (uint16_t)frame->length,
        .flags = GNTCOPY_dest_gref,
    };
}

/* Answers the rx request the frame went to, in that request's ring slot, and lets the frame go. */
static void respond_to_receive(struct netback *vif, const struct netif_rx_request *request, bool copied)
{
    struct packet_buffer *frame = queued_frame(vif, 0);
    struct netif_rx_response response = {
        .id = request->id,
        .offset = 0,
        .flags = 0,
        .status = copied ? (int16_t)frame->length : NETIF_RSP_ERROR,
    };

    ring_back_put_response(&vif->rx, &response, sizeof(response));
    if (copied) {
        vif->statistics.rx_packets++;
        vif->statistics.rx_bytes += frame->length;
    } else {
        vif->statistics.rx_copy_failures++;
    }
    dequeue_frame(vif);
}

/* Every queued frame (at most NETBACK_RX_QUEUE, within the pass's budget) that
 * an rx request is posted for, with one GNTTABOP_copy. */
static void serve_rx(struct netback *vif)
{
    struct gnttab_copy copies[NETBACK_RX_QUEUE];
    struct netif_rx_request requests[NETBACK_RX_QUEUE];
    unsigned int count = vif->rx_queue_count;
    RING_IDX available;

    if (count == 0)
        return;
    available = ring_back_poll_requests(&vif->rx);
    if (available < count)
        count = available;
    if (count == 0)
        return;
    for (unsigned int index = 0; index < count; index++) {
        union netif_rx_sring_entry entry;

        ring_back_take_request(&vif->rx, &entry);
        requests[index] = entry.req;
        copies[index] = receive_copy(vif, queued_frame(vif, index), entry.req.gref);
    }
    grant_copy(vif, copies, count);
    for (unsigned int index = 0; index < count; index++)
        respond_to_receive(vif, &requests[index], copies[index].status == GNTST_okay);
}

/* --- the pass --------------------------------------------------------------------- */

static void push_responses(struct netback *vif)
{
    bool notify_tx = ring_back_push_responses(&vif->tx);
    bool notify_rx = ring_back_push_responses(&vif->rx);

    if (notify_tx || notify_rx) {
        vif->statistics.notifications++;
        vif->operations->notify_frontend(vif);
    }
}

/* Before the pass ends with nothing left: asks for the frontend's next tx
 * request, and for its next rx request if frames wait for one, then looks
 * again.  true if something arrived meanwhile. */
static bool final_check(struct netback *vif)
{
    bool more = ring_back_final_check_for_requests(&vif->tx);

    if (vif->rx_queue_count > 0 && ring_back_final_check_for_requests(&vif->rx))
        more = true;
    return more;
}

bool netback_service(struct netback *vif)
{
    bool more;

    if (!rings_usable(vif))
        return false;
    more = serve_tx(vif);
    if (rings_usable(vif))
        serve_rx(vif);
    if (rings_usable(vif)) {
        push_responses(vif);
        if (!more)
            more = final_check(vif);
    }
    if (!rings_usable(vif)) {
        release_queue(vif);
        return false;
    }
    return more;
}
