/*
 * The xenstore wire protocol (see xenstore_protocol.h): the payload of a
 * request is split into its NUL-terminated strings, never reading past
 * its length; the request is done by the store (xenstore_store.h); the
 * reply is built in one static buffer (the server handles one request at
 * a time) and handed to the caller's sink.  Pure: compiled into dom0's
 * kernel and the host unit tests.
 */
#include <stdbool.h>
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "xenstore_protocol.h"
#include "xenstore_store.h"

#define MAX_STRINGS 2

struct request {
    xenstore_domain domain;
    const struct xsd_sockmsg *header;
    const char *payload;
};

/* The NUL-terminated strings at the start of a payload, and what follows them. */
struct arguments {
    const char *strings[MAX_STRINGS];
    unsigned int count;
    const char *rest;
    uint32_t rest_length;
};

struct reply {
    uint32_t length;
    char payload[XENSTORE_PAYLOAD_MAX];
};

typedef int (*request_handler)(const struct request *request, struct reply *reply);

static struct reply reply;
static uint32_t next_transaction = 1;

static const struct {
    int error;
    const char *name;
} error_names[] = {
    { XEN_EINVAL, "EINVAL" }, { XEN_EACCES, "EACCES" },       { XEN_EEXIST, "EEXIST" }, { XEN_EISDIR, "EISDIR" },
    { XEN_ENOENT, "ENOENT" }, { XEN_ENOMEM, "ENOMEM" },       { XEN_ENOSPC, "ENOSPC" }, { XEN_EIO, "EIO" },
    { XEN_ENOTEMPTY, "ENOTEMPTY" }, { XEN_ENOSYS, "ENOSYS" }, { XEN_EROFS, "EROFS" },   { XEN_EBUSY, "EBUSY" },
    { XEN_EAGAIN, "EAGAIN" }, { XEN_EISCONN, "EISCONN" },     { XEN_E2BIG, "E2BIG" },   { XEN_EPERM, "EPERM" },
};

const char *xenstore_protocol_error_name(int error)
{
    for (size_t index = 0; index < sizeof(error_names) / sizeof(error_names[0]); index++) {
        if (error_names[index].error == -error)
            return error_names[index].name;
    }
    return "EINVAL";
}

/* --- arguments ---------------------------------------------------------- */

/* Takes up to wanted (at most MAX_STRINGS) NUL-terminated strings off the payload's start. */
static struct arguments split_arguments(const struct request *request, unsigned int wanted)
{
    struct arguments arguments = { .count = 0 };
    uint32_t length = request->header->len;
    uint32_t start = 0;

    for (uint32_t offset = 0; offset < length && arguments.count < wanted; offset++) {
        if (request->payload[offset] == '\0') {
            arguments.strings[arguments.count++] = &request->payload[start];
            start = offset + 1;
        }
    }
    arguments.rest = &request->payload[start];
    arguments.rest_length = length - start;
    return arguments;
}

/* The payload is exactly one string: *string, or false. */
static bool single_string(const struct request *request, const char **string)
{
    struct arguments arguments = split_arguments(request, 1);

    if (arguments.count != 1 || arguments.rest_length != 0)
        return false;
    *string = arguments.strings[0];
    return true;
}

/* A domain id in decimal, 0-65535. */
static bool parse_domain(const char *text, xenstore_domain *domain)
{
    uint32_t value = 0;

    if (*text == '\0')
        return false;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9')
            return false;
        value = value * 10 + (uint32_t)(*text - '0');
        if (value > UINT16_MAX)
            return false;
    }
    *domain = (xenstore_domain)value;
    return true;
}

/* --- replies ------------------------------------------------------------ */

/* A string and its NUL; every reply string here is far shorter than the payload limit. */
static int reply_string(struct reply *out, const char *string)
{
    size_t size = strlen(string) + 1;

    memcpy(out->payload, string, size);
    out->length = (uint32_t)size;
    return 0;
}

static int reply_ok(struct reply *out)
{
    return reply_string(out, "OK");
}

/* --- the requests ------------------------------------------------------- */

static int handle_read(const struct request *request, struct reply *out)
{
    const char *path;
    const uint8_t *value;
    uint32_t length;
    int result;

    if (!single_string(request, &path))
        return -XEN_EINVAL;
    result = xenstore_store_read(request->domain, path, &value, &length);
    if (result != 0)
        return result;
    memcpy(out->payload, value, length);
    out->length = length;
    return 0;
}

static int handle_write(const struct request *request, struct reply *out)
{
    /* The value is everything after the path, NULs included. */
    struct arguments arguments = split_arguments(request, 1);
    int result;

    if (arguments.count == 0)
        return -XEN_EINVAL;
    result = xenstore_store_write(request->domain, arguments.strings[0], arguments.rest, arguments.rest_length);
    return result != 0 ? result : reply_ok(out);
}

static int handle_mkdir(const struct request *request, struct reply *out)
{
    const char *path;
    int result;

    if (!single_string(request, &path))
        return -XEN_EINVAL;
    result = xenstore_store_mkdir(request->domain, path);
    return result != 0 ? result : reply_ok(out);
}

static int handle_remove(const struct request *request, struct reply *out)
{
    const char *path;
    int result;

    if (!single_string(request, &path))
        return -XEN_EINVAL;
    result = xenstore_store_remove(request->domain, path);
    return result != 0 ? result : reply_ok(out);
}

/* Xen: do_get_perms.  The list in the wire format, each entry with its NUL. */
static int handle_get_permissions(const struct request *request, struct reply *out)
{
    struct xenstore_permission_list list;
    const char *path;
    int result;

    if (!single_string(request, &path))
        return -XEN_EINVAL;
    result = xenstore_store_get_permissions(request->domain, path, list.entries, XENSTORE_PERMISSIONS_MAX,
                                            &list.count);
    if (result != 0)
        return result;
    out->length = xenstore_permissions_format(&list, out->payload, sizeof(out->payload));
    return 0;
}

/* Xen: do_set_perms.  The path, then the entries, each with its NUL. */
static int handle_set_permissions(const struct request *request, struct reply *out)
{
    struct arguments arguments = split_arguments(request, 1);
    struct xenstore_permission_list list;
    int result;

    if (arguments.count == 0)
        return -XEN_EINVAL;
    result = xenstore_permissions_parse(arguments.rest, arguments.rest_length, &list);
    if (result == 0)
        result = xenstore_store_set_permissions(request->domain, arguments.strings[0], list.entries, list.count);
    return result != 0 ? result : reply_ok(out);
}

static int handle_directory(const struct request *request, struct reply *out)
{
    const char *path;

    if (!single_string(request, &path))
        return -XEN_EINVAL;
    return xenstore_store_directory(request->domain, path, out->payload, sizeof(out->payload), &out->length);
}

static int handle_watch(const struct request *request, struct reply *out)
{
    struct arguments arguments = split_arguments(request, 2);
    int result;

    if (arguments.count < 2)
        return -XEN_EINVAL;
    result = xenstore_store_watch(request->domain, arguments.strings[0], arguments.strings[1]);
    return result != 0 ? result : reply_ok(out);
}

static int handle_unwatch(const struct request *request, struct reply *out)
{
    struct arguments arguments = split_arguments(request, 2);
    int result;

    if (arguments.count < 2)
        return -XEN_EINVAL;
    result = xenstore_store_unwatch(request->domain, arguments.strings[0], arguments.strings[1]);
    return result != 0 ? result : reply_ok(out);
}

static int handle_reset_watches(const struct request *request, struct reply *out)
{
    xenstore_store_forget_watches(request->domain);
    return reply_ok(out);
}

static int handle_transaction_start(const struct request *request, struct reply *out)
{
    char id[12];

    if (request->header->tx_id != 0)
        return -XEN_EINVAL;
    format_string(id, sizeof(id), "%u", next_transaction);
    next_transaction = next_transaction == UINT32_MAX ? 1 : next_transaction + 1;
    return reply_string(out, id);
}

static int handle_transaction_end(const struct request *request, struct reply *out)
{
    const char *verdict;

    if (!single_string(request, &verdict) || (strcmp(verdict, "T") != 0 && strcmp(verdict, "F") != 0))
        return -XEN_EINVAL;
    return reply_ok(out);
}

static int handle_get_domain_path(const struct request *request, struct reply *out)
{
    char home[XENSTORE_PATH_SIZE];
    const char *text;
    xenstore_domain domain;

    if (!single_string(request, &text) || !parse_domain(text, &domain))
        return -XEN_EINVAL;
    xenstore_path_home(domain, home);
    return reply_string(out, home);
}

static int handle_unsupported(const struct request *request, struct reply *out)
{
    (void)request;
    (void)out;
    return -XEN_ENOSYS;
}

static const request_handler handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = handle_unsupported,
    [XS_DIRECTORY] = handle_directory,
    [XS_READ] = handle_read,
    [XS_GET_PERMS] = handle_get_permissions,
    [XS_WATCH] = handle_watch,
    [XS_UNWATCH] = handle_unwatch,
    [XS_TRANSACTION_START] = handle_transaction_start,
    [XS_TRANSACTION_END] = handle_transaction_end,
    [XS_INTRODUCE] = handle_unsupported,
    [XS_RELEASE] = handle_unsupported,
    [XS_GET_DOMAIN_PATH] = handle_get_domain_path,
    [XS_WRITE] = handle_write,
    [XS_MKDIR] = handle_mkdir,
    [XS_RM] = handle_remove,
    [XS_SET_PERMS] = handle_set_permissions,
    [XS_IS_DOMAIN_INTRODUCED] = handle_unsupported,
    [XS_RESUME] = handle_unsupported,
    [XS_SET_TARGET] = handle_unsupported,
    [XS_RESET_WATCHES] = handle_reset_watches,
    [XS_DIRECTORY_PART] = handle_unsupported,
};

/* --- one request -------------------------------------------------------- */

static int serve(const struct request *request, struct reply *out)
{
    uint32_t type = request->header->type;

    if (type >= XS_TYPE_COUNT || handlers[type] == NULL)
        return -XEN_EINVAL;
    return handlers[type](request, out);
}

static void fire_new_watch(const struct request *request)
{
    struct arguments arguments = split_arguments(request, 2);

    xenstore_store_fire_new_watch(request->domain, arguments.strings[0], arguments.strings[1]);
}

void xenstore_protocol_handle(xenstore_domain domain, const struct xsd_sockmsg *header, const char *payload,
                              xenstore_reply_sink sink, void *context)
{
    struct request request = { .domain = domain, .header = header, .payload = payload };
    struct xsd_sockmsg reply_header = { .type = header->type, .req_id = header->req_id, .tx_id = header->tx_id };
    int result = serve(&request, &reply);

    if (result != 0) {
        reply_header.type = XS_ERROR;
        reply_string(&reply, xenstore_protocol_error_name(result));
    }
    reply_header.len = reply.length;
    sink(&reply_header, reply.payload, context);
    if (result == 0 && header->type == XS_WATCH)
        fire_new_watch(&request);
}
