/*
 * dom0's interactive toolstack (see xl_toolstack.h): xl's verbs on live
 * domains, with the scenario runner's steps (kernel/domain_builder.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <xen/version.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <kernel/domain_backends.h>
#include <kernel/domain_builder.h>
#include <kernel/domain_registry.h>
#include <kernel/frame_pool.h>
#include <kernel/ramdisk.h>
#include "xl_config.h"
#include "xl_format.h"
#include "xl_lifecycle.h"
#include "xl_toolstack.h"

#define AUTOSTART_DIRECTORY "etc/xen/auto/"
#define TEXT_SIZE 2048
#define MESSAGE_SIZE 200
#define XENTOP_SAMPLE_NS NANOSECONDS_PER_SECOND
#define LIBXL_ERROR_INVAL (-6) /* libxl_types.idl: what find_domain reports for an unknown qualifier */
#define MAX_LISTED_DOMAINS 64

static const struct start_info *boot_start_info;
static struct xl_domain_config parsed_config;

static void printf_to(xl_print print, void *context, const char *format, ...) __attribute__((format(printf, 3, 4)));

static void printf_to(xl_print print, void *context, const char *format, ...)
{
    char message[MESSAGE_SIZE];
    va_list arguments;

    va_start(arguments, format);
    format_string_va(message, sizeof(message), format, arguments);
    va_end(arguments);
    print(context, message);
}

int xl_toolstack_start(const struct start_info *start_info)
{
    int result;

    boot_start_info = start_info;
    domain_registry_reset();
    result = frame_pool_init(start_info, true);
    if (result != 0) {
        console_printf("toolstack: setting up dom0's frame pool failed: %d\n", result);
        return result;
    }
    return domain_backends_init(start_info);
}

static const char *member_name(const char *path)
{
    return path[0] == '/' ? path + 1 : path;
}

/* --- building ----------------------------------------------------------- */

static void prepare_backends(struct live_domain *domain)
{
    domain_backends_prepare(&domain->backends, domain->slot, domain->spec.name,
                            domain->spec.memory_mebibytes * KIBIBYTES_PER_MEBIBYTE);
    domain_backends_set_disks(&domain->backends, domain->spec.disks, domain->spec.disk_count);
    domain_backends_set_vifs(&domain->backends, domain->spec.vifs, domain->spec.vif_count);
}

/* Builds the record's domain and, unless paused, starts it; the record is given back on failure. */
static long build_and_start(struct live_domain *domain, bool paused)
{
    long result;

    prepare_backends(domain);
    result = domain_builder_build(boot_start_info, &domain->spec, &domain->backends, &domain->id);
    if (result != 0) {
        domain_registry_remove(domain);
        return result;
    }
    domain->built = true;
    domain->preserved = false;
    if (paused)
        return 0;
    result = domain_builder_command(PVMON_DOMAIN_CONTROL_unpause, domain->id);
    if (result != 0) {
        console_printf("toolstack: %s: unpause failed: %ld\n", domain->spec.name, result);
        domain_builder_destroy(domain->spec.name, &domain->backends, domain->id);
        domain_registry_remove(domain);
    }
    return result;
}

struct report_target {
    xl_print print;
    void *context;
};

static void report_config_message(void *context, const char *message)
{
    const struct report_target *target = context;

    printf_to(target->print, target->context, "%s\n", message);
}

static void drop_leading_slashes(struct domain_spec *spec)
{
    memmove(spec->kernel_file, member_name(spec->kernel_file), strlen(member_name(spec->kernel_file)) + 1);
    memmove(spec->ramdisk_file, member_name(spec->ramdisk_file), strlen(member_name(spec->ramdisk_file)) + 1);
}

int xl_toolstack_create(const char *file, bool paused, xl_print print, void *context)
{
    struct report_target target = { .print = print, .context = context };
    struct boot_archive_member member;
    struct domain_spec spec;
    struct lifecycle_actions actions;
    struct live_domain *domain;
    long result;

    if (!ramdisk_find(boot_start_info, member_name(file), &member)) {
        printf_to(print, context, "Failed to read config file: %s: No such file or directory\n", file);
        return -XEN_ENOENT;
    }
    printf_to(print, context, "Parsing config from %s\n", file);
    result = xl_config_parse(file, (const char *)member.data, member.size, &parsed_config, report_config_message,
                             &target);
    if (result != 0)
        return (int)result;
    xl_config_to_domain_spec(&parsed_config, &spec, &actions);
    drop_leading_slashes(&spec);
    result = domain_registry_add(&spec, &actions, &domain);
    if (result == -XEN_EEXIST) {
        printf_to(print, context, "libxl: error: Domain with name \"%s\" already exists.\n", spec.name);
        return (int)result;
    }
    if (result != 0) {
        printf_to(print, context, "libxl: error: no room for another domain (%d of %d in use)\n",
                  DOMAIN_REGISTRY_SIZE, DOMAIN_REGISTRY_SIZE);
        return (int)result;
    }
    result = build_and_start(domain, paused);
    if (result != 0)
        printf_to(print, context, "libxl: error: cannot create domain %s (rc=%ld); see dom0's log\n", spec.name,
                  result);
    return (int)result;
}

static bool is_autostart_file(const struct boot_archive_member *member)
{
    size_t prefix = strlen(AUTOSTART_DIRECTORY);

    return boot_archive_member_is_regular_file(member) && strncmp(member->name, AUTOSTART_DIRECTORY, prefix) == 0 &&
           member->name[prefix] != '\0';
}

void xl_toolstack_autostart(xl_print print, void *context)
{
    char path[CONFIG_FILE_SIZE + 1];
    struct boot_archive archive;
    struct boot_archive_member member;

    if (!ramdisk_open(boot_start_info, &archive))
        return;
    while (boot_archive_next(&archive, &member) == 1) {
        if (!is_autostart_file(&member))
            continue;
        format_string(path, sizeof(path), "/%s", member.name);
        xl_toolstack_create(path, false, print, context);
    }
}

/* --- watching: the lifecycle --------------------------------------------- */

static void forget(struct live_domain *domain)
{
    domain_builder_destroy(domain->spec.name, &domain->backends, domain->id);
    domain_registry_remove(domain);
}

static void act_on_end(struct live_domain *domain, const struct pvmon_domain_info *info)
{
    int action = xl_lifecycle_action(&domain->actions, info);
    enum xl_lifecycle_step step = xl_lifecycle_decide(&domain->actions, info);
    const char *reason = info->state == PVMON_DOMAIN_STATE_crashed ? "crash"
                                                                    : xl_shutdown_reason_name(info->shutdown_reason);

    if (step == XL_LIFECYCLE_KEEP)
        return;
    console_printf("toolstack: %s (domain %u) ended (%s): action %s%s\n", domain->spec.name, domain->id, reason,
                   xl_action_on_shutdown_name((enum xl_action_on_shutdown)action),
                   xl_lifecycle_note((enum xl_action_on_shutdown)action));
    switch (step) {
    case XL_LIFECYCLE_DESTROY:
        forget(domain);
        break;
    case XL_LIFECYCLE_RESTART:
        domain_builder_destroy(domain->spec.name, &domain->backends, domain->id);
        domain->built = false;
        if (build_and_start(domain, false) == 0)
            console_printf("toolstack: %s restarted as domain %u\n", domain->spec.name, domain->id);
        break;
    case XL_LIFECYCLE_PRESERVE:
        domain_backends_disconnect(&domain->backends);
        domain->preserved = true;
        break;
    default:
        break;
    }
}

void xl_toolstack_watch(void)
{
    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++) {
        struct live_domain *domain = domain_registry_at(index);
        struct pvmon_domain_info info;

        if (domain == NULL || !domain->built || domain->preserved)
            continue;
        if (domain_builder_get_info(domain->id, &info) != 0) {
            console_printf("toolstack: %s (domain %u) vanished\n", domain->spec.name, domain->id);
            domain_backends_disconnect(&domain->backends);
            domain_registry_remove(domain);
            continue;
        }
        act_on_end(domain, &info);
    }
}

void xl_toolstack_destroy_all(void)
{
    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++) {
        struct live_domain *domain = domain_registry_at(index);

        if (domain != NULL && domain->built)
            forget(domain);
    }
}

/* --- the verbs on one domain --------------------------------------------- */

/* find_domain's lookup: 0 with *id, or xl's message. */
static int find_domain(const char *qualifier, uint16_t *id, xl_print print, void *context)
{
    if (domain_registry_resolve(qualifier, id) == 0)
        return 0;
    printf_to(print, context, "%s is an invalid domain identifier (rc=%d)\n", qualifier, LIBXL_ERROR_INVAL);
    return -XEN_ESRCH;
}

int xl_toolstack_destroy(const char *qualifier, xl_print print, void *context)
{
    struct live_domain *domain;
    uint16_t id;
    int result = find_domain(qualifier, &id, print, context);

    if (result != 0)
        return result;
    if (id == DOMAIN_REGISTRY_DOM0_ID) {
        print(context, "Not destroying domain 0; use -f to force.\n"
                       "This can only be done when using a disaggregated hardware domain and toolstack.\n\n");
        return -XEN_EINVAL;
    }
    domain = domain_registry_find_id(id);
    result = (int)domain_builder_destroy(domain->spec.name, &domain->backends, id);
    domain_registry_remove(domain);
    if (result != 0)
        printf_to(print, context, "destroy failed (rc=%d)\n", result);
    return result;
}

int xl_toolstack_pause(const char *qualifier, bool pause, xl_print print, void *context)
{
    uint16_t id;
    int result = find_domain(qualifier, &id, print, context);

    if (result != 0)
        return result;
    result = (int)domain_builder_command(pause ? PVMON_DOMAIN_CONTROL_pause : PVMON_DOMAIN_CONTROL_unpause, id);
    if (result != 0)
        printf_to(print, context, "libxl: error: %s domain %u failed (rc=%d)%s\n", pause ? "pausing" : "unpausing",
                  id, result, id == DOMAIN_REGISTRY_DOM0_ID ? ": pvmon does not pause domain 0" : "");
    return result;
}

int xl_toolstack_mem_set(const char *qualifier, uint64_t kib, xl_print print, void *context)
{
    struct live_domain *domain;
    uint64_t maximum_kib;
    uint16_t id;
    int result = find_domain(qualifier, &id, print, context);

    if (result != 0)
        return result;
    domain = domain_registry_find_id(id);
    if (domain == NULL) {
        printf_to(print, context, "cannot set domid %u memory: pvmon does not balloon domain 0\n", id);
        return -XEN_EINVAL;
    }
    maximum_kib = domain->spec.memory_mebibytes * KIBIBYTES_PER_MEBIBYTE;
    if (kib > maximum_kib) {
        printf_to(print, context,
                  "libxl: error: memory_dynamic_max must be less than or equal to memory_static_max "
                  "(%lu KiB > %lu KiB)\n", kib, maximum_kib);
        return -XEN_EINVAL;
    }
    if (domain->preserved) {
        printf_to(print, context, "cannot set domid %u memory: it has shut down\n", id);
        return -XEN_EINVAL;
    }
    result = domain_backends_set_memory_target(&domain->backends, kib);
    if (result != 0)
        printf_to(print, context, "cannot set domid %u memory target (rc=%d)\n", id, result);
    return result;
}

/* --- list, info, top ------------------------------------------------------ */

static const char *name_of(uint16_t id)
{
    struct live_domain *domain;

    if (id == DOMAIN_REGISTRY_DOM0_ID)
        return DOMAIN_REGISTRY_DOM0_NAME;
    domain = domain_registry_find_id(id);
    return domain != NULL ? domain->spec.name : "(unknown)";
}

/* Every domain the hypervisor has, in id order (get_info's loop); how many, at most max. */
static unsigned int read_all_domains(struct pvmon_domain_info *infos, unsigned int max)
{
    struct pvmon_domain_control request;
    unsigned int count = 0;
    uint32_t next = 0;

    while (count < max && next <= UINT16_MAX) {
        request = (struct pvmon_domain_control) {
            .command = PVMON_DOMAIN_CONTROL_get_info,
            .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
            .domain = (uint16_t)next,
        };
        if (hypercall_domain_control(&request) != 0)
            break;
        infos[count++] = request.u.info;
        next = (uint32_t)request.u.info.domain + 1;
    }
    return count;
}

static void print_list_line(const struct pvmon_domain_info *info, char *text, xl_print print, void *context)
{
    struct xl_list_entry entry = {
        .name = name_of(info->domain), .domid = info->domain, .memory_kib = info->pages * KIBIBYTES_PER_PAGE,
        .online_vcpus = 1, .cpu_time_ns = info->cpu_time_ns,
    };

    xl_domain_state_from_pvmon(info, &entry.state);
    xl_list_line(text, TEXT_SIZE, &entry);
    print(context, text);
}

int xl_toolstack_list(const char *qualifier, xl_print print, void *context)
{
    static struct pvmon_domain_info infos[MAX_LISTED_DOMAINS];
    static char text[TEXT_SIZE];
    unsigned int count;
    uint16_t only = 0;

    if (qualifier != NULL && find_domain(qualifier, &only, print, context) != 0)
        return -XEN_ESRCH;
    count = read_all_domains(infos, MAX_LISTED_DOMAINS);
    xl_list_header(text, sizeof(text));
    print(context, text);
    for (unsigned int index = 0; index < count; index++)
        if (qualifier == NULL || infos[index].domain == only)
            print_list_line(&infos[index], text, print, context);
    return 0;
}

struct host_strings {
    xen_extraversion_t extra;
    xen_capabilities_info_t caps;
    xen_changeset_info_t changeset;
    xen_commandline_t commandline;
    xen_compile_info_t compile;
    xen_platform_parameters_t platform;
};

static void read_host_strings(struct host_strings *strings)
{
    *strings = (struct host_strings) { 0 };
    hypercall_xen_version(XENVER_extraversion, strings->extra);
    hypercall_xen_version(XENVER_capabilities, strings->caps);
    hypercall_xen_version(XENVER_changeset, strings->changeset);
    hypercall_xen_version(XENVER_commandline, strings->commandline);
    hypercall_xen_version(XENVER_compile_info, &strings->compile);
    hypercall_xen_version(XENVER_platform_parameters, &strings->platform);
}

/* Memory: what the hypervisor can hand out, and that plus every domain's pages. */
static void read_memory(uint64_t *free_pages, uint64_t *total_pages)
{
    static struct pvmon_domain_info infos[MAX_LISTED_DOMAINS];
    struct pvmon_memory_statistics statistics = { 0 };
    unsigned int count = read_all_domains(infos, MAX_LISTED_DOMAINS);

    domain_builder_read_statistics(&statistics);
    *free_pages = domain_builder_free_frames(&statistics);
    *total_pages = *free_pages;
    for (unsigned int index = 0; index < count; index++)
        *total_pages += infos[index].pages;
}

int xl_toolstack_info(xl_print print, void *context)
{
    static struct host_strings strings;
    static char text[TEXT_SIZE * 2];
    long version = hypercall_xen_version(XENVER_version, NULL);
    struct xl_host_info info = {
        .host = "dom0", .release = "pvmon", .version = "pvmon PV kernel", .machine = "x86_64",
        .nr_cpus = 1, .max_cpu_id = 0, .nr_nodes = 1, .cores_per_socket = 1, .threads_per_core = 1,
        .cap_pv = true, .cap_gnttab_v1 = true, .free_cpus = 0,
        .xen_major = (unsigned int)((unsigned long)version >> 16), .xen_minor = (unsigned int)(version & 0xffff),
        .xen_scheduler = "pvmon", .page_size = 4096,
    };

    read_host_strings(&strings);
    read_memory(&info.free_pages, &info.total_pages);
    info.xen_extra = strings.extra;
    info.xen_caps = strings.caps;
    info.virt_start = strings.platform.virt_start;
    info.xen_changeset = strings.changeset;
    info.xen_commandline = strings.commandline;
    info.cc_compiler = strings.compile.compiler;
    info.cc_compile_by = strings.compile.compile_by;
    info.cc_compile_domain = strings.compile.compile_domain;
    info.cc_compile_date = strings.compile.compile_date;
    xl_info_format(text, sizeof(text), &info, NULL);
    print(context, text);
    return 0;
}

/* The backends served until deadline_ns, woken only by their events (a
 * VIRQ_DOM_EXC or typing also wakes it; the shell's loop deals with those
 * afterwards). */
static void serve_until(uint64_t deadline_ns)
{
    while (system_time_ns() < deadline_ns) {
        domain_backends_wait_until(deadline_ns);
        domain_backends_service();
    }
}

static void fill_xentop_domain(struct xentop_domain *line, const struct pvmon_domain_info *now,
                               const struct pvmon_domain_info *before, uint64_t elapsed_us)
{
    struct live_domain *domain = domain_registry_find_id(now->domain);

    *line = (struct xentop_domain) {
        .name = name_of(now->domain), .cpu_ns = now->cpu_time_ns, .elapsed_us = before != NULL ? elapsed_us : 0,
        .previous_cpu_ns = before != NULL ? before->cpu_time_ns : 0, .memory_kib = now->pages * KIBIBYTES_PER_PAGE,
        .max_memory_kib = XENTOP_NO_MEMORY_LIMIT, .vcpus = 1,
    };
    xl_domain_state_from_pvmon(now, &line->state);
    if (domain != NULL) {
        line->max_memory_kib = domain->spec.memory_mebibytes * KIBIBYTES_PER_MEBIBYTE;
        line->nets = domain->spec.vif_count;
        line->vbds = domain->spec.disk_count;
    }
}

static const struct pvmon_domain_info *find_info(const struct pvmon_domain_info *infos, unsigned int count,
                                                 uint16_t id)
{
    for (unsigned int index = 0; index < count; index++)
        if (infos[index].domain == id)
            return &infos[index];
    return NULL;
}

int xl_toolstack_top(xl_print print, void *context)
{
    static struct pvmon_domain_info before[MAX_LISTED_DOMAINS], now[MAX_LISTED_DOMAINS];
    static struct xentop_domain lines[MAX_LISTED_DOMAINS];
    static char text[TEXT_SIZE];
    unsigned int before_count = read_all_domains(before, MAX_LISTED_DOMAINS), count;
    uint64_t started_ns = system_time_ns(), elapsed_us, seconds;
    struct xentop_node node = { .cpus = 1 };
    uint64_t free_pages, total_pages;
    static char version[32];
    xen_extraversion_t extra = { 0 };
    long number = hypercall_xen_version(XENVER_version, NULL);

    serve_until(started_ns + XENTOP_SAMPLE_NS);
    count = read_all_domains(now, MAX_LISTED_DOMAINS);
    elapsed_us = (system_time_ns() - started_ns) / 1000;
    for (unsigned int index = 0; index < count; index++)
        fill_xentop_domain(&lines[index], &now[index], find_info(before, before_count, now[index].domain),
                           elapsed_us);
    read_memory(&free_pages, &total_pages);
    seconds = system_time_ns() / NANOSECONDS_PER_SECOND;
    node.hours = (unsigned int)(seconds / 3600 % 24);
    node.minutes = (unsigned int)(seconds / 60 % 60);
    node.seconds = (unsigned int)(seconds % 60);
    hypercall_xen_version(XENVER_extraversion, extra);
    format_string(version, sizeof(version), "%lu.%lu%s", (unsigned long)number >> 16,
                  (unsigned long)number & 0xffff, extra);
    node.xen_version = version;
    node.total_kib = total_pages * KIBIBYTES_PER_PAGE;
    node.free_kib = free_pages * KIBIBYTES_PER_PAGE;
    xentop_summary(text, sizeof(text), &node, lines, count);
    print(context, text);
    xentop_header(text, sizeof(text));
    print(context, text);
    for (unsigned int index = 0; index < count; index++) {
        xentop_line(text, sizeof(text), &lines[index], node.total_kib);
        print(context, text);
    }
    return 0;
}
