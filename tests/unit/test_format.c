/*
 * Specification of format_string: wherever C defines the behaviour, the
 * output and the returned length must equal the host's vsnprintf; %p,
 * "(null)", unknown conversions and over-long output follow pvmon's own
 * rules from pvmon/format.h.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/format.h>

#include "suites.h"

#define LARGE_BUFFER_SIZE 512
#define UNTOUCHED_BYTE '#'

static void compare_with_host(const char *format, va_list arguments)
{
    char ours[LARGE_BUFFER_SIZE];
    char host[LARGE_BUFFER_SIZE];
    va_list copy;

    va_copy(copy, arguments);
    int our_length = format_string_va(ours, sizeof(ours), format, arguments);
    int host_length = vsnprintf(host, sizeof(host), format, copy);
    va_end(copy);

    ck_assert_msg(strcmp(ours, host) == 0, "format \"%s\": got \"%s\", host gives \"%s\"", format, ours, host);
    ck_assert_msg(our_length == host_length, "format \"%s\": returned %d, host returns %d", format, our_length,
                  host_length);
}

/* Formats with format_string_va and with the host's vsnprintf; both must agree. */
__attribute__((format(printf, 1, 2)))
static void expect_same_as_host(const char *format, ...)
{
    va_list arguments;

    va_start(arguments, format);
    compare_with_host(format, arguments);
    va_end(arguments);
}

/* The same, for formats the compiler warns about although C defines what they do. */
static void expect_same_as_host_unchecked(const char *format, ...)
{
    va_list arguments;

    va_start(arguments, format);
    compare_with_host(format, arguments);
    va_end(arguments);
}

/*
 * Formats without the compiler's format checking, for pvmon's own rules
 * and for arguments the compiler would (rightly) warn about.
 */
static int format_unchecked(char *buffer, size_t size, const char *format, ...)
{
    va_list arguments;

    va_start(arguments, format);
    int length = format_string_va(buffer, size, format, arguments);
    va_end(arguments);
    return length;
}

/*
 * For every buffer size from 0 to two past the full length: output and
 * length equal the host's, and no byte at or past size is written.
 */
__attribute__((format(printf, 1, 2)))
static void expect_same_as_host_at_every_size(const char *format, ...)
{
    char full[LARGE_BUFFER_SIZE];
    va_list arguments;

    va_start(arguments, format);
    int full_length = vsnprintf(full, sizeof(full), format, arguments);
    va_end(arguments);

    for (size_t size = 0; size <= (size_t) full_length + 2; size++) {
        char ours[LARGE_BUFFER_SIZE];
        char host[LARGE_BUFFER_SIZE];

        memset(ours, UNTOUCHED_BYTE, sizeof(ours));
        memset(host, UNTOUCHED_BYTE, sizeof(host));
        va_start(arguments, format);
        int our_length = format_string_va(ours, size, format, arguments);
        va_end(arguments);
        va_start(arguments, format);
        int host_length = vsnprintf(host, size, format, arguments);
        va_end(arguments);

        ck_assert_msg(our_length == host_length, "format \"%s\", size %zu: returned %d, host %d", format, size,
                      our_length, host_length);
        ck_assert_msg(memcmp(ours, host, sizeof(ours)) == 0, "format \"%s\", size %zu: buffers differ", format,
                      size);
        for (size_t index = size; index < sizeof(ours); index++)
            ck_assert_int_eq(ours[index], UNTOUCHED_BYTE);
    }
}

START_TEST(test_plain_text_is_copied_and_its_length_returned)
{
    char buffer[32];

    ck_assert_int_eq(format_string(buffer, sizeof(buffer), "hello, world"), 12);
    ck_assert_str_eq(buffer, "hello, world");
}
END_TEST

START_TEST(test_signed_and_unsigned_decimals_match_host)
{
    expect_same_as_host("%d %d %d %d", 0, 1, -1, 42);
    expect_same_as_host("%i %i", INT_MAX, INT_MIN);
    expect_same_as_host("%u %u %u", 0u, 7u, UINT_MAX);
}
END_TEST

START_TEST(test_char_and_short_length_modifiers_match_host)
{
    expect_same_as_host("%hhd %hhd %hhd", 127, -128, 300);
    expect_same_as_host("%hhu %hhu", 255, -1);
    expect_same_as_host("%hd %hd %hd", SHRT_MAX, SHRT_MIN, 70000);
    expect_same_as_host("%hu %hu", 65535, 70000);
    expect_same_as_host("%hhx %hx", 0x1ff, 0x1ffff);
}
END_TEST

START_TEST(test_long_and_long_long_length_modifiers_match_host)
{
    expect_same_as_host("%ld %ld %lu", LONG_MAX, LONG_MIN, ULONG_MAX);
    expect_same_as_host("%lld %lld %llu", LLONG_MAX, LLONG_MIN, ULLONG_MAX);
    expect_same_as_host("%lx %llX %llo", 0xfedcba9876543210ul, 0x0123456789abcdefull, ULLONG_MAX);
}
END_TEST

START_TEST(test_size_pointer_difference_and_maximum_length_modifiers_match_host)
{
    expect_same_as_host("%zu %zx %zd", SIZE_MAX, (size_t) 0xabcdef, (ptrdiff_t) -5);
    expect_same_as_host("%td %td %tu", PTRDIFF_MAX, PTRDIFF_MIN, SIZE_MAX);
    expect_same_as_host("%jd %jd %ju %jx", INTMAX_MAX, INTMAX_MIN, UINTMAX_MAX, UINTMAX_MAX);
}
END_TEST

START_TEST(test_hexadecimal_and_octal_match_host)
{
    expect_same_as_host("%x %x %x %x", 0u, 9u, 255u, 0xdeadbeefu);
    expect_same_as_host("%X %X", 0xabcdefu, UINT_MAX);
    expect_same_as_host("%o %o %o %o", 0u, 7u, 8u, UINT_MAX);
}
END_TEST

START_TEST(test_minus_flag_left_justifies_and_overrides_zero)
{
    expect_same_as_host("[%-6d] [%-6x] [%-6o]", -42, 0xabu, 8u);
    expect_same_as_host_unchecked("[%-06d]", 42);
}
END_TEST

START_TEST(test_plus_and_space_flags_sign_only_signed_conversions)
{
    expect_same_as_host("%+d %+d %+d", 5, -5, 0);
    expect_same_as_host("% d % d % d", 5, -5, 0);
    expect_same_as_host_unchecked("%+ d % +d", 5, 5);
    expect_same_as_host_unchecked("%+u % u %+x % o", 5u, 5u, 5u, 5u);
}
END_TEST

START_TEST(test_alternate_form_prefixes_nonzero_hexadecimal_and_octal)
{
    expect_same_as_host("%#x %#X %#o", 0xffu, 0xffu, 8u);
    expect_same_as_host("%#x %#X %#o", 0u, 0u, 0u);
    expect_same_as_host("%#10x %#-10x| %#10o", 0x1fu, 0x1fu, 9u);
}
END_TEST

START_TEST(test_zero_flag_pads_after_sign_and_prefix)
{
    expect_same_as_host("%08d %08d %+08d % 08d", 42, -42, 42, 42);
    expect_same_as_host("%#08x %#08X %#08o", 0xffu, 0xffu, 8u);
    expect_same_as_host("%020llu", ULLONG_MAX);
}
END_TEST

START_TEST(test_width_pads_with_spaces_and_never_truncates)
{
    expect_same_as_host("[%8d] [%8u] [%8x]", -123, 123u, 0xabcu);
    expect_same_as_host("[%2d] [%1x]", -12345, 0xabcdu);
}
END_TEST

START_TEST(test_precision_sets_minimum_digits_and_disables_zero_flag)
{
    expect_same_as_host("[%.5d] [%.5d] [%8.5d] [%-8.5d]", 42, -42, 42, -42);
    expect_same_as_host_unchecked("[%08.5d] [%.3x] [%#.3o] [%#.1o]", 42, 0xau, 8u, 8u);
    expect_same_as_host("[%.1d] [%.2d]", 123, 123);
}
END_TEST

START_TEST(test_zero_with_zero_precision_prints_no_digits)
{
    expect_same_as_host("[%.0d] [%.d] [%5.0u] [%.0x]", 0, 0, 0u, 0u);
    expect_same_as_host("[%+.0d] [% .0d] [%#.0x]", 0, 0, 0u);
    expect_same_as_host("[%#.0o] [%#5.0o]", 0u, 0u);
}
END_TEST

START_TEST(test_star_takes_width_and_precision_from_arguments)
{
    expect_same_as_host("[%*d] [%.*d] [%*.*d]", 6, 42, 4, 7, 8, 3, -5);
    expect_same_as_host("[%*s] [%.*s] [%-*c]", 5, "ab", 2, "abcdef", 3, 'x');
}
END_TEST

START_TEST(test_negative_star_width_left_justifies)
{
    expect_same_as_host("[%*d] [%*s]", -6, 42, -4, "ab");
    expect_same_as_host("[%0*d]", -6, 42);
}
END_TEST

START_TEST(test_negative_star_precision_counts_as_absent)
{
    expect_same_as_host_unchecked("[%.*d] [%08.*d] [%.*s]", -1, 42, -3, 42, -1, "whole");
}
END_TEST

START_TEST(test_characters_match_host)
{
    expect_same_as_host("%c%c%c", 'a', 'B', '7');
    expect_same_as_host("[%5c] [%-5c] [%c]", 'x', 'y', 200);
}
END_TEST

START_TEST(test_strings_match_host)
{
    expect_same_as_host("%s, %s!", "hello", "world");
    expect_same_as_host("[%10s] [%-10s] [%2s]", "right", "left", "overflowing");
    expect_same_as_host("[%.3s] [%10.3s] [%.0s] [%.20s] [%s]", "abcdef", "abcdef", "abcdef", "short", "");
}
END_TEST

START_TEST(test_string_precision_reads_no_further_than_precision)
{
    char *unterminated = malloc(3);
    char buffer[16];

    memcpy(unterminated, "abc", 3);
    ck_assert_int_eq(format_string(buffer, sizeof(buffer), "%.3s|%.2s", unterminated, unterminated), 6);
    ck_assert_str_eq(buffer, "abc|ab");
    free(unterminated);
}
END_TEST

START_TEST(test_null_string_prints_null_in_parentheses)
{
    const char *missing = NULL;
    char buffer[32];

    ck_assert_int_eq(format_unchecked(buffer, sizeof(buffer), "%s", missing), 6);
    ck_assert_str_eq(buffer, "(null)");
    format_unchecked(buffer, sizeof(buffer), "[%8s] [%-8s]", missing, missing);
    ck_assert_str_eq(buffer, "[  (null)] [(null)  ]");
}
END_TEST

START_TEST(test_pointer_prints_0x_and_sixteen_lowercase_hex_digits)
{
    char buffer[64];

    ck_assert_int_eq(format_string(buffer, sizeof(buffer), "%p", (void *) (uintptr_t) 0x1234abcd), 18);
    ck_assert_str_eq(buffer, "0x000000001234abcd");
    format_string(buffer, sizeof(buffer), "%p %p", (void *) NULL, (void *) UINTPTR_MAX);
    ck_assert_str_eq(buffer, "0x0000000000000000 0xffffffffffffffff");
}
END_TEST

START_TEST(test_pointer_honours_width_and_minus_only)
{
    char buffer[64];
    void *pointer = (void *) (uintptr_t) 0xabc;

    format_string(buffer, sizeof(buffer), "[%20p] [%-20p]", pointer, pointer);
    ck_assert_str_eq(buffer, "[  0x0000000000000abc] [0x0000000000000abc  ]");
    format_unchecked(buffer, sizeof(buffer), "[%#+020.3p]", pointer);
    ck_assert_str_eq(buffer, "[  0x0000000000000abc]");
}
END_TEST

START_TEST(test_double_percent_prints_one_percent)
{
    char buffer[16];

    ck_assert_int_eq(format_string(buffer, sizeof(buffer), "100%% %d%%", 5), 7);
    ck_assert_str_eq(buffer, "100% 5%");
}
END_TEST

START_TEST(test_unknown_conversion_is_copied_literally)
{
    char buffer[32];

    ck_assert_int_eq(format_unchecked(buffer, sizeof(buffer), "a%yb"), 4);
    ck_assert_str_eq(buffer, "a%yb");
    format_unchecked(buffer, sizeof(buffer), "[%-5.2lk] %d", 7);
    ck_assert_str_eq(buffer, "[%-5.2lk] 7");
}
END_TEST

START_TEST(test_format_ending_inside_a_conversion_is_copied_literally)
{
    char buffer[32];

    ck_assert_int_eq(format_unchecked(buffer, sizeof(buffer), "abc%"), 4);
    ck_assert_str_eq(buffer, "abc%");
    format_unchecked(buffer, sizeof(buffer), "x%-08.3ll");
    ck_assert_str_eq(buffer, "x%-08.3ll");
}
END_TEST

START_TEST(test_arguments_are_consumed_in_order_across_mixed_conversions)
{
    expect_same_as_host("%s=%#llx (%hhu) %c %*.*s|%-+5ld|%05zu|%%|%jd", "name", 0xfeedull, 513, 'q', 7, 2,
                        "xyz", -3l, (size_t) 12, (intmax_t) -99);
}
END_TEST

START_TEST(test_truncated_output_matches_host_at_every_size)
{
    expect_same_as_host_at_every_size("hello, world");
    expect_same_as_host_at_every_size("[%8d] [%-6s] [%#x]", -1234, "ab", 0xbeefu);
    expect_same_as_host_at_every_size("%s", "");
    expect_same_as_host_at_every_size("%020llu%c", ULLONG_MAX, 'z');
}
END_TEST

START_TEST(test_size_zero_writes_nothing_and_returns_full_length)
{
    char buffer[4] = "xyz";

    ck_assert_int_eq(format_string(buffer, 0, "%d apples", 12345), 12);
    ck_assert_str_eq(buffer, "xyz");
    ck_assert_int_eq(format_string(NULL, 0, "%s", "needs no buffer"), 15);
}
END_TEST

START_TEST(test_size_one_writes_only_the_terminator)
{
    char buffer[4] = "xyz";

    ck_assert_int_eq(format_string(buffer, 1, "%d", 98765), 5);
    ck_assert_int_eq(buffer[0], '\0');
    ck_assert_int_eq(buffer[1], 'y');
}
END_TEST

START_TEST(test_output_of_exactly_int_max_characters_is_counted)
{
    ck_assert_int_eq(format_string(NULL, 0, "%*d", INT_MAX, 1), INT_MAX);
}
END_TEST

START_TEST(test_output_longer_than_int_max_reports_overflow)
{
    ck_assert_int_eq(format_unchecked(NULL, 0, "%*d%*d", INT_MAX, 1, INT_MAX, 1), -XEN_EOVERFLOW);
    ck_assert_int_eq(format_unchecked(NULL, 0, "x%*d", INT_MAX, 1), -XEN_EOVERFLOW);
    ck_assert_int_eq(format_unchecked(NULL, 0, "%99999999999999999999d", 1), -XEN_EOVERFLOW);
}
END_TEST

START_TEST(test_overflowing_output_still_fills_and_terminates_buffer)
{
    char buffer[8];

    ck_assert_int_eq(format_unchecked(buffer, sizeof(buffer), "%-*d", INT_MIN, 7), -XEN_EOVERFLOW);
    ck_assert_str_eq(buffer, "7      ");
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *format_suite(void)
{
    Suite *suite = suite_create("format");

    add_test_case(suite, test_plain_text_is_copied_and_its_length_returned);
    add_test_case(suite, test_signed_and_unsigned_decimals_match_host);
    add_test_case(suite, test_char_and_short_length_modifiers_match_host);
    add_test_case(suite, test_long_and_long_long_length_modifiers_match_host);
    add_test_case(suite, test_size_pointer_difference_and_maximum_length_modifiers_match_host);
    add_test_case(suite, test_hexadecimal_and_octal_match_host);
    add_test_case(suite, test_minus_flag_left_justifies_and_overrides_zero);
    add_test_case(suite, test_plus_and_space_flags_sign_only_signed_conversions);
    add_test_case(suite, test_alternate_form_prefixes_nonzero_hexadecimal_and_octal);
    add_test_case(suite, test_zero_flag_pads_after_sign_and_prefix);
    add_test_case(suite, test_width_pads_with_spaces_and_never_truncates);
    add_test_case(suite, test_precision_sets_minimum_digits_and_disables_zero_flag);
    add_test_case(suite, test_zero_with_zero_precision_prints_no_digits);
    add_test_case(suite, test_star_takes_width_and_precision_from_arguments);
    add_test_case(suite, test_negative_star_width_left_justifies);
    add_test_case(suite, test_negative_star_precision_counts_as_absent);
    add_test_case(suite, test_characters_match_host);
    add_test_case(suite, test_strings_match_host);
    add_test_case(suite, test_string_precision_reads_no_further_than_precision);
    add_test_case(suite, test_null_string_prints_null_in_parentheses);
    add_test_case(suite, test_pointer_prints_0x_and_sixteen_lowercase_hex_digits);
    add_test_case(suite, test_pointer_honours_width_and_minus_only);
    add_test_case(suite, test_double_percent_prints_one_percent);
    add_test_case(suite, test_unknown_conversion_is_copied_literally);
    add_test_case(suite, test_format_ending_inside_a_conversion_is_copied_literally);
    add_test_case(suite, test_arguments_are_consumed_in_order_across_mixed_conversions);
    add_test_case(suite, test_truncated_output_matches_host_at_every_size);
    add_test_case(suite, test_size_zero_writes_nothing_and_returns_full_length);
    add_test_case(suite, test_size_one_writes_only_the_terminator);
    add_test_case(suite, test_output_of_exactly_int_max_characters_is_counted);
    add_test_case(suite, test_output_longer_than_int_max_reports_overflow);
    add_test_case(suite, test_overflowing_output_still_fills_and_terminates_buffer);
    return suite;
}

REGISTER_SUITE(format_suite)
