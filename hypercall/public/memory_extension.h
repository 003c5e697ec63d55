/*
 * pvmon's memory extension: pre-zeroed pages, and the counters that make
 * PV memory costs measurable.
 *
 * Why: a guest must hand zero-filled pages to its processes, and the
 * hypervisor must zero every frame before it moves from one domain to
 * another (no information may leak between domains).  Done naively the
 * same page is zeroed twice (Disco's problem).  pvmon zeroes freed frames
 * when the CPU would otherwise be idle, keeps them in a pool, and tells a
 * guest which of its frames are still exactly as pvmon zeroed them, so
 * that the guest skips clearing those itself.
 *
 * The guarantees, valid for every domain whether or not it uses this
 * hypercall:
 *   - Every frame pvmon gives a domain (domain memory at creation,
 *     XENMEM_populate_physmap, XENMEM_increase_reservation) is zero.  It
 *     comes from the pre-zeroed pool when the pool has one, and is zeroed
 *     on the spot otherwise.
 *   - A frame is "known zero" from that moment until the guest could first
 *     have written it: until it is first given a writable mapping, used as
 *     a page table or descriptor page, or written by the hypervisor on the
 *     guest's behalf.  MMUEXT_CLEAR_PAGE makes a frame known zero again
 *     when nothing maps it writable.
 *   - Frames a domain gives back (XENMEM_decrease_reservation, or when it
 *     is destroyed) are zeroed before any domain sees them again.
 *
 * Hypercall number 57 (after domain_control, 56), two arguments: a command
 * and a pointer to its structure.  Any domain may call it about its own
 * frames and counters; the machine-wide statistics are the privileged
 * domain's alone (-EPERM to any other, as Xen answers an unprivileged
 * guest's sysctl: free memory and other domains' activity are a side
 * channel).  -EFAULT for an unreadable or unwritable structure or list,
 * -ENOSYS for an unknown command.
 *
 *   PVMON_MEMORY_query_known_zero   in: frames (machine frame numbers the
 *                                   caller owns), count (at most
 *                                   PVMON_KNOWN_ZERO_QUERY_LIMIT)
 *                                   out: bitmap (bit i of byte i/8 set if
 *                                   frames[i] is known zero), known_zero
 *       A frame the caller does not own is reported as not known zero.
 *       -EINVAL for a count above the limit or a non-zero known_zero on
 *       entry.
 *   PVMON_MEMORY_statistics         out: struct pvmon_memory_statistics
 *       Machine-wide counters since boot, for benchmarks and tests; the
 *       privileged domain only (-EPERM otherwise, nothing written).
 *   PVMON_MEMORY_domain_statistics  out: struct pvmon_domain_memory_statistics
 *       The caller's own counters since it was created (work counted
 *       while it ran, on its behalf).
 *   Both structures grow only at their end and are written whole: the
 *   size is not negotiated, so every reader is built from this header
 *   (tools/compare/workload/lmb.c mirrors it field for field).
 */
#ifndef PVMON_PUBLIC_MEMORY_EXTENSION_H
#define PVMON_PUBLIC_MEMORY_EXTENSION_H

#include <stdint.h>

#define __PVMON_HYPERVISOR_memory_extension 57

#define PVMON_MEMORY_query_known_zero 0
#define PVMON_MEMORY_statistics 1
#define PVMON_MEMORY_domain_statistics 2

#define PVMON_KNOWN_ZERO_QUERY_LIMIT 4096

struct pvmon_known_zero_query {
    uint64_t frames;      /* IN: guest address of count uint64_t machine frame numbers */
    uint64_t bitmap;      /* IN: guest address of (count + 7) / 8 bytes, written */
    uint32_t count;       /* IN */
    uint32_t known_zero;  /* OUT: how many bits were set */
};

struct pvmon_memory_statistics {
    uint64_t free_frames;               /* in the allocator, not counting the pool */
    uint64_t zeroed_pool_frames;        /* zeroed, waiting to be handed out */
    uint64_t dirty_frames;              /* given back, waiting to be zeroed */
    uint64_t frames_zeroed_while_idle;
    uint64_t frames_zeroed_on_demand;   /* zeroed at allocation: the pool was empty */
    uint64_t prezeroed_frames_handed_out;
    uint64_t hypercalls;
    uint64_t page_table_updates;        /* entries written by mmu_update and update_va_mapping */
    uint64_t page_table_writes_emulated; /* trapped guest writes to its L1 tables */
    uint64_t tlb_flushes;               /* full flushes (CR3 reloads) on a guest's behalf */
    uint64_t page_faults_to_guests;     /* #PF bounced to guest kernels */
    /* Appended: the hot work's counters. */
    uint64_t entries_validated;         /* present page-table entries referenced as their table was validated */
    uint64_t entries_devalidated;       /* present page-table entries released as their table was devalidated */
    uint64_t references_taken;          /* general references taken on frames */
    uint64_t iret_hypercalls;           /* HYPERVISOR_iret, not counted in hypercalls */
    uint64_t exceptions_bounced;        /* exceptions and int $n bounced to a guest kernel, #PF included */
    uint64_t syscalls_bounced;          /* guest-user SYSCALLs bounced to a guest kernel */
    uint64_t events_bounced;            /* event upcalls bounced to a guest kernel */
    uint64_t tlb_flushes_requested;     /* of tlb_flushes: asked for (mmuext_op, update_va_mapping) */
    uint64_t tlb_flushes_grant_unmap;   /* of tlb_flushes: a grant operation removed host mappings */
    uint64_t tlb_flushes_type_change;   /* of tlb_flushes: a frame changed type while still cached */
    uint64_t tlb_flushes_scrub;         /* of tlb_flushes: before zeroing frames given back */
};

struct pvmon_domain_memory_statistics {
    uint64_t pages;                     /* current_reservation: frames it owns until freed */
    uint64_t maximum_pages;             /* maximum_reservation */
    uint64_t frames_received;           /* frames added to its reservation since it was created */
    uint64_t frames_freed;              /* of those, freed since (last reference gone) */
    uint64_t hypercalls;                /* made by it */
    uint64_t page_table_updates;        /* entries it wrote by mmu_update and update_va_mapping */
    uint64_t page_table_writes_emulated; /* its trapped writes to its L1 tables */
    uint64_t tlb_flushes;               /* full flushes while it ran, on its behalf */
    uint64_t page_faults_to_guests;     /* #PF bounced to its kernel */
    uint64_t frames_zeroed_on_demand;   /* of its frames received, zeroed at allocation */
    uint64_t prezeroed_frames_received; /* of its frames received, from the pre-zeroed pool */
    /* Appended: the hot work's counters, as above but its own. */
    uint64_t entries_validated;         /* present page-table entries referenced as their table was validated */
    uint64_t entries_devalidated;       /* present page-table entries released as their table was devalidated */
    uint64_t references_taken;          /* general references taken on frames */
    uint64_t iret_hypercalls;           /* HYPERVISOR_iret, not counted in hypercalls */
    uint64_t exceptions_bounced;        /* exceptions and int $n bounced to its kernel, #PF included */
    uint64_t syscalls_bounced;          /* guest-user SYSCALLs bounced to its kernel */
    uint64_t events_bounced;            /* event upcalls bounced to its kernel */
    uint64_t tlb_flushes_requested;     /* of tlb_flushes: asked for (mmuext_op, update_va_mapping) */
    uint64_t tlb_flushes_grant_unmap;   /* of tlb_flushes: a grant operation removed host mappings */
    uint64_t tlb_flushes_type_change;   /* of tlb_flushes: a frame changed type while still cached */
    uint64_t tlb_flushes_scrub;         /* of tlb_flushes: before zeroing frames given back */
};

/*
 * Appended: free page reporting (docs/memory-extension.md), as Linux's
 * mm/page_reporting.c gives free pages back to its host in batches.
 *
 *   PVMON_MEMORY_give_back_free     in: frames (machine frame numbers the
 *                                   caller holds), count (at most
 *                                   PVMON_GIVE_BACK_LIMIT)
 *                                   out: given_back
 *       The frames leave the caller at once, in order: its
 *       current_reservation drops by one for each, and pvmon zeroes them
 *       when its CPU would otherwise be idle, into the pool that
 *       XENMEM_populate_physmap and XENMEM_increase_reservation hand out
 *       first (known zero).  Stricter than XENMEM_decrease_reservation: a
 *       frame is taken only if nothing but its allocation references it
 *       (no mapping, type, pin, GDT/LDT or CR3 use; Xen's steal_page), so
 *       a given-back frame never stays reachable in the giver.  Returns 0
 *       when every frame was given back, otherwise -EINVAL for the first
 *       frame refused (not held, still referenced, the hypervisor's),
 *       which stops the call; given_back says how many went before it.
 *       -EINVAL for a count above the limit or a non-zero given_back on
 *       entry, -EFAULT for an unreadable list or structure.  The work is
 *       bounded by the limit (no continuation).
 */
#define PVMON_MEMORY_give_back_free 3

#define PVMON_GIVE_BACK_LIMIT 512

struct pvmon_free_frames {
    uint64_t frames;      /* IN: guest address of count uint64_t machine frame numbers */
    uint32_t count;       /* IN */
    uint32_t given_back;  /* OUT: how many frames, from the first, were given back */
};

#endif
