/*
 * dom0's command line editor (see line_editor.h for the keys, the screen
 * and the history).  Rules it keeps: the line and every history entry are
 * fixed arrays that no key writes beyond (a character that does not fit
 * is refused with the bell); escape sequences are parsed in constant
 * state, whatever their length; the work of one byte is bounded by the
 * line, the prompt and the row, never by what came before.
 */
#include "line_editor.h"

#include <pvmon/errno.h>
#include <pvmon/string.h>

#define KEY_CTRL(letter) ((uint8_t)((letter) - 'A' + 1))
#define BYTE_ESCAPE 0x1b
#define BYTE_DELETE 0x7f
#define PARAMETER_SATURATION 9999

static const char bell[] = "\a";
static const char erase_to_end_of_row[] = "\x1b[K";
static const char clear_screen[] = "\x1b[H\x1b[2J";

static void emit(struct line_editor *editor, const char *bytes, size_t length)
{
    if (length > 0)
        editor->write(editor->context, bytes, length);
}

static void emit_string(struct line_editor *editor, const char *text)
{
    emit(editor, text, strlen(text));
}

static void ring_bell(struct line_editor *editor)
{
    emit_string(editor, bell);
}

/* ESC [ count D */
static void emit_cursor_back(struct line_editor *editor, unsigned int count)
{
    char digits[10]; /* any unsigned int */
    char sequence[sizeof(digits) + 3];
    size_t length = 0, digit_count = 0;

    if (count == 0)
        return;
    do {
        digits[digit_count++] = (char)('0' + count % 10);
        count /= 10;
    } while (count != 0);
    sequence[length++] = BYTE_ESCAPE;
    sequence[length++] = '[';
    while (digit_count > 0)
        sequence[length++] = digits[--digit_count];
    sequence[length++] = 'D';
    emit(editor, sequence, length);
}

static unsigned int window_width(const struct line_editor *editor)
{
    return editor->columns - editor->prompt_length - 1;
}

static unsigned int window_first_for(const struct line_editor *editor, unsigned int cursor)
{
    unsigned int width = window_width(editor);

    return cursor > width ? cursor - width : 0;
}

unsigned int line_editor_window_first(const struct line_editor *editor)
{
    return window_first_for(editor, editor->cursor);
}

/* The whole row: CR, prompt, window, erase the rest, back to the cursor. */
static void redraw_row(struct line_editor *editor)
{
    unsigned int first = line_editor_window_first(editor);
    unsigned int shown = editor->length - first;

    if (shown > window_width(editor))
        shown = window_width(editor);
    emit(editor, "\r", 1);
    emit(editor, editor->prompt, editor->prompt_length);
    emit(editor, editor->line + first, shown);
    emit_string(editor, erase_to_end_of_row);
    emit_cursor_back(editor, first + shown - editor->cursor);
}

int line_editor_init(struct line_editor *editor, const char *prompt, unsigned int columns,
                     line_editor_write write, void *context)
{
    size_t prompt_length = 0;

    if (prompt == NULL || write == NULL)
        return -XEN_EINVAL;
    while (prompt_length <= LINE_EDITOR_PROMPT_MAX && prompt[prompt_length] != '\0') {
        if (prompt[prompt_length] < 0x20 || prompt[prompt_length] > 0x7e)
            return -XEN_EINVAL;
        prompt_length++;
    }
    if (prompt_length > LINE_EDITOR_PROMPT_MAX)
        return -XEN_EINVAL;
    if (columns == 0)
        columns = LINE_EDITOR_DEFAULT_COLUMNS;
    if (columns > LINE_EDITOR_COLUMNS_MAX || columns < prompt_length + 2)
        return -XEN_EINVAL;
    memset(editor, 0, sizeof(*editor));
    editor->write = write;
    editor->context = context;
    editor->columns = columns;
    editor->prompt_length = (unsigned int)prompt_length;
    memcpy(editor->prompt, prompt, prompt_length);
    return 0;
}

static void set_line(struct line_editor *editor, const char *text, unsigned int length)
{
    memcpy(editor->line, text, length);
    editor->line[length] = '\0';
    editor->length = length;
    editor->cursor = length;
}

void line_editor_start(struct line_editor *editor)
{
    set_line(editor, "", 0);
    editor->history_position = 0;
    editor->escape = LINE_EDITOR_ESCAPE_NONE;
    editor->reading = true;
    emit(editor, editor->prompt, editor->prompt_length);
}

/* --- History. */

static unsigned int history_slot(const struct line_editor_history *history, unsigned int age)
{
    return (history->newest + LINE_EDITOR_HISTORY_LINES - age) % LINE_EDITOR_HISTORY_LINES;
}

unsigned int line_editor_history_count(const struct line_editor *editor)
{
    return editor->history.count;
}

const char *line_editor_history_entry(const struct line_editor *editor, unsigned int age)
{
    if (age >= editor->history.count)
        return NULL;
    return editor->history.entries[history_slot(&editor->history, age)];
}

static bool is_blank(const char *text, unsigned int length)
{
    for (unsigned int index = 0; index < length; index++)
        if (text[index] != ' ')
            return false;
    return true;
}

static void history_add(struct line_editor_history *history, const char *text, unsigned int length)
{
    unsigned int slot;

    if (is_blank(text, length))
        return;
    if (history->count > 0) {
        slot = history->newest;
        if (history->lengths[slot] == length && memcmp(history->entries[slot], text, length) == 0)
            return;
    }
    slot = history->count == 0 ? 0 : (history->newest + 1) % LINE_EDITOR_HISTORY_LINES;
    memcpy(history->entries[slot], text, length);
    history->entries[slot][length] = '\0';
    history->lengths[slot] = (uint16_t)length;
    history->newest = slot;
    if (history->count < LINE_EDITOR_HISTORY_LINES)
        history->count++;
}

static void show_history_position(struct line_editor *editor, unsigned int position)
{
    if (editor->history_position == 0) {
        memcpy(editor->typed_line, editor->line, editor->length);
        editor->typed_length = editor->length;
    }
    editor->history_position = position;
    if (position == 0) {
        set_line(editor, editor->typed_line, editor->typed_length);
    } else {
        unsigned int slot = history_slot(&editor->history, position - 1);

        set_line(editor, editor->history.entries[slot], editor->history.lengths[slot]);
    }
    redraw_row(editor);
}

static void history_older(struct line_editor *editor)
{
    if (editor->history_position >= editor->history.count) {
        ring_bell(editor);
        return;
    }
    show_history_position(editor, editor->history_position + 1);
}

static void history_newer(struct line_editor *editor)
{
    if (editor->history_position == 0) {
        ring_bell(editor);
        return;
    }
    show_history_position(editor, editor->history_position - 1);
}

/* --- Editing. */

static void insert_character(struct line_editor *editor, char character)
{
    unsigned int first_before = line_editor_window_first(editor);
    bool at_end = editor->cursor == editor->length;

    if (editor->length == LINE_EDITOR_LINE_MAX) {
        ring_bell(editor);
        return;
    }
    memmove(editor->line + editor->cursor + 1, editor->line + editor->cursor, editor->length - editor->cursor);
    editor->line[editor->cursor++] = character;
    editor->line[++editor->length] = '\0';
    if (at_end && line_editor_window_first(editor) == first_before)
        emit(editor, &character, 1);
    else
        redraw_row(editor);
}

/* Removes [from, to) from the line, cursor to from, and shows it. */
static void delete_range(struct line_editor *editor, unsigned int from, unsigned int to)
{
    memmove(editor->line + from, editor->line + to, editor->length - to + 1);
    editor->length -= to - from;
    editor->cursor = from;
    redraw_row(editor);
}

static void delete_backward(struct line_editor *editor)
{
    unsigned int first_before = line_editor_window_first(editor);
    bool at_end = editor->cursor == editor->length;

    if (editor->cursor == 0) {
        ring_bell(editor);
        return;
    }
    if (!at_end || window_first_for(editor, editor->cursor - 1) != first_before) {
        delete_range(editor, editor->cursor - 1, editor->cursor);
        return;
    }
    editor->line[--editor->length] = '\0';
    editor->cursor--;
    emit_string(editor, "\b \b");
}

static void delete_forward(struct line_editor *editor)
{
    if (editor->cursor == editor->length) {
        ring_bell(editor);
        return;
    }
    delete_range(editor, editor->cursor, editor->cursor + 1);
}

static void delete_word_backward(struct line_editor *editor)
{
    unsigned int start = editor->cursor;

    if (start == 0) {
        ring_bell(editor);
        return;
    }
    while (start > 0 && editor->line[start - 1] == ' ')
        start--;
    while (start > 0 && editor->line[start - 1] != ' ')
        start--;
    delete_range(editor, start, editor->cursor);
}

static void delete_to_start(struct line_editor *editor)
{
    if (editor->cursor == 0) {
        ring_bell(editor);
        return;
    }
    delete_range(editor, 0, editor->cursor);
}

static void delete_to_end(struct line_editor *editor)
{
    if (editor->cursor == editor->length)
        return;
    delete_range(editor, editor->cursor, editor->length);
}

static void move_left(struct line_editor *editor)
{
    unsigned int first_before = line_editor_window_first(editor);

    if (editor->cursor == 0) {
        ring_bell(editor);
        return;
    }
    editor->cursor--;
    if (line_editor_window_first(editor) == first_before)
        emit(editor, "\b", 1);
    else
        redraw_row(editor);
}

static void move_right(struct line_editor *editor)
{
    unsigned int first_before = line_editor_window_first(editor);

    if (editor->cursor == editor->length) {
        ring_bell(editor);
        return;
    }
    editor->cursor++;
    if (line_editor_window_first(editor) == first_before)
        emit(editor, &editor->line[editor->cursor - 1], 1);
    else
        redraw_row(editor);
}

static void move_to(struct line_editor *editor, unsigned int position)
{
    if (editor->cursor == position)
        return;
    editor->cursor = position;
    redraw_row(editor);
}

static enum line_editor_event finish_line(struct line_editor *editor, const char *echo,
                                          enum line_editor_event event)
{
    emit_string(editor, echo);
    editor->reading = false;
    editor->history_position = 0;
    return event;
}

static enum line_editor_event enter_line(struct line_editor *editor)
{
    history_add(&editor->history, editor->line, editor->length);
    return finish_line(editor, "\r\n", LINE_EDITOR_LINE);
}

/* "^C" where the cursor is, if the row has room for it before its last column. */
static enum line_editor_event interrupt_line(struct line_editor *editor)
{
    unsigned int column = editor->prompt_length + editor->cursor - line_editor_window_first(editor);

    set_line(editor, "", 0);
    if (column + 2 < editor->columns)
        emit_string(editor, "^C");
    return finish_line(editor, "\r\n", LINE_EDITOR_INTERRUPT);
}

static enum line_editor_event end_of_input_or_delete(struct line_editor *editor)
{
    if (editor->length == 0)
        return finish_line(editor, "\r\n", LINE_EDITOR_END);
    delete_forward(editor);
    return LINE_EDITOR_CONTINUE;
}

static void clear_and_redraw(struct line_editor *editor)
{
    emit_string(editor, clear_screen);
    redraw_row(editor);
}

/* --- Keys. */

static enum line_editor_event control_key(struct line_editor *editor, uint8_t byte)
{
    switch (byte) {
    case '\r':
    case '\n':
        return enter_line(editor);
    case KEY_CTRL('A'):
        move_to(editor, 0);
        break;
    case KEY_CTRL('B'):
        move_left(editor);
        break;
    case KEY_CTRL('C'):
        return interrupt_line(editor);
    case KEY_CTRL('D'):
        return end_of_input_or_delete(editor);
    case KEY_CTRL('E'):
        move_to(editor, editor->length);
        break;
    case KEY_CTRL('F'):
        move_right(editor);
        break;
    case KEY_CTRL('H'):
    case BYTE_DELETE:
        delete_backward(editor);
        break;
    case KEY_CTRL('K'):
        delete_to_end(editor);
        break;
    case KEY_CTRL('L'):
        clear_and_redraw(editor);
        break;
    case KEY_CTRL('N'):
        history_newer(editor);
        break;
    case KEY_CTRL('P'):
        history_older(editor);
        break;
    case KEY_CTRL('U'):
        delete_to_start(editor);
        break;
    case KEY_CTRL('W'):
        delete_word_backward(editor);
        break;
    default:
        ring_bell(editor);
        break;
    }
    return LINE_EDITOR_CONTINUE;
}

/* The key a sequence's final byte names, with its first parameter (CSI ~). */
static void sequence_key(struct line_editor *editor, uint8_t final, unsigned int parameter)
{
    switch (final) {
    case 'A':
        history_older(editor);
        return;
    case 'B':
        history_newer(editor);
        return;
    case 'C':
        move_right(editor);
        return;
    case 'D':
        move_left(editor);
        return;
    case 'H':
        move_to(editor, 0);
        return;
    case 'F':
        move_to(editor, editor->length);
        return;
    case '~':
        if (parameter == 1 || parameter == 7)
            move_to(editor, 0);
        else if (parameter == 4 || parameter == 8)
            move_to(editor, editor->length);
        else if (parameter == 3)
            delete_forward(editor);
        else
            ring_bell(editor);
        return;
    default:
        ring_bell(editor);
        return;
    }
}

static void begin_csi(struct line_editor *editor)
{
    editor->escape = LINE_EDITOR_ESCAPE_CSI;
    editor->sequence_length = 0;
    editor->parameter = 0;
    editor->parameter_ended = false;
    editor->sequence_unknown = false;
}

static void take_parameter_byte(struct line_editor *editor, uint8_t byte)
{
    if (byte >= '0' && byte <= '9') {
        if (!editor->parameter_ended) {
            editor->parameter = editor->parameter * 10 + (byte - '0');
            if (editor->parameter > PARAMETER_SATURATION)
                editor->parameter = PARAMETER_SATURATION;
        }
    } else if (byte == ';') {
        editor->parameter_ended = true;
    } else {
        editor->sequence_unknown = true; /* ':' and the private markers < = > ? */
    }
}

/* True if the byte was part of the sequence; false if it abandoned it (then it counts as typed). */
static bool take_csi_byte(struct line_editor *editor, uint8_t byte)
{
    if (byte < 0x20 || byte > 0x7e)
        return false;
    if (++editor->sequence_length > LINE_EDITOR_SEQUENCE_MAX) {
        editor->escape = LINE_EDITOR_ESCAPE_NONE;
        ring_bell(editor);
        return true;
    }
    if (byte >= 0x30 && byte <= 0x3f) {
        take_parameter_byte(editor, byte);
    } else if (byte <= 0x2f) {
        editor->sequence_unknown = true;
    } else {
        editor->escape = LINE_EDITOR_ESCAPE_NONE;
        if (editor->sequence_unknown)
            ring_bell(editor);
        else
            sequence_key(editor, byte, editor->parameter);
    }
    return true;
}

/* As take_csi_byte, after ESC or ESC O. */
static bool take_escape_byte(struct line_editor *editor, uint8_t byte)
{
    if (byte < 0x20 || byte > 0x7e)
        return false;
    if (editor->escape == LINE_EDITOR_ESCAPE_SS3) {
        editor->escape = LINE_EDITOR_ESCAPE_NONE;
        sequence_key(editor, byte, 0);
        return true;
    }
    if (byte == '[') {
        begin_csi(editor);
    } else if (byte == 'O') {
        editor->escape = LINE_EDITOR_ESCAPE_SS3;
    } else {
        editor->escape = LINE_EDITOR_ESCAPE_NONE;
        ring_bell(editor);
    }
    return true;
}

static enum line_editor_event typed_byte(struct line_editor *editor, uint8_t byte)
{
    if (byte >= 0x20 && byte <= 0x7e) {
        insert_character(editor, (char)byte);
        return LINE_EDITOR_CONTINUE;
    }
    if (byte == BYTE_ESCAPE) {
        editor->escape = LINE_EDITOR_ESCAPE_STARTED;
        return LINE_EDITOR_CONTINUE;
    }
    if (byte < 0x20 || byte == BYTE_DELETE)
        return control_key(editor, byte);
    ring_bell(editor);
    return LINE_EDITOR_CONTINUE;
}

enum line_editor_event line_editor_feed(struct line_editor *editor, uint8_t byte)
{
    bool after_carriage_return = editor->after_carriage_return;

    editor->after_carriage_return = false;
    if (after_carriage_return && byte == '\n')
        return LINE_EDITOR_CONTINUE;
    if (!editor->reading)
        return LINE_EDITOR_REFUSED;
    editor->after_carriage_return = byte == '\r';
    if (byte == BYTE_ESCAPE && editor->escape != LINE_EDITOR_ESCAPE_NONE) {
        editor->escape = LINE_EDITOR_ESCAPE_STARTED;
        return LINE_EDITOR_CONTINUE;
    }
    if (editor->escape == LINE_EDITOR_ESCAPE_CSI) {
        if (take_csi_byte(editor, byte))
            return LINE_EDITOR_CONTINUE;
        editor->escape = LINE_EDITOR_ESCAPE_NONE;
    } else if (editor->escape != LINE_EDITOR_ESCAPE_NONE) {
        if (take_escape_byte(editor, byte))
            return LINE_EDITOR_CONTINUE;
        editor->escape = LINE_EDITOR_ESCAPE_NONE;
    }
    return typed_byte(editor, byte);
}

const char *line_editor_line(const struct line_editor *editor)
{
    return editor->line;
}

unsigned int line_editor_length(const struct line_editor *editor)
{
    return editor->length;
}

unsigned int line_editor_cursor(const struct line_editor *editor)
{
    return editor->cursor;
}

bool line_editor_reading(const struct line_editor *editor)
{
    return editor->reading;
}
