/*
 * role=console-echo (see console_echo.h).  The ring page and its port
 * come from start_info (console.domU).  Like a terminal in cooked mode,
 * it echoes printable bytes as they come and ends a line at CR or LF (CR
 * LF counts once); other bytes are ignored, and a line longer than
 * ECHO_LINE_MAX is cut there.  Writing waits for room (dom0 drains the
 * ring) a bounded time per write, so a dom0 that stops draining cannot
 * hang the role past its deadline.
 */
#include <stdbool.h>
#include <stdint.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <pvmon/command_line.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/console_input.h>
#include <runtime/console_ring.h>
#include <runtime/runtime.h>
#include "console_echo.h"

#define ECHO_LINE_MAX 120
#define DEFAULT_SECONDS 300
#define ROOM_WAIT_NS (5 * NANOSECONDS_PER_MILLISECOND)
#define WRITE_DEADLINE_NS (10 * NANOSECONDS_PER_SECOND)

static struct console_ring_writer writer;
static evtchn_port_t console_port;

/* All of the bytes on the ring, waiting for room; 0 or a negative Xen error. */
static long put(const char *bytes, uint32_t length)
{
    uint64_t deadline = system_time_ns() + WRITE_DEADLINE_NS;

    while (length > 0) {
        long written = console_ring_put_output(&writer, bytes, length);

        if (written < 0)
            return written;
        if (written > 0)
            (void)hypercall_event_send(console_port); /* a lost event only delays dom0's drain */
        bytes += written;
        length -= (uint32_t)written;
        if (length > 0 && system_time_ns() > deadline)
            return -XEN_ETIMEDOUT;
        if (length > 0)
            sleep_until(system_time_ns() + ROOM_WAIT_NS);
    }
    return 0;
}

static long put_text(const char *text)
{
    return put(text, (uint32_t)strlen(text));
}

static long flood(const char *count_text)
{
    char line[64];
    uint64_t count = 0;

    for (const char *digit = count_text; *digit >= '0' && *digit <= '9'; digit++)
        count = count * 10 + (uint64_t)(*digit - '0');
    console_printf("console-echo: flooding %lu lines\n", count);
    for (uint64_t index = 1; index <= count; index++) {
        int length = format_string(line, sizeof(line), "flood line %lu of %lu\r\n", index, count);
        long result = put(line, (uint32_t)length);

        if (result != 0)
            return result;
    }
    console_printf("console-echo: flood done\n");
    return put_text("flood done\r\n");
}

/* Answers one line; 0, or a negative Xen error. */
static long answer(const char *line)
{
    char reply[ECHO_LINE_MAX + 16];

    console_printf("console-echo: read '%s'\n", line);
    if (strcmp(line, "poweroff") == 0 || strcmp(line, "reboot") == 0 || strcmp(line, "crash") == 0) {
        console_printf("console-echo: %s\n", line);
        hypercall_shutdown(strcmp(line, "poweroff") == 0 ? SHUTDOWN_poweroff
                           : strcmp(line, "reboot") == 0 ? SHUTDOWN_reboot : SHUTDOWN_crash);
    }
    if (strncmp(line, "flood ", 6) == 0)
        return flood(line + 6);
    format_string(reply, sizeof(reply), "echo: %s\r\n", line);
    return put_text(reply);
}

int run_console_echo(const char *command_line)
{
    const struct start_info *info = runtime_start_info;
    struct xencons_interface *ring = runtime_own_page(info->console.domU.mfn);
    uint64_t seconds = DEFAULT_SECONDS;
    char line[ECHO_LINE_MAX + 1], typed[64];
    uint32_t length = 0;
    bool after_carriage_return = false;
    long result;

    command_line_get_unsigned(command_line, "seconds", &seconds);
    console_port = info->console.domU.evtchn;
    if (ring == NULL || console_port == 0)
        return -XEN_EINVAL;
    console_ring_writer_start(&writer, ring);
    if ((result = console_input_start()) != 0 || (result = put_text("console-echo: ready\r\necho> ")) != 0)
        return (int)result;
    console_printf("console-echo: ready\n");
    for (uint64_t deadline = system_time_ns() + seconds * NANOSECONDS_PER_SECOND; system_time_ns() < deadline;) {
        long taken = console_input_take(typed, sizeof(typed));

        if (taken < 0)
            return (int)taken;
        for (long index = 0; index < taken; index++) {
            char byte = typed[index];
            bool line_feed_after_return = byte == '\n' && after_carriage_return;

            after_carriage_return = byte == '\r';
            if (line_feed_after_return)
                continue;
            if (byte != '\r' && byte != '\n') {
                if (length < ECHO_LINE_MAX && byte >= ' ' && byte < 0x7f && (result = put(&byte, 1)) == 0)
                    line[length++] = byte;
                continue;
            }
            line[length] = '\0';
            length = 0;
            if ((result = put_text("\r\n")) != 0 || (line[0] != '\0' && (result = answer(line)) != 0) ||
                (result = put_text("echo> ")) != 0)
                return (int)result;
        }
        if (taken == 0)
            console_input_wait_until(deadline);
    }
    console_printf("console-echo: nothing typed for %lu s\n", seconds);
    hypercall_shutdown(SHUTDOWN_poweroff);
    return 0;
}
