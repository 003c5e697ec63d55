/*
 * printf-style formatting into a bounded buffer, the engine behind printk.
 *
 * Both functions follow C's vsnprintf: when size > 0 they write at most
 * size - 1 characters followed by a NUL, when size is 0 they write nothing
 * (buffer may then be NULL), and they return the length the complete
 * output would have had, or -XEN_EOVERFLOW if that exceeds INT_MAX.
 *
 * Supported: conversions d i u x X o c s p %%, flags - 0 + space #, width
 * and precision as digits or *, length modifiers hh h l ll z t j.
 * %p prints "0x" and 16 lowercase hex digits; %s of NULL prints "(null)";
 * an unknown conversion is copied to the output as written.  There is no
 * floating point: ring 0 never touches the FPU.
 */
#ifndef PVMON_FORMAT_H
#define PVMON_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int format_string_va(char *buffer, size_t size, const char *format, va_list arguments);
int format_string(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
