/*
 * cluster_codec: one qcow2 cluster compressed or decompressed with the
 * libraries themselves, zlib 1.2.13 and zstd 1.5.4, built freestanding
 * from Debian bookworm's source packages (tools/codec-libraries.mk,
 * backend/README.md).  This file is their only caller; it owns the memory
 * they work in and the rules below (backend/cluster_codec.h).
 *
 * The encodings, as QEMU 7.2 reads and writes them (docs/interop/qcow2.txt,
 * "Compressed Clusters Descriptor"; block/qcow2-threads.c):
 *   - zlib: a raw deflate stream (no zlib header or checksum).  QEMU
 *     deflates with windowBits -12 (a 4 KiB window, at level
 *     Z_DEFAULT_COMPRESSION), and so does this file.  QEMU inflates with
 *     windowBits -12 too, the whole cluster in one call into its buffer,
 *     where every distance within the cluster is in reach (the window
 *     bounds only what zlib keeps between calls); so does this file.
 *     QEMU takes the cluster once it is full, even when inflate has not
 *     yet read the stream's end (Z_BUF_ERROR); so does this file, after
 *     checking that the stream gives no byte beyond the cluster.
 *   - zstd: one or more zstd frames, decoded one whole frame at a time
 *     until the cluster is full (QEMU loops the same way, and requires the
 *     frame that fills the cluster to end there); written as one frame at
 *     level 3 (QEMU's, zstd's default) with its content size.
 *
 * The rules it keeps:
 *   - The compressed bytes come from an image file: hostile.  Decoding
 *     reads at most input_length bytes and writes at most cluster_size.
 *     A stream that is malformed, truncated, ends before the cluster is
 *     full, or would give more than the cluster is -EIO; the bytes after
 *     the stream (the next compressed cluster sharing the sector) are
 *     never looked at.  Work is bounded by input_length and cluster_size.
 *   - Compression must save at least one 512-byte sector, or it is
 *     -ENOSPC: the caller then writes the cluster uncompressed.
 *   - Bounded memory: no allocator.  Both libraries work in one static
 *     arena (CODEC_ARENA_SIZE, 416 KiB), used by one call at a time and
 *     taken afresh by each (dom0's backend is single-threaded; this file is
 *     not reentrant).  For 64 KiB clusters, the largest supported, they need
 *     (tests/unit/test_cluster_codec.c checks every cluster size):
 *       zstd compression   404,624 bytes (level 3, hash and chain tables
 *                          capped at 2^14 entries: zstd's own level-3 tables
 *                          would need 666,768)
 *       zstd decompression  95,960 bytes (one-shot: the cluster is the window)
 *       zlib deflate       about 150 KiB (4 KiB window, memLevel 8)
 *       zlib inflate       about 12 KiB (4 KiB window)
 *     zstd gets the arena as its static context (ZSTD_initStaticCCtx,
 *     ZSTD_initStaticDCtx); zlib's zalloc hands out slices of it in order
 *     and zfree returns nothing until the call ends.
 *   - Errors are negative Xen errno values: -XEN_EINVAL for arguments
 *     outside the interface, -XEN_EIO for a bad stream or a library that
 *     failed, -XEN_ENOSPC when compression does not pay.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>
/* The static contexts (ZSTD_initStaticCCtx, ZSTD_initStaticDCtx) are zstd's "static linking only" API. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include <pvmon/errno.h>

#include "backend/cluster_codec.h"

#define SECTOR_SIZE 512u
#define MIN_CLUSTER_SIZE 512u
#define ZLIB_WINDOW_BITS 12
#define ZLIB_MEMORY_LEVEL 8
#define ZSTD_LEVEL 3
#define ZSTD_TABLE_LOG 14
#define CODEC_ARENA_SIZE (416u * 1024u)

static _Alignas(64) unsigned char codec_arena[CODEC_ARENA_SIZE];

/* zlib's allocator: the next free slice of the arena (opaque counts what is taken). */
static voidpf arena_allocate(voidpf opaque, uInt items, uInt size)
{
    size_t *taken = opaque;
    size_t length;

    if (size != 0 && items > CODEC_ARENA_SIZE / size)
        return Z_NULL;
    length = ((size_t)items * size + 63u) & ~(size_t)63u;
    if (length > CODEC_ARENA_SIZE - *taken)
        return Z_NULL;
    *taken += length;
    return codec_arena + *taken - length;
}

/* Slices come back all at once, when the next call starts over. */
static void arena_release(voidpf opaque, voidpf address)
{
    (void)opaque;
    (void)address;
}

static bool is_supported_cluster_size(size_t cluster_size)
{
    return cluster_size >= MIN_CLUSTER_SIZE && cluster_size <= CLUSTER_CODEC_MAX_CLUSTER_SIZE &&
           (cluster_size & (cluster_size - 1)) == 0;
}

/* zlib counts in uInt: a longer input is only ever read as far as this. */
static uInt zlib_length(size_t length)
{
    return length > UINT32_MAX ? UINT32_MAX : (uInt)length;
}

/* After inflate filled the cluster: the stream must give nothing more, and be well formed so far. */
static bool inflated_stream_ends_with_cluster(z_stream *stream, int status)
{
    unsigned char beyond;

    if (stream->avail_out != 0)
        return false;
    if (status == Z_STREAM_END)
        return true;
    if (status != Z_BUF_ERROR)
        return false;
    stream->next_out = &beyond;
    stream->avail_out = 1;
    status = inflate(stream, Z_FINISH);
    if (stream->avail_out == 0)
        return false;
    return status == Z_STREAM_END || status == Z_BUF_ERROR;
}

static int inflate_cluster(const unsigned char *input, size_t input_length, unsigned char *output,
                           size_t cluster_size)
{
    size_t taken = 0;
    z_stream stream = {
        .next_in = input,
        .avail_in = zlib_length(input_length),
        .next_out = output,
        .avail_out = (uInt)cluster_size,
        .zalloc = arena_allocate,
        .zfree = arena_release,
        .opaque = &taken,
    };
    int result;

    if (inflateInit2(&stream, -ZLIB_WINDOW_BITS) != Z_OK)
        return -XEN_EIO;
    result = inflated_stream_ends_with_cluster(&stream, inflate(&stream, Z_FINISH)) ? 0 : -XEN_EIO;
    inflateEnd(&stream);
    return result;
}

/* Whole frames, one at a time, until the cluster is full; each consumes at least a frame header. */
static int zstd_decompress_cluster(const unsigned char *input, size_t input_length, unsigned char *output,
                                   size_t cluster_size)
{
    ZSTD_DCtx *context = ZSTD_initStaticDCtx(codec_arena, sizeof(codec_arena));
    size_t consumed = 0;
    size_t produced = 0;

    if (context == NULL)
        return -XEN_EIO;
    while (produced < cluster_size) {
        size_t frame_length = ZSTD_findFrameCompressedSize(input + consumed, input_length - consumed);
        size_t length;

        if (ZSTD_isError(frame_length))
            return -XEN_EIO;
        length = ZSTD_decompressDCtx(context, output + produced, cluster_size - produced, input + consumed,
                                     frame_length);
        if (ZSTD_isError(length))
            return -XEN_EIO;
        consumed += frame_length;
        produced += length;
    }
    return 0;
}

int cluster_decompress(enum cluster_compression type, const void *input, size_t input_length, void *output,
                       size_t cluster_size)
{
    if (input == NULL || output == NULL || !is_supported_cluster_size(cluster_size))
        return -XEN_EINVAL;
    switch (type) {
    case CLUSTER_COMPRESSION_ZLIB:
        return inflate_cluster(input, input_length, output, cluster_size);
    case CLUSTER_COMPRESSION_ZSTD:
        return zstd_decompress_cluster(input, input_length, output, cluster_size);
    }
    return -XEN_EINVAL;
}

static int deflate_cluster(const unsigned char *input, size_t cluster_size, unsigned char *output, size_t limit,
                           size_t *output_length)
{
    size_t taken = 0;
    z_stream stream = {
        .next_in = input,
        .avail_in = (uInt)cluster_size,
        .next_out = output,
        .avail_out = (uInt)limit,
        .zalloc = arena_allocate,
        .zfree = arena_release,
        .opaque = &taken,
    };
    int status;

    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -ZLIB_WINDOW_BITS, ZLIB_MEMORY_LEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return -XEN_EIO;
    status = deflate(&stream, Z_FINISH);
    deflateEnd(&stream);
    if (status == Z_STREAM_END) {
        *output_length = limit - stream.avail_out;
        return 0;
    }
    return status == Z_OK || status == Z_BUF_ERROR ? -XEN_ENOSPC : -XEN_EIO;
}

static bool zstd_parameter_set(ZSTD_CCtx *context, ZSTD_cParameter parameter, int value)
{
    return !ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value));
}

static int zstd_compress_cluster(const unsigned char *input, size_t cluster_size, unsigned char *output,
                                 size_t limit, size_t *output_length)
{
    ZSTD_CCtx *context = ZSTD_initStaticCCtx(codec_arena, sizeof(codec_arena));
    size_t length;

    if (context == NULL || !zstd_parameter_set(context, ZSTD_c_compressionLevel, ZSTD_LEVEL) ||
        !zstd_parameter_set(context, ZSTD_c_hashLog, ZSTD_TABLE_LOG) ||
        !zstd_parameter_set(context, ZSTD_c_chainLog, ZSTD_TABLE_LOG) ||
        !zstd_parameter_set(context, ZSTD_c_contentSizeFlag, 1))
        return -XEN_EIO;
    length = ZSTD_compress2(context, output, limit, input, cluster_size);
    if (ZSTD_isError(length))
        return ZSTD_getErrorCode(length) == ZSTD_error_dstSize_tooSmall ? -XEN_ENOSPC : -XEN_EIO;
    *output_length = length;
    return 0;
}

int cluster_compress(enum cluster_compression type, const void *input, size_t cluster_size, void *output,
                     size_t output_capacity, size_t *output_length)
{
    size_t limit;

    if (input == NULL || output == NULL || output_length == NULL || !is_supported_cluster_size(cluster_size))
        return -XEN_EINVAL;
    limit = cluster_size - SECTOR_SIZE;
    if (limit > output_capacity)
        limit = output_capacity;
    switch (type) {
    case CLUSTER_COMPRESSION_ZLIB:
        return deflate_cluster(input, cluster_size, output, limit, output_length);
    case CLUSTER_COMPRESSION_ZSTD:
        return zstd_compress_cluster(input, cluster_size, output, limit, output_length);
    }
    return -XEN_EINVAL;
}
