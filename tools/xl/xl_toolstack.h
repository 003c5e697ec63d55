/*
 * dom0's interactive toolstack: what xl's verbs do to live domains, on
 * the toolstack's shared steps (kernel/domain_builder.h) and its registry
 * (kernel/domain_registry.h), as libxl does for xl.
 *
 *   xl_toolstack_start     once: dom0's frame pool (the backends' pages),
 *                          an empty xenstore with dom0's home, an empty
 *                          registry
 *   xl_toolstack_create    an xl.cfg from dom0's ramdisk (a leading '/'
 *                          is dropped: /etc/xen/guest.cfg is the member
 *                          etc/xen/guest.cfg; kernel= and ramdisk= name
 *                          members the same way), built and, unless
 *                          paused, unpaused
 *   xl_toolstack_autostart every regular file under etc/xen/auto/, in the
 *                          archive's order (xendomains)
 *   xl_toolstack_watch     one look at every domU: one that has ended gets
 *                          its xl.cfg's action (xl_lifecycle.h): destroyed,
 *                          rebuilt from its config under the same name, or
 *                          preserved (its backends disconnected, shown
 *                          shut down by xl list until xl destroy)
 *   the verbs              destroy, pause, unpause, mem-set (the balloon's
 *                          memory/target, at most the domain's memory),
 *                          list, info, top (one xentop sample over a
 *                          second, the backends served meanwhile)
 * Every verb prints its output and xl's kind of message through print
 * and returns 0 or a negative Xen error number; nothing a user types can
 * stop dom0.  The toolstack's own log lines ("toolstack: ...", each
 * domain's console as "console dN: ...") go to dom0's log as before.
 */
#ifndef TOOLS_XL_XL_TOOLSTACK_H
#define TOOLS_XL_XL_TOOLSTACK_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include "xl_command.h"

int xl_toolstack_start(const struct start_info *start_info);
int xl_toolstack_create(const char *file, bool paused, xl_print print, void *context);
void xl_toolstack_autostart(xl_print print, void *context);
void xl_toolstack_watch(void);

int xl_toolstack_destroy(const char *qualifier, xl_print print, void *context);
int xl_toolstack_pause(const char *qualifier, bool pause, xl_print print, void *context);
int xl_toolstack_mem_set(const char *qualifier, uint64_t kib, xl_print print, void *context);
int xl_toolstack_list(const char *qualifier, xl_print print, void *context);
int xl_toolstack_info(xl_print print, void *context);
int xl_toolstack_top(xl_print print, void *context);

/* Destroys every domU (dom0 powering off). */
void xl_toolstack_destroy_all(void);

#endif
