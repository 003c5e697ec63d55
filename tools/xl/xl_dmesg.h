/*
 * `xl dmesg [-c]`: prints the hypervisor's console history and, with -c,
 * clears it (xl_misc.c's main_dmesg over libxl's console reader, which
 * calls XEN_SYSCTL_readconsole incrementally until a read brings nothing).
 * pvmon's history is domain_control's read_console
 * (hypercall/public/domain_control.h): the hypervisor's messages and the
 * domUs' lines, not dom0's own.
 *
 * xl_dmesg_copy is the loop, pure (host-tested): the first read starts at
 * the oldest byte kept, each next one where the last stopped, each at most
 * XL_DMESG_CHUNK_BYTES, and each chunk goes to the writer as it comes; with
 * clear every read drops what it returned.  It stops at the first empty
 * read, at the first error, or after XL_DMESG_MAX_BYTES (twice the
 * history: a history that fills as fast as it is read cannot keep dom0's
 * prompt away).
 */
#ifndef TOOLS_XL_XL_DMESG_H
#define TOOLS_XL_XL_DMESG_H

#include <stdbool.h>
#include <stdint.h>
#include <public/domain_control.h>

#define XL_DMESG_CHUNK_BYTES 1024u
#define XL_DMESG_MAX_BYTES (2u * PVMON_CONSOLE_HISTORY_BYTES)

/* read_console's contract: up to *count bytes into buffer, from the oldest
 * byte or, incremental, from *index; *count and *index updated.  0 or a
 * negative Xen error number. */
typedef int (*xl_dmesg_reader)(void *context, char *buffer, uint32_t *count, uint32_t *index, bool incremental,
                               bool clear);
/* Shows length bytes as they are: 0 or a negative Xen error number. */
typedef int (*xl_dmesg_writer)(void *context, const char *bytes, uint32_t length);

/* 0 once everything was shown, or the reader's or writer's error. */
int xl_dmesg_copy(xl_dmesg_reader read, xl_dmesg_writer write, void *context, bool clear);

/*
 * dom0 (xl_dmesg_dom0.c): the history read with hypercall_read_console,
 * shown on dom0's terminal as the shell's output (xl_shell_print).  0, or a negative Xen
 * error number (the caller says so, as xl's main_dmesg fails).
 */
int xl_dmesg(bool clear);

#endif
