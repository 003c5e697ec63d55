/*
 * The PV kernel's console: printf-style output through the console_io
 * hypercall (the hypervisor prefixes each line with the domain id).
 */
#ifndef PV_GUEST_CONSOLE_H
#define PV_GUEST_CONSOLE_H

void console_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
