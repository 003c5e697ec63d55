/*
 * 2-level event channels, guest side (see events.h), after Xen's
 * public xen.h rules:
 *   - the upcall clears evtchn_upcall_pending before it looks for work,
 *     then takes evtchn_pending_sel with an atomic exchange with 0, and
 *     for each selected word handles pending & ~mask, clearing each
 *     pending bit atomically before running the port's handler; it loops
 *     while upcall_pending was set again meanwhile;
 *   - evtchn_upcall_mask is the vCPU's interrupt flag; only this vCPU
 *     writes it, so plain stores behind compiler barriers are enough;
 *   - after clearing the mask, a pending upcall is delivered by making any
 *     hypercall (XENVER_version), since the hypervisor checks for events
 *     on every return to the guest.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/version.h>
#include <guest/hypercall.h>
#include "console.h"
#include "events.h"
#include "runtime.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
#define EVENT_WORDS (sizeof(((struct shared_info *)0)->evtchn_pending) / sizeof(xen_ulong_t))

struct port_handler {
    event_handler handle;
    void *context;
};

static struct port_handler handlers[EVENT_HANDLER_PORTS];

static void compiler_barrier(void)
{
    __asm__ volatile("" : : : "memory");
}

static volatile struct vcpu_info *vcpu(void)
{
    return runtime_vcpu_info();
}

void events_init(void)
{
    struct shared_info *shared = runtime_shared_info();

    for (unsigned int word = 0; word < EVENT_WORDS; word++)
        __atomic_store_n(&shared->evtchn_mask[word], ~(xen_ulong_t)0, __ATOMIC_SEQ_CST);
}

void events_mask_port(evtchn_port_t port)
{
    struct shared_info *shared = runtime_shared_info();

    __atomic_fetch_or(&shared->evtchn_mask[port / BITS_PER_WORD], (xen_ulong_t)1 << (port % BITS_PER_WORD),
                      __ATOMIC_SEQ_CST);
}

int events_attach(evtchn_port_t port, event_handler handle, void *context)
{
    if (port >= EVENT_HANDLER_PORTS)
        return -XEN_EINVAL;
    handlers[port] = (struct port_handler) { .handle = handle, .context = context };
    return (int)hypercall_event_unmask(port);
}

void events_detach(evtchn_port_t port)
{
    if (port >= EVENT_HANDLER_PORTS)
        return;
    events_mask_port(port);
    handlers[port] = (struct port_handler) { 0 };
}

int events_bind_virq(uint32_t virq, event_handler handle, void *context, evtchn_port_t *port)
{
    struct evtchn_bind_virq bind = { .virq = virq, .vcpu = 0 };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_virq, &bind);

    if (result != 0)
        return (int)result;
    *port = bind.port;
    return events_attach(bind.port, handle, context);
}

void events_disable(void)
{
    vcpu()->evtchn_upcall_mask = 1;
    compiler_barrier();
}

void events_enable(void)
{
    compiler_barrier();
    vcpu()->evtchn_upcall_mask = 0;
    compiler_barrier();
    if (vcpu()->evtchn_upcall_pending)
        hypercall_xen_version(XENVER_version, 0);
}

bool events_disabled(void)
{
    return vcpu()->evtchn_upcall_mask != 0;
}

static void dispatch_port(evtchn_port_t port)
{
    if (port < EVENT_HANDLER_PORTS && handlers[port].handle != 0) {
        handlers[port].handle(port, handlers[port].context);
        return;
    }
    console_printf("runtime: event on port %u, which has no handler; masking it\n", port);
    events_mask_port(port);
}

static void handle_word(struct shared_info *shared, unsigned int word)
{
    xen_ulong_t pending = __atomic_load_n(&shared->evtchn_pending[word], __ATOMIC_SEQ_CST) &
                          ~__atomic_load_n(&shared->evtchn_mask[word], __ATOMIC_SEQ_CST);

    while (pending != 0) {
        unsigned int bit = (unsigned int)__builtin_ctzl(pending);

        pending &= pending - 1;
        __atomic_fetch_and(&shared->evtchn_pending[word], ~((xen_ulong_t)1 << bit), __ATOMIC_SEQ_CST);
        dispatch_port((evtchn_port_t)(word * BITS_PER_WORD + bit));
    }
}

void events_handle_upcall(void)
{
    struct shared_info *shared = runtime_shared_info();
    struct vcpu_info *info = runtime_vcpu_info();

    while (vcpu()->evtchn_upcall_pending) {
        vcpu()->evtchn_upcall_pending = 0;
        compiler_barrier();
        xen_ulong_t selector = __atomic_exchange_n(&info->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);

        while (selector != 0) {
            unsigned int word = (unsigned int)__builtin_ctzl(selector);

            selector &= selector - 1;
            handle_word(shared, word);
        }
    }
}
