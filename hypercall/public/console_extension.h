/*
 * pvmon's console_io extension: the privileged domain's terminal output.
 *
 * Why: Xen writes the hardware domain's console output straight to the
 * serial line, because "it could be interactive" (xen/drivers/char/
 * console.c, guest_console_write: console_send for is_hardware_domain,
 * the "(dN) " prefix only for the others).  pvmon's CONSOLEIO_write keeps
 * the prefix and the control-character filter for dom0 too, so that
 * dom0's log lines read like every other domain's (docs/ARCHITECTURE.md);
 * an interactive dom0 (its shell's prompt and line editing, `xl console`
 * showing a domU's output as the domU wrote it) asks for Xen's behaviour
 * explicitly with this command instead.
 *
 *   PVMON_CONSOLEIO_write_raw  (console_io command, count, buffer as for
 *                              CONSOLEIO_write)
 *       Writes the count bytes to the serial line as they are: no prefix,
 *       no filter, escape sequences included.  A partial line dom0 left
 *       with CONSOLEIO_write is ended first, so the two never mix within a
 *       line.  The privileged domain's only (-EPERM to any other, as every
 *       console_io command but CONSOLEIO_write); -EFAULT for an unreadable
 *       buffer (what came before it is written).  Long writes continue as
 *       CONSOLEIO_write's do (preemption checked between 128-byte chunks).
 *
 * The number is far from Xen's (CONSOLEIO_write 0, CONSOLEIO_read 1), so
 * that Xen adding commands never meets it.
 */
#ifndef PVMON_PUBLIC_CONSOLE_EXTENSION_H
#define PVMON_PUBLIC_CONSOLE_EXTENSION_H

#define PVMON_CONSOLEIO_write_raw 0x70760001

#endif
