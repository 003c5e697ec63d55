/*
 * One normalised view of the machine's physical memory.
 *
 * Firmware describes memory through multiboot2 or the PVH start info, both
 * with e820 type numbers; pvmon then claims ranges of its own (its image,
 * boot modules, the frame table).  All of these are added to one map, which
 * after every call keeps these rules:
 *
 *   - regions are sorted by start, do not overlap and are never empty;
 *   - neighbouring regions of the same type are merged into one;
 *   - where ranges overlap, the type of higher priority owns the overlap.
 *
 * Priority, lowest first: usable, ACPI reclaimable, pvmon's own claims
 * (hypervisor, boot module, boot data, frame table; among these the later
 * claim wins), reserved, ACPI NVS, bad.  So firmware can never be told
 * that pvmon owns memory the firmware reserved, and a claim of pvmon's
 * always takes memory away from the usable pool.  An unknown firmware type
 * number is stored as MEMORY_RESERVED.
 */
#ifndef PVMON_MEMORY_MAP_H
#define PVMON_MEMORY_MAP_H

#include <stdint.h>

enum memory_type {
    /* Firmware (e820) numbering. */
    MEMORY_USABLE = 1,
    MEMORY_RESERVED = 2,
    MEMORY_ACPI_RECLAIMABLE = 3,
    MEMORY_ACPI_NVS = 4,
    MEMORY_BAD = 5,
    /* Ranges pvmon claims for itself. */
    MEMORY_HYPERVISOR = 0x100,  /* pvmon's own image */
    MEMORY_BOOT_MODULE = 0x101, /* a boot module (dom0 kernel, ramdisk, archive) */
    MEMORY_BOOT_DATA = 0x102,   /* boot information structures and command lines */
    MEMORY_FRAME_TABLE = 0x103, /* the frame table, carved out at boot */
};

#define MEMORY_MAP_MAX_REGIONS 128

struct memory_region {
    uint64_t start;
    uint64_t end; /* exclusive */
    uint32_t type;
};

struct memory_map {
    unsigned int count;
    struct memory_region regions[MEMORY_MAP_MAX_REGIONS];
};

void memory_map_init(struct memory_map *map);

/*
 * Adds [start, start + length) with the given type, following the rules
 * above.  Returns 0 (also for length 0, which changes nothing),
 * -XEN_EINVAL if the range runs past the top of the 64-bit address space,
 * or -XEN_ENOSPC if the result would not fit, in which case the map is
 * left unchanged.  Uses a scratch map of about 3 KiB on the stack.
 */
int memory_map_add(struct memory_map *map, uint64_t start, uint64_t length, uint32_t type);

uint64_t memory_map_bytes_of_type(const struct memory_map *map, uint32_t type);

/* The highest end of a MEMORY_USABLE region, or 0 if there is none. */
uint64_t memory_map_end_of_usable(const struct memory_map *map);

/*
 * Finds the lowest start, a multiple of alignment, of a size-byte range
 * that lies inside one MEMORY_USABLE region and not below 1 MiB (the
 * first MiB holds firmware data structures).  Returns 0 and sets *start,
 * -XEN_EINVAL if size is 0 or alignment is not a power of two of at least
 * 4096, or -XEN_ENOMEM if no such range exists.
 */
int memory_map_find_usable(const struct memory_map *map, uint64_t size, uint64_t alignment,
                           uint64_t *start);

/* A short name for printing: "usable", "ACPI NVS", ..., "unknown". */
const char *memory_type_name(uint32_t type);

#endif
