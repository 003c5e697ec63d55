/*
 * A fuzz input read from the front, for the harnesses that take their
 * operations as a byte stream: past the end every read gives 0, so that
 * any input, even an empty one, is a complete run.
 */
#ifndef PVMON_TEST_FUZZ_INPUT_H
#define PVMON_TEST_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
    const uint8_t *data;
    size_t size;
    size_t offset;
};

static inline bool fuzz_input_exhausted(const struct fuzz_input *input)
{
    return input->offset >= input->size;
}

static inline uint8_t fuzz_input_byte(struct fuzz_input *input)
{
    return input->offset < input->size ? input->data[input->offset++] : 0;
}

/* count bytes, little-endian (count at most 8). */
static inline uint64_t fuzz_input_bytes(struct fuzz_input *input, unsigned int count)
{
    uint64_t value = 0;

    for (unsigned int index = 0; index < count; index++)
        value |= (uint64_t) fuzz_input_byte(input) << (8 * index);
    return value;
}

#endif
