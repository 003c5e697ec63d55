/*
 * Specification of dom0's console backend (backend/console_backend.h):
 * the out ring of struct xencons_interface drained with free-running
 * indexes into whole lines, carriage returns dropped, control and
 * non-ASCII bytes shown as '?', overlong lines split at
 * CONSOLE_BACKEND_LINE_MAX, a partial line kept until its newline or a
 * flush, and a producer index more than a ring ahead refused for good.
 * Input: bytes written into the in ring as far as it has room, in_prod
 * published after them, the backend's own producer index trusted over
 * the page's, and a consumer index claiming more than a ring unread
 * refused for good.  The tests play the guest's side of the page.
 */
#include <string.h>
#include <backend/console_backend.h>

#include "suites.h"

#define MAX_LINES 8
#define OUT_RING_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_RING_SIZE sizeof(((struct xencons_interface *)0)->in)

static struct xencons_interface page;
static struct console_backend backend;
static char lines[MAX_LINES][CONSOLE_BACKEND_LINE_MAX + 1];
static unsigned int line_count;

static void record_line(const char *line, void *context)
{
    (void)context;
    ck_assert_uint_lt(line_count, MAX_LINES);
    strcpy(lines[line_count++], line);
}

static void setup(void)
{
    memset(&page, 0, sizeof(page));
    line_count = 0;
    console_backend_connect(&backend, &page, record_line, NULL);
}

static void guest_write(const char *text)
{
    for (size_t index = 0; text[index] != '\0'; index++)
        page.out[MASK_XENCONS_IDX(page.out_prod + index, page.out)] = text[index];
    page.out_prod += (XENCONS_RING_IDX)strlen(text);
}

START_TEST(test_each_newline_ends_a_line)
{
    guest_write("first\nsecond\n");
    ck_assert(console_backend_drain(&backend));
    ck_assert_uint_eq(line_count, 2);
    ck_assert_str_eq(lines[0], "first");
    ck_assert_str_eq(lines[1], "second");
}
END_TEST

START_TEST(test_drained_bytes_are_consumed)
{
    guest_write("text\n");
    console_backend_drain(&backend);
    ck_assert_uint_eq(page.out_cons, page.out_prod);
}
END_TEST

START_TEST(test_empty_ring_consumes_nothing)
{
    ck_assert(!console_backend_drain(&backend));
    ck_assert_uint_eq(line_count, 0);
}
END_TEST

START_TEST(test_partial_line_waits_for_its_newline)
{
    guest_write("Linux ver");
    console_backend_drain(&backend);
    ck_assert_uint_eq(line_count, 0);
    guest_write("sion 6.1\n");
    console_backend_drain(&backend);
    ck_assert_uint_eq(line_count, 1);
    ck_assert_str_eq(lines[0], "Linux version 6.1");
}
END_TEST

START_TEST(test_flush_hands_on_a_partial_line)
{
    guest_write("no newline");
    console_backend_drain(&backend);
    console_backend_flush(&backend);
    ck_assert_uint_eq(line_count, 1);
    ck_assert_str_eq(lines[0], "no newline");
    console_backend_flush(&backend);
    ck_assert_uint_eq(line_count, 1);
}
END_TEST

START_TEST(test_carriage_returns_are_dropped)
{
    guest_write("dos\r\n");
    console_backend_drain(&backend);
    ck_assert_str_eq(lines[0], "dos");
}
END_TEST

START_TEST(test_control_and_non_ascii_bytes_become_question_marks)
{
    guest_write("a\x1b[0m\tb\xc3\xa9\n");
    console_backend_drain(&backend);
    ck_assert_str_eq(lines[0], "a?[0m\tb??");
}
END_TEST

START_TEST(test_overlong_line_is_split_at_the_limit)
{
    char text[CONSOLE_BACKEND_LINE_MAX + 8];

    memset(text, 'x', CONSOLE_BACKEND_LINE_MAX);
    strcpy(text + CONSOLE_BACKEND_LINE_MAX, "rest\n");
    guest_write(text);
    console_backend_drain(&backend);
    ck_assert_uint_eq(line_count, 2);
    ck_assert_uint_eq(strlen(lines[0]), CONSOLE_BACKEND_LINE_MAX);
    ck_assert_str_eq(lines[1], "rest");
}
END_TEST

START_TEST(test_output_crossing_the_end_of_the_ring_with_wrapping_indexes)
{
    page.out_cons = page.out_prod = UINT32_MAX - 3;
    guest_write("wrapped\n");
    console_backend_drain(&backend);
    ck_assert_str_eq(lines[0], "wrapped");
    ck_assert_uint_eq(page.out_cons, page.out_prod);
}
END_TEST

START_TEST(test_producer_more_than_a_ring_ahead_breaks_the_console_for_good)
{
    page.out_prod = (XENCONS_RING_IDX)OUT_RING_SIZE + 1;
    ck_assert(!console_backend_drain(&backend));
    ck_assert_uint_eq(page.out_cons, 0);
    ck_assert_uint_eq(line_count, 1);
    ck_assert_str_eq(lines[0], "[console ring broken: output stops]");
    page.out_prod = 0;
    guest_write("later\n");
    ck_assert(!console_backend_drain(&backend));
    ck_assert_uint_eq(line_count, 1);
}
END_TEST

/* --- input: the in ring ------------------------------------------------------ */

/* The guest's side: takes what the in ring holds, as hvc_xen does. */
static size_t guest_read(char *buffer, size_t size)
{
    size_t taken = 0;

    while (page.in_cons != page.in_prod && taken < size)
        buffer[taken++] = page.in[MASK_XENCONS_IDX(page.in_cons++, page.in)];
    return taken;
}

START_TEST(test_input_is_written_into_the_in_ring_and_published)
{
    char read[16];

    ck_assert_uint_eq(console_backend_write_input(&backend, "ls -l\r", 6), 6);
    ck_assert_uint_eq(page.in_prod, 6);
    ck_assert_uint_eq(guest_read(read, sizeof(read)), 6);
    ck_assert_mem_eq(read, "ls -l\r", 6);
}
END_TEST

START_TEST(test_input_never_touches_the_out_ring)
{
    console_backend_write_input(&backend, "abc", 3);
    ck_assert_uint_eq(page.out_prod, 0);
    ck_assert_uint_eq(page.out_cons, 0);
    ck_assert(!console_backend_drain(&backend));
}
END_TEST

START_TEST(test_input_beyond_the_room_left_is_left_to_the_caller)
{
    char bytes[IN_RING_SIZE + 100];

    memset(bytes, 'k', sizeof(bytes));
    ck_assert_uint_eq(console_backend_write_input(&backend, bytes, sizeof(bytes)), IN_RING_SIZE);
    ck_assert_uint_eq(console_backend_write_input(&backend, "x", 1), 0);
    page.in_cons += 10;
    ck_assert_uint_eq(console_backend_write_input(&backend, bytes, sizeof(bytes)), 10);
}
END_TEST

START_TEST(test_input_crossing_the_end_of_the_ring_with_wrapping_indexes)
{
    char read[8];

    page.in_prod = page.in_cons = UINT32_MAX - 2;
    console_backend_connect(&backend, &page, record_line, NULL);
    ck_assert_uint_eq(console_backend_write_input(&backend, "wrap!", 5), 5);
    ck_assert_uint_eq(page.in_prod, 2);
    ck_assert_uint_eq(guest_read(read, sizeof(read)), 5);
    ck_assert_mem_eq(read, "wrap!", 5);
}
END_TEST

START_TEST(test_a_producer_index_scribbled_by_the_guest_is_ignored)
{
    char read[8];

    console_backend_write_input(&backend, "ab", 2);
    page.in_prod = 5000;
    ck_assert_uint_eq(console_backend_write_input(&backend, "cd", 2), 2);
    ck_assert_uint_eq(page.in_prod, 4);
    ck_assert_uint_eq(guest_read(read, sizeof(read)), 4);
    ck_assert_mem_eq(read, "abcd", 4);
}
END_TEST

START_TEST(test_a_consumer_claiming_more_than_a_ring_unread_breaks_the_input_for_good)
{
    guest_write("still\n");
    page.in_cons = 7;
    ck_assert_uint_eq(console_backend_write_input(&backend, "x", 1), 0);
    ck_assert_uint_eq(line_count, 1);
    ck_assert_str_eq(lines[0], "[console ring broken: input stops]");
    page.in_cons = 0;
    ck_assert_uint_eq(console_backend_write_input(&backend, "x", 1), 0);
    ck_assert_uint_eq(line_count, 1);
    ck_assert(console_backend_drain(&backend));
    ck_assert_str_eq(lines[1], "still");
}
END_TEST

START_TEST(test_a_consumer_ahead_of_the_producer_breaks_the_input)
{
    console_backend_write_input(&backend, "ab", 2);
    page.in_cons = 3;
    ck_assert_uint_eq(console_backend_write_input(&backend, "c", 1), 0);
    ck_assert_str_eq(lines[0], "[console ring broken: input stops]");
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static char raw_output[2 * OUT_RING_SIZE + 1];
static size_t raw_length;
static unsigned int raw_calls;

static void record_raw(const char *bytes, uint32_t length, void *context)
{
    (void)context;
    ck_assert_uint_le(raw_length + length, sizeof(raw_output) - 1);
    memcpy(raw_output + raw_length, bytes, length);
    raw_length += length;
    raw_output[raw_length] = '\0';
    raw_calls++;
}

static void start_raw(void)
{
    raw_length = 0;
    raw_calls = 0;
    raw_output[0] = '\0';
    console_backend_set_raw(&backend, record_raw, NULL);
}

START_TEST(test_raw_output_is_handed_on_as_written)
{
    start_raw();
    guest_write("\x1b[1mbold\r\n# ");
    ck_assert(console_backend_drain(&backend));
    ck_assert_str_eq(raw_output, "\x1b[1mbold\r\n# ");
    ck_assert_uint_eq(line_count, 0);
    ck_assert_uint_eq(page.out_cons, page.out_prod);
}
END_TEST

START_TEST(test_raw_output_starts_by_handing_on_the_partial_line)
{
    guest_write("half");
    console_backend_drain(&backend);
    start_raw();
    ck_assert_uint_eq(line_count, 1);
    ck_assert_str_eq(lines[0], "half");
}
END_TEST

START_TEST(test_raw_output_crossing_the_end_of_the_ring_comes_in_two_runs)
{
    page.out_cons = page.out_prod = UINT32_MAX - 3;
    start_raw();
    guest_write("wrapped\n");
    console_backend_drain(&backend);
    ck_assert_str_eq(raw_output, "wrapped\n");
    ck_assert_uint_eq(raw_calls, 2);
}
END_TEST

START_TEST(test_a_raw_drain_reads_at_most_one_ring)
{
    start_raw();
    page.out_prod = page.out_cons + OUT_RING_SIZE;
    ck_assert(console_backend_drain(&backend));
    ck_assert_uint_eq(raw_length, OUT_RING_SIZE);
    ck_assert_uint_eq(page.out_cons, page.out_prod);
}
END_TEST

START_TEST(test_raw_output_refuses_a_producer_more_than_a_ring_ahead)
{
    start_raw();
    page.out_prod = page.out_cons + OUT_RING_SIZE + 1;
    ck_assert(!console_backend_drain(&backend));
    ck_assert_uint_eq(raw_length, 0);
    ck_assert_uint_eq(line_count, 1);
}
END_TEST

START_TEST(test_lines_come_back_when_raw_output_stops)
{
    start_raw();
    guest_write("raw");
    console_backend_drain(&backend);
    console_backend_set_raw(&backend, NULL, NULL);
    guest_write("line\n");
    console_backend_drain(&backend);
    ck_assert_str_eq(raw_output, "raw");
    ck_assert_uint_eq(line_count, 1);
    ck_assert_str_eq(lines[0], "line");
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *console_backend_suite(void)
{
    Suite *suite = suite_create("console_backend");

    add_test_case(suite, test_each_newline_ends_a_line);
    add_test_case(suite, test_drained_bytes_are_consumed);
    add_test_case(suite, test_empty_ring_consumes_nothing);
    add_test_case(suite, test_partial_line_waits_for_its_newline);
    add_test_case(suite, test_flush_hands_on_a_partial_line);
    add_test_case(suite, test_carriage_returns_are_dropped);
    add_test_case(suite, test_control_and_non_ascii_bytes_become_question_marks);
    add_test_case(suite, test_overlong_line_is_split_at_the_limit);
    add_test_case(suite, test_output_crossing_the_end_of_the_ring_with_wrapping_indexes);
    add_test_case(suite, test_producer_more_than_a_ring_ahead_breaks_the_console_for_good);
    add_test_case(suite, test_input_is_written_into_the_in_ring_and_published);
    add_test_case(suite, test_input_never_touches_the_out_ring);
    add_test_case(suite, test_input_beyond_the_room_left_is_left_to_the_caller);
    add_test_case(suite, test_input_crossing_the_end_of_the_ring_with_wrapping_indexes);
    add_test_case(suite, test_a_producer_index_scribbled_by_the_guest_is_ignored);
    add_test_case(suite, test_a_consumer_claiming_more_than_a_ring_unread_breaks_the_input_for_good);
    add_test_case(suite, test_a_consumer_ahead_of_the_producer_breaks_the_input);
    add_test_case(suite, test_raw_output_is_handed_on_as_written);
    add_test_case(suite, test_raw_output_starts_by_handing_on_the_partial_line);
    add_test_case(suite, test_raw_output_crossing_the_end_of_the_ring_comes_in_two_runs);
    add_test_case(suite, test_a_raw_drain_reads_at_most_one_ring);
    add_test_case(suite, test_raw_output_refuses_a_producer_more_than_a_ring_ahead);
    add_test_case(suite, test_lines_come_back_when_raw_output_stops);
    return suite;
}

REGISTER_SUITE(console_backend_suite)
