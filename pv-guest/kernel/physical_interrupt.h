/*
 * A device's interrupt line delivered to dom0 as an event channel, with
 * Xen's PIRQ ABI as Linux's PV dom0 uses it (xen/physdev.h,
 * xen/event_channel.h; Linux arch/x86/pci/xen.c xen_register_pirq and
 * xen_register_gsi, drivers/xen/events/events_base.c):
 *
 *   PHYSDEVOP_map_pirq   MAP_PIRQ_TYPE_GSI, index = pirq = the GSI, for
 *                        DOMID_SELF: the line becomes the domain's PIRQ
 *   PHYSDEVOP_setup_gsi  how the line signals: level-triggered, active high
 *                        (what virtio-mmio lines on QEMU's microvm are)
 *   EVTCHNOP_bind_pirq   an event channel for the PIRQ, not shared
 *   PHYSDEVOP_irq_status_query
 *                        whether the PIRQ needs an EOI (XENIRQSTAT_needs_eoi;
 *                        Linux's pirq_query_unmask)
 *   PHYSDEVOP_eoi        after the device has been serviced: a level line
 *                        stays masked in the IOAPIC from its interrupt
 *                        until this end-of-interrupt
 *
 * The rule it keeps: an EOI is sent only for an interrupt whose event has
 * been received (the caller's handler saw it); an EOI the hypervisor has
 * not delivered yet would leave the line masked afterwards.
 */
#ifndef PV_KERNEL_PHYSICAL_INTERRUPT_H
#define PV_KERNEL_PHYSICAL_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>

struct physical_interrupt {
    uint32_t pirq;
    evtchn_port_t port;
    bool needs_eoi;
};

/* Maps the GSI to a PIRQ, binds it to a new port (still masked) and asks
 * whether it needs EOIs; 0, or the first hypercall's error. */
int physical_interrupt_bind_gsi(uint32_t gsi, struct physical_interrupt *interrupt);

/* After servicing: PHYSDEVOP_eoi if the PIRQ needs it; 0 or the
 * hypervisor's error. */
int physical_interrupt_end(const struct physical_interrupt *interrupt);

#endif
