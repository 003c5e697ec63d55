/*
 * The few IPv4 frames dom0's network self-checks exchange with the outside
 * world, built and parsed without the hardware: ARP for IPv4 over Ethernet
 * (RFC 826: hardware type 1, protocol 0x0800, lengths 6 and 4) and ICMP
 * echo request and reply (RFC 792) in an IPv4 header of 20 bytes (RFC 791:
 * no options, TTL 64, don't-fragment clear), both checksums RFC 1071's
 * (backend/ethernet.h).
 *
 * The rules it keeps: a frame parsed comes from outside and is hostile;
 * parsing reads only inside [frame, frame + length), through ethernet_parse
 * (no VLAN tag taken), and refuses with -EINVAL whatever is not exactly
 * what it describes (an IPv4 fragment, options, an ICMP message of another
 * type, lengths beyond the frame).  A parsed echo says whether its IPv4
 * header and ICMP checksums are right; its payload points into the frame.
 *
 * Pure: compiled into dom0's kernel and the host unit tests.
 */
#ifndef PV_KERNEL_IPV4_FRAMES_H
#define PV_KERNEL_IPV4_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <backend/ethernet.h>

#define IPV4_ADDRESS_BYTES 4
#define IPV4_HEADER_BYTES 20
#define ICMP_ECHO_HEADER_BYTES 8
#define ARP_PACKET_BYTES 28
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
/* The longest echo payload one frame carries. */
#define ICMP_ECHO_MAX_PAYLOAD (ETHERNET_MTU - IPV4_HEADER_BYTES - ICMP_ECHO_HEADER_BYTES)

struct ipv4_address {
    uint8_t bytes[IPV4_ADDRESS_BYTES];
};

struct arp_packet {
    uint16_t operation;              /* ARP_REQUEST or ARP_REPLY */
    struct ethernet_address sender_hardware;
    struct ipv4_address sender;
    struct ethernet_address target_hardware;
    struct ipv4_address target;
};

struct echo_packet {
    uint8_t type;                    /* ICMP_ECHO_REQUEST or ICMP_ECHO_REPLY */
    struct ipv4_address source;
    struct ipv4_address destination;
    uint16_t identifier;
    uint16_t sequence;
    const uint8_t *payload;
    uint32_t payload_bytes;          /* up to ICMP_ECHO_MAX_PAYLOAD */
    bool checksums_valid;            /* parsed: IPv4 header and ICMP sums right */
};

static inline bool ipv4_address_equal(const struct ipv4_address *a, const struct ipv4_address *b)
{
    return a->bytes[0] == b->bytes[0] && a->bytes[1] == b->bytes[1] && a->bytes[2] == b->bytes[2] &&
           a->bytes[3] == b->bytes[3];
}

/* Writes the ARP frame from the packet's sender hardware address to
 * `destination`; returns its length (ETHERNET_HEADER_BYTES + ARP_PACKET_BYTES). */
uint32_t ipv4_frames_build_arp(uint8_t *frame, const struct ethernet_address *destination,
                               const struct arp_packet *packet);

/* Writes the echo frame from `source` to `destination` (the payload
 * copied, checksums filled); returns its length, or 0 if the payload is
 * longer than ICMP_ECHO_MAX_PAYLOAD. */
uint32_t ipv4_frames_build_echo(uint8_t *frame, const struct ethernet_address *destination,
                                const struct ethernet_address *source, const struct echo_packet *packet);

/* 0 with *packet, or -EINVAL: not an ARP packet for IPv4 over Ethernet. */
int ipv4_frames_parse_arp(const uint8_t *frame, uint32_t length, struct arp_packet *packet);

/* 0 with *packet, or -EINVAL: not an ICMP echo request or reply in an
 * unfragmented IPv4 packet without options. */
int ipv4_frames_parse_echo(const uint8_t *frame, uint32_t length, struct echo_packet *packet);

#endif
