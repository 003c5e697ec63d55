/*
 * image_file in dom0: an image file (image_file.h) is one of dom0's
 * virtio disks, named by the host file behind it, read and written
 * synchronously with block_device_submit and block_device_complete
 * through bounce pages of dom0's own.
 *
 * Names.  A disk's name is the serial QEMU gives its virtio-blk device
 * (tools/run-qemu.sh sets serial= to the host file's base name, e.g.
 * "base.qcow2"), which dom0 reads with VIRTIO_BLK_T_GET_ID when it
 * probes the disk (block_device_serial): qcow2 names its backing file by
 * that base name, and `qemu-img info --backing-chain` finds the same file
 * on the host because the files sit side by side.  "/dev/vdX" names a
 * disk by its place too.  The limits are virtio's: a serial is at most 20
 * bytes, so a longer base name leaves the disk without a name.
 *
 * The rules it keeps:
 *   - Sharing.  A disk open for writing is open once; a disk open
 *     read-only may be opened read-only again (several vbds on one base)
 *     but not for writing: -EBUSY.  So a base that backs a vbd is
 *     read-only to every vbd, and no two writers share a file.
 *   - Completions.  block_device_complete hands back every finished
 *     request of a disk, blkback's asynchronous raw requests on the same
 *     disk among them: image_file_dom0_complete dispatches each by its
 *     owner, this file's own to their waiter, any other to the handler
 *     given at init (blkback_request_done), so that nothing is stolen or
 *     lost.  Every caller in dom0 takes a disk's completions through it.
 *   - Bounded waits.  A request not finished within
 *     IMAGE_FILE_DOM0_TIMEOUT_NS fails with -EIO; its bounce pages stay
 *     with the disk until it does finish, and until then every image
 *     file's I/O fails with -EIO (the disk has stopped answering).
 *   - Requests of at most IMAGE_FILE_DOM0_BOUNCE_PAGES pages, one page a
 *     segment; longer reads and writes are split.  A FLUSH on a disk
 *     without a volatile cache is done at once (every completed write is
 *     durable there: block_device.h).
 *
 * dom0-only glue (the disk driver, the clock): not in the host tests.
 */
#ifndef BACKEND_IMAGE_FILE_DOM0_H
#define BACKEND_IMAGE_FILE_DOM0_H

#include <stdbool.h>
#include <kernel/block_device.h>
#include "image_file.h"

#define IMAGE_FILE_DOM0_FILES 32
#define IMAGE_FILE_DOM0_BOUNCE_PAGES 11 /* BLOCK_MAX_SEGMENTS */
#define IMAGE_FILE_DOM0_TIMEOUT_NS (10UL * 1000 * 1000 * 1000)

/* Takes the bounce pages from dom0's frame pool; others gets every
 * completion that is not an image file's; events set *wake_flag. */
int image_file_dom0_init(void (*others)(struct block_request *request), volatile bool *wake_flag);

/* The disk called name: "/dev/vdX", or its serial ("base.qcow2"); NULL if none. */
struct block_device *image_file_dom0_find_disk(const char *name);

/*
 * Opens the disk called name as an image file, read-only or writable
 * (the rules above).  0 with *file, or: -ENODEV (no such disk), -EROFS
 * (writable asked of a read-only disk), -EBUSY (in use: see Sharing),
 * -ENOMEM (IMAGE_FILE_DOM0_FILES open already).
 */
int image_file_dom0_open(const char *name, bool writable, struct image_file **file);
void image_file_dom0_close(struct image_file *file);

/* The disk an open file is on. */
struct block_device *image_file_dom0_disk(const struct image_file *file);

/* Whether any image file is open on disk (writable: open for writing). */
bool image_file_dom0_in_use(const struct block_device *disk, bool *writable);

/* Takes disk's completions, dispatching each by its owner (see above). */
unsigned int image_file_dom0_complete(struct block_device *disk);

#endif
