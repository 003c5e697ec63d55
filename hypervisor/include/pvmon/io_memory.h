/*
 * I/O memory permissions: which machine frames a domain may map as device
 * memory (Xen's iomem_caps rangeset and iomem_access_permitted).
 *
 * Only the privileged dom0 has any.  Its permission is built as Xen's
 * dom0_build.c builds dom0's (dom0_setup_permissions): every frame the
 * machine can address, minus
 *   - the first MiB (firmware data, claimed by pvmon),
 *   - every frame a region of the merged memory map covers, except
 *     firmware "reserved" regions: RAM (usable, free or in use), ACPI
 *     tables and NVS, bad memory, and everything pvmon claims (its image,
 *     the frame table, boot modules and data),
 *   - the frames the hypervisor keeps for itself (the caller's list: the
 *     local APIC, the IOAPICs, the HPET: Xen denies the same),
 *   - the all-ones frame, which Xen's get_page_from_l1e reads as
 *     INVALID_MFN.
 * So a permitted frame is never RAM and never becomes RAM: an L1 entry
 * naming it holds no frame-table reference (pvmon/page_type.h).
 *
 * The ranges are kept sorted, disjoint and inclusive, in a fixed array.
 * Pure code, host-tested.
 */
#ifndef PVMON_IO_MEMORY_H
#define PVMON_IO_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/memory_map.h>

/* The removals below add at most one range each. */
#define IO_MEMORY_MAX_RANGES (MEMORY_MAP_MAX_REGIONS + 16)
#define IO_MEMORY_FIRST_FRAME UINT64_C(0x100)
/* The highest frame an L1 entry's address field names (Xen's
 * PADDR_MASK >> PAGE_SHIFT), which stands for INVALID_MFN. */
#define IO_MEMORY_INVALID_FRAME UINT64_C(0xffffffffff)

struct io_memory_range {
    uint64_t first;
    uint64_t last; /* inclusive */
};

struct io_memory {
    unsigned int count;
    struct io_memory_range ranges[IO_MEMORY_MAX_RANGES];
};

/*
 * dom0's permission on a machine with address_bits of physical address
 * (CPUID 0x80000008; 12 to 52), the merged memory map and the frames the
 * hypervisor keeps.  0, or -XEN_EINVAL for a bad width, -XEN_ENOSPC if
 * the ranges do not fit (io then permits nothing).
 */
int io_memory_init_dom0(struct io_memory *io, const struct memory_map *map, unsigned int address_bits,
                        const uint64_t *kept_frames, unsigned int kept_count);

bool io_memory_permits(const struct io_memory *io, uint64_t frame);

#endif
