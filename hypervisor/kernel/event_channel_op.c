/*
 * The event_channel_op hypercall: copies each request in from the guest,
 * runs the 2-level event-channel logic (common/event_channel.c, where
 * every rule and error number lives), copies the answer back, and wakes
 * whichever vCPU the operation made pending (xen/common/event_channel.c:
 * do_event_channel_op).
 *
 * Commands with an answer (alloc_unbound, bind_interdomain, bind_virq,
 * bind_ipi, status) write their whole structure back, as Xen does; a
 * failure to write it back is -EFAULT even though the operation happened.
 * FIFO (init_control, expand_array, set_priority) is not offered: each is
 * answered as Xen 4.17 answers a domain without a FIFO control block
 * (pvmon/event_channel.h), a valid init_control with -ENOSYS, so that
 * guests stay on the 2-level ABI.  bind_pirq is the privileged domain's
 * (kernel/physical_irq.c: Xen's answers for a domU), and closing a pirq
 * port unbinds its line there.  reset is -ENOSYS.
 */
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/physical_irq.h>

union event_channel_request {
    struct evtchn_alloc_unbound alloc_unbound;
    struct evtchn_bind_interdomain bind_interdomain;
    struct evtchn_bind_virq bind_virq;
    struct evtchn_bind_ipi bind_ipi;
    struct evtchn_bind_pirq bind_pirq;
    struct evtchn_close close;
    struct evtchn_send send;
    struct evtchn_status status;
    struct evtchn_bind_vcpu bind_vcpu;
    struct evtchn_unmask unmask;
    struct evtchn_init_control init_control;
    struct evtchn_expand_array expand_array;
    struct evtchn_set_priority set_priority;
};

static size_t request_size(uint64_t command)
{
    switch (command) {
    case EVTCHNOP_alloc_unbound:
        return sizeof(struct evtchn_alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        return sizeof(struct evtchn_bind_interdomain);
    case EVTCHNOP_bind_virq:
        return sizeof(struct evtchn_bind_virq);
    case EVTCHNOP_bind_ipi:
        return sizeof(struct evtchn_bind_ipi);
    case EVTCHNOP_bind_pirq:
        return sizeof(struct evtchn_bind_pirq);
    case EVTCHNOP_close:
        return sizeof(struct evtchn_close);
    case EVTCHNOP_send:
        return sizeof(struct evtchn_send);
    case EVTCHNOP_status:
        return sizeof(struct evtchn_status);
    case EVTCHNOP_bind_vcpu:
        return sizeof(struct evtchn_bind_vcpu);
    case EVTCHNOP_unmask:
        return sizeof(struct evtchn_unmask);
    case EVTCHNOP_init_control:
        return sizeof(struct evtchn_init_control);
    case EVTCHNOP_expand_array:
        return sizeof(struct evtchn_expand_array);
    case EVTCHNOP_set_priority:
        return sizeof(struct evtchn_set_priority);
    default:
        return 0;
    }
}

static bool answers_back(uint64_t command)
{
    return command == EVTCHNOP_alloc_unbound || command == EVTCHNOP_bind_interdomain ||
           command == EVTCHNOP_bind_virq || command == EVTCHNOP_bind_ipi || command == EVTCHNOP_bind_pirq ||
           command == EVTCHNOP_status;
}

/* Xen's map_guest_page for the control block: a frame the domain holds
 * and may map writable, else -EINVAL (a PV gfn is a machine frame). */
static int check_control_frame(const struct domain *domain, uint64_t frame)
{
    const struct page_memory *memory = domain_page_memory();

    if (page_get_reference_and_type(memory, frame, domain->id, PAGE_TYPE_WRITABLE) != 0)
        return -XEN_EINVAL;
    page_put_reference_and_type(memory, frame);
    return 0;
}

static int init_control(const struct domain *domain, const struct evtchn_init_control *request)
{
    int error = event_channel_check_init_control(&domain->events, request);

    if (error == 0)
        error = check_control_frame(domain, request->control_gfn);
    return error == 0 ? -XEN_ENOSYS : error;
}

/* A pirq port's line is unbound once the port is closed. */
static int close_port(struct domain *domain, const struct evtchn_close *request)
{
    uint32_t pirq = physical_irq_pirq_of_port(domain, request->port);
    int error = event_channel_close(&domain->events, &domain_event_directory, request);

    if (error == 0)
        physical_irq_port_closed(domain, pirq, request->port);
    return error;
}

static int run_operation(struct vcpu *vcpu, uint64_t command, union event_channel_request *request,
                         struct event_channel_kick *kick)
{
    struct domain *domain = vcpu->domain;
    struct event_channel_domain *events = &domain->events;
    const struct event_channel_directory *directory = &domain_event_directory;

    switch (command) {
    case EVTCHNOP_alloc_unbound:
        return event_channel_alloc_unbound(events, directory, &request->alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        return event_channel_bind_interdomain(events, directory, &request->bind_interdomain, kick);
    case EVTCHNOP_bind_virq:
        return event_channel_bind_virq(events, &request->bind_virq);
    case EVTCHNOP_bind_ipi:
        return event_channel_bind_ipi(events, &request->bind_ipi);
    case EVTCHNOP_bind_pirq:
        return physical_irq_bind(vcpu, &request->bind_pirq);
    case EVTCHNOP_close:
        return close_port(domain, &request->close);
    case EVTCHNOP_send:
        return event_channel_send(events, directory, &request->send, kick);
    case EVTCHNOP_status:
        return event_channel_status(events, directory, &request->status);
    case EVTCHNOP_bind_vcpu:
        return event_channel_bind_vcpu(events, &request->bind_vcpu);
    case EVTCHNOP_init_control:
        return init_control(domain, &request->init_control);
    case EVTCHNOP_expand_array:
        return event_channel_expand_array(events, &request->expand_array);
    case EVTCHNOP_set_priority:
        return event_channel_set_priority(events, &request->set_priority);
    default:
        return event_channel_unmask(events, &request->unmask, kick);
    }
}

long do_event_channel_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    union event_channel_request request;
    struct event_channel_kick kick = { 0 };
    size_t size = request_size(command);
    int error;

    if (size == 0)
        return -XEN_ENOSYS;
    if (copy_from_guest(&request, argument, size) != 0)
        return -XEN_EFAULT;
    error = run_operation(vcpu, command, &request, &kick);
    schedule_kick(&kick);
    schedule_check_pollers();
    if (error == 0 && answers_back(command) && copy_to_guest(argument, &request, size) != 0)
        return -XEN_EFAULT;
    return error;
}
