/*
 * The frames domains hold (kernel/domain_memory.c): the hypervisor's
 * struct page_memory for the page-type rules, zeroed frames for domains,
 * the pre-zeroed pool kept full by the idle loop, and the counters of
 * pvmon's memory extension.
 */
#ifndef PVMON_DOMAIN_MEMORY_H
#define PVMON_DOMAIN_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/page_type.h>
#include <public/memory_extension.h>

enum domain_memory_event {
    DOMAIN_MEMORY_PAGE_TABLE_UPDATE,
    DOMAIN_MEMORY_PAGE_TABLE_WRITE_EMULATED,
    DOMAIN_MEMORY_PAGE_FAULT_TO_GUEST,
    DOMAIN_MEMORY_IRET,
    DOMAIN_MEMORY_EXCEPTION_BOUNCED,
    DOMAIN_MEMORY_SYSCALL_BOUNCED,
    DOMAIN_MEMORY_EVENT_BOUNCED,
};

/* Why a full TLB flush was needed (the memory extension's counters). */
enum tlb_flush_reason {
    TLB_FLUSH_REQUESTED,      /* by the guest: mmuext_op, update_va_mapping */
    TLB_FLUSH_GRANT_UNMAP,    /* a grant operation removed host mappings */
    TLB_FLUSH_TYPE_CHANGE,    /* page_type.c: a frame changed type while cached */
    TLB_FLUSH_SCRUB,          /* released frames are about to be zeroed */
};

void domain_memory_init(void);
const struct page_memory *domain_page_memory(void);

/* A zeroed frame, assigned to owner and marked known-zero; -XEN_ENOMEM. */
int domain_memory_take_frame(uint16_t owner, uint64_t *frame);

/* The owner gives back a free frame (PVMON_MEMORY_give_back_free): only a
 * frame it holds with no reference but its allocation (no mapping, no
 * type, no pin, not the hypervisor's), which then goes to the dirty list
 * at once and leaves the owner's page_count; -XEN_EINVAL otherwise (Xen's
 * steal_page). */
int domain_memory_give_back_unreferenced(uint16_t owner, uint64_t frame);

/* 2^order frames for the hypervisor's own use, from the allocator, after
 * handing it pooled and dirty frames until it has a block that large;
 * -XEN_ENOMEM.  Free them with frame_allocator_free.  The _step form
 * hands back one batch at most and answers -XEN_ERESTART if that was not
 * yet enough, for a hypercall to continue. */
int hypervisor_allocate_frames(unsigned int order, uint64_t *first_frame);
int hypervisor_allocate_frames_step(unsigned int order, uint64_t *first_frame);

/* The idle loop's work: zero a few dirty frames or top up the pool.
 * Whether there was anything to do. */
bool domain_memory_scrub_some(void);

/* A full TLB flush on a guest's behalf, counted with its reason. */
void domain_memory_flush_tlb(enum tlb_flush_reason reason);

void domain_memory_count_hypercall(void);
void domain_memory_count(enum domain_memory_event event);
void domain_memory_statistics(struct pvmon_memory_statistics *out);

#endif
