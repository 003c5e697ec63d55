/*
 * Specification of the qcow2 disk image code (backend/qcow2.h,
 * disk_image.h) on RAM files: images made by qcow2_create, then read,
 * written and damaged byte by byte, with every table inspected as
 * qemu-img check would (docs/interop/qcow2.txt).  The host's qemu-img
 * judges the same code's images in tests/qcow2/run-qcow2-tests.sh.
 *
 * Unless a case says otherwise: 64 KiB clusters, a 4 MiB virtual disk on
 * a 16 MiB file; qcow2_create lays out header (cluster 0), refcount table
 * (1), refcount block (2), L1 table (3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pvmon/errno.h>
#include <backend/cluster_codec.h>
#include <backend/disk_image.h>
#include <backend/qcow2.h>
#include <backend/xts.h>

#include "ram_image_file.h"
#include "suites.h"

#define CLUSTER (64u * 1024u)
#define FILE_SIZE (16u * 1024u * 1024u)
#define VIRTUAL_SIZE (4u * 1024u * 1024u)
#define SECTORS_PER_CLUSTER (CLUSTER / 512u)
/* The host offset in a compressed cluster's L2 descriptor: its bits 0 to x - 1,
 * x = 62 - (cluster_bits - 8) = 54 for 64 KiB clusters (QEMU docs/interop/qcow2.txt). */
#define COMPRESSED_HOST_OFFSET_MASK ((1ull << 54) - 1)

static struct ram_image_file top, base, middle;
static struct disk_image image;
static uint8_t buffer[4 * CLUSTER], expected[4 * CLUSTER];
static const struct disk_image_options compress = { .compress_writes = true };

static uint64_t get64(const struct ram_image_file *ram, uint64_t offset)
{
    uint64_t value = 0;
    for (unsigned index = 0; index < 8; index++)
        value = value << 8 | ram->bytes[offset + index];
    return value;
}

static uint32_t get32(const struct ram_image_file *ram, uint64_t offset)
{
    return (uint32_t)(get64(ram, offset) >> 32);
}

static void put64(struct ram_image_file *ram, uint64_t offset, uint64_t value)
{
    for (unsigned index = 0; index < 8; index++)
        ram->bytes[offset + index] = (uint8_t)(value >> (56 - 8 * index));
}

static void put32(struct ram_image_file *ram, uint64_t offset, uint32_t value)
{
    for (unsigned index = 0; index < 4; index++)
        ram->bytes[offset + index] = (uint8_t)(value >> (24 - 8 * index));
}

static uint64_t cluster_size_of(const struct ram_image_file *ram)
{
    return 1ull << get32(ram, 20);
}

static uint64_t l1_entry(const struct ram_image_file *ram, uint64_t index)
{
    return get64(ram, get64(ram, 40) + index * 8);
}

/* The L2 entry of virtual cluster (0 when its L2 table is not there). */
static uint64_t l2_entry(const struct ram_image_file *ram, uint64_t cluster)
{
    const uint64_t entries = cluster_size_of(ram) / 8;
    const uint64_t table = l1_entry(ram, cluster / entries) & 0x00fffffffffffe00ull;
    return table == 0 ? 0 : get64(ram, table + cluster % entries * 8);
}

/* The 16-bit refcount of host cluster (0 without a refcount block). */
static uint64_t refcount_of(const struct ram_image_file *ram, uint64_t cluster)
{
    const uint64_t entries = cluster_size_of(ram) / 2;
    const uint64_t block = get64(ram, get64(ram, 48) + cluster / entries * 8);
    if (block == 0)
        return 0;
    const uint8_t *bytes = ram->bytes + block + cluster % entries * 2;
    return (uint64_t)bytes[0] << 8 | bytes[1];
}

static void fill_pattern(uint8_t *bytes, size_t length, unsigned seed)
{
    for (size_t index = 0; index < length; index++)
        bytes[index] = (uint8_t)(index * 31 + seed * 7 + (index >> 9));
}

static struct image_file *find_file(void *context, const char *name)
{
    struct ram_image_file *candidates[] = { &top, &middle, &base };
    (void)context;
    for (unsigned index = 0; index < 3; index++)
        if (candidates[index]->bytes != NULL && strcmp(candidates[index]->file.name, name) == 0)
            return &candidates[index]->file;
    return NULL;
}

static void make_qcow2(struct ram_image_file *ram, const char *name, uint64_t file_size, uint64_t virtual_size,
                       const char *backing, const char *format, unsigned cluster_bits)
{
    ram_image_file_init(ram, file_size, name);
    ck_assert_int_eq(qcow2_create(&ram->file, virtual_size, backing, format, cluster_bits), 0);
}

static int open_top(const struct disk_image_options *options)
{
    return disk_image_open(&image, DISK_IMAGE_QCOW2, &top.file, options, find_file, NULL);
}

/* A new top image of 64 KiB clusters and no backing file, opened with OPTIONS. */
static int open_new_top(const struct disk_image_options *options)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    return open_top(options);
}

/* A new top image whose guest cluster 0 reads as zeros (L2 flag bit 0) yet
 * still names its host cluster 5, opened again writable. */
static void open_image_with_a_zero_cluster_holding_a_host_cluster(void)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    put64(&top, 4 * CLUSTER, (1ull << 63) | 5 * CLUSTER | 1);
    disk_image_close(&image);
    ck_assert_int_eq(open_top(NULL), 0);
}

static void setup(void)
{
    memset(&top, 0, sizeof(top));
    memset(&middle, 0, sizeof(middle));
    memset(&base, 0, sizeof(base));
}

static void teardown(void)
{
    disk_image_close(&image);
    ram_image_file_release(&top);
    ram_image_file_release(&middle);
    ram_image_file_release(&base);
}

/* A top image over a raw base of the same virtual size holding pattern 1. */
static void make_overlay_on_raw_base(void)
{
    ram_image_file_init(&base, VIRTUAL_SIZE, "base.raw");
    fill_pattern(base.bytes, VIRTUAL_SIZE, 1);
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, "base.raw", "raw", 16);
}

/* --- the header ------------------------------------------------------------------------ */

START_TEST(test_created_image_has_qemu_img_layout)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    ck_assert_uint_eq(get32(&top, 0), 0x514649fb);
    ck_assert_uint_eq(get32(&top, 4), 3);
    ck_assert_uint_eq(get64(&top, 24), VIRTUAL_SIZE);
    ck_assert_uint_eq(get64(&top, 48), CLUSTER);
    ck_assert_uint_eq(get32(&top, 56), 1);
    ck_assert_uint_eq(get32(&top, 36), 1);
    ck_assert_uint_eq(get64(&top, 40), 3 * CLUSTER);
    ck_assert_uint_eq(get32(&top, 96), 4);
    ck_assert_uint_eq(get32(&top, 100), 112);
    for (uint64_t cluster = 0; cluster < 4; cluster++)
        ck_assert_uint_eq(refcount_of(&top, cluster), 1);
    ck_assert_uint_eq(refcount_of(&top, 4), 0);
    ck_assert_uint_eq(top.flushes, 1);
}
END_TEST

START_TEST(test_created_overlay_names_its_backing_file_and_format)
{
    make_overlay_on_raw_base();
    const uint64_t name = get64(&top, 8);
    ck_assert_uint_eq(get32(&top, 16), strlen("base.raw"));
    ck_assert_mem_eq(top.bytes + name, "base.raw", strlen("base.raw"));
    ck_assert_uint_eq(get32(&top, 112), 0xe2792aca);
    ck_assert_uint_eq(get32(&top, 116), 3);
    ck_assert_mem_eq(top.bytes + 120, "raw", 3);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_uint_eq(image.layer_count, 2);
}
END_TEST

START_TEST(test_create_refuses_unknown_backing_format)
{
    ram_image_file_init(&top, FILE_SIZE, "top.qcow2");
    ck_assert_int_eq(qcow2_create(&top.file, VIRTUAL_SIZE, "base", "vmdk", 16), -XEN_EINVAL);
}
END_TEST

START_TEST(test_create_refuses_a_file_too_small_for_the_metadata)
{
    ram_image_file_init(&top, 3 * CLUSTER, "top.qcow2");
    ck_assert_int_eq(qcow2_create(&top.file, VIRTUAL_SIZE, NULL, NULL, 16), -XEN_ENOSPC);
}
END_TEST

START_TEST(test_create_refuses_clusters_above_64_kib)
{
    ram_image_file_init(&top, FILE_SIZE, "top.qcow2");
    ck_assert_int_eq(qcow2_create(&top.file, VIRTUAL_SIZE, NULL, NULL, 17), -XEN_EINVAL);
}
END_TEST

/* The header made by qcow2_create, changed by one field, then opened. */
static int open_with_field64(uint64_t offset, uint64_t value)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put64(&top, offset, value);
    return open_top(NULL);
}

static int open_with_field32(uint64_t offset, uint32_t value)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put32(&top, offset, value);
    return open_top(NULL);
}

START_TEST(test_bad_magic_is_refused)
{
    ck_assert_int_eq(open_with_field32(0, 0x514649fa), -XEN_EINVAL);
}
END_TEST

START_TEST(test_version_4_is_not_supported)
{
    ck_assert_int_eq(open_with_field32(4, 4), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_clusters_of_128_kib_are_not_supported)
{
    ck_assert_int_eq(open_with_field32(20, 17), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_clusters_below_512_bytes_are_refused)
{
    ck_assert_int_eq(open_with_field32(20, 8), -XEN_EINVAL);
}
END_TEST

START_TEST(test_encrypted_qcow2_is_not_supported)
{
    ck_assert_int_eq(open_with_field32(32, 1), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_unknown_incompatible_feature_is_refused)
{
    ck_assert_int_eq(open_with_field64(72, 1ull << 5), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_external_data_file_is_not_supported)
{
    ck_assert_int_eq(open_with_field64(72, 1ull << 2), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_extended_l2_entries_are_not_supported)
{
    ck_assert_int_eq(open_with_field64(72, 1ull << 4), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_compression_type_without_its_feature_bit_is_refused)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    top.bytes[104] = 1;
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_unknown_compression_type_is_not_supported)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put64(&top, 72, 1ull << 3);
    top.bytes[104] = 2;
    ck_assert_int_eq(open_top(NULL), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_header_length_not_a_multiple_of_8_is_refused)
{
    ck_assert_int_eq(open_with_field32(100, 108), -XEN_EINVAL);
}
END_TEST

START_TEST(test_refcount_order_above_6_is_refused)
{
    ck_assert_int_eq(open_with_field32(96, 7), -XEN_EINVAL);
}
END_TEST

START_TEST(test_l1_table_too_small_for_the_virtual_size_is_refused)
{
    ck_assert_int_eq(open_with_field64(24, 2ull * CLUSTER * (CLUSTER / 8)), -XEN_EINVAL);
}
END_TEST

START_TEST(test_l1_table_beyond_the_file_is_refused)
{
    ck_assert_int_eq(open_with_field64(40, FILE_SIZE), -XEN_EINVAL);
}
END_TEST

START_TEST(test_unaligned_l1_table_is_refused)
{
    ck_assert_int_eq(open_with_field64(40, 3 * CLUSTER + 512), -XEN_EINVAL);
}
END_TEST

START_TEST(test_refcount_table_running_past_the_file_is_refused)
{
    ck_assert_int_eq(open_with_field32(56, FILE_SIZE / CLUSTER), -XEN_EINVAL);
}
END_TEST

START_TEST(test_backing_name_beyond_cluster_0_is_refused)
{
    make_overlay_on_raw_base();
    put64(&top, 8, CLUSTER - 4);
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_backing_name_of_1024_bytes_is_refused)
{
    make_overlay_on_raw_base();
    put32(&top, 16, 1024);
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_extension_running_past_the_backing_name_is_refused)
{
    make_overlay_on_raw_base();
    put32(&top, 116, 0x1000);
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_dirty_image_opens_read_only_only)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put64(&top, 72, 1);
    ck_assert_int_eq(open_top(NULL), -XEN_EROFS);
    const struct disk_image_options read_only = { .read_only = true };
    ck_assert_int_eq(open_top(&read_only), 0);
    ck_assert(disk_image_read_only(&image));
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), -XEN_EROFS);
}
END_TEST

START_TEST(test_corrupt_image_opens_read_only_only)
{
    ck_assert_int_eq(open_with_field64(72, 2), -XEN_EROFS);
}
END_TEST

START_TEST(test_image_with_internal_snapshots_opens_read_only_only)
{
    ck_assert_int_eq(open_with_field32(60, 1), -XEN_EROFS);
}
END_TEST

START_TEST(test_first_write_clears_autoclear_bits)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put64(&top, 88, 1);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_uint_eq(get64(&top, 88), 1);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    ck_assert_uint_eq(get64(&top, 88), 0);
}
END_TEST

/* --- mapping --------------------------------------------------------------------------- */

START_TEST(test_unallocated_clusters_read_as_zeros_without_backing)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_uint_eq(disk_image_sectors(&image), VIRTUAL_SIZE / 512);
    memset(buffer, 0xaa, sizeof(buffer));
    memset(expected, 0, sizeof(expected));
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 4 * SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, sizeof(buffer));
}
END_TEST

START_TEST(test_unallocated_clusters_read_from_the_backing_image)
{
    make_overlay_on_raw_base();
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_read(&image, 3, buffer, 200), 0);
    ck_assert_mem_eq(buffer, base.bytes + 3 * 512, 200 * 512);
}
END_TEST

START_TEST(test_reads_beyond_a_smaller_backing_image_are_zeros)
{
    ram_image_file_init(&base, CLUSTER, "base.raw");
    fill_pattern(base.bytes, CLUSTER, 1);
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, "base.raw", "raw", 16);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_read(&image, SECTORS_PER_CLUSTER - 1, buffer, 2), 0);
    ck_assert_mem_eq(buffer, base.bytes + CLUSTER - 512, 512);
    memset(expected, 0, 512);
    ck_assert_mem_eq(buffer + 512, expected, 512);
}
END_TEST

START_TEST(test_written_data_reads_back)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    fill_pattern(expected, 3 * CLUSTER, 9);
    ck_assert_int_eq(disk_image_write(&image, 100, expected, 3 * SECTORS_PER_CLUSTER), 0);
    ck_assert_int_eq(disk_image_read(&image, 100, buffer, 3 * SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, 3 * CLUSTER);
}
END_TEST

START_TEST(test_write_sets_copied_on_l1_and_l2_entries_with_refcount_1)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, SECTORS_PER_CLUSTER, buffer, 1), 0);
    const uint64_t l1 = l1_entry(&top, 0);
    const uint64_t l2 = l2_entry(&top, 1);
    ck_assert_uint_eq(l1, (1ull << 63) | 4 * CLUSTER);
    ck_assert_uint_eq(l2, (1ull << 63) | 5 * CLUSTER);
    ck_assert_uint_eq(refcount_of(&top, 4), 1);
    ck_assert_uint_eq(refcount_of(&top, 5), 1);
    ck_assert_uint_eq(refcount_of(&top, 6), 0);
    ck_assert_uint_eq(l2_entry(&top, 0), 0);
}
END_TEST

START_TEST(test_rewrite_of_an_allocated_cluster_stays_in_place)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    fill_pattern(expected, 512, 3);
    ck_assert_int_eq(disk_image_write(&image, 0, expected, 1), 0);
    ck_assert_uint_eq(l2_entry(&top, 0), (1ull << 63) | 5 * CLUSTER);
    ck_assert_mem_eq(top.bytes + 5 * CLUSTER, expected, 512);
    ck_assert_uint_eq(refcount_of(&top, 6), 0);
}
END_TEST

START_TEST(test_zero_flag_cluster_reads_as_zeros)
{
    make_overlay_on_raw_base();
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, SECTORS_PER_CLUSTER, buffer, 1), 0);
    put64(&top, 4 * CLUSTER, 1);
    disk_image_close(&image);
    ck_assert_int_eq(open_top(NULL), 0);
    memset(buffer, 0xaa, CLUSTER);
    memset(expected, 0, CLUSTER);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, CLUSTER);
}
END_TEST

START_TEST(test_write_over_a_zero_cluster_with_a_host_cluster_frees_it)
{
    open_image_with_a_zero_cluster_holding_a_host_cluster();
    fill_pattern(expected, 512, 4);
    ck_assert_int_eq(disk_image_write(&image, 1, expected, 1), 0);
    ck_assert_uint_eq(l2_entry(&top, 0), (1ull << 63) | 6 * CLUSTER);
    ck_assert_uint_eq(refcount_of(&top, 5), 0);
    ck_assert_uint_eq(refcount_of(&top, 6), 1);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 2), 0);
    memset(expected + 512, 0, 512);
    ck_assert_mem_eq(buffer + 512, expected, 512);
    ck_assert_uint_eq(buffer[0] | buffer[511], 0);
}
END_TEST

/* An image with one data cluster written, its L2 entry then replaced. */
static int read_with_l2_entry(uint64_t entry)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    put64(&top, 4 * CLUSTER, entry);
    disk_image_close(&image);
    const struct disk_image_options read_only = { .read_only = true };
    ck_assert_int_eq(open_top(&read_only), 0);
    return disk_image_read(&image, 0, buffer, 1);
}

START_TEST(test_l2_entry_with_reserved_bits_fails_the_read)
{
    ck_assert_int_eq(read_with_l2_entry((1ull << 63) | 5 * CLUSTER | 0x100), -XEN_EIO);
}
END_TEST

START_TEST(test_l2_entry_beyond_the_file_fails_the_read)
{
    ck_assert_int_eq(read_with_l2_entry((1ull << 63) | FILE_SIZE), -XEN_EIO);
}
END_TEST

START_TEST(test_unaligned_l2_entry_fails_the_read)
{
    ck_assert_int_eq(read_with_l2_entry((1ull << 63) | (5 * CLUSTER + 512)), -XEN_EIO);
}
END_TEST

START_TEST(test_l1_entry_beyond_the_file_fails_the_read)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put64(&top, 3 * CLUSTER, (1ull << 63) | (FILE_SIZE - CLUSTER / 2));
    const struct disk_image_options read_only = { .read_only = true };
    ck_assert_int_eq(open_top(&read_only), 0);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 1), -XEN_EIO);
}
END_TEST

START_TEST(test_requests_beyond_the_virtual_disk_are_refused)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_read(&image, VIRTUAL_SIZE / 512 - 1, buffer, 2), -XEN_EINVAL);
    ck_assert_int_eq(disk_image_write(&image, UINT64_MAX, buffer, 2), -XEN_EINVAL);
}
END_TEST

/* --- copy-on-write --------------------------------------------------------------------- */

START_TEST(test_partial_write_copies_the_rest_of_the_cluster_from_the_backing_image)
{
    make_overlay_on_raw_base();
    ck_assert_int_eq(open_top(NULL), 0);
    fill_pattern(buffer, 512, 5);
    ck_assert_int_eq(disk_image_write(&image, SECTORS_PER_CLUSTER + 7, buffer, 1), 0);
    memcpy(expected, base.bytes + CLUSTER, CLUSTER);
    memcpy(expected + 7 * 512, buffer, 512);
    ck_assert_mem_eq(top.bytes + (l2_entry(&top, 1) & 0x00fffffffffffe00ull), expected, CLUSTER);
    ck_assert_int_eq(disk_image_read(&image, SECTORS_PER_CLUSTER, buffer, SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, CLUSTER);
}
END_TEST

START_TEST(test_writes_to_an_overlay_leave_the_backing_image_unchanged)
{
    make_overlay_on_raw_base();
    ck_assert_int_eq(open_top(NULL), 0);
    memset(buffer, 0x5a, sizeof(buffer));
    ck_assert_int_eq(disk_image_write(&image, 5, buffer, 4 * SECTORS_PER_CLUSTER), 0);
    fill_pattern(expected, VIRTUAL_SIZE < sizeof(expected) ? VIRTUAL_SIZE : sizeof(expected), 1);
    ck_assert_mem_eq(base.bytes, expected, sizeof(expected));
    ck_assert_uint_eq(base.writes, 0);
}
END_TEST

START_TEST(test_qcow2_backing_chain_of_three_reads_each_layer)
{
    ram_image_file_init(&base, VIRTUAL_SIZE, "base.raw");
    fill_pattern(base.bytes, VIRTUAL_SIZE, 1);
    make_qcow2(&middle, "middle.qcow2", FILE_SIZE, VIRTUAL_SIZE, "base.raw", "raw", 16);
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, "middle.qcow2", "qcow2", 12);
    ck_assert_int_eq(disk_image_open(&image, DISK_IMAGE_QCOW2, &middle.file, NULL, find_file, NULL), 0);
    memset(buffer, 0x11, 512);
    ck_assert_int_eq(disk_image_write(&image, 1, buffer, 1), 0);
    disk_image_close(&image);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_uint_eq(image.layer_count, 3);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 3), 0);
    ck_assert_mem_eq(buffer, base.bytes, 512);
    ck_assert_uint_eq(buffer[512], 0x11);
    ck_assert_mem_eq(buffer + 1024, base.bytes + 1024, 512);
}
END_TEST

/* --- the backing chain ------------------------------------------------------------------ */

START_TEST(test_backing_chain_loop_is_refused)
{
    make_qcow2(&middle, "middle.qcow2", FILE_SIZE, VIRTUAL_SIZE, "top.qcow2", "qcow2", 16);
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, "middle.qcow2", "qcow2", 16);
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_image_backed_by_itself_is_refused)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, "top.qcow2", "qcow2", 16);
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

static struct ram_image_file chain[DISK_IMAGE_MAX_CHAIN + 1];

static struct image_file *find_in_chain(void *context, const char *name)
{
    (void)context;
    for (unsigned index = 0; index <= DISK_IMAGE_MAX_CHAIN; index++)
        if (strcmp(chain[index].file.name, name) == 0)
            return &chain[index].file;
    return NULL;
}

START_TEST(test_chain_deeper_than_the_maximum_is_refused)
{
    char name[16], next[16];
    for (unsigned index = 0; index <= DISK_IMAGE_MAX_CHAIN; index++) {
        snprintf(name, sizeof(name), "layer%u", index);
        snprintf(next, sizeof(next), "layer%u", index + 1);
        ram_image_file_init(&chain[index], 8 * CLUSTER, name);
        ck_assert_int_eq(qcow2_create(&chain[index].file, CLUSTER, index == DISK_IMAGE_MAX_CHAIN ? NULL : next,
                                      "qcow2", 16), 0);
    }
    ck_assert_int_eq(disk_image_open(&image, DISK_IMAGE_QCOW2, &chain[0].file, NULL, find_in_chain, NULL),
                     -XEN_E2BIG);
    ck_assert_int_eq(disk_image_open(&image, DISK_IMAGE_QCOW2, &chain[1].file, NULL, find_in_chain, NULL), 0);
    ck_assert_uint_eq(image.layer_count, DISK_IMAGE_MAX_CHAIN);
    for (unsigned index = 0; index <= DISK_IMAGE_MAX_CHAIN; index++)
        ram_image_file_release(&chain[index]);
}
END_TEST

START_TEST(test_missing_backing_file_is_refused)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, "nowhere.qcow2", "qcow2", 16);
    ck_assert_int_eq(open_top(NULL), -XEN_ENOENT);
}
END_TEST

START_TEST(test_unknown_backing_format_is_not_supported)
{
    make_overlay_on_raw_base();
    memcpy(top.bytes + 120, "vmd", 3);
    ck_assert_int_eq(open_top(NULL), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_backing_format_is_probed_when_not_named)
{
    make_overlay_on_raw_base();
    put32(&top, 112, 0x12345678); /* an unknown extension instead of the backing format */
    make_qcow2(&middle, "base.raw", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    ram_image_file_release(&base);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(image.layers[1].format, DISK_IMAGE_QCOW2);
}
END_TEST

/* --- allocation and refcounts ----------------------------------------------------------- */

START_TEST(test_full_file_fails_the_write_with_enospc)
{
    make_qcow2(&top, "top.qcow2", 8 * CLUSTER, VIRTUAL_SIZE, NULL, NULL, 16);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    ck_assert_int_eq(disk_image_write(&image, SECTORS_PER_CLUSTER, buffer, 1), 0);
    ck_assert_int_eq(disk_image_write(&image, 2 * SECTORS_PER_CLUSTER, buffer, 1), 0);
    ck_assert_int_eq(disk_image_write(&image, 3 * SECTORS_PER_CLUSTER, buffer, 1), -XEN_ENOSPC);
    ck_assert_uint_eq(l2_entry(&top, 3), 0);
    for (uint64_t cluster = 0; cluster < 8; cluster++)
        ck_assert_uint_eq(refcount_of(&top, cluster), 1);
}
END_TEST

START_TEST(test_allocation_beyond_a_refcount_block_makes_a_new_one_counting_itself)
{
    /* 512-byte clusters: a refcount block counts 256 clusters (128 KiB). */
    make_qcow2(&top, "top.qcow2", 1024 * 1024, 512 * 1024, NULL, NULL, 9);
    ck_assert_int_eq(open_top(NULL), 0);
    fill_pattern(expected, 300 * 512, 6);
    ck_assert_int_eq(disk_image_write(&image, 0, expected, 300), 0);
    const uint64_t second_block = get64(&top, 512 + 8);
    ck_assert_uint_ne(second_block, 0);
    ck_assert_uint_eq(second_block / 512 / 256, 1);
    ck_assert_uint_eq(refcount_of(&top, second_block / 512), 1);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 300), 0);
    ck_assert_mem_eq(buffer, expected, 300 * 512);
}
END_TEST

START_TEST(test_freed_cluster_is_allocated_again)
{
    open_image_with_a_zero_cluster_holding_a_host_cluster();
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);   /* 6 taken, 5 freed */
    ck_assert_int_eq(disk_image_write(&image, SECTORS_PER_CLUSTER, buffer, 1), 0);
    ck_assert_uint_eq(l2_entry(&top, 1), (1ull << 63) | 5 * CLUSTER);
}
END_TEST

START_TEST(test_leaked_cluster_is_repaired_on_writable_open)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    disk_image_close(&image);
    top.bytes[2 * CLUSTER + 9 * 2 + 1] = 1;  /* cluster 9: counted, named by nothing */
    top.bytes[2 * CLUSTER + 5 * 2 + 1] = 3;  /* the data cluster: 3 for 1 reference */
    const struct disk_image_options read_only = { .read_only = true };
    ck_assert_int_eq(open_top(&read_only), 0);
    ck_assert_uint_eq(refcount_of(&top, 9), 1);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_uint_eq(refcount_of(&top, 9), 0);
    ck_assert_uint_eq(refcount_of(&top, 5), 1);
    ck_assert_uint_eq(refcount_of(&top, 4), 1);
    ck_assert_uint_eq(refcount_of(&top, 0), 1);
}
END_TEST

START_TEST(test_refcount_below_its_references_fails_the_writable_open)
{
    ck_assert_int_eq(open_new_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    disk_image_close(&image);
    top.bytes[2 * CLUSTER + 5 * 2 + 1] = 0;
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

/* Without its refcount block every cluster of a range counts as free: the
 * header, the tables and the data there would be handed out again. */
START_TEST(test_referenced_clusters_without_a_refcount_block_fail_the_writable_open)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    disk_image_close(&image);
    put64(&top, CLUSTER, 0); /* refcount table entry 0: no block for clusters 0-32767 */
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

/* Refcounts narrower than 16 bits escape the open's check of the refcounts:
 * read as 1-bit refcounts, the 16-bit block here says clusters 1-7 (the
 * refcount table, the refcount block, the L1 table) are free. */
START_TEST(test_refcounts_narrower_than_16_bits_open_read_only_only)
{
    const struct disk_image_options read_only = { .read_only = true };

    make_qcow2(&top, "top.qcow2", FILE_SIZE, VIRTUAL_SIZE, NULL, NULL, 16);
    put32(&top, 96, 0); /* refcount_order 0 */
    ck_assert_int_eq(open_top(NULL), -XEN_EOPNOTSUPP);
    ck_assert_int_eq(open_top(&read_only), 0);
}
END_TEST

START_TEST(test_l1_naming_one_l2_table_everywhere_fails_the_writable_open)
{
    make_qcow2(&top, "top.qcow2", FILE_SIZE, 64ull * CLUSTER * (CLUSTER / 8), NULL, NULL, 16);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_write(&image, 0, buffer, 1), 0);
    disk_image_close(&image);
    const uint64_t l1 = get64(&top, 40), table = l1_entry(&top, 0);
    for (unsigned index = 1; index < 64; index++)
        put64(&top, l1 + index * 8, table);
    ck_assert_int_eq(open_top(NULL), -XEN_EINVAL);
}
END_TEST

START_TEST(test_stopped_write_leaves_old_or_new_data_and_no_corruption)
{
    for (long budget = 0; budget < 8; budget++) {
        make_overlay_on_raw_base();
        ck_assert_int_eq(open_top(NULL), 0);
        top.writes_left = budget;
        fill_pattern(buffer, 2 * CLUSTER, 8);
        const int result = disk_image_write(&image, SECTORS_PER_CLUSTER - 1, buffer, SECTORS_PER_CLUSTER + 2);
        disk_image_close(&image);
        top.writes_left = -1;
        ck_assert_int_eq(open_top(NULL), 0); /* no refcount below its references */
        for (uint64_t cluster = 0; cluster < FILE_SIZE / CLUSTER; cluster++)
            ck_assert_uint_le(refcount_of(&top, cluster), 1);
        ck_assert_int_eq(disk_image_read(&image, SECTORS_PER_CLUSTER - 1, expected, SECTORS_PER_CLUSTER + 2), 0);
        for (unsigned sector = 0; sector < SECTORS_PER_CLUSTER + 2; sector++) {
            const uint8_t *got = expected + sector * 512;
            const bool new_data = memcmp(got, buffer + sector * 512, 512) == 0;
            const bool old_data = memcmp(got, base.bytes + (SECTORS_PER_CLUSTER - 1 + sector) * 512, 512) == 0;
            ck_assert(new_data || old_data);
            ck_assert(new_data || result != 0);
        }
        teardown();
        setup();
    }
}
END_TEST

/* A write that fails part way must leave no metadata in the cache that the file
 * lacks: the next write, which succeeds, must be found again after a reopen. */
START_TEST(test_write_after_a_failed_write_is_kept_across_a_reopen)
{
    for (long budget = 0; budget < 8; budget++) {
        make_overlay_on_raw_base();
        ck_assert_int_eq(open_top(NULL), 0);
        top.writes_left = budget;
        fill_pattern(buffer, CLUSTER, 8);
        (void)disk_image_write(&image, 0, buffer, SECTORS_PER_CLUSTER);
        top.writes_left = -1;
        fill_pattern(buffer, CLUSTER, 9);
        ck_assert_int_eq(disk_image_write(&image, 0, buffer, SECTORS_PER_CLUSTER), 0);
        disk_image_close(&image);
        ck_assert_int_eq(open_top(NULL), 0);
        ck_assert_int_eq(disk_image_read(&image, 0, expected, SECTORS_PER_CLUSTER), 0);
        ck_assert_msg(memcmp(expected, buffer, CLUSTER) == 0, "budget %ld: the acknowledged write is lost", budget);
        teardown();
        setup();
    }
}
END_TEST

/* --- compressed clusters ---------------------------------------------------------------- */

START_TEST(test_whole_cluster_writes_are_compressed_when_asked)
{
    ck_assert_int_eq(open_new_top(&compress), 0);
    memset(expected, 0x61, 2 * CLUSTER);
    ck_assert_int_eq(disk_image_write(&image, 0, expected, 2 * SECTORS_PER_CLUSTER), 0);
    const uint64_t first = l2_entry(&top, 0), second = l2_entry(&top, 1);
    ck_assert_uint_eq(first >> 62, 1);
    ck_assert_uint_eq(second >> 62, 1);
    const uint64_t host = first & COMPRESSED_HOST_OFFSET_MASK;
    ck_assert_uint_eq(host / CLUSTER, (second & COMPRESSED_HOST_OFFSET_MASK) / CLUSTER);
    ck_assert_uint_eq(refcount_of(&top, host / CLUSTER), 2);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 2 * SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, 2 * CLUSTER);
}
END_TEST

START_TEST(test_incompressible_cluster_is_written_plainly)
{
    ck_assert_int_eq(open_new_top(&compress), 0);
    uint64_t state = 88172645463325252ull;
    for (unsigned index = 0; index < CLUSTER; index++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        expected[index] = (uint8_t)state;
    }
    ck_assert_int_eq(disk_image_write(&image, 0, expected, SECTORS_PER_CLUSTER), 0);
    ck_assert_uint_eq(l2_entry(&top, 0) >> 62, 2);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, CLUSTER);
}
END_TEST

START_TEST(test_partial_write_to_a_compressed_cluster_makes_a_standard_one)
{
    ck_assert_int_eq(open_new_top(&compress), 0);
    memset(expected, 0x61, 2 * CLUSTER);
    ck_assert_int_eq(disk_image_write(&image, 0, expected, 2 * SECTORS_PER_CLUSTER), 0);
    const uint64_t host = (l2_entry(&top, 0) & COMPRESSED_HOST_OFFSET_MASK) / CLUSTER;
    memset(expected + 512, 0x62, 512);
    ck_assert_int_eq(disk_image_write(&image, 1, expected + 512, 1), 0);
    ck_assert_uint_eq(l2_entry(&top, 0) >> 62, 2);
    ck_assert_uint_eq(refcount_of(&top, host), 1);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 2 * SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, 2 * CLUSTER);
}
END_TEST

START_TEST(test_bad_compressed_stream_fails_the_read)
{
    ck_assert_int_eq(open_new_top(&compress), 0);
    memset(expected, 0x61, CLUSTER);
    ck_assert_int_eq(disk_image_write(&image, 0, expected, SECTORS_PER_CLUSTER), 0);
    const uint64_t host = l2_entry(&top, 0) & COMPRESSED_HOST_OFFSET_MASK;
    memset(top.bytes + host, 0xff, 512);
    disk_image_close(&image);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_read(&image, 0, buffer, 1), -XEN_EIO);
}
END_TEST

START_TEST(test_compressed_descriptor_beyond_the_file_fails_the_read)
{
    ck_assert_int_eq(read_with_l2_entry((1ull << 62) | FILE_SIZE), -XEN_EIO);
}
END_TEST

START_TEST(test_compressed_descriptor_with_copied_fails_the_read)
{
    ck_assert_int_eq(read_with_l2_entry((1ull << 63) | (1ull << 62) | 5 * CLUSTER), -XEN_EIO);
}
END_TEST

/* --- raw and encryption ------------------------------------------------------------------ */

START_TEST(test_raw_image_is_the_file_itself)
{
    ram_image_file_init(&top, VIRTUAL_SIZE, "disk.raw");
    ck_assert_int_eq(disk_image_open(&image, DISK_IMAGE_RAW, &top.file, NULL, NULL, NULL), 0);
    fill_pattern(expected, 1024, 2);
    ck_assert_int_eq(disk_image_write(&image, 10, expected, 2), 0);
    ck_assert_mem_eq(top.bytes + 10 * 512, expected, 1024);
    ck_assert_uint_eq(disk_image_sectors(&image), VIRTUAL_SIZE / 512);
    ck_assert_int_eq(disk_image_flush(&image), 0);
    ck_assert_uint_eq(top.flushes, 1);
}
END_TEST

START_TEST(test_read_only_raw_file_refuses_a_writable_open)
{
    ram_image_file_init(&top, VIRTUAL_SIZE, "disk.raw");
    top.file.read_only = true;
    ck_assert_int_eq(disk_image_open(&image, DISK_IMAGE_RAW, &top.file, NULL, NULL, NULL), -XEN_EROFS);
}
END_TEST

static struct xts_key key;

static void init_key(void)
{
    uint8_t bytes[XTS_KEY_SIZE];
    for (unsigned index = 0; index < XTS_KEY_SIZE; index++)
        bytes[index] = (uint8_t)(index * 11 + 3);
    ck_assert_int_eq(xts_key_init(&key, bytes), 0);
}

START_TEST(test_encrypted_raw_image_holds_xts_ciphertext_of_each_sector)
{
    init_key();
    const struct disk_image_options encrypted = { .encryption = &key };
    ram_image_file_init(&top, VIRTUAL_SIZE, "disk.raw");
    ck_assert_int_eq(disk_image_open(&image, DISK_IMAGE_RAW, &top.file, &encrypted, NULL, NULL), 0);
    fill_pattern(expected, 3 * 512, 4);
    memcpy(buffer, expected, 3 * 512);
    ck_assert_int_eq(disk_image_write(&image, 77, buffer, 3), 0);
    ck_assert_mem_eq(buffer, expected, 3 * 512); /* the caller's data untouched */
    xts_encrypt_sectors(&key, 77, expected, 3);
    ck_assert_mem_eq(top.bytes + 77 * 512, expected, 3 * 512);
    ck_assert_int_eq(disk_image_read(&image, 77, buffer + 4096, 3), 0);
    xts_decrypt_sectors(&key, 77, expected, 3);
    ck_assert_mem_eq(buffer + 4096, expected, 3 * 512);
}
END_TEST

START_TEST(test_encrypted_qcow2_write_larger_than_the_chunk_reads_back)
{
    init_key();
    const struct disk_image_options encrypted = { .encryption = &key };
    ck_assert_int_eq(open_new_top(&encrypted), 0);
    fill_pattern(expected, 3 * CLUSTER, 5);
    ck_assert_int_eq(disk_image_write(&image, 3, expected, 3 * SECTORS_PER_CLUSTER), 0);
    ck_assert_int_eq(disk_image_read(&image, 3, buffer, 3 * SECTORS_PER_CLUSTER), 0);
    ck_assert_mem_eq(buffer, expected, 3 * CLUSTER);
    disk_image_close(&image);
    ck_assert_int_eq(open_top(NULL), 0);
    ck_assert_int_eq(disk_image_read(&image, 3, buffer, 1), 0);
    xts_encrypt_sectors(&key, 3, expected, 1);
    ck_assert_mem_eq(buffer, expected, 512);
}
END_TEST

static Suite *qcow2_suite(void)
{
    Suite *suite = suite_create("qcow2");
    TCase *header = tcase_create("header");
    TCase *mapping = tcase_create("mapping");
    TCase *chain_case = tcase_create("backing chain");
    TCase *allocation = tcase_create("allocation");
    TCase *compressed = tcase_create("compressed");
    TCase *layers = tcase_create("raw and encryption");
    TCase *cases[] = { header, mapping, chain_case, allocation, compressed, layers };

    for (unsigned index = 0; index < sizeof(cases) / sizeof(cases[0]); index++)
        tcase_add_checked_fixture(cases[index], setup, teardown);

    tcase_add_test(header, test_created_image_has_qemu_img_layout);
    tcase_add_test(header, test_created_overlay_names_its_backing_file_and_format);
    tcase_add_test(header, test_create_refuses_unknown_backing_format);
    tcase_add_test(header, test_create_refuses_a_file_too_small_for_the_metadata);
    tcase_add_test(header, test_create_refuses_clusters_above_64_kib);
    tcase_add_test(header, test_bad_magic_is_refused);
    tcase_add_test(header, test_version_4_is_not_supported);
    tcase_add_test(header, test_clusters_of_128_kib_are_not_supported);
    tcase_add_test(header, test_clusters_below_512_bytes_are_refused);
    tcase_add_test(header, test_encrypted_qcow2_is_not_supported);
    tcase_add_test(header, test_unknown_incompatible_feature_is_refused);
    tcase_add_test(header, test_external_data_file_is_not_supported);
    tcase_add_test(header, test_extended_l2_entries_are_not_supported);
    tcase_add_test(header, test_compression_type_without_its_feature_bit_is_refused);
    tcase_add_test(header, test_unknown_compression_type_is_not_supported);
    tcase_add_test(header, test_header_length_not_a_multiple_of_8_is_refused);
    tcase_add_test(header, test_refcount_order_above_6_is_refused);
    tcase_add_test(header, test_l1_table_too_small_for_the_virtual_size_is_refused);
    tcase_add_test(header, test_l1_table_beyond_the_file_is_refused);
    tcase_add_test(header, test_unaligned_l1_table_is_refused);
    tcase_add_test(header, test_refcount_table_running_past_the_file_is_refused);
    tcase_add_test(header, test_backing_name_beyond_cluster_0_is_refused);
    tcase_add_test(header, test_backing_name_of_1024_bytes_is_refused);
    tcase_add_test(header, test_extension_running_past_the_backing_name_is_refused);
    tcase_add_test(header, test_dirty_image_opens_read_only_only);
    tcase_add_test(header, test_corrupt_image_opens_read_only_only);
    tcase_add_test(header, test_image_with_internal_snapshots_opens_read_only_only);
    tcase_add_test(header, test_first_write_clears_autoclear_bits);
    suite_add_tcase(suite, header);

    tcase_add_test(mapping, test_unallocated_clusters_read_as_zeros_without_backing);
    tcase_add_test(mapping, test_unallocated_clusters_read_from_the_backing_image);
    tcase_add_test(mapping, test_reads_beyond_a_smaller_backing_image_are_zeros);
    tcase_add_test(mapping, test_written_data_reads_back);
    tcase_add_test(mapping, test_write_sets_copied_on_l1_and_l2_entries_with_refcount_1);
    tcase_add_test(mapping, test_rewrite_of_an_allocated_cluster_stays_in_place);
    tcase_add_test(mapping, test_zero_flag_cluster_reads_as_zeros);
    tcase_add_test(mapping, test_write_over_a_zero_cluster_with_a_host_cluster_frees_it);
    tcase_add_test(mapping, test_l2_entry_with_reserved_bits_fails_the_read);
    tcase_add_test(mapping, test_l2_entry_beyond_the_file_fails_the_read);
    tcase_add_test(mapping, test_unaligned_l2_entry_fails_the_read);
    tcase_add_test(mapping, test_l1_entry_beyond_the_file_fails_the_read);
    tcase_add_test(mapping, test_requests_beyond_the_virtual_disk_are_refused);
    tcase_add_test(mapping, test_partial_write_copies_the_rest_of_the_cluster_from_the_backing_image);
    tcase_add_test(mapping, test_writes_to_an_overlay_leave_the_backing_image_unchanged);
    suite_add_tcase(suite, mapping);

    tcase_add_test(chain_case, test_qcow2_backing_chain_of_three_reads_each_layer);
    tcase_add_test(chain_case, test_backing_chain_loop_is_refused);
    tcase_add_test(chain_case, test_image_backed_by_itself_is_refused);
    tcase_add_test(chain_case, test_chain_deeper_than_the_maximum_is_refused);
    tcase_add_test(chain_case, test_missing_backing_file_is_refused);
    tcase_add_test(chain_case, test_unknown_backing_format_is_not_supported);
    tcase_add_test(chain_case, test_backing_format_is_probed_when_not_named);
    suite_add_tcase(suite, chain_case);

    tcase_add_test(allocation, test_full_file_fails_the_write_with_enospc);
    tcase_add_test(allocation, test_allocation_beyond_a_refcount_block_makes_a_new_one_counting_itself);
    tcase_add_test(allocation, test_freed_cluster_is_allocated_again);
    tcase_add_test(allocation, test_leaked_cluster_is_repaired_on_writable_open);
    tcase_add_test(allocation, test_refcount_below_its_references_fails_the_writable_open);
    tcase_add_test(allocation, test_l1_naming_one_l2_table_everywhere_fails_the_writable_open);
    tcase_add_test(allocation, test_refcounts_narrower_than_16_bits_open_read_only_only);
    tcase_add_test(allocation, test_referenced_clusters_without_a_refcount_block_fail_the_writable_open);
    tcase_add_test(allocation, test_write_after_a_failed_write_is_kept_across_a_reopen);
    tcase_add_test(allocation, test_stopped_write_leaves_old_or_new_data_and_no_corruption);
    suite_add_tcase(suite, allocation);

    tcase_add_test(compressed, test_whole_cluster_writes_are_compressed_when_asked);
    tcase_add_test(compressed, test_incompressible_cluster_is_written_plainly);
    tcase_add_test(compressed, test_partial_write_to_a_compressed_cluster_makes_a_standard_one);
    tcase_add_test(compressed, test_bad_compressed_stream_fails_the_read);
    tcase_add_test(compressed, test_compressed_descriptor_beyond_the_file_fails_the_read);
    tcase_add_test(compressed, test_compressed_descriptor_with_copied_fails_the_read);
    suite_add_tcase(suite, compressed);

    tcase_add_test(layers, test_raw_image_is_the_file_itself);
    tcase_add_test(layers, test_read_only_raw_file_refuses_a_writable_open);
    tcase_add_test(layers, test_encrypted_raw_image_holds_xts_ciphertext_of_each_sector);
    tcase_add_test(layers, test_encrypted_qcow2_write_larger_than_the_chunk_reads_back);
    suite_add_tcase(suite, layers);
    return suite;
}

REGISTER_SUITE(qcow2_suite)
