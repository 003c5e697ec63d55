/*
 * The network test guests' station (net_station.h): a transmit buffer
 * pool over frontend/netfront.c and the station's own answers.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include "net_station.h"

#define PAGE_SIZE NETFRONT_PAGE_SIZE
#define BUFFER_BYTES (2 * PAGE_SIZE)
#define ACROSS_PAGES_OFFSET (PAGE_SIZE - 40)
#define FRAGMENT_DATA_OFFSET (PAGE_SIZE + 100)
#define RECEIVE_BUDGET 64
#define ARP_INTERVAL_NS (300 * NANOSECONDS_PER_MILLISECOND)
#define IP_TEXT_SIZE 20

static uint8_t buffers[NET_STATION_TX_BUFFERS][BUFFER_BYTES] __attribute__((aligned(PAGE_SIZE)));
static struct netfront_fragment fragments[NET_STATION_TX_BUFFERS][2];
static struct netfront_transmission transmissions[NET_STATION_TX_BUFFERS];
static bool buffer_used[NET_STATION_TX_BUFFERS];

static int read_ip(const char *command_line, const char *key, uint32_t *ip)
{
    char text[IP_TEXT_SIZE];

    if (!command_line_find(command_line, key, text, sizeof(text)))
        return -XEN_ENOENT;
    return net_frame_parse_ip(text, ip);
}

int net_station_connect(struct net_station *station, const char *command_line, unsigned int rx_buffers,
                        uint64_t deadline_ns)
{
    int result;

    if ((result = read_ip(command_line, "ip", &station->self.ip)) != 0) {
        console_printf("net_station: no valid ip= on the command line\n");
        return result;
    }
    result = read_ip(command_line, "peer", &station->peer.ip);
    if (result != 0 && result != -XEN_ENOENT) {
        console_printf("net_station: peer= is not an IPv4 address\n");
        return result;
    }
    station->has_peer = result == 0;
    if ((result = netfront_connect(&station->device, NULL, rx_buffers, deadline_ns)) != 0)
        return result;
    memcpy(station->self.address, station->device.address, NET_FRAME_ADDRESS_BYTES);
    return 0;
}

static int free_buffer(struct net_station *station)
{
    for (unsigned int attempt = 0; attempt < 2; attempt++) {
        for (int index = 0; index < NET_STATION_TX_BUFFERS; index++)
            if (!buffer_used[index] || transmissions[index].done)
                return index;
        if (netfront_complete_transmissions(&station->device) < 0)
            return -XEN_EIO;
    }
    return -XEN_EBUSY;
}

static void lay_out(unsigned int index, const uint8_t *frame, size_t length, enum net_layout layout)
{
    uint8_t *buffer = buffers[index];
    struct netfront_fragment *pieces = fragments[index];
    size_t header = NET_FRAME_ETHERNET_BYTES;
    unsigned int count = 1;

    switch (layout) {
    case NET_LAYOUT_ACROSS_PAGES:
        memcpy(buffer + ACROSS_PAGES_OFFSET, frame, length);
        pieces[0] = (struct netfront_fragment){ buffer + ACROSS_PAGES_OFFSET, (uint32_t)length };
        break;
    case NET_LAYOUT_FRAGMENTS:
        memcpy(buffer, frame, header);
        memcpy(buffer + FRAGMENT_DATA_OFFSET, frame + header, length - header);
        pieces[0] = (struct netfront_fragment){ buffer, (uint32_t)header };
        pieces[1] = (struct netfront_fragment){ buffer + FRAGMENT_DATA_OFFSET, (uint32_t)(length - header) };
        count = 2;
        break;
    default:
        memcpy(buffer, frame, length);
        pieces[0] = (struct netfront_fragment){ buffer, (uint32_t)length };
        break;
    }
    transmissions[index] = (struct netfront_transmission){ .fragments = pieces, .fragment_count = count };
}

int net_station_send(struct net_station *station, const uint8_t *frame, size_t length, enum net_layout layout)
{
    int index, result;

    if (length < NET_FRAME_ETHERNET_BYTES || length > BUFFER_BYTES - FRAGMENT_DATA_OFFSET)
        return -XEN_EINVAL;
    if ((index = free_buffer(station)) < 0)
        return index;
    lay_out((unsigned int)index, frame, length, layout);
    result = netfront_transmit(&station->device, &transmissions[index]);
    buffer_used[index] = result == 0;
    return result;
}

static void answer(struct net_station *station, const uint8_t *frame, size_t length, uint64_t *counter)
{
    if (net_station_send(station, frame, length, NET_LAYOUT_ONE_SLOT) == 0)
        (*counter)++;
    else
        station->counts.answers_not_sent++;
}

static void handle_arp(struct net_station *station, const struct net_frame_parsed *parsed)
{
    uint8_t frame[NET_FRAME_ARP_BYTES];

    if (station->has_peer && parsed->arp.sender.ip == station->peer.ip) {
        memcpy(station->peer.address, parsed->arp.sender.address, NET_FRAME_ADDRESS_BYTES);
        station->peer_known = true;
    }
    if (parsed->arp.operation == NET_FRAME_ARP_REQUEST && parsed->arp.target_ip == station->self.ip) {
        net_frame_build_arp(frame, NET_FRAME_ARP_REPLY, &station->self, &parsed->arp.sender);
        answer(station, frame, sizeof(frame), &station->counts.arp_requests_answered);
    }
}

/* An echo reply: the request's identifier, sequence and data, to whoever sent it. */
static void handle_echo_request(struct net_station *station, const struct net_frame_parsed *parsed)
{
    static uint8_t frame[NET_FRAME_ECHO_HEADERS + NET_FRAME_MAX_ECHO_DATA];
    struct net_frame_endpoint requester = { .ip = parsed->source_ip };
    struct net_frame_echo reply = parsed->echo;

    if (!parsed->checksums_valid || reply.data_length > NET_FRAME_MAX_ECHO_DATA)
        return;
    memcpy(requester.address, parsed->source, NET_FRAME_ADDRESS_BYTES);
    reply.type = NET_FRAME_ICMP_ECHO_REPLY;
    answer(station, frame, net_frame_build_echo(frame, &station->self, &requester, &reply),
           &station->counts.echo_requests_answered);
}

static void handle_frame(void *context, const uint8_t *frame, uint32_t length)
{
    struct net_station *station = context;
    struct net_frame_parsed parsed;

    station->counts.frames_received++;
    if (net_frame_parse(frame, length, &parsed) != 0)
        return;
    if (parsed.is_arp)
        handle_arp(station, &parsed);
    else if (parsed.is_echo && parsed.destination_ip == station->self.ip &&
             parsed.echo.type == NET_FRAME_ICMP_ECHO_REQUEST)
        handle_echo_request(station, &parsed);
    else if (station->handler != NULL)
        station->handler(station, &parsed);
}

int net_station_pump(struct net_station *station, uint64_t deadline_ns)
{
    int completed, received;

    station->device.event_arrived = false;
    if ((completed = netfront_complete_transmissions(&station->device)) < 0)
        return completed;
    if ((received = netfront_receive(&station->device, RECEIVE_BUDGET, handle_frame, station)) < 0)
        return received;
    if (completed == 0 && received == 0)
        netfront_wait(&station->device, deadline_ns);
    return 0;
}

bool net_station_pump_until(struct net_station *station, volatile bool *flag, uint64_t deadline_ns)
{
    while (!*flag && system_time_ns() < deadline_ns)
        if (net_station_pump(station, deadline_ns) != 0)
            return false;
    return *flag;
}

bool net_station_resolve_peer(struct net_station *station, uint64_t deadline_ns)
{
    uint8_t frame[NET_FRAME_ARP_BYTES];

    while (!station->peer_known && system_time_ns() < deadline_ns) {
        uint64_t next = system_time_ns() + ARP_INTERVAL_NS;

        net_frame_build_arp(frame, NET_FRAME_ARP_REQUEST, &station->self, &station->peer);
        if (net_station_send(station, frame, sizeof(frame), NET_LAYOUT_ONE_SLOT) == -XEN_EIO)
            return false;
        net_station_pump_until(station, (volatile bool *)&station->peer_known, next < deadline_ns ? next : deadline_ns);
    }
    return station->peer_known;
}

unsigned int net_station_transmissions_in_flight(const struct net_station *station)
{
    unsigned int count = 0;

    (void)station;
    for (unsigned int index = 0; index < NET_STATION_TX_BUFFERS; index++)
        count += buffer_used[index] && !transmissions[index].done;
    return count;
}
