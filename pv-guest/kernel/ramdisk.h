/*
 * The kernel's initial ramdisk: the module the domain builder mapped for
 * it (start_info.mod_start is its virtual address, mod_len its size), a
 * cpio "newc" archive read with the hypervisor's own reader
 * (hypervisor/common/boot_archive.c), which never reads outside it.
 */
#ifndef PV_KERNEL_RAMDISK_H
#define PV_KERNEL_RAMDISK_H

#include <stdbool.h>
#include <pvmon/boot_archive.h>
#include <xen/xen.h>

/* True, with *file, if the ramdisk holds a regular file of that name. */
bool ramdisk_find(const struct start_info *start_info, const char *name, struct boot_archive_member *file);

/* True, with archive open at its first member, if there is a ramdisk (boot_archive_next walks it). */
bool ramdisk_open(const struct start_info *start_info, struct boot_archive *archive);

#endif
