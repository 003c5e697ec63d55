/*
 * Ethernet frames (see ethernet.h): bounds-checked parsing of the headers
 * dom0 looks at, and the transport checksum a frontend left blank.
 *
 * Owns: reading a frame's Ethernet II header (with at most one 802.1Q
 * tag), its IPv4 or IPv6 header, and the TCP or UDP checksum over them;
 * MAC addresses as values and as text.
 *
 * Rules kept:
 *   - Every offset is checked against the frame's length before a byte is
 *     read; an IP header's lengths are believed only as far as the frame
 *     holds them (Linux's ip_rcv_core and ipv6_rcv make the same checks:
 *     IHL >= 5, total length >= IHL * 4 and within the buffer).
 *   - The checksum is computed from scratch (RFC 1071) over the
 *     pseudo-header (RFC 768 and RFC 793 for IPv4, RFC 8200 8.1 for IPv6)
 *     and the transport segment with its checksum field taken as zero, as
 *     Linux's skb_checksum_help does once skb_checksum_setup found the
 *     headers; only whole, unfragmented TCP and UDP segments are filled.
 *   - A UDP checksum that comes out as 0 is sent as 0xffff (RFC 768); a
 *     UDP checksum of 0 means "none" over IPv4 only (RFC 8200 8.1).
 *   - The frame is written only once every check has passed.
 */
#include <pvmon/errno.h>
#include "ethernet.h"

#define IPV4_MINIMUM_HEADER_BYTES 20
#define IPV6_HEADER_BYTES 40
#define TCP_MINIMUM_HEADER_BYTES 20
#define UDP_HEADER_BYTES 8
#define TCP_CHECKSUM_OFFSET 16
#define UDP_CHECKSUM_OFFSET 6
#define IPV4_FLAG_MORE_FRAGMENTS 0x2000
#define IPV4_FRAGMENT_OFFSET_MASK 0x1fff

static uint16_t read_be16(const uint8_t *bytes)
{
    return (uint16_t)(bytes[0] << 8 | bytes[1]);
}

static void write_be16(uint8_t *bytes, uint16_t value)
{
    bytes[0] = (uint8_t)(value >> 8);
    bytes[1] = (uint8_t)value;
}

static void copy_address(struct ethernet_address *address, const uint8_t *bytes)
{
    for (unsigned int index = 0; index < ETHERNET_ADDRESS_BYTES; index++)
        address->bytes[index] = bytes[index];
}

/* IPv4 (RFC 791): IHL, total length and fragment fields, checked against the frame. */
static int parse_ipv4(const uint8_t *frame, size_t length, struct ethernet_frame_info *info)
{
    const uint8_t *header = frame + info->network_offset;
    size_t available = length - info->network_offset;
    size_t header_bytes, total_length;
    uint16_t fragment;

    if (available < IPV4_MINIMUM_HEADER_BYTES || header[0] >> 4 != 4)
        return -XEN_EINVAL;
    header_bytes = (size_t)(header[0] & 0x0f) * 4;
    total_length = read_be16(header + 2);
    if (header_bytes < IPV4_MINIMUM_HEADER_BYTES || total_length < header_bytes || total_length > available)
        return -XEN_EINVAL;
    fragment = read_be16(header + 6);
    info->ip_version = 4;
    info->transport_protocol = header[9];
    info->ipv4_fragment = (fragment & (IPV4_FLAG_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET_MASK)) != 0;
    info->transport_offset = info->network_offset + header_bytes;
    info->transport_length = total_length - header_bytes;
    return 0;
}

/* IPv6 (RFC 8200): the fixed header and its payload length, checked against the frame. */
static int parse_ipv6(const uint8_t *frame, size_t length, struct ethernet_frame_info *info)
{
    const uint8_t *header = frame + info->network_offset;
    size_t available = length - info->network_offset;
    size_t payload_length;

    if (available < IPV6_HEADER_BYTES || header[0] >> 4 != 6)
        return -XEN_EINVAL;
    payload_length = read_be16(header + 4);
    if (payload_length > available - IPV6_HEADER_BYTES)
        return -XEN_EINVAL;
    info->ip_version = 6;
    info->transport_protocol = header[6];
    info->transport_offset = info->network_offset + IPV6_HEADER_BYTES;
    info->transport_length = payload_length;
    return 0;
}

int ethernet_parse(const uint8_t *frame, size_t length, struct ethernet_frame_info *info)
{
    *info = (struct ethernet_frame_info) { 0 };
    if (length < ETHERNET_HEADER_BYTES)
        return -XEN_EINVAL;
    copy_address(&info->destination, frame);
    copy_address(&info->source, frame + ETHERNET_ADDRESS_BYTES);
    info->ethertype = read_be16(frame + 12);
    info->network_offset = ETHERNET_HEADER_BYTES;
    if (info->ethertype == ETHERTYPE_VLAN) {
        if (length < ETHERNET_HEADER_BYTES + ETHERNET_VLAN_TAG_BYTES)
            return -XEN_EINVAL;
        info->vlan_tagged = true;
        info->ethertype = read_be16(frame + 16);
        info->network_offset += ETHERNET_VLAN_TAG_BYTES;
    }
    if (info->ethertype == ETHERTYPE_IPV4)
        return parse_ipv4(frame, length, info);
    if (info->ethertype == ETHERTYPE_IPV6)
        return parse_ipv6(frame, length, info);
    return 0;
}

uint32_t internet_checksum_add(uint32_t sum, const uint8_t *bytes, size_t length)
{
    uint64_t total = sum;
    size_t index;

    for (index = 0; index + 1 < length; index += 2)
        total += read_be16(bytes + index);
    if (index < length)
        total += (uint32_t)bytes[index] << 8;
    /* 2^32 is 1 modulo 0xffff: folding to 32 bits keeps the ones'-complement sum. */
    while (total >> 32)
        total = (total & 0xffffffffu) + (total >> 32);
    return (uint32_t)total;
}

uint16_t internet_checksum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The pseudo-header's sum: RFC 768/793 for IPv4, RFC 8200 8.1 for IPv6. */
static uint32_t pseudo_header_sum(const uint8_t *frame, const struct ethernet_frame_info *info)
{
    const uint8_t *header = frame + info->network_offset;
    uint32_t sum = info->transport_protocol;

    sum += (uint32_t)(info->transport_length >> 16) + (uint32_t)(info->transport_length & 0xffff);
    if (info->ip_version == 4)
        return internet_checksum_add(sum, header + 12, 8);
    return internet_checksum_add(sum, header + 8, 32);
}

/* Where the checksum field of the frame's TCP or UDP segment is; false if there is none to fill. */
static bool checksum_field_offset(const struct ethernet_frame_info *info, size_t *offset)
{
    if (info->ip_version == 0 || info->ipv4_fragment)
        return false;
    if (info->transport_protocol == IP_PROTOCOL_TCP && info->transport_length >= TCP_MINIMUM_HEADER_BYTES) {
        *offset = TCP_CHECKSUM_OFFSET;
        return true;
    }
    if (info->transport_protocol == IP_PROTOCOL_UDP && info->transport_length >= UDP_HEADER_BYTES) {
        *offset = UDP_CHECKSUM_OFFSET;
        return true;
    }
    return false;
}

/* The segment's sum with its checksum field (at an even offset) taken as zero. */
static uint32_t segment_sum_without_field(const uint8_t *frame, const struct ethernet_frame_info *info,
                                          size_t field_offset)
{
    const uint8_t *segment = frame + info->transport_offset;
    uint32_t sum = pseudo_header_sum(frame, info);

    sum = internet_checksum_add(sum, segment, field_offset);
    return internet_checksum_add(sum, segment + field_offset + 2, info->transport_length - field_offset - 2);
}

int ethernet_fill_transport_checksum(uint8_t *frame, size_t length)
{
    struct ethernet_frame_info info;
    size_t field_offset;
    uint16_t checksum;
    int result = ethernet_parse(frame, length, &info);

    if (result != 0)
        return result;
    if (!checksum_field_offset(&info, &field_offset))
        return -XEN_EINVAL;
    checksum = internet_checksum_finish(segment_sum_without_field(frame, &info, field_offset));
    if (checksum == 0 && info.transport_protocol == IP_PROTOCOL_UDP)
        checksum = 0xffff;
    write_be16(frame + info.transport_offset + field_offset, checksum);
    return 0;
}

bool ethernet_transport_checksum_valid(const uint8_t *frame, size_t length)
{
    struct ethernet_frame_info info;
    size_t field_offset;
    const uint8_t *field;
    uint32_t sum;

    if (ethernet_parse(frame, length, &info) != 0 || !checksum_field_offset(&info, &field_offset))
        return false;
    field = frame + info.transport_offset + field_offset;
    if (read_be16(field) == 0 && info.transport_protocol == IP_PROTOCOL_UDP)
        return info.ip_version == 4;
    sum = internet_checksum_add(segment_sum_without_field(frame, &info, field_offset), field, 2);
    return internet_checksum_finish(sum) == 0;
}

bool ethernet_address_is_multicast(const struct ethernet_address *address)
{
    return (address->bytes[0] & 0x01) != 0;
}

bool ethernet_address_is_zero(const struct ethernet_address *address)
{
    for (unsigned int index = 0; index < ETHERNET_ADDRESS_BYTES; index++)
        if (address->bytes[index] != 0)
            return false;
    return true;
}

bool ethernet_address_equal(const struct ethernet_address *a, const struct ethernet_address *b)
{
    for (unsigned int index = 0; index < ETHERNET_ADDRESS_BYTES; index++)
        if (a->bytes[index] != b->bytes[index])
            return false;
    return true;
}

static int hex_digit_value(char digit)
{
    if (digit >= '0' && digit <= '9')
        return digit - '0';
    if (digit >= 'a' && digit <= 'f')
        return digit - 'a' + 10;
    if (digit >= 'A' && digit <= 'F')
        return digit - 'A' + 10;
    return -1;
}

int ethernet_address_parse(const char *text, struct ethernet_address *address)
{
    struct ethernet_address parsed;

    for (unsigned int index = 0; index < ETHERNET_ADDRESS_BYTES; index++) {
        const char *pair = text + index * 3;
        int high = hex_digit_value(pair[0]);
        int low = high < 0 ? -1 : hex_digit_value(pair[1]);
        char separator = index + 1 < ETHERNET_ADDRESS_BYTES ? ':' : '\0';

        if (low < 0 || pair[2] != separator)
            return -XEN_EINVAL;
        parsed.bytes[index] = (uint8_t)(high << 4 | low);
    }
    *address = parsed;
    return 0;
}

void ethernet_address_format(const struct ethernet_address *address, char text[18])
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned int index = 0; index < ETHERNET_ADDRESS_BYTES; index++) {
        text[index * 3] = digits[address->bytes[index] >> 4];
        text[index * 3 + 1] = digits[address->bytes[index] & 0x0f];
        text[index * 3 + 2] = index + 1 < ETHERNET_ADDRESS_BYTES ? ':' : '\0';
    }
}
