/*
 * The test guests' frames (net_frames.h): built and parsed field by
 * field in network byte order, every read bounded by the frame's length.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <backend/ethernet.h>
#include "net_frames.h"

#define ARP_HARDWARE_ETHERNET 1
#define IPV4_VERSION_IHL 0x45
#define IPV4_DONT_FRAGMENT 0x4000
#define IPV4_TTL 64
#define IP_PROTOCOL_ICMP 1
#define IPV4_FRAGMENT_BITS 0x3fff

const uint8_t net_frame_broadcast[NET_FRAME_ADDRESS_BYTES] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put16(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)(value >> 8);
    at[1] = (uint8_t)value;
}

static void put32(uint8_t *at, uint32_t value)
{
    put16(at, (uint16_t)(value >> 16));
    put16(at + 2, (uint16_t)value);
}

static uint16_t get16(const uint8_t *at)
{
    return (uint16_t)(at[0] << 8 | at[1]);
}

static uint32_t get32(const uint8_t *at)
{
    return (uint32_t)get16(at) << 16 | get16(at + 2);
}

static uint16_t checksum(const uint8_t *data, size_t length)
{
    return internet_checksum_finish(internet_checksum_add(0, data, length));
}

int net_frame_parse_ip(const char *text, uint32_t *ip)
{
    uint32_t parsed = 0;

    for (unsigned int part = 0; part < 4; part++) {
        uint32_t value = 0;
        unsigned int digits = 0;

        for (; *text >= '0' && *text <= '9' && digits < 3; text++, digits++)
            value = value * 10 + (uint32_t)(*text - '0');
        if (digits == 0 || value > 255 || *text != (part < 3 ? '.' : '\0'))
            return -XEN_EINVAL;
        parsed = parsed << 8 | value;
        text += part < 3;
    }
    *ip = parsed;
    return 0;
}

static void put_ethernet(uint8_t *frame, const uint8_t *destination, const uint8_t *source, uint16_t ethertype)
{
    memcpy(frame, destination, NET_FRAME_ADDRESS_BYTES);
    memcpy(frame + NET_FRAME_ADDRESS_BYTES, source, NET_FRAME_ADDRESS_BYTES);
    put16(frame + 2 * NET_FRAME_ADDRESS_BYTES, ethertype);
}

size_t net_frame_build_arp(uint8_t *frame, uint16_t operation, const struct net_frame_endpoint *sender,
                           const struct net_frame_endpoint *target)
{
    uint8_t *arp = frame + NET_FRAME_ETHERNET_BYTES;
    const uint8_t *destination = operation == NET_FRAME_ARP_REQUEST ? net_frame_broadcast : target->address;

    put_ethernet(frame, destination, sender->address, NET_FRAME_ETHERTYPE_ARP);
    put16(arp, ARP_HARDWARE_ETHERNET);
    put16(arp + 2, NET_FRAME_ETHERTYPE_IPV4);
    arp[4] = NET_FRAME_ADDRESS_BYTES;
    arp[5] = 4;
    put16(arp + 6, operation);
    memcpy(arp + 8, sender->address, NET_FRAME_ADDRESS_BYTES);
    put32(arp + 14, sender->ip);
    if (operation == NET_FRAME_ARP_REQUEST)
        memset(arp + 18, 0, NET_FRAME_ADDRESS_BYTES);
    else
        memcpy(arp + 18, target->address, NET_FRAME_ADDRESS_BYTES);
    put32(arp + 24, target->ip);
    return NET_FRAME_ARP_BYTES;
}

size_t net_frame_build_echo(uint8_t *frame, const struct net_frame_endpoint *source,
                            const struct net_frame_endpoint *destination, const struct net_frame_echo *echo)
{
    uint8_t *ip = frame + NET_FRAME_ETHERNET_BYTES, *icmp = ip + NET_FRAME_IPV4_BYTES;
    size_t icmp_length = NET_FRAME_ICMP_BYTES + echo->data_length;

    if (echo->data_length > NET_FRAME_MAX_ECHO_DATA)
        return 0;
    put_ethernet(frame, destination->address, source->address, NET_FRAME_ETHERTYPE_IPV4);
    ip[0] = IPV4_VERSION_IHL;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(NET_FRAME_IPV4_BYTES + icmp_length));
    put16(ip + 4, echo->sequence);
    put16(ip + 6, IPV4_DONT_FRAGMENT);
    ip[8] = IPV4_TTL;
    ip[9] = IP_PROTOCOL_ICMP;
    put16(ip + 10, 0);
    put32(ip + 12, source->ip);
    put32(ip + 16, destination->ip);
    put16(ip + 10, checksum(ip, NET_FRAME_IPV4_BYTES));
    icmp[0] = echo->type;
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, echo->identifier);
    put16(icmp + 6, echo->sequence);
    memmove(icmp + NET_FRAME_ICMP_BYTES, echo->data, echo->data_length);
    put16(icmp + 2, checksum(icmp, icmp_length));
    return NET_FRAME_ETHERNET_BYTES + NET_FRAME_IPV4_BYTES + icmp_length;
}

static void parse_arp(const uint8_t *arp, size_t length, struct net_frame_parsed *parsed)
{
    if (length < NET_FRAME_ARP_BYTES - NET_FRAME_ETHERNET_BYTES || get16(arp) != ARP_HARDWARE_ETHERNET ||
        get16(arp + 2) != NET_FRAME_ETHERTYPE_IPV4 || arp[4] != NET_FRAME_ADDRESS_BYTES || arp[5] != 4)
        return;
    parsed->is_arp = true;
    parsed->arp.operation = get16(arp + 6);
    memcpy(parsed->arp.sender.address, arp + 8, NET_FRAME_ADDRESS_BYTES);
    parsed->arp.sender.ip = get32(arp + 14);
    memcpy(parsed->arp.target_address, arp + 18, NET_FRAME_ADDRESS_BYTES);
    parsed->arp.target_ip = get32(arp + 24);
}

static void parse_ipv4(const uint8_t *ip, size_t length, struct net_frame_parsed *parsed)
{
    size_t total;
    const uint8_t *icmp;

    if (length < NET_FRAME_IPV4_BYTES || ip[0] != IPV4_VERSION_IHL || ip[9] != IP_PROTOCOL_ICMP ||
        (get16(ip + 6) & IPV4_FRAGMENT_BITS & ~IPV4_DONT_FRAGMENT) != 0)
        return;
    total = get16(ip + 2);
    if (total < NET_FRAME_IPV4_BYTES + NET_FRAME_ICMP_BYTES || total > length)
        return;
    icmp = ip + NET_FRAME_IPV4_BYTES;
    parsed->is_echo = (icmp[0] == NET_FRAME_ICMP_ECHO_REQUEST || icmp[0] == NET_FRAME_ICMP_ECHO_REPLY) &&
                      icmp[1] == 0; /* code 0 */
    parsed->source_ip = get32(ip + 12);
    parsed->destination_ip = get32(ip + 16);
    parsed->checksums_valid = checksum(ip, NET_FRAME_IPV4_BYTES) == 0 &&
                              checksum(icmp, total - NET_FRAME_IPV4_BYTES) == 0;
    parsed->echo = (struct net_frame_echo){
        .type = icmp[0], .identifier = get16(icmp + 4), .sequence = get16(icmp + 6),
        .data = icmp + NET_FRAME_ICMP_BYTES, .data_length = total - NET_FRAME_IPV4_BYTES - NET_FRAME_ICMP_BYTES };
}

int net_frame_parse(const uint8_t *frame, size_t length, struct net_frame_parsed *parsed)
{
    memset(parsed, 0, sizeof(*parsed));
    if (length < NET_FRAME_ETHERNET_BYTES)
        return -XEN_EINVAL;
    memcpy(parsed->destination, frame, NET_FRAME_ADDRESS_BYTES);
    memcpy(parsed->source, frame + NET_FRAME_ADDRESS_BYTES, NET_FRAME_ADDRESS_BYTES);
    parsed->ethertype = get16(frame + 2 * NET_FRAME_ADDRESS_BYTES);
    if (parsed->ethertype == NET_FRAME_ETHERTYPE_ARP)
        parse_arp(frame + NET_FRAME_ETHERNET_BYTES, length - NET_FRAME_ETHERNET_BYTES, parsed);
    else if (parsed->ethertype == NET_FRAME_ETHERTYPE_IPV4)
        parse_ipv4(frame + NET_FRAME_ETHERNET_BYTES, length - NET_FRAME_ETHERNET_BYTES, parsed);
    return 0;
}

void net_frame_fill_data(uint8_t *data, size_t length, uint16_t sequence)
{
    uint32_t state = 0x9e3779b9u ^ sequence;

    for (size_t index = 0; index < length; index++) {
        state = state * 1103515245u + 12345u;
        data[index] = (uint8_t)(state >> 16);
    }
}
