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

int physical_interrupt_bind_gsi(uint32_t gsi, uint32_t *pirq, evtchn_port_t *port)
{
    struct physdev_map_pirq map = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = (int)gsi, .pirq = (int)gsi
    };
    struct physdev_setup_gsi setup = { .gsi = (int)gsi, .triggering = TRIGGER_LEVEL, .polarity = POLARITY_ACTIVE_HIGH };
    struct evtchn_bind_pirq bind = { .flags = 0 };
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
    *pirq = bind.pirq;
    *port = bind.port;
    return 0;
}

int physical_interrupt_end(uint32_t pirq)
{
    struct physdev_eoi eoi = { .irq = pirq };

    return (int)physdev_op(PHYSDEVOP_eoi, &eoi);
}
