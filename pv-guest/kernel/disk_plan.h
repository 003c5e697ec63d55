/*
 * Where the disk test writes (pure, host-tested): a plan of extents across
 * the disk, each one blkif request's worth (1 to 11 segments, each within
 * a page).  What it writes is disk_pattern.h's: each sector's contents
 * are a function of the seed and the sector's number alone, so
 * overlapping extents write the same bytes, a later boot with the same
 * seed can check what an earlier one wrote, and a sector from another
 * place or another run never matches.
 *
 * The plan holds, in this order: if asked to fill, the whole disk in
 * extents of eleven whole pages (the last one shorter), every sector
 * exactly once; then always the first sector (a one-sector segment), the
 * last sector (one sector in the middle of a page), eleven whole pages
 * ending at the last sector, eleven sub-page segments of varying lengths
 * from sector 1, then `spread` extents of random shape at evenly spaced
 * places.
 */
#ifndef PV_KERNEL_DISK_PLAN_H
#define PV_KERNEL_DISK_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <frontend/blkfront_shadow.h>

#define DISK_SECTOR_SIZE 512
#define DISK_PLAN_MAX_SPREAD 120
#define DISK_PLAN_FIXED_EXTENTS 4
#define DISK_PLAN_MAX_FILL_EXTENTS 1024
#define DISK_PLAN_MAX_EXTENTS (DISK_PLAN_MAX_FILL_EXTENTS + DISK_PLAN_FIXED_EXTENTS + DISK_PLAN_MAX_SPREAD)
/* The largest disk a filling plan covers: 44 MiB. */
#define DISK_PLAN_MAX_FILL_SECTORS \
    ((uint64_t)DISK_PLAN_MAX_FILL_EXTENTS * BLKIF_MAX_SEGMENTS_PER_REQUEST * BLKFRONT_SECTORS_PER_PAGE)
/* The smallest disk a plan fits: eleven whole pages twice over. */
#define DISK_PLAN_MIN_SECTORS (2 * BLKIF_MAX_SEGMENTS_PER_REQUEST * BLKFRONT_SECTORS_PER_PAGE)

enum disk_extent_kind {
    DISK_EXTENT_WHOLE_DISK,
    DISK_EXTENT_FIRST_SECTOR,
    DISK_EXTENT_LAST_SECTOR,
    DISK_EXTENT_FULL_PAGES_AT_THE_END,
    DISK_EXTENT_SUB_PAGE_SEGMENTS,
    DISK_EXTENT_SPREAD,
    DISK_EXTENT_KINDS
};

struct disk_extent {
    enum disk_extent_kind kind;
    uint64_t sector;
    unsigned int segment_count;
    struct blkfront_segment_spec segments[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

struct disk_plan {
    unsigned int count;
    struct disk_extent extents[DISK_PLAN_MAX_EXTENTS];
};

/* Fills plan for a disk of disk_sectors; -XEN_EINVAL if it is smaller
 * than DISK_PLAN_MIN_SECTORS, spread exceeds DISK_PLAN_MAX_SPREAD, or a
 * fill is asked of a disk larger than DISK_PLAN_MAX_FILL_SECTORS. */
int disk_plan_make(struct disk_plan *plan, uint64_t disk_sectors, uint64_t seed, unsigned int spread, bool fill);

/* How many extents of kind the plan holds. */
unsigned int disk_plan_count_kind(const struct disk_plan *plan, enum disk_extent_kind kind);

/* How many sectors an extent covers (the sum of its segments). */
uint64_t disk_extent_sectors(const struct disk_extent *extent);

const char *disk_extent_kind_name(enum disk_extent_kind kind);

#endif
