/*
 * xl's command line (see xl_command.h).
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "xl_command.h"

#define MESSAGE_SIZE 160
#define MEBIBYTE_SHIFT 10
#define GIBIBYTE_SHIFT 20
#define TEBIBYTE_SHIFT 30
#define KIB_MAX (UINT64_C(1) << 63)

struct verb_spec {
    const char *name;
    enum xl_verb verb;
    unsigned int required;      /* positional arguments */
    const char *options;        /* the option letters it takes */
    const char *description;
    const char *usage;
    const char *option_help;    /* NULL: none */
};

static const struct verb_spec verbs[] = {
    { "create", XL_VERB_CREATE, 1, "p", "Create a domain from config file <filename>", "<ConfigFile> [options]",
      "-p                      Leave the domain paused after it is created.\n" },
    { "list", XL_VERB_LIST, 0, "", "List information about all/some domains", "[Domain]", NULL },
    { "destroy", XL_VERB_DESTROY, 1, "", "Terminate a domain immediately", "<Domain>", NULL },
    { "pause", XL_VERB_PAUSE, 1, "", "Pause execution of a domain", "<Domain>", NULL },
    { "unpause", XL_VERB_UNPAUSE, 1, "", "Unpause a paused domain", "<Domain>", NULL },
    { "console", XL_VERB_CONSOLE, 1, "", "Attach to domain's console", "<Domain>", NULL },
    { "mem-set", XL_VERB_MEM_SET, 2, "", "Set the current memory usage for a domain",
      "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
    { "info", XL_VERB_INFO, 0, "", "Get information about Xen host", "", NULL },
    { "dmesg", XL_VERB_DMESG, 0, "c", "Read and/or clear dmesg buffer", "[-c]",
      "  -c                        Clear dmesg buffer as well as printing it\n" },
    { "top", XL_VERB_TOP, 0, "", "Monitor a host and the domains in real time", "", NULL },
    { "block-checkpoint", XL_VERB_BLOCK_CHECKPOINT, 1, "",
      "Freeze a disk's image as a checkpoint; a new overlay takes its writes",
      "<Domain> <VirtualDevice> | <Disk>", NULL },
    { "block-checkpoint-list", XL_VERB_BLOCK_CHECKPOINT_LIST, 1, "", "List a disk's chain and its checkpoints",
      "<Domain> <VirtualDevice> | <Disk>", NULL },
    { "block-rollback", XL_VERB_BLOCK_ROLLBACK, 2, "",
      "Roll a disk no domain is using back to one of its checkpoints", "<Disk> <Checkpoint>", NULL },
};

#define VERB_COUNT (sizeof(verbs) / sizeof(verbs[0]))

static const struct verb_spec *find_verb(const char *name)
{
    for (unsigned int index = 0; index < VERB_COUNT; index++)
        if (strcmp(verbs[index].name, name) == 0)
            return &verbs[index];
    return NULL;
}

static void print_formatted_line(xl_print print, void *context, const char *prefix, const char *name,
                                 const char *suffix)
{
    char line[MESSAGE_SIZE];

    format_string(line, sizeof(line), "%s%s%s", prefix, name, suffix);
    print(context, line);
}

void xl_command_help(const char *topic, xl_print print, void *context)
{
    const struct verb_spec *verb;
    char line[MESSAGE_SIZE];

    if (topic == NULL || strcmp(topic, "help") == 0) {
        print(context, "Usage xl <subcommand> [args]\n\nxl full list of subcommands:\n\n");
        for (unsigned int index = 0; index < VERB_COUNT; index++) {
            format_string(line, sizeof(line), " %-19s %s\n", verbs[index].name, verbs[index].description);
            print(context, line);
        }
        return;
    }
    verb = find_verb(topic);
    if (verb == NULL) {
        print_formatted_line(print, context, "command \"", topic, "\" not implemented\n");
        return;
    }
    format_string(line, sizeof(line), "Usage: xl %s %s\n\n%s.\n\n", verb->name, verb->usage, verb->description);
    print(context, line);
    if (verb->option_help != NULL) {
        print(context, "Options:\n\n");
        print(context, verb->option_help);
        print(context, "\n");
    }
}

static bool has_letter(const char *letters, char letter)
{
    for (; *letters != '\0'; letters++)
        if (*letters == letter)
            return true;
    return false;
}

static bool is_option_word(const char *word)
{
    return word[0] == '-' && word[1] != '\0';
}

static void set_option(struct xl_command *command, char letter)
{
    if (letter == 'p')
        command->paused = true;
    else if (letter == 'c')
        command->clear = true;
}

/* The option letters of word (after its '-'); false with xl's message for one the verb lacks. */
static bool take_options(const struct verb_spec *verb, const char *word, struct xl_command *command,
                         xl_print print, void *context)
{
    char message[MESSAGE_SIZE];

    for (const char *letter = word + 1; *letter != '\0'; letter++) {
        if (!has_letter(verb->options, *letter)) {
            format_string(message, sizeof(message), "option `%c' not supported.\n", *letter);
            print(context, message);
            xl_command_help(verb->name, print, context);
            return false;
        }
        set_option(command, *letter);
    }
    return true;
}

/* <Domain> <VirtualDevice> or <Disk>: one argument names a disk. */
static void take_block_device(struct xl_command *command, unsigned int count, const char *const *positional)
{
    if (count == 1) {
        command->disk = positional[0];
    } else {
        command->domain = positional[0];
        command->vdev = positional[1];
    }
}

static void take_positional(struct xl_command *command, unsigned int position, const char *word)
{
    switch (command->verb) {
    case XL_VERB_BLOCK_ROLLBACK:
        if (position == 0)
            command->disk = word;
        else if (position == 1)
            command->checkpoint = word;
        break;
    case XL_VERB_CREATE:
        if (position == 0)
            command->file = word;
        break;
    case XL_VERB_LIST:
    case XL_VERB_DESTROY:
    case XL_VERB_PAUSE:
    case XL_VERB_UNPAUSE:
    case XL_VERB_CONSOLE:
    case XL_VERB_MEM_SET:
        if (position == 0)
            command->domain = word;
        break;
    default:
        break;
    }
}

static int refuse_memory_size(const char *text, xl_print print, void *context)
{
    print_formatted_line(print, context, "invalid memory size: ", text, "\n");
    return -XEN_EINVAL;
}

static int parse_verb_arguments(const struct verb_spec *verb, unsigned int argc, const char *const *argv,
                                struct xl_command *command, xl_print print, void *context)
{
    const char *positional[XL_COMMAND_ARGUMENTS_MAX];
    unsigned int positional_count = 0;
    bool options_ended = false;
    char message[MESSAGE_SIZE];

    for (unsigned int index = 2; index < argc; index++) {
        const char *word = argv[index];

        if (!options_ended && strcmp(word, "--") == 0) {
            options_ended = true;
        } else if (!options_ended && is_option_word(word)) {
            if (!take_options(verb, word, command, print, context))
                return -XEN_EINVAL;
        } else if (positional_count < XL_COMMAND_ARGUMENTS_MAX) {
            positional[positional_count++] = word;
        }
    }
    if (positional_count < verb->required) {
        format_string(message, sizeof(message), "'xl %s' requires at least %u argument%s.\n\n", verb->name,
                      verb->required, verb->required > 1 ? "s" : "");
        print(context, message);
        xl_command_help(verb->name, print, context);
        return -XEN_EINVAL;
    }
    for (unsigned int position = 0; position < positional_count; position++)
        take_positional(command, position, positional[position]);
    if (verb->verb == XL_VERB_BLOCK_CHECKPOINT || verb->verb == XL_VERB_BLOCK_CHECKPOINT_LIST)
        take_block_device(command, positional_count, positional);
    if (verb->verb == XL_VERB_MEM_SET && xl_parse_memory_size_kib(positional[1], &command->memory_kib) != 0)
        return refuse_memory_size(positional[1], print, context);
    return 0;
}

int xl_command_parse(unsigned int argc, const char *const *argv, struct xl_command *command, xl_print print,
                     void *context)
{
    const struct verb_spec *verb;

    *command = (struct xl_command) { .verb = XL_VERB_NONE };
    if (argc < 2) {
        xl_command_help(NULL, print, context);
        return -XEN_EINVAL;
    }
    if (strcmp(argv[1], "help") == 0) {
        command->verb = XL_VERB_HELP;
        command->topic = argc > 2 ? argv[2] : NULL;
        return 0;
    }
    verb = find_verb(argv[1]);
    if (verb == NULL) {
        print(context, "command not implemented\n");
        return -XEN_EINVAL;
    }
    command->verb = verb->verb;
    return parse_verb_arguments(verb, argc, argv, command, print, context);
}

static int suffix_shift(char suffix, int *shift)
{
    switch (suffix) {
    case 't':
    case 'T':
        *shift = TEBIBYTE_SHIFT;
        return 0;
    case 'g':
    case 'G':
        *shift = GIBIBYTE_SHIFT;
        return 0;
    case '\0':
    case 'm':
    case 'M':
        *shift = MEBIBYTE_SHIFT;
        return 0;
    case 'k':
    case 'K':
        *shift = 0;
        return 0;
    case 'b':
    case 'B':
        *shift = -MEBIBYTE_SHIFT;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

int xl_parse_memory_size_kib(const char *text, uint64_t *kib)
{
    const char *cursor = text;
    uint64_t value = 0;
    int shift;

    if (*cursor < '0' || *cursor > '9')
        return -XEN_EINVAL;
    for (; *cursor >= '0' && *cursor <= '9'; cursor++) {
        value = value * 10 + (uint64_t)(*cursor - '0');
        if (value > KIB_MAX)
            return -XEN_EINVAL;
    }
    if (*cursor != '\0' && cursor[1] != '\0')
        return -XEN_EINVAL;
    if (suffix_shift(*cursor, &shift) != 0)
        return -XEN_EINVAL;
    if (shift < 0) {
        *kib = value >> -shift;
        return 0;
    }
    if (value > (KIB_MAX >> shift))
        return -XEN_EINVAL;
    *kib = value << shift;
    return 0;
}
