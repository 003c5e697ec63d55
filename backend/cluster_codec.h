/*
 * cluster_codec: one qcow2 cluster compressed or decompressed, in the two
 * encodings qcow2 v3 names by its header's compression_type (QEMU's
 * docs/interop/qcow2.txt; block/qcow2-threads.c):
 *   - zlib (0): a raw deflate stream (no zlib header), written with a
 *     window of at most 4 KiB (QEMU inflates with windowBits -12);
 *   - zstd (1): zstd frames.
 * Both are the libraries themselves (zlib with Z_SOLO, zstd), built
 * freestanding from Debian's source packages; this file is the only
 * caller of them.
 *
 * The rules it keeps:
 *   - The compressed bytes come from an image file: hostile.  Decompression
 *     writes at most cluster_size bytes and reads at most input_length;
 *     a stream that is malformed, or ends before the cluster is full, is
 *     -EIO.  Bytes after the cluster's stream (the next compressed
 *     cluster sharing the sector) are ignored, as QEMU ignores them.
 *   - Compression that would not save at least one 512-byte sector is
 *     -ENOSPC: the caller then writes the cluster uncompressed, as
 *     qemu-img does.
 *   - Bounded memory: the libraries' working memory comes from a fixed
 *     arena of this file's, sized for the largest cluster supported.
 *     One call at a time: the arena is shared (not reentrant).
 *   - cluster_size is a power of two from 512 bytes to
 *     CLUSTER_CODEC_MAX_CLUSTER_SIZE; anything else is -EINVAL.
 */
#ifndef BACKEND_CLUSTER_CODEC_H
#define BACKEND_CLUSTER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CLUSTER_CODEC_MAX_CLUSTER_SIZE (64u * 1024u)

enum cluster_compression { CLUSTER_COMPRESSION_ZLIB = 0, CLUSTER_COMPRESSION_ZSTD = 1 };

/* Decompresses one cluster into output (exactly cluster_size bytes): 0, -EINVAL, or -EIO. */
int cluster_decompress(enum cluster_compression type, const void *input, size_t input_length, void *output,
                       size_t cluster_size);

/*
 * Compresses one cluster of cluster_size bytes into output: 0 with *output_length, -ENOSPC (it would not save
 * a sector, or output_capacity is too small), -EINVAL, or -EIO (the library failed: never expected).
 */
int cluster_compress(enum cluster_compression type, const void *input, size_t cluster_size, void *output,
                     size_t output_capacity, size_t *output_length);

#endif
