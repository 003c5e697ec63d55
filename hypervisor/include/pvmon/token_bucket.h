/*
 * A token bucket in system time (common/token_bucket.c): up to capacity
 * tokens, refilled at refill_per_second, starting full.  Taking asks for
 * some tokens and is granted what the bucket holds, never more; time that
 * goes backwards adds nothing.  Capacity and rate stay below 2^32.  Used
 * to rate-limit a domU's console output (kernel/console_io.c), one token
 * per byte.
 */
#ifndef PVMON_TOKEN_BUCKET_H
#define PVMON_TOKEN_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct token_bucket {
    uint64_t capacity;
    uint64_t refill_per_second;
    uint64_t tokens;
    uint64_t refilled_until_ns; /* the time up to which refill is counted */
};

void token_bucket_init(struct token_bucket *bucket, uint64_t capacity, uint64_t refill_per_second,
                       uint64_t now_ns);
/* Takes up to wanted tokens at now_ns; returns how many were granted. */
uint64_t token_bucket_take(struct token_bucket *bucket, uint64_t wanted, uint64_t now_ns);

#endif
