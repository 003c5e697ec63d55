/*
 * What the boot loader told pvmon, in one form for both boot paths:
 * the command line, the boot modules, and the firmware memory map.
 * GRUB passes multiboot2 information; QEMU's PVH loader passes struct
 * hvm_start_info with at most one module, which may be a cpio ("newc")
 * archive carrying several modules (see common/boot_archive.c).
 */
#ifndef PVMON_BOOT_INFO_H
#define PVMON_BOOT_INFO_H

#include <stdint.h>
#include <pvmon/memory_map.h>

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289
#define BOOT_MAX_MODULES 16
#define BOOT_MODULE_NAME_SIZE 128
#define BOOT_COMMAND_LINE_SIZE 1024

enum boot_protocol {
    BOOT_PROTOCOL_MULTIBOOT2,
    BOOT_PROTOCOL_PVH,
};

struct boot_module {
    uint64_t start;         /* physical address */
    uint64_t size;          /* bytes */
    char name[BOOT_MODULE_NAME_SIZE];  /* GRUB's module string, or the archive member's name */
};

struct boot_info {
    enum boot_protocol protocol;
    char loader_name[64];
    char command_line[BOOT_COMMAND_LINE_SIZE];
    unsigned int module_count;
    struct boot_module modules[BOOT_MAX_MODULES];
    /* The containers the loader placed in memory (the modules themselves,
     * or the one PVH archive): what must not be handed out as free memory. */
    unsigned int container_count;
    struct boot_module containers[BOOT_MAX_MODULES];
    struct memory_map firmware_map;
};

/* Reads `length` bytes of physical memory at `physical_address`: returns a
 * pointer to them, or NULL where they cannot be reached. */
typedef const void *(*physical_memory_reader)(uint64_t physical_address, uint64_t length);

int boot_info_from_multiboot2(struct boot_info *info, uint64_t information_address,
                              physical_memory_reader read_physical);
int boot_info_from_pvh(struct boot_info *info, uint64_t start_info_address,
                       physical_memory_reader read_physical);

#endif
