/*
 * CRC-32 (IEEE 802.3, as in zlib and gzip; see pvmon/crc32.h).
 *
 * Computed one bit at a time, the textbook way: no table to build, get
 * wrong or keep in memory.  Boot modules are checked once, so the speed
 * of a table-driven version is not worth its extra code.
 */
#include <pvmon/crc32.h>

#define REFLECTED_POLYNOMIAL 0xEDB88320u

uint32_t crc32(const void *data, size_t length)
{
    const uint8_t *bytes = data;
    uint32_t remainder = 0xFFFFFFFFu;

    for (size_t index = 0; index < length; index++) {
        remainder ^= bytes[index];
        for (unsigned int bit = 0; bit < 8; bit++) {
            if (remainder & 1)
                remainder = (remainder >> 1) ^ REFLECTED_POLYNOMIAL;
            else
                remainder >>= 1;
        }
    }
    return remainder ^ 0xFFFFFFFFu;
}
