/*
 * The disk check's sector contents (see disk_pattern.h).  Pure.
 */
#include "disk_pattern.h"

#define WORDS_PER_SECTOR (DISK_PATTERN_SECTOR_SIZE / 8)

static uint64_t mix(uint64_t value)
{
    value ^= value >> 30;
    value *= UINT64_C(0xbf58476d1ce4e5b9);
    value ^= value >> 27;
    value *= UINT64_C(0x94d049bb133111eb);
    return value ^ (value >> 31);
}

static uint64_t word_of(uint64_t sector, unsigned int word, uint64_t seed)
{
    return mix(seed ^ mix(sector * WORDS_PER_SECTOR + word + 1));
}

void disk_pattern_fill(uint8_t sector_bytes[DISK_PATTERN_SECTOR_SIZE], uint64_t sector, uint64_t seed)
{
    for (unsigned int word = 0; word < WORDS_PER_SECTOR; word++) {
        uint64_t value = word_of(sector, word, seed);

        for (unsigned int byte = 0; byte < 8; byte++)
            sector_bytes[word * 8 + byte] = (uint8_t)(value >> (8 * byte));
    }
}

bool disk_pattern_matches(const uint8_t sector_bytes[DISK_PATTERN_SECTOR_SIZE], uint64_t sector, uint64_t seed)
{
    for (unsigned int word = 0; word < WORDS_PER_SECTOR; word++) {
        uint64_t value = word_of(sector, word, seed);

        for (unsigned int byte = 0; byte < 8; byte++)
            if (sector_bytes[word * 8 + byte] != (uint8_t)(value >> (8 * byte)))
                return false;
    }
    return true;
}
