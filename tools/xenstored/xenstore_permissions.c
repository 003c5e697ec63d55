/*
 * Xenstore per-node permissions (see xenstore_permissions.h): the access
 * rule, inheritance and the wire format of a node's list.  Pure: compiled
 * into dom0's kernel and the host unit tests.  The text comes from
 * guests: every scan is bounded by the length it is given.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include "xenstore_permissions.h"

#define ALL_ACCESS (XENSTORE_PERM_BOTH | XENSTORE_PERM_OWNER)

bool xenstore_domain_is_privileged(xenstore_domain domain)
{
    return domain == 0;
}

struct xenstore_permission_list xenstore_permissions_of_root(void)
{
    return (struct xenstore_permission_list) {
        .count = 1,
        .entries = { { .domain = 0, .access = XENSTORE_PERM_NONE } },
    };
}

int xenstore_permissions_make(const struct xenstore_permission *entries, unsigned int count,
                              struct xenstore_permission_list *list)
{
    if (count == 0)
        return -XEN_EINVAL;
    if (count > XENSTORE_PERMISSIONS_MAX)
        return -XEN_ENOSPC;
    for (unsigned int index = 0; index < count; index++) {
        if ((entries[index].access & ~XENSTORE_PERM_BOTH) != 0)
            return -XEN_EINVAL;
        list->entries[index] = entries[index];
    }
    list->count = count;
    return 0;
}

/* Xen: perm_for_conn.  Owners and the privileged domain get everything. */
unsigned int xenstore_permissions_access(const struct xenstore_permission_list *list, xenstore_domain domain)
{
    if (xenstore_domain_is_privileged(domain) || list->entries[0].domain == domain)
        return ALL_ACCESS;
    for (unsigned int index = 1; index < list->count; index++) {
        if (list->entries[index].domain == domain)
            return list->entries[index].access;
    }
    return list->entries[0].access;
}

/* Xen: construct_node copies the parent's list; an unprivileged creator becomes the owner. */
struct xenstore_permission_list xenstore_permissions_inherit(const struct xenstore_permission_list *parent,
                                                             xenstore_domain creator)
{
    struct xenstore_permission_list child = *parent;

    if (!xenstore_domain_is_privileged(creator))
        child.entries[0].domain = creator;
    return child;
}

/* --- the wire format -------------------------------------------------------- */

static bool access_of_letter(char letter, uint8_t *access)
{
    switch (letter) {
    case 'n':
        *access = XENSTORE_PERM_NONE;
        return true;
    case 'r':
        *access = XENSTORE_PERM_READ;
        return true;
    case 'w':
        *access = XENSTORE_PERM_WRITE;
        return true;
    case 'b':
        *access = XENSTORE_PERM_BOTH;
        return true;
    default:
        return false;
    }
}

static char letter_of_access(uint8_t access)
{
    static const char letters[] = { 'n', 'r', 'w', 'b' };

    return letters[access & XENSTORE_PERM_BOTH];
}

/* One entry, text[0..length) without its NUL: a letter and 1-5 decimal digits up to 65535. */
static bool parse_entry(const char *text, uint32_t length, struct xenstore_permission *entry)
{
    uint32_t domain = 0;

    if (length < 2 || length > 6 || !access_of_letter(text[0], &entry->access))
        return false;
    for (uint32_t index = 1; index < length; index++) {
        if (text[index] < '0' || text[index] > '9')
            return false;
        domain = domain * 10 + (uint32_t)(text[index] - '0');
    }
    if (domain > UINT16_MAX)
        return false;
    entry->domain = (uint16_t)domain;
    return true;
}

/* Xen: xs_count_strings. */
static unsigned int count_strings(const char *text, uint32_t length)
{
    unsigned int count = 0;

    for (uint32_t offset = 0; offset < length; offset++)
        count += text[offset] == '\0' ? 1 : 0;
    return count;
}

/* Xen: do_set_perms counts the entries (ENOSPC over the quota) before xs_strings_to_perms parses them. */
int xenstore_permissions_parse(const char *text, uint32_t length, struct xenstore_permission_list *list)
{
    uint32_t start = 0;
    unsigned int count = 0;

    if (length == 0 || text[length - 1] != '\0')
        return -XEN_EINVAL;
    if (count_strings(text, length) > XENSTORE_PERMISSIONS_MAX)
        return -XEN_ENOSPC;
    for (uint32_t offset = 0; offset < length; offset++) {
        if (text[offset] != '\0')
            continue;
        if (!parse_entry(&text[start], offset - start, &list->entries[count]))
            return -XEN_EINVAL;
        count++;
        start = offset + 1;
    }
    list->count = count;
    return 0;
}

uint32_t xenstore_permissions_format(const struct xenstore_permission_list *list, char *buffer, uint32_t size)
{
    uint32_t used = 0;

    for (unsigned int index = 0; index < list->count && used < size; index++) {
        const struct xenstore_permission *entry = &list->entries[index];

        used += (uint32_t)format_string(&buffer[used], size - used, "%c%u", letter_of_access(entry->access),
                                        (unsigned int)entry->domain) + 1;
    }
    return used;
}
