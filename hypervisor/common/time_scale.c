/*
 * Conversion of counter ticks (TSC) to nanoseconds in the Xen PV ABI's
 * form: a shift that brings the counter frequency into (1 GHz, 2 GHz], and
 * a 32-bit fraction multiplier = 10^9 * 2^32 / scaled frequency, which then
 * lies in [2^31, 2^32) and keeps 31 significant bits.
 */
#include <pvmon/time.h>


struct time_scale time_scale_for_frequency(uint64_t ticks_per_second)
{
    struct time_scale scale = { .multiplier = 0, .shift = 0 };
    uint64_t scaled = ticks_per_second;

    if (scaled == 0)
        return scale;
    while (scaled > 2 * NANOSECONDS_PER_SECOND) {
        scaled >>= 1;
        scale.shift--;
    }
    while (scaled <= NANOSECONDS_PER_SECOND) {
        scaled <<= 1;
        scale.shift++;
    }
    scale.multiplier = (uint32_t)((NANOSECONDS_PER_SECOND << 32) / scaled);
    return scale;
}

uint64_t time_scale_apply(struct time_scale scale, uint64_t ticks)
{
    uint64_t shifted = scale.shift >= 0 ? ticks << scale.shift : ticks >> -scale.shift;

    return (uint64_t)(((unsigned __int128)shifted * scale.multiplier) >> 32);
}
