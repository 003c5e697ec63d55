/*
 * A reader for "newc" cpio archives, the format of Linux initramfs images.
 * Several boot modules travel to pvmon in one PVH initrd this way.
 *
 * Each member is a 110-byte header of ASCII text (the magic "070701" and
 * thirteen 8-digit hex fields), the NUL-terminated name padded so that
 * header and name end on a 4-byte boundary, then the data padded to a
 * 4-byte boundary.  The member named "TRAILER!!!" ends the archive.
 *
 * The archive is untrusted: whatever its headers say, the reader never
 * reads outside [data, data + size) and never hands out a member that
 * extends beyond it.
 */
#ifndef PVMON_BOOT_ARCHIVE_H
#define PVMON_BOOT_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

struct boot_archive {
    const uint8_t *data;
    uint64_t size;
    uint64_t offset; /* of the next member's header */
};

struct boot_archive_member {
    const char *name;    /* NUL-terminated inside the archive */
    const uint8_t *data;
    uint64_t size;
    uint32_t mode;       /* file type and permission bits, as in st_mode */
};

/* True if data is at least one header long and starts with the newc magic. */
bool boot_archive_is_cpio(const void *data, uint64_t size);

void boot_archive_open(struct boot_archive *archive, const void *data, uint64_t size);

/*
 * Reads the next member: returns 1 with *member filled in, 0 at the
 * trailer (and on every later call), or -XEN_EINVAL if the archive is
 * malformed: a truncated header, a bad magic, a field that is not hex, a
 * name that is not NUL-terminated, or a name or data running past the end.
 */
int boot_archive_next(struct boot_archive *archive, struct boot_archive_member *member);

/* (mode & 0170000) == 0100000 */
bool boot_archive_member_is_regular_file(const struct boot_archive_member *member);

#endif
