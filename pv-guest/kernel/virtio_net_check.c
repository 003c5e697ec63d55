/*
 * dom0's exchanges with slirp through its network device (see
 * virtio_net_check.h): the check (frames refused, ARP, ICMP echo, a burst
 * of echoes) and the bench, each answer awaited on the device's interrupt.
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
#include "net_frames.h"
#include "virtio_net_check.h"

#define ANSWER_TIMEOUT_NS (UINT64_C(10) * 1000 * 1000 * 1000)
#define BURST_TIMEOUT_NS (UINT64_C(60) * 1000 * 1000 * 1000)
#define ECHO_IDENTIFIER 0x7076       /* "pv" */
#define BURST_IDENTIFIER 0x6275      /* "bu" */
#define ECHO_PAYLOAD_BYTES 56
#define BURST_SLOT_BYTES 128         /* one echo frame, 32 to a page */
#define MAX_BURST_ECHOES VIRTIO_NET_BENCH_BURST_ECHOES

_Static_assert(NET_FRAME_ECHO_HEADERS + ECHO_PAYLOAD_BYTES <= BURST_SLOT_BYTES, "an echo frame fits its slot");
_Static_assert(VIRTIO_NET_BURST_WINDOW * BURST_SLOT_BYTES <= PAGE_SIZE, "the burst's frames fit one page");
_Static_assert(VIRTIO_NET_BURST_ECHOES <= MAX_BURST_ECHOES, "the check's burst fits the bench's bookkeeping");


/* Echoes in flight in a burst, each with its frame in a slot of burst_page. */
struct burst {
    unsigned int total;
    unsigned int sent;
    unsigned int answered;
    unsigned int damaged;    /* answered with a wrong payload or checksum */
    unsigned int duplicates; /* answered more than once, or never asked */
    bool slot_busy[VIRTIO_NET_BURST_WINDOW];
    struct net_transmission transmissions[VIRTIO_NET_BURST_WINDOW];
    uint8_t answers[MAX_BURST_ECHOES / 8]; /* a bit per sequence number */
};

/* What dom0 has heard and done (the callbacks' findings). */
struct heard {
    struct ethernet_address own;
    bool gateway_answered;
    struct ethernet_address gateway;
    uint16_t expected_sequence;
    bool echo_answered;
    bool echo_intact;
    bool asked_for_us;
    struct net_frame_arp request; /* the last ARP request for our address */
    bool transmission_done;
    struct burst *burst;       /* NULL: none running */
    unsigned int passes_over_budget;
    unsigned int passes_at_budget_with_more_pending;
};

static uint8_t transmit_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t burst_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t echo_payload[ECHO_PAYLOAD_BYTES];
static struct burst the_burst;
static volatile bool device_event;
static unsigned int passed, failed;

static void report(bool success, const struct net_device *device, const char *what, int detail)
{
    console_printf("%s virtio-net %s: %s (%d)\n", success ? "PASS" : "FAIL", net_device_name(device), what, detail);
    if (success)
        passed++;
    else
        failed++;
}

static struct net_frame_echo echo_request(uint16_t identifier, uint16_t sequence)
{
    return (struct net_frame_echo) { .type = NET_FRAME_ICMP_ECHO_REQUEST, .identifier = identifier,
                                     .sequence = sequence, .data = echo_payload, .data_length = ECHO_PAYLOAD_BYTES };
}

static struct net_frame_endpoint endpoint(const struct ethernet_address *address, uint32_t ip)
{
    struct net_frame_endpoint result = { .ip = ip };

    memcpy(result.address, address->bytes, ETHERNET_ADDRESS_BYTES);
    return result;
}

/* --- frames received ----------------------------------------------------------- */

static void heard_arp(struct heard *heard, const struct net_frame_arp *arp)
{
    if (arp->target_ip != VIRTIO_NET_CHECK_ADDRESS)
        return;
    if (arp->operation == NET_FRAME_ARP_REPLY && arp->sender.ip == VIRTIO_NET_CHECK_GATEWAY &&
        memcmp(arp->target_address, heard->own.bytes, ETHERNET_ADDRESS_BYTES) == 0) {
        memcpy(heard->gateway.bytes, arp->sender.address, ETHERNET_ADDRESS_BYTES);
        heard->gateway_answered = true;
    } else if (arp->operation == NET_FRAME_ARP_REQUEST) {
        heard->request = *arp;
        heard->asked_for_us = true;
    }
}

static bool echo_intact(const struct net_frame_parsed *parsed)
{
    return parsed->checksums_valid && parsed->echo.data_length == ECHO_PAYLOAD_BYTES &&
           memcmp(parsed->echo.data, echo_payload, ECHO_PAYLOAD_BYTES) == 0;
}

static void heard_burst_answer(struct burst *burst, const struct net_frame_parsed *parsed)
{
    unsigned int sequence = parsed->echo.sequence;
    uint8_t bit = (uint8_t)(1u << (sequence % 8));

    if (sequence >= burst->sent || (burst->answers[sequence / 8] & bit) != 0) {
        burst->duplicates++;
        return;
    }
    burst->answers[sequence / 8] |= bit;
    burst->answered++;
    if (!echo_intact(parsed))
        burst->damaged++;
}

static void heard_echo(struct heard *heard, const struct net_frame_parsed *parsed)
{
    const struct net_frame_echo *echo = &parsed->echo;

    if (echo->type != NET_FRAME_ICMP_ECHO_REPLY || parsed->source_ip != VIRTIO_NET_CHECK_GATEWAY ||
        parsed->destination_ip != VIRTIO_NET_CHECK_ADDRESS)
        return;
    if (echo->identifier == BURST_IDENTIFIER && heard->burst != NULL)
        heard_burst_answer(heard->burst, parsed);
    else if (echo->identifier == ECHO_IDENTIFIER && echo->sequence == heard->expected_sequence) {
        heard->echo_answered = true;
        heard->echo_intact = echo_intact(parsed);
    }
}

static void deliver(void *context, const uint8_t *frame, uint32_t length)
{
    struct heard *heard = context;
    struct net_frame_parsed parsed;
    struct ethernet_address destination;

    if (net_frame_parse(frame, length, &parsed) != 0)
        return;
    memcpy(destination.bytes, parsed.destination, ETHERNET_ADDRESS_BYTES);
    if (!ethernet_address_equal(&destination, &heard->own) && !ethernet_address_is_multicast(&destination))
        return;
    if (parsed.is_arp)
        heard_arp(heard, &parsed.arp);
    else if (parsed.is_echo)
        heard_echo(heard, &parsed);
}

/* --- serving the device ---------------------------------------------------------- */

static struct heard *done_context;

/* A burst's transmission frees its slot; any other is the one send() awaits. */
static void note_done(struct net_transmission *transmission)
{
    if (transmission->owner != NULL)
        *(bool *)transmission->owner = false;
    else
        done_context->transmission_done = true;
}

/* One pass over the device: completions, then at most the budget of
 * frames, recording how the budget held. */
static void service(struct net_device *device, struct heard *heard)
{
    unsigned int delivered;

    done_context = heard;
    net_device_complete_transmissions(device, note_done);
    delivered = net_device_receive(device, VIRTIO_NET_CHECK_BUDGET, deliver, heard);
    if (delivered > VIRTIO_NET_CHECK_BUDGET)
        heard->passes_over_budget++;
    if (delivered == VIRTIO_NET_CHECK_BUDGET && net_device_receive_pending(device))
        heard->passes_at_budget_with_more_pending++;
}

/* Sleeps until the device's next interrupt (or the deadline), unless
 * frames are already waiting. */
static void wait_for_device(struct net_device *device, uint64_t deadline)
{
    if (!net_device_receive_pending(device))
        wait_for_flag_until(&device_event, deadline);
}

static void answer_arp_request(struct net_device *device, struct heard *heard);

/* Serves the device until *reached or the deadline (answering slirp's ARP
 * requests if asked to); whether *reached. */
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
        wait_for_device(device, deadline);
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
    struct net_frame_endpoint self = endpoint(&heard->own, VIRTIO_NET_CHECK_ADDRESS);
    int result;

    if (!heard->asked_for_us)
        return;
    heard->asked_for_us = false;
    result = send(device, heard,
                  net_frame_build_arp(transmit_page, NET_FRAME_ARP_REPLY, &self, &heard->request.sender));
    console_printf("virtio-net %s: answered an ARP request for our address (%d)\n", net_device_name(device), result);
}

/* --- exchanges ------------------------------------------------------------------ */

/* Asks for 10.0.2.2's address: 0, or the error. */
static int resolve_gateway(struct net_device *device, struct heard *heard)
{
    struct net_frame_endpoint self = endpoint(&heard->own, VIRTIO_NET_CHECK_ADDRESS);
    struct net_frame_endpoint gateway = { .ip = VIRTIO_NET_CHECK_GATEWAY };
    int result = send(device, heard, net_frame_build_arp(transmit_page, NET_FRAME_ARP_REQUEST, &self, &gateway));

    if (result != 0)
        return result;
    return serve_until(device, heard, &heard->gateway_answered, true) ? 0 : -XEN_ETIMEDOUT;
}

/* One echo to 10.0.2.2 and its answer: 0, -EIO (answered damaged), or the error. */
static int echo_once(struct net_device *device, struct heard *heard, uint16_t sequence)
{
    struct net_frame_echo request = echo_request(ECHO_IDENTIFIER, sequence);
    struct net_frame_endpoint self = endpoint(&heard->own, VIRTIO_NET_CHECK_ADDRESS);
    struct net_frame_endpoint gateway = endpoint(&heard->gateway, VIRTIO_NET_CHECK_GATEWAY);
    int result;

    heard->expected_sequence = sequence;
    heard->echo_answered = false; /* the answer may come while the request completes */
    result = send(device, heard, net_frame_build_echo(transmit_page, &self, &gateway, &request));
    if (result != 0)
        return result;
    if (!serve_until(device, heard, &heard->echo_answered, true))
        return -XEN_ETIMEDOUT;
    return heard->echo_intact ? 0 : -XEN_EIO;
}

/* Fills every free slot of the burst with the next echo and sends it. */
static void send_burst_echoes(struct net_device *device, struct heard *heard, struct burst *burst)
{
    struct net_frame_endpoint self = endpoint(&heard->own, VIRTIO_NET_CHECK_ADDRESS);
    struct net_frame_endpoint gateway = endpoint(&heard->gateway, VIRTIO_NET_CHECK_GATEWAY);

    for (unsigned int slot = 0; slot < VIRTIO_NET_BURST_WINDOW && burst->sent < burst->total; slot++) {
        uint8_t *frame = burst_page + slot * BURST_SLOT_BYTES;
        struct net_frame_echo request = echo_request(BURST_IDENTIFIER, (uint16_t)burst->sent);

        if (burst->slot_busy[slot])
            continue;
        burst->transmissions[slot] = (struct net_transmission) {
            .machine_address = runtime_machine_address(frame),
            .length = net_frame_build_echo(frame, &self, &gateway, &request),
            .owner = &burst->slot_busy[slot],
        };
        if (net_device_transmit(device, &burst->transmissions[slot]) != 0)
            return;
        burst->slot_busy[slot] = true;
        burst->sent++;
    }
}

/* `total` echoes, the window in flight: 0 once all are answered, or
 * -ETIMEDOUT. */
static int run_burst(struct net_device *device, struct heard *heard, unsigned int total)
{
    uint64_t deadline = system_time_ns() + BURST_TIMEOUT_NS;
    struct burst *burst = &the_burst;

    *burst = (struct burst) { .total = total };
    heard->burst = burst;
    while (burst->answered < total && system_time_ns() < deadline) {
        device_event = false;
        service(device, heard);
        send_burst_echoes(device, heard, burst);
        answer_arp_request(device, heard);
        if (burst->answered < total)
            wait_for_device(device, deadline);
    }
    heard->burst = NULL;
    return burst->answered == total ? 0 : -XEN_ETIMEDOUT;
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

/* eth0 with the wake-up flag set, or NULL (reported). */
static struct net_device *start(struct heard *heard, const char *what)
{
    struct net_device *device = net_device_get(0);

    if (device == NULL) {
        console_printf("FAIL virtio-net: no network device for the %s\n", what);
        return NULL;
    }
    net_device_address(device, &heard->own);
    net_device_set_wakeup_flag(&device_event);
    for (unsigned int index = 0; index < ECHO_PAYLOAD_BYTES; index++)
        echo_payload[index] = (uint8_t)(0x70 + index * 7);
    return device;
}

/* --- the check ------------------------------------------------------------------ */

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
    char address[18];
    int result = resolve_gateway(device, heard);

    if (result == 0) {
        ethernet_address_format(&heard->gateway, address);
        console_printf("virtio-net %s: 10.0.2.2 is at %s\n", net_device_name(device), address);
    }
    report(result == 0 && !ethernet_address_is_multicast(&heard->gateway) &&
           !ethernet_address_is_zero(&heard->gateway), device, "slirp answers the ARP request for 10.0.2.2", result);
}

static void check_echo(struct net_device *device, struct heard *heard)
{
    int result = heard->gateway_answered ? echo_once(device, heard, 1) : -XEN_ENOENT;

    report(result == 0, device, "slirp answers an ICMP echo request, payload and checksums intact", result);
}

static void check_burst(struct net_device *device, struct heard *heard)
{
    uint64_t errors_before = net_device_statistics(device)->receive_errors;
    int result = heard->gateway_answered ? run_burst(device, heard, VIRTIO_NET_BURST_ECHOES) : -XEN_ENOENT;

    console_printf("virtio-net %s: burst: %u sent, %u answered, %u damaged, %u duplicates; %u passes stopped at "
                   "the budget with frames pending\n",
                   net_device_name(device), the_burst.sent, the_burst.answered, the_burst.damaged,
                   the_burst.duplicates, heard->passes_at_budget_with_more_pending);
    report(result == 0 && the_burst.damaged == 0 && the_burst.duplicates == 0, device,
           "a burst of echoes, many in flight, is answered intact, each once", result);
    report(heard->passes_over_budget == 0 && heard->passes_at_budget_with_more_pending > 0, device,
           "no receive pass hands over more than its budget, and the budget was reached",
           (int)heard->passes_at_budget_with_more_pending);
    report(net_device_statistics(device)->receive_errors == errors_before, device, "no frame was malformed",
           (int)(net_device_statistics(device)->receive_errors - errors_before));
}

unsigned int virtio_net_check(void)
{
    struct heard heard = { 0 };
    struct net_device *device = start(&heard, "check");
    uint64_t interrupts_before;

    if (device == NULL) {
        console_printf("virtio-net check: 0 passed, 1 failed\n");
        return 1;
    }
    report(net_device_link_up(device), device, "the link is up", 0);
    interrupts_before = net_device_statistics(device)->interrupts;
    check_refusals(device);
    check_arp(device, &heard);
    check_echo(device, &heard);
    check_burst(device, &heard);
    report(net_device_statistics(device)->interrupts > interrupts_before, device,
           "frames arrived through the device's interrupt",
           (int)(net_device_statistics(device)->interrupts - interrupts_before));
    print_counters(device);
    net_device_set_wakeup_flag(NULL);
    console_printf("virtio-net check: %u passed, %u failed\n", passed, failed);
    return failed;
}

/* --- the bench ------------------------------------------------------------------ */

static int bench_round_trips(struct net_device *device, struct heard *heard)
{
    uint64_t started = system_time_ns();
    int result = 0;

    for (unsigned int sequence = 1; sequence <= VIRTIO_NET_BENCH_RTT_ECHOES && result == 0; sequence++)
        result = echo_once(device, heard, (uint16_t)sequence);
    if (result == 0)
        console_printf("bench virtio-net-echo-rtt %u %lu\n", VIRTIO_NET_BENCH_RTT_ECHOES,
                       system_time_ns() - started);
    return result;
}

static int bench_burst(struct net_device *device, struct heard *heard)
{
    uint64_t started = system_time_ns();
    int result = run_burst(device, heard, VIRTIO_NET_BENCH_BURST_ECHOES);

    if (result == 0 && the_burst.damaged != 0)
        result = -XEN_EIO;
    if (result == 0)
        console_printf("bench virtio-net-echo-burst %u %lu\n", VIRTIO_NET_BENCH_BURST_ECHOES,
                       system_time_ns() - started);
    return result;
}

int virtio_net_bench(void)
{
    struct heard heard = { 0 };
    struct net_device *device = start(&heard, "bench");
    int result;

    if (device == NULL)
        return -XEN_ENODEV;
    if ((result = resolve_gateway(device, &heard)) != 0 || (result = bench_round_trips(device, &heard)) != 0 ||
        (result = bench_burst(device, &heard)) != 0)
        console_printf("virtio-net bench: failed: %d\n", result);
    print_counters(device);
    net_device_set_wakeup_flag(NULL);
    return result;
}
