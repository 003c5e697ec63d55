/*
 * role=microbenchmarks: the PV kernel times hypervisor primitives from
 * its own kernel mode (ring 3 under pvmon) and prints, for each run,
 *
 *     bench NAME OPERATIONS ELAPSED_NS
 *
 * in PV system time, and after each benchmark the domain's own counters
 * (pvmon's memory extension, PVMON_MEMORY_domain_statistics: a domU may
 * not read the machine's; frames_zeroed counts its frames zeroed at
 * allocation, not the idle loop's scrubbing) summed over its runs:
 *
 *     counter NAME.COUNTER VALUE
 *
 * A benchmark that cannot run says why instead, once:
 *
 *     unmeasured NAME REASON...
 *
 * tools/bench/run-bench.sh reads these lines; the list of benchmarks is at
 * the top of microbenchmarks.c.  Benchmarks are never tests: nothing here
 * judges a time.
 */
#ifndef PV_KERNEL_MICROBENCHMARKS_H
#define PV_KERNEL_MICROBENCHMARKS_H

/* Runs every microbenchmark; returns 0 (a benchmark that cannot run is
 * reported, not an error). */
int run_microbenchmarks(const char *command_line);

#endif
