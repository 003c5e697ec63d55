/*
 * image_file: the file a disk image lives in, as the image formats
 * (disk_image.h: raw, qcow2) see it: a flat run of bytes read, written and
 * flushed synchronously, in whole 512-byte sectors.  In dom0 an image
 * file is one of dom0's virtio disks, named by the host file behind it
 * (blkback_dom0.c); in the host tests it is a RAM buffer or a real file
 * that qemu-img then checks.
 *
 * The rules it keeps:
 *   - offset and length are multiples of IMAGE_FILE_SECTOR_SIZE and
 *     offset + length <= size; anything else is -EINVAL and nothing moves.
 *   - A write is on the file when write returns 0; it is durable only
 *     after a flush returns 0 (the disk's FLUSH: block_device.h).
 *   - Errors are negative Xen errno values (-XEN_EIO, -XEN_EROFS, ...).
 *   - The file's bytes are untrusted: whoever reads them validates them.
 */
#ifndef BACKEND_IMAGE_FILE_H
#define BACKEND_IMAGE_FILE_H

#include <stdbool.h>
#include <stdint.h>

#define IMAGE_FILE_SECTOR_SIZE 512
#define IMAGE_FILE_NAME_SIZE 64

struct image_file;

struct image_file_operations {
    int (*read)(struct image_file *file, uint64_t offset, void *buffer, uint64_t length);
    int (*write)(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length);
    int (*flush)(struct image_file *file);
};

struct image_file {
    const struct image_file_operations *operations;
    void *context;                     /* the operations' own */
    uint64_t size;                     /* bytes, a multiple of IMAGE_FILE_SECTOR_SIZE */
    bool read_only;
    char name[IMAGE_FILE_NAME_SIZE];   /* the host file's base name: "base.qcow2" */
};

#endif
