/*
 * A transmitted packet as netback takes it off a vif's tx ring: the
 * requests of one packet (xen/io/netif.h, "Guest transmit"), gathered one
 * slot at a time from their private copies (ring.h copies each entry out
 * of the shared page once) and checked as Linux 6.1's netback checks them
 * (drivers/net/xen-netback/netback.c: xenvif_count_requests,
 * xenvif_get_extras, xenvif_tx_build_gops).  Pure: the decision only.
 *
 * The packet format: the first request's size is the whole packet's
 * length; if it has NETTXF_extra_info, extra-info slots follow it (each
 * with XEN_NETIF_EXTRA_FLAG_MORE if another follows); then, while a
 * request has NETTXF_more_data, another data request follows.  The first
 * slot's own data is the first size less the later slots' sizes.
 *
 * Verdicts, as Linux's netback gives them:
 *   - NETIF_PACKET_FATAL: the frontend broke the protocol; the vif is
 *     disabled (xenvif_fatal_tx_err) and its ring never read again:
 *       a data slot whose offset + size crosses its page;
 *       more than NETIF_PACKET_FATAL_SLOTS (20) follow-on data slots;
 *       an extra of type 0 or >= XEN_NETIF_EXTRA_TYPE_MAX, or an extra
 *       type twice in one packet;
 *       more slots claimed than the frontend has published (the caller
 *       finds that out: netif_packet_add said NEED_MORE and the ring has
 *       no request left).
 *   - NETIF_PACKET_DROP: this packet alone is refused; every one of its
 *     slots is answered (NETIF_RSP_ERROR for data slots) and the vif
 *     goes on:
 *       a first slot whose own data is below ETHERNET_HEADER_BYTES;
 *       a later slot bigger than what is left of the first size;
 *       more than NETIF_PACKET_DROP_SLOTS (18, XEN_NETIF_NR_SLOTS_MIN)
 *       follow-on data slots;
 *       a packet longer than ETHERNET_MAX_FRAME_BYTES: this backend
 *       offers no GSO (it does not advertise feature-gso-*), so nothing
 *       longer than a frame is sent;
 *       a GSO, multicast or hash extra: none is advertised;
 *       data slots whose sizes do not add up to the first size.
 *   - NETIF_PACKET_COMPLETE: the packet is whole and may be copied.
 *   - NETIF_PACKET_NEED_MORE: take the next request and add it.
 *
 * Responses (Linux's make_tx_response): one per slot, in the order they
 * were taken: a data slot's carries its id and the packet's status; an
 * extra slot's carries NETIF_RSP_NULL.  netif_packet_response gives them.
 */
#ifndef BACKEND_NETIF_PACKET_H
#define BACKEND_NETIF_PACKET_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/netif.h>
#include "ethernet.h"

#define NETIF_PACKET_DROP_SLOTS XEN_NETIF_NR_SLOTS_MIN /* follow-on data slots that drop a packet */
#define NETIF_PACKET_FATAL_SLOTS 20                    /* ... that disable the vif (fatal_skb_slots) */
/* Slots one packet may take before it is decided, extras included. */
#define NETIF_PACKET_MAX_SLOTS (1 + NETIF_PACKET_FATAL_SLOTS + XEN_NETIF_EXTRA_TYPE_MAX)

/* One tx ring entry's request, as copied out of the ring. */
union netif_tx_slot {
    struct netif_tx_request request;
    struct netif_extra_info extra;
};

enum netif_packet_verdict {
    NETIF_PACKET_NEED_MORE,
    NETIF_PACKET_COMPLETE,
    NETIF_PACKET_DROP,
    NETIF_PACKET_FATAL,
};

/* A data slot as the copy uses it: bytes [offset, offset + length) of gref's page. */
struct netif_packet_segment {
    grant_ref_t gref;
    uint16_t offset;
    uint16_t length;
};

struct netif_packet {
    unsigned int slot_count;     /* every slot taken so far, extras included */
    uint16_t response_id[NETIF_PACKET_MAX_SLOTS];
    bool response_is_extra[NETIF_PACKET_MAX_SLOTS];
    unsigned int segment_count;  /* data slots */
    struct netif_packet_segment segments[NETIF_PACKET_MAX_SLOTS];
    uint32_t length;             /* the first request's size: the packet's */
    uint16_t first_flags;        /* NETTXF_* of the first request */
    bool checksum_blank;         /* NETTXF_csum_blank: fill it before it leaves netback */
    /* private to netif_packet_add: */
    bool expect_extra;
    bool expect_data;
    bool refused;                /* a DROP reason was found; the rest is taken to answer it */
    uint32_t extra_types_seen;
    uint32_t later_bytes;
};

void netif_packet_start(struct netif_packet *packet);

/* Adds the next slot taken off the ring (its private copy).  Once it has
 * answered anything but NEED_MORE, the packet is decided. */
enum netif_packet_verdict netif_packet_add(struct netif_packet *packet, const union netif_tx_slot *slot);

/* The response for slot i (< slot_count) of a packet decided COMPLETE
 * (status NETIF_RSP_OKAY, or NETIF_RSP_ERROR if the copy failed) or DROP
 * (NETIF_RSP_ERROR). */
struct netif_tx_response netif_packet_response(const struct netif_packet *packet, unsigned int i, int16_t status);

#endif
