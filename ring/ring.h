/*
 * Shared rings: both ends of a Xen I/O ring (xen/io/ring.h), for any
 * protocol whose shared page is a DEFINE_RING_TYPES ring (blkif, netif tx
 * and rx, ...), given its entry size.  Layout-compatible with Xen's: the
 * page starts with req_prod, req_event, rsp_prod, rsp_event (16 bytes), 48
 * bytes of padding, then the entries, as many as fit rounded down to a
 * power of two (32 blkif entries of 112 bytes in a 4 KiB page).
 *
 * The rules it keeps (Xen io/ring.h; Linux blkback.c __do_block_io_op):
 *   - Indices are free-running 32-bit counters (RING_IDX) that wrap at
 *     2^32; an entry's slot is index & (size - 1).  Every comparison is a
 *     difference of indices, never an ordering of them.
 *   - The other end's producer index is read once per look (a single
 *     load, then a read barrier: entries are read only after it), and
 *     checked before anything is consumed: a backend refuses a request
 *     producer more than a ring ahead of its own response producer
 *     (Xen's RING_REQUEST_PROD_OVERFLOW) or behind its own consumer (a
 *     producer never moves back); a frontend refuses a response producer
 *     beyond the requests it has made.  Either breaks the ring for good
 *     (`broken`): nothing is read from it or written to it again, and the
 *     device is the caller's to stop.
 *   - Copy once (XSA-155): an entry is copied out of the shared page
 *     through a volatile pointer, every byte exactly once, before anyone
 *     looks at it; the caller checks and uses only its copy.
 *   - Publishing: entries are written, then a write barrier, then the
 *     producer index; then a full barrier and the other end is notified
 *     only if its event index lies among the entries just published:
 *     (new - event) < (new - old)  (notification hold-off).  old is the
 *     value this end last published, kept privately: the copy in the
 *     shared page is the other end's to scribble on.
 *   - Final check before sleeping: the consumer sets its event index to
 *     consumer + 1, a full barrier, and looks again, so that an entry
 *     published meanwhile is not left without a notification.
 *   - A backend answers only requests it took (never more responses than
 *     requests); a frontend never has more requests outstanding than the
 *     ring holds.
 *
 * Pure C (no hardware access): compiled into guests, dom0's backends and
 * the host unit tests.
 */
#ifndef RING_RING_H
#define RING_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/ring.h>

/* Where the entries start in every Xen shared ring page. */
#define RING_ENTRIES_OFFSET 64

/* The indices at the start of a shared ring page (DEFINE_RING_TYPES' sring). */
struct ring_shared {
    RING_IDX req_prod;
    RING_IDX req_event;
    RING_IDX rsp_prod;
    RING_IDX rsp_event;
    uint8_t pad[RING_ENTRIES_OFFSET - 4 * sizeof(RING_IDX)];
    uint8_t entries[];
};

/* The backend's end: takes requests, puts responses. */
struct ring_back {
    struct ring_shared *shared;
    size_t entry_size;
    RING_IDX size;
    RING_IDX req_cons;      /* next request to take */
    RING_IDX req_prod_seen; /* the frontend's producer as last read and accepted */
    RING_IDX rsp_prod_pvt;  /* next response slot; published by ring_back_push_responses */
    RING_IDX rsp_prod_published;
    bool broken;
};

/* The frontend's end: puts requests, takes responses. */
struct ring_front {
    struct ring_shared *shared;
    size_t entry_size;
    RING_IDX size;
    RING_IDX req_prod_pvt;  /* next request slot; published by ring_front_push_requests */
    RING_IDX req_prod_published;
    RING_IDX rsp_cons;      /* next response to take */
    RING_IDX rsp_prod_seen; /* the backend's producer as last read and accepted */
    bool broken;
};

/* Entries of entry_size that a ring of ring_bytes holds (Xen's __RING_SIZE); 0 if none fits. */
RING_IDX ring_entry_count(size_t ring_bytes, size_t entry_size);

/*
 * Attaches to a ring page the frontend initialised, both ends' indices
 * starting at index (0 for a fresh ring; Xen's BACK_RING_ATTACH).
 */
void ring_back_attach(struct ring_back *ring, void *page, size_t ring_bytes, size_t entry_size, RING_IDX index);

/*
 * Reads the frontend's request producer once and checks it.  Returns the
 * number of requests that can be taken now; 0 if none, or if the ring is
 * (or has just become) broken.
 */
RING_IDX ring_back_poll_requests(struct ring_back *ring);

/*
 * Copies the next request (entry_size bytes) into request and consumes
 * it.  false (nothing copied) if ring_back_poll_requests has not shown one
 * or the ring is broken.
 */
bool ring_back_take_request(struct ring_back *ring, void *request);

/*
 * Writes a response (size <= entry_size bytes) into the next response
 * slot, unpublished.  false if there is no taken request left to answer
 * or the ring is broken.
 */
bool ring_back_put_response(struct ring_back *ring, const void *response, size_t size);

/* Publishes the responses put so far; true if the frontend must be notified. */
bool ring_back_push_responses(struct ring_back *ring);

/*
 * Before the backend sleeps: true if requests are waiting (serve them
 * first); otherwise asks to be notified of the next one and looks again
 * (Xen's RING_FINAL_CHECK_FOR_REQUESTS).
 */
bool ring_back_final_check_for_requests(struct ring_back *ring);

/* Requests taken and not yet answered. */
RING_IDX ring_back_outstanding(const struct ring_back *ring);

/*
 * Initialises a fresh shared ring page (Xen's SHARED_RING_INIT: indices 0,
 * event indices 1) and attaches the frontend's end to it.
 */
void ring_front_init(struct ring_front *ring, void *page, size_t ring_bytes, size_t entry_size);

/* Attaches to a ring page in use, both ends' indices at index (Xen's FRONT_RING_ATTACH). */
void ring_front_attach(struct ring_front *ring, void *page, size_t ring_bytes, size_t entry_size, RING_IDX index);

/* Free request slots: the ring's size less the requests not yet answered. */
RING_IDX ring_front_free_requests(const struct ring_front *ring);

/* Writes a request (size <= entry_size bytes), unpublished; false if the ring is full or broken. */
bool ring_front_put_request(struct ring_front *ring, const void *request, size_t size);

/* Publishes the requests put so far; true if the backend must be notified. */
bool ring_front_push_requests(struct ring_front *ring);

/*
 * Reads the backend's response producer once and checks it.  Returns the
 * number of responses that can be taken now; 0 if none, or if the ring is
 * (or has just become) broken.
 */
RING_IDX ring_front_poll_responses(struct ring_front *ring);

/* Copies the next response (entry_size bytes) into response and consumes it; false if none was shown. */
bool ring_front_take_response(struct ring_front *ring, void *response);

/* Before the frontend sleeps (Xen's RING_FINAL_CHECK_FOR_RESPONSES). */
bool ring_front_final_check_for_responses(struct ring_front *ring);

#endif
