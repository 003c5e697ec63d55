/*
 * A VT100/xterm terminal screen for the tests of dom0's line editor
 * (tools/xl/line_editor.h): it interprets what the editor writes, so that
 * a test can say what the person at the terminal sees.  It knows exactly
 * the output the editor promises (printable ASCII, CR, LF, BS, BEL,
 * ESC [ K, ESC [ n D, ESC [ n C, ESC [ H, ESC [ 2 J; xterm's behaviour per
 * its ctlseqs document); anything else is recorded as an error, and so is
 * a character written in the last column (where a real terminal would
 * later wrap).  The screen scrolls up when LF reaches the bottom row.
 */
#ifndef PVMON_TEST_SIMULATED_TERMINAL_H
#define PVMON_TEST_SIMULATED_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

#define SIMULATED_TERMINAL_ROWS 24
#define SIMULATED_TERMINAL_COLUMNS_MAX 512
#define SIMULATED_TERMINAL_SEQUENCE_MAX 16

struct simulated_terminal {
    unsigned int columns;
    char cells[SIMULATED_TERMINAL_ROWS][SIMULATED_TERMINAL_COLUMNS_MAX];
    unsigned int row;
    unsigned int column;
    unsigned int bells;
    const char *error; /* the first thing it could not interpret, or NULL */
    bool last_column_written;
    int escape; /* 0, 1 after ESC, 2 after ESC [ */
    char sequence[SIMULATED_TERMINAL_SEQUENCE_MAX];
    unsigned int sequence_length;
};

void simulated_terminal_reset(struct simulated_terminal *terminal, unsigned int columns);

/* As line_editor_write, with the terminal as context. */
void simulated_terminal_write(void *terminal, const char *bytes, size_t length);

/* Row `row` as text, trailing blanks removed, in text (columns + 1 bytes). */
void simulated_terminal_row_text(const struct simulated_terminal *terminal, unsigned int row, char *text);

#endif
