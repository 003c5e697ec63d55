/*
 * A token bucket in system time (pvmon/token_bucket.h).
 *
 * Rules kept here:
 *   - Refill is exact over time: only whole tokens are added, and the
 *     time they stand for is what moves refilled_until_ns forward, so
 *     frequent small takes lose no fraction of a token.
 *   - Nothing overflows for any time or rate: a gap long enough to fill
 *     the bucket fills it without multiplying; otherwise the product is
 *     below capacity * 10^9.  A bucket with no refill rate never refills.
 *   - Time before refilled_until_ns (a clock read earlier) adds nothing.
 */
#include <pvmon/token_bucket.h>

#define NANOSECONDS_PER_SECOND UINT64_C(1000000000)

void token_bucket_init(struct token_bucket *bucket, uint64_t capacity, uint64_t refill_per_second,
                       uint64_t now_ns)
{
    bucket->capacity = capacity;
    bucket->refill_per_second = refill_per_second;
    bucket->tokens = capacity;
    bucket->refilled_until_ns = now_ns;
}

static void refill(struct token_bucket *bucket, uint64_t now_ns)
{
    uint64_t missing = bucket->capacity - bucket->tokens;
    uint64_t elapsed_ns;
    uint64_t added;

    if (now_ns <= bucket->refilled_until_ns || bucket->refill_per_second == 0)
        return;
    elapsed_ns = now_ns - bucket->refilled_until_ns;
    if (missing == 0 || elapsed_ns / NANOSECONDS_PER_SECOND >= missing / bucket->refill_per_second + 1) {
        bucket->tokens = bucket->capacity;
        bucket->refilled_until_ns = now_ns;
        return;
    }
    added = elapsed_ns * bucket->refill_per_second / NANOSECONDS_PER_SECOND;
    if (added >= missing) {
        bucket->tokens = bucket->capacity;
        bucket->refilled_until_ns = now_ns;
        return;
    }
    bucket->tokens += added;
    bucket->refilled_until_ns += added * NANOSECONDS_PER_SECOND / bucket->refill_per_second;
}

uint64_t token_bucket_take(struct token_bucket *bucket, uint64_t wanted, uint64_t now_ns)
{
    uint64_t granted;

    refill(bucket, now_ns);
    granted = wanted < bucket->tokens ? wanted : bucket->tokens;
    bucket->tokens -= granted;
    return granted;
}
