/*
 * xl's block-* verbs in dom0 (see xl_block.h): the domain and vdev, or the
 * disk, a command names, resolved to a chain of dom0's disks and acted on
 * through backend/vbd_checkpoint_dom0.h.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <backend/blkback_dom0.h>
#include <backend/vbd_checkpoint_dom0.h>
#include <kernel/domain_registry.h>
#include "xl_block.h"

#define LINE_SIZE 192
#define LIBXL_ERROR_INVAL (-6)

static void print_chain_of(const char *name, xl_print print, void *context)
{
    const struct vbd_checkpoint_catalogue *catalogue;
    struct vbd_checkpoint_chain chain;

    if (vbd_checkpoint_dom0_chain(name, &catalogue, &chain) == 0)
        xl_block_print_chain(catalogue, &chain, print, context);
}

/* The live vbd a command's domain and vdev name: 0 with *device, or xl's message. */
static int find_vbd(const struct xl_command *command, struct blkback_xenbus **device, xl_print print, void *context)
{
    char line[LINE_SIZE];
    uint16_t id;

    if (domain_registry_resolve(command->domain, &id) != 0) {
        format_string(line, sizeof(line), "%s is an invalid domain identifier (rc=%d)\n", command->domain,
                      LIBXL_ERROR_INVAL);
        print(context, line);
        return -XEN_ESRCH;
    }
    *device = blkback_dom0_find(id, command->vdev);
    if (*device == NULL) {
        format_string(line, sizeof(line), "%s %s: no such vdev (rc=%d)\n", command->domain, command->vdev,
                      -XEN_ENODEV);
        print(context, line);
        return -XEN_ENODEV;
    }
    return 0;
}

static int refuse(const struct xl_command *command, const char *label, int result, xl_print print, void *context)
{
    xl_block_print_failure(command->verb, label, command->checkpoint, result, print, context);
    return result;
}

static void print_taken(const char *spare, xl_print print, void *context)
{
    char line[LINE_SIZE];

    format_string(line, sizeof(line), "checkpoint taken: %s takes the writes from now on\n", spare);
    print(context, line);
}

static int checkpoint_live(const struct xl_command *command, xl_print print, void *context)
{
    struct blkback_xenbus *device;
    char spare[IMAGE_FILE_NAME_SIZE], label[LINE_SIZE];
    int result = find_vbd(command, &device, print, context);

    if (result != 0)
        return result;
    format_string(label, sizeof(label), "%s %s", command->domain, command->vdev);
    if ((result = vbd_checkpoint_dom0_take_live(device, spare)) < 0)
        return refuse(command, label, result, print, context);
    print_taken(spare, print, context);
    print_chain_of(spare, print, context);
    return 0;
}

static int checkpoint_disk(const struct xl_command *command, xl_print print, void *context)
{
    char spare[IMAGE_FILE_NAME_SIZE];
    int result = vbd_checkpoint_dom0_take(command->disk, spare);

    if (result < 0)
        return refuse(command, command->disk, result, print, context);
    print_taken(spare, print, context);
    print_chain_of(command->disk, print, context);
    return 0;
}

static int list(const struct xl_command *command, xl_print print, void *context)
{
    const struct vbd_checkpoint_catalogue *catalogue;
    struct vbd_checkpoint_chain chain;
    struct blkback_xenbus *device;
    const char *name = command->disk;
    int result;

    if (name == NULL) {
        if ((result = find_vbd(command, &device, print, context)) != 0)
            return result;
        name = blkback_dom0_top_name(device);
        if (name == NULL)
            return refuse(command, command->vdev, -XEN_EOPNOTSUPP, print, context);
    }
    if ((result = vbd_checkpoint_dom0_chain(name, &catalogue, &chain)) < 0)
        return refuse(command, name, result, print, context);
    xl_block_print_chain(catalogue, &chain, print, context);
    return 0;
}

static int rollback(const struct xl_command *command, xl_print print, void *context)
{
    char line[LINE_SIZE];
    int result = vbd_checkpoint_dom0_rollback(command->disk, command->checkpoint);

    if (result < 0)
        return refuse(command, command->disk, result, print, context);
    format_string(line, sizeof(line), "%s rolled back to checkpoint %s\n", command->disk, command->checkpoint);
    print(context, line);
    print_chain_of(command->disk, print, context);
    return 0;
}

int xl_block_run(const struct xl_command *command, xl_print print, void *context)
{
    switch (command->verb) {
    case XL_VERB_BLOCK_CHECKPOINT:
        return command->disk != NULL ? checkpoint_disk(command, print, context) : checkpoint_live(command, print, context);
    case XL_VERB_BLOCK_CHECKPOINT_LIST:
        return list(command, print, context);
    case XL_VERB_BLOCK_ROLLBACK:
        return rollback(command, print, context);
    default:
        return -XEN_EINVAL;
    }
}
