/*
 * dom0's check of its first network device against QEMU's user network
 * (test=virtio-net on dom0's command line, tools/run-qemu.sh --net), through
 * net_device.h only, dom0 taking slirp's default guest address
 * VIRTIO_NET_CHECK_ADDRESS (10.0.2.15):
 *
 *   - frames the driver must refuse: empty, longer than
 *     ETHERNET_MAX_FRAME_BYTES, crossing a page (-EINVAL each);
 *   - ARP: a broadcast "who has 10.0.2.2" is sent; slirp's reply (10.0.2.2
 *     is at its MAC, addressed to ours) must come back;
 *   - ICMP: an echo request to 10.0.2.2 (RFC 792) with a numbered payload;
 *     slirp reflects it, and the reply must carry the same identifier,
 *     sequence number and payload, with right IPv4 header and ICMP
 *     checksums (RFC 1071);
 *   - the frames arrived through the device's interrupt (its count rose);
 *   - the device's counters, printed.
 *
 * Meanwhile an ARP request for 10.0.2.15 (slirp asks before it sends to an
 * address it has not learned) is answered.  Waiting is on the device's
 * interrupt (the wake-up flag of net_device.h, with a deadline), never by
 * spinning.  One "PASS virtio-net ..." or "FAIL virtio-net ..." line per
 * case, then "virtio-net check: N passed, N failed".
 */
#ifndef PV_KERNEL_VIRTIO_NET_CHECK_H
#define PV_KERNEL_VIRTIO_NET_CHECK_H

#define VIRTIO_NET_CHECK_ADDRESS { 10, 0, 2, 15 }
#define VIRTIO_NET_CHECK_GATEWAY { 10, 0, 2, 2 }

/* Runs the check on eth0; returns the number of failures (a machine with
 * no network device is one). */
unsigned int virtio_net_check(void);

#endif
