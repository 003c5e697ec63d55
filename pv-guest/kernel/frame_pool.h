/*
 * The kernel's frame allocator: every pseudo-physical page of the domain
 * beyond what the kernel's image and start-of-day region use, free or
 * allocated, and for each free page whether it is known to be zero.
 *
 * Known zero: pvmon hands every frame to a domain zeroed, and tells the
 * domain (its memory extension, hypercall/public/memory_extension.h)
 * which of its frames it has had no way to write since.  The pool learns
 * that once at boot, before it maps anything, and from then on keeps the
 * bit itself: a page is known zero until it is allocated, and again when
 * it comes back from the hypervisor through XENMEM_populate_physmap.
 *
 * A page asked for zeroed (demand-zero faults, page tables, the zero-filled
 * part of a program) is a known-zero one if there is one, handed out as it
 * is; otherwise the kernel clears a dirty one.  With prezeroed=off on the
 * command line the kernel ignores what it knows and clears every such
 * page (the benchmarks' baseline).  A page asked for as "any" (about to be
 * overwritten: fork's copies, a program's text) is a dirty one if there is
 * one, sparing the known-zero ones.
 *
 * Free page reporting (docs/memory-extension.md; Linux's mm/page_reporting.c
 * and virtio_balloon's report queue do the same for a KVM host): with
 * known-zero pages in use, free pages above FRAME_FREE_KEEP are given back
 * to pvmon FRAME_REPORT_BATCH at a time (PVMON_MEMORY_give_back_free), dirty
 * ones first, from a deferred context: frame_pool_give_back_free, which the kernel
 * calls after memory is unmapped, when a process exits and before it
 * idles, never in a page fault.  pvmon zeroes them when its CPU would
 * otherwise be idle.  An allocation that finds no known-zero page free
 * takes up to FRAME_POPULATE_BATCH given-back pseudo-physical frames back
 * (XENMEM_populate_physmap), which arrive zero, preferably from pvmon's
 * pre-zeroed pool, and are handed out without clearing.  With
 * prezeroed=off nothing is given back: every page is recycled and cleared
 * by the kernel.
 */
#ifndef PV_KERNEL_FRAME_POOL_H
#define PV_KERNEL_FRAME_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>

#define FRAME_REPORT_BATCH 256   /* pages given back per call, at most PVMON_GIVE_BACK_LIMIT */
#define FRAME_FREE_KEEP 512      /* free pages kept: the watermark */
#define FRAME_POPULATE_BATCH 64  /* given-back pages taken back per populate_physmap */

enum frame_need {
    FRAME_ZEROED,  /* the caller needs it zero-filled */
    FRAME_ANY,     /* the caller overwrites all of it */
    FRAME_ZEROED_USER, /* zero-filled, mapped in user space only: it may be
                          outside the direct map (frame_map_in_kernel) */
};

/* How an allocation was served. */
enum frame_origin {
    FRAME_WAS_KNOWN_ZERO,  /* handed out as pvmon zeroed it */
    FRAME_CLEARED,         /* the kernel cleared it */
    FRAME_AS_IT_WAS,       /* FRAME_ANY: not cleared */
};

struct frame_pool_statistics {
    uint64_t managed_pages;
    uint64_t free_known_zero;
    uint64_t free_dirty;
    uint64_t known_zero_at_boot;
    uint64_t known_zero_handed_out;   /* FRAME_ZEROED served without clearing */
    uint64_t cleared;                 /* FRAME_ZEROED served by clearing */
    uint64_t pages_absent;            /* given back to pvmon, not taken back yet */
    uint64_t give_back_batches;
    uint64_t pages_given_back;
    uint64_t give_back_refused;       /* pages pvmon would not take (kept, dirty) */
    uint64_t give_back_ns;            /* time spent giving back, PV system time */
    uint64_t populate_batches;
    uint64_t pages_populated;
    uint64_t populate_ns;             /* time spent taking pages back, PV system time */
    uint64_t mapped_in_kernel_later;  /* taken-back pages the kernel mapped after all */
};

/* Sets the pool up from start_info: the direct map is extended over the
 * whole domain first.  use_known_zero false is prezeroed=off. */
int frame_pool_init(const struct start_info *start_info, bool use_known_zero);

/* 0 with *pfn, or -XEN_ENOMEM.  *origin (may be NULL) says how it was served. */
int frame_allocate(enum frame_need need, uint64_t *pfn, enum frame_origin *origin);

/* count free pages with consecutive pseudo-physical numbers (so one run of
 * the direct map: memory larger than a page, e.g. a vbd's disk image),
 * not cleared: 0 with *first_pfn, or -XEN_ENOMEM if the pool has no such
 * run.  Each goes back with frame_free. */
int frame_allocate_contiguous(uint64_t count, uint64_t *first_pfn);

/* Maps a page taken back from pvmon and handed out as FRAME_ZEROED_USER
 * in the direct map, before the kernel reaches it there (a copy to or
 * from user space, fork's copy); nothing for a page already mapped. */
int frame_map_in_kernel(uint64_t pfn);

/* The page goes back to the pool, dirty. */
void frame_free(uint64_t pfn);

/* Gives free pages above FRAME_FREE_KEEP back to pvmon (see above),
 * from a deferred context; 0 or an error. */
int frame_pool_give_back_free(void);

bool frame_pool_uses_known_zero(void);
void frame_pool_get_statistics(struct frame_pool_statistics *statistics);

#endif
