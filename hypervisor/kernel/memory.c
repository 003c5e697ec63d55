/*
 * Bringing the machine's memory under management at boot.
 *
 *  1. Start from the firmware map and claim what is not free: the first
 *     MiB (real-mode firmware data), the hypervisor image, the boot modules
 *     (kept for the domain builder), then carve out the frame table and a
 *     pool for the hypervisor's page tables.  Claims take precedence over
 *     "usable" in the merged map (common/memory_map.c).
 *  2. Build and load the hypervisor's page tables (arch/x86/paging.c) from
 *     the pool; from here on all RAM is reached through the direct map.
 *  3. Fill the frame table and give every frame that is still usable to
 *     the buddy allocator; claimed frames are marked as the hypervisor's.
 * Nothing that is not "usable" in the final map is ever handed out.
 */
#include <pvmon/arch.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/string.h>

#define FIRMWARE_AREA_END 0x100000UL

extern const uint8_t image_end[];

static struct memory_map merged_map;
static uint64_t installed_bytes;
static struct frame_allocator frame_allocator;
static uint64_t page_table_pool_next;
static uint64_t page_table_pool_end;

const struct memory_map *memory_map(void)
{
    return &merged_map;
}

struct frame_allocator *machine_frame_allocator(void)
{
    return &frame_allocator;
}

static uint64_t round_up_to_page(uint64_t value)
{
    return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static void claim(uint64_t start, uint64_t length, uint32_t type)
{
    int error = memory_map_add(&merged_map, start, length, type);

    if (error)
        panic("cannot record %s range %#lx+%#lx in the memory map: error %d",
              memory_type_name(type), start, length, error);
}

static uint64_t carve(uint64_t size, uint32_t type)
{
    uint64_t start;

    if (memory_map_find_usable(&merged_map, size, PAGE_SIZE, &start) != 0)
        panic("no room for %lu bytes of %s", size, memory_type_name(type));
    if (start + size > EARLY_MAP_SIZE)
        panic("%s would lie above 4 GiB, out of reach before paging is set up",
              memory_type_name(type));
    claim(start, size, type);
    return start;
}

/* The boot frame source for paging_init: zeroed frames from the pool. */
static uint64_t allocate_page_table_frame(void)
{
    uint64_t frame = page_table_pool_next;

    if (frame >= page_table_pool_end)
        panic("page-table pool exhausted");
    page_table_pool_next += PAGE_SIZE;
    memset(early_physical_to_virtual(frame), 0, PAGE_SIZE);
    return frame;
}

static void claim_boot_ranges(const struct boot_info *info)
{
    claim(0, FIRMWARE_AREA_END, MEMORY_RESERVED);
    claim(IMAGE_LOAD_ADDRESS, (uint64_t)image_end - IMAGE_VIRT_BASE - IMAGE_LOAD_ADDRESS,
          MEMORY_HYPERVISOR);
    for (unsigned int index = 0; index < info->container_count; index++)
        claim(info->containers[index].start & ~(PAGE_SIZE - 1),
              round_up_to_page(info->containers[index].size + (info->containers[index].start & (PAGE_SIZE - 1))),
              MEMORY_BOOT_MODULE);
}

static void set_frame_states(uint64_t frame_count)
{
    for (unsigned int index = 0; index < merged_map.count; index++) {
        const struct memory_region *region = &merged_map.regions[index];
        uint64_t first = round_up_to_page(region->start) / PAGE_SIZE;
        uint64_t end = region->end / PAGE_SIZE;

        if (end > frame_count)
            end = frame_count;
        if (first >= end)
            continue;
        if (region->type == MEMORY_USABLE) {
            if (frame_allocator_release_range(&frame_allocator, first, end - first) != 0)
                panic("frame allocator refused frames %#lx-%#lx", first, end);
        } else if (region->type >= MEMORY_HYPERVISOR) {
            for (uint64_t frame = first; frame < end; frame++)
                frame_allocator.frames[frame].state = FRAME_HYPERVISOR;
        }
    }
}

void memory_init(const struct boot_info *info, bool use_nx)
{
    uint64_t frame_count, frame_table_size, frame_table_start, pool_pages;

    merged_map = info->firmware_map;
    installed_bytes = memory_map_bytes_of_type(&info->firmware_map, MEMORY_USABLE);
    claim_boot_ranges(info);
    frame_count = memory_map_end_of_usable(&merged_map) / PAGE_SIZE;
    if (frame_count == 0)
        panic("the memory map has no usable RAM");

    frame_table_size = round_up_to_page(frame_count * sizeof(struct frame));
    frame_table_start = carve(frame_table_size, MEMORY_FRAME_TABLE);
    pool_pages = paging_frames_needed(&merged_map);
    page_table_pool_next = carve(pool_pages * PAGE_SIZE, MEMORY_HYPERVISOR);
    page_table_pool_end = page_table_pool_next + pool_pages * PAGE_SIZE;

    paging_init(&merged_map, allocate_page_table_frame, use_nx);

    memset(physical_to_virtual(frame_table_start), 0, frame_table_size);
    frame_allocator_init(&frame_allocator, physical_to_virtual(frame_table_start), frame_count);
    set_frame_states(frame_count);
    if (!frame_allocator_invariants_hold(&frame_allocator))
        panic("frame allocator inconsistent after boot");
}

static void print_region(const struct memory_region *region)
{
    uint64_t size = region->end - region->start;

    if (size >= 1UL << 20)
        printk(LOG_INFO, "  %016lx-%016lx %-16s %6lu MiB\n", region->start, region->end - 1,
               memory_type_name(region->type), size >> 20);
    else
        printk(LOG_INFO, "  %016lx-%016lx %-16s %6lu KiB\n", region->start, region->end - 1,
               memory_type_name(region->type), size >> 10);
}

void memory_print_summary(void)
{
    uint64_t hypervisor = memory_map_bytes_of_type(&merged_map, MEMORY_HYPERVISOR) +
                          memory_map_bytes_of_type(&merged_map, MEMORY_FRAME_TABLE);
    uint64_t modules = memory_map_bytes_of_type(&merged_map, MEMORY_BOOT_MODULE);
    uint64_t free_bytes = frame_allocator_free_count(&frame_allocator) * PAGE_SIZE;

    printk(LOG_INFO, "memory map (firmware map merged with pvmon's claims):\n");
    for (unsigned int index = 0; index < merged_map.count; index++)
        print_region(&merged_map.regions[index]);
    printk(LOG_INFO, "memory: total %lu MiB usable RAM, free %lu MiB (%lu frames), hypervisor %lu KiB, boot modules %lu KiB\n",
           installed_bytes >> 20, free_bytes >> 20, free_bytes / PAGE_SIZE, hypervisor >> 10,
           modules >> 10);
}
