/*
 * The IEEE 802.3 CRC-32 as used by zlib, gzip and PNG: reflected,
 * polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF.
 * crc32("123456789") is 0xCBF43926; the CRC of no bytes is 0.
 */
#ifndef PVMON_CRC32_H
#define PVMON_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32(const void *data, size_t length);

#endif
