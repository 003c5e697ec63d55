/*
 * Checks of the hypercalls pvmon implements, run from inside a guest with
 * valid and invalid arguments (test=hypercalls on the kernel's command line).
 */
#ifndef PV_GUEST_HYPERCALL_CHECKS_H
#define PV_GUEST_HYPERCALL_CHECKS_H

#include <xen/xen.h>

void run_hypercall_checks(const struct start_info *start_info);

#endif
