/*
 * event_channel_op from a domU: binding VIRQs and IPIs, unbound and
 * loopback interdomain channels, send, unmask, close and status, with
 * valid and invalid inputs.  Expected values: xen/common/event_channel.c
 * (evtchn_bind_virq, evtchn_bind_ipi, evtchn_alloc_unbound,
 * evtchn_bind_interdomain, evtchn_send, evtchn_close, evtchn_status,
 * evtchn_unmask, do_event_channel_op); a port beyond the domain's ports
 * is -EINVAL (_evtchn_from_port), port 0 is reserved.
 * pvmon does not offer FIFO event channels: init_control, expand_array and
 * set_priority answer as Xen 4.17 (xen/common/event_fifo.c:
 * evtchn_fifo_init_control, map_guest_page, evtchn_fifo_expand_array;
 * event_channel.h: evtchn_port_set_priority) answers a domain without a
 * FIFO control block, and a request Xen would accept is -ENOSYS, on which
 * Linux falls back to 2-level.
 */
#include "check.h"

const char test_family[] = "event_channel";

#define WAIT_NS (500 * NANOSECONDS_PER_MILLISECOND)
#define QUIET_NS (50 * NANOSECONDS_PER_MILLISECOND)

static volatile bool event_seen;

static void note_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    event_seen = true;
}

static bool event_arrives(void)
{
    return wait_for_flag_until(&event_seen, system_time_ns() + WAIT_NS);
}

static long bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq bind = { .virq = virq, .vcpu = vcpu };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_virq, &bind);

    *port = bind.port;
    return result;
}

static long bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi bind = { .vcpu = vcpu };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_ipi, &bind);

    *port = bind.port;
    return result;
}

static long alloc_unbound(domid_t domain, domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound alloc = { .dom = domain, .remote_dom = remote };
    long result = hypercall_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);

    *port = alloc.port;
    return result;
}

static long bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = remote, .remote_port = remote_port };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bind);

    *port = bind.local_port;
    return result;
}

static long status_of(domid_t domain, evtchn_port_t port, struct evtchn_status *status)
{
    *status = (struct evtchn_status) { .dom = domain, .port = port };
    return hypercall_event_channel_op(EVTCHNOP_status, status);
}

static void check_argument_pointers(void)
{
    expect_result("unknown_subop_is_enosys", hypercall_event_channel_op(99, 0), -XEN_ENOSYS);
    expect_result("argument_in_hypervisor_is_efault",
                  hypercall_event_channel_op(EVTCHNOP_bind_virq, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("argument_at_start_of_hypervisor_range_is_efault",
                  hypercall_event_channel_op(EVTCHNOP_send, (void *)HYPERVISOR_RANGE_START), -XEN_EFAULT);
    expect_result("argument_non_canonical_is_efault",
                  hypercall_event_channel_op(EVTCHNOP_status, (void *)NON_CANONICAL_ADDRESS), -XEN_EFAULT);
    expect_result("argument_unmapped_is_efault",
                  hypercall_event_channel_op(EVTCHNOP_alloc_unbound, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
}

static void check_bind_virq(void)
{
    evtchn_port_t port;
    struct evtchn_status status;
    long result;

    expect_result("bind_virq_timer_again_is_eexist", bind_virq(VIRQ_TIMER, 0, &port), -XEN_EEXIST);
    expect_result("bind_virq_beyond_nr_virqs_is_einval", bind_virq(NR_VIRQS, 0, &port), -XEN_EINVAL);
    expect_result("bind_virq_negative_is_einval", bind_virq(0xffffffffu, 0, &port), -XEN_EINVAL);
    expect_result("bind_virq_per_vcpu_on_missing_vcpu_is_enoent", bind_virq(VIRQ_DEBUG, 1, &port), -XEN_ENOENT);
    expect_result("bind_virq_global_on_vcpu_1_is_einval", bind_virq(VIRQ_CONSOLE, 1, &port), -XEN_EINVAL);
    expect_result("bind_virq_global_owned_by_dom0_is_ebusy", bind_virq(VIRQ_CONSOLE, 0, &port), -XEN_EBUSY);
    result = bind_virq(VIRQ_DEBUG, 0, &port);
    expect_result("bind_virq_debug_succeeds", result, 0);
    expect_true("bind_virq_debug_gives_a_nonzero_port", result == 0 && port != 0, port, "a port above 0");
    expect_result("status_of_virq_port_succeeds", status_of(DOMID_SELF, port, &status), 0);
    expect_true("status_of_virq_port_is_virq_debug",
                status.status == EVTCHNSTAT_virq && status.u.virq == VIRQ_DEBUG && status.vcpu == 0, status.status,
                "EVTCHNSTAT_virq (4) for VIRQ_DEBUG on vCPU 0");
    expect_result("bind_virq_debug_again_is_eexist", bind_virq(VIRQ_DEBUG, 0, &port), -XEN_EEXIST);
}

static void check_ipi(void)
{
    evtchn_port_t port;
    struct evtchn_status status;
    long result;

    expect_result("bind_ipi_missing_vcpu_is_enoent", bind_ipi(1, &port), -XEN_ENOENT);
    result = bind_ipi(0, &port);
    expect_result("bind_ipi_vcpu_0_succeeds", result, 0);
    if (result != 0)
        return;
    expect_result("status_of_ipi_port_succeeds", status_of(DOMID_SELF, port, &status), 0);
    expect_result("status_of_ipi_port_is_ipi", status.status, EVTCHNSTAT_ipi);
    expect_result("attach_handler_unmasks_ipi_port", events_attach(port, note_event, 0), 0);
    event_seen = false;
    expect_result("send_on_ipi_port_succeeds", hypercall_event_send(port), 0);
    expect_true("send_on_ipi_port_delivers_the_event", event_arrives(), event_seen, "an upcall for the port");

    events_mask_port(port);
    event_seen = false;
    expect_result("send_on_masked_port_succeeds", hypercall_event_send(port), 0);
    sleep_ns(QUIET_NS);
    expect_true("masked_port_is_not_delivered", !event_seen, event_seen, "no upcall while masked");
    expect_true("masked_port_is_left_pending_in_shared_info",
                (runtime_shared_info()->evtchn_pending[port / 64] >> (port % 64)) & 1, 0, "the pending bit set");
    expect_result("unmask_pending_port_succeeds", hypercall_event_unmask(port), 0);
    expect_true("unmask_delivers_the_pending_event", event_arrives(), event_seen, "an upcall after unmask");

    events_detach(port);
    expect_result("close_ipi_port_succeeds", hypercall_event_close(port), 0);
    expect_result("status_of_closed_port_succeeds", status_of(DOMID_SELF, port, &status), 0);
    expect_result("status_of_closed_port_is_closed", status.status, EVTCHNSTAT_closed);
    expect_result("send_on_closed_port_is_einval", hypercall_event_send(port), -XEN_EINVAL);
    expect_result("close_closed_port_is_einval", hypercall_event_close(port), -XEN_EINVAL);
}

static void check_interdomain_loopback(void)
{
    evtchn_port_t unbound, local, refused;
    struct evtchn_status status;
    long result;

    expect_result("alloc_unbound_for_missing_domain_is_esrch", alloc_unbound(MISSING_DOMAIN, DOMID_SELF, &unbound),
                  -XEN_ESRCH);
    expect_result("alloc_unbound_for_dom0_from_domu_is_eperm", alloc_unbound(0, DOMID_SELF, &unbound), -XEN_EPERM);
    result = alloc_unbound(DOMID_SELF, DOMID_SELF, &unbound);
    expect_result("alloc_unbound_for_self_succeeds", result, 0);
    if (result != 0)
        return;
    expect_result("status_of_unbound_port_succeeds", status_of(DOMID_SELF, unbound, &status), 0);
    expect_result("status_of_unbound_port_is_unbound", status.status, EVTCHNSTAT_unbound);
    expect_result("send_on_unbound_port_is_dropped_silently", hypercall_event_send(unbound), 0);

    expect_result("bind_interdomain_missing_domain_is_esrch", bind_interdomain(MISSING_DOMAIN, unbound, &refused),
                  -XEN_ESRCH);
    expect_result("bind_interdomain_out_of_range_remote_port_is_einval",
                  bind_interdomain(DOMID_SELF, OUT_OF_RANGE_PORT, &refused), -XEN_EINVAL);
    expect_result("bind_interdomain_remote_port_0_is_einval", bind_interdomain(DOMID_SELF, 0, &refused),
                  -XEN_EINVAL);
    result = bind_interdomain(DOMID_SELF, unbound, &local);
    expect_result("bind_interdomain_loopback_succeeds", result, 0);
    if (result != 0)
        return;
    expect_result("status_of_local_end_succeeds", status_of(DOMID_SELF, local, &status), 0);
    expect_true("status_of_local_end_names_the_remote_port",
                status.status == EVTCHNSTAT_interdomain && status.u.interdomain.port == unbound, status.status,
                "EVTCHNSTAT_interdomain (2) with the remote port");
    expect_result("bind_interdomain_to_connected_port_is_einval", bind_interdomain(DOMID_SELF, unbound, &refused),
                  -XEN_EINVAL);
    expect_result("attach_handler_to_remote_end", events_attach(unbound, note_event, 0), 0);
    event_seen = false;
    expect_result("send_on_local_end_succeeds", hypercall_event_send(local), 0);
    expect_true("send_on_local_end_pends_the_remote_end", event_arrives(), event_seen, "an upcall for the remote end");
    events_detach(unbound);
    expect_result("close_local_end_succeeds", hypercall_event_close(local), 0);
    expect_result("status_of_remote_end_after_close_succeeds", status_of(DOMID_SELF, unbound, &status), 0);
    expect_result("remote_end_is_unbound_again_after_close", status.status, EVTCHNSTAT_unbound);
    expect_result("close_unbound_port_succeeds", hypercall_event_close(unbound), 0);
}

static void check_out_of_range_ports(void)
{
    struct evtchn_status status;

    expect_result("send_out_of_range_port_is_einval", hypercall_event_send(OUT_OF_RANGE_PORT), -XEN_EINVAL);
    expect_result("send_port_0_is_einval", hypercall_event_send(0), -XEN_EINVAL);
    expect_result("unmask_out_of_range_port_is_einval", hypercall_event_unmask(OUT_OF_RANGE_PORT), -XEN_EINVAL);
    expect_result("close_out_of_range_port_is_einval", hypercall_event_close(OUT_OF_RANGE_PORT), -XEN_EINVAL);
    expect_result("close_port_0_is_einval", hypercall_event_close(0), -XEN_EINVAL);
    expect_result("status_out_of_range_port_is_einval", status_of(DOMID_SELF, OUT_OF_RANGE_PORT, &status),
                  -XEN_EINVAL);
    expect_result("status_of_missing_domain_is_esrch", status_of(MISSING_DOMAIN, 1, &status), -XEN_ESRCH);
    expect_result("status_of_port_0_succeeds", status_of(DOMID_SELF, 0, &status), 0);
    expect_result("status_of_port_0_is_closed", status.status, EVTCHNSTAT_closed);
}

/* --- FIFO: not offered, answered as Xen ---------------------------------------- */

static uint8_t control_page[4096] __attribute__((aligned(4096)));

static long init_control(uint64_t frame, uint32_t offset, uint32_t vcpu, uint8_t *link_bits)
{
    struct evtchn_init_control request = { .control_gfn = frame, .offset = offset, .vcpu = vcpu };
    long result = hypercall_event_channel_op(EVTCHNOP_init_control, &request);

    *link_bits = request.link_bits;
    return result;
}

static void check_fifo_is_answered_as_xen(void)
{
    uint64_t frame = runtime_machine_address(control_page) >> 12;
    uint64_t page_table_frame;
    struct evtchn_expand_array expand = { .array_gfn = frame };
    struct evtchn_set_priority priority = { .port = 0, .priority = 0 };
    uint8_t link_bits;
    long result;

    __asm__ volatile("mov %%cr3, %0" : "=r"(page_table_frame));
    page_table_frame >>= 12;
    control_page[0] = 1;
    expect_result("init_control_for_a_vcpu_the_domain_lacks_is_enoent", init_control(frame, 0, 1, &link_bits),
                  -XEN_ENOENT);
    expect_result("init_control_block_crossing_its_page_is_einval", init_control(frame, 4032, 0, &link_bits),
                  -XEN_EINVAL);
    expect_result("init_control_block_not_8_byte_aligned_is_einval", init_control(frame, 4, 0, &link_bits),
                  -XEN_EINVAL);
    expect_result("init_control_on_a_page_table_frame_is_einval", init_control(page_table_frame, 0, 0, &link_bits),
                  -XEN_EINVAL);
    expect_result("init_control_on_a_frame_not_owned_is_einval",
                  init_control(HYPERVISOR_IMAGE_MACHINE_ADDRESS >> 12, 0, 0, &link_bits), -XEN_EINVAL);
    expect_result("init_control_argument_in_hypervisor_is_efault",
                  hypercall_event_channel_op(EVTCHNOP_init_control, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    result = init_control(frame, 4024, 0, &link_bits);
    expect_result("valid_init_control_is_enosys_so_the_guest_keeps_2_level", result, -XEN_ENOSYS);
    expect_result("refused_init_control_writes_no_link_bits", link_bits, 0);
    expect_result("expand_array_without_a_control_block_is_eopnotsupp",
                  hypercall_event_channel_op(EVTCHNOP_expand_array, &expand), -XEN_EOPNOTSUPP);
    expect_result("set_priority_of_a_port_in_the_table_is_enosys",
                  hypercall_event_channel_op(EVTCHNOP_set_priority, &priority), -XEN_ENOSYS);
    priority.port = OUT_OF_RANGE_PORT;
    expect_result("set_priority_of_a_port_outside_the_table_is_einval",
                  hypercall_event_channel_op(EVTCHNOP_set_priority, &priority), -XEN_EINVAL);
    expect_result("set_priority_argument_unmapped_is_efault",
                  hypercall_event_channel_op(EVTCHNOP_set_priority, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
}

void run_tests(void)
{
    check_argument_pointers();
    check_bind_virq();
    check_ipi();
    check_interdomain_loopback();
    check_out_of_range_ports();
    check_fifo_is_answered_as_xen();
}
