/*
 * dom0's raw disk figures (bench=virtio-blk on dom0's command line): the
 * first block device driven directly through block_device.h, the
 * "physical limit" a domU's PV disk is compared with.  Each workload runs
 * once and prints "bench <name> <operations> <elapsed_ns>" (the format of
 * tools/bench/run-bench.sh), PV system time:
 *
 *   virtio-blk-sequential-write-64k  BENCH_SEQUENTIAL_OPERATIONS 64 KiB
 *                                    writes from sector 0 (each two
 *                                    requests, 11 and 5 pages, in flight
 *                                    together), then one FLUSH, counted in
 *   virtio-blk-sequential-read-64k   the same range read back
 *   virtio-blk-random-write-4k       BENCH_RANDOM_OPERATIONS 4 KiB writes,
 *                                    one at a time, at 4 KiB-aligned
 *                                    pseudo-random places in that range,
 *                                    then one FLUSH, counted in
 *   virtio-blk-random-read-4k        the same, reading
 *
 * Every completion is awaited on the device's interrupt.  The disk must be
 * writable and hold the range (4 MiB); its contents are overwritten.
 */
#ifndef PV_KERNEL_VIRTIO_BLK_BENCH_H
#define PV_KERNEL_VIRTIO_BLK_BENCH_H

#define BENCH_SEQUENTIAL_OPERATIONS 64
#define BENCH_RANDOM_OPERATIONS 256

/* 0, or the first error (reported on the console). */
int virtio_blk_bench(void);

#endif
