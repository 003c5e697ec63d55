/*
 * The disk test of our PV kernel as a domU (role=disk-test,
 * role=disk-verify), through frontend/blkfront.c on the domain's vbd
 * device/vbd/N (vbd=N, e.g. 51728 for xvdb; default: the first listed):
 *   role=disk-test [vbd=N] [seed=N] [extents=N] [fill] [seconds=S]
 *       writes the plan of disk_plan.h, with disk_pattern.h's contents:
 *       with `fill`, every sector of the disk (at most 44 MiB) in
 *       eleven-page requests; then the first and last sectors, eleven
 *       whole pages, eleven sub-page segments and `extents` random extents
 *       across the disk (default 64); up to four requests in flight;
 *       flushes if the backend offers it, reads everything back into
 *       poisoned pages and checks every sector and that a sub-page read
 *       left the rest of its page alone;
 *   role=disk-test ... then-seed=M
 *       the same, then waits for a line typed on the domain's console
 *       (xl console: a checkpoint can be taken meanwhile) and writes,
 *       flushes, reads back and checks the plan of seed M on the same vbd;
 *   role=disk-verify [vbd=N] [seed=N] [extents=N] [fill] [seconds=S]
 *       reads back and checks the same plan without writing: what an
 *       earlier domain with the same seed wrote must have outlived it.
 * One line per case, "PASS disk_test: case" or "FAIL disk_test: case:
 * why" (disk_verify for the second role), then "SUMMARY disk_test: N
 * passed, N failed"; S (default 120) bounds the whole test.
 */
#ifndef PV_KERNEL_DISK_TEST_H
#define PV_KERNEL_DISK_TEST_H

#include <stdbool.h>

/* Runs the test; returns 0 when every case passed, -XEN_EIO otherwise. */
int run_disk_test(const char *command_line, bool write_first);

#endif
