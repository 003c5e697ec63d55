/*
 * A domU that uses dom0's backends the way a Linux PV guest's hvc and
 * xenbus drivers do: it finds its console and xenstore rings through
 * start_info (machine frames of its own: the pseudo-physical frame from
 * the M2P table, the address in its start-of-day mapping), writes a line
 * into the console's out ring, and speaks the xenstore protocol
 * (xen/io/xs_wire.h, docs/misc/xenstore.txt) as a client: reads, writes,
 * directories, mkdir, rm, watches with their first event, transactions,
 * per-node permissions (GET_PERMS, SET_PERMS, EACCES for what its lists
 * do not give it, watches that hear only what it may read), relative
 * paths, limits, a malformed message; and it balloons down when dom0's
 * toolstack lowers its memory/target (tests/system/xenbus.domains).
 *
 * With role=peer on its command line it is the other domain of the
 * permission cases instead: it lets the domain started before it (its
 * id - 1) read one node of its data/ and not another, and keeps changing
 * both for a few seconds.
 *
 * The client side of the rings is written here from the header, not
 * shared with dom0's server, so that the two meet only at the ABI.
 * Expected values: docs/misc/xenstore.txt, Xen 4.17's xenstored and
 * libxl (the lists of a home: xenstore_home.h) and pvmon's limits
 * (tools/xenstored/xenstore_*.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include "pv_memory.h"

const char test_family[] = "xenbus_client";

#define WAIT_NS (1000 * NANOSECONDS_PER_MILLISECOND)
#define QUIET_NS (100 * NANOSECONDS_PER_MILLISECOND)
#define TARGET_WAIT_NS (5000 * NANOSECONDS_PER_MILLISECOND)
#define SETTLE_NS (300 * NANOSECONDS_PER_MILLISECOND)
#define MAX_KEPT_EVENTS 8
#define TEXT_SIZE 160
#define CONSOLE_GREETING "xenbus_client: hello through the console ring\n"
#define OVERSIZED_VALUE 3000
#define MALFORMED_LENGTH (XENSTORE_PAYLOAD_MAX + 904)
#define KIBIBYTES_PER_PAGE 4
#define PEER_ROUNDS 200
#define PEER_PERIOD_NS (20 * NANOSECONDS_PER_MILLISECOND)
#define PEER_WAIT_NS (3000 * NANOSECONDS_PER_MILLISECOND)
#define PEER_EVENTS 5

struct message {
    struct xsd_sockmsg header;
    char payload[XENSTORE_PAYLOAD_MAX + 1]; /* NUL-terminated for printing */
};

static struct xenstore_domain_interface *store;
static struct xencons_interface *console;
static volatile bool store_event_arrived;
static volatile bool console_event_arrived;
static uint32_t last_request_id;
static char kept_events[MAX_KEPT_EVENTS][TEXT_SIZE];
static unsigned int kept_event_count;
static struct message reply;
static char home[64];
static uint64_t own_id;

static void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void note_store_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    store_event_arrived = true;
}

static void note_console_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    console_event_arrived = true;
}

/* The start-of-day address of one of the domain's own frames; NULL if it is not one. */
static void *own_page(uint64_t frame)
{
    const uint64_t *machine_to_physical = (const uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t pfn = machine_to_physical[frame];

    if (pfn >= runtime_start_info->nr_pages || frame_of_pfn(pfn) != frame)
        return NULL;
    return bootstrap_address(pfn);
}

/* --- the xenstore ring, client side ------------------------------------------ */

/* Puts all of data into the request ring, waiting for room; false on a timeout. */
static bool send_bytes(const void *data, uint32_t length)
{
    const char *bytes = data;
    uint64_t deadline = system_time_ns() + WAIT_NS;

    while (length > 0) {
        XENSTORE_RING_IDX consumer, producer;
        uint32_t chunk;

        store_event_arrived = false;
        consumer = __atomic_load_n(&store->req_cons, __ATOMIC_RELAXED);
        producer = __atomic_load_n(&store->req_prod, __ATOMIC_RELAXED);
        full_barrier();
        chunk = XENSTORE_RING_SIZE - (producer - consumer);
        if (chunk == 0) {
            if (!wait_for_flag_until(&store_event_arrived, deadline))
                return false;
            continue;
        }
        chunk = chunk < length ? chunk : length;
        for (uint32_t index = 0; index < chunk; index++)
            store->req[MASK_XENSTORE_IDX(producer + index)] = bytes[index];
        __atomic_store_n(&store->req_prod, producer + chunk, __ATOMIC_RELEASE);
        hypercall_event_send(runtime_start_info->store_evtchn);
        bytes += chunk;
        length -= chunk;
    }
    return true;
}

/* Takes length bytes from the response ring, waiting until deadline; false on a timeout. */
static bool receive_bytes(void *buffer, uint32_t length, uint64_t deadline)
{
    char *bytes = buffer;

    while (length > 0) {
        XENSTORE_RING_IDX consumer, producer;
        uint32_t chunk;

        store_event_arrived = false;
        consumer = __atomic_load_n(&store->rsp_cons, __ATOMIC_RELAXED);
        producer = __atomic_load_n(&store->rsp_prod, __ATOMIC_RELAXED);
        full_barrier();
        chunk = producer - consumer;
        if (chunk == 0) {
            if (!wait_for_flag_until(&store_event_arrived, deadline))
                return false;
            continue;
        }
        chunk = chunk < length ? chunk : length;
        for (uint32_t index = 0; index < chunk; index++)
            bytes[index] = store->rsp[MASK_XENSTORE_IDX(consumer + index)];
        full_barrier();
        __atomic_store_n(&store->rsp_cons, consumer + chunk, __ATOMIC_RELEASE);
        hypercall_event_send(runtime_start_info->store_evtchn);
        bytes += chunk;
        length -= chunk;
    }
    return true;
}

static bool receive_message(struct message *message, uint64_t deadline)
{
    if (!receive_bytes(&message->header, sizeof(message->header), deadline) ||
        message->header.len > XENSTORE_PAYLOAD_MAX ||
        !receive_bytes(message->payload, message->header.len, deadline))
        return false;
    message->payload[message->header.len] = '\0';
    return true;
}

/* A payload's strings as one text, each NUL shown as '|'. */
static void payload_text(const struct message *message, char text[TEXT_SIZE])
{
    uint32_t length = message->header.len < TEXT_SIZE - 1 ? message->header.len : TEXT_SIZE - 1;

    for (uint32_t index = 0; index < length; index++)
        text[index] = message->payload[index] == '\0' ? '|' : message->payload[index];
    text[length] = '\0';
}

static void keep_event(const struct message *message)
{
    if (kept_event_count < MAX_KEPT_EVENTS)
        payload_text(message, kept_events[kept_event_count++]);
}

/*
 * Sends a request and waits for its reply, keeping the watch events that
 * come first.  The outcome as text: the reply's payload ('|' for NULs),
 * "error NAME" for XS_ERROR, or why there is none.
 */
static const char *request(uint32_t type, uint32_t transaction, const void *payload, uint32_t length)
{
    static char text[TEXT_SIZE];
    struct xsd_sockmsg header = { .type = type, .req_id = ++last_request_id, .tx_id = transaction, .len = length };
    uint64_t deadline = system_time_ns() + WAIT_NS;

    if (!send_bytes(&header, sizeof(header)) || !send_bytes(payload, length))
        return "request not sent";
    do {
        if (!receive_message(&reply, deadline))
            return "no reply";
        if (reply.header.type == XS_WATCH_EVENT)
            keep_event(&reply);
    } while (reply.header.type == XS_WATCH_EVENT);
    if (reply.header.req_id != header.req_id)
        return "reply to another request";
    if (reply.header.type == XS_ERROR)
        format_string(text, sizeof(text), "error %s", reply.payload);
    else if (reply.header.type == type)
        payload_text(&reply, text);
    else
        return "reply of another type";
    return text;
}

/* The next watch event as "path|token|", waiting up to wait_ns; "none" if there is none. */
static const char *next_event(uint64_t wait_ns)
{
    static char text[TEXT_SIZE];
    uint64_t deadline = system_time_ns() + wait_ns;

    if (kept_event_count == 0) {
        struct message *message = &reply;

        if (!receive_message(message, deadline) || message->header.type != XS_WATCH_EVENT)
            return "none";
        keep_event(message);
    }
    memcpy(text, kept_events[0], sizeof(text));
    kept_event_count--;
    memmove(kept_events[0], kept_events[1], kept_event_count * sizeof(kept_events[0]));
    return text;
}

/* --- requests ------------------------------------------------------------------ */

/* Requests whose payload is one string, or two, each with its NUL. */
static const char *request_string(uint32_t type, const char *string)
{
    return request(type, 0, string, (uint32_t)strlen(string) + 1);
}

static const char *request_strings(uint32_t type, const char *first, const char *second)
{
    static char payload[TEXT_SIZE];
    size_t first_size = strlen(first) + 1, second_size = strlen(second) + 1;

    memcpy(payload, first, first_size);
    memcpy(payload + first_size, second, second_size);
    return request(type, 0, payload, (uint32_t)(first_size + second_size));
}

/* WRITE: the path and its NUL, then the value without one. */
static const char *write_in(uint32_t transaction, const char *path, const char *value)
{
    static char payload[TEXT_SIZE];
    size_t path_size = strlen(path) + 1, value_length = strlen(value);

    memcpy(payload, path, path_size);
    memcpy(payload + path_size, value, value_length);
    return request(XS_WRITE, transaction, payload, (uint32_t)(path_size + value_length));
}

static const char *write_node(const char *path, const char *value)
{
    return write_in(0, path, value);
}

static void expect_text(const char *name, const char *got, const char *expected)
{
    bool holds = strcmp(got, expected) == 0;

    if (!holds)
        console_printf("xenbus_client: %s: got '%s', expected '%s'\n", name, got, expected);
    expect_true(name, holds, 0, expected);
}

/* A decimal number, as a value or a reply string (followed by the '|' of its NUL). */
static bool parse_number(const char *text, uint64_t *value)
{
    *value = 0;
    if (*text == '\0' || *text == '|')
        return false;
    for (; *text != '\0' && strcmp(text, "|") != 0; text++) {
        if (*text < '0' || *text > '9')
            return false;
        *value = *value * 10 + (uint64_t)(*text - '0');
    }
    return true;
}

static const char *number_text(uint64_t value)
{
    static char text[24];

    format_string(text, sizeof(text), "%lu", value);
    return text;
}

/* --- the cases ------------------------------------------------------------------ */

static bool find_rings(void)
{
    const struct start_info *info = runtime_start_info;

    store = own_page(info->store_mfn);
    console = own_page(info->console.domU.mfn);
    expect_true("store_ring_is_an_own_frame", store != NULL, (long)info->store_mfn, "a frame of this domain");
    expect_true("console_ring_is_an_own_frame", console != NULL, (long)info->console.domU.mfn,
                "a frame of this domain");
    expect_true("store_port_given", info->store_evtchn != 0, info->store_evtchn, "non-zero");
    expect_true("console_port_given", info->console.domU.evtchn != 0, info->console.domU.evtchn, "non-zero");
    if (store == NULL || console == NULL || info->store_evtchn == 0 || info->console.domU.evtchn == 0)
        return false;
    expect_result("store_port_attached", events_attach(info->store_evtchn, note_store_event, 0), 0);
    expect_result("console_port_attached", events_attach(info->console.domU.evtchn, note_console_event, 0), 0);
    expect_true("server_reports_errors_in_the_page",
                (store->server_features & XENSTORE_SERVER_FEATURE_ERROR) != 0, store->server_features,
                "XENSTORE_SERVER_FEATURE_ERROR");
    return true;
}

static void check_console(void)
{
    const char *text = CONSOLE_GREETING;
    XENCONS_RING_IDX producer = console->out_prod;
    uint64_t deadline = system_time_ns() + WAIT_NS;

    for (size_t index = 0; text[index] != '\0'; index++)
        console->out[MASK_XENCONS_IDX(producer + index, console->out)] = text[index];
    __atomic_store_n(&console->out_prod, producer + (XENCONS_RING_IDX)strlen(text), __ATOMIC_RELEASE);
    expect_result("console_notified", hypercall_event_send(runtime_start_info->console.domU.evtchn), 0);
    for (;;) {
        console_event_arrived = false;
        if (__atomic_load_n(&console->out_cons, __ATOMIC_ACQUIRE) == console->out_prod ||
            !wait_for_flag_until(&console_event_arrived, deadline))
            break;
    }
    expect_true("console_output_drained_by_dom0", console->out_cons == console->out_prod, console->out_cons,
                "out_cons == out_prod");
}

/* Learns the domain's id and home from its domid node. */
static void find_home(void)
{
    const char *domid = request_string(XS_READ, "domid");

    expect_true("domid_read_by_relative_path", parse_number(domid, &own_id), 0, "a decimal domain id");
    format_string(home, sizeof(home), "/local/domain/%lu", own_id);
}

static void check_home(void)
{
    char expected[80];

    find_home();
    format_string(expected, sizeof(expected), "%s|", home);
    expect_text("get_domain_path_names_the_home", request_string(XS_GET_DOMAIN_PATH, number_text(own_id)),
                expected);
    expect_text("name_read_by_relative_path", request_string(XS_READ, "name"), "xenbus");
    format_string(expected, sizeof(expected), "%s/name", home);
    expect_text("name_read_by_absolute_path", request_string(XS_READ, expected), "xenbus");
    expect_text("static_max_in_kibibytes", request_string(XS_READ, "memory/static-max"),
                number_text(runtime_start_info->nr_pages * KIBIBYTES_PER_PAGE));
    expect_text("store_port_in_the_home", request_string(XS_READ, "store/port"),
                number_text(runtime_start_info->store_evtchn));
    expect_text("console_ring_ref_in_the_home", request_string(XS_READ, "console/ring-ref"),
                number_text(runtime_start_info->console.domU.mfn));
    expect_text("control_shutdown_is_empty", request_string(XS_READ, "control/shutdown"), "");
}

static void check_nodes(void)
{
    expect_text("write_replies_ok", write_node("data/greeting", "hello"), "OK|");
    expect_text("written_value_reads_back", request_string(XS_READ, "data/greeting"), "hello");
    expect_text("mkdir_replies_ok", request_string(XS_MKDIR, "data/empty"), "OK|");
    expect_text("directory_lists_children", request_string(XS_DIRECTORY, "data"), "greeting|empty|");
    expect_text("new_directory_reads_empty", request_string(XS_READ, "data/empty"), "");
    expect_text("rm_replies_ok", request_string(XS_RM, "data/empty"), "OK|");
    expect_text("removed_node_is_enoent", request_string(XS_READ, "data/empty"), "error ENOENT");
    expect_text("rm_of_a_missing_node_is_ok", request_string(XS_RM, "data/empty"), "OK|");
    expect_text("rm_under_a_missing_parent_is_enoent", request_string(XS_RM, "data/missing/child"),
                "error ENOENT");
    expect_text("write_creates_missing_parents", write_node("data/a/b/c", "deep"), "OK|");
    expect_text("implicit_parent_is_listed", request_string(XS_DIRECTORY, "data/a"), "b|");
}

/* SET_PERMS: the path, then each entry with its NUL (entries given as "n5|r4", '|' for NUL). */
static const char *set_permissions(const char *path, const char *entries)
{
    static char payload[TEXT_SIZE];
    size_t path_size = strlen(path) + 1, entries_size = strlen(entries) + 1;

    memcpy(payload, path, path_size);
    memcpy(payload + path_size, entries, entries_size);
    for (size_t index = path_size; index < path_size + entries_size; index++)
        payload[index] = payload[index] == '|' ? '\0' : payload[index];
    return request(XS_SET_PERMS, 0, payload, (uint32_t)(path_size + entries_size));
}

static void check_confinement(void)
{
    expect_text("reading_dom0s_home_is_eacces", request_string(XS_READ, "/local/domain/0/name"), "error EACCES");
    expect_text("writing_outside_the_home_is_eacces", write_node("/tool/x", "y"), "error EACCES");
    expect_text("listing_the_root_is_eacces", request_string(XS_DIRECTORY, "/"), "error EACCES");
    expect_text("removing_the_home_is_eacces", request_string(XS_RM, home), "error EACCES");
    expect_text("doubled_slash_is_einval", request_string(XS_READ, "data//greeting"), "error EINVAL");
}

/* Xen's per-node permissions as libxl leaves them for a domU's home (xenstore_home.h). */
static void check_own_permissions(void)
{
    char expected[80];

    format_string(expected, sizeof(expected), "n0|r%lu|", own_id);
    expect_text("get_perms_of_the_home_is_dom0s_readable_by_the_domain", request_string(XS_GET_PERMS, home),
                expected);
    format_string(expected, sizeof(expected), "n%lu|", own_id);
    expect_text("get_perms_of_data_is_the_domains", request_string(XS_GET_PERMS, "data"), expected);
    expect_text("node_for_set_perms_written", write_node("data/mine", "x"), "OK|");
    format_string(expected, sizeof(expected), "n%lu|r0", own_id);
    expect_text("set_perms_on_an_owned_node_replies_ok", set_permissions("data/mine", expected), "OK|");
    format_string(expected, sizeof(expected), "n%lu|r0|", own_id);
    expect_text("set_perms_shows_in_get_perms", request_string(XS_GET_PERMS, "data/mine"), expected);
    expect_text("set_perms_giving_a_node_away_is_eperm", set_permissions("data/mine", "n0"), "error EPERM");
    expect_text("set_perms_with_an_unknown_letter_is_einval", set_permissions("data/mine", "x0"), "error EINVAL");
    format_string(expected, sizeof(expected), "b%lu", own_id);
    expect_text("set_perms_on_the_home_is_eacces", set_permissions(home, expected), "error EACCES");
    expect_text("writing_a_node_dom0_wrote_in_the_home_is_eacces", write_node("name", "mine"), "error EACCES");
    expect_text("creating_a_node_in_the_home_itself_is_eacces", write_node("newkey", "x"), "error EACCES");
    expect_text("reading_dom0s_backend_directory_is_eacces", request_string(XS_READ, "/local/domain/0/backend"),
                "error EACCES");
    expect_text("missing_node_under_a_readable_one_is_enoent", request_string(XS_READ, "memory/missing"),
                "error ENOENT");
}

/* Reads path until it is readable (the peer is still setting it up) or PEER_WAIT_NS passed. */
static const char *read_when_readable(const char *path)
{
    uint64_t deadline = system_time_ns() + PEER_WAIT_NS;
    const char *value;

    do {
        value = request_string(XS_READ, path);
        if (strncmp(value, "error ", 6) != 0)
            return value;
        sleep_ns(PEER_PERIOD_NS);
    } while (system_time_ns() < deadline);
    return value;
}

/* Against the peer domain (its id is ours + 1): what its lists give us and what they do not. */
static void check_peer_permissions(void)
{
    char peer_home[64], path[96], event[128];
    bool only_shared = true;

    format_string(peer_home, sizeof(peer_home), "/local/domain/%lu", own_id + 1);
    format_string(path, sizeof(path), "%s/data/shared", peer_home);
    expect_true("reading_a_node_another_domain_lets_it_read",
                strncmp(read_when_readable(path), "error ", 6) != 0, 0, "the peer's value");
    format_string(path, sizeof(path), "%s/name", peer_home);
    expect_text("reading_another_domains_name_is_eacces", request_string(XS_READ, path), "error EACCES");
    format_string(path, sizeof(path), "%s/data/private", peer_home);
    expect_text("reading_another_domains_private_node_is_eacces", request_string(XS_READ, path), "error EACCES");
    format_string(path, sizeof(path), "%s/data", peer_home);
    expect_text("watch_on_another_domains_data_replies_ok", request_strings(XS_WATCH, path, "peer"), "OK|");
    format_string(event, sizeof(event), "%s|peer|", path);
    expect_text("watch_on_another_domains_data_fires_at_once", next_event(WAIT_NS), event);
    /* The peer changes its private node, then its shared one, over and over: only the shared one may be heard. */
    format_string(event, sizeof(event), "%s/shared|peer|", path);
    for (unsigned int count = 0; count < PEER_EVENTS; count++)
        only_shared = strcmp(next_event(WAIT_NS), event) == 0 && only_shared;
    expect_true("watch_hears_only_the_node_it_may_read", only_shared, 0, "shared node events only");
    expect_text("unwatch_of_another_domains_data_replies_ok", request_strings(XS_UNWATCH, path, "peer"), "OK|");
    sleep_ns(QUIET_NS);
    kept_event_count = 0;
    while (strcmp(next_event(0), "none") != 0)
        continue;
}

/* role=peer: one node of data/ readable by the domain before us, one not, both changing. */
static void serve_as_peer(void)
{
    char entries[32];
    bool all_written = true;

    expect_text("peer_writes_its_private_node", write_node("data/private", "0"), "OK|");
    expect_text("peer_writes_its_shared_node", write_node("data/shared", "0"), "OK|");
    format_string(entries, sizeof(entries), "n%lu|r%lu", own_id, own_id - 1);
    expect_text("peer_lets_its_neighbour_read_the_shared_node", set_permissions("data/shared", entries), "OK|");
    for (unsigned int round = 0; round < PEER_ROUNDS; round++) {
        all_written = strcmp(write_node("data/private", number_text(round)), "OK|") == 0 && all_written;
        all_written = strcmp(write_node("data/shared", number_text(round)), "OK|") == 0 && all_written;
        sleep_ns(PEER_PERIOD_NS);
    }
    expect_true("peer_changed_both_nodes_every_round", all_written, 0, "OK for every write");
}

static void check_watches(void)
{
    char control[64], shutdown_event[96];

    expect_text("watch_replies_ok", request_strings(XS_WATCH, "data/parent/watched", "tok"), "OK|");
    expect_text("watch_fires_at_once", next_event(WAIT_NS), "data/parent/watched|tok|");
    expect_text("write_below_the_watch", write_node("data/parent/watched/leaf", "1"), "OK|");
    expect_text("write_below_fires_the_watch", next_event(WAIT_NS), "data/parent/watched/leaf|tok|");
    /* Xen: the domain may not create nodes in the home itself (libxl's home is dom0's), so not "data". */
    expect_text("rm_of_an_ancestor", request_string(XS_RM, "data/parent"), "OK|");
    expect_text("rm_of_an_ancestor_fires_with_the_watched_path", next_event(WAIT_NS), "data/parent/watched|tok|");
    expect_text("same_watch_twice_is_eexist", request_strings(XS_WATCH, "data/parent/watched", "tok"),
                "error EEXIST");
    expect_text("unwatch_replies_ok", request_strings(XS_UNWATCH, "data/parent/watched", "tok"), "OK|");
    expect_text("write_after_unwatch", write_node("data/parent/watched", "2"), "OK|");
    expect_text("unwatched_path_fires_no_more", next_event(QUIET_NS), "none");
    expect_text("second_unwatch_is_enoent", request_strings(XS_UNWATCH, "data/parent/watched", "tok"),
                "error ENOENT");
    format_string(control, sizeof(control), "%s/control", home);
    expect_text("absolute_watch_replies_ok", request_strings(XS_WATCH, control, "abs"), "OK|");
    format_string(shutdown_event, sizeof(shutdown_event), "%s|abs|", control);
    expect_text("absolute_watch_fires_with_its_path", next_event(WAIT_NS), shutdown_event);
    expect_text("write_below_the_absolute_watch", write_node("control/shutdown", ""), "OK|");
    format_string(shutdown_event, sizeof(shutdown_event), "%s/shutdown|abs|", control);
    expect_text("absolute_watch_reports_absolute_paths", next_event(WAIT_NS), shutdown_event);
    /* Xen: do_watch checks no access, and fires once up front; what follows is filtered. */
    expect_text("watching_outside_the_home_replies_ok", request_strings(XS_WATCH, "/local/domain/0", "x"), "OK|");
    expect_text("watching_outside_the_home_fires_at_once", next_event(WAIT_NS), "/local/domain/0|x|");
    expect_text("unwatching_outside_the_home_replies_ok", request_strings(XS_UNWATCH, "/local/domain/0", "x"),
                "OK|");
}

static void check_transactions(void)
{
    const char *started = request_string(XS_TRANSACTION_START, "");
    uint64_t transaction = 0;

    expect_true("transaction_start_gives_an_id", parse_number(started, &transaction) && transaction != 0, 0,
                "a non-zero decimal id");
    expect_text("write_inside_a_transaction", write_in((uint32_t)transaction, "data/in-transaction", "1"), "OK|");
    expect_text("transaction_write_is_seen_at_once", request_string(XS_READ, "data/in-transaction"), "1");
    expect_text("transaction_end_replies_ok", request(XS_TRANSACTION_END, (uint32_t)transaction, "T", 2), "OK|");
}

static void check_limits(void)
{
    static char payload[16 + OVERSIZED_VALUE];

    memcpy(payload, "data/big", 9);
    memset(payload + 9, 'v', OVERSIZED_VALUE);
    expect_text("value_over_the_limit_is_enospc", request(XS_WRITE, 0, payload, 9 + OVERSIZED_VALUE),
                "error ENOSPC");
    expect_text("unknown_message_type_is_einval", request(999, 0, "", 0), "error EINVAL");
}

/* Gives back the pseudo-physical frames from target_pages up, which nothing maps. */
static long give_back_above(const struct guest_memory *memory, uint64_t target_pages)
{
    static uint64_t frames[ENTRIES_PER_TABLE * 4];
    uint64_t count = memory->nr_pages - target_pages;

    if (target_pages < memory->bootstrap_end_pfn || count > sizeof(frames) / sizeof(frames[0]))
        return -XEN_EINVAL;
    for (uint64_t index = 0; index < count; index++)
        frames[index] = frame_of_pfn(target_pages + index);
    return reservation_op(XENMEM_decrease_reservation, frames, count, 0, DOMID_SELF);
}

/* Linux's balloon driver, in small: watch memory/target, give back pages down to it. */
static void check_ballooning(void)
{
    uint64_t static_max = runtime_start_info->nr_pages * KIBIBYTES_PER_PAGE, target = 0;
    struct guest_memory memory;

    expect_text("memory_target_watch_replies_ok", request_strings(XS_WATCH, "memory/target", "balloon"), "OK|");
    expect_text("memory_target_watch_fires_at_once", next_event(WAIT_NS), "memory/target|balloon|");
    if (!parse_number(request_string(XS_READ, "memory/target"), &target) || target == static_max) {
        expect_text("memory_target_lowered_by_dom0", next_event(TARGET_WAIT_NS), "memory/target|balloon|");
        parse_number(request_string(XS_READ, "memory/target"), &target);
    }
    expect_true("memory_target_below_static_max", target > 0 && target < static_max, (long)target,
                "a KiB count below memory/static-max");
    expect_true("memory_layout_known", guest_memory_init(&memory), 0, "the documented start-of-day layout");
    if (target == 0 || target >= static_max)
        return;
    expect_result("pages_above_the_target_given_back", give_back_above(&memory, target / KIBIBYTES_PER_PAGE),
                  (long)(memory.nr_pages - target / KIBIBYTES_PER_PAGE));
    console_printf("xenbus_client: ballooned down to %lu pages\n", target / KIBIBYTES_PER_PAGE);
    sleep_ns(SETTLE_NS);
}

/* Last: xenstore.txt says such a connection is killed, and it is. */
static void check_malformed_message(void)
{
    struct xsd_sockmsg header = { .type = XS_READ, .req_id = ++last_request_id, .len = MALFORMED_LENGTH };
    uint64_t deadline = system_time_ns() + WAIT_NS;
    XENSTORE_RING_IDX responses = store->rsp_prod;

    expect_true("oversized_header_sent", send_bytes(&header, sizeof(header)), 0, "the ring takes it");
    for (;;) {
        store_event_arrived = false;
        if (__atomic_load_n(&store->error, __ATOMIC_ACQUIRE) != XENSTORE_ERROR_NONE ||
            !wait_for_flag_until(&store_event_arrived, deadline))
            break;
    }
    expect_result("oversized_message_breaks_the_connection", store->error, XENSTORE_ERROR_PROTO);
    expect_result("oversized_message_gets_no_reply", store->rsp_prod - responses, 0);
}

static bool is_peer(void)
{
    char role[16];

    return command_line_find((const char *)runtime_start_info->cmd_line, "role", role, sizeof(role)) &&
           strcmp(role, "peer") == 0;
}

void run_tests(void)
{
    if (!find_rings())
        return;
    if (is_peer()) {
        find_home();
        serve_as_peer();
        return;
    }
    check_console();
    check_home();
    check_nodes();
    check_confinement();
    check_own_permissions();
    check_peer_permissions();
    check_watches();
    check_transactions();
    check_limits();
    check_ballooning();
    check_malformed_message();
}
