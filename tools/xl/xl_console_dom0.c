/*
 * xl_console_attach (see xl_console.h): dom0's side of `xl console`, as
 * xenconsole's console_loop and xenconsoled do it between them in Xen's
 * dom0 (tools/console/client/main.c, tools/console/daemon/io.c).
 *
 * While attached, the domain's console output goes to dom0's terminal as
 * the domU wrote it (console_backend_set_raw, written with
 * PVMON_CONSOLEIO_write_direct), and each pass of the loop:
 *   - serves every backend once (domain_backends_service: this console's
 *     output, at most one ring of it, every other domU's console as log
 *     lines, the xenstore, the disks and the network), so a flooding domU
 *     costs a bounded amount per pass and typing is read every pass;
 *   - takes what was typed (console_input_take, never waiting) and queues
 *     it up to Ctrl-] (xl_console_input_take);
 *   - writes the queue into the domain's in ring, as much as fits, and
 *     notifies it (domain_backends_write_console_input);
 *   - on the first pass and after each VIRQ_DOM_EXC, asks the hypervisor
 *     whether the domain still runs; it ends the attachment when the
 *     domain has shut down, crashed or gone (the shell's watch then does
 *     what its on_poweroff, on_reboot or on_crash says), as xenconsole
 *     ends when the console goes away; otherwise the toolstack watches
 *     the other domains (xl_toolstack_watch), and should it have dealt
 *     with this one meanwhile (its backends disconnected, or connected
 *     again for a rebuilt domain), the attachment ends too;
 *   - unless something was typed (more may be waiting, announced before
 *     the flag was cleared), sleeps until typing (VIRQ_CONSOLE), a
 *     backend event or VIRQ_DOM_EXC, with no deadline: the domU's output
 *     comes with an event on its console port, and so does its reading of
 *     the in ring (hvc_xen's domU_read_console notifies), which is when
 *     queued bytes that did not fit get their next try.  Serving comes
 *     first in the pass because it clears the wake flag: whatever is
 *     announced after it is either taken in the same pass or wakes the
 *     sleep.
 * On the way out the console goes back to log lines and the terminal to
 * a fresh line; typed bytes that found the queue full are counted in the
 * log.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/errno.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/console_input.h>
#include <kernel/domain_backends.h>
#include <kernel/domain_builder.h>
#include "xl_console.h"
#include "xl_toolstack.h"

#define XL_CONSOLE_READ_BYTES 256

static void show_raw(const char *bytes, uint32_t length, void *context)
{
    (void)context;
    console_write_raw(bytes, length);
}

/* True while the domain exists and has neither shut down nor crashed. */
static bool domain_still_runs(uint16_t domain)
{
    struct pvmon_domain_info info;

    return domain_builder_get_info(domain, &info) == 0 && !domain_builder_has_ended(&info);
}

/* One pass's typing: how many bytes were typed, or a negative Xen error from the console. */
static long take_typing(struct domain_backends *backends, struct xl_console_input *input)
{
    char typed[XL_CONSOLE_READ_BYTES];
    long taken = console_input_take(typed, sizeof(typed));

    if (taken < 0)
        return taken;
    xl_console_input_take(input, typed, (uint32_t)taken);
    if (input->length > 0)
        xl_console_input_consume(input, domain_backends_write_console_input(backends, input->queue, input->length));
    return taken;
}

/* Whether the attachment goes on after the domains were looked at: the
 * domain still runs and its backends are still this attachment's. */
static bool still_attached(struct domain_backends *backends, uint16_t domain, bool look_at_domains)
{
    if (look_at_domains) {
        if (!domain_still_runs(domain))
            return false;
        xl_toolstack_watch();
    }
    return backends->console_connected && backends->domain == domain;
}

int xl_console_attach(struct domain_backends *backends)
{
    static struct xl_console_input input;
    bool look_at_domains = true;
    uint16_t domain = backends->domain;
    long result;

    if (!backends->console_connected)
        return -XEN_ENODEV;
    result = console_input_start();
    if (result < 0)
        return (int)result;
    xl_console_input_init(&input);
    console_backend_set_raw(&backends->console_output, show_raw, NULL);
    for (;;) {
        domain_backends_service();
        result = take_typing(backends, &input);
        if (result < 0 || input.detach)
            break;
        if (domain_backends_take_domain_exception())
            look_at_domains = true;
        if (!still_attached(backends, domain, look_at_domains))
            break;
        look_at_domains = false;
        if (result == 0)
            domain_backends_wait_until(NO_DEADLINE_NS);
    }
    if (backends->console_connected && backends->domain == domain)
        console_backend_set_raw(&backends->console_output, NULL, NULL);
    console_write_raw("\r\n", 2);
    if (input.dropped > 0)
        console_printf("xl console: %s: %lu typed bytes dropped: its console did not read them\n",
                       backends->domain_name, input.dropped);
    return result < 0 ? (int)result : 0;
}
