/*
 * dom0's toolstack (see toolstack.h).  For each scenario of the
 * "domains" file it builds every domain the way xl does, in the steps of
 * pvmon's domain_control hypercall (hypercall/public/domain_control.h):
 * create (paused, with its weight), set_memory, two ports of the new
 * domain allocated unbound for dom0 (EVTCHNOP_alloc_unbound: its xenstore
 * and console event channels), load (the kernel image, and the domain's
 * own ramdisk if the file names one, straight from dom0's ramdisk, which
 * is mapped in dom0's initial mapping; the builder names the two ports and
 * the two ring pages in the domain's start_info and tells us the pages'
 * machine frames), then it connects the domain's backends and writes its
 * xenstore home; once all are built, unpause.  Then it watches them with
 * get_info, sleeping between checks (one-shot timer and SCHEDOP_block)
 * unless a backend event wakes it, serving the rings, setting memory
 * targets when the file says so, until all have shut down or crashed, or
 * the scenario's deadline passes and the rest are destroyed.  It reports
 * each domain's end: state, shutdown reason, CPU time and its share of
 * the time the scenario took, and at the end a summary table of every
 * scenario.
 *
 * The backends, the jobs of xenstored and xenconsoled in Xen's dom0:
 *   - each ring page is mapped over a page of dom0's own (ring_windows,
 *     in dom0's initial mapping, so its L1 entry exists) with
 *     update_va_mapping_otherdomain; unmapping maps dom0's own frame
 *     there again, so those pages keep the direct map's rule
 *     (direct_map.h) whenever no domain is using them;
 *   - dom0 binds its end of each port (EVTCHNOP_bind_interdomain); an
 *     event only sets a flag, and the rings are served from the watch
 *     loop: the xenstore server (xenstore_server.h) and the console
 *     backend (console_backend.h), whose lines appear as
 *     "console d<id>: <line>";
 *   - the domain's xenstore home, /local/domain/<id>, is filled in as
 *     libxl does it: name, domid, memory/static-max and memory/target (in
 *     KiB), an empty control/shutdown, empty device/ and data/, and where
 *     its rings are (store/ and console/: ring-ref, port);
 *   - when the domain ends, its console is drained one last time, its
 *     connection and ports are closed, its rings unmapped (the hypervisor
 *     keeps a foreign-mapped frame alive until then) and its home removed.
 * A domain whose memory target is set has its page count reported when
 * it changes, at most once a second, so that ballooning shows in the log.
 */
#include <stdint.h>
#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/sched.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include <runtime/runtime.h>
#include "console_backend.h"
#include "direct_map.h"
#include "domain_config.h"
#include "ramdisk.h"
#include "toolstack.h"
#include "xenstore_server.h"
#include "xenstore_store.h"

#define CONFIG_FILE_NAME "domains"
#define PAGES_PER_MEBIBYTE 256
#define KIBIBYTES_PER_MEBIBYTE 1024
#define KIBIBYTES_PER_PAGE 4
#define WATCH_PERIOD_NS (20 * NANOSECONDS_PER_MILLISECOND)
#define PAGE_REPORT_PERIOD_NS NANOSECONDS_PER_SECOND
#define RING_PAGE_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_NO_EXECUTE)
#define STORE_WINDOW 0
#define CONSOLE_WINDOW 1

enum domain_end {
    END_NOT_STARTED,  /* it could not be built */
    END_RUNNING,      /* still running */
    END_FINISHED,     /* shut down or crashed on its own */
    END_DESTROYED,    /* still running at the deadline: destroyed */
};

/* dom0's end of one of a domU's rings. */
struct ring_end {
    uint8_t *window;           /* where dom0 maps the ring page */
    evtchn_port_t remote_port; /* the domU's port */
    evtchn_port_t local_port;  /* dom0's port bound to it; 0: not bound */
    uint64_t frame;            /* the ring page's machine frame */
    bool mapped;
};

struct domain_run {
    const struct domain_spec *spec;
    uint16_t id;
    bool built;
    enum domain_end end;
    struct pvmon_domain_info info; /* as last seen */
    uint64_t elapsed_ns;           /* from unpause to the end */
    bool backends_started;         /* something may be left to disconnect */
    bool store_connected;
    bool console_connected;
    struct ring_end store;
    struct ring_end console;
    struct console_backend console_output;
    unsigned int memory_targets_set;
    uint64_t reported_pages;
    uint64_t next_page_report_ns;
};

struct scenario_run {
    const struct scenario_spec *spec;
    struct domain_run domains[CONFIG_MAX_DOMAINS];
};

static struct domain_config config;
static struct scenario_run runs[CONFIG_MAX_SCENARIOS];
/* Per domain of a scenario: the pages its xenstore and console rings are mapped over. */
static uint8_t ring_windows[CONFIG_MAX_DOMAINS][2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile bool backend_event_pending;

bool toolstack_has_work(const struct start_info *start_info)
{
    struct boot_archive_member file;

    return ramdisk_find(start_info, CONFIG_FILE_NAME, &file);
}

/* --- domain_control --------------------------------------------------- */

static struct pvmon_domain_control request_for(uint32_t command, uint16_t domain)
{
    return (struct pvmon_domain_control) {
        .command = command,
        .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
        .domain = domain,
    };
}

static long domain_command(uint32_t command, uint16_t domain)
{
    struct pvmon_domain_control request = request_for(command, domain);

    return hypercall_domain_control(&request);
}

static long create_domain(uint32_t weight, uint16_t *domain)
{
    struct pvmon_domain_control request = request_for(PVMON_DOMAIN_CONTROL_create, 0);
    long result;

    request.u.create.weight = weight;
    result = hypercall_domain_control(&request);
    if (result == 0)
        *domain = request.domain;
    return result;
}

static long set_memory(uint16_t domain, uint64_t pages)
{
    struct pvmon_domain_control request = request_for(PVMON_DOMAIN_CONTROL_set_memory, domain);

    request.u.set_memory.pages = pages;
    return hypercall_domain_control(&request);
}

/* ramdisk may be NULL: no module.  Gives the domain the run's ports; learns its ring frames. */
static long load_kernel(struct domain_run *run, const struct boot_archive_member *kernel,
                        const struct boot_archive_member *ramdisk)
{
    struct pvmon_domain_control request = request_for(PVMON_DOMAIN_CONTROL_load, run->id);
    long result;

    request.u.load.kernel_address = (uint64_t)kernel->data;
    request.u.load.kernel_size = kernel->size;
    if (ramdisk != NULL) {
        request.u.load.module_address = (uint64_t)ramdisk->data;
        request.u.load.module_size = ramdisk->size;
    }
    request.u.load.command_line_address = (uint64_t)run->spec->command_line;
    request.u.load.store_event_channel = run->store.remote_port;
    request.u.load.console_event_channel = run->console.remote_port;
    result = hypercall_domain_control(&request);
    if (result != 0)
        return result;
    run->store.frame = request.u.load.store_frame;
    run->console.frame = request.u.load.console_frame;
    return run->store.frame != 0 && run->console.frame != 0 ? 0 : -XEN_EINVAL;
}

/* Returns 0 with *info for exactly this domain, or -XEN_ESRCH if it is gone. */
static long get_info(uint16_t domain, struct pvmon_domain_info *info)
{
    struct pvmon_domain_control request = request_for(PVMON_DOMAIN_CONTROL_get_info, domain);
    long result = hypercall_domain_control(&request);

    if (result != 0)
        return result;
    if (request.u.info.domain != domain)
        return -XEN_ESRCH;
    *info = request.u.info;
    return 0;
}

/* --- event channels ---------------------------------------------------- */

static void note_backend_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    backend_event_pending = true;
}

/* A port of domain, unbound, for dom0 to bind later. */
static long allocate_port(uint16_t domain, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound allocation = { .dom = domain, .remote_dom = 0 };
    long result = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &allocation);

    if (result == 0)
        *port = allocation.port;
    return result;
}

/* Binds dom0's end of the ring's port and lets its events wake the watch loop. */
static long bind_port(uint16_t domain, struct ring_end *end)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = domain, .remote_port = end->remote_port };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bind);

    if (result != 0)
        return result;
    end->local_port = bind.local_port;
    return events_attach(end->local_port, note_backend_event, NULL);
}

static void close_port(const struct domain_run *run, struct ring_end *end)
{
    long result;

    if (end->local_port == 0)
        return;
    events_detach(end->local_port);
    result = hypercall_event_close(end->local_port);
    if (result != 0)
        console_printf("toolstack: %s (domain %u): closing port %u failed: %ld\n", run->spec->name, run->id,
                       end->local_port, result);
    end->local_port = 0;
}

static void notify(const struct domain_run *run, const struct ring_end *end)
{
    long result = hypercall_event_send(end->local_port);

    if (result != 0)
        console_printf("toolstack: %s (domain %u): notifying port %u failed: %ld\n", run->spec->name, run->id,
                       end->local_port, result);
}

/* --- ring pages ---------------------------------------------------------- */

static long map_ring(uint16_t domain, struct ring_end *end)
{
    long result = hypercall_update_va_mapping_otherdomain((unsigned long)end->window,
                                                          end->frame << PAGE_SHIFT | RING_PAGE_FLAGS, UVMF_INVLPG,
                                                          domain);

    end->mapped = result == 0;
    return result;
}

/* Maps dom0's own frame back over the window. */
static void unmap_ring(const struct domain_run *run, struct ring_end *end)
{
    long result;

    if (!end->mapped)
        return;
    result = hypercall_update_va_mapping((unsigned long)end->window,
                                         runtime_machine_address(end->window) | RING_PAGE_FLAGS, UVMF_INVLPG);
    if (result != 0) {
        console_printf("toolstack: %s (domain %u): unmapping ring frame %#lx failed: %ld\n", run->spec->name,
                       run->id, end->frame, result);
        return;
    }
    end->mapped = false;
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

static int make_home_directory(uint16_t domain, const char *key)
{
    char path[XENSTORE_PATH_SIZE];

    format_string(path, sizeof(path), "/local/domain/%u/%s", domain, key);
    return xenstore_store_mkdir(0, path);
}

static int write_dom0_home(void)
{
    int result;

    if ((result = write_home_text(0, "name", "Domain-0")) != 0 || (result = write_home_number(0, "domid", 0)) != 0)
        return result;
    return 0;
}

static int write_domain_home(const struct domain_run *run)
{
    uint64_t kibibytes = run->spec->memory_mebibytes * KIBIBYTES_PER_MEBIBYTE;
    uint16_t id = run->id;
    int result;

    if ((result = write_home_text(id, "name", run->spec->name)) != 0 ||
        (result = write_home_number(id, "domid", id)) != 0 ||
        (result = write_home_number(id, "memory/static-max", kibibytes)) != 0 ||
        (result = write_home_number(id, "memory/target", kibibytes)) != 0 ||
        (result = write_home_text(id, "control/shutdown", "")) != 0 ||
        (result = make_home_directory(id, "device")) != 0 || (result = make_home_directory(id, "data")) != 0 ||
        (result = write_home_number(id, "store/ring-ref", run->store.frame)) != 0 ||
        (result = write_home_number(id, "store/port", run->store.remote_port)) != 0 ||
        (result = write_home_number(id, "console/ring-ref", run->console.frame)) != 0 ||
        (result = write_home_number(id, "console/port", run->console.remote_port)) != 0)
        return result;
    return 0;
}

static void remove_domain_home(const struct domain_run *run)
{
    char home[XENSTORE_PATH_SIZE];
    int result;

    xenstore_path_home(run->id, home);
    result = xenstore_store_remove(0, home);
    if (result != 0)
        console_printf("toolstack: %s (domain %u): removing %s failed: %d\n", run->spec->name, run->id, home,
                       result);
}

/* --- a domain's backends -------------------------------------------------- */

static void notify_store(void *context)
{
    struct domain_run *run = context;

    notify(run, &run->store);
}

static void report_store(void *context, const char *what)
{
    const struct domain_run *run = context;

    console_printf("toolstack: %s (domain %u): xenstore: %s\n", run->spec->name, run->id, what);
}

static void print_console_line(const char *line, void *context)
{
    const struct domain_run *run = context;

    console_printf("console d%u: %s\n", run->id, line);
}

static long connect_backends(struct domain_run *run)
{
    struct xenstore_client client = { .notify = notify_store, .report = report_store, .context = run };
    long result;

    run->backends_started = true;
    if ((result = map_ring(run->id, &run->store)) != 0 || (result = map_ring(run->id, &run->console)) != 0 ||
        (result = bind_port(run->id, &run->store)) != 0 || (result = bind_port(run->id, &run->console)) != 0 ||
        (result = xenstore_server_connect(run->id, (struct xenstore_domain_interface *)run->store.window,
                                          &client)) != 0)
        return result;
    run->store_connected = true;
    console_backend_connect(&run->console_output, (struct xencons_interface *)run->console.window,
                            print_console_line, run);
    run->console_connected = true;
    return write_domain_home(run);
}

/* Undoes whatever connect_backends did; the console gets drained one last time. */
static void disconnect_backends(struct domain_run *run)
{
    if (!run->backends_started)
        return;
    if (run->console_connected) {
        console_backend_drain(&run->console_output);
        console_backend_flush(&run->console_output);
        run->console_connected = false;
    }
    if (run->store_connected) {
        xenstore_server_disconnect(run->id);
        run->store_connected = false;
    }
    close_port(run, &run->store);
    close_port(run, &run->console);
    unmap_ring(run, &run->store);
    unmap_ring(run, &run->console);
    remove_domain_home(run);
    run->backends_started = false;
}

/* Serves every ring once; leaves the flag set if the xenstore has requests left. */
static void service_backends(struct scenario_run *scenario)
{
    backend_event_pending = false;
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->console_connected && console_backend_drain(&run->console_output))
            notify(run, &run->console);
    }
    if (xenstore_server_service())
        backend_event_pending = true;
}

/* --- memory targets (ballooning) ------------------------------------------ */

static void set_memory_target(struct domain_run *run, uint64_t mebibytes)
{
    uint64_t kibibytes = mebibytes * KIBIBYTES_PER_MEBIBYTE;
    int result = write_home_number(run->id, "memory/target", kibibytes);

    if (result != 0) {
        console_printf("toolstack: %s (domain %u): writing memory/target failed: %d\n", run->spec->name, run->id,
                       result);
        return;
    }
    console_printf("toolstack: %s (domain %u): memory/target set to %lu KiB (%lu pages); it has %lu pages\n",
                   run->spec->name, run->id, kibibytes, kibibytes / KIBIBYTES_PER_PAGE, run->info.pages);
    run->reported_pages = run->info.pages;
    run->next_page_report_ns = 0;
}

static uint64_t memory_target_time_ns(const struct domain_run *run, uint64_t started_ns)
{
    return started_ns + run->spec->memory_targets[run->memory_targets_set].seconds * NANOSECONDS_PER_SECOND;
}

static bool memory_target_pending(const struct domain_run *run)
{
    return run->end == END_RUNNING && run->store_connected &&
           run->memory_targets_set < run->spec->memory_target_count;
}

static void set_memory_targets_due(struct scenario_run *scenario, uint64_t started_ns)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        while (memory_target_pending(run) && memory_target_time_ns(run, started_ns) <= system_time_ns()) {
            set_memory_target(run, run->spec->memory_targets[run->memory_targets_set].mebibytes);
            run->memory_targets_set++;
        }
    }
}

/* When the watch loop must look again: the next check, target or the deadline. */
static uint64_t next_wake_ns(const struct scenario_run *scenario, uint64_t started_ns, uint64_t deadline_ns)
{
    uint64_t wake_ns = system_time_ns() + WATCH_PERIOD_NS;

    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        const struct domain_run *run = &scenario->domains[index];

        if (memory_target_pending(run) && memory_target_time_ns(run, started_ns) < wake_ns)
            wake_ns = memory_target_time_ns(run, started_ns);
    }
    return wake_ns < deadline_ns ? wake_ns : deadline_ns;
}

/* After a memory target, a change of the domain's pages is reported, at most once a second. */
static void report_pages(struct domain_run *run)
{
    uint64_t now_ns;

    if (run->memory_targets_set == 0 || run->info.pages == run->reported_pages)
        return;
    now_ns = system_time_ns();
    if (now_ns < run->next_page_report_ns)
        return;
    console_printf("toolstack: %s (domain %u) has %lu pages\n", run->spec->name, run->id, run->info.pages);
    run->reported_pages = run->info.pages;
    run->next_page_report_ns = now_ns + PAGE_REPORT_PERIOD_NS;
}

/* --- one scenario ----------------------------------------------------- */

static long build_step(const struct domain_spec *spec, const char *step, long result)
{
    if (result != 0)
        console_printf("toolstack: %s: %s failed: %ld\n", spec->name, step, result);
    return result;
}

static void build_domain(const struct start_info *start_info, struct domain_run *run)
{
    const struct domain_spec *spec = run->spec;
    struct boot_archive_member kernel, ramdisk;
    bool has_ramdisk = spec->ramdisk_file[0] != '\0';

    if (!ramdisk_find(start_info, spec->kernel_file, &kernel)) {
        console_printf("toolstack: %s: no kernel '%s' in the ramdisk\n", spec->name, spec->kernel_file);
        return;
    }
    if (has_ramdisk && !ramdisk_find(start_info, spec->ramdisk_file, &ramdisk)) {
        console_printf("toolstack: %s: no file '%s' in the ramdisk\n", spec->name, spec->ramdisk_file);
        return;
    }
    if (build_step(spec, "create", create_domain(spec->weight, &run->id)) != 0)
        return;
    if (build_step(spec, "set_memory", set_memory(run->id, spec->memory_mebibytes * PAGES_PER_MEBIBYTE)) != 0 ||
        build_step(spec, "allocating its xenstore port", allocate_port(run->id, &run->store.remote_port)) != 0 ||
        build_step(spec, "allocating its console port", allocate_port(run->id, &run->console.remote_port)) != 0 ||
        build_step(spec, "load", load_kernel(run, &kernel, has_ramdisk ? &ramdisk : NULL)) != 0 ||
        build_step(spec, "connecting its backends", connect_backends(run)) != 0) {
        disconnect_backends(run);
        domain_command(PVMON_DOMAIN_CONTROL_destroy, run->id);
        return;
    }
    run->built = true;
    console_printf("toolstack: %s is domain %u: %s, %lu MiB, weight %u, '%s'\n", spec->name, run->id,
                   spec->kernel_file, spec->memory_mebibytes, spec->weight, spec->command_line);
}

static bool has_ended(const struct pvmon_domain_info *info)
{
    return info->state == PVMON_DOMAIN_STATE_shutdown || info->state == PVMON_DOMAIN_STATE_crashed;
}

/* Looks at every running domain once; returns how many are still running. */
static unsigned int watch_once(struct scenario_run *scenario, uint64_t started_ns)
{
    unsigned int running = 0;

    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->end != END_RUNNING)
            continue;
        if (get_info(run->id, &run->info) != 0) {
            console_printf("toolstack: %s (domain %u) vanished\n", run->spec->name, run->id);
            run->end = END_FINISHED;
        } else if (has_ended(&run->info)) {
            run->end = END_FINISHED;
        } else {
            report_pages(run);
            running++;
            continue;
        }
        run->elapsed_ns = system_time_ns() - started_ns;
        disconnect_backends(run);
    }
    return running;
}

static void destroy_at_deadline(struct scenario_run *scenario, uint64_t started_ns)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->end != END_RUNNING)
            continue;
        get_info(run->id, &run->info);
        run->elapsed_ns = system_time_ns() - started_ns;
        run->end = END_DESTROYED;
        disconnect_backends(run);
        console_printf("toolstack: %s (domain %u) still running after %lu s: destroying it\n", run->spec->name,
                       run->id, scenario->spec->deadline_seconds);
    }
}

static void destroy_all(struct scenario_run *scenario)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];
        long result;

        if (!run->built)
            continue;
        disconnect_backends(run);
        result = domain_command(PVMON_DOMAIN_CONTROL_destroy, run->id);
        if (result != 0)
            console_printf("toolstack: destroying %s (domain %u) failed: %ld\n", run->spec->name, run->id, result);
    }
}

static void start_all(struct scenario_run *scenario)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];
        long result;

        if (!run->built)
            continue;
        result = domain_command(PVMON_DOMAIN_CONTROL_unpause, run->id);
        if (result == 0)
            run->end = END_RUNNING;
        else
            console_printf("toolstack: %s: unpause failed: %ld\n", run->spec->name, result);
    }
}

/* --- reporting -------------------------------------------------------- */

static const char *state_name(const struct domain_run *run)
{
    switch (run->end) {
    case END_NOT_STARTED:
        return "not-started";
    case END_DESTROYED:
        return "destroyed";
    default:
        break;
    }
    switch (run->info.state) {
    case PVMON_DOMAIN_STATE_paused:
        return "paused";
    case PVMON_DOMAIN_STATE_running:
        return "running";
    case PVMON_DOMAIN_STATE_shutdown:
        return "shutdown";
    case PVMON_DOMAIN_STATE_crashed:
        return "crashed";
    default:
        return "unknown";
    }
}

static const char *reason_name(const struct domain_run *run)
{
    if (run->end != END_FINISHED || run->info.state != PVMON_DOMAIN_STATE_shutdown)
        return "-";
    switch (run->info.shutdown_reason) {
    case SHUTDOWN_poweroff:
        return "poweroff";
    case SHUTDOWN_reboot:
        return "reboot";
    case SHUTDOWN_suspend:
        return "suspend";
    case SHUTDOWN_crash:
        return "crash";
    case SHUTDOWN_watchdog:
        return "watchdog";
    default:
        return "other";
    }
}

/* The domain's CPU time over its elapsed time, in tenths of a percent. */
static uint64_t share_permille(const struct domain_run *run)
{
    if (run->elapsed_ns == 0)
        return 0;
    return run->info.cpu_time_ns * 1000 / run->elapsed_ns;
}

static void print_table_header(void)
{
    console_printf("toolstack: %-20s %-14s %-4s %-11s %-9s %8s %10s %7s\n", "scenario", "domain", "id", "state",
                   "reason", "cpu-ms", "elapsed-ms", "share");
}

static void print_domain_row(const struct scenario_run *scenario, const struct domain_run *run)
{
    uint64_t share = share_permille(run);

    console_printf("toolstack: %-20s %-14s %-4u %-11s %-9s %8lu %10lu %5lu.%lu%%\n", scenario->spec->name,
                   run->spec->name, run->id, state_name(run), reason_name(run),
                   run->info.cpu_time_ns / NANOSECONDS_PER_MILLISECOND, run->elapsed_ns / NANOSECONDS_PER_MILLISECOND,
                   share / 10, share % 10);
}

static void print_scenario(const struct scenario_run *scenario)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++)
        print_domain_row(scenario, &scenario->domains[index]);
}

static void run_scenario(const struct start_info *start_info, struct scenario_run *scenario)
{
    uint64_t started_ns, deadline_ns;

    console_printf("toolstack: scenario '%s': %u domains, deadline %lu s\n", scenario->spec->name,
                   scenario->spec->domain_count, scenario->spec->deadline_seconds);
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        scenario->domains[index] = (struct domain_run) {
            .spec = &scenario->spec->domains[index],
            .store.window = ring_windows[index][STORE_WINDOW],
            .console.window = ring_windows[index][CONSOLE_WINDOW],
        };
        build_domain(start_info, &scenario->domains[index]);
    }
    started_ns = system_time_ns();
    deadline_ns = started_ns + scenario->spec->deadline_seconds * NANOSECONDS_PER_SECOND;
    start_all(scenario);
    while (watch_once(scenario, started_ns) > 0 && system_time_ns() < deadline_ns) {
        wait_for_flag_until(&backend_event_pending, next_wake_ns(scenario, started_ns, deadline_ns));
        service_backends(scenario);
        set_memory_targets_due(scenario, started_ns);
    }
    destroy_at_deadline(scenario, started_ns);
    destroy_all(scenario);
    console_printf("toolstack: scenario '%s' done\n", scenario->spec->name);
    print_table_header();
    print_scenario(scenario);
}

int toolstack_run(const struct start_info *start_info)
{
    struct boot_archive_member file;
    unsigned int error_line = 0;
    int result;

    if (!ramdisk_find(start_info, CONFIG_FILE_NAME, &file))
        return -XEN_ENOENT;
    result = domain_config_parse((const char *)file.data, file.size, &config, &error_line);
    if (result != 0) {
        console_printf("toolstack: %s, line %u: not understood\n", CONFIG_FILE_NAME, error_line);
        return result;
    }
    xenstore_server_init();
    result = write_dom0_home();
    if (result != 0) {
        console_printf("toolstack: writing dom0's xenstore home failed: %d\n", result);
        return result;
    }
    for (unsigned int index = 0; index < config.scenario_count; index++) {
        runs[index].spec = &config.scenarios[index];
        run_scenario(start_info, &runs[index]);
    }
    console_printf("toolstack: summary of %u scenarios\n", config.scenario_count);
    print_table_header();
    for (unsigned int index = 0; index < config.scenario_count; index++)
        print_scenario(&runs[index]);
    console_printf("toolstack: summary end\n");
    return 0;
}
