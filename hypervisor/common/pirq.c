/*
 * Physical interrupts of the privileged domain (see pvmon/pirq.h for the
 * rules and the Xen functions each keeps).  The table is the only state;
 * the hypervisor applies each struct pirq_line_change to the IOAPIC.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/pirq.h>
#include <xen/physdev.h>

#define TIMER_GSI 2

static void no_change(struct pirq_line_change *change)
{
    *change = (struct pirq_line_change) { .gsi = PIRQ_NO_GSI };
}

static void change_line(struct pirq_table *table, int gsi, bool mask, struct pirq_line_change *change)
{
    table->lines[gsi].masked = mask;
    *change = (struct pirq_line_change) { .gsi = gsi, .mask = mask };
}

static bool gsi_in_range(int gsi)
{
    return gsi >= 0 && gsi < PIRQ_GSI_COUNT;
}

static bool pirq_in_range(int64_t pirq)
{
    return pirq > 0 && pirq < PIRQ_COUNT;
}

void pirq_table_init(struct pirq_table *table)
{
    for (unsigned int pirq = 0; pirq < PIRQ_COUNT; pirq++)
        table->pirqs[pirq] = (struct pirq_entry) { .gsi = PIRQ_NO_GSI };
    for (unsigned int gsi = 0; gsi < PIRQ_GSI_COUNT; gsi++)
        table->lines[gsi] = (struct pirq_line) { .masked = true };
}

bool pirq_gsi_permitted(int gsi)
{
    return gsi_in_range(gsi) && gsi != 0 && gsi != TIMER_GSI;
}

/* Xen's is_free_pirq: not mapped (a bound pirq is always mapped). */
static bool is_free(const struct pirq_table *table, int pirq)
{
    return table->pirqs[pirq].gsi == PIRQ_NO_GSI;
}

/* Xen's get_free_pirq for a GSI: 16..23 upwards, then from the top down. */
static int find_free_pirq(const struct pirq_table *table)
{
    for (int pirq = PIRQ_ISA_COUNT; pirq < PIRQ_GSI_COUNT; pirq++)
        if (is_free(table, pirq))
            return pirq;
    for (int pirq = PIRQ_COUNT - 1; pirq >= PIRQ_GSI_COUNT; pirq--)
        if (is_free(table, pirq))
            return pirq;
    return -XEN_ENOSPC;
}

int pirq_map_gsi(struct pirq_table *table, int gsi, int *pirq)
{
    int current_pirq;
    int chosen = *pirq;

    if (!gsi_in_range(gsi))
        return -XEN_EINVAL;
    if (!pirq_gsi_permitted(gsi))
        return -XEN_EPERM;
    current_pirq = table->lines[gsi].pirq;
    if (chosen < 0) {
        chosen = current_pirq != 0 ? current_pirq : find_free_pirq(table);
        if (chosen < 0)
            return chosen;
    } else if (current_pirq != 0 && chosen != current_pirq) {
        return -XEN_EEXIST;
    }
    if (!pirq_in_range(chosen))
        return -XEN_EINVAL;
    if (table->pirqs[chosen].gsi != PIRQ_NO_GSI && table->pirqs[chosen].gsi != gsi)
        return 0;
    table->pirqs[chosen].gsi = (int8_t)gsi;
    table->lines[gsi].pirq = (uint8_t)chosen;
    *pirq = chosen;
    return 0;
}

int pirq_unmap(struct pirq_table *table, int pirq, struct pirq_line_change *change)
{
    struct pirq_entry *entry;
    int gsi;

    no_change(change);
    if (!pirq_in_range(pirq) || table->pirqs[pirq].gsi == PIRQ_NO_GSI)
        return -XEN_EINVAL;
    entry = &table->pirqs[pirq];
    gsi = entry->gsi;
    table->lines[gsi].pirq = 0;
    *entry = (struct pirq_entry) { .gsi = PIRQ_NO_GSI };
    change_line(table, gsi, true, change);
    return 0;
}

int pirq_setup_gsi(struct pirq_table *table, int gsi, unsigned int triggering, unsigned int polarity,
                   bool *program)
{
    struct pirq_line *line;
    int pirq;

    *program = false;
    if (!gsi_in_range(gsi))
        return -XEN_EINVAL;
    if (!pirq_gsi_permitted(gsi))
        return -XEN_EPERM;
    line = &table->lines[gsi];
    pirq = line->pirq;
    if (pirq != 0 && table->pirqs[pirq].port != 0)
        return -XEN_EEXIST;
    if (line->programmed)
        return 0;
    line->programmed = true;
    line->level = triggering != 0;
    line->active_low = polarity != 0;
    *program = true;
    return 0;
}

int pirq_check_bind(const struct pirq_table *table, uint32_t pirq)
{
    if (!pirq_in_range(pirq))
        return -XEN_EINVAL;
    if (table->pirqs[pirq].gsi == PIRQ_NO_GSI)
        return -XEN_EPERM;
    if (table->pirqs[pirq].port != 0)
        return -XEN_EEXIST;
    return 0;
}

void pirq_bind(struct pirq_table *table, uint32_t pirq, uint16_t port, struct pirq_line_change *change)
{
    struct pirq_entry *entry = &table->pirqs[pirq];

    entry->port = port;
    entry->in_flight = false;
    change_line(table, entry->gsi, false, change);
}

void pirq_port_closed(struct pirq_table *table, uint32_t pirq, uint16_t port, struct pirq_line_change *change)
{
    struct pirq_entry *entry;

    no_change(change);
    if (!pirq_in_range(pirq) || table->pirqs[pirq].port != port)
        return;
    entry = &table->pirqs[pirq];
    entry->port = 0;
    entry->in_flight = false;
    change_line(table, entry->gsi, true, change);
}

uint16_t pirq_interrupt(struct pirq_table *table, int gsi, struct pirq_line_change *change)
{
    struct pirq_line *line;
    struct pirq_entry *entry;

    no_change(change);
    if (!gsi_in_range(gsi))
        return 0;
    line = &table->lines[gsi];
    entry = line->pirq != 0 ? &table->pirqs[line->pirq] : NULL;
    if (entry == NULL || entry->port == 0) {
        change_line(table, gsi, true, change);
        return 0;
    }
    entry->in_flight = true;
    if (line->level)
        change_line(table, gsi, true, change);
    return entry->port;
}

int pirq_eoi(struct pirq_table *table, uint32_t pirq, struct pirq_line_change *change)
{
    struct pirq_entry *entry;

    no_change(change);
    if (!pirq_in_range(pirq) || is_free(table, (int)pirq))
        return -XEN_EINVAL;
    entry = &table->pirqs[pirq];
    if (!entry->in_flight)
        return 0;
    entry->in_flight = false;
    if (table->lines[entry->gsi].level)
        change_line(table, entry->gsi, false, change);
    return 0;
}

int pirq_status_query(uint32_t pirq, uint32_t *flags)
{
    if (pirq >= PIRQ_COUNT)
        return -XEN_EINVAL;
    *flags = XENIRQSTAT_needs_eoi;
    return 0;
}

bool pirq_invariants_hold(const struct pirq_table *table)
{
    for (int pirq = 0; pirq < PIRQ_COUNT; pirq++) {
        int gsi = table->pirqs[pirq].gsi;

        if (gsi != PIRQ_NO_GSI && (!pirq_gsi_permitted(gsi) || table->lines[gsi].pirq != pirq || pirq == 0))
            return false;
        if ((table->pirqs[pirq].in_flight || table->pirqs[pirq].port != 0) && gsi == PIRQ_NO_GSI)
            return false;
        if (table->pirqs[pirq].in_flight && table->pirqs[pirq].port == 0)
            return false;
    }
    for (int gsi = 0; gsi < PIRQ_GSI_COUNT; gsi++) {
        const struct pirq_line *line = &table->lines[gsi];

        if (line->pirq != 0 && table->pirqs[line->pirq].gsi != gsi)
            return false;
        if (!line->masked && (line->pirq == 0 || table->pirqs[line->pirq].port == 0))
            return false;
    }
    return true;
}
