/*
 * blkif request validation (Xen io/blkif.h), the checks Linux 6.1's
 * blkback applies (blkback.c __do_block_io_op, dispatch_rw_block_io,
 * dispatch_other_io, xen_vbd_translate), done on the request's private
 * copy (ring.h copies it out of the shared page once; XSA-155).  Pure: the
 * decision only, nothing is touched.
 *
 * What is served and what is refused, in this order:
 *   - operation READ, WRITE or FLUSH_DISKCACHE is served.  WRITE_BARRIER,
 *     DISCARD and INDIRECT (this backend advertises neither
 *     feature-barrier, feature-discard nor feature-max-indirect-segments)
 *     and every other operation are answered BLKIF_RSP_EOPNOTSUPP, as
 *     blkback's dispatch_other_io; for INDIRECT the response carries the
 *     inner indirect_op, which is what blkfront compares it with.
 *   - READ and WRITE carry 1 to BLKIF_MAX_SEGMENTS_PER_REQUEST (11)
 *     segments, FLUSH_DISKCACHE none (Linux's blkfront sends only empty
 *     flushes when feature-flush-cache is on; Linux's blkback would also
 *     take a flush with data, which this backend does not advertise and
 *     refuses); otherwise BLKIF_RSP_ERROR.
 *   - each segment has first_sect <= last_sect <= 7 (inside its 4 KiB
 *     page); otherwise BLKIF_RSP_ERROR.
 *   - a WRITE or a FLUSH on a read-only vbd is BLKIF_RSP_ERROR.
 *   - the sectors [sector_number, sector_number + total) must lie inside
 *     the vbd, without wrapping; otherwise BLKIF_RSP_ERROR.
 * The response always echoes the request's id (at the same offset in
 * every layout) and its real operation (blkfront disables the disk on a
 * wrong one).
 */
#ifndef BACKEND_BLKIF_REQUEST_H
#define BACKEND_BLKIF_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/blkif.h>

#define BLKIF_SECTORS_PER_PAGE 8 /* 4096 / 512: blkif sectors are always 512 bytes */
#define BLKIF_SECTOR_SIZE 512

/* One ring entry's request, as copied out of the ring: any of blkif's layouts. */
union blkif_request_copy {
    struct blkif_request rw;
    struct blkif_request_discard discard;
    struct blkif_request_indirect indirect;
    union blkif_sring_entry entry;
};

/* What the backend knows of the vbd the request is for. */
struct blkif_vbd_limits {
    uint64_t sectors; /* 512-byte sectors */
    bool read_only;
};

enum blkif_action {
    BLKIF_ACTION_READ,
    BLKIF_ACTION_WRITE,
    BLKIF_ACTION_FLUSH,
    BLKIF_ACTION_REFUSE, /* answer at once with refusal_status */
};

/* A segment as the backend uses it: bytes [offset, offset + length) of the granted page. */
struct blkif_checked_segment {
    grant_ref_t gref;
    uint16_t offset;
    uint16_t length;
};

struct blkif_checked_request {
    enum blkif_action action;
    int16_t refusal_status;   /* BLKIF_RSP_ERROR or BLKIF_RSP_EOPNOTSUPP, for BLKIF_ACTION_REFUSE */
    uint64_t id;              /* echoed in the response */
    uint8_t operation;        /* echoed in the response: the real operation */
    uint64_t sector;          /* first 512-byte sector, vbd-relative */
    uint64_t sector_count;
    unsigned int segment_count;
    struct blkif_checked_segment segments[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* Decides what to do with a request; every field of *checked is set. */
void blkif_request_check(const union blkif_request_copy *request, const struct blkif_vbd_limits *vbd,
                         struct blkif_checked_request *checked);

/* The response to a checked request, with status (BLKIF_RSP_*). */
struct blkif_response blkif_response_for(const struct blkif_checked_request *checked, int16_t status);

#endif
