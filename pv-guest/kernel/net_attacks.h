/*
 * Malicious network frontends (role=net-attack attack=NAME ip=A.B.C.D
 * [peer=A.B.C.D]), each meant to run as its own domU beside two healthy
 * net-test domUs (tests/system/network.domains).  Whatever one does must
 * cost only its own vif: dom0, the bridge, the hypervisor and the other
 * domUs carry on.  Requests go on the rings raw (netfront_transmit_raw,
 * netfront_post_raw_rx), so that nothing in our own netfront stops them.
 * Each attack prints one line per case, "PASS net_attack: case" or
 * "FAIL net_attack: case: why", and a SUMMARY.  A malformed packet passes
 * when every slot of it is answered and the answer is not OKAY, or when
 * the backend disables the vif instead (its state Closing or Closed);
 * it fails when it is answered OKAY, or left unanswered while the vif
 * claims to be connected.  After a refused packet a well-formed frame
 * must still be answered OKAY and, with peer=, the peer must still
 * answer ARP.
 *
 *   producer-beyond-ring  the tx request producer set a ring and one
 *                         past what was produced: no answer beyond the
 *                         requests written, the vif disabled (Xen:
 *                         RING_REQUEST_PROD_OVERFLOW)
 *   rx-producer-beyond-ring
 *                         the same on the rx ring
 *   bad-grant             tx slots naming a reference beyond the grant
 *                         table, one never granted and one granted to
 *                         another domain; rx buffers under the same
 *                         references and under a read-only grant: their
 *                         copies fail, the frames are dropped
 *                         (netfront counts them), the vif goes on
 *   more-slots-than-sent  slot sizes not adding up to the first size
 *                         (dropped), then a packet whose last published
 *                         slot says more_data (the vif disabled)
 *   oversized-frame       a 1600-byte frame in one slot and a
 *                         9000-byte one in three: dropped
 *   undersized-frame      frames of 13 and of 0 bytes: dropped
 *   slot-crossing-page    a slot whose offset + size passes its page's
 *                         end: the vif disabled
 *   bad-extra             a GSO extra (none is offered: dropped), then
 *                         an extra of type 0 (the vif disabled)
 *   too-many-slots        a packet of 20 slots (19 follow-on: dropped),
 *                         then one of 22 (the 20th follow-on slot still
 *                         says more_data: the vif disabled); Linux
 *                         netback's xenvif_count_requests
 *   flood [seconds=S]     broadcast frames as fast as the ring takes
 *                         them for S seconds (default 20), then 100000
 *                         notifications without requests: every frame
 *                         answered OKAY
 *   rx-never-refilled [seconds=S]
 *                         posts 8 rx buffers and never takes a packet
 *                         out of them for S seconds (default 20) while
 *                         broadcasting: its tx is still served and the
 *                         vif stays connected; once refilled, it
 *                         receives again
 *   die-mid-transfer      fills the tx ring with slots of a granted page
 *                         and crashes with all of them in flight
 *   bad-ring-ref          answers the handshake with ring references it
 *                         never granted and an event channel it never
 *                         allocated: the backend must not connect, and
 *                         closes the vif
 *   no-rx-copy            answers it with real rings but
 *                         request-rx-copy=0 (rx-flip, which Linux 6.1's
 *                         netback refuses): the same
 */
#ifndef PV_KERNEL_NET_ATTACKS_H
#define PV_KERNEL_NET_ATTACKS_H

/* Runs the attack attack= names; 0, or -XEN_EINVAL for an unknown one. */
int run_net_attack(const char *command_line);

#endif
