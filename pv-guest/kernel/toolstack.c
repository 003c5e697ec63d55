/*
 * dom0's toolstack (see toolstack.h).  For each scenario of the
 * "domains" file it builds every domain the way xl does, in the steps of
 * pvmon's domain_control hypercall (hypercall/public/domain_control.h):
 * create (paused, with its weight), set_memory, load (the kernel image,
 * and the domain's own ramdisk if the file names one, straight from dom0's
 * ramdisk, which is mapped in dom0's initial mapping),
 * and once all are built, unpause.  Then it watches them with get_info,
 * sleeping between checks (one-shot timer and SCHEDOP_block), until all
 * have shut down or crashed, or the scenario's deadline passes and the
 * rest are destroyed.  It reports each domain's end: state, shutdown
 * reason, CPU time and its share of the time the scenario took, and at the
 * end a summary table of every scenario.
 */
#include <stdint.h>
#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <xen/sched.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include "domain_config.h"
#include "ramdisk.h"
#include "toolstack.h"

#define CONFIG_FILE_NAME "domains"
#define PAGES_PER_MEBIBYTE 256
#define WATCH_PERIOD_NS (20 * NANOSECONDS_PER_MILLISECOND)

enum domain_end {
    END_NOT_STARTED,  /* it could not be built */
    END_RUNNING,      /* still running */
    END_FINISHED,     /* shut down or crashed on its own */
    END_DESTROYED,    /* still running at the deadline: destroyed */
};

struct domain_run {
    const struct domain_spec *spec;
    uint16_t id;
    bool built;
    enum domain_end end;
    struct pvmon_domain_info info; /* as last seen */
    uint64_t elapsed_ns;           /* from unpause to the end */
};

struct scenario_run {
    const struct scenario_spec *spec;
    struct domain_run domains[CONFIG_MAX_DOMAINS];
};

static struct domain_config config;
static struct scenario_run runs[CONFIG_MAX_SCENARIOS];

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

/* ramdisk may be NULL: no module. */
static long load_kernel(uint16_t domain, const struct boot_archive_member *kernel,
                        const struct boot_archive_member *ramdisk, const char *command_line)
{
    struct pvmon_domain_control request = request_for(PVMON_DOMAIN_CONTROL_load, domain);

    request.u.load.kernel_address = (uint64_t)kernel->data;
    request.u.load.kernel_size = kernel->size;
    if (ramdisk != NULL) {
        request.u.load.module_address = (uint64_t)ramdisk->data;
        request.u.load.module_size = ramdisk->size;
    }
    request.u.load.command_line_address = (uint64_t)command_line;
    return hypercall_domain_control(&request);
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
        build_step(spec, "load",
                   load_kernel(run->id, &kernel, has_ramdisk ? &ramdisk : NULL, spec->command_line)) != 0) {
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
            running++;
            continue;
        }
        run->elapsed_ns = system_time_ns() - started_ns;
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
        scenario->domains[index] = (struct domain_run) { .spec = &scenario->spec->domains[index] };
        build_domain(start_info, &scenario->domains[index]);
    }
    started_ns = system_time_ns();
    deadline_ns = started_ns + scenario->spec->deadline_seconds * NANOSECONDS_PER_SECOND;
    start_all(scenario);
    while (watch_once(scenario, started_ns) > 0 && system_time_ns() < deadline_ns)
        sleep_until(system_time_ns() + WATCH_PERIOD_NS);
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
