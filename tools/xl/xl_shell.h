/*
 * dom0's shell: what dom0 runs with `shell` on its command line.  A
 * prompt, "root@dom0:~# " (Debian's root prompt), read by the line editor
 * (line_editor.h) from the serial line (runtime/console_input.h), split
 * into words (command_words.h); `xl VERB ...` runs one of xl's verbs
 * (xl_command.h, xl_toolstack.h), `help` lists what the shell knows,
 * `exit`, `logout` and `poweroff` (and Ctrl-D on an empty line) destroy
 * every domU and end the shell (dom0 then shuts down); anything else is
 * "-sh: WORD: not found", as a shell says.  The shell's screen goes out
 * unprefixed (public/console_extension.h: direct output; the serial line
 * sends every '\n' as "\r\n"); dom0's log lines keep their "(d0) " form.
 *
 * Guests named in /etc/xen/auto/ of dom0's ramdisk are started first
 * (xendomains), then /etc/motd is shown, if the ramdisk has one.  While
 * it waits for a key the shell sleeps until typing (VIRQ_CONSOLE), a
 * backend event or VIRQ_DOM_EXC, with no periodic wake: it serves every
 * domU's backends (domain_backends_service) each pass and watches the
 * domains (xl_toolstack_watch: on_poweroff, on_reboot, on_crash) after a
 * VIRQ_DOM_EXC and after each command; it takes at most
 * XL_SHELL_INPUT_CHUNK typed bytes per pass.  When it ends, dom0's log
 * says how often its loop woke, how long dom0 ran and how many
 * hypercalls pvmon counted over the session.
 */
#ifndef TOOLS_XL_XL_SHELL_H
#define TOOLS_XL_XL_SHELL_H

#include <xen/xen.h>

#define XL_SHELL_PROMPT "root@dom0:~# "
#define XL_SHELL_INPUT_CHUNK 64

/* Runs until the user ends it; 0, or a negative Xen error if it could not start. */
int xl_shell_run(const struct start_info *start_info);

/* Writes text to dom0's terminal as the shell does (direct output), each "\n" as "\r\n". */
void xl_shell_print(void *context, const char *text);

#endif
