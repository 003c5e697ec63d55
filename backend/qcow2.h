/*
 * qcow2: one qcow2 image file as a run of virtual bytes, the format of
 * QEMU's docs/interop/qcow2.txt as qemu-img 7.2 reads and checks it
 * (research: split-drivers.md 6.1):
 *   - the header (v2 read, v3 read and written) and its extensions
 *     (qcow2_header.c);
 *   - clusters mapped through the L1 and L2 tables; an unallocated
 *     cluster reads from the backing image (a callback: disk_image.c
 *     owns the chain) or as zeros; zero-flag clusters read as zeros;
 *   - writes allocating clusters with their refcounts (qcow2_refcount.c),
 *     copy-on-write of the parts of a cluster the write leaves from the
 *     backing image, the COPIED flag (bit 63) set on every entry whose
 *     cluster has refcount 1;
 *   - compressed clusters (cluster_codec.h) read, and written when the
 *     caller asks, packed several to a host cluster whose refcount is the
 *     number of compressed clusters in it;
 *   - a fresh v3 overlay written as qemu-img create writes it (qcow2_create).
 *
 * Pure: the file is reached only through image_file.h.  No allocation:
 * the caller supplies struct qcow2 and a struct qcow2_workspace (the
 * metadata cache and cluster buffers), which the layers of one disk's
 * backing chain share.
 *
 * The rules it keeps:
 *   - The file's bytes are hostile: the header, every table offset and
 *     entry, every refcount and compressed descriptor is checked before
 *     use (cluster-aligned, inside the file, reserved bits clear); a bad
 *     one fails the request with -EIO, a bad header the open (-EINVAL, or
 *     -EOPNOTSUPP for a valid feature not supported: encryption, external
 *     data, extended L2, clusters above 64 KiB, refcount_order > 6; and
 *     for a write open, refcounts narrower than 16 bits).
 *   - The file is a fixed-size disk: the image grows only within its size;
 *     a write needing a cluster beyond it is -ENOSPC.
 *   - Crash order: a new cluster's data is written before its refcount is
 *     raised, the refcount before the L2 entry naming it, an L2 table's
 *     contents before the L1 entry naming it, a new refcount block before
 *     the refcount table entry naming it; an entry is replaced with one
 *     sector write, and a replaced cluster's refcount is lowered only
 *     after the entry no longer names it.  A stop at any point leaves
 *     qemu-img check with no errors; a stop between a refcount increment
 *     and the entry naming it leaves that one cluster leaked (qemu-img
 *     check exit 3: no corruption), and so does one between an entry's
 *     replacement and the decrement of the old cluster.
 *   - Images qemu-img must repair first are opened read-only or refused
 *     for writing: dirty (bit 0: refcounts may be wrong), corrupt (bit 1),
 *     or with internal snapshots (their clusters are shared).  Autoclear
 *     bits are cleared on the first write, as the spec asks of a writer
 *     that does not know them.
 *   - Errors are negative Xen errno values.
 */
#ifndef BACKEND_QCOW2_H
#define BACKEND_QCOW2_H

#include <stdbool.h>
#include <stdint.h>
#include "image_file.h"

#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 16
#define QCOW2_MAX_CLUSTER_SIZE (1u << QCOW2_MAX_CLUSTER_BITS) /* CLUSTER_CODEC_MAX_CLUSTER_SIZE */
#define QCOW2_DEFAULT_CLUSTER_BITS 16
#define QCOW2_BACKING_NAME_SIZE 1024 /* QEMU's limit is 1023 bytes, plus our NUL */
#define QCOW2_BACKING_FORMAT_SIZE 16
#define QCOW2_CACHE_SLOTS 4

/* The header's fields this code uses, after validation (qcow2_header.c). */
struct qcow2_header {
    uint32_t version;
    uint32_t cluster_bits;
    uint64_t virtual_size;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint32_t nb_snapshots;
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t refcount_order;
    uint32_t header_length;
    uint8_t compression_type;
    char backing_name[QCOW2_BACKING_NAME_SIZE];     /* "" when there is none */
    char backing_format[QCOW2_BACKING_FORMAT_SIZE]; /* "" when the header names none */
};

/* One sector of a table of 64-bit entries in the file (the L1 table, the
 * refcount table), kept by its layer (qcow2_cache.c). */
struct qcow2_table_sector {
    uint64_t offset;   /* the file offset of the sector held; 0: none */
    uint8_t bytes[IMAGE_FILE_SECTOR_SIZE];
};

/* A cached metadata cluster (an L2 table or a refcount block) of one
 * layer of a chain; written through: the file always has what it holds. */
struct qcow2_cache_slot {
    bool valid;
    unsigned owner;        /* which layer's file */
    uint64_t offset;       /* host offset of the cluster */
    uint64_t last_use;
    uint8_t data[QCOW2_MAX_CLUSTER_SIZE];
};

/* The memory qcow2 works in, shared by the layers of one chain. */
struct qcow2_workspace {
    struct qcow2_cache_slot slots[QCOW2_CACHE_SLOTS];
    uint64_t clock;
    uint8_t cluster[QCOW2_MAX_CLUSTER_SIZE];      /* a cluster assembled for a write */
    uint8_t decompressed[QCOW2_MAX_CLUSTER_SIZE]; /* a compressed cluster read */
    uint8_t compressed[QCOW2_MAX_CLUSTER_SIZE + IMAGE_FILE_SECTOR_SIZE];
};

/* Reads length bytes at offset of the image below (offset and length multiples of 512). */
typedef int (*qcow2_backing_read)(void *context, uint64_t offset, void *buffer, uint64_t length);

struct qcow2 {
    struct image_file *file;
    struct qcow2_workspace *workspace;
    unsigned owner;
    struct qcow2_header header;
    qcow2_backing_read read_backing; /* NULL: unallocated clusters read as zeros */
    void *backing_context;
    bool read_only;
    bool compress_writes;
    bool autoclear_cleared;
    uint64_t cluster_size;
    uint64_t l2_entries;
    uint64_t refcount_block_entries;
    uint64_t free_cluster_hint;        /* no free cluster below it */
    uint64_t compressed_cluster;       /* host cluster compressed clusters are packed into; 0: none */
    uint64_t compressed_next;          /* its next free byte */
    struct qcow2_table_sector l1_sector;        /* the L1 table's sector last used */
    struct qcow2_table_sector reftable_sector;  /* the refcount table's */
};

/* Forgets everything cached in workspace: before the layers sharing it are opened. */
void qcow2_workspace_reset(struct qcow2_workspace *workspace);

/* Opens file as qcow2: 0, -EINVAL (not a valid image), -EOPNOTSUPP, -EROFS (a write
 * open of an image that may only be read), or the file's error.  The
 * backing callback may be set afterwards with qcow2_set_backing. */
int qcow2_open(struct qcow2 *image, struct image_file *file, struct qcow2_workspace *workspace, unsigned owner,
               bool read_only);
void qcow2_set_backing(struct qcow2 *image, qcow2_backing_read read_backing, void *context);
/* Whole-cluster writes stored compressed (the header's compression_type) from now on. */
void qcow2_set_compress_writes(struct qcow2 *image, bool compress_writes);

/* Byte offsets and lengths, multiples of 512, within header.virtual_size. */
int qcow2_read(struct qcow2 *image, uint64_t offset, void *buffer, uint64_t length);
int qcow2_write(struct qcow2 *image, uint64_t offset, const void *buffer, uint64_t length);
int qcow2_flush(struct qcow2 *image);

/* Whether file starts with the qcow2 magic (for a backing file whose format is not named). */
int qcow2_probe(struct image_file *file, bool *is_qcow2);

/*
 * Writes a fresh v3 image on file (its whole size zeroed first is not
 * needed: only the metadata clusters are written): header, backing
 * name and backing-format extension (when backing_name is not NULL),
 * refcount table and block, L1 table, all in the first clusters.
 * backing_format is "qcow2" or "raw"; cluster_bits 9..16.  0, -EINVAL,
 * -ENOSPC (the file cannot hold the metadata), or the file's error.
 */
int qcow2_create(struct image_file *file, uint64_t virtual_size, const char *backing_name,
                 const char *backing_format, unsigned cluster_bits);

#endif
