/*
 * dom0's virtio-blk driver: every virtio-blk device dom0's command line
 * names (virtio_mmio_command_line.h) becomes a block device of
 * block_device.h, named vda, vdb, ... in command-line order; other virtio
 * devices and empty transports are skipped.
 *
 * Per device: its registers mapped uncached over a window page
 * (io_memory.h), the transport's handshake (virtio_mmio.h) with the
 * features of virtio_blk_protocol.h, one request queue of
 * VIRTIO_BLK_QUEUE_SIZE entries in one page of dom0's (the ring given to
 * the device by machine address), up to VIRTIO_BLK_SLOTS requests in
 * flight, each with a header and a status byte in a page of the driver's,
 * and its interrupt line as a PIRQ event channel (physical_interrupt.h).
 *
 * Completion is interrupt-driven: the port's handler (in the upcall) only
 * records the interrupt and sets the wake-up flag; block_device_complete
 * acknowledges the device's interrupt status, takes every used request
 * back (the status byte decides its result), and then sends the PIRQ's
 * EOI, so that a level-triggered line asserted again meanwhile fires
 * again.  A device that breaks the queue protocol, or asks to be reset, is
 * reset and given up: every request in flight completes with -EIO, and
 * every later submission fails with -EIO.
 */
#ifndef PV_KERNEL_VIRTIO_BLK_H
#define PV_KERNEL_VIRTIO_BLK_H

#include <stdint.h>

#define VIRTIO_BLK_MAX_DEVICES 8  /* QEMU's microvm has 8 transports */
#define VIRTIO_BLK_QUEUE_SIZE 128
#define VIRTIO_BLK_SLOTS 32

/* Sets up every virtio-blk device of the command line, reporting each on
 * the console; returns how many are ready. */
unsigned int virtio_blk_probe(const char *command_line);

struct block_device;

/* How many interrupts (events of the device's port) the driver has received. */
uint64_t virtio_blk_interrupts(const struct block_device *device);

#endif
