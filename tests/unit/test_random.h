/*
 * The unit tests' pseudo-random numbers: xorshift64 (Marsaglia, "Xorshift
 * RNGs", 2003, shifts 13, 7, 17).  A fixed seed gives the same cases on
 * every run, so a failure can be replayed; the state must not be zero.
 */
#ifndef PVMON_TEST_RANDOM_H
#define PVMON_TEST_RANDOM_H

#include <stdint.h>

static inline uint64_t test_random_next(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#endif
