/*
 * The machine's memory as the hypervisor manages it after boot: the merged
 * memory map, the frame table (one struct frame per 4 KiB machine frame)
 * and the buddy allocator over every usable frame that pvmon has not
 * claimed for its image, its boot modules, its page tables or the frame
 * table itself.
 */
#ifndef PVMON_MEMORY_H
#define PVMON_MEMORY_H

#include <stdbool.h>
#include <pvmon/boot_info.h>
#include <pvmon/frame_allocator.h>
#include <pvmon/memory_map.h>

void memory_init(const struct boot_info *info, bool use_nx);
const struct memory_map *memory_map(void);
struct frame_allocator *machine_frame_allocator(void);
void memory_print_summary(void);

#endif
