/*
 * dom0's toolstack: starts the domains that the "domains" file of dom0's
 * ramdisk (a cpio "newc" archive, start_info.mod_start/mod_len) names,
 * through pvmon's domain_control hypercall, watches them, and reports.
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
