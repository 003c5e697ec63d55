/*
 * The xenstore's operations on behalf of a domain (see xenstore_store.h):
 * each resolves the path it is given, checks the node's permissions as
 * Xen's xenstored does, does the work in the tree and fires the watches
 * the change matches, for the watchers that may read it.  Pure: compiled
 * into dom0's kernel and the host unit tests.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "xenstore_store.h"
#include "xenstore_tree.h"

static xenstore_event_sink event_sink;
static void *event_context;
static uint64_t generation;

/* Called on entry to every operation that may change the tree, whatever it then does. */
static void note_possible_change(void)
{
    generation++;
}

uint64_t xenstore_store_generation(void)
{
    return generation;
}

void xenstore_store_init(xenstore_event_sink sink, void *context)
{
    note_possible_change();
    event_sink = sink;
    event_context = context;
    xenstore_tree_init();
    xenstore_watch_init();
}

/* --- permissions ------------------------------------------------------------ */

static bool allows(const struct xenstore_permission_list *list, xenstore_domain domain, unsigned int wanted)
{
    return (xenstore_permissions_access(list, domain) & wanted) == wanted;
}

/*
 * Xen: get_node.  0 if the node exists and the domain has all of wanted
 * on it; -XEN_EACCES if it exists without; for a missing node
 * -XEN_ENOENT if its nearest existing ancestor gives the domain any of
 * wanted, else -XEN_EACCES (errno_from_parents: "we don't want the errno
 * to indicate any information about the node").
 */
static int check_access(xenstore_domain domain, const char *path, unsigned int wanted)
{
    struct xenstore_permission_list list;

    if (xenstore_tree_permissions(path, &list) == 0)
        return allows(&list, domain, wanted) ? 0 : -XEN_EACCES;
    list = xenstore_tree_nearest_permissions(path);
    return (xenstore_permissions_access(&list, domain) & wanted) != 0 ? -XEN_ENOENT : -XEN_EACCES;
}

/* Resolves a node path and checks access: check_access's answers, or -XEN_EINVAL. */
static int resolve_and_check(xenstore_domain domain, const char *given, unsigned int wanted,
                             char path[XENSTORE_PATH_SIZE])
{
    int result = xenstore_path_resolve(domain, given, path);

    return result != 0 ? result : check_access(domain, path, wanted);
}

/* The parent of an absolute path other than "/". */
static void parent_of(const char *path, char parent[XENSTORE_PATH_SIZE])
{
    size_t length = strlen(path);

    while (length > 0 && path[length - 1] != '/')
        length--;
    if (length > 1)
        length--;
    memcpy(parent, path, length);
    parent[length] = '\0';
}

static bool node_readable(const char *path, xenstore_domain watcher)
{
    struct xenstore_permission_list list;

    return xenstore_tree_permissions(path, &list) == 0 && allows(&list, watcher, XENSTORE_PERM_READ);
}

/*
 * Xen: watch_permitted.  The watcher hears of a change at path if it may
 * read the node (which must exist) or its parent, or, when the change
 * replaced the node's list, could read it under the old one (context).
 */
static bool may_hear(xenstore_domain watcher, const char *path, const void *context)
{
    const struct xenstore_permission_list *old_list = context;
    char parent[XENSTORE_PATH_SIZE];

    if (old_list != NULL && allows(old_list, watcher, XENSTORE_PERM_READ))
        return true;
    if (!xenstore_tree_exists(path))
        return false;
    if (node_readable(path, watcher))
        return true;
    parent_of(path, parent);
    return strcmp(parent, path) != 0 && node_readable(parent, watcher);
}

/* Fires the watches a change at path matches; the tree must still hold the nodes it reports. */
static void fire(const char *path, enum xenstore_change change, const struct xenstore_permission_list *old_list)
{
    struct xenstore_watch_delivery delivery = {
        .may_hear = may_hear,
        .filter_context = old_list,
        .sink = event_sink,
        .sink_context = event_context,
    };

    xenstore_watch_fire(path, change, &delivery);
}

/* --- the operations ----------------------------------------------------------- */

int xenstore_store_read(xenstore_domain domain, const char *given, const uint8_t **value, uint32_t *length)
{
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_and_check(domain, given, XENSTORE_PERM_READ, path);

    return result != 0 ? result : xenstore_tree_read(path, value, length);
}

/* Xen: do_write.  A missing node the domain may create is created. */
int xenstore_store_write(xenstore_domain domain, const char *given, const void *value, uint32_t length)
{
    note_possible_change();
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_and_check(domain, given, XENSTORE_PERM_WRITE, path);

    if (result != 0 && result != -XEN_ENOENT)
        return result;
    result = xenstore_tree_write(path, value, length, domain);
    if (result == 0)
        fire(path, XENSTORE_NODE_CHANGED, NULL);
    return result;
}

int xenstore_store_write_string(xenstore_domain domain, const char *path, const char *value)
{
    return xenstore_store_write(domain, path, value, (uint32_t)strlen(value));
}

/* Xen: do_mkdir.  An existing node the domain may write is left as it is. */
int xenstore_store_mkdir(xenstore_domain domain, const char *given)
{
    note_possible_change();
    char path[XENSTORE_PATH_SIZE];
    bool created;
    int result = resolve_and_check(domain, given, XENSTORE_PERM_WRITE, path);

    if (result != -XEN_ENOENT)
        return result;
    result = xenstore_tree_mkdir(path, domain, &created);
    if (result == 0 && created)
        fire(path, XENSTORE_NODE_CHANGED, NULL);
    return result;
}

/*
 * Xen: do_rm.  A missing node is no error if its parent exists; the
 * watches fire while the nodes still exist, so that their permissions
 * can be read.
 */
int xenstore_store_remove(xenstore_domain domain, const char *given)
{
    note_possible_change();
    char path[XENSTORE_PATH_SIZE];
    bool removed;
    int result = resolve_and_check(domain, given, XENSTORE_PERM_WRITE, path);

    if (result == -XEN_ENOENT)
        return xenstore_tree_remove(path, &removed);
    if (result != 0)
        return result;
    if (strcmp(path, "/") == 0)
        return -XEN_EINVAL;
    fire(path, XENSTORE_NODE_REMOVED, NULL);
    return xenstore_tree_remove(path, &removed);
}

int xenstore_store_directory(xenstore_domain domain, const char *given, char *buffer, uint32_t size,
                             uint32_t *length)
{
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_and_check(domain, given, XENSTORE_PERM_READ, path);

    return result != 0 ? result : xenstore_tree_directory(path, buffer, size, length);
}

/*
 * Xen: set_perms_special.  @releaseDomain and @introduceDomain have lists
 * of their own in Xen, owned by dom0; pvmon raises no special events, so
 * it keeps none.
 */
static int set_special_permissions(xenstore_domain domain, const char *path)
{
    if (strcmp(path, "@releaseDomain") != 0 && strcmp(path, "@introduceDomain") != 0)
        return -XEN_EINVAL;
    return xenstore_domain_is_privileged(domain) ? -XEN_ENOSYS : -XEN_EACCES;
}

/* Xen: do_set_perms.  Only the owner (or dom0) may, and only dom0 may give the node away. */
int xenstore_store_set_permissions(xenstore_domain domain, const char *given,
                                   const struct xenstore_permission *perms, unsigned int count)
{
    note_possible_change();
    struct xenstore_permission_list new_list, old_list;
    char path[XENSTORE_PATH_SIZE];
    int result = xenstore_permissions_make(perms, count, &new_list);

    if (result != 0)
        return result;
    if (xenstore_path_is_special(given))
        return set_special_permissions(domain, given);
    result = resolve_and_check(domain, given, XENSTORE_PERM_WRITE | XENSTORE_PERM_OWNER, path);
    if (result != 0)
        return result;
    xenstore_tree_permissions(path, &old_list);
    if (!xenstore_domain_is_privileged(domain) && new_list.entries[0].domain != old_list.entries[0].domain)
        return -XEN_EPERM;
    xenstore_tree_set_permissions(path, &new_list);
    fire(path, XENSTORE_NODE_CHANGED, &old_list);
    return 0;
}

int xenstore_store_get_permissions(xenstore_domain domain, const char *given, struct xenstore_permission *perms,
                                   unsigned int capacity, unsigned int *count)
{
    struct xenstore_permission_list list;
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_and_check(domain, given, XENSTORE_PERM_READ, path);

    if (result != 0)
        return result;
    xenstore_tree_permissions(path, &list);
    if (list.count > capacity)
        return -XEN_E2BIG;
    memcpy(perms, list.entries, list.count * sizeof(list.entries[0]));
    *count = list.count;
    return 0;
}

/* --- watches ------------------------------------------------------------------- */

/* A watch's path: special as it is, or a node path resolved (Xen: check_watch_path checks no access). */
static int watch_path(xenstore_domain domain, const char *given, char path[XENSTORE_PATH_SIZE])
{
    if (xenstore_path_is_special(given)) {
        memcpy(path, given, strlen(given) + 1);
        return 0;
    }
    return xenstore_path_resolve(domain, given, path);
}

int xenstore_store_watch(xenstore_domain domain, const char *given, const char *token)
{
    char path[XENSTORE_PATH_SIZE];
    int result = watch_path(domain, given, path);

    if (result != 0)
        return result;
    return xenstore_watch_add(domain, path, token, given[0] != '/' && given[0] != '@');
}

void xenstore_store_fire_new_watch(xenstore_domain domain, const char *given, const char *token)
{
    event_sink(domain, given, token, event_context);
}

int xenstore_store_unwatch(xenstore_domain domain, const char *given, const char *token)
{
    char path[XENSTORE_PATH_SIZE];
    int result = watch_path(domain, given, path);

    if (result != 0)
        return result;
    return xenstore_watch_remove(domain, path, token);
}

void xenstore_store_forget_watches(xenstore_domain domain)
{
    xenstore_watch_remove_all(domain);
}

/*
 * Xen: domain_tree_remove (when a domain is destroyed, the nodes it owns
 * are removed, with their watches fired) and the generation check that
 * makes its entries in other lists count no more, so that a later domain
 * with the same id inherits nothing.  Each removal takes at least one
 * node, so there are at most XENSTORE_MAX_NODES of them.
 */
void xenstore_store_release_domain(xenstore_domain domain)
{
    note_possible_change();
    char path[XENSTORE_PATH_SIZE];

    if (xenstore_domain_is_privileged(domain))
        return;
    for (unsigned int removals = 0; removals < XENSTORE_MAX_NODES && xenstore_tree_find_owned(domain, path);
         removals++) {
        if (xenstore_store_remove(0, path) != 0)
            break;
    }
    xenstore_tree_forget_entries_of(domain);
    xenstore_watch_remove_all(domain);
}
