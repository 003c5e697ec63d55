/*
 * The server's side of a xenstore ring page (xen/io/xs_wire.h, struct
 * xenstore_domain_interface): two byte rings of XENSTORE_RING_SIZE, req
 * (the client produces, the server consumes) and rsp (the other way),
 * each with free-running 32-bit indexes used modulo the ring's size.
 * Messages are plain bytes here: framing them is the server's job.
 *
 * The page is shared with the client, which may write anything into it at
 * any time, so:
 *   - each index is read once; a producer more than a ring ahead of the
 *     consumer (prod - cons > XENSTORE_RING_SIZE) is a broken ring and
 *     returns -XEN_EIO, touching nothing;
 *   - bytes are copied between the ring and the server's own memory
 *     before anyone looks at them, and always through the masked index,
 *     so nothing outside the ring is ever read or written;
 *   - barriers as Xen's ring protocol needs them: indexes are read before
 *     the data they cover (a full barrier after the reads), data is
 *     copied out before the consumer index frees it (a full barrier) and
 *     copied in before the producer index publishes it (a release store).
 * Notifying the client afterwards (the event channel) is the caller's.
 */
#ifndef PV_KERNEL_XENSTORE_RING_H
#define PV_KERNEL_XENSTORE_RING_H

#include <stdint.h>
#include <xen/io/xs_wire.h>

/* Consumes up to size bytes of requests into buffer: how many, or -XEN_EIO. */
int xenstore_ring_take_requests(struct xenstore_domain_interface *ring, void *buffer, uint32_t size);

/* Produces up to size bytes of responses from data: how many fitted, or -XEN_EIO. */
int xenstore_ring_put_responses(struct xenstore_domain_interface *ring, const void *data, uint32_t size);

#endif
