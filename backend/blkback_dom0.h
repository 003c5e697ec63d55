/*
 * blkback in dom0: what ties the pure vbd code (blkback.h,
 * blkback_xenbus.h) to the hypervisor and to dom0's disks, the job of
 * Linux's xen-blkback module in Xen's dom0.  domain_backends.c calls it
 * for each disk line of a domain (domain_config.h) and from dom0's loop.
 *
 * The rules it keeps:
 *   - Devices.  At most BLKBACK_DOM0_DEVICES vbds exist at once; a
 *     device is free again only once its domain is gone AND the disk has
 *     finished every request it had (blkback_xenbus_idle): requests still
 *     on the disk when a domain dies finish into dom0's bounce pages.
 *   - Targets.  A vbd is a virtio disk of dom0's (block_device.h), whole
 *     or the range its disk line names, checked against the disk's size;
 *     it is read-only if the line says so or the disk is.  A range that
 *     overlaps another live vbd's on the same disk is refused unless both
 *     are read-only, as xl refuses a disk already in use.
 *   - Ring pages.  Each device has a window page of dom0's own, which the
 *     frontend's ring grant is mapped over (GNTTABOP_map_grant_ref,
 *     GNTMAP_host_map); unmapping (GNTTABOP_unmap_grant_ref) leaves the
 *     window unmapped, so dom0's own frame is mapped back there
 *     (update_va_mapping) and the direct map's rule holds again.
 *   - Data.  GNTTABOP_copy between the frontend's grants and the shared
 *     bounce pool (BLKBACK_DOM0_BOUNCE_PAGES pages of dom0's, by machine
 *     frame: dom0 is a PV domain); disk requests with machine addresses.
 *     The pages come from dom0's frame pool (frame_pool.h, set up by the
 *     toolstack), not from the kernel image's BSS, which every domU of
 *     our kernel would load too.
 *   - Events.  dom0 binds the frontend's port (EVTCHNOP_bind_interdomain);
 *     an event only sets the flag dom0's loop sleeps on, as a disk's
 *     interrupt does; the rings are served from the loop.
 *   - Images.  A disk line of format raw with no feature (no cipher, no
 *     compress) is served as above, asynchronously on the disk: the plain
 *     raw path is untouched.  Any other vbd is served from a disk_image
 *     (disk_image.h: qcow2 with its backing chain, compressed writes,
 *     aes-xts-plain64) on image files of dom0's (image_file_dom0.h),
 *     through the same blkback_operations.submit: the request is done
 *     synchronously on the image, reaching the bounce pages through
 *     dom0's direct map, and handed back through blkback_request_done on
 *     the next pass.  So between two passes no request of an image vbd
 *     is half done: that is when its image may be flushed or swapped
 *     (blkback_dom0_reopen).  An image error (-EIO from a corrupt image,
 *     -ENOSPC from a full file) fails that request alone (BLKIF_RSP_ERROR).
 *     An image that does not open fails that vbd's connection alone: its
 *     backend's error node and dom0's log say why, state Closing.
 *   - Keys.  keyfile= names a file of dom0's ramdisk (the key comes from
 *     the domain's configuration on the host, never from the guest): 64
 *     bytes, as cryptsetup's --key-file, read when the vbd connects.
 *   - The log: "toolstack: d<id> vbd <N>: ..." for each step and trouble,
 *     and the vbd's counters when it goes (requests, GNTTABOP_copy calls
 *     and segments, notifications: the events per request).
 */
#ifndef BACKEND_BLKBACK_DOM0_H
#define BACKEND_BLKBACK_DOM0_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <kernel/domain_config.h>
#include "blkback_xenbus.h"

#define BLKBACK_DOM0_DEVICES 16
#define BLKBACK_DOM0_BOUNCE_PAGES 256

/* Fills the bounce pool from dom0's frame pool; events set *wake_flag;
 * key files are read from start_info's ramdisk. */
void blkback_dom0_init(volatile bool *wake_flag, const struct start_info *start_info);

/*
 * Creates the vbd of disk for domain (its nodes, then InitWait).  0 with
 * *device, or: -XEN_ENODEV for a disk dom0 does not have, -XEN_EINVAL for
 * a range beyond it, -XEN_EBUSY for a range in use or no free device, or
 * the xenstore's error.
 */
int blkback_dom0_connect(domid_t domain, const struct disk_spec *disk, struct blkback_xenbus **device);

/* The domain is gone: its vbd stops and its nodes go (blkback_xenbus_destroy). */
void blkback_dom0_disconnect(struct blkback_xenbus *device);

/*
 * Takes every disk's completions, then serves each vbd once.  true if
 * work is left for another pass now.
 */
bool blkback_dom0_service(void);

/* --- a live vbd's image (checkpoints: the toolstack, between passes) ------------ */

/* The live vbd vdev ("xvda") of domain, or NULL. */
struct blkback_xenbus *blkback_dom0_find(domid_t domain, const char *vdev);

/* The name of the disk the vbd's image writes to (its top: "overlay1.qcow2",
 * or "/dev/vdX" for a disk without a name); NULL for a raw vbd on the
 * plain path (no image). */
const char *blkback_dom0_top_name(const struct blkback_xenbus *device);

/* Makes every write the vbd has answered durable (disk_image_flush).
 * 0, -EOPNOTSUPP for a raw vbd on the plain path, or the image's error. */
int blkback_dom0_flush(struct blkback_xenbus *device);

/*
 * Serves the vbd from the image on disk top_name (opened as the vbd's
 * disk line says: format qcow2 with its backing chain, its cipher and
 * key, compress) from now on: the current image is flushed and closed
 * first, so top_name's chain may name the current top as a read-only
 * backing file (a checkpoint: the current overlay freezes under a new
 * one).  The new image must have the same size.  0, or the error with
 * the vbd still on its old image (reopened): -EOPNOTSUPP for a raw vbd on
 * the plain path, -EINVAL for a different size, the open's error.
 */
int blkback_dom0_reopen(struct blkback_xenbus *device, const char *top_name);

#endif
