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
