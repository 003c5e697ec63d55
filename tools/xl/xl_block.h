/*
 * xl's block-* verbs for checkpoints, the part that is pure: what
 * `xl block-checkpoint-list` shows of a disk's chain, and the message of
 * each refusal (backend/vbd_checkpoint.h has the chain's rules;
 * docs/ARCHITECTURE.md, "Checkpoints", the verbs):
 *
 *     Image                Format  Role
 *     ckpt2.qcow2          qcow2   top: takes the writes
 *     ckpt1.qcow2          qcow2   checkpoint
 *     guest.qcow2          qcow2   checkpoint
 *     base.raw             raw     backing
 *     free spares: ckpt3.qcow2
 *
 * Compiled into dom0 (xl_block_dom0.c acts: xl_block_run) and the host
 * unit tests and tools/vbd_checkpoint_tool.c.
 */
#ifndef TOOLS_XL_XL_BLOCK_H
#define TOOLS_XL_XL_BLOCK_H

#include <backend/vbd_checkpoint.h>
#include "xl_command.h"

/* The chain from its top down, each image's role, then the free spares. */
void xl_block_print_chain(const struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                          xl_print print, void *context);

/*
 * One line saying why verb failed on disk (checkpoint: block-rollback's
 * target, else NULL) with result, a negative Xen errno value from
 * vbd_checkpoint.h or the vbd's glue.
 */
void xl_block_print_failure(enum xl_verb verb, const char *disk, const char *checkpoint, int result, xl_print print,
                            void *context);

/*
 * dom0 (xl_block_dom0.c): runs command (one of the block-* verbs) on dom0's
 * disks and live vbds (backend/vbd_checkpoint_dom0.h), printing the chain
 * after a success and xl_block_print_failure's line otherwise.  0 or the
 * negative Xen errno value.
 */
int xl_block_run(const struct xl_command *command, xl_print print, void *context);

#endif
