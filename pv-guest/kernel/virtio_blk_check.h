/*
 * dom0's check of its block devices against real disks (test=virtio-blk on
 * dom0's command line): on every device, through block_device.h only,
 *
 *   - writable disk: four WRITEs in flight at once, of the shapes below,
 *     each sector holding disk_pattern.h's contents for VIRTIO_BLK_CHECK_SEED;
 *     a FLUSH; the same ranges read back into cleared pages, four READs in
 *     flight, and compared; a request beyond the end refused.
 *       one page           sectors 0+8, one 4 KiB segment
 *       eleven segments    sectors 128+88, BLOCK_MAX_SEGMENTS pages
 *       crossing a page    sectors 300+6: the last 1 KiB of one page, then
 *                          the first 2 KiB of the next
 *       end of the disk    the last 8 sectors, two 2 KiB segments
 *   - read-only disk: a WRITE is refused (-EROFS), a READ works.
 *   - both: VIRTIO_BLK_SLOTS one-sector READs in flight at once, the next
 *     one refused (-EBUSY), all of them completing.
 *
 * Completion is waited for on the devices' interrupts (the wake-up flag of
 * block_device.h, with a deadline), never by spinning.  One "PASS
 * virtio-blk ..." or "FAIL virtio-blk ..." line per case, then
 * "virtio-blk check: N passed, N failed".  The host then checks the image
 * file (tools/disk_pattern_check.c) for the same ranges.
 */
#ifndef PV_KERNEL_VIRTIO_BLK_CHECK_H
#define PV_KERNEL_VIRTIO_BLK_CHECK_H

#define VIRTIO_BLK_CHECK_SEED 0x70766d6f6e /* "pvmon" */

/* Runs the check on every block device; returns the number of failures
 * (a machine with no block device is one). */
unsigned int virtio_blk_check(void);

#endif
