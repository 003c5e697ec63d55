/*
 * dom0's check of console input (test=console-input on dom0's command
 * line), for the boot test that types into QEMU's serial line:
 *
 *   - it binds VIRQ_CONSOLE (runtime/console_input.h) and says
 *     "pv-kernel: console-input: waiting for N lines" (lines=N, default 2);
 *   - at the first announcement, with input waiting, a CONSOLEIO_read into
 *     an unmapped buffer is -EFAULT and leaves the input where it was
 *     (Xen's do_console_io: the bytes are consumed only once copied);
 *   - it reads lines ending in CR or LF (an empty line is skipped: a
 *     terminal's CR LF) and echoes each, "pv-kernel: console-input: line
 *     K: 'TEXT'", with any control byte shown as ^X, so that a Ctrl-A
 *     that reached dom0 shows;
 *   - it gives up after CONSOLE_INPUT_CHECK_QUIET_SECONDS with no input.
 *
 * One PASS or FAIL line per case, then "console-input check: N passed,
 * N failed".
 */
#ifndef PV_KERNEL_CONSOLE_INPUT_CHECK_H
#define PV_KERNEL_CONSOLE_INPUT_CHECK_H

#define CONSOLE_INPUT_CHECK_QUIET_SECONDS 60

void console_input_check(const char *command_line);

#endif
