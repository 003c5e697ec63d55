/*
 * console_printf: formats with the hypervisor's own pure formatter
 * (hypervisor/common/format.c, compiled into every guest as well) and
 * writes the whole line with one CONSOLEIO_write; console_write_raw is
 * dom0's terminal output (public/console_extension.h).
 */
#include <stdarg.h>
#include <pvmon/format.h>
#include <guest/hypercall.h>
#include "console.h"

#define CONSOLE_LINE_SIZE 256

void console_printf(const char *format, ...)
{
    char line[CONSOLE_LINE_SIZE];
    va_list arguments;
    int length;

    va_start(arguments, format);
    length = format_string_va(line, sizeof(line), format, arguments);
    va_end(arguments);
    if (length > (int)sizeof(line) - 1)
        length = sizeof(line) - 1;
    hypercall_console_write(line, (unsigned long)length);
}

long console_write_raw(const char *bytes, unsigned long length)
{
    while (length > 0) {
        unsigned long chunk = length < PVMON_CONSOLEIO_DIRECT_MAX ? length : PVMON_CONSOLEIO_DIRECT_MAX;
        long result = hypercall_console_write_direct(bytes, chunk);

        if (result != 0)
            return result;
        bytes += chunk;
        length -= chunk;
    }
    return 0;
}
