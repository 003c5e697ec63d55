/*
 * The frames domains hold: handing them out zeroed, taking them back, and
 * the pool of frames pvmon zeroes ahead of time (pvmon's memory extension,
 * hypercall/public/memory_extension.h).
 *
 * Where a frame is, and the rule that keeps domains from reading each
 * other's data:
 *   - owned by a domain (FRAME_DOMAIN): the page-type rules of
 *     common/page_type.c apply, through the struct page_memory made here;
 *   - dirty: its last reference went (page_type's release); it may hold a
 *     domain's data and a stale translation of it may still sit in the
 *     TLB.  It is never handed out before it is zeroed, and never zeroed
 *     before the TLB is flushed;
 *   - in the zeroed pool: zeroed while the CPU had nothing else to do
 *     (domain_memory_scrub_some, called by the idle loop);
 *   - free in the buddy allocator: contents unknown (firmware, boot data,
 *     or zeroed frames beyond the pool's target); never a domain's data,
 *     because domain frames reach the allocator only through the dirty
 *     list and the scrubber.
 * A domain gets a frame from the pool if it can (nothing to zero on the
 * fast path), otherwise from the allocator or the dirty list, zeroed on the
 * spot.  Either way it is zero and marked known-zero.
 *
 * The hypervisor's own allocations (hypervisor_allocate_frames) come from
 * the allocator; when it has no block large enough, the pool and the
 * dirty list are returned to it RECLAIM_BATCH frames at a time (the dirty
 * frames zeroed) until it has, so that frames freed by domains are never
 * lost to the hypervisor; a hypercall that can continue takes one batch
 * per step (hypervisor_allocate_frames_step).
 *
 * The dirty list and the pool are singly linked through the frames'
 * next_free field (free only while the frame is FRAME_FREE otherwise).
 */
#include <pvmon/arch.h>
#include <pvmon/device_access.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/string.h>

/* How many frames the idle loop keeps zeroed ahead, at most; the rest of
 * the scrubbed frames go back to the allocator for everyone. */
#define ZEROED_POOL_TARGET 8192
/* Frames the idle loop zeroes before it looks for runnable work again. */
#define SCRUB_BATCH 16
/* Frames handed back to the allocator at a time when the hypervisor
 * needs a block it has not got: the pool's first, then dirty ones. */
#define RECLAIM_BATCH 256

struct frame_list {
    uint32_t head;
    uint64_t count;
};

static struct page_memory page_memory;
static struct frame_list dirty_frames = { .head = FRAME_NONE };
static struct frame_list zeroed_pool = { .head = FRAME_NONE };
static bool released_since_flush;
static struct pvmon_memory_statistics statistics;

static struct frame *frame_table(void)
{
    return machine_frame_allocator()->frames;
}

static void list_push(struct frame_list *list, uint64_t frame)
{
    frame_table()[frame].next_free = list->head;
    list->head = (uint32_t)frame;
    list->count++;
}

static uint64_t list_pop(struct frame_list *list)
{
    uint64_t frame = list->head;

    list->head = frame_table()[frame].next_free;
    frame_table()[frame].next_free = FRAME_NONE;
    list->count--;
    return frame;
}

static uint64_t *frame_contents(const struct page_memory *memory, uint64_t frame)
{
    (void)memory;
    return physical_to_virtual(frame * PAGE_SIZE);
}

/* page_type's release: the frame's last reference is gone. */
static void release_frame(const struct page_memory *memory, uint64_t frame)
{
    struct frame *entry = &memory->frames[frame];

    if (!(entry->flags & FRAME_FLAG_HYPERVISOR_PAGE))
        domain_reservation_frame_freed(entry->owner);
    entry->state = FRAME_HYPERVISOR;
    entry->owner = 0;
    entry->type_info = 0;
    entry->flags = 0;
    machine_to_physical_clear(frame);
    list_push(&dirty_frames, frame);
    released_since_flush = true;
}

/* Between two units of page-table validation or devalidation
 * (pvmon/page_type.h): stop when a hypercall would stop
 * (kernel/hypercall_continuation.c); the caller continues the work later,
 * as a continuation or at the next step of a teardown.  A walk asks before
 * every entry, and most entries of an L4 or L3 are empty, so the check
 * itself (a TSC read and its scaling) is made at every
 * VALIDATION_QUESTIONS_PER_CHECK-th question only: asking at every entry
 * cost Linux's fork+exec a quarter more instructions.  Between two checks
 * lie at most that many units, each at most one L1: still a constant. */
#define VALIDATION_QUESTIONS_PER_CHECK 32

static unsigned int questions_since_check;

static bool page_validation_preempt_requested(const struct page_memory *memory)
{
    (void)memory;
    if (++questions_since_check < VALIDATION_QUESTIONS_PER_CHECK)
        return false;
    questions_since_check = 0;
    return hypercall_preempt_check();
}

/* count questions at once, for a run of empty entries a walk skips: the
 * one that reaches VALIDATION_QUESTIONS_PER_CHECK checks. */
static unsigned int page_validation_preempt_requested_among(const struct page_memory *memory, unsigned int count)
{
    unsigned int until_check = VALIDATION_QUESTIONS_PER_CHECK - questions_since_check;

    (void)memory;
    if (count < until_check) {
        questions_since_check += count;
        return count;
    }
    questions_since_check = 0;
    return hypercall_preempt_check() ? until_check - 1 : count;
}

/* The owner's pending release lives in its vCPU (Xen's old_guest_table). */
static struct page_pending_release *owner_pending_release(const struct page_memory *memory, uint16_t owner)
{
    struct domain *domain = domain_find(owner);

    (void)memory;
    return domain == NULL ? NULL : &domain->vcpu.pending_page_release;
}

static void flush_tlb_now(const struct page_memory *memory)
{
    (void)memory;
    domain_memory_flush_tlb(TLB_FLUSH_TYPE_CHANGE);
}

/* The running domain's own counters (the memory extension's
 * domain_statistics), or a sink when no guest runs. */
static struct pvmon_domain_memory_statistics *running_domain_counters(void)
{
    static struct pvmon_domain_memory_statistics no_domain;
    struct vcpu *vcpu = current_vcpu();

    return vcpu != NULL ? &vcpu->domain->counters : &no_domain;
}

static uint32_t tlb_flush_clock(const struct page_memory *memory)
{
    (void)memory;
    return paging_full_flush_count();
}

/* The counter of reason in either structure (they share the field names). */
#define TLB_FLUSH_COUNTER(counters, reason)                                                      \
    ((reason) == TLB_FLUSH_REQUESTED     ? &(counters)->tlb_flushes_requested                   \
     : (reason) == TLB_FLUSH_GRANT_UNMAP ? &(counters)->tlb_flushes_grant_unmap                 \
     : (reason) == TLB_FLUSH_TYPE_CHANGE ? &(counters)->tlb_flushes_type_change                 \
                                         : &(counters)->tlb_flushes_scrub)

void domain_memory_flush_tlb(enum tlb_flush_reason reason)
{
    struct pvmon_domain_memory_statistics *own = running_domain_counters();

    paging_flush_all();
    statistics.tlb_flushes++;
    own->tlb_flushes++;
    (*TLB_FLUSH_COUNTER(&statistics, reason))++;
    (*TLB_FLUSH_COUNTER(own, reason))++;
    released_since_flush = false;
}

/* page_type.c's work, counted like the events below. */
static void count_page_type_work(const struct page_memory *memory, enum page_type_work work, uint64_t amount)
{
    struct pvmon_domain_memory_statistics *own = running_domain_counters();

    (void)memory;
    switch (work) {
    case PAGE_TYPE_WORK_ENTRIES_VALIDATED:
        statistics.entries_validated += amount;
        own->entries_validated += amount;
        break;
    case PAGE_TYPE_WORK_ENTRIES_DEVALIDATED:
        statistics.entries_devalidated += amount;
        own->entries_devalidated += amount;
        break;
    case PAGE_TYPE_WORK_REFERENCES_TAKEN:
        statistics.references_taken += amount;
        own->references_taken += amount;
        break;
    }
}

static const struct io_memory *domain_io_memory(const struct page_memory *memory, uint16_t domain)
{
    (void)memory;
    return device_access_io_memory(domain);
}

void domain_memory_init(void)
{
    page_memory = (struct page_memory) {
        .frames = frame_table(),
        .frame_count = machine_frame_allocator()->frame_count,
        .table = frame_contents,
        .hypervisor_l4_entries = paging_hypervisor_l4_entries(),
        .release = release_frame,
        .request_tlb_flush = flush_tlb_now,
        .preempt_requested = page_validation_preempt_requested,
        .preempt_requested_among = page_validation_preempt_requested_among,
        .pending_release = owner_pending_release,
        .tlb_flush_clock = tlb_flush_clock,
        .io_memory_of = domain_io_memory,
        .count = count_page_type_work,
    };
}

const struct page_memory *domain_page_memory(void)
{
    return &page_memory;
}

/* A dirty frame may still be reachable through a stale translation: the
 * TLB is flushed once after the last release before any is zeroed. */
static uint64_t take_dirty_frame(void)
{
    if (released_since_flush)
        domain_memory_flush_tlb(TLB_FLUSH_SCRUB);
    return list_pop(&dirty_frames);
}

static int take_frame_to_zero(uint64_t *frame)
{
    if (frame_allocator_allocate(machine_frame_allocator(), 0, frame) == 0)
        return 0;
    if (dirty_frames.count == 0)
        return -XEN_ENOMEM;
    *frame = take_dirty_frame();
    return 0;
}

/* The counters of the domain a frame goes to, or a sink while it is being
 * created (shared_info comes before the domain can be found). */
static struct pvmon_domain_memory_statistics *owner_counters(uint16_t owner)
{
    static struct pvmon_domain_memory_statistics no_domain;
    struct domain *domain = domain_find(owner);

    return domain != NULL ? &domain->counters : &no_domain;
}

int domain_memory_take_frame(uint16_t owner, uint64_t *frame)
{
    if (zeroed_pool.count > 0) {
        *frame = list_pop(&zeroed_pool);
        statistics.prezeroed_frames_handed_out++;
        owner_counters(owner)->prezeroed_frames_received++;
    } else {
        if (take_frame_to_zero(frame) != 0)
            return -XEN_ENOMEM;
        page_zero(physical_to_virtual(*frame * PAGE_SIZE));
        statistics.frames_zeroed_on_demand++;
        owner_counters(owner)->frames_zeroed_on_demand++;
    }
    page_assign(&page_memory, *frame, owner, true);
    return 0;
}

/* Xen's steal_page: the frame must be the owner's, allocated, with a
 * reference count of exactly the allocation's, so that nothing maps,
 * types, pins or holds it; the page_type rules then free it at once. */
int domain_memory_give_back_unreferenced(uint16_t owner, uint64_t frame)
{
    const struct frame *entry;

    if (frame >= page_memory.frame_count)
        return -XEN_EINVAL;
    entry = &page_memory.frames[frame];
    if (entry->state != FRAME_DOMAIN || entry->owner != owner ||
        (entry->flags & FRAME_FLAG_HYPERVISOR_PAGE) || entry->reference_count != (PAGE_REFERENCE_ALLOCATED | 1) ||
        (entry->type_info & PAGE_TYPE_COUNT_MASK) != 0)
        return -XEN_EINVAL;
    BUG_ON(page_give_back(&page_memory, frame, owner) != 0);
    return 0;
}

static void scrub_one_dirty_frame(void)
{
    uint64_t frame = take_dirty_frame();

    page_zero(physical_to_virtual(frame * PAGE_SIZE));
    statistics.frames_zeroed_while_idle++;
    if (zeroed_pool.count < ZEROED_POOL_TARGET)
        list_push(&zeroed_pool, frame);
    else
        BUG_ON(frame_allocator_free(machine_frame_allocator(), frame, 0) != 0);
}

static bool refill_pool_from_allocator(void)
{
    uint64_t frame;

    if (frame_allocator_allocate(machine_frame_allocator(), 0, &frame) != 0)
        return false;
    page_zero(physical_to_virtual(frame * PAGE_SIZE));
    statistics.frames_zeroed_while_idle++;
    list_push(&zeroed_pool, frame);
    return true;
}

/* Up to RECLAIM_BATCH frames zeroed or waiting to be zeroed go back to the
 * allocator, where they can coalesce into the larger blocks the
 * hypervisor itself needs; false if there were none. */
static bool return_some_to_allocator(void)
{
    unsigned int returned = 0;

    while (returned < RECLAIM_BATCH && zeroed_pool.count > 0) {
        BUG_ON(frame_allocator_free(machine_frame_allocator(), list_pop(&zeroed_pool), 0) != 0);
        returned++;
    }
    while (returned < RECLAIM_BATCH && dirty_frames.count > 0) {
        uint64_t frame = take_dirty_frame();

        page_zero(physical_to_virtual(frame * PAGE_SIZE));
        statistics.frames_zeroed_on_demand++;
        BUG_ON(frame_allocator_free(machine_frame_allocator(), frame, 0) != 0);
        returned++;
    }
    return returned > 0;
}

int hypervisor_allocate_frames_step(unsigned int order, uint64_t *first_frame)
{
    if (frame_allocator_allocate(machine_frame_allocator(), order, first_frame) == 0)
        return 0;
    if (!return_some_to_allocator())
        return -XEN_ENOMEM;
    return frame_allocator_allocate(machine_frame_allocator(), order, first_frame) == 0 ? 0 : -XEN_ERESTART;
}

int hypervisor_allocate_frames(unsigned int order, uint64_t *first_frame)
{
    int error;

    do
        error = hypervisor_allocate_frames_step(order, first_frame);
    while (error == -XEN_ERESTART);
    return error;
}

bool domain_memory_scrub_some(void)
{
    unsigned int done = 0;

    while (done < SCRUB_BATCH && dirty_frames.count > 0) {
        scrub_one_dirty_frame();
        done++;
    }
    while (done < SCRUB_BATCH && zeroed_pool.count < ZEROED_POOL_TARGET && refill_pool_from_allocator())
        done++;
    return done > 0;
}

void domain_memory_count_hypercall(void)
{
    statistics.hypercalls++;
    running_domain_counters()->hypercalls++;
}

void domain_memory_count(enum domain_memory_event event)
{
    switch (event) {
    case DOMAIN_MEMORY_PAGE_TABLE_UPDATE:
        statistics.page_table_updates++;
        running_domain_counters()->page_table_updates++;
        break;
    case DOMAIN_MEMORY_PAGE_TABLE_WRITE_EMULATED:
        statistics.page_table_writes_emulated++;
        running_domain_counters()->page_table_writes_emulated++;
        break;
    case DOMAIN_MEMORY_PAGE_FAULT_TO_GUEST:
        statistics.page_faults_to_guests++;
        running_domain_counters()->page_faults_to_guests++;
        break;
    case DOMAIN_MEMORY_IRET:
        statistics.iret_hypercalls++;
        running_domain_counters()->iret_hypercalls++;
        break;
    case DOMAIN_MEMORY_EXCEPTION_BOUNCED:
        statistics.exceptions_bounced++;
        running_domain_counters()->exceptions_bounced++;
        break;
    case DOMAIN_MEMORY_SYSCALL_BOUNCED:
        statistics.syscalls_bounced++;
        running_domain_counters()->syscalls_bounced++;
        break;
    case DOMAIN_MEMORY_EVENT_BOUNCED:
        statistics.events_bounced++;
        running_domain_counters()->events_bounced++;
        break;
    }
}

void domain_memory_statistics(struct pvmon_memory_statistics *out)
{
    *out = statistics;
    out->free_frames = frame_allocator_free_count(machine_frame_allocator());
    out->zeroed_pool_frames = zeroed_pool.count;
    out->dirty_frames = dirty_frames.count;
}
