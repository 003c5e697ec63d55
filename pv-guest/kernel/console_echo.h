/*
 * role=console-echo: a domU that talks on its PV console ring, for the
 * tests of dom0's `xl console` without Linux.  It reads its console's in
 * half (console_input.h, as hvc_xen does) and answers on the out half
 * (console_ring.h's writer, as hvc_xen's domU_write_console), which dom0's
 * console backend drains; its log lines ("console-echo: ...") go through
 * console_io as every domU's do, so a test sees both sides.
 *
 *   prompt          "echo> " on the ring, after the banner
 *                   "console-echo: ready" and after every line
 *   a line (CR/LF)  answered "echo: LINE" on the ring and logged as
 *                   "console-echo: read 'LINE'"
 *   flood N         N numbered lines "flood line I of N" on the ring,
 *                   as fast as dom0 drains it, then "flood done"
 *   poweroff        SCHEDOP_shutdown(poweroff)
 *   reboot          SCHEDOP_shutdown(reboot)
 *   crash           SCHEDOP_shutdown(crash)
 * Nothing typed for seconds=S (default 300): it powers off.
 */
#ifndef PV_KERNEL_CONSOLE_ECHO_H
#define PV_KERNEL_CONSOLE_ECHO_H

/* Runs the role; returns only on error (a negative Xen error). */
int run_console_echo(const char *command_line);

#endif
