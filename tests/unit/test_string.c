/*
 * Specification of the hypervisor's own memcpy, memmove and memset
 * (hypervisor/common/string.c, x86 string instructions), compiled for the
 * host under the names string_under_test_* (Makefile: STRING_UNDER_TEST).
 * Each is compared with a byte-at-a-time model over every length up to a
 * few words, every alignment of a word and, for memmove, every distance
 * of overlap in both directions; bytes outside the range must not change
 * and the direction flag must be clear afterwards.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "suites.h"

void *string_under_test_memcpy(void *, const void *, size_t);
void *string_under_test_memmove(void *, const void *, size_t);
void *string_under_test_memset(void *, int, size_t);

enum { BUFFER_SIZE = 160, LONGEST = 41, MOST_DISTANT = 19, ALIGNMENTS = 8, MARGIN = 16 };

static void fill_with_pattern(unsigned char *buffer, size_t size, unsigned seed)
{
    for (size_t index = 0; index < size; index++)
        buffer[index] = (unsigned char)(index * 7 + seed * 13 + 1);
}

/* The model: what memmove means, one byte at a time through a copy. */
static void model_move(unsigned char *buffer, size_t to, size_t from, size_t length)
{
    unsigned char bounce[BUFFER_SIZE];

    for (size_t index = 0; index < length; index++)
        bounce[index] = buffer[from + index];
    for (size_t index = 0; index < length; index++)
        buffer[to + index] = bounce[index];
}

static bool direction_flag_is_set(void)
{
    uint64_t flags;

    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
    return (flags & (1u << 10)) != 0;
}

/* memmove from `from` to `to` (offsets in one buffer) against the model. */
static void check_move(size_t to, size_t from, size_t length)
{
    unsigned char actual[BUFFER_SIZE], expected[BUFFER_SIZE];

    fill_with_pattern(actual, sizeof(actual), (unsigned)(to + from + length));
    memcpy(expected, actual, sizeof(expected));
    model_move(expected, to, from, length);
    ck_assert_ptr_eq(string_under_test_memmove(actual + to, actual + from, length), actual + to);
    ck_assert_msg(memcmp(actual, expected, sizeof(actual)) == 0,
                  "memmove to %zu from %zu of %zu bytes differs from the model", to, from, length);
    ck_assert(!direction_flag_is_set());
}

START_TEST(test_memmove_down_over_its_own_source_copies_every_byte)
{
    for (size_t alignment = 0; alignment < ALIGNMENTS; alignment++)
        for (size_t distance = 1; distance <= MOST_DISTANT; distance++)
            for (size_t length = 0; length <= LONGEST; length++)
                check_move(MARGIN + alignment, MARGIN + alignment + distance, length);
}
END_TEST

START_TEST(test_memmove_up_over_its_own_source_copies_every_byte)
{
    for (size_t alignment = 0; alignment < ALIGNMENTS; alignment++)
        for (size_t distance = 1; distance <= MOST_DISTANT; distance++)
            for (size_t length = 0; length <= LONGEST; length++)
                check_move(MARGIN + alignment + distance, MARGIN + alignment, length);
}
END_TEST

START_TEST(test_memmove_onto_itself_changes_nothing)
{
    for (size_t length = 0; length <= LONGEST; length++)
        check_move(MARGIN + 3, MARGIN + 3, length);
}
END_TEST

START_TEST(test_memmove_between_separate_ranges_copies_every_byte)
{
    for (size_t length = 0; length <= LONGEST; length++) {
        check_move(MARGIN + 1, MARGIN + 1 + LONGEST + 5, length);
        check_move(MARGIN + 1 + LONGEST + 5, MARGIN + 2, length);
    }
}
END_TEST

START_TEST(test_memcpy_copies_any_length_at_any_alignment_and_nothing_more)
{
    unsigned char source[BUFFER_SIZE], actual[BUFFER_SIZE], expected[BUFFER_SIZE];

    fill_with_pattern(source, sizeof(source), 1);
    for (size_t to = 0; to < ALIGNMENTS; to++)
        for (size_t from = 0; from < ALIGNMENTS; from++)
            for (size_t length = 0; length <= LONGEST; length++) {
                fill_with_pattern(actual, sizeof(actual), 2);
                memcpy(expected, actual, sizeof(expected));
                for (size_t index = 0; index < length; index++)
                    expected[MARGIN + to + index] = source[from + index];
                ck_assert_ptr_eq(string_under_test_memcpy(actual + MARGIN + to, source + from, length),
                                 actual + MARGIN + to);
                ck_assert_msg(memcmp(actual, expected, sizeof(actual)) == 0,
                              "memcpy of %zu bytes at alignments %zu/%zu differs", length, to, from);
            }
}
END_TEST

START_TEST(test_memset_fills_any_length_at_any_alignment_and_nothing_more)
{
    unsigned char actual[BUFFER_SIZE], expected[BUFFER_SIZE];

    for (size_t alignment = 0; alignment < ALIGNMENTS; alignment++)
        for (size_t length = 0; length <= LONGEST; length++) {
            fill_with_pattern(actual, sizeof(actual), 3);
            memcpy(expected, actual, sizeof(expected));
            for (size_t index = 0; index < length; index++)
                expected[MARGIN + alignment + index] = 0xa7;
            ck_assert_ptr_eq(string_under_test_memset(actual + MARGIN + alignment, 0xa7, length),
                             actual + MARGIN + alignment);
            ck_assert_msg(memcmp(actual, expected, sizeof(actual)) == 0,
                          "memset of %zu bytes at alignment %zu differs", length, alignment);
        }
}
END_TEST

START_TEST(test_memset_uses_only_the_low_byte_of_its_value)
{
    unsigned char actual[24] = { 0 };

    string_under_test_memset(actual + 1, 0x1234c5, 21);
    ck_assert_uint_eq(actual[0], 0);
    for (size_t index = 1; index < 22; index++)
        ck_assert_uint_eq(actual[index], 0xc5);
    ck_assert_uint_eq(actual[22], 0);
}
END_TEST

START_TEST(test_memset_to_zero_clears_a_page)
{
    static unsigned char page[4096];

    fill_with_pattern(page, sizeof(page), 4);
    string_under_test_memset(page, 0, sizeof(page));
    for (size_t index = 0; index < sizeof(page); index++)
        ck_assert_uint_eq(page[index], 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *string_suite(void)
{
    Suite *suite = suite_create("string");

    add_test_case(suite, test_memmove_down_over_its_own_source_copies_every_byte);
    add_test_case(suite, test_memmove_up_over_its_own_source_copies_every_byte);
    add_test_case(suite, test_memmove_onto_itself_changes_nothing);
    add_test_case(suite, test_memmove_between_separate_ranges_copies_every_byte);
    add_test_case(suite, test_memcpy_copies_any_length_at_any_alignment_and_nothing_more);
    add_test_case(suite, test_memset_fills_any_length_at_any_alignment_and_nothing_more);
    add_test_case(suite, test_memset_uses_only_the_low_byte_of_its_value);
    add_test_case(suite, test_memset_to_zero_clears_a_page);
    return suite;
}

REGISTER_SUITE(string_suite)
