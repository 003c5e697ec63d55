/*
 * dom0's xenstore server: one connection per domU over its xenstore ring
 * page (xenstore_ring.h), requests served by the protocol
 * (xenstore_protocol.h) against the one store (xenstore_store.h).  The
 * toolstack maps the page, binds the event channel, and calls
 * xenstore_server_service whenever an event may have arrived; the
 * server calls back to notify a domain, and to say a connection broke.
 *
 * A connection reads a request's bytes into its own buffer as they
 * arrive (a message can be bigger than the ring) and serves it once
 * whole.  Replies and watch events wait in the connection's output queue
 * (XENSTORE_OUTPUT_SIZE bytes) until the response ring has room; a
 * request is only taken while the queue has room for the largest reply
 * and an event behind it, so a client that stops reading stops being
 * served, and a watch event that finds its queue full is dropped
 * (counted, and reported once).  At most XENSTORE_REQUESTS_PER_PASS
 * requests per connection per call, so that one busy domU cannot hold
 * dom0.
 *
 * A connection breaks, for good, when its ring indexes are inconsistent
 * (XENSTORE_ERROR_RINGIDX) or a request's header announces more than
 * XENSTORE_PAYLOAD_MAX bytes (XENSTORE_ERROR_PROTO; xenstore.txt: "its
 * xenstored connection will be immediately killed"): the error goes into
 * the page's error field (the server advertises
 * XENSTORE_SERVER_FEATURE_ERROR), the domain is notified, and nothing of
 * the ring is read again.
 */
#ifndef PV_KERNEL_XENSTORE_SERVER_H
#define PV_KERNEL_XENSTORE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>
#include "xenstore_path.h"

/* pvmon runs at most 8 domains at once (the hypervisor's DOMAIN_LIMIT), dom0 among them. */
#define XENSTORE_MAX_CONNECTIONS 8
#define XENSTORE_OUTPUT_SIZE 8192
#define XENSTORE_REQUESTS_PER_PASS 16

/* What the server needs from the toolstack for one domU. */
struct xenstore_client {
    void (*notify)(void *context);                   /* send the domain an event */
    void (*report)(void *context, const char *what); /* something went wrong with it */
    void *context;
};

/* Empties the store and forgets every connection. */
void xenstore_server_init(void);

/*
 * Starts serving domain over ring (mapped by the caller, and zeroed by
 * the domain builder): -XEN_EEXIST if it is connected already,
 * -XEN_ENOSPC with XENSTORE_MAX_CONNECTIONS connections.
 */
int xenstore_server_connect(xenstore_domain domain, struct xenstore_domain_interface *ring,
                            const struct xenstore_client *client);

/* Stops serving the domain and drops its watches; the ring is not touched again. */
void xenstore_server_disconnect(xenstore_domain domain);

/* Serves every connection once; true if requests were left for another call. */
bool xenstore_server_service(void);

#endif
