/*
 * Specification of the token bucket (common/token_bucket.c), with the
 * figures of a domU's console rate limit: 256 KiB of burst, 64 KiB/s.
 */
#include <stdint.h>

#include <pvmon/token_bucket.h>

#include "suites.h"

#define CAPACITY (256 * 1024)
#define RATE (64 * 1024)
#define SECOND UINT64_C(1000000000)
#define START (5 * SECOND)

static struct token_bucket full_bucket(void)
{
    struct token_bucket bucket;

    token_bucket_init(&bucket, CAPACITY, RATE, START);
    return bucket;
}

START_TEST(test_a_new_bucket_grants_its_whole_capacity_at_once)
{
    struct token_bucket bucket = full_bucket();

    ck_assert_uint_eq(token_bucket_take(&bucket, CAPACITY, START), CAPACITY);
}
END_TEST

START_TEST(test_an_empty_bucket_grants_nothing_at_the_same_time)
{
    struct token_bucket bucket = full_bucket();

    token_bucket_take(&bucket, CAPACITY, START);
    ck_assert_uint_eq(token_bucket_take(&bucket, 1, START), 0);
}
END_TEST

START_TEST(test_a_request_beyond_the_tokens_gets_what_is_left)
{
    struct token_bucket bucket = full_bucket();

    ck_assert_uint_eq(token_bucket_take(&bucket, 100, START), 100);
    ck_assert_uint_eq(token_bucket_take(&bucket, UINT64_MAX, START), CAPACITY - 100);
}
END_TEST

START_TEST(test_one_second_refills_the_rate)
{
    struct token_bucket bucket = full_bucket();

    token_bucket_take(&bucket, CAPACITY, START);
    ck_assert_uint_eq(token_bucket_take(&bucket, CAPACITY, START + SECOND), RATE);
}
END_TEST

START_TEST(test_refill_never_exceeds_the_capacity)
{
    struct token_bucket bucket = full_bucket();

    token_bucket_take(&bucket, 10, START);
    ck_assert_uint_eq(token_bucket_take(&bucket, UINT64_MAX, START + 1000 * SECOND), CAPACITY);
}
END_TEST

START_TEST(test_many_small_steps_refill_as_much_as_one_long_one)
{
    struct token_bucket bucket = full_bucket();
    uint64_t granted = 0;

    token_bucket_take(&bucket, CAPACITY, START);
    for (uint64_t step = 1; step <= 1000; step++)
        granted += token_bucket_take(&bucket, UINT64_MAX, START + step * (SECOND / 1000));
    ck_assert_uint_ge(granted, RATE - 1);
    ck_assert_uint_le(granted, RATE);
}
END_TEST

START_TEST(test_time_going_backwards_adds_nothing)
{
    struct token_bucket bucket = full_bucket();

    token_bucket_take(&bucket, CAPACITY, START);
    ck_assert_uint_eq(token_bucket_take(&bucket, 1, START - SECOND), 0);
    ck_assert_uint_eq(token_bucket_take(&bucket, 1, 0), 0);
}
END_TEST

START_TEST(test_the_largest_times_do_not_overflow)
{
    struct token_bucket bucket;

    token_bucket_init(&bucket, UINT32_MAX, UINT32_MAX, 0);
    token_bucket_take(&bucket, UINT64_MAX, 0);
    ck_assert_uint_eq(token_bucket_take(&bucket, UINT64_MAX, UINT64_MAX), UINT32_MAX);
    token_bucket_take(&bucket, UINT64_MAX, UINT64_MAX - 1);
    ck_assert_uint_eq(token_bucket_take(&bucket, UINT64_MAX, UINT64_MAX), 0);
}
END_TEST

START_TEST(test_a_bucket_with_no_rate_never_refills)
{
    struct token_bucket bucket;

    token_bucket_init(&bucket, 10, 0, START);
    ck_assert_uint_eq(token_bucket_take(&bucket, 20, START), 10);
    ck_assert_uint_eq(token_bucket_take(&bucket, 20, START + 1000 * SECOND), 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *token_bucket_suite(void)
{
    Suite *suite = suite_create("token_bucket");

    add_test_case(suite, test_a_new_bucket_grants_its_whole_capacity_at_once);
    add_test_case(suite, test_an_empty_bucket_grants_nothing_at_the_same_time);
    add_test_case(suite, test_a_request_beyond_the_tokens_gets_what_is_left);
    add_test_case(suite, test_one_second_refills_the_rate);
    add_test_case(suite, test_refill_never_exceeds_the_capacity);
    add_test_case(suite, test_many_small_steps_refill_as_much_as_one_long_one);
    add_test_case(suite, test_time_going_backwards_adds_nothing);
    add_test_case(suite, test_the_largest_times_do_not_overflow);
    add_test_case(suite, test_a_bucket_with_no_rate_never_refills);
    return suite;
}

REGISTER_SUITE(token_bucket_suite)
