/*
 * The frame table entry: one per 4 KiB machine frame, as Xen's page_info.
 *
 * The frame allocator owns state, order and the free-list links; the PV
 * memory code owns owner, type_info and reference_count once a frame has
 * been allocated.  The entry is kept small because the table costs
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

/* What a domain's frame is used as (type_info); the full type and
 * reference-count rules come with the PV memory work.  The domain builder
 * marks the bootstrap page tables, so that the hypervisor never writes into
 * them on a guest's request; set_gdt marks its frames, so that the guest
 * cannot map them writable while they are its GDT. */
enum frame_type {
    FRAME_TYPE_NONE = 0,
    FRAME_TYPE_PAGE_TABLE,
    FRAME_TYPE_SEGMENT_DESCRIPTOR,
};

struct frame {
    uint32_t next_free;       /* free-list link (frame number), valid on a free block's first frame */
    uint32_t previous_free;
    uint16_t owner;           /* domain id while FRAME_DOMAIN */
    uint8_t state;            /* enum frame_state */
    uint8_t order;            /* on a free block's first frame: log2 of its size in frames */
    uint32_t type_info;       /* page type and type count: filled in by the PV memory work */
    uint32_t reference_count; /* likewise */
};

_Static_assert(sizeof(struct frame) == 20, "the frame table costs 20 bytes per 4 KiB frame");

#endif
