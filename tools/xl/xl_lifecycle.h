/*
 * What xl does when a domain ends (xl_vmcontrol.c's handle_domain_death):
 * the shutdown reason picks one of the domain's xl.cfg actions
 * (on_poweroff, on_reboot, on_crash; pvmon has no on_watchdog or
 * on_soft_reset key: their xl defaults, destroy and soft-reset, apply),
 * a suspended domain is left alone, an unknown reason destroys.  The
 * action then comes down to one step for the toolstack:
 *   destroy, coredump-destroy             destroy it
 *   restart, coredump-restart,
 *   rename-restart, soft-reset            destroy it and build it again
 *                                         from its config, same name
 *   preserve                              leave it, shut down, in the list
 * Where pvmon departs from xl: no core is dumped (pvmon cannot), and
 * rename-restart does not keep the old domain under a new name; both
 * are said in the log line the toolstack prints (xl_lifecycle_note).
 * Pure: the host unit tests compile it.
 */
#ifndef TOOLS_XL_XL_LIFECYCLE_H
#define TOOLS_XL_XL_LIFECYCLE_H

#include <stdint.h>
#include <kernel/domain_config.h>
#include "xl_config.h"

struct pvmon_domain_info;

struct lifecycle_actions {
    enum xl_action_on_shutdown on_poweroff;
    enum xl_action_on_shutdown on_reboot;
    enum xl_action_on_shutdown on_crash;
};

enum xl_lifecycle_step {
    XL_LIFECYCLE_KEEP,      /* still running, paused or suspended: nothing to do */
    XL_LIFECYCLE_DESTROY,
    XL_LIFECYCLE_RESTART,
    XL_LIFECYCLE_PRESERVE,  /* ended; it stays as it is */
};

/* The action an ended domain's configuration asks for (KEEP-worthy states give -1). */
int xl_lifecycle_action(const struct lifecycle_actions *actions, const struct pvmon_domain_info *info);

/* The step for a domain in the state info describes. */
enum xl_lifecycle_step xl_lifecycle_decide(const struct lifecycle_actions *actions,
                                           const struct pvmon_domain_info *info);

/* xl's words for a shutdown reason (SHUTDOWN_*): "poweroff", "reboot", ...; "unknown" otherwise. */
const char *xl_shutdown_reason_name(unsigned int reason);

/* What pvmon does not do of an action, for the log ("" when it does it all). */
const char *xl_lifecycle_note(enum xl_action_on_shutdown action);

/* An xl.cfg's domain as the toolstack builds it (weight: Xen's default 256), and its actions. */
void xl_config_to_domain_spec(const struct xl_domain_config *config, struct domain_spec *spec,
                              struct lifecycle_actions *actions);

#endif
