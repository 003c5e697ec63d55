/*
 * Device access for dom0 (kernel/device_access.c): the I/O memory the
 * privileged domain may map, built at boot (pvmon/io_memory.h).
 */
#ifndef PVMON_DEVICE_ACCESS_H
#define PVMON_DEVICE_ACCESS_H

#include <stdint.h>
#include <pvmon/io_memory.h>

/* After memory_init and apic_init: builds dom0's I/O memory. */
void device_access_init(void);

/* The domain's I/O memory: dom0's for the privileged domain, NULL (none)
 * for every other. */
const struct io_memory *device_access_io_memory(uint16_t domain);

#endif
