/*
 * Console input for the PV kernel (see console_input.h): CONSOLEIO_read
 * and VIRQ_CONSOLE for the privileged domain, the in half of the console
 * ring (console_ring.c) and its event channel for a domU.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <guest/hypercall.h>
#include "clock.h"
#include "console_input.h"
#include "console_ring.h"
#include "events.h"
#include "runtime.h"

static bool started;
static bool privileged;
static struct console_ring_reader reader;
static evtchn_port_t port;
static volatile bool input_announced;
static volatile bool *wakeup_flag;

static void note_input(evtchn_port_t event_port, void *context)
{
    (void)event_port;
    (void)context;
    input_announced = true;
    if (wakeup_flag != NULL)
        *wakeup_flag = true;
}

void console_input_set_wakeup_flag(volatile bool *flag)
{
    wakeup_flag = flag;
}

static int start_domu_ring(void)
{
    const struct start_info *info = runtime_start_info;

    reader.ring = runtime_own_page(info->console.domU.mfn);
    port = info->console.domU.evtchn;
    if (reader.ring == NULL || port == 0)
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

long console_input_take(char *buffer, uint32_t size)
{
    long taken;

    if (!started)
        return -XEN_ENODEV;
    if (privileged)
        return hypercall_console_read(buffer, size);
    taken = console_ring_take_input(&reader, buffer, size);
    if (taken > 0)
        (void)hypercall_event_send(port); /* a lost notification only delays the backend's next write */
    return taken;
}

bool console_input_wait_until(uint64_t deadline_ns)
{
    bool announced = wait_for_flag_until(&input_announced, deadline_ns);

    input_announced = false;
    return announced;
}
