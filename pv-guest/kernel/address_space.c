/*
 * User address spaces (see address_space.h).  Levels are numbered as the
 * hardware does: 4 is the L4 (the root), 1 the L1 whose entries map pages.
 * The user half is L4 slots 0-255.
 *
 * Walking: the tables are read through the direct map, where they are
 * mapped read-only.  An entry this file queued for a table (a new lower
 * table hooked in) is also remembered in `pending` until the batch is
 * submitted, since the table itself shows it only then.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <xen/xen.h>
#include <runtime/console.h>
#include "address_space.h"
#include "direct_map.h"
#include "frame_pool.h"
#include "mmu_batch.h"

#define LEVELS 4
#define USER_L4_SLOTS 256
#define LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * ((level) - 1))
#define USER_HALF_END (UINT64_C(USER_L4_SLOTS) << LEVEL_SHIFT(LEVELS))
#define TABLE_ENTRY_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED)
#define PENDING_ENTRIES 32
#define FREE_BUFFER_PAGES 512

struct pending_entry {
    uint64_t table_pfn;
    unsigned int index;
    uint64_t entry;
};

static struct pending_entry pending[PENDING_ENTRIES];
static unsigned int pending_count;
static uint64_t pending_generation;

static unsigned int index_at(uint64_t va, unsigned int level)
{
    return (unsigned int)(va >> LEVEL_SHIFT(level)) & (TABLE_ENTRIES - 1);
}

static uint64_t entry_machine_address(uint64_t table_pfn, unsigned int index)
{
    return machine_frame_of(table_pfn) << PAGE_SHIFT | (uint64_t)index * sizeof(uint64_t);
}

static void forget_stale_pending(void)
{
    if (pending_generation != mmu_batch_generation()) {
        pending_count = 0;
        pending_generation = mmu_batch_generation();
    }
}

static uint64_t read_entry(uint64_t table_pfn, unsigned int index)
{
    forget_stale_pending();
    for (unsigned int slot = pending_count; slot-- > 0;) {
        if (pending[slot].table_pfn == table_pfn && pending[slot].index == index)
            return pending[slot].entry;
    }
    return ((const uint64_t *)direct_map_page(table_pfn))[index];
}

/* Queues a table entry and remembers it; submits first if the memory is full. */
static int write_table_entry(uint64_t table_pfn, unsigned int index, uint64_t entry)
{
    int error;

    forget_stale_pending();
    if (pending_count == PENDING_ENTRIES) {
        if ((error = mmu_batch_submit()) != 0)
            return error;
        forget_stale_pending();
    }
    mmu_batch_update(entry_machine_address(table_pfn, index), entry);
    pending[pending_count++] = (struct pending_entry) { .table_pfn = table_pfn, .index = index, .entry = entry };
    return 0;
}

/* The table or page a present entry points at. */
static bool entry_target(uint64_t entry, uint64_t *pfn)
{
    return (entry & PTE_PRESENT) != 0 && physical_frame_of((entry & PTE_ADDRESS_MASK) >> PAGE_SHIFT, pfn);
}

/* A zeroed frame to become a table: protected before anything can hook it. */
static int new_table(struct address_space *space, uint64_t *pfn)
{
    int error = frame_allocate(FRAME_ZEROED, pfn, NULL);

    if (error != 0)
        return error;
    direct_map_protect(*pfn);
    space->table_pages++;
    return 0;
}

int address_space_create(struct address_space *space)
{
    int error;

    *space = (struct address_space) { 0 };
    error = new_table(space, &space->root_pfn);
    space->exists = error == 0;
    return error;
}

static uint64_t user_page_entry(uint64_t pfn, unsigned int permissions)
{
    uint64_t entry = machine_frame_of(pfn) << PAGE_SHIFT | PTE_PRESENT | PTE_USER;

    if (permissions & USER_PAGE_WRITABLE)
        entry |= PTE_WRITABLE;
    if ((permissions & USER_PAGE_EXECUTABLE) == 0)
        entry |= PTE_NO_EXECUTE;
    return entry;
}

static unsigned int entry_permissions(uint64_t entry)
{
    return ((entry & PTE_WRITABLE) ? USER_PAGE_WRITABLE : 0) |
           ((entry & PTE_NO_EXECUTE) ? 0 : USER_PAGE_EXECUTABLE);
}

int address_space_map(struct address_space *space, uint64_t va, uint64_t pfn, unsigned int permissions)
{
    uint64_t table = space->root_pfn, child;
    int error;

    if (va >= USER_HALF_END || va % PAGE_SIZE != 0)
        return -XEN_EINVAL;
    for (unsigned int level = LEVELS; level > 1; level--) {
        unsigned int index = index_at(va, level);
        uint64_t entry = read_entry(table, index);

        if ((entry & PTE_PRESENT) == 0) {
            if ((error = new_table(space, &child)) != 0)
                return error;
            error = write_table_entry(table, index, machine_frame_of(child) << PAGE_SHIFT | TABLE_ENTRY_FLAGS);
            if (error != 0)
                return error;
        } else if (!entry_target(entry, &child)) {
            console_printf("address space: entry %#lx of a level-%u table is not ours\n", entry, level);
            return -XEN_EFAULT;
        }
        table = child;
    }
    mmu_batch_update(entry_machine_address(table, index_at(va, 1)), user_page_entry(pfn, permissions));
    space->user_pages++;
    return 0;
}

void address_space_activate(struct address_space *space)
{
    mmu_batch_pin(MMUEXT_PIN_L4_TABLE, machine_frame_of(space->root_pfn));
    space->pinned = true;
}

uint64_t address_space_root_machine_frame(const struct address_space *space)
{
    return machine_frame_of(space->root_pfn);
}

bool address_space_lookup(const struct address_space *space, uint64_t va, uint64_t *pfn,
                          unsigned int *permissions)
{
    uint64_t table = space->root_pfn, entry = 0;

    if (va >= USER_HALF_END)
        return false;
    for (unsigned int level = LEVELS; level >= 1; level--) {
        entry = read_entry(table, index_at(va, level));
        if (!entry_target(entry, &table))
            return false;
    }
    *pfn = table;
    *permissions = entry_permissions(entry);
    return true;
}

/* --- walking every page of a range ------------------------------------- */

struct walk {
    uint64_t start, end;
    /* Each mapped page: va, its entry, and where the entry is (machine address). */
    int (*page)(struct walk *walk, uint64_t va, uint64_t entry, uint64_t entry_address);
    /* Each table below the root, after its entries (may be NULL). */
    void (*table)(struct walk *walk, uint64_t table_pfn);
    void *context;
};

static int walk_table(struct walk *walk, uint64_t table_pfn, unsigned int level, uint64_t table_base)
{
    const uint64_t *entries = direct_map_page(table_pfn);
    unsigned int limit = level == LEVELS ? USER_L4_SLOTS : TABLE_ENTRIES;
    uint64_t span = UINT64_C(1) << LEVEL_SHIFT(level), child;
    int error = 0;

    for (unsigned int index = 0; index < limit && error == 0; index++) {
        uint64_t va = table_base + index * span;
        uint64_t entry = entries[index];

        if (va + span <= walk->start || va >= walk->end || !entry_target(entry, &child))
            continue;
        if (level == 1) {
            error = walk->page(walk, va, entry, entry_machine_address(table_pfn, index));
        } else {
            error = walk_table(walk, child, level - 1, va);
            if (error == 0 && walk->table != NULL)
                walk->table(walk, child);
        }
    }
    return error;
}

static int walk_space(const struct address_space *space, struct walk *walk)
{
    return walk_table(walk, space->root_pfn, LEVELS, 0);
}

/* --- fork's copy -------------------------------------------------------- */

struct copy_context {
    struct address_space *child;
    uint64_t pages;
};

/* A whole page, a word at a time. */
static void copy_page_contents(uint64_t *to, const uint64_t *from)
{
    for (unsigned int word = 0; word < PAGE_SIZE / sizeof(uint64_t); word++)
        to[word] = from[word];
}

static int copy_page(struct walk *walk, uint64_t va, uint64_t entry, uint64_t entry_address)
{
    struct copy_context *copy = walk->context;
    uint64_t parent_pfn, child_pfn;
    int error;

    (void)entry_address;
    if (!entry_target(entry, &parent_pfn))
        return -XEN_EFAULT;
    if ((error = frame_map_in_kernel(parent_pfn)) != 0 || (error = frame_allocate(FRAME_ANY, &child_pfn, NULL)) != 0)
        return error;
    copy_page_contents(direct_map_page(child_pfn), direct_map_page(parent_pfn));
    error = address_space_map(copy->child, va, child_pfn, entry_permissions(entry));
    if (error != 0) {
        frame_free(child_pfn);
        return error;
    }
    copy->pages++;
    return 0;
}

int address_space_copy(const struct address_space *parent, struct address_space *child, uint64_t *pages_copied)
{
    struct copy_context copy = { .child = child };
    struct walk walk = { .start = 0, .end = USER_HALF_END, .page = copy_page, .context = &copy };
    int error = address_space_create(child);

    if (error == 0)
        error = walk_space(parent, &walk);
    if (error == 0) {
        address_space_activate(child);
        error = mmu_batch_submit();
    } else {
        mmu_batch_submit(); /* what was queued goes in, so that the half-built child can be torn down */
    }
    if (error != 0) {
        if (child->exists)
            address_space_destroy(child);
        return error;
    }
    *pages_copied = copy.pages;
    return 0;
}

/* --- unmapping and destroying -------------------------------------------- */

/* Pages whose entries are queued for clearing, freed once the batch is in. */
struct free_buffer {
    uint64_t pfns[FREE_BUFFER_PAGES];
    unsigned int count;
    uint64_t freed;
};

static int free_buffered(struct free_buffer *buffer)
{
    int error;

    mmu_batch_flush_tlb();
    error = mmu_batch_submit();
    if (error != 0)
        return error;
    for (unsigned int index = 0; index < buffer->count; index++)
        frame_free(buffer->pfns[index]);
    buffer->freed += buffer->count;
    buffer->count = 0;
    return 0;
}

static int unmap_page(struct walk *walk, uint64_t va, uint64_t entry, uint64_t entry_address)
{
    struct free_buffer *buffer = walk->context;
    uint64_t pfn;

    (void)va;
    if (!entry_target(entry, &pfn))
        return -XEN_EFAULT;
    mmu_batch_update(entry_address, 0);
    buffer->pfns[buffer->count++] = pfn;
    return buffer->count == FREE_BUFFER_PAGES ? free_buffered(buffer) : 0;
}

int address_space_unmap_range(struct address_space *space, uint64_t start, uint64_t end, uint64_t *pages_freed)
{
    static struct free_buffer buffer;
    struct walk walk = { .start = start, .end = end, .page = unmap_page, .context = &buffer };
    int error;

    buffer.count = 0;
    buffer.freed = 0;
    if ((error = mmu_batch_submit()) != 0)
        return error;
    error = walk_space(space, &walk);
    if (error == 0)
        error = free_buffered(&buffer);
    *pages_freed = buffer.freed;
    space->user_pages -= buffer.freed;
    return error;
}

static void unprotect_table(struct walk *walk, uint64_t table_pfn)
{
    (void)walk;
    direct_map_unprotect(table_pfn);
}

static int free_page(struct walk *walk, uint64_t va, uint64_t entry, uint64_t entry_address)
{
    uint64_t pfn;

    (void)walk;
    (void)va;
    (void)entry_address;
    if (entry_target(entry, &pfn))
        frame_free(pfn);
    return 0;
}

static void free_table(struct walk *walk, uint64_t table_pfn)
{
    (void)walk;
    frame_free(table_pfn);
}

static int ignore_page(struct walk *walk, uint64_t va, uint64_t entry, uint64_t entry_address)
{
    (void)walk;
    (void)va;
    (void)entry;
    (void)entry_address;
    return 0;
}

int address_space_destroy(struct address_space *space)
{
    struct walk unprotect = { .start = 0, .end = USER_HALF_END, .page = ignore_page, .table = unprotect_table };
    struct walk release = { .start = 0, .end = USER_HALF_END, .page = free_page, .table = free_table };
    int error;

    if (!space->exists)
        return 0;
    if (space->pinned)
        mmu_batch_unpin(address_space_root_machine_frame(space));
    walk_space(space, &unprotect);
    direct_map_unprotect(space->root_pfn);
    if ((error = mmu_batch_submit()) != 0) {
        console_printf("address space: tearing down L4 pfn %lu failed (%d): its frames are kept\n",
                       space->root_pfn, error);
        space->exists = false;
        return error;
    }
    walk_space(space, &release);
    frame_free(space->root_pfn);
    *space = (struct address_space) { 0 };
    return 0;
}
