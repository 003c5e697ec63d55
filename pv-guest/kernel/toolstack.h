/*
 * dom0's toolstack, in the spirit of xl: starts the domains that the
 * "domains" file of dom0's ramdisk (a cpio "newc" archive,
 * start_info.mod_start/mod_len) names, scenario after scenario, through
 * pvmon's domain_control hypercall; connects each domU to dom0's backends
 * (domain_backends.h: its xenstore and console rings, its xenstore home)
 * and sets the memory targets the file asks for; watches the domains
 * until they end or the scenario's deadline passes, and reports.
 */
#ifndef PV_KERNEL_TOOLSTACK_H
#define PV_KERNEL_TOOLSTACK_H

#include <stdbool.h>
#include <xen/xen.h>

/* True if start_info carries a ramdisk with a "domains" file. */
bool toolstack_has_work(const struct start_info *start_info);

/* Runs every scenario of the "domains" file; returns 0 if it could run them all. */
int toolstack_run(const struct start_info *start_info);

#endif
