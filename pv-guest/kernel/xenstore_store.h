/*
 * The xenstore as its clients see it: the operations of the xenstore
 * protocol (docs/misc/xenstore.txt) done on behalf of a domain, with the
 * paths it gives (relative ones resolved under its home), the
 * confinement rule (xenstore_path.h), the tree (xenstore_tree.h) and the
 * watches (xenstore_watch.h): every change fires the watches it matches,
 * through the event sink given to xenstore_store_init.
 *
 * dom0's toolstack calls these directly as domain 0; the protocol
 * (xenstore_protocol.h) calls them for domUs' requests.  Errors are
 * negative Xen error numbers:
 *   -XEN_EINVAL  a malformed path (or a special "@" path given for a node),
 *                a token too long, removing "/"
 *   -XEN_EACCES  a path outside what the domain may touch, and a domU
 *                removing its own home (its name and id live there)
 *   -XEN_ENOENT  no such node (for remove: not even its parent), no such
 *                watch
 *   -XEN_ENOSPC  a value too long, or no room for the nodes or the value
 *   -XEN_E2BIG   a directory too long for the buffer, too many watches
 *   -XEN_EEXIST  the same watch twice
 */
#ifndef PV_KERNEL_XENSTORE_STORE_H
#define PV_KERNEL_XENSTORE_STORE_H

#include <stdint.h>
#include "xenstore_path.h"
#include "xenstore_watch.h"

/* Empties the store (only "/" left, no watches); fired watches go to sink. */
void xenstore_store_init(xenstore_event_sink sink, void *context);

/* The value points into the store and is valid until the next change. */
int xenstore_store_read(xenstore_domain domain, const char *path, const uint8_t **value, uint32_t *length);
int xenstore_store_write(xenstore_domain domain, const char *path, const void *value, uint32_t length);

/* write with a NUL-terminated value. */
int xenstore_store_write_string(xenstore_domain domain, const char *path, const char *value);

int xenstore_store_mkdir(xenstore_domain domain, const char *path);
int xenstore_store_remove(xenstore_domain domain, const char *path);
int xenstore_store_directory(xenstore_domain domain, const char *path, char *buffer, uint32_t size,
                             uint32_t *length);

/*
 * Sets a watch (a node path the domain may access, or a special path).
 * It does not fire yet: xenstore_store_fire_new_watch does that, once the
 * caller has acknowledged the WATCH request, as Xen's xenstored does.
 */
int xenstore_store_watch(xenstore_domain domain, const char *path, const char *token);

/* A new watch fires once at once, with the path as the domain gave it. */
void xenstore_store_fire_new_watch(xenstore_domain domain, const char *path, const char *token);

int xenstore_store_unwatch(xenstore_domain domain, const char *path, const char *token);

/* Drops every watch of the domain (RESET_WATCHES, or the domain is gone). */
void xenstore_store_forget_watches(xenstore_domain domain);

#endif
