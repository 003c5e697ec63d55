/*
 * The broken-disk test of our PV kernel as a domU (role=disk-broken):
 * its vbd is on an image dom0 cannot serve (a malformed qcow2 image, a
 * backing chain that loops, a bad compressed stream), and the device must
 * fail cleanly: the backend refuses the connection (state Closing, its
 * error node saying why), or answers every request, some of them
 * BLKIF_RSP_ERROR.  Connected, it reads the whole disk in eleven-page
 * requests, then, on a vbd not read-only, writes the first and last
 * eleven pages (allocating clusters: the refcounts' path), one request
 * at a time.  A request left
 * unanswered, or a disk that fails nothing, is a failure.
 *   role=disk-broken [expect=okay] [seconds=S]
 * With expect=okay the disk is a healthy one read beside image vbds (a
 * read-only raw vbd on a base image's disk): every request must then be
 * answered OKAY instead.
 * One line per case, "PASS disk_broken: case" or "FAIL ...", then
 * "SUMMARY disk_broken: N passed, N failed"; S (default 60) bounds it.
 */
#ifndef PV_KERNEL_DISK_BROKEN_H
#define PV_KERNEL_DISK_BROKEN_H

int run_disk_broken(const char *command_line);

#endif
