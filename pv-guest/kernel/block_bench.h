/*
 * dom0's block benchmark (test=block-bench on dom0's command line): the
 * "dom0" column of 'make bench''s block table (tools/bench/run-block-bench.sh),
 * the same four passes as the Linux domU's pvmon-blockbench
 * (pv-guest/linux/initramfs/blockbench.c), on dom0's first block device
 * directly, through block_device.h:
 *
 *   seq-write   64 KiB writes from sector 0 over bench_mib MiB (default 64),
 *               then one FLUSH (timed too, as the domU's fdatasync)
 *   seq-read    64 KiB reads over the same region
 *   rand-write  bench_requests (default 1024) 4 KiB writes at pseudo-random
 *               4 KiB offsets of the region (the domU's sequence), then a FLUSH
 *   rand-read   as many 4 KiB reads
 *
 * One 64 KiB unit at a time, as the domU's O_DIRECT requests: it is two
 * requests of at most BLOCK_MAX_SEGMENTS pages in flight together, as
 * Linux's blkfront splits it without indirect descriptors.  Completions
 * are awaited on the device's interrupt.  Each pass prints "block-bench
 * pass=NAME size=BYTES requests=N bytes=N ns=N" (system time: under
 * -icount shift=0, instructions), or "FAIL block-bench pass=NAME ...".
 * A benchmark: the data is not checked (test=virtio-blk does that).
 */
#ifndef PV_KERNEL_BLOCK_BENCH_H
#define PV_KERNEL_BLOCK_BENCH_H

/* Runs the passes; returns 0, or the number of passes that failed (no
 * writable block device, or one too small, counts as one). */
unsigned int block_bench_run(const char *command_line);

#endif
