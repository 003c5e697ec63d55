/*
 * The PV kernel's console: printf-style output through the console_io
 * hypercall (the hypervisor prefixes each line with the domain id).  One
 * call writes one CONSOLEIO_write, so lines from several domains never mix.
 */
#ifndef PV_RUNTIME_CONSOLE_H
#define PV_RUNTIME_CONSOLE_H

void console_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* dom0's terminal output: the bytes as they are, no prefix, no filter
 * (PVMON_CONSOLEIO_write_direct, in calls of at most
 * PVMON_CONSOLEIO_DIRECT_MAX bytes); 0 or the first negative Xen error
 * (-EPERM in a domU). */
long console_write_raw(const char *bytes, unsigned long length);

#endif
