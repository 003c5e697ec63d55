/*
 * The PV kernel's console: printf-style output through the console_io
 * hypercall (the hypervisor prefixes each line with the domain id).  One
 * call writes one CONSOLEIO_write, so lines from several domains never mix.
 */
#ifndef PV_RUNTIME_CONSOLE_H
#define PV_RUNTIME_CONSOLE_H

void console_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
