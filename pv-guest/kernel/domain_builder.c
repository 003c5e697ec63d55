/*
 * The toolstack's steps on one domain (see domain_builder.h).
 */
#include <stddef.h>
#include <pvmon/boot_archive.h>
#include <pvmon/errno.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include "domain_builder.h"
#include "ramdisk.h"

static struct pvmon_domain_control request_for(uint32_t command, uint16_t domain)
{
    return (struct pvmon_domain_control) {
        .command = command,
        .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
        .domain = domain,
    };
}

long domain_builder_command(uint32_t command, uint16_t domain)
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

/*
 * ramdisk may be NULL: no module.  Gives the domain the ports its backends
 * allocated; learns where its ring pages are.
 */
static long load_kernel(const struct domain_spec *spec, const struct domain_backends *backends, uint16_t domain,
                        const struct boot_archive_member *kernel, const struct boot_archive_member *ramdisk,
                        struct domain_ring_frames *frames)
{
    struct pvmon_domain_control request = request_for(PVMON_DOMAIN_CONTROL_load, domain);
    long result;

    request.u.load.kernel_address = (uint64_t)kernel->data;
    request.u.load.kernel_size = kernel->size;
    if (ramdisk != NULL) {
        request.u.load.module_address = (uint64_t)ramdisk->data;
        request.u.load.module_size = ramdisk->size;
    }
    request.u.load.command_line_address = (uint64_t)spec->command_line;
    request.u.load.store_event_channel = backends->store.remote_port;
    request.u.load.console_event_channel = backends->console.remote_port;
    result = hypercall_domain_control(&request);
    if (result != 0)
        return result;
    frames->store = request.u.load.store_frame;
    frames->console = request.u.load.console_frame;
    return frames->store != 0 && frames->console != 0 ? 0 : -XEN_EINVAL;
}

long domain_builder_get_info(uint16_t domain, struct pvmon_domain_info *info)
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

bool domain_builder_has_ended(const struct pvmon_domain_info *info)
{
    return info->state == PVMON_DOMAIN_STATE_shutdown || info->state == PVMON_DOMAIN_STATE_crashed;
}

long domain_builder_read_statistics(struct pvmon_memory_statistics *statistics)
{
    return hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_statistics, (unsigned long)statistics, 0);
}

uint64_t domain_builder_free_frames(const struct pvmon_memory_statistics *statistics)
{
    return statistics->free_frames + statistics->zeroed_pool_frames + statistics->dirty_frames;
}

static long build_step(const struct domain_spec *spec, const char *step, long result)
{
    if (result != 0)
        console_printf("toolstack: %s: %s failed: %ld\n", spec->name, step, result);
    return result;
}

/* domain_backends_* report their own failures, as build_step does for the other steps. */
long domain_builder_build(const struct start_info *start_info, const struct domain_spec *spec,
                          struct domain_backends *backends, uint16_t *domain)
{
    struct boot_archive_member kernel, ramdisk;
    struct domain_ring_frames frames;
    bool has_ramdisk = spec->ramdisk_file[0] != '\0';
    long result;

    if (!ramdisk_find(start_info, spec->kernel_file, &kernel)) {
        console_printf("toolstack: %s: no kernel '%s' in the ramdisk\n", spec->name, spec->kernel_file);
        return -XEN_ENOENT;
    }
    if (has_ramdisk && !ramdisk_find(start_info, spec->ramdisk_file, &ramdisk)) {
        console_printf("toolstack: %s: no file '%s' in the ramdisk\n", spec->name, spec->ramdisk_file);
        return -XEN_ENOENT;
    }
    result = build_step(spec, "create", create_domain(spec->weight, domain));
    if (result != 0)
        return result;
    result = build_step(spec, "set_memory", set_memory(*domain, spec->memory_mebibytes * PAGES_PER_MEBIBYTE));
    if (result == 0)
        result = domain_backends_allocate_ports(backends, *domain);
    if (result == 0)
        result = build_step(spec, "load",
                            load_kernel(spec, backends, *domain, &kernel, has_ramdisk ? &ramdisk : NULL, &frames));
    if (result == 0)
        result = domain_backends_connect(backends, &frames);
    if (result != 0) {
        domain_backends_disconnect(backends);
        domain_builder_command(PVMON_DOMAIN_CONTROL_destroy, *domain);
        return result;
    }
    console_printf("toolstack: %s is domain %u: %s, %lu MiB, weight %u, '%s'\n", spec->name, *domain,
                   spec->kernel_file, spec->memory_mebibytes, spec->weight, spec->command_line);
    return 0;
}

long domain_builder_destroy(const char *name, struct domain_backends *backends, uint16_t domain)
{
    long result;

    domain_backends_disconnect(backends);
    result = domain_builder_command(PVMON_DOMAIN_CONTROL_destroy, domain);
    if (result != 0)
        console_printf("toolstack: destroying %s (domain %u) failed: %ld\n", name, domain, result);
    return result;
}
