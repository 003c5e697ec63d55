/*
 * disk_image: a vbd's virtual disk on its image files (disk_image.h has
 * the rules): a raw file, or a qcow2 image (qcow2.h) over its chain of
 * backing images, with dm-crypt plain aes-xts-plain64 (xts.h) over either.
 *
 * The chain is opened top-down: each qcow2 layer's backing file is found
 * by name through the caller's lookup, opened read-only, and becomes the
 * next layer; a file met twice (the same file, or the same name) is a
 * loop and is refused, and so is a chain deeper than DISK_IMAGE_MAX_CHAIN.
 * A layer reads what lies beyond its own virtual size as zeros (a backing
 * image smaller than its overlay, as QEMU reads it).
 *
 * Encryption sits over the whole chain: a write is encrypted into the
 * image's own buffer (the caller's data untouched), a chunk at a time;
 * a read is decrypted in the caller's buffer.  Each sector's tweak is its
 * sector number on the virtual disk (plain64, iv_offset 0).
 */
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "disk_image.h"
#include "xts.h"

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static int layer_read(void *context, uint64_t offset, void *buffer, uint64_t length);

static int layer_read_inside(struct disk_image_layer *layer, uint64_t offset, uint8_t *buffer, uint64_t length)
{
    if (layer->format == DISK_IMAGE_QCOW2)
        return qcow2_read(&layer->qcow2, offset, buffer, length);
    return layer->file->operations->read(layer->file, offset, buffer, length);
}

/* A layer's bytes, zeros beyond its size. */
static int layer_read(void *context, uint64_t offset, void *buffer, uint64_t length)
{
    struct disk_image_layer *layer = context;
    uint8_t *bytes = buffer;
    const uint64_t inside = offset >= layer->size ? 0 : min_u64(length, layer->size - offset);

    memset(bytes + inside, 0, length - inside);
    return inside == 0 ? 0 : layer_read_inside(layer, offset, bytes, inside);
}

static int open_layer(struct disk_image *image, unsigned index, enum disk_image_format format,
                      struct image_file *file, bool read_only)
{
    struct disk_image_layer *layer = &image->layers[index];

    layer->format = format;
    layer->file = file;
    layer->image = image;
    layer->index = index;
    image->layer_count = index + 1;
    if (format == DISK_IMAGE_RAW) {
        layer->size = file->size;
        return !read_only && file->read_only ? -XEN_EROFS : 0;
    }
    if (format != DISK_IMAGE_QCOW2)
        return -XEN_EINVAL;
    int result = qcow2_open(&layer->qcow2, file, &image->workspace, index, read_only);
    if (result < 0)
        return result;
    layer->size = layer->qcow2.header.virtual_size / DISK_IMAGE_SECTOR_SIZE * DISK_IMAGE_SECTOR_SIZE;
    return 0;
}

static bool already_in_chain(const struct disk_image *image, const struct image_file *file)
{
    for (unsigned index = 0; index < image->layer_count; index++) {
        const struct image_file *other = image->layers[index].file;
        if (other == file || (file->name[0] != 0 && strncmp(other->name, file->name, IMAGE_FILE_NAME_SIZE) == 0))
            return true;
    }
    return false;
}

static int backing_format(struct image_file *file, const char *named, enum disk_image_format *format)
{
    bool is_qcow2;

    if (strcmp(named, "qcow2") == 0) {
        *format = DISK_IMAGE_QCOW2;
        return 0;
    }
    if (strcmp(named, "raw") == 0) {
        *format = DISK_IMAGE_RAW;
        return 0;
    }
    if (named[0] != 0)
        return -XEN_EOPNOTSUPP;
    int result = qcow2_probe(file, &is_qcow2);
    *format = is_qcow2 ? DISK_IMAGE_QCOW2 : DISK_IMAGE_RAW;
    return result;
}

/* Opens the backing chain below the top layer. */
static int open_chain(struct disk_image *image, disk_image_find_file find_backing, void *context)
{
    for (unsigned index = 0;; index++) {
        struct disk_image_layer *layer = &image->layers[index];
        enum disk_image_format format;

        if (layer->format != DISK_IMAGE_QCOW2 || layer->qcow2.header.backing_name[0] == 0)
            return 0;
        if (index + 1 == DISK_IMAGE_MAX_CHAIN)
            return -XEN_E2BIG;
        struct image_file *file = find_backing == NULL ? NULL : find_backing(context, layer->qcow2.header.backing_name);
        if (file == NULL)
            return -XEN_ENOENT;
        if (already_in_chain(image, file))
            return -XEN_EINVAL;
        int result = backing_format(file, layer->qcow2.header.backing_format, &format);
        if (result < 0 || (result = open_layer(image, index + 1, format, file, true)) < 0)
            return result;
        qcow2_set_backing(&layer->qcow2, layer_read, &image->layers[index + 1]);
    }
}

int disk_image_open(struct disk_image *image, enum disk_image_format format, struct image_file *file,
                    const struct disk_image_options *options, disk_image_find_file find_backing, void *context)
{
    const struct disk_image_options none = {0};

    if (options == NULL)
        options = &none;
    image->open = false;
    image->layer_count = 0;
    image->read_only = options->read_only;
    image->encryption = options->encryption;
    qcow2_workspace_reset(&image->workspace);
    int result = open_layer(image, 0, format, file, options->read_only);
    if (result == 0 && format == DISK_IMAGE_QCOW2)
        qcow2_set_compress_writes(&image->layers[0].qcow2, options->compress_writes);
    if (result == 0)
        result = open_chain(image, find_backing, context);
    if (result < 0) {
        disk_image_close(image);
        return result;
    }
    image->open = true;
    return 0;
}

void disk_image_close(struct disk_image *image)
{
    image->open = false;
    image->layer_count = 0;
    image->encryption = NULL;
    qcow2_workspace_reset(&image->workspace);
}

uint64_t disk_image_sectors(const struct disk_image *image)
{
    return image->open ? image->layers[0].size / DISK_IMAGE_SECTOR_SIZE : 0;
}

bool disk_image_read_only(const struct disk_image *image)
{
    return image->read_only;
}

static bool request_inside(const struct disk_image *image, uint64_t sector, uint32_t sectors)
{
    const uint64_t total = disk_image_sectors(image);
    return image->open && sector <= total && sectors <= total - sector;
}

int disk_image_read(struct disk_image *image, uint64_t sector, void *buffer, uint32_t sectors)
{
    if (!request_inside(image, sector, sectors))
        return -XEN_EINVAL;
    int result = layer_read_inside(&image->layers[0], sector * DISK_IMAGE_SECTOR_SIZE, buffer,
                                   (uint64_t)sectors * DISK_IMAGE_SECTOR_SIZE);
    if (result == 0 && image->encryption != NULL)
        xts_decrypt_sectors(image->encryption, sector, buffer, sectors);
    return result;
}

static int layer_write(struct disk_image_layer *layer, uint64_t offset, const void *buffer, uint64_t length)
{
    if (layer->format == DISK_IMAGE_QCOW2)
        return qcow2_write(&layer->qcow2, offset, buffer, length);
    return layer->file->operations->write(layer->file, offset, buffer, length);
}

static int write_encrypted(struct disk_image *image, uint64_t sector, const uint8_t *bytes, uint32_t sectors)
{
    const uint32_t chunk_sectors = DISK_IMAGE_CRYPT_CHUNK / DISK_IMAGE_SECTOR_SIZE;

    while (sectors > 0) {
        const uint32_t piece = sectors < chunk_sectors ? sectors : chunk_sectors;
        memcpy(image->crypt_buffer, bytes, (uint64_t)piece * DISK_IMAGE_SECTOR_SIZE);
        xts_encrypt_sectors(image->encryption, sector, image->crypt_buffer, piece);
        int result = layer_write(&image->layers[0], sector * DISK_IMAGE_SECTOR_SIZE, image->crypt_buffer,
                                 (uint64_t)piece * DISK_IMAGE_SECTOR_SIZE);
        if (result < 0)
            return result;
        sector += piece;
        bytes += (uint64_t)piece * DISK_IMAGE_SECTOR_SIZE;
        sectors -= piece;
    }
    return 0;
}

int disk_image_write(struct disk_image *image, uint64_t sector, const void *buffer, uint32_t sectors)
{
    if (!request_inside(image, sector, sectors))
        return -XEN_EINVAL;
    if (image->read_only)
        return -XEN_EROFS;
    if (image->encryption != NULL)
        return write_encrypted(image, sector, buffer, sectors);
    return layer_write(&image->layers[0], sector * DISK_IMAGE_SECTOR_SIZE, buffer,
                       (uint64_t)sectors * DISK_IMAGE_SECTOR_SIZE);
}

int disk_image_flush(struct disk_image *image)
{
    if (!image->open)
        return -XEN_EINVAL;
    if (image->read_only)
        return 0;
    return image->layers[0].file->operations->flush(image->layers[0].file);
}
