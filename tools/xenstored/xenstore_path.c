/*
 * Xenstore path syntax and resolution (see xenstore_path.h).  Pure: no
 * hypercalls, compiled into dom0's kernel and into the host unit tests.  Paths arrive from guests: every scan is
 * bounded by the C string and the limits, never by a trusted length.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "xenstore_path.h"

#define HOME_FORMAT "/local/domain/%u"

static bool is_name_character(char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           (character >= '0' && character <= '9') || character == '-' || character == '_' || character == '@';
}

void xenstore_path_home(xenstore_domain domain, char home[XENSTORE_PATH_SIZE])
{
    format_string(home, XENSTORE_PATH_SIZE, HOME_FORMAT, (unsigned int)domain);
}

bool xenstore_path_is_special(const char *path)
{
    if (path[0] != '@' || path[1] == '\0')
        return false;
    for (const char *character = path + 1; *character != '\0'; character++) {
        if (!is_name_character(*character) || *character == '@')
            return false;
    }
    return strlen(path) < XENSTORE_PATH_SIZE;
}

/*
 * Checks components: non-empty names of allowed characters, each shorter
 * than XENSTORE_NAME_SIZE, separated by single slashes, no slash at the
 * end.  An absolute path's leading slash is skipped by the caller.
 */
static bool components_are_valid(const char *components)
{
    size_t name_length = 0;

    for (const char *character = components; *character != '\0'; character++) {
        if (*character == '/') {
            if (name_length == 0)
                return false;
            name_length = 0;
        } else if (is_name_character(*character) && name_length + 1 < XENSTORE_NAME_SIZE) {
            name_length++;
        } else {
            return false;
        }
    }
    return name_length > 0;
}

int xenstore_path_resolve(xenstore_domain domain, const char *given, char resolved[XENSTORE_PATH_SIZE])
{
    size_t length = 0;

    while (length < XENSTORE_PATH_SIZE && given[length] != '\0')
        length++;
    if (length == 0 || length == XENSTORE_PATH_SIZE || given[0] == '@')
        return -XEN_EINVAL;
    if (strcmp(given, "/") == 0) {
        memcpy(resolved, "/", 2);
        return 0;
    }
    if (given[0] == '/') {
        if (!components_are_valid(given + 1))
            return -XEN_EINVAL;
        memcpy(resolved, given, length + 1);
        return 0;
    }
    if (!components_are_valid(given))
        return -XEN_EINVAL;
    if (format_string(resolved, XENSTORE_PATH_SIZE, HOME_FORMAT "/%s", (unsigned int)domain, given) >=
        XENSTORE_PATH_SIZE)
        return -XEN_EINVAL;
    return 0;
}

bool xenstore_path_is_within(const char *path, const char *ancestor)
{
    size_t ancestor_length = strlen(ancestor);

    if (strcmp(ancestor, "/") == 0)
        return path[0] == '/';
    return strncmp(path, ancestor, ancestor_length) == 0 &&
           (path[ancestor_length] == '\0' || path[ancestor_length] == '/');
}

const char *xenstore_path_below_home(xenstore_domain domain, const char *path)
{
    char home[XENSTORE_PATH_SIZE];
    size_t home_length;

    xenstore_path_home(domain, home);
    home_length = strlen(home);
    if (strncmp(path, home, home_length) != 0 || path[home_length] != '/')
        return NULL;
    return path + home_length + 1;
}
