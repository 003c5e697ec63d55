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
#include "qcow2.h"

#define DISK_IMAGE_SECTOR_SIZE 512
#define DISK_IMAGE_MAX_CHAIN 16
#define DISK_IMAGE_CRYPT_CHUNK (64u * 1024u) /* bytes encrypted per write to the layer below */

enum disk_image_format { DISK_IMAGE_RAW, DISK_IMAGE_QCOW2 };

struct xts_key;

struct disk_image_options {
    bool read_only;                   /* the top image too is only read */
    const struct xts_key *encryption; /* NULL: none; else the expanded key, kept by the caller while open */
    bool compress_writes;             /* qcow2: a write of a whole cluster is stored compressed */
};

/* Finds an image file by the name a qcow2 header gives its backing file (the
 * name as stored, NUL-terminated): the file, or NULL when there is none. */
typedef struct image_file *(*disk_image_find_file)(void *context, const char *name);

/* One image of the chain: [0] is the one written, [i + 1] backs [i]. */
struct disk_image_layer {
    enum disk_image_format format;
    struct image_file *file;
    uint64_t size;       /* bytes of its virtual disk */
    struct qcow2 qcow2;  /* DISK_IMAGE_QCOW2 only */
    struct disk_image *image;
    unsigned index;
};

/*
 * Caller-allocated (large: about 580 KiB, most of it the qcow2 workspace;
 * dom0 keeps one per vbd, statically), opened with disk_image_open and
 * given back with disk_image_close.  No field is the caller's to touch.
 */
struct disk_image {
    bool open;
    bool read_only;
    const struct xts_key *encryption;
    unsigned layer_count;
    struct disk_image_layer layers[DISK_IMAGE_MAX_CHAIN];
    struct qcow2_workspace workspace;
    uint8_t crypt_buffer[DISK_IMAGE_CRYPT_CHUNK];
};

/*
 * Opens file as format, and (qcow2) its backing chain: each backing file
 * named by the header is found with find_backing(context, name) and
 * opened read-only, as the header's backing-format extension says (raw or
 * qcow2; probed by its magic when the header names none).  0, or:
 *   -EINVAL   a malformed image, or a backing chain that loops;
 *   -E2BIG    a chain deeper than DISK_IMAGE_MAX_CHAIN;
 *   -ENOENT   a backing file find_backing does not know (or find_backing is NULL);
 *   -EOPNOTSUPP a feature not supported (qcow2.h);
 *   -EROFS    a write open of a read-only file, or of an image qemu-img must repair first;
 *   the file's error.
 * options may be NULL (writable, unencrypted, uncompressed).
 */
int disk_image_open(struct disk_image *image, enum disk_image_format format, struct image_file *file,
                    const struct disk_image_options *options, disk_image_find_file find_backing,
                    void *context);
void disk_image_close(struct disk_image *image); /* forgets the files; flushes nothing */

/* Sectors of 512 bytes of the virtual disk; buffer holds sectors * 512 bytes. */
int disk_image_read(struct disk_image *image, uint64_t sector, void *buffer, uint32_t sectors);
int disk_image_write(struct disk_image *image, uint64_t sector, const void *buffer, uint32_t sectors);
int disk_image_flush(struct disk_image *image);
uint64_t disk_image_sectors(const struct disk_image *image);
bool disk_image_read_only(const struct disk_image *image);

#endif
