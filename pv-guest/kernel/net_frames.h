/*
 * The ARP and ICMP echo frames our PV kernel exchanges: the network test
 * guests (net_station.c, net_test.c, net_attacks.c) with each other, and
 * dom0's virtio-net check and bench (virtio_net_check.c) with QEMU's user
 * network.  Pure (host-tested, tests/unit/test_net_frames.c): Ethernet II
 * frames carrying ARP for IPv4 over Ethernet (RFC 826: hardware type 1,
 * protocol 0x0800, lengths 6 and 4) and ICMP echo requests and replies
 * (RFC 792, code 0) in IPv4 (RFC 791, no options, DF set, TTL 64), with
 * the Internet checksum (RFC 1071, backend/ethernet.h's) computed over the
 * IPv4 header and over the ICMP message.  A frame parsed comes from outside
 * and is hostile: parsing reads only inside the frame it is given and
 * believes no length field beyond it; a frame too short for what its
 * headers announce, an IPv4 fragment, a header with options, ARP for
 * another hardware or protocol and ICMP other than echo are neither ARP
 * nor echo.  Addresses are kept in host byte order; frames are built in
 * network byte order.
 */
#ifndef PV_KERNEL_NET_FRAMES_H
#define PV_KERNEL_NET_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_FRAME_ADDRESS_BYTES 6
#define NET_FRAME_ETHERNET_BYTES 14
#define NET_FRAME_ARP_BYTES (NET_FRAME_ETHERNET_BYTES + 28)
#define NET_FRAME_IPV4_BYTES 20
#define NET_FRAME_ICMP_BYTES 8
#define NET_FRAME_ECHO_HEADERS (NET_FRAME_ETHERNET_BYTES + NET_FRAME_IPV4_BYTES + NET_FRAME_ICMP_BYTES)
/* The most ICMP data in a 1500-byte IPv4 packet. */
#define NET_FRAME_MAX_ECHO_DATA (1500 - NET_FRAME_IPV4_BYTES - NET_FRAME_ICMP_BYTES)

#define NET_FRAME_ETHERTYPE_IPV4 0x0800
#define NET_FRAME_ETHERTYPE_ARP 0x0806
#define NET_FRAME_ARP_REQUEST 1
#define NET_FRAME_ARP_REPLY 2
#define NET_FRAME_ICMP_ECHO_REPLY 0
#define NET_FRAME_ICMP_ECHO_REQUEST 8

extern const uint8_t net_frame_broadcast[NET_FRAME_ADDRESS_BYTES];

struct net_frame_endpoint {
    uint8_t address[NET_FRAME_ADDRESS_BYTES];
    uint32_t ip;
};

struct net_frame_arp {
    uint16_t operation;
    struct net_frame_endpoint sender;
    uint8_t target_address[NET_FRAME_ADDRESS_BYTES]; /* zero in a request */
    uint32_t target_ip;
};

struct net_frame_echo {
    uint8_t type;                 /* NET_FRAME_ICMP_ECHO_REQUEST or _REPLY */
    uint16_t identifier;
    uint16_t sequence;
    const uint8_t *data;
    size_t data_length;
};

/* What a received frame holds, as far as the test guests care. */
struct net_frame_parsed {
    uint8_t destination[NET_FRAME_ADDRESS_BYTES];
    uint8_t source[NET_FRAME_ADDRESS_BYTES];
    uint16_t ethertype;
    bool is_arp;
    struct net_frame_arp arp;
    bool is_echo;
    uint32_t source_ip;
    uint32_t destination_ip;
    bool checksums_valid;         /* the IPv4 header's and the ICMP message's */
    struct net_frame_echo echo;
};

/* "a.b.c.d" to a host-order address: 0, or -XEN_EINVAL. */
int net_frame_parse_ip(const char *text, uint32_t *ip);

/* An ARP request or reply (operation) from sender to target; its length.
 * frame holds at least NET_FRAME_ARP_BYTES. */
size_t net_frame_build_arp(uint8_t *frame, uint16_t operation, const struct net_frame_endpoint *sender,
                           const struct net_frame_endpoint *target);

/* An ICMP echo message from source to destination; its length (frame
 * holds NET_FRAME_ECHO_HEADERS + echo->data_length), or 0 if the data is
 * longer than NET_FRAME_MAX_ECHO_DATA. */
size_t net_frame_build_echo(uint8_t *frame, const struct net_frame_endpoint *source,
                            const struct net_frame_endpoint *destination, const struct net_frame_echo *echo);

/* Parses a received frame: 0, or -XEN_EINVAL if it is shorter than its
 * Ethernet header; an ARP or IPv4 frame cut short is neither is_arp nor is_echo. */
int net_frame_parse(const uint8_t *frame, size_t length, struct net_frame_parsed *parsed);

/* The test's data for echo sequence: bytes that depend on both. */
void net_frame_fill_data(uint8_t *data, size_t length, uint16_t sequence);

#endif
