/*
 * Xenstore paths (docs/misc/xenstore.txt): their syntax and how a
 * relative path is resolved.
 *
 * Syntax.  A path is '/'-separated like a Unix file name and made of
 * ASCII letters, digits and "-/_@".  An absolute path starts with '/';
 * "//", a trailing '/' (except the root "/") and the empty path are
 * refused.  A path that does not start with '/' is relative: a domain's
 * "x/y" means "/local/domain/<domain>/x/y", its home.  A watch may also
 * name a special path, '@' followed by letters, digits, '-' or '_'
 * (Xen's "@releaseDomain"); this store never raises special events, so
 * such a watch fires only once, when it is set.  A path starting with '@'
 * never names a node.
 *
 * pvmon's limits, smaller than Xen's (3072 bytes for a path) because the
 * store is static memory: a resolved path is at most
 * XENSTORE_PATH_SIZE - 1 characters, and each of its components at most
 * XENSTORE_NAME_SIZE - 1.  A longer path is invalid (EINVAL), as one
 * beyond Xen's limit is there.
 *
 * Who may touch what is no business of the path: each node's permissions
 * decide (xenstore_permissions.h, xenstore_store.h).
 */
#ifndef PV_KERNEL_XENSTORE_PATH_H
#define PV_KERNEL_XENSTORE_PATH_H

#include <stdbool.h>
#include <stdint.h>

#define XENSTORE_PATH_SIZE 256
#define XENSTORE_NAME_SIZE 64

typedef uint16_t xenstore_domain;

/* Writes "/local/domain/<domain>" into home. */
void xenstore_path_home(xenstore_domain domain, char home[XENSTORE_PATH_SIZE]);

/* True for a special watch path ("@" and a name). */
bool xenstore_path_is_special(const char *path);

/*
 * Resolves a node path as the domain gave it (relative or absolute) into
 * an absolute one.  Returns 0, or -XEN_EINVAL for a path that breaks the
 * syntax or the limits above, or starts with '@'.
 */
int xenstore_path_resolve(xenstore_domain domain, const char *given, char resolved[XENSTORE_PATH_SIZE]);

/* xenstore.txt's "child": path is ancestor itself, or below it ("/" is above every path). */
bool xenstore_path_is_within(const char *path, const char *ancestor);

/*
 * For a path within the domain's home and not the home itself: the part
 * after "<home>/" (how an event path is reported to a watch that was set
 * with a relative path).  Otherwise NULL.
 */
const char *xenstore_path_below_home(xenstore_domain domain, const char *path);

#endif
