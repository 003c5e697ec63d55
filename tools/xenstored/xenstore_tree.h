/*
 * The xenstore tree: nodes named by absolute paths (already resolved and
 * checked, xenstore_path.h), each with a value (bytes, possibly empty)
 * and children.  If a node exists, so do all its parents; the root "/"
 * always exists.  This file knows nothing of who asks or of watches
 * (xenstore_store.h adds both); it keeps the memory limits.
 *
 * Each node has its permission list (xenstore_permissions.h); a new node
 * inherits its parent's, owned by its creator when that is unprivileged.
 * The tree keeps the lists but checks nothing with them: the store does.
 *
 * Static memory, sized for a handful of domUs:
 *   - XENSTORE_MAX_NODES nodes in all, the root included;
 *   - values share XENSTORE_VALUE_SPACE bytes, each at most
 *     XENSTORE_VALUE_MAX (Xen's default entry quota);
 *   - a node is owned by the first domain of its list, and an
 *     unprivileged domain may create nodes only while it owns fewer than
 *     XENSTORE_NODES_PER_DOMAIN (Xen's per-domain node quota, smaller);
 *     nodes dom0 gives it with a new list count too, without a check.
 * Breaking any of these is -XEN_ENOSPC, Xen's answer for a quota, and
 * leaves the tree unchanged: an operation either happens whole or not.
 */
#ifndef PV_KERNEL_XENSTORE_TREE_H
#define PV_KERNEL_XENSTORE_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include "xenstore_path.h"
#include "xenstore_permissions.h"

#define XENSTORE_MAX_NODES 768
#define XENSTORE_VALUE_SPACE 32768
#define XENSTORE_VALUE_MAX 2048
#define XENSTORE_NODES_PER_DOMAIN 128

/* Empties the tree: only the root is left, with an empty value. */
void xenstore_tree_init(void);

bool xenstore_tree_exists(const char *path);

/*
 * The node's value: *value points into the tree's memory and stays
 * valid until the next change to the tree.  -XEN_ENOENT if there is no
 * such node.
 */
int xenstore_tree_read(const char *path, const uint8_t **value, uint32_t *length);

/* Sets the value, creating the node and its missing parents (empty) on behalf of creator. */
int xenstore_tree_write(const char *path, const void *value, uint32_t length, xenstore_domain creator);

/*
 * Creates the node and its missing parents, empty, on behalf of creator;
 * a node that exists is left as it is.  *created says whether the node
 * was new.
 */
int xenstore_tree_mkdir(const char *path, xenstore_domain creator, bool *created);

/*
 * Removes the node and everything below it.  A missing node is no error
 * (*removed is false) unless its parent is missing too (-XEN_ENOENT);
 * the root cannot be removed (-XEN_EINVAL).
 */
int xenstore_tree_remove(const char *path, bool *removed);

/*
 * The names of the node's children, in the order they were created, each
 * followed by a NUL, into buffer (size bytes): *length is what was
 * written.  -XEN_ENOENT for no such node, -XEN_E2BIG if they do not fit.
 */
int xenstore_tree_directory(const char *path, char *buffer, uint32_t size, uint32_t *length);

/* How many nodes the domain owns. */
unsigned int xenstore_tree_nodes_owned(xenstore_domain owner);

/* The node's permission list; -XEN_ENOENT if there is no such node. */
int xenstore_tree_permissions(const char *path, struct xenstore_permission_list *permissions);

/* Replaces the node's permission list (already checked); -XEN_ENOENT if there is no such node. */
int xenstore_tree_set_permissions(const char *path, const struct xenstore_permission_list *permissions);

/* The list of the node, or of its nearest ancestor that exists (the root at worst). */
struct xenstore_permission_list xenstore_tree_nearest_permissions(const char *path);

/* The path of some node other than the root the domain owns into path; false if it owns none. */
bool xenstore_tree_find_owned(xenstore_domain owner, char path[XENSTORE_PATH_SIZE]);

/* Removes the domain's entries (after the first) from every node's list. */
void xenstore_tree_forget_entries_of(xenstore_domain domain);

#endif
