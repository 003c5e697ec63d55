/*
 * disk_image: a virtual disk as a vbd serves it, on top of image files
 * (image_file.h), in a format the host's own tools read:
 *   - raw: the file's bytes are the disk's;
 *   - qcow2 v3 (qcow2.h): clusters mapped through L1/L2 tables with
 *     refcounts, unallocated clusters read from a backing image (another
 *     disk_image: copy-on-write), compressed clusters (zlib or zstd);
 *   - either one optionally encrypted as dm-crypt's plain aes-xts-plain64
 *     (xts.h): each 512-byte sector of the virtual disk encrypted with the
 *     tweak le64(sector), so that cryptsetup or python3-cryptography
 *     decrypts the image on the host.
 *
 * Pure: the files are reached only through image_file.h.  Synchronous:
 * each call has done its I/O when it returns.
 *
 * The rules it keeps:
 *   - The image file's contents are hostile: every table, offset, size
 *     and compressed stream is checked before it is used, a backing chain
 *     is at most DISK_IMAGE_MAX_CHAIN deep (a loop is refused), and a
 *     check that fails fails the request (-EIO) or the open (-EINVAL),
 *     never dom0.
 *   - Bounded work: one call touches at most the clusters its sectors
 *     cover, plus the metadata those need.
 *   - A write returns 0 only when data and metadata are on the file in an
 *     order that keeps the image consistent if the machine stops at any
 *     point (data before the L2 entry naming it; refcounts before the
 *     entries that count on them); flush makes them durable.
 *   - Errors are negative Xen errno values.
 */
#ifndef BACKEND_DISK_IMAGE_H
#define BACKEND_DISK_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include "image_file.h"

#define DISK_IMAGE_SECTOR_SIZE 512
#define DISK_IMAGE_MAX_CHAIN 16

enum disk_image_format { DISK_IMAGE_RAW, DISK_IMAGE_QCOW2 };

struct disk_image;

/* Sectors of 512 bytes of the virtual disk; buffer holds sectors * 512 bytes. */
int disk_image_read(struct disk_image *image, uint64_t sector, void *buffer, uint32_t sectors);
int disk_image_write(struct disk_image *image, uint64_t sector, const void *buffer, uint32_t sectors);
int disk_image_flush(struct disk_image *image);
uint64_t disk_image_sectors(const struct disk_image *image);
bool disk_image_read_only(const struct disk_image *image);

#endif
