/*
 * test=console-input (see console_input_check.h): dom0 reads typed lines
 * through the runtime's console input and echoes them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <pvmon/command_line.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/console_input.h>
#include "console_input_check.h"

#define DEFAULT_LINES 2
#define LINE_LIMIT 120
#define UNMAPPED_GUEST_ADDRESS 0x10UL
#define QUIET_NS (CONSOLE_INPUT_CHECK_QUIET_SECONDS * NANOSECONDS_PER_SECOND)

struct line_reader {
    char text[LINE_LIMIT * 2 + 1]; /* every byte may show as two */
    uint32_t length;
    unsigned int lines_read;
    bool bad_pointer_checked;
};

static unsigned int passed;
static unsigned int failed;

static void expect(const char *name, bool holds, long got)
{
    if (holds) {
        passed++;
        console_printf("pv-kernel: PASS %s\n", name);
    } else {
        failed++;
        console_printf("pv-kernel: FAIL %s: got %ld\n", name, got);
    }
}

static void append_shown(struct line_reader *reader, char byte)
{
    if (reader->length >= LINE_LIMIT * 2)
        return;
    if ((unsigned char)byte < 0x20 || byte == 0x7f) {
        reader->text[reader->length++] = '^';
        byte = (char)(byte ^ 0x40);
    }
    reader->text[reader->length++] = byte;
}

static void take_byte(struct line_reader *reader, char byte)
{
    if (byte != '\r' && byte != '\n') {
        append_shown(reader, byte);
        return;
    }
    if (reader->length == 0)
        return;
    reader->text[reader->length] = '\0';
    reader->lines_read++;
    console_printf("pv-kernel: console-input: line %u: '%s'\n", reader->lines_read, reader->text);
    reader->length = 0;
}

/* With input waiting: a read into an unmapped buffer fails and keeps it. */
static void check_bad_pointer_keeps_input(struct line_reader *reader)
{
    char byte;
    long result = hypercall_console_read((char *)UNMAPPED_GUEST_ADDRESS, 16);

    reader->bad_pointer_checked = true;
    expect("console_io_read_into_an_unmapped_buffer_is_efault", result == -XEN_EFAULT, result);
    result = console_input_take(&byte, 1);
    expect("console_io_read_after_efault_still_has_the_input", result == 1, result);
    if (result == 1)
        take_byte(reader, byte);
}

/* Reads what has arrived; false on an error. */
static bool read_available(struct line_reader *reader, unsigned int lines_wanted)
{
    char chunk[32];
    long result;

    if (!reader->bad_pointer_checked)
        check_bad_pointer_keeps_input(reader);
    while (reader->lines_read < lines_wanted && (result = console_input_take(chunk, sizeof(chunk))) != 0) {
        if (result < 0) {
            expect("console_input_take_succeeds", false, result);
            return false;
        }
        for (long index = 0; index < result; index++)
            take_byte(reader, chunk[index]);
    }
    return true;
}

void console_input_check(const char *command_line)
{
    struct line_reader reader = { 0 };
    uint64_t lines_wanted = DEFAULT_LINES;
    int result;

    command_line_get_unsigned(command_line, "lines", &lines_wanted);
    result = console_input_start();
    expect("console_input_binds_virq_console", result == 0, result);
    if (result != 0)
        return;
    console_printf("pv-kernel: console-input: waiting for %lu lines\n", lines_wanted);
    while (reader.lines_read < lines_wanted) {
        if (!console_input_wait_until(system_time_ns() + QUIET_NS)) {
            console_printf("pv-kernel: console-input: no input for %u s\n", CONSOLE_INPUT_CHECK_QUIET_SECONDS);
            break;
        }
        if (!read_available(&reader, (unsigned int)lines_wanted))
            break;
    }
    expect("console_input_read_every_line", reader.lines_read == lines_wanted, reader.lines_read);
    console_printf("pv-kernel: console-input check: %u passed, %u failed\n", passed, failed);
}
