/*
 * Specification of command-line option lookup: whole-word matching of
 * `name` and `name=value`, last occurrence wins, values copied with
 * truncation, and unsigned numbers in decimal or 0x-hex with every
 * malformed or overflowing form refused.
 */
#include <stdint.h>
#include <string.h>

#include <pvmon/command_line.h>

#include "suites.h"

#define UNCHANGED 0x5a5a5a5a5a5a5a5aull

START_TEST(test_name_with_value_is_found_and_value_copied)
{
    char value[32];

    ck_assert(command_line_find("console=com1 loglevel=7", "console", value, sizeof(value)));
    ck_assert_str_eq(value, "com1");
    ck_assert(command_line_find("console=com1 loglevel=7", "loglevel", value, sizeof(value)));
    ck_assert_str_eq(value, "7");
}
END_TEST

START_TEST(test_bare_name_is_found_with_empty_value)
{
    char value[32] = "stale";

    ck_assert(command_line_find("quiet noreboot", "noreboot", value, sizeof(value)));
    ck_assert_str_eq(value, "");
}
END_TEST

START_TEST(test_name_followed_by_equals_alone_has_empty_value)
{
    char value[32] = "stale";

    ck_assert(command_line_find("dom0=", "dom0", value, sizeof(value)));
    ck_assert_str_eq(value, "");
}
END_TEST

START_TEST(test_absent_name_is_not_found)
{
    char value[32] = "stale";

    ck_assert(!command_line_find("console=com1 quiet", "loglevel", value, sizeof(value)));
    ck_assert_str_eq(value, "stale");
    ck_assert(!command_line_find("", "quiet", value, sizeof(value)));
}
END_TEST

START_TEST(test_name_does_not_match_a_longer_name_it_starts)
{
    char value[32];

    ck_assert(!command_line_find("foobar=1 foobar", "foo", value, sizeof(value)));
}
END_TEST

START_TEST(test_name_does_not_match_inside_a_longer_word)
{
    char value[32];

    ck_assert(!command_line_find("xfoo x=foo foo_", "foo", value, sizeof(value)));
}
END_TEST

START_TEST(test_longer_name_is_not_matched_by_a_shorter_word)
{
    char value[32];

    ck_assert(!command_line_find("foo=1", "foobar", value, sizeof(value)));
}
END_TEST

START_TEST(test_last_occurrence_wins)
{
    char value[32];

    ck_assert(command_line_find("mem=1G console=vga mem=2G quiet", "mem", value, sizeof(value)));
    ck_assert_str_eq(value, "2G");
    ck_assert(command_line_find("debug=3 debug", "debug", value, sizeof(value)));
    ck_assert_str_eq(value, "");
}
END_TEST

START_TEST(test_value_keeps_later_equals_signs)
{
    char value[32];

    ck_assert(command_line_find("dom0_options=a=b,c=d", "dom0_options", value, sizeof(value)));
    ck_assert_str_eq(value, "a=b,c=d");
}
END_TEST

START_TEST(test_value_is_truncated_to_fit_and_terminated)
{
    char value[5] = "xxxx";

    ck_assert(command_line_find("console=com1,vga", "console", value, sizeof(value)));
    ck_assert_str_eq(value, "com1");
    ck_assert(command_line_find("console=com1,vga", "console", value, 1));
    ck_assert_str_eq(value, "");
}
END_TEST

START_TEST(test_presence_is_reported_without_a_value_buffer)
{
    ck_assert(command_line_find("quiet console=com1", "console", NULL, 0));
    ck_assert(!command_line_find("quiet console=com1", "loglevel", NULL, 0));
}
END_TEST

START_TEST(test_spaces_and_tabs_separate_words_in_any_number)
{
    char value[32];

    ck_assert(command_line_find("  \tquiet \t  console=com1\t", "console", value, sizeof(value)));
    ck_assert_str_eq(value, "com1");
    ck_assert(command_line_find("\tquiet", "quiet", value, sizeof(value)));
}
END_TEST

START_TEST(test_null_command_line_holds_no_options)
{
    char value[32];

    ck_assert(!command_line_find(NULL, "quiet", value, sizeof(value)));
}
END_TEST

START_TEST(test_empty_name_never_matches)
{
    char value[32];

    ck_assert(!command_line_find("=1 quiet", "", value, sizeof(value)));
}
END_TEST

START_TEST(test_unsigned_decimal_is_parsed)
{
    uint64_t value = UNCHANGED;

    ck_assert(command_line_get_unsigned("quiet dom0_vcpus=4", "dom0_vcpus", &value));
    ck_assert_uint_eq(value, 4);
    ck_assert(command_line_get_unsigned("zero=0", "zero", &value));
    ck_assert_uint_eq(value, 0);
}
END_TEST

START_TEST(test_unsigned_hexadecimal_is_parsed_in_either_case)
{
    uint64_t value = UNCHANGED;

    ck_assert(command_line_get_unsigned("base=0x1f000", "base", &value));
    ck_assert_uint_eq(value, 0x1f000);
    ck_assert(command_line_get_unsigned("base=0XDEADbeef", "base", &value));
    ck_assert_uint_eq(value, 0xdeadbeef);
}
END_TEST

START_TEST(test_unsigned_largest_values_are_accepted)
{
    uint64_t value = 0;

    ck_assert(command_line_get_unsigned("limit=18446744073709551615", "limit", &value));
    ck_assert_uint_eq(value, UINT64_MAX);
    value = 0;
    ck_assert(command_line_get_unsigned("limit=0xffffffffffffffff", "limit", &value));
    ck_assert_uint_eq(value, UINT64_MAX);
}
END_TEST

START_TEST(test_unsigned_overflow_is_refused)
{
    uint64_t value = UNCHANGED;

    ck_assert(!command_line_get_unsigned("limit=18446744073709551616", "limit", &value));
    ck_assert(!command_line_get_unsigned("limit=99999999999999999999", "limit", &value));
    ck_assert(!command_line_get_unsigned("limit=0x10000000000000000", "limit", &value));
    ck_assert_uint_eq(value, UNCHANGED);
}
END_TEST

START_TEST(test_unsigned_with_many_leading_zeros_is_parsed_in_full)
{
    uint64_t value = UNCHANGED;

    ck_assert(command_line_get_unsigned("n=000000000000000000000000000000000000000042", "n", &value));
    ck_assert_uint_eq(value, 42);
}
END_TEST

START_TEST(test_malformed_unsigned_is_refused_and_leaves_value_untouched)
{
    static const char *const command_lines[] = {
        "n", "n=", "n=12abc", "n=0x", "n=0xg", "n=-1", "n=+1", "n=1G", "n=0b101", "n=1.5", "n=0x12z",
    };
    uint64_t value = UNCHANGED;

    for (size_t index = 0; index < sizeof(command_lines) / sizeof(command_lines[0]); index++)
        ck_assert_msg(!command_line_get_unsigned(command_lines[index], "n", &value), "\"%s\" accepted",
                      command_lines[index]);
    ck_assert_uint_eq(value, UNCHANGED);
}
END_TEST

START_TEST(test_unsigned_absent_is_refused)
{
    uint64_t value = UNCHANGED;

    ck_assert(!command_line_get_unsigned("quiet nx=5", "n", &value));
    ck_assert(!command_line_get_unsigned(NULL, "n", &value));
    ck_assert_uint_eq(value, UNCHANGED);
}
END_TEST

START_TEST(test_unsigned_takes_the_last_occurrence)
{
    uint64_t value = UNCHANGED;

    ck_assert(command_line_get_unsigned("n=1 n=2 n=0x30", "n", &value));
    ck_assert_uint_eq(value, 0x30);
    ck_assert(!command_line_get_unsigned("n=1 n=oops", "n", &value));
}
END_TEST


START_TEST(test_dom0_gets_the_part_after_the_separator)
{
    char line[64];
    unsigned int left_out;

    command_line_compose_dom0("loglevel=3 idle_seconds=1 -- test=hypercalls quiet", line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "test=hypercalls quiet");
    ck_assert_uint_eq(left_out, 0);
}
END_TEST

START_TEST(test_dom0_without_a_separator_gets_an_empty_line)
{
    char line[64] = "stale";
    unsigned int left_out;

    command_line_compose_dom0("loglevel=3 idle_seconds=1", line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "");
    command_line_compose_dom0(NULL, line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "");
}
END_TEST

START_TEST(test_dom0_gets_every_virtio_mmio_device_of_the_hypervisor_part_in_order)
{
    char line[128];
    unsigned int left_out;

    command_line_compose_dom0("idle_seconds=1 virtio_mmio.device=512@0xfeb00e00:12 loglevel=3 "
                              "virtio_mmio.device=512@0xfeb00c00:11 -- hello",
                              line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "hello virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11");
    ck_assert_uint_eq(left_out, 0);
}
END_TEST

START_TEST(test_dom0_devices_alone_when_the_hypervisor_line_has_no_dom0_part)
{
    char line[128];
    unsigned int left_out;

    command_line_compose_dom0("idle_seconds=1  virtio_mmio.device=512@0xfeb00e00:12", line, sizeof(line),
                              &left_out);
    ck_assert_str_eq(line, "virtio_mmio.device=512@0xfeb00e00:12");
}
END_TEST

START_TEST(test_dom0_device_words_already_in_its_part_are_not_doubled)
{
    char line[128];
    unsigned int left_out;

    /* QEMU appends its words at the very end, so after " -- " if there is one. */
    command_line_compose_dom0("idle_seconds=1 -- hello virtio_mmio.device=512@0xfeb00e00:12", line,
                              sizeof(line), &left_out);
    ck_assert_str_eq(line, "hello virtio_mmio.device=512@0xfeb00e00:12");
}
END_TEST

START_TEST(test_dom0_gets_no_other_option_and_no_empty_device)
{
    char line[128];
    unsigned int left_out;

    command_line_compose_dom0("virtio_mmio.devicex=1 xvirtio_mmio.device=2 virtio_mmio.device= "
                              "virtio_mmio.device virtio_mmio=3 -- a",
                              line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "a");
    ck_assert_uint_eq(left_out, 0);
}
END_TEST

START_TEST(test_dom0_device_word_that_does_not_fit_is_left_out_whole)
{
    char line[40];
    unsigned int left_out;

    command_line_compose_dom0("virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 -- ab",
                              line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "ab virtio_mmio.device=512@0xfeb00e00:12");
    ck_assert_uint_eq(strlen(line), 39);
    ck_assert_uint_eq(left_out, 1);
}
END_TEST

START_TEST(test_dom0_part_too_long_is_cut_and_terminated)
{
    char line[6];
    unsigned int left_out;

    command_line_compose_dom0("virtio_mmio.device=1@2:3 -- abcdefghij", line, sizeof(line), &left_out);
    ck_assert_str_eq(line, "abcde");
    ck_assert_uint_eq(left_out, 1);
}
END_TEST

START_TEST(test_number_is_parsed_up_to_its_last_digit)
{
    const char *text = "0x1fE@12";
    uint64_t value = 0;

    ck_assert(command_line_parse_number(&text, text + 8, &value));
    ck_assert_uint_eq(value, 0x1fe);
    ck_assert_str_eq(text, "@12");
    text++;
    ck_assert(command_line_parse_number(&text, text + 2, &value));
    ck_assert_uint_eq(value, 12);
}
END_TEST

START_TEST(test_number_stops_at_the_end_given)
{
    const char *text = "4096";
    uint64_t value = 0;

    ck_assert(command_line_parse_number(&text, text + 2, &value));
    ck_assert_uint_eq(value, 40);
}
END_TEST

START_TEST(test_number_without_digits_is_refused_and_changes_nothing)
{
    const char *start = "0x@", *text = start;
    uint64_t value = 7;

    ck_assert(!command_line_parse_number(&text, text + 3, &value));
    ck_assert(text == start);
    ck_assert_uint_eq(value, 7);
}
END_TEST

START_TEST(test_number_beyond_64_bits_is_refused)
{
    const char *text = "18446744073709551616";
    uint64_t value = 7;

    ck_assert(!command_line_parse_number(&text, text + 20, &value));
    ck_assert_uint_eq(value, 7);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *command_line_suite(void)
{
    Suite *suite = suite_create("command_line");

    add_test_case(suite, test_name_with_value_is_found_and_value_copied);
    add_test_case(suite, test_bare_name_is_found_with_empty_value);
    add_test_case(suite, test_name_followed_by_equals_alone_has_empty_value);
    add_test_case(suite, test_absent_name_is_not_found);
    add_test_case(suite, test_name_does_not_match_a_longer_name_it_starts);
    add_test_case(suite, test_name_does_not_match_inside_a_longer_word);
    add_test_case(suite, test_longer_name_is_not_matched_by_a_shorter_word);
    add_test_case(suite, test_last_occurrence_wins);
    add_test_case(suite, test_value_keeps_later_equals_signs);
    add_test_case(suite, test_value_is_truncated_to_fit_and_terminated);
    add_test_case(suite, test_presence_is_reported_without_a_value_buffer);
    add_test_case(suite, test_spaces_and_tabs_separate_words_in_any_number);
    add_test_case(suite, test_null_command_line_holds_no_options);
    add_test_case(suite, test_empty_name_never_matches);
    add_test_case(suite, test_unsigned_decimal_is_parsed);
    add_test_case(suite, test_unsigned_hexadecimal_is_parsed_in_either_case);
    add_test_case(suite, test_unsigned_largest_values_are_accepted);
    add_test_case(suite, test_unsigned_overflow_is_refused);
    add_test_case(suite, test_unsigned_with_many_leading_zeros_is_parsed_in_full);
    add_test_case(suite, test_malformed_unsigned_is_refused_and_leaves_value_untouched);
    add_test_case(suite, test_unsigned_absent_is_refused);
    add_test_case(suite, test_unsigned_takes_the_last_occurrence);
    add_test_case(suite, test_dom0_gets_the_part_after_the_separator);
    add_test_case(suite, test_dom0_without_a_separator_gets_an_empty_line);
    add_test_case(suite, test_dom0_gets_every_virtio_mmio_device_of_the_hypervisor_part_in_order);
    add_test_case(suite, test_dom0_devices_alone_when_the_hypervisor_line_has_no_dom0_part);
    add_test_case(suite, test_dom0_device_words_already_in_its_part_are_not_doubled);
    add_test_case(suite, test_dom0_gets_no_other_option_and_no_empty_device);
    add_test_case(suite, test_dom0_device_word_that_does_not_fit_is_left_out_whole);
    add_test_case(suite, test_dom0_part_too_long_is_cut_and_terminated);
    add_test_case(suite, test_number_is_parsed_up_to_its_last_digit);
    add_test_case(suite, test_number_stops_at_the_end_given);
    add_test_case(suite, test_number_without_digits_is_refused_and_changes_nothing);
    add_test_case(suite, test_number_beyond_64_bits_is_refused);
    return suite;
}

REGISTER_SUITE(command_line_suite)
