/*
 * pvmon's domain_control hypercall (hypercall/public/domain_control.h,
 * where the commands and their error numbers are specified): how dom0
 * creates, fills, starts, lists and destroys other domains.
 *
 * Rules kept here:
 *   - Only a privileged domain may call it (-EPERM for any other, before
 *     the request is even read).
 *   - The request is read once into hypervisor memory; the interface
 *     version, reserved fields and every id, count and size are checked
 *     before anything changes.
 *   - A kernel image is copied from the caller into frames of the
 *     hypervisor's before the builder reads it, so the caller cannot
 *     change it while it is parsed; the frames are zeroed and freed
 *     afterwards, or when the domain is destroyed in the middle.  The
 *     module, which the hypervisor never interprets, is copied straight
 *     into the domain's memory where the build puts it.
 *   - Domain 0, DOMID_SELF and the reserved ids cannot be targets, and a
 *     domain cannot destroy itself.
 *   - Long work is done in bounded steps with a preemption check between
 *     them (pvmon/hypercall_continuation.h): set_memory gives
 *     DOMAIN_FILL_STEP_FRAMES frames per step, destroy gives back the frames
 *     of DOMAIN_STEP_FRAMES frame-table entries per step (Xen's
 *     preemptible domain_relinquish_resources), load copies
 *     LOAD_STEP_BYTES of the kernel or module per step; when something is
 *     due the same request is issued again and goes on where it stopped
 *     (a load with another image meanwhile is -EINVAL and drops what was
 *     staged).  The rest of the build (p2m list, start_info, page tables)
 *     is one step.  A load is
 *     refused (-EINVAL) while set_memory is under way.
 *   - read_console (Xen's XEN_SYSCTL_readconsole) copies the console
 *     history into the caller's buffer through copy_to_guest, piece by
 *     piece: a bad buffer is -EFAULT and clears nothing.  At most
 *     PVMON_CONSOLE_HISTORY_BYTES are copied, so it needs no steps.
 */
#include <pvmon/arch.h>
#include <pvmon/console_history.h>
#include <pvmon/domain.h>
#include <pvmon/domain_build.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <pvmon/memory.h>
#include <pvmon/printk.h>
#include <pvmon/scheduler_policy.h>
#include <pvmon/string.h>
#include <public/domain_control.h>
#include <xen/xen.h>

/* How much of an image one step of a load copies. */
#define LOAD_STEP_BYTES (256 * 1024)

static unsigned int order_for_bytes(uint64_t bytes)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

/* -XEN_ERESTART: the hypervisor is still gathering a block that large. */
static int allocate_copy(uint64_t size, uint64_t *first_frame, unsigned int *order)
{
    uint64_t frame;
    int error;

    *first_frame = 0;
    if (size == 0)
        return 0;
    *order = order_for_bytes(size);
    error = hypervisor_allocate_frames_step(*order, &frame);
    if (error == 0)
        *first_frame = frame;
    return error;
}

/* A new load: the sizes and addresses it stages, and frames for the
 * kernel's copy. */
static int start_staging(struct domain *domain, const struct pvmon_domain_control *request)
{
    struct domain_load_staging *staging = &domain->load_staging;
    int error;

    staging->kernel_address = request->u.load.kernel_address;
    staging->kernel_size = request->u.load.kernel_size;
    staging->module_address = request->u.load.module_address;
    staging->module_size = request->u.load.module_size;
    staging->staged_bytes = 0;
    staging->active = true;
    error = allocate_copy(staging->kernel_size, &staging->kernel_frame, &staging->kernel_order);
    if (error)
        domain_release_load_staging(domain);
    return error;
}

/* A re-entry goes on only with the very image it started. */
static bool staging_matches(const struct domain_load_staging *staging, const struct pvmon_domain_control *request)
{
    return staging->kernel_address == request->u.load.kernel_address &&
           staging->kernel_size == request->u.load.kernel_size &&
           staging->module_address == request->u.load.module_address &&
           staging->module_size == request->u.load.module_size;
}

static uint8_t *kernel_copy(const struct domain_load_staging *staging)
{
    return physical_to_virtual(staging->kernel_frame * PAGE_SIZE);
}

static int stage_kernel_step(struct domain_load_staging *staging)
{
    uint64_t offset = staging->staged_bytes;
    uint64_t length = staging->kernel_size - offset < LOAD_STEP_BYTES ? staging->kernel_size - offset
                                                                       : LOAD_STEP_BYTES;

    if (copy_from_guest(kernel_copy(staging) + offset, staging->kernel_address + offset, length) != 0)
        return -XEN_EFAULT;
    staging->staged_bytes += length;
    return 0;
}

/* The layout, from the staged kernel: where the module goes.  From here
 * on the load writes the domain's memory, so a failure leaves a domain
 * that can only be destroyed (build_attempted). */
static int place_image(struct domain *domain)
{
    struct domain_load_staging *staging = &domain->load_staging;
    int error = domain_build_module_offset(domain, kernel_copy(staging), staging->kernel_size,
                                           staging->module_size, &staging->module_offset);

    if (error)
        return error;
    staging->placed = true;
    domain->build_attempted = true;
    return 0;
}

static int copy_segments_step(struct domain *domain)
{
    struct domain_load_staging *staging = &domain->load_staging;
    int error = domain_build_copy_segments(domain, kernel_copy(staging), staging->kernel_size,
                                           &staging->segment_bytes, LOAD_STEP_BYTES);

    staging->segments_placed = error == 0;
    return error == -XEN_ERESTART ? 0 : error;
}

/* Copies the next LOAD_STEP_BYTES at most of the module from the caller
 * into the domain's pages, page by page. */
static int copy_module_step(struct domain *domain)
{
    struct domain_load_staging *staging = &domain->load_staging;
    uint64_t offset = staging->staged_bytes - staging->kernel_size;
    uint64_t end = staging->module_size - offset < LOAD_STEP_BYTES ? staging->module_size
                                                                    : offset + LOAD_STEP_BYTES;

    while (offset < end) {
        uint64_t target = staging->module_offset + offset;
        uint64_t in_page = target % PAGE_SIZE;
        uint64_t chunk = PAGE_SIZE - in_page < end - offset ? PAGE_SIZE - in_page : end - offset;

        if (copy_from_guest(domain_build_page(domain, target / PAGE_SIZE) + in_page,
                            staging->module_address + offset, chunk) != 0)
            return -XEN_EFAULT;
        offset += chunk;
    }
    staging->staged_bytes = staging->kernel_size + offset;
    return 0;
}

/* One step of a load's copying: -XEN_ERESTART while bytes remain, 0 once
 * the kernel is staged and the module and segments are in place. */
static int stage_step(struct domain *domain)
{
    struct domain_load_staging *staging = &domain->load_staging;
    int error;

    if (staging->staged_bytes < staging->kernel_size)
        error = stage_kernel_step(staging);
    else if (!staging->placed)
        error = place_image(domain);
    else if (staging->staged_bytes < staging->kernel_size + staging->module_size)
        error = copy_module_step(domain);
    else
        error = copy_segments_step(domain);
    if (error)
        return error;
    return staging->segments_placed ? 0 : -XEN_ERESTART;
}

/* The command line, read up to its NUL byte or MAX_GUEST_CMDLINE - 1 bytes. */
static int read_command_line(char line[MAX_GUEST_CMDLINE], uint64_t guest_address)
{
    line[0] = '\0';
    if (guest_address == 0)
        return 0;
    for (unsigned int index = 0; index < MAX_GUEST_CMDLINE - 1; index++) {
        if (copy_from_guest(&line[index], guest_address + index, 1) != 0)
            return -XEN_EFAULT;
        if (line[index] == '\0')
            return 0;
    }
    line[MAX_GUEST_CMDLINE - 1] = '\0';
    return 0;
}

static long create_domain(struct pvmon_domain_control *request)
{
    unsigned int weight = request->u.create.weight ? request->u.create.weight : SCHEDULER_DEFAULT_WEIGHT;
    struct domain *domain;

    if (request->u.create.reserved != 0 || weight > SCHEDULER_MAX_WEIGHT)
        return -XEN_EINVAL;
    domain = domain_create(domain_free_id(), false);
    if (domain == NULL)
        return -XEN_ENOSPC;
    domain->weight = weight;
    request->domain = domain->id;
    printk(LOG_INFO, "domain %u created (weight %u)\n", domain->id, weight);
    return 0;
}

/* The same request again, once the hypercall has been preempted. */
static long continue_request(struct vcpu *caller, uint64_t argument)
{
    return hypercall_create_continuation(caller, __PVMON_HYPERVISOR_domain_control, 1,
                                         (const uint64_t[]){ argument });
}

/* Runs step until it is done, or continues the hypercall when something
 * else is due between two steps. */
static long run_in_steps(struct vcpu *caller, uint64_t argument, struct domain *domain,
                         int (*step)(struct domain *domain))
{
    for (;;) {
        int error = step(domain);

        if (error != -XEN_ERESTART)
            return error;
        if (hypercall_preempt_check())
            return continue_request(caller, argument);
    }
}

/* Frames come DOMAIN_FILL_STEP_FRAMES at a time; a re-entry (the continuation,
 * or the same request again) goes on with the same page count only. */
static long set_memory(struct vcpu *caller, uint64_t argument, struct domain *domain,
                       const struct pvmon_domain_control *request)
{
    uint64_t pages = request->u.set_memory.pages;
    int error;

    if (pages == 0 || pages > PVMON_DOMAIN_CONTROL_MAX_PAGES || domain->state != DOMAIN_CREATED)
        return -XEN_EINVAL;
    if (domain->memory_filling)
        error = pages == domain->maximum_pages ? 0 : -XEN_EEXIST;
    else
        while ((error = domain_set_memory_begin(domain, pages)) == -XEN_ERESTART)
            if (hypercall_preempt_check())
                return continue_request(caller, argument);
    if (error)
        return error;
    return run_in_steps(caller, argument, domain, domain_set_memory_step);
}

/* Xen's destroydomain: the domain ends at once, its memory comes back in
 * steps, and the call continues until all of it is back. */
static long destroy_domain(struct vcpu *caller, uint64_t argument, struct domain *domain)
{
    uint16_t id = domain->id;
    long error = run_in_steps(caller, argument, domain, domain_destroy_step);

    if (error == 0)
        printk(LOG_INFO, "domain %u destroyed by domain %u\n", id, caller->domain->id);
    return error;
}

static long build_from_staged(struct domain *domain, struct pvmon_domain_control *request,
                              const char *command_line)
{
    const struct domain_load_staging *staging = &domain->load_staging;
    struct domain_build_request build = {
        .kernel = kernel_copy(staging),
        .kernel_size = staging->kernel_size,
        .module = NULL,
        .module_size = staging->module_size,
        .segments_in_place = true,
        .command_line = command_line,
        .store_event_channel = request->u.load.store_event_channel,
        .console_event_channel = request->u.load.console_event_channel,
    };
    struct domain_build_result built;
    int error = domain_build_pv(domain, &build, &built);

    if (error)
        return error;
    schedule_add_vcpu(&domain->vcpu, domain->weight);
    request->u.load.store_frame = built.store_frame;
    request->u.load.console_frame = built.console_frame;
    return 0;
}

/* A ring's event channel: 0 (none), or a port of the domain that the
 * caller allocated unbound for itself, as Xen's toolstack does before it
 * builds a domain. */
static bool is_ring_port(const struct domain *domain, uint16_t caller, uint32_t port)
{
    const struct event_channel *channel;

    if (port == 0)
        return true;
    if (port >= EVENT_CHANNEL_PORTS)
        return false;
    channel = &domain->events.channels[port];
    return channel->state == EVTCHNSTAT_unbound && channel->remote_domain_id == caller;
}

/* The kernel is staged, then the module and the kernel's segments put in
 * place, a step at a time (the call continues between steps, and the same
 * request again goes on with it; another image is -EINVAL), then the
 * domain is built in one step. */
static long load_domain(struct vcpu *caller, uint64_t argument, struct domain *domain,
                        struct pvmon_domain_control *request)
{
    uint64_t kernel_size = request->u.load.kernel_size;
    uint64_t module_size = request->u.load.module_size;
    char command_line[MAX_GUEST_CMDLINE];
    long error;

    if (domain->state == DOMAIN_LOADED || (domain->build_attempted && !domain->load_staging.active))
        return -XEN_EEXIST;
    if (domain->state != DOMAIN_CREATED || domain->page_count == 0 || domain->memory_filling || kernel_size == 0 ||
        kernel_size > PVMON_DOMAIN_CONTROL_MAX_IMAGE_SIZE || module_size > PVMON_DOMAIN_CONTROL_MAX_IMAGE_SIZE ||
        !is_ring_port(domain, caller->domain->id, request->u.load.store_event_channel) ||
        !is_ring_port(domain, caller->domain->id, request->u.load.console_event_channel) ||
        request->u.load.store_frame != 0 || request->u.load.console_frame != 0 ||
        (domain->load_staging.active && !staging_matches(&domain->load_staging, request))) {
        domain_release_load_staging(domain);
        return -XEN_EINVAL;
    }
    error = read_command_line(command_line, request->u.load.command_line_address);
    if (error == 0 && !domain->load_staging.active)
        while ((error = start_staging(domain, request)) == -XEN_ERESTART)
            if (hypercall_preempt_check())
                return continue_request(caller, argument);
    if (error == 0)
        error = run_in_steps(caller, argument, domain, stage_step);
    if (error == 0)
        error = build_from_staged(domain, request, command_line);
    if (!hypercall_continuation_created(caller))
        domain_release_load_staging(domain);
    return error;
}

static long unpause_domain(struct domain *domain)
{
    if (domain->state != DOMAIN_LOADED)
        return -XEN_EINVAL;
    if (domain->paused) {
        domain->paused = false;
        schedule_unpause(&domain->vcpu);
    }
    return 0;
}

static long pause_domain(struct domain *domain)
{
    if (domain->state != DOMAIN_LOADED)
        return -XEN_EINVAL;
    if (!domain->paused) {
        domain->paused = true;
        schedule_pause(&domain->vcpu);
    }
    return 0;
}

static uint16_t public_state(const struct domain *domain)
{
    switch (domain->state) {
    case DOMAIN_SHUT_DOWN:
    case DOMAIN_DYING:
        return PVMON_DOMAIN_STATE_shutdown;
    case DOMAIN_CRASHED:
        return PVMON_DOMAIN_STATE_crashed;
    default:
        return domain->paused ? PVMON_DOMAIN_STATE_paused : PVMON_DOMAIN_STATE_running;
    }
}

static long get_info(struct pvmon_domain_control *request)
{
    const struct domain *domain = domain_first_from(request->domain);
    struct pvmon_domain_info *info = &request->u.info;

    if (domain == NULL)
        return -XEN_ESRCH;
    memset(info, 0, sizeof(*info));
    info->domain = domain->id;
    info->state = public_state(domain);
    info->shutdown_reason = domain->shutdown_reason;
    info->privileged = domain->privileged;
    info->weight = domain->weight;
    info->pages = domain->page_count;
    info->cpu_time_ns = vcpu_running_time_ns(&domain->vcpu);
    return 0;
}

/* Where read_console's bytes go: the caller's buffer. */
static int copy_to_reader(void *context, uint32_t offset, const char *bytes, uint32_t length)
{
    const uint64_t *buffer = context;

    return copy_to_guest(*buffer + offset, bytes, length) != 0 ? -XEN_EFAULT : 0;
}

static bool read_console_reserved_are_zero(const struct pvmon_domain_control *request)
{
    for (unsigned int index = 0; index < sizeof(request->u.read_console.reserved); index++)
        if (request->u.read_console.reserved[index] != 0)
            return false;
    return true;
}

static long read_console(struct pvmon_domain_control *request)
{
    uint64_t buffer = request->u.read_console.buffer;
    struct console_history_read read = {
        .index = request->u.read_console.index,
        .count = request->u.read_console.count,
        .incremental = request->u.read_console.incremental == 1,
        .clear = request->u.read_console.clear == 1,
    };
    int error;

    if (request->domain != 0 || request->u.read_console.clear > 1 || request->u.read_console.incremental > 1 ||
        !read_console_reserved_are_zero(request))
        return -XEN_EINVAL;
    error = console_history_read(&hypervisor_console_history, &read, copy_to_reader, &buffer);
    if (error)
        return error;
    request->u.read_console.count = read.count;
    request->u.read_console.index = read.index;
    return 0;
}

/* The domain a command names: never dom0, the caller, or a reserved id. */
static long find_target(const struct vcpu *caller, uint16_t id, struct domain **target)
{
    if (id == 0 || id >= DOMID_FIRST_RESERVED || id == caller->domain->id)
        return -XEN_EINVAL;
    *target = domain_find(id);
    return *target == NULL ? -XEN_ESRCH : 0;
}

static long run_command(struct vcpu *caller, uint64_t argument, struct pvmon_domain_control *request)
{
    struct domain *target;
    long error;

    switch (request->command) {
    case PVMON_DOMAIN_CONTROL_create:
        return create_domain(request);
    case PVMON_DOMAIN_CONTROL_get_info:
        return get_info(request);
    case PVMON_DOMAIN_CONTROL_read_console:
        return read_console(request);
    case PVMON_DOMAIN_CONTROL_set_memory:
    case PVMON_DOMAIN_CONTROL_load:
    case PVMON_DOMAIN_CONTROL_unpause:
    case PVMON_DOMAIN_CONTROL_pause:
    case PVMON_DOMAIN_CONTROL_destroy:
        break;
    default:
        return -XEN_ENOSYS;
    }
    error = find_target(caller, request->domain, &target);
    if (error)
        return error;
    switch (request->command) {
    case PVMON_DOMAIN_CONTROL_set_memory:
        return set_memory(caller, argument, target, request);
    case PVMON_DOMAIN_CONTROL_load:
        return load_domain(caller, argument, target, request);
    case PVMON_DOMAIN_CONTROL_unpause:
        return unpause_domain(target);
    case PVMON_DOMAIN_CONTROL_pause:
        return pause_domain(target);
    default:
        return destroy_domain(caller, argument, target);
    }
}

static bool reserved_fields_are_zero(const struct pvmon_domain_control *request)
{
    return request->reserved[0] == 0 && request->reserved[1] == 0 && request->reserved[2] == 0;
}

long do_domain_control(struct vcpu *caller, uint64_t argument)
{
    struct pvmon_domain_control request;
    long error;

    if (!caller->domain->privileged)
        return -XEN_EPERM;
    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.interface_version != PVMON_DOMAIN_CONTROL_INTERFACE_VERSION)
        return -XEN_EACCES;
    if (!reserved_fields_are_zero(&request))
        return -XEN_EINVAL;
    error = run_command(caller, argument, &request);
    if (error == 0 && copy_to_guest(argument, &request, sizeof(request)) != 0)
        return -XEN_EFAULT;
    return error;
}
