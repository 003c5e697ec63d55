/*
 * qcow2: reads and writes of a qcow2 image's virtual disk, cluster by
 * cluster, through its L1 and L2 tables (QEMU's docs/interop/qcow2.txt,
 * "Cluster mapping", "Compressed Clusters Descriptor"; qcow2.h has the
 * rules this layer keeps and the crash order of its writes).
 *
 * An L2 entry is one of:
 *   - unallocated (0): read from the backing image, or zeros without one;
 *   - zero (bit 0, v3 only; an allocated cluster may stand behind it):
 *     reads as zeros;
 *   - standard (bits 9-55 the host cluster, bit 63 COPIED when its
 *     refcount is 1): read and written in place;
 *   - compressed (bit 62; host byte offset and sector count packed by
 *     cluster_bits): read by decompressing the whole cluster.
 * A write into anything but a standard cluster builds the whole cluster
 * (what it read as, with the written bytes over it) and stores it in a
 * new host cluster, compressed when the caller asks and the write covers
 * the whole cluster; the old cluster's refcount is then lowered.
 */
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "cluster_codec.h"
#include "qcow2.h"
#include "qcow2_format.h"
#include "qcow2_header.h"
#include "qcow2_metadata.h"

#define CREATE_CHUNK 4096u

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

bool qcow2_cluster_inside_file(const struct qcow2 *image, uint64_t offset)
{
    return offset % image->cluster_size == 0 && offset <= image->file->size - image->cluster_size;
}

static int file_read(struct qcow2 *image, uint64_t offset, void *buffer, uint64_t length)
{
    return image->file->operations->read(image->file, offset, buffer, length);
}

static int file_write(struct qcow2 *image, uint64_t offset, const void *buffer, uint64_t length)
{
    qcow2_cache_forget(image, offset, length);
    return image->file->operations->write(image->file, offset, buffer, length);
}

/* --- the L1 table ---------------------------------------------------------------------- */

/* The L2 table of virtual offset (0: none) and whether its L1 entry says COPIED. */
static int l2_table_of(struct qcow2 *image, uint64_t offset, uint64_t *l2_offset, bool *copied)
{
    const uint64_t l1_index = (offset >> image->header.cluster_bits) / image->l2_entries;
    if (l1_index >= image->header.l1_size)
        return -XEN_EIO;
    uint64_t entry;
    int result = qcow2_table_load64(image, &image->l1_sector, image->header.l1_table_offset + l1_index * 8, &entry);
    if (result < 0)
        return result;
    *l2_offset = entry & QCOW2_OFFSET_MASK;
    *copied = (entry & QCOW2_OFLAG_COPIED) != 0;
    if (entry & QCOW2_L1_RESERVED)
        return -XEN_EIO;
    if (*l2_offset != 0 && !qcow2_cluster_inside_file(image, *l2_offset))
        return -XEN_EIO;
    return 0;
}

static int set_l1_entry(struct qcow2 *image, uint64_t offset, uint64_t entry)
{
    const uint64_t l1_index = (offset >> image->header.cluster_bits) / image->l2_entries;
    return qcow2_table_store64(image, &image->l1_sector, image->header.l1_table_offset + l1_index * 8, entry);
}

/* --- L2 entries ------------------------------------------------------------------------ */

static uint64_t l2_index_of(const struct qcow2 *image, uint64_t offset)
{
    return (offset >> image->header.cluster_bits) % image->l2_entries;
}

static int l2_entry_of(struct qcow2 *image, uint64_t l2_offset, uint64_t offset, uint64_t *entry)
{
    uint8_t *table;
    int result = qcow2_cache_get(image, l2_offset, &table);
    if (result < 0)
        return result;
    *entry = qcow2_load64(table + l2_index_of(image, offset) * 8);
    return 0;
}

static int set_l2_entry(struct qcow2 *image, uint64_t l2_offset, uint64_t offset, uint64_t entry)
{
    const uint64_t position = l2_index_of(image, offset) * 8;
    uint8_t *table;
    int result = qcow2_cache_get(image, l2_offset, &table);
    if (result < 0)
        return result;
    qcow2_store64(table + position, entry);
    return qcow2_cache_write_sector(image, l2_offset, position);
}

static int lookup(struct qcow2 *image, uint64_t offset, uint64_t *entry)
{
    uint64_t l2_offset;
    bool copied;
    int result = l2_table_of(image, offset, &l2_offset, &copied);

    *entry = 0;
    if (result < 0 || l2_offset == 0)
        return result;
    return l2_entry_of(image, l2_offset, offset, entry);
}

int qcow2_standard_cluster(const struct qcow2 *image, uint64_t entry, uint64_t *host, bool *zero)
{
    *host = entry & QCOW2_OFFSET_MASK;
    *zero = (entry & QCOW2_OFLAG_ZERO) != 0;
    if (entry & QCOW2_L2_RESERVED)
        return -XEN_EIO;
    if (*zero && image->header.version < 3)
        return -XEN_EIO;
    if (*host != 0 && !qcow2_cluster_inside_file(image, *host))
        return -XEN_EIO;
    if (*host == 0 && (entry & QCOW2_OFLAG_COPIED))
        return -XEN_EIO;
    return 0;
}

/* --- compressed clusters --------------------------------------------------------------- */

static unsigned compressed_shift(const struct qcow2 *image)
{
    return 62 - (image->header.cluster_bits - 8);
}

int qcow2_compressed_range(const struct qcow2 *image, uint64_t entry, uint64_t *offset, uint64_t *size)
{
    const unsigned shift = compressed_shift(image);
    const uint64_t sectors = ((entry >> shift) & ((1ull << (image->header.cluster_bits - 8)) - 1)) + 1;

    *offset = entry & ((1ull << shift) - 1);
    *size = sectors * IMAGE_FILE_SECTOR_SIZE - *offset % IMAGE_FILE_SECTOR_SIZE;
    if (entry & QCOW2_OFLAG_COPIED)
        return -XEN_EIO;
    if (*offset < image->cluster_size || *offset >= image->file->size)
        return -XEN_EIO;
    return 0;
}

static int decompress_cluster(struct qcow2 *image, uint64_t entry)
{
    struct qcow2_workspace *workspace = image->workspace;
    uint64_t offset, size;
    int result = qcow2_compressed_range(image, entry, &offset, &size);
    if (result < 0)
        return result;

    const uint64_t start = offset / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE;
    const uint64_t skip = offset - start;
    const uint64_t length = min_u64(min_u64(skip + size, image->file->size - start), sizeof(workspace->compressed));
    if ((result = file_read(image, start, workspace->compressed, length)) < 0)
        return result;
    result = cluster_decompress((enum cluster_compression)image->header.compression_type,
                                workspace->compressed + skip, length - skip, workspace->decompressed,
                                image->cluster_size);
    return result < 0 ? -XEN_EIO : 0;
}

/* --- reads ----------------------------------------------------------------------------- */

static int read_backing(struct qcow2 *image, uint64_t offset, uint8_t *buffer, uint64_t length)
{
    if (image->read_backing == NULL) {
        memset(buffer, 0, length);
        return 0;
    }
    return image->read_backing(image->backing_context, offset, buffer, length);
}

/* Bytes of one cluster, as the L2 entry for it says. */
static int read_by_entry(struct qcow2 *image, uint64_t offset, uint64_t entry, uint8_t *buffer, uint64_t length)
{
    const uint64_t within = offset % image->cluster_size;
    uint64_t host;
    bool zero;
    int result;

    if (entry & QCOW2_OFLAG_COMPRESSED) {
        if ((result = decompress_cluster(image, entry)) < 0)
            return result;
        memcpy(buffer, image->workspace->decompressed + within, length);
        return 0;
    }
    if ((result = qcow2_standard_cluster(image, entry, &host, &zero)) < 0)
        return result;
    if (zero) {
        memset(buffer, 0, length);
        return 0;
    }
    if (host == 0)
        return read_backing(image, offset, buffer, length);
    return file_read(image, host + within, buffer, length);
}

static bool request_inside(const struct qcow2 *image, uint64_t offset, uint64_t length)
{
    const uint64_t end = (image->header.virtual_size + IMAGE_FILE_SECTOR_SIZE - 1) / IMAGE_FILE_SECTOR_SIZE *
                         IMAGE_FILE_SECTOR_SIZE;
    return offset % IMAGE_FILE_SECTOR_SIZE == 0 && length % IMAGE_FILE_SECTOR_SIZE == 0 && offset <= end &&
           length <= end - offset;
}

int qcow2_read(struct qcow2 *image, uint64_t offset, void *buffer, uint64_t length)
{
    uint8_t *bytes = buffer;

    if (!request_inside(image, offset, length))
        return -XEN_EINVAL;
    while (length > 0) {
        const uint64_t piece = min_u64(length, image->cluster_size - offset % image->cluster_size);
        uint64_t entry;
        int result = lookup(image, offset, &entry);
        if (result < 0 || (result = read_by_entry(image, offset, entry, bytes, piece)) < 0)
            return result;
        offset += piece;
        bytes += piece;
        length -= piece;
    }
    return 0;
}

/* --- writes ---------------------------------------------------------------------------- */

/* The L2 table for a write at offset, made (zeroed, counted, then named by L1) if there is none. */
static int writable_l2_table(struct qcow2 *image, uint64_t offset, uint64_t *l2_offset)
{
    bool copied;
    int result = l2_table_of(image, offset, l2_offset, &copied);

    if (result < 0)
        return result;
    if (*l2_offset != 0)
        return copied ? 0 : -XEN_EIO;
    if ((result = qcow2_allocate_cluster(image, l2_offset)) < 0)
        return result;
    uint8_t *table = qcow2_cache_fresh(image, *l2_offset);
    if ((result = image->file->operations->write(image->file, *l2_offset, table, image->cluster_size)) < 0 ||
        (result = qcow2_refcount_add(image, *l2_offset / image->cluster_size, 1)) < 0)
        return result;
    return set_l1_entry(image, offset, *l2_offset | QCOW2_OFLAG_COPIED);
}

/* Lowers the refcounts of what an entry named, once nothing names it any more. */
static int release(struct qcow2 *image, uint64_t entry)
{
    uint64_t host, size;
    bool zero;
    int result;

    if (entry & QCOW2_OFLAG_COMPRESSED) {
        if ((result = qcow2_compressed_range(image, entry, &host, &size)) < 0)
            return result;
        const uint64_t last = (host + size - 1) / image->cluster_size;
        for (uint64_t cluster = host / image->cluster_size; cluster <= last; cluster++)
            if ((result = qcow2_refcount_add(image, cluster, -1)) < 0)
                return result;
        return 0;
    }
    if ((result = qcow2_standard_cluster(image, entry, &host, &zero)) < 0 || host == 0)
        return result;
    return qcow2_refcount_add(image, host / image->cluster_size, -1);
}

/* A host cluster with room for length more compressed bytes and a refcount below the maximum. */
static int compressed_room(struct qcow2 *image, uint64_t length)
{
    if (image->compressed_cluster != 0 &&
        image->compressed_next + length <= image->compressed_cluster + image->cluster_size) {
        uint64_t refcount;
        int result = qcow2_refcount_get(image, image->compressed_cluster / image->cluster_size, &refcount);
        if (result < 0)
            return result;
        if (refcount < qcow2_refcount_max(image))
            return 0;
    }
    image->compressed_cluster = 0;
    int result = qcow2_allocate_cluster(image, &image->compressed_cluster);
    if (result < 0) {
        image->compressed_cluster = 0;
        return result;
    }
    image->compressed_next = image->compressed_cluster;
    return 0;
}

/* Stores a whole cluster compressed: -ENOSPC when compression saves no sector (store it plainly). */
static int write_compressed(struct qcow2 *image, uint64_t l2_offset, uint64_t offset, const uint8_t *cluster,
                            uint64_t old_entry)
{
    struct qcow2_workspace *workspace = image->workspace;
    size_t length;
    int result = cluster_compress((enum cluster_compression)image->header.compression_type, cluster,
                                  image->cluster_size, workspace->compressed, image->cluster_size, &length);
    if (result < 0)
        return result == -XEN_ENOSPC ? result : -XEN_EIO;

    const uint64_t padded = (length + IMAGE_FILE_SECTOR_SIZE - 1) / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE;
    memset(workspace->compressed + length, 0, padded - length);
    if ((result = compressed_room(image, padded)) < 0)
        return result;
    const uint64_t host = image->compressed_next;
    const uint64_t entry = QCOW2_OFLAG_COMPRESSED |
                           (padded / IMAGE_FILE_SECTOR_SIZE - 1) << compressed_shift(image) | host;
    if ((result = file_write(image, host, workspace->compressed, padded)) < 0 ||
        (result = qcow2_refcount_add(image, image->compressed_cluster / image->cluster_size, 1)) < 0) {
        image->compressed_cluster = 0;
        return result;
    }
    image->compressed_next += padded;
    if ((result = set_l2_entry(image, l2_offset, offset, entry)) < 0)
        return result;
    return release(image, old_entry);
}

static int write_new_cluster(struct qcow2 *image, uint64_t l2_offset, uint64_t offset, const uint8_t *cluster,
                             uint64_t old_entry)
{
    uint64_t host;
    int result = qcow2_allocate_cluster(image, &host);

    if (result < 0 || (result = file_write(image, host, cluster, image->cluster_size)) < 0 ||
        (result = qcow2_refcount_add(image, host / image->cluster_size, 1)) < 0 ||
        (result = set_l2_entry(image, l2_offset, offset, host | QCOW2_OFLAG_COPIED)) < 0)
        return result;
    return release(image, old_entry);
}

/* Writes bytes inside one cluster. */
static int write_piece(struct qcow2 *image, uint64_t offset, const uint8_t *bytes, uint64_t length)
{
    const uint64_t within = offset % image->cluster_size;
    const uint64_t cluster_start = offset - within;
    uint64_t l2_offset, entry, host;
    bool zero;
    int result = writable_l2_table(image, offset, &l2_offset);

    if (result < 0 || (result = l2_entry_of(image, l2_offset, offset, &entry)) < 0)
        return result;
    if (!(entry & QCOW2_OFLAG_COMPRESSED)) {
        if ((result = qcow2_standard_cluster(image, entry, &host, &zero)) < 0)
            return result;
        if (host != 0 && !zero)
            return (entry & QCOW2_OFLAG_COPIED) ? file_write(image, host + within, bytes, length) : -XEN_EIO;
    }
    const uint8_t *cluster = bytes;
    if (length != image->cluster_size) {
        uint8_t *merged = image->workspace->cluster;
        if ((result = read_by_entry(image, cluster_start, entry, merged, image->cluster_size)) < 0)
            return result;
        memcpy(merged + within, bytes, length);
        cluster = merged;
    } else if (image->compress_writes) {
        result = write_compressed(image, l2_offset, cluster_start, cluster, entry);
        if (result != -XEN_ENOSPC)
            return result;
    }
    return write_new_cluster(image, l2_offset, cluster_start, cluster, entry);
}

/* The spec asks a writer to clear the autoclear bits it does not know before it changes the image. */
static int clear_autoclear(struct qcow2 *image)
{
    uint8_t sector[IMAGE_FILE_SECTOR_SIZE];
    int result;

    if (image->autoclear_cleared || image->header.autoclear_features == 0)
        return 0;
    if ((result = file_read(image, 0, sector, sizeof(sector))) < 0)
        return result;
    qcow2_store64(sector + QCOW2_HEADER_AUTOCLEAR, 0);
    if ((result = file_write(image, 0, sector, sizeof(sector))) < 0)
        return result;
    image->autoclear_cleared = true;
    return 0;
}

int qcow2_write(struct qcow2 *image, uint64_t offset, const void *buffer, uint64_t length)
{
    const uint8_t *bytes = buffer;

    if (image->read_only)
        return -XEN_EROFS;
    if (!request_inside(image, offset, length))
        return -XEN_EINVAL;
    int result = clear_autoclear(image);
    if (result < 0)
        return result;
    while (length > 0) {
        const uint64_t piece = min_u64(length, image->cluster_size - offset % image->cluster_size);
        if ((result = write_piece(image, offset, bytes, piece)) < 0)
            return result;
        offset += piece;
        bytes += piece;
        length -= piece;
    }
    return 0;
}

int qcow2_flush(struct qcow2 *image)
{
    if (image->read_only)
        return 0;
    return image->file->operations->flush(image->file);
}

/* --- open ------------------------------------------------------------------------------ */

int qcow2_probe(struct image_file *file, bool *is_qcow2)
{
    uint8_t sector[IMAGE_FILE_SECTOR_SIZE];

    *is_qcow2 = false;
    if (file->size < IMAGE_FILE_SECTOR_SIZE)
        return 0;
    int result = file->operations->read(file, 0, sector, sizeof(sector));
    if (result < 0)
        return result;
    *is_qcow2 = qcow2_load32(sector) == QCOW2_MAGIC;
    return 0;
}

int qcow2_open(struct qcow2 *image, struct image_file *file, struct qcow2_workspace *workspace, unsigned owner,
               bool read_only)
{
    memset(image, 0, sizeof(*image));
    image->file = file;
    image->workspace = workspace;
    image->owner = owner;
    image->read_only = read_only;
    int result = qcow2_header_read(file, workspace->cluster, &image->header);
    if (result < 0)
        return result;
    image->cluster_size = 1ull << image->header.cluster_bits;
    image->l2_entries = image->cluster_size / 8;
    image->refcount_block_entries = image->cluster_size * 8 >> image->header.refcount_order;
    image->free_cluster_hint = 1;
    if (read_only)
        return 0;
    if (file->read_only ||
        (image->header.incompatible_features & (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)) ||
        image->header.nb_snapshots != 0)
        return -XEN_EROFS;
    return qcow2_repair_leaks(image);
}

void qcow2_set_backing(struct qcow2 *image, qcow2_backing_read read_backing, void *context)
{
    image->read_backing = read_backing;
    image->backing_context = context;
}

void qcow2_set_compress_writes(struct qcow2 *image, bool compress_writes)
{
    image->compress_writes = compress_writes;
}

/* --- create ---------------------------------------------------------------------------- */

static int write_zeros(struct image_file *file, uint64_t offset, uint64_t length)
{
    uint8_t zeros[CREATE_CHUNK] = {0};

    while (length > 0) {
        const uint64_t piece = min_u64(length, sizeof(zeros));
        int result = file->operations->write(file, offset, zeros, piece);
        if (result < 0)
            return result;
        offset += piece;
        length -= piece;
    }
    return 0;
}

/* Refcount block 0 counting the first clusters (16-bit entries), written in chunks. */
static int write_first_refcount_block(struct image_file *file, uint64_t offset, uint64_t counted)
{
    uint8_t chunk[CREATE_CHUNK];
    const uint64_t bytes = counted * 2;

    for (uint64_t done = 0; done < bytes; done += sizeof(chunk)) {
        const uint64_t piece = min_u64(bytes - done, sizeof(chunk));
        const uint64_t written = (piece + IMAGE_FILE_SECTOR_SIZE - 1) / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE;
        memset(chunk, 0, sizeof(chunk));
        for (uint64_t position = 0; position < piece; position += 2)
            chunk[position + 1] = 1;
        int result = file->operations->write(file, offset + done, chunk, written);
        if (result < 0)
            return result;
    }
    return 0;
}

static bool known_backing_format(const char *format)
{
    return format != NULL && (strcmp(format, "qcow2") == 0 || strcmp(format, "raw") == 0);
}

int qcow2_create(struct image_file *file, uint64_t virtual_size, const char *backing_name,
                 const char *backing_format, unsigned cluster_bits)
{
    struct qcow2_header header;
    uint8_t start[2048];

    if (file->read_only)
        return -XEN_EROFS;
    int result = qcow2_header_layout(file->size, virtual_size, cluster_bits, &header);
    if (result < 0)
        return result;
    if (backing_name != NULL) {
        if (!known_backing_format(backing_format) || strlen(backing_name) == 0 ||
            strlen(backing_name) >= sizeof(header.backing_name))
            return -XEN_EINVAL;
        memcpy(header.backing_name, backing_name, strlen(backing_name) + 1);
        memcpy(header.backing_format, backing_format, strlen(backing_format) + 1);
    }
    const uint64_t cluster_size = 1ull << cluster_bits;
    if ((result = qcow2_header_write_start(&header, start, min_u64(sizeof(start), cluster_size))) < 0)
        return result;

    const uint64_t refcount_block = header.refcount_table_offset +
                                    (uint64_t)header.refcount_table_clusters * cluster_size;
    const uint64_t metadata_end = header.l1_size == 0 ? refcount_block + cluster_size
                                                      : header.l1_table_offset +
                                                            ((uint64_t)header.l1_size * 8 + cluster_size - 1) /
                                                                cluster_size * cluster_size;
    uint8_t entry[IMAGE_FILE_SECTOR_SIZE] = {0};
    qcow2_store64(entry, refcount_block);
    /* Everything before the header, so that a stop on the way leaves no image that looks valid. */
    if ((result = write_zeros(file, 0, metadata_end)) < 0 ||
        (result = file->operations->write(file, header.refcount_table_offset, entry, sizeof(entry))) < 0 ||
        (result = write_first_refcount_block(file, refcount_block, metadata_end / cluster_size)) < 0 ||
        (result = file->operations->write(file, 0, start, min_u64(sizeof(start), cluster_size))) < 0)
        return result;
    return file->operations->flush(file);
}
