/*
 * Memory and string primitives.
 *
 * These are the standard C prototypes and nothing more, so that the same
 * code compiles into the hypervisor (where hypervisor/common/string.c
 * provides them) and into host tests (where the C library does).
 */
#ifndef PVMON_STRING_H
#define PVMON_STRING_H

#include <stddef.h>

void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);

#endif
