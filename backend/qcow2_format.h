/*
 * qcow2_format: the on-disk constants of qcow2 (QEMU's
 * docs/interop/qcow2.txt: the header's fields, the L1/L2 entry bits, the
 * extension types) and its big-endian byte order, shared by qcow2.c,
 * qcow2_header.c and qcow2_refcount.c only.
 */
#ifndef BACKEND_QCOW2_FORMAT_H
#define BACKEND_QCOW2_FORMAT_H

#include <stdint.h>

#define QCOW2_MAGIC 0x514649fbu /* "QFI\xfb" */
#define QCOW2_V2_HEADER_LENGTH 72u
#define QCOW2_V3_HEADER_LENGTH 104u
#define QCOW2_HEADER_LENGTH_WITH_COMPRESSION 112u
#define QCOW2_MAX_REFCOUNT_ORDER 6u
#define QCOW2_MAX_L1_ENTRIES (32u * 1024u * 1024u / 8u)       /* QEMU's QCOW_MAX_L1_SIZE */
#define QCOW2_MAX_REFTABLE_BYTES (8u * 1024u * 1024u)         /* QEMU's QCOW_MAX_REFTABLE_SIZE */

/* Header field offsets. */
#define QCOW2_HEADER_MAGIC 0
#define QCOW2_HEADER_VERSION 4
#define QCOW2_HEADER_BACKING_OFFSET 8
#define QCOW2_HEADER_BACKING_SIZE 16
#define QCOW2_HEADER_CLUSTER_BITS 20
#define QCOW2_HEADER_SIZE 24
#define QCOW2_HEADER_CRYPT_METHOD 32
#define QCOW2_HEADER_L1_SIZE 36
#define QCOW2_HEADER_L1_OFFSET 40
#define QCOW2_HEADER_REFTABLE_OFFSET 48
#define QCOW2_HEADER_REFTABLE_CLUSTERS 56
#define QCOW2_HEADER_NB_SNAPSHOTS 60
#define QCOW2_HEADER_SNAPSHOTS_OFFSET 64
#define QCOW2_HEADER_INCOMPATIBLE 72
#define QCOW2_HEADER_COMPATIBLE 80
#define QCOW2_HEADER_AUTOCLEAR 88
#define QCOW2_HEADER_REFCOUNT_ORDER 96
#define QCOW2_HEADER_HEADER_LENGTH 100
#define QCOW2_HEADER_COMPRESSION_TYPE 104

#define QCOW2_INCOMPAT_DIRTY (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)
#define QCOW2_INCOMPAT_EXTERNAL_DATA (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTENDED_L2 (1ull << 4)

#define QCOW2_EXT_END 0u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE 0x6803f857u

/* Table entries. */
#define QCOW2_OFLAG_COPIED (1ull << 63)
#define QCOW2_OFLAG_COMPRESSED (1ull << 62)
#define QCOW2_OFLAG_ZERO 1ull
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ull        /* bits 9-55 */
#define QCOW2_L1_RESERVED 0x7f000000000001ffull         /* bits 0-8, 56-62 */
#define QCOW2_L2_RESERVED 0x3f000000000001feull         /* bits 1-8, 56-61 of a standard entry */
#define QCOW2_REFTABLE_RESERVED 0x00000000000001ffull   /* bits 0-8 */

static inline uint64_t qcow2_load64(const uint8_t *bytes)
{
    uint64_t value = 0;
    for (unsigned index = 0; index < 8; index++)
        value = (value << 8) | bytes[index];
    return value;
}

static inline uint32_t qcow2_load32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

static inline void qcow2_store64(uint8_t *bytes, uint64_t value)
{
    for (unsigned index = 0; index < 8; index++)
        bytes[index] = (uint8_t)(value >> (56 - 8 * index));
}

static inline void qcow2_store32(uint8_t *bytes, uint32_t value)
{
    for (unsigned index = 0; index < 4; index++)
        bytes[index] = (uint8_t)(value >> (24 - 8 * index));
}

#endif
