/*
 * `xl dmesg` in dom0 (see xl_dmesg.h): the hypervisor's console history
 * through domain_control's read_console (hypercall_read_console), shown
 * on dom0's terminal as the shell shows everything (xl_shell_print:
 * direct output, '\n' as "\r\n"), as xl writes it to stdout.  The history
 * holds no NUL byte (the hypervisor's messages, and domUs' lines with
 * control bytes replaced), so a chunk is shown as a string.
 */
#include <guest/hypercall.h>
#include <pvmon/string.h>
#include "xl_dmesg.h"
#include "xl_shell.h"

static int read_history(void *context, char *buffer, uint32_t *count, uint32_t *index, bool incremental,
                        bool clear)
{
    (void)context;
    return (int)hypercall_read_console(buffer, count, index, incremental, clear);
}

static int show_on_terminal(void *context, const char *bytes, uint32_t length)
{
    static char text[XL_DMESG_CHUNK_BYTES + 1];

    if (length > XL_DMESG_CHUNK_BYTES)
        length = XL_DMESG_CHUNK_BYTES;
    memcpy(text, bytes, length);
    text[length] = '\0';
    xl_shell_print(context, text);
    return 0;
}

int xl_dmesg(bool clear)
{
    return xl_dmesg_copy(read_history, show_on_terminal, NULL, clear);
}
