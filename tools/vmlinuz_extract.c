/*
 * vmlinuz-extract: takes the compressed kernel out of an x86 bzImage, so
 * that a host decompressor can turn it back into the ELF vmlinux a Xen PV
 * domain builder loads (tools/vmlinuz-to-elf.sh does the whole job).
 *
 *   vmlinuz-extract BZIMAGE              writes the compressed stream to stdout and
 *                                        says on stderr what it is and what undoes it
 *   vmlinuz-extract --describe BZIMAGE   prints "FORMAT SIZE DECOMPRESSOR...": the
 *                                        format, the decompressed size in bytes, and
 *                                        the command that decompresses stdin to stdout
 *
 * The stream is written without the 4-byte size Linux appends to it (see
 * bzimage.h), so that every decompressor reads exactly one stream and no
 * trailing bytes.  The image is read whole into memory.  Exits 0 on
 * success; on any error says why on stderr and exits 1.
 */
#define _POSIX_C_SOURCE 200809L /* fileno, isatty */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bzimage.h"

static const char *program = "vmlinuz-extract";

static void usage(void)
{
    fprintf(stderr, "usage: %s BZIMAGE > STREAM\n"
                    "       %s --describe BZIMAGE\n", program, program);
}

/* Reads the whole regular file at path into a malloc'ed buffer; false with a message if not. */
static bool read_image(const char *path, uint8_t **contents, size_t *size)
{
    FILE *file = fopen(path, "rb");

    if (file == NULL) {
        fprintf(stderr, "%s: %s: %s\n", program, path, strerror(errno));
        return false;
    }

    struct stat status;

    if (fstat(fileno(file), &status) != 0 || !S_ISREG(status.st_mode)) {
        fprintf(stderr, "%s: %s: not a regular file\n", program, path);
        fclose(file);
        return false;
    }
    *size = (size_t) status.st_size;
    *contents = malloc(*size > 0 ? *size : 1);
    if (*contents == NULL) {
        fprintf(stderr, "%s: %s: no memory for %zu bytes\n", program, path, *size);
        fclose(file);
        return false;
    }

    bool complete = fread(*contents, 1, *size, file) == *size;

    if (!complete)
        fprintf(stderr, "%s: %s: %s\n", program, path,
                ferror(file) ? strerror(errno) : "file shrank while being read");
    fclose(file);
    if (!complete)
        free(*contents);
    return complete;
}

static unsigned int protocol_major(const struct bzimage_payload *payload)
{
    return payload->protocol_version >> 8;
}

static unsigned int protocol_minor(const struct bzimage_payload *payload)
{
    return payload->protocol_version & 0xff;
}

static bool write_stream(const uint8_t *stream, size_t length)
{
    if (fwrite(stream, 1, length, stdout) != length || fflush(stdout) != 0) {
        fprintf(stderr, "%s: writing the stream: %s\n", program, strerror(errno));
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    bool describe = argc == 3 && strcmp(argv[1], "--describe") == 0;

    if (argc != 2 && !describe) {
        usage();
        return EXIT_FAILURE;
    }

    const char *path = argv[argc - 1];

    if (!describe && isatty(STDOUT_FILENO)) {
        fprintf(stderr, "%s: the compressed stream is binary: redirect stdout to a file or a pipe\n",
                program);
        return EXIT_FAILURE;
    }

    uint8_t *image;
    size_t size;

    if (!read_image(path, &image, &size))
        return EXIT_FAILURE;

    struct bzimage_payload payload;
    enum bzimage_status status = bzimage_find_payload(image, size, &payload);

    if (status != BZIMAGE_OK) {
        if (status == BZIMAGE_OLD_PROTOCOL)
            fprintf(stderr, "%s: %s: %s (it has %u.%02u)\n", program, path,
                    bzimage_status_text(status), protocol_major(&payload), protocol_minor(&payload));
        else
            fprintf(stderr, "%s: %s: %s\n", program, path, bzimage_status_text(status));
        free(image);
        return EXIT_FAILURE;
    }

    bool written;

    if (describe) {
        written = printf("%s %lu %s\n", payload.compression->name,
                         (unsigned long) payload.decompressed_size,
                         payload.compression->decompressor) > 0 && fflush(stdout) == 0;
        if (!written)
            fprintf(stderr, "%s: writing the description: %s\n", program, strerror(errno));
    } else {
        fprintf(stderr, "%s: %s: boot protocol %u.%02u, %s stream of %zu bytes at offset %zu, "
                        "%lu bytes decompressed; decompress with '%s'\n",
                program, path, protocol_major(&payload), protocol_minor(&payload),
                payload.compression->name, payload.stream_length, payload.offset,
                (unsigned long) payload.decompressed_size, payload.compression->decompressor);
        written = write_stream(image + payload.offset, payload.stream_length);
    }
    free(image);
    return written ? EXIT_SUCCESS : EXIT_FAILURE;
}
