/*
 * The frame table entry: one per 4 KiB machine frame, as Xen's page_info.
 *
 * The frame allocator owns state, order and the free-list links; the PV
 * memory code (common/page_type.c) owns owner, type_info, reference_count
 * and flags once a frame has been allocated.  The entry is kept small because the table costs
 * sizeof(struct frame) bytes for every 4 KiB of RAM.
 */
#ifndef PVMON_FRAME_H
#define PVMON_FRAME_H

#include <stdint.h>

enum frame_state {
    FRAME_RESERVED = 0, /* not RAM, firmware, or not yet handed to the allocator: never allocated */
    FRAME_FREE,
    FRAME_HYPERVISOR,
    FRAME_DOMAIN,
};

/* The end of a free list: no frame. */
#define FRAME_NONE UINT32_MAX

/* flags: a frame pvmon zeroed and the guest has had no way to write since
 * (no writable or table type taken; pvmon/page_type.h).  Guests ask for
 * this through pvmon's memory extension to skip clearing pages twice. */
#define FRAME_FLAG_KNOWN_ZERO 0x01
/* A hypervisor page the owner may map (shared_info): not part of the
 * domain's reservation, so the guest cannot give it back. */
#define FRAME_FLAG_HYPERVISOR_PAGE 0x02

struct frame {
    uint32_t next_free;       /* free-list link (frame number), valid on a free block's first frame */
    uint32_t previous_free;
    uint32_t type_info;       /* page type, type count, validated, pinned (pvmon/page_type.h) */
    uint32_t reference_count; /* general references and the allocation's (pvmon/page_type.h) */
    uint16_t owner;           /* domain id while FRAME_DOMAIN */
    uint8_t state;            /* enum frame_state */
    uint8_t order;            /* on a free block's first frame: log2 of its size in frames */
    uint8_t flags;            /* FRAME_FLAG_* */
    /* In the padding, so the entry stays 24 bytes; the two never live at
     * once, as in Xen's page_info (pvmon/page_type.h):
     *   tlb_flush_stamp  while the type count is 0: the low 16 bits of the
     *                    TLB flush clock when it last dropped to 0 (Xen's
     *                    tlbflush_timestamp);
     *   linear_count     while it is non-zero: how many read-only linear
     *                    entries of this table point at other tables of its
     *                    level (> 0), or how many such entries point at it
     *                    (< 0), never both (Xen's linear_pt_count). */
    union {
        uint16_t tlb_flush_stamp;
        int16_t linear_count;
    };
};

_Static_assert(sizeof(struct frame) == 24, "the frame table costs 24 bytes per 4 KiB frame");

#endif
