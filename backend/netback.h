/*
 * netback: dom0's service of one vif, the backend half of Xen's split
 * network device (xen/io/netif.h), the job of Linux's xen-netback.  Its
 * two rings are the frontend's: tx carries the guest's frames to dom0,
 * rx carries the buffers the guest posts for dom0 to fill.  Frames move
 * only by GNTTABOP_copy, between the frontend's grants and dom0's packet
 * buffers (packet_buffer.h): the frontend's pages are never mapped.
 * Where a frame goes once it is out of a vif is the bridge's business
 * (bridge.h), reached through the `deliver` operation.
 *
 * Pure: the hypervisor is reached only through struct netback_operations,
 * so the host unit tests run it against a simulated frontend and the
 * hypervisor's own grant copy.  The xenbus handshake and the event
 * channel are netback_xenbus.h's.
 *
 * The rules it keeps:
 *   - Transmit (guest -> dom0).  Requests are taken off the tx ring one
 *     copy at a time and gathered into packets by netif_packet.h, which
 *     decides what is dropped and what is fatal, as Linux 6.1's netback
 *     does.  A whole packet's segments are copied (source: the
 *     frontend's gref, read-only is enough; destination: a packet buffer,
 *     DOMID_SELF) into one buffer; a packet whose copy fails is dropped
 *     (NETIF_RSP_ERROR).  A csum_blank packet gets its TCP or UDP
 *     checksum filled in (ethernet.h) before it leaves, or is dropped if
 *     that cannot be done.  Every slot is answered, in order, once the
 *     copy is done, so no grant is in use when the frontend sees the
 *     response (split-drivers.md headline 2).
 *   - Receive (dom0 -> guest), rx-copy only.  Frames for the vif wait on
 *     its queue (at most NETBACK_RX_QUEUE; a frame that finds it full is
 *     dropped and counted, so a guest that never refills its rx ring
 *     holds at most that many buffers; at most NETBACK_RX_QUEUE_PER_SOURCE
 *     of them from any one bridge port, packet_buffer's source_port, so
 *     that a flooding neighbour leaves room for everyone else's frames).  Each frame takes ONE rx request
 *     (a frame is at most ETHERNET_MAX_FRAME_BYTES, less than a page) and
 *     is copied to offset 0 of that request's gref; its response goes in
 *     the same ring slot as the request (netif.h's rule, on which
 *     netfront counts: it finds the buffer by index), with the request's
 *     id, offset 0, flags 0 and status = the length, or NETIF_RSP_ERROR
 *     if the copy failed.  A frame is never split and never truncated.
 *   - Bounded work.  One call of netback_service takes at most
 *     NETBACK_TX_PACKETS_PER_PASS packets and fills at most
 *     NETBACK_RX_FRAMES_PER_PASS rx requests; what is left waits for the
 *     next pass, so a flooding frontend costs a bounded slice of dom0 per
 *     pass, and the caller serves every vif in turn.
 *   - A broken ring (a producer beyond the ring, ring.h) or a FATAL packet
 *     disables this vif only: netback_broken() says so, nothing is read
 *     from or written to its rings again, and the caller closes the
 *     device.  Frames queued for it are released.
 *   - Stopping (the frontend went away or the domain died): the rings are
 *     never touched again and the queue is released at once.  A grant
 *     copy is synchronous, so nothing of the vif is in flight afterwards.
 */
#ifndef BACKEND_NETBACK_H
#define BACKEND_NETBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <ring/ring.h>
#include "ethernet.h"
#include "netif_packet.h"
#include "packet_buffer.h"

#define NETBACK_RX_QUEUE 64
#define NETBACK_RX_QUEUE_PER_SOURCE (NETBACK_RX_QUEUE / 2)
#define NETBACK_TX_PACKETS_PER_PASS 32
#define NETBACK_RX_FRAMES_PER_PASS 64

struct netback;

/* How netback reaches the hypervisor and the bridge (dom0's, or the tests'). */
struct netback_operations {
    /* GNTTABOP_copy of count elements, each with its own status: the hypercall's result. */
    long (*grant_copy)(struct gnttab_copy *copies, unsigned int count);
    /* Sends the frontend an event: a ring has new responses. */
    void (*notify_frontend)(struct netback *vif);
    /* A whole frame the guest sent, in a buffer holding one reference,
     * which passes to the callee. */
    void (*deliver)(struct netback *vif, struct packet_buffer *frame);
};

struct netback_config {
    domid_t frontend_domain;
    struct ethernet_address address; /* the vif's MAC, xl.cfg's mac= */
};

struct netback_statistics {
    uint64_t tx_packets;
    uint64_t tx_bytes;
    uint64_t tx_dropped;          /* NETIF_PACKET_DROP, a failed copy, no buffer, a checksum not fillable */
    uint64_t tx_checksums_filled;
    uint64_t rx_packets;
    uint64_t rx_bytes;
    uint64_t rx_dropped_queue_full;
    uint64_t rx_copy_failures;
    uint64_t grant_copy_calls;    /* GNTTABOP_copy hypercalls */
    uint64_t grant_copy_segments;
    uint64_t notifications;
};

struct netback {
    const struct netback_operations *operations;
    struct packet_pool *pool;
    struct netback_config config;
    struct ring_back tx;
    struct ring_back rx;
    bool attached;   /* the rings may be served */
    bool stopped;    /* never touch the rings again */
    bool fatal;      /* the frontend broke the protocol */
    unsigned int rx_queue_head;
    unsigned int rx_queue_count;
    struct packet_buffer *rx_queue[NETBACK_RX_QUEUE];
    struct netback_statistics statistics;
    void *context;   /* the caller's */
};

/* Readies a vif, not yet attached to its rings, taking buffers from pool. */
void netback_init(struct netback *vif, const struct netback_operations *operations,
                  const struct netback_config *config, struct packet_pool *pool, void *context);

/* Serves the frontend's rings at tx_page and rx_page (each one 4 KiB page, mapped by the caller). */
void netback_attach(struct netback *vif, void *tx_page, void *rx_page);

/*
 * Queues a frame for the guest, taking a reference of its own: 0, or
 * -ENOSPC (the queue is full, or holds its source port's share: dropped
 * and counted) or -ENOTCONN (not attached, stopped or broken: dropped).
 */
int netback_queue_frame(struct netback *vif, struct packet_buffer *frame);

/*
 * One bounded pass over both rings (see above); publishes the responses,
 * notifying the frontend if it asked to be, and arms the rings' events
 * before it looks for the last time.  true if work is left for another
 * pass now.
 */
bool netback_service(struct netback *vif);

/* The frontend is gone: the rings are never touched again, the queue is released. */
void netback_stop(struct netback *vif);

/* The frontend broke the protocol (a ring overflow or a fatal packet): close the device. */
bool netback_broken(const struct netback *vif);

#endif
