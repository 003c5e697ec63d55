/*
 * Specification of the hypervisor's console history
 * (common/console_history.c), Xen's conring as XEN_SYSCTL_readconsole
 * reads it: oldest bytes dropped when full, reads from the oldest byte or
 * from the reader's index, bounded by the reader's count, and clear.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/console_history.h>
#include <pvmon/errno.h>

#include "suites.h"

struct reader_buffer {
    char bytes[2 * CONSOLE_HISTORY_SIZE];
    unsigned int copies;
    int fail_at_copy; /* the copy (from 1) that fails with -XEN_EFAULT, 0 for none */
};

static int copy_into_buffer(void *context, uint32_t offset, const char *bytes, uint32_t length)
{
    struct reader_buffer *buffer = context;

    ck_assert_uint_le((uint64_t)offset + length, sizeof(buffer->bytes));
    if (++buffer->copies == (unsigned int)buffer->fail_at_copy)
        return -XEN_EFAULT;
    memcpy(buffer->bytes + offset, bytes, length);
    return 0;
}

static struct console_history *new_history(void)
{
    struct console_history *history = calloc(1, sizeof(*history));

    ck_assert_ptr_nonnull(history);
    return history;
}

static struct reader_buffer *new_buffer(void)
{
    struct reader_buffer *buffer = calloc(1, sizeof(*buffer));

    ck_assert_ptr_nonnull(buffer);
    return buffer;
}

/* The byte the pattern puts at position index of everything written. */
static char pattern_byte(uint64_t index)
{
    return (char)('a' + index % 23);
}

static void write_pattern(struct console_history *history, uint64_t from, uint64_t length)
{
    for (uint64_t index = from; index < from + length; index++) {
        char byte = pattern_byte(index);

        console_history_write(history, &byte, 1);
    }
}

static struct console_history_read whole_read(void)
{
    return (struct console_history_read){ .count = 2 * CONSOLE_HISTORY_SIZE };
}

START_TEST(test_an_empty_history_reads_nothing)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = whole_read();

    ck_assert_int_eq(console_history_read(history, &read, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(read.count, 0);
    ck_assert_uint_eq(read.index, 0);
    ck_assert_uint_eq(buffer->copies, 0);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_a_read_returns_what_was_written_and_its_end_index)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = whole_read();

    console_history_write(history, "(pvmon) hello\n", 14);
    ck_assert_int_eq(console_history_read(history, &read, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(read.count, 14);
    ck_assert_uint_eq(read.index, 14);
    ck_assert_mem_eq(buffer->bytes, "(pvmon) hello\n", 14);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_reading_without_clear_leaves_the_bytes_for_the_next_reader)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read first = whole_read();
    struct console_history_read second = whole_read();

    console_history_write(history, "boot\n", 5);
    console_history_read(history, &first, copy_into_buffer, buffer);
    ck_assert_int_eq(console_history_read(history, &second, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(second.count, 5);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_clear_drops_what_was_read)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read clearing = whole_read();
    struct console_history_read after = whole_read();

    clearing.clear = true;
    console_history_write(history, "old\n", 4);
    console_history_read(history, &clearing, copy_into_buffer, buffer);
    console_history_write(history, "new\n", 4);
    ck_assert_int_eq(console_history_read(history, &after, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(after.count, 4);
    ck_assert_mem_eq(buffer->bytes, "new\n", 4);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_clear_keeps_what_did_not_fit_the_reader)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read clearing = { .count = 3, .clear = true };
    struct console_history_read after = whole_read();

    console_history_write(history, "abcdef", 6);
    console_history_read(history, &clearing, copy_into_buffer, buffer);
    console_history_read(history, &after, copy_into_buffer, buffer);
    ck_assert_uint_eq(after.count, 3);
    ck_assert_mem_eq(buffer->bytes, "def", 3);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_a_read_copies_no_more_than_the_readers_count)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = { .count = 4 };

    buffer->bytes[4] = 'X';
    console_history_write(history, "abcdefgh", 8);
    ck_assert_int_eq(console_history_read(history, &read, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(read.count, 4);
    ck_assert_uint_eq(read.index, 4);
    ck_assert_mem_eq(buffer->bytes, "abcdX", 5);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_an_incremental_read_resumes_at_the_readers_index)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read first = { .count = 4 };
    struct console_history_read second = whole_read();

    console_history_write(history, "abcdefgh", 8);
    console_history_read(history, &first, copy_into_buffer, buffer);
    second.incremental = true;
    second.index = first.index;
    ck_assert_int_eq(console_history_read(history, &second, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(second.count, 4);
    ck_assert_uint_eq(second.index, 8);
    ck_assert_mem_eq(buffer->bytes, "efgh", 4);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_an_incremental_index_outside_the_unread_bytes_starts_at_the_oldest)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = whole_read();

    console_history_write(history, "abcdefgh", 8);
    read.incremental = true;
    read.index = 1000;
    ck_assert_int_eq(console_history_read(history, &read, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(read.count, 8);
    ck_assert_mem_eq(buffer->bytes, "abcdefgh", 8);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_the_index_is_ignored_unless_the_read_is_incremental)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = whole_read();

    console_history_write(history, "abcdefgh", 8);
    read.index = 4;
    console_history_read(history, &read, copy_into_buffer, buffer);
    ck_assert_uint_eq(read.count, 8);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_a_full_history_keeps_the_newest_bytes)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = whole_read();
    uint64_t written = CONSOLE_HISTORY_SIZE + 1000;

    write_pattern(history, 0, written);
    ck_assert_int_eq(console_history_read(history, &read, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(read.count, CONSOLE_HISTORY_SIZE);
    ck_assert_uint_eq(read.index, written);
    for (uint32_t offset = 0; offset < CONSOLE_HISTORY_SIZE; offset++)
        ck_assert_int_eq(buffer->bytes[offset], pattern_byte(1000 + offset));
    ck_assert_uint_eq(buffer->copies, 2);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_one_write_longer_than_the_history_keeps_its_end)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read read = whole_read();
    size_t length = CONSOLE_HISTORY_SIZE + 10;
    char *text = malloc(length);

    ck_assert_ptr_nonnull(text);
    for (size_t index = 0; index < length; index++)
        text[index] = pattern_byte(index);
    console_history_write(history, text, length);
    console_history_read(history, &read, copy_into_buffer, buffer);
    ck_assert_uint_eq(read.count, CONSOLE_HISTORY_SIZE);
    ck_assert_mem_eq(buffer->bytes, text + 10, CONSOLE_HISTORY_SIZE);
    free(text);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_indices_wrap_around_32_bits)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read first = { .count = 8 };
    struct console_history_read second = whole_read();

    history->consumer = history->producer = UINT32_MAX - 5;
    console_history_write(history, "0123456789abcdef", 16);
    ck_assert_int_eq(console_history_read(history, &first, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(first.index, 2);
    second.incremental = true;
    second.index = first.index;
    ck_assert_int_eq(console_history_read(history, &second, copy_into_buffer, buffer), 0);
    ck_assert_uint_eq(second.count, 8);
    ck_assert_mem_eq(buffer->bytes, "89abcdef", 8);
    free(history);
    free(buffer);
}
END_TEST

START_TEST(test_a_failed_copy_is_returned_and_clears_nothing)
{
    struct console_history *history = new_history();
    struct reader_buffer *buffer = new_buffer();
    struct console_history_read failing = whole_read();
    struct console_history_read after = whole_read();

    failing.clear = true;
    buffer->fail_at_copy = 1;
    console_history_write(history, "kept\n", 5);
    ck_assert_int_eq(console_history_read(history, &failing, copy_into_buffer, buffer), -XEN_EFAULT);
    buffer->fail_at_copy = 0;
    console_history_read(history, &after, copy_into_buffer, buffer);
    ck_assert_uint_eq(after.count, 5);
    free(history);
    free(buffer);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *console_history_suite(void)
{
    Suite *suite = suite_create("console_history");

    add_test_case(suite, test_an_empty_history_reads_nothing);
    add_test_case(suite, test_a_read_returns_what_was_written_and_its_end_index);
    add_test_case(suite, test_reading_without_clear_leaves_the_bytes_for_the_next_reader);
    add_test_case(suite, test_clear_drops_what_was_read);
    add_test_case(suite, test_clear_keeps_what_did_not_fit_the_reader);
    add_test_case(suite, test_a_read_copies_no_more_than_the_readers_count);
    add_test_case(suite, test_an_incremental_read_resumes_at_the_readers_index);
    add_test_case(suite, test_an_incremental_index_outside_the_unread_bytes_starts_at_the_oldest);
    add_test_case(suite, test_the_index_is_ignored_unless_the_read_is_incremental);
    add_test_case(suite, test_a_full_history_keeps_the_newest_bytes);
    add_test_case(suite, test_one_write_longer_than_the_history_keeps_its_end);
    add_test_case(suite, test_indices_wrap_around_32_bits);
    add_test_case(suite, test_a_failed_copy_is_returned_and_clears_nothing);
    return suite;
}

REGISTER_SUITE(console_history_suite)
