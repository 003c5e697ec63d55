/*
 * Specification of dom0's command line editor (tools/xl/line_editor.h):
 * bytes typed as a serial terminal sends them, the line and the history
 * they leave, and what the person sees on a VT100 screen
 * (simulated_terminal.h) and in the exact bytes of the echo.
 */
#include <stdio.h>
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xl/line_editor.h>

#include "simulated_terminal.h"
#include "suites.h"

#define PROMPT "xl> "
#define PROMPT_LENGTH 4
#define OUTPUT_MAX 65536

static struct line_editor editor;
static struct simulated_terminal terminal;
static char output[OUTPUT_MAX];
static size_t output_length;
static enum line_editor_event last_event;

static void capture(void *context, const char *bytes, size_t length)
{
    ck_assert_uint_le(output_length + length, OUTPUT_MAX);
    memcpy(output + output_length, bytes, length);
    output_length += length;
    simulated_terminal_write(context, bytes, length);
}

static void begin(unsigned int columns)
{
    simulated_terminal_reset(&terminal, columns == 0 ? LINE_EDITOR_DEFAULT_COLUMNS : columns);
    ck_assert_int_eq(line_editor_init(&editor, PROMPT, columns, capture, &terminal), 0);
    output_length = 0;
    line_editor_start(&editor);
}

static void setup(void)
{
    begin(0);
}

static void type_bytes(const char *bytes, size_t length)
{
    for (size_t index = 0; index < length; index++)
        last_event = line_editor_feed(&editor, (uint8_t)bytes[index]);
}

static void type(const char *text)
{
    type_bytes(text, strlen(text));
}

/* Output since the last call. */
static void forget_output(void)
{
    output_length = 0;
}

static void assert_output(const char *expected)
{
    ck_assert_uint_eq(output_length, strlen(expected));
    ck_assert(memcmp(output, expected, output_length) == 0);
}

static void assert_line(const char *text, unsigned int cursor)
{
    ck_assert_str_eq(line_editor_line(&editor), text);
    ck_assert_uint_eq(line_editor_length(&editor), strlen(text));
    ck_assert_uint_eq(line_editor_cursor(&editor), cursor);
}

/* The terminal's current row shows these characters, the cursor at this column, nothing unpromised. */
static void assert_screen(const char *row_text, unsigned int column)
{
    char text[SIMULATED_TERMINAL_COLUMNS_MAX + 1];

    ck_assert_ptr_null(terminal.error);
    ck_assert(!terminal.last_column_written);
    simulated_terminal_row_text(&terminal, terminal.row, text);
    ck_assert_str_eq(text, row_text);
    ck_assert_uint_eq(terminal.column, column);
}

static void enter_lines(const char *const *lines, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++) {
        type(lines[index]);
        type("\r");
        ck_assert_int_eq(last_event, LINE_EDITOR_LINE);
        line_editor_start(&editor);
    }
}

/* --- Setting up. */

START_TEST(a_prompt_with_a_control_character_is_refused)
{
    ck_assert_int_eq(line_editor_init(&editor, "a\tb", 0, capture, &terminal), -XEN_EINVAL);
}
END_TEST

START_TEST(a_prompt_longer_than_the_maximum_is_refused)
{
    char prompt[LINE_EDITOR_PROMPT_MAX + 2];

    memset(prompt, '>', sizeof(prompt) - 1);
    prompt[sizeof(prompt) - 1] = '\0';
    ck_assert_int_eq(line_editor_init(&editor, prompt, 0, capture, &terminal), -XEN_EINVAL);
    prompt[LINE_EDITOR_PROMPT_MAX] = '\0';
    ck_assert_int_eq(line_editor_init(&editor, prompt, 0, capture, &terminal), 0);
}
END_TEST

START_TEST(a_row_too_narrow_or_too_wide_is_refused)
{
    ck_assert_int_eq(line_editor_init(&editor, PROMPT, PROMPT_LENGTH + 1, capture, &terminal), -XEN_EINVAL);
    ck_assert_int_eq(line_editor_init(&editor, PROMPT, LINE_EDITOR_COLUMNS_MAX + 1, capture, &terminal),
                     -XEN_EINVAL);
    ck_assert_int_eq(line_editor_init(&editor, PROMPT, PROMPT_LENGTH + 2, capture, &terminal), 0);
}
END_TEST

START_TEST(start_writes_the_prompt)
{
    assert_output(PROMPT);
    assert_screen("xl>", PROMPT_LENGTH);
    ck_assert(line_editor_reading(&editor));
}
END_TEST

/* --- Typing and entering. */

START_TEST(typed_characters_are_echoed_as_they_come)
{
    forget_output();
    type("xl list");
    assert_output("xl list");
    assert_line("xl list", 7);
    assert_screen("xl> xl list", PROMPT_LENGTH + 7);
}
END_TEST

START_TEST(carriage_return_enters_the_line)
{
    type("xl info");
    forget_output();
    type("\r");
    ck_assert_int_eq(last_event, LINE_EDITOR_LINE);
    ck_assert_str_eq(line_editor_line(&editor), "xl info");
    assert_output("\r\n");
    ck_assert(!line_editor_reading(&editor));
}
END_TEST

START_TEST(line_feed_enters_the_line)
{
    type("xl info\n");
    ck_assert_int_eq(last_event, LINE_EDITOR_LINE);
    ck_assert_str_eq(line_editor_line(&editor), "xl info");
}
END_TEST

START_TEST(carriage_return_line_feed_enters_one_line)
{
    type("a\r");
    ck_assert_int_eq(last_event, LINE_EDITOR_LINE);
    line_editor_start(&editor);
    type("\n");
    ck_assert_int_eq(last_event, LINE_EDITOR_CONTINUE);
    ck_assert(line_editor_reading(&editor));
    type("b\r\n");
    ck_assert_str_eq(line_editor_line(&editor), "b");
}
END_TEST

START_TEST(the_line_feed_of_a_crlf_is_taken_before_the_next_start)
{
    type("a\r");
    ck_assert_int_eq(line_editor_feed(&editor, '\n'), LINE_EDITOR_CONTINUE);
    line_editor_start(&editor);
    ck_assert_int_eq(line_editor_feed(&editor, '\n'), LINE_EDITOR_LINE);
    ck_assert_str_eq(line_editor_line(&editor), "");
}
END_TEST

START_TEST(a_byte_between_carriage_return_and_line_feed_makes_the_line_feed_an_enter)
{
    type("a\r");
    ck_assert_int_eq(line_editor_feed(&editor, 'x'), LINE_EDITOR_REFUSED);
    line_editor_start(&editor);
    ck_assert_int_eq(line_editor_feed(&editor, '\n'), LINE_EDITOR_LINE);
}
END_TEST

START_TEST(two_line_feeds_enter_two_lines)
{
    ck_assert_int_eq(line_editor_feed(&editor, '\n'), LINE_EDITOR_LINE);
    line_editor_start(&editor);
    ck_assert_int_eq(line_editor_feed(&editor, '\n'), LINE_EDITOR_LINE);
}
END_TEST

START_TEST(bytes_are_refused_until_the_next_start)
{
    type("a\r");
    forget_output();
    ck_assert_int_eq(line_editor_feed(&editor, 'b'), LINE_EDITOR_REFUSED);
    ck_assert_int_eq(line_editor_feed(&editor, '\r'), LINE_EDITOR_REFUSED);
    assert_output("");
    line_editor_start(&editor);
    ck_assert_int_eq(line_editor_feed(&editor, 'b'), LINE_EDITOR_CONTINUE);
    assert_line("b", 1);
}
END_TEST

START_TEST(a_line_at_the_maximum_length_refuses_one_more_character_with_the_bell)
{
    char text[LINE_EDITOR_LINE_MAX + 1];

    memset(text, 'x', LINE_EDITOR_LINE_MAX);
    text[LINE_EDITOR_LINE_MAX] = '\0';
    type(text);
    ck_assert_uint_eq(line_editor_length(&editor), LINE_EDITOR_LINE_MAX);
    ck_assert_uint_eq(terminal.bells, 0);
    forget_output();
    type("y");
    assert_output("\a");
    type("\x1b[H" "z");
    ck_assert_uint_eq(terminal.bells, 2);
    assert_line(text, 0);
}
END_TEST

START_TEST(tab_other_control_bytes_and_bytes_beyond_ascii_ring_the_bell)
{
    const uint8_t refused[] = { '\t', 0x00, 0x07, 0x0f, 0x1c, 0x80, 0xc3, 0xff };

    type("ab");
    for (size_t index = 0; index < sizeof(refused); index++)
        ck_assert_int_eq(line_editor_feed(&editor, refused[index]), LINE_EDITOR_CONTINUE);
    ck_assert_uint_eq(terminal.bells, sizeof(refused));
    assert_line("ab", 2);
}
END_TEST

/* --- Deleting. */

START_TEST(backspace_at_the_end_erases_with_backspace_space_backspace)
{
    type("xl lisx");
    forget_output();
    type("\x7f");
    assert_output("\b \b");
    type("\b");
    assert_line("xl li", 5);
    assert_screen("xl> xl li", PROMPT_LENGTH + 5);
}
END_TEST

START_TEST(backspace_at_the_start_rings_the_bell)
{
    type("\x7f");
    ck_assert_uint_eq(terminal.bells, 1);
    type("ab\x01\x7f");
    ck_assert_uint_eq(terminal.bells, 2);
    assert_line("ab", 0);
}
END_TEST

START_TEST(backspace_in_the_middle_closes_the_gap)
{
    type("xl lxist\x1b[D\x1b[D\x1b[D\x7f");
    assert_line("xl list", 4);
    assert_screen("xl> xl list", PROMPT_LENGTH + 4);
}
END_TEST

START_TEST(delete_removes_the_character_under_the_cursor)
{
    type("xl lisst\x1b[D\x1b[D\x1b[3~");
    assert_line("xl list", 6);
    assert_screen("xl> xl list", PROMPT_LENGTH + 6);
}
END_TEST

START_TEST(delete_at_the_end_rings_the_bell)
{
    type("ab\x1b[3~");
    ck_assert_uint_eq(terminal.bells, 1);
    assert_line("ab", 2);
}
END_TEST

START_TEST(ctrl_d_deletes_under_the_cursor_in_a_line)
{
    type("abc\x02\x02\x04");
    ck_assert_int_eq(last_event, LINE_EDITOR_CONTINUE);
    assert_line("ac", 1);
}
END_TEST

START_TEST(ctrl_d_on_an_empty_line_ends_the_input)
{
    forget_output();
    type("\x04");
    ck_assert_int_eq(last_event, LINE_EDITOR_END);
    assert_output("\r\n");
    ck_assert(!line_editor_reading(&editor));
}
END_TEST

START_TEST(ctrl_k_deletes_to_the_end)
{
    type("xl list -l\x1b[D\x1b[D\x1b[D\x0b");
    assert_line("xl list", 7);
    assert_screen("xl> xl list", PROMPT_LENGTH + 7);
}
END_TEST

START_TEST(ctrl_u_deletes_from_the_start_to_the_cursor)
{
    type("garbage xl info\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x15");
    assert_line("xl info", 0);
    assert_screen("xl> xl info", PROMPT_LENGTH);
}
END_TEST

START_TEST(ctrl_w_deletes_the_word_before_the_cursor_and_its_trailing_spaces)
{
    type("xl  pause  \x17");
    assert_line("xl  ", 4);
    type("\x17");
    assert_line("", 0);
    assert_screen("xl>", PROMPT_LENGTH);
}
END_TEST

START_TEST(ctrl_w_and_ctrl_u_at_the_start_ring_the_bell)
{
    type("ab\x01\x17\x15");
    ck_assert_uint_eq(terminal.bells, 2);
    assert_line("ab", 0);
}
END_TEST

/* --- Moving. */

START_TEST(left_echoes_a_backspace_and_right_the_character_moved_over)
{
    type("ab");
    forget_output();
    type("\x1b[D");
    assert_output("\b");
    type("\x1b[C");
    assert_output("\bb");
    assert_line("ab", 2);
}
END_TEST

START_TEST(inserting_in_the_middle_redraws_the_rest_of_the_line)
{
    type("xl lst\x1b[D\x1b[Di");
    assert_line("xl list", 5);
    assert_screen("xl> xl list", PROMPT_LENGTH + 5);
}
END_TEST

START_TEST(ctrl_b_and_ctrl_f_move_by_one_character)
{
    type("abc\x02\x02");
    assert_line("abc", 1);
    type("\x06");
    assert_line("abc", 2);
}
END_TEST

START_TEST(application_mode_arrows_move_as_the_others)
{
    type("abc\x1bOD\x1bOD");
    assert_line("abc", 1);
    type("\x1bOC");
    assert_line("abc", 2);
}
END_TEST

START_TEST(every_home_key_moves_to_the_start)
{
    const char *const homes[] = { "\x01", "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~" };

    type("xl list");
    for (size_t index = 0; index < sizeof(homes) / sizeof(homes[0]); index++) {
        type("\x05");
        type(homes[index]);
        assert_line("xl list", 0);
        assert_screen("xl> xl list", PROMPT_LENGTH);
    }
    ck_assert_uint_eq(terminal.bells, 0);
}
END_TEST

START_TEST(every_end_key_moves_to_the_end)
{
    const char *const ends[] = { "\x05", "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~" };

    type("xl list");
    for (size_t index = 0; index < sizeof(ends) / sizeof(ends[0]); index++) {
        type("\x01");
        type(ends[index]);
        assert_line("xl list", 7);
        assert_screen("xl> xl list", PROMPT_LENGTH + 7);
    }
    ck_assert_uint_eq(terminal.bells, 0);
}
END_TEST

START_TEST(left_at_the_start_and_right_at_the_end_ring_the_bell)
{
    type("a\x1b[C");
    ck_assert_uint_eq(terminal.bells, 1);
    type("\x1b[D\x1b[D");
    ck_assert_uint_eq(terminal.bells, 2);
    assert_line("a", 0);
}
END_TEST

START_TEST(a_modified_arrow_moves_as_the_plain_one)
{
    type("abc\x1b[1;5D");
    assert_line("abc", 2);
}
END_TEST

/* --- Escape sequences. */

START_TEST(an_unknown_sequence_is_swallowed_with_the_bell)
{
    const char *const unknown[] = { "\x1b[2~", "\x1b[5~", "\x1b[Z", "\x1b[?1h", "\x1b[1 q", "\x1bOP", "\x1bx" };

    type("ab");
    for (size_t index = 0; index < sizeof(unknown) / sizeof(unknown[0]); index++)
        type(unknown[index]);
    ck_assert_uint_eq(terminal.bells, sizeof(unknown) / sizeof(unknown[0]));
    assert_line("ab", 2);
}
END_TEST

START_TEST(a_control_byte_abandons_a_sequence_and_counts_as_typed)
{
    type("ab\x1b\r");
    ck_assert_int_eq(last_event, LINE_EDITOR_LINE);
    ck_assert_str_eq(line_editor_line(&editor), "ab");
    line_editor_start(&editor);
    type("cd\x1b[1\x7f");
    assert_line("c", 1);
}
END_TEST

START_TEST(escape_inside_a_sequence_begins_a_new_one)
{
    type("abc\x1b[1\x1b[D");
    assert_line("abc", 2);
    ck_assert_uint_eq(terminal.bells, 0);
}
END_TEST

START_TEST(a_sequence_longer_than_the_maximum_is_abandoned)
{
    char sequence[LINE_EDITOR_SEQUENCE_MAX + 3];

    sequence[0] = 0x1b;
    sequence[1] = '[';
    memset(sequence + 2, '1', LINE_EDITOR_SEQUENCE_MAX);
    sequence[LINE_EDITOR_SEQUENCE_MAX + 2] = '\0';
    type(sequence);
    ck_assert_uint_eq(terminal.bells, 0);
    type("2x");
    ck_assert_uint_eq(terminal.bells, 1);
    assert_line("x", 1);
}
END_TEST

/* --- Interrupting and redrawing. */

START_TEST(ctrl_c_abandons_the_line)
{
    type("xl destroy 1");
    forget_output();
    type("\x03");
    ck_assert_int_eq(last_event, LINE_EDITOR_INTERRUPT);
    assert_output("^C\r\n");
    ck_assert_str_eq(line_editor_line(&editor), "");
    ck_assert_uint_eq(line_editor_history_count(&editor), 0);
    ck_assert(!line_editor_reading(&editor));
}
END_TEST

START_TEST(ctrl_c_with_the_cursor_near_the_last_column_leaves_out_the_caret)
{
    begin(20);
    type("abcdefghijklmnopqrstuvwxyz");
    forget_output();
    type("\x03");
    assert_output("\r\n");
    ck_assert(!terminal.last_column_written);
}
END_TEST

START_TEST(ctrl_l_clears_the_screen_and_redraws_the_line_on_the_top_row)
{
    type("one\r");
    line_editor_start(&editor);
    type("xl list\x1b[D\x0c");
    ck_assert_uint_eq(terminal.row, 0);
    assert_screen("xl> xl list", PROMPT_LENGTH + 6);
    assert_line("xl list", 6);
}
END_TEST

/* --- A line longer than the row. */

START_TEST(a_line_longer_than_the_row_scrolls_to_keep_the_cursor_in_view)
{
    /* 20 columns, prompt 4: a window of 15 characters. */
    begin(20);
    type("abcdefghijklmnopqrstuvwxyz");
    assert_screen("xl> lmnopqrstuvwxyz", 19);
    ck_assert_uint_eq(line_editor_window_first(&editor), 11);
    type("\x01");
    assert_screen("xl> abcdefghijklmno", PROMPT_LENGTH);
    type("\x05\x7f\x7f");
    assert_screen("xl> jklmnopqrstuvwx", 19);
}
END_TEST

START_TEST(a_line_that_fits_the_row_is_never_scrolled)
{
    begin(20);
    type("abcdefghijklmno");
    ck_assert_uint_eq(line_editor_window_first(&editor), 0);
    assert_screen("xl> abcdefghijklmno", 19);
}
END_TEST

/* --- History. */

START_TEST(up_recalls_the_newest_line_with_the_cursor_at_its_end)
{
    const char *const lines[] = { "xl list", "xl info" };

    enter_lines(lines, 2);
    type("\x1b[A");
    assert_line("xl info", 7);
    assert_screen("xl> xl info", PROMPT_LENGTH + 7);
    type("\x1b[A");
    assert_line("xl list", 7);
}
END_TEST

START_TEST(down_returns_to_the_line_being_typed)
{
    const char *const lines[] = { "xl list", "xl info" };

    enter_lines(lines, 2);
    type("xl cre\x1b[A\x1b[A\x1b[B\x1b[B");
    assert_line("xl cre", 6);
    assert_screen("xl> xl cre", PROMPT_LENGTH + 6);
}
END_TEST

START_TEST(ctrl_p_and_ctrl_n_walk_the_history_as_the_arrows)
{
    const char *const lines[] = { "one", "two" };

    enter_lines(lines, 2);
    type("\x10\x10");
    assert_line("one", 3);
    type("\x0e");
    assert_line("two", 3);
}
END_TEST

START_TEST(up_beyond_the_oldest_and_down_at_the_typed_line_ring_the_bell)
{
    const char *const lines[] = { "one" };

    type("\x1b[A");
    ck_assert_uint_eq(terminal.bells, 1);
    type("\x1b[B");
    ck_assert_uint_eq(terminal.bells, 2);
    type("\r");
    line_editor_start(&editor);
    enter_lines(lines, 1);
    type("\x1b[A\x1b[A");
    ck_assert_uint_eq(terminal.bells, 3);
    assert_line("one", 3);
}
END_TEST

START_TEST(a_line_equal_to_the_newest_is_not_added_again)
{
    const char *const lines[] = { "xl list", "xl list", "xl info", "xl list" };

    enter_lines(lines, 4);
    ck_assert_uint_eq(line_editor_history_count(&editor), 3);
    ck_assert_str_eq(line_editor_history_entry(&editor, 0), "xl list");
    ck_assert_str_eq(line_editor_history_entry(&editor, 1), "xl info");
    ck_assert_str_eq(line_editor_history_entry(&editor, 2), "xl list");
    ck_assert_ptr_null(line_editor_history_entry(&editor, 3));
}
END_TEST

START_TEST(blank_lines_are_not_added)
{
    const char *const lines[] = { "", "   " };

    enter_lines(lines, 2);
    ck_assert_uint_eq(line_editor_history_count(&editor), 0);
}
END_TEST

START_TEST(the_history_keeps_the_newest_lines_only)
{
    char lines[LINE_EDITOR_HISTORY_LINES + 8][8];
    const char *pointers[LINE_EDITOR_HISTORY_LINES + 8];

    for (unsigned int index = 0; index < LINE_EDITOR_HISTORY_LINES + 8; index++) {
        snprintf(lines[index], sizeof(lines[index]), "l%u", index);
        pointers[index] = lines[index];
    }
    enter_lines(pointers, LINE_EDITOR_HISTORY_LINES + 8);
    ck_assert_uint_eq(line_editor_history_count(&editor), LINE_EDITOR_HISTORY_LINES);
    ck_assert_str_eq(line_editor_history_entry(&editor, 0), lines[LINE_EDITOR_HISTORY_LINES + 7]);
    ck_assert_str_eq(line_editor_history_entry(&editor, LINE_EDITOR_HISTORY_LINES - 1), lines[8]);
}
END_TEST

START_TEST(an_edit_of_a_recalled_line_leaves_its_entry_unchanged)
{
    const char *const lines[] = { "xl list", "xl info" };

    enter_lines(lines, 2);
    type("\x1b[A\x7f\x7f\x7f\x7f\x1b[A\x1b[B");
    assert_line("xl info", 7);
    ck_assert_str_eq(line_editor_history_entry(&editor, 0), "xl info");
}
END_TEST

START_TEST(an_entered_recalled_line_becomes_the_newest_entry)
{
    const char *const lines[] = { "xl list", "xl info" };

    enter_lines(lines, 2);
    type("\x1b[A\x1b[A\r");
    ck_assert_str_eq(line_editor_line(&editor), "xl list");
    ck_assert_uint_eq(line_editor_history_count(&editor), 3);
    ck_assert_str_eq(line_editor_history_entry(&editor, 0), "xl list");
}
END_TEST

static Suite *line_editor_suite(void)
{
    Suite *suite = suite_create("line_editor");
    TCase *test_case = tcase_create("line_editor");

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, a_prompt_with_a_control_character_is_refused);
    tcase_add_test(test_case, a_prompt_longer_than_the_maximum_is_refused);
    tcase_add_test(test_case, a_row_too_narrow_or_too_wide_is_refused);
    tcase_add_test(test_case, start_writes_the_prompt);
    tcase_add_test(test_case, typed_characters_are_echoed_as_they_come);
    tcase_add_test(test_case, carriage_return_enters_the_line);
    tcase_add_test(test_case, line_feed_enters_the_line);
    tcase_add_test(test_case, carriage_return_line_feed_enters_one_line);
    tcase_add_test(test_case, the_line_feed_of_a_crlf_is_taken_before_the_next_start);
    tcase_add_test(test_case, a_byte_between_carriage_return_and_line_feed_makes_the_line_feed_an_enter);
    tcase_add_test(test_case, two_line_feeds_enter_two_lines);
    tcase_add_test(test_case, bytes_are_refused_until_the_next_start);
    tcase_add_test(test_case, a_line_at_the_maximum_length_refuses_one_more_character_with_the_bell);
    tcase_add_test(test_case, tab_other_control_bytes_and_bytes_beyond_ascii_ring_the_bell);
    tcase_add_test(test_case, backspace_at_the_end_erases_with_backspace_space_backspace);
    tcase_add_test(test_case, backspace_at_the_start_rings_the_bell);
    tcase_add_test(test_case, backspace_in_the_middle_closes_the_gap);
    tcase_add_test(test_case, delete_removes_the_character_under_the_cursor);
    tcase_add_test(test_case, delete_at_the_end_rings_the_bell);
    tcase_add_test(test_case, ctrl_d_deletes_under_the_cursor_in_a_line);
    tcase_add_test(test_case, ctrl_d_on_an_empty_line_ends_the_input);
    tcase_add_test(test_case, ctrl_k_deletes_to_the_end);
    tcase_add_test(test_case, ctrl_u_deletes_from_the_start_to_the_cursor);
    tcase_add_test(test_case, ctrl_w_deletes_the_word_before_the_cursor_and_its_trailing_spaces);
    tcase_add_test(test_case, ctrl_w_and_ctrl_u_at_the_start_ring_the_bell);
    tcase_add_test(test_case, left_echoes_a_backspace_and_right_the_character_moved_over);
    tcase_add_test(test_case, inserting_in_the_middle_redraws_the_rest_of_the_line);
    tcase_add_test(test_case, ctrl_b_and_ctrl_f_move_by_one_character);
    tcase_add_test(test_case, application_mode_arrows_move_as_the_others);
    tcase_add_test(test_case, every_home_key_moves_to_the_start);
    tcase_add_test(test_case, every_end_key_moves_to_the_end);
    tcase_add_test(test_case, left_at_the_start_and_right_at_the_end_ring_the_bell);
    tcase_add_test(test_case, a_modified_arrow_moves_as_the_plain_one);
    tcase_add_test(test_case, an_unknown_sequence_is_swallowed_with_the_bell);
    tcase_add_test(test_case, a_control_byte_abandons_a_sequence_and_counts_as_typed);
    tcase_add_test(test_case, escape_inside_a_sequence_begins_a_new_one);
    tcase_add_test(test_case, a_sequence_longer_than_the_maximum_is_abandoned);
    tcase_add_test(test_case, ctrl_c_abandons_the_line);
    tcase_add_test(test_case, ctrl_c_with_the_cursor_near_the_last_column_leaves_out_the_caret);
    tcase_add_test(test_case, ctrl_l_clears_the_screen_and_redraws_the_line_on_the_top_row);
    tcase_add_test(test_case, a_line_longer_than_the_row_scrolls_to_keep_the_cursor_in_view);
    tcase_add_test(test_case, a_line_that_fits_the_row_is_never_scrolled);
    tcase_add_test(test_case, up_recalls_the_newest_line_with_the_cursor_at_its_end);
    tcase_add_test(test_case, down_returns_to_the_line_being_typed);
    tcase_add_test(test_case, ctrl_p_and_ctrl_n_walk_the_history_as_the_arrows);
    tcase_add_test(test_case, up_beyond_the_oldest_and_down_at_the_typed_line_ring_the_bell);
    tcase_add_test(test_case, a_line_equal_to_the_newest_is_not_added_again);
    tcase_add_test(test_case, blank_lines_are_not_added);
    tcase_add_test(test_case, the_history_keeps_the_newest_lines_only);
    tcase_add_test(test_case, an_edit_of_a_recalled_line_leaves_its_entry_unchanged);
    tcase_add_test(test_case, an_entered_recalled_line_becomes_the_newest_entry);
    suite_add_tcase(suite, test_case);
    return suite;
}

REGISTER_SUITE(line_editor_suite)
