/*
 * Loading a program: a static ELF64 x86-64 executable from the initial
 * ramdisk becomes a new address space holding its loadable segments and a
 * stack with its arguments (the start-up convention is in user_abi.h).
 *
 * The image is untrusted: every header field is bounds-checked, every
 * loadable segment (empty ones are skipped) must lie in [USER_PROGRAM_BASE, USER_MMAP_BASE), start on a page
 * boundary, come after the one before it without sharing a page, and take
 * its file bytes from inside the image; the entry point must be in an
 * executable segment.  Writable segments are mapped writable, others
 * read-only; only executable ones lack NX.  Each page is filled through
 * the direct map before it is mapped: file bytes copied, the rest zero (a
 * zeroed page from the pool for partly filled pages).
 */
#ifndef PV_KERNEL_PROGRAM_LOADER_H
#define PV_KERNEL_PROGRAM_LOADER_H

#include <stdint.h>
#include "address_space.h"
#include "user_abi.h"

/* A program's arguments, copied into the kernel. */
struct program_arguments {
    unsigned int count;
    uint16_t offsets[USER_MAX_ARGUMENTS]; /* of each string in strings */
    uint64_t bytes_used;
    char strings[USER_MAX_ARGUMENT_BYTES];
};

/* Where the program starts: RIP, RSP, RDI (argc), RSI (argv). */
struct program_start {
    uint64_t entry;
    uint64_t stack_pointer;
    uint64_t argument_count;
    uint64_t argument_vector;
};

/* Appends one argument; -XEN_E2BIG when there is no room. */
int program_arguments_add(struct program_arguments *arguments, const char *text, uint64_t length);

/*
 * Builds *space (created here, pinned, submitted) for the image.  Returns
 * 0 with *start, -XEN_ENOEXEC for an image it does not accept, -XEN_ENOMEM
 * when memory runs out, or a page-table error; on failure nothing is left
 * allocated.
 */
int program_load(const uint8_t *image, uint64_t size, const struct program_arguments *arguments,
                 struct address_space *space, struct program_start *start);

#endif
