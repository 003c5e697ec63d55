/*
 * The simulated terminal of the line editor's tests (see
 * simulated_terminal.h).
 */
#include <string.h>

#include "simulated_terminal.h"

void simulated_terminal_reset(struct simulated_terminal *terminal, unsigned int columns)
{
    memset(terminal, 0, sizeof(*terminal));
    memset(terminal->cells, ' ', sizeof(terminal->cells));
    terminal->columns = columns < SIMULATED_TERMINAL_COLUMNS_MAX ? columns : SIMULATED_TERMINAL_COLUMNS_MAX;
}

static void record_error(struct simulated_terminal *terminal, const char *error)
{
    if (terminal->error == NULL)
        terminal->error = error;
}

static void line_feed(struct simulated_terminal *terminal)
{
    if (terminal->row + 1 < SIMULATED_TERMINAL_ROWS) {
        terminal->row++;
        return;
    }
    memmove(terminal->cells[0], terminal->cells[1], sizeof(terminal->cells[0]) * (SIMULATED_TERMINAL_ROWS - 1));
    memset(terminal->cells[SIMULATED_TERMINAL_ROWS - 1], ' ', sizeof(terminal->cells[0]));
}

static void put_character(struct simulated_terminal *terminal, char character)
{
    terminal->cells[terminal->row][terminal->column] = character;
    if (terminal->column + 1 == terminal->columns)
        terminal->last_column_written = true;
    else
        terminal->column++;
}

/* The numeric parameter of the sequence (count, default 1 when absent or 0). */
static unsigned int sequence_count(const struct simulated_terminal *terminal)
{
    unsigned int value = 0;

    for (unsigned int index = 0; index < terminal->sequence_length; index++) {
        if (terminal->sequence[index] < '0' || terminal->sequence[index] > '9')
            return 0;
        value = value * 10 + (unsigned int)(terminal->sequence[index] - '0');
    }
    return value == 0 ? 1 : value;
}

static bool sequence_is(const struct simulated_terminal *terminal, const char *parameters)
{
    return terminal->sequence_length == strlen(parameters) &&
           memcmp(terminal->sequence, parameters, terminal->sequence_length) == 0;
}

static void control_sequence(struct simulated_terminal *terminal, char final)
{
    unsigned int count = sequence_count(terminal);

    if (final == 'K' && (sequence_is(terminal, "") || sequence_is(terminal, "0"))) {
        memset(&terminal->cells[terminal->row][terminal->column], ' ', terminal->columns - terminal->column);
    } else if (final == 'C' && count != 0) {
        terminal->column = terminal->column + count < terminal->columns ? terminal->column + count
                                                                         : terminal->columns - 1;
    } else if (final == 'D' && count != 0) {
        terminal->column = terminal->column > count ? terminal->column - count : 0;
    } else if (final == 'H' && sequence_is(terminal, "")) {
        terminal->row = 0;
        terminal->column = 0;
    } else if (final == 'J' && sequence_is(terminal, "2")) {
        memset(terminal->cells, ' ', sizeof(terminal->cells));
    } else {
        record_error(terminal, "an escape sequence the editor does not promise");
    }
}

static void take_sequence_byte(struct simulated_terminal *terminal, char byte)
{
    if (terminal->escape == 1) {
        terminal->escape = byte == '[' ? 2 : 0;
        terminal->sequence_length = 0;
        if (byte != '[')
            record_error(terminal, "ESC not followed by [");
        return;
    }
    if (byte >= 0x40 && byte <= 0x7e) {
        terminal->escape = 0;
        control_sequence(terminal, byte);
        return;
    }
    if (terminal->sequence_length == SIMULATED_TERMINAL_SEQUENCE_MAX || byte < 0x20) {
        terminal->escape = 0;
        record_error(terminal, "a malformed escape sequence");
        return;
    }
    terminal->sequence[terminal->sequence_length++] = byte;
}

static void take_byte(struct simulated_terminal *terminal, char byte)
{
    if (terminal->escape != 0) {
        take_sequence_byte(terminal, byte);
        return;
    }
    switch (byte) {
    case '\r':
        terminal->column = 0;
        return;
    case '\n':
        line_feed(terminal);
        return;
    case '\b':
        if (terminal->column > 0)
            terminal->column--;
        return;
    case '\a':
        terminal->bells++;
        return;
    case 0x1b:
        terminal->escape = 1;
        return;
    default:
        if (byte >= 0x20 && byte <= 0x7e)
            put_character(terminal, byte);
        else
            record_error(terminal, "a control byte the editor does not promise");
        return;
    }
}

void simulated_terminal_write(void *context, const char *bytes, size_t length)
{
    struct simulated_terminal *terminal = context;

    for (size_t index = 0; index < length; index++)
        take_byte(terminal, bytes[index]);
}

void simulated_terminal_row_text(const struct simulated_terminal *terminal, unsigned int row, char *text)
{
    unsigned int length = terminal->columns;

    while (length > 0 && terminal->cells[row][length - 1] == ' ')
        length--;
    memcpy(text, terminal->cells[row], length);
    text[length] = '\0';
}
