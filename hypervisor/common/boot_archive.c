/*
 * The newc cpio reader (see pvmon/boot_archive.h).
 *
 * The archive is untrusted, so every length taken from it is checked
 * against the bytes left before it is used, always by subtracting from the
 * archive size (which cannot overflow) rather than adding to an offset.
 * Only the archive's own bytes are ever read, and a member is handed out
 * only once its name and data are known to lie inside the archive.
 */
#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>

#define MAGIC "070701"
#define MAGIC_LENGTH 6
#define FIELD_LENGTH 8
#define HEADER_SIZE 110
#define TRAILER_NAME "TRAILER!!!"
#define FILE_TYPE_MASK 0170000
#define REGULAR_FILE_TYPE 0100000

/* The thirteen header fields after the magic, in archive order. */
enum header_field {
    FIELD_INODE,
    FIELD_MODE,
    FIELD_USER,
    FIELD_GROUP,
    FIELD_LINK_COUNT,
    FIELD_MODIFICATION_TIME,
    FIELD_FILE_SIZE,
    FIELD_DEVICE_MAJOR,
    FIELD_DEVICE_MINOR,
    FIELD_SPECIAL_DEVICE_MAJOR,
    FIELD_SPECIAL_DEVICE_MINOR,
    FIELD_NAME_SIZE,
    FIELD_CHECKSUM,
    FIELD_COUNT,
};

_Static_assert(MAGIC_LENGTH + FIELD_COUNT * FIELD_LENGTH == HEADER_SIZE, "a newc header is 110 bytes");

bool boot_archive_is_cpio(const void *data, uint64_t size)
{
    return size >= HEADER_SIZE && memcmp(data, MAGIC, MAGIC_LENGTH) == 0;
}

void boot_archive_open(struct boot_archive *archive, const void *data, uint64_t size)
{
    archive->data = data;
    archive->size = size;
    archive->offset = 0;
}

bool boot_archive_member_is_regular_file(const struct boot_archive_member *member)
{
    return (member->mode & FILE_TYPE_MASK) == REGULAR_FILE_TYPE;
}

static int hex_digit_value(uint8_t character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    if (character >= 'a' && character <= 'f')
        return character - 'a' + 10;
    if (character >= 'A' && character <= 'F')
        return character - 'A' + 10;
    return -1;
}

static bool parse_field(const uint8_t *text, uint32_t *value)
{
    *value = 0;
    for (unsigned int index = 0; index < FIELD_LENGTH; index++) {
        int digit = hex_digit_value(text[index]);

        if (digit < 0)
            return false;
        *value = *value << 4 | (uint32_t) digit;
    }
    return true;
}

static bool parse_header(const uint8_t *header, uint32_t fields[FIELD_COUNT])
{
    if (memcmp(header, MAGIC, MAGIC_LENGTH) != 0)
        return false;
    for (unsigned int field = 0; field < FIELD_COUNT; field++) {
        if (!parse_field(header + MAGIC_LENGTH + field * FIELD_LENGTH, &fields[field]))
            return false;
    }
    return true;
}

/* Rounds offset (at most limit) up to the 4-byte boundary newc pads to; false if that passes limit. */
static bool pad_to_four(uint64_t offset, uint64_t limit, uint64_t *padded)
{
    uint64_t padding = (4 - (offset & 3)) & 3;

    if (padding > limit - offset)
        return false;
    *padded = offset + padding;
    return true;
}

static bool is_trailer(const char *name, uint32_t name_size)
{
    return name_size == sizeof(TRAILER_NAME) && memcmp(name, TRAILER_NAME, sizeof(TRAILER_NAME)) == 0;
}

int boot_archive_next(struct boot_archive *archive, struct boot_archive_member *member)
{
    uint64_t size = archive->size;
    uint64_t offset = archive->offset;
    uint32_t fields[FIELD_COUNT];

    if (offset > size || size - offset < HEADER_SIZE || !parse_header(archive->data + offset, fields))
        return -XEN_EINVAL;

    uint64_t name_offset = offset + HEADER_SIZE;
    uint32_t name_size = fields[FIELD_NAME_SIZE];
    const char *name = (const char *) archive->data + name_offset;

    if (name_size == 0 || name_size > size - name_offset || name[name_size - 1] != '\0')
        return -XEN_EINVAL;
    if (is_trailer(name, name_size))
        return 0;

    uint64_t data_offset;
    uint32_t data_size = fields[FIELD_FILE_SIZE];

    if (!pad_to_four(name_offset + name_size, size, &data_offset) || data_size > size - data_offset)
        return -XEN_EINVAL;

    *member = (struct boot_archive_member) {
        .name = name,
        .data = archive->data + data_offset,
        .size = data_size,
        .mode = fields[FIELD_MODE],
    };
    if (!pad_to_four(data_offset + data_size, size, &archive->offset))
        archive->offset = size; /* the final padding is missing: the next call finds no header */
    return 1;
}
