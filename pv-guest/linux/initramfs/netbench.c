/*
 * pvmon-netbench: the network benchmark of 'make bench'
 * (tools/bench/run-net-bench.sh), run by /init for pvmon.test=net-bench-*
 * in a Linux domU or straight on QEMU, and built for the host too, where
 * it is the server a guest reaches through QEMU's user network.
 *
 *   pvmon-netbench server PORT CONNECTIONS
 *       listens on PORT (every address) and serves CONNECTIONS connections
 *       one after another.  Each opens with one command byte:
 *         'S'  stream: reads until end of file, then answers the number of
 *              bytes read (8 bytes, little-endian) and closes;
 *         'E'  echo: sends back every byte it reads, until end of file.
 *       Ends with "PASS net-bench-server connections=N bytes=B".
 *   pvmon-netbench client HOST PORT MIB ROUNDS WAIT
 *       two connections to a server at HOST (an IPv4 address), each tried
 *       again every 200 ms until it is accepted, for at most WAIT seconds:
 *         stream  MIB MiB in 64 KiB writes, the sending half shut, then the
 *                 server's count awaited and checked: the pass takes from
 *                 the connection's opening to the count's arrival;
 *         rr      ROUNDS round trips of one byte (TCP_NODELAY), each byte
 *                 checked when it comes back.
 *       Each pass prints "PASS net-bench pass=NAME bytes=B rounds=R ns=T
 *       tx-packets=N rx-packets=N": the packets are eth0's counters
 *       (/sys/class/net/eth0/statistics) over the timed part of the pass,
 *       absent where there is no eth0.
 *   pvmon-netbench memcpy MIB
 *       MIB MiB copied with memcpy, 64 KiB at a time, between two 1 MiB
 *       buffers: "PASS net-bench pass=memcpy bytes=B ns=T", the rate at
 *       which this machine moves bytes, which bounds what any copying
 *       network path can do.
 *
 * Times are CLOCK_MONOTONIC: under -icount shift=0 one ns is one
 * instruction of the whole machine.  A benchmark, not a test: the stream's
 * bytes are counted, not checked (the Linux tests check data end to end).
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define STEP "net-bench"
#define MIB (1024u * 1024u)
#define CHUNK (64u * 1024u)
#define MAX_MIB 65536u
#define MAX_ROUNDS 100000000u
#define MAX_CONNECTIONS 1000u
#define MAX_WAIT_SECONDS 3600u
#define RETRY_NS 200000000u
#define STREAM_COMMAND 'S'
#define ECHO_COMMAND 'E'
#define STATISTICS "/sys/class/net/eth0/statistics/"

/* The whole of buffer written; false (having said why) on an error. */
static bool write_all(int socket, const void *buffer, size_t size)
{
    const char *next = buffer;

    while (size > 0) {
        ssize_t done = write(socket, next, size);

        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0) {
            perror(STEP ": write");
            return false;
        }
        next += done;
        size -= (size_t) done;
    }
    return true;
}

/* Reads up to size bytes: their number, 0 at end of file, -1 (said why) on an error. */
static ssize_t read_some(int socket, void *buffer, size_t size)
{
    ssize_t done;

    do
        done = read(socket, buffer, size);
    while (done < 0 && errno == EINTR);
    if (done < 0)
        perror(STEP ": read");
    return done;
}

/* Exactly size bytes; false (having said why) on an error or an early end of file. */
static bool read_exactly(int socket, void *buffer, size_t size)
{
    char *next = buffer;

    while (size > 0) {
        ssize_t done = read_some(socket, next, size);

        if (done <= 0) {
            if (done == 0)
                fprintf(stderr, STEP ": the connection ended %zu bytes early\n", size);
            return false;
        }
        next += done;
        size -= (size_t) done;
    }
    return true;
}

/* --- server ------------------------------------------------------------------ */

/* Reads until end of file and answers the count; the bytes read in *bytes. */
static bool serve_stream(int connection, char *buffer, uint64_t *bytes)
{
    uint64_t count = 0;
    unsigned char answer[8];
    ssize_t done;

    while ((done = read_some(connection, buffer, CHUNK)) > 0)
        count += (uint64_t) done;
    if (done < 0)
        return false;
    for (unsigned int index = 0; index < sizeof(answer); index++)
        answer[index] = (unsigned char) (count >> (8 * index));
    *bytes += count;
    return write_all(connection, answer, sizeof(answer));
}

/* Sends back what it reads until end of file; the bytes read in *bytes. */
static bool serve_echo(int connection, char *buffer, uint64_t *bytes)
{
    ssize_t done;

    while ((done = read_some(connection, buffer, CHUNK)) > 0) {
        *bytes += (uint64_t) done;
        if (!write_all(connection, buffer, (size_t) done))
            return false;
    }
    return done == 0;
}

static int listening_socket(uint16_t port)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int enable = 1;
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port),
                                   .sin_addr.s_addr = htonl(INADDR_ANY) };

    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &enable, sizeof(enable)) != 0 ||
        bind(listener, (struct sockaddr *) &address, sizeof(address)) != 0 || listen(listener, 4) != 0) {
        perror(STEP ": listening");
        if (listener >= 0)
            close(listener);
        return -1;
    }
    return listener;
}

static int run_server(uint16_t port, uint64_t connections)
{
    int listener = listening_socket(port);
    char *buffer = malloc(CHUNK);
    uint64_t bytes = 0;
    uint64_t served;

    if (listener < 0 || buffer == NULL) {
        free(buffer);
        return report(false, STEP "-server", "error=listen port=%u", (unsigned int) port);
    }
    for (served = 0; served < connections; served++) {
        int connection = accept(listener, NULL, NULL);
        char command;
        bool served_well;

        if (connection < 0) {
            perror(STEP ": accept");
            break;
        }
        if (!read_exactly(connection, &command, 1))
            served_well = false;
        else if (command == STREAM_COMMAND)
            served_well = serve_stream(connection, buffer, &bytes);
        else if (command == ECHO_COMMAND)
            served_well = serve_echo(connection, buffer, &bytes);
        else {
            fprintf(stderr, STEP ": unknown command byte %d\n", command);
            served_well = false;
        }
        close(connection);
        if (!served_well)
            break;
    }
    close(listener);
    free(buffer);
    return report(served == connections, STEP "-server", "connections=%llu bytes=%llu",
                  (unsigned long long) served, (unsigned long long) bytes);
}

/* --- client ------------------------------------------------------------------ */

/* eth0's packet counters now; false where there is no eth0. */
struct packet_counts {
    bool known;
    uint64_t transmitted;
    uint64_t received;
};

static bool read_counter(const char *name, uint64_t *value)
{
    char path[128];
    unsigned long long parsed;

    snprintf(path, sizeof(path), STATISTICS "%s", name);
    FILE *file = fopen(path, "r");
    bool read_well = file != NULL && fscanf(file, "%llu", &parsed) == 1;

    if (file != NULL)
        fclose(file);
    if (read_well)
        *value = parsed;
    return read_well;
}

static struct packet_counts packet_counts_now(void)
{
    struct packet_counts counts = { 0 };

    counts.known = read_counter("tx_packets", &counts.transmitted) &&
        read_counter("rx_packets", &counts.received);
    return counts;
}

/* Connects to host:port, trying again until the deadline; -1 (said why) if never. */
static int connect_until(const struct sockaddr_in *address, uint64_t deadline_ns)
{
    for (;;) {
        int connection = socket(AF_INET, SOCK_STREAM, 0);

        if (connection < 0) {
            perror(STEP ": socket");
            return -1;
        }
        if (connect(connection, (const struct sockaddr *) address, sizeof(*address)) == 0)
            return connection;
        int error = errno;

        close(connection);
        if (monotonic_ns(STEP) >= deadline_ns) {
            fprintf(stderr, STEP ": connecting: %s\n", strerror(error));
            return -1;
        }
        struct timespec pause = { .tv_sec = 0, .tv_nsec = RETRY_NS };

        nanosleep(&pause, NULL);
    }
}

/* The pass's result line: bytes, rounds, ns, and eth0's packets over it when known. */
static int report_pass(const char *name, uint64_t bytes, uint64_t rounds, uint64_t ns,
                       const struct packet_counts *before)
{
    struct packet_counts after = packet_counts_now();

    if (!before->known || !after.known)
        return report(true, STEP, "pass=%s bytes=%llu rounds=%llu ns=%llu", name,
                      (unsigned long long) bytes, (unsigned long long) rounds,
                      (unsigned long long) ns);
    return report(true, STEP, "pass=%s bytes=%llu rounds=%llu ns=%llu tx-packets=%llu rx-packets=%llu",
                  name, (unsigned long long) bytes, (unsigned long long) rounds,
                  (unsigned long long) ns,
                  (unsigned long long) (after.transmitted - before->transmitted),
                  (unsigned long long) (after.received - before->received));
}

static bool stream_pass(const struct sockaddr_in *address, uint64_t mib, uint64_t deadline_ns)
{
    char *buffer = malloc(CHUNK);
    unsigned char answer[8];
    const char command = STREAM_COMMAND;
    uint64_t bytes = mib * MIB;
    uint64_t counted = 0;

    if (buffer == NULL)
        return report(false, STEP, "pass=stream error=memory") == EXIT_SUCCESS;
    for (size_t index = 0; index < CHUNK; index++)
        buffer[index] = (char) (index * 131u + 7u);
    int connection = connect_until(address, deadline_ns);

    if (connection < 0) {
        free(buffer);
        return report(false, STEP, "pass=stream error=connect") == EXIT_SUCCESS;
    }
    struct packet_counts before = packet_counts_now();
    uint64_t start_ns = monotonic_ns(STEP);
    bool sent = write_all(connection, &command, 1);

    for (uint64_t done = 0; sent && done < bytes; done += CHUNK)
        sent = write_all(connection, buffer, CHUNK);
    bool answered = sent && shutdown(connection, SHUT_WR) == 0 &&
        read_exactly(connection, answer, sizeof(answer));
    uint64_t ns = monotonic_ns(STEP) - start_ns;

    close(connection);
    free(buffer);
    for (unsigned int index = 0; answered && index < sizeof(answer); index++)
        counted |= (uint64_t) answer[index] << (8 * index);
    if (!answered || counted != bytes)
        return report(false, STEP, "pass=stream bytes=%llu counted=%llu error=%s",
                      (unsigned long long) bytes, (unsigned long long) counted,
                      answered ? "count" : "transfer") == EXIT_SUCCESS;
    return report_pass("stream", bytes, 0, ns, &before) == EXIT_SUCCESS;
}

static bool round_trip_pass(const struct sockaddr_in *address, uint64_t rounds, uint64_t deadline_ns)
{
    const char command = ECHO_COMMAND;
    int enable = 1;
    int connection = connect_until(address, deadline_ns);

    if (connection < 0)
        return report(false, STEP, "pass=rr error=connect") == EXIT_SUCCESS;
    if (setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof(enable)) != 0 ||
        !write_all(connection, &command, 1)) {
        close(connection);
        return report(false, STEP, "pass=rr error=setup") == EXIT_SUCCESS;
    }
    struct packet_counts before = packet_counts_now();
    uint64_t start_ns = monotonic_ns(STEP);
    uint64_t round;

    for (round = 0; round < rounds; round++) {
        char sent = (char) ('a' + round % 26);
        char echoed;

        if (!write_all(connection, &sent, 1) || !read_exactly(connection, &echoed, 1) || echoed != sent)
            break;
    }
    uint64_t ns = monotonic_ns(STEP) - start_ns;

    close(connection);
    if (round != rounds)
        return report(false, STEP, "pass=rr rounds=%llu error=echo", (unsigned long long) round) ==
            EXIT_SUCCESS;
    return report_pass("rr", rounds, rounds, ns, &before) == EXIT_SUCCESS;
}

static int run_client(const char *host, uint16_t port, uint64_t mib, uint64_t rounds, uint64_t wait_seconds)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };

    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, STEP ": HOST must be an IPv4 address, not '%s'\n", host);
        return report(false, STEP, "error=usage");
    }
    uint64_t deadline_ns = monotonic_ns(STEP) + wait_seconds * 1000000000u;

    if (!stream_pass(&address, mib, deadline_ns))
        return EXIT_FAILURE;
    return round_trip_pass(&address, rounds, deadline_ns) ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --- memcpy ------------------------------------------------------------------ */

static int run_memcpy(uint64_t mib)
{
    char *source = malloc(MIB);
    char *destination = malloc(MIB);

    if (source == NULL || destination == NULL) {
        free(source);
        free(destination);
        return report(false, STEP, "pass=memcpy error=memory");
    }
    /* Both buffers touched first, so that no page fault is timed. */
    memset(source, 0x5a, MIB);
    memset(destination, 0, MIB);
    uint64_t start_ns = monotonic_ns(STEP);

    for (uint64_t copied = 0; copied < mib * MIB; copied += CHUNK) {
        size_t offset = (size_t) (copied % MIB);

        memcpy(destination + offset, source + offset, CHUNK);
        /* The compiler may not drop a copy whose result it cannot see used. */
        __asm__ volatile("" : : "r"(destination) : "memory");
    }
    uint64_t ns = monotonic_ns(STEP) - start_ns;
    bool copied_well = memcmp(source, destination, MIB) == 0;

    free(source);
    free(destination);
    return report(copied_well, STEP, "pass=memcpy bytes=%llu ns=%llu", (unsigned long long) (mib * MIB),
                  (unsigned long long) ns);
}

static int usage(void)
{
    fprintf(stderr, "usage: pvmon-netbench server PORT CONNECTIONS\n"
                    "       pvmon-netbench client HOST PORT MIB ROUNDS WAIT\n"
                    "       pvmon-netbench memcpy MIB\n");
    return report(false, STEP, "error=usage");
}

int main(int argc, char **argv)
{
    uint64_t port, connections, mib, rounds, wait_seconds;

    if (argc == 4 && strcmp(argv[1], "server") == 0) {
        if (!parse_number(STEP, "PORT", argv[2], 1, 65535, &port) ||
            !parse_number(STEP, "CONNECTIONS", argv[3], 1, MAX_CONNECTIONS, &connections))
            return usage();
        return run_server((uint16_t) port, connections);
    }
    if (argc == 7 && strcmp(argv[1], "client") == 0) {
        if (!parse_number(STEP, "PORT", argv[3], 1, 65535, &port) ||
            !parse_number(STEP, "MIB", argv[4], 1, MAX_MIB, &mib) ||
            !parse_number(STEP, "ROUNDS", argv[5], 1, MAX_ROUNDS, &rounds) ||
            !parse_number(STEP, "WAIT", argv[6], 0, MAX_WAIT_SECONDS, &wait_seconds))
            return usage();
        return run_client(argv[2], (uint16_t) port, mib, rounds, wait_seconds);
    }
    if (argc == 3 && strcmp(argv[1], "memcpy") == 0) {
        if (!parse_number(STEP, "MIB", argv[2], 1, MAX_MIB, &mib))
            return usage();
        return run_memcpy(mib);
    }
    return usage();
}
