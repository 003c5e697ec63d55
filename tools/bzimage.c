/*
 * Finding the compressed kernel inside an x86 bzImage (see bzimage.h for
 * the rules).  Pure: reads only the bytes it is given, allocates nothing.
 */
#include <string.h>

#include "bzimage.h"

/* Offsets of the setup header's fields in the image (boot protocol). */
#define SETUP_SECTS_OFFSET      0x1f1
#define SIGNATURE_OFFSET        0x202
#define VERSION_OFFSET          0x206
#define PAYLOAD_OFFSET_OFFSET   0x248
#define PAYLOAD_LENGTH_OFFSET   0x24c
#define SETUP_HEADER_END        0x250

#define SECTOR_SIZE             512
#define DEFAULT_SETUP_SECTS     4
#define FIRST_PAYLOAD_PROTOCOL  0x0208
#define SIZE_FIELD_LENGTH       4

static const uint8_t gzip_magic[] = { 0x1f, 0x8b };
static const uint8_t bzip2_magic[] = { 'B', 'Z', 'h' };
static const uint8_t lzma_magic[] = { 0x5d, 0x00, 0x00 };
static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t lzo_magic[] = { 0x89, 'L', 'Z', 'O', 0x00, '\r', '\n', 0x1a, '\n' };
static const uint8_t lz4_legacy_magic[] = { 0x02, 0x21, 0x4c, 0x18 };
static const uint8_t zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

#define COMPRESSION(format_name, magic_bytes, appended, command) \
    { .name = (format_name), .magic = (magic_bytes), .magic_length = sizeof(magic_bytes), \
      .size_appended = (appended), .decompressor = (command) }

/* Every format Linux can compress an x86 kernel with (CONFIG_KERNEL_*). */
static const struct bzimage_compression compressions[] = {
    COMPRESSION("gzip", gzip_magic, false, "gzip -dc"),
    COMPRESSION("bzip2", bzip2_magic, true, "bzip2 -dc"),
    COMPRESSION("lzma", lzma_magic, true, "xz -dc --format=lzma"),
    COMPRESSION("xz", xz_magic, true, "xz -dc"),
    COMPRESSION("lzo", lzo_magic, true, "lzop -dc"),
    COMPRESSION("lz4", lz4_legacy_magic, true, "lz4 -dc"),
    COMPRESSION("zstd", zstd_magic, true, "zstd -dc"),
};

static uint16_t read_le16(const uint8_t *bytes)
{
    return (uint16_t) (bytes[0] | bytes[1] << 8);
}

static uint32_t read_le32(const uint8_t *bytes)
{
    return (uint32_t) bytes[0] | (uint32_t) bytes[1] << 8 | (uint32_t) bytes[2] << 16 |
           (uint32_t) bytes[3] << 24;
}

static const struct bzimage_compression *identify(const uint8_t *stream, size_t length)
{
    for (size_t index = 0; index < sizeof(compressions) / sizeof(compressions[0]); index++) {
        const struct bzimage_compression *compression = &compressions[index];

        if (length >= compression->magic_length &&
            memcmp(stream, compression->magic, compression->magic_length) == 0)
            return compression;
    }
    return NULL;
}

enum bzimage_status bzimage_find_payload(const uint8_t *image, size_t size,
                                         struct bzimage_payload *payload)
{
    if (size < SETUP_HEADER_END)
        return BZIMAGE_TOO_SHORT;
    if (memcmp(image + SIGNATURE_OFFSET, "HdrS", 4) != 0)
        return BZIMAGE_NO_HEADER;
    payload->protocol_version = read_le16(image + VERSION_OFFSET);
    if (payload->protocol_version < FIRST_PAYLOAD_PROTOCOL)
        return BZIMAGE_OLD_PROTOCOL;

    size_t setup_sects = image[SETUP_SECTS_OFFSET];

    if (setup_sects == 0)
        setup_sects = DEFAULT_SETUP_SECTS;

    /* At most 256 sectors plus a 32-bit offset and length: no overflow in size_t. */
    size_t offset = (setup_sects + 1) * SECTOR_SIZE + read_le32(image + PAYLOAD_OFFSET_OFFSET);
    size_t length = read_le32(image + PAYLOAD_LENGTH_OFFSET);

    if (offset > size || length > size - offset)
        return BZIMAGE_PAYLOAD_OUTSIDE;
    if (length < SIZE_FIELD_LENGTH)
        return BZIMAGE_PAYLOAD_TOO_SHORT;

    const uint8_t *stream = image + offset;
    const struct bzimage_compression *compression = identify(stream, length - SIZE_FIELD_LENGTH);

    if (compression == NULL)
        return BZIMAGE_UNKNOWN_COMPRESSION;
    payload->offset = offset;
    payload->stream_length = compression->size_appended ? length - SIZE_FIELD_LENGTH : length;
    payload->decompressed_size = read_le32(stream + length - SIZE_FIELD_LENGTH);
    payload->compression = compression;
    return BZIMAGE_OK;
}

const char *bzimage_status_text(enum bzimage_status status)
{
    switch (status) {
    case BZIMAGE_OK:
        return "a bzImage";
    case BZIMAGE_TOO_SHORT:
        return "too short for a bzImage setup header";
    case BZIMAGE_NO_HEADER:
        return "no boot-protocol header (\"HdrS\" at 0x202): not a bzImage";
    case BZIMAGE_OLD_PROTOCOL:
        return "boot protocol older than 2.08, the first to give payload_offset and payload_length";
    case BZIMAGE_PAYLOAD_OUTSIDE:
        return "payload_offset/payload_length point beyond the end of the file";
    case BZIMAGE_PAYLOAD_TOO_SHORT:
        return "payload too short to hold a compressed kernel and its size";
    case BZIMAGE_UNKNOWN_COMPRESSION:
        return "payload in no known compression format (gzip, bzip2, lzma, xz, lzo, lz4, zstd)";
    }
    return "unknown status";
}
