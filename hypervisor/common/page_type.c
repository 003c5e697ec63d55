/*
 * Page types and reference counts (see pvmon/page_type.h for the rules and
 * invariants, and for preemptible validation).  Every operation completes,
 * is refused, or stops part way with -XEN_ERESTART, and in every case the
 * frame table is consistent: a table being worked on is validated, not in
 * use, or partial.  An L1 is validated in one pass that takes every
 * entry's references and stores the fix-ups a refusal may leave (U forced
 * on), and a second pass for any other fix-up (device memory forced
 * uncached) once all are accepted, so its refusal gives back at once what
 * the first pass took.  An L2-L4 takes and fixes up one entry at a
 * time; refused part way, it is left partial on its owner's pending
 * release, whose teardown gives the rest back in bounded steps.
 *
 * Read-only linear entries (below) complete in one step: they only take
 * a count on a table already validated, never a partial one.  The flush
 * stamp is written wherever a type count reaches 0 (stamp_last_use),
 * before the general reference that may be the frame's last is dropped:
 * after the release hook the frame's page-table fields are no longer
 * page_type.c's (pvmon/frame.h).
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/io_memory.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>
#include <xen/xen.h>

#define ENTRY_ACCESSED (UINT64_C(1) << 5)
#define ENTRY_DIRTY (UINT64_C(1) << 6)
#define ENTRY_GLOBAL (UINT64_C(1) << 8)

#define ENTRY_WRITE_THROUGH (UINT64_C(1) << 3)
#define ENTRY_CACHE_DISABLE (UINT64_C(1) << 4)

/* Xen's L2/L3/L4_DISALLOW_MASK (base_disallow_mask): no superpages, no
 * global tables, and tables only walked write-back (no PWT, PCD). */
#define UPPER_LEVEL_DISALLOWED \
    (PAGE_TABLE_ENTRY_LARGE | ENTRY_GLOBAL | ENTRY_WRITE_THROUGH | ENTRY_CACHE_DISABLE)

static struct frame *frame_entry(const struct page_memory *memory, uint64_t frame)
{
    return &memory->frames[frame];
}

static enum page_type type_in(uint32_t type_info)
{
    return (enum page_type)((type_info & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT);
}

static bool is_table_type(enum page_type type)
{
    return type >= PAGE_TYPE_L1 && type <= PAGE_TYPE_L4;
}

static bool is_hypervisor_slot(enum page_type level, unsigned int index)
{
    return level == PAGE_TYPE_L4 && index >= FIRST_HYPERVISOR_SLOT && index <= LAST_HYPERVISOR_SLOT;
}

static bool is_owned(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    return frame < memory->frame_count && memory->frames[frame].state == FRAME_DOMAIN &&
           memory->frames[frame].owner == owner;
}

/* Owned, and not given back: the only frames a new reference may name. */
static bool is_held(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    return is_owned(memory, frame, owner) &&
           (memory->frames[frame].reference_count & PAGE_REFERENCE_ALLOCATED);
}

void page_assign(const struct page_memory *memory, uint64_t frame, uint16_t owner, bool known_zero)
{
    struct frame *entry = frame_entry(memory, frame);

    entry->state = FRAME_DOMAIN;
    entry->owner = owner;
    entry->type_info = 0;
    entry->reference_count = PAGE_REFERENCE_ALLOCATED | 1;
    entry->flags = known_zero ? FRAME_FLAG_KNOWN_ZERO : 0;
    entry->validated_entries = 0;
    entry->linear_count = 0;
    entry->tlb_flush_stamp = 0;
}

bool page_is_known_zero(const struct page_memory *memory, uint64_t frame)
{
    return frame < memory->frame_count && (memory->frames[frame].flags & FRAME_FLAG_KNOWN_ZERO);
}

void page_mark_known_zero(const struct page_memory *memory, uint64_t frame)
{
    if (frame < memory->frame_count && (memory->frames[frame].type_info & PAGE_TYPE_COUNT_MASK) == 0)
        memory->frames[frame].flags |= FRAME_FLAG_KNOWN_ZERO;
}

static void count_work(const struct page_memory *memory, enum page_type_work work, uint64_t amount)
{
    if (memory->count != NULL && amount > 0)
        memory->count(memory, work, amount);
}

int page_get_reference(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    struct frame *entry;

    if (!is_held(memory, frame, owner))
        return -XEN_EINVAL;
    entry = frame_entry(memory, frame);
    if ((entry->reference_count & PAGE_REFERENCE_COUNT_MASK) == PAGE_REFERENCE_COUNT_MASK)
        return -XEN_EINVAL;
    entry->reference_count++;
    count_work(memory, PAGE_TYPE_WORK_REFERENCES_TAKEN, 1);
    return 0;
}

void page_put_reference(const struct page_memory *memory, uint64_t frame)
{
    struct frame *entry = frame_entry(memory, frame);

    entry->reference_count--;
    if ((entry->reference_count & PAGE_REFERENCE_COUNT_MASK) == 0)
        memory->release(memory, frame);
}

int page_give_back(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    if (!is_held(memory, frame, owner))
        return -XEN_EINVAL;
    frame_entry(memory, frame)->reference_count &= ~PAGE_REFERENCE_ALLOCATED;
    page_put_reference(memory, frame);
    return 0;
}

/* RAM: a frame the frame table holds, in any state but reserved.  An L1
 * entry naming any other frame names device memory and holds nothing. */
static bool is_ram(const struct page_memory *memory, uint64_t frame)
{
    return frame < memory->frame_count && memory->frames[frame].state != FRAME_RESERVED;
}

static const struct io_memory *io_memory_of(const struct page_memory *memory, uint16_t domain)
{
    return memory->io_memory_of != NULL ? memory->io_memory_of(memory, domain) : NULL;
}

static bool io_memory_permitted(const struct page_memory *memory, uint16_t domain, uint64_t frame)
{
    const struct io_memory *io = io_memory_of(memory, domain);

    return io != NULL && io_memory_permits(io, frame);
}

/* Xen's get_page_from_l1e for a frame that is not RAM: the frame's owner
 * (DOMID_IO standing for the table's owner) must have it in its I/O
 * memory, and so must the table's owner: -EPERM, or -EINVAL for the
 * all-ones frame (INVALID_MFN).  Nothing is referenced. */
static int check_device_mapping(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                                uint64_t frame)
{
    uint16_t privilege_owner = frame_owner == DOMID_IO ? owner : frame_owner;
    int refusal = frame == IO_MEMORY_INVALID_FRAME ? -XEN_EINVAL : -XEN_EPERM;

    if (!io_memory_permitted(memory, privilege_owner, frame))
        return refusal;
    if (privilege_owner != owner && !io_memory_permitted(memory, owner, frame))
        return refusal;
    return 0;
}

/*
 * ---- L1 entries ----
 *
 * Validating or devalidating an L1 handles its 512 entries at once, and a
 * tree's L1s are most of its work (every fork and exec of a Linux guest,
 * the l4-toggle liveness attack): so an L1 entry's frame is looked at once
 * per entry, and what is found decides both the bits the entry may carry
 * and the references it holds (invariant 6).
 */

/* What an L1 entry names. */
enum l1_target {
    L1_TARGET_NONE, /* not present: accepted as it is, holding nothing */
    L1_TARGET_RAM,
    L1_TARGET_NOT_RAM, /* device memory if permitted (check_device_mapping) */
};

static enum l1_target l1_target_of(const struct page_memory *memory, uint64_t entry)
{
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
        return L1_TARGET_NONE;
    return is_ram(memory, page_table_entry_frame(entry)) ? L1_TARGET_RAM : L1_TARGET_NOT_RAM;
}

/* The bits an L1 entry of owner's table naming target may carry, and the
 * fix-ups (common/page_table_entry.c): one naming a frame that is not RAM
 * may carry cache attributes if owner has I/O memory at all (Xen's
 * l1_disallow_mask), and is forced uncached. */
static int check_l1_entry_bits(const struct page_memory *memory, uint16_t owner, uint64_t entry,
                               enum l1_target target, uint64_t *accepted)
{
    bool device = target == L1_TARGET_NOT_RAM && io_memory_of(memory, owner) != NULL;

    return page_table_entry_check_l1(entry, device ? PAGE_TABLE_ENTRY_DEVICE : PAGE_TABLE_ENTRY_RAM, accepted);
}

/* The bits an entry of owner's table may carry at its level, and the
 * fix-ups: 0 with *accepted what to store, or -EINVAL. */
static int check_entry_bits(const struct page_memory *memory, uint16_t owner, enum page_type level,
                            uint64_t entry, uint64_t *accepted)
{
    if (level == PAGE_TYPE_L1)
        return check_l1_entry_bits(memory, owner, entry, l1_target_of(memory, entry), accepted);
    if ((entry & PAGE_TABLE_ENTRY_PRESENT) && (entry & UPPER_LEVEL_DISALLOWED))
        return -XEN_EINVAL;
    *accepted = (entry & PAGE_TABLE_ENTRY_PRESENT) ? entry | PAGE_TABLE_ENTRY_USER : entry;
    return 0;
}

/* Leaving a type in use for another may leave a stale writable
 * translation, or a cached walk through a former table or a table of
 * another level, in the TLB: a flush is needed unless a full one has
 * happened since the frame was last in use (Xen's _get_page_type with
 * tlbflush_filter on page->tlbflush_timestamp). */
static bool type_change_needs_flush(const struct page_memory *memory, const struct frame *entry,
                                    enum page_type to)
{
    enum page_type from = type_in(entry->type_info);

    return from != to && from != PAGE_TYPE_NONE &&
           entry->tlb_flush_stamp == (uint16_t)memory->tlb_flush_clock(memory);
}

/* The type count has just dropped to 0, by whatever path (a plain type
 * reference, the end of a devalidation, a partial table torn down or
 * given up): the frame's last use as its type is now.  Called before the
 * frame's general reference that may be its last is dropped. */
static void stamp_last_use(const struct page_memory *memory, struct frame *entry)
{
    entry->tlb_flush_stamp = (uint16_t)memory->tlb_flush_clock(memory);
}

/* The type count goes from 0 to 1, for a table before its validation. */
static void take_first_type_reference(const struct page_memory *memory, uint64_t frame, enum page_type type)
{
    struct frame *entry = frame_entry(memory, frame);

    if (type_change_needs_flush(memory, entry, type))
        memory->request_tlb_flush(memory);
    entry->type_info = ((uint32_t)type << PAGE_TYPE_SHIFT) | 1;
    entry->flags &= ~FRAME_FLAG_KNOWN_ZERO;
    entry->linear_count = 0;
}

/* A type reference of a type that needs no validation (writable, segment
 * descriptor) on a frame whose owner was checked: the type must be free
 * or already that one (Xen's _get_page_type for those types). */
static int take_plain_type(const struct page_memory *memory, uint64_t frame, enum page_type type)
{
    struct frame *entry = frame_entry(memory, frame);
    uint32_t count = entry->type_info & PAGE_TYPE_COUNT_MASK;

    if (count == 0) {
        take_first_type_reference(memory, frame, type);
        return 0;
    }
    if (type_in(entry->type_info) != type || count == PAGE_TYPE_COUNT_MASK)
        return -XEN_EINVAL;
    entry->type_info++;
    return 0;
}

/*
 * ---- Preemptible validation and devalidation ----
 *
 * Validating or devalidating an L2-L4 table walks its entries in order,
 * up from validated_entries when validating and down from it when
 * devalidating, and asks memory->preempt_requested between two entries
 * (never before the first one it handles, so every call makes progress).
 * An entry of an L2 validates or devalidates one L1 at most: 512 entries,
 * the most work done between two questions.  L1 tables never stop half
 * way.  When asked to stop, a table records how far it got and becomes
 * partial; a stop deep in the tree makes every table above it partial,
 * each one's entry at validated_entries holding the table below
 * (FRAME_FLAG_PARTIAL_ENTRY), so the next call walks down that chain and
 * continues where the work stopped (Xen's PGT_partial, nr_validated_ptes
 * and partial_flags).
 */

/* How a validation or devalidation step ended. */
enum outcome {
    OUTCOME_DONE,
    OUTCOME_PREEMPTED,       /* stopped: the frame is left partial */
    OUTCOME_REFUSED,         /* refused: nothing held, the type count is as it was */
    OUTCOME_REFUSED_PARTIAL, /* refused: the frame is left partial and must be torn down */
};

static bool is_partial(const struct frame *entry)
{
    return entry->type_info & PAGE_TYPE_PARTIAL;
}

static bool has_partial_entry(const struct frame *entry)
{
    return entry->flags & FRAME_FLAG_PARTIAL_ENTRY;
}

/* What a partial table holds: entries [0, count), and the table below its
 * entry count if partial_entry. */
static void record_progress(struct frame *entry, unsigned int count, bool partial_entry)
{
    entry->validated_entries = (uint16_t)count;
    if (partial_entry)
        entry->flags |= FRAME_FLAG_PARTIAL_ENTRY;
    else
        entry->flags &= ~FRAME_FLAG_PARTIAL_ENTRY;
}

static enum outcome take_table_type(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                    enum page_type level);
static enum outcome drop_table_type(const struct page_memory *memory, uint64_t frame);
static enum outcome tear_down_partial(const struct page_memory *memory, uint64_t frame);

/*
 * ---- Read-only linear page tables ----
 *
 * Xen's pv-linear-pt, on by default, under its XSA-240 rules
 * (get_lN_linear_pagetable, inc/dec_linear_entries and _uses, put_pt_page).
 * An L2, L3 or L4 entry that cannot hold a reference of the next lower
 * level may instead point at a table of its own level:
 *   - read-only only (-EINVAL with RW): the guest must never write a table
 *     through it;
 *   - at the table itself: nothing is held (the table is being validated,
 *     or is in use, through the very reference that would be taken), so
 *     such an entry never stops a validation or devalidation;
 *   - at another table: of the same owner, validated at that level with a
 *     non-zero count, so never a partial table (not validated) nor one
 *     whose validation is still running (an ancestor of the table being
 *     validated); it holds a general and a type reference on it, and the
 *     linear counts record the link: one level of linearity only, since a
 *     table holding linear entries (linear_count > 0) cannot be used
 *     linearly and a table used linearly (< 0) cannot hold any, so that a
 *     chain of two is refused.
 * Dropping a linear entry (an update, a devalidation, preempted or not)
 * undoes the counts at once and then drops the type reference, which may
 * start the target's own devalidation when it was the last: that
 * devalidation is preemptible like any other, and a devalidating table's
 * partial entry may then name a target of its own level.
 */
static int take_linear_references(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                                  enum page_type level, uint64_t entry)
{
    uint64_t target = page_table_entry_frame(entry);
    struct frame *table = frame_entry(memory, table_frame);
    struct frame *used;
    uint32_t type_info;

    if (entry & PAGE_TABLE_ENTRY_WRITABLE)
        return -XEN_EINVAL;
    if (target == table_frame)
        return 0;
    if (page_get_reference(memory, target, owner) != 0)
        return -XEN_EINVAL;
    used = frame_entry(memory, target);
    type_info = used->type_info;
    if (table->linear_count < 0 || table->linear_count == INT16_MAX || used->linear_count > 0 ||
        used->linear_count == INT16_MIN || type_in(type_info) != level || !(type_info & PAGE_TYPE_VALIDATED) ||
        (type_info & PAGE_TYPE_COUNT_MASK) == 0 || (type_info & PAGE_TYPE_COUNT_MASK) == PAGE_TYPE_COUNT_MASK) {
        page_put_reference(memory, target);
        return -XEN_EINVAL;
    }
    table->linear_count++;
    used->linear_count--;
    used->type_info++;
    return 0;
}

/* An entry of table_frame (an L2-L4) holding a type reference on its
 * target: is it a linear one, a reference of the table's own level?  The
 * reference held keeps the target's type stable, so its type says. */
static bool is_linear_entry(const struct page_memory *memory, uint64_t table_frame, enum page_type level,
                            uint64_t entry)
{
    uint64_t target = page_table_entry_frame(entry);

    return level != PAGE_TYPE_L1 && target != table_frame && type_in(frame_entry(memory, target)->type_info) == level;
}

/* A linear entry of table_frame on target is being dropped: undo the
 * counts before its type reference goes. */
static void drop_linear_link(const struct page_memory *memory, uint64_t table_frame, uint64_t target)
{
    frame_entry(memory, table_frame)->linear_count--;
    frame_entry(memory, target)->linear_count++;
}

/* The references an L1 entry of owner's table naming target holds: a
 * general one on RAM of frame_owner's (plus writable if RW), none on
 * device memory (checked by check_device_mapping).  With frame_owner
 * DOMID_IO an L1 entry may name device memory only: RAM is -EBUSY, as
 * Xen's could_not_pin. */
static int take_l1_entry_references(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                                    uint64_t entry, enum l1_target target)
{
    uint64_t frame = page_table_entry_frame(entry);
    int error;

    if (target == L1_TARGET_NONE)
        return 0;
    if (target == L1_TARGET_NOT_RAM)
        return check_device_mapping(memory, owner, frame_owner, frame);
    if (frame_owner == DOMID_IO)
        return -XEN_EBUSY;
    error = page_get_reference(memory, frame, frame_owner);
    if (error || !(entry & PAGE_TABLE_ENTRY_WRITABLE))
        return error;
    error = take_plain_type(memory, frame, PAGE_TYPE_WRITABLE); /* owner checked with the reference */
    if (error)
        page_put_reference(memory, frame);
    return error;
}

static void drop_l1_entry_references(const struct page_memory *memory, uint64_t entry, enum l1_target target)
{
    uint64_t frame = page_table_entry_frame(entry);

    if (target != L1_TARGET_RAM)
        return;
    if (entry & PAGE_TABLE_ENTRY_WRITABLE)
        page_put_reference_and_type(memory, frame);
    else
        page_put_reference(memory, frame);
}

/* The references a present entry of owner's table at level holds on what
 * it points at: an L1 entry's above, a general and a type reference of
 * the next lower level for the others, or of their own level for a
 * linear entry (none for one naming its own table). */
static int take_entry_references(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                                 uint64_t table_frame, enum page_type level, uint64_t entry)
{
    int error;

    if (level == PAGE_TYPE_L1)
        return take_l1_entry_references(memory, owner, frame_owner, entry, l1_target_of(memory, entry));
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
        return 0;
    error = page_get_reference_and_type(memory, page_table_entry_frame(entry), owner, level - 1);
    if (error == -XEN_EINVAL && take_linear_references(memory, owner, table_frame, level, entry) == 0)
        return 0;
    return error;
}

static void drop_entry_references(const struct page_memory *memory, uint64_t table_frame, enum page_type level,
                                  uint64_t entry)
{
    uint64_t target = page_table_entry_frame(entry);

    if (level == PAGE_TYPE_L1) {
        drop_l1_entry_references(memory, entry, l1_target_of(memory, entry));
        return;
    }
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT) || target == table_frame)
        return;
    if (is_linear_entry(memory, table_frame, level, entry))
        drop_linear_link(memory, table_frame, target);
    page_put_reference_and_type(memory, target);
}

/* One entry of an L2-L4 being validated.  claimed: the entry already
 * holds a general reference on its target (a partial entry), so only the
 * type is taken.  A target left partial keeps that general reference.  An
 * entry whose target refuses the next lower level may still be a linear
 * one, which completes at once (Xen's get_page_from_lNe). */
static enum outcome validate_upper_entry(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                                         enum page_type level, uint64_t entry, bool claimed)
{
    uint64_t target = page_table_entry_frame(entry);
    enum outcome outcome = OUTCOME_REFUSED;

    if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
        return OUTCOME_DONE;
    if (claimed || page_get_reference(memory, target, owner) == 0) {
        outcome = take_table_type(memory, target, owner, level - 1);
        if (outcome == OUTCOME_REFUSED)
            page_put_reference(memory, target);
    }
    if (outcome == OUTCOME_REFUSED && take_linear_references(memory, owner, table_frame, level, entry) == 0)
        return OUTCOME_DONE;
    return outcome;
}

/*
 * Most entries of a Linux process's tables are not present (a small
 * process maps a few dozen pages, through one or two entries of each
 * upper table), and a non-present entry is accepted as it is and holds
 * nothing (Xen's get_page_from_lNe returns at once for one, and
 * alloc_l1_table, free_l1_table and put_page_from_l1e skip it): so the
 * walks below find the next present entry eight entries at a time, and
 * spend nothing else on the empty ones, not even a preemption question
 * (which still comes before every present entry but the first handled,
 * so the work between two questions is still at most one L1).
 */
#define SKIP_GROUP 8

/* Written out: a loop here is not unrolled at -O2, and costs four times as much. */
static bool any_present_in_group(const uint64_t *group)
{
    return (group[0] | group[1] | group[2] | group[3] | group[4] | group[5] | group[6] | group[7]) &
           PAGE_TABLE_ENTRY_PRESENT;
}

/* The first present entry at or after index, or PAGE_TABLE_ENTRIES. */
static unsigned int next_present_entry(const uint64_t *table, unsigned int index)
{
    for (; index < PAGE_TABLE_ENTRIES && index % SKIP_GROUP != 0; index++) {
        if (table[index] & PAGE_TABLE_ENTRY_PRESENT)
            return index;
    }
    while (index < PAGE_TABLE_ENTRIES && !any_present_in_group(&table[index]))
        index += SKIP_GROUP;
    while (index < PAGE_TABLE_ENTRIES && !(table[index] & PAGE_TABLE_ENTRY_PRESENT))
        index++;
    return index;
}

/* One past the last present entry below end, or 0 if there is none. */
static unsigned int present_entries_end(const uint64_t *table, unsigned int end)
{
    for (; end > 0 && end % SKIP_GROUP != 0; end--) {
        if (table[end - 1] & PAGE_TABLE_ENTRY_PRESENT)
            return end;
    }
    while (end > 0 && !any_present_in_group(&table[end - SKIP_GROUP]))
        end -= SKIP_GROUP;
    while (end > 0 && !(table[end - 1] & PAGE_TABLE_ENTRY_PRESENT))
        end--;
    return end;
}

/* An L1 validates in one step (at most 512 entries): on a refusal it gives
 * back what it took.  An accepted entry's fix-up is stored at once when it
 * is none or U forced on, which a refusal may leave behind
 * (pvmon/page_type.h); any other (device memory forced uncached) waits
 * until the whole table is accepted, for a second walk that stores every
 * entry's fix-up. */
static enum outcome validate_l1(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    uint64_t *table = memory->table(memory, frame);
    bool fix_ups_waiting = false;
    uint64_t present_entries = 0;
    uint64_t accepted;

    for (unsigned int index = next_present_entry(table, 0); index < PAGE_TABLE_ENTRIES;
         index = next_present_entry(table, index + 1)) {
        uint64_t entry = table[index];
        enum l1_target target = l1_target_of(memory, entry);

        if (check_l1_entry_bits(memory, owner, entry, target, &accepted) != 0 ||
            take_l1_entry_references(memory, owner, owner, entry, target) != 0) {
            while (index-- > 0)
                drop_l1_entry_references(memory, table[index], l1_target_of(memory, table[index]));
            return OUTCOME_REFUSED;
        }
        present_entries++;
        if (accepted == entry || accepted == (entry | PAGE_TABLE_ENTRY_USER))
            table[index] = accepted;
        else
            fix_ups_waiting = true;
    }
    count_work(memory, PAGE_TYPE_WORK_ENTRIES_VALIDATED, present_entries);
    for (unsigned int index = 0; fix_ups_waiting && index < PAGE_TABLE_ENTRIES; index++) {
        if (check_l1_entry_bits(memory, owner, table[index], l1_target_of(memory, table[index]), &accepted) == 0)
            table[index] = accepted;
    }
    return OUTCOME_DONE;
}

/*
 * The questions a walk of an L2-L4 owes (pvmon/page_type.h): one before
 * every entry but the first it handles and the hypervisor's slots of an
 * L4, empty entries included, so that a walk over skipped empty entries
 * stops exactly where one entry at a time would.  The questions for a run
 * of entries are asked at once (memory->preempt_requested_among), or one
 * by one when the memory cannot.
 */
static unsigned int questioned_between(enum page_type level, unsigned int low, unsigned int high)
{
    unsigned int slots_low = low > FIRST_HYPERVISOR_SLOT ? low : FIRST_HYPERVISOR_SLOT;
    unsigned int slots_high = high < LAST_HYPERVISOR_SLOT + 1 ? high : LAST_HYPERVISOR_SLOT + 1;

    if (high <= low)
        return 0;
    if (level == PAGE_TYPE_L4 && slots_high > slots_low)
        return high - low - (slots_high - slots_low);
    return high - low;
}

/* How many of count questions in a row are answered "go on" before the
 * first "stop": count if none is. */
static unsigned int questions_answered_go_on(const struct page_memory *memory, unsigned int count)
{
    if (count == 0 || memory->preempt_requested == NULL)
        return count;
    if (memory->preempt_requested_among != NULL)
        return memory->preempt_requested_among(memory, count);
    for (unsigned int asked = 0; asked < count; asked++) {
        if (memory->preempt_requested(memory))
            return asked;
    }
    return count;
}

/* Asks the questions before the entries [low, high), upwards: the entry
 * the walk must stop at, or PAGE_TABLE_ENTRIES to go on. */
static unsigned int ask_upwards(const struct page_memory *memory, enum page_type level, unsigned int low,
                                unsigned int high)
{
    unsigned int go_on = questions_answered_go_on(memory, questioned_between(level, low, high));

    if (go_on == questioned_between(level, low, high))
        return PAGE_TABLE_ENTRIES;
    for (unsigned int index = low;; index++) {
        if (!is_hypervisor_slot(level, index) && go_on-- == 0)
            return index;
    }
}

/* The same for the entries [low, high) downwards, from high - 1. */
static unsigned int ask_downwards(const struct page_memory *memory, enum page_type level, unsigned int low,
                                  unsigned int high)
{
    unsigned int go_on = questions_answered_go_on(memory, questioned_between(level, low, high));

    if (go_on == questioned_between(level, low, high))
        return PAGE_TABLE_ENTRIES;
    for (unsigned int index = high;; ) {
        index--;
        if (!is_hypervisor_slot(level, index) && go_on-- == 0)
            return index;
    }
}

/* One present entry of an L2-L4 being validated: its references taken
 * and its fix-ups stored. */
static enum outcome validate_upper_table_entry(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                               enum page_type level, uint64_t *slot, bool claimed)
{
    uint64_t accepted;
    enum outcome outcome;

    if (check_entry_bits(memory, owner, level, *slot, &accepted) != 0)
        return OUTCOME_REFUSED;
    outcome = validate_upper_entry(memory, owner, frame, level, *slot, claimed);
    if (outcome == OUTCOME_DONE) {
        count_work(memory, PAGE_TYPE_WORK_ENTRIES_VALIDATED, 1);
        *slot = accepted;
    }
    return outcome;
}

/* An L2-L4 from validated_entries up.  Each accepted entry gets its
 * fix-ups at once; a refusal after the first entry leaves the table
 * partial, for a teardown that may be long too (Xen's alloc_lN_table). */
static enum outcome validate_upper_table(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                         enum page_type level)
{
    struct frame *frame_info = frame_entry(memory, frame);
    uint64_t *table = memory->table(memory, frame);
    unsigned int first = frame_info->validated_entries;
    bool claimed = has_partial_entry(frame_info);

    for (unsigned int index = first; index < PAGE_TABLE_ENTRIES; claimed = false) {
        unsigned int present = claimed ? index : next_present_entry(table, index);
        unsigned int stop = ask_upwards(memory, level, index > first ? index : first + 1,
                                        present < PAGE_TABLE_ENTRIES ? present + 1 : PAGE_TABLE_ENTRIES);
        enum outcome outcome;

        if (stop < PAGE_TABLE_ENTRIES) {
            record_progress(frame_info, stop, false);
            return OUTCOME_PREEMPTED;
        }
        if (present == PAGE_TABLE_ENTRIES)
            break;
        index = present + 1;
        if (is_hypervisor_slot(level, present))
            continue;
        outcome = validate_upper_table_entry(memory, frame, owner, level, &table[present], claimed);
        if (outcome == OUTCOME_DONE)
            continue;
        if (outcome == OUTCOME_REFUSED && present == 0) {
            record_progress(frame_info, 0, false);
            return OUTCOME_REFUSED;
        }
        record_progress(frame_info, present, outcome != OUTCOME_REFUSED);
        return outcome == OUTCOME_PREEMPTED ? OUTCOME_PREEMPTED : OUTCOME_REFUSED_PARTIAL;
    }
    if (level == PAGE_TYPE_L4) {
        for (unsigned int index = FIRST_HYPERVISOR_SLOT; index <= LAST_HYPERVISOR_SLOT; index++)
            table[index] = memory->hypervisor_l4_entries[index - FIRST_HYPERVISOR_SLOT];
    }
    record_progress(frame_info, 0, false);
    return OUTCOME_DONE;
}

/* Whether a partial entry of a level table may tear down its target's
 * partial state: one of the level it may reference, the next lower one,
 * or its own for a linear entry whose target's devalidation stopped. */
static bool may_tear_down_target(const struct frame *target_info, enum page_type level)
{
    enum page_type target_level = type_in(target_info->type_info);

    return is_partial(target_info) && (target_level == level - 1 || target_level == level);
}

/* One entry of an L2-L4 being devalidated: the type reference it holds
 * (a linear entry's counts first; or, for a partial entry, the target's
 * partial state if still there), then its general reference.  An entry
 * naming its own table holds nothing.  Preempted, the entry keeps the
 * general reference and becomes the table's partial entry. */
static enum outcome devalidate_upper_entry(const struct page_memory *memory, uint64_t table_frame,
                                           enum page_type level, uint64_t entry, bool claimed)
{
    uint64_t target = page_table_entry_frame(entry);
    const struct frame *target_info;
    enum outcome outcome = OUTCOME_DONE;

    if (!(entry & PAGE_TABLE_ENTRY_PRESENT) || target == table_frame)
        return OUTCOME_DONE;
    target_info = frame_entry(memory, target);
    if (!claimed) {
        if (is_linear_entry(memory, table_frame, level, entry))
            drop_linear_link(memory, table_frame, target);
        outcome = drop_table_type(memory, target);
    } else if (may_tear_down_target(target_info, level)) {
        outcome = tear_down_partial(memory, target);
    }
    if (outcome == OUTCOME_PREEMPTED)
        return outcome;
    page_put_reference(memory, target);
    return OUTCOME_DONE;
}

/* The highest entry below end a walk handles, asking no question before
 * it; end if none. */
static unsigned int first_handled_below(enum page_type level, unsigned int end)
{
    for (unsigned int index = end; index-- > 0;) {
        if (!is_hypervisor_slot(level, index))
            return index;
    }
    return end;
}

/* The held entries of an L2-L4, from the top down (Xen's free_lN_table). */
static enum outcome devalidate_upper_table(const struct page_memory *memory, uint64_t frame, enum page_type level)
{
    struct frame *frame_info = frame_entry(memory, frame);
    uint64_t *table = memory->table(memory, frame);
    bool claimed = has_partial_entry(frame_info);
    unsigned int end = frame_info->validated_entries + (claimed ? 1 : 0);
    unsigned int unquestioned = first_handled_below(level, end);

    for (unsigned int position = end; position > 0; claimed = false) {
        unsigned int present_end = claimed ? position : present_entries_end(table, position);
        unsigned int stop = ask_downwards(memory, level, present_end > 0 ? present_end - 1 : 0,
                                          position < unquestioned ? position : unquestioned);
        unsigned int index;

        if (stop < PAGE_TABLE_ENTRIES) {
            record_progress(frame_info, stop + 1, false);
            return OUTCOME_PREEMPTED;
        }
        if (present_end == 0)
            break;
        index = present_end - 1;
        position = index;
        if (is_hypervisor_slot(level, index))
            continue;
        if (devalidate_upper_entry(memory, frame, level, table[index], claimed) == OUTCOME_PREEMPTED) {
            record_progress(frame_info, index, true);
            return OUTCOME_PREEMPTED;
        }
        count_work(memory, PAGE_TYPE_WORK_ENTRIES_DEVALIDATED, 1);
    }
    record_progress(frame_info, 0, false);
    return OUTCOME_DONE;
}

static enum outcome validate_table(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                   enum page_type level)
{
    if (level == PAGE_TYPE_L1)
        return validate_l1(memory, frame, owner);
    return validate_upper_table(memory, frame, owner, level);
}

static enum outcome devalidate_table(const struct page_memory *memory, uint64_t frame, enum page_type level)
{
    uint64_t *table = memory->table(memory, frame);
    uint64_t present_entries = 0;

    if (level != PAGE_TYPE_L1)
        return devalidate_upper_table(memory, frame, level);
    for (unsigned int index = next_present_entry(table, 0); index < PAGE_TABLE_ENTRIES;
         index = next_present_entry(table, index + 1)) {
        drop_l1_entry_references(memory, table[index], l1_target_of(memory, table[index]));
        present_entries++;
    }
    count_work(memory, PAGE_TYPE_WORK_ENTRIES_DEVALIDATED, present_entries);
    return OUTCOME_DONE;
}

/* Parks a partial frame on its owner's pending release (Xen's
 * old_guest_table), which takes a general reference of its own.  The
 * callers of page_type.c keep that slot empty whenever an operation that
 * may park starts; should it not be, the frame stays partial, a state
 * every operation handles, and the owner's teardown finishes it. */
static void park_for_release(const struct page_memory *memory, uint64_t frame)
{
    struct frame *frame_info = frame_entry(memory, frame);
    struct page_pending_release *pending = memory->pending_release(memory, frame_info->owner);

    if (pending == NULL || pending->pending)
        return;
    frame_info->reference_count++;
    pending->pending = true;
    pending->frame = frame;
}

/* Validation ran on a frame holding type level with count 1 and neither
 * validated nor partial: the type count becomes the caller's, or the
 * partial state's, which holds a general reference on the frame.  A
 * refusal of a first step gives the frame back its type, flags and flush
 * stamp from before (it was never in use: no entry could reach it); a
 * refusal while continuing gives up the partial state, whose type was in
 * use since its first step, so the count drops to 0 now. */
static enum outcome finish_validation_step(const struct page_memory *memory, uint64_t frame, enum page_type level,
                                           enum outcome outcome, bool was_partial, const struct frame *before)
{
    struct frame *frame_info = frame_entry(memory, frame);

    switch (outcome) {
    case OUTCOME_DONE:
        frame_info->type_info |= PAGE_TYPE_VALIDATED;
        if (was_partial)
            page_put_reference(memory, frame);
        break;
    case OUTCOME_PREEMPTED:
    case OUTCOME_REFUSED_PARTIAL:
        frame_info->type_info |= PAGE_TYPE_PARTIAL;
        if (!was_partial)
            frame_info->reference_count++;
        break;
    case OUTCOME_REFUSED:
        if (was_partial) {
            frame_info->type_info = (uint32_t)level << PAGE_TYPE_SHIFT;
            stamp_last_use(memory, frame_info);
            page_put_reference(memory, frame);
        } else {
            frame_info->type_info = before->type_info;
            frame_info->flags = before->flags;
            frame_info->tlb_flush_stamp = before->tlb_flush_stamp;
        }
        break;
    }
    return outcome;
}

/* A type reference of an L1-L4 on a frame the caller holds a general
 * reference on: a table not in use is validated first, a partial one of
 * this level continued (Xen's _get_page_type). */
static enum outcome take_table_type(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                    enum page_type level)
{
    struct frame *frame_info = frame_entry(memory, frame);
    const struct frame before = *frame_info;
    uint32_t type_info = before.type_info;
    uint32_t count = type_info & PAGE_TYPE_COUNT_MASK;

    if (count == 0) {
        take_first_type_reference(memory, frame, level);
        record_progress(frame_info, 0, false);
        return finish_validation_step(memory, frame, level, validate_table(memory, frame, owner, level), false,
                                      &before);
    }
    if (type_in(type_info) != level || count == PAGE_TYPE_COUNT_MASK)
        return OUTCOME_REFUSED;
    if (is_partial(frame_info)) {
        frame_info->type_info &= ~PAGE_TYPE_PARTIAL;
        return finish_validation_step(memory, frame, level, validate_table(memory, frame, owner, level), true,
                                      &before);
    }
    if (!(type_info & PAGE_TYPE_VALIDATED))
        return OUTCOME_REFUSED;
    frame_info->type_info++;
    return OUTCOME_DONE;
}

/* Devalidation ran on a frame holding its type with count 1 and neither
 * validated nor partial: done, the type count drops to 0 (the frame's
 * last use as a table, every linear entry it held dropped, so its linear
 * count is 0); preempted, it stays as the partial state's, with a general
 * reference. */
static enum outcome finish_devalidation_step(const struct page_memory *memory, uint64_t frame, enum outcome outcome,
                                             bool was_partial)
{
    struct frame *frame_info = frame_entry(memory, frame);

    if (outcome == OUTCOME_PREEMPTED) {
        frame_info->type_info |= PAGE_TYPE_PARTIAL;
        if (!was_partial)
            frame_info->reference_count++;
        return outcome;
    }
    frame_info->type_info &= ~PAGE_TYPE_COUNT_MASK;
    stamp_last_use(memory, frame_info);
    if (was_partial)
        page_put_reference(memory, frame);
    return outcome;
}

/* Drops one type reference; the last one of a validated table starts its
 * devalidation (Xen's _put_page_type).  An L4 stops showing the
 * hypervisor's entries at once. */
static enum outcome drop_table_type(const struct page_memory *memory, uint64_t frame)
{
    struct frame *frame_info = frame_entry(memory, frame);
    uint32_t type_info = frame_info->type_info;
    enum page_type level = type_in(type_info);

    if ((type_info & PAGE_TYPE_COUNT_MASK) != 1 || !(type_info & PAGE_TYPE_VALIDATED) || !is_table_type(level)) {
        frame_info->type_info = type_info - 1;
        if ((type_info & PAGE_TYPE_COUNT_MASK) == 1)
            stamp_last_use(memory, frame_info);
        return OUTCOME_DONE;
    }
    frame_info->type_info = type_info & ~(PAGE_TYPE_VALIDATED | PAGE_TYPE_PINNED);
    record_progress(frame_info, PAGE_TABLE_ENTRIES, false);
    if (level == PAGE_TYPE_L4) {
        uint64_t *table = memory->table(memory, frame);

        for (unsigned int index = FIRST_HYPERVISOR_SLOT; index <= LAST_HYPERVISOR_SLOT; index++)
            table[index] = 0;
    }
    return finish_devalidation_step(memory, frame, devalidate_table(memory, frame, level), false);
}

/* Continues the devalidation of a partial frame until nothing is held. */
static enum outcome tear_down_partial(const struct page_memory *memory, uint64_t frame)
{
    struct frame *frame_info = frame_entry(memory, frame);

    frame_info->type_info &= ~PAGE_TYPE_PARTIAL;
    return finish_devalidation_step(memory, frame, devalidate_table(memory, frame, type_in(frame_info->type_info)),
                                    true);
}

int page_get_type(const struct page_memory *memory, uint64_t frame, uint16_t owner, enum page_type type)
{
    if (!is_owned(memory, frame, owner) || type <= PAGE_TYPE_NONE || type > PAGE_TYPE_SEGMENT_DESCRIPTOR)
        return -XEN_EINVAL;
    if (is_table_type(type)) {
        switch (take_table_type(memory, frame, owner, type)) {
        case OUTCOME_DONE:
            return 0;
        case OUTCOME_PREEMPTED:
            return -XEN_ERESTART;
        case OUTCOME_REFUSED_PARTIAL:
            park_for_release(memory, frame);
            return -XEN_EINVAL;
        case OUTCOME_REFUSED:
            return -XEN_EINVAL;
        }
    }
    return take_plain_type(memory, frame, type);
}

void page_put_type(const struct page_memory *memory, uint64_t frame)
{
    if (drop_table_type(memory, frame) == OUTCOME_PREEMPTED)
        park_for_release(memory, frame);
}

int page_get_reference_and_type(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                enum page_type type)
{
    int error = page_get_reference(memory, frame, owner);

    if (error)
        return error;
    error = page_get_type(memory, frame, owner, type);
    if (error)
        page_put_reference(memory, frame);
    return error;
}

void page_put_reference_and_type(const struct page_memory *memory, uint64_t frame)
{
    page_put_type(memory, frame);
    page_put_reference(memory, frame);
}

int page_finish_pending_release(const struct page_memory *memory, uint16_t owner)
{
    struct page_pending_release *pending = memory->pending_release(memory, owner);
    const struct frame *frame_info;

    if (pending == NULL || !pending->pending)
        return 0;
    frame_info = frame_entry(memory, pending->frame);
    if (is_partial(frame_info) && tear_down_partial(memory, pending->frame) == OUTCOME_PREEMPTED)
        return -XEN_ERESTART;
    pending->pending = false;
    page_put_reference(memory, pending->frame);
    return 0;
}

int page_release_partial(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    struct page_pending_release *pending = memory->pending_release(memory, owner);

    if (!is_owned(memory, frame, owner) || !is_partial(frame_entry(memory, frame)) || pending == NULL ||
        pending->pending)
        return -XEN_EINVAL;
    park_for_release(memory, frame);
    return page_finish_pending_release(memory, owner);
}

int page_pin(const struct page_memory *memory, uint64_t frame, uint16_t owner, enum page_type level)
{
    int error;

    if (!is_table_type(level) || !is_held(memory, frame, owner) ||
        (frame_entry(memory, frame)->type_info & PAGE_TYPE_PINNED))
        return -XEN_EINVAL;
    error = page_get_reference_and_type(memory, frame, owner, level);
    if (error)
        return error;
    frame_entry(memory, frame)->type_info |= PAGE_TYPE_PINNED;
    return 0;
}

int page_unpin(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    if (!is_owned(memory, frame, owner) || !(frame_entry(memory, frame)->type_info & PAGE_TYPE_PINNED))
        return -XEN_EINVAL;
    frame_entry(memory, frame)->type_info &= ~PAGE_TYPE_PINNED;
    page_put_reference_and_type(memory, frame);
    return 0;
}

/* A host mapping of a grant (PAGE_TABLE_ENTRY_GRANT): only the grant-table
 * code writes or removes one (Xen's put_page_from_l1e refuses to drop one
 * implicitly: pvmon refuses the update). */
static bool is_grant_entry(uint64_t entry)
{
    return (entry & PAGE_TABLE_ENTRY_PRESENT) && (entry & PAGE_TABLE_ENTRY_GRANT);
}

/* Whether two entries hold the same references: present or not alike,
 * the same frame and the same RW bit (an L1 entry's writable reference;
 * at the upper levels, RW decides whether a linear entry is allowed, so a
 * change of it takes the new entry's references afresh, as Xen's fast
 * path in mod_lN_entry leaves RW out of its whitelist). */
static bool same_references(uint64_t old_entry, uint64_t new_entry)
{
    uint64_t present = PAGE_TABLE_ENTRY_PRESENT;

    if (!(old_entry & present) || !(new_entry & present))
        return !(old_entry & present) && !(new_entry & present);
    if (page_table_entry_frame(old_entry) != page_table_entry_frame(new_entry))
        return false;
    return (old_entry & PAGE_TABLE_ENTRY_WRITABLE) == (new_entry & PAGE_TABLE_ENTRY_WRITABLE);
}

/* An entry of an L1 in use (the most frequent update: every page a Linux
 * guest faults in or unmaps): as below, with what the new entry names
 * looked up once for its bits and its references. */
static int update_l1_entry_in_use(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                                  uint64_t *table, unsigned int index, uint64_t entry, bool preserve_accessed_dirty,
                                  uint64_t *stored)
{
    uint64_t old_entry = table[index];
    enum l1_target target = l1_target_of(memory, entry);
    uint64_t accepted;
    int error = check_l1_entry_bits(memory, owner, entry, target, &accepted);

    if (error)
        return error;
    if (preserve_accessed_dirty && (accepted & PAGE_TABLE_ENTRY_PRESENT))
        accepted |= old_entry & (ENTRY_ACCESSED | ENTRY_DIRTY);
    if (!same_references(old_entry, accepted)) {
        error = take_l1_entry_references(memory, owner, frame_owner, accepted, target);
        if (error)
            return error;
        table[index] = accepted;
        drop_l1_entry_references(memory, old_entry, l1_target_of(memory, old_entry));
    } else {
        table[index] = accepted;
    }
    *stored = accepted;
    return 0;
}

/* An entry of a table in use: the new entry's references are taken before
 * the old one's are dropped, so a frame both name never drops to zero. */
static int update_entry_in_use(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                               uint64_t table_frame, enum page_type level, unsigned int index, uint64_t entry,
                               bool preserve_accessed_dirty, uint64_t *stored)
{
    uint64_t *table = memory->table(memory, table_frame);
    uint64_t old_entry = table[index];
    uint64_t accepted;
    int error;

    if (is_hypervisor_slot(level, index) || (level == PAGE_TYPE_L1 && is_grant_entry(old_entry)))
        return -XEN_EINVAL;
    if (level == PAGE_TYPE_L1)
        return update_l1_entry_in_use(memory, owner, frame_owner, table, index, entry, preserve_accessed_dirty,
                                      stored);
    error = check_entry_bits(memory, owner, level, entry, &accepted);
    if (error)
        return error;
    if (preserve_accessed_dirty && (accepted & PAGE_TABLE_ENTRY_PRESENT))
        accepted |= old_entry & (ENTRY_ACCESSED | ENTRY_DIRTY);
    if (!same_references(old_entry, accepted)) {
        error = take_entry_references(memory, owner, owner, table_frame, level, accepted);
        if (error)
            return error;
        table[index] = accepted;
        drop_entry_references(memory, table_frame, level, old_entry);
    } else {
        table[index] = accepted;
    }
    *stored = accepted;
    return 0;
}

/* A frame that is not a table in use is written as it is, under a
 * writable type reference (refused for descriptor pages and tables). */
static int update_plain_frame(const struct page_memory *memory, uint16_t owner, uint64_t frame, unsigned int index,
                              uint64_t entry, uint64_t *stored)
{
    int error = page_get_type(memory, frame, owner, PAGE_TYPE_WRITABLE);

    if (error)
        return error;
    memory->table(memory, frame)[index] = entry;
    page_put_type(memory, frame);
    *stored = entry;
    return 0;
}

int page_update_entry(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                      unsigned int index, uint64_t entry, bool preserve_accessed_dirty, uint64_t *stored)
{
    return page_update_entry_foreign(memory, owner, owner, table_frame, index, entry, preserve_accessed_dirty,
                                     stored);
}

int page_update_entry_foreign(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                              uint64_t table_frame, unsigned int index, uint64_t entry,
                              bool preserve_accessed_dirty, uint64_t *stored)
{
    uint64_t written;
    uint32_t type_info;
    int error;

    if (index >= PAGE_TABLE_ENTRIES)
        return -XEN_EINVAL;
    error = page_get_reference(memory, table_frame, owner);
    if (error)
        return error;
    type_info = frame_entry(memory, table_frame)->type_info;
    if (is_table_type(type_in(type_info)) && (type_info & PAGE_TYPE_COUNT_MASK) > 0 &&
        !(type_info & PAGE_TYPE_VALIDATED))
        error = -XEN_EINVAL;
    else if (is_table_type(type_in(type_info)) && (type_info & PAGE_TYPE_COUNT_MASK) > 0)
        error = update_entry_in_use(memory, owner, frame_owner, table_frame, type_in(type_info), index, entry,
                                    preserve_accessed_dirty, &written);
    else
        error = update_plain_frame(memory, owner, table_frame, index, entry, &written);
    page_put_reference(memory, table_frame);
    if (error == 0 && stored != NULL)
        *stored = written;
    return error;
}

/* An L1 of owner's in use, at an index in range: the table a grant entry
 * may be written in (Xen's create_grant_pv_mapping: PGT_l1_page_table). */
static bool is_grant_table_slot(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                                unsigned int index)
{
    return index < PAGE_TABLE_ENTRIES && is_owned(memory, table_frame, owner) &&
           page_is_validated_table(memory, table_frame, PAGE_TYPE_L1);
}

int page_install_grant_entry(const struct page_memory *memory, uint16_t owner, uint16_t frame_owner,
                             uint64_t table_frame, unsigned int index, uint64_t entry)
{
    uint64_t *table;
    uint64_t old_entry;
    int error;

    if (!is_grant_table_slot(memory, owner, table_frame, index) || !is_grant_entry(entry))
        return -XEN_EINVAL;
    table = memory->table(memory, table_frame);
    old_entry = table[index];
    if (is_grant_entry(old_entry))
        return -XEN_EINVAL;
    error = take_entry_references(memory, owner, frame_owner, table_frame, PAGE_TYPE_L1, entry);
    if (error)
        return error;
    table[index] = entry;
    drop_entry_references(memory, table_frame, PAGE_TYPE_L1, old_entry);
    return 0;
}

int page_remove_grant_entry(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                            unsigned int index, uint64_t frame, bool writable)
{
    uint64_t *table;
    uint64_t old_entry;

    if (!is_grant_table_slot(memory, owner, table_frame, index))
        return -XEN_EINVAL;
    table = memory->table(memory, table_frame);
    old_entry = table[index];
    if (!is_grant_entry(old_entry) || page_table_entry_frame(old_entry) != frame ||
        ((old_entry & PAGE_TABLE_ENTRY_WRITABLE) != 0) != writable)
        return -XEN_EINVAL;
    table[index] = 0;
    drop_entry_references(memory, table_frame, PAGE_TYPE_L1, old_entry);
    return 0;
}

bool page_is_held(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    return is_held(memory, frame, owner);
}

enum page_type page_type_of(const struct page_memory *memory, uint64_t frame)
{
    return frame < memory->frame_count ? type_in(frame_entry(memory, frame)->type_info) : PAGE_TYPE_NONE;
}

uint32_t page_type_count(const struct page_memory *memory, uint64_t frame)
{
    return frame < memory->frame_count ? frame_entry(memory, frame)->type_info & PAGE_TYPE_COUNT_MASK : 0;
}

uint32_t page_reference_count(const struct page_memory *memory, uint64_t frame)
{
    return frame < memory->frame_count ? frame_entry(memory, frame)->reference_count & PAGE_REFERENCE_COUNT_MASK
                                       : 0;
}

bool page_is_validated_table(const struct page_memory *memory, uint64_t frame, enum page_type level)
{
    uint32_t type_info;

    if (frame >= memory->frame_count)
        return false;
    type_info = frame_entry(memory, frame)->type_info;
    return type_in(type_info) == level && (type_info & PAGE_TYPE_VALIDATED) &&
           (type_info & PAGE_TYPE_COUNT_MASK) > 0;
}
