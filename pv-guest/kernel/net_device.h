/*
 * dom0's network devices: the interface dom0's NIC drivers offer to the
 * code that moves frames (the bridge and netback, backend/), and the only
 * way anything in dom0 reaches the machine's network.  Today every
 * network device is a virtio-net device on a virtio-mmio transport
 * (virtio_net.c), named eth0, eth1, ... in the order dom0's command line
 * lists them.
 *
 * The rules it keeps:
 *   - Frames are whole Ethernet frames without FCS, from the destination
 *     address on, at most ETHERNET_MAX_FRAME_BYTES long (backend/ethernet.h):
 *     the driver negotiates no offload (no checksum, no GSO, no mergeable
 *     buffers), so every frame it sends is complete, checksums included,
 *     and every frame it receives fits one buffer.
 *   - Transmission is asynchronous: net_device_transmit queues the frame
 *     and returns; net_device_complete_transmissions, called from dom0's
 *     loop, hands each finished one back.  The caller keeps the frame's
 *     page untouched until then.  The frame is given by MACHINE address
 *     (the device reads it by DMA), within one 4 KiB page.
 *   - Reception: the driver keeps its own receive buffers posted;
 *     net_device_receive hands at most `budget` received frames to the
 *     caller's function, each valid only during that call (the buffer is
 *     posted again after it), so a flood from the outside costs a bounded
 *     amount of work per pass.  A frame the device reports shorter than
 *     a header or longer than a buffer is dropped and counted.
 *   - The device is distrusted as the virtqueue code distrusts it
 *     (virtqueue.h): a device that breaks the protocol is reset and the
 *     device fails (-EIO from then on); dom0 carries on.
 *
 * Errors are negative Xen errno values.
 */
#ifndef PV_KERNEL_NET_DEVICE_H
#define PV_KERNEL_NET_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <backend/ethernet.h>

struct net_device; /* one NIC */

/* A frame to send, by machine address; status is set on completion. */
struct net_transmission {
    uint64_t machine_address;
    uint32_t length;
    void *owner;   /* the caller's cookie */
    int status;    /* 0, or -EIO */
};

struct net_device_statistics {
    uint64_t frames_sent;
    uint64_t bytes_sent;
    uint64_t frames_received;
    uint64_t bytes_received;
    uint64_t receive_errors;  /* frames dropped as malformed */
    uint64_t interrupts;
    uint64_t notifications;   /* queue notifications written to the device */
};

unsigned int net_device_count(void);
struct net_device *net_device_get(unsigned int index); /* eth0 = 0, ...; NULL beyond */
const char *net_device_name(const struct net_device *device); /* "eth0" */
/* The MAC address the device's configuration gives (VIRTIO_NET_F_MAC),
 * or one the driver made up (locally administered) if it gives none. */
void net_device_address(const struct net_device *device, struct ethernet_address *address);
bool net_device_link_up(const struct net_device *device);
const struct net_device_statistics *net_device_statistics(const struct net_device *device);

/* Queues a frame: 0, or -EBUSY (no room now: try again after a
 * completion), -EINVAL (empty, longer than ETHERNET_MAX_FRAME_BYTES, or
 * crossing a page), -EIO (the device has failed).  Nothing is queued
 * unless it returns 0. */
int net_device_transmit(struct net_device *device, struct net_transmission *transmission);

/* Calls done(transmission) for each finished one; returns how many. */
unsigned int net_device_complete_transmissions(struct net_device *device,
                                               void (*done)(struct net_transmission *));

/* Hands up to budget received frames to deliver(context, frame, length);
 * returns how many.  Acknowledges the device's interrupt and sends the
 * PIRQ's EOI when it has looked at everything. */
unsigned int net_device_receive(struct net_device *device, unsigned int budget,
                                void (*deliver)(void *context, const uint8_t *frame, uint32_t length),
                                void *context);

/* Whether frames are waiting (net_device_receive would hand one over). */
bool net_device_receive_pending(const struct net_device *device);

/* Event-channel port dom0 receives the device's interrupt on. */
evtchn_port_t net_device_event_port(const struct net_device *device);

/* As block_device_set_wakeup_flag: every network device's interrupt sets
 * *flag too, for a loop that sleeps until it is set.  NULL: none. */
void net_device_set_wakeup_flag(volatile bool *flag);

#endif
