/*
 * The network packet fuzzer: LLVMFuzzerTestOneInput reads its input as a
 * sequence of operations on the pure parts of dom0's network path, each
 * fed what a hostile guest (or the outside world) could send:
 *   - frames (ethernet.h): random bytes, or Ethernet/VLAN/IPv4/IPv6/ARP
 *     headers with lengths, versions, fragment fields and protocols now
 *     right, now wrong, then truncated or padded.  Each frame sits in a
 *     heap block of exactly its length, so that AddressSanitizer stops a
 *     read or write one byte beyond it.  Parsing is compared with the
 *     harness's own reading of the headers; filling the checksum must
 *     leave every other byte alone, refuse exactly what cannot be filled
 *     (leaving the frame untouched) and give a sum that the harness's own
 *     ones'-complement sum finds right; the validity check agrees with
 *     the harness's.  The internet checksum is the same split or whole.
 *   - MAC addresses as text: what parses formats back to the same address.
 *   - the bridge (bridge.h), kept across the run: ports added (locked or
 *     not, in range or not) and removed, frames forwarded from any port
 *     with sources and destinations from a small set (group, zero, the
 *     locked ports' own, hosts) or fresh ones that fill the table, at a
 *     time that only moves on, sometimes by more than the ageing time.
 *     Against a model of the ports: add_port's result; where a frame goes
 *     (nothing from a port that is down, an invalid or spoofed source;
 *     flooding for group destinations; a locked port's address goes to it
 *     alone; a learnt one only to where the model last saw it, else a
 *     flood); after every step, a locked port's address is a static entry
 *     on its port and no other entry is static, every address is in the
 *     table once and only for a port that is up.
 *   - tx packets (netif_packet.h): slots fed one at a time (data slots of
 *     chosen offsets, sizes and flags; extras of any type) until the
 *     verdict comes, which must come within NETIF_PACKET_MAX_SLOTS.  Each
 *     verdict is compared with the harness's own reading of the whole
 *     slot list, written the way Linux 6.1's xenvif_tx_build_gops and
 *     xenvif_count_requests read it; a complete packet's segments stay in
 *     their pages and add up to its length; every slot's response is the
 *     right id and status.
 *   - the packet pool (packet_buffer.h): allocations, gets and puts
 *     (including puts on free buffers) against a model of the reference
 *     counts; after every step the free list holds exactly the buffers
 *     without references, each once.
 * Every call into the code under test is metered (work_meter.h): its work
 * must stay within a bound linear in what it is given (the frame's
 * length, the table's size).  Any violation aborts naming the step.
 *
 * Operation bytes: 0 kind, then what the kind needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <backend/bridge.h>
#include <backend/ethernet.h>
#include <backend/netif_packet.h>
#include <backend/packet_buffer.h>

#include "fuzz_input.h"
#include "fuzz_report.h"
#include "work_meter.h"

#define MAX_STEPS 300
#define FRAME_CAPACITY 2048
#define WORK_CONSTANT 200
#define WORK_PER_BYTE 4
#define WORK_PER_TABLE_ENTRY 64
#define POOL_PAGES 8
#define MODEL_ADDRESSES 16
#define FIXED_ADDRESSES 12
#define TX_PAGE_BYTES 4096u

enum operation_kind {
    OPERATION_RANDOM_FRAME,
    OPERATION_BUILT_FRAME,
    OPERATION_ADDRESS_TEXT,
    OPERATION_ADD_PORT,
    OPERATION_REMOVE_PORT,
    OPERATION_FORWARD,
    OPERATION_FORWARD_FRESH_SOURCE,
    OPERATION_TX_PACKET,
    OPERATION_POOL_ALLOCATE,
    OPERATION_POOL_GET,
    OPERATION_POOL_PUT,
    OPERATION_KINDS,
};

static const char *const operation_names[OPERATION_KINDS] = {
    "random frame", "built frame", "address text", "add port", "remove port", "forward",
    "forward from a fresh source", "tx packet", "pool allocate", "pool get", "pool put",
};

struct model_port {
    bool up;
    bool locked;
    struct ethernet_address address;
};

/* Where the model last saw an address of the fixed set as a source on an unlocked port. */
struct model_sighting {
    struct ethernet_address address;
    bool seen;
    unsigned int port;
    uint64_t time_ns;
};

struct world {
    struct bridge bridge;
    struct model_port ports[BRIDGE_PORTS];
    struct model_sighting sightings[MODEL_ADDRESSES];
    unsigned int sighting_count;
    unsigned int fresh_addresses;
    uint64_t now_ns;
    struct packet_pool pool;
    unsigned int references[POOL_PAGES];
    uint64_t exhausted;
    unsigned int step;
    const char *operation;
};

static struct world world;
static uint8_t pool_pages[POOL_PAGES][PACKET_BUFFER_BYTES];

#define violation(...) fuzz_report_violation("net-packet", world.step, world.operation, __VA_ARGS__)

static uint16_t be16(const uint8_t *bytes)
{
    return (uint16_t)(bytes[0] << 8 | bytes[1]);
}

static void put_be16(uint8_t *bytes, uint16_t value)
{
    bytes[0] = (uint8_t)(value >> 8);
    bytes[1] = (uint8_t)value;
}

static void check_work(const char *what, uint64_t bound)
{
    if (work_meter_blocks() > bound)
        violation("%s took %lu basic blocks, more than %lu", what, (unsigned long)work_meter_blocks(),
                  (unsigned long)bound);
}

/* ---- frames: the harness's own reading of the headers ---- */

struct reference_frame {
    bool parses;
    uint16_t ethertype;
    bool vlan_tagged;
    size_t network_offset;
    uint8_t ip_version;
    uint8_t protocol;
    bool fragment;
    size_t transport_offset;
    size_t transport_length;
};

static struct reference_frame reference_parse(const uint8_t *frame, size_t length)
{
    struct reference_frame reference = { 0 };
    const uint8_t *ip;

    if (length < 14)
        return reference;
    reference.ethertype = be16(frame + 12);
    reference.network_offset = 14;
    if (reference.ethertype == 0x8100) {
        if (length < 18)
            return reference;
        reference.vlan_tagged = true;
        reference.ethertype = be16(frame + 16);
        reference.network_offset = 18;
    }
    ip = frame + reference.network_offset;
    if (reference.ethertype == 0x0800) {
        size_t header, total;

        if (length < reference.network_offset + 20)
            return reference;
        header = (size_t)(ip[0] & 15) * 4;
        total = be16(ip + 2);
        if (ip[0] >> 4 != 4 || header < 20 || total < header || reference.network_offset + total > length)
            return reference;
        reference.ip_version = 4;
        reference.protocol = ip[9];
        reference.fragment = (be16(ip + 6) & 0x3fff) != 0;
        reference.transport_offset = reference.network_offset + header;
        reference.transport_length = total - header;
    } else if (reference.ethertype == 0x86dd) {
        if (length < reference.network_offset + 40 || ip[0] >> 4 != 6 ||
            reference.network_offset + 40 + be16(ip + 4) > length)
            return reference;
        reference.ip_version = 6;
        reference.protocol = ip[6];
        reference.transport_offset = reference.network_offset + 40;
        reference.transport_length = be16(ip + 4);
    }
    reference.parses = true;
    return reference;
}

/* The checksum field's offset in the transport segment, or 0 if there is none to fill. */
static size_t reference_field(const struct reference_frame *reference)
{
    if (!reference->parses || reference->ip_version == 0 || reference->fragment)
        return 0;
    if (reference->protocol == 6 && reference->transport_length >= 20)
        return 16;
    if (reference->protocol == 17 && reference->transport_length >= 8)
        return 6;
    return 0;
}

/* The ones'-complement sum, folded, of the pseudo-header and the segment as it stands. */
static uint16_t reference_folded_sum(const uint8_t *frame, const struct reference_frame *reference)
{
    const uint8_t *ip = frame + reference->network_offset;
    uint64_t sum = reference->protocol + (reference->transport_length >> 16) + (reference->transport_length & 0xffff);
    size_t address_offset = reference->ip_version == 4 ? 12 : 8;
    size_t address_bytes = reference->ip_version == 4 ? 8 : 32;

    for (size_t index = 0; index < address_bytes; index += 2)
        sum += be16(ip + address_offset + index);
    for (size_t index = 0; index < reference->transport_length; index++)
        sum += index % 2 == 0 ? (uint64_t)frame[reference->transport_offset + index] << 8
                              : frame[reference->transport_offset + index];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static bool reference_valid(const uint8_t *frame, const struct reference_frame *reference)
{
    size_t field = reference_field(reference);

    if (field == 0)
        return false;
    if (reference->protocol == 17 && be16(frame + reference->transport_offset + field) == 0)
        return reference->ip_version == 4;
    return reference_folded_sum(frame, reference) == 0xffff;
}

static void check_parse(const uint8_t *frame, size_t length, const struct reference_frame *reference)
{
    struct ethernet_frame_info info;
    int result;

    work_meter_reset();
    result = ethernet_parse(frame, length, &info);
    check_work("parsing", WORK_CONSTANT);
    if ((result == 0) != reference->parses || (result != 0 && result != -XEN_EINVAL))
        violation("parse of %zu bytes gave %d, the harness reads it as %s", length, result,
                  reference->parses ? "well formed" : "malformed");
    if (result != 0)
        return;
    if (memcmp(info.destination.bytes, frame, 6) != 0 || memcmp(info.source.bytes, frame + 6, 6) != 0)
        violation("parsed addresses differ from the frame's");
    if (info.ethertype != reference->ethertype || info.vlan_tagged != reference->vlan_tagged ||
        info.network_offset != reference->network_offset || info.ip_version != reference->ip_version)
        violation("parsed ethertype %#x vlan %d network %zu version %u, the harness reads %#x %d %zu %u",
                  info.ethertype, info.vlan_tagged, info.network_offset, info.ip_version, reference->ethertype,
                  reference->vlan_tagged, reference->network_offset, reference->ip_version);
    if (info.ip_version != 0 &&
        (info.transport_protocol != reference->protocol || info.ipv4_fragment != reference->fragment ||
         info.transport_offset != reference->transport_offset ||
         info.transport_length != reference->transport_length))
        violation("parsed transport %u at %zu for %zu (fragment %d), the harness reads %u at %zu for %zu (%d)",
                  info.transport_protocol, info.transport_offset, info.transport_length, info.ipv4_fragment,
                  reference->protocol, reference->transport_offset, reference->transport_length,
                  reference->fragment);
    if (info.ip_version != 0 && info.transport_offset + info.transport_length > length)
        violation("the transport segment runs past the frame");
}

static void check_fill(uint8_t *frame, size_t length, const struct reference_frame *reference)
{
    static uint8_t before[FRAME_CAPACITY];
    size_t field = reference_field(reference);
    bool was_valid = reference_valid(frame, reference);
    int result;

    work_meter_reset();
    if (ethernet_transport_checksum_valid(frame, length) != was_valid)
        violation("validity %d, the harness finds %d", !was_valid, was_valid);
    check_work("checking the checksum", WORK_CONSTANT + WORK_PER_BYTE * (uint64_t)length);
    memcpy(before, frame, length);
    work_meter_reset();
    result = ethernet_fill_transport_checksum(frame, length);
    check_work("filling the checksum", WORK_CONSTANT + WORK_PER_BYTE * (uint64_t)length);
    if (field == 0) {
        if (result != -XEN_EINVAL)
            violation("filled (%d) a frame without a checksum to fill", result);
        if (memcmp(before, frame, length) != 0)
            violation("a refused frame was changed");
        return;
    }
    if (result != 0)
        violation("refused (%d) a fillable frame", result);
    for (size_t index = 0; index < length; index++)
        if (frame[index] != before[index] && index != reference->transport_offset + field &&
            index != reference->transport_offset + field + 1)
            violation("filling changed byte %zu, not the checksum field", index);
    if (!reference_valid(frame, reference))
        violation("the filled checksum %#x is wrong", be16(frame + reference->transport_offset + field));
    if (reference->protocol == 17 && be16(frame + reference->transport_offset + field) == 0)
        violation("a UDP checksum was filled as 0");
    if (!ethernet_transport_checksum_valid(frame, length))
        violation("the filled frame is not valid by ethernet_transport_checksum_valid");
}

/* The sum of bytes whole and split at an even offset agree, and with the harness's own. */
static void check_internet_checksum(const uint8_t *bytes, size_t length, size_t split)
{
    uint64_t reference = 0;
    uint32_t whole, halves;

    split &= ~(size_t)1;
    if (split > length)
        split = length & ~(size_t)1;
    for (size_t index = 0; index < length; index++)
        reference += index % 2 == 0 ? (uint64_t)bytes[index] << 8 : bytes[index];
    while (reference >> 16)
        reference = (reference & 0xffff) + (reference >> 16);
    work_meter_reset();
    whole = internet_checksum_add(0, bytes, length);
    halves = internet_checksum_add(internet_checksum_add(0, bytes, split), bytes + split, length - split);
    check_work("summing", WORK_CONSTANT + WORK_PER_BYTE * (uint64_t)length);
    if (internet_checksum_finish(whole) != internet_checksum_finish(halves))
        violation("the sum split at %zu differs from the whole", split);
    if (internet_checksum_finish(whole) != (uint16_t)~reference)
        violation("checksum %#x, the harness computes %#x", internet_checksum_finish(whole), (uint16_t)~reference);
}

/* Runs every frame check on bytes[0, length) copied into a heap block of exactly that length. */
static void check_frame(const uint8_t *bytes, size_t length)
{
    uint8_t *frame = malloc(length == 0 ? 1 : length);
    struct reference_frame reference;

    if (frame == NULL)
        violation("out of host memory");
    memcpy(frame, bytes, length);
    reference = reference_parse(frame, length);
    check_parse(frame, length, &reference);
    check_fill(frame, length, &reference);
    free(frame);
}

/* Fills bytes: the first few from the input, the rest from a generator the input seeds, so that a long
 * frame costs the input a few bytes only. */
static void fill_bytes(struct fuzz_input *input, uint8_t *bytes, size_t length)
{
    size_t direct = length < 64 ? length : 64;
    uint32_t state = (uint32_t)fuzz_input_bytes(input, 4) | 1;

    for (size_t index = 0; index < direct; index++)
        bytes[index] = fuzz_input_byte(input);
    for (size_t index = direct; index < length; index++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes[index] = (uint8_t)state;
    }
}

static void do_random_frame(struct fuzz_input *input)
{
    static uint8_t bytes[FRAME_CAPACITY];
    size_t length = fuzz_input_bytes(input, 2) % FRAME_CAPACITY;
    size_t split = fuzz_input_bytes(input, 2);

    fill_bytes(input, bytes, length);
    check_internet_checksum(bytes, length, split % (length + 1));
    check_frame(bytes, length);
}

/* A length: mostly the right one, sometimes near it, sometimes anything. */
static uint16_t chosen_length(struct fuzz_input *input, uint16_t right)
{
    uint8_t choice = fuzz_input_byte(input);

    if (choice < 160)
        return right;
    if (choice < 240)
        return (uint16_t)(right + (choice % 9) - 4);
    return (uint16_t)fuzz_input_bytes(input, 2);
}

static uint8_t chosen_protocol(struct fuzz_input *input)
{
    static const uint8_t protocols[] = { IP_PROTOCOL_TCP, IP_PROTOCOL_UDP, IP_PROTOCOL_ICMP, IP_PROTOCOL_ICMPV6, 0 };
    uint8_t choice = fuzz_input_byte(input);

    return choice < 250 ? protocols[choice % sizeof(protocols)] : fuzz_input_byte(input);
}

/* Writes an IPv4 or IPv6 header at ip for a payload of payload bytes; its length. */
static size_t build_ip_header(struct fuzz_input *input, uint8_t *ip, bool version_6, size_t payload)
{
    if (version_6) {
        ip[0] = fuzz_input_byte(input) < 250 ? 0x60 : fuzz_input_byte(input);
        put_be16(ip + 4, chosen_length(input, (uint16_t)payload));
        ip[6] = chosen_protocol(input);
        ip[7] = 64;
        for (unsigned int index = 8; index < 40; index++)
            ip[index] = fuzz_input_byte(input);
        return 40;
    }
    {
        uint8_t version_and_length = fuzz_input_byte(input) < 230 ? 0x45 : fuzz_input_byte(input);
        size_t header = (size_t)(version_and_length & 15) * 4;

        if (header < 20)
            header = 20;
        ip[0] = version_and_length;
        put_be16(ip + 2, chosen_length(input, (uint16_t)(header + payload)));
        put_be16(ip + 6, fuzz_input_byte(input) < 220 ? 0x4000 : (uint16_t)fuzz_input_bytes(input, 2));
        ip[8] = 64;
        ip[9] = chosen_protocol(input);
        for (size_t index = 12; index < header; index++)
            ip[index] = fuzz_input_byte(input);
        return header;
    }
}

/* Sets the word after the checksum field so that the segment sums to zero: a UDP checksum must then be
 * sent as 0xffff. */
static void force_zero_sum(uint8_t *bytes, size_t length)
{
    struct reference_frame reference = reference_parse(bytes, length);
    size_t field = reference_field(&reference), word;

    if (field == 0 || reference.transport_length < field + 4)
        return;
    word = reference.transport_offset + field + 2;
    put_be16(bytes + reference.transport_offset + field, 0);
    put_be16(bytes + word, 0);
    put_be16(bytes + word, (uint16_t)(0xffff - reference_folded_sum(bytes, &reference)));
}

static void do_built_frame(struct fuzz_input *input)
{
    static uint8_t bytes[FRAME_CAPACITY];
    static const uint16_t ethertypes[] = { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_ARP, 0x88b5 };
    uint8_t shape = fuzz_input_byte(input);
    uint16_t ethertype = ethertypes[shape % 4];
    size_t offset = 14, payload = fuzz_input_bytes(input, 2) % 1600, length;

    memset(bytes, 0, sizeof(bytes));
    for (unsigned int index = 0; index < 12; index++)
        bytes[index] = fuzz_input_byte(input);
    if (shape & 4) {
        put_be16(bytes + 12, ETHERTYPE_VLAN);
        put_be16(bytes + 14, (uint16_t)fuzz_input_bytes(input, 2));
        offset = 18;
    }
    put_be16(bytes + offset - 2, (shape & 0x18) == 0x18 ? ETHERTYPE_VLAN : ethertype);
    if (ethertype == ETHERTYPE_IPV4 || ethertype == ETHERTYPE_IPV6)
        offset += build_ip_header(input, bytes + offset, ethertype == ETHERTYPE_IPV6, payload);
    length = offset + payload;
    fill_bytes(input, bytes + offset, payload);
    /* Padded (Ethernet's minimum), exact, or cut short. */
    if (shape & 0x20)
        length += fuzz_input_byte(input) % 16;
    else if (shape & 0x40)
        length -= fuzz_input_byte(input) % (length + 1);
    if (length > FRAME_CAPACITY)
        length = FRAME_CAPACITY;
    if (shape & 0x80)
        force_zero_sum(bytes, length);
    check_frame(bytes, length);
}

/* ---- MAC addresses as text ---- */

static void do_address_text(struct fuzz_input *input)
{
    static const char hex[] = "0123456789abcdefABCDEF:-x";
    char text[24], formatted[18];
    size_t length = fuzz_input_byte(input) % 20;
    struct ethernet_address address, again;

    for (size_t index = 0; index < length; index++) {
        uint8_t choice = fuzz_input_byte(input);

        text[index] = (char)(index % 3 == 2 && choice < 200 ? ':' : hex[choice % (sizeof(hex) - 1)]);
    }
    text[length] = '\0';
    if (ethernet_address_parse(text, &address) != 0)
        return;
    if (length != 17)
        violation("\"%s\" (%zu characters) parsed", text, length);
    ethernet_address_format(&address, formatted);
    for (size_t index = 0; index < 17; index++)
        if (formatted[index] != (text[index] >= 'A' && text[index] <= 'F' ? text[index] - 'A' + 'a' : text[index]))
            violation("\"%s\" formats back as \"%s\"", text, formatted);
    if (formatted[17] != '\0' || ethernet_address_parse(formatted, &again) != 0 ||
        memcmp(&again, &address, sizeof(address)) != 0)
        violation("\"%s\" does not parse back to the same address", formatted);
}

/* ---- the bridge ---- */

static bool same_address(const struct ethernet_address *a, const struct ethernet_address *b)
{
    return memcmp(a->bytes, b->bytes, ETHERNET_ADDRESS_BYTES) == 0;
}

static bool group_or_zero(const struct ethernet_address *address)
{
    static const struct ethernet_address zero = { { 0 } };

    return (address->bytes[0] & 1) != 0 || same_address(address, &zero);
}

/* An address of the small set: broadcast, multicast, zero, vifs 00:16:3e:00:00:0N, hosts 52:54:00:00:00:0N. */
static struct ethernet_address chosen_address(struct fuzz_input *input)
{
    uint8_t choice = fuzz_input_byte(input) % FIXED_ADDRESSES;

    switch (choice) {
    case 0: return (struct ethernet_address) { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
    case 1: return (struct ethernet_address) { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
    case 2: return (struct ethernet_address) { { 0 } };
    default:
        if (choice < 7)
            return (struct ethernet_address) { { 0x00, 0x16, 0x3e, 0x00, 0x00, choice } };
        return (struct ethernet_address) { { 0x52, 0x54, 0x00, 0x00, 0x00, choice } };
    }
}

static bridge_port_set model_flood(unsigned int port)
{
    bridge_port_set ports = 0;

    for (unsigned int index = 0; index < BRIDGE_PORTS; index++)
        if (world.ports[index].up && index != port)
            ports |= (bridge_port_set)1 << index;
    return ports;
}

static int model_locked_port(const struct ethernet_address *address)
{
    for (unsigned int port = 0; port < BRIDGE_PORTS; port++)
        if (world.ports[port].up && world.ports[port].locked && same_address(&world.ports[port].address, address))
            return (int)port;
    return -1;
}

static struct model_sighting *model_sighting_of(const struct ethernet_address *address)
{
    for (unsigned int index = 0; index < world.sighting_count; index++)
        if (same_address(&world.sightings[index].address, address))
            return &world.sightings[index];
    if (world.sighting_count == MODEL_ADDRESSES)
        return NULL;
    world.sightings[world.sighting_count] = (struct model_sighting) { .address = *address };
    return &world.sightings[world.sighting_count++];
}

/* Mostly one of the first few ports, sometimes any, out of range included. */
static unsigned int chosen_port(struct fuzz_input *input)
{
    uint8_t choice = fuzz_input_byte(input);

    return choice < 192 ? choice % 8u : choice % (BRIDGE_PORTS + 2u);
}

static void do_add_port(struct fuzz_input *input)
{
    unsigned int port = chosen_port(input);
    bool locked = (fuzz_input_byte(input) & 3) != 0;
    struct ethernet_address address = chosen_address(input);
    int expected, result;

    if (port >= BRIDGE_PORTS || world.ports[port].up || (locked && group_or_zero(&address)))
        expected = -XEN_EINVAL;
    else if (locked && model_locked_port(&address) >= 0)
        expected = -XEN_EEXIST;
    else
        expected = 0;
    work_meter_reset();
    result = bridge_add_port(&world.bridge, port, locked ? &address : NULL);
    check_work("adding a port", WORK_CONSTANT + WORK_PER_TABLE_ENTRY * (uint64_t)BRIDGE_TABLE_ENTRIES);
    if (result != expected)
        violation("adding port %u (locked %d) gave %d, the model expects %d", port, locked, result, expected);
    if (result == 0)
        world.ports[port] = (struct model_port) { .up = true, .locked = locked, .address = address };
}

static void do_remove_port(struct fuzz_input *input)
{
    unsigned int port = chosen_port(input);

    work_meter_reset();
    bridge_remove_port(&world.bridge, port);
    check_work("removing a port", WORK_CONSTANT + WORK_PER_TABLE_ENTRY * (uint64_t)BRIDGE_TABLE_ENTRIES);
    if (port >= BRIDGE_PORTS)
        return;
    world.ports[port] = (struct model_port) { 0 };
    for (unsigned int index = 0; index < world.sighting_count; index++)
        if (world.sightings[index].seen && world.sightings[index].port == port)
            world.sightings[index].seen = false;
}

/* Where the model says the frame may go: *exact if only one answer is right, else either it or a flood. */
static bridge_port_set model_forward(unsigned int port, const struct ethernet_address *source,
                                     const struct ethernet_address *destination, bool *exact)
{
    int locked_port = model_locked_port(destination);
    struct model_sighting *sighting;

    *exact = true;
    if (port >= BRIDGE_PORTS || !world.ports[port].up || group_or_zero(source) ||
        (world.ports[port].locked && !same_address(source, &world.ports[port].address)))
        return 0;
    /* The fresh sources (02:00:...) are never destinations: the model follows the fixed set only. */
    if (!world.ports[port].locked && model_locked_port(source) < 0 && source->bytes[0] != 0x02 &&
        (sighting = model_sighting_of(source)))
        *sighting = (struct model_sighting) { .address = *source, .seen = true, .port = port, .time_ns = world.now_ns };
    if ((destination->bytes[0] & 1) != 0)
        return model_flood(port);
    if (locked_port >= 0)
        return (unsigned int)locked_port == port ? 0 : (bridge_port_set)1 << locked_port;
    sighting = model_sighting_of(destination);
    if (sighting == NULL || !sighting->seen || world.now_ns - sighting->time_ns >= BRIDGE_AGEING_NS)
        return model_flood(port);
    *exact = false; /* the entry may have been given up to a full table */
    return sighting->port == port ? 0 : (bridge_port_set)1 << sighting->port;
}

static void forward(unsigned int port, const struct ethernet_address *source, const struct ethernet_address *destination)
{
    bool exact;
    bridge_port_set expected = model_forward(port, source, destination, &exact), result;

    work_meter_reset();
    result = bridge_forward(&world.bridge, port, source, destination, world.now_ns);
    check_work("forwarding", WORK_CONSTANT + WORK_PER_TABLE_ENTRY * (uint64_t)(BRIDGE_TABLE_ENTRIES + BRIDGE_PORTS));
    if (result != expected && (exact || result != model_flood(port)))
        violation("a frame from port %u went to %#x, the model expects %#x%s", port, result, expected,
                  exact ? "" : " or a flood");
}

/* Time moves on: mostly by little, sometimes past the ageing time. */
static void advance_time(struct fuzz_input *input)
{
    uint8_t choice = fuzz_input_byte(input);

    if (choice == 0xff)
        world.now_ns += BRIDGE_AGEING_NS + fuzz_input_bytes(input, 4);
    else
        world.now_ns += (uint64_t)choice * 1000000000ull / 16;
}

static void do_forward(struct fuzz_input *input)
{
    unsigned int port = chosen_port(input);
    struct ethernet_address source = chosen_address(input), destination = chosen_address(input);

    advance_time(input);
    forward(port, &source, &destination);
}

/* Sources never seen before, from one port: enough of them, now and then, to fill the table. */
static void do_forward_fresh_source(struct fuzz_input *input)
{
    uint8_t choice = fuzz_input_byte(input);
    unsigned int count = choice < 32 ? BRIDGE_TABLE_ENTRIES + 44 : choice % 64;
    unsigned int port = fuzz_input_byte(input) % 4;
    struct ethernet_address destination = chosen_address(input);

    for (unsigned int index = 0; index < count; index++) {
        unsigned int fresh = ++world.fresh_addresses;
        struct ethernet_address source = { { 0x02, 0x00, (uint8_t)(fresh >> 24), (uint8_t)(fresh >> 16),
                                             (uint8_t)(fresh >> 8), (uint8_t)fresh } };

        forward(port, &source, &destination);
    }
}

static void check_bridge(void)
{
    int static_entries = 0;

    for (unsigned int index = 0; index < BRIDGE_TABLE_ENTRIES; index++) {
        const struct bridge_entry *entry = &world.bridge.table[index];

        if (!entry->in_use)
            continue;
        if (entry->port >= BRIDGE_PORTS || !world.ports[entry->port].up)
            violation("entry %u is on port %u, which is not up", index, entry->port);
        if (group_or_zero(&entry->address))
            violation("entry %u holds a group or zero address", index);
        if (entry->is_static) {
            static_entries++;
            if (model_locked_port(&entry->address) != entry->port)
                violation("static entry %u is not its locked port's address", index);
        } else if (world.ports[entry->port].locked) {
            violation("dynamic entry %u is on locked port %u", index, entry->port);
        }
        for (unsigned int other = index + 1; other < BRIDGE_TABLE_ENTRIES; other++)
            if (world.bridge.table[other].in_use && same_address(&world.bridge.table[other].address, &entry->address))
                violation("entries %u and %u hold the same address", index, other);
    }
    for (unsigned int port = 0; port < BRIDGE_PORTS; port++) {
        unsigned int found;

        if (world.bridge.ports[port].up != world.ports[port].up)
            violation("port %u is %s, the model says %s", port, world.bridge.ports[port].up ? "up" : "down",
                      world.ports[port].up ? "up" : "down");
        if (!world.ports[port].up || !world.ports[port].locked)
            continue;
        static_entries--;
        if (bridge_lookup(&world.bridge, &world.ports[port].address, world.now_ns, &found) != 0 || found != port)
            violation("locked port %u's address is not found on it", port);
    }
    if (static_entries != 0)
        violation("there are static entries for ports that are not locked");
}

/* ---- tx packets ---- */

/* The harness's reading of slots[0, count), as Linux's xenvif_tx_build_gops and xenvif_count_requests go
 * through a whole packet, with this backend's own refusals (any extra, a frame too long) last. */
static enum netif_packet_verdict reference_verdict(const union netif_tx_slot *slots, unsigned int count)
{
    const struct netif_tx_request *first = &slots[0].request;
    bool seen[XEN_NETIF_EXTRA_TYPE_MAX] = { false }, any_extra = false, drop = false;
    unsigned int next = 1, follow_on = 0;
    long remaining = first->size;

    if (first->flags & NETTXF_extra_info) {
        const struct netif_extra_info *extra;

        do {
            if (next >= count)
                return NETIF_PACKET_NEED_MORE;
            extra = &slots[next++].extra;
            if (extra->type == 0 || extra->type >= XEN_NETIF_EXTRA_TYPE_MAX || seen[extra->type])
                return NETIF_PACKET_FATAL;
            seen[extra->type] = any_extra = true;
        } while (extra->flags & XEN_NETIF_EXTRA_FLAG_MORE);
    }
    if (first->flags & NETTXF_more_data) {
        const struct netif_tx_request *request;

        do {
            if (follow_on >= NETIF_PACKET_FATAL_SLOTS)
                return NETIF_PACKET_FATAL;
            if (follow_on >= NETIF_PACKET_DROP_SLOTS)
                drop = true;
            if (next >= count)
                return NETIF_PACKET_NEED_MORE;
            request = &slots[next++].request;
            if (!drop && request->size > remaining)
                drop = true;
            remaining -= request->size;
            follow_on++;
            if ((unsigned int)request->offset + request->size > TX_PAGE_BYTES)
                return NETIF_PACKET_FATAL;
        } while (request->flags & NETTXF_more_data);
    }
    if (drop || remaining < ETHERNET_HEADER_BYTES)
        return NETIF_PACKET_DROP;
    if (first->offset + remaining > TX_PAGE_BYTES)
        return NETIF_PACKET_FATAL;
    if (any_extra || first->size > ETHERNET_MAX_FRAME_BYTES)
        return NETIF_PACKET_DROP;
    return NETIF_PACKET_COMPLETE;
}

static uint16_t chosen_slot_number(struct fuzz_input *input)
{
    static const uint16_t interesting[] = { 0, 1, 13, 14, 60, 100, 1000, 1514, 1518, 1519, 2048, 4000, 4082, 4095,
                                             4096, 65535 };
    uint8_t choice = fuzz_input_byte(input);

    return choice < 200 ? interesting[choice % 16] : (uint16_t)fuzz_input_bytes(input, 2);
}

/* A slot as a frontend might send it: mostly a plausible one (a first slot of a frame's size, follow-on
 * slots of small sizes, all inside their pages, more_data as `more` says but 1 time in 16), sometimes
 * interesting or any numbers (1 in 16); extras of any type, valid ones mostly. */
static union netif_tx_slot chosen_slot(struct fuzz_input *input, bool first, bool extra_expected, bool more)
{
    union netif_tx_slot slot;
    uint8_t flags = fuzz_input_byte(input), shape = fuzz_input_byte(input);

    memset(&slot, 0, sizeof(slot));
    if (extra_expected) {
        slot.extra.type = flags % 8 < 6 ? flags % 8 : fuzz_input_byte(input);
        slot.extra.flags = (flags & 0x80) ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
        return slot;
    }
    slot.request.gref = (grant_ref_t)fuzz_input_bytes(input, 2);
    slot.request.id = (uint16_t)fuzz_input_bytes(input, 2);
    if (shape < 240) {
        slot.request.offset = (uint16_t)(fuzz_input_byte(input) * 8);
        slot.request.size = first ? (uint16_t)(14 + fuzz_input_bytes(input, 2) % 1600) : fuzz_input_byte(input) % 64;
    } else {
        slot.request.offset = chosen_slot_number(input);
        slot.request.size = chosen_slot_number(input);
    }
    slot.request.flags = (uint16_t)(flags & (NETTXF_csum_blank | NETTXF_data_validated));
    if (more != ((flags & 0xf0) == 0xf0))
        slot.request.flags |= NETTXF_more_data;
    if (first && (flags & 0x88) == 0x88)
        slot.request.flags |= NETTXF_extra_info;
    return slot;
}

static void check_complete_packet(const struct netif_packet *packet, const union netif_tx_slot *slots)
{
    uint32_t total = 0;

    if (packet->length != slots[0].request.size || packet->length > ETHERNET_MAX_FRAME_BYTES)
        violation("a complete packet of %u bytes, its first slot says %u", packet->length, slots[0].request.size);
    if (packet->checksum_blank != ((slots[0].request.flags & NETTXF_csum_blank) != 0))
        violation("checksum_blank does not follow the first slot's flag");
    if (packet->segments[0].length < ETHERNET_HEADER_BYTES)
        violation("a complete packet's first slot holds %u bytes", packet->segments[0].length);
    for (unsigned int index = 0; index < packet->segment_count; index++) {
        if ((uint32_t)packet->segments[index].offset + packet->segments[index].length > TX_PAGE_BYTES)
            violation("segment %u leaves its page", index);
        total += packet->segments[index].length;
    }
    if (total != packet->length)
        violation("segments add up to %u, the packet is %u", total, packet->length);
}

static void check_responses(const struct netif_packet *packet, const union netif_tx_slot *slots,
                            const bool *slot_is_extra, int16_t status)
{
    unsigned int data = 0;

    for (unsigned int index = 0; index < packet->slot_count; index++) {
        struct netif_tx_response response = netif_packet_response(packet, index, status);

        if (packet->response_is_extra[index] != slot_is_extra[index])
            violation("slot %u is%s taken as an extra", index, slot_is_extra[index] ? " not" : "");
        if (slot_is_extra[index]) {
            if (response.status != NETIF_RSP_NULL)
                violation("extra slot %u answered %d", index, response.status);
            continue;
        }
        if (response.id != slots[index].request.id || response.status != status)
            violation("slot %u answered id %u status %d, expected id %u status %d", index, response.id,
                      response.status, slots[index].request.id, status);
        if (packet->segments[data].gref != slots[index].request.gref)
            violation("segment %u has gref %u, its slot %u", data, packet->segments[data].gref,
                      slots[index].request.gref);
        data++;
    }
    if (data != packet->segment_count)
        violation("%u data responses for %u segments", data, packet->segment_count);
}

static void do_tx_packet(struct fuzz_input *input)
{
    static struct netif_packet packet;
    union netif_tx_slot slots[NETIF_PACKET_MAX_SLOTS];
    bool slot_is_extra[NETIF_PACKET_MAX_SLOTS];
    enum netif_packet_verdict verdict = NETIF_PACKET_NEED_MORE, expected;
    static const unsigned int interesting_lengths[] = { 0, 1, 2, 17, 18, 19, 20, 21 };
    uint8_t choice = fuzz_input_byte(input);
    /* Follow-on slots the frontend means to send: the limits' neighbours often. */
    unsigned int follow_on = choice < 128 ? interesting_lengths[choice % 8] : choice % 24, data_slots = 0;
    unsigned int count = 0;
    bool extra_expected = false;

    netif_packet_start(&packet);
    while (verdict == NETIF_PACKET_NEED_MORE) {
        if (count == NETIF_PACKET_MAX_SLOTS)
            violation("still undecided after %u slots", count);
        slots[count] = chosen_slot(input, count == 0, extra_expected, data_slots < follow_on);
        data_slots += !extra_expected;
        slot_is_extra[count] = extra_expected;
        work_meter_reset();
        verdict = netif_packet_add(&packet, &slots[count]);
        check_work("adding a slot", WORK_CONSTANT);
        count++;
        expected = reference_verdict(slots, count);
        if (verdict != expected)
            violation("slot %u: verdict %d, the harness's reading gives %d", count - 1, verdict, expected);
        if (packet.slot_count != count)
            violation("%u slots taken, %u given", packet.slot_count, count);
        if (count == 1)
            extra_expected = (slots[0].request.flags & NETTXF_extra_info) != 0;
        else if (extra_expected)
            extra_expected = (slots[count - 1].extra.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
    }
    if (verdict == NETIF_PACKET_FATAL)
        return;
    if (verdict == NETIF_PACKET_COMPLETE)
        check_complete_packet(&packet, slots);
    check_responses(&packet, slots, slot_is_extra, verdict == NETIF_PACKET_COMPLETE ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
}

/* ---- the packet pool ---- */

static unsigned int buffer_index(const struct packet_buffer *buffer)
{
    ptrdiff_t index = buffer - world.pool.buffers;

    if (index < 0 || index >= POOL_PAGES)
        violation("a buffer outside the pool's %u", POOL_PAGES);
    return (unsigned int)index;
}

static void do_pool_allocate(void)
{
    unsigned int free_buffers = 0;
    struct packet_buffer *buffer;

    for (unsigned int index = 0; index < POOL_PAGES; index++)
        free_buffers += world.references[index] == 0;
    work_meter_reset();
    buffer = packet_buffer_allocate(&world.pool);
    check_work("allocating", WORK_CONSTANT);
    if (buffer == NULL) {
        world.exhausted++;
        if (free_buffers != 0)
            violation("allocation failed with %u buffers free", free_buffers);
        return;
    }
    if (world.references[buffer_index(buffer)] != 0)
        violation("buffer %u was lent while in use", buffer_index(buffer));
    if (buffer->references != 1 || buffer->length != 0)
        violation("a new buffer has %u references and length %u", buffer->references, buffer->length);
    buffer->length = ETHERNET_MAX_FRAME_BYTES;
    world.references[buffer_index(buffer)] = 1;
}

static void do_pool_get(struct fuzz_input *input)
{
    unsigned int index = fuzz_input_byte(input) % POOL_PAGES;

    if (world.references[index] == 0 || world.references[index] > 1000)
        return;
    packet_buffer_get(&world.pool.buffers[index]);
    world.references[index]++;
}

static void do_pool_put(struct fuzz_input *input)
{
    unsigned int index = fuzz_input_byte(input) % POOL_PAGES;

    packet_buffer_put(&world.pool, &world.pool.buffers[index]);
    if (world.references[index] > 0)
        world.references[index]--;
}

static void check_pool(void)
{
    bool listed[POOL_PAGES] = { false };
    unsigned int free_buffers = 0;
    const struct packet_buffer *buffer = world.pool.free;

    for (unsigned int index = 0; index < POOL_PAGES; index++) {
        if (world.pool.buffers[index].references != world.references[index])
            violation("buffer %u has %u references, the model %u", index, world.pool.buffers[index].references,
                      world.references[index]);
        if (world.pool.buffers[index].data != pool_pages[index] || world.pool.buffers[index].machine_frame != 100 + index)
            violation("buffer %u lost its page", index);
        free_buffers += world.references[index] == 0;
    }
    for (unsigned int walked = 0; buffer != NULL; walked++, buffer = buffer->next_free) {
        if (walked == POOL_PAGES || listed[buffer_index(buffer)])
            violation("buffer %u is on the free list twice", buffer_index(buffer));
        if (world.references[buffer_index(buffer)] != 0)
            violation("buffer %u is on the free list while in use", buffer_index(buffer));
        listed[buffer_index(buffer)] = true;
    }
    if (world.pool.free_count != free_buffers || world.pool.exhausted != world.exhausted)
        violation("free count %u and exhausted %lu, the model %u and %lu", world.pool.free_count,
                  (unsigned long)world.pool.exhausted, free_buffers, (unsigned long)world.exhausted);
    for (unsigned int index = 0; index < POOL_PAGES; index++)
        if (world.references[index] == 0 && !listed[index])
            violation("free buffer %u is not on the free list", index);
}

static void run_operation(enum operation_kind kind, struct fuzz_input *input)
{
    switch (kind) {
    case OPERATION_RANDOM_FRAME: do_random_frame(input); break;
    case OPERATION_BUILT_FRAME: do_built_frame(input); break;
    case OPERATION_ADDRESS_TEXT: do_address_text(input); break;
    case OPERATION_ADD_PORT: do_add_port(input); break;
    case OPERATION_REMOVE_PORT: do_remove_port(input); break;
    case OPERATION_FORWARD: do_forward(input); break;
    case OPERATION_FORWARD_FRESH_SOURCE: do_forward_fresh_source(input); break;
    case OPERATION_TX_PACKET: do_tx_packet(input); break;
    case OPERATION_POOL_ALLOCATE: do_pool_allocate(); break;
    case OPERATION_POOL_GET: do_pool_get(input); break;
    case OPERATION_POOL_PUT: do_pool_put(input); break;
    default: break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    uint8_t *pages[POOL_PAGES];
    uint64_t frames[POOL_PAGES];

    memset(&world, 0, sizeof(world));
    for (unsigned int index = 0; index < POOL_PAGES; index++) {
        pages[index] = pool_pages[index];
        frames[index] = 100 + index;
    }
    world.operation = "set-up";
    bridge_init(&world.bridge);
    packet_pool_init(&world.pool, pages, frames, POOL_PAGES);
    for (world.step = 0; world.step < MAX_STEPS && !fuzz_input_exhausted(&input); world.step++) {
        enum operation_kind kind = (enum operation_kind)(fuzz_input_byte(&input) % OPERATION_KINDS);

        world.operation = operation_names[kind];
        run_operation(kind, &input);
        check_bridge();
        check_pool();
    }
    return 0;
}
