/*
 * The virtio-mmio transport from dom0's side (virtio 1.2, 4.2; register
 * offsets as in Linux include/uapi/linux/virtio_mmio.h), both layouts QEMU
 * offers:
 *
 *   - legacy (Version 1, QEMU's microvm default): GuestPageSize is written
 *     once (4096), a queue is given as one guest page frame number
 *     (QueuePFN) with QueueAlign, the alignment of its used ring.  The
 *     driver writes the alignment small (VIRTQUEUE_USED_ALIGNMENT, 4), so
 *     that a 128-entry queue fits in ONE page (virtqueue.h) and needs no
 *     machine-contiguous memory; no FEATURES_OK step.
 *   - modern (Version 2, -global virtio-mmio.force-legacy=false): 64-bit
 *     feature words through the selectors, FEATURES_OK written and read
 *     back, each part of a queue given by its own address
 *     (QueueDesc/Avail/Used Low/High), then QueueReady.  The driver must
 *     accept VIRTIO_F_VERSION_1.
 *
 * Addresses given to the device are machine addresses (dom0 is a PV
 * domain: no IOMMU, the device sees machine memory).
 *
 * The status handshake (3.1.1): reset (Status 0), ACKNOWLEDGE, DRIVER,
 * features, (FEATURES_OK), queues, DRIVER_OK.  Any failure on the way
 * sets FAILED and resets the device, so it is left quiet; so does
 * virtio_mmio_reset when the driver gives up on a device later.
 */
#ifndef PV_KERNEL_VIRTIO_MMIO_H
#define PV_KERNEL_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include "virtio_mmio_command_line.h"
#include "virtqueue.h"

#define VIRTIO_MMIO_VERSION_LEGACY 1
#define VIRTIO_MMIO_VERSION_MODERN 2
/* The used ring's alignment the driver asks a legacy device for. */
#define VIRTQUEUE_USED_ALIGNMENT 4

struct virtio_mmio_transport {
    volatile uint8_t *registers; /* the location's base, inside its mapped window */
    uint32_t version;
    uint32_t device_id;          /* 0: an empty transport */
};

/* Maps the location's page over `window` (io_memory.h) and identifies the
 * device: 0, or -ENODEV (no virtio magic, an unknown version), or the
 * mapping's error. */
int virtio_mmio_open(struct virtio_mmio_transport *transport, void *window,
                     const struct virtio_mmio_location *location);

static inline bool virtio_mmio_is_modern(const struct virtio_mmio_transport *transport)
{
    return transport->version == VIRTIO_MMIO_VERSION_MODERN;
}

/* Resets the device and runs the handshake up to the features: offered is
 * what the device offers, accept picks the driver's (it may refuse with an
 * error).  0 with *accepted, or the error (the device is then reset). */
int virtio_mmio_negotiate(struct virtio_mmio_transport *transport,
                          int (*accept)(uint64_t offered, bool modern, uint64_t *accepted), uint64_t *accepted);

/* Hands queue `index` to the device: `size` entries laid out by `layout`
 * at machine address ring_address (page-aligned, the whole queue within
 * that page).  0, or -ENODEV (the device has no such queue, or is using
 * it) or -EINVAL (larger than the device allows, or not in one page). */
int virtio_mmio_setup_queue(struct virtio_mmio_transport *transport, unsigned int index, unsigned int size,
                            uint64_t ring_address, const struct virtqueue_layout *layout);

/* Ends the handshake: the device may now use its queues. */
void virtio_mmio_driver_ok(struct virtio_mmio_transport *transport);

/* Gives up on the device: FAILED, then a reset (it stops using memory). */
void virtio_mmio_reset(struct virtio_mmio_transport *transport);

/* The device asks to be reset (DEVICE_NEEDS_RESET in its status). */
bool virtio_mmio_needs_reset(const struct virtio_mmio_transport *transport);

void virtio_mmio_notify(struct virtio_mmio_transport *transport, unsigned int queue_index);

/* Reads InterruptStatus and acknowledges those bits; returns them. */
uint32_t virtio_mmio_acknowledge_interrupt(struct virtio_mmio_transport *transport);

/* A 64-bit field of the device's configuration, read consistently. */
uint64_t virtio_mmio_read_config64(const struct virtio_mmio_transport *transport, unsigned int offset);

#endif
