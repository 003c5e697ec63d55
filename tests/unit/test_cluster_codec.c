/*
 * Specification of backend/cluster_codec.c: one qcow2 cluster through zlib
 * (raw deflate, 4 KiB window) and zstd, as QEMU 7.2 writes and reads them.
 * The other side of every exchange is an independent implementation on the
 * host: qemu-img 7.2 itself (convert -c, whose compressed clusters are
 * found through the qcow2 file's L1 and L2 tables), python3's zlib module
 * (zlib.compressobj / decompressobj with wbits -12, as QEMU) and the zstd
 * command-line tool.  Hostile streams
 * (truncated, overlong, short, corrupted) must be -EIO, and are decoded into
 * buffers of exactly their size, so that AddressSanitizer sees any read or
 * write beyond them.
 */
#define _DEFAULT_SOURCE /* mkstemp, pread */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvmon/errno.h>

#include "backend/cluster_codec.h"
#include "suites.h"
#include "test_random.h"

#define MAX_CLUSTER CLUSTER_CODEC_MAX_CLUSTER_SIZE
#define STREAM_CAPACITY (4 * MAX_CLUSTER)

#define PYTHON_DEFLATE(window_bits)                                                                       \
    "python3 -c 'import sys, zlib; c = zlib.compressobj(6, zlib.DEFLATED, " #window_bits ", 8); "          \
    "sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())'"
/* Fails unless the stream ends, with nothing after it. */
#define PYTHON_INFLATE                                                                                    \
    "python3 -c 'import sys, zlib; d = zlib.decompressobj(-12); "                                         \
    "sys.stdout.buffer.write(d.decompress(sys.stdin.buffer.read())); "                                    \
    "sys.exit(0 if d.eof and not d.unused_data else 3)'"
#define ZSTD_WITH_CONTENT_SIZE "zstd -q -c -3 --stream-size=%zu"
#define ZSTD_STREAMED "cat | zstd -q -c -3"
#define ZSTD_DECODE "zstd -q -d -c"

static uint64_t random_state;

static uint64_t next_random(void)
{
    return test_random_next(&random_state);
}

static void fill_random(uint8_t *data, size_t length, uint64_t seed)
{
    random_state = seed | 1;
    for (size_t index = 0; index < length; index++)
        data[index] = (uint8_t)next_random();
}

/* Words of a small vocabulary: compresses well, with matches close by. */
static void fill_text(uint8_t *data, size_t length, uint64_t seed)
{
    static const char *const words[] = { "cluster ", "sector ", "qcow2 ", "refcount ", "backing ", "zlib ",
                                         "zstd ", "dom0 ", "L2 ", "table\n" };
    size_t at = 0;

    random_state = seed | 1;
    while (at < length) {
        const char *word = words[next_random() % (sizeof(words) / sizeof(words[0]))];
        size_t word_length = strlen(word);

        if (word_length > length - at)
            word_length = length - at;
        memcpy(data + at, word, word_length);
        at += word_length;
    }
}

/*
 * Runs the shell command with the bytes on its standard input and keeps its
 * standard output; the command's format may take the input's length (%zu).
 * Returns the output's length, or -1 if the command failed.
 */
static long run_filter(const char *command_format, const void *input, size_t length, void *output,
                       size_t capacity)
{
    char input_path[] = "/tmp/pvmon-codec-in.XXXXXX";
    char output_path[] = "/tmp/pvmon-codec-out.XXXXXX";
    char command[1024], line[1200];
    int input_file = mkstemp(input_path);
    int output_file = mkstemp(output_path);
    long produced = -1;

    ck_assert_int_ge(input_file, 0);
    ck_assert_int_ge(output_file, 0);
    ck_assert_int_eq(write(input_file, input, length), (ssize_t)length);
    snprintf(command, sizeof(command), command_format, length);
    snprintf(line, sizeof(line), "%s < %s > %s", command, input_path, output_path);
    if (system(line) == 0) {
        ssize_t got = pread(output_file, output, capacity, 0);
        if (got >= 0 && (size_t)got < capacity)
            produced = got;
    }
    close(input_file);
    close(output_file);
    unlink(input_path);
    unlink(output_path);
    return produced;
}

static size_t external_compress(const char *command_format, const void *input, size_t length, void *output)
{
    long produced = run_filter(command_format, input, length, output, STREAM_CAPACITY);

    ck_assert_msg(produced > 0, "%s failed", command_format);
    return (size_t)produced;
}

/* Decompresses a copy of exactly input_length bytes into exactly cluster_size bytes (for ASan). */
static int decompress_exact(enum cluster_compression type, const uint8_t *input, size_t input_length,
                            uint8_t *result, size_t cluster_size)
{
    uint8_t *input_copy = malloc(input_length ? input_length : 1);
    uint8_t *output = malloc(cluster_size);
    int status;

    ck_assert_ptr_nonnull(input_copy);
    ck_assert_ptr_nonnull(output);
    memcpy(input_copy, input, input_length);
    status = cluster_decompress(type, input_copy, input_length, output, cluster_size);
    if (status == 0 && result != NULL)
        memcpy(result, output, cluster_size);
    free(input_copy);
    free(output);
    return status;
}

static uint8_t cluster[MAX_CLUSTER];
static uint8_t restored[MAX_CLUSTER];
static uint8_t stream[STREAM_CAPACITY];

static size_t compress_ours(enum cluster_compression type, size_t cluster_size)
{
    size_t length = 0;

    ck_assert_int_eq(cluster_compress(type, cluster, cluster_size, stream, STREAM_CAPACITY, &length), 0);
    ck_assert_uint_gt(length, 0);
    ck_assert_uint_le(length, cluster_size - 512);
    return length;
}

static void check_round_trip(enum cluster_compression type, size_t cluster_size)
{
    size_t length = compress_ours(type, cluster_size);

    memset(restored, 0xa5, sizeof(restored));
    ck_assert_int_eq(decompress_exact(type, stream, length, restored, cluster_size), 0);
    ck_assert_mem_eq(restored, cluster, cluster_size);
}

START_TEST(test_zlib_round_trip_restores_the_cluster)
{
    fill_text(cluster, MAX_CLUSTER, 1);
    check_round_trip(CLUSTER_COMPRESSION_ZLIB, MAX_CLUSTER);
}
END_TEST

START_TEST(test_zstd_round_trip_restores_the_cluster)
{
    fill_text(cluster, MAX_CLUSTER, 2);
    check_round_trip(CLUSTER_COMPRESSION_ZSTD, MAX_CLUSTER);
}
END_TEST

/* Also shows that the arena holds each library's context at every size. */
START_TEST(test_round_trips_at_every_cluster_size)
{
    for (size_t cluster_size = 1024; cluster_size <= MAX_CLUSTER; cluster_size *= 2) {
        fill_text(cluster, cluster_size, cluster_size);
        check_round_trip(CLUSTER_COMPRESSION_ZLIB, cluster_size);
        check_round_trip(CLUSTER_COMPRESSION_ZSTD, cluster_size);
    }
}
END_TEST

START_TEST(test_our_zlib_stream_inflates_in_python_with_a_4_kib_window)
{
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 3);
    length = compress_ours(CLUSTER_COMPRESSION_ZLIB, MAX_CLUSTER);
    memset(restored, 0, sizeof(restored));
    ck_assert_int_eq(run_filter(PYTHON_INFLATE, stream, length, restored, sizeof(restored) + 1), MAX_CLUSTER);
    ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
}
END_TEST

START_TEST(test_our_zstd_frame_decodes_with_the_zstd_tool)
{
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 4);
    length = compress_ours(CLUSTER_COMPRESSION_ZSTD, MAX_CLUSTER);
    memset(restored, 0, sizeof(restored));
    ck_assert_int_eq(run_filter(ZSTD_DECODE, stream, length, restored, sizeof(restored) + 1), MAX_CLUSTER);
    ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
}
END_TEST

START_TEST(test_python_zlib_stream_with_a_4_kib_window_decompresses)
{
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 5);
    length = external_compress(PYTHON_DEFLATE(-12), cluster, MAX_CLUSTER, stream);
    ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZLIB, stream, length, restored, MAX_CLUSTER), 0);
    ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
}
END_TEST

START_TEST(test_zstd_tool_frames_decompress_with_and_without_content_size)
{
    const char *const commands[] = { ZSTD_WITH_CONTENT_SIZE, ZSTD_STREAMED };

    fill_text(cluster, MAX_CLUSTER, 6);
    for (size_t index = 0; index < 2; index++) {
        size_t length = external_compress(commands[index], cluster, MAX_CLUSTER, stream);

        memset(restored, 0, sizeof(restored));
        ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZSTD, stream, length, restored, MAX_CLUSTER), 0);
        ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
    }
}
END_TEST

/*
 * QEMU inflates a whole cluster in one call into its buffer, so that a
 * distance reaches anywhere in the cluster whatever the window (zlib's
 * windowBits bounds only what it keeps between calls): a stream written
 * with a 32 KiB window reads back, in QEMU and here.
 */
START_TEST(test_zlib_stream_with_a_32_kib_window_decompresses_as_qemu_reads_it)
{
    size_t length;

    fill_random(cluster, 8192, 7);
    for (size_t at = 8192; at < MAX_CLUSTER; at += 8192)
        memcpy(cluster + at, cluster, 8192);
    length = external_compress(PYTHON_DEFLATE(-15), cluster, MAX_CLUSTER, stream);
    ck_assert_uint_lt(length, MAX_CLUSTER / 2);
    ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZLIB, stream, length, restored, MAX_CLUSTER), 0);
    ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
}
END_TEST

/* An 8 KiB block repeated: only a window wider than QEMU's 4 KiB would find the repeats. */
START_TEST(test_our_zlib_stream_never_reaches_back_beyond_4_kib)
{
    fill_random(cluster, 8192, 8);
    for (size_t at = 8192; at < MAX_CLUSTER; at += 8192)
        memcpy(cluster + at, cluster, 8192);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZLIB, cluster, MAX_CLUSTER, stream, STREAM_CAPACITY,
                                      &(size_t){ 0 }),
                     -XEN_ENOSPC);
}
END_TEST

START_TEST(test_random_cluster_does_not_compress)
{
    size_t length = 0;

    fill_random(cluster, MAX_CLUSTER, 9);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZLIB, cluster, MAX_CLUSTER, stream, STREAM_CAPACITY,
                                      &length),
                     -XEN_ENOSPC);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZSTD, cluster, MAX_CLUSTER, stream, STREAM_CAPACITY,
                                      &length),
                     -XEN_ENOSPC);
}
END_TEST

/* 3,700 random bytes and zeros: both tools save bytes on a 4 KiB cluster, but not a whole sector. */
START_TEST(test_compression_saving_less_than_a_sector_is_enospc)
{
    size_t length = 0;
    size_t zlib_length, zstd_length;

    memset(cluster, 0, 4096);
    fill_random(cluster, 3700, 10);
    zlib_length = external_compress(PYTHON_DEFLATE(-12), cluster, 4096, stream);
    zstd_length = external_compress(ZSTD_WITH_CONTENT_SIZE, cluster, 4096, stream);
    ck_assert_uint_gt(zlib_length, 4096 - 512);
    ck_assert_uint_lt(zlib_length, 4096);
    ck_assert_uint_gt(zstd_length, 4096 - 512);
    ck_assert_uint_lt(zstd_length, 4096);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZLIB, cluster, 4096, stream, STREAM_CAPACITY, &length),
                     -XEN_ENOSPC);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZSTD, cluster, 4096, stream, STREAM_CAPACITY, &length),
                     -XEN_ENOSPC);
}
END_TEST

START_TEST(test_output_smaller_than_the_stream_is_enospc)
{
    size_t length, zstd_length;

    fill_text(cluster, MAX_CLUSTER, 11);
    length = compress_ours(CLUSTER_COMPRESSION_ZLIB, MAX_CLUSTER);
    zstd_length = compress_ours(CLUSTER_COMPRESSION_ZSTD, MAX_CLUSTER);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZLIB, cluster, MAX_CLUSTER, stream, length - 1, &length),
                     -XEN_ENOSPC);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZSTD, cluster, MAX_CLUSTER, stream, zstd_length - 1,
                                      &zstd_length),
                     -XEN_ENOSPC);
}
END_TEST

/* The last two bytes may hold only the end-of-block code, which QEMU never needs: then the data must be whole. */
START_TEST(test_truncated_zlib_stream_is_eio)
{
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 12);
    length = compress_ours(CLUSTER_COMPRESSION_ZLIB, MAX_CLUSTER);
    for (size_t cut = 0; cut < length; cut++) {
        int status = decompress_exact(CLUSTER_COMPRESSION_ZLIB, stream, cut, restored, MAX_CLUSTER);

        if (cut + 2 < length)
            ck_assert_msg(status == -XEN_EIO, "cut at %zu of %zu: %d", cut, length, status);
        else if (status == 0)
            ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
        else
            ck_assert_int_eq(status, -XEN_EIO);
    }
}
END_TEST

START_TEST(test_truncated_zstd_frame_is_eio)
{
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 13);
    length = compress_ours(CLUSTER_COMPRESSION_ZSTD, MAX_CLUSTER);
    for (size_t cut = 0; cut < length; cut++)
        ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZSTD, stream, cut, NULL, MAX_CLUSTER), -XEN_EIO);
}
END_TEST

START_TEST(test_zlib_stream_longer_than_the_cluster_is_eio)
{
    const size_t overlong[] = { MAX_CLUSTER + 1, 2 * MAX_CLUSTER };

    fill_text(cluster, MAX_CLUSTER, 14);
    for (size_t index = 0; index < 2; index++) {
        static uint8_t bigger[2 * MAX_CLUSTER];
        size_t length;

        fill_text(bigger, overlong[index], 14);
        length = external_compress(PYTHON_DEFLATE(-12), bigger, overlong[index], stream);
        ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZLIB, stream, length, NULL, MAX_CLUSTER), -XEN_EIO);
    }
}
END_TEST

START_TEST(test_zstd_frame_longer_than_the_cluster_is_eio)
{
    const char *const commands[] = { ZSTD_WITH_CONTENT_SIZE, ZSTD_STREAMED };
    static uint8_t bigger[MAX_CLUSTER + 1];

    fill_text(bigger, sizeof(bigger), 15);
    for (size_t index = 0; index < 2; index++) {
        size_t length = external_compress(commands[index], bigger, sizeof(bigger), stream);

        ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZSTD, stream, length, NULL, MAX_CLUSTER), -XEN_EIO);
    }
}
END_TEST

START_TEST(test_stream_shorter_than_the_cluster_is_eio)
{
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 16);
    length = external_compress(PYTHON_DEFLATE(-12), cluster, MAX_CLUSTER - 1, stream);
    ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZLIB, stream, length, NULL, MAX_CLUSTER), -XEN_EIO);
    length = external_compress(ZSTD_WITH_CONTENT_SIZE, cluster, MAX_CLUSTER - 1, stream);
    ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZSTD, stream, length, NULL, MAX_CLUSTER), -XEN_EIO);
    length = external_compress(ZSTD_STREAMED, cluster, MAX_CLUSTER - 1, stream);
    ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZSTD, stream, length, NULL, MAX_CLUSTER), -XEN_EIO);
}
END_TEST

/* Compressed clusters share sectors: the next one's bytes follow in the same read. */
START_TEST(test_bytes_after_the_stream_are_ignored)
{
    const enum cluster_compression types[] = { CLUSTER_COMPRESSION_ZLIB, CLUSTER_COMPRESSION_ZSTD };

    for (size_t index = 0; index < 2; index++) {
        size_t length;

        fill_text(cluster, MAX_CLUSTER, 17 + index);
        length = compress_ours(types[index], MAX_CLUSTER);
        fill_random(stream + length, 1024, 19);
        memset(restored, 0, sizeof(restored));
        ck_assert_int_eq(decompress_exact(types[index], stream, length + 1024, restored, MAX_CLUSTER), 0);
        ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
    }
}
END_TEST

/* QEMU decodes frame after frame until the cluster is full. */
START_TEST(test_zstd_cluster_in_two_frames_decompresses)
{
    size_t first, second;

    fill_text(cluster, MAX_CLUSTER, 20);
    first = external_compress(ZSTD_WITH_CONTENT_SIZE, cluster, MAX_CLUSTER / 4, stream);
    second = external_compress(ZSTD_STREAMED, cluster + MAX_CLUSTER / 4, MAX_CLUSTER - MAX_CLUSTER / 4,
                               stream + first);
    memset(restored, 0, sizeof(restored));
    ck_assert_int_eq(decompress_exact(CLUSTER_COMPRESSION_ZSTD, stream, first + second, restored, MAX_CLUSTER), 0);
    ck_assert_mem_eq(restored, cluster, MAX_CLUSTER);
}
END_TEST

static uint64_t big_endian(const uint8_t *bytes, unsigned count)
{
    uint64_t value = 0;

    for (unsigned index = 0; index < count; index++)
        value = value << 8 | bytes[index];
    return value;
}

/*
 * Every compressed cluster of a qcow2 file, decompressed and compared with
 * the raw disk it was converted from (docs/interop/qcow2.txt: L1 and L2
 * tables, "Compressed Clusters Descriptor").  Returns how many there were.
 */
static unsigned check_compressed_clusters(enum cluster_compression type, const uint8_t *qcow2, size_t qcow2_size,
                                          const uint8_t *disk, size_t disk_size)
{
    unsigned cluster_bits = (unsigned)big_endian(qcow2 + 20, 4);
    size_t cluster_size = (size_t)1 << cluster_bits;
    uint64_t l1_size = big_endian(qcow2 + 36, 4), l1_offset = big_endian(qcow2 + 40, 8);
    unsigned offset_bits = 62 - (cluster_bits - 8);
    unsigned found = 0;

    ck_assert_uint_le(l1_offset + 8 * l1_size, qcow2_size);
    for (uint64_t l1_index = 0; l1_index < l1_size; l1_index++) {
        uint64_t l2_offset = big_endian(qcow2 + l1_offset + 8 * l1_index, 8) & UINT64_C(0x00fffffffffffe00);

        if (l2_offset == 0)
            continue;
        ck_assert_uint_le(l2_offset + cluster_size, qcow2_size);
        for (uint64_t l2_index = 0; l2_index < cluster_size / 8; l2_index++) {
            uint64_t entry = big_endian(qcow2 + l2_offset + 8 * l2_index, 8);
            uint64_t guest = (l1_index * (cluster_size / 8) + l2_index) * cluster_size;
            uint64_t host, sectors, length;

            if (!(entry & (UINT64_C(1) << 62)))
                continue;
            host = entry & ((UINT64_C(1) << offset_bits) - 1);
            sectors = ((entry >> offset_bits) & ((UINT64_C(1) << (cluster_bits - 8)) - 1)) + 1;
            length = sectors * 512 - (host & 511);
            if (length > qcow2_size - host)
                length = qcow2_size - host;
            ck_assert_uint_le(guest + cluster_size, disk_size);
            memset(restored, 0, cluster_size);
            ck_assert_int_eq(decompress_exact(type, qcow2 + host, length, restored, cluster_size), 0);
            ck_assert_mem_eq(restored, disk + guest, cluster_size);
            found++;
        }
    }
    return found;
}

/* qemu-img convert -c of the raw disk into a qcow2 file of the type and cluster size; its length. */
static size_t qemu_img_compress(const char *type, size_t cluster_size, const uint8_t *disk, size_t disk_size,
                                uint8_t *qcow2, size_t capacity)
{
    char raw_path[] = "/tmp/pvmon-codec-raw.XXXXXX";
    char qcow2_path[] = "/tmp/pvmon-codec-qcow2.XXXXXX";
    char command[512];
    int raw_file = mkstemp(raw_path);
    int qcow2_file = mkstemp(qcow2_path);
    ssize_t length;

    ck_assert_int_ge(raw_file, 0);
    ck_assert_int_ge(qcow2_file, 0);
    ck_assert_int_eq(write(raw_file, disk, disk_size), (ssize_t)disk_size);
    snprintf(command, sizeof(command),
             "qemu-img convert -q -c -f raw -O qcow2 -o compression_type=%s,cluster_size=%zu %s %s", type,
             cluster_size, raw_path, qcow2_path);
    ck_assert_msg(system(command) == 0, "%s failed", command);
    length = pread(qcow2_file, qcow2, capacity, 0);
    close(raw_file);
    close(qcow2_file);
    unlink(raw_path);
    unlink(qcow2_path);
    ck_assert_int_gt(length, 0);
    ck_assert_int_lt(length, (ssize_t)capacity);
    return (size_t)length;
}

/* qemu-img 7.2 itself writes the clusters (convert -c), in both encodings and two cluster sizes. */
START_TEST(test_clusters_qemu_img_compressed_decompress)
{
    static const char *const names[] = { "zlib", "zstd" };
    static uint8_t disk[8 * MAX_CLUSTER];
    static uint8_t qcow2[16 * MAX_CLUSTER];
    const size_t cluster_sizes[] = { 4096, MAX_CLUSTER };

    fill_text(disk, sizeof(disk), 24);
    for (size_t size_index = 0; size_index < 2; size_index++) {
        for (unsigned type = 0; type < 2; type++) {
            size_t length = qemu_img_compress(names[type], cluster_sizes[size_index], disk, sizeof(disk), qcow2,
                                              sizeof(qcow2));

            ck_assert_uint_eq(check_compressed_clusters((enum cluster_compression)type, qcow2, length, disk,
                                                        sizeof(disk)),
                              sizeof(disk) / cluster_sizes[size_index]);
        }
    }
}
END_TEST

/* Bit flips and byte changes anywhere: -EIO or a full cluster, never a byte outside either buffer (ASan). */
START_TEST(test_corrupted_streams_stay_inside_their_buffers)
{
    const enum cluster_compression types[] = { CLUSTER_COMPRESSION_ZLIB, CLUSTER_COMPRESSION_ZSTD };
    static uint8_t damaged[MAX_CLUSTER];

    for (size_t index = 0; index < 2; index++) {
        size_t length;
        unsigned refused = 0;

        fill_text(cluster, MAX_CLUSTER, 21 + index);
        length = compress_ours(types[index], MAX_CLUSTER);
        for (unsigned round = 0; round < 400; round++) {
            int status;

            memcpy(damaged, stream, length);
            random_state = 1000 + round;
            for (unsigned change = 0; change <= round % 4; change++)
                damaged[next_random() % length] ^= (uint8_t)(1u << (next_random() % 8));
            status = decompress_exact(types[index], damaged, length, NULL, MAX_CLUSTER);
            ck_assert_msg(status == 0 || status == -XEN_EIO, "round %u: %d", round, status);
            refused += status == -XEN_EIO;
        }
        ck_assert_uint_gt(refused, 0);
    }
}
END_TEST

START_TEST(test_arguments_outside_the_interface_are_einval)
{
    const size_t bad_sizes[] = { 0, 256, 3000, 2 * MAX_CLUSTER };
    size_t length;

    fill_text(cluster, MAX_CLUSTER, 23);
    for (size_t index = 0; index < sizeof(bad_sizes) / sizeof(bad_sizes[0]); index++) {
        ck_assert_int_eq(cluster_decompress(CLUSTER_COMPRESSION_ZLIB, stream, 16, restored, bad_sizes[index]),
                         -XEN_EINVAL);
        ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZSTD, cluster, bad_sizes[index], stream,
                                          STREAM_CAPACITY, &length),
                         -XEN_EINVAL);
    }
    ck_assert_int_eq(cluster_decompress((enum cluster_compression)2, stream, 16, restored, 4096), -XEN_EINVAL);
    ck_assert_int_eq(cluster_compress((enum cluster_compression)2, cluster, 4096, stream, 4096, &length),
                     -XEN_EINVAL);
    ck_assert_int_eq(cluster_decompress(CLUSTER_COMPRESSION_ZSTD, NULL, 16, restored, 4096), -XEN_EINVAL);
    ck_assert_int_eq(cluster_compress(CLUSTER_COMPRESSION_ZLIB, cluster, 4096, stream, 4096, NULL), -XEN_EINVAL);
}
END_TEST

static Suite *cluster_codec_suite(void)
{
    Suite *suite = suite_create("cluster_codec");
    TCase *round_trips = tcase_create("round trips");
    TCase *interchange = tcase_create("interchange with python3 zlib and the zstd tool");
    TCase *hostile = tcase_create("hostile streams");

    tcase_add_test(round_trips, test_zlib_round_trip_restores_the_cluster);
    tcase_add_test(round_trips, test_zstd_round_trip_restores_the_cluster);
    tcase_add_test(round_trips, test_round_trips_at_every_cluster_size);
    tcase_add_test(round_trips, test_random_cluster_does_not_compress);
    tcase_add_test(round_trips, test_output_smaller_than_the_stream_is_enospc);
    tcase_add_test(round_trips, test_our_zlib_stream_never_reaches_back_beyond_4_kib);
    tcase_add_test(round_trips, test_arguments_outside_the_interface_are_einval);
    tcase_add_test(interchange, test_our_zlib_stream_inflates_in_python_with_a_4_kib_window);
    tcase_add_test(interchange, test_our_zstd_frame_decodes_with_the_zstd_tool);
    tcase_add_test(interchange, test_python_zlib_stream_with_a_4_kib_window_decompresses);
    tcase_add_test(interchange, test_zstd_tool_frames_decompress_with_and_without_content_size);
    tcase_add_test(interchange, test_compression_saving_less_than_a_sector_is_enospc);
    tcase_add_test(interchange, test_zstd_cluster_in_two_frames_decompresses);
    tcase_add_test(interchange, test_zlib_stream_with_a_32_kib_window_decompresses_as_qemu_reads_it);
    tcase_add_test(interchange, test_clusters_qemu_img_compressed_decompress);
    tcase_add_test(hostile, test_truncated_zlib_stream_is_eio);
    tcase_add_test(hostile, test_truncated_zstd_frame_is_eio);
    tcase_add_test(hostile, test_zlib_stream_longer_than_the_cluster_is_eio);
    tcase_add_test(hostile, test_zstd_frame_longer_than_the_cluster_is_eio);
    tcase_add_test(hostile, test_stream_shorter_than_the_cluster_is_eio);
    tcase_add_test(hostile, test_bytes_after_the_stream_are_ignored);
    tcase_add_test(hostile, test_corrupted_streams_stay_inside_their_buffers);
    tcase_set_timeout(interchange, 60);
    tcase_set_timeout(hostile, 60);
    tcase_set_timeout(round_trips, 60);
    suite_add_tcase(suite, round_trips);
    suite_add_tcase(suite, interchange);
    suite_add_tcase(suite, hostile);
    return suite;
}

REGISTER_SUITE(cluster_codec_suite)
