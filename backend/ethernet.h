/*
 * Ethernet frames as dom0's bridge and netback see them: the headers a
 * frame carries (Ethernet II with at most one 802.1Q tag, then IPv4, IPv6
 * or ARP, then TCP or UDP), found by bounds-checked parsing, and the
 * transport checksum a frontend left blank, filled in.
 *
 * Every frame comes from a guest (or from the outside world): every
 * length and offset in it is hostile.  Parsing only reads inside
 * [frame, frame + length) and never trusts a header's length field
 * beyond what the frame holds.
 *
 * The rules it keeps:
 *   - A frame is at least ETHERNET_HEADER_BYTES (14) long
 *     (netback.c: a first slot below ETH_HLEN is refused).
 *   - Checksums (RFC 1071, RFC 768, RFC 793, RFC 8200 8.1): the sum is
 *     computed from scratch over the pseudo-header and the whole
 *     transport segment with the checksum field taken as zero, whatever
 *     the guest left there (Linux's CHECKSUM_PARTIAL leaves the
 *     pseudo-header's sum in it); a UDP sum of 0 is sent as 0xffff.  The
 *     transport length is the IP header's (IPv4 total length less its
 *     header, IPv6 payload length), which must fit in the frame; bytes
 *     after it (Ethernet padding) are not summed.
 *   - What cannot be filled is refused with -EINVAL, never guessed: not
 *     IPv4/IPv6, not TCP/UDP, an IPv4 fragment, IPv6 extension headers,
 *     a header or a length beyond the frame.  netback then drops the
 *     packet, as Linux's netback drops one whose checksum_setup fails.
 *
 * Pure: compiled into dom0 and the host tests and fuzzers.
 */
#ifndef BACKEND_ETHERNET_H
#define BACKEND_ETHERNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETHERNET_ADDRESS_BYTES 6
#define ETHERNET_HEADER_BYTES 14
#define ETHERNET_VLAN_TAG_BYTES 4
#define ETHERNET_MTU 1500
/* The largest frame without its FCS: header, one VLAN tag, MTU. */
#define ETHERNET_MAX_FRAME_BYTES (ETHERNET_HEADER_BYTES + ETHERNET_VLAN_TAG_BYTES + ETHERNET_MTU)

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd

#define IP_PROTOCOL_ICMP 1
#define IP_PROTOCOL_TCP 6
#define IP_PROTOCOL_UDP 17
#define IP_PROTOCOL_ICMPV6 58

struct ethernet_address {
    uint8_t bytes[ETHERNET_ADDRESS_BYTES];
};

/* What ethernet_parse found.  Offsets are from the frame's first byte. */
struct ethernet_frame_info {
    struct ethernet_address destination;
    struct ethernet_address source;
    uint16_t ethertype;         /* after a VLAN tag, if there is one */
    bool vlan_tagged;
    size_t network_offset;      /* the IP or ARP header */
    /* For IPv4 and IPv6 only (else 0): */
    uint8_t ip_version;         /* 4 or 6; 0: not IP */
    uint8_t transport_protocol; /* IP_PROTOCOL_*, IPv6's next header */
    bool ipv4_fragment;         /* more fragments, or a fragment offset */
    size_t transport_offset;
    size_t transport_length;    /* from the IP header, checked against the frame */
};

/* 0 with *info, or -EINVAL: shorter than a header, or an IP header that
 * lies beyond the frame or is malformed (IPv4 IHL below 5, version
 * mismatch, lengths beyond the frame).  A frame of another ethertype
 * parses with ip_version 0. */
int ethernet_parse(const uint8_t *frame, size_t length, struct ethernet_frame_info *info);

/* Fills the TCP or UDP checksum of an IPv4 or IPv6 frame (see above): 0,
 * or -EINVAL and the frame untouched. */
int ethernet_fill_transport_checksum(uint8_t *frame, size_t length);

/* Whether the frame's TCP or UDP checksum is right (a UDP sum of 0 over
 * IPv4 means "none" and is right); false for what cannot be checked. */
bool ethernet_transport_checksum_valid(const uint8_t *frame, size_t length);

/* RFC 1071's ones'-complement sum of bytes, added to sum, not folded. */
uint32_t internet_checksum_add(uint32_t sum, const uint8_t *bytes, size_t length);
/* Folds a sum to 16 bits and complements it. */
uint16_t internet_checksum_finish(uint32_t sum);

/* The group bit: broadcast and multicast. */
bool ethernet_address_is_multicast(const struct ethernet_address *address);
bool ethernet_address_is_zero(const struct ethernet_address *address);
bool ethernet_address_equal(const struct ethernet_address *a, const struct ethernet_address *b);

/* "xx:xx:xx:xx:xx:xx", hex digits either case: 0, or -EINVAL. */
int ethernet_address_parse(const char *text, struct ethernet_address *address);
/* Writes "xx:xx:xx:xx:xx:xx" (lower case) and a NUL: text holds 18 bytes. */
void ethernet_address_format(const struct ethernet_address *address, char text[18]);

#endif
