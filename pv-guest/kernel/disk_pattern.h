/*
 * The contents dom0's disk check (virtio_blk_check.h) writes, and the host
 * checks in the image file afterwards (tools/disk_pattern_check.c): each
 * 512-byte sector holds 64 little-endian 64-bit words, word w of sector s
 * being a mix (splitmix64's finaliser) of seed, s and w.  So a sector that
 * landed at the wrong place, or a stale or zero one, does not match.
 * Pure: compiled into dom0's kernel, the host tool and the unit tests.
 */
#ifndef PV_KERNEL_DISK_PATTERN_H
#define PV_KERNEL_DISK_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

#define DISK_PATTERN_SECTOR_SIZE 512

void disk_pattern_fill(uint8_t sector_bytes[DISK_PATTERN_SECTOR_SIZE], uint64_t sector, uint64_t seed);
bool disk_pattern_matches(const uint8_t sector_bytes[DISK_PATTERN_SECTOR_SIZE], uint64_t sector, uint64_t seed);

#endif
