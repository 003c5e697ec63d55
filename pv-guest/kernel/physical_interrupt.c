/*
 * A GSI as an event channel (see physical_interrupt.h): the PHYSDEVOP and
 * EVTCHNOP calls, in the order Linux's PV dom0 makes them.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <xen/physdev.h>
#include <guest/hypercall.h>
#include "physical_interrupt.h"

#define TRIGGER_LEVEL 1
#define POLARITY_ACTIVE_HIGH 0

static long physdev_op(int command, void *argument)
{
    return hypercall3(__HYPERVISOR_physdev_op, (unsigned long)command, (unsigned long)argument, 0);
}

int physical_interrupt_bind_gsi(uint32_t gsi, struct physical_interrupt *interrupt)
{
    struct physdev_map_pirq map = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = (int)gsi, .pirq = (int)gsi
    };
    struct physdev_setup_gsi setup = { .gsi = (int)gsi, .triggering = TRIGGER_LEVEL, .polarity = POLARITY_ACTIVE_HIGH };
    struct evtchn_bind_pirq bind = { .flags = 0 };
    struct physdev_irq_status_query query;
    long result;

    result = physdev_op(PHYSDEVOP_map_pirq, &map);
    if (result != 0)
        return (int)result;
    result = physdev_op(PHYSDEVOP_setup_gsi, &setup);
    if (result != 0 && result != -XEN_EEXIST) /* already set up: Linux goes on too */
        return (int)result;
    bind.pirq = (uint32_t)map.pirq;
    result = hypercall_event_channel_op(EVTCHNOP_bind_pirq, &bind);
    if (result != 0)
        return (int)result;
    query = (struct physdev_irq_status_query) { .irq = bind.pirq };
    result = physdev_op(PHYSDEVOP_irq_status_query, &query);
    if (result != 0)
        return (int)result;
    *interrupt = (struct physical_interrupt) {
        .pirq = bind.pirq, .port = bind.port, .needs_eoi = (query.flags & XENIRQSTAT_needs_eoi) != 0
    };
    return 0;
}

int physical_interrupt_end(const struct physical_interrupt *interrupt)
{
    struct physdev_eoi eoi = { .irq = interrupt->pirq };

    if (!interrupt->needs_eoi)
        return 0;
    return (int)physdev_op(PHYSDEVOP_eoi, &eoi);
}
