/*
 * The xenstore wire protocol (xen/io/xs_wire.h, docs/misc/xenstore.txt):
 * one request message, a struct xsd_sockmsg header and at most
 * XENSTORE_PAYLOAD_MAX bytes of payload, in; its reply out, with the
 * request's type, req_id and tx_id, or XS_ERROR with the name of the
 * error ("ENOENT", ...) and the same ids.
 *
 * Requests served (payloads in xenstore.txt's notation; "|" is a NUL):
 *   READ <path>|                  -> <value>
 *   WRITE <path>|<value>          -> OK|   (creates missing parents)
 *   MKDIR <path>|                 -> OK|
 *   RM <path>|                    -> OK|
 *   DIRECTORY <path>|             -> <child>|*   (E2BIG if too long)
 *   GET_PERMS <path>|             -> <perm>|+    ("n0|r5|", xenstore_permissions.h)
 *   SET_PERMS <path>|<perm>|+     -> OK|
 *   WATCH <path>|<token>|         -> OK|, then the first WATCH_EVENT
 *   UNWATCH <path>|<token>|       -> OK|
 *   RESET_WATCHES                 -> OK|
 *   TRANSACTION_START |           -> <id>|
 *   TRANSACTION_END T| or F|      -> OK|
 *   GET_DOMAIN_PATH <domid>|      -> /local/domain/<domid>|
 * Transactions are documented no-ops: START hands out a fresh non-zero
 * id, requests carrying one act at once on the tree, END (either way)
 * answers OK; there is no isolation and never EAGAIN.  A START whose own
 * tx_id is not 0 is EINVAL, as in Xen.
 *
 * Every other request type Xen defines (INTRODUCE and the other
 * domain-management requests, DIRECTORY_PART, CONTROL) is ENOSYS;
 * a type Xen does not define, or a reply type sent as a request
 * (WATCH_EVENT, ERROR), is EINVAL, and so is a payload without the NUL
 * its strings need.  A payload longer than XENSTORE_PAYLOAD_MAX never
 * reaches this file: the server drops such a connection.
 */
#ifndef PV_KERNEL_XENSTORE_PROTOCOL_H
#define PV_KERNEL_XENSTORE_PROTOCOL_H

#include <stdint.h>
#include <xen/io/xs_wire.h>
#include "xenstore_path.h"

#define XENSTORE_HEADER_SIZE ((uint32_t)sizeof(struct xsd_sockmsg))
#define XENSTORE_MESSAGE_MAX (XENSTORE_HEADER_SIZE + XENSTORE_PAYLOAD_MAX)

/* Where a reply goes: a header and header->len bytes of payload. */
typedef void (*xenstore_reply_sink)(const struct xsd_sockmsg *header, const char *payload, void *context);

/*
 * Serves one request of domain (request->len bytes of payload, at most
 * XENSTORE_PAYLOAD_MAX): sends exactly one reply to sink.  Watch events
 * the request causes go to the store's event sink; a WATCH's first event
 * goes there after its reply.
 */
void xenstore_protocol_handle(xenstore_domain domain, const struct xsd_sockmsg *request, const char *payload,
                              xenstore_reply_sink sink, void *context);

/* The Xen name of a negative Xen error number ("EINVAL" for one it does not list). */
const char *xenstore_protocol_error_name(int error);

#endif
