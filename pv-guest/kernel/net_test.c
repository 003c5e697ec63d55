/*
 * The network test of net_test.h: a station (net_station.h) that, given
 * a peer, pings it with numbered, checksummed echo requests and checks
 * every reply, while answering the peer's own.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include "net_station.h"
#include "net_test.h"

#define FAMILY "net_test"
#define DEFAULT_COUNT 200
#define DEFAULT_SECONDS 60
#define CONNECT_WAIT_NS (60 * NANOSECONDS_PER_SECOND)
#define RESOLVE_WAIT_NS (20 * NANOSECONDS_PER_SECOND)
#define REPLY_WAIT_NS NANOSECONDS_PER_SECOND
#define CLOSE_WAIT_NS (10 * NANOSECONDS_PER_SECOND)
#define ATTEMPTS 5
#define IDENTIFIER 0x4e54 /* "NT" */

static const uint16_t data_lengths[] = { 56, 600, 1200, NET_FRAME_MAX_ECHO_DATA };

struct echo_counts {
    uint64_t sent;
    uint64_t resent;
    uint64_t intact;
    uint64_t corrupt;
    uint64_t late;        /* replies to an earlier sequence */
    uint64_t lost;        /* sequences never answered */
};

struct net_test {
    struct net_station station;
    unsigned int passed;
    unsigned int failed;
    uint16_t awaited;
    size_t awaited_length;
    volatile bool reply_arrived;
    struct echo_counts echoes;
};

static struct net_test test;
static uint8_t expected[NET_FRAME_MAX_ECHO_DATA];

static void report(const char *name, bool holds, const char *why)
{
    if (holds) {
        console_printf("PASS " FAMILY ": %s\n", name);
        test.passed++;
    } else {
        console_printf("FAIL " FAMILY ": %s: %s\n", name, why);
        test.failed++;
    }
}

static uint64_t from_now(uint64_t duration_ns)
{
    return system_time_ns() + duration_ns;
}

/* A reply to our identifier: the awaited sequence with exactly its data, or counted as late or corrupt. */
static void check_reply(struct net_station *station, const struct net_frame_parsed *parsed)
{
    const struct net_frame_echo *echo = &parsed->echo;

    (void)station;
    if (!parsed->is_echo || echo->type != NET_FRAME_ICMP_ECHO_REPLY || echo->identifier != IDENTIFIER)
        return;
    if (!parsed->checksums_valid) {
        test.echoes.corrupt++;
        return;
    }
    if (echo->sequence != test.awaited || test.reply_arrived) {
        test.echoes.late++;
        return;
    }
    if (echo->data_length != test.awaited_length || memcmp(echo->data, expected, echo->data_length) != 0) {
        test.echoes.corrupt++;
        console_printf(FAMILY ": reply %u carries other data than was sent (%lu bytes)\n", echo->sequence,
                       (uint64_t)echo->data_length);
        return;
    }
    test.echoes.intact++;
    test.reply_arrived = true;
}

static int send_request(struct net_station *station, uint16_t sequence)
{
    static uint8_t frame[NET_FRAME_ECHO_HEADERS + NET_FRAME_MAX_ECHO_DATA];
    struct net_frame_echo echo = {
        .type = NET_FRAME_ICMP_ECHO_REQUEST, .identifier = IDENTIFIER, .sequence = sequence, .data = expected,
        .data_length = test.awaited_length };
    size_t length = net_frame_build_echo(frame, &station->self, &station->peer, &echo);

    return net_station_send(station, frame, length, (enum net_layout)(sequence % 3));
}

/* One numbered echo, sent again until answered or ATTEMPTS run out: whether it was answered. */
static bool exchange(struct net_station *station, uint16_t sequence)
{
    test.awaited = sequence;
    test.awaited_length = data_lengths[sequence % (sizeof(data_lengths) / sizeof(data_lengths[0]))];
    net_frame_fill_data(expected, test.awaited_length, sequence);
    test.reply_arrived = false;
    for (unsigned int attempt = 0; attempt < ATTEMPTS && !station->device.broken; attempt++) {
        int result = send_request(station, sequence);

        if (result == 0 && attempt == 0)
            test.echoes.sent++;
        else if (result == 0)
            test.echoes.resent++;
        if (net_station_pump_until(station, &test.reply_arrived, from_now(REPLY_WAIT_NS)))
            return true;
    }
    test.echoes.lost++;
    return false;
}

/* Echoes 1, 2, ... until count are done and ping_end_ns has passed. */
static void ping_peer(struct net_station *station, uint64_t count, uint64_t ping_end_ns)
{
    char why[96];
    bool resolved = net_station_resolve_peer(station, from_now(RESOLVE_WAIT_NS));
    uint64_t sequence = 0;

    report("peer_address_resolved", resolved, "no ARP reply from the peer");
    if (!resolved)
        return;
    while ((sequence < count || system_time_ns() < ping_end_ns) && !station->device.broken)
        exchange(station, (uint16_t)++sequence);
    format_string(why, sizeof(why), "%lu of %lu answered", test.echoes.intact, sequence);
    report("every_echo_answered", sequence >= count && test.echoes.intact == sequence, why);
    format_string(why, sizeof(why), "%lu corrupt replies", test.echoes.corrupt);
    report("every_reply_intact", test.echoes.corrupt == 0, why);
    format_string(why, sizeof(why), "%lu frames in %lu slots", station->device.statistics.tx_frames,
                  station->device.statistics.tx_slots);
    report("frames_of_several_slots_sent",
           station->device.statistics.tx_slots > station->device.statistics.tx_frames, why);
}

static void serve_until(struct net_station *station, uint64_t end_ns)
{
    while (system_time_ns() < end_ns)
        if (net_station_pump(station, end_ns) != 0)
            return;
}

static void print_counts(const struct net_station *station)
{
    const struct netfront_statistics *statistics = &station->device.statistics;

    console_printf(FAMILY ": echoes: %lu sent, %lu sent again, %lu intact, %lu corrupt, %lu late, %lu lost\n",
                   test.echoes.sent, test.echoes.resent, test.echoes.intact, test.echoes.corrupt, test.echoes.late,
                   test.echoes.lost);
    console_printf(FAMILY ": answered %lu ARP and %lu echo requests (%lu answers not sent), %lu frames received\n",
                   station->counts.arp_requests_answered, station->counts.echo_requests_answered,
                   station->counts.answers_not_sent, station->counts.frames_received);
    console_printf(FAMILY ": netfront: tx %lu frames, %lu bytes, %lu slots, %lu errors; rx %lu frames, %lu bytes, "
                   "%lu slots, %lu dropped, %lu too long; %lu notifications\n",
                   statistics->tx_frames, statistics->tx_bytes, statistics->tx_slots, statistics->tx_errors,
                   statistics->rx_frames, statistics->rx_bytes, statistics->rx_slots, statistics->rx_errors,
                   statistics->rx_too_long, statistics->notifications);
}

int run_net_test(const char *command_line)
{
    struct net_station *station = &test.station;
    uint64_t count = DEFAULT_COUNT, seconds = DEFAULT_SECONDS, ping_seconds = 0, start_ns = system_time_ns();
    int result;

    command_line_get_unsigned(command_line, "count", &count);
    command_line_get_unsigned(command_line, "seconds", &seconds);
    command_line_get_unsigned(command_line, "ping-seconds", &ping_seconds);
    station->handler = check_reply;
    result = net_station_connect(station, command_line, NETFRONT_RX_BUFFERS, from_now(CONNECT_WAIT_NS));
    report("vif_connects", result == 0, "the handshake failed");
    if (result == 0) {
        if (station->has_peer)
            ping_peer(station, count, start_ns + ping_seconds * NANOSECONDS_PER_SECOND);
        serve_until(station, start_ns + seconds * NANOSECONDS_PER_SECOND);
        report("vif_never_broken", !station->device.broken, "netfront found the backend broke the protocol");
        report("every_transmission_answered_okay", station->device.statistics.tx_errors == 0,
               "the backend refused a frame");
        print_counts(station);
        result = netfront_close(&station->device, from_now(CLOSE_WAIT_NS));
        report("vif_closes", result == 0, "the close handshake failed");
    }
    console_printf("SUMMARY " FAMILY ": %u passed, %u failed\n", test.passed, test.failed);
    return test.failed == 0 ? 0 : -XEN_EIO;
}
