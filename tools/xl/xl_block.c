/*
 * xl's block-* verbs, the pure part (see xl_block.h).
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include "xl_block.h"

#define LINE_SIZE 160

static const char *role_of(const struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                           unsigned int position)
{
    if (position == 0)
        return "top: takes the writes";
    if (vbd_checkpoint_is_checkpoint(catalogue, chain, position))
        return "checkpoint";
    return "backing";
}

static void print_free_spares(const struct vbd_checkpoint_catalogue *catalogue, xl_print print, void *context)
{
    char line[LINE_SIZE];
    unsigned int free_count = 0;

    print(context, "free spares:");
    for (unsigned int index = 0; index < catalogue->count; index++) {
        const struct vbd_checkpoint_image *image = &catalogue->images[index];

        if (vbd_checkpoint_is_spare(image->name) && !image->qcow2 && !image->busy) {
            format_string(line, sizeof(line), " %s", image->name);
            print(context, line);
            free_count++;
        }
    }
    print(context, free_count == 0 ? " none\n" : "\n");
}

void xl_block_print_chain(const struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                          xl_print print, void *context)
{
    char line[LINE_SIZE];

    print(context, "Image                Format  Role\n");
    for (unsigned int position = 0; position < chain->count; position++) {
        const struct vbd_checkpoint_image *image = &catalogue->images[chain->images[position]];

        format_string(line, sizeof(line), "%-20s %-7s %s\n", image->name, image->qcow2 ? "qcow2" : "raw",
                      role_of(catalogue, chain, position));
        print(context, line);
    }
    print_free_spares(catalogue, print, context);
}

static const char *reason(enum xl_verb verb, int result)
{
    switch (result) {
    case -XEN_ENOENT:
        return verb == XL_VERB_BLOCK_ROLLBACK ? "no such image in the disk's chain" : "no such disk";
    case -XEN_ENOSPC:
        return "no free spare disk (ckpt*) for the new overlay";
    case -XEN_EBUSY:
        return verb == XL_VERB_BLOCK_ROLLBACK
                   ? "a domain is using the disk: shut it down (xl destroy) and roll back before xl create"
                   : "a domain is using the disk: name it by domain and vdev";
    case -XEN_EINVAL:
        return verb == XL_VERB_BLOCK_ROLLBACK
                   ? "not a checkpoint of the disk (the top, or an image with no spare overlay over it), or a broken chain"
                   : "a broken chain (a loop, a fork, a missing or corrupt image)";
    case -XEN_E2BIG:
        return "the chain is too deep";
    case -XEN_EOPNOTSUPP:
        return "the vbd is a plain raw disk: checkpoints need format=qcow2";
    case -XEN_ENODEV:
        return "no such vdev";
    default:
        return "the disk failed";
    }
}

void xl_block_print_failure(enum xl_verb verb, const char *disk, const char *checkpoint, int result, xl_print print,
                            void *context)
{
    char line[LINE_SIZE + 64];

    if (checkpoint != NULL)
        format_string(line, sizeof(line), "%s: %s: %s (rc=%d)\n", disk, checkpoint, reason(verb, result), result);
    else
        format_string(line, sizeof(line), "%s: %s (rc=%d)\n", disk, reason(verb, result), result);
    print(context, line);
}
