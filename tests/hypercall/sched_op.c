/*
 * sched_op and set_timer_op from a domU: yield, block (which clears the
 * event mask and returns once an event is pending), poll, and the shutdown
 * argument checks.  Expected values: xen/common/sched/core.c (do_sched_op,
 * do_poll: more than 128 ports is -EINVAL, an unreadable port list
 * -EFAULT; do_set_timer_op: always 0, 0 cancels).
 */
#include "check.h"

const char test_family[] = "sched_op";

#define QUIET_NS (60 * NANOSECONDS_PER_MILLISECOND)

static void check_simple_sub_ops(void)
{
    expect_result("yield_returns_0", hypercall_yield(), 0);
    expect_result("unknown_subop_is_enosys", hypercall_sched_op(99, 0), -XEN_ENOSYS);
    expect_result("shutdown_argument_in_hypervisor_is_efault",
                  hypercall_sched_op(SCHEDOP_shutdown, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("shutdown_argument_at_end_of_hypervisor_range_is_efault",
                  hypercall_sched_op(SCHEDOP_shutdown, (void *)HYPERVISOR_RANGE_LAST_PAGE), -XEN_EFAULT);
    expect_result("shutdown_argument_non_canonical_is_efault",
                  hypercall_sched_op(SCHEDOP_shutdown, (void *)NON_CANONICAL_ADDRESS), -XEN_EFAULT);
    expect_result("shutdown_argument_unmapped_is_efault",
                  hypercall_sched_op(SCHEDOP_shutdown, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
}

static void check_block(void)
{
    uint64_t events;
    long result;

    events_disable();
    events = clock_timer_events();
    hypercall_set_singleshot_timer(system_time_ns() + 20 * NANOSECONDS_PER_MILLISECOND);
    result = hypercall_block();
    expect_result("block_returns_0", result, 0);
    expect_true("block_returns_after_the_timer_event", clock_timer_events() > events,
                (long)(clock_timer_events() - events), "a timer event");
    expect_true("block_clears_the_event_mask", !events_disabled(), 1, "the mask clear after block");

    events_disable();
    events = clock_timer_events();
    hypercall_set_singleshot_timer(1);
    expect_result("block_with_an_event_pending_returns_0", hypercall_block(), 0);
    expect_true("block_with_an_event_pending_delivers_it", clock_timer_events() > events,
                (long)(clock_timer_events() - events), "a timer event");
    events_enable();
}

static void check_poll(void)
{
    struct evtchn_bind_ipi bind = { .vcpu = 0 };
    evtchn_port_t ports[129] = { 0 };
    uint64_t start;

    expect_result("poll_more_than_128_ports_is_einval", hypercall_poll(ports, 129, 0), -XEN_EINVAL);
    expect_result("poll_ports_in_hypervisor_is_efault",
                  hypercall_poll((evtchn_port_t *)HYPERVISOR_IMAGE_ADDRESS, 1, 0), -XEN_EFAULT);
    expect_result("poll_argument_in_hypervisor_is_efault",
                  hypercall_sched_op(SCHEDOP_poll, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    if (hypercall_event_channel_op(EVTCHNOP_bind_ipi, &bind) != 0) {
        expect_result("bind_ipi_for_poll", -1, 0);
        return;
    }
    ports[0] = bind.port;
    events_disable();
    start = system_time_ns();
    expect_result("poll_with_timeout_returns_0",
                  hypercall_poll(ports, 1, start + 30 * NANOSECONDS_PER_MILLISECOND), 0);
    expect_true("poll_with_timeout_waits_for_it", system_time_ns() - start >= 25 * NANOSECONDS_PER_MILLISECOND,
                (long)(system_time_ns() - start), "at least 25 ms");
    hypercall_event_send(bind.port);
    expect_result("poll_on_a_pending_port_returns_0", hypercall_poll(ports, 1, 0), 0);
    expect_true("poll_leaves_the_port_pending", (runtime_shared_info()->evtchn_pending[bind.port / 64] >>
                                                 (bind.port % 64)) & 1, 0, "the pending bit set");
    __atomic_fetch_and(&runtime_shared_info()->evtchn_pending[bind.port / 64], ~(1UL << (bind.port % 64)),
                       __ATOMIC_SEQ_CST);
    events_enable();
    hypercall_event_close(bind.port);
}

static void check_set_timer_op(void)
{
    uint64_t events;

    events_disable();
    events = clock_timer_events();
    expect_result("set_timer_op_succeeds",
                  hypercall_set_timer_op(system_time_ns() + 10 * NANOSECONDS_PER_MILLISECOND), 0);
    hypercall_block();
    expect_true("set_timer_op_fires_virq_timer", clock_timer_events() > events, (long)(clock_timer_events() - events),
                "a timer event");
    events_enable();
    expect_result("set_timer_op_soon_succeeds",
                  hypercall_set_timer_op(system_time_ns() + 20 * NANOSECONDS_PER_MILLISECOND), 0);
    expect_result("set_timer_op_0_succeeds", hypercall_set_timer_op(0), 0);
    events = clock_timer_events();
    spin_for(QUIET_NS);
    expect_result("set_timer_op_0_cancels_the_timer", (long)(clock_timer_events() - events), 0);
}

void run_tests(void)
{
    check_simple_sub_ops();
    check_block();
    check_poll();
    check_set_timer_op();
}
