/*
 * The physical memory map (see pvmon/memory_map.h for the rules it keeps).
 *
 * Adding a range rebuilds the map in one sorted sweep into a scratch map:
 * every old region is cut into the parts outside the new range, which keep
 * their type, and the part inside it, which takes the stronger of the two
 * types; the gaps the new range covers take its type.  Pieces go through
 * append_region, which merges a piece into the previous region when they
 * touch and share a type, and reports when the scratch map is full.  Only
 * a complete result is copied back, so a failed add changes nothing.
 */
#include <stdbool.h>

#include <pvmon/errno.h>
#include <pvmon/memory_map.h>

#define ONE_MEGABYTE 0x100000u
#define SMALLEST_ALIGNMENT 4096u

void memory_map_init(struct memory_map *map)
{
    map->count = 0;
}

static bool is_known_type(uint32_t type)
{
    switch (type) {
    case MEMORY_USABLE:
    case MEMORY_RESERVED:
    case MEMORY_ACPI_RECLAIMABLE:
    case MEMORY_ACPI_NVS:
    case MEMORY_BAD:
    case MEMORY_HYPERVISOR:
    case MEMORY_BOOT_MODULE:
    case MEMORY_BOOT_DATA:
    case MEMORY_FRAME_TABLE:
        return true;
    default:
        return false;
    }
}

/* Higher wins an overlap; all of pvmon's claims share one priority. */
static unsigned int type_priority(uint32_t type)
{
    switch (type) {
    case MEMORY_USABLE:
        return 0;
    case MEMORY_ACPI_RECLAIMABLE:
        return 1;
    case MEMORY_HYPERVISOR:
    case MEMORY_BOOT_MODULE:
    case MEMORY_BOOT_DATA:
    case MEMORY_FRAME_TABLE:
        return 2;
    case MEMORY_RESERVED:
        return 3;
    case MEMORY_ACPI_NVS:
        return 4;
    default:
        return 5; /* MEMORY_BAD */
    }
}

/* The type that owns an overlap; on a tie the newly added range wins. */
static uint32_t stronger_type(uint32_t existing_type, uint32_t added_type)
{
    return type_priority(added_type) >= type_priority(existing_type) ? added_type : existing_type;
}

/* Appends [start, end) after the map's last region, merging when possible; empty pieces are dropped. */
static int append_region(struct memory_map *map, uint64_t start, uint64_t end, uint32_t type)
{
    if (start >= end)
        return 0;

    if (map->count > 0) {
        struct memory_region *last = &map->regions[map->count - 1];

        if (last->end == start && last->type == type) {
            last->end = end;
            return 0;
        }
    }
    if (map->count == MEMORY_MAP_MAX_REGIONS)
        return -XEN_ENOSPC;
    map->regions[map->count++] = (struct memory_region) { .start = start, .end = end, .type = type };
    return 0;
}

static uint64_t minimum(uint64_t first, uint64_t second)
{
    return first < second ? first : second;
}

static uint64_t maximum(uint64_t first, uint64_t second)
{
    return first > second ? first : second;
}

/*
 * Appends an old region's pieces, given that the added range up to
 * *uncovered has been appended already.  Afterwards everything up to the
 * region's end, or the added range's end if that comes first, is done.
 */
static int append_pieces_of(struct memory_map *result, const struct memory_region *region,
                            const struct memory_region *added, uint64_t *uncovered)
{
    uint64_t overlap_start = maximum(region->start, added->start);
    uint64_t overlap_end = minimum(region->end, added->end);
    int error;

    if (overlap_start >= overlap_end) {
        if (region->start >= added->end) {
            error = append_region(result, *uncovered, added->end, added->type);
            if (error != 0)
                return error;
            *uncovered = added->end;
        }
        return append_region(result, region->start, region->end, region->type);
    }

    error = append_region(result, region->start, overlap_start, region->type);
    if (error == 0)
        error = append_region(result, *uncovered, overlap_start, added->type);
    if (error == 0)
        error = append_region(result, overlap_start, overlap_end, stronger_type(region->type, added->type));
    if (error == 0)
        error = append_region(result, overlap_end, region->end, region->type);
    *uncovered = overlap_end;
    return error;
}

static int build_map_with(const struct memory_map *map, const struct memory_region *added,
                          struct memory_map *result)
{
    uint64_t uncovered = added->start;

    memory_map_init(result);
    for (unsigned int index = 0; index < map->count; index++) {
        int error = append_pieces_of(result, &map->regions[index], added, &uncovered);

        if (error != 0)
            return error;
    }
    return append_region(result, uncovered, added->end, added->type);
}

int memory_map_add(struct memory_map *map, uint64_t start, uint64_t length, uint32_t type)
{
    if (length == 0)
        return 0;
    if (length > UINT64_MAX - start)
        return -XEN_EINVAL;

    struct memory_region added = {
        .start = start,
        .end = start + length,
        .type = is_known_type(type) ? type : MEMORY_RESERVED,
    };
    struct memory_map result;
    int error = build_map_with(map, &added, &result);

    if (error != 0)
        return error;
    *map = result;
    return 0;
}

uint64_t memory_map_bytes_of_type(const struct memory_map *map, uint32_t type)
{
    uint64_t bytes = 0;

    for (unsigned int index = 0; index < map->count; index++) {
        if (map->regions[index].type == type)
            bytes += map->regions[index].end - map->regions[index].start;
    }
    return bytes;
}

uint64_t memory_map_end_of_usable(const struct memory_map *map)
{
    uint64_t end = 0;

    for (unsigned int index = 0; index < map->count; index++) {
        if (map->regions[index].type == MEMORY_USABLE)
            end = map->regions[index].end;
    }
    return end;
}

/* Rounds value up to a multiple of alignment (a power of two); false if that passes 2^64. */
static bool align_up(uint64_t value, uint64_t alignment, uint64_t *aligned)
{
    if (value > UINT64_MAX - (alignment - 1))
        return false;
    *aligned = (value + alignment - 1) & ~(alignment - 1);
    return true;
}

static bool region_fits(const struct memory_region *region, uint64_t size, uint64_t alignment,
                        uint64_t *start)
{
    uint64_t candidate;

    if (region->type != MEMORY_USABLE)
        return false;
    if (!align_up(maximum(region->start, ONE_MEGABYTE), alignment, &candidate))
        return false;
    if (candidate >= region->end || region->end - candidate < size)
        return false;
    *start = candidate;
    return true;
}

int memory_map_find_usable(const struct memory_map *map, uint64_t size, uint64_t alignment,
                           uint64_t *start)
{
    bool power_of_two = (alignment & (alignment - 1)) == 0;

    if (size == 0 || alignment < SMALLEST_ALIGNMENT || !power_of_two)
        return -XEN_EINVAL;
    for (unsigned int index = 0; index < map->count; index++) {
        if (region_fits(&map->regions[index], size, alignment, start))
            return 0;
    }
    return -XEN_ENOMEM;
}

const char *memory_type_name(uint32_t type)
{
    switch (type) {
    case MEMORY_USABLE:
        return "usable";
    case MEMORY_RESERVED:
        return "reserved";
    case MEMORY_ACPI_RECLAIMABLE:
        return "ACPI reclaimable";
    case MEMORY_ACPI_NVS:
        return "ACPI NVS";
    case MEMORY_BAD:
        return "bad";
    case MEMORY_HYPERVISOR:
        return "hypervisor";
    case MEMORY_BOOT_MODULE:
        return "boot module";
    case MEMORY_BOOT_DATA:
        return "boot data";
    case MEMORY_FRAME_TABLE:
        return "frame table";
    default:
        return "unknown";
    }
}
