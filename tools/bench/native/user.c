/*
 * The native baseline kernel's ring-3 part (see native.h): it times, with
 * the TSC (readable in ring 3), a null system call (SYSCALL into
 * native.c's handler and SYSRET back) and first touches of fresh pages
 * that ring 0 maps in its #PF handler, zeroing each page there or having
 * zeroed them beforehand.  Ring 0 converts the ticks and prints the bench
 * lines (SYSCALL_REPORT).  Nothing here may be privileged.
 */
#include <stdint.h>
#include "native.h"

#define NULL_SYSCALLS_PER_RUN 20000

static inline uint64_t user_read_tsc(void)
{
    uint32_t low, high;

    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

static inline uint64_t system_call(uint64_t number, uint64_t first, uint64_t second, uint64_t third)
{
    uint64_t result;

    __asm__ volatile("syscall"
                     : "=a"(result), "+D"(first), "+S"(second), "+d"(third)
                     : "a"(number)
                     : "rcx", "r11", "r8", "r9", "r10", "memory");
    return result;
}

static void report(const char *name, uint64_t operations, uint64_t ticks)
{
    system_call(SYSCALL_REPORT, (uint64_t)name, operations, ticks);
}

static void bench_null_syscall(void)
{
    for (unsigned int run = 0; run < BENCH_RUNS; run++) {
        uint64_t start = user_read_tsc();

        for (unsigned int call = 0; call < NULL_SYSCALLS_PER_RUN; call++)
            system_call(SYSCALL_NULL, 0, 0, 0);
        report("null-syscall", NULL_SYSCALLS_PER_RUN, user_read_tsc() - start);
    }
}

/* One write to each page of the fault region: one #PF per page. */
static void bench_page_faults(const char *name, uint64_t prezeroed)
{
    for (unsigned int run = 0; run < BENCH_RUNS; run++) {
        volatile uint8_t *region = (volatile uint8_t *)BENCH_FAULT_BASE;
        uint64_t start;

        system_call(SYSCALL_RESET_FAULTS, prezeroed, 0, 0);
        start = user_read_tsc();
        for (unsigned int page = 0; page < BENCH_FAULT_PAGES; page++)
            region[page * PAGE_SIZE] = 1;
        report(name, BENCH_FAULT_PAGES, user_read_tsc() - start);
    }
}

void user_main(void)
{
    bench_null_syscall();
    bench_page_faults("page-fault-zeroing", 0);
    bench_page_faults("page-fault-prezeroed", 1);
    system_call(SYSCALL_EXIT, 0, 0, 0);
    for (;;)
        ;
}
