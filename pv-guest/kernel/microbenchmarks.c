/*
 * role=microbenchmarks (see microbenchmarks.h): hypervisor primitives
 * timed from the PV kernel's own kernel mode, each run BENCH_RUNS times:
 *
 *   hypercall-null               hypercall 63, which nothing implements:
 *                                the bare round trip into the hypervisor
 *                                and back (-ENOSYS from the dispatch table)
 *   hypercall-xen-version        xen_version(XENVER_version): the smallest
 *                                real hypercall, with no side effects
 *   mmu-update-batch-N           N = 1, 8, 64, 512: mmu_update
 *                                (MMU_NORMAL_PT_UPDATE) with N requests per
 *                                hypercall; OPERATIONS counts entries, so
 *                                N = 1 is "one hypercall per entry"
 *   mmu-update-multicall-N       N = 8, 64, 512: the same entries as N
 *                                one-entry mmu_updates in one multicall
 *   update-va-mapping-no-flush   update_va_mapping with no flush flag,
 *   update-va-mapping-invlpg     with UVMF_INVLPG,
 *   update-va-mapping-tlb-flush  with UVMF_TLB_FLUSH
 *   pte-write-trapped            an xchg straight into an entry of a pinned
 *                                L1 that the kernel maps read-only: the
 *                                write faults and the hypervisor emulates
 *                                it (writable page tables)
 *   mmuext-tlb-flush             mmuext_op MMUEXT_TLB_FLUSH_LOCAL
 *
 * The page-table benchmarks write the entries of bench_table, a page of
 * the kernel's own that it makes read-only and pins as an L1 table
 * (MMUEXT_PIN_L1_TABLE), so that every write is validated as a page-table
 * update.  Each pass over the table writes all 512 entries with the same
 * value, and the value alternates between read-only mappings of two frames
 * of the kernel's own (target_a, target_b), so that every update is a real
 * change that takes and drops frame references.  update_va_mapping
 * toggles the mappings of the pages of update_window in the same way.
 * Afterwards the table is cleared and unpinned and every page is mapped
 * as it was.
 *
 * Time is PV system time (runtime/clock.h).  Under -icount shift=0 it
 * advances 1 ns per instruction the machine executes (guest, hypervisor,
 * and dom0 when it runs), so the figures are instruction counts.  The
 * counters are machine-wide (dom0's toolstack, waking every 20 ms to watch
 * this domain, adds a few hypercalls); the cost of reading them is
 * measured once and subtracted.
 *
 * Options: runs=N (default BENCH_RUNS).
 */
#include <stdbool.h>
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include <runtime/traps.h>
#include "direct_map.h" /* page and entry bits only: the benchmarks issue every hypercall themselves */
#include "microbenchmarks.h"

#define BENCH_RUNS 7
#define PAGE_FAULT_VECTOR 14

#define NULL_HYPERCALLS_PER_RUN 20000
/* Free in Xen's numbering (xen.h stops at 55) and in pvmon's (56 and 57 are
 * its extensions): a hypercall no handler answers. */
#define UNUSED_HYPERCALL 63
#define MMU_UPDATE_PASSES_PER_RUN 8 /* 4096 entries */
#define UPDATE_VA_MAPPINGS_PER_RUN 1024
#define TRAPPED_WRITE_PASSES_PER_RUN 4 /* 2048 entries */
#define TLB_FLUSHES_PER_RUN 1024
#define UPDATE_WINDOW_PAGES 8

static uint64_t bench_table[TABLE_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint8_t target_a[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t target_b[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t update_window[UPDATE_WINDOW_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct mmu_update requests[TABLE_ENTRIES];
static struct multicall_entry calls[TABLE_ENTRIES];

static unsigned int runs = BENCH_RUNS;
static unsigned int table_pass; /* passes over bench_table so far: picks the next value */

/* --- hypercalls this file needs (hypercall/guest/hypercall.h has none yet) */

static long bench_mmu_update(struct mmu_update *list, unsigned int count, unsigned int *done)
{
    return hypercall5(__HYPERVISOR_mmu_update, (unsigned long)list, count, (unsigned long)done, DOMID_SELF, 0);
}

static long bench_mmuext_op(unsigned int command, uint64_t frame)
{
    struct mmuext_op operation = { .cmd = command, .arg1.mfn = frame };
    unsigned int done = 0;

    return hypercall5(__HYPERVISOR_mmuext_op, (unsigned long)&operation, 1, (unsigned long)&done, DOMID_SELF, 0);
}

/* The domain's own counters: it runs as a domU, which may not read the
 * machine's (and its own are what its benchmarks caused). */
static long read_statistics(struct pvmon_domain_memory_statistics *statistics)
{
    return hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_domain_statistics,
                      (unsigned long)statistics, 0);
}

static const char *error_name(long error)
{
    switch (error) {
    case -XEN_ENOSYS:
        return "ENOSYS";
    case -XEN_EINVAL:
        return "EINVAL";
    case -XEN_EFAULT:
        return "EFAULT";
    case -XEN_EPERM:
        return "EPERM";
    case -XEN_EBUSY:
        return "EBUSY";
    case -XEN_ENOMEM:
        return "ENOMEM";
    default:
        return "error";
    }
}

/* --- counters ------------------------------------------------------------ */

enum counter {
    COUNTER_HYPERCALLS,
    COUNTER_TLB_FLUSHES,
    COUNTER_PAGE_TABLE_UPDATES,
    COUNTER_PAGE_TABLE_WRITES_EMULATED,
    COUNTER_PAGE_FAULTS_TO_GUESTS,
    COUNTER_FRAMES_ZEROED,
    COUNTER_PREZEROED_FRAMES_HANDED_OUT,
    COUNTER_ENTRIES_VALIDATED,
    COUNTER_ENTRIES_DEVALIDATED,
    COUNTER_REFERENCES_TAKEN,
    COUNTER_IRET_HYPERCALLS,
    COUNTER_EXCEPTIONS_BOUNCED,
    COUNTER_TLB_FLUSHES_REQUESTED,
    COUNTER_TLB_FLUSHES_TYPE_CHANGE,
    COUNTER_COUNT,
};

static const char *const counter_names[COUNTER_COUNT] = {
    "hypercalls",
    "tlb_flushes",
    "page_table_updates",
    "page_table_writes_emulated",
    "page_faults_to_guests",
    "frames_zeroed",
    "prezeroed_frames_handed_out",
    "entries_validated",
    "entries_devalidated",
    "references_taken",
    "iret_hypercalls",
    "exceptions_bounced",
    "tlb_flushes_requested",
    "tlb_flushes_type_change",
};

struct counters {
    int64_t values[COUNTER_COUNT];
};

static bool counters_available;
static struct counters counting_overhead; /* what reading them twice shows */

static bool read_counters(struct counters *counters)
{
    struct pvmon_domain_memory_statistics statistics = { 0 };

    if (!counters_available || read_statistics(&statistics) != 0)
        return false;
    counters->values[COUNTER_HYPERCALLS] = (int64_t)statistics.hypercalls;
    counters->values[COUNTER_TLB_FLUSHES] = (int64_t)statistics.tlb_flushes;
    counters->values[COUNTER_PAGE_TABLE_UPDATES] = (int64_t)statistics.page_table_updates;
    counters->values[COUNTER_PAGE_TABLE_WRITES_EMULATED] = (int64_t)statistics.page_table_writes_emulated;
    counters->values[COUNTER_PAGE_FAULTS_TO_GUESTS] = (int64_t)statistics.page_faults_to_guests;
    counters->values[COUNTER_FRAMES_ZEROED] = (int64_t)statistics.frames_zeroed_on_demand;
    counters->values[COUNTER_PREZEROED_FRAMES_HANDED_OUT] = (int64_t)statistics.prezeroed_frames_received;
    counters->values[COUNTER_ENTRIES_VALIDATED] = (int64_t)statistics.entries_validated;
    counters->values[COUNTER_ENTRIES_DEVALIDATED] = (int64_t)statistics.entries_devalidated;
    counters->values[COUNTER_REFERENCES_TAKEN] = (int64_t)statistics.references_taken;
    counters->values[COUNTER_IRET_HYPERCALLS] = (int64_t)statistics.iret_hypercalls;
    counters->values[COUNTER_EXCEPTIONS_BOUNCED] = (int64_t)statistics.exceptions_bounced;
    counters->values[COUNTER_TLB_FLUSHES_REQUESTED] = (int64_t)statistics.tlb_flushes_requested;
    counters->values[COUNTER_TLB_FLUSHES_TYPE_CHANGE] = (int64_t)statistics.tlb_flushes_type_change;
    return true;
}

static void counters_init(void)
{
    struct pvmon_domain_memory_statistics statistics = { 0 };
    struct counters first, second;
    long result = read_statistics(&statistics);

    if (result != 0) {
        console_printf("counters-unavailable PVMON_MEMORY_domain_statistics returned %ld (%s)\n", result,
                       error_name(result));
        return;
    }
    counters_available = true;
    if (read_counters(&first) && read_counters(&second)) {
        for (unsigned int index = 0; index < COUNTER_COUNT; index++)
            counting_overhead.values[index] = second.values[index] - first.values[index];
    }
}

/* --- one benchmark and its runs ---------------------------------------------- */

struct benchmark {
    char name[48];
    struct counters counted; /* summed over the runs */
    bool failed;
    uint64_t run_start_ns;
    struct counters run_start;
};

static void benchmark_begin(struct benchmark *benchmark, const char *name)
{
    *benchmark = (struct benchmark) { 0 };
    format_string(benchmark->name, sizeof(benchmark->name), "%s", name);
}

static void run_begin(struct benchmark *benchmark)
{
    read_counters(&benchmark->run_start);
    benchmark->run_start_ns = system_time_ns();
}

static void run_end(struct benchmark *benchmark, uint64_t operations)
{
    uint64_t elapsed_ns = system_time_ns() - benchmark->run_start_ns;
    struct counters end;

    if (read_counters(&end)) {
        for (unsigned int index = 0; index < COUNTER_COUNT; index++)
            benchmark->counted.values[index] +=
                end.values[index] - benchmark->run_start.values[index] - counting_overhead.values[index];
    }
    console_printf("bench %s %lu %lu\n", benchmark->name, operations, elapsed_ns);
}

/* The benchmark stops at its first failure, which is reported instead of
 * the run that failed. */
static bool check(struct benchmark *benchmark, const char *what, long result)
{
    if (result == 0)
        return true;
    console_printf("unmeasured %s %s returned %ld (%s)\n", benchmark->name, what, result, error_name(result));
    benchmark->failed = true;
    return false;
}

static void benchmark_end(const struct benchmark *benchmark)
{
    if (benchmark->failed || !counters_available)
        return;
    for (unsigned int index = 0; index < COUNTER_COUNT; index++) {
        int64_t value = benchmark->counted.values[index];

        console_printf("counter %s.%s %ld\n", benchmark->name, counter_names[index], value < 0 ? 0 : value);
    }
}

static void report_unmeasured(const char *name, const char *reason)
{
    console_printf("unmeasured %s %s\n", name, reason);
}

/* --- mappings ------------------------------------------------------------------ */

static uint64_t read_only_mapping(const void *page)
{
    return (runtime_machine_address(page) & PTE_ADDRESS_MASK) | PTE_PRESENT | PTE_USER | PTE_ACCESSED;
}

/* How the domain builder mapped the kernel's own pages. */
static uint64_t own_mapping(const void *page)
{
    return read_only_mapping(page) | PTE_WRITABLE | PTE_DIRTY;
}

/* The value of every bench_table entry after pass number pass. */
static uint64_t table_value(unsigned int pass)
{
    return read_only_mapping(pass % 2 ? target_b : target_a);
}

static uint64_t table_entry_machine_address(unsigned int index)
{
    return runtime_machine_address(&bench_table[index]);
}

/* --- hypercall-null, mmuext-tlb-flush ----------------------------------------- */

/* hypercall-null: a number no handler answers, so that only the round trip
 * is timed (SYSCALL, the hypervisor's entry, the dispatch table's lookup,
 * -ENOSYS, the way back); hypercall-xen-version: the smallest real one. */
static void bench_plain_hypercall(const char *name, unsigned long number, unsigned long command, long expected)
{
    struct benchmark benchmark;

    benchmark_begin(&benchmark, name);
    for (unsigned int run = 0; run < runs && !benchmark.failed; run++) {
        long result = 0;

        run_begin(&benchmark);
        for (unsigned int call = 0; call < NULL_HYPERCALLS_PER_RUN; call++)
            result = hypercall3(number, command, 0, 0);
        if (expected == 0 ? result < 0 : result != expected) {
            console_printf("unmeasured %s hypercall %lu returned %ld (%s), not the %s this benchmark expects\n",
                           name, number, result, error_name(result), expected == 0 ? "success" : "-ENOSYS");
            benchmark.failed = true;
            break;
        }
        run_end(&benchmark, NULL_HYPERCALLS_PER_RUN);
    }
    benchmark_end(&benchmark);
}

static void bench_tlb_flush(void)
{
    struct benchmark benchmark;

    benchmark_begin(&benchmark, "mmuext-tlb-flush");
    for (unsigned int run = 0; run < runs && !benchmark.failed; run++) {
        run_begin(&benchmark);
        for (unsigned int flush = 0; flush < TLB_FLUSHES_PER_RUN; flush++) {
            if (!check(&benchmark, "mmuext_op(MMUEXT_TLB_FLUSH_LOCAL)", bench_mmuext_op(MMUEXT_TLB_FLUSH_LOCAL, 0)))
                break;
        }
        if (!benchmark.failed)
            run_end(&benchmark, TLB_FLUSHES_PER_RUN);
    }
    benchmark_end(&benchmark);
}

/* --- update_va_mapping ---------------------------------------------------------- */

static void bench_update_va_mapping(const char *name, unsigned long flags)
{
    struct benchmark benchmark;
    unsigned int update = 0;

    benchmark_begin(&benchmark, name);
    for (unsigned int run = 0; run < runs && !benchmark.failed; run++) {
        run_begin(&benchmark);
        for (unsigned int call = 0; call < UPDATE_VA_MAPPINGS_PER_RUN; call++, update++) {
            unsigned int page = update % UPDATE_WINDOW_PAGES;
            uint64_t value = table_value(update / UPDATE_WINDOW_PAGES);

            if (!check(&benchmark, "update_va_mapping",
                       hypercall_update_va_mapping((unsigned long)update_window[page], value, flags)))
                break;
        }
        if (!benchmark.failed)
            run_end(&benchmark, UPDATE_VA_MAPPINGS_PER_RUN);
    }
    benchmark_end(&benchmark);
    for (unsigned int page = 0; page < UPDATE_WINDOW_PAGES; page++)
        hypercall_update_va_mapping((unsigned long)update_window[page], own_mapping(update_window[page]), UVMF_INVLPG);
}

/* --- the pinned table ------------------------------------------------------------- */

/* Makes bench_table read-only and pins it as an L1 table; on failure
 * writes why into reason and leaves it as it was. */
static bool pin_bench_table(char *reason, size_t reason_size)
{
    long result = hypercall_update_va_mapping((unsigned long)bench_table, read_only_mapping(bench_table), UVMF_INVLPG);

    if (result != 0) {
        format_string(reason, reason_size, "update_va_mapping (making the L1 read-only) returned %ld (%s)", result,
                      error_name(result));
        return false;
    }
    result = bench_mmuext_op(MMUEXT_PIN_L1_TABLE, runtime_machine_address(bench_table) >> PAGE_SHIFT);
    if (result != 0) {
        format_string(reason, reason_size, "mmuext_op(MMUEXT_PIN_L1_TABLE) returned %ld (%s)", result,
                      error_name(result));
        hypercall_update_va_mapping((unsigned long)bench_table, own_mapping(bench_table), UVMF_INVLPG);
        return false;
    }
    return true;
}

static void unpin_bench_table(void)
{
    unsigned int done = 0;
    long result;

    for (unsigned int index = 0; index < TABLE_ENTRIES; index++)
        requests[index] = (struct mmu_update) { .ptr = table_entry_machine_address(index) | MMU_NORMAL_PT_UPDATE };
    result = bench_mmu_update(requests, TABLE_ENTRIES, &done);
    if (result == 0)
        result = bench_mmuext_op(MMUEXT_UNPIN_TABLE, runtime_machine_address(bench_table) >> PAGE_SHIFT);
    if (result == 0)
        result = hypercall_update_va_mapping((unsigned long)bench_table, own_mapping(bench_table), UVMF_INVLPG);
    if (result != 0)
        console_printf("microbenchmarks: giving the benchmark L1 back failed: %ld (%s)\n", result, error_name(result));
}

/* --- mmu_update, one hypercall per batch or one multicall per batch ---------------- */

static void fill_requests(unsigned int first, unsigned int count, uint64_t value)
{
    for (unsigned int index = 0; index < count; index++)
        requests[index] = (struct mmu_update) {
            .ptr = table_entry_machine_address(first + index) | MMU_NORMAL_PT_UPDATE,
            .val = value,
        };
}

static long update_batch(unsigned int first, unsigned int count, uint64_t value)
{
    unsigned int done = 0;
    long result;

    fill_requests(first, count, value);
    result = bench_mmu_update(requests, count, &done);
    if (result == 0 && done != count)
        result = -XEN_EINVAL;
    return result;
}

static long update_batch_by_multicall(unsigned int first, unsigned int count, uint64_t value)
{
    long result;

    fill_requests(first, count, value);
    for (unsigned int index = 0; index < count; index++)
        calls[index] = (struct multicall_entry) {
            .op = __HYPERVISOR_mmu_update,
            .args = { (unsigned long)&requests[index], 1, 0, DOMID_SELF },
        };
    result = hypercall_multicall(calls, count);
    for (unsigned int index = 0; index < count && result == 0; index++)
        result = (long)calls[index].result;
    return result;
}

static void bench_table_updates(const char *name_format, unsigned int batch, bool by_multicall)
{
    struct benchmark benchmark;
    char name[48];

    format_string(name, sizeof(name), name_format, batch);
    benchmark_begin(&benchmark, name);
    for (unsigned int run = 0; run < runs && !benchmark.failed; run++) {
        run_begin(&benchmark);
        for (unsigned int pass = 0; pass < MMU_UPDATE_PASSES_PER_RUN && !benchmark.failed; pass++, table_pass++) {
            uint64_t value = table_value(table_pass);

            for (unsigned int first = 0; first < TABLE_ENTRIES; first += batch) {
                long result = by_multicall ? update_batch_by_multicall(first, batch, value)
                                           : update_batch(first, batch, value);

                if (!check(&benchmark, by_multicall ? "multicall of mmu_update" : "mmu_update", result))
                    break;
            }
        }
        if (!benchmark.failed)
            run_end(&benchmark, (uint64_t)MMU_UPDATE_PASSES_PER_RUN * TABLE_ENTRIES);
    }
    benchmark_end(&benchmark);
}

/* --- direct writes to the pinned, read-only table ---------------------------------- */

/* xchg %rax, (%rdi) (REX.W 87 /r, as Linux's ptep_get_and_clear), with
 * labels around it so that a fault it is not emulated can be skipped. */
uint64_t bench_exchange_entry(uint64_t *entry, uint64_t value);
extern const char bench_exchange_instruction[], bench_exchange_resume[];
__asm__(".pushsection .text\n"
        ".globl bench_exchange_entry\n"
        "bench_exchange_entry:\n"
        "    mov %rsi, %rax\n"
        "bench_exchange_instruction:\n"
        "    xchg %rax, (%rdi)\n"
        "bench_exchange_resume:\n"
        "    ret\n"
        ".popsection\n");

static volatile bool exchange_faulted;
static uint64_t exchange_fault_error_code;

static bool skip_unemulated_exchange(struct trap_frame *frame)
{
    if (frame->rip != (uint64_t)bench_exchange_instruction)
        return false;
    exchange_faulted = true;
    exchange_fault_error_code = frame->error_code;
    frame->rip = (uint64_t)bench_exchange_resume;
    return true;
}

static void bench_trapped_writes(void)
{
    struct benchmark benchmark;

    benchmark_begin(&benchmark, "pte-write-trapped");
    exchange_faulted = false;
    traps_set_hook(PAGE_FAULT_VECTOR, skip_unemulated_exchange);
    for (unsigned int run = 0; run < runs && !benchmark.failed; run++) {
        uint64_t value = 0;

        run_begin(&benchmark);
        for (unsigned int pass = 0; pass < TRAPPED_WRITE_PASSES_PER_RUN && !exchange_faulted; pass++, table_pass++) {
            value = table_value(table_pass);
            for (unsigned int index = 0; index < TABLE_ENTRIES && !exchange_faulted; index++)
                bench_exchange_entry(&bench_table[index], value);
        }
        if (exchange_faulted) {
            console_printf("unmeasured %s the write faulted and was not emulated (#PF, error code %#lx)\n",
                           benchmark.name, exchange_fault_error_code);
            benchmark.failed = true;
        } else if ((bench_table[TABLE_ENTRIES - 1] & PTE_ADDRESS_MASK) != (value & PTE_ADDRESS_MASK)) {
            console_printf("unmeasured %s the emulated write did not change the entry (%#lx, wanted %#lx)\n",
                           benchmark.name, bench_table[TABLE_ENTRIES - 1], value);
            benchmark.failed = true;
        } else {
            run_end(&benchmark, (uint64_t)TRAPPED_WRITE_PASSES_PER_RUN * TABLE_ENTRIES);
        }
    }
    traps_set_hook(PAGE_FAULT_VECTOR, 0);
    benchmark_end(&benchmark);
}

/* --- all of them ---------------------------------------------------------------------- */

static const unsigned int batch_sizes[] = { 1, 8, 64, 512 };
static const unsigned int multicall_sizes[] = { 8, 64, 512 };

int run_microbenchmarks(const char *command_line)
{
    char reason[160];
    uint64_t requested_runs;

    if (command_line_get_unsigned(command_line, "runs", &requested_runs) && requested_runs > 0 &&
        requested_runs <= 100)
        runs = (unsigned int)requested_runs;
    console_printf("microbenchmarks: %u runs each; time is PV system time in ns\n", runs);
    counters_init();
    bench_plain_hypercall("hypercall-null", UNUSED_HYPERCALL, 0, -XEN_ENOSYS);
    bench_plain_hypercall("hypercall-xen-version", __HYPERVISOR_xen_version, XENVER_version, 0);
    bench_update_va_mapping("update-va-mapping-no-flush", UVMF_NONE);
    bench_update_va_mapping("update-va-mapping-invlpg", UVMF_INVLPG);
    bench_update_va_mapping("update-va-mapping-tlb-flush", UVMF_TLB_FLUSH);
    bench_tlb_flush();
    if (pin_bench_table(reason, sizeof(reason))) {
        for (unsigned int index = 0; index < sizeof(batch_sizes) / sizeof(batch_sizes[0]); index++)
            bench_table_updates("mmu-update-batch-%u", batch_sizes[index], false);
        for (unsigned int index = 0; index < sizeof(multicall_sizes) / sizeof(multicall_sizes[0]); index++)
            bench_table_updates("mmu-update-multicall-%u", multicall_sizes[index], true);
        bench_trapped_writes();
        unpin_bench_table();
    } else {
        char name[48];

        for (unsigned int index = 0; index < sizeof(batch_sizes) / sizeof(batch_sizes[0]); index++) {
            format_string(name, sizeof(name), "mmu-update-batch-%u", batch_sizes[index]);
            report_unmeasured(name, reason);
        }
        for (unsigned int index = 0; index < sizeof(multicall_sizes) / sizeof(multicall_sizes[0]); index++) {
            format_string(name, sizeof(name), "mmu-update-multicall-%u", multicall_sizes[index]);
            report_unmeasured(name, reason);
        }
        report_unmeasured("pte-write-trapped", reason);
    }
    console_printf("microbenchmarks: done\n");
    return 0;
}
