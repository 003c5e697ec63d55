/*
 * qcow2_refcount: a qcow2 image's refcounts and the allocation of host
 * clusters (QEMU's docs/interop/qcow2.txt, "Cluster mapping" and
 * "Host cluster management").  The refcount table (contiguous, one 64-bit
 * entry per refcount block, bits 9-55 the block's offset, 0 for none)
 * maps a host cluster to its refcount block, in which its refcount is an
 * entry of refcount_bits = 1 << refcount_order bits: big-endian for 8
 * bits and more, packed from the least significant bit of each byte
 * below 8 (QEMU's get_refcount_ro0..ro6).  A cluster no block covers
 * has refcount 0: free.
 *
 * The rules it keeps:
 *   - Hostile tables: a refcount table entry with reserved bits set, not
 *     cluster-aligned or naming a cluster beyond the file fails with -EIO;
 *     so does lowering a refcount of 0, or one with no block.
 *   - Allocation takes the first free cluster at or after a hint (never
 *     cluster 0, the header), inside the file's fixed size: -ENOSPC
 *     beyond it, or beyond what the refcount table can cover (the table
 *     never grows: qcow2_create sizes it for the whole file).
 *   - A missing refcount block is made inside its own range, counting
 *     itself (refcount 1): its contents are written before the refcount
 *     table entry that names it, so a stop between the two leaves a free
 *     cluster, not a corruption.
 *   - Each change is one sector written through the cache (qcow2_cache.c).
 */
#include <pvmon/errno.h>
#include "qcow2_format.h"
#include "qcow2_metadata.h"

static unsigned refcount_bits(const struct qcow2 *image)
{
    return 1u << image->header.refcount_order;
}

uint64_t qcow2_refcount_max(const struct qcow2 *image)
{
    const unsigned bits = refcount_bits(image);
    return bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static uint64_t entry_position(const struct qcow2 *image, uint64_t index)
{
    return index * refcount_bits(image) / 8;
}

static uint64_t load_refcount(const struct qcow2 *image, const uint8_t *block, uint64_t index)
{
    const unsigned bits = refcount_bits(image);
    const uint8_t *bytes = block + entry_position(image, index);
    uint64_t value = 0;

    if (bits < 8)
        return (*bytes >> (index * bits % 8)) & ((1u << bits) - 1);
    for (unsigned byte = 0; byte < bits / 8; byte++)
        value = (value << 8) | bytes[byte];
    return value;
}

static void store_refcount(const struct qcow2 *image, uint8_t *block, uint64_t index, uint64_t value)
{
    const unsigned bits = refcount_bits(image);
    uint8_t *bytes = block + entry_position(image, index);

    if (bits < 8) {
        const unsigned shift = index * bits % 8;
        const unsigned mask = ((1u << bits) - 1) << shift;
        *bytes = (uint8_t)((*bytes & ~mask) | ((value << shift) & mask));
        return;
    }
    for (unsigned byte = bits / 8; byte-- > 0; value >>= 8)
        bytes[byte] = (uint8_t)value;
}

static uint64_t reftable_entries(const struct qcow2 *image)
{
    return (uint64_t)image->header.refcount_table_clusters * image->cluster_size / 8;
}

int qcow2_refcount_block_offset(struct qcow2 *image, uint64_t index, uint64_t *offset)
{
    if (index >= reftable_entries(image))
        return -XEN_ENOSPC;
    uint64_t entry;
    int result = qcow2_table_load64(image, &image->reftable_sector, image->header.refcount_table_offset + index * 8,
                                    &entry);
    if (result < 0)
        return result;
    *offset = entry & QCOW2_OFFSET_MASK;
    if (entry & ~QCOW2_OFFSET_MASK)
        return -XEN_EIO;
    if (*offset != 0 && (*offset % image->cluster_size != 0 || *offset > image->file->size - image->cluster_size))
        return -XEN_EIO;
    return 0;
}

static int set_refcount_block_offset(struct qcow2 *image, uint64_t index, uint64_t offset)
{
    return qcow2_table_store64(image, &image->reftable_sector, image->header.refcount_table_offset + index * 8, offset);
}

int qcow2_refcount_get(struct qcow2 *image, uint64_t cluster, uint64_t *refcount)
{
    uint64_t block_offset;
    uint8_t *block;
    int result = qcow2_refcount_block_offset(image, cluster / image->refcount_block_entries, &block_offset);

    *refcount = 0;
    if (result == -XEN_ENOSPC || (result == 0 && block_offset == 0))
        return 0;
    if (result < 0 || (result = qcow2_cache_get(image, block_offset, &block)) < 0)
        return result;
    *refcount = load_refcount(image, block, cluster % image->refcount_block_entries);
    return 0;
}

/* The refcount block counting cluster, cached, at *block_offset; -XEN_EIO if
 * the refcount table names none (a cluster in use must be counted). */
static int allocated_refcount_block(struct qcow2 *image, uint64_t cluster, uint64_t *block_offset, uint8_t **block)
{
    int result = qcow2_refcount_block_offset(image, cluster / image->refcount_block_entries, block_offset);

    if (result < 0 || *block_offset == 0)
        return -XEN_EIO;
    return qcow2_cache_get(image, *block_offset, block);
}

int qcow2_refcount_add(struct qcow2 *image, uint64_t cluster, int delta)
{
    const uint64_t index = cluster % image->refcount_block_entries;
    uint64_t block_offset;
    uint8_t *block;
    int result = allocated_refcount_block(image, cluster, &block_offset, &block);

    if (result < 0)
        return result;
    const uint64_t refcount = load_refcount(image, block, index);
    if (delta < 0 && refcount == 0)
        return -XEN_EIO;
    if (delta > 0 && refcount == qcow2_refcount_max(image))
        return -XEN_ERANGE;
    store_refcount(image, block, index, delta > 0 ? refcount + 1 : refcount - 1);
    result = qcow2_cache_write_sector(image, block_offset, entry_position(image, index));
    if (result < 0)
        return result;
    if (delta < 0 && refcount == 1) {
        if (cluster != 0 && cluster < image->free_cluster_hint)
            image->free_cluster_hint = cluster;
        if (image->compressed_cluster == cluster * image->cluster_size)
            image->compressed_cluster = 0;
    }
    return 0;
}

int qcow2_refcount_lower(struct qcow2 *image, uint64_t cluster, uint64_t refcount)
{
    const uint64_t index = cluster % image->refcount_block_entries;
    uint64_t block_offset;
    uint8_t *block;
    int result = allocated_refcount_block(image, cluster, &block_offset, &block);

    if (result < 0)
        return result;
    if (load_refcount(image, block, index) < refcount)
        return -XEN_EINVAL;
    store_refcount(image, block, index, refcount);
    if (refcount == 0 && cluster != 0 && cluster < image->free_cluster_hint)
        image->free_cluster_hint = cluster;
    return qcow2_cache_write_sector(image, block_offset, entry_position(image, index));
}

/* A refcount block for block index, in the free cluster at its own range's cluster. */
static int make_refcount_block(struct qcow2 *image, uint64_t index, uint64_t cluster)
{
    const uint64_t offset = cluster * image->cluster_size;
    uint8_t *block = qcow2_cache_fresh(image, offset);

    store_refcount(image, block, cluster % image->refcount_block_entries, 1);
    int result = image->file->operations->write(image->file, offset, block, image->cluster_size);
    if (result < 0)
        return result;
    return set_refcount_block_offset(image, index, offset);
}

int qcow2_allocate_cluster(struct qcow2 *image, uint64_t *offset)
{
    const uint64_t file_clusters = image->file->size / image->cluster_size;

    if (image->free_cluster_hint == 0)
        image->free_cluster_hint = 1;
    for (uint64_t cluster = image->free_cluster_hint; cluster < file_clusters; cluster++) {
        const uint64_t index = cluster / image->refcount_block_entries;
        uint64_t block_offset;
        uint8_t *block;
        int result = qcow2_refcount_block_offset(image, index, &block_offset);
        if (result < 0)
            return result;
        if (block_offset == 0) {
            if ((result = make_refcount_block(image, index, cluster)) < 0)
                return result;
            continue;
        }
        if ((result = qcow2_cache_get(image, block_offset, &block)) < 0)
            return result;
        if (load_refcount(image, block, cluster % image->refcount_block_entries) == 0) {
            image->free_cluster_hint = cluster;
            *offset = cluster * image->cluster_size;
            return 0;
        }
    }
    return -XEN_ENOSPC;
}
