/*
 * A domU's xenstore home as libxl makes it (see xenstore_home.h), made
 * through the store as domain 0.  Pure: compiled into dom0's kernel and
 * the host unit tests.
 */
#include <stdbool.h>
#include <stddef.h>
#include <pvmon/format.h>
#include "xenstore_home.h"
#include "xenstore_store.h"

/* libxl's nodes of a home, parents before children ("" is the home itself). */
static const struct {
    const char *key;
    bool owned_by_domain;
} home_nodes[] = {
    { "", false },
    { "memory", false },
    { "device", false },
    { "control", false },
    { "control/shutdown", true },
    { "control/feature-poweroff", true },
    { "control/feature-reboot", true },
    { "control/feature-suspend", true },
    { "control/sysrq", true },
    { "data", true },
    { "drivers", true },
    { "feature", true },
    { "attr", true },
    { "error", true },
};

/* libxl's roperm { {0, n}, {domain, r} } or rwperm { {domain, n} }. */
static int make_node(xenstore_domain domain, const char *key, bool owned_by_domain)
{
    const struct xenstore_permission read_only[] = {
        { .domain = 0, .access = XENSTORE_PERM_NONE },
        { .domain = domain, .access = XENSTORE_PERM_READ },
    };
    const struct xenstore_permission read_write[] = { { .domain = domain, .access = XENSTORE_PERM_NONE } };
    char path[XENSTORE_PATH_SIZE];
    int result;

    format_string(path, sizeof(path), "/local/domain/%u%s%s", (unsigned int)domain, key[0] == '\0' ? "" : "/", key);
    result = xenstore_store_mkdir(0, path);
    if (result != 0)
        return result;
    if (owned_by_domain)
        return xenstore_store_set_permissions(0, path, read_write, 1);
    return xenstore_store_set_permissions(0, path, read_only, 2);
}

int xenstore_home_create(xenstore_domain domain)
{
    for (size_t index = 0; index < sizeof(home_nodes) / sizeof(home_nodes[0]); index++) {
        int result = make_node(domain, home_nodes[index].key, home_nodes[index].owned_by_domain);

        if (result != 0)
            return result;
    }
    return 0;
}
