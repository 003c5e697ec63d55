/*
 * The serial line's input (kernel/serial_input.c): bytes the UART
 * received, switched between pvmon's debug keys and dom0 (common's
 * console_input.c has the rules, Xen's).
 */
#ifndef PVMON_SERIAL_INPUT_H
#define PVMON_SERIAL_INPUT_H

#include <stdint.h>

/* The end of boot (Xen's console_endboot): input goes to dom0 if there is
 * one (unless conswitch=<letter>x), with Xen's "*** Serial input to"
 * line; conswitch=<letter> chooses the switch letter (default a). */
void serial_input_start(const char *command_line);

/* From the timer interrupt: takes what the UART received. */
void serial_input_poll(void);

/* CONSOLEIO_read for the privileged domain: bytes copied to the guest's
 * buffer, -XEN_E2BIG or -XEN_EFAULT. */
long serial_input_read(uint32_t count, uint64_t buffer);

#endif
