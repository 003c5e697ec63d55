/*
 * The read-only machine-to-physical table guests see at
 * MACH2PHYS_VIRT_START (kernel/machine_to_physical.c).
 */
#ifndef PVMON_MACHINE_TO_PHYSICAL_H
#define PVMON_MACHINE_TO_PHYSICAL_H

#include <stdint.h>

/* At boot, before any domain: every entry invalid, mapped for guests. */
void machine_to_physical_init(void);
void machine_to_physical_set(uint64_t machine_frame, uint64_t physical_frame);
void machine_to_physical_clear(uint64_t machine_frame);
long machine_to_physical_describe(uint64_t argument);

#endif
