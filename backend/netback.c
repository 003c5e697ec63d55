/*
 * One vif's service (see netback.h).  Transmit: tx ring → private copy
 * of each slot → netif_packet's verdict → GNTTABOP_copy of the packet's
 * segments into one packet buffer (up to 8 packets a call) → the checksum
 * filled if left blank → one response per slot → deliver.  Receive: a queued frame → one rx
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

/* Frames on the queue that came in on port. */
static unsigned int queued_from(const struct netback *vif, uint16_t port)
{
    unsigned int count = 0;

    for (unsigned int position = 0; position < vif->rx_queue_count; position++)
        if (queued_frame(vif, position)->source_port == port)
            count++;
    return count;
}

int netback_queue_frame(struct netback *vif, struct packet_buffer *frame)
{
    if (!rings_usable(vif))
        return -XEN_ENOTCONN;
    if (vif->rx_queue_count == NETBACK_RX_QUEUE ||
        queued_from(vif, frame->source_port) == NETBACK_RX_QUEUE_PER_SOURCE) {
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

/*
 * A batch of packets taken off the tx ring, copied with one GNTTABOP_copy
 * (Linux's netback batches its tx copies the same way), then answered
 * and delivered in the order they were taken.
 */
#define TX_BATCH_PACKETS 8
#define TX_BATCH_COPIES (4 * NETIF_PACKET_MAX_SLOTS)

struct tx_entry {
    struct netif_packet packet;
    enum netif_packet_verdict verdict;
    struct packet_buffer *frame; /* NULL: dropped before the copy */
    unsigned int first_copy;
};

struct tx_batch {
    unsigned int packet_count;
    unsigned int copy_count;
    struct tx_entry entries[TX_BATCH_PACKETS];
    struct gnttab_copy copies[TX_BATCH_COPIES];
};

/* Room for another packet of the largest size. */
static bool batch_has_room(const struct tx_batch *batch)
{
    return batch->packet_count < TX_BATCH_PACKETS && batch->copy_count + NETIF_PACKET_MAX_SLOTS <= TX_BATCH_COPIES;
}

/* The packet's data slots, one after the other, into its frame's buffer. */
static void add_copies(const struct netback *vif, struct tx_batch *batch, struct tx_entry *entry)
{
    uint32_t offset = 0;

    entry->first_copy = batch->copy_count;
    for (unsigned int index = 0; index < entry->packet.segment_count; index++) {
        const struct netif_packet_segment *segment = &entry->packet.segments[index];

        batch->copies[batch->copy_count++] = (struct gnttab_copy) {
            .source = { .u.ref = segment->gref, .domid = vif->config.frontend_domain, .offset = segment->offset },
            .dest = { .u.gmfn = entry->frame->machine_frame, .domid = DOMID_SELF, .offset = (uint16_t)offset },
            .len = segment->length,
            .flags = GNTCOPY_source_gref,
        };
        offset += segment->length;
    }
    entry->frame->length = offset;
}

/* Takes the next packet into the batch; false if the frontend broke the protocol with it (not added). */
static bool take_into_batch(struct netback *vif, struct tx_batch *batch)
{
    struct tx_entry *entry = &batch->entries[batch->packet_count];

    entry->verdict = take_packet(vif, &entry->packet);
    if (entry->verdict == NETIF_PACKET_FATAL)
        return false;
    entry->frame = NULL;
    if (entry->verdict == NETIF_PACKET_COMPLETE && (entry->frame = packet_buffer_allocate(vif->pool)) != NULL)
        add_copies(vif, batch, entry);
    batch->packet_count++;
    return true;
}

static bool copies_succeeded(const struct tx_batch *batch, const struct tx_entry *entry)
{
    for (unsigned int index = 0; index < entry->packet.segment_count; index++)
        if (batch->copies[entry->first_copy + index].status != GNTST_okay)
            return false;
    return true;
}

/* The copied frame is fit to leave: its checksum filled if the frontend left it blank. */
static bool frame_ready(struct netback *vif, const struct tx_batch *batch, const struct tx_entry *entry)
{
    if (!copies_succeeded(batch, entry))
        return false;
    if (!entry->packet.checksum_blank)
        return true;
    if (ethernet_fill_transport_checksum(entry->frame->data, entry->frame->length) != 0)
        return false;
    vif->statistics.tx_checksums_filled++;
    return true;
}

static void respond_to_packet(struct netback *vif, const struct netif_packet *packet, int16_t status)
{
    for (unsigned int index = 0; index < packet->slot_count; index++) {
        struct netif_tx_response response = netif_packet_response(packet, index, status);

        ring_back_put_response(&vif->tx, &response, sizeof(response));
    }
}

/* Answers one packet of a copied batch, every slot, and delivers its frame or drops it. */
static void finish_packet(struct netback *vif, const struct tx_batch *batch, const struct tx_entry *entry)
{
    if (entry->frame == NULL || !frame_ready(vif, batch, entry)) {
        if (entry->frame != NULL)
            packet_buffer_put(vif->pool, entry->frame);
        vif->statistics.tx_dropped++;
        respond_to_packet(vif, &entry->packet, NETIF_RSP_ERROR);
        return;
    }
    respond_to_packet(vif, &entry->packet, NETIF_RSP_OKAY);
    vif->statistics.tx_packets++;
    vif->statistics.tx_bytes += entry->frame->length;
    vif->operations->deliver(vif, entry->frame);
}

static void finish_batch(struct netback *vif, struct tx_batch *batch)
{
    if (batch->copy_count > 0)
        grant_copy(vif, batch->copies, batch->copy_count);
    for (unsigned int index = 0; index < batch->packet_count; index++)
        finish_packet(vif, batch, &batch->entries[index]);
}

/*
 * At most NETBACK_TX_PACKETS_PER_PASS packets, in batches; true if the
 * ring still holds requests now.  A packet that breaks the protocol
 * disables the vif once the packets taken before it are answered.
 */
static bool serve_tx(struct netback *vif)
{
    unsigned int served = 0;
    struct tx_batch batch;

    while (served < NETBACK_TX_PACKETS_PER_PASS && ring_back_poll_requests(&vif->tx) != 0) {
        bool fatal = false;

        batch.packet_count = batch.copy_count = 0;
        while (!fatal && served < NETBACK_TX_PACKETS_PER_PASS && batch_has_room(&batch) &&
               ring_back_poll_requests(&vif->tx) != 0) {
            fatal = !take_into_batch(vif, &batch);
            served++;
        }
        finish_batch(vif, &batch);
        if (fatal) {
            vif->fatal = true;
            return false;
        }
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
