/*
 * Xenstore watches (see xenstore_watch.h): a fixed table of (owner, path,
 * token) entries, scanned in full for every change.  Pure: compiled into
 * dom0's kernel and the host unit tests.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "xenstore_watch.h"

struct watch {
    bool in_use;
    bool relative;
    xenstore_domain owner;
    char path[XENSTORE_PATH_SIZE];
    char token[XENSTORE_TOKEN_SIZE];
};

static struct watch watches[XENSTORE_MAX_WATCHES];

void xenstore_watch_init(void)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_WATCHES; index++)
        watches[index].in_use = false;
}

static struct watch *find_watch(xenstore_domain owner, const char *path, const char *token)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_WATCHES; index++) {
        struct watch *watch = &watches[index];

        if (watch->in_use && watch->owner == owner && strcmp(watch->path, path) == 0 &&
            strcmp(watch->token, token) == 0)
            return watch;
    }
    return NULL;
}

static unsigned int watches_of(xenstore_domain owner)
{
    unsigned int count = 0;

    for (unsigned int index = 0; index < XENSTORE_MAX_WATCHES; index++)
        count += watches[index].in_use && watches[index].owner == owner ? 1 : 0;
    return count;
}

static struct watch *free_watch(void)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_WATCHES; index++) {
        if (!watches[index].in_use)
            return &watches[index];
    }
    return NULL;
}

int xenstore_watch_add(xenstore_domain owner, const char *path, const char *token, bool relative)
{
    size_t path_length = strlen(path), token_length = strlen(token);
    struct watch *watch;

    if (path_length >= XENSTORE_PATH_SIZE || token_length >= XENSTORE_TOKEN_SIZE)
        return -XEN_EINVAL;
    if (find_watch(owner, path, token) != NULL)
        return -XEN_EEXIST;
    if (watches_of(owner) >= XENSTORE_WATCHES_PER_DOMAIN)
        return -XEN_E2BIG;
    watch = free_watch();
    if (watch == NULL)
        return -XEN_ENOSPC;
    watch->in_use = true;
    watch->relative = relative;
    watch->owner = owner;
    memcpy(watch->path, path, path_length + 1);
    memcpy(watch->token, token, token_length + 1);
    return 0;
}

int xenstore_watch_remove(xenstore_domain owner, const char *path, const char *token)
{
    struct watch *watch = find_watch(owner, path, token);

    if (watch == NULL)
        return -XEN_ENOENT;
    watch->in_use = false;
    return 0;
}

void xenstore_watch_remove_all(xenstore_domain owner)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_WATCHES; index++) {
        if (watches[index].owner == owner)
            watches[index].in_use = false;
    }
}

/* The absolute path the watch reports for this change, or NULL if it does not match. */
static const char *matching_path(const struct watch *watch, const char *path, enum xenstore_change change)
{
    if (xenstore_path_is_special(watch->path))
        return NULL;
    if (xenstore_path_is_within(path, watch->path))
        return path;
    if (change == XENSTORE_NODE_REMOVED && xenstore_path_is_within(watch->path, path))
        return watch->path;
    return NULL;
}

static void fire_one(const struct watch *watch, const char *path, enum xenstore_change change,
                     const struct xenstore_watch_delivery *delivery)
{
    const char *reported = matching_path(watch, path, change);

    if (reported == NULL || !delivery->may_hear(watch->owner, reported, delivery->filter_context))
        return;
    if (watch->relative)
        reported = xenstore_path_below_home(watch->owner, reported);
    if (reported != NULL)
        delivery->sink(watch->owner, reported, watch->token, delivery->sink_context);
}

void xenstore_watch_fire(const char *path, enum xenstore_change change, const struct xenstore_watch_delivery *delivery)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_WATCHES; index++) {
        if (watches[index].in_use)
            fire_one(&watches[index], path, change, delivery);
    }
}
