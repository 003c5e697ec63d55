/*
 * Checkpoints of a virtual disk as an external snapshot chain of qcow2
 * overlays on spare disks (see vbd_checkpoint.h).
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "qcow2.h"
#include "qcow2_header.h"
#include "vbd_checkpoint.h"

#define NO_IMAGE (-1)

bool vbd_checkpoint_is_spare(const char *name)
{
    return strncmp(name, VBD_CHECKPOINT_SPARE_PREFIX, strlen(VBD_CHECKPOINT_SPARE_PREFIX)) == 0;
}

/* --- describing a disk ---------------------------------------------------------- */

static bool copy_name(char *destination, const char *source)
{
    size_t length = strlen(source);

    if (length >= IMAGE_FILE_NAME_SIZE)
        return false;
    memcpy(destination, source, length + 1);
    return true;
}

static void describe_qcow2(struct image_file *file, uint8_t *buffer, struct vbd_checkpoint_image *image)
{
    struct qcow2_header header;

    if (qcow2_header_read(file, buffer, &header) < 0)
        return;
    if (!copy_name(image->backing, header.backing_name))
        return;
    image->backing_raw = strcmp(header.backing_format, "raw") == 0;
    image->virtual_size = header.virtual_size;
    image->valid = true;
}

int vbd_checkpoint_describe(struct image_file *file, uint8_t *buffer, struct vbd_checkpoint_image *image)
{
    int result;

    *image = (struct vbd_checkpoint_image){ .virtual_size = file->size };
    if (!copy_name(image->name, file->name))
        return -XEN_EINVAL;
    if ((result = qcow2_probe(file, &image->qcow2)) < 0)
        return result;
    if (image->qcow2)
        describe_qcow2(file, buffer, image);
    else
        image->valid = true;
    return 0;
}

/* --- the catalogue ------------------------------------------------------------------ */

int vbd_checkpoint_find(const struct vbd_checkpoint_catalogue *catalogue, const char *name)
{
    for (unsigned int index = 0; index < catalogue->count; index++)
        if (strcmp(catalogue->images[index].name, name) == 0)
            return (int)index;
    return -XEN_ENOENT;
}

int vbd_checkpoint_catalogue_add(struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_image *image)
{
    if (vbd_checkpoint_find(catalogue, image->name) >= 0)
        return -XEN_EEXIST;
    if (catalogue->count == VBD_CHECKPOINT_IMAGES)
        return -XEN_ENOSPC;
    catalogue->images[catalogue->count++] = *image;
    return 0;
}

/* --- the chain ------------------------------------------------------------------------- */

static bool holds_overlay(const struct vbd_checkpoint_image *image)
{
    return vbd_checkpoint_is_spare(image->name) && image->qcow2;
}

/* The spare overlay whose backing is the image at index: its index, NO_IMAGE, or -EINVAL for two. */
static int overlay_over(const struct vbd_checkpoint_catalogue *catalogue, unsigned int index)
{
    int found = NO_IMAGE;

    for (unsigned int other = 0; other < catalogue->count; other++) {
        const struct vbd_checkpoint_image *image = &catalogue->images[other];

        if (other == index || !holds_overlay(image) || strcmp(image->backing, catalogue->images[index].name) != 0)
            continue;
        if (found != NO_IMAGE)
            return -XEN_EINVAL;
        found = (int)other;
    }
    return found;
}

static bool in_chain(const unsigned int *images, unsigned int count, unsigned int index)
{
    for (unsigned int position = 0; position < count; position++)
        if (images[position] == index)
            return true;
    return false;
}

/* From index up through the spare overlays: images[0] is index, the last one the top. */
static int walk_up(const struct vbd_checkpoint_catalogue *catalogue, unsigned int index, unsigned int *images,
                   unsigned int *count)
{
    images[0] = index;
    *count = 1;
    for (;;) {
        int above = overlay_over(catalogue, images[*count - 1]);

        if (above == NO_IMAGE)
            return 0;
        if (above < 0)
            return above;
        if (in_chain(images, *count, (unsigned int)above))
            return -XEN_EINVAL;
        if (*count == DISK_IMAGE_MAX_CHAIN)
            return -XEN_E2BIG;
        images[(*count)++] = (unsigned int)above;
    }
}

/* Appends the backing images below the chain's last one, as their headers name them. */
static int walk_down(const struct vbd_checkpoint_catalogue *catalogue, struct vbd_checkpoint_chain *chain)
{
    for (;;) {
        const struct vbd_checkpoint_image *image = &catalogue->images[chain->images[chain->count - 1]];
        int below;

        if (!image->valid)
            return -XEN_EINVAL;
        if (image->backing[0] == '\0')
            return 0;
        below = vbd_checkpoint_find(catalogue, image->backing);
        if (below < 0 || in_chain(chain->images, chain->count, (unsigned int)below))
            return -XEN_EINVAL;
        if (chain->count == DISK_IMAGE_MAX_CHAIN)
            return -XEN_E2BIG;
        chain->images[chain->count++] = (unsigned int)below;
    }
}

int vbd_checkpoint_chain(const struct vbd_checkpoint_catalogue *catalogue, const char *name,
                         struct vbd_checkpoint_chain *chain)
{
    unsigned int upward[DISK_IMAGE_MAX_CHAIN], up_count;
    int named = vbd_checkpoint_find(catalogue, name);
    int result;

    *chain = (struct vbd_checkpoint_chain){ 0 };
    if (named < 0)
        return named;
    if ((result = walk_up(catalogue, (unsigned int)named, upward, &up_count)) < 0)
        return result;
    for (unsigned int position = 0; position < up_count; position++)
        chain->images[position] = upward[up_count - 1 - position];
    chain->count = up_count;
    chain->named = up_count - 1;
    return walk_down(catalogue, chain);
}

bool vbd_checkpoint_is_checkpoint(const struct vbd_checkpoint_catalogue *catalogue,
                                  const struct vbd_checkpoint_chain *chain, unsigned int position)
{
    if (position == 0 || position >= chain->count)
        return false;
    return holds_overlay(&catalogue->images[chain->images[position - 1]]);
}

/* --- spares ------------------------------------------------------------------------------ */

int vbd_checkpoint_free_spare(const struct vbd_checkpoint_catalogue *catalogue)
{
    for (unsigned int index = 0; index < catalogue->count; index++) {
        const struct vbd_checkpoint_image *image = &catalogue->images[index];

        if (vbd_checkpoint_is_spare(image->name) && !image->qcow2 && !image->busy)
            return (int)index;
    }
    return -XEN_ENOSPC;
}

/* Zeroes the spare's first sector (the qcow2 magic) and flushes: free again. */
static int wipe(struct vbd_checkpoint_catalogue *catalogue, unsigned int index, const struct vbd_checkpoint_disks *disks)
{
    struct vbd_checkpoint_image *image = &catalogue->images[index];
    static const uint8_t zeros[IMAGE_FILE_SECTOR_SIZE];
    struct image_file *file;
    uint64_t file_size;
    int result = disks->open_writable(disks->context, image->name, &file);

    if (result < 0)
        return result;
    file_size = file->size;
    result = file->operations->write(file, 0, zeros, sizeof(zeros));
    if (result == 0)
        result = file->operations->flush(file);
    disks->close(disks->context, file);
    if (result == 0) {
        image->qcow2 = false;
        image->valid = true;
        image->backing[0] = '\0';
        image->backing_raw = false;
        image->virtual_size = file_size;
    }
    return result;
}

/* Writes an empty overlay over the image at below on the spare at index, and records it. */
static int make_overlay(struct vbd_checkpoint_catalogue *catalogue, unsigned int index, unsigned int below,
                        const struct vbd_checkpoint_disks *disks)
{
    const struct vbd_checkpoint_image *backing = &catalogue->images[below];
    struct vbd_checkpoint_image *image = &catalogue->images[index];
    struct image_file *file;
    int result = disks->open_writable(disks->context, image->name, &file);

    if (result < 0)
        return result;
    result = qcow2_create(file, backing->virtual_size, backing->name, backing->qcow2 ? "qcow2" : "raw",
                          QCOW2_DEFAULT_CLUSTER_BITS);
    disks->close(disks->context, file);
    if (result < 0)
        return result;
    image->qcow2 = true;
    image->valid = true;
    image->backing_raw = !backing->qcow2;
    image->virtual_size = backing->virtual_size;
    copy_name(image->backing, backing->name);
    return 0;
}

int vbd_checkpoint_take(struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                        const struct vbd_checkpoint_disks *disks, unsigned int *spare)
{
    int free_spare = vbd_checkpoint_free_spare(catalogue);
    int result;

    if (free_spare < 0)
        return free_spare;
    result = make_overlay(catalogue, (unsigned int)free_spare, chain->images[0], disks);
    if (result < 0)
        return result;
    *spare = (unsigned int)free_spare;
    return 0;
}

int vbd_checkpoint_release(struct vbd_checkpoint_catalogue *catalogue, unsigned int spare,
                           const struct vbd_checkpoint_disks *disks)
{
    if (spare >= catalogue->count || !vbd_checkpoint_is_spare(catalogue->images[spare].name))
        return -XEN_EINVAL;
    return wipe(catalogue, spare, disks);
}

/* The position in chain of the image called name, or -ENOENT. */
static int position_of(const struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                       const char *name)
{
    for (unsigned int position = 0; position < chain->count; position++)
        if (strcmp(catalogue->images[chain->images[position]].name, name) == 0)
            return (int)position;
    return -XEN_ENOENT;
}

int vbd_checkpoint_rollback(struct vbd_checkpoint_catalogue *catalogue, const struct vbd_checkpoint_chain *chain,
                            const char *checkpoint, const struct vbd_checkpoint_disks *disks)
{
    int target = position_of(catalogue, chain, checkpoint);
    int result;

    if (target < 0)
        return target;
    if (!vbd_checkpoint_is_checkpoint(catalogue, chain, (unsigned int)target))
        return -XEN_EINVAL;
    for (int position = 0; position < target; position++)
        if (!vbd_checkpoint_is_spare(catalogue->images[chain->images[position]].name))
            return -XEN_EINVAL;
    for (int position = 0; position < target; position++)
        if (catalogue->images[chain->images[position]].busy)
            return -XEN_EBUSY;
    for (int position = 0; position < target; position++)
        if ((result = wipe(catalogue, chain->images[position], disks)) < 0)
            return result;
    return make_overlay(catalogue, chain->images[target - 1], chain->images[target], disks);
}
