/*
 * xl.cfg, the domain configuration file of `xl create`, for the subset of
 * keys pvmon supports (xl.cfg(5), Xen's docs/man/xl.cfg.5.pod.in).
 *
 * The syntax is libxlu's (tools/libs/util/libxlu_cfg_l.l and _y.y):
 *
 *   KEY = VALUE          one setting; KEY is [a-z][._0-9a-z]*
 *   KEY += VALUE         appends to the string or list set before
 *   ;  or a newline      ends a setting; the last one needs neither
 *   # ...                a comment, to the end of the line (or file)
 *   "text" or 'text'     a string, on one line, with the escapes
 *                        \" \' \\ \a \b \f \n \r \t \v (libxlu's numeric
 *                        escapes \xHH and \NNN are refused)
 *   128, 0x80, 0200      a number: decimal, hex or octal, as strtol's base 0
 *   [ V, V, ... ]        a list of strings or numbers, which may continue
 *                        over several lines (libxlu's only continuation),
 *                        a trailing comma allowed
 *
 * Any other character outside a string (a carriage return, a NUL, '-') is
 * a lexical error, as in libxlu.
 *
 * A key set twice keeps its last value, as libxlu's lookup does.  The keys:
 *
 *   name = "NAME"            mandatory; 1 to 31 printable ASCII characters,
 *                            none a space or a quote
 *   memory = MiB             initial memory (default: maxmem, else 32,
 *   maxmem = MiB             libxl's default); maxmem defaults to memory
 *                            and may not be below it; both 1 to 4096
 *   vcpus = 1                the only value pvmon runs
 *   kernel = "FILE"          mandatory: the PV kernel, a file of dom0's
 *   ramdisk = "FILE"         ramdisk, as the optional initial module
 *   cmdline = "TEXT"         the kernel's command line; without it,
 *   root = "DEVICE"          "root=ROOT EXTRA" as xl's parse_cmdline builds
 *   extra = "TEXT"           it (and a warning when cmdline overrides them)
 *   disk = [ 'SPEC', ... ]   up to CONFIG_MAX_DISKS vbds, each spec as the
 *                            domains file's disk line takes it, named or
 *                            positional (xl-disk-configuration;
 *                            pv-guest/kernel/domain_config.h), each vdev once
 *   vif = [ 'SPEC', ... ]    up to CONFIG_MAX_VIFS vifs (mac=, bridge=), each
 *                            mac once; the list index is the vif's devid
 *   on_poweroff = "ACTION"   what the toolstack does when the guest powers
 *   on_reboot = "ACTION"     off, reboots or crashes: destroy, restart,
 *   on_crash = "ACTION"      rename-restart, preserve, coredump-destroy,
 *                            coredump-restart, soft-reset (xl.cfg's names);
 *                            defaults destroy, restart, destroy as xl's
 *   type = "pv"              accepted for compatibility: pv only
 *
 * Any other key, a value of the wrong kind, a number out of bounds, a
 * string too long for its field and every syntax error is an error.  The
 * messages follow libxlu's and xl's (FILE:LINE: ...), e.g.
 *   guest.cfg:3: config parsing error near `-': lexical error
 *   guest.cfg:5: parameter `memory' is not a valid number
 *   guest.cfg:7: Unknown on_crash action "explode" specified
 * and reach the caller's report function, one line at a time without a
 * newline (a control character the file put in a message shows as '?');
 * parsing stops at the first error.  The text is untrusted:
 * nothing is read past size, every field is bounded, the work is linear in
 * the size.
 */
#ifndef TOOLS_XL_XL_CONFIG_H
#define TOOLS_XL_XL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/domain_config.h>

#define XL_CONFIG_MAX_MEMORY_MEBIBYTES 4096 /* PVMON_DOMAIN_CONTROL_MAX_PAGES */
#define XL_CONFIG_DEFAULT_MEMORY_MEBIBYTES 32
#define XL_CONFIG_MESSAGE_SIZE 160

/* libxl_action_on_shutdown's values, in its order. */
enum xl_action_on_shutdown {
    XL_ACTION_DESTROY,
    XL_ACTION_RESTART,
    XL_ACTION_RENAME_RESTART,
    XL_ACTION_PRESERVE,
    XL_ACTION_COREDUMP_DESTROY,
    XL_ACTION_COREDUMP_RESTART,
    XL_ACTION_SOFT_RESET,
};

struct xl_domain_config {
    char name[CONFIG_NAME_SIZE];
    uint64_t memory_mebibytes;
    uint64_t maxmem_mebibytes;
    unsigned int vcpus;
    char kernel_file[CONFIG_FILE_SIZE];
    char ramdisk_file[CONFIG_FILE_SIZE];          /* "": none */
    char command_line[CONFIG_COMMAND_LINE_SIZE];
    unsigned int disk_count;
    struct disk_spec disks[CONFIG_MAX_DISKS];
    unsigned int vif_count;
    struct vif_spec vifs[CONFIG_MAX_VIFS];        /* handle = index */
    enum xl_action_on_shutdown on_poweroff;
    enum xl_action_on_shutdown on_reboot;
    enum xl_action_on_shutdown on_crash;
};

/* Receives one message (a warning or the error), NUL-terminated, without a newline. */
typedef void (*xl_config_report)(void *context, const char *message);

/*
 * Parses text (size bytes, not NUL-terminated) read from file_name (used
 * only in messages).  Returns 0 with *config filled, or -XEN_EINVAL after
 * reporting the error.  report may be NULL.
 */
int xl_config_parse(const char *file_name, const char *text, uint64_t size, struct xl_domain_config *config,
                    xl_config_report report, void *report_context);

/* xl.cfg's name of an action ("destroy", ...), or NULL for a value out of the enum. */
const char *xl_action_on_shutdown_name(enum xl_action_on_shutdown action);

#endif
