/*
 * Which vCPU the CPU runs, and the sched_op hypercall.
 *
 * For now domains run one after another: the CPU runs a vCPU until its
 * domain shuts down or crashes, then the next runnable one, then idles.
 * (The proportional-share policy and SCHEDOP_block/yield come with the
 * PV domains work.)  Entering a vCPU loads its page tables and returns to
 * ring 3 through its saved registers.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/printk.h>
#include <xen/sched.h>

static void (*idle_function)(void);
static struct vcpu *(*next_runnable)(void);

struct vcpu *current_vcpu(void)
{
    return current_cpu()->current_vcpu;
}

void schedule_set_idle(void (*idle)(void), struct vcpu *(*pick_next)(void))
{
    idle_function = idle;
    next_runnable = pick_next;
}

_Noreturn void run_vcpu(struct vcpu *vcpu)
{
    current_cpu()->current_vcpu = vcpu;
    paging_load_root(vcpu->domain->root_page_table);
    enter_guest(&vcpu->registers);
}

/* Called on the way out of a hypercall or trap whose domain has ended:
 * nothing on this stack is needed any more. */
_Noreturn void schedule_after_domain_end(void)
{
    struct vcpu *next = next_runnable != NULL ? next_runnable() : NULL;

    if (next != NULL)
        run_vcpu(next);
    reset_stack_and_call(idle_function);
}

static long sched_shutdown(struct vcpu *vcpu, uint64_t argument)
{
    struct sched_shutdown request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    domain_shutdown(vcpu->domain, request.reason);
    schedule_after_domain_end();
}

long do_sched_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    switch (command) {
    case SCHEDOP_shutdown:
        return sched_shutdown(vcpu, argument);
    default:
        return -XEN_ENOSYS;
    }
}
