/*
 * The RAM image file of the disk image tests (ram_image_file.h).
 */
#include <stdlib.h>
#include <string.h>
#include <pvmon/errno.h>

#include "ram_image_file.h"

static struct ram_image_file *ram_of(struct image_file *file)
{
    return file->context;
}

static bool request_valid(const struct image_file *file, uint64_t offset, uint64_t length)
{
    return offset % IMAGE_FILE_SECTOR_SIZE == 0 && length % IMAGE_FILE_SECTOR_SIZE == 0 && offset <= file->size &&
           length <= file->size - offset;
}

static int ram_read(struct image_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    if (!request_valid(file, offset, length))
        return -XEN_EINVAL;
    memcpy(buffer, ram_of(file)->bytes + offset, length);
    return 0;
}

static int ram_write(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length)
{
    struct ram_image_file *ram = ram_of(file);

    if (!request_valid(file, offset, length))
        return -XEN_EINVAL;
    if (file->read_only)
        return -XEN_EROFS;
    if (ram->writes_left == 0) {
        ram->refused++;
        return -XEN_EIO;
    }
    if (ram->writes_left > 0)
        ram->writes_left--;
    memcpy(ram->bytes + offset, buffer, length);
    ram->writes++;
    return 0;
}

static int ram_flush(struct image_file *file)
{
    ram_of(file)->flushes++;
    return 0;
}

static const struct image_file_operations ram_operations = { ram_read, ram_write, ram_flush };

void ram_image_file_init(struct ram_image_file *ram, uint64_t size, const char *name)
{
    memset(ram, 0, sizeof(*ram));
    ram->bytes = calloc(1, size == 0 ? 1 : size);
    ram->writes_left = -1;
    ram->file.operations = &ram_operations;
    ram->file.context = ram;
    ram->file.size = size;
    strncpy(ram->file.name, name, sizeof(ram->file.name) - 1);
}

void ram_image_file_release(struct ram_image_file *ram)
{
    free(ram->bytes);
    ram->bytes = NULL;
}
