/*
 * A RAM image file (backend/image_file.h) for the host tests of the disk
 * image code: the bytes in a heap buffer of exactly the file's size (so
 * that AddressSanitizer stops an access beyond it), every operation
 * checked against the interface's rules, with counters of writes and
 * flushes, and a write budget: after writes_left writes (when not
 * negative) each further write fails with -EIO and changes nothing, as if
 * the machine had stopped.
 */
#ifndef TESTS_UNIT_RAM_IMAGE_FILE_H
#define TESTS_UNIT_RAM_IMAGE_FILE_H

#include <stdint.h>
#include <backend/image_file.h>

struct ram_image_file {
    struct image_file file;
    uint8_t *bytes;
    unsigned long writes;
    unsigned long flushes;
    long writes_left;          /* -1: no limit */
    unsigned long refused;     /* writes refused after the budget ran out */
};

/* A zeroed file of size bytes (a multiple of 512) named name. */
void ram_image_file_init(struct ram_image_file *ram, uint64_t size, const char *name);
void ram_image_file_release(struct ram_image_file *ram);

#endif
