/*
 * The basic-block counter of work_meter.h.  Metered code calls
 * work_meter_tick; nothing else in the process does.
 */
#include "work_meter.h"

static uint64_t blocks_executed;

void work_meter_tick(void)
{
    blocks_executed++;
}

void work_meter_reset(void)
{
    blocks_executed = 0;
}

uint64_t work_meter_blocks(void)
{
    return blocks_executed;
}
