/*
 * The few C library string functions the freestanding hypervisor needs.
 * Host builds use the C library's own, so this file is ring 0 only.
 * Plain loops: clear before fast; the compiler may not turn them back into
 * calls to themselves because the hypervisor is built with -ffreestanding.
 * The exception is memcpy (and memmove, which uses it when the ranges do
 * not overlap backwards): GNTTABOP_copy moves every byte of a domU's disk
 * I/O through it, and a byte loop made that copy most of the cost of a PV
 * disk request (about 5 instructions a byte: 330k per 64 KiB).  It copies
 * 8-byte words with rep movsq, then the tail with rep movsb, as Xen's
 * memcpy does; the direction flag is clear in the hypervisor (SFMASK and
 * cld at every entry).
 */
#include <stdint.h>
#include <pvmon/string.h>

void *memcpy(void *destination, const void *source, size_t length)
{
    void *to = destination;
    size_t words = length / sizeof(uint64_t);
    size_t bytes = length % sizeof(uint64_t);

    __asm__ volatile("rep movsq" : "+D"(to), "+S"(source), "+c"(words) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(to), "+S"(source), "+c"(bytes) : : "memory");
    return destination;
}

void *memmove(void *destination, const void *source, size_t length)
{
    unsigned char *to = destination;
    const unsigned char *from = source;

    if (to < from || to >= from + length)
        return memcpy(destination, source, length);
    while (length--)
        to[length] = from[length];
    return destination;
}

void *memset(void *destination, int value, size_t length)
{
    unsigned char *to = destination;

    while (length--)
        *to++ = (unsigned char)value;
    return destination;
}

int memcmp(const void *left, const void *right, size_t length)
{
    const unsigned char *a = left, *b = right;

    for (size_t index = 0; index < length; index++) {
        if (a[index] != b[index])
            return a[index] - b[index];
    }
    return 0;
}

size_t strlen(const char *text)
{
    size_t length = 0;

    while (text[length] != '\0')
        length++;
    return length;
}

int strcmp(const char *left, const char *right)
{
    while (*left != '\0' && *left == *right) {
        left++;
        right++;
    }
    return (unsigned char)*left - (unsigned char)*right;
}

int strncmp(const char *left, const char *right, size_t length)
{
    for (size_t index = 0; index < length; index++) {
        if (left[index] != right[index] || left[index] == '\0')
            return (unsigned char)left[index] - (unsigned char)right[index];
    }
    return 0;
}
