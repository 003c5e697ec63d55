/*
 * A domU's xenstore home as libxl makes it (Xen 4.17
 * tools/libs/light/libxl_create.c, libxl__domain_make): the nodes and
 * the permission list of each, before the toolstack writes the values.
 *
 *   /local/domain/<id>             owned by dom0, readable by the domain
 *     memory, device, control      the same ("roperm")
 *     control/shutdown, control/feature-poweroff, control/feature-reboot,
 *     control/feature-suspend, control/sysrq,
 *     data, drivers, feature, attr, error
 *                                  owned by the domain ("rwperm")
 * and no access for any other domU.  Nodes dom0 writes below later
 * inherit their parent's list (so name, domid, memory/target, store/...
 * are the domain's to read, not to write); nodes the domain creates
 * under its own are its own.
 */
#ifndef PV_KERNEL_XENSTORE_HOME_H
#define PV_KERNEL_XENSTORE_HOME_H

#include "xenstore_path.h"

/* Creates (as dom0) the nodes above with their lists; an existing one gets its list again. */
int xenstore_home_create(xenstore_domain domain);

#endif
