/*
 * Specification of blkfront's requests in flight and of the checks it
 * makes on what it sends and on what the backend answers
 * (frontend/blkfront_shadow.c; Xen io/blkif.h, Linux xen-blkfront.c).
 */
#include <stdint.h>

#include <xen/errno.h>
#include <frontend/blkfront_shadow.h>

#include "suites.h"

static struct blkfront_shadow shadow;
static int owner;

static uint64_t taken(uint8_t operation)
{
    uint64_t id = UINT64_MAX;

    ck_assert_int_eq(blkfront_shadow_take(&shadow, operation, &owner, &id), 0);
    return id;
}

START_TEST(test_ids_are_below_the_ring_size_and_distinct)
{
    uint64_t seen = 0;

    blkfront_shadow_init(&shadow);
    for (unsigned int count = 0; count < BLKFRONT_RING_SIZE; count++) {
        uint64_t id = taken(BLKIF_OP_READ);

        ck_assert_uint_lt(id, BLKFRONT_RING_SIZE);
        ck_assert_uint_eq(seen & (UINT64_C(1) << id), 0);
        seen |= UINT64_C(1) << id;
    }
}
END_TEST

START_TEST(test_a_full_shadow_is_ebusy)
{
    uint64_t id;

    blkfront_shadow_init(&shadow);
    for (unsigned int count = 0; count < BLKFRONT_RING_SIZE; count++)
        taken(BLKIF_OP_READ);
    ck_assert_int_eq(blkfront_shadow_take(&shadow, BLKIF_OP_READ, &owner, &id), -XEN_EBUSY);
    ck_assert_uint_eq(blkfront_shadow_in_flight(&shadow), BLKFRONT_RING_SIZE);
}
END_TEST

START_TEST(test_a_matching_response_is_accepted)
{
    uint64_t id;

    blkfront_shadow_init(&shadow);
    id = taken(BLKIF_OP_WRITE);
    ck_assert_ptr_null(blkfront_shadow_response_problem(&shadow, id, BLKIF_OP_WRITE));
    ck_assert_ptr_eq(blkfront_shadow_complete(&shadow, id)->owner, &owner);
}
END_TEST

START_TEST(test_a_response_id_beyond_the_ring_is_refused)
{
    blkfront_shadow_init(&shadow);
    taken(BLKIF_OP_READ);
    ck_assert_ptr_nonnull(blkfront_shadow_response_problem(&shadow, BLKFRONT_RING_SIZE, BLKIF_OP_READ));
    ck_assert_ptr_nonnull(blkfront_shadow_response_problem(&shadow, UINT64_MAX, BLKIF_OP_READ));
}
END_TEST

START_TEST(test_a_response_to_an_id_not_in_flight_is_refused)
{
    uint64_t id;

    blkfront_shadow_init(&shadow);
    id = taken(BLKIF_OP_READ);
    ck_assert_ptr_nonnull(blkfront_shadow_response_problem(&shadow, (id + 1) % BLKFRONT_RING_SIZE, BLKIF_OP_READ));
}
END_TEST

START_TEST(test_a_second_response_to_the_same_request_is_refused)
{
    uint64_t id;

    blkfront_shadow_init(&shadow);
    id = taken(BLKIF_OP_READ);
    blkfront_shadow_complete(&shadow, id);
    ck_assert_ptr_nonnull(blkfront_shadow_response_problem(&shadow, id, BLKIF_OP_READ));
}
END_TEST

START_TEST(test_a_response_with_another_operation_is_refused)
{
    uint64_t id;

    blkfront_shadow_init(&shadow);
    id = taken(BLKIF_OP_FLUSH_DISKCACHE);
    ck_assert_ptr_nonnull(blkfront_shadow_response_problem(&shadow, id, BLKIF_OP_WRITE_BARRIER));
}
END_TEST

START_TEST(test_a_released_id_is_taken_again)
{
    uint64_t id;

    blkfront_shadow_init(&shadow);
    id = taken(BLKIF_OP_READ);
    blkfront_shadow_complete(&shadow, id);
    blkfront_shadow_release(&shadow, id);
    ck_assert_uint_eq(blkfront_shadow_in_flight(&shadow), 0);
    ck_assert_uint_eq(taken(BLKIF_OP_WRITE), id);
}
END_TEST

static const struct blkfront_segment_spec whole_page = { 0, 7 };

START_TEST(test_a_read_of_one_whole_page_may_be_sent)
{
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_READ, 1, &whole_page), 0);
}
END_TEST

START_TEST(test_eleven_segments_may_be_sent_twelve_may_not)
{
    struct blkfront_segment_spec segments[BLKIF_MAX_SEGMENTS_PER_REQUEST + 1];

    for (unsigned int index = 0; index <= BLKIF_MAX_SEGMENTS_PER_REQUEST; index++)
        segments[index] = whole_page;
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_WRITE, BLKIF_MAX_SEGMENTS_PER_REQUEST, segments), 0);
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_WRITE, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, segments),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_read_without_segments_is_einval)
{
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_READ, 0, &whole_page), -XEN_EINVAL);
}
END_TEST

START_TEST(test_first_sect_after_last_sect_is_einval)
{
    const struct blkfront_segment_spec backwards = { 5, 4 };

    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_READ, 1, &backwards), -XEN_EINVAL);
}
END_TEST

START_TEST(test_last_sect_beyond_the_page_is_einval)
{
    const struct blkfront_segment_spec beyond = { 0, 8 };

    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_WRITE, 1, &beyond), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_sub_page_segment_may_be_sent)
{
    const struct blkfront_segment_spec one_sector = { 3, 3 };

    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_WRITE, 1, &one_sector), 0);
}
END_TEST

START_TEST(test_a_flush_carries_no_segment)
{
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_FLUSH_DISKCACHE, 0, &whole_page), 0);
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_FLUSH_DISKCACHE, 1, &whole_page), -XEN_EINVAL);
}
END_TEST

START_TEST(test_other_operations_are_not_sent)
{
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_INDIRECT, 1, &whole_page), -XEN_EOPNOTSUPP);
    ck_assert_int_eq(blkfront_check_request(BLKIF_OP_DISCARD, 0, &whole_page), -XEN_EOPNOTSUPP);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *blkfront_shadow_suite(void)
{
    Suite *suite = suite_create("blkfront_shadow");

    add_test_case(suite, test_ids_are_below_the_ring_size_and_distinct);
    add_test_case(suite, test_a_full_shadow_is_ebusy);
    add_test_case(suite, test_a_matching_response_is_accepted);
    add_test_case(suite, test_a_response_id_beyond_the_ring_is_refused);
    add_test_case(suite, test_a_response_to_an_id_not_in_flight_is_refused);
    add_test_case(suite, test_a_second_response_to_the_same_request_is_refused);
    add_test_case(suite, test_a_response_with_another_operation_is_refused);
    add_test_case(suite, test_a_released_id_is_taken_again);
    add_test_case(suite, test_a_read_of_one_whole_page_may_be_sent);
    add_test_case(suite, test_eleven_segments_may_be_sent_twelve_may_not);
    add_test_case(suite, test_a_read_without_segments_is_einval);
    add_test_case(suite, test_first_sect_after_last_sect_is_einval);
    add_test_case(suite, test_last_sect_beyond_the_page_is_einval);
    add_test_case(suite, test_a_sub_page_segment_may_be_sent);
    add_test_case(suite, test_a_flush_carries_no_segment);
    add_test_case(suite, test_other_operations_are_not_sent);
    return suite;
}

REGISTER_SUITE(blkfront_shadow_suite)
