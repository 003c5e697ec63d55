/*
 * Checkpoints in dom0: the chain logic of vbd_checkpoint.h on dom0's disks
 * (image_file_dom0.h: a disk is named by its host file's base name), and a
 * live vbd moved onto the new overlay between two passes
 * (blkback_dom0_reopen).  xl's block-* verbs call it
 * (tools/xl/xl_block_dom0.c), and blkback_dom0 asks it which image a
 * writable vbd writes to.
 *
 * The rules it keeps:
 *   - What dom0 knows of its disks is read from them (their first cluster)
 *     before every use, but for a disk open for writing by a vbd: that
 *     one's description is the one read before the vbd opened it (its
 *     backing name and size do not change while it is written), or, for a
 *     disk this code made an overlay on, what it wrote.  A disk open by any
 *     vbd is busy: never wiped, never a free spare.
 *   - A writable vbd on a disk writes to the top of the chain through it
 *     (vbd_checkpoint_dom0_top): after a checkpoint, `xl create` again (or
 *     a restart) goes on from the newest overlay, found from the images
 *     after dom0 starts afresh; a chain that does not check is refused.
 *   - A live checkpoint costs the guest one flush and the reopening of its
 *     chain: the overlay is written on the spare first (while the vbd keeps
 *     running on its top, which the empty overlay reads through to), then,
 *     between two passes (no request half done), blkback_dom0_reopen
 *     flushes the old top and opens the spare over it.  Every write
 *     answered before is in the old top, durable once that flush returns;
 *     every later one goes to the overlay.  If the vbd cannot move, the
 *     spare is wiped again and the vbd stays on its old top.
 *   - A rollback touches only disks no vbd has open (-EBUSY otherwise):
 *     the guest's own caches would no longer match its disk, so, as Xen
 *     and libvirt revert a disk, the domain is shut down first.
 */
#ifndef BACKEND_VBD_CHECKPOINT_DOM0_H
#define BACKEND_VBD_CHECKPOINT_DOM0_H

#include "blkback_xenbus.h"
#include "vbd_checkpoint.h"

/*
 * The disk a writable vbd on the disk called name writes to, in top
 * (IMAGE_FILE_NAME_SIZE bytes): the top of the chain through it, name
 * itself for a disk with no checkpoint or one dom0 does not know by name
 * ("/dev/vdb").  0, or the chain's error (vbd_checkpoint_chain).
 */
int vbd_checkpoint_dom0_top(const char *name, char *top);

/* dom0's disks described afresh, and the chain through name: 0 or its error. */
int vbd_checkpoint_dom0_chain(const char *name, const struct vbd_checkpoint_catalogue **catalogue,
                              struct vbd_checkpoint_chain *chain);

/*
 * A checkpoint of the live vbd device: its top freezes, the new overlay's
 * disk name in spare (IMAGE_FILE_NAME_SIZE bytes).  0, or -EOPNOTSUPP (a
 * plain raw vbd), -ENOSPC (no free spare), the chain's error, or
 * blkback_dom0_reopen's (the vbd then stays on its old top).
 */
int vbd_checkpoint_dom0_take_live(struct blkback_xenbus *device, char *spare);

/* A checkpoint of the disk called name, which no vbd uses (-EBUSY otherwise). */
int vbd_checkpoint_dom0_take(const char *name, char *spare);

/* Rolls the disk called name back to checkpoint (vbd_checkpoint_rollback). */
int vbd_checkpoint_dom0_rollback(const char *name, const char *checkpoint);

#endif
