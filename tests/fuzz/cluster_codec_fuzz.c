/*
 * The cluster codec fuzzer: LLVMFuzzerTestOneInput makes one qcow2
 * cluster's compressed bytes, as a hostile image file could hold them, and
 * hands them to backend/cluster_codec.c (and through it to zlib and zstd,
 * built as for dom0 by tools/codec-libraries.mk).
 *
 * Input bytes: 0 codec and mode, 1 cluster size (512 B to 64 KiB), 2 the
 * cluster's contents (text, zeros, random, or the input's own bytes), then
 * what the mode needs:
 *   - damaged: a stream this file's codec wrote for the cluster, then cut
 *     short, given extra bytes after its end, or changed at up to 16 chosen
 *     places (offset and XOR mask from the input);
 *   - raw: the rest of the input is the stream, as it stands;
 *   - joined: the codec's streams of the cluster's two halves, one after
 *     the other: zstd reads frame after frame and must give the cluster
 *     back; zlib's first stream ends half way, which must be -XEN_EIO;
 *   - overlong: the codec's stream of the cluster, read as a cluster of
 *     half the size, which must be -XEN_EIO.
 * Each stream sits in a heap block of exactly its length and decodes into
 * one of exactly the cluster's size, so that AddressSanitizer stops any
 * read or write beyond them.  The rules checked:
 *   - decompression gives 0 or -XEN_EIO, nothing else;
 *   - an undamaged stream, with or without bytes after it, gives back
 *     exactly the cluster it was made from;
 *   - compression gives 0, saving at least a 512-byte sector, or
 *     -XEN_ENOSPC;
 *   - the codec's own work (cluster_codec.c, metered: work_meter.h) is
 *     within a bound linear in the stream's length.  zlib's and zstd's own
 *     code is not metered; their work is bounded by their inputs and the
 *     cluster (cluster_codec.c's opening comment).
 * Any violation aborts naming the mode.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <backend/cluster_codec.h>

#include "fuzz_input.h"
#include "fuzz_report.h"
#include "work_meter.h"

#define MAX_CLUSTER CLUSTER_CODEC_MAX_CLUSTER_SIZE
#define STREAM_CAPACITY (2 * MAX_CLUSTER)
#define MAX_CHANGES 16
#define WORK_CONSTANT 400u
#define WORK_PER_BYTE 4u

enum mode { MODE_DAMAGED, MODE_RAW, MODE_JOINED, MODE_OVERLONG, MODES };

static const char *const mode_names[MODES] = { "damaged", "raw", "joined", "overlong" };

static const char *current_mode = "set-up";

#define violation(...) fuzz_report_violation("cluster-codec", 0, current_mode, __VA_ARGS__)

static uint8_t cluster[MAX_CLUSTER];
static uint8_t stream[2 * STREAM_CAPACITY];

static void fill_cluster(struct fuzz_input *input, size_t cluster_size)
{
    uint8_t kind = fuzz_input_byte(input);
    uint64_t state = kind | 1u;

    for (size_t index = 0; index < cluster_size; index++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        switch (kind % 4) {
        case 0: cluster[index] = "cluster sector table "[(state >> 8) % 21]; break;
        case 1: cluster[index] = 0; break;
        case 2: cluster[index] = (uint8_t)state; break;
        default: cluster[index] = input->size ? input->data[index % input->size] : 0; break;
        }
    }
}

/* The codec's own stream for size bytes of the cluster; 0 when they do not compress. */
static size_t compress_part(enum cluster_compression type, const uint8_t *part, size_t cluster_size,
                            uint8_t *output)
{
    size_t length = 0;
    int status = cluster_compress(type, part, cluster_size, output, STREAM_CAPACITY, &length);

    if (status == -XEN_ENOSPC)
        return 0;
    if (status != 0)
        violation("compressing %zu bytes gave %d", cluster_size, status);
    if (length == 0 || length > cluster_size - 512)
        violation("compressing %zu bytes gave %zu bytes", cluster_size, length);
    return length;
}

/* Decodes a heap copy of exactly length bytes into exactly cluster_size bytes; checks result and work. */
static int decompress_exact(enum cluster_compression type, const uint8_t *bytes, size_t length, size_t cluster_size,
                            bool must_restore)
{
    uint8_t *input = malloc(length ? length : 1);
    uint8_t *output = malloc(cluster_size);
    int status;

    if (input == NULL || output == NULL)
        abort();
    memcpy(input, bytes, length);
    work_meter_reset();
    status = cluster_decompress(type, input, length, output, cluster_size);
    if (work_meter_blocks() > WORK_CONSTANT + WORK_PER_BYTE * (uint64_t)length)
        violation("%zu bytes took %lu basic blocks", length, (unsigned long)work_meter_blocks());
    if (status != 0 && status != -XEN_EIO)
        violation("decompressing %zu bytes gave %d", length, status);
    if (must_restore && (status != 0 || memcmp(output, cluster, cluster_size) != 0))
        violation("an undamaged stream of %zu bytes did not restore its cluster (%d)", length, status);
    free(input);
    free(output);
    return status;
}

static void run_damaged(struct fuzz_input *input, enum cluster_compression type, size_t cluster_size)
{
    size_t length = compress_part(type, cluster, cluster_size, stream);
    uint8_t cut = fuzz_input_byte(input);
    uint8_t extra = fuzz_input_byte(input);
    unsigned int changes = fuzz_input_byte(input) % (MAX_CHANGES + 1);

    if (length == 0)
        return;
    for (size_t index = 0; index < extra; index++)
        stream[length + index] = fuzz_input_byte(input);
    decompress_exact(type, stream, length + extra, cluster_size, true);
    for (unsigned int change = 0; change < changes; change++) {
        size_t at = (size_t)fuzz_input_bytes(input, 2) % (length + extra);

        stream[at] ^= fuzz_input_byte(input);
    }
    if (cut > length + extra)
        cut = (uint8_t)(length + extra);
    decompress_exact(type, stream, length + extra - cut, cluster_size, false);
}

static void run_raw(struct fuzz_input *input, enum cluster_compression type, size_t cluster_size)
{
    size_t length = input->size - input->offset;

    decompress_exact(type, input->data + input->offset, length, cluster_size, false);
}

/* Each half compressed on its own, one stream after the other: zstd reads both frames, zlib stops short. */
static void run_joined(enum cluster_compression type, size_t cluster_size)
{
    size_t half = cluster_size / 2;
    size_t first, second;
    int status;

    if (half < 512)
        return;
    first = compress_part(type, cluster, half, stream);
    second = first ? compress_part(type, cluster + half, half, stream + first) : 0;
    if (second == 0)
        return;
    status = decompress_exact(type, stream, first + second, cluster_size, type == CLUSTER_COMPRESSION_ZSTD);
    if (type == CLUSTER_COMPRESSION_ZLIB && status != -XEN_EIO)
        violation("a zlib stream of half the cluster, then another, gave %d", status);
}

/* The codec's stream of the whole cluster, read as a cluster half the size: it gives too much. */
static void run_overlong(enum cluster_compression type, size_t cluster_size)
{
    size_t length;
    int status;

    if (cluster_size < 1024)
        return;
    length = compress_part(type, cluster, cluster_size, stream);
    if (length == 0)
        return;
    status = decompress_exact(type, stream, length, cluster_size / 2, false);
    if (status != -XEN_EIO)
        violation("a stream of %zu bytes read as %zu gave %d", cluster_size, cluster_size / 2, status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    uint8_t first = fuzz_input_byte(&input);
    enum cluster_compression type = (first & 1) ? CLUSTER_COMPRESSION_ZSTD : CLUSTER_COMPRESSION_ZLIB;
    enum mode mode = (enum mode)((first >> 1) % MODES);
    size_t cluster_size = (size_t)512 << (fuzz_input_byte(&input) % 8);

    current_mode = mode_names[mode];
    fill_cluster(&input, cluster_size);
    switch (mode) {
    case MODE_DAMAGED: run_damaged(&input, type, cluster_size); break;
    case MODE_RAW: run_raw(&input, type, cluster_size); break;
    case MODE_JOINED: run_joined(type, cluster_size); break;
    default: run_overlong(type, cluster_size); break;
    }
    return 0;
}
