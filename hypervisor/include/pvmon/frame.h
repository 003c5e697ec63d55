/*
 * The frame table entry: one per 4 KiB machine frame, as Xen's page_info.
 *
 * The frame allocator owns state, order and the free-list links; the PV
 * memory code (common/page_type.c) owns owner, type_info, reference_count,
 * flags and the page-table fields (validated_entries, linear_count,
 * tlb_flush_stamp) once a frame has been assigned to a domain.  The entry
 * is kept small because the table costs sizeof(struct frame) bytes for
 * every 4 KiB of RAM.
 *
 * Which field is valid when.  The free-list links and the page-table
 * fields share their 8 bytes, keyed on state (as Xen's page_info keys its
 * unions on the page's state):
 *   - next_free, previous_free: on a frame that is not FRAME_DOMAIN: the
 *     first frame of a free block (FRAME_FREE, common/frame_allocator.c),
 *     or a FRAME_HYPERVISOR frame on the dirty list or the zeroed pool
 *     (kernel/domain_memory.c, next_free only);
 *   - validated_entries, linear_count, tlb_flush_stamp: on a FRAME_DOMAIN
 *     frame only.
 * The lifetimes cannot overlap: a frame becomes FRAME_DOMAIN only through
 * page_assign, which initializes the page-table fields after the frame
 * left its list (list_pop, or an allocation, which ends the links'
 * validity); it stops being FRAME_DOMAIN only through the release hook,
 * called when its last general reference is gone, after which
 * common/page_type.c never touches the frame again (every partial state
 * and pending release holds a general reference), and only then may the
 * frame be pushed on a list.  The three page-table fields are separate
 * (their lifetimes do overlap, pvmon/page_type.h):
 *   validated_entries  meaningful while the table is partial, or being
 *                      validated or devalidated within one call (type
 *                      L2-L4, count 1, not validated): entries below it
 *                      hold their references (Xen's nr_validated_ptes);
 *   linear_count       while the frame is a table with a non-zero type
 *                      count, validated or partial (0 otherwise): how many
 *                      read-only linear entries of this table point at
 *                      other tables of its level (> 0), or how many such
 *                      entries point at it (< 0), never both (Xen's
 *                      linear_pt_count); a partial table can only be > 0;
 *   tlb_flush_stamp    while the type count is 0 and the type is not none:
 *                      the low 16 bits of the TLB flush clock when the count
 *                      last dropped to 0 (Xen's tlbflush_timestamp).
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
/* A partially validated page table (pvmon/page_type.h): its entry at
 * validated_entries holds a general reference on a table of the next
 * level (or of its own, for a linear entry stopped while its target was
 * devalidated), and may continue or tear down that table's partial state
 * (Xen's partial_flags PTF_partial_set). */
#define FRAME_FLAG_PARTIAL_ENTRY 0x04

struct frame {
    union {
        struct {                    /* not FRAME_DOMAIN (see above) */
            uint32_t next_free;     /* list link (frame number), valid on a free block's first frame */
            uint32_t previous_free; /* free lists only */
        };
        struct {                    /* FRAME_DOMAIN (see above; pvmon/page_type.h) */
            uint16_t validated_entries;
            int16_t linear_count;
            uint16_t tlb_flush_stamp;
        };
    };
    uint32_t type_info;       /* page type, type count, validated, pinned (pvmon/page_type.h) */
    uint32_t reference_count; /* general references and the allocation's (pvmon/page_type.h) */
    uint16_t owner;           /* domain id while FRAME_DOMAIN */
    uint8_t state;            /* enum frame_state */
    uint8_t order;            /* on a free block's first frame: log2 of its size in frames */
    uint8_t flags;            /* FRAME_FLAG_* */
};

_Static_assert(sizeof(struct frame) == 24, "the frame table costs 24 bytes per 4 KiB frame");

#endif
