/*
 * bench NAME [RUNS]: measures one of the kernel's operations RUNS times
 * (default 5) and prints one line per run, in the benchmark protocol:
 *
 *     bench <name> <operations> <elapsed_ns>
 *
 * where elapsed_ns is PV system time (SYS_clock) around the operations,
 * so that a harness can take medians.  NAME is one of:
 *   null-syscall      getpid, NULL_SYSCALLS times
 *   page-fault-fresh  the first touch of every page of a new anonymous
 *                     mapping: FRESH_PAGES demand-zero faults, after the
 *                     domain idled IDLE_NS (a workload with idle time:
 *                     the kernel gives free pages back, pvmon zeroes
 *                     them); with the domain's memory counters around the
 *                     touches ("counter page-fault-fresh.NAME VALUE") and,
 *                     when the unmap gave pages back, "bench give-back
 *                     PAGES NS" (the kernel's time giving them back)
 *   fork-exit-wait    fork a child that exits at once, wait for it
 *   fork-exec-wait    fork a child that execs "exitwith 0", wait for it
 *   exec              a chain of EXEC_CHAIN execs of this program by itself
 *   all               each of the above in turn
 * Exits with 1 if any operation failed (and says which).
 */
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "lib/user.h"

#define DEFAULT_RUNS 5
#define NULL_SYSCALLS 10000
#define FRESH_PAGES 1024
#define IDLE_NS UINT64_C(20000000)
#define FORK_ROUNDS 200
#define FORK_EXEC_ROUNDS 100
#define EXEC_CHAIN 100
#define PAGE_BYTES 4096
#define NUMBER_SIZE 24

static bool failed;

static void report(const char *name, uint64_t operations, uint64_t start_ns)
{
    print("bench %s %lu %lu\n", name, operations, clock_ns() - start_ns);
}

static void fail(const char *name, const char *what, long error)
{
    print("bench: %s: %s failed: %ld\n", name, what, error);
    failed = true;
}

static void null_syscall(void)
{
    uint64_t start = clock_ns();

    for (unsigned int call = 0; call < NULL_SYSCALLS; call++)
        getpid();
    report("null-syscall", NULL_SYSCALLS, start);
}

static void print_counter(const char *name, uint64_t before, uint64_t after)
{
    print("counter page-fault-fresh.%s %lu\n", name, after - before);
}

static void page_fault_fresh(void)
{
    struct memory_counters before, after, unmapped;
    volatile uint8_t *bytes;
    long address;
    uint64_t start;

    sleep_ns(IDLE_NS);
    address = map_memory(FRESH_PAGES * PAGE_BYTES);
    if (address < 0) {
        fail("page-fault-fresh", "map_memory", address);
        return;
    }
    bytes = (volatile uint8_t *)address;
    if (memory_counters(&before) != 0) {
        fail("page-fault-fresh", "memory_counters", -1);
        return;
    }
    start = clock_ns();
    for (unsigned int page = 0; page < FRESH_PAGES; page++)
        bytes[page * PAGE_BYTES] = 1;
    report("page-fault-fresh", FRESH_PAGES, start);
    memory_counters(&after);
    print_counter("prezeroed_frames_received", before.prezeroed_frames_received, after.prezeroed_frames_received);
    print_counter("frames_zeroed", before.frames_zeroed_on_demand, after.frames_zeroed_on_demand);
    print_counter("pages_cleared_by_guest", before.cleared, after.cleared);
    print_counter("known_zero_pages_used", before.known_zero_handed_out, after.known_zero_handed_out);
    print_counter("pages_taken_back", before.pages_populated, after.pages_populated);
    unmap_memory((uint64_t)address, FRESH_PAGES * PAGE_BYTES);
    memory_counters(&unmapped);
    if (unmapped.pages_given_back > after.pages_given_back)
        print("bench give-back %lu %lu\n", unmapped.pages_given_back - after.pages_given_back,
              unmapped.give_back_ns - after.give_back_ns);
}

/* Forks a child that runs `child_program` (NULL: exits at once) and waits for it. */
static bool fork_and_wait(const char *name, const char *const child_program[])
{
    int status = -1, pid = fork();

    if (pid == 0) {
        if (child_program != NULL)
            exec(child_program[0], child_program);
        exit(0);
    }
    if (pid < 0 || wait_child(pid, &status, NULL) != pid || status != 0) {
        fail(name, "fork, run and wait", pid < 0 ? pid : status);
        return false;
    }
    return true;
}

static void fork_exit_wait(void)
{
    uint64_t start = clock_ns();

    for (unsigned int round = 0; round < FORK_ROUNDS; round++) {
        if (!fork_and_wait("fork-exit-wait", NULL))
            return;
    }
    report("fork-exit-wait", FORK_ROUNDS, start);
}

static void fork_exec_wait(void)
{
    static const char *const exit_at_once[] = { "exitwith", "0", NULL };
    uint64_t start = clock_ns();

    for (unsigned int round = 0; round < FORK_EXEC_ROUNDS; round++) {
        if (!fork_and_wait("fork-exec-wait", exit_at_once))
            return;
    }
    report("fork-exec-wait", FORK_EXEC_ROUNDS, start);
}

/* One link of the exec chain: "bench exec-chain REMAINING START_NS". */
static int exec_chain(uint64_t remaining, uint64_t start_ns)
{
    char left[NUMBER_SIZE], start[NUMBER_SIZE];
    const char *arguments[] = { "bench", "exec-chain", left, start, NULL };
    int error;

    if (remaining == 0) {
        report("exec", EXEC_CHAIN, start_ns);
        return 0;
    }
    format_string(left, sizeof(left), "%lu", remaining - 1);
    format_string(start, sizeof(start), "%lu", start_ns);
    error = exec("bench", arguments);
    print("bench: exec: exec failed: %d\n", error);
    return 1;
}

static void exec_benchmark(void)
{
    int status = -1, pid = fork();

    if (pid == 0)
        exit(exec_chain(EXEC_CHAIN, clock_ns()));
    if (pid < 0 || wait_child(pid, &status, NULL) != pid || status != 0)
        fail("exec", "the chain", pid < 0 ? pid : status);
}

struct benchmark {
    const char *name;
    void (*run)(void);
};

static const struct benchmark benchmarks[] = {
    { "null-syscall", null_syscall },
    { "page-fault-fresh", page_fault_fresh },
    { "fork-exit-wait", fork_exit_wait },
    { "fork-exec-wait", fork_exec_wait },
    { "exec", exec_benchmark },
};

#define BENCHMARK_COUNT (sizeof(benchmarks) / sizeof(benchmarks[0]))

static bool run_named(const char *name, uint64_t runs)
{
    bool found = false;

    for (unsigned int index = 0; index < BENCHMARK_COUNT; index++) {
        if (strcmp(name, "all") != 0 && strcmp(name, benchmarks[index].name) != 0)
            continue;
        found = true;
        for (uint64_t run = 0; run < runs; run++)
            benchmarks[index].run();
    }
    return found;
}

int main(int argc, char **argv)
{
    uint64_t runs = DEFAULT_RUNS, remaining, start_ns;

    if (argc == 4 && strcmp(argv[1], "exec-chain") == 0 && parse_unsigned(argv[2], &remaining) &&
        parse_unsigned(argv[3], &start_ns))
        return exec_chain(remaining, start_ns);
    if (argc < 2 || (argc > 2 && !parse_unsigned(argv[2], &runs)) || !run_named(argv[1], runs)) {
        print("bench: usage: bench null-syscall|page-fault-fresh|fork-exit-wait|fork-exec-wait|exec|all [RUNS]\n");
        return 1;
    }
    return failed ? 1 : 0;
}
