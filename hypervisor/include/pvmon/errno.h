/*
 * Error values inside pvmon.
 *
 * pvmon reports failures as negative Xen error numbers (XEN_EINVAL, ...),
 * taken from Xen's public <xen/errno.h>, so that a value computed deep in
 * the hypervisor can be handed to a guest unchanged.  Zero means success.
 * The XEN_ prefix keeps these apart from a host C library's errno macros,
 * so the same code compiles into the hypervisor and into host tests.
 */
#ifndef PVMON_ERRNO_H
#define PVMON_ERRNO_H

#include <xen/errno.h>

/* Xen's internal "preempted: this call continues later" (never handed to
 * a guest): the public <xen/errno.h> defines it for __XEN__ only. */
#ifndef XEN_ERESTART
#define XEN_ERESTART 85
#endif

#endif
