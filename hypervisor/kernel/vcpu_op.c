/*
 * The vcpu_op and set_timer_op hypercalls: where a vCPU's vcpu_info and
 * runstate live, whether it is up, and its one-shot and periodic timers.
 *
 * Rules kept here (xen/common/domain.c: common_vcpu_op,
 * default_initialise_vcpu, map_guest_area; xen/arch/x86/domain.c:
 * do_vcpu_op, arch_initialise_vcpu; xen/common/sched/core.c:
 * do_set_timer_op, vcpu_singleshot_timer_set):
 *   - The command and the vCPU id are 32 bits (Xen's int cmd and unsigned
 *     int vcpuid; the bits above are not looked at).  A vCPU id the domain
 *     does not have is -ENOENT, before anything else (domain_vcpu): pvmon
 *     gives each domain one vCPU, id 0.
 *   - register_vcpu_info (map_guest_area) takes an offset that is aligned
 *     for struct vcpu_info and leaves all of it in the page (-ENXIO), and a
 *     machine frame the domain owns that can take a writable type (no
 *     page table or descriptor page in use), since pvmon writes there; the
 *     vCPU keeps that writable reference until the domain ends (-EINVAL);
 *     it may be done once (-EBUSY after).  The old contents move there, and every
 *     selector bit and the upcall are set pending, so that no event is lost
 *     in the move (the guest sees at most spurious ones).
 *   - register_runstate_memory_area takes a guest virtual address, checked
 *     as a range (-EFAULT), written whenever the vCPU's runstate changes
 *     while its page tables are loaded.
 *   - Timers are absolute system times.  A one-shot timer with
 *     VCPU_SSHOTTMR_future in the past is -ETIME; without it, it fires at
 *     once, before the hypercall returns, and so does one at 2^63 ns or
 *     later, which Xen's signed s_time_t reads as negative.  A periodic timer needs a period of at least 1 ms (-EINVAL).
 *     Only the calling vCPU's one-shot timer can be set or stopped.
 *   - set_timer_op(0) stops the one-shot timer; a timeout with any of bits
 *     50-63 set is treated as "far in the future", as Xen does for old
 *     Linux kernels that passed a negative deadline.
 *   - initialise reads the whole struct vcpu_guest_context first (-EFAULT
 *     if any of it cannot be read), then refuses a vCPU already
 *     initialised (-EEXIST), which a domain's vCPU 0 always is: the domain
 *     builder initialised it (default_initialise_vcpu).
 *   - up of an initialised vCPU brings it up if it was down and is 0
 *     either way; is_up is 1 for a vCPU that is not down.  down takes the
 *     vCPU down, unless it is the domain's last vCPU up: then the domain
 *     is shut down with reason poweroff instead, the vCPU staying "up"
 *     (common_vcpu_op).  With one vCPU per domain that is always the
 *     case, so down never returns to the guest and a running vCPU is
 *     always up.  The rest (send_nmi, get_physid, time areas) -ENOSYS.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>
#include <pvmon/runstate.h>
#include <pvmon/string.h>
#include <pvmon/time.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MINIMUM_TIMER_PERIOD_NS UINT64_C(1000000)
#define FAR_FUTURE_TIMEOUT_BITS 50
#define FAR_FUTURE_NS (UINT64_C(1) << FAR_FUTURE_TIMEOUT_BITS)
#define PENDING_SELECTOR_ALL_BITS UINT64_MAX
#define VCPU_INFO_ALIGNMENT _Alignof(struct vcpu_info)
#define CONTEXT_READ_CHUNK 256

/*
 * Xen copies the guest's struct vcpu_guest_context (about 5 KiB) before it
 * looks at anything else; pvmon keeps no use for it, so it reads it through
 * a small buffer, with the same outcome for a context it cannot read.
 */
static long read_whole_context(uint64_t argument)
{
    uint8_t chunk[CONTEXT_READ_CHUNK];
    size_t offset, length;

    for (offset = 0; offset < sizeof(struct vcpu_guest_context); offset += length) {
        length = sizeof(struct vcpu_guest_context) - offset;
        if (length > sizeof(chunk))
            length = sizeof(chunk);
        if (argument + offset < argument || copy_from_guest(chunk, argument + offset, length) != 0)
            return -XEN_EFAULT;
    }
    return 0;
}

/* Xen: default_initialise_vcpu; every vCPU pvmon has was initialised by the domain builder. */
static long initialise(uint64_t argument)
{
    long result = read_whole_context(argument);

    return result != 0 ? result : -XEN_EEXIST;
}

static long register_vcpu_info(struct vcpu *vcpu, uint64_t argument)
{
    struct vcpu_register_vcpu_info request;
    struct vcpu_info *new_location;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (vcpu->vcpu_info_frame != 0)
        return -XEN_EBUSY;
    if (request.offset % VCPU_INFO_ALIGNMENT != 0 || request.offset > PAGE_SIZE - sizeof(struct vcpu_info))
        return -XEN_ENXIO;
    if (request.mfn > UINT64_MAX / PAGE_SIZE ||
        page_get_reference_and_type(domain_page_memory(), request.mfn, vcpu->domain->id, PAGE_TYPE_WRITABLE) != 0)
        return -XEN_EINVAL;
    new_location = (struct vcpu_info *)((uint8_t *)physical_to_virtual(request.mfn * PAGE_SIZE) + request.offset);
    memcpy(new_location, vcpu->vcpu_info, sizeof(*new_location));
    vcpu->vcpu_info = new_location;
    vcpu->vcpu_info_frame = request.mfn;
    BUG_ON(event_channel_set_vcpu_info(&vcpu->domain->events, vcpu->id, new_location) != 0);
    __atomic_store_n(&new_location->evtchn_pending_sel, PENDING_SELECTOR_ALL_BITS, __ATOMIC_SEQ_CST);
    __atomic_store_n(&new_location->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    vcpu_publish_time(vcpu);
    return 0;
}

static long register_runstate_area(struct vcpu *vcpu, uint64_t argument)
{
    struct vcpu_register_runstate_memory_area request;
    uint64_t address;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    address = request.addr.p;
    if (!guest_range_is_valid(address, sizeof(struct vcpu_runstate_info)))
        return -XEN_EFAULT;
    vcpu->runstate_guest_address = address;
    vcpu_publish_runstate(vcpu);
    return 0;
}

static long get_runstate_info(const struct vcpu *vcpu, uint64_t argument)
{
    struct vcpu_runstate_info snapshot = runstate_snapshot(&vcpu->runstate, system_time_ns());

    return copy_to_guest(argument, &snapshot, sizeof(snapshot)) != 0 ? -XEN_EFAULT : 0;
}

static long set_periodic_timer(struct vcpu *vcpu, uint64_t argument)
{
    struct vcpu_set_periodic_timer request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.period_ns < MINIMUM_TIMER_PERIOD_NS || request.period_ns >= FAR_FUTURE_NS)
        return -XEN_EINVAL;
    vcpu->periodic_period_ns = request.period_ns;
    vcpu->periodic_deadline_ns = system_time_ns() + request.period_ns;
    schedule_timers_changed();
    return 0;
}

/* A deadline already past fires at once, before the hypercall returns.
 * Xen keeps the deadline as a signed s_time_t (set_timer), so one with bit
 * 63 set is negative there, long past: it fires at once too. */
static void set_singleshot_deadline(struct vcpu *vcpu, uint64_t deadline_ns)
{
    if (deadline_ns <= system_time_ns() || (int64_t)deadline_ns < 0) {
        vcpu->singleshot_deadline_ns = 0;
        schedule_raise_timer_virq(vcpu);
        return;
    }
    vcpu->singleshot_deadline_ns = deadline_ns;
    schedule_timers_changed();
}

static long set_singleshot_timer(struct vcpu *vcpu, uint64_t argument)
{
    struct vcpu_set_singleshot_timer request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if ((request.flags & VCPU_SSHOTTMR_future) && request.timeout_abs_ns < system_time_ns())
        return -XEN_ETIME;
    set_singleshot_deadline(vcpu, request.timeout_abs_ns);
    return 0;
}

long do_vcpu_op(struct vcpu *vcpu, uint64_t command_argument, uint64_t vcpu_id_argument, uint64_t argument)
{
    int32_t command = (int32_t)(uint32_t)command_argument;
    uint32_t vcpu_id = (uint32_t)vcpu_id_argument;

    if (vcpu_id != vcpu->id)
        return -XEN_ENOENT;
    switch (command) {
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(vcpu, argument);
    case VCPUOP_register_runstate_memory_area:
        return register_runstate_area(vcpu, argument);
    case VCPUOP_get_runstate_info:
        return get_runstate_info(vcpu, argument);
    case VCPUOP_is_up:
        return 1;
    case VCPUOP_initialise:
        return initialise(argument);
    case VCPUOP_up:
        return 0;
    case VCPUOP_down:
        domain_shutdown(vcpu->domain, SHUTDOWN_poweroff);
        return 0;
    case VCPUOP_set_periodic_timer:
        return set_periodic_timer(vcpu, argument);
    case VCPUOP_stop_periodic_timer:
        vcpu->periodic_period_ns = 0;
        return 0;
    case VCPUOP_set_singleshot_timer:
        return set_singleshot_timer(vcpu, argument);
    case VCPUOP_stop_singleshot_timer:
        vcpu->singleshot_deadline_ns = 0;
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

long do_set_timer_op(struct vcpu *vcpu, uint64_t timeout_ns)
{
    if (timeout_ns == 0) {
        vcpu->singleshot_deadline_ns = 0;
        return 0;
    }
    if (timeout_ns >> FAR_FUTURE_TIMEOUT_BITS)
        timeout_ns = system_time_ns() + FAR_FUTURE_NS;
    set_singleshot_deadline(vcpu, timeout_ns);
    return 0;
}
