/*
 * netback in dom0 (see netback_dom0.h): the vif devices, their ring
 * windows, the packet pool, the bridge and the NIC, and the hypercalls
 * behind the pure code's operations.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <guest/grant_table.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include <kernel/direct_map.h>
#include <kernel/frame_pool.h>
#include <kernel/net_device.h>
#include "bridge.h"
#include "device_dom0.h"
#include "netback_dom0.h"

#define UPLINK_PORT 0
#define XEN_OUI_0 0x00
#define XEN_OUI_1 0x16
#define XEN_OUI_2 0x3e

_Static_assert(NETBACK_DOM0_VIFS < BRIDGE_PORTS, "every vif has a bridge port after the uplink's");
_Static_assert(NETBACK_DOM0_BUFFERS <= PACKET_POOL_BUFFERS, "the pool takes every buffer page");
_Static_assert(NETBACK_DOM0_VIFS * NETBACK_RX_QUEUE + NETBACK_DOM0_NIC_BACKLOG < NETBACK_DOM0_BUFFERS,
               "full rx queues and a full NIC backlog leave buffers for frames being forwarded");

struct dom0_vif {
    bool in_use;
    bool queued;          /* frames were queued for it since its last turn */
    unsigned int port;    /* on the bridge */
    grant_handle_t ring_handles[NETBACK_RINGS];
    bool counting;        /* machine counters read when the event channel was bound */
    struct pvmon_memory_statistics at_connection;
    struct netback_xenbus device;
};

/* A frame on its way out of eth0: waiting for room, or with the NIC. */
struct uplink_transmission {
    struct net_transmission transmission;
    struct packet_buffer *frame;
    unsigned int source_port;
    struct uplink_transmission *next;
};

struct uplink_statistics {
    uint64_t dropped_backlog_full; /* no room to wait for the NIC, or the source port's share used up */
    uint64_t dropped_no_buffer;    /* a received frame found the pool empty */
    uint64_t transmit_errors;      /* refused or failed by the NIC */
};

static struct dom0_vif vifs[NETBACK_DOM0_VIFS];
static uint8_t *ring_windows[NETBACK_DOM0_VIFS][NETBACK_RINGS]; /* pages of dom0's frame pool */
static struct packet_pool pool;
static struct bridge bridge;
static struct net_device *uplink; /* eth0, or NULL: no NIC */
static struct uplink_transmission transmissions[NETBACK_DOM0_NIC_BACKLOG];
static struct uplink_transmission *free_transmissions;
static struct uplink_transmission *waiting_head, *waiting_tail;
static struct uplink_statistics uplink_counts;
static unsigned int uplink_held[BRIDGE_PORTS]; /* frames held for the NIC, by source port */
static unsigned int first_vif; /* where the next pass starts */
static volatile bool *wake;
static bool ready; /* netback_dom0_init found its memory */

static struct dom0_vif *owner_of(const struct netback_xenbus *device)
{
    return (struct dom0_vif *)device->context;
}

static uint8_t *window_of(const struct dom0_vif *entry, enum netback_ring ring)
{
    return ring_windows[entry - vifs][ring];
}

/* A page of dom0's frame pool, in the direct map (so its L1 entry exists); NULL if none is left. */
static uint8_t *allocate_page(void)
{
    uint64_t pfn;

    if (frame_allocate(FRAME_ANY, &pfn, NULL) != 0)
        return NULL;
    return direct_map_page(pfn);
}

static void report(struct netback_xenbus *device, const char *what)
{
    console_printf("toolstack: d%u vif %u: %s\n", device->config.vif.frontend_domain, device->config.handle, what);
}

static void report_result(struct netback_xenbus *device, const char *what, long result)
{
    char line[96];

    format_string(line, sizeof(line), "%s: %ld", what, result);
    report(device, line);
}

/* --- the uplink: eth0 -------------------------------------------------------------- */

static void release_transmission(struct uplink_transmission *entry)
{
    uplink_held[entry->source_port]--;
    packet_buffer_put(&pool, entry->frame);
    entry->next = free_transmissions;
    free_transmissions = entry;
}

/* Hands the NIC what waits for it, while it has room. */
static void transmit_waiting(void)
{
    while (waiting_head != NULL) {
        struct uplink_transmission *entry = waiting_head;
        int result = net_device_transmit(uplink, &entry->transmission);

        if (result == -XEN_EBUSY)
            return;
        waiting_head = entry->next;
        if (waiting_head == NULL)
            waiting_tail = NULL;
        if (result != 0) {
            uplink_counts.transmit_errors++;
            release_transmission(entry);
        }
    }
}

/* The frame joins the NIC's backlog, with a reference of its own; dropped
 * if the backlog is full or its source port's share of it is used up. */
static void send_to_uplink(struct packet_buffer *frame)
{
    struct uplink_transmission *entry = free_transmissions;

    if (entry == NULL || uplink_held[frame->source_port] == NETBACK_DOM0_NIC_SHARE) {
        uplink_counts.dropped_backlog_full++;
        return;
    }
    free_transmissions = entry->next;
    packet_buffer_get(frame);
    uplink_held[frame->source_port]++;
    *entry = (struct uplink_transmission) {
        .transmission = { .machine_address = frame->machine_frame << PAGE_SHIFT, .length = frame->length,
                          .owner = entry },
        .frame = frame,
        .source_port = frame->source_port,
    };
    if (waiting_tail != NULL)
        waiting_tail->next = entry;
    else
        waiting_head = entry;
    waiting_tail = entry;
    transmit_waiting();
}

static void transmission_done(struct net_transmission *transmission)
{
    if (transmission->status != 0)
        uplink_counts.transmit_errors++;
    release_transmission(transmission->owner);
}

/* --- forwarding ---------------------------------------------------------------------- */

static void send_to_vif(unsigned int port, struct packet_buffer *frame)
{
    struct dom0_vif *entry = &vifs[port - 1];

    if (entry->in_use && netback_queue_frame(&entry->device.vif, frame) == 0)
        entry->queued = true;
}

/* Sends the frame (which came in on frame->source_port) where the bridge says, then drops the caller's reference. */
static void forward(struct packet_buffer *frame)
{
    struct ethernet_address destination, source;
    bridge_port_set ports;

    memcpy(destination.bytes, frame->data, ETHERNET_ADDRESS_BYTES);
    memcpy(source.bytes, frame->data + ETHERNET_ADDRESS_BYTES, ETHERNET_ADDRESS_BYTES);
    ports = bridge_forward(&bridge, frame->source_port, &source, &destination, system_time_ns());
    for (unsigned int port = 0; port < BRIDGE_PORTS; port++) {
        if ((ports & (UINT32_C(1) << port)) == 0)
            continue;
        if (port == UPLINK_PORT)
            send_to_uplink(frame);
        else
            send_to_vif(port, frame);
    }
    packet_buffer_put(&pool, frame);
}

/* A frame eth0 received: into a buffer of the pool, then forwarded. */
static void receive_from_uplink(void *context, const uint8_t *bytes, uint32_t length)
{
    struct packet_buffer *frame = packet_buffer_allocate(&pool);

    (void)context;
    if (frame == NULL) {
        uplink_counts.dropped_no_buffer++;
        return;
    }
    memcpy(frame->data, bytes, length);
    frame->length = length;
    frame->source_port = UPLINK_PORT;
    forward(frame);
}

/* Completions, the backlog, then a budget of received frames; true if the NIC holds more now. */
static bool serve_uplink(void)
{
    net_device_complete_transmissions(uplink, transmission_done);
    transmit_waiting();
    net_device_receive(uplink, NETBACK_DOM0_NIC_BUDGET, receive_from_uplink, NULL);
    return net_device_receive_pending(uplink);
}

/* --- the vif's operations -------------------------------------------------------------- */

static long copy_grants(struct gnttab_copy *copies, unsigned int count)
{
    return grant_copy(copies, count);
}

static void notify_frontend(struct netback *vif)
{
    struct netback_xenbus *device = vif->context;
    long result = hypercall_event_send(device->local_port);

    if (result != 0)
        report_result(device, "notifying the frontend failed", result);
}

static void deliver(struct netback *vif, struct packet_buffer *frame)
{
    struct netback_xenbus *device = vif->context;

    frame->source_port = (uint16_t)owner_of(device)->port;
    forward(frame);
}

static const struct netback_operations vif_operations = {
    .grant_copy = copy_grants,
    .notify_frontend = notify_frontend,
    .deliver = deliver,
};

/* --- the handshake's operations ---------------------------------------------------------- */

static void report_step(void *device, const char *what, long result)
{
    report_result(device, what, result);
}

static long map_ring(struct netback_xenbus *device, enum netback_ring ring, grant_ref_t ref, void **page)
{
    struct dom0_vif *entry = owner_of(device);
    long result = device_dom0_map_ring(window_of(entry, ring), device->config.vif.frontend_domain, ref,
                                       &entry->ring_handles[ring], "GNTTABOP_map_grant_ref of a ring", report_step,
                                       device);

    if (result != 0)
        return result;
    *page = window_of(entry, ring);
    return 0;
}

/* Removes the grant mapping, then maps dom0's own frame back over the window. */
static void unmap_ring(struct netback_xenbus *device, enum netback_ring ring)
{
    struct dom0_vif *entry = owner_of(device);

    device_dom0_unmap_ring(window_of(entry, ring), entry->ring_handles[ring], "GNTTABOP_unmap_grant_ref of a ring",
                           report_step, device);
}

static void note_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    *wake = true;
}

static long bind_event_channel(struct netback_xenbus *device, evtchn_port_t remote_port, evtchn_port_t *local_port)
{
    long result = device_dom0_bind_event_channel(device->config.vif.frontend_domain, remote_port, local_port,
                                                 note_event, report_step, device);

    if (result != 0)
        return result;
    owner_of(device)->counting = device_dom0_read_machine_counters(&owner_of(device)->at_connection) == 0;
    return 0;
}

static void close_event_channel(struct netback_xenbus *device, evtchn_port_t local_port)
{
    device_dom0_close_event_channel(local_port, report_step, device);
}

static const struct netback_xenbus_operations xenbus_operations = {
    .map_ring = map_ring,
    .unmap_ring = unmap_ring,
    .bind_event_channel = bind_event_channel,
    .close_event_channel = close_event_channel,
    .report = report,
};

/* --- devices --------------------------------------------------------------------------- */

static void init_uplink(void)
{
    free_transmissions = NULL;
    for (unsigned int index = 0; index < sizeof(transmissions) / sizeof(transmissions[0]); index++) {
        transmissions[index].next = free_transmissions;
        free_transmissions = &transmissions[index];
    }
    uplink = net_device_count() > 0 ? net_device_get(0) : NULL;
    if (uplink == NULL) {
        console_printf("toolstack: xenbr0: no NIC, the vifs reach only each other\n");
        return;
    }
    if (bridge_add_port(&bridge, UPLINK_PORT, NULL) != 0) {
        console_printf("toolstack: xenbr0: adding %s failed\n", net_device_name(uplink));
        uplink = NULL;
        return;
    }
    console_printf("toolstack: xenbr0: %s is port 0\n", net_device_name(uplink));
}

/* The pool's pages and the ring windows, from dom0's frame pool; false if it ran out. */
static bool allocate_memory(void)
{
    uint8_t *pages[NETBACK_DOM0_BUFFERS];
    uint64_t frames[NETBACK_DOM0_BUFFERS];

    for (unsigned int index = 0; index < NETBACK_DOM0_BUFFERS; index++) {
        if ((pages[index] = allocate_page()) == NULL)
            return false;
        frames[index] = runtime_machine_address(pages[index]) >> PAGE_SHIFT;
    }
    packet_pool_init(&pool, pages, frames, NETBACK_DOM0_BUFFERS);
    for (unsigned int index = 0; index < NETBACK_DOM0_VIFS; index++)
        for (enum netback_ring ring = NETBACK_TX_RING; ring < NETBACK_RINGS; ring++)
            if ((ring_windows[index][ring] = allocate_page()) == NULL)
                return false;
    return true;
}

int netback_dom0_init(volatile bool *wake_flag)
{
    wake = wake_flag;
    net_device_set_wakeup_flag(wake_flag);
    if (!allocate_memory()) {
        console_printf("toolstack: xenbr0: dom0's frame pool has no room for %u packet buffers\n",
                       NETBACK_DOM0_BUFFERS);
        return -XEN_ENOMEM;
    }
    bridge_init(&bridge);
    init_uplink();
    ready = true;
    return 0;
}

static struct dom0_vif *free_vif(void)
{
    for (unsigned int index = 0; index < NETBACK_DOM0_VIFS; index++)
        if (!vifs[index].in_use)
            return &vifs[index];
    return NULL;
}

/* The vif line's MAC, or 00:16:3e:NN:DD:DD. */
static struct ethernet_address vif_address(domid_t domain, const struct vif_spec *spec)
{
    if (spec->has_address)
        return spec->address;
    return (struct ethernet_address) {
        { XEN_OUI_0, XEN_OUI_1, XEN_OUI_2, (uint8_t)spec->handle, (uint8_t)(domain >> 8), (uint8_t)domain }
    };
}

int netback_dom0_connect(domid_t domain, const struct vif_spec *spec, struct netback_xenbus **device)
{
    struct dom0_vif *entry = free_vif();
    struct netback_xenbus_config config = {
        .handle = spec->handle,
        .bridge = CONFIG_BRIDGE_NAME,
        .vif = { .frontend_domain = domain, .address = vif_address(domain, spec) },
    };
    char mac[18];
    int result;

    ethernet_address_format(&config.vif.address, mac);
    if (!ready || entry == NULL) {
        console_printf("toolstack: d%u vif %u: %s\n", domain, spec->handle,
                       ready ? "no free vif device" : "dom0 has no network backend");
        return ready ? -XEN_EBUSY : -XEN_ENODEV;
    }
    *entry = (struct dom0_vif) { .port = (unsigned int)(entry - vifs) + 1 };
    result = bridge_add_port(&bridge, entry->port, &config.vif.address);
    if (result != 0) {
        console_printf("toolstack: d%u vif %u: %s is another vif's: %d\n", domain, spec->handle, mac, result);
        return -XEN_EEXIST;
    }
    entry->in_use = true;
    result = netback_xenbus_create(&entry->device, &xenbus_operations, &config, &vif_operations, &pool, entry);
    *device = &entry->device;
    if (result != 0) {
        report_result(&entry->device, "writing its xenstore nodes failed", result);
        return result;
    }
    console_printf("toolstack: d%u vif %u: mac %s on xenbr0 port %u\n", domain, spec->handle, mac, entry->port);
    return 0;
}

static unsigned int vifs_in_use(void)
{
    unsigned int count = 0;

    for (unsigned int index = 0; index < NETBACK_DOM0_VIFS; index++)
        if (vifs[index].in_use)
            count++;
    return count;
}

/* What the vif did, for the log and the benchmarks (events per packet). */
static void report_statistics(const struct netback_xenbus *device)
{
    const struct netback_statistics *counts = &device->vif.statistics;

    console_printf("toolstack: d%u vif %u: tx %lu packets (%lu bytes, %lu dropped, %lu checksums filled), "
                   "rx %lu packets (%lu bytes, %lu dropped on a full queue, %lu copy failures); "
                   "%lu GNTTABOP_copy calls (%lu segments), %lu notifications\n",
                   device->config.vif.frontend_domain, device->config.handle, counts->tx_packets, counts->tx_bytes,
                   counts->tx_dropped, counts->tx_checksums_filled, counts->rx_packets, counts->rx_bytes,
                   counts->rx_dropped_queue_full, counts->rx_copy_failures, counts->grant_copy_calls,
                   counts->grant_copy_segments, counts->notifications);
}

/* What the whole machine did since the vif's event channel was bound (every
 * domain's hypercalls, dom0's and the domUs'), for the benchmarks'
 * hypercalls per packet. */
static void report_machine_counters(const struct dom0_vif *entry)
{
    struct pvmon_memory_statistics now;

    if (!entry->counting || device_dom0_read_machine_counters(&now) != 0)
        return;
    console_printf("toolstack: d%u vif %u: while connected, the machine made %lu hypercalls and "
                   "%lu page-table updates\n", entry->device.config.vif.frontend_domain, entry->device.config.handle,
                   now.hypercalls - entry->at_connection.hypercalls,
                   now.page_table_updates - entry->at_connection.page_table_updates);
}

/* The bridge's and the NIC's counters so far. */
static void report_bridge(void)
{
    const struct bridge_statistics *counts = &bridge.statistics;

    console_printf("toolstack: xenbr0: %lu forwarded, %lu flooded, %lu filtered, %lu spoofed and %lu invalid "
                   "sources dropped, %lu learnt; pool: %u of %u buffers free, %lu allocations refused\n",
                   counts->forwarded, counts->flooded, counts->filtered, counts->dropped_spoofed,
                   counts->dropped_invalid_source, counts->learnt, pool.free_count, pool.count, pool.exhausted);
    if (uplink != NULL) {
        const struct net_device_statistics *nic = net_device_statistics(uplink);

        console_printf("toolstack: xenbr0: %s sent %lu frames (%lu bytes), received %lu (%lu bytes); "
                       "%lu dropped on a full backlog, %lu for want of a buffer, %lu transmit errors\n",
                       net_device_name(uplink), nic->frames_sent, nic->bytes_sent, nic->frames_received,
                       nic->bytes_received, uplink_counts.dropped_backlog_full, uplink_counts.dropped_no_buffer,
                       uplink_counts.transmit_errors);
    }
}

void netback_dom0_disconnect(struct netback_xenbus *device)
{
    struct dom0_vif *entry = owner_of(device);

    report_statistics(device);
    report_machine_counters(entry);
    entry->counting = false;
    netback_xenbus_destroy(device);
    bridge_remove_port(&bridge, entry->port);
    entry->in_use = false;
    if (vifs_in_use() == 0)
        report_bridge();
}

/* Serves the vif once if it is in use (and, with only_queued, only if
 * frames were queued for it since its last turn); true if work is left. */
static bool serve_vif(struct dom0_vif *entry, bool only_queued)
{
    if (!entry->in_use || (only_queued && !entry->queued))
        return false;
    entry->queued = false;
    return netback_xenbus_service(&entry->device);
}

bool netback_dom0_service(void)
{
    bool more;

    if (!ready)
        return false;
    more = uplink != NULL && serve_uplink();
    for (unsigned int step = 0; step < NETBACK_DOM0_VIFS; step++)
        if (serve_vif(&vifs[(first_vif + step) % NETBACK_DOM0_VIFS], false))
            more = true;
    for (unsigned int step = 0; step < NETBACK_DOM0_VIFS; step++)
        if (serve_vif(&vifs[(first_vif + step) % NETBACK_DOM0_VIFS], true))
            more = true;
    first_vif = (first_vif + 1) % NETBACK_DOM0_VIFS;
    for (unsigned int index = 0; index < NETBACK_DOM0_VIFS; index++)
        if (vifs[index].in_use && vifs[index].queued)
            more = true;
    return more;
}
