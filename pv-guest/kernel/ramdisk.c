/*
 * Finding a file in the initial ramdisk (see ramdisk.h): a walk over the
 * archive's members; a malformed archive ends the walk.
 */
#include <stdint.h>
#include <pvmon/string.h>
#include "ramdisk.h"

bool ramdisk_open(const struct start_info *start_info, struct boot_archive *archive)
{
    if (start_info->mod_start == 0 || start_info->mod_len == 0 ||
        !boot_archive_is_cpio((const void *)start_info->mod_start, start_info->mod_len))
        return false;
    boot_archive_open(archive, (const void *)start_info->mod_start, start_info->mod_len);
    return true;
}

bool ramdisk_find(const struct start_info *start_info, const char *name, struct boot_archive_member *file)
{
    struct boot_archive archive;

    if (!ramdisk_open(start_info, &archive))
        return false;
    while (boot_archive_next(&archive, file) == 1) {
        if (boot_archive_member_is_regular_file(file) && strcmp(file->name, name) == 0)
            return true;
    }
    return false;
}
