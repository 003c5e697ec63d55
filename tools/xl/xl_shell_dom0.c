/*
 * dom0's shell (see xl_shell.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/console_input.h>
#include <kernel/domain_backends.h>
#include <kernel/domain_builder.h>
#include <kernel/domain_registry.h>
#include <kernel/ramdisk.h>
#include "command_words.h"
#include "xl_block.h"
#include "line_editor.h"
#include "xl_command.h"
#include "xl_console.h"
#include "xl_dmesg.h"
#include "xl_shell.h"
#include "xl_toolstack.h"

#define MOTD_MAX 512

enum shell_outcome {
    SHELL_CONTINUES,
    SHELL_ENDS,
};

static struct line_editor editor;
static bool line_ran;
static uint64_t loop_wakes;

/* --- the screen: direct output (runtime/console.h console_write_raw) ---------- */

/* The terminal's line end: direct output is not translated (public/console_extension.h). */
void xl_shell_print(void *context, const char *text)
{
    size_t line_start = 0;
    size_t index;

    (void)context;
    for (index = 0; text[index] != '\0'; index++) {
        if (text[index] == '\n') {
            console_write_raw(text + line_start, index - line_start);
            console_write_raw("\r\n", 2);
            line_start = index + 1;
        }
    }
    console_write_raw(text + line_start, index - line_start);
}

static void write_for_editor(void *context, const char *bytes, size_t length)
{
    (void)context;
    console_write_raw(bytes, length);
}

/* --- xl's verbs ------------------------------------------------------------- */

static int run_console(const char *qualifier)
{
    struct domain_backends *backends;

    backends = domain_registry_find_backends(qualifier);
    if (backends == NULL) {
        xl_shell_print(NULL, qualifier);
        xl_shell_print(NULL, " is an invalid domain identifier (rc=-6)\n");
        return -XEN_ESRCH;
    }
    return xl_console_attach(backends);
}

static int run_xl(const struct command_words *words)
{
    struct xl_command command;
    int result = xl_command_parse(words->count, words->word, &command, xl_shell_print, NULL);

    if (result != 0)
        return result;
    switch (command.verb) {
    case XL_VERB_LIST:
        return xl_toolstack_list(command.domain, xl_shell_print, NULL);
    case XL_VERB_CREATE:
        return xl_toolstack_create(command.file, command.paused, xl_shell_print, NULL);
    case XL_VERB_DESTROY:
        return xl_toolstack_destroy(command.domain, xl_shell_print, NULL);
    case XL_VERB_PAUSE:
        return xl_toolstack_pause(command.domain, true, xl_shell_print, NULL);
    case XL_VERB_UNPAUSE:
        return xl_toolstack_pause(command.domain, false, xl_shell_print, NULL);
    case XL_VERB_CONSOLE:
        return run_console(command.domain);
    case XL_VERB_MEM_SET:
        return xl_toolstack_mem_set(command.domain, command.memory_kib, xl_shell_print, NULL);
    case XL_VERB_INFO:
        return xl_toolstack_info(xl_shell_print, NULL);
    case XL_VERB_TOP:
        return xl_toolstack_top(xl_shell_print, NULL);
    case XL_VERB_DMESG:
        return xl_dmesg(command.clear);
    case XL_VERB_HELP:
        xl_command_help(command.topic, xl_shell_print, NULL);
        return 0;
    case XL_VERB_BLOCK_CHECKPOINT:
    case XL_VERB_BLOCK_CHECKPOINT_LIST:
    case XL_VERB_BLOCK_ROLLBACK:
        return xl_block_run(&command, xl_shell_print, NULL);
    default:
        return -XEN_EINVAL;
    }
}

/* --- the shell's words -------------------------------------------------------- */

static bool is_word(const struct command_words *words, const char *word)
{
    return strcmp(words->word[0], word) == 0;
}

static enum shell_outcome run_line(const char *line)
{
    static struct command_words words;

    if (command_words_split(&words, line, strlen(line)) != 0) {
        xl_shell_print(NULL, "-sh: syntax error: ");
        xl_shell_print(NULL, words.error != NULL ? words.error : "bad line");
        xl_shell_print(NULL, "\n");
        return SHELL_CONTINUES;
    }
    if (words.count == 0)
        return SHELL_CONTINUES;
    if (is_word(&words, "xl")) {
        run_xl(&words);
    } else if (is_word(&words, "help")) {
        xl_shell_print(NULL, "dom0's shell: xl VERB ... (xl help lists the verbs), exit or poweroff\n");
    } else if (is_word(&words, "exit") || is_word(&words, "logout") || is_word(&words, "poweroff")) {
        return SHELL_ENDS;
    } else {
        xl_shell_print(NULL, "-sh: ");
        xl_shell_print(NULL, words.word[0]);
        xl_shell_print(NULL, ": not found\n");
    }
    return SHELL_CONTINUES;
}

static enum shell_outcome take_byte(uint8_t byte)
{
    switch (line_editor_feed(&editor, byte)) {
    case LINE_EDITOR_LINE:
        line_ran = true;
        if (run_line(line_editor_line(&editor)) == SHELL_ENDS)
            return SHELL_ENDS;
        line_editor_start(&editor);
        return SHELL_CONTINUES;
    case LINE_EDITOR_INTERRUPT:
        line_editor_start(&editor);
        return SHELL_CONTINUES;
    case LINE_EDITOR_END:
        xl_shell_print(NULL, "\n");
        return SHELL_ENDS;
    default:
        return SHELL_CONTINUES;
    }
}

/* One pass: the backends, typed bytes (bounded), the domains' ends, then,
 * if nothing was typed, sleep until typing (VIRQ_CONSOLE), a backend event
 * or VIRQ_DOM_EXC: the shell has no deadline of its own.  The backends come
 * first because serving clears the wake flag: typing announced after that
 * is either taken below or wakes the sleep.  The domains are looked at
 * after a VIRQ_DOM_EXC and after each command (xl console may have taken
 * the VIRQ_DOM_EXC of the domain it was attached to). */
static enum shell_outcome serve_once(void)
{
    char typed[XL_SHELL_INPUT_CHUNK];
    long count;

    domain_backends_service();
    count = console_input_take(typed, sizeof(typed));
    line_ran = false;
    for (long index = 0; index < count; index++)
        if (take_byte((uint8_t)typed[index]) == SHELL_ENDS)
            return SHELL_ENDS;
    if (domain_backends_take_domain_exception() || line_ran)
        xl_toolstack_watch();
    if (count <= 0) {
        domain_backends_wait_until(NO_DEADLINE_NS);
        loop_wakes++;
    }
    return SHELL_CONTINUES;
}

/* dom0's running time and pvmon's counters, read together: true if both were read. */
static bool read_counters(struct pvmon_domain_info *dom0, struct pvmon_memory_statistics *statistics)
{
    return domain_builder_get_info(DOMAIN_REGISTRY_DOM0_ID, dom0) == 0 &&
           domain_builder_read_statistics(statistics) == 0;
}

/* How often the loop slept and woke over the session, with dom0's running
 * time and every hypercall pvmon counted meanwhile, for the log. */
static void report_wakes(uint64_t started_ns, const struct pvmon_domain_info *dom0_before,
                         const struct pvmon_memory_statistics *before)
{
    struct pvmon_domain_info dom0_after;
    struct pvmon_memory_statistics after;

    if (!read_counters(&dom0_after, &after))
        return;
    console_printf("xl-shell: its loop woke %lu times in %lu ms; dom0 ran for %lu us; hypercalls: %lu\n",
                   loop_wakes, (system_time_ns() - started_ns) / NANOSECONDS_PER_MILLISECOND,
                   (dom0_after.cpu_time_ns - dom0_before->cpu_time_ns) / NANOSECONDS_PER_MICROSECOND,
                   after.hypercalls - before->hypercalls);
}

/* /etc/motd of dom0's ramdisk, if it has one, as login shows it before the
 * first prompt (its first MOTD_MAX bytes). */
static void print_motd(const struct start_info *start_info)
{
    struct boot_archive_member motd;
    char text[MOTD_MAX + 1];
    size_t length;

    if (!ramdisk_find(start_info, "etc/motd", &motd))
        return;
    length = motd.size < MOTD_MAX ? (size_t)motd.size : MOTD_MAX;
    memcpy(text, motd.data, length);
    text[length] = '\0';
    xl_shell_print(NULL, text);
}

int xl_shell_run(const struct start_info *start_info)
{
    struct pvmon_domain_info dom0_before;
    struct pvmon_memory_statistics before;
    uint64_t started_ns;
    bool counted;
    int result = xl_toolstack_start(start_info);

    if (result == 0)
        result = console_input_start();
    if (result == 0)
        result = line_editor_init(&editor, XL_SHELL_PROMPT, 0, write_for_editor, NULL);
    if (result != 0) {
        console_printf("xl-shell: cannot start: %d\n", result);
        return result;
    }
    xl_toolstack_autostart(xl_shell_print, NULL);
    print_motd(start_info);
    console_printf("xl-shell: ready\n");
    line_editor_start(&editor);
    started_ns = system_time_ns();
    counted = read_counters(&dom0_before, &before);
    while (serve_once() == SHELL_CONTINUES)
        ;
    if (counted)
        report_wakes(started_ns, &dom0_before, &before);
    xl_toolstack_destroy_all();
    console_printf("xl-shell: ended\n");
    return 0;
}
