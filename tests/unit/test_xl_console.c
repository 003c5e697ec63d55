/*
 * Specification of what typed bytes mean while `xl console` is attached
 * (tools/xl/xl_console.h): everything goes to the domU as it is, up to
 * Ctrl-] (xenconsole's DEFAULT_ESCAPE_CHARACTER 0x1d,
 * tools/console/client/main.c), into a bounded queue.
 */
#include <stdint.h>
#include <string.h>
#include <tools/xl/xl_console.h>

#include "suites.h"

static struct xl_console_input input;

static void setup(void)
{
    memset(&input, 0xa5, sizeof(input));
    xl_console_input_init(&input);
}

static void take(const char *bytes)
{
    xl_console_input_take(&input, bytes, (uint32_t)strlen(bytes));
}

START_TEST(test_typed_bytes_are_queued_as_they_are)
{
    take("uname -a\r\x03\x1b[A\x7f");
    ck_assert_uint_eq(input.length, 14);
    ck_assert_mem_eq(input.queue, "uname -a\r\x03\x1b[A\x7f", 14);
    ck_assert(!input.detach);
}
END_TEST

START_TEST(test_ctrl_close_bracket_alone_detaches_and_sends_nothing)
{
    take("\x1d");
    ck_assert(input.detach);
    ck_assert_uint_eq(input.length, 0);
}
END_TEST

START_TEST(test_bytes_before_ctrl_close_bracket_still_go_and_those_after_it_are_dropped)
{
    take("ls\r\x1dxl list\r");
    ck_assert(input.detach);
    ck_assert_uint_eq(input.length, 3);
    ck_assert_mem_eq(input.queue, "ls\r", 3);
    ck_assert_uint_eq(input.dropped, 0);
}
END_TEST

START_TEST(test_nothing_is_taken_once_detached)
{
    take("\x1d");
    take("more");
    ck_assert_uint_eq(input.length, 0);
}
END_TEST

START_TEST(test_other_control_bytes_do_not_detach)
{
    for (char byte = 1; byte < 0x20; byte++) {
        if (byte == XL_CONSOLE_ESCAPE_CHARACTER)
            continue;
        xl_console_input_take(&input, &byte, 1);
    }
    ck_assert(!input.detach);
    ck_assert_uint_eq(input.length, 0x1f - 1);
}
END_TEST

START_TEST(test_a_full_queue_drops_and_counts_what_does_not_fit)
{
    static char many[XL_CONSOLE_QUEUE_BYTES + 10];

    memset(many, 'y', sizeof(many));
    xl_console_input_take(&input, many, sizeof(many));
    ck_assert_uint_eq(input.length, XL_CONSOLE_QUEUE_BYTES);
    ck_assert_uint_eq(input.dropped, 10);
}
END_TEST

START_TEST(test_consuming_keeps_the_rest_in_order)
{
    take("abcdef");
    xl_console_input_consume(&input, 4);
    ck_assert_uint_eq(input.length, 2);
    ck_assert_mem_eq(input.queue, "ef", 2);
    take("g");
    ck_assert_mem_eq(input.queue, "efg", 3);
}
END_TEST

START_TEST(test_consuming_more_than_is_queued_empties_the_queue)
{
    take("ab");
    xl_console_input_consume(&input, 5);
    ck_assert_uint_eq(input.length, 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *xl_console_suite(void)
{
    Suite *suite = suite_create("xl_console");

    add_test_case(suite, test_typed_bytes_are_queued_as_they_are);
    add_test_case(suite, test_ctrl_close_bracket_alone_detaches_and_sends_nothing);
    add_test_case(suite, test_bytes_before_ctrl_close_bracket_still_go_and_those_after_it_are_dropped);
    add_test_case(suite, test_nothing_is_taken_once_detached);
    add_test_case(suite, test_other_control_bytes_do_not_detach);
    add_test_case(suite, test_a_full_queue_drops_and_counts_what_does_not_fit);
    add_test_case(suite, test_consuming_keeps_the_rest_in_order);
    add_test_case(suite, test_consuming_more_than_is_queued_empties_the_queue);
    return suite;
}

REGISTER_SUITE(xl_console_suite)
