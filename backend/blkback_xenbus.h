/*
 * A vbd's xenbus device: the xenstore nodes the toolstack writes for it
 * (as libxl does) and the backend's half of the handshake Linux 6.1's
 * blkfront performs (research/split-drivers.md 2.1-2.2; Linux
 * xen-blkback/xenbus.c as the reference backend), around one struct
 * blkback.  dom0's xenstore is its own: the nodes are read and written
 * with xenstore_store.h's API as domain 0, directly.
 *
 * Nodes (Xen tools/libs/light/libxl_device.c, libxl_disk.c):
 *   frontend  /local/domain/D/device/vbd/N: backend, backend-id, state=1,
 *             virtual-device=N, device-type=disk; permissions
 *             [{D, none}, {0, read}]: the domain's, dom0 may read
 *   backend   /local/domain/0/backend/vbd/D/N: frontend, frontend-id,
 *             online=1, state=1, params (the target), mode (w or r),
 *             type=phy, dev (xvdX), removable=0, bootable=1,
 *             device-type=disk; permissions [{0, none}, {D, read}]: dom0's,
 *             the domain may read
 * Each directory gets its list before anything is written below it, so
 * the nodes under it inherit the list (Xen's construct_node).
 *
 * The handshake, driven by blkback_xenbus_service from dom0's loop (dom0
 * reads the frontend's state node each pass; a frontend's xenstore write
 * is what wakes dom0):
 *   1. start: feature-flush-cache (1 iff the disk has a volatile cache),
 *      then backend state 2 (InitWait).
 *   2. frontend state 3 (Initialised) or 4: read ring-ref and
 *      event-channel (decimal, required) and protocol (missing or
 *      "x86_64-abi", the native one; any other is refused); a multi-page
 *      ring (ring-page-order > 0) or several queues
 *      (multi-queue-num-queues > 1), which this backend does not offer,
 *      are refused.  Map the ring page (GNTTABOP_map_grant_ref host_map,
 *      the caller's), bind the interdomain event channel, write sectors,
 *      info (VDISK_READONLY for a read-only vbd), sector-size=512,
 *      physical-sector-size=512, feature-flush-cache, then state 4
 *      (Connected).
 *   3. frontend state 5 (Closing): backend state 5, the ring still served
 *      for the requests in flight; frontend state 6 (Closed), or its node
 *      gone: the vbd stops (blkback_stop), the event channel is closed and
 *      the ring unmapped, backend state 6 (Closed).  As Linux blkback's
 *      frontend_changed, on which Linux's frontends count: a Linux domU
 *      shutting down writes Closing and completes its close only when the
 *      backend answers Closing (xenbus_otherend_changed ignores Closed
 *      during shutdown).  From Closed, a frontend back at state 1
 *      (Initialising) starts over at 1 (Linux blkback's reconnect), once
 *      the disk has finished with the old requests.
 *   A failure in step 2 or a broken ring (blkback_broken) writes the
 *   reason to the backend directory's "error" node (where the frontend
 *   may read it; Linux's xenbus_dev_fatal writes it under dom0's own
 *   error/ tree) and state 5 (Closing), as xenbus_dev_fatal does; the ring is unmapped and the event
 *   channel closed at once, and the device waits for the frontend to
 *   close.  A frontend that never answers costs nothing but its vbd.
 */
#ifndef BACKEND_BLKBACK_XENBUS_H
#define BACKEND_BLKBACK_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <tools/xenstored/xenstore_path.h>
#include "blkback.h"

struct blkback_xenbus;

/* What the handshake needs from the hypervisor (dom0's glue, or the tests'). */
struct blkback_xenbus_operations {
    /* Maps the frontend's ring page (a grant of frontend_domain); 0 with *page, or an error. */
    long (*map_ring)(struct blkback_xenbus *device, grant_ref_t ref, void **page);
    void (*unmap_ring)(struct blkback_xenbus *device);
    /* Binds dom0's end of the frontend's unbound port; 0 with *local_port, or an error. */
    long (*bind_event_channel)(struct blkback_xenbus *device, evtchn_port_t remote_port, evtchn_port_t *local_port);
    void (*close_event_channel)(struct blkback_xenbus *device, evtchn_port_t local_port);
    /* A line for dom0's log. */
    void (*report)(struct blkback_xenbus *device, const char *what);
};

/* The vbd as the toolstack configured it. */
struct blkback_xenbus_config {
    domid_t frontend_domain;
    uint32_t virtual_device;  /* N: 202 << 8 | disk << 4 */
    const char *vdev;         /* "xvda" */
    const char *params;       /* the target, as configured */
    struct blkback_vbd_config vbd;
};

enum blkback_xenbus_phase {
    BLKBACK_XENBUS_WAITING,    /* InitWait written: waiting for the frontend's ring */
    BLKBACK_XENBUS_CONNECTED,
    BLKBACK_XENBUS_CLOSING,    /* Closing written (failed, broken, or asked): waiting for the frontend's Closed */
    BLKBACK_XENBUS_CLOSED,
};

struct blkback_xenbus {
    const struct blkback_xenbus_operations *operations;
    struct blkback_xenbus_config config;
    char frontend_path[XENSTORE_PATH_SIZE];
    char backend_path[XENSTORE_PATH_SIZE];
    enum blkback_xenbus_phase phase;
    bool ring_mapped;
    uint64_t followed_generation; /* the store's generation when the frontend was last followed */
    evtchn_port_t local_port; /* 0: not bound */
    struct blkback vbd;
    void *context;            /* the caller's */
};

/*
 * Writes both directories with their permissions (the toolstack's part),
 * then starts the backend (step 1).  The vbd takes its bounce pages from
 * pool.  0, or the xenstore's error (what was written stays: the caller
 * removes it with blkback_xenbus_destroy).
 */
int blkback_xenbus_create(struct blkback_xenbus *device, const struct blkback_xenbus_operations *operations,
                          const struct blkback_xenbus_config *config,
                          const struct blkback_operations *vbd_operations, struct blkback_bounce_pool *pool,
                          void *context);

/*
 * One pass: follows the frontend's state, then serves the ring once
 * connected.  true if work is left for another pass now.  Connected, the
 * frontend's state is read again only when the store has changed since
 * (xenstore_store_generation): reading it every pass cost dom0 more than
 * the rest of the pass.
 */
bool blkback_xenbus_service(struct blkback_xenbus *device);

/*
 * The domain is gone or the toolstack removes the disk: the vbd stops,
 * the event channel is closed, the ring unmapped and both directories
 * removed.  The device's memory may be reused once blkback_xenbus_idle.
 */
void blkback_xenbus_destroy(struct blkback_xenbus *device);

/* The backend cannot serve this device (its image does not open): the
 * reason in the backend's error node, state Closing, as a failure in step
 * 2 (above). */
void blkback_xenbus_fail(struct blkback_xenbus *device, const char *reason);

/* The disk has finished every request of this device. */
bool blkback_xenbus_idle(const struct blkback_xenbus *device);

#endif
