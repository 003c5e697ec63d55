/*
 * Page types and reference counts (see pvmon/page_type.h for the rules and
 * invariants).  Every operation either completes or leaves the frame table
 * and the tables' contents exactly as it found them: a table is validated
 * in two passes (take every entry's references, then apply the fix-ups),
 * so a refusal part-way only has to give back what the first pass took.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#define ENTRY_ACCESSED (UINT64_C(1) << 5)
#define ENTRY_DIRTY (UINT64_C(1) << 6)
#define ENTRY_GLOBAL (UINT64_C(1) << 8)
#define ENTRY_RESERVED_FOR_HYPERVISOR UINT64_C(0x7ff0000000000000)

#define ENTRY_WRITE_THROUGH (UINT64_C(1) << 3)
#define ENTRY_CACHE_DISABLE (UINT64_C(1) << 4)

/* Xen's L2/L3/L4_DISALLOW_MASK (base_disallow_mask): no superpages, no
 * global tables, and tables only walked write-back (no PWT, PCD). */
#define UPPER_LEVEL_DISALLOWED                                                                                        \
    (PAGE_TABLE_ENTRY_LARGE | ENTRY_GLOBAL | ENTRY_RESERVED_FOR_HYPERVISOR | ENTRY_WRITE_THROUGH |                   \
     ENTRY_CACHE_DISABLE)

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

int page_get_reference(const struct page_memory *memory, uint64_t frame, uint16_t owner)
{
    struct frame *entry;

    if (!is_held(memory, frame, owner))
        return -XEN_EINVAL;
    entry = frame_entry(memory, frame);
    if ((entry->reference_count & PAGE_REFERENCE_COUNT_MASK) == PAGE_REFERENCE_COUNT_MASK)
        return -XEN_EINVAL;
    entry->reference_count++;
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

/* The bits an entry may carry at its level, and the fix-ups: 0 with
 * *accepted what to store, or -EINVAL. */
static int check_entry_bits(enum page_type level, uint64_t entry, uint64_t *accepted)
{
    if (level == PAGE_TYPE_L1)
        return page_table_entry_check_l1(entry, accepted);
    if ((entry & PAGE_TABLE_ENTRY_PRESENT) && (entry & UPPER_LEVEL_DISALLOWED))
        return -XEN_EINVAL;
    *accepted = (entry & PAGE_TABLE_ENTRY_PRESENT) ? entry | PAGE_TABLE_ENTRY_USER : entry;
    return 0;
}

static int validate_table(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                          enum page_type level);
static void devalidate_table(const struct page_memory *memory, uint64_t frame, enum page_type level);

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

/* The type count dropped to 0 (and the table, if it was one, is
 * devalidated, so its linear count, which shares the field, is 0 again):
 * the frame's last use as its type is now. */
static void stamp_last_use(const struct page_memory *memory, struct frame *entry)
{
    entry->tlb_flush_stamp = (uint16_t)memory->tlb_flush_clock(memory);
}

static int take_first_type_reference(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                                     enum page_type type)
{
    struct frame *entry = frame_entry(memory, frame);
    uint32_t saved_type_info = entry->type_info;
    uint8_t saved_flags = entry->flags;
    uint16_t saved_stamp = entry->tlb_flush_stamp;
    int error;

    if (type_change_needs_flush(memory, entry, type))
        memory->request_tlb_flush(memory);
    entry->type_info = ((uint32_t)type << PAGE_TYPE_SHIFT) | 1;
    entry->flags &= ~FRAME_FLAG_KNOWN_ZERO;
    entry->linear_count = 0;
    if (!is_table_type(type))
        return 0;
    error = validate_table(memory, frame, owner, type);
    if (error) {
        entry->type_info = saved_type_info;
        entry->flags = saved_flags;
        entry->tlb_flush_stamp = saved_stamp;
        return error;
    }
    entry->type_info |= PAGE_TYPE_VALIDATED;
    return 0;
}

int page_get_type(const struct page_memory *memory, uint64_t frame, uint16_t owner, enum page_type type)
{
    struct frame *entry;
    uint32_t count;

    if (!is_owned(memory, frame, owner) || type <= PAGE_TYPE_NONE || type > PAGE_TYPE_SEGMENT_DESCRIPTOR)
        return -XEN_EINVAL;
    entry = frame_entry(memory, frame);
    count = entry->type_info & PAGE_TYPE_COUNT_MASK;
    if (count == 0)
        return take_first_type_reference(memory, frame, owner, type);
    if (type_in(entry->type_info) != type || count == PAGE_TYPE_COUNT_MASK)
        return -XEN_EINVAL;
    entry->type_info++;
    return 0;
}

void page_put_type(const struct page_memory *memory, uint64_t frame)
{
    struct frame *entry = frame_entry(memory, frame);
    uint32_t type_info = entry->type_info;

    if ((type_info & PAGE_TYPE_COUNT_MASK) == 1 && (type_info & PAGE_TYPE_VALIDATED)) {
        entry->type_info = (type_info - 1) & ~PAGE_TYPE_VALIDATED;
        devalidate_table(memory, frame, type_in(type_info));
        stamp_last_use(memory, entry);
        return;
    }
    entry->type_info = type_info - 1;
    if ((type_info & PAGE_TYPE_COUNT_MASK) == 1)
        stamp_last_use(memory, entry);
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

/*
 * Read-only linear page tables (Xen's pv-linear-pt, on by default, under
 * its XSA-240 rules: get_lN_linear_pagetable, inc/dec_linear_entries and
 * _uses).  An L2, L3 or L4 entry that cannot hold a reference of the next
 * lower level may instead point at a table of its own level:
 *   - read-only only (-EINVAL with RW): the guest must never write a table
 *     through it;
 *   - at the table itself: nothing is counted (it is validated by the
 *     very validation that would take the reference);
 *   - at another table: of the same owner, already validated at that
 *     level; it takes a general and a type reference on it, and one
 *     level of linearity only: a table holding linear entries cannot be
 *     used linearly and a table used linearly cannot hold any (the signed
 *     linear_count of pvmon/frame.h), so that a chain of two is refused.
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

/* A present entry of an L2-L4 whose target is a table of its own level
 * (an ordinary entry's target has the level below). */
static bool is_linear_entry(const struct page_memory *memory, enum page_type level, uint64_t entry)
{
    return level != PAGE_TYPE_L1 && type_in(frame_entry(memory, page_table_entry_frame(entry))->type_info) == level;
}

/* The references a present entry at level holds on what it points at: a
 * general one for an L1 entry (plus writable if RW), a general and a
 * type reference of the next lower level for the others, or of their own
 * level for a linear entry. */
static int take_entry_references(const struct page_memory *memory, uint16_t owner, uint64_t table_frame,
                                 enum page_type level, uint64_t entry)
{
    uint64_t target = page_table_entry_frame(entry);
    int error;

    if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
        return 0;
    if (level != PAGE_TYPE_L1) {
        error = page_get_reference_and_type(memory, target, owner, level - 1);
        if (error == -XEN_EINVAL)
            error = take_linear_references(memory, owner, table_frame, level, entry);
        return error;
    }
    error = page_get_reference(memory, target, owner);
    if (error || !(entry & PAGE_TABLE_ENTRY_WRITABLE))
        return error;
    error = page_get_type(memory, target, owner, PAGE_TYPE_WRITABLE);
    if (error)
        page_put_reference(memory, target);
    return error;
}

static void drop_entry_references(const struct page_memory *memory, uint64_t table_frame, enum page_type level,
                                  uint64_t entry)
{
    uint64_t target = page_table_entry_frame(entry);

    if (!(entry & PAGE_TABLE_ENTRY_PRESENT) || (level != PAGE_TYPE_L1 && target == table_frame))
        return;
    if (is_linear_entry(memory, level, entry)) {
        frame_entry(memory, table_frame)->linear_count--;
        frame_entry(memory, target)->linear_count++;
    }
    if (level == PAGE_TYPE_L1 && !(entry & PAGE_TABLE_ENTRY_WRITABLE))
        page_put_reference(memory, target);
    else
        page_put_reference_and_type(memory, target);
}

static void drop_references_before(const struct page_memory *memory, uint64_t table_frame, const uint64_t *table,
                                   enum page_type level, unsigned int end)
{
    for (unsigned int index = 0; index < end; index++) {
        if (!is_hypervisor_slot(level, index))
            drop_entry_references(memory, table_frame, level, table[index]);
    }
}

static int validate_table(const struct page_memory *memory, uint64_t frame, uint16_t owner,
                          enum page_type level)
{
    uint64_t *table = memory->table(memory, frame);
    uint64_t accepted;

    for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
        int error;

        if (is_hypervisor_slot(level, index))
            continue;
        error = check_entry_bits(level, table[index], &accepted);
        if (error == 0)
            error = take_entry_references(memory, owner, frame, level, table[index]);
        if (error) {
            drop_references_before(memory, frame, table, level, index);
            return error;
        }
    }
    for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
        if (is_hypervisor_slot(level, index))
            table[index] = memory->hypervisor_l4_entries[index - FIRST_HYPERVISOR_SLOT];
        else if (check_entry_bits(level, table[index], &accepted) == 0)
            table[index] = accepted;
    }
    return 0;
}

/* The table is no longer in use: what its entries held is given back, and
 * an L4 no longer shows the hypervisor's entries to its guest. */
static void devalidate_table(const struct page_memory *memory, uint64_t frame, enum page_type level)
{
    uint64_t *table = memory->table(memory, frame);

    drop_references_before(memory, frame, table, level, PAGE_TABLE_ENTRIES);
    if (level != PAGE_TYPE_L4)
        return;
    for (unsigned int index = FIRST_HYPERVISOR_SLOT; index <= LAST_HYPERVISOR_SLOT; index++)
        table[index] = 0;
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

    if (is_hypervisor_slot(level, index))
        return -XEN_EINVAL;
    error = check_entry_bits(level, entry, &accepted);
    if (error)
        return error;
    if (preserve_accessed_dirty && (accepted & PAGE_TABLE_ENTRY_PRESENT))
        accepted |= old_entry & (ENTRY_ACCESSED | ENTRY_DIRTY);
    if (!same_references(old_entry, accepted)) {
        error = take_entry_references(memory, level == PAGE_TYPE_L1 ? frame_owner : owner, table_frame, level,
                                      accepted);
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
    if (is_table_type(type_in(type_info)) && (type_info & PAGE_TYPE_COUNT_MASK) > 0)
        error = update_entry_in_use(memory, owner, frame_owner, table_frame, type_in(type_info), index, entry,
                                    preserve_accessed_dirty, &written);
    else
        error = update_plain_frame(memory, owner, table_frame, index, entry, &written);
    page_put_reference(memory, table_frame);
    if (error == 0 && stored != NULL)
        *stored = written;
    return error;
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
