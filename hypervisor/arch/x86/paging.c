/*
 * The hypervisor's own page tables, built once at boot to replace the early
 * tables of head.S, in the slots the Xen PV ABI reserves for the hypervisor
 * (see pvmon/layout.h):
 *   - the image, page by page: text read-only and executable, read-only
 *     data read-only, data and bss writable, neither executable;
 *   - CPU 0's GDT area: pages 0-13 the shared zero page (read-only),
 *     page 14 pvmon's reserved GDT page; its 16 LDT pages the zero page
 *     until a vCPU with an LDT runs;
 *   - the direct map: every 2 MiB of physical memory that holds RAM by the
 *     memory map (usable, ACPI tables, pvmon's claims), writable, not
 *     executable; holes and firmware-reserved ranges, which may be device
 *     memory, stay unmapped;
 *   - device pages, uncached, handed out by map_mmio.
 * There is no identity map of low memory any more once these are loaded.
 * Intermediate entries are present and writable; permissions live in the
 * last level.
 */
#include <pvmon/arch.h>
#include <pvmon/layout.h>
#include <pvmon/panic.h>
#include <pvmon/string.h>
#include <pvmon/x86.h>

#define PTE_PRESENT (1UL << 0)
#define PTE_WRITABLE (1UL << 1)
#define PTE_USER (1UL << 2)
#define PTE_WRITE_THROUGH (1UL << 3)
#define PTE_CACHE_DISABLE (1UL << 4)
#define PTE_ACCESSED (1UL << 5)
#define PTE_DIRTY (1UL << 6)
#define PTE_LARGE (1UL << 7)
#define PTE_NO_EXECUTE (1UL << 63)
#define PTE_ADDRESS_MASK 0x000ffffffffff000UL
#define LARGE_PAGE_SIZE (1UL << 21)
#define ENTRIES_PER_TABLE 512

extern const uint8_t text_start[], text_end[], rodata_start[], rodata_end[], image_end[];
extern uint64_t reserved_gdt_page[];

static uint64_t root_table_physical;
static boot_frame_source allocate_table_frame;
static bool direct_map_active;
static uint64_t no_execute;
static uint64_t next_mmio_address = MMIO_VIRT_START;
/* The L1 entries of the GDT and LDT areas, each area within one L1 table,
 * found once so that a vCPU switch writes them without walking the tables. */
static uint64_t *gdt_area_entries;
static uint64_t *ldt_area_entries;

void *early_physical_to_virtual(uint64_t physical_address)
{
    BUG_ON(physical_address >= EARLY_MAP_SIZE);
    return (void *)(IMAGE_VIRT_BASE + physical_address);
}

void *physical_to_virtual(uint64_t physical_address)
{
    return (void *)(DIRECT_MAP_VIRT_START + physical_address);
}

uint64_t virtual_to_physical(const void *virtual_address)
{
    uint64_t address = (uint64_t)virtual_address;

    if (address >= DIRECT_MAP_VIRT_START && address < DIRECT_MAP_VIRT_START + DIRECT_MAP_SIZE)
        return address - DIRECT_MAP_VIRT_START;
    BUG_ON(address < (uint64_t)text_start || address >= (uint64_t)image_end);
    return address - IMAGE_VIRT_BASE;
}

static uint64_t *table_at(uint64_t physical_address)
{
    return direct_map_active ? physical_to_virtual(physical_address)
                             : early_physical_to_virtual(physical_address);
}

static unsigned int table_index(uint64_t virtual_address, unsigned int level)
{
    return (virtual_address >> (PAGE_SHIFT + 9 * (level - 1))) & (ENTRIES_PER_TABLE - 1);
}

/* The entry for virtual_address at `level` (1 = L1), creating the tables
 * above it from table_source with table_flags added to their entries. */
static uint64_t *entry_created_from(uint64_t virtual_address, unsigned int level, boot_frame_source table_source,
                                    uint64_t table_flags)
{
    uint64_t *table = table_at(root_table_physical);

    for (unsigned int current = 4; current > level; current--) {
        uint64_t *entry = &table[table_index(virtual_address, current)];

        if (!(*entry & PTE_PRESENT))
            *entry = table_source() | PTE_PRESENT | PTE_WRITABLE | table_flags;
        BUG_ON(*entry & PTE_LARGE);
        table = table_at(*entry & PTE_ADDRESS_MASK);
    }
    return &table[table_index(virtual_address, level)];
}

static uint64_t *entry_for(uint64_t virtual_address, unsigned int level)
{
    return entry_created_from(virtual_address, level, allocate_table_frame, 0);
}

/* A page every guest may read and none may write (the M2P table in slot
 * 256): user-accessible at every level, read-only and not executable at
 * the last.  The hypervisor itself writes it through the direct map. */
void paging_map_guest_readable(uint64_t virtual_address, uint64_t physical_address, boot_frame_source table_source)
{
    *entry_created_from(virtual_address, 1, table_source, PTE_USER) =
        physical_address | PTE_PRESENT | PTE_USER | no_execute;
}

static void map_page(uint64_t virtual_address, uint64_t physical_address, uint64_t flags)
{
    *entry_for(virtual_address, 1) = physical_address | flags | PTE_PRESENT;
}

static void map_image(void)
{
    for (const uint8_t *page = text_start; page < image_end; page += PAGE_SIZE) {
        uint64_t flags;

        if (page < text_end)
            flags = 0;
        else if (page < rodata_end)
            flags = no_execute;
        else
            flags = PTE_WRITABLE | no_execute;
        map_page((uint64_t)page, (uint64_t)page - IMAGE_VIRT_BASE, flags);
    }
}

static void map_gdt_area(void)
{
    for (unsigned int page = 0; page < RESERVED_GDT_PAGE; page++)
        map_page(GDT_AREA_VIRT_START + page * PAGE_SIZE, (uint64_t)zero_page - IMAGE_VIRT_BASE,
                 no_execute);
    map_page(GDT_AREA_VIRT_START + RESERVED_GDT_PAGE * PAGE_SIZE,
             (uint64_t)reserved_gdt_page - IMAGE_VIRT_BASE, PTE_WRITABLE | no_execute);
    for (unsigned int page = 0; page < LDT_AREA_PAGES; page++)
        map_page(LDT_AREA_VIRT_START + page * PAGE_SIZE, (uint64_t)zero_page - IMAGE_VIRT_BASE, no_execute);
}

/* Descriptor frames (hypervisor-owned copies the guest's descriptors were
 * checked into) in the first count of area_pages pages at area_start, the
 * zero page in the rest.  They are writable because the CPU sets a
 * descriptor's accessed bit when it loads it.  An entry that already maps
 * the same frame the same way (the CPU's accessed and dirty bits aside) is
 * left alone, with no TLB invalidation: on a switch between two vCPUs
 * usually only the GDT's first page differs. */
static void map_descriptor_copies(uint64_t *entries, uint64_t area_start, unsigned int area_pages,
                                  const uint64_t *frames, unsigned int count)
{
    for (unsigned int page = 0; page < area_pages; page++) {
        uint64_t wanted = page < count ? frames[page] * PAGE_SIZE | PTE_PRESENT | PTE_WRITABLE | no_execute
                                       : ((uint64_t)zero_page - IMAGE_VIRT_BASE) | PTE_PRESENT | no_execute;

        if ((entries[page] & ~(PTE_ACCESSED | PTE_DIRTY)) == wanted)
            continue;
        entries[page] = wanted;
        invalidate_page(area_start + page * PAGE_SIZE);
    }
}

/* A vCPU's GDT copies in GDT pages 0..count-1, below pvmon's own page. */
void paging_map_guest_gdt(const uint64_t *frames, unsigned int count)
{
    map_descriptor_copies(gdt_area_entries, GDT_AREA_VIRT_START, RESERVED_GDT_PAGE, frames, count);
}

/* A vCPU's LDT copies in LDT pages 0..count-1. */
void paging_map_guest_ldt(const uint64_t *frames, unsigned int count)
{
    map_descriptor_copies(ldt_area_entries, LDT_AREA_VIRT_START, LDT_AREA_PAGES, frames, count);
}

/* Both areas must each sit in one L1 table for the entry arrays above. */
static uint64_t *area_entries(uint64_t area_start, unsigned int area_pages)
{
    BUG_ON(table_index(area_start, 1) + area_pages > ENTRIES_PER_TABLE);
    return entry_for(area_start, 1);
}

static bool holds_ram(const struct memory_region *region)
{
    return region->type != MEMORY_RESERVED && region->type != MEMORY_BAD;
}

static void map_direct_map(const struct memory_map *map)
{
    for (unsigned int index = 0; index < map->count; index++) {
        const struct memory_region *region = &map->regions[index];
        uint64_t start = region->start & ~(LARGE_PAGE_SIZE - 1);

        if (!holds_ram(region))
            continue;
        BUG_ON(region->end > DIRECT_MAP_SIZE);
        for (; start < region->end; start += LARGE_PAGE_SIZE)
            *entry_for(DIRECT_MAP_VIRT_START + start, 2) =
                start | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE | no_execute;
    }
}

/* How many page-table frames paging_init will take for this memory map:
 * at most one L2 per GiB and one L3 per 512 GiB that hold RAM, plus the
 * fixed tables for the image, the GDT area and the MMIO area. */
uint64_t paging_frames_needed(const struct memory_map *map)
{
    uint64_t image_pages = ((uint64_t)image_end - (uint64_t)text_start) / PAGE_SIZE;
    uint64_t frames = 1 + 3 * 3 + image_pages / ENTRIES_PER_TABLE + 1;

    for (unsigned int index = 0; index < map->count; index++) {
        const struct memory_region *region = &map->regions[index];

        if (holds_ram(region))
            frames += ((region->end - 1) >> 30) - (region->start >> 30) + 1 +
                      ((region->end - 1) >> 39) - (region->start >> 39) + 1;
    }
    return frames;
}

void paging_init(const struct memory_map *map, boot_frame_source allocate_zeroed_frame, bool use_nx)
{
    allocate_table_frame = allocate_zeroed_frame;
    no_execute = use_nx ? PTE_NO_EXECUTE : 0;
    root_table_physical = allocate_table_frame();
    map_image();
    map_gdt_area();
    map_direct_map(map);
    /* The MMIO area's L1 table exists before the switch, so that map_mmio
     * never needs the early mapping. */
    entry_for(MMIO_VIRT_START, 1);
    write_cr3(root_table_physical);
    direct_map_active = true;
    gdt_area_entries = area_entries(GDT_AREA_VIRT_START, RESERVED_GDT_PAGE + 1);
    ldt_area_entries = area_entries(LDT_AREA_VIRT_START, LDT_AREA_PAGES);
}

void *map_mmio(uint64_t physical_address, size_t size)
{
    uint64_t offset = physical_address & (PAGE_SIZE - 1);
    uint64_t first = physical_address - offset;
    uint64_t virtual_start = next_mmio_address;

    BUG_ON(!direct_map_active);
    for (uint64_t mapped = 0; mapped < offset + size; mapped += PAGE_SIZE) {
        BUG_ON(next_mmio_address >= MMIO_VIRT_END);
        map_page(next_mmio_address, first + mapped,
                 PTE_WRITABLE | PTE_CACHE_DISABLE | PTE_WRITE_THROUGH | no_execute);
        invalidate_page(next_mmio_address);
        next_mmio_address += PAGE_SIZE;
    }
    return (void *)(virtual_start + offset);
}

/* Every CR3 load flushes every translation (no PCID, no global pages):
 * the flush clock of pvmon/page_type.h counts them. */
static uint32_t full_flushes;

static void load_cr3_and_count(uint64_t root_page_table)
{
    write_cr3(root_page_table);
    full_flushes++;
}

uint32_t paging_full_flush_count(void)
{
    return full_flushes;
}

void paging_load_root(uint64_t root_page_table)
{
    load_cr3_and_count(root_page_table);
}

/* TLB maintenance after a guest's page-table update. */
void paging_invalidate_page(uint64_t virtual_address)
{
    invalidate_page(virtual_address);
}

void paging_flush_all(void)
{
    load_cr3_and_count(read_cr3());
}

void paging_load_hypervisor_root(void)
{
    load_cr3_and_count(root_table_physical);
}

/* The hypervisor's L4 slots 256-271 in a guest's L4: the same entries as in
 * pvmon's own table, whatever the guest put there (Xen's
 * init_xen_l4_slots).  They are supervisor-only, so ring 3 cannot use them. */
const uint64_t *paging_hypervisor_l4_entries(void)
{
    return (const uint64_t *)table_at(root_table_physical) + FIRST_HYPERVISOR_SLOT;
}

/* Pages are zeroed and copied with string instructions: one instruction
 * for the whole page, which TCG runs as a single fast helper. */
void page_zero(void *page)
{
    uint64_t count = PAGE_SIZE / sizeof(uint64_t);

    __asm__ volatile("rep stosq" : "+D"(page), "+c"(count) : "a"(0UL) : "memory");
}

void page_copy(void *destination, const void *source)
{
    uint64_t count = PAGE_SIZE / sizeof(uint64_t);

    __asm__ volatile("rep movsq" : "+D"(destination), "+S"(source), "+c"(count) : : "memory");
}

void paging_copy_hypervisor_slots(uint64_t *guest_root_table)
{
    const uint64_t *hypervisor_root = table_at(root_table_physical);

    for (unsigned int slot = FIRST_HYPERVISOR_SLOT; slot <= LAST_HYPERVISOR_SLOT; slot++)
        guest_root_table[slot] = hypervisor_root[slot];
}
