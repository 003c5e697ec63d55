/*
 * Console input for the PV kernel (see console_input.h): CONSOLEIO_read
 * and VIRQ_CONSOLE for the privileged domain, the in half of the console
 * ring and its event channel for a domU.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/io/console.h>
#include <guest/hypercall.h>
#include "clock.h"
#include "console_input.h"
#include "events.h"
#include "runtime.h"

#define IN_RING_SIZE ((XENCONS_RING_IDX)sizeof(((struct xencons_interface *)0)->in))

static bool started;
static bool privileged;
static bool ring_broken;
static struct xencons_interface *ring;
static evtchn_port_t port;
static volatile bool input_announced;

static void note_input(evtchn_port_t event_port, void *context)
{
    (void)event_port;
    (void)context;
    input_announced = true;
}

static int start_domu_ring(void)
{
    const struct start_info *info = runtime_start_info;

    ring = runtime_own_page(info->console.domU.mfn);
    port = info->console.domU.evtchn;
    if (ring == NULL || port == 0)
        return -XEN_EINVAL;
    return events_attach(port, note_input, NULL);
}

int console_input_start(void)
{
    int result;

    if (started)
        return 0;
    privileged = (runtime_start_info->flags & SIF_INITDOMAIN) != 0;
    if (privileged)
        result = events_bind_virq(VIRQ_CONSOLE, note_input, NULL, &port);
    else
        result = start_domu_ring();
    started = result == 0;
    return result;
}

static long take_from_ring(char *buffer, uint32_t size)
{
    XENCONS_RING_IDX consumer = __atomic_load_n(&ring->in_cons, __ATOMIC_RELAXED);
    XENCONS_RING_IDX producer = __atomic_load_n(&ring->in_prod, __ATOMIC_RELAXED);
    uint32_t taken = 0;

    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (producer - consumer > IN_RING_SIZE) {
        ring_broken = true;
        return -XEN_EIO;
    }
    while (consumer != producer && taken < size)
        buffer[taken++] = ring->in[MASK_XENCONS_IDX(consumer++, ring->in)];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&ring->in_cons, consumer, __ATOMIC_RELEASE);
    if (taken > 0)
        hypercall_event_send(port);
    return taken;
}

long console_input_take(char *buffer, uint32_t size)
{
    if (!started)
        return -XEN_ENODEV;
    if (privileged)
        return hypercall_console_read(buffer, size);
    if (ring_broken)
        return -XEN_EIO;
    return take_from_ring(buffer, size);
}

bool console_input_wait_until(uint64_t deadline_ns)
{
    bool announced = wait_for_flag_until(&input_announced, deadline_ns);

    input_announced = false;
    return announced;
}
