/*
 * The few C library string functions the freestanding hypervisor, our PV
 * kernel, its user programs and the native benchmark kernel need (each
 * links this file).  Host builds use the C library's own; the host unit
 * tests compile this file under other names (test_string.c) to check it.
 *
 * memcpy, memmove and memset are x86 string instructions, as Xen's are:
 * 8-byte words with rep movsq/stosq, then the tail with rep movsb/stosb.
 * A byte loop costs about 5 instructions a byte: GNTTABOP_copy moves every
 * byte of a domU's disk I/O through memcpy, and building a domain zeroes
 * all of its memory with memset.  Words rather than ERMS's rep movsb alone
 * because under QEMU's TCG (and -icount) every iteration of a rep is one
 * step, so a word is 8 times cheaper there, and no slower on hardware.
 * memmove copies backwards (std ... cld) when the destination overlaps the
 * source from above.  The direction flag is clear in the hypervisor
 * (SFMASK and cld at every entry) and at every C function boundary (SysV
 * ABI), so the forward copies rely on it and the backward one restores it.
 * The rest are plain loops: clear before fast; the compiler may not turn
 * them back into calls to themselves because every build of this file is
 * -ffreestanding.
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

/*
 * From the last byte down: the words first (the last 8 bytes, then the 8
 * below, ...), then the head bytes below them.  A movsq reads its whole
 * word before writing it, so a distance under 8 bytes is safe too.
 */
static void copy_backwards(void *destination, const void *source, size_t length)
{
    uintptr_t to = (uintptr_t)destination + length - sizeof(uint64_t);
    uintptr_t from = (uintptr_t)source + length - sizeof(uint64_t);
    size_t words = length / sizeof(uint64_t);
    size_t bytes = length % sizeof(uint64_t);

    __asm__ volatile("std\n\trep movsq\n\t"
                     "add $7, %%rdi\n\tadd $7, %%rsi\n\t"
                     "mov %[bytes], %%rcx\n\trep movsb\n\tcld"
                     : "+D"(to), "+S"(from), "+c"(words)
                     : [bytes] "r"(bytes)
                     : "memory", "cc");
}

void *memmove(void *destination, const void *source, size_t length)
{
    uintptr_t to = (uintptr_t)destination, from = (uintptr_t)source;

    if (to - from >= length)
        return memcpy(destination, source, length);
    copy_backwards(destination, source, length);
    return destination;
}

void *memset(void *destination, int value, size_t length)
{
    void *to = destination;
    uint64_t pattern = (unsigned char)value * UINT64_C(0x0101010101010101);
    size_t words = length / sizeof(uint64_t);
    size_t bytes = length % sizeof(uint64_t);

    __asm__ volatile("rep stosq" : "+D"(to), "+c"(words) : "a"(pattern) : "memory");
    __asm__ volatile("rep stosb" : "+D"(to), "+c"(bytes) : "a"(pattern) : "memory");
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
