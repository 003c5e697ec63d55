/*
 * timeshare N MS: the timer must share the CPU between processes that
 * never give it up.  N children are forked at once; each computes, without
 * a system call, for about MS milliseconds of CPU (an iteration count the
 * parent calibrated alone), and exits with the wall time it took from its
 * first instruction to its last, in units of STATUS_UNIT_MS.  With
 * round-robin time slices every child is still running near the end, so
 * each one's wall time is close to the total; run one after the other, each
 * would take 1/N of it.  The parent checks that every child took at least
 * half of the total.  Prints:
 *     timeshare: 3 children, 0 errors: each ran over at least 90% of 612 ms
 */
#include "lib/user.h"

#define DEFAULT_CHILDREN 3
#define DEFAULT_MILLISECONDS 60
#define MAX_CHILDREN 8
#define CALIBRATION_ITERATIONS UINT64_C(2000000)
#define NANOSECONDS_PER_MILLISECOND UINT64_C(1000000)
#define STATUS_UNIT_MS 4
#define MAX_STATUS 250

static volatile uint64_t sink;

static void compute(uint64_t iterations)
{
    for (uint64_t iteration = 0; iteration < iterations; iteration++)
        sink += iteration;
}

static uint64_t iterations_per_millisecond(void)
{
    uint64_t start = clock_ns(), elapsed;

    compute(CALIBRATION_ITERATIONS);
    elapsed = clock_ns() - start;
    return CALIBRATION_ITERATIONS * NANOSECONDS_PER_MILLISECOND / (elapsed == 0 ? 1 : elapsed) + 1;
}

static void child(uint64_t iterations)
{
    uint64_t start = clock_ns(), units;

    compute(iterations);
    units = (clock_ns() - start) / NANOSECONDS_PER_MILLISECOND / STATUS_UNIT_MS;
    exit((int)(units < MAX_STATUS ? units : MAX_STATUS));
}

int main(int argc, char **argv)
{
    uint64_t children = DEFAULT_CHILDREN, milliseconds = DEFAULT_MILLISECONDS, iterations, start, total_ms;
    uint64_t errors = 0, least_percent = 100;
    int pids[MAX_CHILDREN], statuses[MAX_CHILDREN];

    if ((argc > 1 && !parse_unsigned(argv[1], &children)) || (argc > 2 && !parse_unsigned(argv[2], &milliseconds)) ||
        children < 2 || children > MAX_CHILDREN) {
        print("timeshare: usage: timeshare N(2-8) MS\n");
        return 1;
    }
    iterations = iterations_per_millisecond() * milliseconds;
    start = clock_ns();
    for (uint64_t index = 0; index < children; index++) {
        pids[index] = fork();
        if (pids[index] == 0)
            child(iterations);
    }
    for (uint64_t index = 0; index < children; index++) {
        statuses[index] = -1;
        if (pids[index] < 0 || wait_child(pids[index], &statuses[index], NULL) != pids[index])
            errors++;
    }
    total_ms = (clock_ns() - start) / NANOSECONDS_PER_MILLISECOND;
    for (uint64_t index = 0; index < children; index++) {
        uint64_t percent = total_ms == 0 ? 0 : (uint64_t)statuses[index] * STATUS_UNIT_MS * 100 / total_ms;

        if (statuses[index] < 0 || statuses[index] >= MAX_STATUS || percent < 50) {
            print("timeshare: child %d ran over %lu%% of the %lu ms\n", pids[index], percent, total_ms);
            errors++;
        }
        least_percent = percent < least_percent ? percent : least_percent;
    }
    print("timeshare: %lu children, %lu errors: each ran over at least %lu%% of %lu ms\n", children, errors,
          least_percent, total_ms);
    return errors == 0 ? 0 : 1;
}
