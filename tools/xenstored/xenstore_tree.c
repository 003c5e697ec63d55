/*
 * The xenstore tree (see xenstore_tree.h).  Nodes live in a fixed array,
 * linked to their parent and, in creation order, to their siblings; the
 * root is entry 0.  Values live packed one after another in one byte
 * array: a node's value is (offset, length) into it, and removing a value
 * moves the ones after it down, so the free space is always one piece at
 * the end.  Every change checks all its limits before it touches
 * anything.  Pure: compiled into dom0's kernel and the host unit tests.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "xenstore_tree.h"

#define ROOT 0
#define NO_NODE UINT16_MAX

struct node {
    bool in_use;
    struct xenstore_permission_list permissions;
    uint16_t parent;
    uint16_t first_child;
    uint16_t next_sibling;
    uint32_t value_offset;
    uint32_t value_length;
    char name[XENSTORE_NAME_SIZE];
};

static struct node nodes[XENSTORE_MAX_NODES];
static uint8_t value_space[XENSTORE_VALUE_SPACE];
static uint32_t value_space_used;

void xenstore_tree_init(void)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_NODES; index++)
        nodes[index] = (struct node) { .in_use = false };
    nodes[ROOT] = (struct node) {
        .in_use = true,
        .permissions = xenstore_permissions_of_root(),
        .parent = NO_NODE,
        .first_child = NO_NODE,
        .next_sibling = NO_NODE,
    };
    value_space_used = 0;
}

/* --- walking paths ------------------------------------------------------ */

/* Copies the next component of a checked path into name; false at the end. */
static bool next_component(const char **cursor, char name[XENSTORE_NAME_SIZE])
{
    size_t length = 0;

    while (**cursor == '/')
        (*cursor)++;
    while (**cursor != '\0' && **cursor != '/' && length + 1 < XENSTORE_NAME_SIZE)
        name[length++] = *(*cursor)++;
    name[length] = '\0';
    return length > 0;
}

static unsigned int count_components(const char *path)
{
    char name[XENSTORE_NAME_SIZE];
    unsigned int count = 0;

    while (next_component(&path, name))
        count++;
    return count;
}

static uint16_t find_child(uint16_t parent, const char *name)
{
    for (uint16_t child = nodes[parent].first_child; child != NO_NODE; child = nodes[child].next_sibling) {
        if (strcmp(nodes[child].name, name) == 0)
            return child;
    }
    return NO_NODE;
}

/* Follows path from the root as far as nodes exist; *missing is the rest ("" if none is missing). */
static uint16_t deepest_existing(const char *path, const char **missing)
{
    char name[XENSTORE_NAME_SIZE];
    uint16_t node = ROOT;
    const char *cursor = path;

    for (;;) {
        const char *before = cursor;
        uint16_t child;

        if (!next_component(&cursor, name))
            break;
        child = find_child(node, name);
        if (child == NO_NODE) {
            cursor = before;
            break;
        }
        node = child;
    }
    *missing = cursor;
    return node;
}

static uint16_t find_node(const char *path)
{
    const char *missing;
    uint16_t node = deepest_existing(path, &missing);

    return count_components(missing) == 0 ? node : NO_NODE;
}

bool xenstore_tree_exists(const char *path)
{
    return find_node(path) != NO_NODE;
}

/* --- nodes -------------------------------------------------------------- */

static unsigned int free_node_count(void)
{
    unsigned int count = 0;

    for (unsigned int index = 0; index < XENSTORE_MAX_NODES; index++)
        count += nodes[index].in_use ? 0 : 1;
    return count;
}

unsigned int xenstore_tree_nodes_owned(xenstore_domain owner)
{
    unsigned int count = 0;

    for (unsigned int index = 0; index < XENSTORE_MAX_NODES; index++)
        count += nodes[index].in_use && nodes[index].permissions.entries[0].domain == owner ? 1 : 0;
    return count;
}

/*
 * Whether creator may create count more nodes: the pool, and an
 * unprivileged creator's quota (it will own them).
 */
static bool nodes_available(unsigned int count, xenstore_domain creator)
{
    if (count > free_node_count())
        return false;
    return xenstore_domain_is_privileged(creator) ||
           xenstore_tree_nodes_owned(creator) + count <= XENSTORE_NODES_PER_DOMAIN;
}

static uint16_t allocate_node(void)
{
    for (uint16_t index = 0; index < XENSTORE_MAX_NODES; index++) {
        if (!nodes[index].in_use)
            return index;
    }
    return NO_NODE;
}

/*
 * A new empty child of parent, last among its siblings, with the
 * permissions it inherits; there must be a free node.
 */
static uint16_t add_child(uint16_t parent, const char *name, xenstore_domain creator)
{
    uint16_t child = allocate_node();
    uint16_t *link = &nodes[parent].first_child;

    nodes[child] = (struct node) {
        .in_use = true,
        .permissions = xenstore_permissions_inherit(&nodes[parent].permissions, creator),
        .parent = parent,
        .first_child = NO_NODE,
        .next_sibling = NO_NODE,
    };
    memcpy(nodes[child].name, name, strlen(name) + 1);
    while (*link != NO_NODE)
        link = &nodes[*link].next_sibling;
    *link = child;
    return child;
}

/* Creates the missing components below node; the caller checked there is room. */
static uint16_t create_missing(uint16_t node, const char *missing, xenstore_domain creator)
{
    char name[XENSTORE_NAME_SIZE];

    while (next_component(&missing, name))
        node = add_child(node, name, creator);
    return node;
}

/* --- values ------------------------------------------------------------- */

static void release_value(uint16_t node)
{
    uint32_t offset = nodes[node].value_offset;
    uint32_t length = nodes[node].value_length;

    if (length == 0)
        return;
    memmove(&value_space[offset], &value_space[offset + length], value_space_used - offset - length);
    value_space_used -= length;
    for (unsigned int index = 0; index < XENSTORE_MAX_NODES; index++) {
        if (nodes[index].in_use && nodes[index].value_offset > offset)
            nodes[index].value_offset -= length;
    }
    nodes[node].value_length = 0;
    nodes[node].value_offset = 0;
}

/* The caller checked there is room. */
static void store_value(uint16_t node, const void *value, uint32_t length)
{
    release_value(node);
    memcpy(&value_space[value_space_used], value, length);
    nodes[node].value_offset = value_space_used;
    nodes[node].value_length = length;
    value_space_used += length;
}

static bool value_fits(uint16_t existing, uint32_t length)
{
    uint32_t freed = existing == NO_NODE ? 0 : nodes[existing].value_length;

    return length <= XENSTORE_VALUE_MAX && value_space_used - freed + length <= XENSTORE_VALUE_SPACE;
}

/* --- operations --------------------------------------------------------- */

int xenstore_tree_read(const char *path, const uint8_t **value, uint32_t *length)
{
    uint16_t node = find_node(path);

    if (node == NO_NODE)
        return -XEN_ENOENT;
    *value = &value_space[nodes[node].value_offset];
    *length = nodes[node].value_length;
    return 0;
}

int xenstore_tree_write(const char *path, const void *value, uint32_t length, xenstore_domain creator)
{
    const char *missing;
    uint16_t node = deepest_existing(path, &missing);
    unsigned int new_nodes = count_components(missing);

    if (!value_fits(new_nodes == 0 ? node : NO_NODE, length) || !nodes_available(new_nodes, creator))
        return -XEN_ENOSPC;
    node = create_missing(node, missing, creator);
    store_value(node, value, length);
    return 0;
}

int xenstore_tree_mkdir(const char *path, xenstore_domain creator, bool *created)
{
    const char *missing;
    uint16_t node = deepest_existing(path, &missing);
    unsigned int new_nodes = count_components(missing);

    if (!nodes_available(new_nodes, creator))
        return -XEN_ENOSPC;
    create_missing(node, missing, creator);
    *created = new_nodes > 0;
    return 0;
}

static void unlink_from_parent(uint16_t node)
{
    uint16_t *link = &nodes[nodes[node].parent].first_child;

    while (*link != node)
        link = &nodes[*link].next_sibling;
    *link = nodes[node].next_sibling;
}

static void release_subtree(uint16_t node)
{
    while (nodes[node].first_child != NO_NODE) {
        uint16_t child = nodes[node].first_child;

        nodes[node].first_child = nodes[child].next_sibling;
        release_subtree(child);
    }
    release_value(node);
    nodes[node].in_use = false;
}

int xenstore_tree_remove(const char *path, bool *removed)
{
    const char *missing;
    uint16_t node = deepest_existing(path, &missing);
    unsigned int missing_count = count_components(missing);

    *removed = false;
    if (missing_count > 1)
        return -XEN_ENOENT;
    if (missing_count == 1)
        return 0;
    if (node == ROOT)
        return -XEN_EINVAL;
    unlink_from_parent(node);
    release_subtree(node);
    *removed = true;
    return 0;
}

int xenstore_tree_directory(const char *path, char *buffer, uint32_t size, uint32_t *length)
{
    uint16_t node = find_node(path);
    uint32_t used = 0;

    if (node == NO_NODE)
        return -XEN_ENOENT;
    for (uint16_t child = nodes[node].first_child; child != NO_NODE; child = nodes[child].next_sibling) {
        uint32_t name_size = (uint32_t)strlen(nodes[child].name) + 1;

        if (name_size > size - used)
            return -XEN_E2BIG;
        memcpy(&buffer[used], nodes[child].name, name_size);
        used += name_size;
    }
    *length = used;
    return 0;
}

int xenstore_tree_permissions(const char *path, struct xenstore_permission_list *permissions)
{
    uint16_t node = find_node(path);

    if (node == NO_NODE)
        return -XEN_ENOENT;
    *permissions = nodes[node].permissions;
    return 0;
}

int xenstore_tree_set_permissions(const char *path, const struct xenstore_permission_list *permissions)
{
    uint16_t node = find_node(path);

    if (node == NO_NODE)
        return -XEN_ENOENT;
    nodes[node].permissions = *permissions;
    return 0;
}

struct xenstore_permission_list xenstore_tree_nearest_permissions(const char *path)
{
    const char *missing;

    return nodes[deepest_existing(path, &missing)].permissions;
}

/* --- a domain that is gone ------------------------------------------------ */

/* The absolute path of a node in use: its names from the root down. */
static void path_of(uint16_t node, char path[XENSTORE_PATH_SIZE])
{
    uint16_t chain[XENSTORE_PATH_SIZE / 2];
    unsigned int depth = 0;
    size_t used = 0;

    for (; node != ROOT; node = nodes[node].parent)
        chain[depth++] = node;
    path[0] = '/';
    path[1] = '\0';
    while (depth > 0) {
        const char *name = nodes[chain[--depth]].name;
        size_t length = strlen(name);

        path[used++] = '/';
        memcpy(&path[used], name, length + 1);
        used += length;
    }
}

bool xenstore_tree_find_owned(xenstore_domain owner, char path[XENSTORE_PATH_SIZE])
{
    for (uint16_t index = 0; index < XENSTORE_MAX_NODES; index++) {
        if (index != ROOT && nodes[index].in_use && nodes[index].permissions.entries[0].domain == owner) {
            path_of(index, path);
            return true;
        }
    }
    return false;
}

/* Drops the entries after the first that name the domain from one list. */
static void drop_entries_of(struct xenstore_permission_list *list, xenstore_domain domain)
{
    unsigned int kept = 1;

    for (unsigned int index = 1; index < list->count; index++) {
        if (list->entries[index].domain != domain)
            list->entries[kept++] = list->entries[index];
    }
    list->count = kept;
}

void xenstore_tree_forget_entries_of(xenstore_domain domain)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_NODES; index++) {
        if (nodes[index].in_use)
            drop_entries_of(&nodes[index].permissions, domain);
    }
}
