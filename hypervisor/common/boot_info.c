/*
 * Parses the boot loader's hand-over into struct boot_info.
 *
 * multiboot2 (GRUB): a list of 8-byte-aligned tags after an 8-byte header;
 * pvmon reads the command line (1), boot loader name (2), modules (3) and
 * the memory map (6).  PVH (QEMU): struct hvm_start_info from Xen's public
 * arch-x86/hvm/start_info.h, version 1 or later for the memory map.  A
 * PVH module that is a cpio archive is unpacked into one module per
 * regular file.  Everything is bounds-checked against the sizes the loader
 * gives, and strings are copied, so nothing here is needed after boot.
 */
#include <pvmon/boot_archive.h>
#include <pvmon/boot_info.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <xen/arch-x86/hvm/start_info.h>

#define MULTIBOOT2_TAG_END 0
#define MULTIBOOT2_TAG_COMMAND_LINE 1
#define MULTIBOOT2_TAG_LOADER_NAME 2
#define MULTIBOOT2_TAG_MODULE 3
#define MULTIBOOT2_TAG_MEMORY_MAP 6

struct multiboot2_tag {
    uint32_t type;
    uint32_t size;
};

struct multiboot2_module {
    struct multiboot2_tag tag;
    uint32_t start;
    uint32_t end;
    char name[];
};

struct multiboot2_memory_map {
    struct multiboot2_tag tag;
    uint32_t entry_size;
    uint32_t entry_version;
};

struct multiboot2_memory_map_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;
    uint32_t reserved;
};

/* Copies a string of at most `available` bytes, always NUL-terminated. */
static void copy_bounded_string(char *destination, size_t destination_size, const char *source,
                                size_t available)
{
    size_t length = 0;

    while (length < available && length + 1 < destination_size && source[length] != '\0')
        length++;
    memcpy(destination, source, length);
    destination[length] = '\0';
}

static void boot_info_reset(struct boot_info *info, enum boot_protocol protocol)
{
    memset(info, 0, sizeof(*info));
    info->protocol = protocol;
    memory_map_init(&info->firmware_map);
}

static int add_module(struct boot_module *list, unsigned int *count, uint64_t start, uint64_t size,
                      const char *name, size_t name_available)
{
    struct boot_module *module;

    if (*count == BOOT_MAX_MODULES)
        return -XEN_E2BIG;
    module = &list[(*count)++];
    module->start = start;
    module->size = size;
    copy_bounded_string(module->name, sizeof(module->name), name, name_available);
    return 0;
}

static int parse_multiboot2_memory_map(struct boot_info *info, const struct multiboot2_tag *tag)
{
    const struct multiboot2_memory_map *map = (const void *)tag;
    const uint8_t *entry = (const uint8_t *)(map + 1);
    const uint8_t *end = (const uint8_t *)tag + tag->size;

    if (tag->size < sizeof(*map) || map->entry_size < sizeof(struct multiboot2_memory_map_entry))
        return -XEN_EINVAL;
    for (; entry + map->entry_size <= end; entry += map->entry_size) {
        const struct multiboot2_memory_map_entry *region = (const void *)entry;
        int error = memory_map_add(&info->firmware_map, region->base, region->length, region->type);

        if (error)
            return error;
    }
    return 0;
}

static int parse_multiboot2_tag(struct boot_info *info, const struct multiboot2_tag *tag)
{
    const char *payload = (const char *)(tag + 1);
    size_t payload_size = tag->size - sizeof(*tag);
    const struct multiboot2_module *module = (const void *)tag;

    switch (tag->type) {
    case MULTIBOOT2_TAG_COMMAND_LINE:
        copy_bounded_string(info->command_line, sizeof(info->command_line), payload, payload_size);
        return 0;
    case MULTIBOOT2_TAG_LOADER_NAME:
        copy_bounded_string(info->loader_name, sizeof(info->loader_name), payload, payload_size);
        return 0;
    case MULTIBOOT2_TAG_MODULE:
        if (tag->size < sizeof(*module) || module->end < module->start)
            return -XEN_EINVAL;
        return add_module(info->modules, &info->module_count, module->start,
                          module->end - module->start, module->name, tag->size - sizeof(*module));
    case MULTIBOOT2_TAG_MEMORY_MAP:
        return parse_multiboot2_memory_map(info, tag);
    default:
        return 0;
    }
}

int boot_info_from_multiboot2(struct boot_info *info, uint64_t information_address,
                              physical_memory_reader read_physical)
{
    const uint32_t *header = read_physical(information_address, 8);
    const uint8_t *start, *cursor, *end;

    boot_info_reset(info, BOOT_PROTOCOL_MULTIBOOT2);
    if (header == NULL || header[0] < 8)
        return -XEN_EINVAL;
    start = read_physical(information_address, header[0]);
    if (start == NULL)
        return -XEN_EINVAL;
    end = start + header[0];
    for (cursor = start + 8; cursor + sizeof(struct multiboot2_tag) <= end;) {
        const struct multiboot2_tag *tag = (const void *)cursor;
        int error;

        if (tag->type == MULTIBOOT2_TAG_END)
            break;
        if (tag->size < sizeof(*tag) || tag->size > (uint64_t)(end - cursor))
            return -XEN_EINVAL;
        error = parse_multiboot2_tag(info, tag);
        if (error)
            return error;
        cursor += (tag->size + 7) & ~7U;
    }
    memcpy(info->containers, info->modules, sizeof(info->modules));
    info->container_count = info->module_count;
    return 0;
}

static int unpack_archive(struct boot_info *info, const struct boot_module *container,
                          const void *contents)
{
    struct boot_archive archive;
    struct boot_archive_member member;
    int status;

    boot_archive_open(&archive, contents, container->size);
    while ((status = boot_archive_next(&archive, &member)) > 0) {
        int error;

        if (!boot_archive_member_is_regular_file(&member))
            continue;
        error = add_module(info->modules, &info->module_count,
                           container->start + (uint64_t)(member.data - (const uint8_t *)contents),
                           member.size, member.name, BOOT_MODULE_NAME_SIZE);
        if (error)
            return error;
    }
    return status;
}

static int parse_pvh_module(struct boot_info *info, const struct hvm_modlist_entry *entry,
                            physical_memory_reader read_physical)
{
    const char *name = "";
    size_t name_available = 0;
    const void *contents;
    int error;

    if (entry->cmdline_paddr != 0) {
        const char *string = read_physical(entry->cmdline_paddr, BOOT_MODULE_NAME_SIZE);

        if (string != NULL) {
            name = string;
            name_available = BOOT_MODULE_NAME_SIZE;
        }
    }
    error = add_module(info->containers, &info->container_count, entry->paddr, entry->size, name,
                       name_available);
    if (error)
        return error;
    contents = read_physical(entry->paddr, entry->size);
    if (contents == NULL)
        return -XEN_EINVAL;
    if (boot_archive_is_cpio(contents, entry->size))
        return unpack_archive(info, &info->containers[info->container_count - 1], contents);
    return add_module(info->modules, &info->module_count, entry->paddr, entry->size, name,
                      name_available);
}

static int parse_pvh_memory_map(struct boot_info *info, const struct hvm_start_info *start_info,
                                physical_memory_reader read_physical)
{
    const struct hvm_memmap_table_entry *entries;

    if (start_info->version < 1 || start_info->memmap_entries == 0)
        return -XEN_EINVAL;
    entries = read_physical(start_info->memmap_paddr,
                            (uint64_t)start_info->memmap_entries * sizeof(*entries));
    if (entries == NULL)
        return -XEN_EINVAL;
    for (uint32_t index = 0; index < start_info->memmap_entries; index++) {
        int error = memory_map_add(&info->firmware_map, entries[index].addr, entries[index].size,
                                   entries[index].type);
        if (error)
            return error;
    }
    return 0;
}

int boot_info_from_pvh(struct boot_info *info, uint64_t start_info_address,
                       physical_memory_reader read_physical)
{
    const struct hvm_start_info *start_info = read_physical(start_info_address, sizeof(*start_info));
    const struct hvm_modlist_entry *modules;
    int error;

    boot_info_reset(info, BOOT_PROTOCOL_PVH);
    if (start_info == NULL || start_info->magic != XEN_HVM_START_MAGIC_VALUE)
        return -XEN_EINVAL;
    copy_bounded_string(info->loader_name, sizeof(info->loader_name), "PVH", 4);
    if (start_info->cmdline_paddr != 0) {
        const char *command_line =
            read_physical(start_info->cmdline_paddr, sizeof(info->command_line));

        if (command_line != NULL)
            copy_bounded_string(info->command_line, sizeof(info->command_line), command_line,
                                sizeof(info->command_line));
    }
    error = parse_pvh_memory_map(info, start_info, read_physical);
    if (error)
        return error;
    if (start_info->nr_modules == 0)
        return 0;
    modules = read_physical(start_info->modlist_paddr,
                            (uint64_t)start_info->nr_modules * sizeof(*modules));
    if (modules == NULL)
        return -XEN_EINVAL;
    for (uint32_t index = 0; index < start_info->nr_modules; index++) {
        error = parse_pvh_module(info, &modules[index], read_physical);
        if (error)
            return error;
    }
    return 0;
}
