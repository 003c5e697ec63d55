/*
 * A network station of our PV kernel as a domU, shared by the network
 * test guests (net_test.c, net_attacks.c): the domain's first vif
 * through frontend/netfront.c, its IPv4 address (ip=) and optionally a
 * peer's (peer=), a pool of transmit buffers, and the answers every
 * station gives: ARP replies for its address and ICMP echo replies to
 * it (net_frames.h).  The peer's MAC address is learnt from any ARP
 * frame the peer sends.  Frames are copied into a buffer of the pool
 * (two pages, each buffer used again once its transmission is done) in
 * one of three layouts, so that frames of one and of several slots go
 * out.
 */
#ifndef PV_KERNEL_NET_STATION_H
#define PV_KERNEL_NET_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <frontend/netfront.h>
#include "net_frames.h"

#define NET_STATION_TX_BUFFERS 8

enum net_layout {
    NET_LAYOUT_ONE_SLOT,       /* at the start of a page */
    NET_LAYOUT_ACROSS_PAGES,   /* 40 bytes before a page boundary: two slots if longer */
    NET_LAYOUT_FRAGMENTS,      /* the Ethernet header and the rest, in two pages */
};

struct net_station;

/* Called with each frame that is not an ARP request or an echo request for the station. */
typedef void (*net_station_handler)(struct net_station *station, const struct net_frame_parsed *parsed);

struct net_station_counts {
    uint64_t frames_received;
    uint64_t arp_requests_answered;
    uint64_t echo_requests_answered;
    uint64_t answers_not_sent;      /* no transmit buffer was free */
};

struct net_station {
    struct netfront device;
    struct net_frame_endpoint self;
    bool has_peer;
    bool peer_known;
    struct net_frame_endpoint peer;
    net_station_handler handler;
    void *context;
    struct net_station_counts counts;
};

/* Reads ip= (required) and peer= from command_line and connects the
 * domain's first vif with rx_buffers receive buffers posted
 * (netfront_connect), waiting until deadline_ns: 0 or an error (printed). */
int net_station_connect(struct net_station *station, const char *command_line, unsigned int rx_buffers,
                        uint64_t deadline_ns);

/* Sends a copy of frame in layout: 0, -XEN_EBUSY (no buffer free even
 * after completing transmissions), or netfront_transmit's errors. */
int net_station_send(struct net_station *station, const uint8_t *frame, size_t length, enum net_layout layout);

/* One round of the station's work: completes transmissions and handles
 * received frames; if there was none, waits for an event until
 * deadline_ns.  0, or -XEN_EIO once the vif is broken. */
int net_station_pump(struct net_station *station, uint64_t deadline_ns);

/* Pumps until *flag is set or deadline_ns: whether it was set (false also when the vif broke). */
bool net_station_pump_until(struct net_station *station, volatile bool *flag, uint64_t deadline_ns);

/* Asks for the peer's address (an ARP request every 300 ms) until it is
 * known or deadline_ns: whether it is. */
bool net_station_resolve_peer(struct net_station *station, uint64_t deadline_ns);

/* Transmissions not yet done. */
unsigned int net_station_transmissions_in_flight(const struct net_station *station);

#endif
