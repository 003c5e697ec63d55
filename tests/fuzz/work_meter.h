/*
 * How much work the code under test did: the number of basic blocks it
 * executed, counted without its help.  The Makefile compiles the metered
 * files (the code under test of a harness) with
 * -fsanitize-coverage=trace-pc, which calls a hook at the start of every
 * basic block, and renames that hook to work_meter_tick with objcopy, so
 * that it neither collides with libFuzzer's own nor touches code that is
 * not metered.  Loops count once per iteration, so a step whose work grows
 * with the state it runs on shows up as a count beyond a fixed bound.
 */
#ifndef PVMON_TEST_WORK_METER_H
#define PVMON_TEST_WORK_METER_H

#include <stdint.h>

/* Called by metered code at every basic block. */
void work_meter_tick(void);

void work_meter_reset(void);
uint64_t work_meter_blocks(void);

#endif
