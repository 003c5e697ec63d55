/*
 * dom0's xenstore server (see xenstore_server.h): a fixed table of
 * connections, each with an input buffer holding the request being
 * received and an output queue of whole messages, sent from its front as
 * the response ring frees up.  A call to xenstore_server_service first
 * serves requests on every connection, then sends every queue and
 * notifies every domain whose rings moved: a request of one domain can
 * queue watch events for another.  Pure (the notification is the
 * caller's callback): compiled into dom0's kernel and the host unit tests.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "xenstore_protocol.h"
#include "xenstore_ring.h"
#include "xenstore_server.h"
#include "xenstore_store.h"
#include "xenstore_watch.h"

/* The biggest watch event: its header, a path and a token, each with its NUL. */
#define EVENT_MAX (XENSTORE_HEADER_SIZE + XENSTORE_PATH_SIZE + XENSTORE_TOKEN_SIZE)
/* A request is taken only with this much room in the output queue. */
#define ROOM_FOR_A_REQUEST (XENSTORE_MESSAGE_MAX + EVENT_MAX)

_Static_assert(XENSTORE_OUTPUT_SIZE >= ROOM_FOR_A_REQUEST, "the output queue must hold a reply and an event");

struct connection {
    bool in_use;
    bool broken;
    bool moved; /* bytes went through its rings since it was last notified */
    xenstore_domain domain;
    struct xenstore_domain_interface *ring;
    struct xenstore_client client;
    uint32_t input_length;
    uint32_t output_length;
    uint32_t events_dropped;
    uint8_t input[XENSTORE_MESSAGE_MAX];
    uint8_t output[XENSTORE_OUTPUT_SIZE];
};

static struct connection connections[XENSTORE_MAX_CONNECTIONS];

static struct connection *find_connection(xenstore_domain domain)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_CONNECTIONS; index++) {
        if (connections[index].in_use && connections[index].domain == domain)
            return &connections[index];
    }
    return NULL;
}

static void break_connection(struct connection *connection, uint32_t error, const char *what)
{
    connection->broken = true;
    connection->output_length = 0;
    connection->ring->error = error;
    connection->moved = true;
    connection->client.report(connection->client.context, what);
}

/* --- the output queue --------------------------------------------------- */

static bool queue_message(struct connection *connection, const struct xsd_sockmsg *header, const void *payload)
{
    uint32_t size = XENSTORE_HEADER_SIZE + header->len;

    if (size > XENSTORE_OUTPUT_SIZE - connection->output_length)
        return false;
    memcpy(&connection->output[connection->output_length], header, XENSTORE_HEADER_SIZE);
    memcpy(&connection->output[connection->output_length + XENSTORE_HEADER_SIZE], payload, header->len);
    connection->output_length += size;
    return true;
}

static void queue_reply(const struct xsd_sockmsg *header, const char *payload, void *context)
{
    struct connection *connection = context;

    /* Cannot fail: a request is only taken with room for its reply. */
    queue_message(connection, header, payload);
}

/* The store's event sink: a WATCH_EVENT "<path>|<token>|" for the watcher, req_id and tx_id 0. */
static void queue_watch_event(xenstore_domain watcher, const char *path, const char *token, void *context)
{
    struct connection *connection = find_connection(watcher);
    uint32_t path_size = (uint32_t)strlen(path) + 1, token_size = (uint32_t)strlen(token) + 1;
    char payload[XENSTORE_PATH_SIZE + XENSTORE_TOKEN_SIZE];
    struct xsd_sockmsg header = { .type = XS_WATCH_EVENT, .len = path_size + token_size };

    (void)context;
    if (connection == NULL || connection->broken || header.len > sizeof(payload))
        return;
    memcpy(payload, path, path_size);
    memcpy(payload + path_size, token, token_size);
    if (queue_message(connection, &header, payload))
        return;
    if (connection->events_dropped++ == 0)
        connection->client.report(connection->client.context, "output queue full: watch events dropped");
}

/* Sends what the response ring takes from the front of the queue. */
static void send_output(struct connection *connection)
{
    int sent;

    if (connection->broken || connection->output_length == 0)
        return;
    sent = xenstore_ring_put_responses(connection->ring, connection->output, connection->output_length);
    if (sent < 0) {
        break_connection(connection, XENSTORE_ERROR_RINGIDX, "response ring indexes are inconsistent");
        return;
    }
    if (sent == 0)
        return;
    connection->output_length -= (uint32_t)sent;
    memmove(connection->output, &connection->output[sent], connection->output_length);
    connection->moved = true;
}

/* --- requests ----------------------------------------------------------- */

static struct xsd_sockmsg received_header(const struct connection *connection)
{
    struct xsd_sockmsg header;

    memcpy(&header, connection->input, XENSTORE_HEADER_SIZE);
    return header;
}

/* How many more bytes the request being received needs. */
static uint32_t bytes_missing(const struct connection *connection)
{
    if (connection->input_length < XENSTORE_HEADER_SIZE)
        return XENSTORE_HEADER_SIZE - connection->input_length;
    return XENSTORE_HEADER_SIZE + received_header(connection).len - connection->input_length;
}

/* Reads what the current request still needs; false if the connection broke. */
static bool receive(struct connection *connection, bool *progress)
{
    int taken = xenstore_ring_take_requests(connection->ring, &connection->input[connection->input_length],
                                            bytes_missing(connection));

    if (taken < 0) {
        break_connection(connection, XENSTORE_ERROR_RINGIDX, "request ring indexes are inconsistent");
        return false;
    }
    connection->input_length += (uint32_t)taken;
    *progress = taken > 0;
    connection->moved |= *progress;
    if (connection->input_length >= XENSTORE_HEADER_SIZE && received_header(connection).len > XENSTORE_PAYLOAD_MAX) {
        break_connection(connection, XENSTORE_ERROR_PROTO, "request longer than XENSTORE_PAYLOAD_MAX");
        return false;
    }
    return true;
}

static bool request_is_whole(const struct connection *connection)
{
    return connection->input_length >= XENSTORE_HEADER_SIZE && bytes_missing(connection) == 0;
}

static void serve_request(struct connection *connection)
{
    struct xsd_sockmsg header = received_header(connection);

    xenstore_protocol_handle(connection->domain, &header, (const char *)&connection->input[XENSTORE_HEADER_SIZE],
                             queue_reply, connection);
    connection->input_length = 0;
}

/* Serves up to XENSTORE_REQUESTS_PER_PASS requests; true if it stopped with more to read. */
static bool serve_requests(struct connection *connection)
{
    unsigned int served = 0;
    bool progress = true;

    send_output(connection);
    while (!connection->broken && progress && XENSTORE_OUTPUT_SIZE - connection->output_length >= ROOM_FOR_A_REQUEST) {
        if (served == XENSTORE_REQUESTS_PER_PASS)
            return true;
        if (!receive(connection, &progress))
            return false;
        if (request_is_whole(connection)) {
            serve_request(connection);
            served++;
            send_output(connection);
        }
    }
    return false;
}

/* --- the server --------------------------------------------------------- */

void xenstore_server_init(void)
{
    for (unsigned int index = 0; index < XENSTORE_MAX_CONNECTIONS; index++)
        connections[index].in_use = false;
    xenstore_store_init(queue_watch_event, NULL);
}

int xenstore_server_connect(xenstore_domain domain, struct xenstore_domain_interface *ring,
                            const struct xenstore_client *client)
{
    struct connection *connection = NULL;

    if (find_connection(domain) != NULL)
        return -XEN_EEXIST;
    for (unsigned int index = 0; index < XENSTORE_MAX_CONNECTIONS && connection == NULL; index++) {
        if (!connections[index].in_use)
            connection = &connections[index];
    }
    if (connection == NULL)
        return -XEN_ENOSPC;
    *connection = (struct connection) {
        .in_use = true,
        .domain = domain,
        .ring = ring,
        .client = *client,
    };
    ring->server_features = XENSTORE_SERVER_FEATURE_ERROR;
    ring->connection = XENSTORE_CONNECTED;
    ring->error = XENSTORE_ERROR_NONE;
    return 0;
}

void xenstore_server_disconnect(xenstore_domain domain)
{
    struct connection *connection = find_connection(domain);

    xenstore_store_forget_watches(domain);
    if (connection != NULL)
        connection->in_use = false;
}

bool xenstore_server_service(void)
{
    bool work_left = false;

    for (unsigned int index = 0; index < XENSTORE_MAX_CONNECTIONS; index++) {
        if (connections[index].in_use && !connections[index].broken)
            work_left |= serve_requests(&connections[index]);
    }
    for (unsigned int index = 0; index < XENSTORE_MAX_CONNECTIONS; index++) {
        struct connection *connection = &connections[index];

        if (!connection->in_use)
            continue;
        send_output(connection);
        if (connection->moved) {
            connection->moved = false;
            connection->client.notify(connection->client.context);
        }
    }
    return work_left;
}
