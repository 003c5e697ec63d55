/*
 * The virtio-net protocol as dom0's driver speaks it (virtio 1.2, 5.1;
 * Linux include/uapi/linux/virtio_net.h for the numbers), without the
 * hardware: which features the driver accepts, the header before every
 * frame, the device's configuration (MAC address, link status), whether a
 * frame may be sent, and the length of a frame the device says it wrote.
 *
 * The rules it keeps:
 *   - Features.  Only what the driver implements: VIRTIO_NET_F_MAC (the
 *     device's address is read from its configuration), VIRTIO_NET_F_STATUS
 *     (the link bit is read from it), and on a modern (Version 2)
 *     transport VIRTIO_F_VERSION_1, without which a modern device is
 *     refused.  No checksum offload, no GSO, no mergeable receive buffers,
 *     no control queue (so QEMU's device stays promiscuous): every frame is
 *     complete in both directions and fits one buffer.
 *   - The header (5.1.6).  10 bytes on a legacy device without mergeable
 *     buffers, 12 (num_buffers included) once VIRTIO_F_VERSION_1 is
 *     negotiated.  The driver sends it all zero (no offload asked) and
 *     ignores what the device writes in it.
 *   - Queues (5.1.2).  Queue 0 receives, queue 1 transmits.
 *   - A frame to send is 1..ETHERNET_MAX_FRAME_BYTES long and lies within
 *     one 4 KiB page of machine memory (net_device.h).
 *   - A received buffer holds the header, then the frame.  The length the
 *     device reports is distrusted: below the header plus an Ethernet
 *     header, or beyond the buffer posted (header plus
 *     ETHERNET_MAX_FRAME_BYTES), the frame is refused.
 *
 * Pure: compiled into dom0's kernel and the host unit tests.
 */
#ifndef PV_KERNEL_VIRTIO_NET_PROTOCOL_H
#define PV_KERNEL_VIRTIO_NET_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>
#include <backend/ethernet.h>

#define VIRTIO_DEVICE_ID_NET 1

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_RECEIVE_QUEUE 0
#define VIRTIO_NET_TRANSMIT_QUEUE 1

#define VIRTIO_NET_LEGACY_HEADER_BYTES 10
#define VIRTIO_NET_MODERN_HEADER_BYTES 12
/* A receive buffer as the driver posts it: the largest header and frame. */
#define VIRTIO_NET_RECEIVE_BUFFER_BYTES (VIRTIO_NET_MODERN_HEADER_BYTES + ETHERNET_MAX_FRAME_BYTES)
/* The offset of `mac` (6 bytes) then `status` (16 bits) in the configuration. */
#define VIRTIO_NET_CONFIG_MAC 0

/* The features the driver writes back (see above): 0 with *accepted, or
 * -ENODEV if a modern device does not offer VIRTIO_F_VERSION_1. */
int virtio_net_accept_features(uint64_t offered, bool modern, uint64_t *accepted);

/* The header's length for the accepted features. */
unsigned int virtio_net_header_bytes(uint64_t accepted);

/* The MAC address from the configuration's first 8 bytes (read as one
 * little-endian 64-bit value), if VIRTIO_NET_F_MAC was accepted; else
 * the one made up for device `index`: locally administered, unicast. */
void virtio_net_config_address(uint64_t config, uint64_t accepted, unsigned int index,
                               struct ethernet_address *address);

/* Whether the link is up: the configuration's status bit if
 * VIRTIO_NET_F_STATUS was accepted; else always (5.1.4). */
bool virtio_net_config_link_up(uint64_t config, uint64_t accepted);

/* 0 if a frame at this machine address and length may be sent, or -EINVAL. */
int virtio_net_check_transmission(uint64_t machine_address, uint32_t length);

/* The frame's length in a receive buffer the device says it wrote
 * `written` bytes into: 0 with *frame_length, or -EINVAL (see above). */
int virtio_net_received_frame_length(uint32_t written, unsigned int header_bytes, uint32_t *frame_length);

/* A queue's size on a device whose QueueNumMax is device_maximum: the
 * largest power of two up to both it and `wanted` (a power of two), or 0
 * if that is below `minimum`. */
unsigned int virtio_net_queue_size(uint32_t device_maximum, unsigned int wanted, unsigned int minimum);

#endif
