/*
 * Specification of `xl dmesg`'s reading loop (tools/xl/xl_dmesg.c) over
 * the hypervisor's real console history (common/console_history.c), read
 * as domain_control's read_console reads it: everything shown once and in
 * order across chunks, -c clears, errors stop it, a flood cannot keep it
 * going for ever.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/console_history.h>
#include <pvmon/errno.h>
#include <tools/xl/xl_dmesg.h>

#include "suites.h"

struct session {
    struct console_history history;
    char shown[2 * XL_DMESG_MAX_BYTES];
    uint32_t shown_length;
    unsigned int reads;
    unsigned int writes;
    int read_error;            /* returned by every read when non-zero */
    int write_error;           /* returned by every write when non-zero */
    uint32_t refill_per_read;  /* bytes the hypervisor logs during each read (a flood) */
    uint32_t claimed_count;    /* a count the reader reports instead of the real one, 0 for none */
};

static int copy_to_buffer(void *context, uint32_t offset, const char *bytes, uint32_t length)
{
    memcpy((char *)context + offset, bytes, length);
    return 0;
}

static int read_from_history(void *context, char *buffer, uint32_t *count, uint32_t *index, bool incremental,
                             bool clear)
{
    struct session *session = context;
    struct console_history_read read = { .index = *index, .count = *count, .incremental = incremental,
                                         .clear = clear };
    int error;

    session->reads++;
    if (session->read_error)
        return session->read_error;
    error = console_history_read(&session->history, &read, copy_to_buffer, buffer);
    if (error)
        return error;
    for (uint32_t byte = 0; byte < session->refill_per_read; byte++)
        console_history_write(&session->history, "f", 1);
    *count = session->claimed_count ? session->claimed_count : read.count;
    *index = read.index;
    return 0;
}

static int show(void *context, const char *bytes, uint32_t length)
{
    struct session *session = context;

    session->writes++;
    if (session->write_error)
        return session->write_error;
    ck_assert_uint_le((uint64_t)session->shown_length + length, sizeof(session->shown));
    memcpy(session->shown + session->shown_length, bytes, length);
    session->shown_length += length;
    return 0;
}

static struct session *new_session(void)
{
    struct session *session = calloc(1, sizeof(*session));

    ck_assert_ptr_nonnull(session);
    return session;
}

static void log_lines(struct session *session, unsigned int lines)
{
    char line[64];

    for (unsigned int number = 0; number < lines; number++) {
        int length = snprintf(line, sizeof(line), "(pvmon) [%5u.000000] line %u\n", number, number);

        console_history_write(&session->history, line, (size_t)length);
    }
}

/* What the history holds now, read in one go without clearing. */
static uint32_t history_now(struct session *session, char *into)
{
    struct console_history_read read = { .count = CONSOLE_HISTORY_SIZE };

    console_history_read(&session->history, &read, copy_to_buffer, into);
    return read.count;
}

START_TEST(test_an_empty_history_shows_nothing)
{
    struct session *session = new_session();

    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, false), 0);
    ck_assert_uint_eq(session->shown_length, 0);
    ck_assert_uint_eq(session->writes, 0);
    free(session);
}
END_TEST

START_TEST(test_the_whole_history_is_shown_once_in_order_across_chunks)
{
    struct session *session = new_session();
    char *expected = malloc(CONSOLE_HISTORY_SIZE);
    uint32_t expected_length;

    ck_assert_ptr_nonnull(expected);
    log_lines(session, 300);
    expected_length = history_now(session, expected);
    ck_assert_uint_gt(expected_length, 3 * XL_DMESG_CHUNK_BYTES);
    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, false), 0);
    ck_assert_uint_eq(session->shown_length, expected_length);
    ck_assert_mem_eq(session->shown, expected, expected_length);
    ck_assert_uint_gt(session->writes, 3);
    free(expected);
    free(session);
}
END_TEST

START_TEST(test_a_wrapped_history_shows_its_newest_bytes)
{
    struct session *session = new_session();
    char *expected = malloc(CONSOLE_HISTORY_SIZE);
    uint32_t expected_length;

    ck_assert_ptr_nonnull(expected);
    log_lines(session, 2000);
    expected_length = history_now(session, expected);
    ck_assert_uint_eq(expected_length, CONSOLE_HISTORY_SIZE);
    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, false), 0);
    ck_assert_uint_eq(session->shown_length, CONSOLE_HISTORY_SIZE);
    ck_assert_mem_eq(session->shown, expected, CONSOLE_HISTORY_SIZE);
    free(expected);
    free(session);
}
END_TEST

START_TEST(test_without_clear_the_history_keeps_its_bytes)
{
    struct session *session = new_session();
    char *after = malloc(CONSOLE_HISTORY_SIZE);

    ck_assert_ptr_nonnull(after);
    log_lines(session, 100);
    xl_dmesg_copy(read_from_history, show, session, false);
    ck_assert_uint_eq(history_now(session, after), session->shown_length);
    free(after);
    free(session);
}
END_TEST

START_TEST(test_clear_empties_the_history_it_showed)
{
    struct session *session = new_session();
    char *after = malloc(CONSOLE_HISTORY_SIZE);

    ck_assert_ptr_nonnull(after);
    log_lines(session, 100);
    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, true), 0);
    ck_assert_uint_gt(session->shown_length, 0);
    ck_assert_uint_eq(history_now(session, after), 0);
    free(after);
    free(session);
}
END_TEST

START_TEST(test_a_read_error_is_returned_and_nothing_shown)
{
    struct session *session = new_session();

    log_lines(session, 10);
    session->read_error = -XEN_EPERM;
    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, false), -XEN_EPERM);
    ck_assert_uint_eq(session->writes, 0);
    free(session);
}
END_TEST

START_TEST(test_a_write_error_stops_the_reading)
{
    struct session *session = new_session();

    log_lines(session, 300);
    session->write_error = -XEN_EIO;
    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, false), -XEN_EIO);
    ck_assert_uint_eq(session->reads, 1);
    ck_assert_uint_eq(session->writes, 1);
    free(session);
}
END_TEST

START_TEST(test_a_history_refilled_as_fast_as_it_is_read_stops_after_the_bound)
{
    struct session *session = new_session();

    session->refill_per_read = 2 * XL_DMESG_CHUNK_BYTES;
    log_lines(session, 10);
    ck_assert_int_eq(xl_dmesg_copy(read_from_history, show, session, true), 0);
    ck_assert_uint_ge(session->shown_length, XL_DMESG_MAX_BYTES);
    ck_assert_uint_lt(session->shown_length, XL_DMESG_MAX_BYTES + XL_DMESG_CHUNK_BYTES);
    free(session);
}
END_TEST

START_TEST(test_a_reader_claiming_more_than_the_chunk_shows_only_the_chunk)
{
    struct session *session = new_session();

    log_lines(session, 10);
    session->claimed_count = 4 * XL_DMESG_CHUNK_BYTES;
    session->refill_per_read = 0;
    xl_dmesg_copy(read_from_history, show, session, true);
    ck_assert_uint_eq(session->shown_length % XL_DMESG_CHUNK_BYTES, 0);
    ck_assert_uint_eq(session->shown_length, session->writes * XL_DMESG_CHUNK_BYTES);
    free(session);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *xl_dmesg_suite(void)
{
    Suite *suite = suite_create("xl_dmesg");

    add_test_case(suite, test_an_empty_history_shows_nothing);
    add_test_case(suite, test_the_whole_history_is_shown_once_in_order_across_chunks);
    add_test_case(suite, test_a_wrapped_history_shows_its_newest_bytes);
    add_test_case(suite, test_without_clear_the_history_keeps_its_bytes);
    add_test_case(suite, test_clear_empties_the_history_it_showed);
    add_test_case(suite, test_a_read_error_is_returned_and_nothing_shown);
    add_test_case(suite, test_a_write_error_stops_the_reading);
    add_test_case(suite, test_a_history_refilled_as_fast_as_it_is_read_stops_after_the_bound);
    add_test_case(suite, test_a_reader_claiming_more_than_the_chunk_shows_only_the_chunk);
    return suite;
}

REGISTER_SUITE(xl_dmesg_suite)
