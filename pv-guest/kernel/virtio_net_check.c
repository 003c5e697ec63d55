/*
 * dom0's check of its network device (see virtio_net_check.h): frames
 * refused, ARP and ICMP echo against slirp's 10.0.2.2, each answer awaited
 * on the device's interrupt.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <backend/ethernet.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "direct_map.h"
#include "ipv4_frames.h"
#include "net_device.h"
#include "virtio_net_check.h"

#define ANSWER_TIMEOUT_NS (UINT64_C(10) * 1000 * 1000 * 1000)
#define RECEIVE_BUDGET 16
#define ECHO_IDENTIFIER 0x7076 /* "pv" */
#define ECHO_SEQUENCE 1
#define ECHO_PAYLOAD_BYTES 56

static const struct ipv4_address own_ip = { VIRTIO_NET_CHECK_ADDRESS };
static const struct ipv4_address gateway_ip = { VIRTIO_NET_CHECK_GATEWAY };
static const struct ethernet_address broadcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static uint8_t transmit_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t echo_payload[ECHO_PAYLOAD_BYTES];
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
    struct arp_packet request; /* the last ARP request for own_ip */
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

/* --- frames received ----------------------------------------------------------- */

static void heard_arp(struct heard *heard, const struct arp_packet *arp)
{
    if (!ipv4_address_equal(&arp->target, &own_ip))
        return;
    if (arp->operation == ARP_REPLY && ipv4_address_equal(&arp->sender, &gateway_ip) &&
        ethernet_address_equal(&arp->target_hardware, &heard->own)) {
        heard->gateway = arp->sender_hardware;
        heard->gateway_answered = true;
    } else if (arp->operation == ARP_REQUEST) {
        heard->request = *arp;
        heard->asked_for_us = true;
    }
}

static bool echo_payload_intact(const struct echo_packet *echo)
{
    if (echo->payload_bytes != ECHO_PAYLOAD_BYTES)
        return false;
    for (unsigned int index = 0; index < ECHO_PAYLOAD_BYTES; index++)
        if (echo->payload[index] != echo_payload[index])
            return false;
    return true;
}

static void heard_echo(struct heard *heard, const struct echo_packet *echo)
{
    if (echo->type != ICMP_ECHO_REPLY || !ipv4_address_equal(&echo->source, &gateway_ip) ||
        !ipv4_address_equal(&echo->destination, &own_ip) || echo->identifier != ECHO_IDENTIFIER ||
        echo->sequence != ECHO_SEQUENCE)
        return;
    heard->echo_answered = true;
    heard->echo_intact = echo->checksums_valid && echo_payload_intact(echo);
}

static void deliver(void *context, const uint8_t *frame, uint32_t length)
{
    struct heard *heard = context;
    struct ethernet_frame_info info;
    struct arp_packet arp;
    struct echo_packet echo;

    if (ethernet_parse(frame, length, &info) != 0 ||
        (!ethernet_address_equal(&info.destination, &heard->own) && !ethernet_address_is_multicast(&info.destination)))
        return;
    if (ipv4_frames_parse_arp(frame, length, &arp) == 0)
        heard_arp(heard, &arp);
    else if (ipv4_frames_parse_echo(frame, length, &echo) == 0)
        heard_echo(heard, &echo);
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

/* Sends the frame in transmit_page and waits for its completion; 0, the
 * transmission's error, or -ETIMEDOUT. */
static int send(struct net_device *device, struct heard *heard, uint32_t length)
{
    struct net_transmission transmission = {
        .machine_address = runtime_machine_address(transmit_page), .length = length, .status = 1,
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
    struct arp_packet reply = { .operation = ARP_REPLY, .sender_hardware = heard->own, .sender = own_ip };
    int result;

    if (!heard->asked_for_us)
        return;
    heard->asked_for_us = false;
    reply.target_hardware = heard->request.sender_hardware;
    reply.target = heard->request.sender;
    result = send(device, heard, ipv4_frames_build_arp(transmit_page, &reply.target_hardware, &reply));
    console_printf("virtio-net %s: answered an ARP request for our address (%d)\n", net_device_name(device), result);
}

/* --- the cases ----------------------------------------------------------------- */

static void check_refusals(struct net_device *device)
{
    uint64_t page = runtime_machine_address(transmit_page);
    struct net_transmission empty = { .machine_address = page, .length = 0 };
    struct net_transmission oversized = { .machine_address = page, .length = ETHERNET_MAX_FRAME_BYTES + 1 };
    struct net_transmission crossing = { .machine_address = page + PAGE_SIZE - ETHERNET_HEADER_BYTES,
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
    struct arp_packet request = { .operation = ARP_REQUEST, .sender_hardware = heard->own, .sender = own_ip,
                                  .target = gateway_ip };
    char address[18];
    int result = send(device, heard, ipv4_frames_build_arp(transmit_page, &broadcast, &request));

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
    struct echo_packet request = { .type = ICMP_ECHO_REQUEST, .source = own_ip, .destination = gateway_ip,
                                   .identifier = ECHO_IDENTIFIER, .sequence = ECHO_SEQUENCE,
                                   .payload = echo_payload, .payload_bytes = ECHO_PAYLOAD_BYTES };
    int result;

    if (!heard->gateway_answered) {
        report(false, device, "an ICMP echo to 10.0.2.2 needs its address", -XEN_ENOENT);
        return;
    }
    for (unsigned int index = 0; index < ECHO_PAYLOAD_BYTES; index++)
        echo_payload[index] = (uint8_t)(0x70 + index * 7);
    result = send(device, heard, ipv4_frames_build_echo(transmit_page, &heard->gateway, &heard->own, &request));
    report(result == 0, device, "an ICMP echo request to 10.0.2.2 is sent", result);
    report(serve_until(device, heard, &heard->echo_answered, true), device, "slirp answers the ICMP echo request",
           0);
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
