/*
 * The receive queue of a virtio-net device from the driver's side, without
 * the hardware: the driver's own receive buffers, every one kept posted to
 * the device, and the budgeted pass that takes the buffers the device has
 * filled, hands each valid frame to the caller and posts the buffer again
 * (virtio 1.2, 5.1.6.3 and 5.1.6.4; Linux drivers/net/virtio_net.c,
 * virtnet_receive with its budget, add_recvbuf_small with one buffer for
 * header and frame).
 *
 * The rules it keeps:
 *   - Each buffer is one descriptor the device writes: the header, then at
 *     most ETHERNET_MAX_FRAME_BYTES of frame; a buffer lies in one page.
 *   - A pass takes at most `budget` buffers, valid or not, so a flood costs
 *     a bounded amount of work; a taken buffer is posted again before the
 *     pass ends, whatever it held.
 *   - The length the device reports is distrusted
 *     (virtio_net_received_frame_length): a frame it makes shorter than an
 *     Ethernet header or longer than the buffer is dropped and counted in
 *     receive_errors.  A device that breaks the queue's protocol
 *     (virtqueue.h) makes the pass fail with -EIO; the driver then resets
 *     the device.
 *
 * Pure: compiled into dom0's kernel and the host unit tests.
 */
#ifndef PV_KERNEL_VIRTIO_NET_RECEIVER_H
#define PV_KERNEL_VIRTIO_NET_RECEIVER_H

#include <stdint.h>
#include "net_device.h"
#include "virtio_net_protocol.h"
#include "virtqueue.h"

/* A buffer's slot: two to a page, so that no buffer crosses a page. */
#define VIRTIO_NET_BUFFER_SLOT_BYTES 2048
#define VIRTIO_NET_MAX_RECEIVE_BUFFERS 128

_Static_assert(VIRTIO_NET_RECEIVE_BUFFER_BYTES <= VIRTIO_NET_BUFFER_SLOT_BYTES, "a receive buffer fits its slot");

struct virtio_net_buffer_slot {
    uint8_t bytes[VIRTIO_NET_BUFFER_SLOT_BYTES];
} __attribute__((aligned(VIRTIO_NET_BUFFER_SLOT_BYTES)));

struct virtio_net_receiver {
    struct virtqueue *queue;
    unsigned int header_bytes;
    struct virtio_net_buffer_slot *slots;   /* the driver's view of the buffers */
    const uint64_t *slot_addresses;         /* each slot's bus (machine) address */
    unsigned int slot_count;
    struct net_device_statistics *statistics; /* frames_received, bytes_received, receive_errors */
};

/* Describes the buffers; nothing is posted yet. */
void virtio_net_receiver_init(struct virtio_net_receiver *receiver, struct virtqueue *queue,
                              unsigned int header_bytes, struct virtio_net_buffer_slot *slots,
                              const uint64_t *slot_addresses, unsigned int slot_count,
                              struct net_device_statistics *statistics);

/* Posts every buffer: 0, or the queue's error (-EBUSY: fewer descriptors
 * than buffers). */
int virtio_net_receiver_post_all(struct virtio_net_receiver *receiver);

/* Takes up to budget filled buffers, calls deliver(context, frame, length)
 * for each valid frame, posts each buffer again; returns how many buffers
 * were taken (and posted again), or -EIO (the device broke the protocol). */
int virtio_net_receiver_take(struct virtio_net_receiver *receiver, unsigned int budget,
                             void (*deliver)(void *context, const uint8_t *frame, uint32_t length), void *context);

#endif
