/*
 * module-checksum FILE...: prints "<crc32> <size> <file>" for each file,
 * the CRC-32 as 8 lowercase hex digits and the size in bytes, using the
 * hypervisor's own crc32() so that boot tests can compare what pvmon
 * reports about its boot modules with what was put into them.
 *
 * Each file is read whole into memory.  On any error it says why on
 * stderr, goes on with the remaining files and exits with status 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/crc32.h>

#define READ_CHUNK_SIZE (1024 * 1024)

/* Reads the whole file into a malloc'ed buffer; NULL with errno set on failure. */
static unsigned char *read_whole_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");

    if (file == NULL)
        return NULL;

    unsigned char *contents = NULL;
    size_t length = 0;
    size_t capacity = 0;

    for (;;) {
        if (capacity - length < READ_CHUNK_SIZE) {
            unsigned char *larger = realloc(contents, capacity + READ_CHUNK_SIZE);

            if (larger == NULL)
                break;
            contents = larger;
            capacity += READ_CHUNK_SIZE;
        }

        size_t read = fread(contents + length, 1, capacity - length, file);

        length += read;
        if (read == 0)
            break;
    }

    int read_error = ferror(file) ? errno : 0;
    bool complete = feof(file) && read_error == 0;

    fclose(file);
    if (!complete) {
        free(contents);
        errno = read_error != 0 ? read_error : ENOMEM;
        return NULL;
    }
    *size = length;
    return contents;
}

static int print_checksum(const char *path)
{
    size_t size;
    unsigned char *contents = read_whole_file(path, &size);

    if (contents == NULL) {
        fprintf(stderr, "module-checksum: %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("%08x %zu %s\n", (unsigned int) crc32(contents, size), size, path);
    free(contents);
    return 0;
}

int main(int argument_count, char **arguments)
{
    int status = EXIT_SUCCESS;

    if (argument_count < 2) {
        fprintf(stderr, "usage: module-checksum FILE...\n");
        return EXIT_FAILURE;
    }
    for (int index = 1; index < argument_count; index++) {
        if (print_checksum(arguments[index]) != 0)
            status = EXIT_FAILURE;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "module-checksum: writing the output: %s\n", strerror(errno));
        status = EXIT_FAILURE;
    }
    return status;
}
