/*
 * Specification of the guest's side of the console ring's input
 * (pv-guest/runtime/console_ring.c), read as Linux's hvc_xen reads it,
 * with dom0's console backend (backend/console_backend.c) writing the
 * other side of the same page: what one writes the other reads, in order,
 * across the end of the ring; a producer index more than a ring ahead,
 * as a hostile dom0 could write, breaks the reader for good.  And the
 * out half the other way: the guest writes (hvc_xen's domU_write_console),
 * dom0's backend drains.
 */
#include <string.h>
#include <backend/console_backend.h>
#include <runtime/console_ring.h>
#include <xen/errno.h>

#include "suites.h"

#define IN_RING_SIZE sizeof(((struct xencons_interface *)0)->in)

static struct xencons_interface page;
static struct console_backend backend;
static struct console_ring_reader reader;

static void ignore_line(const char *line, void *context)
{
    (void)line;
    (void)context;
}

static void setup(void)
{
    memset(&page, 0, sizeof(page));
    console_backend_connect(&backend, &page, ignore_line, NULL);
    reader = (struct console_ring_reader) { .ring = &page };
}

START_TEST(test_what_dom0_writes_the_guest_reads)
{
    char read[32];

    console_backend_write_input(&backend, "uname -a\r", 9);
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), 9);
    ck_assert_mem_eq(read, "uname -a\r", 9);
    ck_assert_uint_eq(page.in_cons, page.in_prod);
}
END_TEST

START_TEST(test_an_empty_ring_gives_nothing)
{
    char read[4];

    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), 0);
}
END_TEST

START_TEST(test_the_guest_takes_at_most_its_buffer)
{
    char read[4];

    console_backend_write_input(&backend, "abcdef", 6);
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), 4);
    ck_assert_mem_eq(read, "abcd", 4);
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), 2);
    ck_assert_mem_eq(read, "ef", 2);
}
END_TEST

START_TEST(test_a_full_ring_read_makes_room_for_more)
{
    char bytes[IN_RING_SIZE + 10];
    char read[IN_RING_SIZE];

    for (size_t index = 0; index < sizeof(bytes); index++)
        bytes[index] = (char)('a' + index % 26);
    ck_assert_uint_eq(console_backend_write_input(&backend, bytes, sizeof(bytes)), IN_RING_SIZE);
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), IN_RING_SIZE);
    ck_assert_mem_eq(read, bytes, IN_RING_SIZE);
    ck_assert_uint_eq(console_backend_write_input(&backend, bytes + IN_RING_SIZE, 10), 10);
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), 10);
    ck_assert_mem_eq(read, bytes + IN_RING_SIZE, 10);
}
END_TEST

START_TEST(test_input_across_the_end_of_the_ring_and_index_wrap_stays_in_order)
{
    char read[8];

    page.in_prod = page.in_cons = UINT32_MAX - 1;
    console_backend_connect(&backend, &page, ignore_line, NULL);
    console_backend_write_input(&backend, "12345", 5);
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), 5);
    ck_assert_mem_eq(read, "12345", 5);
}
END_TEST

START_TEST(test_a_producer_more_than_a_ring_ahead_breaks_the_reader_for_good)
{
    char read[8];

    page.in_prod = IN_RING_SIZE + 1;
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), -XEN_EIO);
    ck_assert_uint_eq(page.in_cons, 0);
    page.in_prod = 1;
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), -XEN_EIO);
}
END_TEST

START_TEST(test_a_producer_exactly_a_ring_ahead_is_a_full_ring)
{
    char read[IN_RING_SIZE];

    page.in_prod = IN_RING_SIZE;
    ck_assert_int_eq(console_ring_take_input(&reader, read, sizeof(read)), IN_RING_SIZE);
}
END_TEST

/* --- the out half: the guest writes, dom0's backend drains ------------------ */

#define OUT_RING_SIZE sizeof(((struct xencons_interface *)0)->out)

static char drained[OUT_RING_SIZE + 1];
static size_t drained_length;

static void record_raw(const char *bytes, uint32_t length, void *context)
{
    (void)context;
    memcpy(drained + drained_length, bytes, length);
    drained_length += length;
}

static struct console_ring_writer start_writer(void)
{
    struct console_ring_writer writer;

    drained_length = 0;
    console_backend_set_raw(&backend, record_raw, NULL);
    console_ring_writer_start(&writer, &page);
    return writer;
}

START_TEST(test_what_the_guest_writes_dom0_reads)
{
    struct console_ring_writer writer = start_writer();

    ck_assert_int_eq(console_ring_put_output(&writer, "echo: hi\r\n", 10), 10);
    ck_assert(console_backend_drain(&backend));
    ck_assert_uint_eq(drained_length, 10);
    ck_assert_mem_eq(drained, "echo: hi\r\n", 10);
}
END_TEST

START_TEST(test_the_guest_writes_at_most_the_room_left)
{
    static char many[OUT_RING_SIZE + 5];
    struct console_ring_writer writer = start_writer();

    memset(many, 'x', sizeof(many));
    ck_assert_int_eq(console_ring_put_output(&writer, many, sizeof(many)), OUT_RING_SIZE);
    ck_assert_int_eq(console_ring_put_output(&writer, many, 1), 0);
    console_backend_drain(&backend);
    ck_assert_int_eq(console_ring_put_output(&writer, many, 5), 5);
}
END_TEST

START_TEST(test_output_crosses_the_end_of_the_ring_with_wrapping_indexes)
{
    struct console_ring_writer writer;

    page.out_cons = page.out_prod = UINT32_MAX - 2;
    writer = start_writer();
    ck_assert_int_eq(console_ring_put_output(&writer, "wrapped", 7), 7);
    console_backend_drain(&backend);
    ck_assert_mem_eq(drained, "wrapped", 7);
    ck_assert_uint_eq(page.out_prod, 4);
}
END_TEST

START_TEST(test_a_consumer_more_than_a_ring_behind_breaks_the_writer_for_good)
{
    struct console_ring_writer writer = start_writer();

    page.out_cons = page.out_prod - OUT_RING_SIZE - 1;
    ck_assert_int_eq(console_ring_put_output(&writer, "x", 1), -XEN_EIO);
    page.out_cons = page.out_prod;
    ck_assert_int_eq(console_ring_put_output(&writer, "x", 1), -XEN_EIO);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, setup, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *console_ring_suite(void)
{
    Suite *suite = suite_create("console_ring");

    add_test_case(suite, test_what_dom0_writes_the_guest_reads);
    add_test_case(suite, test_an_empty_ring_gives_nothing);
    add_test_case(suite, test_the_guest_takes_at_most_its_buffer);
    add_test_case(suite, test_a_full_ring_read_makes_room_for_more);
    add_test_case(suite, test_input_across_the_end_of_the_ring_and_index_wrap_stays_in_order);
    add_test_case(suite, test_a_producer_more_than_a_ring_ahead_breaks_the_reader_for_good);
    add_test_case(suite, test_a_producer_exactly_a_ring_ahead_is_a_full_ring);
    add_test_case(suite, test_what_the_guest_writes_dom0_reads);
    add_test_case(suite, test_the_guest_writes_at_most_the_room_left);
    add_test_case(suite, test_output_crosses_the_end_of_the_ring_with_wrapping_indexes);
    add_test_case(suite, test_a_consumer_more_than_a_ring_behind_breaks_the_writer_for_good);
    return suite;
}

REGISTER_SUITE(console_ring_suite)
