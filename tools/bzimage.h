/*
 * Finding the compressed kernel inside an x86 bzImage (Linux's boot
 * protocol, Documentation/x86/boot.rst), as a pure function over the
 * image's bytes so that host unit tests can feed it any header.
 *
 * Rules it keeps:
 *   - only boot protocol 2.08 or later: the first with payload_offset and
 *     payload_length, which say where the compressed kernel is;
 *   - the setup code is setup_sects + 1 sectors of 512 bytes, where a
 *     setup_sects of 0 means 4; the payload starts payload_offset bytes
 *     after it and must lie wholly inside the image;
 *   - the format is recognised by its magic bytes alone, never guessed;
 *   - the last 4 bytes of every payload are the decompressed size, little
 *     endian (what the kernel's own decompressor reads).  gzip carries it
 *     in its trailer (ISIZE); for the other formats Linux appends it after
 *     the compressed stream, so it is not part of the stream, and
 *     bzimage_find_payload leaves it out of the stream's length.
 */
#ifndef PVMON_TOOLS_BZIMAGE_H
#define PVMON_TOOLS_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A compression format of the payload and the host command that undoes it. */
struct bzimage_compression {
    const char *name;            /* "xz", "gzip", ... */
    const uint8_t *magic;        /* the bytes a stream of this format starts with */
    size_t magic_length;
    bool size_appended;          /* Linux appended the 4-byte size after the stream */
    const char *decompressor;    /* reads the stream on stdin, writes the kernel to stdout */
};

enum bzimage_status {
    BZIMAGE_OK,
    BZIMAGE_TOO_SHORT,             /* smaller than the setup header */
    BZIMAGE_NO_HEADER,             /* no "HdrS" signature at 0x202 */
    BZIMAGE_OLD_PROTOCOL,          /* boot protocol before 2.08: no payload fields */
    BZIMAGE_PAYLOAD_OUTSIDE,       /* payload offset or length beyond the image */
    BZIMAGE_PAYLOAD_TOO_SHORT,     /* too short for a stream and its size */
    BZIMAGE_UNKNOWN_COMPRESSION,   /* no known magic at the payload's start */
};

struct bzimage_payload {
    uint16_t protocol_version;     /* e.g. 0x020f for 2.15; set once the signature is found */
    size_t offset;                 /* of the compressed stream in the image */
    size_t stream_length;          /* of the stream alone, without an appended size */
    uint32_t decompressed_size;    /* of the kernel (vmlinux), modulo 2^32 */
    const struct bzimage_compression *compression;
};

/*
 * Finds the compressed stream in image[0..size).  On BZIMAGE_OK every field
 * of *payload is set; otherwise only protocol_version may be.
 */
enum bzimage_status bzimage_find_payload(const uint8_t *image, size_t size,
                                         struct bzimage_payload *payload);

/* A sentence saying what the status means, for error messages. */
const char *bzimage_status_text(enum bzimage_status status);

#endif
