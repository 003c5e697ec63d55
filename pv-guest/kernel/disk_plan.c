/*
 * The disk test's plan (disk_plan.h).  Randomness is SplitMix64 over the
 * seed and positions, so that the plan is reproducible from the seed.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/errno.h>
#include "disk_plan.h"

#define SECTORS_PER_PAGE BLKFRONT_SECTORS_PER_PAGE
#define MAX_SEGMENTS BLKIF_MAX_SEGMENTS_PER_REQUEST

static uint64_t mix(uint64_t value)
{
    value += UINT64_C(0x9e3779b97f4a7c15);
    value = (value ^ (value >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    value = (value ^ (value >> 27)) * UINT64_C(0x94d049bb133111eb);
    return value ^ (value >> 31);
}

uint64_t disk_extent_sectors(const struct disk_extent *extent)
{
    uint64_t sectors = 0;

    for (unsigned int index = 0; index < extent->segment_count; index++)
        sectors += (uint64_t)(extent->segments[index].last_sect - extent->segments[index].first_sect) + 1;
    return sectors;
}

const char *disk_extent_kind_name(enum disk_extent_kind kind)
{
    static const char *const names[DISK_EXTENT_KINDS] = {
        [DISK_EXTENT_WHOLE_DISK] = "every_sector_of_the_disk",
        [DISK_EXTENT_FIRST_SECTOR] = "first_sector",
        [DISK_EXTENT_LAST_SECTOR] = "last_sector",
        [DISK_EXTENT_FULL_PAGES_AT_THE_END] = "eleven_whole_pages_at_the_end",
        [DISK_EXTENT_SUB_PAGE_SEGMENTS] = "eleven_sub_page_segments",
        [DISK_EXTENT_SPREAD] = "random_extents_across_the_disk",
    };

    return kind < DISK_EXTENT_KINDS ? names[kind] : "unknown";
}

static struct disk_extent *add_extent(struct disk_plan *plan, enum disk_extent_kind kind, uint64_t sector)
{
    struct disk_extent *extent = &plan->extents[plan->count++];

    extent->kind = kind;
    extent->sector = sector;
    extent->segment_count = 0;
    return extent;
}

static void add_segment(struct disk_extent *extent, uint8_t first, uint8_t last)
{
    extent->segments[extent->segment_count++] = (struct blkfront_segment_spec){ first, last };
}

/* A segment within a page drawn from random: first <= last < 8. */
static void add_random_segment(struct disk_extent *extent, uint64_t random)
{
    uint8_t first = (uint8_t)(random % SECTORS_PER_PAGE);
    uint8_t last = (uint8_t)(first + (random >> 8) % (SECTORS_PER_PAGE - first));

    add_segment(extent, first, last);
}

static void add_fixed_extents(struct disk_plan *plan, uint64_t disk_sectors, uint64_t seed)
{
    struct disk_extent *extent;

    add_segment(add_extent(plan, DISK_EXTENT_FIRST_SECTOR, 0), 0, 0);
    add_segment(add_extent(plan, DISK_EXTENT_LAST_SECTOR, disk_sectors - 1), 3, 3);
    extent = add_extent(plan, DISK_EXTENT_FULL_PAGES_AT_THE_END,
                        disk_sectors - MAX_SEGMENTS * SECTORS_PER_PAGE);
    for (unsigned int index = 0; index < MAX_SEGMENTS; index++)
        add_segment(extent, 0, SECTORS_PER_PAGE - 1);
    extent = add_extent(plan, DISK_EXTENT_SUB_PAGE_SEGMENTS, 1);
    for (unsigned int index = 0; index < MAX_SEGMENTS; index++)
        add_random_segment(extent, mix(seed ^ (0x5b + index)));
}

/* The whole disk in extents of eleven whole pages; the last one's last segment may be short. */
static void add_fill_extents(struct disk_plan *plan, uint64_t disk_sectors)
{
    for (uint64_t sector = 0; sector < disk_sectors;) {
        struct disk_extent *extent = add_extent(plan, DISK_EXTENT_WHOLE_DISK, sector);

        while (extent->segment_count < MAX_SEGMENTS && sector < disk_sectors) {
            uint64_t left = disk_sectors - sector;
            uint8_t length = (uint8_t)(left < SECTORS_PER_PAGE ? left : SECTORS_PER_PAGE);

            add_segment(extent, 0, (uint8_t)(length - 1));
            sector += length;
        }
    }
}

unsigned int disk_plan_count_kind(const struct disk_plan *plan, enum disk_extent_kind kind)
{
    unsigned int count = 0;

    for (unsigned int index = 0; index < plan->count; index++)
        count += plan->extents[index].kind == kind;
    return count;
}

int disk_plan_make(struct disk_plan *plan, uint64_t disk_sectors, uint64_t seed, unsigned int spread, bool fill)
{
    if (disk_sectors < DISK_PLAN_MIN_SECTORS || spread > DISK_PLAN_MAX_SPREAD ||
        (fill && disk_sectors > DISK_PLAN_MAX_FILL_SECTORS))
        return -XEN_EINVAL;
    plan->count = 0;
    if (fill)
        add_fill_extents(plan, disk_sectors);
    add_fixed_extents(plan, disk_sectors, seed);
    for (unsigned int index = 0; index < spread; index++) {
        uint64_t random = mix(seed ^ mix(index + 1));
        uint64_t place = disk_sectors / spread * index + random % (disk_sectors / spread);
        struct disk_extent *extent = add_extent(plan, DISK_EXTENT_SPREAD, place);
        unsigned int segments = 1 + (unsigned int)((random >> 32) % MAX_SEGMENTS);

        for (unsigned int segment = 0; segment < segments; segment++)
            add_random_segment(extent, mix(random + segment));
        if (extent->sector + disk_extent_sectors(extent) > disk_sectors)
            extent->sector = disk_sectors - disk_extent_sectors(extent);
    }
    return 0;
}
