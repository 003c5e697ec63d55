/*
 * dom0's command line editor: how dom0's shell reads a line from the
 * serial terminal, with editing and a history.  Pure: bytes come in one at
 * a time, as a VT100/xterm-compatible terminal sends them (through
 * console_io's read in dom0); the echo and every redraw go out through
 * the caller's write function.  Compiled into dom0's kernel and into the
 * host unit tests.
 *
 * Keys (emacs bindings, as readline and linenoise have them):
 *   printable ASCII (0x20..0x7e)    inserted at the cursor
 *   Backspace (DEL 0x7f, Ctrl-H)    deletes the character before the cursor
 *   Delete (ESC [ 3 ~), Ctrl-D      deletes the character under the cursor;
 *                                   Ctrl-D on an empty line ends the input
 *   Left, Ctrl-B / Right, Ctrl-F    one character
 *   Home, Ctrl-A / End, Ctrl-E      start / end of the line
 *   Ctrl-K                          deletes from the cursor to the end
 *   Ctrl-U                          deletes from the start to the cursor
 *   Ctrl-W                          deletes the word before the cursor (the
 *                                   spaces before it, then up to a space)
 *   Up, Ctrl-P / Down, Ctrl-N       older / newer history line
 *   Ctrl-L                          clears the screen and redraws the line
 *   Ctrl-C                          abandons the line
 *   Enter (CR or LF; CR LF once)    enters the line
 * The arrows come as ESC [ A..D or ESC O A..D (application cursor mode),
 * Home as ESC [ H, ESC O H, ESC [ 1 ~ or ESC [ 7 ~, End as ESC [ F, ESC O F,
 * ESC [ 4 ~ or ESC [ 8 ~ (xterm's and rxvt's variants); the parameters of
 * a modified arrow (ESC [ 1 ; 5 C) are ignored.  Any other escape
 * sequence is swallowed whole (ECMA-48's shape: parameter bytes
 * 0x30..0x3f, intermediates 0x20..0x2f, one final byte 0x40..0x7e) and
 * rings the bell; one longer than LINE_EDITOR_SEQUENCE_MAX bytes is
 * abandoned.  A control byte inside a sequence abandons it and then
 * counts as typed (an Escape key pressed alone, then Enter, enters the
 * line).
 *
 * Xen's console keeps Ctrl-A for itself only when pressed three times in
 * a row (xen/drivers/char/console.c, serial_rx: fewer are passed on when
 * the next byte comes; pvmon's console input does the same), so Ctrl-A
 * reaches the editor, a byte late.  Under QEMU's -nographic, Ctrl-A is
 * QEMU's own escape: Ctrl-A Ctrl-A sends one.
 *
 * The bell (BEL, 0x07) answers a key that cannot act: a character beyond
 * LINE_EDITOR_LINE_MAX (the line is never longer), Backspace, Ctrl-W or
 * Ctrl-U at the start, Delete or Ctrl-D at the end of a non-empty line,
 * Left at the start, Right at the end, Up at the oldest history line,
 * Down at the line being typed, an unknown key (Tab, other control
 * bytes, bytes beyond ASCII, unknown sequences).  Home, End and Ctrl-K
 * with nothing to do are silent.
 *
 * History: the last LINE_EDITOR_HISTORY_LINES entered lines (fixed
 * memory: the oldest goes), without blank lines (empty or spaces only)
 * and without a line equal to the newest one.  Up copies an entry into
 * the line with the cursor at its end; the line being typed is kept and
 * comes back with Down past the newest entry.  Entries never change:
 * editing a recalled line and moving away from it drops the edit.
 *
 * The screen: the editor owns one terminal row, `columns` wide (a serial
 * terminal does not say its width; 80 unless told), holding the prompt
 * and a window of the line.  It never writes in the last column, so the
 * terminal never wraps: the window shows at most columns - prompt - 1
 * characters (W), from first = max(0, cursor - W) (linenoise's rule: a
 * line longer than the row scrolls sideways and keeps the cursor in
 * view).  Typing or deleting at the end of the line and moving by one
 * character echo only what changed ("x", "\b \b", "\b", the character
 * moved over) when the window does not move; anything else redraws the
 * row: CR, the prompt, the window, ESC [ K (erase to the end of the row)
 * and ESC [ n D back to the cursor.  Enter writes CR LF, Ctrl-C "^C" CR
 * LF ("^C" only if it fits before the last column), the end of input
 * CR LF; Ctrl-L writes ESC [ H ESC [ 2 J first.  The
 * editor writes nothing else: its output is printable ASCII, CR, LF, BS,
 * BEL and those four sequences.
 *
 * Reading: line_editor_start writes the prompt and begins a line; bytes
 * fed then edit it until an event ends the line (LINE_EDITOR_LINE,
 * LINE_EDITOR_INTERRUPT, LINE_EDITOR_END).  Until the next start, bytes
 * are refused (LINE_EDITOR_REFUSED: not taken, the caller keeps them),
 * except the LF of a CR LF (the byte right after the CR), which is taken
 * whenever it comes.
 */
#ifndef PVMON_XL_LINE_EDITOR_H
#define PVMON_XL_LINE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_EDITOR_LINE_MAX 255
#define LINE_EDITOR_HISTORY_LINES 32
#define LINE_EDITOR_PROMPT_MAX 32
#define LINE_EDITOR_DEFAULT_COLUMNS 80
#define LINE_EDITOR_COLUMNS_MAX 512
/* Bytes after ESC [ before a sequence is abandoned. */
#define LINE_EDITOR_SEQUENCE_MAX 16

/* Where the echo and redraws go: length bytes, not NUL-terminated. */
typedef void (*line_editor_write)(void *context, const char *bytes, size_t length);

enum line_editor_event {
    LINE_EDITOR_CONTINUE,  /* the byte was taken; the line is not finished */
    LINE_EDITOR_LINE,      /* Enter: line_editor_line() is the line */
    LINE_EDITOR_INTERRUPT, /* Ctrl-C: the line was abandoned */
    LINE_EDITOR_END,       /* Ctrl-D on an empty line */
    LINE_EDITOR_REFUSED,   /* not reading (no start since the last event): byte not taken */
};

enum line_editor_escape_state {
    LINE_EDITOR_ESCAPE_NONE,
    LINE_EDITOR_ESCAPE_STARTED, /* ESC */
    LINE_EDITOR_ESCAPE_CSI,     /* ESC [ */
    LINE_EDITOR_ESCAPE_SS3,     /* ESC O */
};

struct line_editor_history {
    char entries[LINE_EDITOR_HISTORY_LINES][LINE_EDITOR_LINE_MAX + 1];
    uint16_t lengths[LINE_EDITOR_HISTORY_LINES];
    unsigned int count;  /* entries held */
    unsigned int newest; /* slot of the newest entry, when count > 0 */
};

struct line_editor {
    line_editor_write write;
    void *context;
    unsigned int columns;
    unsigned int prompt_length;
    char prompt[LINE_EDITOR_PROMPT_MAX + 1];

    bool reading;
    bool after_carriage_return;

    enum line_editor_escape_state escape;
    unsigned int sequence_length;     /* bytes after ESC [ */
    unsigned int parameter;           /* the first numeric parameter, saturated */
    bool parameter_ended;             /* a ';' came: later parameters are ignored */
    bool sequence_unknown;            /* intermediates or private markers seen */

    char line[LINE_EDITOR_LINE_MAX + 1]; /* NUL-terminated */
    unsigned int length;
    unsigned int cursor;

    /* 0: the line being typed; n: the n-th newest history entry is shown. */
    unsigned int history_position;
    char typed_line[LINE_EDITOR_LINE_MAX + 1];
    unsigned int typed_length;
    struct line_editor_history history;
};

/*
 * Sets the editor up, not reading, with an empty history: the prompt is
 * copied (printable ASCII, at most LINE_EDITOR_PROMPT_MAX characters) and
 * the row is `columns` wide (0 for LINE_EDITOR_DEFAULT_COLUMNS; at most
 * LINE_EDITOR_COLUMNS_MAX, and at least the prompt plus 2).  0, or
 * -XEN_EINVAL for a bad prompt or width.
 */
int line_editor_init(struct line_editor *editor, const char *prompt, unsigned int columns,
                     line_editor_write write, void *context);

/* Writes the prompt and begins an empty line (ends one being read). */
void line_editor_start(struct line_editor *editor);

/* Takes one byte from the terminal. */
enum line_editor_event line_editor_feed(struct line_editor *editor, uint8_t byte);

/* The line as it stands (NUL-terminated); after LINE_EDITOR_LINE, the line entered. */
const char *line_editor_line(const struct line_editor *editor);
unsigned int line_editor_length(const struct line_editor *editor);
unsigned int line_editor_cursor(const struct line_editor *editor);
bool line_editor_reading(const struct line_editor *editor);

/* The first character of the line shown on the row (the window's start). */
unsigned int line_editor_window_first(const struct line_editor *editor);

unsigned int line_editor_history_count(const struct line_editor *editor);
/* The history entry of the given age (0: the newest), or NULL beyond the oldest. */
const char *line_editor_history_entry(const struct line_editor *editor, unsigned int age);

#endif
