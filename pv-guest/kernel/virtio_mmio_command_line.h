/*
 * Where dom0's virtio-mmio devices are: the `virtio_mmio.device=` words of
 * dom0's command line, in the syntax of Linux's virtio_mmio module
 * parameter (drivers/virtio/virtio_mmio.c, "<size>@<baseaddr>:<irq>[:<id>]"):
 * size and base in decimal or 0x-hexadecimal, size with an optional K, M
 * or G suffix, the interrupt a decimal GSI, the id ignored.  QEMU's microvm
 * (acpi=off) appends one such word per populated transport to the
 * hypervisor's command line, e.g. virtio_mmio.device=512@0xfeb00e00:12,
 * and pvmon copies each onto dom0's (docs/ARCHITECTURE.md).
 *
 * The rules it keeps: a word is taken only if it is well formed and its
 * registers [base, base + size) lie within one 4 KiB page (dom0 maps that
 * one page) and span at least VIRTIO_MMIO_MINIMUM_SIZE bytes (the common
 * registers and 256 bytes of device configuration); any other word is
 * counted as malformed and skipped.  Words are returned in command-line
 * order.  Pure: compiled into dom0's kernel and the host unit tests.
 */
#ifndef PV_KERNEL_VIRTIO_MMIO_COMMAND_LINE_H
#define PV_KERNEL_VIRTIO_MMIO_COMMAND_LINE_H

#include <stdint.h>

#define VIRTIO_MMIO_MINIMUM_SIZE 0x200
#define VIRTIO_MMIO_PAGE_SIZE 4096
/* QEMU's microvm has 8 transports: the most words a driver looks at. */
#define VIRTIO_MMIO_MAX_TRANSPORTS 8

struct virtio_mmio_location {
    uint64_t base;  /* physical (machine) address of the registers */
    uint64_t size;
    uint32_t gsi;   /* the interrupt line, level-triggered, active high */
};

/* Fills up to `capacity` locations; returns how many were filled.  Words
 * beyond capacity and malformed ones are added to *skipped. */
unsigned int virtio_mmio_find_devices(const char *command_line, struct virtio_mmio_location *locations,
                                      unsigned int capacity, unsigned int *skipped);

#endif
