/*
 * dom0's virtio-net driver: every virtio-net device (device ID 1) dom0's
 * command line names (virtio_mmio_command_line.h), up to
 * VIRTIO_NET_MAX_DEVICES, becomes a network device of net_device.h, named
 * eth0, eth1, ... in command-line order; the
 * transports of other devices (virtio-blk's, ID 2, taken by virtio_blk.c)
 * and empty ones are left alone.
 *
 * Per device: its registers mapped uncached over a window page
 * (io_memory.h), the transport's handshake (virtio_mmio.h) with the
 * features of virtio_net_protocol.h, a receive queue and a transmit queue
 * of up to VIRTIO_NET_QUEUE_SIZE entries each, in one page of dom0's each
 * (given to the device by machine address); VIRTIO_NET_RECEIVE_BUFFERS
 * receive buffers of the driver's, kept posted (virtio_net_receiver.h);
 * up to VIRTIO_NET_QUEUE_SIZE / 2 frames in flight on transmission, each a
 * chain of two descriptors: a shared all-zero header, then the caller's
 * frame; and its interrupt line as a PIRQ event channel
 * (physical_interrupt.h).
 *
 * Interrupts: the port's handler (in the upcall) only records the
 * interrupt and sets the wake-up flag.  net_device_receive acknowledges
 * the device's interrupt status, takes up to its budget of filled
 * buffers, and sends the PIRQ's EOI once the receive queue holds nothing
 * more, so that a level-triggered line asserted again meanwhile fires
 * again (until then the PIRQ stays masked and net_device_receive_pending
 * tells the loop to come back).  Transmissions are taken back by
 * net_device_complete_transmissions from the used ring, interrupt or not.
 *
 * A device that breaks either queue's protocol, asks to be reset
 * (DEVICE_NEEDS_RESET, with a configuration-change interrupt), or
 * interrupts VIRTIO_NET_SPURIOUS_LIMIT times in a row with nothing to
 * report (as virtio_blk.h explains) is reset and given up: the frames in
 * flight complete with -EIO, later transmissions fail with -EIO, nothing
 * is received any more.
 */
#ifndef PV_KERNEL_VIRTIO_NET_H
#define PV_KERNEL_VIRTIO_NET_H

#define VIRTIO_NET_MAX_DEVICES 2 /* its buffers are in every image of the kernel: domUs too */
#define VIRTIO_NET_QUEUE_SIZE 128
#define VIRTIO_NET_RECEIVE_BUFFERS 64
#define VIRTIO_NET_SPURIOUS_LIMIT 1000

/* Sets up every virtio-net device of the command line, reporting each on
 * the console; returns how many are ready. */
unsigned int virtio_net_probe(const char *command_line);

#endif
