/*
 * What xl does when a domain ends (see xl_lifecycle.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/string.h>
#include <xen/sched.h>
#include <public/domain_control.h>
#include "xl_lifecycle.h"

#define XEN_DEFAULT_WEIGHT 256

/* libxl's defaults for the keys pvmon does not read. */
#define ON_WATCHDOG_DEFAULT XL_ACTION_DESTROY
#define ON_SOFT_RESET_DEFAULT XL_ACTION_SOFT_RESET

int xl_lifecycle_action(const struct lifecycle_actions *actions, const struct pvmon_domain_info *info)
{
    if (info->state == PVMON_DOMAIN_STATE_crashed)
        return (int)actions->on_crash;
    if (info->state != PVMON_DOMAIN_STATE_shutdown)
        return -1;
    switch (info->shutdown_reason) {
    case SHUTDOWN_poweroff:
        return (int)actions->on_poweroff;
    case SHUTDOWN_reboot:
        return (int)actions->on_reboot;
    case SHUTDOWN_suspend:
        return -1;
    case SHUTDOWN_crash:
        return (int)actions->on_crash;
    case SHUTDOWN_watchdog:
        return (int)ON_WATCHDOG_DEFAULT;
    case SHUTDOWN_soft_reset:
        return (int)ON_SOFT_RESET_DEFAULT;
    default:
        return (int)XL_ACTION_DESTROY;
    }
}

enum xl_lifecycle_step xl_lifecycle_decide(const struct lifecycle_actions *actions,
                                           const struct pvmon_domain_info *info)
{
    int action = xl_lifecycle_action(actions, info);

    switch (action) {
    case XL_ACTION_DESTROY:
    case XL_ACTION_COREDUMP_DESTROY:
        return XL_LIFECYCLE_DESTROY;
    case XL_ACTION_RESTART:
    case XL_ACTION_RENAME_RESTART:
    case XL_ACTION_COREDUMP_RESTART:
    case XL_ACTION_SOFT_RESET:
        return XL_LIFECYCLE_RESTART;
    case XL_ACTION_PRESERVE:
        return XL_LIFECYCLE_PRESERVE;
    default:
        return XL_LIFECYCLE_KEEP;
    }
}

const char *xl_shutdown_reason_name(unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return "poweroff";
    case SHUTDOWN_reboot:
        return "reboot";
    case SHUTDOWN_suspend:
        return "suspend";
    case SHUTDOWN_crash:
        return "crash";
    case SHUTDOWN_watchdog:
        return "watchdog";
    case SHUTDOWN_soft_reset:
        return "soft_reset";
    default:
        return "unknown";
    }
}

const char *xl_lifecycle_note(enum xl_action_on_shutdown action)
{
    switch (action) {
    case XL_ACTION_COREDUMP_DESTROY:
    case XL_ACTION_COREDUMP_RESTART:
        return " (pvmon dumps no core)";
    case XL_ACTION_RENAME_RESTART:
        return " (pvmon keeps no renamed copy)";
    default:
        return "";
    }
}

static void copy_text(char *destination, const char *source, size_t size)
{
    size_t length = strlen(source);

    if (length >= size)
        length = size - 1;
    memcpy(destination, source, length);
    destination[length] = '\0';
}

void xl_config_to_domain_spec(const struct xl_domain_config *config, struct domain_spec *spec,
                              struct lifecycle_actions *actions)
{
    *spec = (struct domain_spec) {
        .memory_mebibytes = config->memory_mebibytes,
        .weight = XEN_DEFAULT_WEIGHT,
        .disk_count = config->disk_count,
        .vif_count = config->vif_count,
    };
    copy_text(spec->name, config->name, sizeof(spec->name));
    copy_text(spec->kernel_file, config->kernel_file, sizeof(spec->kernel_file));
    copy_text(spec->ramdisk_file, config->ramdisk_file, sizeof(spec->ramdisk_file));
    copy_text(spec->command_line, config->command_line, sizeof(spec->command_line));
    memcpy(spec->disks, config->disks, sizeof(spec->disks));
    memcpy(spec->vifs, config->vifs, sizeof(spec->vifs));
    *actions = (struct lifecycle_actions) {
        .on_poweroff = config->on_poweroff, .on_reboot = config->on_reboot, .on_crash = config->on_crash,
    };
}
