/*
 * xl's command line, for the verbs pvmon's dom0 has: the verb table
 * (names, usage and descriptions as xl_cmdtable.c has them), the
 * arguments of each verb read into a struct xl_command, and xl's
 * messages when they are wrong (xl.c's main and help, xl_utils.c's
 * def_getopt, xl_mem.c's set_memory_target):
 *
 *     command not implemented                      an unknown verb
 *     'xl pause' requires at least 1 argument.     then the verb's help
 *     option `x' not supported.                    then the verb's help
 *     invalid memory size: 12q                     mem-set
 *
 * Options are single letters in words that begin with '-' (several may
 * share a word), anywhere among the arguments, as GNU getopt permutes
 * them; "--" ends them.  The verbs and their options:
 *   list [Domain]        create [-p] <ConfigFile>   destroy <Domain>
 *   pause <Domain>       unpause <Domain>           console <Domain>
 *   mem-set <Domain> <MemMB['b'|'k'|'m'|'g'|'t']>   info   top
 *   dmesg [-c]           help [verb]
 *   block-checkpoint <Domain> <VirtualDevice> | <Disk>
 *   block-checkpoint-list <Domain> <VirtualDevice> | <Disk>
 *   block-rollback <Disk> <Checkpoint>
 * (the block-* verbs are pvmon's own, in the spirit of xl block-attach:
 * docs/ARCHITECTURE.md, "Checkpoints"; one argument is a disk's name,
 * two a domain and its vdev).
 * Extra arguments are ignored, as xl does.  Pure: the host unit tests
 * compile it.
 */
#ifndef TOOLS_XL_XL_COMMAND_H
#define TOOLS_XL_XL_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#define XL_COMMAND_ARGUMENTS_MAX 8

enum xl_verb {
    XL_VERB_NONE, /* "xl" alone: the list of verbs */
    XL_VERB_LIST,
    XL_VERB_CREATE,
    XL_VERB_DESTROY,
    XL_VERB_PAUSE,
    XL_VERB_UNPAUSE,
    XL_VERB_CONSOLE,
    XL_VERB_MEM_SET,
    XL_VERB_INFO,
    XL_VERB_TOP,
    XL_VERB_DMESG,
    XL_VERB_HELP,
    XL_VERB_BLOCK_CHECKPOINT,
    XL_VERB_BLOCK_CHECKPOINT_LIST,
    XL_VERB_BLOCK_ROLLBACK,
};

struct xl_command {
    enum xl_verb verb;
    const char *domain;     /* list (NULL: all), destroy, pause, unpause, console, mem-set,
                               block-checkpoint[-list] with a vdev */
    const char *file;       /* create */
    bool paused;            /* create -p */
    uint64_t memory_kib;    /* mem-set */
    bool clear;             /* dmesg -c */
    const char *topic;      /* help VERB (NULL: all) */
    const char *vdev;       /* block-checkpoint[-list] <Domain> <VirtualDevice> */
    const char *disk;       /* block-checkpoint[-list] <Disk>, block-rollback */
    const char *checkpoint; /* block-rollback */
};

/* Receives xl's output or messages, NUL-terminated text. */
typedef void (*xl_print)(void *context, const char *text);

/*
 * Reads argv[0..argc) ("xl", the verb, its arguments; the strings must
 * outlive *command).  0: *command is ready to run; -XEN_EINVAL: xl's
 * message (and help) went to print.
 */
int xl_command_parse(unsigned int argc, const char *const *argv, struct xl_command *command, xl_print print,
                     void *context);

/* xl help [VERB]: every verb, or one verb's usage and options. */
void xl_command_help(const char *topic, xl_print print, void *context);

/*
 * xl's size syntax (xl_parse.c's parse_mem_size_kb): decimal digits and
 * at most one of b, k, m, g, t (either case; none: m), into KiB.  Where
 * pvmon departs: a number is required, and a sign or a size beyond
 * 2^63 KiB is refused.  0 or -XEN_EINVAL.
 */
int xl_parse_memory_size_kib(const char *text, uint64_t *kib);

#endif
