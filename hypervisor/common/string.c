/*
 * The few C library string functions the freestanding hypervisor needs.
 * Host builds use the C library's own, so this file is ring 0 only.
 * Plain loops: clear before fast; the compiler may not turn them back into
 * calls to themselves because the hypervisor is built with -ffreestanding.
 */
#include <pvmon/string.h>

void *memcpy(void *destination, const void *source, size_t length)
{
    unsigned char *to = destination;
    const unsigned char *from = source;

    while (length--)
        *to++ = *from++;
    return destination;
}

void *memmove(void *destination, const void *source, size_t length)
{
    unsigned char *to = destination;
    const unsigned char *from = source;

    if (to < from)
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
