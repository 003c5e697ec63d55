/*
 * The line editor fuzzer: LLVMFuzzerTestOneInput reads its input as the
 * set-up of dom0's line editor (tools/xl/line_editor.c: a prompt of 0 to
 * 32 characters, a row of any width it accepts) and then what a person
 * types at the serial terminal, fed byte by byte; the echo goes to a
 * simulated VT100 screen (tests/unit/simulated_terminal.c).  Every
 * entered line also goes through the shell's word splitter
 * (tools/xl/command_words.c).
 *
 * Two kinds of input (the first byte's low bit):
 *   - keys: whole keys (characters, pastes, Backspace, Delete, the
 *     arrows, Home, End in all their sequences, the Ctrl keys, Enter as
 *     CR, LF or CR LF, unknown keys and sequences, a sequence broken by a
 *     control key, bytes refused between lines), checked against the
 *     harness's own model of the line, the cursor, the bell, the event and
 *     the history after every key;
 *   - bytes: any bytes (weighted towards the ones that mean something),
 *     checked against the editor's own state.
 * After every byte:
 *   - the line is NUL-terminated at its length, at most
 *     LINE_EDITOR_LINE_MAX printable characters, the cursor within it;
 *   - while reading, and outside a sequence, the screen's row shows the
 *     prompt and the window of the line (line_editor.h's rule), the
 *     cursor on it; nothing was written in the last column and the output
 *     held only what the editor promises; after a line ended, the cursor
 *     is at the start of a blank row;
 *   - the history holds at most LINE_EDITOR_HISTORY_LINES printable,
 *     non-blank entries, no two neighbours equal;
 *   - the byte's work (basic blocks of line_editor.c, work_meter.h) is
 *     within a bound linear in the line's maximum and the row.
 * And for every entered line: the words, quoted back with single quotes
 * and split again, are the same words (or the quoted line is too long).
 * Any violation aborts with a message naming the step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <tools/xl/command_words.h>
#include <tools/xl/line_editor.h>

#include "../unit/simulated_terminal.h"
#include "fuzz_input.h"
#include "fuzz_report.h"
#include "work_meter.h"

#define MAX_STEPS 1200
#define WORK_CONSTANT 200
#define WORK_PER_CHARACTER 6
#define KEY_BYTES_MAX 24

enum key_kind {
    KEY_CHARACTER,
    KEY_PASTE,
    KEY_BACKSPACE,
    KEY_DELETE,
    KEY_CTRL_D,
    KEY_LEFT,
    KEY_RIGHT,
    KEY_HOME,
    KEY_END,
    KEY_KILL_TO_END,
    KEY_KILL_TO_START,
    KEY_KILL_WORD,
    KEY_UP,
    KEY_DOWN,
    KEY_CLEAR,
    KEY_INTERRUPT,
    KEY_ENTER,
    KEY_UNKNOWN,
    KEY_ESCAPE_THEN_CONTROL,
    KEY_KINDS,
};

static const char *const key_names[KEY_KINDS] = {
    "character", "paste", "backspace", "delete", "ctrl-d", "left", "right", "home", "end", "ctrl-k", "ctrl-u",
    "ctrl-w", "up", "down", "ctrl-l", "ctrl-c", "enter", "unknown key", "escape then a control key",
};

/* The byte strings of each key (NULL-terminated lists); "\0" spelled with a length where needed. */
static const char *const backspace_keys[] = { "\x7f", "\b", NULL };
static const char *const delete_keys[] = { "\x1b[3~", "\x1b[3;5~", NULL };
static const char *const left_keys[] = { "\x1b[D", "\x1bOD", "\x02", "\x1b[1;5D", "\x1b\x1b[D", NULL };
static const char *const right_keys[] = { "\x1b[C", "\x1bOC", "\x06", "\x1b[1;2C", "\x1b[1\x1b[C", NULL };
static const char *const up_keys[] = { "\x1b[A", "\x1bOA", "\x10", NULL };
static const char *const down_keys[] = { "\x1b[B", "\x1bOB", "\x0e", NULL };
static const char *const home_keys[] = { "\x01", "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~", NULL };
static const char *const end_keys[] = { "\x05", "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~", NULL };
static const char *const enter_keys[] = { "\r", "\n", "\r\n", NULL };
static const char *const unknown_keys[] = {
    "\t", "\x07", "\x1c", "\x1f", "\x80", "\xc3", "\xff", "\x1b[2~", "\x1b[5~", "\x1b[Z", "\x1b[?25h", "\x1bOP",
    "\x1bx", "\x1b[1 q", "\x1b[99999999~", "\x1bO~", "\x1b[11111111111111111", NULL,
};
/* What may follow ESC, ESC [ 1 or ESC O and abandon the sequence. */
static const char escape_prefixes[][4] = { "\x1b", "\x1b[1", "\x1bO" };
static const char control_keys[] = { '\r', 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x0b, 0x0c, 0x0e, 0x10,
                                     0x15, 0x17, 0x7f, '\t' };

/* The harness's model of what the person should see. */
struct model {
    bool reading;
    bool after_carriage_return;
    char line[LINE_EDITOR_LINE_MAX + 1];
    unsigned int length;
    unsigned int cursor;
    char history[LINE_EDITOR_HISTORY_LINES][LINE_EDITOR_LINE_MAX + 1]; /* [0] the oldest */
    unsigned int history_count;
    unsigned int position; /* 0: the typed line; n: the n-th newest entry */
    char typed[LINE_EDITOR_LINE_MAX + 1];
};

/* What a key should do: the bells it rings and the event its last byte returns. */
struct expectation {
    unsigned int bells;
    enum line_editor_event event;
};

struct world {
    struct line_editor editor;
    struct simulated_terminal terminal;
    struct model model;
    struct command_words words;
    const char *prompt;
    unsigned int prompt_length;
    unsigned int columns;
    unsigned int step;
    const char *operation;
};

static struct world world;

static const char *const prompts[] = { "xl> ", "", "dom0# ", ">", "a prompt of thirty-two character" };

#define violation(...) fuzz_report_violation("line-editor", world.step, world.operation, __VA_ARGS__)

/* --- Checks against the editor's own state (both kinds of input). */

static void check_line_shape(void)
{
    const struct line_editor *editor = &world.editor;
    unsigned int length = line_editor_length(editor);

    if (length > LINE_EDITOR_LINE_MAX)
        violation("line of %u characters", length);
    if (line_editor_cursor(editor) > length)
        violation("cursor %u beyond the line's %u characters", line_editor_cursor(editor), length);
    if (strlen(line_editor_line(editor)) != length)
        violation("line not NUL-terminated at its length %u", length);
    for (unsigned int index = 0; index < length; index++)
        if (line_editor_line(editor)[index] < 0x20 || line_editor_line(editor)[index] > 0x7e)
            violation("unprintable byte %#x at %u in the line", (unsigned char)line_editor_line(editor)[index], index);
}

static bool is_blank(const char *text)
{
    return text[strspn(text, " ")] == '\0';
}

static void check_history_shape(void)
{
    const struct line_editor *editor = &world.editor;
    unsigned int count = line_editor_history_count(editor);

    if (count > LINE_EDITOR_HISTORY_LINES)
        violation("history of %u entries", count);
    for (unsigned int age = 0; age < count; age++) {
        const char *entry = line_editor_history_entry(editor, age);

        if (entry == NULL || strlen(entry) > LINE_EDITOR_LINE_MAX || is_blank(entry))
            violation("history entry %u missing, too long or blank", age);
        for (const char *character = entry; *character != '\0'; character++)
            if (*character < 0x20 || *character > 0x7e)
                violation("unprintable byte in history entry %u", age);
        if (age > 0 && strcmp(entry, line_editor_history_entry(editor, age - 1)) == 0)
            violation("history entries %u and %u are equal", age - 1, age);
    }
    if (line_editor_history_entry(editor, count) != NULL)
        violation("an entry beyond the %u held", count);
}

/* The row shows the prompt and the window of text[0, length) with the cursor at cursor. */
static void check_screen(const char *text, unsigned int length, unsigned int cursor)
{
    const struct simulated_terminal *terminal = &world.terminal;
    unsigned int width = world.columns - world.prompt_length - 1;
    unsigned int first = cursor > width ? cursor - width : 0;
    unsigned int shown = length - first < width ? length - first : width;
    char expected[SIMULATED_TERMINAL_COLUMNS_MAX + 1], row[SIMULATED_TERMINAL_COLUMNS_MAX + 1];
    size_t expected_length;

    if (terminal->error != NULL)
        violation("the terminal saw %s", terminal->error);
    if (terminal->last_column_written)
        violation("a character was written in the last column");
    memcpy(expected, world.prompt, world.prompt_length);
    memcpy(expected + world.prompt_length, text + first, shown);
    expected_length = world.prompt_length + shown;
    while (expected_length > 0 && expected[expected_length - 1] == ' ')
        expected_length--;
    expected[expected_length] = '\0';
    simulated_terminal_row_text(terminal, terminal->row, row);
    if (strcmp(row, expected) != 0)
        violation("the row shows \"%s\", expected \"%s\"", row, expected);
    if (terminal->column != world.prompt_length + cursor - first)
        violation("the cursor is in column %u, expected %u", terminal->column,
                  world.prompt_length + cursor - first);
    if (line_editor_window_first(&world.editor) != first)
        violation("the window starts at %u, expected %u", line_editor_window_first(&world.editor), first);
}

static void check_screen_after_line(void)
{
    char row[SIMULATED_TERMINAL_COLUMNS_MAX + 1];

    if (world.terminal.error != NULL)
        violation("the terminal saw %s", world.terminal.error);
    if (world.terminal.last_column_written)
        violation("a character was written in the last column");
    simulated_terminal_row_text(&world.terminal, world.terminal.row, row);
    if (world.terminal.column != 0 || row[0] != '\0')
        violation("after the line, the cursor is in column %u of a row showing \"%s\"", world.terminal.column, row);
}

static void check_screen_of_editor(void)
{
    const struct line_editor *editor = &world.editor;

    if (!line_editor_reading(editor))
        check_screen_after_line();
    else if (editor->escape == LINE_EDITOR_ESCAPE_NONE)
        check_screen(line_editor_line(editor), line_editor_length(editor), line_editor_cursor(editor));
}

/* --- The word splitter on an entered line: quoting the words back gives them again. */

static void check_words_round_trip(const char *line)
{
    static struct command_words again;
    char quoted[4 * COMMAND_WORDS_LINE_MAX + 2 * COMMAND_WORDS_MAX + 8];
    size_t length = 0;
    int result;

    work_meter_reset();
    result = command_words_split(&world.words, line, strlen(line));
    if (work_meter_blocks() > WORK_CONSTANT + 2 * WORK_PER_CHARACTER * (uint64_t)strlen(line))
        violation("splitting took %lu basic blocks", (unsigned long)work_meter_blocks());
    if (result != 0) {
        if (world.words.error == NULL || world.words.count != 0 || world.words.word[0] != NULL)
            violation("a refused line (%d) without its message or with words", result);
        return;
    }
    if (world.words.count > COMMAND_WORDS_MAX || world.words.word[world.words.count] != NULL)
        violation("%u words, the list not ended by NULL", world.words.count);
    for (unsigned int index = 0; index < world.words.count; index++) {
        const char *word = world.words.word[index];

        if (word < world.words.storage || word + strlen(word) >= world.words.storage + sizeof(world.words.storage))
            violation("word %u outside the storage", index);
        quoted[length++] = '\'';
        for (; *word != '\0'; word++) {
            if (*word == '\'') {
                memcpy(quoted + length, "'\\''", 4);
                length += 4;
            } else {
                quoted[length++] = *word;
            }
        }
        quoted[length++] = '\'';
        quoted[length++] = ' ';
    }
    result = command_words_split(&again, quoted, length);
    if (length > COMMAND_WORDS_LINE_MAX) {
        if (result != -XEN_E2BIG)
            violation("a quoted line of %zu characters gave %d", length, result);
        return;
    }
    if (result != 0 || again.count != world.words.count)
        violation("the words quoted back gave %d, %u words instead of %u", result, again.count, world.words.count);
    for (unsigned int index = 0; index < again.count; index++)
        if (strcmp(again.word[index], world.words.word[index]) != 0)
            violation("word %u quoted back is \"%s\", not \"%s\"", index, again.word[index], world.words.word[index]);
}

/* --- Feeding. */

static enum line_editor_event feed(uint8_t byte)
{
    enum line_editor_event event;
    uint64_t bound = WORK_CONSTANT + WORK_PER_CHARACTER * (uint64_t)(LINE_EDITOR_LINE_MAX + world.columns);

    work_meter_reset();
    event = line_editor_feed(&world.editor, byte);
    if (work_meter_blocks() > bound)
        violation("byte %#x took %lu basic blocks (bound %lu)", byte, (unsigned long)work_meter_blocks(),
                  (unsigned long)bound);
    check_line_shape();
    check_history_shape();
    check_screen_of_editor();
    if (event == LINE_EDITOR_LINE)
        check_words_round_trip(line_editor_line(&world.editor));
    return event;
}

static void start_line(void)
{
    line_editor_start(&world.editor);
    world.model.reading = true;
    world.model.length = 0;
    world.model.cursor = 0;
    world.model.line[0] = '\0';
    world.model.position = 0;
    check_screen_of_editor();
}

/* --- The model's keys. */

static void model_set_line(const char *text)
{
    world.model.length = (unsigned int)strlen(text);
    memcpy(world.model.line, text, world.model.length + 1);
    world.model.cursor = world.model.length;
}

static void model_delete(unsigned int from, unsigned int to)
{
    struct model *model = &world.model;

    memmove(model->line + from, model->line + to, model->length - to + 1);
    model->length -= to - from;
    model->cursor = from;
}

static void model_add_history(void)
{
    struct model *model = &world.model;

    if (is_blank(model->line))
        return;
    if (model->history_count > 0 && strcmp(model->history[model->history_count - 1], model->line) == 0)
        return;
    if (model->history_count == LINE_EDITOR_HISTORY_LINES) {
        memmove(model->history[0], model->history[1], sizeof(model->history[0]) * (LINE_EDITOR_HISTORY_LINES - 1));
        model->history_count--;
    }
    strcpy(model->history[model->history_count++], model->line);
}

static void model_show_position(unsigned int position)
{
    struct model *model = &world.model;

    if (model->position == 0)
        strcpy(model->typed, model->line);
    model->position = position;
    model_set_line(position == 0 ? model->typed : model->history[model->history_count - position]);
}

static struct expectation model_line_ends(enum line_editor_event event)
{
    world.model.reading = false;
    world.model.position = 0;
    return (struct expectation) { 0, event };
}

/* The effect of a key on the model, the editor reading. */
static struct expectation model_key(enum key_kind kind, char character)
{
    struct model *model = &world.model;
    struct expectation ringing = { 1, LINE_EDITOR_CONTINUE }, silent = { 0, LINE_EDITOR_CONTINUE };

    switch (kind) {
    case KEY_CHARACTER:
    case KEY_PASTE:
        if (model->length == LINE_EDITOR_LINE_MAX)
            return ringing;
        memmove(model->line + model->cursor + 1, model->line + model->cursor, model->length - model->cursor + 1);
        model->line[model->cursor++] = character;
        model->length++;
        return silent;
    case KEY_BACKSPACE:
        if (model->cursor == 0)
            return ringing;
        model_delete(model->cursor - 1, model->cursor);
        return silent;
    case KEY_CTRL_D:
        if (model->length == 0)
            return model_line_ends(LINE_EDITOR_END);
        return model_key(KEY_DELETE, character);
    case KEY_DELETE:
        if (model->cursor == model->length)
            return ringing;
        model_delete(model->cursor, model->cursor + 1);
        return silent;
    case KEY_LEFT:
        if (model->cursor == 0)
            return ringing;
        model->cursor--;
        return silent;
    case KEY_RIGHT:
        if (model->cursor == model->length)
            return ringing;
        model->cursor++;
        return silent;
    case KEY_HOME:
        model->cursor = 0;
        return silent;
    case KEY_END:
        model->cursor = model->length;
        return silent;
    case KEY_KILL_TO_END:
        model_delete(model->cursor, model->length);
        return silent;
    case KEY_KILL_TO_START:
        if (model->cursor == 0)
            return ringing;
        model_delete(0, model->cursor);
        return silent;
    case KEY_KILL_WORD: {
        unsigned int start = model->cursor;

        if (start == 0)
            return ringing;
        while (start > 0 && model->line[start - 1] == ' ')
            start--;
        while (start > 0 && model->line[start - 1] != ' ')
            start--;
        model_delete(start, model->cursor);
        return silent;
    }
    case KEY_UP:
        if (model->position == model->history_count)
            return ringing;
        model_show_position(model->position + 1);
        return silent;
    case KEY_DOWN:
        if (model->position == 0)
            return ringing;
        model_show_position(model->position - 1);
        return silent;
    case KEY_CLEAR:
        return silent;
    case KEY_INTERRUPT:
        model_set_line("");
        return model_line_ends(LINE_EDITOR_INTERRUPT);
    case KEY_ENTER:
        model_add_history();
        return model_line_ends(LINE_EDITOR_LINE);
    default:
        return ringing;
    }
}

static enum key_kind control_key_kind(char byte)
{
    switch (byte) {
    case '\r':
        return KEY_ENTER;
    case 0x01:
        return KEY_HOME;
    case 0x02:
        return KEY_LEFT;
    case 0x03:
        return KEY_INTERRUPT;
    case 0x04:
        return KEY_CTRL_D;
    case 0x05:
        return KEY_END;
    case 0x06:
        return KEY_RIGHT;
    case 0x08:
    case 0x7f:
        return KEY_BACKSPACE;
    case 0x0b:
        return KEY_KILL_TO_END;
    case 0x0c:
        return KEY_CLEAR;
    case 0x0e:
        return KEY_DOWN;
    case 0x10:
        return KEY_UP;
    case 0x15:
        return KEY_KILL_TO_START;
    case 0x17:
        return KEY_KILL_WORD;
    default:
        return KEY_UNKNOWN;
    }
}

/* How often each kind comes: characters the most, Enter and the history often enough to fill it. */
static const enum key_kind key_weights[] = {
    KEY_CHARACTER, KEY_CHARACTER, KEY_CHARACTER, KEY_CHARACTER, KEY_CHARACTER, KEY_CHARACTER, KEY_CHARACTER,
    KEY_CHARACTER, KEY_PASTE, KEY_BACKSPACE, KEY_DELETE, KEY_CTRL_D, KEY_LEFT, KEY_LEFT, KEY_RIGHT, KEY_HOME,
    KEY_END, KEY_KILL_TO_END, KEY_KILL_TO_START, KEY_KILL_WORD, KEY_UP, KEY_UP, KEY_DOWN, KEY_CLEAR,
    KEY_INTERRUPT, KEY_ENTER, KEY_ENTER, KEY_ENTER, KEY_ENTER, KEY_UNKNOWN, KEY_ESCAPE_THEN_CONTROL,
    KEY_ESCAPE_THEN_CONTROL,
};

/* Mostly a few letters and spaces (words, equal lines), sometimes any printable character. */
static char typed_character(uint8_t choice)
{
    static const char common[] = "ab c'\" ";

    if (choice & 0x80)
        return (char)(0x20 + choice % 0x5f);
    return common[choice % (sizeof(common) - 1)];
}

static const char *pick(const char *const *list, uint8_t choice)
{
    unsigned int count = 0;

    while (list[count] != NULL)
        count++;
    return list[choice % count];
}

/* The bytes of a key of this kind (some kinds also give the model's key). */
static size_t key_bytes(struct fuzz_input *input, enum key_kind *kind, char *bytes)
{
    uint8_t choice = fuzz_input_byte(input);
    const char *text = NULL;

    switch (*kind) {
    case KEY_CHARACTER:
        bytes[0] = typed_character(choice);
        return 1;
    case KEY_BACKSPACE:
        text = pick(backspace_keys, choice);
        break;
    case KEY_DELETE:
        text = pick(delete_keys, choice);
        break;
    case KEY_CTRL_D:
        text = "\x04";
        break;
    case KEY_LEFT:
        text = pick(left_keys, choice);
        break;
    case KEY_RIGHT:
        text = pick(right_keys, choice);
        break;
    case KEY_HOME:
        text = pick(home_keys, choice);
        break;
    case KEY_END:
        text = pick(end_keys, choice);
        break;
    case KEY_KILL_TO_END:
        text = "\x0b";
        break;
    case KEY_KILL_TO_START:
        text = "\x15";
        break;
    case KEY_KILL_WORD:
        text = "\x17";
        break;
    case KEY_UP:
        text = pick(up_keys, choice);
        break;
    case KEY_DOWN:
        text = pick(down_keys, choice);
        break;
    case KEY_CLEAR:
        text = "\x0c";
        break;
    case KEY_INTERRUPT:
        text = "\x03";
        break;
    case KEY_ENTER:
        text = pick(enter_keys, choice);
        break;
    case KEY_UNKNOWN:
        if (choice % 16 == 0) {
            bytes[0] = '\0';
            return 1;
        }
        text = pick(unknown_keys, choice);
        break;
    default: {
        const char *prefix = escape_prefixes[choice % 3];
        size_t length = strlen(prefix);

        memcpy(bytes, prefix, length);
        bytes[length] = control_keys[fuzz_input_byte(input) % sizeof(control_keys)];
        *kind = control_key_kind(bytes[length]);
        return length + 1;
    }
    }
    memcpy(bytes, text, strlen(text));
    return strlen(text);
}

static void expect_event(enum line_editor_event got, enum line_editor_event expected, size_t index)
{
    if (got != expected)
        violation("byte %zu of the key returned event %d, the model expects %d", index, got, expected);
}

static void compare_with_model(void)
{
    const struct model *model = &world.model;

    if (line_editor_reading(&world.editor) != model->reading)
        violation("reading is %d, the model says %d", line_editor_reading(&world.editor), model->reading);
    if (model->reading && (strcmp(line_editor_line(&world.editor), model->line) != 0 ||
                           line_editor_cursor(&world.editor) != model->cursor))
        violation("line \"%s\" cursor %u, the model has \"%s\" cursor %u", line_editor_line(&world.editor),
                  line_editor_cursor(&world.editor), model->line, model->cursor);
    if (line_editor_history_count(&world.editor) != model->history_count)
        violation("%u history entries, the model has %u", line_editor_history_count(&world.editor),
                  model->history_count);
    for (unsigned int age = 0; age < model->history_count; age++)
        if (strcmp(line_editor_history_entry(&world.editor, age), model->history[model->history_count - 1 - age]) != 0)
            violation("history entry %u differs from the model's", age);
}

/* Feeds a key's bytes to the editor, reading: the model's verdict on it. */
static void type_key(enum key_kind kind, const char *bytes, size_t length)
{
    unsigned int bells_before = world.terminal.bells;
    bool swallowed = world.model.after_carriage_return && bytes[0] == '\n';
    struct expectation expected = { 0, LINE_EDITOR_CONTINUE };

    world.operation = key_names[kind];
    if (!swallowed)
        expected = model_key(kind, bytes[0]);
    for (size_t index = 0; index < length; index++) {
        enum line_editor_event event = feed((uint8_t)bytes[index]);

        /* CR LF: the CR ends the line, the LF is swallowed. */
        if (bytes[index] == '\r' && index + 1 < length && bytes[index + 1] == '\n') {
            expect_event(event, expected.event, index);
            expected.event = LINE_EDITOR_CONTINUE;
            continue;
        }
        expect_event(event, index + 1 == length ? expected.event : LINE_EDITOR_CONTINUE, index);
    }
    world.model.after_carriage_return = bytes[length - 1] == '\r';
    if (world.terminal.bells - bells_before != expected.bells)
        violation("the key rang the bell %u times, the model expects %u", world.terminal.bells - bells_before,
                  expected.bells);
    compare_with_model();
}

/* Bytes fed between lines are refused, but the LF of a CR LF. */
static void type_between_lines(uint8_t byte)
{
    enum line_editor_event event;

    world.operation = "a byte between lines";
    event = feed(byte);
    if (world.model.after_carriage_return && byte == '\n')
        expect_event(event, LINE_EDITOR_CONTINUE, 0);
    else
        expect_event(event, LINE_EDITOR_REFUSED, 0);
    world.model.after_carriage_return = false;
}

static void run_keys(struct fuzz_input *input)
{
    for (world.step = 0; world.step < MAX_STEPS && !fuzz_input_exhausted(input); world.step++) {
        uint8_t choice = fuzz_input_byte(input);
        enum key_kind kind = key_weights[choice % (sizeof(key_weights) / sizeof(key_weights[0]))];
        char bytes[KEY_BYTES_MAX];
        size_t length;

        if (!world.model.reading) {
            if (choice & 0x80)
                type_between_lines((uint8_t)(choice & 1 ? '\n' : fuzz_input_byte(input)));
            world.operation = "start";
            start_line();
            continue;
        }
        if (kind == KEY_PASTE) {
            unsigned int count = fuzz_input_byte(input) % 128;

            for (unsigned int index = 0; index < count && world.model.reading; index++) {
                char character = typed_character((uint8_t)(index * 37 + choice));

                type_key(KEY_PASTE, &character, 1);
            }
            continue;
        }
        length = key_bytes(input, &kind, bytes);
        type_key(kind, bytes, length);
    }
}

/* Bytes weighted towards the meaningful ones: ASCII as it comes, the rest picked from these. */
static const uint8_t meaningful_bytes[] = { 0x1b, '[', 'O', '~', ';', '1', '3', 'A', 'B', 'C', 'D', 'H', 'F', '\r',
                                            '\n', 0x7f, 0x08, 0x17, 0x15, 0x0b, 0x01, 0x05, ' ', 'x', 0x80 };

static void run_bytes(struct fuzz_input *input)
{
    world.operation = "a byte";
    for (world.step = 0; world.step < MAX_STEPS && !fuzz_input_exhausted(input); world.step++) {
        uint8_t byte = fuzz_input_byte(input);

        if (byte >= 0x80)
            byte = meaningful_bytes[byte % sizeof(meaningful_bytes)];
        if (feed(byte) != LINE_EDITOR_CONTINUE && !line_editor_reading(&world.editor) && (byte & 1) == 0)
            start_line();
        else if (!line_editor_reading(&world.editor) && fuzz_input_byte(input) % 4 == 0)
            start_line();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    uint8_t setup = fuzz_input_byte(&input);
    uint8_t width = fuzz_input_byte(&input);

    memset(&world, 0, sizeof(world));
    world.prompt = prompts[(setup >> 1) % (sizeof(prompts) / sizeof(prompts[0]))];
    world.prompt_length = (unsigned int)strlen(world.prompt);
    /* Mostly narrow rows, where lines scroll; sometimes the default or the widest. */
    world.columns = width < 200 ? world.prompt_length + 2 + width % 40
                                : (width < 250 ? LINE_EDITOR_DEFAULT_COLUMNS : LINE_EDITOR_COLUMNS_MAX);
    simulated_terminal_reset(&world.terminal, world.columns);
    world.operation = "init";
    if (line_editor_init(&world.editor, world.prompt, world.columns, simulated_terminal_write, &world.terminal) != 0)
        violation("init refused prompt \"%s\" on %u columns", world.prompt, world.columns);
    start_line();
    if (setup & 1)
        run_bytes(&input);
    else
        run_keys(&input);
    return 0;
}
