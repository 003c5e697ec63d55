/*
 * `xl dmesg` in dom0 (see xl_dmesg.h): the hypervisor's console history
 * through domain_control's read_console (hypercall_read_console), shown
 * raw on dom0's terminal (console_write_raw), as xl writes it to stdout.
 */
#include <stddef.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include "xl_dmesg.h"

static int read_history(void *context, char *buffer, uint32_t *count, uint32_t *index, bool incremental,
                        bool clear)
{
    (void)context;
    return (int)hypercall_read_console(buffer, count, index, incremental, clear);
}

static int show_on_terminal(void *context, const char *bytes, uint32_t length)
{
    (void)context;
    return (int)console_write_raw(bytes, length);
}

int xl_dmesg(bool clear)
{
    return xl_dmesg_copy(read_history, show_on_terminal, NULL, clear);
}
