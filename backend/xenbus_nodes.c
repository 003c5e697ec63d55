/*
 * A split device's xenstore nodes (see xenbus_nodes.h).
 */
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <tools/xenstored/xenstore_path.h>
#include <tools/xenstored/xenstore_store.h>
#include "xenbus_nodes.h"

#define DOM0 0
#define NUMBER_SIZE 24

int xenbus_nodes_write_text(const char *directory, const char *key, const char *value)
{
    char path[XENSTORE_PATH_SIZE];

    if (format_string(path, sizeof(path), "%s/%s", directory, key) >= (int)sizeof(path))
        return -XEN_EINVAL;
    return xenstore_store_write_string(DOM0, path, value);
}

int xenbus_nodes_write_number(const char *directory, const char *key, uint64_t value)
{
    char text[NUMBER_SIZE];

    format_string(text, sizeof(text), "%lu", value);
    return xenbus_nodes_write_text(directory, key, text);
}

int xenbus_nodes_read_text(const char *directory, const char *key, char value[XENBUS_NODES_VALUE_SIZE])
{
    char path[XENSTORE_PATH_SIZE];
    const uint8_t *bytes;
    uint32_t length;
    int result;

    if (format_string(path, sizeof(path), "%s/%s", directory, key) >= (int)sizeof(path))
        return -XEN_EINVAL;
    result = xenstore_store_read(DOM0, path, &bytes, &length);
    if (result != 0)
        return result;
    if (length >= XENBUS_NODES_VALUE_SIZE)
        return -XEN_E2BIG;
    memcpy(value, bytes, length);
    value[length] = '\0';
    return 0;
}

int xenbus_nodes_read_number(const char *directory, const char *key, uint64_t maximum, uint64_t *number)
{
    char value[XENBUS_NODES_VALUE_SIZE];
    int result = xenbus_nodes_read_text(directory, key, value);

    if (result != 0)
        return result;
    *number = 0;
    if (value[0] == '\0')
        return -XEN_EINVAL;
    for (const char *digit = value; *digit != '\0'; digit++) {
        if (*digit < '0' || *digit > '9')
            return -XEN_EINVAL;
        *number = *number * 10 + (uint64_t)(*digit - '0');
        if (*number > maximum)
            return -XEN_EINVAL;
    }
    return 0;
}

XenbusState xenbus_nodes_read_state(const char *directory)
{
    uint64_t state;

    if (xenbus_nodes_read_number(directory, "state", XenbusStateReconfigured, &state) != 0)
        return XenbusStateClosed;
    return (XenbusState)state;
}

int xenbus_nodes_make_directory(const char *path, domid_t owner, domid_t reader)
{
    const struct xenstore_permission permissions[] = {
        { .domain = owner, .access = XENSTORE_PERM_NONE },
        { .domain = reader, .access = XENSTORE_PERM_READ },
    };
    int result = xenstore_store_mkdir(DOM0, path);

    if (result != 0)
        return result;
    return xenstore_store_set_permissions(DOM0, path, permissions, 2);
}

void xenbus_nodes_device_paths(char *frontend_path, char *backend_path, const char *class, domid_t domain,
                               unsigned int handle)
{
    format_string(frontend_path, XENSTORE_PATH_SIZE, "/local/domain/%u/device/%s/%u", domain, class, handle);
    format_string(backend_path, XENSTORE_PATH_SIZE, "/local/domain/0/backend/%s/%u/%u", class, domain, handle);
}

int xenbus_nodes_create_backend(const char *backend_path, const char *frontend_path, domid_t frontend_domain)
{
    int result;

    if ((result = xenbus_nodes_make_directory(backend_path, DOM0, frontend_domain)) != 0 ||
        (result = xenbus_nodes_write_text(backend_path, "frontend", frontend_path)) != 0 ||
        (result = xenbus_nodes_write_number(backend_path, "frontend-id", frontend_domain)) != 0 ||
        (result = xenbus_nodes_write_text(backend_path, "online", "1")) != 0)
        return result;
    return xenbus_nodes_write_number(backend_path, "state", XenbusStateInitialising);
}

int xenbus_nodes_create_frontend(const char *frontend_path, const char *backend_path, domid_t frontend_domain)
{
    int result;

    if ((result = xenbus_nodes_make_directory(frontend_path, frontend_domain, DOM0)) != 0 ||
        (result = xenbus_nodes_write_text(frontend_path, "backend", backend_path)) != 0 ||
        (result = xenbus_nodes_write_number(frontend_path, "backend-id", DOM0)) != 0)
        return result;
    return xenbus_nodes_write_number(frontend_path, "state", XenbusStateInitialising);
}

void xenbus_nodes_remove_device(const char *frontend_path, const char *backend_path, const char *class,
                                domid_t frontend_domain)
{
    char path[XENSTORE_PATH_SIZE];

    xenstore_store_remove(DOM0, frontend_path);
    xenstore_store_remove(DOM0, backend_path);
    format_string(path, sizeof(path), "/local/domain/0/backend/%s/%u", class, frontend_domain);
    xenstore_store_remove(DOM0, path);
}

bool xenbus_nodes_frontend_may_have_changed(bool connected, uint64_t *followed_generation)
{
    uint64_t generation = xenstore_store_generation();
    bool changed = !connected || generation != *followed_generation;

    *followed_generation = generation;
    return changed;
}
