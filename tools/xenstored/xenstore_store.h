/*
 * The xenstore as its clients see it: the operations of the xenstore
 * protocol (docs/misc/xenstore.txt) done on behalf of a domain, with the
 * paths it gives (relative ones resolved under its home), each node's
 * permissions (xenstore_permissions.h, which defines struct
 * xenstore_permission and XENSTORE_PERM_*), the tree (xenstore_tree.h)
 * and the watches (xenstore_watch.h): every change fires the watches it
 * matches, through the event sink given to xenstore_store_init.
 *
 * dom0's toolstack and backends call these directly as domain 0; the
 * protocol (xenstore_protocol.h) calls them for domUs' requests.
 *
 * The permission rules, Xen 4.17's (tools/xenstore/xenstored_core.c):
 *   - read, directory and get-permissions need read access to the node;
 *     write, mkdir and remove need write access to it;
 *     set-permissions needs to own it (dom0 may always);
 *   - a node that does not exist is ENOENT only if its nearest existing
 *     ancestor gives the domain some of the access asked for, and EACCES
 *     otherwise (Xen: get_node, errno_from_parents), so that a domain
 *     learns nothing about nodes it may not see; write and mkdir create
 *     the node when its nearest existing ancestor lets the domain write;
 *   - an unprivileged domain may not change a node's owner (EPERM);
 *   - a change fires a watch only for a watcher that may read the node,
 *     or its parent (for a new list: or may read under the old one; Xen:
 *     watch_permitted); a removal fires watches on the removed node and on
 *     the nodes below it that existed.  A new watch's first event, and
 *     setting a watch at all, need no access (Xen: do_watch).
 * Nothing else confines a domU: its home is its own because of the lists
 * the toolstack gives it (as libxl does: /local/domain/<id> owned by dom0
 * and readable by the domain, data/, control/shutdown and a few others
 * owned by the domain), so it may not remove its home either.
 *
 * Errors are negative Xen error numbers:
 *   -XEN_EINVAL  a malformed path (or a special "@" path given for a node),
 *                a token too long, removing "/", a malformed or empty
 *                permission list
 *   -XEN_EACCES  no permission, as above
 *   -XEN_EPERM   an unprivileged domain changing a node's owner
 *   -XEN_ENOENT  no such node (for remove: not even its parent), no such
 *                watch
 *   -XEN_ENOSPC  a value too long, no room for the nodes or the value,
 *                a permission list longer than XENSTORE_PERMISSIONS_MAX
 *   -XEN_E2BIG   a directory too long for the buffer, too many watches
 *   -XEN_EEXIST  the same watch twice
 *   -XEN_ENOSYS  dom0 setting the permissions of a special path (pvmon
 *                raises no special events, so they have none)
 */
#ifndef PV_KERNEL_XENSTORE_STORE_H
#define PV_KERNEL_XENSTORE_STORE_H

#include <stdint.h>
#include "xenstore_path.h"
#include "xenstore_permissions.h"
#include "xenstore_watch.h"

/* Empties the store (only "/", owned by dom0 with no access for others; no watches); events go to sink. */
void xenstore_store_init(xenstore_event_sink sink, void *context);

/*
 * A number that changes whenever the store may have changed: every write,
 * mkdir, remove, set_permissions, domain release and init moves it on,
 * whether it succeeded or not.  A caller that read a node at one
 * generation need not read it again while the number stays the same
 * (blkback follows its frontend's state this way, on every pass).
 */
uint64_t xenstore_store_generation(void);

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
 * Replaces the node's permission list with count entries (SET_PERMS):
 * perms[0] is the owner and the default access.  The toolstack calls it
 * as domain 0 after creating a node, e.g. libxl's frontend directory
 *     { { D, XENSTORE_PERM_NONE }, { backend, XENSTORE_PERM_READ } }.
 * Fires the node's watches.
 */
int xenstore_store_set_permissions(xenstore_domain domain, const char *path,
                                   const struct xenstore_permission *perms, unsigned int count);

/* The node's list (GET_PERMS) into perms (capacity entries; XENSTORE_PERMISSIONS_MAX always fit). */
int xenstore_store_get_permissions(xenstore_domain domain, const char *path, struct xenstore_permission *perms,
                                   unsigned int capacity, unsigned int *count);

/*
 * Sets a watch (a valid node path, or a special path).  It does not fire
 * yet: xenstore_store_fire_new_watch does that, once the caller has
 * acknowledged the WATCH request, as Xen's xenstored does.
 */
int xenstore_store_watch(xenstore_domain domain, const char *path, const char *token);

/* A new watch fires once at once, with the path as the domain gave it. */
void xenstore_store_fire_new_watch(xenstore_domain domain, const char *path, const char *token);

int xenstore_store_unwatch(xenstore_domain domain, const char *path, const char *token);

/* Drops every watch of the domain (RESET_WATCHES, or the domain is gone). */
void xenstore_store_forget_watches(xenstore_domain domain);

/*
 * The domain is gone (the toolstack calls this when it ends): the nodes
 * it owns are removed with everything below them (Xen 4.17 does so
 * unless told to keep orphans), its entries leave every other node's
 * list, and its watches go.  Nothing for dom0.
 */
void xenstore_store_release_domain(xenstore_domain domain);

#endif
