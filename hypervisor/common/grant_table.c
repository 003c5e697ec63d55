/*
 * Grant tables v1: the tables, the pin protocol, map, unmap, copy and
 * teardown (see pvmon/grant_table.h for the rules; Xen 4.17's
 * xen/common/grant_table.c is named beside each piece).
 *
 * Every guest value is hostile: a ref is checked against the table's size
 * before any entry is looked at, a handle against the maptrack's, a frame
 * read from a shared entry only after the entry was claimed, and every
 * frame a reference is taken on must be held by its owner
 * (page_type.c's is_held), so an old pin never reaches a frame the granter
 * gave back.  The shared entries are the granter's memory: each is read
 * once into a local and changed only by compare-exchange or atomic
 * bit-clear, since the guest may change it at any time.
 */
#include <stddef.h>

#include <pvmon/errno.h>
#include <pvmon/grant_table.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>
#include <pvmon/string.h>

#define ENTRY_ACCESSED (UINT64_C(1) << 5)
#define ENTRY_DIRTY (UINT64_C(1) << 6)
#define ENTRY_NO_EXECUTE (UINT64_C(1) << 63)
#define PIN_RETRIES 5
#define MAPPING_HELD (GNTMAP_device_map | GNTMAP_host_map)

/* ---- the table ---- */

uint32_t grant_table_entry_count(const struct grant_table *table)
{
    return table->frame_count * GRANT_ENTRIES_PER_FRAME;
}

static void free_active_pages(const struct grant_environment *environment, struct grant_table *table,
                              unsigned int frame)
{
    for (unsigned int page = 0; page < GRANT_ACTIVE_PAGES_PER_FRAME; page++) {
        unsigned int slot = frame * GRANT_ACTIVE_PAGES_PER_FRAME + page;

        if (table->active[slot] != NULL)
            environment->free_private(environment, table->active[slot]);
        table->active[slot] = NULL;
    }
}

/* One more shared frame and its active entries, or nothing. */
static int add_frame(const struct grant_environment *environment, struct grant_table *table)
{
    unsigned int frame = table->frame_count;

    for (unsigned int page = 0; page < GRANT_ACTIVE_PAGES_PER_FRAME; page++) {
        void *active = environment->allocate_private(environment);

        table->active[frame * GRANT_ACTIVE_PAGES_PER_FRAME + page] = active;
        if (active == NULL) {
            free_active_pages(environment, table, frame);
            return -XEN_ENOMEM;
        }
    }
    if (environment->allocate_shared_frame(environment, table->domain_id, &table->frames[frame]) != 0) {
        free_active_pages(environment, table, frame);
        return -XEN_ENOMEM;
    }
    table->frame_count++;
    return 0;
}

int grant_table_create(const struct grant_environment *environment, struct grant_table *table, uint16_t domain_id)
{
    *table = (struct grant_table){ .domain_id = domain_id };
    for (unsigned int frame = 0; frame < GRANT_TABLE_INITIAL_FRAMES; frame++) {
        if (add_frame(environment, table) != 0) {
            grant_table_destroy(environment, table);
            return -XEN_ENOMEM;
        }
    }
    return 0;
}

void grant_table_destroy(const struct grant_environment *environment, struct grant_table *table)
{
    for (unsigned int frame = 0; frame < table->frame_count; frame++) {
        environment->release_shared_frame(environment, table->frames[frame]);
        free_active_pages(environment, table, frame);
    }
    for (unsigned int page = 0; page < table->maptrack_pages; page++)
        environment->free_private(environment, table->maptrack[page]);
    *table = (struct grant_table){ .domain_id = table->domain_id, .dying = true };
}

/* Xen's gnttab_grow_table. */
int16_t grant_table_grow(const struct grant_environment *environment, struct grant_table *table,
                         uint32_t frame_count)
{
    if (frame_count > GRANT_TABLE_MAX_FRAMES)
        return GNTST_general_error;
    while (table->frame_count < frame_count) {
        if (add_frame(environment, table) != 0)
            return GNTST_general_error;
    }
    return GNTST_okay;
}

/* Xen's gnttab_set_version with max_version 1: version 2 answers -ENOSYS
 * ("behave as before set_version was introduced"), which Linux takes as
 * "use v1".  The -EBUSY rule (entries in use when the version changes)
 * cannot arise: the version never changes. */
int grant_table_set_version(const struct grant_table *table, uint32_t *version)
{
    int result = 0;

    (void)table;
    if (*version != 1 && *version != 2)
        result = -XEN_EINVAL;
    else if (*version == 2)
        result = -XEN_ENOSYS;
    *version = 1;
    return result;
}

grant_entry_v1_t *grant_table_shared_entry(const struct grant_environment *environment,
                                           const struct grant_table *table, grant_ref_t ref)
{
    const struct page_memory *memory = environment->memory;
    uint64_t frame = table->frames[ref / GRANT_ENTRIES_PER_FRAME];

    return (grant_entry_v1_t *)memory->table(memory, frame) + ref % GRANT_ENTRIES_PER_FRAME;
}

static struct grant_active_entry *active_entry(const struct grant_table *table, grant_ref_t ref)
{
    return &table->active[ref / GRANT_ACTIVE_PER_PAGE][ref % GRANT_ACTIVE_PER_PAGE];
}

const struct grant_active_entry *grant_table_active_entry(const struct grant_table *table, grant_ref_t ref)
{
    return active_entry(table, ref);
}

/* ---- the pin protocol ---- */

/* The 32-bit word {flags, domid} at the start of a v1 entry (x86 is
 * little-endian: flags in the low half). */
static uint32_t *entry_word(grant_entry_v1_t *entry)
{
    return (uint32_t *)(void *)entry;
}

static uint16_t word_flags(uint32_t word)
{
    return (uint16_t)word;
}

static uint16_t word_domid(uint32_t word)
{
    return (uint16_t)(word >> 16);
}

/* Whether adding increment would overflow one of the 8-bit pin counters
 * (Xen's GNTPIN_incr2oflow_mask: the counter's top bit is already set). */
static bool pin_would_overflow(uint32_t pin, uint32_t increment)
{
    return (pin & (increment << 7)) != 0;
}

static uint32_t pin_increment(uint32_t flags)
{
    uint32_t increment = 0;

    if (flags & GNTMAP_device_map)
        increment += (flags & GNTMAP_readonly) ? GRANT_PIN_DEVICE_READ : GRANT_PIN_DEVICE_WRITE;
    if (flags & GNTMAP_host_map)
        increment += (flags & GNTMAP_readonly) ? GRANT_PIN_HOST_READ : GRANT_PIN_HOST_WRITE;
    return increment;
}

/*
 * Xen's _set_status_v1: sets GTF_reading (and GTF_writing) with one
 * compare-exchange of {flags, domid}, checking on every try, when the
 * entry is not pinned yet, that it permits access to caller (and is not a
 * sub-page grant for a map), and for a writable use that it is not
 * read-only.  At most PIN_RETRIES tries against a guest that keeps
 * changing the word.
 */
static int16_t claim_entry(const struct grant_environment *environment, grant_entry_v1_t *shared,
                           const struct grant_active_entry *active, uint16_t caller, bool readonly, bool map)
{
    uint32_t *word = entry_word(shared);
    uint16_t type_mask = GTF_type_mask | (map ? GTF_sub_page : 0);
    uint32_t seen = __atomic_load_n(word, __ATOMIC_RELAXED);

    for (unsigned int tries = 1;; tries++) {
        uint16_t flags = word_flags(seen);
        uint32_t claimed;
        uint32_t previous;

        if (active->pin == 0 && ((flags & type_mask) != GTF_permit_access || word_domid(seen) != caller))
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_general_error;
        claimed = seen | GTF_reading | (readonly ? 0 : GTF_writing);
        previous = environment->compare_exchange(environment, word, seen, claimed);
        if (previous == seen)
            return GNTST_okay;
        if (tries == PIN_RETRIES)
            return GNTST_general_error;
        seen = previous;
    }
}

/* Xen's reduce_status_for_pin: clears GTF_reading once nothing pins the
 * entry and GTF_writing once no writable pin is left, atomically (the
 * guest may compare-exchange the same word).  Called in the same step as
 * the pin is lowered (XSA-218), looking at host and device pins alike
 * (XSA-230). */
static void reduce_status_for_pin(grant_entry_v1_t *shared, const struct grant_active_entry *active,
                                  bool readonly)
{
    uint16_t clear = active->pin == 0 ? GTF_reading : 0;

    if (!readonly && !(active->pin & GRANT_PIN_WRITERS_MASK))
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(&shared->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/*
 * Pins ref of granter for caller with increment (Xen's map_grant_ref and
 * acquire_grant_for_copy up to the frame): bounds, the pinned entry's
 * owner and counters, the claim when the entry is not pinned or gains its
 * first writer, and on a first pin the frame, read after the claim and
 * held by the granter (get_paged_frame: GNTST_bad_page).  *frame is the
 * pinned frame.
 */
static int16_t pin_entry(const struct grant_environment *environment, const struct grant_table *granter,
                         grant_ref_t ref, uint16_t caller, uint32_t increment, bool readonly, bool map,
                         uint64_t *frame)
{
    struct grant_active_entry *active;
    grant_entry_v1_t *shared;
    int16_t status;

    if (ref >= grant_table_entry_count(granter))
        return GNTST_bad_gntref;
    active = active_entry(granter, ref);
    shared = grant_table_shared_entry(environment, granter, ref);
    if (active->pin != 0 && (active->domid != caller || pin_would_overflow(active->pin, increment)))
        return GNTST_general_error;
    if (active->pin == 0 || (!readonly && !(active->pin & GRANT_PIN_WRITERS_MASK))) {
        status = claim_entry(environment, shared, active, caller, readonly, map);
        if (status != GNTST_okay)
            return status;
        if (active->pin == 0) {
            uint64_t granted = __atomic_load_n(&shared->frame, __ATOMIC_ACQUIRE);

            if (!page_is_held(environment->memory, granted, granter->domain_id)) {
                reduce_status_for_pin(shared, active, readonly);
                return GNTST_bad_page;
            }
            active->domid = caller;
            active->frame = granted;
        }
    }
    active->pin += increment;
    *frame = active->frame;
    return GNTST_okay;
}

static void unpin_entry(const struct grant_environment *environment, const struct grant_table *granter,
                        grant_ref_t ref, uint32_t increment, bool readonly)
{
    struct grant_active_entry *active = active_entry(granter, ref);

    active->pin -= increment;
    reduce_status_for_pin(grant_table_shared_entry(environment, granter, ref), active, readonly);
}

/* ---- frame references ---- */

static int take_frame(const struct page_memory *memory, uint64_t frame, uint16_t owner, bool writable)
{
    int error = page_get_reference(memory, frame, owner);

    if (error || !writable)
        return error;
    error = page_get_type(memory, frame, owner, PAGE_TYPE_WRITABLE);
    if (error)
        page_put_reference(memory, frame);
    return error;
}

static void drop_frame(const struct page_memory *memory, uint64_t frame, bool writable)
{
    if (writable)
        page_put_reference_and_type(memory, frame);
    else
        page_put_reference(memory, frame);
}

/* ---- maptrack ---- */

const struct grant_mapping *grant_table_mapping(const struct grant_table *table, grant_handle_t handle)
{
    if (handle >= table->maptrack_pages * GRANT_MAPTRACK_PER_PAGE)
        return NULL;
    return &table->maptrack[handle / GRANT_MAPTRACK_PER_PAGE][handle % GRANT_MAPTRACK_PER_PAGE];
}

static struct grant_mapping *mapping_at(const struct grant_table *table, grant_handle_t handle)
{
    return (struct grant_mapping *)grant_table_mapping(table, handle);
}

/* A free handle (lowest first), growing the maptrack a page at a time up
 * to GRANT_MAPTRACK_LIMIT; false: none (GNTST_no_space). */
static bool find_free_handle(const struct grant_environment *environment, struct grant_table *table,
                             grant_handle_t *handle)
{
    unsigned int limit = table->maptrack_pages * GRANT_MAPTRACK_PER_PAGE;

    for (grant_handle_t candidate = 0; candidate < limit; candidate++) {
        if (mapping_at(table, candidate)->flags == 0) {
            *handle = candidate;
            return true;
        }
    }
    if (table->maptrack_pages == GRANT_MAPTRACK_PAGES)
        return false;
    table->maptrack[table->maptrack_pages] = environment->allocate_private(environment);
    if (table->maptrack[table->maptrack_pages] == NULL)
        return false;
    table->maptrack_pages++;
    *handle = (grant_handle_t)limit;
    return true;
}

/* ---- map ---- */

/* Xen's grant_to_pte_flags for a 64-bit PV guest (U forced on, as for any
 * of its L1 entries; cache attributes never: RAM is write-back). */
static uint64_t grant_host_entry(uint64_t frame, bool readonly)
{
    uint64_t entry = (frame << 12) | PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_USER | ENTRY_ACCESSED |
                     ENTRY_DIRTY | PAGE_TABLE_ENTRY_GRANT | ENTRY_NO_EXECUTE;

    return readonly ? entry : entry | PAGE_TABLE_ENTRY_WRITABLE;
}

/* The granter's table for a map or copy: found and not torn down. */
static struct grant_table *live_table(const struct grant_environment *environment, uint16_t domain_id)
{
    struct grant_table *table = environment->find(environment, domain_id);

    return table != NULL && !table->dying ? table : NULL;
}

/* Where a host mapping's L1 entry is (Xen's create_grant_pv_mapping):
 * with GNTMAP_contains_pte, host_addr is the entry's machine address,
 * which must be aligned to an entry (XSA-227); otherwise the entry that
 * maps host_addr in mapper's current page tables.  Either must be an L1
 * of mapper's in use, which page_type.c checks when it writes. */
static int locate_host_entry(const struct grant_environment *environment, uint16_t mapper, uint64_t host_addr,
                             uint32_t flags, uint64_t *table_frame, unsigned int *index)
{
    if (!(flags & GNTMAP_contains_pte))
        return environment->find_l1_entry(environment, mapper, host_addr, table_frame, index);
    if (host_addr % sizeof(uint64_t) != 0)
        return -XEN_EINVAL;
    *table_frame = host_addr / GRANT_PAGE_SIZE;
    *index = (unsigned int)(host_addr % GRANT_PAGE_SIZE / sizeof(uint64_t));
    return 0;
}

/* The L1 entry becomes the grant entry; GNTST_general_error if there is
 * none or it cannot take the references. */
static int16_t create_host_mapping(const struct grant_environment *environment, uint16_t mapper,
                                   uint16_t granter, const struct gnttab_map_grant_ref *op, uint64_t frame)
{
    uint64_t table_frame;
    unsigned int index;

    if (locate_host_entry(environment, mapper, op->host_addr, op->flags, &table_frame, &index) != 0)
        return GNTST_general_error;
    if (page_install_grant_entry(environment->memory, mapper, granter, table_frame, index,
                                 grant_host_entry(frame, op->flags & GNTMAP_readonly)) != 0)
        return GNTST_general_error;
    return GNTST_okay;
}

/* The references of a new mapping of a pinned frame (Xen's map_grant_ref
 * after the pin): a device mapping's in the maptrack entry, a host
 * mapping's in its L1 entry; all or nothing. */
static int16_t take_mapping_references(const struct grant_environment *environment, uint16_t mapper,
                                       uint16_t granter, const struct gnttab_map_grant_ref *op, uint64_t frame)
{
    bool readonly = op->flags & GNTMAP_readonly;
    bool device = op->flags & GNTMAP_device_map;
    int16_t status = GNTST_okay;

    if (device && take_frame(environment->memory, frame, granter, !readonly) != 0)
        return GNTST_general_error;
    if (op->flags & GNTMAP_host_map)
        status = create_host_mapping(environment, mapper, granter, op, frame);
    if (status != GNTST_okay && device)
        drop_frame(environment->memory, frame, !readonly);
    return status;
}

/* Xen's map_grant_ref: the order of its checks, so that each refusal has
 * Xen's status. */
void grant_table_map(const struct grant_environment *environment, struct grant_table *mapper,
                     struct gnttab_map_grant_ref *op)
{
    uint32_t increment = pin_increment(op->flags);
    bool readonly = op->flags & GNTMAP_readonly;
    struct grant_table *granter;
    struct grant_mapping *mapping;
    grant_handle_t handle;
    uint64_t frame;

    if (increment == 0) {
        op->status = GNTST_bad_gntref;
        return;
    }
    granter = live_table(environment, op->dom);
    if (granter == NULL) {
        op->status = GNTST_bad_domain;
        return;
    }
    if (!find_free_handle(environment, mapper, &handle)) {
        op->status = GNTST_no_space;
        return;
    }
    op->status = pin_entry(environment, granter, op->ref, mapper->domain_id, increment, readonly, true, &frame);
    if (op->status != GNTST_okay)
        return;
    op->status = take_mapping_references(environment, mapper->domain_id, granter->domain_id, op, frame);
    if (op->status != GNTST_okay) {
        unpin_entry(environment, granter, op->ref, increment, readonly);
        return;
    }
    mapping = mapping_at(mapper, handle);
    *mapping = (struct grant_mapping){
        .flags = (uint16_t)(op->flags & (MAPPING_HELD | GNTMAP_readonly | GNTMAP_contains_pte)),
        .granter = granter->domain_id,
        .ref = op->ref,
        .frame = frame,
    };
    op->handle = handle;
    op->dev_bus_addr = frame << 12;
}

/* ---- unmap ---- */

/* Lowers the pins of the parts of a mapping that were released, and drops
 * the device part's references (Xen's unmap_common_complete); the host
 * part's references went with its L1 entry. */
static void complete_release(const struct grant_environment *environment, const struct grant_mapping *mapping,
                             uint16_t released)
{
    bool readonly = mapping->flags & GNTMAP_readonly;
    uint32_t increment = pin_increment(released | (mapping->flags & GNTMAP_readonly));
    struct grant_table *granter;

    if (released == 0)
        return;
    if (released & GNTMAP_device_map)
        drop_frame(environment->memory, mapping->frame, !readonly);
    if (mapping->flags & GRANT_MAPPING_ORPHANED)
        return;
    granter = environment->find(environment, mapping->granter);
    if (granter != NULL && mapping->ref < grant_table_entry_count(granter))
        unpin_entry(environment, granter, mapping->ref, increment, readonly);
}

/* Xen's replace_grant_pv_mapping with no replacement: the L1 entry at
 * host_addr must still map the frame with the mapping's RW bit (XSA-234). */
static int16_t destroy_host_mapping(const struct grant_environment *environment, uint16_t mapper,
                                    uint64_t host_addr, const struct grant_mapping *mapping)
{
    uint64_t table_frame;
    unsigned int index;

    if (locate_host_entry(environment, mapper, host_addr, mapping->flags, &table_frame, &index) != 0)
        return GNTST_general_error;
    if (page_remove_grant_entry(environment->memory, mapper, table_frame, index, mapping->frame,
                                !(mapping->flags & GNTMAP_readonly)) != 0)
        return GNTST_general_error;
    return GNTST_okay;
}

/* Xen's unmap_common and unmap_common_complete. */
void grant_table_unmap(const struct grant_environment *environment, struct grant_table *mapper,
                       struct gnttab_unmap_grant_ref *op)
{
    struct grant_mapping *mapping = mapping_at(mapper, op->handle);
    uint16_t released = 0;

    if (mapping == NULL || (mapping->flags & MAPPING_HELD) == 0) {
        op->status = GNTST_bad_handle;
        return;
    }
    if (op->dev_bus_addr != 0 && (mapping->flags & GNTMAP_device_map) &&
        op->dev_bus_addr != mapping->frame << 12) {
        op->status = GNTST_bad_dev_addr;
        return;
    }
    if (op->host_addr != 0 && (mapping->flags & GNTMAP_host_map)) {
        op->status = destroy_host_mapping(environment, mapper->domain_id, op->host_addr, mapping);
        if (op->status != GNTST_okay)
            return;
        released |= GNTMAP_host_map;
    }
    if (op->dev_bus_addr != 0 && (mapping->flags & GNTMAP_device_map))
        released |= GNTMAP_device_map;
    op->status = GNTST_okay;
    complete_release(environment, mapping, released);
    mapping->flags &= (uint16_t)~released;
    if ((mapping->flags & MAPPING_HELD) == 0)
        *mapping = (struct grant_mapping){ 0 };
}

/* ---- teardown ---- */

/* Xen's gnttab_release_mappings for a PV domain: pins lowered and flags
 * cleared, device references dropped; the host mappings' references go
 * with the mapper's page tables. */
void grant_table_release_mappings(const struct grant_environment *environment, struct grant_table *mapper)
{
    unsigned int limit = mapper->maptrack_pages * GRANT_MAPTRACK_PER_PAGE;

    for (grant_handle_t handle = 0; handle < limit; handle++) {
        struct grant_mapping *mapping = mapping_at(mapper, handle);

        if ((mapping->flags & MAPPING_HELD) == 0)
            continue;
        complete_release(environment, mapping, mapping->flags & MAPPING_HELD);
        *mapping = (struct grant_mapping){ 0 };
    }
}

void grant_table_orphan_mappings_of(struct grant_table *mapper, uint16_t granter)
{
    unsigned int limit = mapper->maptrack_pages * GRANT_MAPTRACK_PER_PAGE;

    for (grant_handle_t handle = 0; handle < limit; handle++) {
        struct grant_mapping *mapping = mapping_at(mapper, handle);

        if ((mapping->flags & MAPPING_HELD) && mapping->granter == granter)
            mapping->flags |= GRANT_MAPPING_ORPHANED;
    }
}

/* ---- copy ---- */

/* One side of a copy while it is held (Xen's gnttab_copy_buf). */
struct copy_side {
    bool held;
    bool pinned;           /* through a grant: the entry's pin is held */
    bool writable;
    struct grant_table *granter;
    grant_ref_t ref;
    uint64_t frame;
};

/* Xen's gnttab_copy_lock_domain: a frame side must be the caller's own
 * (DOMID_SELF), a grant side names a table (DOMID_SELF: the caller's). */
static int16_t find_copy_domain(const struct grant_environment *environment, uint16_t caller,
                                const struct gnttab_copy_ptr *pointer, bool is_grant, struct copy_side *side)
{
    uint16_t domain_id = pointer->domid == DOMID_SELF ? caller : pointer->domid;

    if (!is_grant && pointer->domid != DOMID_SELF)
        return GNTST_permission_denied;
    if (!is_grant)
        return GNTST_okay;
    side->granter = live_table(environment, domain_id);
    return side->granter != NULL ? GNTST_okay : GNTST_bad_domain;
}

/* Xen's gnttab_copy_claim_buf: a grant is pinned as a host read (source)
 * or write (destination) and its frame referenced; a frame of the
 * caller's is referenced (get_paged_frame: GNTST_bad_page); a destination
 * takes the writable type (GNTST_general_error). */
static int16_t claim_copy_side(const struct grant_environment *environment, uint16_t caller,
                               const struct gnttab_copy_ptr *pointer, bool is_grant, bool writable,
                               struct copy_side *side)
{
    uint32_t increment = writable ? GRANT_PIN_HOST_WRITE : GRANT_PIN_HOST_READ;
    uint16_t owner = is_grant ? side->granter->domain_id : caller;
    int16_t status;

    side->writable = writable;
    if (is_grant) {
        status = pin_entry(environment, side->granter, pointer->u.ref, caller, increment, !writable, false,
                           &side->frame);
        if (status != GNTST_okay)
            return status;
        side->pinned = true;
        side->ref = pointer->u.ref;
        if (page_get_reference(environment->memory, side->frame, owner) != 0)
            return GNTST_general_error;
    } else {
        side->frame = pointer->u.gmfn;
        if (page_get_reference(environment->memory, side->frame, owner) != 0)
            return GNTST_bad_page;
    }
    side->held = true;
    if (writable && page_get_type(environment->memory, side->frame, owner, PAGE_TYPE_WRITABLE) != 0) {
        side->writable = false;
        return GNTST_general_error;
    }
    return GNTST_okay;
}

/* Xen's gnttab_copy_release_buf and release_grant_for_copy: the frame's
 * references, then the pin with its flags in one step. */
static void release_copy_side(const struct grant_environment *environment, struct copy_side *side, bool writable)
{
    if (side->held)
        drop_frame(environment->memory, side->frame, side->writable);
    if (side->pinned)
        unpin_entry(environment, side->granter, side->ref, writable ? GRANT_PIN_HOST_WRITE : GRANT_PIN_HOST_READ,
                    !writable);
    *side = (struct copy_side){ 0 };
}

static bool crosses_page(uint16_t offset, uint16_t length)
{
    return (uint32_t)offset + length > GRANT_PAGE_SIZE;
}

static int16_t copy_bytes(const struct grant_environment *environment, const struct gnttab_copy *op,
                          const struct copy_side *source, const struct copy_side *destination)
{
    const struct page_memory *memory = environment->memory;
    const uint8_t *from;
    uint8_t *to;

    if (crosses_page(op->source.offset, op->len) || crosses_page(op->dest.offset, op->len))
        return GNTST_bad_copy_arg;
    from = (const uint8_t *)memory->table(memory, source->frame) + op->source.offset;
    to = (uint8_t *)memory->table(memory, destination->frame) + op->dest.offset;
    memmove(to, from, op->len);
    return GNTST_okay;
}

static int16_t copy_claimed(const struct grant_environment *environment, uint16_t caller, const struct gnttab_copy *op,
                            struct copy_side *source, struct copy_side *destination)
{
    bool source_grant = op->flags & GNTCOPY_source_gref;
    bool destination_grant = op->flags & GNTCOPY_dest_gref;
    int16_t status = find_copy_domain(environment, caller, &op->source, source_grant, source);

    if (status == GNTST_okay)
        status = find_copy_domain(environment, caller, &op->dest, destination_grant, destination);
    if (status == GNTST_okay)
        status = claim_copy_side(environment, caller, &op->source, source_grant, false, source);
    if (status == GNTST_okay)
        status = claim_copy_side(environment, caller, &op->dest, destination_grant, true, destination);
    if (status == GNTST_okay)
        status = copy_bytes(environment, op, source, destination);
    return status;
}

/* Xen's gnttab_copy_one, one operation at a time: a length of 0 does
 * nothing; everything held is released before the status is known to
 * the caller, so a granter seeing GTF_reading clear knows the copy is
 * over. */
void grant_table_copy(const struct grant_environment *environment, uint16_t caller, struct gnttab_copy *op)
{
    struct copy_side source = { 0 };
    struct copy_side destination = { 0 };

    if (op->len == 0) {
        op->status = GNTST_okay;
        return;
    }
    op->status = copy_claimed(environment, caller, op, &source, &destination);
    release_copy_side(environment, &destination, true);
    release_copy_side(environment, &source, false);
}
