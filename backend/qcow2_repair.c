/*
 * qcow2_repair: the leaks a stop can leave, repaired when an image is
 * opened for writing, as QEMU repairs a dirty image when it opens one
 * (block/qcow2.c qcow2_do_open, "Repair image if dirty"; the references
 * counted are those of block/qcow2-refcount.c calculate_refcounts for an
 * image without snapshots or bitmaps).
 *
 * A write raises a refcount before the entry naming the cluster is
 * written, and lowers the old cluster's only after the entry no longer
 * names it (qcow2.h), so a stop in between leaves a refcount above the
 * references: a leak, which qemu-img check reports (exit 3) though
 * nothing is lost.  Here every host cluster's references are counted and
 * each refcount above its count is lowered to it, so after the next open
 * qemu-img check is clean.  A refcount below its references is a
 * corruption this code never makes: the open fails (-EINVAL).  A range
 * with no refcount block is counted too (its refcounts are all 0): a
 * cluster referenced there would otherwise be allocated again, a data
 * cluster over the tables that name it.
 *
 * The references of one refcount block's range are counted at a time in
 * the workspace's decompression buffer (16-bit counts, saturating), so
 * the repair runs for refcount_order 4 and above (16-, 32-, 64-bit
 * refcounts; qemu-img's default is 16).  An image with narrower refcounts
 * is not opened for writing (-EOPNOTSUPP): unchecked, a refcount below
 * its references would hand a used cluster (a table) out again.
 *
 * Bounded: each range's pass reads the refcount table, the L1 table and
 * each L2 table it names; a pass that meets more L2 tables than the file
 * has clusters (an L1 table naming one L2 table over and over) fails the
 * open (-EINVAL).
 */
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "qcow2_format.h"
#include "qcow2_metadata.h"

struct reference_count {
    struct qcow2 *image;
    uint64_t first;     /* host cluster index of counts[0] */
    uint64_t clusters;  /* counts held */
    uint16_t *counts;
};

static void count_cluster(struct reference_count *count, uint64_t cluster)
{
    if (cluster >= count->first && cluster - count->first < count->clusters &&
        count->counts[cluster - count->first] != UINT16_MAX)
        count->counts[cluster - count->first]++;
}

static void count_bytes(struct reference_count *count, uint64_t offset, uint64_t length)
{
    const uint64_t cluster_size = count->image->cluster_size;
    if (length == 0)
        return;
    for (uint64_t cluster = offset / cluster_size; cluster <= (offset + length - 1) / cluster_size; cluster++)
        count_cluster(count, cluster);
}

/* One 64-bit big-endian entry of a table in the file (through a sector buffer of the caller's). */
static int table_entry(struct qcow2 *image, uint64_t table, uint64_t index, uint8_t *sector, uint64_t *loaded,
                       uint64_t *entry)
{
    const uint64_t position = table + index * 8;
    const uint64_t start = position / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE;
    if (*loaded != start) {
        int result = image->file->operations->read(image->file, start, sector, IMAGE_FILE_SECTOR_SIZE);
        if (result < 0)
            return result;
        *loaded = start;
    }
    *entry = qcow2_load64(sector + position % IMAGE_FILE_SECTOR_SIZE);
    return 0;
}

static int count_l2_table(struct reference_count *count, uint64_t l2_offset)
{
    struct qcow2 *image = count->image;

    for (uint64_t index = 0; index < image->l2_entries; index++) {
        uint8_t *table;
        uint64_t host, size;
        bool zero;
        int result = qcow2_cache_get(image, l2_offset, &table);
        if (result < 0)
            return result;
        const uint64_t entry = qcow2_load64(table + index * 8);
        if (entry & QCOW2_OFLAG_COMPRESSED) {
            if (qcow2_compressed_range(image, entry, &host, &size) < 0)
                return -XEN_EINVAL;
            count_bytes(count, host, size);
            continue;
        }
        if (qcow2_standard_cluster(image, entry, &host, &zero) < 0)
            return -XEN_EINVAL;
        if (host != 0)
            count_cluster(count, host / image->cluster_size);
    }
    return 0;
}

static int count_references(struct reference_count *count)
{
    struct qcow2 *image = count->image;
    const struct qcow2_header *header = &image->header;
    const uint64_t file_clusters = image->file->size / image->cluster_size;
    const uint64_t reftable_entries = (uint64_t)header->refcount_table_clusters * image->cluster_size / 8;
    uint8_t sector[IMAGE_FILE_SECTOR_SIZE];
    uint64_t loaded = 0, entry, l2_tables = 0;
    int result;

    count_cluster(count, 0);
    count_bytes(count, header->refcount_table_offset, reftable_entries * 8);
    for (uint64_t index = 0; index < reftable_entries; index++) {
        uint64_t block;
        if ((result = qcow2_refcount_block_offset(image, index, &block)) < 0)
            return -XEN_EINVAL;
        if (block != 0)
            count_cluster(count, block / image->cluster_size);
    }
    count_bytes(count, header->l1_table_offset, (uint64_t)header->l1_size * 8);
    for (uint64_t index = 0; index < header->l1_size; index++) {
        if ((result = table_entry(image, header->l1_table_offset, index, sector, &loaded, &entry)) < 0)
            return result;
        const uint64_t l2_offset = entry & QCOW2_OFFSET_MASK;
        if ((entry & QCOW2_L1_RESERVED) || (l2_offset != 0 && !qcow2_cluster_inside_file(image, l2_offset)))
            return -XEN_EINVAL;
        if (l2_offset == 0)
            continue;
        if (++l2_tables > file_clusters)
            return -XEN_EINVAL;
        count_cluster(count, l2_offset / image->cluster_size);
        if ((result = count_l2_table(count, l2_offset)) < 0)
            return result;
    }
    return 0;
}

static int repair_range(struct reference_count *count)
{
    for (uint64_t index = 0; index < count->clusters; index++) {
        uint64_t refcount;
        int result = qcow2_refcount_get(count->image, count->first + index, &refcount);
        if (result < 0)
            return result;
        if (refcount < count->counts[index])
            return -XEN_EINVAL;
        if (refcount > count->counts[index] &&
            (result = qcow2_refcount_lower(count->image, count->first + index, count->counts[index])) < 0)
            return result;
    }
    return 0;
}

int qcow2_repair_leaks(struct qcow2 *image)
{
    const uint64_t file_clusters = image->file->size / image->cluster_size;
    const uint64_t blocks = (file_clusters + image->refcount_block_entries - 1) / image->refcount_block_entries;
    struct reference_count count = { .image = image, .counts = (uint16_t *)image->workspace->decompressed };

    if (image->header.refcount_order < 4)
        return -XEN_EOPNOTSUPP;
    for (uint64_t block = 0; block < blocks; block++) {
        uint64_t block_offset;
        int result = qcow2_refcount_block_offset(image, block, &block_offset);
        if (result == -XEN_ENOSPC)
            return 0;
        if (result < 0)
            return -XEN_EINVAL;
        count.first = block * image->refcount_block_entries;
        count.clusters = image->refcount_block_entries;
        if (count.first + count.clusters > file_clusters)
            count.clusters = file_clusters - count.first;
        memset(count.counts, 0, count.clusters * sizeof(uint16_t));
        if ((result = count_references(&count)) < 0 || (result = repair_range(&count)) < 0)
            return result;
    }
    return 0;
}
