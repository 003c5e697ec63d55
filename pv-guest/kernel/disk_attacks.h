/*
 * Malicious frontends (role=disk-attack attack=NAME), each meant to run
 * as its own domU beside a healthy disk-test domU (tests/system/
 * block.domains).  Whatever one does must cost only its own vbd: dom0,
 * the hypervisor and the other domUs carry on.  Requests are put on the
 * ring raw (blkfront_submit_raw), so that nothing in our own blkfront
 * stops them; each attack prints one line per case,
 * "PASS disk_attack: case" or "FAIL disk_attack: case: why", and a
 * SUMMARY.  A malformed request passes when it is answered with an error
 * status, or when the backend closes the vbd instead; it fails when it is
 * answered OKAY, or left unanswered while the vbd claims to be connected.
 *
 *   producer-beyond-ring  req_prod set RING_SIZE + 1 past what was
 *                         produced: no answer may come (Xen:
 *                         RING_REQUEST_PROD_OVERFLOW halts the ring)
 *   bad-grant-ref         a reference beyond the grant table, one never
 *                         granted, and a read-only grant given to a READ
 *   foreign-grant-ref     a page granted to another domain, and a grant
 *                         of a machine frame this domain does not own
 *   first-after-last      first_sect > last_sect
 *   last-beyond-page      last_sect 8, and first_sect = last_sect = 8
 *   no-segments           READ and WRITE with nr_segments 0
 *   too-many-segments     nr_segments 12 and 255
 *   sector-beyond-disk    the sector after the last, and one whose end
 *                         wraps around 2^64
 *   unknown-operation     the reserved operation 4, DISCARD and INDIRECT,
 *                         which no backend here advertises
 *   revoke-mid-request    fills the ring with reads and revokes all
 *                         their grants at once: each request is still
 *                         answered (OKAY or an error, whichever came
 *                         first), the grants found busy are free after
 *   storm [requests=N] [seconds=S]
 *                         N one-page reads (default 20000) with the ring
 *                         kept full for at most S seconds (default 30),
 *                         then 100000 notifications without requests
 *   crash-mid-request     fills the ring with eleven-segment writes and
 *                         crashes with all of them in flight
 *   silent [seconds=S]    never answers the handshake; after S seconds
 *                         (default 15) the backend must still be in
 *                         InitWait, then it powers off
 *   bad-ring-ref          answers the handshake with a ring reference it
 *                         never granted and an event channel it never
 *                         allocated: the backend must not connect
 */
#ifndef PV_KERNEL_DISK_ATTACKS_H
#define PV_KERNEL_DISK_ATTACKS_H

/* Runs the attack attack= names; 0, or -XEN_EINVAL for an unknown one. */
int run_disk_attack(const char *command_line);

#endif
