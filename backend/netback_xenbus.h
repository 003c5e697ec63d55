/*
 * A vif's xenbus device: the xenstore nodes the toolstack writes for it
 * (as libxl does) and the backend's half of the handshake Linux 6.1's
 * netfront performs (research/split-drivers.md 2.1, 2.3; Linux
 * drivers/net/xen-netback/xenbus.c as the reference backend), around one
 * struct netback.  dom0's xenstore is its own: the nodes are read and
 * written with xenbus_nodes.h, as domain 0, directly.
 *
 * Nodes (Xen tools/libs/light/libxl_device.c, libxl_nic.c):
 *   frontend  /local/domain/D/device/vif/N: backend, backend-id, state=1,
 *             handle=N, mac, trusted=1, mtu=1500 (mtu owned by dom0, the
 *             domain may only read it); permissions [{D, none}, {0, read}]
 *   backend   /local/domain/0/backend/vif/D/N: frontend, frontend-id,
 *             online=1, state=1, mac, bridge, handle=N, type=vif,
 *             hotplug-status=connected (dom0 puts the vif on the bridge
 *             itself: there is no hotplug script to wait for);
 *             permissions [{0, none}, {D, read}]
 *
 * The handshake, driven by netback_xenbus_service from dom0's loop:
 *   1. start (netback_probe): feature-sg=1, feature-rx-copy=1,
 *      feature-rx-flip=0, and no feature-gso-*, no multi-queue, no split
 *      event channels, no IPv6 checksum offload (each absent node is 0 to
 *      netfront, 2.3); then state 2 (InitWait).
 *   2. frontend state 4 (Connected; netfront never writes 3, headline 5):
 *      read tx-ring-ref, rx-ring-ref and event-channel (decimal,
 *      required); request-rx-copy must be 1 (Linux netback's connect:
 *      -EOPNOTSUPP otherwise); several queues (multi-queue-num-queues > 1)
 *      are refused.  Map both ring pages (the caller's), bind the
 *      interdomain event channel, then state 4 (Connected).
 *   3. frontend state 5 (Closing): the rings get one last pass (what the
 *      frontend sent before it asked to close is answered, as far as one
 *      bounded pass goes), then the vif is disconnected (Linux's
 *      backend_disconnect: no frame is in flight, a copy being
 *      synchronous) and the backend writes 5; frontend state 6 (Closed),
 *      or its node gone: state 6.  From Closed, a frontend back at 1
 *      (Initialising) starts over at step 1, as Linux netback does.
 *   A failure in step 2, or a vif netback disabled (a broken ring or a
 *   fatal packet), writes the reason to the backend directory's "error"
 *   node and state 5 (Closing), as xenbus_dev_fatal does; the rings are
 *   unmapped and the event channel closed at once, and the device waits
 *   for the frontend to close.  A frontend that never answers costs
 *   nothing but its vif.
 */
#ifndef BACKEND_NETBACK_XENBUS_H
#define BACKEND_NETBACK_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <tools/xenstored/xenstore_path.h>
#include "netback.h"

enum netback_ring {
    NETBACK_TX_RING,
    NETBACK_RX_RING,
    NETBACK_RINGS,
};

struct netback_xenbus;

/* What the handshake needs from the hypervisor (dom0's glue, or the tests'). */
struct netback_xenbus_operations {
    /* Maps one of the frontend's ring pages (a grant of frontend_domain); 0 with *page, or an error. */
    long (*map_ring)(struct netback_xenbus *device, enum netback_ring ring, grant_ref_t ref, void **page);
    void (*unmap_ring)(struct netback_xenbus *device, enum netback_ring ring);
    /* Binds dom0's end of the frontend's unbound port; 0 with *local_port, or an error. */
    long (*bind_event_channel)(struct netback_xenbus *device, evtchn_port_t remote_port, evtchn_port_t *local_port);
    void (*close_event_channel)(struct netback_xenbus *device, evtchn_port_t local_port);
    /* A line for dom0's log. */
    void (*report)(struct netback_xenbus *device, const char *what);
};

/* The vif as the toolstack configured it. */
struct netback_xenbus_config {
    uint32_t handle;       /* N: the vif's number in its domain */
    const char *bridge;    /* "xenbr0" */
    struct netback_config vif;
};

enum netback_xenbus_phase {
    NETBACK_XENBUS_WAITING,   /* InitWait written: waiting for the frontend's rings */
    NETBACK_XENBUS_CONNECTED,
    NETBACK_XENBUS_CLOSING,   /* Closing written (failed, disabled, or asked): waiting for the frontend's Closed */
    NETBACK_XENBUS_CLOSED,
};

struct netback_xenbus {
    const struct netback_xenbus_operations *operations;
    struct netback_xenbus_config config;
    char frontend_path[XENSTORE_PATH_SIZE];
    char backend_path[XENSTORE_PATH_SIZE];
    enum netback_xenbus_phase phase;
    bool ring_mapped[NETBACK_RINGS];
    uint64_t followed_generation; /* the store's generation when the frontend was last followed */
    evtchn_port_t local_port;     /* 0: not bound */
    struct netback vif;
    void *context;                /* the caller's */
};

/*
 * Writes both directories with their permissions (the toolstack's part),
 * then starts the backend (step 1).  The vif takes its buffers from pool.
 * 0, or the xenstore's error (what was written stays: the caller removes
 * it with netback_xenbus_destroy).
 */
int netback_xenbus_create(struct netback_xenbus *device, const struct netback_xenbus_operations *operations,
                          const struct netback_xenbus_config *config,
                          const struct netback_operations *vif_operations, struct packet_pool *pool, void *context);

/*
 * One pass: follows the frontend's state (connected, only when the store
 * changed since the last look: xenstore_store_generation), then serves
 * the rings once connected.  true if work is left for another pass now.
 */
bool netback_xenbus_service(struct netback_xenbus *device);

/* The vif is connected: frames queued for it may reach the guest. */
bool netback_xenbus_connected(const struct netback_xenbus *device);

/*
 * The domain is gone or the toolstack removes the vif: the vif stops
 * (its queue released), the event channel is closed, the rings unmapped
 * and both directories removed.  Nothing of it is in flight afterwards.
 */
void netback_xenbus_destroy(struct netback_xenbus *device);

#endif
