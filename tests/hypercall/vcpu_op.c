/*
 * vcpu_op from a domU: is_up, up, initialise and down of vCPUs it has and
 * has not (one: vCPU 0), the 32-bit command and vCPU id, runstate (get_runstate_info and a
 * registered runstate area), periodic and one-shot timers, and moving
 * vcpu_info with register_vcpu_info.  Expected values: xen/common/domain.c
 * (common_vcpu_op, default_initialise_vcpu: the context is read before
 * -EEXIST), xen/arch/x86/domain.c (do_vcpu_op: int cmd, unsigned int
 * vcpuid, -ENOENT for a vCPU the domain does not have), map_guest_area (-ENXIO for an area that is
 * misaligned or crosses a page).
 */
#include "check.h"

const char test_family[] = "vcpu_op";

#define PAGE_SIZE 4096
#define QUIET_NS (60 * NANOSECONDS_PER_MILLISECOND)

static struct vcpu_runstate_info runstate_area;
static uint8_t vcpu_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void check_is_up_and_sub_ops(void)
{
    expect_result("is_up_vcpu_0_is_1", hypercall_vcpu_op(VCPUOP_is_up, 0, 0), 1);
    expect_result("is_up_missing_vcpu_is_enoent", hypercall_vcpu_op(VCPUOP_is_up, 1, 0), -XEN_ENOENT);
    expect_result("is_up_huge_vcpu_is_enoent", hypercall_vcpu_op(VCPUOP_is_up, 0xffffffffu, 0), -XEN_ENOENT);
    expect_result("unknown_subop_is_enosys", hypercall_vcpu_op(99, 0, 0), -XEN_ENOSYS);
}

/* A vcpu_op with the 64-bit register values given, bits Xen does not look at included. */
static long raw_vcpu_op(uint64_t command, uint64_t vcpu, void *argument)
{
    return hypercall3(__HYPERVISOR_vcpu_op, command, vcpu, (unsigned long)argument);
}

static void check_vcpu_id_and_command_width(void)
{
    expect_result("vcpu_id_bits_above_32_are_not_looked_at", raw_vcpu_op(VCPUOP_is_up, UINT64_C(1) << 32, 0), 1);
    expect_result("command_bits_above_32_are_not_looked_at",
                  raw_vcpu_op((UINT64_C(1) << 32) | VCPUOP_is_up, 0, 0), 1);
}

static struct vcpu_guest_context guest_context;
static uint8_t mapped_then_unmapped[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A context whose first half is mapped and whose second half is not. */
static void *context_running_into_unmapped_memory(void)
{
    uint8_t *unmapped = mapped_then_unmapped + PAGE_SIZE;

    if (hypercall_update_va_mapping((unsigned long)unmapped, 0, UVMF_INVLPG) != 0)
        return (void *)UNMAPPED_ADDRESS;
    return unmapped - sizeof(guest_context) / 2;
}

static void check_up_initialise_and_down(void)
{

    expect_result("up_of_the_running_vcpu_is_0", hypercall_vcpu_op(VCPUOP_up, 0, 0), 0);
    expect_result("is_up_after_up_is_still_1", hypercall_vcpu_op(VCPUOP_is_up, 0, 0), 1);
    expect_result("up_missing_vcpu_is_enoent", hypercall_vcpu_op(VCPUOP_up, 1, 0), -XEN_ENOENT);
    expect_result("initialise_of_the_initialised_vcpu_is_eexist",
                  hypercall_vcpu_op(VCPUOP_initialise, 0, &guest_context), -XEN_EEXIST);
    expect_result("initialise_with_a_null_context_is_efault", hypercall_vcpu_op(VCPUOP_initialise, 0, 0),
                  -XEN_EFAULT);
    expect_result("initialise_with_a_context_in_the_hypervisor_is_efault",
                  hypercall_vcpu_op(VCPUOP_initialise, 0, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("initialise_with_a_context_running_into_unmapped_memory_is_efault",
                  hypercall_vcpu_op(VCPUOP_initialise, 0, context_running_into_unmapped_memory()), -XEN_EFAULT);
    expect_result("initialise_missing_vcpu_is_enoent", hypercall_vcpu_op(VCPUOP_initialise, 1, &guest_context),
                  -XEN_ENOENT);
    expect_result("down_missing_vcpu_is_enoent", hypercall_vcpu_op(VCPUOP_down, 1, 0), -XEN_ENOENT);
    expect_result("is_up_after_a_refused_down_is_still_1", hypercall_vcpu_op(VCPUOP_is_up, 0, 0), 1);
}

static void check_get_runstate_info(void)
{
    struct vcpu_runstate_info before = { 0 }, after = { 0 };

    expect_result("get_runstate_info_succeeds", hypercall_get_runstate_info(&before), 0);
    expect_result("get_runstate_info_says_running", before.state, RUNSTATE_running);
    spin_for(20 * NANOSECONDS_PER_MILLISECOND);
    hypercall_get_runstate_info(&after);
    expect_true("running_time_grows_while_computing",
                after.time[RUNSTATE_running] > before.time[RUNSTATE_running],
                (long)(after.time[RUNSTATE_running] - before.time[RUNSTATE_running]), "a positive difference");
    expect_result("get_runstate_info_into_hypervisor_is_efault",
                  hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("get_runstate_info_non_canonical_is_efault",
                  hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)NON_CANONICAL_ADDRESS), -XEN_EFAULT);
    expect_result("get_runstate_info_unmapped_is_efault",
                  hypercall_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    expect_result("get_runstate_info_missing_vcpu_is_enoent",
                  hypercall_vcpu_op(VCPUOP_get_runstate_info, 1, &after), -XEN_ENOENT);
}

static long register_runstate_area(uint64_t address)
{
    struct vcpu_register_runstate_memory_area area = { 0 };

    area.addr.v = (struct vcpu_runstate_info *)address;
    return hypercall_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area);
}

static void check_runstate_area(void)
{
    expect_result("register_runstate_area_in_hypervisor_is_efault", register_runstate_area(HYPERVISOR_IMAGE_ADDRESS),
                  -XEN_EFAULT);
    expect_result("register_runstate_area_non_canonical_is_efault", register_runstate_area(NON_CANONICAL_ADDRESS),
                  -XEN_EFAULT);
    expect_result("register_runstate_area_argument_in_hypervisor_is_efault",
                  hypercall_vcpu_op(VCPUOP_register_runstate_memory_area, 0, (void *)HYPERVISOR_IMAGE_ADDRESS),
                  -XEN_EFAULT);
    expect_result("register_runstate_area_succeeds", register_runstate_area((uint64_t)&runstate_area), 0);
    expect_result("registered_area_is_filled_at_once", runstate_area.state, RUNSTATE_running);
    sleep_ns(20 * NANOSECONDS_PER_MILLISECOND);
    expect_true("registered_area_counts_time_blocked", runstate_area.time[RUNSTATE_blocked] > 0,
                (long)runstate_area.time[RUNSTATE_blocked], "blocked time above 0 after sleeping");
}

static void check_periodic_timer(void)
{
    struct vcpu_set_periodic_timer timer = { .period_ns = NANOSECONDS_PER_MILLISECOND - 1 };
    uint64_t events;

    expect_result("set_periodic_timer_below_1ms_is_einval",
                  hypercall_vcpu_op(VCPUOP_set_periodic_timer, 0, &timer), -XEN_EINVAL);
    expect_result("set_periodic_timer_argument_in_hypervisor_is_efault",
                  hypercall_vcpu_op(VCPUOP_set_periodic_timer, 0, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    timer.period_ns = 10 * NANOSECONDS_PER_MILLISECOND;
    events = clock_timer_events();
    expect_result("set_periodic_timer_10ms_succeeds", hypercall_vcpu_op(VCPUOP_set_periodic_timer, 0, &timer), 0);
    /* A periodic timer coalesces the periods it missed into one event (as
     * Xen's does), and on a loaded host QEMU may not run for a while: so
     * wait for the events, within a generous bound, rather than count
     * them over a fixed window. */
    spin_until_timer_events(events + 3, 2000 * NANOSECONDS_PER_MILLISECOND);
    expect_true("periodic_timer_fires_repeatedly", clock_timer_events() - events >= 3,
                (long)(clock_timer_events() - events), "at least 3 timer events within 2 s");
    expect_result("stop_periodic_timer_succeeds", hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0), 0);
    spin_for(20 * NANOSECONDS_PER_MILLISECOND);
    events = clock_timer_events();
    spin_for(QUIET_NS);
    expect_result("stopped_periodic_timer_stays_quiet", (long)(clock_timer_events() - events), 0);
}

static void check_singleshot_timer(void)
{
    uint64_t events;

    expect_result("set_singleshot_timer_argument_in_hypervisor_is_efault",
                  hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("set_singleshot_timer_missing_vcpu_is_enoent",
                  hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 1, 0), -XEN_ENOENT);
    events_disable();
    events = clock_timer_events();
    expect_result("set_singleshot_timer_in_the_past_succeeds", hypercall_set_singleshot_timer(1), 0);
    events_enable();
    expect_result("singleshot_timer_in_the_past_fires_at_once", (long)(clock_timer_events() - events), 1);
    events_disable();
    events = clock_timer_events();
    expect_result("set_singleshot_timer_at_2_63_or_later_succeeds", hypercall_set_singleshot_timer(UINT64_MAX), 0);
    events_enable();
    expect_result("singleshot_timer_at_2_63_or_later_fires_at_once_as_xens_signed_time",
                  (long)(clock_timer_events() - events), 1);
    expect_result("set_singleshot_timer_soon_succeeds",
                  hypercall_set_singleshot_timer(system_time_ns() + 20 * NANOSECONDS_PER_MILLISECOND), 0);
    expect_result("stop_singleshot_timer_succeeds", hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0), 0);
    events = clock_timer_events();
    spin_for(QUIET_NS);
    expect_result("stopped_singleshot_timer_does_not_fire", (long)(clock_timer_events() - events), 0);
}

static long register_vcpu_info(uint64_t machine_frame, uint32_t offset)
{
    struct vcpu_register_vcpu_info info = { .mfn = machine_frame, .offset = offset };

    return hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
}

/* Registers vcpu_info at offset into vcpu_info_page; if that works (even
 * when it should not), the runtime follows it there. */
static long register_and_follow(uint32_t offset)
{
    long result;

    events_disable();
    result = register_vcpu_info(runtime_machine_address(vcpu_info_page) / PAGE_SIZE, offset);
    if (result == 0)
        runtime_move_vcpu_info((struct vcpu_info *)(vcpu_info_page + offset));
    events_enable();
    return result;
}

static void check_register_vcpu_info(void)
{
    uint64_t before;

    expect_result("register_vcpu_info_argument_in_hypervisor_is_efault",
                  hypercall_vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("register_vcpu_info_misaligned_is_enxio", register_and_follow(3), -XEN_ENXIO);
    expect_result("register_vcpu_info_crossing_a_page_is_enxio", register_and_follow(PAGE_SIZE - 32), -XEN_ENXIO);
    expect_result("register_vcpu_info_succeeds", register_and_follow(0), 0);
    before = system_time_ns();
    spin_for(10 * NANOSECONDS_PER_MILLISECOND);
    expect_true("time_advances_in_the_moved_vcpu_info", system_time_ns() > before, 0, "a later system time");
    expect_true("events_arrive_through_the_moved_vcpu_info", self_event_arrives(), 0, "a self-sent event");
    expect_result("register_vcpu_info_twice_is_ebusy", register_and_follow(64), -XEN_EBUSY);
}

void run_tests(void)
{
    check_is_up_and_sub_ops();
    check_vcpu_id_and_command_width();
    check_up_initialise_and_down();
    check_get_runstate_info();
    check_runstate_area();
    check_periodic_timer();
    check_singleshot_timer();
    check_register_vcpu_info();
}
