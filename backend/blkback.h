/*
 * blkback: dom0's service of one vbd, the backend half of Xen's split
 * block device (xen/io/blkif.h), the job of Linux's xen-blkback.  The
 * frontend's requests come from the shared ring (ring.h), are checked on
 * their private copy (blkif_request.h), and are carried out on a disk of
 * dom0's (pv-guest/kernel/block_device.h) with the data going through
 * bounce pages of dom0's own, filled and emptied with GNTTABOP_copy: the
 * frontend's grants are never mapped, only copied from or to.
 *
 * Pure: the hypervisor and the disk are reached only through struct
 * blkback_operations, so that the host unit tests run it against a
 * simulated frontend, grant table and RAM disk.  The xenbus handshake
 * and the event channel are blkback_xenbus.h's.
 *
 * The rules it keeps:
 *   - Bounded work.  One call of blkback_service takes at most
 *     BLKBACK_REQUESTS_PER_PASS requests off the ring and only while one
 *     of the vbd's BLKBACK_SLOTS request slots is free (a slot holds the
 *     request's copy and the disk request) and the bounce pool shared by
 *     every vbd has pages for a request of the largest size, so a
 *     frontend cannot hold dom0 however many requests it posts; what it
 *     left on the ring is served on the next pass.
 *   - Bounded memory.  Bounce pages come from a struct
 *     blkback_bounce_pool the caller fills with pages of dom0's; a
 *     request holds one per segment from its start until the disk has
 *     finished with it, so BLKBACK_SLOTS bounds what one vbd can hold.
 *   - WRITE: each segment is copied from the frontend's grant into its
 *     bounce page (GNTTABOP_copy, source gref of the frontend's domain,
 *     destination dom0's own machine frame, DOMID_SELF), then the disk
 *     request is submitted; the response comes when the disk completes it.
 *   - READ: the disk reads into the bounce pages; on completion each
 *     segment is copied into the frontend's grant (destination gref).
 *   - A grant the copy refuses (bad, foreign, read-only for a READ, ...)
 *     fails that request alone: BLKIF_RSP_ERROR.  A disk error is
 *     BLKIF_RSP_ERROR too.
 *   - Responses only after the copy is done: a grant copy holds its pin
 *     only during the hypercall, so by the time a response is published no
 *     grant of that request is in use (blkfront disables the disk if it
 *     finds one still in use: split-drivers.md headline 2).
 *   - FLUSH_DISKCACHE is submitted to the disk as its FLUSH and answered
 *     when that completes.  Every write this vbd has answered had already
 *     completed on the disk before the flush was submitted, and a disk
 *     FLUSH makes every write completed before its submission durable
 *     (block_device.h), so an answered flush covers every write answered
 *     before it (split-drivers.md 3.3).  On a disk without a volatile
 *     cache (no flush to advertise) a flush is answered OKAY at once:
 *     there every completed write is already durable (Linux's block layer
 *     does the same for a queue without a write cache).
 *   - -EBUSY from the disk keeps the request in its slot, submitted again
 *     on the next pass; no further request is taken meanwhile.
 *   - A broken ring (a producer index beyond the ring, ring.h) stops this
 *     vbd only: blkback_broken() says so and nothing is read from or
 *     written to that ring again; the caller closes the device.
 *   - Stopping (the frontend went away, or the domain died): the ring is
 *     never touched again; requests still on the disk finish into the
 *     bounce pages, with no copy back and no response; the vbd, its slots
 *     and its bounce pages may be reused only once blkback_idle().
 */
#ifndef BACKEND_BLKBACK_H
#define BACKEND_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/grant_table.h>
#include <kernel/block_device.h>
#include <ring/ring.h>
#include "blkif_request.h"

#define BLKBACK_SLOTS 8
#define BLKBACK_REQUESTS_PER_PASS 16
#define BLKBACK_POOL_PAGES_MAX 1024

struct blkback;

/* How blkback reaches the hypervisor and the disk (dom0's, or the tests'). */
struct blkback_operations {
    /* GNTTABOP_copy of count elements, each with its own status: the hypercall's result. */
    long (*grant_copy)(struct gnttab_copy *copies, unsigned int count);
    /* block_device_submit. */
    int (*submit)(struct block_device *disk, struct block_request *request);
    /* Sends the frontend an event: its ring has new responses. */
    void (*notify_frontend)(struct blkback *vbd);
};

/* The vbd: a range of a disk, as the toolstack configured it. */
struct blkback_vbd_config {
    struct block_device *disk;
    uint64_t first_sector; /* where the vbd starts on the disk */
    uint64_t sectors;      /* its size, 512-byte sectors */
    bool read_only;
    bool disk_has_flush;   /* a volatile write cache: FLUSH goes to the disk */
    domid_t frontend_domain;
};

struct blkback_statistics {
    uint64_t reads;
    uint64_t writes;
    uint64_t flushes;
    uint64_t refused;            /* answered ERROR or EOPNOTSUPP by validation */
    uint64_t grant_copy_failures;/* requests failed by a refused grant copy */
    uint64_t disk_errors;
    uint64_t grant_copy_calls;   /* GNTTABOP_copy hypercalls */
    uint64_t grant_copy_segments;
    uint64_t notifications;
    uint64_t sectors_read;
    uint64_t sectors_written;
};

enum blkback_slot_state {
    BLKBACK_SLOT_FREE,
    BLKBACK_SLOT_WAITING,   /* the disk said -EBUSY: submit again */
    BLKBACK_SLOT_ON_DISK,
};

/* Bounce pages of dom0's, shared by every vbd: their machine frames. */
struct blkback_bounce_pool {
    unsigned int free_count;
    uint64_t free_frames[BLKBACK_POOL_PAGES_MAX];
};

struct blkback_slot {
    struct blkback *vbd;
    enum blkback_slot_state state;
    struct blkif_checked_request request;
    struct block_request io;
    unsigned int bounce_count;
    uint64_t bounce_frames[BLKIF_MAX_SEGMENTS_PER_REQUEST]; /* held from the pool */
};

struct blkback {
    const struct blkback_operations *operations;
    struct blkback_bounce_pool *pool;
    struct blkback_vbd_config config;
    struct ring_back ring;
    bool attached;   /* the ring may be served */
    bool stopped;    /* never touch the ring again */
    bool unpushed;   /* responses put but not yet published */
    unsigned int on_disk;
    struct blkback_slot slots[BLKBACK_SLOTS];
    struct blkback_statistics statistics;
    void *context;   /* the caller's */
};

/* Fills the pool with count (at most BLKBACK_POOL_PAGES_MAX) pages, by machine frame. */
void blkback_bounce_pool_init(struct blkback_bounce_pool *pool, const uint64_t *frames, unsigned int count);

/* Readies a vbd, not yet attached to a ring, taking its bounce pages from pool. */
void blkback_init(struct blkback *vbd, const struct blkback_operations *operations,
                  const struct blkback_vbd_config *config, struct blkback_bounce_pool *pool, void *context);

/* Serves the frontend's ring at ring_page (one 4 KiB page, mapped by the caller). */
void blkback_attach(struct blkback *vbd, void *ring_page);

/*
 * One bounded pass: resubmits what the disk refused as busy, takes new
 * requests, publishes the responses put since the last pass (notifying
 * the frontend if it asked to be), and arms the ring's event before it
 * looks for the last time.  true if work is left for another pass now.
 */
bool blkback_service(struct blkback *vbd);

/*
 * The disk's completion of one of blkback's requests (owner is its slot):
 * the callback given to block_device_complete.  Puts the response (after
 * a READ's copy into the frontend's grants); blkback_service publishes it.
 */
void blkback_request_done(struct block_request *io);

/* The frontend is gone: the ring is never touched again (see above). */
void blkback_stop(struct blkback *vbd);

/* No request of this vbd is on the disk: its memory may be reused. */
bool blkback_idle(const struct blkback *vbd);

/* The ring broke (the frontend's producer ran beyond it): close the device. */
bool blkback_broken(const struct blkback *vbd);

#endif
