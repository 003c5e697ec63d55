/*
 * The xenstore client of xenbus.h over the domain's ring page
 * (xen/io/xs_wire.h): requests are written into req[] and replies read
 * from rsp[] with free-running indices masked by MASK_XENSTORE_IDX, the
 * producer index published after the bytes (release) and the peer told
 * through store_evtchn.  Every index and length read from the shared page
 * is checked before use, since dom0 is a peer like any other as far as
 * the ring is concerned; a violation ends the connection (-XEN_EIO).
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/errno.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include <runtime/runtime.h>
#include "xenbus.h"

#define VIRT_BASE 0xffffffff80000000UL
#define PAGE_SHIFT 12
#define EVENT_QUEUE_LENGTH 16
#define EVENT_PATH_SIZE 256
#define EVENT_TOKEN_SIZE 64
#define NUMBER_SIZE 24

struct message {
    struct xsd_sockmsg header;
    char payload[XENSTORE_PAYLOAD_MAX + 1]; /* NUL after the payload */
};

struct watch_event {
    char path[EVENT_PATH_SIZE];
    char token[EVENT_TOKEN_SIZE];
};

static struct xenstore_domain_interface *store;
static evtchn_port_t store_port;
static volatile bool store_event_arrived;
static bool connection_broken;
static uint32_t last_request_id;
static struct message reply;
static struct message outgoing;
static struct watch_event event_queue[EVENT_QUEUE_LENGTH];
static unsigned int event_head, event_count, events_dropped;

/* The error names a server may answer with (xs_wire.h xsd_errors). */
static const struct {
    const char *name;
    int error;
} error_names[] = {
    { "EINVAL", XEN_EINVAL },   { "EACCES", XEN_EACCES }, { "EEXIST", XEN_EEXIST },
    { "EISDIR", XEN_EISDIR },   { "ENOENT", XEN_ENOENT }, { "ENOMEM", XEN_ENOMEM },
    { "ENOSPC", XEN_ENOSPC },   { "EIO", XEN_EIO },       { "ENOTEMPTY", XEN_ENOTEMPTY },
    { "ENOSYS", XEN_ENOSYS },   { "EROFS", XEN_EROFS },   { "EBUSY", XEN_EBUSY },
    { "EAGAIN", XEN_EAGAIN },   { "EISCONN", XEN_EISCONN }, { "E2BIG", XEN_E2BIG },
    { "EPERM", XEN_EPERM },
};

static void note_store_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    store_event_arrived = true;
}

static int break_connection(const char *why)
{
    if (!connection_broken)
        console_printf("xenbus: connection broken: %s\n", why);
    connection_broken = true;
    return -XEN_EIO;
}

/* The start-of-day address of one of the domain's own frames; NULL if it is not one. */
static void *own_page(uint64_t machine_frame)
{
    const uint64_t *machine_to_physical = (const uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t pfn = machine_to_physical[machine_frame];

    if (pfn >= runtime_start_info->nr_pages || runtime_machine_frame(pfn) != machine_frame)
        return NULL;
    return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}

int xenbus_init(void)
{
    int result;

    if (store != NULL)
        return 0;
    store = own_page(runtime_start_info->store_mfn);
    store_port = runtime_start_info->store_evtchn;
    if (store == NULL || store_port == 0) {
        store = NULL;
        return -XEN_EINVAL;
    }
    if ((result = events_attach(store_port, note_store_event, NULL)) != 0)
        store = NULL;
    return result;
}

/* --- the ring ------------------------------------------------------------ */

/* Waits for the next event on the store port; false once deadline_ns passed. */
static bool wait_for_store(uint64_t deadline_ns)
{
    return wait_for_flag_until(&store_event_arrived, deadline_ns);
}

static int send_bytes(const void *data, uint32_t length, uint64_t deadline_ns)
{
    const char *bytes = data;

    while (length > 0) {
        XENSTORE_RING_IDX consumer, producer, room, chunk;

        store_event_arrived = false;
        consumer = __atomic_load_n(&store->req_cons, __ATOMIC_ACQUIRE);
        producer = store->req_prod;
        if (producer - consumer > XENSTORE_RING_SIZE)
            return break_connection("request indices out of range");
        room = XENSTORE_RING_SIZE - (producer - consumer);
        if (room == 0) {
            if (!wait_for_store(deadline_ns))
                return -XEN_ETIMEDOUT;
            continue;
        }
        chunk = room < length ? room : length;
        for (uint32_t index = 0; index < chunk; index++)
            store->req[MASK_XENSTORE_IDX(producer + index)] = bytes[index];
        __atomic_store_n(&store->req_prod, producer + chunk, __ATOMIC_RELEASE);
        hypercall_event_send(store_port);
        bytes += chunk;
        length -= chunk;
    }
    return 0;
}

static int receive_bytes(void *buffer, uint32_t length, uint64_t deadline_ns)
{
    char *bytes = buffer;

    while (length > 0) {
        XENSTORE_RING_IDX consumer, producer, available, chunk;

        store_event_arrived = false;
        consumer = store->rsp_cons;
        producer = __atomic_load_n(&store->rsp_prod, __ATOMIC_ACQUIRE);
        available = producer - consumer;
        if (available > XENSTORE_RING_SIZE)
            return break_connection("response indices out of range");
        if (available == 0) {
            if (!wait_for_store(deadline_ns))
                return -XEN_ETIMEDOUT;
            continue;
        }
        chunk = available < length ? available : length;
        for (uint32_t index = 0; index < chunk; index++)
            bytes[index] = store->rsp[MASK_XENSTORE_IDX(consumer + index)];
        __atomic_store_n(&store->rsp_cons, consumer + chunk, __ATOMIC_RELEASE);
        hypercall_event_send(store_port);
        bytes += chunk;
        length -= chunk;
    }
    return 0;
}

static int receive_message(struct message *message, uint64_t deadline_ns)
{
    int result = receive_bytes(&message->header, sizeof(message->header), deadline_ns);

    if (result != 0)
        return result;
    if (message->header.len > XENSTORE_PAYLOAD_MAX)
        return break_connection("message longer than XENSTORE_PAYLOAD_MAX");
    if ((result = receive_bytes(message->payload, message->header.len, deadline_ns)) != 0)
        return result == -XEN_ETIMEDOUT ? break_connection("message cut short") : result;
    message->payload[message->header.len] = '\0';
    return 0;
}

/* --- watch events ---------------------------------------------------------- */

/* The length of the string at text, looking at no more than limit bytes (limit: no NUL). */
static size_t bounded_length(const char *text, size_t limit)
{
    size_t length = 0;

    while (length < limit && text[length] != '\0')
        length++;
    return length;
}

/* Copies a NUL-terminated string of at most size - 1 characters; false if it is longer. */
static bool copy_string(char *destination, size_t size, const char *source, size_t available)
{
    size_t length = bounded_length(source, available);

    if (length >= size || length == available)
        return false;
    memcpy(destination, source, length + 1);
    return true;
}

/* Queues an XS_WATCH_EVENT ("path\0token\0"); one that does not fit is dropped and counted. */
static void queue_event(const struct message *message)
{
    struct watch_event *event;
    size_t path_length = bounded_length(message->payload, message->header.len);

    if (event_count == EVENT_QUEUE_LENGTH) {
        events_dropped++;
        return;
    }
    event = &event_queue[(event_head + event_count) % EVENT_QUEUE_LENGTH];
    if (path_length == message->header.len ||
        !copy_string(event->path, sizeof(event->path), message->payload, message->header.len) ||
        !copy_string(event->token, sizeof(event->token), message->payload + path_length + 1,
                     message->header.len - path_length - 1)) {
        events_dropped++;
        return;
    }
    event_count++;
}

int xenbus_next_event(char *path, size_t path_size, char *token, size_t token_size, uint64_t deadline_ns)
{
    const struct watch_event *event;

    if (connection_broken)
        return -XEN_EIO;
    while (event_count == 0) {
        int result = receive_message(&reply, deadline_ns);

        if (result != 0)
            return result;
        if (reply.header.type != XS_WATCH_EVENT)
            return break_connection("a reply nobody asked for");
        queue_event(&reply);
    }
    event = &event_queue[event_head];
    event_head = (event_head + 1) % EVENT_QUEUE_LENGTH;
    event_count--;
    if (!copy_string(path, path_size, event->path, sizeof(event->path)) ||
        !copy_string(token, token_size, event->token, sizeof(event->token)))
        return -XEN_E2BIG;
    return 0;
}

unsigned int xenbus_dropped_events(void)
{
    return events_dropped;
}

/* --- requests --------------------------------------------------------------- */

static int error_from_reply(const struct message *message)
{
    for (size_t index = 0; index < sizeof(error_names) / sizeof(error_names[0]); index++)
        if (strcmp(message->payload, error_names[index].name) == 0)
            return -error_names[index].error;
    return -XEN_EIO;
}

/* Sends outgoing (header.type, tx_id and len set, payload filled) and
 * waits for its reply in `reply`, queuing the watch events before it. */
static int transact(void)
{
    uint64_t deadline = system_time_ns() + XENBUS_REPLY_WAIT_NS;
    int result;

    if (store == NULL)
        return -XEN_EINVAL;
    if (connection_broken)
        return -XEN_EIO;
    outgoing.header.req_id = ++last_request_id;
    if ((result = send_bytes(&outgoing, (uint32_t)sizeof(outgoing.header) + outgoing.header.len, deadline)) != 0)
        return result;
    for (;;) {
        if ((result = receive_message(&reply, deadline)) != 0)
            return result;
        if (reply.header.type != XS_WATCH_EVENT)
            break;
        queue_event(&reply);
    }
    if (reply.header.req_id != outgoing.header.req_id)
        return break_connection("a reply to another request");
    if (reply.header.type == XS_ERROR)
        return error_from_reply(&reply);
    if (reply.header.type != outgoing.header.type)
        return break_connection("a reply of another type");
    return 0;
}

/* Builds a request from up to two strings: the first with its NUL, the
 * second with or without one. */
static int request(uint32_t type, uint32_t transaction, const char *first, const char *second,
                   bool second_terminated)
{
    size_t first_size = strlen(first) + 1;
    size_t second_size = second == NULL ? 0 : strlen(second) + (second_terminated ? 1 : 0);

    if (first_size + second_size > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    outgoing.header.type = type;
    outgoing.header.tx_id = transaction;
    outgoing.header.len = (uint32_t)(first_size + second_size);
    memcpy(outgoing.payload, first, first_size);
    if (second != NULL)
        memcpy(outgoing.payload + first_size, second, second_size);
    return transact();
}

int xenbus_read(uint32_t transaction, const char *path, char *value, size_t size)
{
    int result = request(XS_READ, transaction, path, NULL, false);

    if (result != 0)
        return result;
    if (reply.header.len >= size)
        return -XEN_E2BIG;
    memcpy(value, reply.payload, reply.header.len);
    value[reply.header.len] = '\0';
    return (int)reply.header.len;
}

static bool parse_unsigned(const char *text, uint64_t *value)
{
    uint64_t number = 0;

    if (*text == '\0')
        return false;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9' || number > (UINT64_MAX - 9) / 10)
            return false;
        number = number * 10 + (uint64_t)(*text - '0');
    }
    *value = number;
    return true;
}

int xenbus_read_unsigned(uint32_t transaction, const char *path, uint64_t *value)
{
    char text[NUMBER_SIZE];
    int result = xenbus_read(transaction, path, text, sizeof(text));

    if (result < 0)
        return result;
    return parse_unsigned(text, value) ? 0 : -XEN_EINVAL;
}

int xenbus_write(uint32_t transaction, const char *path, const char *value)
{
    return request(XS_WRITE, transaction, path, value, false);
}

int xenbus_write_unsigned(uint32_t transaction, const char *path, uint64_t value)
{
    char text[NUMBER_SIZE];

    format_string(text, sizeof(text), "%lu", value);
    return xenbus_write(transaction, path, text);
}

int xenbus_remove(uint32_t transaction, const char *path)
{
    return request(XS_RM, transaction, path, NULL, false);
}

int xenbus_directory(uint32_t transaction, const char *path, char *names, size_t size)
{
    int result = request(XS_DIRECTORY, transaction, path, NULL, false);
    int count = 0;

    if (result != 0)
        return result;
    if (reply.header.len > size)
        return -XEN_E2BIG;
    if (reply.header.len > 0 && reply.payload[reply.header.len - 1] != '\0')
        return break_connection("a directory listing without its last NUL");
    memcpy(names, reply.payload, reply.header.len);
    for (uint32_t index = 0; index < reply.header.len; index++)
        count += reply.payload[index] == '\0';
    return count;
}

int xenbus_watch(const char *path, const char *token)
{
    return request(XS_WATCH, XENBUS_NO_TRANSACTION, path, token, true);
}

int xenbus_unwatch(const char *path, const char *token)
{
    return request(XS_UNWATCH, XENBUS_NO_TRANSACTION, path, token, true);
}

int xenbus_transaction_start(uint32_t *transaction)
{
    uint64_t id;
    int result = request(XS_TRANSACTION_START, XENBUS_NO_TRANSACTION, "", NULL, false);

    if (result != 0)
        return result;
    if (!parse_unsigned(reply.payload, &id) || id == 0 || id > UINT32_MAX)
        return break_connection("a transaction id that is not one");
    *transaction = (uint32_t)id;
    return 0;
}

int xenbus_transaction_end(uint32_t transaction, bool commit)
{
    return request(XS_TRANSACTION_END, transaction, commit ? "T" : "F", NULL, false);
}
