/*
 * pvmon-pingpong COUNT: the workload's "pipe-pingpong" step.  A parent and
 * a child process bounce one byte COUNT times over two pipes: the parent
 * sends a counter's low byte, the child checks it is the one it expects
 * and sends it back plus one, and the parent checks that.  Every round trip
 * is two context switches and two wake-ups through the scheduler.
 *
 * Result: "pipe-pingpong round-trips=N elapsed-ns=N ns-per-round-trip=N
 * failures=N".  A child that finds a wrong byte says so and exits 1, which
 * the parent counts as a failure; an I/O error ends the step at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "common.h"

#define STEP "pipe-pingpong"
#define MAX_ROUND_TRIPS 100000000u

/* Moves one byte; false (having said why) on an error or the pipe's end. */
static bool send_byte(int pipe, uint8_t byte)
{
    ssize_t written;

    do
        written = write(pipe, &byte, 1);
    while (written < 0 && errno == EINTR);
    if (written != 1)
        fprintf(stderr, STEP ": write: %s\n", written < 0 ? strerror(errno) : "nothing written");
    return written == 1;
}

static bool receive_byte(int pipe, uint8_t *byte)
{
    ssize_t got;

    do
        got = read(pipe, byte, 1);
    while (got < 0 && errno == EINTR);
    if (got != 1)
        fprintf(stderr, STEP ": read: %s\n", got < 0 ? strerror(errno) : "the other side closed");
    return got == 1;
}

/* The child: answers every byte with the next one; exits 0 if every byte was the expected one. */
static _Noreturn void bounce(int from_parent, int to_parent, uint64_t count)
{
    uint64_t wrong = 0;

    for (uint64_t trip = 0; trip < count; trip++) {
        uint8_t byte;

        if (!receive_byte(from_parent, &byte))
            _exit(1);
        if (byte != (uint8_t) trip && wrong++ < MAX_DIAGNOSTICS)
            fprintf(stderr, STEP ": child: round trip %llu brought %#x, not %#x\n",
                    (unsigned long long) trip, byte, (uint8_t) trip);
        if (!send_byte(to_parent, (uint8_t) (byte + 1)))
            _exit(1);
    }
    _exit(wrong == 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
    uint64_t count;

    if (argc != 2 || !parse_number(STEP, "COUNT", argv[1], 1, MAX_ROUND_TRIPS, &count)) {
        fprintf(stderr, "usage: pvmon-pingpong COUNT\n");
        return report(false, STEP, "error=usage");
    }

    int to_child[2];
    int to_parent[2];

    if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
        fprintf(stderr, STEP ": pipe: %s\n", strerror(errno));
        return report(false, STEP, "error=pipe");
    }
    /* A child gone early shows as EPIPE from write(), not as a signal that kills us. */
    signal(SIGPIPE, SIG_IGN);
    fflush(stdout);

    pid_t child = fork();

    if (child < 0) {
        fprintf(stderr, STEP ": fork: %s\n", strerror(errno));
        return report(false, STEP, "error=fork");
    }
    if (child == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        bounce(to_child[0], to_parent[1], count);
    }
    close(to_child[0]);
    close(to_parent[1]);

    uint64_t failures = 0;
    uint64_t trips = 0;
    uint64_t start_ns = monotonic_ns(STEP);

    while (trips < count) {
        uint8_t byte;

        if (!send_byte(to_child[1], (uint8_t) trips) || !receive_byte(to_parent[0], &byte)) {
            failures++;
            break;
        }
        if (byte != (uint8_t) (trips + 1) && failures++ < MAX_DIAGNOSTICS)
            fprintf(stderr, STEP ": parent: round trip %llu brought back %#x, not %#x\n",
                    (unsigned long long) trips, byte, (uint8_t) (trips + 1));
        trips++;
    }

    uint64_t elapsed_ns = monotonic_ns(STEP) - start_ns;
    int status;

    close(to_child[1]);
    if (waitpid(child, &status, 0) != child) {
        fprintf(stderr, STEP ": waiting for the child: %s\n", strerror(errno));
        failures++;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, STEP ": the child found wrong bytes or failed (wait status %#x)\n",
                (unsigned int) status);
        failures++;
    }
    return report(failures == 0, STEP,
                  "round-trips=%llu elapsed-ns=%llu ns-per-round-trip=%llu failures=%llu",
                  (unsigned long long) trips, (unsigned long long) elapsed_ns,
                  (unsigned long long) (trips > 0 ? elapsed_ns / trips : 0),
                  (unsigned long long) failures);
}
