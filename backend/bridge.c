/*
 * dom0's software bridge (see bridge.h): IEEE 802.1D's learning and
 * forwarding over a bounded table, with vif ports locked to their MAC.
 *
 * Owns: the ports' state, the address table and the forwarding decision.
 *
 * Rules kept:
 *   - 802.1D 7.8 and 7.9: a frame's source is learnt on its port, its
 *     destination looked up; unknown unicast and group destinations flood
 *     every other port that is up, a destination on the source port is
 *     filtered.  A group or all-zero source is invalid: dropped, never
 *     learnt (Linux's br_handle_frame drops a frame whose source is not
 *     a valid unicast address).
 *   - Ageing as Linux's bridge does it (br_fdb_cleanup, default
 *     BR_DEFAULT_AGEING_TIME 300 s): a dynamic entry not refreshed for
 *     BRIDGE_AGEING_NS is forgotten; a static entry never ages.
 *   - A locked port's address is a static entry: learning never moves it
 *     (Linux's br_fdb_update leaves a local or static entry where it is),
 *     and a locked port itself never learns: a frame from it with another
 *     source is dropped (Xen's vif scripts' ebtables anti-spoofing).
 *   - The table has BRIDGE_TABLE_ENTRIES slots, each address in at most
 *     one; a new address takes a free slot, else the least recently seen
 *     dynamic entry's.
 */
#include <pvmon/errno.h>
#include "bridge.h"

void bridge_init(struct bridge *bridge)
{
    *bridge = (struct bridge) { 0 };
}

static bool entry_is_live(const struct bridge_entry *entry, uint64_t now_ns)
{
    if (!entry->in_use)
        return false;
    if (entry->is_static || now_ns <= entry->last_seen_ns)
        return true;
    return now_ns - entry->last_seen_ns < BRIDGE_AGEING_NS;
}

/* The entry holding address, live or aged, or NULL. */
static struct bridge_entry *find_entry(struct bridge *bridge, const struct ethernet_address *address)
{
    for (unsigned int index = 0; index < BRIDGE_TABLE_ENTRIES; index++) {
        struct bridge_entry *entry = &bridge->table[index];

        if (entry->in_use && ethernet_address_equal(&entry->address, address))
            return entry;
    }
    return NULL;
}

/* Static entries are the locked ports' addresses, one per port: a dynamic or free slot always remains. */
_Static_assert(BRIDGE_PORTS < BRIDGE_TABLE_ENTRIES, "the table holds more than the static entries");

/* A free slot, else the least recently seen dynamic entry (counted as replaced if it was live). */
static struct bridge_entry *slot_for_new_address(struct bridge *bridge, uint64_t now_ns)
{
    struct bridge_entry *oldest = NULL;

    for (unsigned int index = 0; index < BRIDGE_TABLE_ENTRIES; index++) {
        struct bridge_entry *entry = &bridge->table[index];

        if (!entry->in_use)
            return entry;
        if (!entry->is_static && (oldest == NULL || entry->last_seen_ns < oldest->last_seen_ns))
            oldest = entry;
    }
    if (entry_is_live(oldest, now_ns))
        bridge->statistics.replaced++;
    return oldest;
}

static bool valid_locked_address(const struct ethernet_address *address)
{
    return !ethernet_address_is_multicast(address) && !ethernet_address_is_zero(address);
}

int bridge_add_port(struct bridge *bridge, unsigned int port, const struct ethernet_address *address)
{
    struct bridge_entry *entry;

    if (port >= BRIDGE_PORTS || bridge->ports[port].up)
        return -XEN_EINVAL;
    if (address == NULL) {
        bridge->ports[port] = (struct bridge_port) { .up = true };
        return 0;
    }
    if (!valid_locked_address(address))
        return -XEN_EINVAL;
    entry = find_entry(bridge, address);
    if (entry != NULL && entry->is_static)
        return -XEN_EEXIST;
    if (entry == NULL)
        entry = slot_for_new_address(bridge, 0);
    *entry = (struct bridge_entry) { .address = *address, .port = (uint8_t)port, .in_use = true, .is_static = true };
    bridge->ports[port] = (struct bridge_port) { .up = true, .locked = true, .address = *address };
    return 0;
}

void bridge_remove_port(struct bridge *bridge, unsigned int port)
{
    if (port >= BRIDGE_PORTS)
        return;
    bridge->ports[port] = (struct bridge_port) { 0 };
    for (unsigned int index = 0; index < BRIDGE_TABLE_ENTRIES; index++)
        if (bridge->table[index].in_use && bridge->table[index].port == port)
            bridge->table[index] = (struct bridge_entry) { 0 };
}

/* 802.1D learning on an unlocked port: a new address or a moved dynamic one; static entries stay. */
static void learn(struct bridge *bridge, unsigned int port, const struct ethernet_address *source, uint64_t now_ns)
{
    struct bridge_entry *entry = find_entry(bridge, source);

    if (entry != NULL && entry->is_static)
        return;
    if (entry == NULL) {
        entry = slot_for_new_address(bridge, now_ns);
        bridge->statistics.learnt++;
        *entry = (struct bridge_entry) { .address = *source, .in_use = true };
    }
    entry->port = (uint8_t)port;
    entry->last_seen_ns = now_ns;
}

/* Every port that is up but the one the frame came in on. */
static bridge_port_set flood_set(const struct bridge *bridge, unsigned int port)
{
    bridge_port_set ports = 0;

    for (unsigned int index = 0; index < BRIDGE_PORTS; index++)
        if (bridge->ports[index].up && index != port)
            ports |= (bridge_port_set)1 << index;
    return ports;
}

/* false (counted) if the port may not send this source. */
static bool source_allowed(struct bridge *bridge, unsigned int port, const struct ethernet_address *source)
{
    const struct bridge_port *from = &bridge->ports[port];

    if (!valid_locked_address(source)) {
        bridge->statistics.dropped_invalid_source++;
        return false;
    }
    if (from->locked && !ethernet_address_equal(source, &from->address)) {
        bridge->statistics.dropped_spoofed++;
        return false;
    }
    return true;
}

bridge_port_set bridge_forward(struct bridge *bridge, unsigned int port, const struct ethernet_address *source,
                               const struct ethernet_address *destination, uint64_t now_ns)
{
    unsigned int destination_port;

    if (port >= BRIDGE_PORTS || !bridge->ports[port].up || !source_allowed(bridge, port, source))
        return 0;
    if (!bridge->ports[port].locked) /* a locked port's one source is its static entry already */
        learn(bridge, port, source, now_ns);
    if (ethernet_address_is_multicast(destination) ||
        bridge_lookup(bridge, destination, now_ns, &destination_port) != 0) {
        bridge->statistics.flooded++;
        return flood_set(bridge, port);
    }
    if (destination_port == port) {
        bridge->statistics.filtered++;
        return 0;
    }
    bridge->statistics.forwarded++;
    return (bridge_port_set)1 << destination_port;
}

int bridge_lookup(const struct bridge *bridge, const struct ethernet_address *address, uint64_t now_ns,
                  unsigned int *port)
{
    for (unsigned int index = 0; index < BRIDGE_TABLE_ENTRIES; index++) {
        const struct bridge_entry *entry = &bridge->table[index];

        if (entry_is_live(entry, now_ns) && ethernet_address_equal(&entry->address, address)) {
            *port = entry->port;
            return 0;
        }
    }
    return -XEN_ENOENT;
}
