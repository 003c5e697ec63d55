/*
 * printk: formats a message and writes it to the serial console, starting
 * every line with "(pvmon) [seconds.microseconds] " and a marker for errors
 * and warnings.  A message may be written in pieces (no newline at its
 * end); the prefix goes only where a line begins.  Direct output
 * (printk_direct, dom0's interactive console) goes out as it is, its
 * line feeds not turned into CR LF (serial_write_raw); a log
 * line after an unfinished direct line starts on a new line.  What printk
 * writes to the serial line is also kept in the hypervisor's console
 * history (common/console_history.c, Xen's conring) for `xl dmesg`,
 * except what printk_unrecorded writes: dom0's own lines, which Xen keeps
 * out of its conring unless console_to_ring is set (and `xl dmesg` would
 * otherwise record itself); direct output is not kept either.
 */
#include <stdbool.h>
#include <pvmon/arch.h>
#include <pvmon/console_history.h>
#include <pvmon/format.h>
#include <pvmon/printk.h>
#include <pvmon/string.h>
#include <pvmon/time.h>

#define PRINTK_BUFFER_SIZE 512

static enum log_level current_level = LOG_INFO;
static bool at_line_start = true;
static bool recording_history = true;
struct console_history hypervisor_console_history;
static bool direct_line_open; /* direct output left the cursor mid-line */

void printk_set_level(enum log_level level)
{
    current_level = level;
}

static void emit(const char *text, size_t length)
{
    serial_write(text, length);
    if (recording_history)
        console_history_write(&hypervisor_console_history, text, length);
}

static void write_prefix(enum log_level level)
{
    char prefix[64];
    uint64_t nanoseconds = system_time_ns();
    const char *marker = level == LOG_ERROR ? "ERROR: " : level == LOG_WARNING ? "WARNING: " : "";
    int length = format_string(prefix, sizeof(prefix), "(pvmon) [%5lu.%06lu] %s",
                               (unsigned long)(nanoseconds / 1000000000),
                               (unsigned long)(nanoseconds / 1000 % 1000000), marker);

    emit(prefix, (size_t)length);
}

static void write_lines(enum log_level level, const char *text, size_t length)
{
    size_t line_start = 0;

    for (size_t index = 0; index < length; index++) {
        if (at_line_start) {
            if (direct_line_open)
                serial_write_raw("\r\n", 2);
            direct_line_open = false;
            write_prefix(level);
            at_line_start = false;
        }
        if (text[index] == '\n') {
            emit(text + line_start, index + 1 - line_start);
            line_start = index + 1;
            at_line_start = true;
        }
    }
    if (line_start < length)
        emit(text + line_start, length - line_start);
}

void printk_unrecorded(enum log_level level, const char *format, ...)
{
    va_list arguments;

    recording_history = false;
    va_start(arguments, format);
    printk_va(level, format, arguments);
    va_end(arguments);
    recording_history = true;
}

void printk_va(enum log_level level, const char *format, va_list arguments)
{
    char buffer[PRINTK_BUFFER_SIZE];
    int length;

    if (level > current_level)
        return;
    length = format_string_va(buffer, sizeof(buffer), format, arguments);
    if (length >= (int)sizeof(buffer)) {
        length = sizeof(buffer) - 1;
        buffer[length - 1] = '\n';
    }
    write_lines(level, buffer, (size_t)length);
}

void printk(enum log_level level, const char *format, ...)
{
    va_list arguments;

    va_start(arguments, format);
    printk_va(level, format, arguments);
    va_end(arguments);
}

void printk_direct(const char *text, size_t length)
{
    if (length == 0)
        return;
    serial_write_raw(text, length);
    direct_line_open = text[length - 1] != '\n';
}
