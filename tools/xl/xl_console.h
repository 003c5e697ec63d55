/*
 * `xl console NAME`: attaches dom0's console to a domU's console (xl
 * console(1): "Attach to the console of a domain ... Ctrl-] detaches").
 * xl's verb (xl_commands.h) finds the domain by name or id in the
 * toolstack's registry (kernel/domain_registry.h) and hands over that
 * domain's backends; the attachment itself (bytes typed go into the `in`
 * half of its console ring, its output shown raw, Ctrl-] returns, every
 * other backend kept served) is xl_console.c's.
 */
#ifndef TOOLS_XL_XL_CONSOLE_H
#define TOOLS_XL_XL_CONSOLE_H

struct domain_backends;

/*
 * Attached until the user types Ctrl-] (0x1d) or the domain's console
 * goes away; returns 0 then, or a negative Xen error number if it could
 * not attach (the backends' console is not connected).
 */
int xl_console_attach(struct domain_backends *backends);

#endif
