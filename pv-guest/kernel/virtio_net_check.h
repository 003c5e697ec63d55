/*
 * dom0's exchanges with QEMU's user network through its first network
 * device (tools/run-qemu.sh --net), through net_device.h only, dom0 taking
 * slirp's default guest address VIRTIO_NET_CHECK_ADDRESS (10.0.2.15) and
 * slirp's 10.0.2.2 answering ARP and reflecting ICMP echo requests:
 *
 * test=virtio-net, the check:
 *   - frames the driver must refuse: empty, longer than
 *     ETHERNET_MAX_FRAME_BYTES, crossing a page (-EINVAL each);
 *   - ARP: a broadcast "who has 10.0.2.2" is sent; slirp's reply (10.0.2.2
 *     is at its MAC, addressed to ours) must come back;
 *   - ICMP: an echo request to 10.0.2.2 (net_frames.h) with a numbered
 *     payload; the reply must carry the same identifier, sequence number
 *     and payload, with right IPv4 header and ICMP checksums;
 *   - a burst: VIRTIO_NET_BURST_ECHOES echo requests, up to
 *     VIRTIO_NET_BURST_WINDOW in flight at once, every one answered intact
 *     exactly once; no receive pass hands over more than its budget
 *     (VIRTIO_NET_CHECK_BUDGET), and some passes stop at it with frames
 *     still pending (the budget was exercised); no receive error;
 *   - the frames arrived through the device's interrupt (its count rose);
 *   - the device's counters, printed.
 *   One "PASS virtio-net ..." or "FAIL virtio-net ..." line per case, then
 *   "virtio-net check: N passed, N failed".
 *
 * bench=virtio-net, the figures (the format of tools/bench/run-bench.sh,
 * "bench <name> <operations> <elapsed_ns>", PV system time), after the ARP
 * exchange:
 *   virtio-net-echo-rtt    VIRTIO_NET_BENCH_RTT_ECHOES echoes one at a
 *                          time: the round trip to slirp
 *   virtio-net-echo-burst  VIRTIO_NET_BENCH_BURST_ECHOES echoes, the burst's
 *                          window in flight: two frames per operation
 *   then the counters, so that interrupts and notifications per frame can
 *   be read off.
 *
 * Meanwhile an ARP request for 10.0.2.15 (slirp asks before it sends to an
 * address it has not learned) is answered.  Waiting is on the device's
 * interrupt (the wake-up flag of net_device.h, with a deadline), never by
 * spinning.
 */
#ifndef PV_KERNEL_VIRTIO_NET_CHECK_H
#define PV_KERNEL_VIRTIO_NET_CHECK_H

#define VIRTIO_NET_CHECK_ADDRESS 0x0a00020fu /* 10.0.2.15, host byte order (net_frames.h) */
#define VIRTIO_NET_CHECK_GATEWAY 0x0a000202u /* 10.0.2.2 */
#define VIRTIO_NET_CHECK_BUDGET 8
#define VIRTIO_NET_BURST_ECHOES 256
#define VIRTIO_NET_BURST_WINDOW 32
#define VIRTIO_NET_BENCH_RTT_ECHOES 256
#define VIRTIO_NET_BENCH_BURST_ECHOES 4096

/* Runs the check on eth0; returns the number of failures (a machine with
 * no network device is one). */
unsigned int virtio_net_check(void);

/* Runs the bench on eth0; 0, or the first error (reported on the console). */
int virtio_net_bench(void);

#endif
