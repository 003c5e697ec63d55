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
 *   - The log: "toolstack: d<id> vbd <N>: ..." for each step and trouble,
 *     and the vbd's counters when it goes (requests, GNTTABOP_copy calls
 *     and segments, notifications: the events per request).
 */
#ifndef BACKEND_BLKBACK_DOM0_H
#define BACKEND_BLKBACK_DOM0_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/domain_config.h>
#include "blkback_xenbus.h"

#define BLKBACK_DOM0_DEVICES 16
#define BLKBACK_DOM0_BOUNCE_PAGES 256

/* Fills the bounce pool from dom0's frame pool; events set *wake_flag. */
void blkback_dom0_init(volatile bool *wake_flag);

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

#endif
