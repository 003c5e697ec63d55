/*
 * vbd_checkpoint: checkpoints of a virtual disk as an external snapshot
 * chain of qcow2 overlays, the kind QEMU makes (`virsh snapshot-create
 * --disk-only`, `blockdev-snapshot`) and `qemu-img info --backing-chain`
 * shows: a checkpoint freezes the image the disk writes to, and a new,
 * empty overlay whose backing file is that image takes the writes from
 * then on (docs/interop/qcow2.txt, "backing file"; qcow2.h).  Rolling back
 * to a checkpoint puts a fresh empty overlay over it in place of the
 * overlays above it.
 *
 * dom0 has no file system: every image file is a whole disk (image_file.h),
 * so a new overlay needs a disk of its own.  Those are the spares:
 *   - A disk whose name begins with VBD_CHECKPOINT_SPARE_PREFIX ("ckpt1.qcow2")
 *     is a spare of the checkpoint pool.  It is free when it does not begin
 *     with the qcow2 magic (an empty sparse file, or one this code wiped).
 *     Only spares are ever written by this code; every other disk is only
 *     read.
 *   - Everything is derived from the images themselves, so that it is found
 *     again after dom0 starts afresh: the chain through a disk goes up
 *     through the spares whose backing name is the image below (the
 *     overlays checkpoints made), down through backing names.  A checkpoint
 *     is named by its image's disk name: an image of the chain below the
 *     top whose overlay above it is a spare.
 *
 * The rules it keeps:
 *   - The images are hostile: a chain that loops, is deeper than
 *     DISK_IMAGE_MAX_CHAIN, names a backing file dom0 does not have, or
 *     forks (two spares over one image) is refused (-EINVAL), never
 *     followed.
 *   - Crash order.  A new overlay is written on a free spare (qcow2_create:
 *     the header last, then a flush) before anything names it; a rollback
 *     wipes the spares above the checkpoint from the top down (the qcow2
 *     magic zeroed, flushed), so a stop at any point leaves a chain whose
 *     top is the old top, an overlay between, or (for the instant between
 *     the last wipe and the new overlay's header) the checkpoint itself;
 *     running the rollback again finishes it.
 *   - An image in use (busy: open by a live vbd) is neither wiped nor made
 *     the backing of an overlay here: a live vbd's checkpoint is the dom0
 *     glue's (vbd_checkpoint_dom0.h), which swaps its top between passes.
 *   - Errors are negative Xen errno values.
 *
 * Pure: image files are reached through image_file.h and the operations
 * the caller gives (struct vbd_checkpoint_disks); the host unit tests run
 * it on RAM files with the real qcow2 code.
 */
#ifndef BACKEND_VBD_CHECKPOINT_H
#define BACKEND_VBD_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "disk_image.h"
#include "image_file.h"

#define VBD_CHECKPOINT_SPARE_PREFIX "ckpt"
#define VBD_CHECKPOINT_IMAGES 32 /* disks a catalogue holds */

/* What the chain logic knows of one disk, read from its first cluster. */
struct vbd_checkpoint_image {
    char name[IMAGE_FILE_NAME_SIZE];
    bool qcow2;                          /* begins with the qcow2 magic */
    bool valid;                          /* raw, or a qcow2 header that reads and checks */
    char backing[IMAGE_FILE_NAME_SIZE];  /* the backing file's name; "" none */
    bool backing_raw;                    /* the header names "raw" as its backing format */
    uint64_t virtual_size;               /* bytes (a raw disk's: its size) */
    bool busy;                           /* open by a live vbd (set by the caller) */
};

/* Every disk dom0 has, described. */
struct vbd_checkpoint_catalogue {
    unsigned int count;
    struct vbd_checkpoint_image images[VBD_CHECKPOINT_IMAGES];
};

/* A chain: catalogue indexes, [0] the top (written), [i + 1] backs [i]. */
struct vbd_checkpoint_chain {
    unsigned int count;
    unsigned int images[DISK_IMAGE_MAX_CHAIN];
    unsigned int named; /* the position of the image the chain was asked for */
};

/* Opening spares for writing: the caller's (dom0: image_file_dom0.h). */
struct vbd_checkpoint_disks {
    /* 0 with *file, or the error (-EBUSY: open by someone else). */
    int (*open_writable)(void *context, const char *name, struct image_file **file);
    void (*close)(void *context, struct image_file *file);
    void *context;
};

bool vbd_checkpoint_is_spare(const char *name);

/*
 * Describes file in *image (its name, format, backing name, size).  buffer
 * holds QCOW2_MAX_CLUSTER_SIZE bytes (the header cluster).  A qcow2 header
 * that does not check leaves valid false (0: the file is still described);
 * an error only for the file's own.
 */
int vbd_checkpoint_describe(struct image_file *file, uint8_t *buffer, struct vbd_checkpoint_image *image);

/* Adds a description: 0, -ENOSPC (full), -EEXIST (a name twice). */
int vbd_checkpoint_catalogue_add(struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_image *image);

/* The catalogue index of name, or -ENOENT. */
int vbd_checkpoint_find(const struct vbd_checkpoint_catalogue *catalogue, const char *name);

/*
 * The chain through the disk called name: up through the spare overlays
 * over it to the top, down through backing names.  0, -ENOENT (no such
 * disk), -EINVAL (an image that does not check, a backing file that is not
 * there, a loop, a fork), -E2BIG (deeper than DISK_IMAGE_MAX_CHAIN).
 */
int vbd_checkpoint_chain(const struct vbd_checkpoint_catalogue *catalogue, const char *name,
                         struct vbd_checkpoint_chain *chain);

/* Whether the image at position of chain is a checkpoint (below the top, a spare over it). */
bool vbd_checkpoint_is_checkpoint(const struct vbd_checkpoint_catalogue *catalogue,
                                  const struct vbd_checkpoint_chain *chain, unsigned int position);

/* The catalogue index of a free spare (the first by catalogue order), or -ENOSPC. */
int vbd_checkpoint_free_spare(const struct vbd_checkpoint_catalogue *catalogue);

/*
 * Writes a fresh overlay over the chain's top on a free spare (its index in
 * *spare) and records it in the catalogue: the spare is the chain's top from
 * then on.  The top may be busy: a live vbd's glue then moves the vbd onto
 * the spare (blkback_dom0_reopen).  0, -ENOSPC (no free spare), or the
 * spare's or qcow2_create's error (the spare is left free).
 */
int vbd_checkpoint_take(struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                        const struct vbd_checkpoint_disks *disks, unsigned int *spare);

/*
 * Gives back a spare that holds an empty overlay nobody uses yet (a
 * checkpoint whose vbd could not move onto it): wiped and free again.
 */
int vbd_checkpoint_release(struct vbd_checkpoint_catalogue *catalogue, unsigned int spare,
                           const struct vbd_checkpoint_disks *disks);

/*
 * Rolls the chain back to the checkpoint called checkpoint: the spares above
 * it are wiped from the top down and the one just over it gets a fresh empty
 * overlay (the chain's top after).  0, or: -ENOENT (not an image of the
 * chain), -EINVAL (not a checkpoint: the top, or an image with no spare over
 * it), -EBUSY (an image above it is busy; nothing was written), or a
 * spare's error.
 */
int vbd_checkpoint_rollback(struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                            const char *checkpoint, const struct vbd_checkpoint_disks *disks);

#endif
