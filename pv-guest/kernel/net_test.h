/*
 * The network test of our PV kernel as a domU (role=net-test), through
 * frontend/netfront.c on the domain's first vif:
 *   role=net-test ip=A.B.C.D [peer=A.B.C.D] [count=N] [ping-seconds=P]
 *                 [seconds=S]
 *       answers ARP requests for ip= and ICMP echo requests to it (the
 *       data echoed, the checksums computed afresh) for S seconds
 *       (default 60) from the start; with peer=, meanwhile resolves the
 *       peer's address by ARP and sends it numbered echo requests, at
 *       least N (default 200) and until P seconds (default 0) from the
 *       start have passed (the sequence wraps at 65536), one at a time, each with data of its own (56 to
 *       1472 bytes, net_frame_fill_data) laid out in one slot, across a
 *       page boundary (two slots) or as header and data fragments (two
 *       slots), sent again up to four times if no reply comes within a
 *       second; every reply must carry valid IPv4 and ICMP checksums and
 *       exactly the data sent.
 * One line per case, "PASS net_test: case" or "FAIL net_test: case: why",
 * a line of counts, then "SUMMARY net_test: N passed, N failed"; the vif
 * is closed at the end.
 */
#ifndef PV_KERNEL_NET_TEST_H
#define PV_KERNEL_NET_TEST_H

/* Runs the test; returns 0 when every case passed, -XEN_EIO otherwise. */
int run_net_test(const char *command_line);

#endif
