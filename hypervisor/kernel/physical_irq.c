/*
 * Physical interrupts for dom0, as Xen delivers a GSI to a PV dom0: the
 * pure pirq table (common/pirq.c: every rule and error number), the
 * IOAPIC (arch/x86/io_apic.c) and dom0's event channels.
 *
 * The rules kept here:
 *   - only the privileged domain has pirqs, and only its own: map_pirq,
 *     unmap_pirq and setup_gsi from a domU are -EPERM (Xen's XSM
 *     dm_priv/priv checks), after Xen's earlier checks (-EFAULT, -ESRCH
 *     for an unknown domain, -EINVAL for a GSI outside the IOAPIC at
 *     setup_gsi); a privileged caller naming another domain is -EPERM too
 *     (pvmon passes no device through to a domU); a map type other than
 *     MAP_PIRQ_TYPE_GSI is -EINVAL (there is no PCI, so no MSI).
 *     A domU's EVTCHNOP_bind_pirq is -EINVAL beyond PIRQ_COUNT and -EPERM
 *     below (it has no pirq mapped), its PHYSDEVOP_eoi -EINVAL (it has no
 *     pirq), as Xen answers a PV domU without devices.
 *   - an interrupt: the table says which port to raise and whether to
 *     mask the line (a level line until dom0's EOI); the line is masked
 *     first, then the local APIC gets its EOI, then the port is raised
 *     and dom0 woken.  One interrupt does one table lookup: bounded.
 *   - a guest can never make the hypervisor touch a pin the table does
 *     not name (GSIs 0 and 2 and anything beyond the IOAPIC are refused
 *     before any pin is changed).
 * The table belongs to the privileged domain, dom0 (the only one pvmon
 * builds); its teardown masks every line and empties the table.
 */
#include <pvmon/arch.h>
#include <pvmon/errno.h>
#include <pvmon/hypercalls.h>
#include <pvmon/physical_irq.h>
#include <pvmon/pirq.h>
#include <pvmon/printk.h>

static struct pirq_table pirqs;

static void apply(const struct pirq_line_change *change)
{
    if (change->gsi != PIRQ_NO_GSI)
        io_apic_set_masked((unsigned int)change->gsi, change->mask);
}

static struct domain *pirq_owner(void)
{
    struct domain *owner = domain_find(0);

    return owner != NULL && owner->privileged && domain_is_alive(owner) ? owner : NULL;
}

static void deliver(unsigned int gsi)
{
    struct pirq_line_change change;
    struct event_channel_kick kick = { 0 };
    uint16_t port = pirq_interrupt(&pirqs, (int)gsi, &change);
    struct domain *owner = pirq_owner();

    apply(&change);
    apic_end_of_interrupt();
    if (port == 0 || owner == NULL)
        return;
    event_channel_pirq_raise(&owner->events, port, &kick);
    schedule_kick(&kick);
    schedule_check_pollers();
}

void physical_irq_init(void)
{
    pirq_table_init(&pirqs);
    io_apic_init();
    trap_set_device_interrupt_handler(deliver);
}

/* Xen's rcu_lock_domain_by_any_id: DOMID_SELF or an existing id. */
static struct domain *target_domain(struct vcpu *vcpu, domid_t domain_id)
{
    return domain_id == DOMID_SELF ? vcpu->domain : domain_find(domain_id);
}

/* The checks every op on another domain's pirqs makes, in Xen's order. */
static int check_target(struct vcpu *vcpu, domid_t domain_id)
{
    struct domain *target = target_domain(vcpu, domain_id);

    if (target == NULL)
        return -XEN_ESRCH;
    if (!vcpu->domain->privileged || target != vcpu->domain)
        return -XEN_EPERM;
    return 0;
}

int physical_irq_map(struct vcpu *vcpu, struct physdev_map_pirq *request)
{
    int error = check_target(vcpu, request->domid);

    if (error)
        return error;
    if (request->type != MAP_PIRQ_TYPE_GSI)
        return -XEN_EINVAL;
    error = pirq_map_gsi(&pirqs, request->index, &request->pirq);
    if (error == 0)
        printk(LOG_DEBUG, "pirq: domain %u maps GSI %d at pirq %d\n", vcpu->domain->id, request->index,
               request->pirq);
    return error;
}

int physical_irq_unmap(struct vcpu *vcpu, const struct physdev_unmap_pirq *request)
{
    struct pirq_line_change change;
    int error = check_target(vcpu, request->domid);

    if (error)
        return error;
    error = pirq_unmap(&pirqs, request->pirq, &change);
    apply(&change);
    return error;
}

int physical_irq_setup_gsi(struct vcpu *vcpu, const struct physdev_setup_gsi *request)
{
    bool program;
    int error;

    if (request->gsi < 0 || request->gsi >= PIRQ_GSI_COUNT)
        return -XEN_EINVAL;
    if (!vcpu->domain->privileged)
        return -XEN_EPERM;
    error = pirq_setup_gsi(&pirqs, request->gsi, request->triggering, request->polarity, &program);
    if (program)
        io_apic_configure((unsigned int)request->gsi, request->triggering != 0, request->polarity != 0);
    return error;
}

int physical_irq_eoi(struct vcpu *vcpu, const struct physdev_eoi *request)
{
    struct pirq_line_change change;
    int error;

    if (!vcpu->domain->privileged)
        return -XEN_EINVAL;
    error = pirq_eoi(&pirqs, request->irq, &change);
    apply(&change);
    return error;
}

int physical_irq_bind(struct vcpu *vcpu, struct evtchn_bind_pirq *request)
{
    struct pirq_line_change change;
    int error;

    if (!vcpu->domain->privileged)
        return request->pirq >= PIRQ_COUNT ? -XEN_EINVAL : -XEN_EPERM;
    error = pirq_check_bind(&pirqs, request->pirq);
    if (error == 0)
        error = event_channel_bind_pirq(&vcpu->domain->events, request);
    if (error)
        return error;
    pirq_bind(&pirqs, request->pirq, (uint16_t)request->port, &change);
    apply(&change);
    return 0;
}

uint32_t physical_irq_pirq_of_port(const struct domain *domain, evtchn_port_t port)
{
    if (port >= EVENT_CHANNEL_PORTS || domain->events.channels[port].state != EVTCHNSTAT_pirq)
        return 0;
    return domain->events.channels[port].pirq;
}

void physical_irq_port_closed(const struct domain *domain, uint32_t pirq, evtchn_port_t port)
{
    struct pirq_line_change change;

    if (pirq == 0 || !domain->privileged)
        return;
    pirq_port_closed(&pirqs, pirq, (uint16_t)port, &change);
    apply(&change);
}

void physical_irq_domain_closed(const struct domain *domain)
{
    if (!domain->privileged)
        return;
    for (unsigned int gsi = 0; gsi < PIRQ_GSI_COUNT; gsi++)
        io_apic_set_masked(gsi, true);
    pirq_table_init(&pirqs);
}
