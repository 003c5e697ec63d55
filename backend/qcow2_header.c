/*
 * qcow2_header: a qcow2 image's header and header extensions, read and
 * validated, and a fresh v3 header written (QEMU's docs/interop/qcow2.txt,
 * "Header" and "Header extensions"; the limits are those of QEMU 7.2's
 * block/qcow2.c qcow2_do_open, research split-drivers.md 6.1).
 *
 * The rules it keeps:
 *   - Every field is hostile.  Offsets of tables are cluster-aligned and
 *     their tables lie inside the file; the L1 table covers the virtual
 *     size; the header, its extensions and the backing file name lie in
 *     cluster 0 (and inside the file); each extension's length keeps it
 *     inside the area before the backing name.
 *   - Unknown incompatible features are refused (-EOPNOTSUPP), and so are
 *     known ones this code does not implement: external data file,
 *     extended L2 entries, encryption (crypt_method), clusters larger than
 *     64 KiB, compression types other than zlib and zstd.
 *   - A backing name is at most 1023 bytes and holds no NUL; a backing
 *     format extension names at most 15 bytes.
 */
#include <stddef.h>

#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "qcow2.h"
#include "qcow2_format.h"
#include "qcow2_header.h"

static uint64_t round_up(uint64_t value, uint64_t alignment)
{
    return (value + alignment - 1) / alignment * alignment;
}

static bool table_inside_file(uint64_t offset, uint64_t bytes, uint64_t cluster_size, uint64_t file_size)
{
    if (offset == 0 || offset % cluster_size != 0 || offset >= file_size)
        return false;
    return bytes <= file_size - offset;
}

static int parse_version_fields(const uint8_t *bytes, uint64_t available, struct qcow2_header *header)
{
    if (header->version == 2) {
        header->header_length = QCOW2_V2_HEADER_LENGTH;
        header->refcount_order = 4;
        return 0;
    }
    header->incompatible_features = qcow2_load64(bytes + QCOW2_HEADER_INCOMPATIBLE);
    header->compatible_features = qcow2_load64(bytes + QCOW2_HEADER_COMPATIBLE);
    header->autoclear_features = qcow2_load64(bytes + QCOW2_HEADER_AUTOCLEAR);
    header->refcount_order = qcow2_load32(bytes + QCOW2_HEADER_REFCOUNT_ORDER);
    header->header_length = qcow2_load32(bytes + QCOW2_HEADER_HEADER_LENGTH);
    if (header->header_length < QCOW2_V3_HEADER_LENGTH || header->header_length % 8 != 0 ||
        header->header_length > available)
        return -XEN_EINVAL;
    if (header->refcount_order > QCOW2_MAX_REFCOUNT_ORDER)
        return -XEN_EINVAL;
    if (header->header_length > QCOW2_HEADER_COMPRESSION_TYPE)
        header->compression_type = bytes[QCOW2_HEADER_COMPRESSION_TYPE];
    return 0;
}

static int check_features(const struct qcow2_header *header)
{
    const uint64_t known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_COMPRESSION;

    if (header->incompatible_features & ~known)
        return -XEN_EOPNOTSUPP;
    if (!(header->incompatible_features & QCOW2_INCOMPAT_COMPRESSION))
        return header->compression_type == 0 ? 0 : -XEN_EINVAL;
    return header->compression_type <= 1 ? 0 : -XEN_EOPNOTSUPP;
}

static int check_tables(const struct qcow2_header *header, uint64_t file_size)
{
    const uint64_t cluster_size = 1ull << header->cluster_bits;
    const uint64_t l2_entries = cluster_size / 8;
    const uint64_t bytes_per_l1_entry = cluster_size * l2_entries;
    const uint64_t l1_needed = header->virtual_size / bytes_per_l1_entry +
                               (header->virtual_size % bytes_per_l1_entry != 0);
    const uint64_t reftable_bytes = (uint64_t)header->refcount_table_clusters * cluster_size;

    if (header->l1_size > QCOW2_MAX_L1_ENTRIES || header->l1_size < l1_needed)
        return -XEN_EINVAL;
    if (header->l1_size != 0 &&
        !table_inside_file(header->l1_table_offset, (uint64_t)header->l1_size * 8, cluster_size, file_size))
        return -XEN_EINVAL;
    if (header->refcount_table_clusters == 0 || reftable_bytes > QCOW2_MAX_REFTABLE_BYTES)
        return -XEN_EINVAL;
    if (!table_inside_file(header->refcount_table_offset, reftable_bytes, cluster_size, file_size))
        return -XEN_EINVAL;
    return 0;
}

static int copy_text(char *destination, size_t capacity, const uint8_t *source, uint64_t length)
{
    if (length >= capacity)
        return -XEN_EINVAL;
    for (uint64_t index = 0; index < length; index++) {
        if (source[index] == 0)
            return -XEN_EINVAL;
        destination[index] = (char)source[index];
    }
    destination[length] = 0;
    return 0;
}

/* The extensions between the header and end (the backing name, or the end of what was read). */
static int parse_extensions(const uint8_t *bytes, uint64_t start, uint64_t end, struct qcow2_header *header)
{
    uint64_t offset = start;

    while (end - offset >= 8) {
        const uint32_t type = qcow2_load32(bytes + offset);
        const uint32_t length = qcow2_load32(bytes + offset + 4);

        if (type == QCOW2_EXT_END)
            return 0;
        if (length > end - offset - 8)
            return -XEN_EINVAL;
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            int result = copy_text(header->backing_format, sizeof(header->backing_format), bytes + offset + 8,
                                   length);
            if (result < 0)
                return result;
        }
        offset += 8 + round_up(length, 8);
        if (offset > end)
            return -XEN_EINVAL;
    }
    return 0;
}

static int parse_backing_name(const uint8_t *bytes, uint64_t available, struct qcow2_header *header,
                              uint64_t *name_offset)
{
    const uint64_t offset = qcow2_load64(bytes + QCOW2_HEADER_BACKING_OFFSET);
    const uint32_t length = qcow2_load32(bytes + QCOW2_HEADER_BACKING_SIZE);

    *name_offset = available;
    if (offset == 0)
        return 0;
    if (length == 0 || length >= QCOW2_BACKING_NAME_SIZE || offset < header->header_length ||
        offset > available || length > available - offset)
        return -XEN_EINVAL;
    *name_offset = offset;
    return copy_text(header->backing_name, sizeof(header->backing_name), bytes + offset, length);
}

int qcow2_header_read(struct image_file *file, uint8_t *buffer, struct qcow2_header *header)
{
    *header = (struct qcow2_header){0};
    if (file->size < IMAGE_FILE_SECTOR_SIZE)
        return -XEN_EINVAL;
    int result = file->operations->read(file, 0, buffer, IMAGE_FILE_SECTOR_SIZE);
    if (result < 0)
        return result;
    if (qcow2_load32(buffer + QCOW2_HEADER_MAGIC) != QCOW2_MAGIC)
        return -XEN_EINVAL;
    header->version = qcow2_load32(buffer + QCOW2_HEADER_VERSION);
    if (header->version != 2 && header->version != 3)
        return -XEN_EOPNOTSUPP;
    header->cluster_bits = qcow2_load32(buffer + QCOW2_HEADER_CLUSTER_BITS);
    if (header->cluster_bits < QCOW2_MIN_CLUSTER_BITS || header->cluster_bits > 21)
        return -XEN_EINVAL;
    if (header->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
        return -XEN_EOPNOTSUPP;

    const uint64_t cluster_size = 1ull << header->cluster_bits;
    const uint64_t available = cluster_size < file->size ? cluster_size : file->size;
    if (available > IMAGE_FILE_SECTOR_SIZE) {
        result = file->operations->read(file, IMAGE_FILE_SECTOR_SIZE, buffer + IMAGE_FILE_SECTOR_SIZE,
                                        available - IMAGE_FILE_SECTOR_SIZE);
        if (result < 0)
            return result;
    }
    if (qcow2_load32(buffer + QCOW2_HEADER_CRYPT_METHOD) != 0)
        return -XEN_EOPNOTSUPP;
    header->virtual_size = qcow2_load64(buffer + QCOW2_HEADER_SIZE);
    header->l1_size = qcow2_load32(buffer + QCOW2_HEADER_L1_SIZE);
    header->l1_table_offset = qcow2_load64(buffer + QCOW2_HEADER_L1_OFFSET);
    header->refcount_table_offset = qcow2_load64(buffer + QCOW2_HEADER_REFTABLE_OFFSET);
    header->refcount_table_clusters = qcow2_load32(buffer + QCOW2_HEADER_REFTABLE_CLUSTERS);
    header->nb_snapshots = qcow2_load32(buffer + QCOW2_HEADER_NB_SNAPSHOTS);
    if (header->virtual_size > (1ull << 56))
        return -XEN_EINVAL;

    uint64_t name_offset;
    if ((result = parse_version_fields(buffer, available, header)) < 0 || (result = check_features(header)) < 0 ||
        (result = check_tables(header, file->size)) < 0 ||
        (result = parse_backing_name(buffer, available, header, &name_offset)) < 0)
        return result;
    return parse_extensions(buffer, header->header_length, name_offset, header);
}

static uint64_t clusters_for(uint64_t bytes, uint64_t cluster_size)
{
    return bytes / cluster_size + (bytes % cluster_size != 0);
}

int qcow2_header_layout(uint64_t file_size, uint64_t virtual_size, unsigned cluster_bits,
                        struct qcow2_header *header)
{
    const uint64_t cluster_size = 1ull << cluster_bits;
    const uint64_t l2_entries = cluster_size / 8;
    const uint64_t refcount_block_entries = cluster_size * 8 / 16;

    *header = (struct qcow2_header){0};
    if (cluster_bits < QCOW2_MIN_CLUSTER_BITS || cluster_bits > QCOW2_MAX_CLUSTER_BITS ||
        virtual_size > (1ull << 56) || virtual_size % IMAGE_FILE_SECTOR_SIZE != 0)
        return -XEN_EINVAL;
    const uint64_t l1_size = clusters_for(virtual_size, cluster_size * l2_entries);
    const uint64_t file_clusters = file_size / cluster_size;
    const uint64_t refcount_blocks = clusters_for(file_clusters + 1, refcount_block_entries);
    const uint64_t reftable_clusters = clusters_for(refcount_blocks * 8, cluster_size);
    if (l1_size > QCOW2_MAX_L1_ENTRIES || reftable_clusters * cluster_size > QCOW2_MAX_REFTABLE_BYTES)
        return -XEN_EINVAL;
    const uint64_t l1_clusters = l1_size == 0 ? 0 : clusters_for(l1_size * 8, cluster_size);
    const uint64_t metadata_clusters = 1 + reftable_clusters + 1 + l1_clusters;
    if (metadata_clusters > file_clusters)
        return -XEN_ENOSPC;
    if (metadata_clusters > refcount_block_entries)
        return -XEN_EINVAL;

    header->version = 3;
    header->cluster_bits = cluster_bits;
    header->virtual_size = virtual_size;
    header->refcount_order = 4;
    header->header_length = QCOW2_HEADER_LENGTH_WITH_COMPRESSION;
    header->refcount_table_offset = cluster_size;
    header->refcount_table_clusters = (uint32_t)reftable_clusters;
    header->l1_size = (uint32_t)l1_size;
    header->l1_table_offset = l1_size == 0 ? 0 : (2 + reftable_clusters) * cluster_size;
    return 0;
}

/* The start of a fresh image's first cluster: the header, the backing format, the backing name. */
int qcow2_header_write_start(const struct qcow2_header *header, uint8_t *bytes, uint64_t capacity)
{
    const uint64_t name_length = header->backing_name[0] == 0 ? 0 : strlen(header->backing_name);
    const uint64_t format_length = strlen(header->backing_format);
    uint64_t offset = header->header_length;

    memset(bytes, 0, capacity);
    qcow2_store32(bytes + QCOW2_HEADER_MAGIC, QCOW2_MAGIC);
    qcow2_store32(bytes + QCOW2_HEADER_VERSION, 3);
    qcow2_store32(bytes + QCOW2_HEADER_CLUSTER_BITS, header->cluster_bits);
    qcow2_store64(bytes + QCOW2_HEADER_SIZE, header->virtual_size);
    qcow2_store32(bytes + QCOW2_HEADER_L1_SIZE, header->l1_size);
    qcow2_store64(bytes + QCOW2_HEADER_L1_OFFSET, header->l1_table_offset);
    qcow2_store64(bytes + QCOW2_HEADER_REFTABLE_OFFSET, header->refcount_table_offset);
    qcow2_store32(bytes + QCOW2_HEADER_REFTABLE_CLUSTERS, header->refcount_table_clusters);
    qcow2_store32(bytes + QCOW2_HEADER_REFCOUNT_ORDER, header->refcount_order);
    qcow2_store32(bytes + QCOW2_HEADER_HEADER_LENGTH, header->header_length);
    if (name_length == 0)
        return 0;
    if (name_length >= QCOW2_BACKING_NAME_SIZE || format_length >= QCOW2_BACKING_FORMAT_SIZE)
        return -XEN_EINVAL;
    qcow2_store32(bytes + offset, QCOW2_EXT_BACKING_FORMAT);
    qcow2_store32(bytes + offset + 4, (uint32_t)format_length);
    memcpy(bytes + offset + 8, header->backing_format, format_length);
    offset += 8 + round_up(format_length, 8);
    offset += 8; /* the end-of-extensions marker: type 0, length 0 */
    if (offset + name_length > capacity)
        return -XEN_EINVAL;
    qcow2_store64(bytes + QCOW2_HEADER_BACKING_OFFSET, offset);
    qcow2_store32(bytes + QCOW2_HEADER_BACKING_SIZE, (uint32_t)name_length);
    memcpy(bytes + offset, header->backing_name, name_length);
    return 0;
}
