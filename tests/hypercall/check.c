/*
 * The test guests' start and reporting (see check.h).  A guest whose
 * runtime cannot be set up reports that as a failed case, so that a
 * hypervisor without one of the runtime's hypercalls still gives a
 * summary rather than silence.
 */
#include "check.h"
#include <xen/sched.h>

void start_kernel(const struct start_info *start_info);

static unsigned int passed;
static unsigned int failed;

void expect_result(const char *name, long got, long expected)
{
    if (got == expected) {
        passed++;
        console_printf("PASS %s: %s\n", test_family, name);
    } else {
        failed++;
        console_printf("FAIL %s: %s: got %ld expected %ld\n", test_family, name, got, expected);
    }
}

void expect_true(const char *name, bool holds, long got, const char *expected)
{
    if (holds) {
        passed++;
        console_printf("PASS %s: %s\n", test_family, name);
    } else {
        failed++;
        console_printf("FAIL %s: %s: got %ld expected %s\n", test_family, name, got, expected);
    }
}

static volatile bool self_event_seen;

static void note_self_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    self_event_seen = true;
}

bool self_event_arrives(void)
{
    static evtchn_port_t port;

    if (port == 0) {
        struct evtchn_bind_ipi bind = { .vcpu = 0 };

        if (hypercall_event_channel_op(EVTCHNOP_bind_ipi, &bind) != 0 ||
            events_attach(bind.port, note_self_event, 0) != 0)
            return false;
        port = bind.port;
    }
    self_event_seen = false;
    if (hypercall_event_send(port) != 0)
        return false;
    return wait_for_flag_until(&self_event_seen, system_time_ns() + 500 * NANOSECONDS_PER_MILLISECOND);
}

void spin_for(uint64_t duration_ns)
{
    uint64_t end = system_time_ns() + duration_ns;

    while (system_time_ns() < end)
        __asm__ volatile("pause");
}

void spin_until_timer_events(uint64_t events, uint64_t limit_ns)
{
    uint64_t end = system_time_ns() + limit_ns;

    while (clock_timer_events() < events && system_time_ns() < end)
        __asm__ volatile("pause");
}

void start_kernel(const struct start_info *start_info)
{
    int result = runtime_init(start_info);

    expect_result("runtime_init", result, 0);
    if (result == 0)
        run_tests();
    console_printf("SUMMARY %s: %u passed, %u failed\n", test_family, passed, failed);
    runtime_exit(SHUTDOWN_poweroff);
}
