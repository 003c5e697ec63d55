/*
 * dom0's toolstack (see toolstack.h).  For each scenario of the
 * "domains" file it builds every domain the way xl does, with the steps
 * it shares with xl (domain_builder.h: create, set_memory, ports, load,
 * backends connected); once all are built, unpause.
 * Then it watches them without polling: it sleeps (one-shot timer and
 * SCHEDOP_block) until a backend event, VIRQ_DOM_EXC (bound by
 * domain_backends.h: pvmon raises it when a domain has shut down or
 * crashed, and when a destroyed one is gone, as Xen does for xenstored)
 * or the next thing it has to do at a time of its own: a memory target
 * the file sets, a page check of a domain given one, the deadline.  It
 * serves the rings, sets the memory targets due, and after each
 * VIRQ_DOM_EXC asks get_info about its running domains, until all have
 * shut down or crashed, or the scenario's deadline passes and the rest
 * are destroyed; a domain's backends are disconnected as soon as it has
 * ended.  A scenario with a console-flood line has dom0 flood its own
 * console (console_flood.h) that long after its domains started, and a
 * domain with a start-after line is built and started that long after
 * the others, both before dom0 watches them.  It reports each domain's end: state, shutdown reason, CPU time
 * and its share of the time the scenario took, and at the end a summary
 * table of every scenario.
 *
 * Before the first scenario, dom0's memory beyond its image becomes its
 * frame pool (frame_pool.h), from which the backends take their pages.
 * Everything about the backends themselves (ports, ring pages, the
 * xenstore home, serving the rings, tearing them down) is
 * domain_backends.h's; each domain of a scenario has the backends slot of
 * its position in the scenario.  A domain whose memory target is set has
 * its page count looked at every PAGE_CHECK_PERIOD_NS (no event tells a
 * balloon driver's work) and reported when it changes, at most once a
 * second, with the machine's free frames, so that ballooning shows in the
 * log.  Each
 * scenario ends with pvmon's counters over its run (PVMON_MEMORY_statistics,
 * machine-wide), dom0's own running time over it (its backends' work),
 * which the benchmarks read, and how often its watch loop woke and how
 * many VIRQ_DOM_EXC events it took.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>
#include <xen/sched.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <public/memory_extension.h>
#include <tools/xl/xl_lifecycle.h>
#include "domain_backends.h"
#include "domain_builder.h"
#include "console_flood.h"
#include "domain_config.h"
#include "domain_registry.h"
#include "ramdisk.h"
#include "frame_pool.h"
#include "toolstack.h"

#define CONFIG_FILE_NAME "domains"
#define PAGE_CHECK_PERIOD_NS (20 * NANOSECONDS_PER_MILLISECOND)
#define PAGE_REPORT_PERIOD_NS NANOSECONDS_PER_SECOND

_Static_assert(CONFIG_MAX_DOMAINS <= DOMAIN_BACKENDS_SLOTS, "every domain of a scenario needs a backends slot");

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
    struct domain_backends backends;
    unsigned int memory_targets_set;
    uint64_t reported_pages;
    uint64_t next_page_report_ns;
    uint64_t next_page_check_ns; /* after a memory target: when get_info looks at its pages again */
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

/* --- memory targets (ballooning) ------------------------------------------ */

static void set_memory_target(struct domain_run *run, uint64_t mebibytes)
{
    uint64_t kibibytes = mebibytes * KIBIBYTES_PER_MEBIBYTE;

    if (domain_backends_set_memory_target(&run->backends, kibibytes) != 0)
        return;
    console_printf("toolstack: %s (domain %u): memory/target set to %lu KiB (%lu pages); it has %lu pages\n",
                   run->spec->name, run->id, kibibytes, kibibytes / KIBIBYTES_PER_PAGE, run->info.pages);
    run->reported_pages = run->info.pages;
    run->next_page_report_ns = 0;
    run->next_page_check_ns = system_time_ns() + PAGE_CHECK_PERIOD_NS;
}

static uint64_t memory_target_time_ns(const struct domain_run *run, uint64_t started_ns)
{
    return started_ns + run->spec->memory_targets[run->memory_targets_set].seconds * NANOSECONDS_PER_SECOND;
}

/* A running domain's backends are connected: its home is there to write. */
static bool memory_target_pending(const struct domain_run *run)
{
    return run->end == END_RUNNING && run->memory_targets_set < run->spec->memory_target_count;
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

/* A running domain given a memory target has its pages looked at every
 * PAGE_CHECK_PERIOD_NS: no event says that a balloon driver moved them. */
static bool page_check_pending(const struct domain_run *run)
{
    return run->end == END_RUNNING && run->memory_targets_set > 0;
}

static uint64_t earlier(uint64_t first_ns, uint64_t second_ns)
{
    return first_ns < second_ns ? first_ns : second_ns;
}

/* When the watch loop must look again without an event: the next memory
 * target, the next page check or the deadline.  Ends are VIRQ_DOM_EXC's. */
static uint64_t next_wake_ns(const struct scenario_run *scenario, uint64_t started_ns, uint64_t deadline_ns)
{
    uint64_t wake_ns = deadline_ns;

    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        const struct domain_run *run = &scenario->domains[index];

        if (memory_target_pending(run))
            wake_ns = earlier(wake_ns, memory_target_time_ns(run, started_ns));
        if (page_check_pending(run))
            wake_ns = earlier(wake_ns, run->next_page_check_ns);
    }
    return wake_ns;
}

/* After a memory target, a change of the domain's pages is reported, at most once a second. */
static void report_pages(struct domain_run *run)
{
    struct pvmon_memory_statistics statistics;
    uint64_t now_ns;

    if (run->memory_targets_set == 0 || run->info.pages == run->reported_pages)
        return;
    now_ns = system_time_ns();
    if (now_ns < run->next_page_report_ns)
        return;
    if (domain_builder_read_statistics(&statistics) == 0)
        console_printf("toolstack: %s (domain %u) has %lu pages; the machine has %lu frames free\n", run->spec->name,
                       run->id, run->info.pages, domain_builder_free_frames(&statistics));
    else
        console_printf("toolstack: %s (domain %u) has %lu pages\n", run->spec->name, run->id, run->info.pages);
    run->reported_pages = run->info.pages;
    run->next_page_report_ns = now_ns + PAGE_REPORT_PERIOD_NS;
}

/* --- one scenario ----------------------------------------------------- */

static void build_domain(const struct start_info *start_info, struct domain_run *run)
{
    run->built = domain_builder_build(start_info, run->spec, &run->backends, &run->id) == 0;
}

/* The pages of every running domain whose page check is due (get_info), reported if they changed. */
static void check_pages_due(struct scenario_run *scenario)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (!page_check_pending(run) || system_time_ns() < run->next_page_check_ns)
            continue;
        run->next_page_check_ns = system_time_ns() + PAGE_CHECK_PERIOD_NS;
        if (domain_builder_get_info(run->id, &run->info) == 0)
            report_pages(run);
    }
}

/* Looks at every running domain once (get_info); returns how many are still running. */
static unsigned int watch_once(struct scenario_run *scenario, uint64_t started_ns)
{
    unsigned int running = 0;

    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->end != END_RUNNING)
            continue;
        if (domain_builder_get_info(run->id, &run->info) != 0) {
            console_printf("toolstack: %s (domain %u) vanished\n", run->spec->name, run->id);
            run->end = END_FINISHED;
        } else if (domain_builder_has_ended(&run->info)) {
            run->end = END_FINISHED;
        } else {
            report_pages(run);
            running++;
            continue;
        }
        run->elapsed_ns = system_time_ns() - started_ns;
        domain_backends_disconnect(&run->backends);
    }
    return running;
}

static void destroy_at_deadline(struct scenario_run *scenario, uint64_t started_ns)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->end != END_RUNNING)
            continue;
        domain_builder_get_info(run->id, &run->info);
        run->elapsed_ns = system_time_ns() - started_ns;
        run->end = END_DESTROYED;
        domain_backends_disconnect(&run->backends);
        console_printf("toolstack: %s (domain %u) still running after %lu s: destroying it\n", run->spec->name,
                       run->id, scenario->spec->deadline_seconds);
    }
}

static void destroy_all(struct scenario_run *scenario)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->built)
            domain_builder_destroy(run->spec->name, &run->backends, run->id);
    }
}

static bool starts_late(const struct domain_run *run)
{
    return run->spec->start_after_milliseconds != 0;
}

static void start_one(struct domain_run *run)
{
    long result = domain_builder_command(PVMON_DOMAIN_CONTROL_unpause, run->id);

    if (result == 0)
        run->end = END_RUNNING;
    else
        console_printf("toolstack: %s: unpause failed: %ld\n", run->spec->name, result);
}

static void start_all(struct scenario_run *scenario)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        if (run->built)
            start_one(run);
    }
}

/* dom0 waits for a flood or a late build by spinning, not sleeping: the
 * scheduler has then charged it for its running time, and a woken domain
 * preempts it whenever the hypervisor lets it, as it would a busy domU. */
static void spin_until(uint64_t deadline_ns)
{
    while (system_time_ns() < deadline_ns)
        __asm__ volatile("pause");
}

/* Domains with a start-after line, in the file's order: dom0 spins until
 * each one's time, then builds it (domain_control create, set_memory,
 * load) and starts it. */
static void start_late_domains(const struct start_info *start_info, struct scenario_run *scenario,
                               uint64_t started_ns)
{
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];
        uint64_t building_ns;

        if (!starts_late(run))
            continue;
        spin_until(started_ns + run->spec->start_after_milliseconds * NANOSECONDS_PER_MILLISECOND);
        building_ns = system_time_ns();
        console_printf("LIVENESS attack domain-build: start at_ns=%lu rounds=1\n", building_ns);
        build_domain(start_info, run);
        if (run->built)
            start_one(run);
        console_printf("LIVENESS attack domain-build: done rounds=1 elapsed_ns=%lu\n",
                       system_time_ns() - building_ns);
    }
}

static void flood_console_if_asked(const struct scenario_run *scenario, uint64_t started_ns)
{
    const struct console_flood_spec *flood = &scenario->spec->console_flood;
    uint64_t started_flood_ns;

    if (flood->rounds == 0)
        return;
    spin_until(started_ns + flood->delay_milliseconds * NANOSECONDS_PER_MILLISECOND);
    started_flood_ns = system_time_ns();
    console_printf("LIVENESS attack console-dom0: start at_ns=%lu rounds=%lu\n", started_flood_ns, flood->rounds);
    console_flood(flood->bytes, flood->rounds);
    console_printf("LIVENESS attack console-dom0: done rounds=%lu elapsed_ns=%lu\n", flood->rounds,
                   system_time_ns() - started_flood_ns);
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
    return xl_shutdown_reason_name(run->info.shutdown_reason);
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

/* What pvmon counted between two readings, for the benchmarks: three
 * lines, each under the console's 256 bytes. */
static void report_hypervisor_counters(const char *scenario, const struct pvmon_memory_statistics *before,
                                       const struct pvmon_memory_statistics *after)
{
    console_printf("toolstack: %s: hypervisor counters: hypercalls=%lu page-table-updates=%lu "
                   "page-table-writes-emulated=%lu tlb-flushes=%lu page-faults-to-guests=%lu "
                   "frames-zeroed-on-demand=%lu prezeroed-frames-handed-out=%lu\n",
                   scenario, after->hypercalls - before->hypercalls,
                   after->page_table_updates - before->page_table_updates,
                   after->page_table_writes_emulated - before->page_table_writes_emulated,
                   after->tlb_flushes - before->tlb_flushes,
                   after->page_faults_to_guests - before->page_faults_to_guests,
                   after->frames_zeroed_on_demand - before->frames_zeroed_on_demand,
                   after->prezeroed_frames_handed_out - before->prezeroed_frames_handed_out);
    console_printf("toolstack: %s: hypervisor counters: entries-validated=%lu entries-devalidated=%lu "
                   "references-taken=%lu iret-hypercalls=%lu exceptions-bounced=%lu syscalls-bounced=%lu "
                   "events-bounced=%lu\n",
                   scenario, after->entries_validated - before->entries_validated,
                   after->entries_devalidated - before->entries_devalidated,
                   after->references_taken - before->references_taken,
                   after->iret_hypercalls - before->iret_hypercalls,
                   after->exceptions_bounced - before->exceptions_bounced,
                   after->syscalls_bounced - before->syscalls_bounced,
                   after->events_bounced - before->events_bounced);
    console_printf("toolstack: %s: hypervisor counters: tlb-flushes-requested=%lu tlb-flushes-grant-unmap=%lu "
                   "tlb-flushes-type-change=%lu tlb-flushes-scrub=%lu\n",
                   scenario, after->tlb_flushes_requested - before->tlb_flushes_requested,
                   after->tlb_flushes_grant_unmap - before->tlb_flushes_grant_unmap,
                   after->tlb_flushes_type_change - before->tlb_flushes_type_change,
                   after->tlb_flushes_scrub - before->tlb_flushes_scrub);
}

/* dom0's own running time over a scenario (its backends' work): under -icount shift=0, its instructions. */
static void report_dom0_time(const char *scenario, const struct pvmon_domain_info *before)
{
    struct pvmon_domain_info after;

    if (domain_builder_get_info(DOMAIN_REGISTRY_DOM0_ID, &after) == 0)
        console_printf("toolstack: %s: dom0 ran for %lu ns\n", scenario, after.cpu_time_ns - before->cpu_time_ns);
}

/* Until every domain has ended or the deadline: dom0 sleeps until a
 * backend event, VIRQ_DOM_EXC or the next time it has something to do
 * (next_wake_ns), serves the rings and sets the memory targets due; after
 * a VIRQ_DOM_EXC it looks at every running domain (get_info), otherwise
 * only at the pages due a check.  A VIRQ_DOM_EXC left from before the
 * first look (an earlier scenario's destroys) is dropped: that look
 * covers it. */
static void watch_until_all_end(struct scenario_run *scenario, uint64_t started_ns, uint64_t deadline_ns,
                                uint64_t *wakes)
{
    unsigned int running;

    domain_backends_take_domain_exception();
    running = watch_once(scenario, started_ns);
    while (running > 0 && system_time_ns() < deadline_ns) {
        domain_backends_wait_until(next_wake_ns(scenario, started_ns, deadline_ns));
        (*wakes)++;
        domain_backends_service();
        set_memory_targets_due(scenario, started_ns);
        if (domain_backends_take_domain_exception())
            running = watch_once(scenario, started_ns);
        else
            check_pages_due(scenario);
    }
}

/* How often dom0's watch loop woke over the scenario, and how many VIRQ_DOM_EXC events it took
 * (the domains' ends and, after them, their destroys). */
static void report_watch_counts(const char *scenario, uint64_t wakes, uint64_t exceptions_before)
{
    console_printf("toolstack: %s: dom0's watch loop woke %lu times; VIRQ_DOM_EXC events: %lu\n", scenario, wakes,
                   domain_backends_domain_exception_count() - exceptions_before);
}

static void run_scenario(const struct start_info *start_info, struct scenario_run *scenario)
{
    struct pvmon_memory_statistics before, after;
    struct pvmon_domain_info dom0_before;
    uint64_t wakes = 0;
    uint64_t exceptions_before = domain_backends_domain_exception_count();
    long dom0_error = domain_builder_get_info(DOMAIN_REGISTRY_DOM0_ID, &dom0_before);
    long before_error = domain_builder_read_statistics(&before);
    uint64_t started_ns, deadline_ns;

    if (before_error == 0)
        console_printf("toolstack: scenario '%s': %u domains, deadline %lu s; the machine has %lu frames free\n",
                       scenario->spec->name, scenario->spec->domain_count, scenario->spec->deadline_seconds,
                       domain_builder_free_frames(&before));
    else
        console_printf("toolstack: scenario '%s': %u domains, deadline %lu s\n", scenario->spec->name,
                       scenario->spec->domain_count, scenario->spec->deadline_seconds);
    for (unsigned int index = 0; index < scenario->spec->domain_count; index++) {
        struct domain_run *run = &scenario->domains[index];

        *run = (struct domain_run) { .spec = &scenario->spec->domains[index] };
        domain_backends_prepare(&run->backends, index, run->spec->name,
                                run->spec->memory_mebibytes * KIBIBYTES_PER_MEBIBYTE);
        domain_backends_set_disks(&run->backends, run->spec->disks, run->spec->disk_count);
        domain_backends_set_vifs(&run->backends, run->spec->vifs, run->spec->vif_count);
        if (!starts_late(run))
            build_domain(start_info, run);
    }
    started_ns = system_time_ns();
    deadline_ns = started_ns + scenario->spec->deadline_seconds * NANOSECONDS_PER_SECOND;
    start_all(scenario);
    flood_console_if_asked(scenario, started_ns);
    start_late_domains(start_info, scenario, started_ns);
    watch_until_all_end(scenario, started_ns, deadline_ns, &wakes);
    destroy_at_deadline(scenario, started_ns);
    destroy_all(scenario);
    if (before_error == 0 && domain_builder_read_statistics(&after) == 0)
        report_hypervisor_counters(scenario->spec->name, &before, &after);
    if (dom0_error == 0)
        report_dom0_time(scenario->spec->name, &dom0_before);
    report_watch_counts(scenario->spec->name, wakes, exceptions_before);
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
    result = frame_pool_init(start_info, true); /* dom0's memory beyond its image: the backends' pages */
    if (result != 0) {
        console_printf("toolstack: setting up dom0's frame pool failed: %d\n", result);
        return result;
    }
    result = domain_backends_init(start_info);
    if (result != 0)
        return result;
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
