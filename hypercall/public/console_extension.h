/*
 * pvmon's console_io extension: direct output for the privileged domain.
 *
 * Why: Xen writes the hardware domain's console output to the serial
 * line as it comes ("Use direct console output as it could be
 * interactive", xen/drivers/char/console.c guest_console_write), so that
 * dom0's shell can show a prompt without a newline, redraw its line with
 * escape sequences and show a domU's console raw.  pvmon's CONSOLEIO_write
 * keeps every guest's output in "(dN) " lines (the log the tests read),
 * dom0's included; dom0 asks for direct output by command instead.
 *
 *   console_io(PVMON_CONSOLEIO_write_direct, count, buffer)
 *       Writes count bytes (at most PVMON_CONSOLEIO_DIRECT_MAX) to the
 *       serial line as they are: no prefix, control bytes and escape
 *       sequences included, a "\n" not turned into "\r\n" (the caller
 *       writes "\r\n" where a terminal needs one).  0; -EINVAL for a count above the maximum,
 *       -EFAULT for an unreadable buffer (nothing written); -EPERM for a
 *       domU, checked before the buffer is looked at.  The hypervisor's
 *       next log line starts with its own prefix, on a new line if the
 *       direct output left one unfinished.
 */
#ifndef PVMON_PUBLIC_CONSOLE_EXTENSION_H
#define PVMON_PUBLIC_CONSOLE_EXTENSION_H

#define PVMON_CONSOLEIO_write_direct 64
#define PVMON_CONSOLEIO_DIRECT_MAX 1024

#endif
