/*
 * ARP and ICMP echo frames (see ipv4_frames.h): building and parsing.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "ipv4_frames.h"

#define ARP_HARDWARE_ETHERNET 1
#define IPV4_VERSION_AND_HEADER_WORDS 0x45
#define IPV4_TTL 64

static void write_be16(uint8_t *bytes, uint16_t value)
{
    bytes[0] = (uint8_t)(value >> 8);
    bytes[1] = (uint8_t)value;
}

static uint16_t read_be16(const uint8_t *bytes)
{
    return (uint16_t)(bytes[0] << 8 | bytes[1]);
}

static uint16_t checksum(const uint8_t *bytes, size_t length)
{
    return internet_checksum_finish(internet_checksum_add(0, bytes, length));
}

static uint8_t *write_ethernet_header(uint8_t *frame, const struct ethernet_address *destination,
                                      const struct ethernet_address *source, uint16_t ethertype)
{
    memcpy(frame, destination->bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(frame + ETHERNET_ADDRESS_BYTES, source->bytes, ETHERNET_ADDRESS_BYTES);
    write_be16(frame + 2 * ETHERNET_ADDRESS_BYTES, ethertype);
    return frame + ETHERNET_HEADER_BYTES;
}

uint32_t ipv4_frames_build_arp(uint8_t *frame, const struct ethernet_address *destination,
                               const struct arp_packet *packet)
{
    uint8_t *arp = write_ethernet_header(frame, destination, &packet->sender_hardware, ETHERTYPE_ARP);

    write_be16(arp, ARP_HARDWARE_ETHERNET);
    write_be16(arp + 2, ETHERTYPE_IPV4);
    arp[4] = ETHERNET_ADDRESS_BYTES;
    arp[5] = IPV4_ADDRESS_BYTES;
    write_be16(arp + 6, packet->operation);
    memcpy(arp + 8, packet->sender_hardware.bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(arp + 14, packet->sender.bytes, IPV4_ADDRESS_BYTES);
    memcpy(arp + 18, packet->target_hardware.bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(arp + 24, packet->target.bytes, IPV4_ADDRESS_BYTES);
    return ETHERNET_HEADER_BYTES + ARP_PACKET_BYTES;
}

uint32_t ipv4_frames_build_echo(uint8_t *frame, const struct ethernet_address *destination,
                                const struct ethernet_address *source, const struct echo_packet *packet)
{
    uint32_t icmp_bytes = ICMP_ECHO_HEADER_BYTES + packet->payload_bytes;
    uint8_t *ip, *icmp;

    if (packet->payload_bytes > ICMP_ECHO_MAX_PAYLOAD)
        return 0;
    ip = write_ethernet_header(frame, destination, source, ETHERTYPE_IPV4);
    icmp = ip + IPV4_HEADER_BYTES;
    memset(ip, 0, IPV4_HEADER_BYTES + ICMP_ECHO_HEADER_BYTES);
    ip[0] = IPV4_VERSION_AND_HEADER_WORDS;
    write_be16(ip + 2, (uint16_t)(IPV4_HEADER_BYTES + icmp_bytes));
    ip[8] = IPV4_TTL;
    ip[9] = IP_PROTOCOL_ICMP;
    memcpy(ip + 12, packet->source.bytes, IPV4_ADDRESS_BYTES);
    memcpy(ip + 16, packet->destination.bytes, IPV4_ADDRESS_BYTES);
    write_be16(ip + 10, checksum(ip, IPV4_HEADER_BYTES));
    icmp[0] = packet->type;
    write_be16(icmp + 4, packet->identifier);
    write_be16(icmp + 6, packet->sequence);
    memcpy(icmp + ICMP_ECHO_HEADER_BYTES, packet->payload, packet->payload_bytes);
    write_be16(icmp + 2, checksum(icmp, icmp_bytes));
    return ETHERNET_HEADER_BYTES + IPV4_HEADER_BYTES + icmp_bytes;
}

int ipv4_frames_parse_arp(const uint8_t *frame, uint32_t length, struct arp_packet *packet)
{
    struct ethernet_frame_info info;
    const uint8_t *arp;

    if (ethernet_parse(frame, length, &info) != 0 || info.vlan_tagged || info.ethertype != ETHERTYPE_ARP ||
        length - info.network_offset < ARP_PACKET_BYTES)
        return -XEN_EINVAL;
    arp = frame + info.network_offset;
    if (read_be16(arp) != ARP_HARDWARE_ETHERNET || read_be16(arp + 2) != ETHERTYPE_IPV4 ||
        arp[4] != ETHERNET_ADDRESS_BYTES || arp[5] != IPV4_ADDRESS_BYTES)
        return -XEN_EINVAL;
    packet->operation = read_be16(arp + 6);
    memcpy(packet->sender_hardware.bytes, arp + 8, ETHERNET_ADDRESS_BYTES);
    memcpy(packet->sender.bytes, arp + 14, IPV4_ADDRESS_BYTES);
    memcpy(packet->target_hardware.bytes, arp + 18, ETHERNET_ADDRESS_BYTES);
    memcpy(packet->target.bytes, arp + 24, IPV4_ADDRESS_BYTES);
    return 0;
}

int ipv4_frames_parse_echo(const uint8_t *frame, uint32_t length, struct echo_packet *packet)
{
    struct ethernet_frame_info info;
    const uint8_t *ip, *icmp;

    if (ethernet_parse(frame, length, &info) != 0 || info.vlan_tagged || info.ip_version != 4 ||
        info.transport_protocol != IP_PROTOCOL_ICMP || info.ipv4_fragment ||
        info.transport_offset - info.network_offset != IPV4_HEADER_BYTES ||
        info.transport_length < ICMP_ECHO_HEADER_BYTES)
        return -XEN_EINVAL;
    ip = frame + info.network_offset;
    icmp = frame + info.transport_offset;
    if ((icmp[0] != ICMP_ECHO_REQUEST && icmp[0] != ICMP_ECHO_REPLY) || icmp[1] != 0) /* code 0 */
        return -XEN_EINVAL;
    packet->type = icmp[0];
    memcpy(packet->source.bytes, ip + 12, IPV4_ADDRESS_BYTES);
    memcpy(packet->destination.bytes, ip + 16, IPV4_ADDRESS_BYTES);
    packet->identifier = read_be16(icmp + 4);
    packet->sequence = read_be16(icmp + 6);
    packet->payload = icmp + ICMP_ECHO_HEADER_BYTES;
    packet->payload_bytes = (uint32_t)(info.transport_length - ICMP_ECHO_HEADER_BYTES);
    packet->checksums_valid = checksum(ip, IPV4_HEADER_BYTES) == 0 && checksum(icmp, info.transport_length) == 0;
    return 0;
}
