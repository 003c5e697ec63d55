/*
 * The xenstore's operations on behalf of a domain (see xenstore_store.h):
 * each resolves the path it is given, applies the confinement rule, does
 * the work in the tree and fires the watches the change matches.  Pure:
 * compiled into dom0's kernel and the host unit tests.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "xenstore_store.h"
#include "xenstore_tree.h"

static xenstore_event_sink event_sink;
static void *event_context;

void xenstore_store_init(xenstore_event_sink sink, void *context)
{
    event_sink = sink;
    event_context = context;
    xenstore_tree_init();
    xenstore_watch_init();
}

/* Resolves a node path and checks the domain may touch it. */
static int resolve_accessible(xenstore_domain domain, const char *given, char path[XENSTORE_PATH_SIZE])
{
    int result = xenstore_path_resolve(domain, given, path);

    if (result != 0)
        return result;
    return xenstore_path_may_access(domain, path) ? 0 : -XEN_EACCES;
}

static void fire(const char *path, enum xenstore_change change)
{
    xenstore_watch_fire(path, change, event_sink, event_context);
}

int xenstore_store_read(xenstore_domain domain, const char *given, const uint8_t **value, uint32_t *length)
{
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_accessible(domain, given, path);

    if (result != 0)
        return result;
    return xenstore_tree_read(path, value, length);
}

int xenstore_store_write(xenstore_domain domain, const char *given, const void *value, uint32_t length)
{
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_accessible(domain, given, path);

    if (result != 0)
        return result;
    result = xenstore_tree_write(path, value, length, domain);
    if (result == 0)
        fire(path, XENSTORE_NODE_CHANGED);
    return result;
}

int xenstore_store_write_string(xenstore_domain domain, const char *path, const char *value)
{
    return xenstore_store_write(domain, path, value, (uint32_t)strlen(value));
}

int xenstore_store_mkdir(xenstore_domain domain, const char *given)
{
    char path[XENSTORE_PATH_SIZE];
    bool created;
    int result = resolve_accessible(domain, given, path);

    if (result != 0)
        return result;
    result = xenstore_tree_mkdir(path, domain, &created);
    if (result == 0 && created)
        fire(path, XENSTORE_NODE_CHANGED);
    return result;
}

static bool is_home_of(xenstore_domain domain, const char *path)
{
    char home[XENSTORE_PATH_SIZE];

    xenstore_path_home(domain, home);
    return strcmp(path, home) == 0;
}

int xenstore_store_remove(xenstore_domain domain, const char *given)
{
    char path[XENSTORE_PATH_SIZE];
    bool removed;
    int result = resolve_accessible(domain, given, path);

    if (result != 0)
        return result;
    if (domain != 0 && is_home_of(domain, path))
        return -XEN_EACCES;
    result = xenstore_tree_remove(path, &removed);
    if (result == 0 && removed)
        fire(path, XENSTORE_NODE_REMOVED);
    return result;
}

int xenstore_store_directory(xenstore_domain domain, const char *given, char *buffer, uint32_t size,
                             uint32_t *length)
{
    char path[XENSTORE_PATH_SIZE];
    int result = resolve_accessible(domain, given, path);

    if (result != 0)
        return result;
    return xenstore_tree_directory(path, buffer, size, length);
}

/* A watch's path: special as it is, or a node path resolved and accessible. */
static int watch_path(xenstore_domain domain, const char *given, char path[XENSTORE_PATH_SIZE])
{
    if (xenstore_path_is_special(given)) {
        memcpy(path, given, strlen(given) + 1);
        return 0;
    }
    return resolve_accessible(domain, given, path);
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
