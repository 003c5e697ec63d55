/*
 * Specification of dom0's frame buffer pool (backend/packet_buffer.h): a
 * fixed set of pages lent out with reference counts.  The pool here has
 * POOL_PAGES pages, page i at machine frame 0x1000 + i.
 */
#include <stdint.h>
#include <string.h>
#include <backend/packet_buffer.h>

#include "suites.h"

#define POOL_PAGES 4

static struct packet_pool pool;
static uint8_t pages[POOL_PAGES][PACKET_BUFFER_BYTES];

static void setup(void)
{
    uint8_t *page_pointers[POOL_PAGES];
    uint64_t frames[POOL_PAGES];

    for (unsigned int index = 0; index < POOL_PAGES; index++) {
        page_pointers[index] = pages[index];
        frames[index] = 0x1000 + index;
    }
    memset(&pool, 0xcc, sizeof(pool));
    packet_pool_init(&pool, page_pointers, frames, POOL_PAGES);
}

/* Takes every buffer of the pool into taken[]. */
static void take_all(struct packet_buffer *taken[POOL_PAGES])
{
    for (unsigned int index = 0; index < POOL_PAGES; index++) {
        taken[index] = packet_buffer_allocate(&pool);
        ck_assert_ptr_nonnull(taken[index]);
    }
}

START_TEST(test_pool_holds_the_pages_it_was_given)
{
    ck_assert_uint_eq(pool.count, POOL_PAGES);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
}
END_TEST

START_TEST(test_buffer_is_a_page_and_its_machine_frame)
{
    struct packet_buffer *buffer = packet_buffer_allocate(&pool);
    ptrdiff_t page = (buffer->data - &pages[0][0]) / PACKET_BUFFER_BYTES;

    ck_assert_int_ge(page, 0);
    ck_assert_int_lt(page, POOL_PAGES);
    ck_assert_ptr_eq(buffer->data, pages[page]);
    ck_assert_uint_eq(buffer->machine_frame, 0x1000 + (uint64_t)page);
}
END_TEST

START_TEST(test_new_buffer_has_one_reference_and_no_frame)
{
    struct packet_buffer *buffer = packet_buffer_allocate(&pool);

    ck_assert_uint_eq(buffer->references, 1);
    ck_assert_uint_eq(buffer->length, 0);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES - 1);
}
END_TEST

START_TEST(test_every_page_is_lent_once_before_the_pool_is_empty)
{
    struct packet_buffer *taken[POOL_PAGES];

    take_all(taken);
    for (unsigned int a = 0; a < POOL_PAGES; a++)
        for (unsigned int b = a + 1; b < POOL_PAGES; b++)
            ck_assert_ptr_ne(taken[a]->data, taken[b]->data);
}
END_TEST

START_TEST(test_empty_pool_refuses_and_counts)
{
    struct packet_buffer *taken[POOL_PAGES];

    take_all(taken);
    ck_assert_ptr_null(packet_buffer_allocate(&pool));
    ck_assert_ptr_null(packet_buffer_allocate(&pool));
    ck_assert_uint_eq(pool.exhausted, 2);
}
END_TEST

START_TEST(test_last_put_returns_the_buffer)
{
    struct packet_buffer *taken[POOL_PAGES];

    take_all(taken);
    packet_buffer_put(&pool, taken[2]);
    ck_assert_uint_eq(pool.free_count, 1);
    ck_assert_ptr_eq(packet_buffer_allocate(&pool), taken[2]);
}
END_TEST

START_TEST(test_buffer_with_another_reference_stays_out)
{
    struct packet_buffer *buffer = packet_buffer_allocate(&pool);

    packet_buffer_get(buffer);
    packet_buffer_get(buffer);
    ck_assert_uint_eq(buffer->references, 3);
    packet_buffer_put(&pool, buffer);
    packet_buffer_put(&pool, buffer);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES - 1);
    packet_buffer_put(&pool, buffer);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
}
END_TEST

START_TEST(test_put_on_a_free_buffer_is_ignored)
{
    struct packet_buffer *buffer = packet_buffer_allocate(&pool);
    struct packet_buffer *taken[POOL_PAGES];

    packet_buffer_put(&pool, buffer);
    packet_buffer_put(&pool, buffer);
    ck_assert_uint_eq(buffer->references, 0);
    ck_assert_uint_eq(pool.free_count, POOL_PAGES);
    take_all(taken);
    ck_assert_ptr_null(packet_buffer_allocate(&pool));
}
END_TEST

START_TEST(test_reused_buffer_starts_empty)
{
    struct packet_buffer *buffer = packet_buffer_allocate(&pool);
    struct packet_buffer *again;

    buffer->length = 1514;
    buffer->source_port = 3;
    packet_buffer_put(&pool, buffer);
    again = packet_buffer_allocate(&pool);
    ck_assert_ptr_eq(again, buffer);
    ck_assert_uint_eq(again->length, 0);
    ck_assert_uint_eq(again->source_port, 0);
    ck_assert_uint_eq(again->references, 1);
}
END_TEST

START_TEST(test_pool_takes_at_most_its_size)
{
    static uint8_t *page_pointers[PACKET_POOL_BUFFERS + 1];
    static uint64_t frames[PACKET_POOL_BUFFERS + 1];

    for (unsigned int index = 0; index <= PACKET_POOL_BUFFERS; index++) {
        page_pointers[index] = pages[0];
        frames[index] = index;
    }
    packet_pool_init(&pool, page_pointers, frames, PACKET_POOL_BUFFERS + 1);
    ck_assert_uint_eq(pool.count, PACKET_POOL_BUFFERS);
    ck_assert_uint_eq(pool.free_count, PACKET_POOL_BUFFERS);
}
END_TEST

START_TEST(test_empty_pool_from_no_pages)
{
    packet_pool_init(&pool, NULL, NULL, 0);
    ck_assert_ptr_null(packet_buffer_allocate(&pool));
    ck_assert_uint_eq(pool.exhausted, 1);
}
END_TEST

static Suite *packet_buffer_suite(void)
{
    Suite *suite = suite_create("packet_buffer");
    TCase *lending = tcase_create("lending");
    TCase *references = tcase_create("references");
    TCase *sizes = tcase_create("sizes");

    tcase_add_checked_fixture(lending, setup, NULL);
    tcase_add_test(lending, test_pool_holds_the_pages_it_was_given);
    tcase_add_test(lending, test_buffer_is_a_page_and_its_machine_frame);
    tcase_add_test(lending, test_new_buffer_has_one_reference_and_no_frame);
    tcase_add_test(lending, test_every_page_is_lent_once_before_the_pool_is_empty);
    tcase_add_test(lending, test_empty_pool_refuses_and_counts);
    suite_add_tcase(suite, lending);

    tcase_add_checked_fixture(references, setup, NULL);
    tcase_add_test(references, test_last_put_returns_the_buffer);
    tcase_add_test(references, test_buffer_with_another_reference_stays_out);
    tcase_add_test(references, test_put_on_a_free_buffer_is_ignored);
    tcase_add_test(references, test_reused_buffer_starts_empty);
    suite_add_tcase(suite, references);

    tcase_add_test(sizes, test_pool_takes_at_most_its_size);
    tcase_add_test(sizes, test_empty_pool_from_no_pages);
    suite_add_tcase(suite, sizes);
    return suite;
}

REGISTER_SUITE(packet_buffer_suite)
