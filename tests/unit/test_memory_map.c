/*
 * Specification of the physical memory map: how ranges are stored, merged
 * and split, which type owns an overlap, what happens when the map is
 * full, and how usable memory is found.  A randomized test checks many
 * additions against a simple model that tracks the type of every page.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/memory_map.h>

#include "suites.h"

#define KIB 0x400ull
#define MIB 0x100000ull
#define GIB 0x40000000ull
#define PAGE 0x1000ull

static void expect_region(const struct memory_map *map, unsigned int index, uint64_t start, uint64_t end,
                          uint32_t type)
{
    ck_assert_uint_lt(index, map->count);
    ck_assert_msg(map->regions[index].start == start && map->regions[index].end == end &&
                      map->regions[index].type == type,
                  "region %u is [%#llx, %#llx) %s, expected [%#llx, %#llx) %s", index,
                  (unsigned long long) map->regions[index].start, (unsigned long long) map->regions[index].end,
                  memory_type_name(map->regions[index].type), (unsigned long long) start,
                  (unsigned long long) end, memory_type_name(type));
}

/* Sorted, non-overlapping, non-empty, and no two touching regions of one type. */
static bool map_is_normalised(const struct memory_map *map)
{
    if (map->count > MEMORY_MAP_MAX_REGIONS)
        return false;
    for (unsigned int index = 0; index < map->count; index++) {
        if (map->regions[index].start >= map->regions[index].end)
            return false;
    }
    for (unsigned int index = 1; index < map->count; index++) {
        const struct memory_region *previous = &map->regions[index - 1];
        const struct memory_region *region = &map->regions[index];

        if (previous->end > region->start || (previous->end == region->start && previous->type == region->type))
            return false;
    }
    return true;
}

/* 128 separate usable pages with a one-page hole after each: a full map. */
static void fill_map(struct memory_map *map)
{
    memory_map_init(map);
    for (unsigned int index = 0; index < MEMORY_MAP_MAX_REGIONS; index++)
        ck_assert_int_eq(memory_map_add(map, 2 * index * PAGE, PAGE, MEMORY_USABLE), 0);
    ck_assert_uint_eq(map->count, MEMORY_MAP_MAX_REGIONS);
}

static bool maps_are_equal(const struct memory_map *first, const struct memory_map *second)
{
    return first->count == second->count &&
           memcmp(first->regions, second->regions, first->count * sizeof(first->regions[0])) == 0;
}

START_TEST(test_new_map_is_empty)
{
    struct memory_map map;

    memory_map_init(&map);
    ck_assert_uint_eq(map.count, 0);
    ck_assert_uint_eq(memory_map_end_of_usable(&map), 0);
}
END_TEST

START_TEST(test_single_range_is_stored_with_exclusive_end)
{
    struct memory_map map;

    memory_map_init(&map);
    ck_assert_int_eq(memory_map_add(&map, MIB, 15 * MIB, MEMORY_USABLE), 0);
    ck_assert_uint_eq(map.count, 1);
    expect_region(&map, 0, MIB, 16 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_zero_length_range_changes_nothing)
{
    struct memory_map map;

    memory_map_init(&map);
    ck_assert_int_eq(memory_map_add(&map, MIB, 0, MEMORY_USABLE), 0);
    ck_assert_uint_eq(map.count, 0);
}
END_TEST

START_TEST(test_range_past_top_of_address_space_is_rejected)
{
    struct memory_map map;

    memory_map_init(&map);
    ck_assert_int_eq(memory_map_add(&map, UINT64_MAX - PAGE + 1, PAGE, MEMORY_USABLE), -XEN_EINVAL);
    ck_assert_int_eq(memory_map_add(&map, 1, UINT64_MAX, MEMORY_RESERVED), -XEN_EINVAL);
    ck_assert_uint_eq(map.count, 0);
}
END_TEST

START_TEST(test_range_ending_just_below_top_of_address_space_is_accepted)
{
    struct memory_map map;

    memory_map_init(&map);
    ck_assert_int_eq(memory_map_add(&map, UINT64_MAX - PAGE, PAGE, MEMORY_RESERVED), 0);
    expect_region(&map, 0, UINT64_MAX - PAGE, UINT64_MAX, MEMORY_RESERVED);
}
END_TEST

START_TEST(test_regions_are_kept_sorted_by_start)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 8 * MIB, MIB, MEMORY_USABLE);
    memory_map_add(&map, 0, 640 * KIB, MEMORY_USABLE);
    memory_map_add(&map, 2 * MIB, MIB, MEMORY_ACPI_NVS);
    ck_assert_uint_eq(map.count, 3);
    expect_region(&map, 0, 0, 640 * KIB, MEMORY_USABLE);
    expect_region(&map, 1, 2 * MIB, 3 * MIB, MEMORY_ACPI_NVS);
    expect_region(&map, 2, 8 * MIB, 9 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_touching_regions_of_same_type_are_merged)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, MIB, MEMORY_USABLE);
    memory_map_add(&map, 2 * MIB, MIB, MEMORY_USABLE);
    memory_map_add(&map, MIB, MIB, MEMORY_USABLE);
    ck_assert_uint_eq(map.count, 1);
    expect_region(&map, 0, 0, 3 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_touching_regions_of_different_types_stay_apart)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, MIB, MEMORY_USABLE);
    memory_map_add(&map, MIB, MIB, MEMORY_RESERVED);
    ck_assert_uint_eq(map.count, 2);
    expect_region(&map, 0, 0, MIB, MEMORY_USABLE);
    expect_region(&map, 1, MIB, 2 * MIB, MEMORY_RESERVED);
}
END_TEST

START_TEST(test_overlapping_ranges_of_same_type_become_one_region)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 3 * MIB, MEMORY_USABLE);
    memory_map_add(&map, 2 * MIB, 3 * MIB, MEMORY_USABLE);
    ck_assert_uint_eq(map.count, 1);
    expect_region(&map, 0, 0, 5 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_overlapping_reserved_range_splits_usable_region)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 16 * MIB, MEMORY_USABLE);
    memory_map_add(&map, 4 * MIB, MIB, MEMORY_RESERVED);
    ck_assert_uint_eq(map.count, 3);
    expect_region(&map, 0, 0, 4 * MIB, MEMORY_USABLE);
    expect_region(&map, 1, 4 * MIB, 5 * MIB, MEMORY_RESERVED);
    expect_region(&map, 2, 5 * MIB, 16 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_usable_range_never_overrides_reserved_memory)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 4 * MIB, MIB, MEMORY_RESERVED);
    memory_map_add(&map, 0, 16 * MIB, MEMORY_USABLE);
    ck_assert_uint_eq(map.count, 3);
    expect_region(&map, 0, 0, 4 * MIB, MEMORY_USABLE);
    expect_region(&map, 1, 4 * MIB, 5 * MIB, MEMORY_RESERVED);
    expect_region(&map, 2, 5 * MIB, 16 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_range_spanning_several_regions_takes_gaps_and_weaker_regions_only)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 2 * MIB, MIB, MEMORY_BAD);
    memory_map_add(&map, 5 * MIB, MIB, MEMORY_USABLE);
    memory_map_add(&map, MIB, 7 * MIB, MEMORY_RESERVED);
    ck_assert_uint_eq(map.count, 3);
    expect_region(&map, 0, MIB, 2 * MIB, MEMORY_RESERVED);
    expect_region(&map, 1, 2 * MIB, 3 * MIB, MEMORY_BAD);
    expect_region(&map, 2, 3 * MIB, 8 * MIB, MEMORY_RESERVED);
}
END_TEST

START_TEST(test_acpi_reclaimable_overrides_usable)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 4 * MIB, MEMORY_ACPI_RECLAIMABLE);
    memory_map_add(&map, 0, 8 * MIB, MEMORY_USABLE);
    expect_region(&map, 0, 0, 4 * MIB, MEMORY_ACPI_RECLAIMABLE);
    expect_region(&map, 1, 4 * MIB, 8 * MIB, MEMORY_USABLE);
}
END_TEST

START_TEST(test_pvmon_claims_override_usable_and_acpi_reclaimable)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 4 * MIB, MEMORY_USABLE);
    memory_map_add(&map, 4 * MIB, 4 * MIB, MEMORY_ACPI_RECLAIMABLE);
    memory_map_add(&map, 2 * MIB, 4 * MIB, MEMORY_HYPERVISOR);
    ck_assert_uint_eq(map.count, 3);
    expect_region(&map, 0, 0, 2 * MIB, MEMORY_USABLE);
    expect_region(&map, 1, 2 * MIB, 6 * MIB, MEMORY_HYPERVISOR);
    expect_region(&map, 2, 6 * MIB, 8 * MIB, MEMORY_ACPI_RECLAIMABLE);
}
END_TEST

START_TEST(test_pvmon_claim_never_overrides_firmware_reserved_memory)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 2 * MIB, MIB, MEMORY_RESERVED);
    memory_map_add(&map, MIB, 4 * MIB, MEMORY_BOOT_MODULE);
    ck_assert_uint_eq(map.count, 3);
    expect_region(&map, 0, MIB, 2 * MIB, MEMORY_BOOT_MODULE);
    expect_region(&map, 1, 2 * MIB, 3 * MIB, MEMORY_RESERVED);
    expect_region(&map, 2, 3 * MIB, 5 * MIB, MEMORY_BOOT_MODULE);
}
END_TEST

START_TEST(test_later_pvmon_claim_wins_over_earlier_claim)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 4 * MIB, MEMORY_BOOT_DATA);
    memory_map_add(&map, 2 * MIB, 4 * MIB, MEMORY_FRAME_TABLE);
    expect_region(&map, 0, 0, 2 * MIB, MEMORY_BOOT_DATA);
    expect_region(&map, 1, 2 * MIB, 6 * MIB, MEMORY_FRAME_TABLE);
    memory_map_add(&map, MIB, 2 * MIB, MEMORY_BOOT_DATA);
    expect_region(&map, 0, 0, 3 * MIB, MEMORY_BOOT_DATA);
    expect_region(&map, 1, 3 * MIB, 6 * MIB, MEMORY_FRAME_TABLE);
}
END_TEST

START_TEST(test_acpi_nvs_overrides_reserved)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 4 * MIB, MEMORY_ACPI_NVS);
    memory_map_add(&map, 0, 8 * MIB, MEMORY_RESERVED);
    expect_region(&map, 0, 0, 4 * MIB, MEMORY_ACPI_NVS);
    expect_region(&map, 1, 4 * MIB, 8 * MIB, MEMORY_RESERVED);
}
END_TEST

START_TEST(test_bad_memory_overrides_every_other_type)
{
    static const uint32_t other_types[] = {
        MEMORY_USABLE, MEMORY_RESERVED, MEMORY_ACPI_RECLAIMABLE, MEMORY_ACPI_NVS,
        MEMORY_HYPERVISOR, MEMORY_BOOT_MODULE, MEMORY_BOOT_DATA, MEMORY_FRAME_TABLE,
    };
    struct memory_map map;

    for (size_t index = 0; index < sizeof(other_types) / sizeof(other_types[0]); index++) {
        memory_map_init(&map);
        memory_map_add(&map, MIB, PAGE, MEMORY_BAD);
        memory_map_add(&map, 0, 4 * MIB, other_types[index]);
        ck_assert_uint_eq(map.count, 3);
        expect_region(&map, 1, MIB, MIB + PAGE, MEMORY_BAD);
    }
}
END_TEST

START_TEST(test_unknown_firmware_type_is_stored_as_reserved)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, MIB, 7);
    memory_map_add(&map, MIB, MIB, 0);
    memory_map_add(&map, 2 * MIB, MIB, 0xf0000001);
    ck_assert_uint_eq(map.count, 1);
    expect_region(&map, 0, 0, 3 * MIB, MEMORY_RESERVED);
}
END_TEST

START_TEST(test_full_map_rejects_range_needing_a_new_region_and_stays_unchanged)
{
    struct memory_map map;
    struct memory_map before;

    fill_map(&map);
    before = map;
    ck_assert_int_eq(memory_map_add(&map, GIB, PAGE, MEMORY_USABLE), -XEN_ENOSPC);
    ck_assert(maps_are_equal(&map, &before));
    ck_assert_int_eq(memory_map_add(&map, PAGE / 2, PAGE / 4, MEMORY_RESERVED), -XEN_ENOSPC);
    ck_assert(maps_are_equal(&map, &before));
}
END_TEST

START_TEST(test_full_map_accepts_range_that_merges_into_existing_regions)
{
    struct memory_map map;

    fill_map(&map);
    ck_assert_int_eq(memory_map_add(&map, PAGE, PAGE, MEMORY_USABLE), 0);
    ck_assert_uint_eq(map.count, MEMORY_MAP_MAX_REGIONS - 1);
    expect_region(&map, 0, 0, 3 * PAGE, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_add(&map, 5 * PAGE, PAGE, MEMORY_RESERVED), 0);
    ck_assert_uint_eq(map.count, MEMORY_MAP_MAX_REGIONS);
    ck_assert(map_is_normalised(&map));
}
END_TEST

START_TEST(test_bytes_of_type_adds_up_every_region_of_that_type)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 640 * KIB, MEMORY_USABLE);
    memory_map_add(&map, MIB, 15 * MIB, MEMORY_USABLE);
    memory_map_add(&map, 4 * MIB, MIB, MEMORY_HYPERVISOR);
    memory_map_add(&map, 640 * KIB, 384 * KIB, MEMORY_RESERVED);
    ck_assert_uint_eq(memory_map_bytes_of_type(&map, MEMORY_USABLE), 640 * KIB + 14 * MIB);
    ck_assert_uint_eq(memory_map_bytes_of_type(&map, MEMORY_HYPERVISOR), MIB);
    ck_assert_uint_eq(memory_map_bytes_of_type(&map, MEMORY_RESERVED), 384 * KIB);
    ck_assert_uint_eq(memory_map_bytes_of_type(&map, MEMORY_BAD), 0);
}
END_TEST

START_TEST(test_end_of_usable_is_end_of_highest_usable_region)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, 2 * GIB, MEMORY_USABLE);
    memory_map_add(&map, 4 * GIB, GIB, MEMORY_USABLE);
    memory_map_add(&map, 6 * GIB, GIB, MEMORY_RESERVED);
    ck_assert_uint_eq(memory_map_end_of_usable(&map), 5 * GIB);
}
END_TEST

START_TEST(test_end_of_usable_is_zero_without_usable_memory)
{
    struct memory_map map;

    memory_map_init(&map);
    memory_map_add(&map, 0, GIB, MEMORY_RESERVED);
    memory_map_add(&map, GIB, GIB, MEMORY_HYPERVISOR);
    ck_assert_uint_eq(memory_map_end_of_usable(&map), 0);
}
END_TEST

START_TEST(test_find_usable_never_returns_memory_below_one_megabyte)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 0, 4 * MIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, PAGE, &start), 0);
    ck_assert_uint_eq(start, MIB);
}
END_TEST

START_TEST(test_find_usable_ignores_usable_memory_only_below_one_megabyte)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 0, 640 * KIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, PAGE, &start), -XEN_ENOMEM);
}
END_TEST

START_TEST(test_find_usable_returns_lowest_aligned_start)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 3 * MIB + PAGE, 64 * MIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, PAGE, &start), 0);
    ck_assert_uint_eq(start, 3 * MIB + PAGE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, 2 * MIB, &start), 0);
    ck_assert_uint_eq(start, 4 * MIB);
}
END_TEST

START_TEST(test_find_usable_skips_regions_too_small_once_aligned)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 2 * MIB + PAGE, 3 * MIB, MEMORY_USABLE);
    memory_map_add(&map, 16 * MIB, 8 * MIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, 2 * MIB, 2 * MIB, &start), 0);
    ck_assert_uint_eq(start, 16 * MIB);
}
END_TEST

START_TEST(test_find_usable_range_must_lie_in_one_usable_region)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 2 * MIB, 2 * MIB, MEMORY_USABLE);
    memory_map_add(&map, 4 * MIB, PAGE, MEMORY_BOOT_MODULE);
    memory_map_add(&map, 4 * MIB + PAGE, 2 * MIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, 3 * MIB, PAGE, &start), -XEN_ENOMEM);
    ck_assert_int_eq(memory_map_find_usable(&map, 2 * MIB, PAGE, &start), 0);
    ck_assert_uint_eq(start, 2 * MIB);
}
END_TEST

START_TEST(test_find_usable_skips_other_types)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 2 * MIB, 2 * MIB, MEMORY_ACPI_RECLAIMABLE);
    memory_map_add(&map, 8 * MIB, 2 * MIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, PAGE, &start), 0);
    ck_assert_uint_eq(start, 8 * MIB);
}
END_TEST

START_TEST(test_find_usable_rejects_alignment_that_is_not_a_power_of_two_of_at_least_4096)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 0, GIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, 0, &start), -XEN_EINVAL);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, 2048, &start), -XEN_EINVAL);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, 3 * PAGE, &start), -XEN_EINVAL);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, (1ull << 63) + PAGE, &start), -XEN_EINVAL);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, 4096, &start), 0);
}
END_TEST

START_TEST(test_find_usable_rejects_zero_size)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, 0, GIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, 0, PAGE, &start), -XEN_EINVAL);
}
END_TEST

START_TEST(test_find_usable_reports_out_of_memory_when_nothing_fits)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, MIB, 4 * MIB, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, 4 * MIB + PAGE, PAGE, &start), -XEN_ENOMEM);
    ck_assert_int_eq(memory_map_find_usable(&map, 4 * MIB, PAGE, &start), 0);
    ck_assert_uint_eq(start, MIB);
}
END_TEST

START_TEST(test_find_usable_near_top_of_address_space_does_not_wrap_around)
{
    struct memory_map map;
    uint64_t start = 0;

    memory_map_init(&map);
    memory_map_add(&map, UINT64_MAX - 2 * PAGE, PAGE, MEMORY_USABLE);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, 1ull << 63, &start), -XEN_ENOMEM);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE, PAGE, &start), -XEN_ENOMEM);
    ck_assert_int_eq(memory_map_find_usable(&map, PAGE - 1, PAGE, &start), 0);
    ck_assert_uint_eq(start, UINT64_MAX - 2 * PAGE + 1);
}
END_TEST

START_TEST(test_every_type_has_its_short_name)
{
    ck_assert_str_eq(memory_type_name(MEMORY_USABLE), "usable");
    ck_assert_str_eq(memory_type_name(MEMORY_RESERVED), "reserved");
    ck_assert_str_eq(memory_type_name(MEMORY_ACPI_RECLAIMABLE), "ACPI reclaimable");
    ck_assert_str_eq(memory_type_name(MEMORY_ACPI_NVS), "ACPI NVS");
    ck_assert_str_eq(memory_type_name(MEMORY_BAD), "bad");
    ck_assert_str_eq(memory_type_name(MEMORY_HYPERVISOR), "hypervisor");
    ck_assert_str_eq(memory_type_name(MEMORY_BOOT_MODULE), "boot module");
    ck_assert_str_eq(memory_type_name(MEMORY_BOOT_DATA), "boot data");
    ck_assert_str_eq(memory_type_name(MEMORY_FRAME_TABLE), "frame table");
    ck_assert_str_eq(memory_type_name(0), "unknown");
    ck_assert_str_eq(memory_type_name(6), "unknown");
}
END_TEST

/*
 * The model for the randomized test: the address space is MODEL_PAGES
 * pages, each holding the type that owns it, or 0 for no memory.
 */
#define MODEL_PAGES 64
#define RANDOM_ADDITIONS 3000

static const uint32_t model_types[] = {
    MEMORY_USABLE, MEMORY_RESERVED, MEMORY_ACPI_RECLAIMABLE, MEMORY_ACPI_NVS, MEMORY_BAD,
    MEMORY_HYPERVISOR, MEMORY_BOOT_MODULE, MEMORY_BOOT_DATA, MEMORY_FRAME_TABLE, 0, 6, 0x1234,
};

/* The priority list from the specification, lowest first; an unknown type counts as reserved. */
static uint32_t model_stored_type(uint32_t type)
{
    return (type >= MEMORY_USABLE && type <= MEMORY_BAD) || (type >= MEMORY_HYPERVISOR && type <= MEMORY_FRAME_TABLE)
               ? type
               : MEMORY_RESERVED;
}

static int model_priority(uint32_t type)
{
    static const uint32_t lowest_first[] = {
        MEMORY_USABLE, MEMORY_ACPI_RECLAIMABLE, MEMORY_HYPERVISOR, MEMORY_RESERVED, MEMORY_ACPI_NVS, MEMORY_BAD,
    };

    if (type >= MEMORY_HYPERVISOR && type <= MEMORY_FRAME_TABLE)
        type = MEMORY_HYPERVISOR;
    for (int rank = 0; rank < (int) (sizeof(lowest_first) / sizeof(lowest_first[0])); rank++) {
        if (lowest_first[rank] == type)
            return rank;
    }
    return -1;
}

static uint32_t type_at(const struct memory_map *map, uint64_t address)
{
    for (unsigned int index = 0; index < map->count; index++) {
        if (map->regions[index].start <= address && address < map->regions[index].end)
            return map->regions[index].type;
    }
    return 0;
}

static bool regions_are_page_aligned(const struct memory_map *map)
{
    for (unsigned int index = 0; index < map->count; index++) {
        if (map->regions[index].start % PAGE != 0 || map->regions[index].end % PAGE != 0)
            return false;
    }
    return true;
}

/* The first page whose type in the map differs from the model's, or -1. */
static int first_page_differing_from_model(const struct memory_map *map, const uint32_t model[MODEL_PAGES])
{
    for (int page = 0; page < MODEL_PAGES; page++) {
        if (type_at(map, (uint64_t) page * PAGE) != model[page])
            return page;
    }
    return -1;
}

/* A fixed-seed xorshift generator, so that a failure can be reproduced. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

START_TEST(test_random_additions_match_a_page_by_page_model)
{
    uint32_t model[MODEL_PAGES] = { 0 };
    uint64_t random_state = 0x9e3779b97f4a7c15ull;
    struct memory_map map;

    memory_map_init(&map);
    for (int step = 0; step < RANDOM_ADDITIONS; step++) {
        uint64_t first_page = next_random(&random_state) % MODEL_PAGES;
        uint64_t page_count = next_random(&random_state) % (MODEL_PAGES - first_page + 1);
        uint32_t type = model_types[next_random(&random_state) % (sizeof(model_types) / sizeof(model_types[0]))];

        ck_assert_int_eq(memory_map_add(&map, first_page * PAGE, page_count * PAGE, type), 0);
        for (uint64_t page = first_page; page < first_page + page_count; page++) {
            uint32_t stored = model_stored_type(type);

            if (model[page] == 0 || model_priority(stored) >= model_priority(model[page]))
                model[page] = stored;
        }

        ck_assert_msg(map_is_normalised(&map), "step %d: map not normalised", step);
        ck_assert_msg(regions_are_page_aligned(&map), "step %d: region boundary inside a page", step);

        int page = first_page_differing_from_model(&map, model);

        ck_assert_msg(page < 0, "step %d: page %d is %s, model says %s", step, page,
                      memory_type_name(type_at(&map, (uint64_t) page * PAGE)), memory_type_name(model[page]));
        ck_assert_uint_eq(type_at(&map, MODEL_PAGES * PAGE), 0);
    }
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *memory_map_suite(void)
{
    Suite *suite = suite_create("memory_map");

    add_test_case(suite, test_new_map_is_empty);
    add_test_case(suite, test_single_range_is_stored_with_exclusive_end);
    add_test_case(suite, test_zero_length_range_changes_nothing);
    add_test_case(suite, test_range_past_top_of_address_space_is_rejected);
    add_test_case(suite, test_range_ending_just_below_top_of_address_space_is_accepted);
    add_test_case(suite, test_regions_are_kept_sorted_by_start);
    add_test_case(suite, test_touching_regions_of_same_type_are_merged);
    add_test_case(suite, test_touching_regions_of_different_types_stay_apart);
    add_test_case(suite, test_overlapping_ranges_of_same_type_become_one_region);
    add_test_case(suite, test_overlapping_reserved_range_splits_usable_region);
    add_test_case(suite, test_usable_range_never_overrides_reserved_memory);
    add_test_case(suite, test_range_spanning_several_regions_takes_gaps_and_weaker_regions_only);
    add_test_case(suite, test_acpi_reclaimable_overrides_usable);
    add_test_case(suite, test_pvmon_claims_override_usable_and_acpi_reclaimable);
    add_test_case(suite, test_pvmon_claim_never_overrides_firmware_reserved_memory);
    add_test_case(suite, test_later_pvmon_claim_wins_over_earlier_claim);
    add_test_case(suite, test_acpi_nvs_overrides_reserved);
    add_test_case(suite, test_bad_memory_overrides_every_other_type);
    add_test_case(suite, test_unknown_firmware_type_is_stored_as_reserved);
    add_test_case(suite, test_full_map_rejects_range_needing_a_new_region_and_stays_unchanged);
    add_test_case(suite, test_full_map_accepts_range_that_merges_into_existing_regions);
    add_test_case(suite, test_bytes_of_type_adds_up_every_region_of_that_type);
    add_test_case(suite, test_end_of_usable_is_end_of_highest_usable_region);
    add_test_case(suite, test_end_of_usable_is_zero_without_usable_memory);
    add_test_case(suite, test_find_usable_never_returns_memory_below_one_megabyte);
    add_test_case(suite, test_find_usable_ignores_usable_memory_only_below_one_megabyte);
    add_test_case(suite, test_find_usable_returns_lowest_aligned_start);
    add_test_case(suite, test_find_usable_skips_regions_too_small_once_aligned);
    add_test_case(suite, test_find_usable_range_must_lie_in_one_usable_region);
    add_test_case(suite, test_find_usable_skips_other_types);
    add_test_case(suite, test_find_usable_rejects_alignment_that_is_not_a_power_of_two_of_at_least_4096);
    add_test_case(suite, test_find_usable_rejects_zero_size);
    add_test_case(suite, test_find_usable_reports_out_of_memory_when_nothing_fits);
    add_test_case(suite, test_find_usable_near_top_of_address_space_does_not_wrap_around);
    add_test_case(suite, test_every_type_has_its_short_name);
    add_test_case(suite, test_random_additions_match_a_page_by_page_model);
    return suite;
}

REGISTER_SUITE(memory_map_suite)
