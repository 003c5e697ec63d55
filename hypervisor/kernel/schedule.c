/*
 * Sharing the CPU among vCPUs: the glue between the proportional-share
 * policy (common/scheduler_policy.c), the timer interrupt, guest timers
 * and the way back to a guest.
 *
 * Rules kept here:
 *   - Every way back to a guest (after a hypercall, a trap or an
 *     interrupt) goes through leave_to_guest, which first does one
 *     bounded step of an ended domain's teardown if one is under way.
 *     Switching vCPUs happens only there, with the leaving vCPU's
 *     registers taken from the frame at the top of the stack, so the
 *     hypervisor never preempts itself.
 *   - A vCPU runs until its slice ends (the timer interrupt asks for a
 *     reschedule), it blocks, yields or polls, or its domain ends; the
 *     policy then picks the next one, or the CPU halts in idle_loop until
 *     an interrupt makes something runnable.
 *   - SCHEDOP_block unmasks events and sleeps until one is pending, as
 *     Xen's does ("sti; hlt" for a PV guest); SCHEDOP_poll sleeps until one
 *     of up to 128 ports is pending or a timeout passes, whatever the mask.
 *   - Guest timers (one-shot, periodic, poll timeouts) are absolute system
 *     times; an expired timer raises VIRQ_TIMER even if its time was
 *     already past when it was set (Xen's rule when no
 *     VCPU_SSHOTTMR_future flag is given).
 *   - Runstate time is accounted on every change of state and published
 *     to the guest's registered area while its page tables are loaded.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>
#include <pvmon/printk.h>
#include <pvmon/pv_time.h>
#include <pvmon/runstate.h>
#include <pvmon/time.h>
#include <xen/sched.h>

#define POLL_PORT_LIMIT VCPU_POLL_PORT_LIMIT

static struct scheduler scheduler;
static bool reschedule_requested;
static uint64_t accounted_until_ns;
static void (*no_domain_left)(void);

static struct vcpu *vcpu_of(struct scheduler_entity *entity)
{
    return entity == NULL ? NULL
                          : (struct vcpu *)((char *)entity - __builtin_offsetof(struct vcpu, scheduling));
}

struct vcpu *current_vcpu(void)
{
    return current_cpu()->current_vcpu;
}

/* Every live domain's vCPU once, in slot order: the actions do not depend
 * on the order.  It runs on every timer interrupt and reprogramming, so it
 * walks the domain table's used slots directly. */
static void for_each_vcpu(void (*action)(struct vcpu *vcpu, uint64_t now_ns), uint64_t now_ns)
{
    unsigned int count;
    struct domain *slots = domain_slots(&count);

    for (unsigned int index = 0; index < count; index++) {
        if (domain_is_alive(&slots[index]))
            action(&slots[index].vcpu, now_ns);
    }
}

/* ---- runstate and PV time ---- */

static int write_runstate_area(void *context, size_t offset, const void *source, size_t length)
{
    const struct vcpu *vcpu = context;

    return copy_to_guest(vcpu->runstate_guest_address + offset, source, length);
}

/* Only while the vCPU's page tables are loaded: the area is a guest address.
 * In guest user mode the area, in the guest kernel's memory, is usually not
 * mapped; a publish that fails there is done again when the vCPU next
 * enters kernel mode (guest_toggle_mode), as Xen's _update_runstate_area
 * and _toggle_guest_pt do, so that the guest kernel never reads a stale
 * area. */
void vcpu_publish_runstate(struct vcpu *vcpu)
{
    bool update_flag = vcpu->domain->vm_assist & (1UL << VMASST_TYPE_runstate_update_flag);

    vcpu->runstate_publish_pending = false;
    if (vcpu->runstate_guest_address == 0)
        return;
    if (runstate_publish(&vcpu->runstate, update_flag, write_runstate_area, vcpu) != 0 && !vcpu->kernel_mode)
        vcpu->runstate_publish_pending = true;
}

static void change_runstate(struct vcpu *vcpu, int state, uint64_t now_ns)
{
    BUG_ON(runstate_change(&vcpu->runstate, state, now_ns) != 0);
}

uint64_t vcpu_running_time_ns(const struct vcpu *vcpu)
{
    return runstate_snapshot(&vcpu->runstate, system_time_ns()).time[RUNSTATE_running];
}

void vcpu_publish_time(struct vcpu *vcpu)
{
    uint64_t timestamp;
    uint64_t system_time;

    time_sample(&timestamp, &system_time);
    pv_time_publish(&vcpu->vcpu_info->time, timestamp, system_time, system_time_scale());
}

/* ---- the scheduler's entry points ---- */

/* Charges the running vCPU for its time so far; done before any change of
 * state that may take it off the CPU. */
static void account_running_time(uint64_t now_ns)
{
    if (scheduler.running != NULL && now_ns > accounted_until_ns)
        scheduler_account(&scheduler, scheduler.running, now_ns - accounted_until_ns);
    accounted_until_ns = now_ns;
}

void schedule_add_vcpu(struct vcpu *vcpu, unsigned int weight)
{
    BUG_ON(scheduler_add(&scheduler, &vcpu->scheduling, weight) != 0);
    scheduler_pause(&scheduler, &vcpu->scheduling);
}

void schedule_remove_vcpu(struct vcpu *vcpu)
{
    account_running_time(system_time_ns());
    if (current_vcpu() == vcpu)
        reschedule_requested = true;
    scheduler_remove(&scheduler, &vcpu->scheduling);
    vcpu->singleshot_deadline_ns = 0;
    vcpu->periodic_period_ns = 0;
    vcpu->polling = false;
}

void schedule_pause(struct vcpu *vcpu)
{
    account_running_time(system_time_ns());
    if (current_vcpu() == vcpu)
        reschedule_requested = true;
    scheduler_pause(&scheduler, &vcpu->scheduling);
}

void schedule_unpause(struct vcpu *vcpu)
{
    uint64_t now = system_time_ns();

    scheduler_unpause(&scheduler, &vcpu->scheduling);
    if (vcpu->runstate.state != RUNSTATE_runnable)
        change_runstate(vcpu, RUNSTATE_runnable, now);
    if (current_vcpu() == NULL)
        reschedule_requested = true;
}

void schedule_wake(struct vcpu *vcpu)
{
    if (vcpu->scheduling.state != SCHEDULER_BLOCKED)
        return;
    vcpu->polling = false;
    change_runstate(vcpu, RUNSTATE_runnable, system_time_ns());
    if (scheduler_wake(&scheduler, &vcpu->scheduling))
        reschedule_requested = true;
}

static bool polled_port_pending(const struct vcpu *vcpu)
{
    const struct shared_info *shared = vcpu->domain->shared_info;

    for (unsigned int index = 0; index < vcpu->poll_port_count; index++) {
        uint32_t port = vcpu->poll_ports[index];

        if (__atomic_load_n(&shared->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) & (1UL << (port % 64)))
            return true;
    }
    return false;
}

static void wake_if_polled_port_pending(struct vcpu *vcpu, uint64_t now_ns)
{
    (void)now_ns;
    if (vcpu->polling && polled_port_pending(vcpu))
        schedule_wake(vcpu);
}

/* After events may have been raised anywhere: a vCPU polling a port that
 * is now pending wakes, whether or not the port is masked. */
void schedule_check_pollers(void)
{
    for_each_vcpu(wake_if_polled_port_pending, 0);
}

/* An upcall became pending: a vCPU blocked in SCHEDOP_block wakes. */
void schedule_kick(const struct event_channel_kick *kick)
{
    struct domain *domain;

    if (!kick->needed)
        return;
    domain = domain_find(kick->domain_id);
    if (domain != NULL && domain_is_alive(domain) && !domain->vcpu.polling)
        schedule_wake(&domain->vcpu);
}

/* ---- timers ---- */

void schedule_raise_timer_virq(struct vcpu *vcpu)
{
    struct event_channel_kick kick = { 0 };

    vcpu_publish_time(vcpu);
    event_channel_virq_raise(&vcpu->domain->events, VIRQ_TIMER, vcpu->id, &kick);
    schedule_kick(&kick);
    schedule_check_pollers();
}

static void expire_vcpu_timers(struct vcpu *vcpu, uint64_t now_ns)
{
    bool fire = false;

    if (vcpu->singleshot_deadline_ns != 0 && vcpu->singleshot_deadline_ns <= now_ns) {
        vcpu->singleshot_deadline_ns = 0;
        fire = true;
    }
    if (vcpu->periodic_period_ns != 0 && vcpu->periodic_deadline_ns <= now_ns) {
        while (vcpu->periodic_deadline_ns <= now_ns)
            vcpu->periodic_deadline_ns += vcpu->periodic_period_ns;
        fire = true;
    }
    if (vcpu->polling && vcpu->poll_deadline_ns != 0 && vcpu->poll_deadline_ns <= now_ns)
        schedule_wake(vcpu);
    if (fire)
        schedule_raise_timer_virq(vcpu);
}

static void timer_interrupt(uint64_t now_ns)
{
    for_each_vcpu(expire_vcpu_timers, now_ns);
    if (scheduler.running != NULL && now_ns >= scheduler.slice_end_ns)
        reschedule_requested = true;
}

static uint64_t earliest_deadline;

static void note_deadline(uint64_t deadline_ns)
{
    if (deadline_ns != 0 && deadline_ns < earliest_deadline)
        earliest_deadline = deadline_ns;
}

static void note_vcpu_deadlines(struct vcpu *vcpu, uint64_t now_ns)
{
    (void)now_ns;
    note_deadline(vcpu->singleshot_deadline_ns);
    if (vcpu->periodic_period_ns != 0)
        note_deadline(vcpu->periodic_deadline_ns);
    if (vcpu->polling)
        note_deadline(vcpu->poll_deadline_ns);
}

static uint64_t next_deadline(void)
{
    earliest_deadline = UINT64_MAX;
    for_each_vcpu(note_vcpu_deadlines, 0);
    if (scheduler.running != NULL)
        note_deadline(scheduler.slice_end_ns);
    return earliest_deadline;
}

bool schedule_reschedule_pending(void)
{
    return reschedule_requested;
}

void schedule_timers_changed(void)
{
    timer_reprogram();
}

/* ---- switching ---- */

static int runstate_after_running(const struct vcpu *vcpu)
{
    switch (vcpu->scheduling.state) {
    case SCHEDULER_BLOCKED:
        return RUNSTATE_blocked;
    case SCHEDULER_PAUSED:
    case SCHEDULER_DETACHED:
        return RUNSTATE_offline;
    default:
        return RUNSTATE_runnable;
    }
}

static void stop_running(struct vcpu *vcpu, const struct trap_frame *frame, uint64_t now_ns)
{
    vcpu->registers = *frame;
    vcpu_context_save(&vcpu->context);
    change_runstate(vcpu, runstate_after_running(vcpu), now_ns);
    vcpu_publish_runstate(vcpu);
    current_cpu()->current_vcpu = NULL;
}

static _Noreturn void idle_loop(void);

static _Noreturn void go_idle(void)
{
    current_cpu()->current_vcpu = NULL;
    paging_load_hypervisor_root();
    reset_stack_and_call(idle_loop);
}

static void reschedule(struct trap_frame *frame);

static _Noreturn void start_running(struct vcpu *vcpu, uint64_t now_ns)
{
    current_cpu()->current_vcpu = vcpu;
    paging_load_root(vcpu->kernel_mode ? vcpu->kernel_root_page_table : vcpu->user_root_page_table);
    descriptor_tables_load(vcpu);
    vcpu_context_load(&vcpu->context);
    change_runstate(vcpu, RUNSTATE_running, now_ns);
    vcpu_publish_runstate(vcpu);
    vcpu_publish_time(vcpu);
    guest_deliver_pending_event(vcpu, &vcpu->registers);
    if (current_vcpu() == NULL)
        reschedule(&vcpu->registers);
    timer_reprogram();
    enter_guest(&vcpu->registers);
}

/*
 * Picks what runs next.  Returns only if the current vCPU goes on
 * running (with any pending event delivered into frame); otherwise the
 * CPU enters another vCPU or idles.
 */
static void reschedule(struct trap_frame *frame)
{
    for (;;) {
        struct vcpu *previous = current_vcpu();
        uint64_t now = system_time_ns();
        uint64_t slice_ns;
        struct vcpu *next;

        reschedule_requested = false;
        account_running_time(now);
        next = vcpu_of(scheduler_pick_next(&scheduler, now, &slice_ns));
        if (next != NULL && next == previous) {
            timer_reprogram();
            guest_deliver_pending_event(next, frame);
            if (current_vcpu() != NULL)
                return;
            continue;
        }
        if (previous != NULL)
            stop_running(previous, frame, now);
        if (next == NULL)
            go_idle();
        start_running(next, now);
    }
}

void leave_to_guest(struct trap_frame *frame)
{
    struct vcpu *vcpu = current_vcpu();

    if (vcpu != NULL && !reschedule_requested && vcpu->scheduling.state == SCHEDULER_RUNNING) {
        guest_deliver_pending_event(vcpu, frame);
        if (current_vcpu() != NULL)
            return;
    }
    reschedule(frame);
}

/* Nothing runnable: give back an ended domain's frames a step at a time
 * (kernel/domain.c), zero freed frames for the pre-zeroed pool a batch at
 * a time (kernel/domain_memory.c), letting interrupts in between, and
 * halt until an interrupt (the timer, mostly) changes that once there is
 * nothing left to zero; with no live domain at all, hand over to the boot
 * code's idle. */
static _Noreturn void idle_loop(void)
{
    for (;;) {
        interrupts_disable();
        if (scheduler_has_runnable(&scheduler)) {
            accounted_until_ns = system_time_ns();
            reschedule(guest_trap_frame());
        }
        if (domain_release_some()) {
            interrupts_enable();
            continue;
        }
        if (domain_live_count() == 0)
            reset_stack_and_call(no_domain_left);
        if (domain_memory_scrub_some()) {
            interrupts_enable();
            continue;
        }
        cpu_wait_for_interrupt();
    }
}

void schedule_init(void (*when_no_domain_is_left)(void))
{
    scheduler_init(&scheduler);
    no_domain_left = when_no_domain_is_left;
    timer_set_scheduler_hooks(timer_interrupt, next_deadline);
}

_Noreturn void schedule_start(void)
{
    reset_stack_and_call(idle_loop);
}

/* ---- the 'r' debug key (kernel/serial_input.c) ---- */

static void dump_entity(const char *role, struct scheduler_entity *entity)
{
    const struct vcpu *vcpu = vcpu_of(entity);

    printk(LOG_INFO, "    %s: d%uv%u weight=%u credit=%ld%s\n", role, vcpu->domain->id, vcpu->id, entity->weight,
           entity->credit_ns, entity->boosted ? " boosted" : "");
}

/* Xen's dump_runq, for pvmon's one CPU: what runs, then the run queue in order. */
void schedule_dump_run_queue(void)
{
    unsigned int position = 0;

    printk(LOG_INFO, "Scheduler: pvmon's proportional-share credit scheduler, slice %lu us\n",
           scheduler.slice_ns / 1000);
    printk(LOG_INFO, "CPU[00] now=%lu\n", system_time_ns());
    if (scheduler.running != NULL)
        dump_entity("running", scheduler.running);
    else
        printk(LOG_INFO, "    running: idle\n");
    printk(LOG_INFO, "    RUNQ:\n");
    for (struct scheduler_link *link = scheduler.run_queue.next; link != &scheduler.run_queue; link = link->next) {
        char role[16];

        format_string(role, sizeof(role), "%u", position++);
        dump_entity(role, (struct scheduler_entity *)((char *)link - __builtin_offsetof(struct scheduler_entity,
                                                                                       queue_link)));
    }
}

/* ---- sched_op ---- */

static long sched_shutdown(struct vcpu *vcpu, uint64_t argument)
{
    struct sched_shutdown request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    domain_shutdown(vcpu->domain, request.reason);
    return 0;
}

static long sched_yield(struct vcpu *vcpu)
{
    scheduler_yield(&scheduler, &vcpu->scheduling);
    reschedule_requested = true;
    return 0;
}

static long sched_block(struct vcpu *vcpu)
{
    vcpu->vcpu_info->evtchn_upcall_mask = 0;
    if (vcpu->vcpu_info->evtchn_upcall_pending)
        return 0;
    account_running_time(system_time_ns());
    scheduler_block(&scheduler, &vcpu->scheduling);
    return 0;
}

/* Xen's do_poll order: the count, the array's range, then port by port:
 * unreadable (-EFAULT), out of range (-EINVAL), already pending (done). */
static long sched_poll(struct vcpu *vcpu, uint64_t argument)
{
    struct sched_poll request;
    uint64_t ports;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.nr_ports > POLL_PORT_LIMIT)
        return -XEN_EINVAL;
    ports = (uint64_t)request.ports.p;
    if (!guest_range_is_valid(ports, request.nr_ports * sizeof(uint32_t)))
        return -XEN_EFAULT;
    vcpu->poll_port_count = 0;
    for (unsigned int index = 0; index < request.nr_ports; index++) {
        uint32_t port;

        if (copy_from_guest(&port, ports + index * sizeof(port), sizeof(port)) != 0)
            return -XEN_EFAULT;
        if (port >= EVENT_CHANNEL_PORTS)
            return -XEN_EINVAL;
        vcpu->poll_ports[vcpu->poll_port_count++] = port;
        if (polled_port_pending(vcpu))
            return 0;
    }
    account_running_time(system_time_ns());
    vcpu->polling = true;
    vcpu->poll_deadline_ns = request.timeout;
    scheduler_block(&scheduler, &vcpu->scheduling);
    if (request.timeout != 0 && request.timeout <= system_time_ns())
        schedule_wake(vcpu);
    timer_reprogram();
    return 0;
}

long do_sched_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    switch (command) {
    case SCHEDOP_yield:
        return sched_yield(vcpu);
    case SCHEDOP_block:
        return sched_block(vcpu);
    case SCHEDOP_shutdown:
        return sched_shutdown(vcpu, argument);
    case SCHEDOP_poll:
        return sched_poll(vcpu, argument);
    default:
        return -XEN_ENOSYS;
    }
}
