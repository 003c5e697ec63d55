/*
 * dom0's backends for one domU (see domain_backends.h): its event
 * channels, its two ring pages mapped into dom0, its xenstore home, and
 * the xenstore server and console backend serving it.  The slots' ring
 * windows and which backends are connected in each slot live here.
 */
#include <stdint.h>
#include <pvmon/format.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/console_input.h>
#include <runtime/events.h>
#include <runtime/runtime.h>
#include <backend/console_backend.h>
#include "block_device.h"
#include "direct_map.h"
#include "domain_backends.h"
#include <tools/xenstored/xenstore_home.h>
#include <tools/xenstored/xenstore_server.h>
#include <tools/xenstored/xenstore_store.h>

#define RING_PAGE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_NO_EXECUTE)
#define STORE_WINDOW 0
#define CONSOLE_WINDOW 1

/* Per slot: the pages its xenstore and console rings are mapped over. */
static uint8_t ring_windows[DOMAIN_BACKENDS_SLOTS][2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
/* Per slot: the backends connected there, if any. */
static struct domain_backends *connected_backends[DOMAIN_BACKENDS_SLOTS];
static volatile bool backend_event_pending;
static volatile bool domain_exception_pending;
static volatile uint64_t domain_exception_events;
static evtchn_port_t domain_exception_port; /* 0: VIRQ_DOM_EXC not bound yet */

/* --- event channels ---------------------------------------------------- */

static void note_backend_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    backend_event_pending = true;
}

/* VIRQ_DOM_EXC: a domain has shut down or crashed, or a destroyed one is gone. */
static void note_domain_exception(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    domain_exception_events = domain_exception_events + 1;
    domain_exception_pending = true;
    backend_event_pending = true;
}

/* Once per boot (the toolstack and xl both start here): a second bind would be -EEXIST. */
static int bind_domain_exceptions(void)
{
    int result;

    if (domain_exception_port != 0)
        return 0;
    result = events_bind_virq(VIRQ_DOM_EXC, note_domain_exception, NULL, &domain_exception_port);
    if (result != 0)
        console_printf("toolstack: binding VIRQ_DOM_EXC failed: %d\n", result);
    return result;
}

/* A port of the domain, unbound, for dom0 to bind later. */
static long allocate_port(const struct domain_backends *backends, const char *what, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound allocation = { .dom = backends->domain, .remote_dom = 0 };
    long result = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &allocation);

    if (result != 0) {
        console_printf("toolstack: %s: allocating its %s port failed: %ld\n", backends->domain_name, what, result);
        return result;
    }
    *port = allocation.port;
    return 0;
}

/* Binds dom0's end of the ring's port and lets its events wake the watch loop. */
static long bind_port(uint16_t domain, struct backend_ring *ring)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = domain, .remote_port = ring->remote_port };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bind);

    if (result != 0)
        return result;
    ring->local_port = bind.local_port;
    return events_attach(ring->local_port, note_backend_event, NULL);
}

static void close_port(const struct domain_backends *backends, struct backend_ring *ring)
{
    long result;

    if (ring->local_port == 0)
        return;
    events_detach(ring->local_port);
    result = hypercall_event_close(ring->local_port);
    if (result != 0)
        console_printf("toolstack: %s (domain %u): closing port %u failed: %ld\n", backends->domain_name,
                       backends->domain, ring->local_port, result);
    ring->local_port = 0;
}

static void notify(const struct domain_backends *backends, const struct backend_ring *ring)
{
    long result = hypercall_event_send(ring->local_port);

    if (result != 0)
        console_printf("toolstack: %s (domain %u): notifying port %u failed: %ld\n", backends->domain_name,
                       backends->domain, ring->local_port, result);
}

/* --- ring pages ---------------------------------------------------------- */

static long map_ring(uint16_t domain, struct backend_ring *ring)
{
    long result = hypercall_update_va_mapping_otherdomain((unsigned long)ring->window,
                                                          ring->frame << PAGE_SHIFT | RING_PAGE_FLAGS, UVMF_INVLPG,
                                                          domain);

    ring->mapped = result == 0;
    return result;
}

/* Maps dom0's own frame back over the window. */
static void unmap_ring(const struct domain_backends *backends, struct backend_ring *ring)
{
    long result;

    if (!ring->mapped)
        return;
    result = hypercall_update_va_mapping((unsigned long)ring->window,
                                         runtime_machine_address(ring->window) | RING_PAGE_FLAGS, UVMF_INVLPG);
    if (result != 0) {
        console_printf("toolstack: %s (domain %u): unmapping ring frame %#lx failed: %ld\n", backends->domain_name,
                       backends->domain, ring->frame, result);
        return;
    }
    ring->mapped = false;
}

/* --- xenstore homes ------------------------------------------------------- */

static int write_home_text(uint16_t domain, const char *key, const char *value)
{
    char path[XENSTORE_PATH_SIZE];

    format_string(path, sizeof(path), "/local/domain/%u/%s", domain, key);
    return xenstore_store_write_string(0, path, value);
}

static int write_home_number(uint16_t domain, const char *key, uint64_t value)
{
    char text[24];

    format_string(text, sizeof(text), "%lu", value);
    return write_home_text(domain, key, text);
}

static int write_dom0_home(void)
{
    int result;

    if ((result = write_home_text(0, "name", "Domain-0")) != 0 || (result = write_home_number(0, "domid", 0)) != 0)
        return result;
    return 0;
}

static int write_domain_home(const struct domain_backends *backends)
{
    uint16_t id = backends->domain;
    int result;

    if ((result = xenstore_home_create(id)) != 0 ||
        (result = write_home_text(id, "name", backends->domain_name)) != 0 ||
        (result = write_home_number(id, "domid", id)) != 0 ||
        (result = write_home_number(id, "memory/static-max", backends->memory_kibibytes)) != 0 ||
        (result = write_home_number(id, "memory/target", backends->memory_kibibytes)) != 0 ||
        (result = write_home_number(id, "store/ring-ref", backends->store.frame)) != 0 ||
        (result = write_home_number(id, "store/port", backends->store.remote_port)) != 0 ||
        (result = write_home_number(id, "console/ring-ref", backends->console.frame)) != 0 ||
        (result = write_home_number(id, "console/port", backends->console.remote_port)) != 0)
        return result;
    return 0;
}

static void remove_domain_home(const struct domain_backends *backends)
{
    char home[XENSTORE_PATH_SIZE];
    int result;

    xenstore_path_home(backends->domain, home);
    result = xenstore_store_remove(0, home);
    if (result != 0)
        console_printf("toolstack: %s (domain %u): removing %s failed: %d\n", backends->domain_name,
                       backends->domain, home, result);
}

/* --- the xenstore server's and console backend's callbacks ---------------- */

static void notify_store(void *context)
{
    const struct domain_backends *backends = context;

    notify(backends, &backends->store);
}

static void report_store(void *context, const char *what)
{
    const struct domain_backends *backends = context;

    console_printf("toolstack: %s (domain %u): xenstore: %s\n", backends->domain_name, backends->domain, what);
}

static void print_console_line(const char *line, void *context)
{
    const struct domain_backends *backends = context;

    console_printf("console d%u: %s\n", backends->domain, line);
}

/* --- a domain's backends -------------------------------------------------- */

int domain_backends_init(const struct start_info *start_info)
{
    int result = bind_domain_exceptions();

    if (result != 0)
        return result;
    xenstore_server_init();
    block_device_set_wakeup_flag(&backend_event_pending); /* a disk's interrupt wakes the watch loop too */
    console_input_set_wakeup_flag(&backend_event_pending); /* and typing (VIRQ_CONSOLE), once xl binds it */
    blkback_dom0_init(&backend_event_pending, start_info);
    netback_dom0_init(&backend_event_pending); /* which reports its failure: the vifs are refused then */
    result = write_dom0_home();
    if (result != 0)
        console_printf("toolstack: writing dom0's xenstore home failed: %d\n", result);
    return result;
}

void domain_backends_prepare(struct domain_backends *backends, unsigned int slot, const char *domain_name,
                             uint64_t memory_kibibytes)
{
    *backends = (struct domain_backends) {
        .slot = slot,
        .domain_name = domain_name,
        .memory_kibibytes = memory_kibibytes,
        .store.window = ring_windows[slot][STORE_WINDOW],
        .console.window = ring_windows[slot][CONSOLE_WINDOW],
    };
}

void domain_backends_set_disks(struct domain_backends *backends, const struct disk_spec *disks, unsigned int count)
{
    backends->disks = disks;
    backends->disk_count = count;
}

void domain_backends_set_vifs(struct domain_backends *backends, const struct vif_spec *vifs, unsigned int count)
{
    backends->vif_specs = vifs;
    backends->vif_count = count;
}

long domain_backends_allocate_ports(struct domain_backends *backends, uint16_t domain)
{
    long result;

    backends->domain = domain;
    if ((result = allocate_port(backends, "xenstore", &backends->store.remote_port)) != 0 ||
        (result = allocate_port(backends, "console", &backends->console.remote_port)) != 0)
        return result;
    return 0;
}

/* The steps of domain_backends_connect, which reports their failure. */
static long connect_rings(struct domain_backends *backends)
{
    struct xenstore_client client = { .notify = notify_store, .report = report_store, .context = backends };
    uint16_t domain = backends->domain;
    long result;

    if ((result = map_ring(domain, &backends->store)) != 0 || (result = map_ring(domain, &backends->console)) != 0 ||
        (result = bind_port(domain, &backends->store)) != 0 || (result = bind_port(domain, &backends->console)) != 0 ||
        (result = xenstore_server_connect(domain, (struct xenstore_domain_interface *)backends->store.window,
                                          &client)) != 0)
        return result;
    backends->store_connected = true;
    console_backend_connect(&backends->console_output, (struct xencons_interface *)backends->console.window,
                            print_console_line, backends);
    backends->console_connected = true;
    return write_domain_home(backends);
}

/* Each disk line's vbd: nodes written, backend in InitWait. */
static long connect_disks(struct domain_backends *backends)
{
    for (unsigned int index = 0; index < backends->disk_count; index++) {
        int result = blkback_dom0_connect(backends->domain, &backends->disks[index], &backends->vbds[index]);

        if (result != 0)
            return result;
    }
    return 0;
}

static void disconnect_disks(struct domain_backends *backends)
{
    for (unsigned int index = 0; index < backends->disk_count; index++) {
        if (backends->vbds[index] != NULL)
            blkback_dom0_disconnect(backends->vbds[index]);
        backends->vbds[index] = NULL;
    }
}

/* Each vif line's vif: nodes written, backend in InitWait, on the bridge. */
static long connect_vifs(struct domain_backends *backends)
{
    for (unsigned int index = 0; index < backends->vif_count; index++) {
        int result = netback_dom0_connect(backends->domain, &backends->vif_specs[index], &backends->vifs[index]);

        if (result != 0)
            return result;
    }
    return 0;
}

static void disconnect_vifs(struct domain_backends *backends)
{
    for (unsigned int index = 0; index < backends->vif_count; index++) {
        if (backends->vifs[index] != NULL)
            netback_dom0_disconnect(backends->vifs[index]);
        backends->vifs[index] = NULL;
    }
}

long domain_backends_connect(struct domain_backends *backends, const struct domain_ring_frames *frames)
{
    long result;

    backends->connect_started = true;
    connected_backends[backends->slot] = backends;
    backends->store.frame = frames->store;
    backends->console.frame = frames->console;
    result = connect_rings(backends);
    if (result == 0)
        result = connect_disks(backends);
    if (result == 0)
        result = connect_vifs(backends);
    if (result != 0)
        console_printf("toolstack: %s: connecting its backends failed: %ld\n", backends->domain_name, result);
    return result;
}

void domain_backends_disconnect(struct domain_backends *backends)
{
    if (!backends->connect_started)
        return;
    if (backends->console_connected) {
        console_backend_drain(&backends->console_output);
        console_backend_flush(&backends->console_output);
        backends->console_connected = false;
    }
    if (backends->store_connected) {
        xenstore_server_disconnect(backends->domain);
        backends->store_connected = false;
    }
    close_port(backends, &backends->store);
    close_port(backends, &backends->console);
    unmap_ring(backends, &backends->store);
    unmap_ring(backends, &backends->console);
    disconnect_disks(backends);
    disconnect_vifs(backends);
    remove_domain_home(backends);
    xenstore_store_release_domain(backends->domain);
    connected_backends[backends->slot] = NULL;
    backends->connect_started = false;
}

void domain_backends_wait_until(uint64_t deadline_ns)
{
    wait_for_flag_until(&backend_event_pending, deadline_ns);
}

bool domain_backends_take_domain_exception(void)
{
    return __atomic_exchange_n(&domain_exception_pending, false, __ATOMIC_SEQ_CST);
}

uint64_t domain_backends_domain_exception_count(void)
{
    return domain_exception_events;
}

void domain_backends_service(void)
{
    backend_event_pending = false;
    for (unsigned int slot = 0; slot < DOMAIN_BACKENDS_SLOTS; slot++) {
        struct domain_backends *backends = connected_backends[slot];

        if (backends != NULL && backends->console_connected && console_backend_drain(&backends->console_output))
            notify(backends, &backends->console);
    }
    if (xenstore_server_service())
        backend_event_pending = true;
    if (blkback_dom0_service())
        backend_event_pending = true;
    if (netback_dom0_service())
        backend_event_pending = true;
}

uint32_t domain_backends_write_console_input(struct domain_backends *backends, const char *bytes, uint32_t length)
{
    uint32_t written;

    if (!backends->console_connected)
        return 0;
    written = console_backend_write_input(&backends->console_output, bytes, length);
    if (written > 0)
        notify(backends, &backends->console);
    return written;
}

int domain_backends_set_memory_target(struct domain_backends *backends, uint64_t kibibytes)
{
    int result = write_home_number(backends->domain, "memory/target", kibibytes);

    if (result != 0)
        console_printf("toolstack: %s (domain %u): writing memory/target failed: %d\n", backends->domain_name,
                       backends->domain, result);
    return result;
}
