/*
 * blkfront for our PV kernel: one virtual block device (vbd) of the
 * domain, connected to its backend through the handshake of Linux 6.1's
 * xen-blkfront (docs: shared research split-drivers.md §2.2):
 *   1. device/vbd/N names the backend (backend, backend-id) and the
 *      device (virtual-device); nothing happens until the backend's state
 *      is InitWait (2);
 *   2. the frontend allocates a ring page, grants it to the backend,
 *      allocates an unbound event channel for the backend, and writes
 *      ring-ref, event-channel and protocol=x86_64-abi in one
 *      transaction, then its state Initialised (3);
 *   3. once the backend is Connected (4), it reads sectors, info and
 *      sector-size (required) and feature-flush-cache (optional), and
 *      writes its own state Connected (4).
 * Then requests go through the shared ring (ring/: Xen io/ring.h layout,
 * 32 slots, a response producer beyond the requests breaks it): READ, WRITE (up to 11 segments, each one within a page) and
 * FLUSH_DISKCACHE; every data page is granted for the request alone and
 * the grant is ended when the response arrives.  A backend that answers
 * with a bad id, the wrong operation, more responses than requests, or
 * that still holds a grant after answering breaks the device for good
 * (-XEN_EIO from then on), as Linux's blkfront does.
 */
#ifndef FRONTEND_BLKFRONT_H
#define FRONTEND_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/io/xenbus.h>
#include <ring/ring.h>
#include "blkfront_shadow.h"
#include "xenbus_device.h"

#define BLKFRONT_PATH_SIZE XENBUS_DEVICE_PATH_SIZE
#define BLKFRONT_SECTOR_SIZE 512

struct blkfront_segment {
    void *page;             /* page-aligned, in the kernel's initial mapping */
    uint8_t first_sect;
    uint8_t last_sect;
};

struct blkfront_request {
    uint8_t operation;      /* BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_FLUSH_DISKCACHE */
    uint64_t sector;        /* 512-byte units */
    unsigned int segment_count;
    struct blkfront_segment segments[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    /* Set on completion. */
    bool done;
    int16_t status;         /* BLKIF_RSP_OKAY, _ERROR, _EOPNOTSUPP */
};

struct blkfront {
    char frontend_path[BLKFRONT_PATH_SIZE];
    char backend_path[BLKFRONT_PATH_SIZE];
    domid_t backend_id;
    uint64_t virtual_device;
    uint64_t sectors;
    uint64_t sector_size;
    uint64_t info;          /* VDISK_* bits */
    bool flush_cache;       /* the backend advertised feature-flush-cache=1 */
    struct blkif_sring *shared_ring;
    struct ring_front ring;
    grant_ref_t ring_ref;
    evtchn_port_t port;
    volatile bool event_arrived;
    bool broken;
    struct blkfront_shadow shadow;
};

/* Finds the vbd (see blkfront_connect) and its backend, without any
 * handshake: frontend_path, backend_path, backend_id, virtual_device. */
int blkfront_locate(struct blkfront *device, const char *vbd);

/* Waits (with a watch) until the backend's state is wanted (Closed counts
 * for Closing), or deadline_ns:
 * 0, -XEN_ETIMEDOUT, -XEN_ENODEV if it closes first, or xenstore's error. */
int blkfront_await_backend(struct blkfront *device, XenbusState wanted, uint64_t deadline_ns);

/* Connects to the vbd named by vbd (the last component of device/vbd/N;
 * NULL: the first one listed), waiting for the backend until deadline_ns.
 * Returns 0, or an error after printing which step failed. */
int blkfront_connect(struct blkfront *device, const char *vbd, uint64_t deadline_ns);

/* Checks, grants and queues a request; the backend is told at once.
 * -XEN_EBUSY: the ring is full (complete some first); -XEN_EINVAL: a bad
 * request or sectors beyond the disk; -XEN_EROFS: a write to a read-only
 * disk; -XEN_EIO: the device is broken. */
int blkfront_submit(struct blkfront *device, struct blkfront_request *request);

/* Completes every response the backend has produced; how many, or -XEN_EIO. */
int blkfront_complete(struct blkfront *device);

/* Blocks until the device's event channel fires or deadline_ns passes. */
void blkfront_wait(struct blkfront *device, uint64_t deadline_ns);

/* Completes responses until request (submitted) is done: 0 with
 * request->status set, -XEN_ETIMEDOUT, or -XEN_EIO. */
int blkfront_wait_for(struct blkfront *device, struct blkfront_request *request, uint64_t deadline_ns);

/* submit, then blkfront_wait_for; or submit's errors. */
int blkfront_run(struct blkfront *device, struct blkfront_request *request, uint64_t deadline_ns);

/* The backend's XenbusState, read now. */
int blkfront_backend_state(struct blkfront *device, uint64_t *state);

/* Requests not yet answered. */
unsigned int blkfront_in_flight(const struct blkfront *device);

/* For the malicious frontends (pv-guest/kernel/disk_attacks.c): puts raw
 * on the ring as it is, except for its id, which is a shadow id taken for
 * it (so that the answer can be checked), and tells the backend.  No
 * grant is taken or ended for it. */
int blkfront_submit_raw(struct blkfront *device, struct blkif_request *raw, struct blkfront_request *completion);

/* Writes Closing (5), waits for the backend's Closing, writes Closed (6),
 * waits for the backend's Closed, then ends the ring page's grant: 0, or
 * the first step's error (printed). */
int blkfront_close(struct blkfront *device, uint64_t deadline_ns);

#endif
