/*
 * pvmon-blockbench DEVICE MIB REQUESTS: the block benchmark of 'make bench'
 * (tools/bench/run-block-bench.sh), run by /init for pvmon.test=block-bench
 * on a whole disk that holds nothing of value (it is overwritten): the
 * Xen virtual disk /dev/xvda in a domU, or /dev/vda for the same kernel
 * straight on QEMU.
 *
 * Four passes over the first MIB MiB of DEVICE, with O_DIRECT so that
 * every request reaches the disk instead of the page cache, one request at
 * a time:
 *   seq-write   64 KiB writes from the start, then one fdatasync (timed too:
 *               the data is on the disk when the pass ends)
 *   seq-read    64 KiB reads from the start
 *   rand-write  REQUESTS 4 KiB writes at pseudo-random 4 KiB offsets, then
 *               one fdatasync
 *   rand-read   REQUESTS 4 KiB reads at pseudo-random 4 KiB offsets
 * Each pass prints "pvmon-linux: PASS block-bench pass=NAME size=BYTES
 * requests=N bytes=N ns=N" (CLOCK_MONOTONIC: under -icount shift=0 one ns
 * is one instruction of the whole machine), or a FAIL line saying what
 * failed.  A benchmark, not a test: the data is not checked.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define STEP "block-bench"
#define MIB (1024u * 1024u)
#define SEQUENTIAL_SIZE (64u * 1024u)
#define RANDOM_SIZE 4096u
#define MAX_MIB 65536u
#define MAX_REQUESTS 10000000u

enum direction { READING, WRITING };

struct pass {
    const char *name;
    enum direction direction;
    size_t size;
    bool random;
};

static const struct pass passes[] = {
    { "seq-write", WRITING, SEQUENTIAL_SIZE, false },
    { "seq-read", READING, SEQUENTIAL_SIZE, false },
    { "rand-write", WRITING, RANDOM_SIZE, true },
    { "rand-read", READING, RANDOM_SIZE, true },
};

/* xorshift64: the random offsets, the same in every run. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* One whole request at offset; false (having said why) if the device did less. */
static bool transfer(int device, const struct pass *pass, void *buffer, off_t offset)
{
    ssize_t done;

    do {
        if (pass->direction == WRITING)
            done = pwrite(device, buffer, pass->size, offset);
        else
            done = pread(device, buffer, pass->size, offset);
    } while (done < 0 && errno == EINTR);
    if (done != (ssize_t) pass->size) {
        fprintf(stderr, STEP ": %s of %zu bytes at %lld: %s\n", pass->name, pass->size,
                (long long) offset, done < 0 ? strerror(errno) : "short transfer");
        return false;
    }
    return true;
}

/* Runs one pass over region bytes of the device and prints its line. */
static bool run_pass(int device, const struct pass *pass, void *buffer, uint64_t region,
                     uint64_t random_requests)
{
    uint64_t requests = pass->random ? random_requests : region / pass->size;
    uint64_t slots = region / pass->size;
    uint64_t random_state = 0x2545f4914f6cdd1du;
    uint64_t start_ns = monotonic_ns(STEP);

    for (uint64_t request = 0; request < requests; request++) {
        uint64_t slot = pass->random ? next_random(&random_state) % slots : request;

        if (!transfer(device, pass, buffer, (off_t) (slot * pass->size))) {
            report(false, STEP, "pass=%s error=io", pass->name);
            return false;
        }
    }
    if (pass->direction == WRITING && fdatasync(device) != 0) {
        fprintf(stderr, STEP ": fdatasync after %s: %s\n", pass->name, strerror(errno));
        report(false, STEP, "pass=%s error=fdatasync", pass->name);
        return false;
    }
    report(true, STEP, "pass=%s size=%zu requests=%llu bytes=%llu ns=%llu", pass->name,
           pass->size, (unsigned long long) requests,
           (unsigned long long) (requests * pass->size),
           (unsigned long long) (monotonic_ns(STEP) - start_ns));
    return true;
}

int main(int argc, char **argv)
{
    uint64_t mib;
    uint64_t random_requests;

    if (argc != 4 || !parse_number(STEP, "MIB", argv[2], 1, MAX_MIB, &mib) ||
        !parse_number(STEP, "REQUESTS", argv[3], 1, MAX_REQUESTS, &random_requests)) {
        fprintf(stderr, "usage: pvmon-blockbench DEVICE MIB REQUESTS\n");
        return report(false, STEP, "error=usage");
    }

    int device = open(argv[1], O_RDWR | O_DIRECT);
    off_t device_size = device < 0 ? -1 : lseek(device, 0, SEEK_END);

    if (device < 0 || device_size < 0) {
        fprintf(stderr, STEP ": opening %s: %s\n", argv[1], strerror(errno));
        return report(false, STEP, "error=open");
    }
    if ((uint64_t) device_size < mib * MIB) {
        fprintf(stderr, STEP ": %s has %lld bytes, fewer than %llu MiB\n", argv[1],
                (long long) device_size, (unsigned long long) mib);
        close(device);
        return report(false, STEP, "error=size");
    }

    void *buffer;

    /* O_DIRECT wants the buffer aligned to the logical block size; a page is enough. */
    if (posix_memalign(&buffer, 4096, SEQUENTIAL_SIZE) != 0) {
        close(device);
        return report(false, STEP, "error=memory");
    }
    memset(buffer, 0x5a, SEQUENTIAL_SIZE);
    for (size_t index = 0; index < sizeof(passes) / sizeof(passes[0]); index++) {
        if (!run_pass(device, &passes[index], buffer, mib * MIB, random_requests)) {
            free(buffer);
            close(device);
            return EXIT_FAILURE;
        }
    }
    free(buffer);
    close(device);
    return EXIT_SUCCESS;
}
