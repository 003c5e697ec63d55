/*
 * Physical interrupts (pirqs) of the privileged domain: which machine
 * interrupt line (GSI) each of its pirqs stands for, which event-channel
 * port it is bound to, and what the hypervisor must do with the line when
 * it fires and when the domain says it has handled it.  Xen's
 * xen/arch/x86/irq.c (allocate_and_map_gsi_pirq, allocate_pirq,
 * map_domain_pirq, unmap_domain_pirq, get_free_pirq, pirq_guest_bind,
 * desc_guest_eoi), physdev.c (PHYSDEVOP_eoi, irq_status_query,
 * setup_gsi) and mpparse.c (mp_register_gsi), for GSIs of one IOAPIC.
 *
 * The rules:
 *   - GSIs 0 .. PIRQ_GSI_COUNT - 1 exist (Xen's nr_irqs_gsi: the
 *     IOAPIC's 24 pins); a domain may have the GSIs pirq_gsi_permitted
 *     says (dom0's, Xen's irq_permit_access: every one but 0 and 2, the
 *     8254 timer's, which pvmon keeps).  A GSI outside the range is
 *     -EINVAL, one not permitted -EPERM.
 *   - pirqs 1 .. PIRQ_COUNT - 1 exist (Xen's nr_static_irqs +
 *     extra_domU_irqs); pirq 0 is never mapped (Xen's "no pirq").
 *   - map (MAP_PIRQ_TYPE_GSI, index = GSI): with pirq < 0, the GSI's
 *     pirq if it has one, else the first free pirq of 16..23, then the
 *     highest free one from 24 up (Xen's get_free_pirq), -ENOSPC if
 *     none.  With pirq given: -EINVAL out of range, -EEXIST if the GSI is
 *     mapped to another pirq; if that pirq already stands for another
 *     GSI nothing changes and the answer is 0, as Xen's map_domain_pirq.
 *   - unmap: -EINVAL out of range or not mapped; a bound port is unbound
 *     by force (it stays a pirq port, never raised again, as Xen's
 *     pirq_guest_force_unbind) and the line masked.  An unmapped pirq is
 *     free again (Xen's is_free_pirq).
 *   - setup_gsi (triggering 0 edge / 1 level, polarity 0 high / 1 low):
 *     -EINVAL out of range, -EPERM not permitted, -EEXIST while the line
 *     is bound (in use, Xen's mp_register_gsi); the pin is programmed
 *     once, a later call answers 0 and changes nothing, as Xen.  A line
 *     never set up is edge, active high (the ISA default).
 *   - bind (EVTCHNOP_bind_pirq): -EINVAL out of range, -EPERM not mapped
 *     (Xen's pirq_access_permitted), -EEXIST already bound; once bound the
 *     line is unmasked.  Closing the port unbinds it and masks the line.
 *   - an interrupt on a bound line raises its port; a level line is
 *     masked until the domain's EOI (Xen's ACKTYPE_UNMASK), an edge line
 *     is not (ACKTYPE_NONE).  An interrupt on a line nobody has bound
 *     masks it.
 *   - EOI: -EINVAL out of range or for a pirq neither mapped nor bound
 *     (Xen: no pirq_info); otherwise 0, and a level line masked for an
 *     interrupt in flight is unmasked.
 *   - irq_status_query: -EINVAL out of range, else XENIRQSTAT_needs_eoi
 *     for every pirq (Xen asks every PV guest to EOI).
 * Every operation does a bounded amount of work (at most one pass over
 * PIRQ_COUNT entries).  Pure code, host-tested.
 */
#ifndef PVMON_PIRQ_H
#define PVMON_PIRQ_H

#include <stdbool.h>
#include <stdint.h>

#define PIRQ_GSI_COUNT 24
#define PIRQ_ISA_COUNT 16
#define PIRQ_EXTRA_COUNT 32
#define PIRQ_COUNT (PIRQ_GSI_COUNT + PIRQ_EXTRA_COUNT)
#define PIRQ_NO_GSI (-1)

struct pirq_entry {
    int8_t gsi;        /* PIRQ_NO_GSI when not mapped */
    bool in_flight;    /* raised and not yet EOI'd */
    uint16_t port;     /* 0 when not bound */
};

struct pirq_line {
    uint8_t pirq;      /* 0 when no pirq stands for it */
    bool programmed;   /* setup_gsi has set its trigger and polarity */
    bool level;
    bool active_low;
    bool masked;
};

struct pirq_table {
    struct pirq_entry pirqs[PIRQ_COUNT];
    struct pirq_line lines[PIRQ_GSI_COUNT];
};

/* What the hypervisor must do to the line after an operation. */
struct pirq_line_change {
    int gsi;           /* PIRQ_NO_GSI: nothing */
    bool mask;         /* else unmask */
};

void pirq_table_init(struct pirq_table *table);
bool pirq_gsi_permitted(int gsi);

int pirq_map_gsi(struct pirq_table *table, int gsi, int *pirq);
int pirq_unmap(struct pirq_table *table, int pirq, struct pirq_line_change *change);
/* *program: the line's trigger and polarity must be written now. */
int pirq_setup_gsi(struct pirq_table *table, int gsi, unsigned int triggering, unsigned int polarity,
                   bool *program);

/* bind in two steps, as the port is allocated in between: the check, then the record. */
int pirq_check_bind(const struct pirq_table *table, uint32_t pirq);
void pirq_bind(struct pirq_table *table, uint32_t pirq, uint16_t port, struct pirq_line_change *change);
/* The port of pirq was closed: unbinds it if it is still bound there. */
void pirq_port_closed(struct pirq_table *table, uint32_t pirq, uint16_t port, struct pirq_line_change *change);

/* The line fired: the port to raise (0: none) and what to do with the line. */
uint16_t pirq_interrupt(struct pirq_table *table, int gsi, struct pirq_line_change *change);
int pirq_eoi(struct pirq_table *table, uint32_t pirq, struct pirq_line_change *change);
int pirq_status_query(uint32_t pirq, uint32_t *flags);

/* For tests and fuzzers: lines and pirqs name each other exactly, only
 * mapped pirqs are bound or in flight, and only bound lines are unmasked. */
bool pirq_invariants_hold(const struct pirq_table *table);

#endif
