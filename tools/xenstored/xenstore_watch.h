/*
 * Xenstore watches (docs/misc/xenstore.txt, WATCH and WATCH_EVENT): a
 * domain asks to hear about changes at or below a path, under a token of
 * its choosing; each change that matches sends it the changed path and the
 * token.
 *
 * Matching, for a change at path P:
 *   - a watch on W fires when P is W or below W, reporting P;
 *   - when P was removed with everything below it, a watch on W below P
 *     fires too, reporting W (the watched node went with its ancestor).
 * A watch set with a relative path reports relative paths (its home's
 * prefix taken off); one set with an absolute path reports absolute ones.
 * Who hears what is the caller's filter (the store's: Xen's read
 * permission, xenstore_store.h); a special path ("@...") never matches a
 * change.
 *
 * Limits: XENSTORE_MAX_WATCHES watches in all (then -XEN_ENOSPC), at most
 * XENSTORE_WATCHES_PER_DOMAIN per domain (then -XEN_E2BIG, Xen's answer
 * for its watch quota); a token is at most XENSTORE_TOKEN_SIZE - 1
 * characters (then -XEN_EINVAL).  The same path and token twice is
 * -XEN_EEXIST.
 */
#ifndef PV_KERNEL_XENSTORE_WATCH_H
#define PV_KERNEL_XENSTORE_WATCH_H

#include <stdbool.h>
#include "xenstore_path.h"

#define XENSTORE_MAX_WATCHES 64
#define XENSTORE_WATCHES_PER_DOMAIN 16
#define XENSTORE_TOKEN_SIZE 64

/* Where a fired watch goes: the watching domain, the path to report, its token. */
typedef void (*xenstore_event_sink)(xenstore_domain watcher, const char *path, const char *token, void *context);

enum xenstore_change {
    XENSTORE_NODE_CHANGED, /* written, created */
    XENSTORE_NODE_REMOVED, /* removed with everything below it */
};

/* Forgets every watch. */
void xenstore_watch_init(void);

/*
 * Adds a watch for owner.  path is absolute (resolved) or special;
 * relative says whether the domain gave it as a relative path.
 */
int xenstore_watch_add(xenstore_domain owner, const char *path, const char *token, bool relative);

/* Removes owner's watch on path with token; -XEN_ENOENT if there is none. */
int xenstore_watch_remove(xenstore_domain owner, const char *path, const char *token);

/* Removes every watch of owner. */
void xenstore_watch_remove_all(xenstore_domain owner);

/* Whether the watcher may hear of a change reported at path (absolute); context is the delivery's. */
typedef bool (*xenstore_watch_filter)(xenstore_domain watcher, const char *path, const void *context);

/* Where fired watches go: those the filter lets through, to the sink. */
struct xenstore_watch_delivery {
    xenstore_watch_filter may_hear;
    const void *filter_context;
    xenstore_event_sink sink;
    void *sink_context;
};

/* Sends every watch that the change at path matches, and that the filter lets through, to the sink. */
void xenstore_watch_fire(const char *path, enum xenstore_change change, const struct xenstore_watch_delivery *delivery);

#endif
