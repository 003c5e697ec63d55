/*
 * dom0's software bridge: a learning Ethernet switch (IEEE 802.1D's
 * forwarding process, as Linux's bridge does it for the vifs of Xen's
 * vif-bridge script) between the ports dom0 gives it: the machine's NIC
 * (the uplink) and one port per vif.  It decides only where a frame goes;
 * moving the bytes is the caller's (netback_dom0.c).
 *
 * The rules it keeps:
 *   - Learning.  A frame's source address is learnt on the port it came
 *     in on, with the time; an entry not refreshed for
 *     BRIDGE_AGEING_NS (Linux's default ageing time, 300 s) is forgotten.
 *     A group (multicast or broadcast) or all-zero source is never learnt
 *     and the frame is dropped (802.1D: such a source is invalid).
 *   - Locked ports.  A vif port is locked to the MAC its configuration
 *     gives (xl.cfg's mac=), as Xen's vif scripts can do with ebtables
 *     anti-spoofing: a frame from it with any other source is dropped and
 *     counted, and its address is a static entry that never ages and
 *     that no other port can take over.  So a guest can neither steal
 *     another guest's traffic nor fill the table: only unlocked ports
 *     (the uplink) learn.
 *   - The table is bounded (BRIDGE_TABLE_ENTRIES).  When it is full, a
 *     new address replaces the least recently seen dynamic entry; static
 *     entries are never replaced.
 *   - Forwarding.  A group destination, or a unicast one not in the
 *     table, floods: every port that is up but the one it came in on.  A
 *     known destination goes to its port alone, or nowhere if that is
 *     the port it came in on (802.1D's filtering).
 *   - Ports come and go: removing a port forgets every entry on it.
 *
 * Pure: time is the caller's (system time in ns); compiled into dom0 and
 * the host tests and fuzzers.
 */
#ifndef BACKEND_BRIDGE_H
#define BACKEND_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include "ethernet.h"

#define BRIDGE_PORTS 32 /* a port set is one bit per port */
#define BRIDGE_TABLE_ENTRIES 256
#define BRIDGE_AGEING_NS (300ull * 1000000000ull)

typedef uint32_t bridge_port_set;

struct bridge_entry {
    struct ethernet_address address;
    uint8_t port;
    bool in_use;
    bool is_static;  /* a locked port's own address */
    uint64_t last_seen_ns;
};

struct bridge_port {
    bool up;
    bool locked;                     /* only `address` may be a source */
    struct ethernet_address address; /* for a locked port */
};

struct bridge_statistics {
    uint64_t forwarded;       /* to one known port */
    uint64_t flooded;
    uint64_t filtered;        /* destination on the source port */
    uint64_t dropped_spoofed; /* a locked port sent another source */
    uint64_t dropped_invalid_source;
    uint64_t learnt;
    uint64_t replaced;        /* a full table's oldest entry given up */
};

struct bridge {
    struct bridge_port ports[BRIDGE_PORTS];
    struct bridge_entry table[BRIDGE_TABLE_ENTRIES];
    struct bridge_statistics statistics;
};

void bridge_init(struct bridge *bridge);

/* Adds port `port` (< BRIDGE_PORTS, not up): unlocked (address NULL) or
 * locked to *address.  0, or -EINVAL (out of range, already up, a locked
 * address that is a group or zero address), or -EEXIST (another port
 * holds that address statically). */
int bridge_add_port(struct bridge *bridge, unsigned int port, const struct ethernet_address *address);

/* Takes the port down and forgets every entry on it. */
void bridge_remove_port(struct bridge *bridge, unsigned int port);

/* Where a frame that came in on `port` with these addresses goes: the set
 * of ports to send it to (0: dropped or filtered), learning its source on
 * the way.  A port that is not up sends nothing (0). */
bridge_port_set bridge_forward(struct bridge *bridge, unsigned int port, const struct ethernet_address *source,
                               const struct ethernet_address *destination, uint64_t now_ns);

/* The port the address was learnt on: 0 with *port, or -ENOENT (unknown
 * or aged out at now_ns). */
int bridge_lookup(const struct bridge *bridge, const struct ethernet_address *address, uint64_t now_ns,
                  unsigned int *port);

#endif
