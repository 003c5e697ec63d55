/*
 * Xenstore per-node permissions (docs/misc/xenstore.txt, "Each node has
 * one or multiple permission entries"; Xen 4.17 tools/xenstore/
 * xenstored_core.c perm_for_conn): what one domain may do with one node.
 *
 * A node's list holds 1 to XENSTORE_PERMISSIONS_MAX entries.  The first
 * names the node's owner, who may read, write and change the list; its
 * access is the default for every domain without an entry of its own.
 * Each further entry gives one domain its access (the first entry for
 * that domain counts).  Domain 0 is privileged: it may do everything
 * with every node, whatever the list says.
 *
 * A new node inherits its parent's list; when an unprivileged domain
 * creates it, that domain becomes its owner (Xen: construct_node, "unpriv
 * domains own what they create").
 *
 * On the wire (GET_PERMS, SET_PERMS) an entry is a letter and a decimal
 * domain id, each entry followed by a NUL: "n0", "r5", "w5", "b5" for
 * none, read, write, both (Xen: xs_strings_to_perms, xs_perm_to_string).
 * pvmon is stricter than Xen's strtol: only decimal digits, no sign,
 * space or 0x, and an id above 65535 is EINVAL.
 *
 * The list is bounded for every domain (static memory): Xen's default
 * quota of permissions per node, 5, which Xen applies to unprivileged
 * domains only.  Xen marks an entry naming a domain that does not exist
 * as ignored; pvmon keeps such entries as given, and drops a domain's
 * entries from every list when it ends (xenstore_store_release_domain).
 */
#ifndef PV_KERNEL_XENSTORE_PERMISSIONS_H
#define PV_KERNEL_XENSTORE_PERMISSIONS_H

#include <stdbool.h>
#include <stdint.h>
#include "xenstore_path.h"

/* Access bits, as Xen's XS_PERM_* (tools/include/xenstore_lib.h). */
#define XENSTORE_PERM_NONE 0x0
#define XENSTORE_PERM_READ 0x1
#define XENSTORE_PERM_WRITE 0x2
#define XENSTORE_PERM_BOTH (XENSTORE_PERM_READ | XENSTORE_PERM_WRITE)
/* Not an access one can give: the right to change a node's list (the owner's, and dom0's). */
#define XENSTORE_PERM_OWNER 0x8

/* Xen's default quota_nb_perms_per_node. */
#define XENSTORE_PERMISSIONS_MAX 5

/* One entry: a domain and its access (XENSTORE_PERM_NONE, _READ, _WRITE or _BOTH). */
struct xenstore_permission {
    uint16_t domain;
    uint8_t access;
};

/* A node's list: entries[0] is the owner and the default access. */
struct xenstore_permission_list {
    unsigned int count;
    struct xenstore_permission entries[XENSTORE_PERMISSIONS_MAX];
};

/* Domain 0, the toolstack's domain: every check passes for it. */
bool xenstore_domain_is_privileged(xenstore_domain domain);

/* The list dom0 gives the root when the store starts: owned by 0, no access for others (Xen). */
struct xenstore_permission_list xenstore_permissions_of_root(void);

/*
 * Fills list from count entries: 0, or -XEN_EINVAL for no entries or an
 * access other than the four, -XEN_ENOSPC for more than
 * XENSTORE_PERMISSIONS_MAX.
 */
int xenstore_permissions_make(const struct xenstore_permission *entries, unsigned int count,
                              struct xenstore_permission_list *list);

/* What domain may do with a node that has list: access bits, XENSTORE_PERM_OWNER included. */
unsigned int xenstore_permissions_access(const struct xenstore_permission_list *list, xenstore_domain domain);

/* The list a node created by creator below a node with parent's list gets. */
struct xenstore_permission_list xenstore_permissions_inherit(const struct xenstore_permission_list *parent,
                                                             xenstore_domain creator);

/*
 * Parses length bytes of NUL-terminated entries ("r0\0b5\0"): 0,
 * -XEN_EINVAL for a malformed entry, bytes after the last NUL, or none at
 * all, -XEN_ENOSPC for more than XENSTORE_PERMISSIONS_MAX.
 */
int xenstore_permissions_parse(const char *text, uint32_t length, struct xenstore_permission_list *list);

/* Writes the list in the wire format into buffer (size bytes, enough for the maximum); returns its length. */
uint32_t xenstore_permissions_format(const struct xenstore_permission_list *list, char *buffer, uint32_t size);

/* Room the wire format of any list needs: 5 entries of a letter, 5 digits and a NUL. */
#define XENSTORE_PERMISSIONS_TEXT_SIZE (XENSTORE_PERMISSIONS_MAX * 7)

#endif
