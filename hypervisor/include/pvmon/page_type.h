/*
 * Page types and reference counts: the rules that keep a PV guest from
 * mapping memory it does not own, and from writing a page table or a
 * descriptor page behind the hypervisor's back (Xen's xen/arch/x86/mm.c:
 * get_page, get_page_type, alloc_lN_table, mod_lN_entry; brief section 4).
 *
 * Every frame a domain owns carries two counts in its struct frame:
 *
 *   reference_count  general references: one for the domain's allocation
 *                    (PAGE_REFERENCE_ALLOCATED, dropped when the guest
 *                    gives the frame back), one for every entry of a
 *                    validated page table that points at it, one for
 *                    every type reference, one for a pin.  When it
 *                    reaches 0 the frame leaves its owner (release).
 *   type_info        a type (none, writable, L1-L4, segment descriptor),
 *                    the number of type references to it, and the
 *                    validated, pinned and partial bits.
 *
 * The invariants, kept by every operation here:
 *   1. A frame has at most one type with a non-zero count.  Writable
 *      references come from writable L1 entries (and from hypervisor pages
 *      shared writable with the guest), so no frame is ever writable-mapped
 *      while it is a page table or a descriptor page.
 *   2. A type may change only while its count is 0.  Changing from one
 *      type in use to another (writable, any table level, descriptor page:
 *      e.g. an L2 unlinked and taken as an L1) asks for a TLB flush, which
 *      the hypervisor performs at once (before anything, even its own copy
 *      to a guest address later in the same multicall, could use a stale
 *      writable translation or a cached walk through a former table),
 *      unless a full flush has happened since the frame's type count last
 *      dropped to 0: Xen's tlbflush_timestamp filter.  The frame keeps the
 *      low 16 bits of the flush clock at that drop (tlb_flush_stamp,
 *      pvmon/frame.h), whatever the path: a plain type reference, the end
 *      of a devalidation done at once or in preempted steps, a partial
 *      table given up by a refusal.  A validation refused at its first
 *      step puts back the stamp from before: the table was never
 *      reachable.  The clock advances on every full flush, so a stamp
 *      equal to the clock means "no flush since" (a wrapped clock can only
 *      make an equal stamp, i.e. an extra flush, never a missed one).
 *   3. An L1-L4 type with a non-zero count is validated: every present
 *      entry has passed the entry rules below and holds its references
 *      (an L(n) entry holds a type reference of L(n-1) on its target; an L1
 *      entry a general reference, plus a writable type reference if RW;
 *      a linear entry, below, what it says there).
 *      When the count drops to 0 the table is devalidated: the references
 *      its entries held are dropped, which cascades down the tree.  The
 *      one exception is a partial L2-L4 (below): count 1, not validated.
 *   4. A guest references only frames it owns and has not given back;
 *      the exceptions are an L1 entry written through
 *      page_update_entry_foreign, which names a frame of the domain the
 *      caller (a privileged domain) chose, and a grant entry
 *      (page_install_grant_entry), which names the granter's frame.
 *   6. An L1 entry naming a frame that is not RAM (beyond the frame
 *      table, or reserved in it) names device memory: it is accepted only
 *      if the table's owner, and the frame owner asked for (DOMID_IO
 *      standing for the table's owner), have the frame in their I/O
 *      memory (struct page_memory's io_memory_of, pvmon/io_memory.h;
 *      -EPERM otherwise, -EINVAL for the all-ones frame), is stored
 *      uncached (common/page_table_entry.c), and holds no reference of
 *      any kind, so dropping it drops nothing (Xen's get_page_from_l1e
 *      and put_page_from_l1e for MMIO).  A frame in an I/O memory is
 *      never RAM, so whether an entry holds a reference is decided by its
 *      frame alone.  With frame owner DOMID_IO an L1 entry may name
 *      device memory only: RAM is -EBUSY, as Xen's could_not_pin.
 *   5. L4 slots FIRST_HYPERVISOR_SLOT..LAST_HYPERVISOR_SLOT of a validated
 *      L4 hold the hypervisor's entries, whatever the guest wrote there,
 *      and cannot be changed by the guest.
 *
 * Entry rules (Xen's L1_DISALLOW_MASK and friends, and the fix-ups of
 * xen/arch/x86/pv/mm.h):
 *   - a non-present entry is accepted as it is, and holds nothing;
 *   - L1: common/page_table_entry.c (bit 62, Xen's _PAGE_GNTTAB, and the
 *     cache attributes PWT, PCD and PAT refused, U forced on; device
 *     memory of a domain with I/O memory: cache attributes allowed and
 *     forced uncached);
 *   - L2, L3, L4: P, RW, U, A, D (Linux's _PAGE_TABLE sets it), the
 *     software bits 9-11 and 52-62, NX and the address are allowed; PSE
 *     (superpages), G, PWT and PCD are -EINVAL (Xen's base_disallow_mask);
 *     U is forced on.  docs/page-table-entry-bits.md has the table.
 *   - Read-only linear page tables (Xen's pv-linear-pt, on by default in
 *     Xen 4.17, under its XSA-240 rules): an L2-L4 entry whose target
 *     cannot take the next lower type may point at a table of its own
 *     level if it is read-only (RW: -EINVAL).  At its own table it holds
 *     nothing (so it never stops a validation or devalidation); at
 *     another table, which must be the same owner's and validated at that
 *     level with a non-zero count (never a partial table, nor one whose
 *     validation is still running), a general and a type reference.
 *     One level of linearity only: the frame's linear_count
 *     (pvmon/frame.h) counts the table's linear entries (> 0) or the
 *     linear entries pointing at it (< 0), and a table may not do both,
 *     so a chain of two is -EINVAL.  A partial table counts the linear
 *     entries among its held entries.  A change of RW alone on an upper
 *     entry takes the new entry's references afresh.  Dropping a linear
 *     entry undoes the counts, then drops its type reference like any
 *     other: the last one starts the target's devalidation, preemptible
 *     too, so a partial entry (below) may name a table of its own level.
 *
 * Preemptible validation (Xen's PGT_partial; xen/arch/x86/mm.c
 * alloc_lN_table, free_lN_table, _get_page_type, _put_page_type,
 * put_old_guest_table).  Validating or devalidating a tree is long: its
 * cost grows with the domain's memory.  So an L2-L4 is walked one entry
 * at a time, and memory->preempt_requested is asked between two entries
 * (never before the first, so every call progresses; an L1 is never
 * split: at most 512 entries of work between two questions).  Empty
 * entries are found in groups and skipped (page_type.c), yet still owe
 * their questions, asked at once for a run of them
 * (preempt_requested_among), so a walk stops exactly where one entry at a
 * time would.  When it answers true the tables on the way become partial:
 *   - a partial frame has type L2-L4, count exactly 1, PAGE_TYPE_PARTIAL,
 *     not validated, not pinned.  Its entries [0, validated_entries) hold
 *     their references; with FRAME_FLAG_PARTIAL_ENTRY its entry
 *     validated_entries holds a general reference on a table of the next
 *     level and no type reference, and may continue or tear down that
 *     table's partial state if it is still there.  Stopped while dropping
 *     a linear entry, it names a table of its own level instead, whose
 *     partial state only its devalidation tears down (a validation
 *     continuing there is refused, since a linear target must be
 *     validated).  The partial state owns
 *     the type count of 1 and one general reference on the frame, so the
 *     frame outlives a give-back.  It may be on the way up (a validation)
 *     or down (a devalidation): the state is the same.
 *   - page_get_type (and page_get_reference_and_type, page_pin, an entry
 *     update naming the frame, MMUEXT_NEW_BASEPTR) of the frame's level
 *     continues its validation from validated_entries; -XEN_ERESTART if
 *     preempted again, and the caller keeps no reference: calling again
 *     continues.  The caller's general reference is dropped as for any
 *     failure.
 *   - every other use is refused with -EINVAL, as Xen does: another type
 *     (a writable mapping, a pin or entry of another level, a descriptor
 *     page), an unpin (it is not pinned), an entry update of the partial
 *     table itself.  A give-back succeeds and drops only the allocation's
 *     reference.
 *   - dropping the last type reference of a validated table (unpin, the
 *     old entry of an update, the old base pointer, a teardown) starts
 *     its devalidation; preempted, the frame is parked, partial, on its
 *     owner's pending release (memory->pending_release, Xen's vCPU
 *     old_guest_table) and the operation completes.  A validation refused
 *     after its first entry is parked the same way, to give back what it
 *     took, and the operation returns -EINVAL.
 *   - the pending release holds a general reference on its frame; the
 *     owner's next mmu_update or mmuext_op, and its teardown, call
 *     page_finish_pending_release before anything else, which may return
 *     -XEN_ERESTART again.  Callers keep the slot empty whenever an
 *     operation that may park starts; at most one frame is parked by one
 *     operation.
 * A refused call may leave a pending release; once it is finished, the
 * frame table is as the refusal rules below say, except that a refusal
 * met while continuing a partial table has given up that partial state
 * (as Xen does).
 *
 * pvmon runs one CPU and does not set CR4.PGE, so a "TLB flush" is a CR3
 * reload on the hypervisor side; this module only asks for it.
 *
 * This file is pure: struct page_memory says how to reach a frame's
 * contents and what to do when a frame is released or the TLB must be
 * flushed, so the same code runs in the hypervisor and in host tests.
 * Every function returns 0, -XEN_EINVAL or, where said, -XEN_ERESTART.  A
 * refusal (once its pending release is finished) leaves every count, pin,
 * linear count and the entries of every table in use as they were.  It
 * may only have asked for a TLB flush, changed the remembered last type
 * and the flush stamp of frames whose type count is 0, cleared known-zero
 * marks, and applied the entry fix-ups (U forced on) to entries of tables
 * that are not in use afterwards (one that validated on the way and was
 * devalidated again, or the refused table's entries before the refused
 * one): all conservative, and what Xen does too.
 */
#ifndef PVMON_PAGE_TYPE_H
#define PVMON_PAGE_TYPE_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/frame.h>

struct io_memory;

enum page_type {
    PAGE_TYPE_NONE = 0,
    PAGE_TYPE_WRITABLE,
    PAGE_TYPE_L1,
    PAGE_TYPE_L2,
    PAGE_TYPE_L3,
    PAGE_TYPE_L4,
    PAGE_TYPE_SEGMENT_DESCRIPTOR,
};

/* type_info: count in bits 0-23, type in 24-26, validated, pinned, partial. */
#define PAGE_TYPE_COUNT_MASK UINT32_C(0x00ffffff)
#define PAGE_TYPE_SHIFT 24
#define PAGE_TYPE_MASK (UINT32_C(7) << PAGE_TYPE_SHIFT)
#define PAGE_TYPE_VALIDATED (UINT32_C(1) << 27)
#define PAGE_TYPE_PINNED (UINT32_C(1) << 28)
#define PAGE_TYPE_PARTIAL (UINT32_C(1) << 29)

/* reference_count: count in bits 0-30, the allocation's reference in 31. */
#define PAGE_REFERENCE_COUNT_MASK UINT32_C(0x7fffffff)
#define PAGE_REFERENCE_ALLOCATED (UINT32_C(1) << 31)

#define PAGE_TABLE_ENTRIES 512
#define HYPERVISOR_L4_SLOT_COUNT 16

/* The page-type rules' own work, counted for benchmarks (the memory
 * extension's statistics): present entries whose references a table took
 * while being validated or dropped while being devalidated (a refused L1
 * counts none), and general references taken. */
enum page_type_work {
    PAGE_TYPE_WORK_ENTRIES_VALIDATED,
    PAGE_TYPE_WORK_ENTRIES_DEVALIDATED,
    PAGE_TYPE_WORK_REFERENCES_TAKEN,
};

struct page_memory {
    struct frame *frames;
    uint64_t frame_count;
    /* The frame's 512 entries, as the hypervisor reaches them. */
    uint64_t *(*table)(const struct page_memory *memory, uint64_t frame);
    /* The entries every validated L4 holds in the hypervisor's slots. */
    const uint64_t *hypervisor_l4_entries;
    /* The frame's last reference is gone: it no longer belongs to anyone
     * here and must not be used again before it is scrubbed. */
    void (*release)(const struct page_memory *memory, uint64_t frame);
    /* Stale translations must be flushed now (a full flush, which
     * advances the flush clock). */
    void (*request_tlb_flush)(const struct page_memory *memory);
    /* Asked between two units of validation or devalidation work (one
     * entry of an L2-L4 table, which includes at most one whole L1): true
     * stops the operation there, leaving partial tables.  NULL: never. */
    bool (*preempt_requested)(const struct page_memory *memory);
    /* Asks count such questions in a row at once, for a run of entries a
     * walk skips (empty ones): how many are answered "go on" before the
     * first "stop", count if none is.  NULL: asked one by one. */
    unsigned int (*preempt_requested_among)(const struct page_memory *memory, unsigned int count);
    /* The owner domain's pending release (Xen's old_guest_table of its
     * vCPU); never NULL for an owner that may hold page tables. */
    struct page_pending_release *(*pending_release)(const struct page_memory *memory, uint16_t owner);
    /* The flush clock: how many full TLB flushes (CR3 loads) so far. */
    uint32_t (*tlb_flush_clock)(const struct page_memory *memory);
    /* The I/O memory the domain may map (invariant 6), or NULL for none.
     * NULL callback: no domain has any. */
    const struct io_memory *(*io_memory_of)(const struct page_memory *memory, uint16_t domain);
    /* Counts amount of the work (enum page_type_work); NULL: not counted. */
    void (*count)(const struct page_memory *memory, enum page_type_work work, uint64_t amount);
    void *context;
};

/* A partial table whose devalidation an operation left to finish.  The
 * slot holds one general reference on frame, and may tear down its
 * partial state if it is still there. */
struct page_pending_release {
    bool pending;
    uint64_t frame;
};

/* Hands a frame that no one references to owner: state FRAME_DOMAIN,
 * type none with count 0, the allocation's reference only, and
 * FRAME_FLAG_KNOWN_ZERO if the caller zeroed it.  Taking any type but none
 * clears that flag: from then on the guest may have written the frame. */
void page_assign(const struct page_memory *memory, uint64_t frame, uint16_t owner, bool known_zero);
bool page_is_known_zero(const struct page_memory *memory, uint64_t frame);
/* The hypervisor has just zeroed the frame (MMUEXT_CLEAR_PAGE): it is known
 * zero again if nothing holds a type on it, i.e. nothing maps it writable. */
void page_mark_known_zero(const struct page_memory *memory, uint64_t frame);

/* The guest gives the frame back: drops the allocation's reference.  The
 * frame is released once nothing else references it; until then no new
 * reference can be taken.  -EINVAL if owner does not hold it allocated. */
int page_give_back(const struct page_memory *memory, uint64_t frame, uint16_t owner);

int page_get_reference(const struct page_memory *memory, uint64_t frame, uint16_t owner);
void page_put_reference(const struct page_memory *memory, uint64_t frame);

/* A type reference; the caller holds a general reference on the frame.
 * Taking an L1-L4 type whose count is 0 validates the table first, and
 * taking the type of a partial table continues its validation: either may
 * return -XEN_ERESTART (see "Preemptible validation" above).  Dropping
 * the last type reference of a table devalidates it, or parks it
 * partial on its owner's pending release if preempted. */
int page_get_type(const struct page_memory *memory, uint64_t frame, uint16_t owner, enum page_type type);
void page_put_type(const struct page_memory *memory, uint64_t frame);

int page_get_reference_and_type(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                enum page_type type);
void page_put_reference_and_type(const struct page_memory *memory, uint64_t frame);

/* MMUEXT_PIN_L1..L4_TABLE and MMUEXT_UNPIN_TABLE: a pin holds one general
 * and one type reference.  Pinning a pinned frame, or unpinning one that
 * is not pinned (a partial frame never is), is -EINVAL.  A pin may return
 * -XEN_ERESTART; an unpin always completes, leaving the rest of a long
 * devalidation on the owner's pending release. */
int page_pin(const struct page_memory *memory, uint64_t frame, uint16_t owner, enum page_type level);
int page_unpin(const struct page_memory *memory, uint64_t frame, uint16_t owner);

/* Continues the owner's pending release (Xen's put_old_guest_table): 0
 * once the slot is empty, -XEN_ERESTART if preempted first (progress made,
 * the slot still pending). */
int page_finish_pending_release(const struct page_memory *memory, uint16_t owner);

/* A domain's teardown: a partial frame of owner's that nothing continues
 * (a pin preempted and never retried) is parked on the owner's pending
 * release, which must be empty, and finished as above.  -EINVAL if the
 * frame is not owner's or not partial. */
int page_release_partial(const struct page_memory *memory, uint64_t frame, uint16_t owner);

/*
 * MMU_NORMAL_PT_UPDATE (and MMU_PT_UPDATE_PRESERVE_AD): write entry index
 * of table_frame.  If the frame is a page table in use (an L1-L4 type with
 * a non-zero count), the new entry is checked and its references taken
 * before the old entry's are dropped; otherwise the frame must be one the
 * owner may write (it takes the writable type for the store) and the value
 * is stored as it is.  preserve_accessed_dirty keeps the old entry's A and
 * D bits.  *stored, if not NULL, receives what was written.
 */
int page_update_entry(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                      unsigned int index, uint64_t entry, bool preserve_accessed_dirty, uint64_t *stored);

/*
 * The same, for an update whose L1 entry may name frame_owner's frames
 * instead of owner's (Xen's pg_owner, the foreigndom of mmu_update): how a
 * privileged domain maps another domain's page.  frame_owner DOMID_IO
 * maps device memory only (invariant 6).  Only a table in use takes
 * such an entry, and only at L1: a table holding one cannot be validated
 * again (validation accepts the table owner's frames only), as in Xen.
 * The mapping holds a general reference on the foreign frame, which keeps
 * it alive even after its owner gives it back.
 */
int page_update_entry_foreign(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                              uint64_t table_frame, unsigned int index, uint64_t entry,
                              bool preserve_accessed_dirty, uint64_t *stored);

/*
 * Host mappings of grants (Xen's create_grant_pv_mapping and
 * replace_grant_pv_mapping; pvmon/grant_table.h).  A grant entry is an L1
 * entry with PAGE_TABLE_ENTRY_GRANT, which no guest update may write,
 * overwrite or clear (-EINVAL: only these two calls do); it holds the
 * references of any L1 entry (a general reference on frame_owner's frame,
 * plus a writable type reference if RW), so a devalidation of its table
 * drops them as Xen's put_page_from_l1e does.  Both need an L1 of owner's
 * in use.  Install takes the new entry's references (frame_owner must hold
 * the frame) and drops the old entry's, which may not be a grant entry;
 * remove checks that the entry is still a grant entry of that frame with
 * that RW bit (XSA-234), then makes it not present and drops its
 * references.  -XEN_EINVAL otherwise, with nothing changed.
 */
int page_install_grant_entry(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                             uint64_t table_frame, unsigned int index, uint64_t entry);
int page_remove_grant_entry(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                            unsigned int index, uint64_t frame, bool writable);

/* Owner holds the frame and has not given it back: a new reference may name it. */
bool page_is_held(const struct page_memory *memory, uint64_t frame, uint16_t owner);

enum page_type page_type_of(const struct page_memory *memory, uint64_t frame);
uint32_t page_type_count(const struct page_memory *memory, uint64_t frame);
uint32_t page_reference_count(const struct page_memory *memory, uint64_t frame);
bool page_is_validated_table(const struct page_memory *memory, uint64_t frame, enum page_type level);

#endif
