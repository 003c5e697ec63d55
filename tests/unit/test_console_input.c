/*
 * Specification of serial console input (common/console_input.c): Xen's
 * Ctrl-A switch, dom0's 128-byte ring and CONSOLEIO_read over it
 * (xen/drivers/char/console.c: serial_rx, __serial_rx, do_console_io).
 * The actions record what the hypervisor would have done; the copy
 * writes into a buffer or fails at a chosen offset, as a bad guest
 * pointer does.
 */
#include <stdint.h>
#include <string.h>

#include <pvmon/console_input.h>
#include <pvmon/errno.h>

#include "suites.h"

#define NO_FAILURE UINT32_MAX

struct recorder {
    char keys[512];
    unsigned int key_count;
    unsigned int notifications;
    unsigned int switches;
    enum console_input_target last_switch;
    bool dom0_exists;
    char buffer[512];
    uint32_t fail_at_offset;
    unsigned int copies;
};

static struct recorder recorder;
static struct console_input input;

static void record_key(void *context, char key)
{
    struct recorder *record = context;

    record->keys[record->key_count++] = key;
}

static void record_notification(void *context)
{
    ((struct recorder *)context)->notifications++;
}

static bool dom0_exists(void *context)
{
    return ((struct recorder *)context)->dom0_exists;
}

static void record_switch(void *context, enum console_input_target target)
{
    struct recorder *record = context;

    record->switches++;
    record->last_switch = target;
}

static const struct console_input_actions actions = {
    .debug_key = record_key,
    .notify_dom0 = record_notification,
    .dom0_exists = dom0_exists,
    .switched = record_switch,
    .context = &recorder,
};

static int copy_to_buffer(void *context, uint32_t offset, const char *bytes, uint32_t length)
{
    struct recorder *record = context;

    record->copies++;
    if (record->fail_at_offset != NO_FAILURE && offset + length > record->fail_at_offset)
        return -XEN_EFAULT;
    ck_assert_uint_le(offset + length, sizeof(record->buffer));
    memcpy(record->buffer + offset, bytes, length);
    return 0;
}

static void start_with_letter(enum console_input_target target, char switch_letter)
{
    memset(&recorder, 0, sizeof(recorder));
    recorder.dom0_exists = true;
    recorder.fail_at_offset = NO_FAILURE;
    console_input_init(&input, &actions, target, switch_letter);
}

static void start(enum console_input_target target)
{
    start_with_letter(target, 'a');
}

static void type(const char *text, size_t length)
{
    for (size_t index = 0; index < length; index++)
        console_input_receive(&input, text[index]);
}

static void type_string(const char *text)
{
    type(text, strlen(text));
}

START_TEST(test_input_for_dom0_waits_in_the_ring_and_notifies_per_byte)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("ls\r");
    ck_assert_uint_eq(console_input_pending(&input), 3);
    ck_assert_uint_eq(recorder.notifications, 3);
    ck_assert_uint_eq(recorder.key_count, 0);
}
END_TEST

START_TEST(test_read_returns_the_bytes_in_order_and_consumes_them)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("hello\r");
    ck_assert_int_eq(console_input_read(&input, 64, copy_to_buffer, &recorder), 6);
    ck_assert_mem_eq(recorder.buffer, "hello\r", 6);
    ck_assert_uint_eq(console_input_pending(&input), 0);
    ck_assert_int_eq(console_input_read(&input, 64, copy_to_buffer, &recorder), 0);
}
END_TEST

START_TEST(test_read_takes_at_most_count_bytes)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("abcdef");
    ck_assert_int_eq(console_input_read(&input, 4, copy_to_buffer, &recorder), 4);
    ck_assert_mem_eq(recorder.buffer, "abcd", 4);
    ck_assert_int_eq(console_input_read(&input, 4, copy_to_buffer, &recorder), 2);
    ck_assert_mem_eq(recorder.buffer, "ef", 2);
}
END_TEST

START_TEST(test_read_of_zero_bytes_copies_nothing)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("x");
    ck_assert_int_eq(console_input_read(&input, 0, copy_to_buffer, &recorder), 0);
    ck_assert_uint_eq(recorder.copies, 0);
    ck_assert_uint_eq(console_input_pending(&input), 1);
}
END_TEST

START_TEST(test_read_of_an_empty_ring_never_touches_the_buffer)
{
    start(CONSOLE_INPUT_TO_DOM0);
    recorder.fail_at_offset = 0;
    ck_assert_int_eq(console_input_read(&input, 16, copy_to_buffer, &recorder), 0);
    ck_assert_uint_eq(recorder.copies, 0);
}
END_TEST

START_TEST(test_read_count_above_int_max_is_e2big)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("x");
    ck_assert_int_eq(console_input_read(&input, 0x80000000U, copy_to_buffer, &recorder), -XEN_E2BIG);
    ck_assert_int_eq(console_input_read(&input, 0x7fffffffU, copy_to_buffer, &recorder), 1);
}
END_TEST

START_TEST(test_read_into_a_bad_buffer_is_efault_and_keeps_the_bytes)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("kept");
    recorder.fail_at_offset = 0;
    ck_assert_int_eq(console_input_read(&input, 16, copy_to_buffer, &recorder), -XEN_EFAULT);
    ck_assert_uint_eq(console_input_pending(&input), 4);
    recorder.fail_at_offset = NO_FAILURE;
    ck_assert_int_eq(console_input_read(&input, 16, copy_to_buffer, &recorder), 4);
    ck_assert_mem_eq(recorder.buffer, "kept", 4);
}
END_TEST

/* The ring wraps: the read copies the tail of the array, then its head. */
START_TEST(test_read_across_the_ring_end_copies_two_pieces_in_order)
{
    char text[CONSOLE_INPUT_RING_SIZE];

    start(CONSOLE_INPUT_TO_DOM0);
    memset(text, '-', 100);
    type(text, 100);
    ck_assert_int_eq(console_input_read(&input, 100, copy_to_buffer, &recorder), 100);
    for (unsigned int index = 0; index < 60; index++)
        text[index] = (char)('A' + index % 26);
    type(text, 60);
    recorder.copies = 0;
    ck_assert_int_eq(console_input_read(&input, 200, copy_to_buffer, &recorder), 60);
    ck_assert_uint_eq(recorder.copies, 2);
    ck_assert_mem_eq(recorder.buffer, text, 60);
}
END_TEST

START_TEST(test_a_fault_on_the_second_piece_consumes_only_the_first)
{
    char text[CONSOLE_INPUT_RING_SIZE];

    start(CONSOLE_INPUT_TO_DOM0);
    memset(text, 'x', sizeof(text));
    type(text, 100);
    console_input_read(&input, 100, copy_to_buffer, &recorder);
    type(text, 60);
    recorder.fail_at_offset = 30;
    ck_assert_int_eq(console_input_read(&input, 200, copy_to_buffer, &recorder), -XEN_EFAULT);
    ck_assert_uint_eq(console_input_pending(&input), 60 - (CONSOLE_INPUT_RING_SIZE - 100));
}
END_TEST

START_TEST(test_a_full_ring_drops_new_bytes_and_still_notifies)
{
    char text[CONSOLE_INPUT_RING_SIZE + 10];

    start(CONSOLE_INPUT_TO_DOM0);
    for (unsigned int index = 0; index < sizeof(text); index++)
        text[index] = (char)('a' + index % 26);
    type(text, sizeof(text));
    ck_assert_uint_eq(console_input_pending(&input), CONSOLE_INPUT_RING_SIZE);
    ck_assert_uint_eq(input.dropped_bytes, 10);
    ck_assert_uint_eq(recorder.notifications, sizeof(text));
    ck_assert_int_eq(console_input_read(&input, 512, copy_to_buffer, &recorder), CONSOLE_INPUT_RING_SIZE);
    ck_assert_mem_eq(recorder.buffer, text, CONSOLE_INPUT_RING_SIZE);
}
END_TEST

START_TEST(test_indexes_keep_working_across_32_bit_wrap)
{
    start(CONSOLE_INPUT_TO_DOM0);
    input.consumer = input.producer = UINT32_MAX - 2;
    type_string("wrap!");
    ck_assert_uint_eq(console_input_pending(&input), 5);
    ck_assert_int_eq(console_input_read(&input, 16, copy_to_buffer, &recorder), 5);
    ck_assert_mem_eq(recorder.buffer, "wrap!", 5);
}
END_TEST

START_TEST(test_input_for_the_hypervisor_goes_to_its_debug_keys)
{
    start(CONSOLE_INPUT_TO_HYPERVISOR);
    type_string("hq");
    ck_assert_uint_eq(recorder.key_count, 2);
    ck_assert_mem_eq(recorder.keys, "hq", 2);
    ck_assert_uint_eq(console_input_pending(&input), 0);
    ck_assert_uint_eq(recorder.notifications, 0);
}
END_TEST

START_TEST(test_three_ctrl_a_switch_to_the_hypervisor_and_are_eaten)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("\x01\x01\x01q");
    ck_assert_uint_eq(recorder.switches, 1);
    ck_assert_int_eq(recorder.last_switch, CONSOLE_INPUT_TO_HYPERVISOR);
    ck_assert_uint_eq(console_input_pending(&input), 0);
    ck_assert_uint_eq(recorder.key_count, 1);
    ck_assert_int_eq(recorder.keys[0], 'q');
}
END_TEST

START_TEST(test_three_more_ctrl_a_switch_back_to_dom0)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("\x01\x01\x01\x01\x01\x01z");
    ck_assert_uint_eq(recorder.switches, 2);
    ck_assert_int_eq(recorder.last_switch, CONSOLE_INPUT_TO_DOM0);
    ck_assert_uint_eq(console_input_pending(&input), 1);
    ck_assert_uint_eq(recorder.key_count, 0);
}
END_TEST

START_TEST(test_fewer_than_three_ctrl_a_are_delivered_before_the_next_byte)
{
    start(CONSOLE_INPUT_TO_DOM0);
    type_string("\x01\x01" "e");
    ck_assert_uint_eq(recorder.switches, 0);
    ck_assert_int_eq(console_input_read(&input, 16, copy_to_buffer, &recorder), 3);
    ck_assert_mem_eq(recorder.buffer, "\x01\x01" "e", 3);
}
END_TEST

START_TEST(test_four_ctrl_a_switch_once_and_keep_one_pending)
{
    start(CONSOLE_INPUT_TO_HYPERVISOR);
    type_string("\x01\x01\x01\x01" "k");
    ck_assert_uint_eq(recorder.switches, 1);
    ck_assert_int_eq(console_input_read(&input, 16, copy_to_buffer, &recorder), 2);
    ck_assert_mem_eq(recorder.buffer, "\x01" "k", 2);
}
END_TEST

START_TEST(test_switching_skips_dom0_when_there_is_none)
{
    start(CONSOLE_INPUT_TO_HYPERVISOR);
    recorder.dom0_exists = false;
    type_string("\x01\x01\x01" "h");
    ck_assert_uint_eq(recorder.switches, 1);
    ck_assert_int_eq(recorder.last_switch, CONSOLE_INPUT_TO_HYPERVISOR);
    ck_assert_uint_eq(recorder.key_count, 1);
}
END_TEST

START_TEST(test_input_for_a_dom0_that_is_gone_is_dropped_silently)
{
    start(CONSOLE_INPUT_TO_DOM0);
    recorder.dom0_exists = false;
    type_string("lost");
    ck_assert_uint_eq(console_input_pending(&input), 0);
    ck_assert_uint_eq(recorder.notifications, 0);
    ck_assert_uint_eq(recorder.key_count, 0);
}
END_TEST

START_TEST(test_another_switch_letter_switches_and_ctrl_a_passes_through)
{
    start_with_letter(CONSOLE_INPUT_TO_DOM0, 'b');
    type_string("\x01\x01\x01\x02\x02\x02" "q");
    ck_assert_uint_eq(recorder.switches, 1);
    ck_assert_uint_eq(console_input_pending(&input), 3);
    ck_assert_uint_eq(recorder.key_count, 1);
}
END_TEST

START_TEST(test_a_switch_letter_that_is_not_a_letter_means_ctrl_a)
{
    start_with_letter(CONSOLE_INPUT_TO_DOM0, '`');
    type_string("\x01\x01\x01");
    ck_assert_uint_eq(recorder.switches, 1);
    ck_assert_int_eq(input.switch_letter, 'a');
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *console_input_suite(void)
{
    Suite *suite = suite_create("console_input");

    add_test_case(suite, test_input_for_dom0_waits_in_the_ring_and_notifies_per_byte);
    add_test_case(suite, test_read_returns_the_bytes_in_order_and_consumes_them);
    add_test_case(suite, test_read_takes_at_most_count_bytes);
    add_test_case(suite, test_read_of_zero_bytes_copies_nothing);
    add_test_case(suite, test_read_of_an_empty_ring_never_touches_the_buffer);
    add_test_case(suite, test_read_count_above_int_max_is_e2big);
    add_test_case(suite, test_read_into_a_bad_buffer_is_efault_and_keeps_the_bytes);
    add_test_case(suite, test_read_across_the_ring_end_copies_two_pieces_in_order);
    add_test_case(suite, test_a_fault_on_the_second_piece_consumes_only_the_first);
    add_test_case(suite, test_a_full_ring_drops_new_bytes_and_still_notifies);
    add_test_case(suite, test_indexes_keep_working_across_32_bit_wrap);
    add_test_case(suite, test_input_for_the_hypervisor_goes_to_its_debug_keys);
    add_test_case(suite, test_three_ctrl_a_switch_to_the_hypervisor_and_are_eaten);
    add_test_case(suite, test_three_more_ctrl_a_switch_back_to_dom0);
    add_test_case(suite, test_fewer_than_three_ctrl_a_are_delivered_before_the_next_byte);
    add_test_case(suite, test_four_ctrl_a_switch_once_and_keep_one_pending);
    add_test_case(suite, test_switching_skips_dom0_when_there_is_none);
    add_test_case(suite, test_input_for_a_dom0_that_is_gone_is_dropped_silently);
    add_test_case(suite, test_another_switch_letter_switches_and_ctrl_a_passes_through);
    add_test_case(suite, test_a_switch_letter_that_is_not_a_letter_means_ctrl_a);
    return suite;
}

REGISTER_SUITE(console_input_suite)
