/*
 * dom0's check of its network device (see virtio_net_check.h): frames
 * refused, ARP and ICMP echo against slirp's 10.0.2.2, each answer awaited
 * on the device's interrupt.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <backend/ethernet.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "direct_map.h"
#include "net_device.h"
#include "virtio_net_check.h"

#define ANSWER_TIMEOUT_NS (UINT64_C(10) * 1000 * 1000 * 1000)
#define RECEIVE_BUDGET 16
#define IPV4_BYTES 4
#define ARP_BYTES 28
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IPV4_HEADER_BYTES 20
#define ICMP_HEADER_BYTES 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ECHO_IDENTIFIER 0x7076 /* "pv" */
#define ECHO_SEQUENCE 1
#define ECHO_PAYLOAD_BYTES 56
#define ECHO_FRAME_BYTES (ETHERNET_HEADER_BYTES + IPV4_HEADER_BYTES + ICMP_HEADER_BYTES + ECHO_PAYLOAD_BYTES)
#define IPV4_TTL 64

static const uint8_t own_ip[IPV4_BYTES] = VIRTIO_NET_CHECK_ADDRESS;
static const uint8_t gateway_ip[IPV4_BYTES] = VIRTIO_NET_CHECK_GATEWAY;
static const struct ethernet_address broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/* The frame being sent; a second page for one that crosses a page. */
static uint8_t transmit_pages[2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile bool device_event;
static unsigned int passed, failed;

/* What the check has heard (the delivery callback's findings). */
struct heard {
    struct ethernet_address own;
    bool gateway_answered;
    struct ethernet_address gateway;
    bool echo_answered;
    bool echo_intact;
    bool asked_for_us;
    struct ethernet_address asker;
    uint8_t asker_ip[IPV4_BYTES];
    bool transmission_done;
};

static void report(bool success, const struct net_device *device, const char *what, int detail)
{
    console_printf("%s virtio-net %s: %s (%d)\n", success ? "PASS" : "FAIL", net_device_name(device), what, detail);
    if (success)
        passed++;
    else
        failed++;
}

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

static uint8_t echo_payload_byte(unsigned int index)
{
    return (uint8_t)(0x70 + index * 7);
}

/* --- frames sent ------------------------------------------------------------ */

static uint8_t *ethernet_header(uint8_t *frame, const struct ethernet_address *destination,
                                const struct ethernet_address *source, uint16_t ethertype)
{
    memcpy(frame, destination->bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(frame + ETHERNET_ADDRESS_BYTES, source->bytes, ETHERNET_ADDRESS_BYTES);
    write_be16(frame + 2 * ETHERNET_ADDRESS_BYTES, ethertype);
    return frame + ETHERNET_HEADER_BYTES;
}

/* An ARP packet for IPv4 over Ethernet (RFC 826); returns the frame's length. */
static uint32_t build_arp(uint8_t *frame, uint16_t operation, const struct ethernet_address *own,
                          const struct ethernet_address *target, const uint8_t target_ip[IPV4_BYTES],
                          const struct ethernet_address *destination)
{
    uint8_t *arp = ethernet_header(frame, destination, own, ETHERTYPE_ARP);

    write_be16(arp, 1);                /* hardware: Ethernet */
    write_be16(arp + 2, ETHERTYPE_IPV4);
    arp[4] = ETHERNET_ADDRESS_BYTES;
    arp[5] = IPV4_BYTES;
    write_be16(arp + 6, operation);
    memcpy(arp + 8, own->bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(arp + 14, own_ip, IPV4_BYTES);
    memcpy(arp + 18, target->bytes, ETHERNET_ADDRESS_BYTES);
    memcpy(arp + 24, target_ip, IPV4_BYTES);
    return ETHERNET_HEADER_BYTES + ARP_BYTES;
}

static uint32_t build_echo_request(uint8_t *frame, const struct heard *heard)
{
    uint8_t *ip = ethernet_header(frame, &heard->gateway, &heard->own, ETHERTYPE_IPV4);
    uint8_t *icmp = ip + IPV4_HEADER_BYTES;

    memset(ip, 0, IPV4_HEADER_BYTES + ICMP_HEADER_BYTES);
    ip[0] = 0x45;
    write_be16(ip + 2, IPV4_HEADER_BYTES + ICMP_HEADER_BYTES + ECHO_PAYLOAD_BYTES);
    ip[8] = IPV4_TTL;
    ip[9] = IP_PROTOCOL_ICMP;
    memcpy(ip + 12, own_ip, IPV4_BYTES);
    memcpy(ip + 16, gateway_ip, IPV4_BYTES);
    write_be16(ip + 10, checksum(ip, IPV4_HEADER_BYTES));
    icmp[0] = ICMP_ECHO_REQUEST;
    write_be16(icmp + 4, ECHO_IDENTIFIER);
    write_be16(icmp + 6, ECHO_SEQUENCE);
    for (unsigned int index = 0; index < ECHO_PAYLOAD_BYTES; index++)
        icmp[ICMP_HEADER_BYTES + index] = echo_payload_byte(index);
    write_be16(icmp + 2, checksum(icmp, ICMP_HEADER_BYTES + ECHO_PAYLOAD_BYTES));
    return ECHO_FRAME_BYTES;
}

/* --- frames received ----------------------------------------------------------- */

static void heard_arp(struct heard *heard, const uint8_t *arp)
{
    if (read_be16(arp) != 1 || read_be16(arp + 2) != ETHERTYPE_IPV4 || arp[4] != ETHERNET_ADDRESS_BYTES ||
        arp[5] != IPV4_BYTES || memcmp(arp + 24, own_ip, IPV4_BYTES) != 0)
        return;
    if (read_be16(arp + 6) == ARP_REPLY && memcmp(arp + 14, gateway_ip, IPV4_BYTES) == 0 &&
        memcmp(arp + 18, heard->own.bytes, ETHERNET_ADDRESS_BYTES) == 0) {
        memcpy(heard->gateway.bytes, arp + 8, ETHERNET_ADDRESS_BYTES);
        heard->gateway_answered = true;
    } else if (read_be16(arp + 6) == ARP_REQUEST) {
        memcpy(heard->asker.bytes, arp + 8, ETHERNET_ADDRESS_BYTES);
        memcpy(heard->asker_ip, arp + 14, IPV4_BYTES);
        heard->asked_for_us = true;
    }
}

static bool echo_payload_intact(const uint8_t *payload)
{
    for (unsigned int index = 0; index < ECHO_PAYLOAD_BYTES; index++)
        if (payload[index] != echo_payload_byte(index))
            return false;
    return true;
}

static void heard_ipv4(struct heard *heard, const uint8_t *frame, const struct ethernet_frame_info *info)
{
    const uint8_t *ip = frame + info->network_offset, *icmp = frame + info->transport_offset;

    if (info->transport_protocol != IP_PROTOCOL_ICMP || info->ipv4_fragment ||
        info->transport_length != ICMP_HEADER_BYTES + ECHO_PAYLOAD_BYTES ||
        memcmp(ip + 12, gateway_ip, IPV4_BYTES) != 0 || memcmp(ip + 16, own_ip, IPV4_BYTES) != 0 ||
        icmp[0] != ICMP_ECHO_REPLY || read_be16(icmp + 4) != ECHO_IDENTIFIER || read_be16(icmp + 6) != ECHO_SEQUENCE)
        return;
    heard->echo_answered = true;
    heard->echo_intact = checksum(ip, info->transport_offset - info->network_offset) == 0 &&
                         checksum(icmp, info->transport_length) == 0 && echo_payload_intact(icmp + ICMP_HEADER_BYTES);
}

static void deliver(void *context, const uint8_t *frame, uint32_t length)
{
    struct heard *heard = context;
    struct ethernet_frame_info info;

    if (ethernet_parse(frame, length, &info) != 0 || info.vlan_tagged ||
        (!ethernet_address_equal(&info.destination, &heard->own) && !ethernet_address_is_multicast(&info.destination)))
        return;
    if (info.ethertype == ETHERTYPE_ARP && length >= info.network_offset + ARP_BYTES)
        heard_arp(heard, frame + info.network_offset);
    else if (info.ip_version == 4)
        heard_ipv4(heard, frame, &info);
}

/* --- the exchange -------------------------------------------------------------- */

static struct heard *done_context;

static void note_done(struct net_transmission *transmission)
{
    (void)transmission;
    done_context->transmission_done = true;
}

/* One pass over the device: completions and up to RECEIVE_BUDGET frames. */
static void service(struct net_device *device, struct heard *heard)
{
    done_context = heard;
    net_device_complete_transmissions(device, note_done);
    net_device_receive(device, RECEIVE_BUDGET, deliver, heard);
}

static void answer_arp_request(struct net_device *device, struct heard *heard);

/* Serves the device until *reached or the deadline (answering slirp's ARP
 * requests if asked to), sleeping until its next interrupt whenever
 * nothing is pending; whether *reached. */
static bool serve_until(struct net_device *device, struct heard *heard, const bool *reached, bool answer_requests)
{
    uint64_t deadline = system_time_ns() + ANSWER_TIMEOUT_NS;

    for (;;) {
        device_event = false;
        service(device, heard);
        if (answer_requests)
            answer_arp_request(device, heard);
        if (*reached)
            return true;
        if (system_time_ns() >= deadline)
            return false;
        if (!net_device_receive_pending(device))
            wait_for_flag_until(&device_event, deadline);
    }
}

/* Sends the frame in transmit_pages[0] and waits for its completion; 0,
 * the transmission's error, or -ETIMEDOUT. */
static int send(struct net_device *device, struct heard *heard, uint32_t length)
{
    struct net_transmission transmission = {
        .machine_address = runtime_machine_address(transmit_pages[0]), .length = length, .status = 1,
    };
    int result = net_device_transmit(device, &transmission);

    if (result != 0)
        return result;
    heard->transmission_done = false;
    return serve_until(device, heard, &heard->transmission_done, false) ? transmission.status : -XEN_ETIMEDOUT;
}

/* Answers slirp's ARP request for our address. */
static void answer_arp_request(struct net_device *device, struct heard *heard)
{
    uint8_t asker_ip[IPV4_BYTES];
    int result;

    if (!heard->asked_for_us)
        return;
    heard->asked_for_us = false;
    memcpy(asker_ip, heard->asker_ip, IPV4_BYTES);
    result = send(device, heard,
                  build_arp(transmit_pages[0], ARP_REPLY, &heard->own, &heard->asker, asker_ip, &heard->asker));
    console_printf("virtio-net %s: answered an ARP request for 10.0.2.15 (%d)\n", net_device_name(device), result);
}

/* --- the cases ----------------------------------------------------------------- */

static void check_refusals(struct net_device *device)
{
    struct net_transmission empty = { .machine_address = runtime_machine_address(transmit_pages[0]), .length = 0 };
    struct net_transmission oversized = { .machine_address = runtime_machine_address(transmit_pages[0]),
                                          .length = ETHERNET_MAX_FRAME_BYTES + 1 };
    struct net_transmission crossing = { .machine_address = runtime_machine_address(transmit_pages[0]) +
                                                            PAGE_SIZE - ETHERNET_HEADER_BYTES,
                                         .length = 2 * ETHERNET_HEADER_BYTES };
    int result;

    result = net_device_transmit(device, &empty);
    report(result == -XEN_EINVAL, device, "an empty frame is refused", result);
    result = net_device_transmit(device, &oversized);
    report(result == -XEN_EINVAL, device, "a frame longer than the largest is refused", result);
    result = net_device_transmit(device, &crossing);
    report(result == -XEN_EINVAL, device, "a frame crossing a page is refused", result);
}

static void check_arp(struct net_device *device, struct heard *heard)
{
    static const struct ethernet_address unknown;
    char address[18];
    int result = send(device, heard,
                      build_arp(transmit_pages[0], ARP_REQUEST, &heard->own, &unknown, gateway_ip, &broadcast));

    report(result == 0, device, "an ARP request for 10.0.2.2 is sent", result);
    if (!serve_until(device, heard, &heard->gateway_answered, true)) {
        report(false, device, "slirp answers the ARP request for 10.0.2.2", -XEN_ETIMEDOUT);
        return;
    }
    ethernet_address_format(&heard->gateway, address);
    console_printf("virtio-net %s: 10.0.2.2 is at %s\n", net_device_name(device), address);
    report(!ethernet_address_is_multicast(&heard->gateway) && !ethernet_address_is_zero(&heard->gateway), device,
           "slirp answers the ARP request for 10.0.2.2", 0);
}

static void check_echo(struct net_device *device, struct heard *heard)
{
    int result;

    if (!heard->gateway_answered) {
        report(false, device, "an ICMP echo to 10.0.2.2 needs its address", -XEN_ENOENT);
        return;
    }
    result = send(device, heard, build_echo_request(transmit_pages[0], heard));
    report(result == 0, device, "an ICMP echo request to 10.0.2.2 is sent", result);
    report(serve_until(device, heard, &heard->echo_answered, true), device,
           "slirp answers the ICMP echo request", 0);
    report(heard->echo_intact, device, "the echo reply carries the payload, with right checksums", 0);
}

static void print_counters(const struct net_device *device)
{
    const struct net_device_statistics *statistics = net_device_statistics(device);

    console_printf("virtio-net %s: sent %lu frames (%lu bytes), received %lu frames (%lu bytes), %lu receive "
                   "errors, %lu interrupts, %lu notifications\n",
                   net_device_name(device), statistics->frames_sent, statistics->bytes_sent,
                   statistics->frames_received, statistics->bytes_received, statistics->receive_errors,
                   statistics->interrupts, statistics->notifications);
}

unsigned int virtio_net_check(void)
{
    struct net_device *device = net_device_get(0);
    struct heard heard = { 0 };
    uint64_t interrupts_before;

    if (device == NULL) {
        console_printf("FAIL virtio-net: no network device to check\n");
        console_printf("virtio-net check: 0 passed, 1 failed\n");
        return 1;
    }
    net_device_address(device, &heard.own);
    net_device_set_wakeup_flag(&device_event);
    report(net_device_link_up(device), device, "the link is up", 0);
    interrupts_before = net_device_statistics(device)->interrupts;
    check_refusals(device);
    check_arp(device, &heard);
    check_echo(device, &heard);
    report(net_device_statistics(device)->interrupts > interrupts_before, device,
           "frames arrived through the device's interrupt",
           (int)(net_device_statistics(device)->interrupts - interrupts_before));
    print_counters(device);
    net_device_set_wakeup_flag(NULL);
    console_printf("virtio-net check: %u passed, %u failed\n", passed, failed);
    return failed;
}
