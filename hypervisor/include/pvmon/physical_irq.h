/*
 * Physical interrupts for the privileged domain (kernel/physical_irq.c):
 * the pirq table (pvmon/pirq.h) applied to the IOAPIC and to dom0's event
 * channels.
 */
#ifndef PVMON_PHYSICAL_IRQ_H
#define PVMON_PHYSICAL_IRQ_H

#include <stdint.h>
#include <pvmon/domain.h>
#include <xen/physdev.h>

/* After apic_init: the IOAPIC's pins masked, its vectors routed here. */
void physical_irq_init(void);

int physical_irq_map(struct vcpu *vcpu, struct physdev_map_pirq *request);
int physical_irq_unmap(struct vcpu *vcpu, const struct physdev_unmap_pirq *request);
int physical_irq_setup_gsi(struct vcpu *vcpu, const struct physdev_setup_gsi *request);
int physical_irq_eoi(struct vcpu *vcpu, const struct physdev_eoi *request);
int physical_irq_bind(struct vcpu *vcpu, struct evtchn_bind_pirq *request);
/* EVTCHNOP_close of port: call before the close; after it succeeded, call
 * physical_irq_port_closed with what this returned. */
uint32_t physical_irq_pirq_of_port(const struct domain *domain, evtchn_port_t port);
void physical_irq_port_closed(const struct domain *domain, uint32_t pirq, evtchn_port_t port);
/* The privileged domain is torn down: every line masked, the table empty. */
void physical_irq_domain_closed(const struct domain *domain);

#endif
