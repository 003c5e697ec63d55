/*
 * netfront's bookkeeping, pure (host-tested): what our netfront remembers
 * of its two rings and the checks it makes before it believes anything
 * the backend writes, as Linux 6.1's xen-netfront.c does.
 *
 * Transmit (xennet_start_xmit, xennet_tx_buf_gc):
 *   - a frame, given as fragments of the kernel's memory, becomes one
 *     slot per piece that lies within one page (gnttab_foreach_grant_in_range):
 *     the first slot's size is the whole frame's length, the others carry
 *     their own size with NETTXF_more_data on the one before them (Xen
 *     io/netif.h "Guest transmit").  A frame is sent only if it is
 *     NETFRONT_MIN_FRAME_BYTES to NETFRONT_MAX_FRAME_BYTES long (no GSO
 *     is negotiated, the MTU is 1500), its first slot holds at least the
 *     Ethernet header (netfront bounces a frame whose header would cross
 *     a page, so that netback finds it in the first slot) and it takes at
 *     most NETFRONT_MAX_TX_SLOTS slots (netback drops a packet of
 *     XEN_NETIF_NR_SLOTS_MIN follow-on slots or more);
 *   - every slot has an id of its own, an index below the ring size taken
 *     from a free list (get_id_from_list), and holds its own grant;
 *   - a response with status NETIF_RSP_NULL (an extra slot's) is skipped;
 *     any other must name an id below the ring size that is pending
 *     ("Response has incorrect id", "Response for inactive request").
 * Receive (xennet_alloc_rx_buffers, xennet_get_responses, xennet_get_extras):
 *   - the buffer of ring slot i has id i & (ring size - 1) and its own
 *     grant; a response sits in the slot of the request it answers, so
 *     the buffer is found by the response's ring index (io/netif.h);
 *   - a packet is a first response, the extra-info slots its
 *     NETRXF_extra_info announces (chained by XEN_NETIF_EXTRA_FLAG_MORE),
 *     then while a response has NETRXF_more_data, another one;
 *   - a response is believed only if its slot has a buffer posted, its id
 *     echoes that buffer's, status >= 0 and offset + status stays within
 *     the page; an extra's type is 1 to XEN_NETIF_EXTRA_TYPE_MAX - 1; a
 *     packet takes at most XEN_NETIF_NR_SLOTS_MIN data slots (one more if
 *     its first is at most NETFRONT_RX_COPY_THRESHOLD bytes).  A packet
 *     that breaks one of these is dropped whole, its buffers posted again
 *     (Linux counts an rx_error and carries on).
 * (A response producer beyond the requests is ring/'s to catch, and a
 * grant still in use once answered is the caller's: both break the
 * device for good, as Linux's netfront sets info->broken.)
 */
#ifndef FRONTEND_NETFRONT_SHADOW_H
#define FRONTEND_NETFRONT_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>

#define NETFRONT_PAGE_SIZE 4096
#define NETFRONT_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, NETFRONT_PAGE_SIZE)
#define NETFRONT_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, NETFRONT_PAGE_SIZE)
#define NETFRONT_ETHERNET_HEADER_BYTES 14
#define NETFRONT_MIN_FRAME_BYTES NETFRONT_ETHERNET_HEADER_BYTES
/* Header, one 802.1Q tag, MTU 1500 (backend/ethernet.h's ETHERNET_MAX_FRAME_BYTES). */
#define NETFRONT_MAX_FRAME_BYTES (NETFRONT_ETHERNET_HEADER_BYTES + 4 + 1500)
#define NETFRONT_MAX_TX_SLOTS XEN_NETIF_NR_SLOTS_MIN
#define NETFRONT_MAX_RX_SLOTS (XEN_NETIF_NR_SLOTS_MIN + 1)
#define NETFRONT_RX_COPY_THRESHOLD 256

/* Parses a MAC address written as xenstore's mac node holds it,
 * "xx:xx:xx:xx:xx:xx" (hex digits of either case): 0, or -XEN_EINVAL. */
int netfront_parse_address(const char *text, uint8_t address[6]);

/* --- transmit -------------------------------------------------------------------- */

/* A tx ring entry's request, as netfront writes it. */
union netfront_tx_slot {
    struct netif_tx_request request;
    struct netif_extra_info extra;
};

/* length bytes of the kernel's memory at data. */
struct netfront_fragment {
    const void *data;
    uint32_t length;
};

/* One tx slot: size bytes at offset of the page at page_address. */
struct netfront_tx_piece {
    uintptr_t page_address;
    uint16_t offset;
    uint16_t size;
};

/*
 * Cuts a frame into its slots (see above): 0 with *piece_count set, or
 * -XEN_EINVAL (a length out of bounds, a first slot shorter than the
 * header, or more than NETFRONT_MAX_TX_SLOTS slots).  Empty fragments
 * take no slot.
 */
int netfront_plan_transmission(const struct netfront_fragment *fragments, unsigned int fragment_count,
                               struct netfront_tx_piece pieces[NETFRONT_MAX_TX_SLOTS], unsigned int *piece_count);

/* The requests of a planned frame, ids and grants left to the caller:
 * the first one's size is the frame's length, more_data chains them. */
void netfront_tx_requests(const struct netfront_tx_piece *pieces, unsigned int piece_count,
                          struct netif_tx_request *requests);

struct netfront_tx_entry {
    bool pending;
    grant_ref_t gref;
    void *owner;
};

struct netfront_tx_shadow {
    struct netfront_tx_entry entries[NETFRONT_TX_RING_SIZE];
    uint16_t free_ids[NETFRONT_TX_RING_SIZE];
    unsigned int free_count;
};

void netfront_tx_shadow_init(struct netfront_tx_shadow *shadow);

/* Takes a free id for a slot of owner's frame holding gref; -XEN_EBUSY when none is free. */
int netfront_tx_shadow_take(struct netfront_tx_shadow *shadow, void *owner, grant_ref_t gref, uint16_t *id);

/* Gives back an id that was taken but never sent. */
void netfront_tx_shadow_release(struct netfront_tx_shadow *shadow, uint16_t id);

/* NULL if response answers a pending slot (or is an extra slot's NULL
 * response, which answers none: see netfront_tx_response_is_null), else
 * what is wrong with it. */
const char *netfront_tx_response_problem(const struct netfront_tx_shadow *shadow,
                                         const struct netif_tx_response *response);
bool netfront_tx_response_is_null(const struct netif_tx_response *response);

/* The pending entry a checked response names, its id free again. */
struct netfront_tx_entry netfront_tx_shadow_complete(struct netfront_tx_shadow *shadow, uint16_t id);

unsigned int netfront_tx_shadow_in_flight(const struct netfront_tx_shadow *shadow);

/* --- receive --------------------------------------------------------------------- */

struct netfront_rx_buffer {
    bool posted;
    grant_ref_t gref;
};

struct netfront_rx_shadow {
    struct netfront_rx_buffer buffers[NETFRONT_RX_RING_SIZE];
    unsigned int posted_count;
};

void netfront_rx_shadow_init(struct netfront_rx_shadow *shadow);

/* The id of the buffer of ring slot index. */
uint16_t netfront_rx_id(RING_IDX index);

/* Records the buffer posted in ring slot index with gref: 0, or -XEN_EBUSY if one is there already. */
int netfront_rx_shadow_post(struct netfront_rx_shadow *shadow, RING_IDX index, grant_ref_t gref);

/* The buffer of ring slot index, no longer posted (the caller ends its grant). */
struct netfront_rx_buffer netfront_rx_shadow_take(struct netfront_rx_shadow *shadow, RING_IDX index);

/* An rx ring entry's response, as copied out of the ring. */
union netfront_rx_slot {
    struct netif_rx_response response;
    struct netif_extra_info extra;
};

enum netfront_rx_verdict {
    NETFRONT_RX_NEED_MORE,
    NETFRONT_RX_COMPLETE,
    NETFRONT_RX_DROP,
};

/* A data slot of a received packet: length bytes at offset of the buffer of ring slot index. */
struct netfront_rx_segment {
    RING_IDX index;
    uint16_t offset;
    uint16_t length;
};

struct netfront_rx_packet {
    RING_IDX first_index;
    unsigned int slot_count;          /* every slot taken, extras included */
    unsigned int segment_count;       /* data slots kept (at most NETFRONT_MAX_RX_SLOTS) */
    unsigned int data_slots;          /* data slots seen */
    struct netfront_rx_segment segments[NETFRONT_MAX_RX_SLOTS];
    uint32_t length;                  /* the data slots' bytes */
    uint16_t first_flags;             /* NETRXF_* of the first response */
    const char *problem;              /* the first reason to drop it; NULL while none */
    /* private to netfront_rx_packet_add: */
    bool expect_extra;
    bool expect_data;
    bool small_first;
};

/* A packet whose first response sits in ring slot first_index. */
void netfront_rx_packet_start(struct netfront_rx_packet *packet, RING_IDX first_index);

/* Adds the response of the packet's next ring slot.  COMPLETE or DROP
 * once the chain ends (DROP: problem says why); NEED_MORE: add the next
 * slot, or, if the backend has published no more, call
 * netfront_rx_packet_truncated. */
enum netfront_rx_verdict netfront_rx_packet_add(struct netfront_rx_packet *packet,
                                                const struct netfront_rx_shadow *shadow,
                                                const union netfront_rx_slot *slot);

/* The chain asks for more slots than the backend published: DROP. */
enum netfront_rx_verdict netfront_rx_packet_truncated(struct netfront_rx_packet *packet);

#endif
