/*
 * Prints the host's TSC frequency in kHz: the TSC counted over 200 ms of
 * CLOCK_MONOTONIC_RAW.  Under QEMU's TCG without -icount a guest's RDTSC
 * reads the host's TSC (QEMU 7.2: cpu_get_host_ticks), so this is the rate
 * of the outer guest's TSC, given to it as tsc_early_khz= by
 * tools/compare/peers/run-kvm.sh in --mode tcg: a loaded host makes the
 * guest's own PIT calibration wrong by orders of magnitude.  The host may
 * deschedule this program; the ratio of two free-running clocks stays right.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t monotonic_ns(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC_RAW, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

int main(void)
{
    const struct timespec interval = { .tv_sec = 0, .tv_nsec = 200000000 };
    uint64_t started_ns = monotonic_ns();
    uint64_t started_tsc = __rdtsc();

    nanosleep(&interval, NULL);
    uint64_t elapsed_tsc = __rdtsc() - started_tsc;
    uint64_t elapsed_ns = monotonic_ns() - started_ns;

    if (elapsed_ns == 0)
        return 1;
    printf("%llu\n", (unsigned long long)(elapsed_tsc * 1000000u / elapsed_ns));
    return 0;
}
