/*
 * netfront for our PV kernel: one virtual network interface (vif) of the
 * domain, connected to its backend through the handshake of Linux 6.1's
 * xen-netfront (shared research split-drivers.md §2.3; netfront never
 * writes Initialised):
 *   1. device/vif/N names the backend (backend, backend-id) and the
 *      interface's address (mac, "xx:xx:xx:xx:xx:xx", required); the
 *      frontend writes its state Initialising (1) and waits for the
 *      backend's InitWait (2);
 *   2. the backend must offer feature-rx-copy (non-zero), else the vif
 *      stays dead (-XEN_ENODEV); feature-sg is read (without it a frame
 *      must fit one slot);
 *   3. the frontend grants a tx and an rx ring page, allocates one
 *      unbound event channel for both, and writes tx-ring-ref,
 *      rx-ring-ref, event-channel, request-rx-copy=1, feature-rx-notify=1
 *      and feature-sg=1 in one transaction (run again on EAGAIN); it posts
 *      its rx buffers and writes Connected (4) straight away; it then
 *      waits for the backend's Connected.
 * Then (one queue, no GSO, MTU 1500):
 *   - transmit: a frame, given as fragments of the kernel's own memory,
 *     goes out as one slot per piece within a page, each piece's page
 *     granted read-only for that slot alone (netfront_shadow.h's rules);
 *     the caller leaves the memory alone until the transmission is done;
 *   - receive: up to NETFRONT_RX_BUFFERS rx ring slots each hold a zeroed
 *     page granted writable to the backend (Linux fills all 256; 64 keep
 *     every image of our kernel, dom0's and each domU's, 768 KiB
 *     smaller); the responses are copied out of the ring once and
 *     checked (netfront_shadow.h); a packet's grants are ended before its
 *     data is read; a bad packet is dropped and counted, its buffers
 *     posted again; the buffers are refilled after each pass.
 * A tx response with a bad id, a response producer beyond the requests,
 * or a grant the backend still holds once it answered breaks the device
 * for good (-XEN_EIO from then on), as Linux's netfront sets
 * info->broken ("Disabled for further use").
 */
#ifndef FRONTEND_NETFRONT_H
#define FRONTEND_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/io/xenbus.h>
#include <ring/ring.h>
#include "netfront_shadow.h"
#include "xenbus_device.h"

#define NETFRONT_PATH_SIZE XENBUS_DEVICE_PATH_SIZE
#define NETFRONT_ADDRESS_BYTES 6
/* Receive buffers (pages) a vif has; at most this many rx requests are posted. */
#define NETFRONT_RX_BUFFERS 64
/* The longest packet netfront_receive hands over; longer ones are dropped. */
#define NETFRONT_RX_FRAME_BYTES (2 * NETFRONT_PAGE_SIZE)
/* A raw tx request's gref that netfront did not make (the attacks'). */
#define NETFRONT_NO_GRANT UINT32_MAX

struct netfront_transmission {
    const struct netfront_fragment *fragments; /* the caller's, left alone until done */
    unsigned int fragment_count;
    /* Set by netfront: */
    unsigned int slots_outstanding;
    bool done;
    int16_t status;          /* NETIF_RSP_OKAY, or the first other status of its slots */
};

struct netfront_statistics {
    uint64_t tx_frames;
    uint64_t tx_bytes;
    uint64_t tx_slots;
    uint64_t tx_errors;       /* frames answered with another status than OKAY */
    uint64_t rx_frames;
    uint64_t rx_bytes;
    uint64_t rx_slots;
    uint64_t rx_errors;       /* packets dropped by the checks */
    uint64_t rx_too_long;     /* packets longer than NETFRONT_RX_FRAME_BYTES */
    uint64_t notifications;   /* events sent to the backend */
};

struct netfront {
    char frontend_path[NETFRONT_PATH_SIZE];
    char backend_path[NETFRONT_PATH_SIZE];
    domid_t backend_id;
    uint8_t address[NETFRONT_ADDRESS_BYTES];
    bool backend_sg;            /* the backend offered feature-sg=1 */
    struct netif_tx_sring *tx_shared;
    struct netif_rx_sring *rx_shared;
    struct ring_front tx;
    struct ring_front rx;
    grant_ref_t tx_ring_ref;
    grant_ref_t rx_ring_ref;
    evtchn_port_t port;
    volatile bool event_arrived;
    bool broken;
    unsigned int rx_target;     /* rx buffers kept posted (NETFRONT_RX_RING_SIZE: the ring full) */
    uint8_t (*rx_pages)[NETFRONT_PAGE_SIZE];     /* NETFRONT_RX_BUFFERS of them */
    uint16_t rx_free_pages[NETFRONT_RX_BUFFERS];  /* a stack of the pages not posted */
    unsigned int rx_free_page_count;
    uint16_t rx_slot_page[NETFRONT_RX_RING_SIZE]; /* the page posted in each rx slot */
    struct netfront_tx_shadow tx_shadow;
    struct netfront_rx_shadow rx_shadow;
    struct netfront_statistics statistics;
};

/* Called with each received frame, valid during the call only. */
typedef void (*netfront_deliver)(void *context, const uint8_t *frame, uint32_t length);

/* Finds the vif (device/vif/<vif>; NULL: the first one listed), its
 * backend and its address, without any handshake. */
int netfront_locate(struct netfront *device, const char *vif);

/* Waits (with a watch) until the backend's state is wanted (Closed counts
 * for Closing), or deadline_ns: 0, -XEN_ETIMEDOUT, -XEN_ENODEV if it
 * closes first, or xenstore's error. */
int netfront_await_backend(struct netfront *device, XenbusState wanted, uint64_t deadline_ns);

/* Connects to the vif named by vif (see netfront_locate), posting
 * rx_buffers receive buffers (at most NETFRONT_RX_BUFFERS; fewer only
 * for the malicious frontends) and waiting for
 * the backend until deadline_ns.  Returns 0, or an error after printing
 * which step failed. */
int netfront_connect(struct netfront *device, const char *vif, unsigned int rx_buffers, uint64_t deadline_ns);

/* Keeps rx_buffers receive buffers posted from the next netfront_receive on. */
void netfront_set_rx_buffers(struct netfront *device, unsigned int rx_buffers);

/* Checks, grants and queues a frame; the backend is told at once.
 * -XEN_EBUSY: no room on the ring now (complete some first);
 * -XEN_EINVAL: a frame netfront does not send (netfront_shadow.h), or
 * one of several slots to a backend without feature-sg; -XEN_EIO: the
 * device is broken. */
int netfront_transmit(struct netfront *device, struct netfront_transmission *transmission);

/* Takes every tx response the backend has produced; how many, or -XEN_EIO. */
int netfront_complete_transmissions(struct netfront *device);

/* Hands up to budget received packets to deliver and refills the rx
 * ring; how many were handed over, or -XEN_EIO. */
int netfront_receive(struct netfront *device, unsigned int budget, netfront_deliver deliver, void *context);

/* Blocks until the vif's event channel fires or deadline_ns passes. */
void netfront_wait(struct netfront *device, uint64_t deadline_ns);

/* Completes responses until transmission is done: 0 (its status set),
 * -XEN_ETIMEDOUT or -XEN_EIO.  Packets received meanwhile are dropped. */
int netfront_wait_for(struct netfront *device, struct netfront_transmission *transmission, uint64_t deadline_ns);

/* The backend's XenbusState, read now. */
int netfront_backend_state(struct netfront *device, uint64_t *state);

/* Slots sent and not yet answered; rx buffers posted. */
unsigned int netfront_tx_in_flight(const struct netfront *device);
unsigned int netfront_rx_posted(const struct netfront *device);

/*
 * For the malicious frontends (pv-guest/kernel/net_attacks.c): puts
 * count raw tx ring entries on the ring as they are, except that each
 * one extra[i] is false for gets an id of netfront's (so that its answer
 * can be checked), and tells the backend.  No grant is made or ended for
 * them.  -XEN_EBUSY without room for all of them.
 */
int netfront_transmit_raw(struct netfront *device, const union netfront_tx_slot *slots, const bool *extra,
                          unsigned int count, struct netfront_transmission *completion);

/* Posts one raw rx request (id and gref as given) in the next rx slot,
 * for the malicious frontends; netfront's own buffer of that slot
 * stays unposted. */
int netfront_post_raw_rx(struct netfront *device, const struct netif_rx_request *request);

/* Writes Closing (5), waits for the backend's Closing, writes Closed (6),
 * waits for the backend's Closed, then ends the rings' and buffers'
 * grants: 0, or the first step's error (printed). */
int netfront_close(struct netfront *device, uint64_t deadline_ns);

#endif
