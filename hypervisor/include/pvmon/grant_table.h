/*
 * Grant tables, version 1: how a domain lets another one (or itself) read
 * or write one of its pages, with Xen 4.17's ABI (<xen/grant_table.h>) and
 * semantics (xen/common/grant_table.c; brief section 1 of
 * research/split-drivers.md).
 *
 * Each domain has a table of shared v1 entries {flags, domid, frame} in
 * frames the hypervisor allocates and the domain owns outside its
 * reservation (like shared_info: FRAME_FLAG_HYPERVISOR_PAGE, a permanent
 * writable type reference), GRANT_TABLE_INITIAL_FRAMES at first, grown by
 * setup_table up to GRANT_TABLE_MAX_FRAMES (Xen's max_grant_frames
 * default); frames never move once given.  Beside each entry the
 * hypervisor keeps an active entry (Xen's active_grant_entry): four 8-bit
 * pin counters (host writable, host read-only, device writable, device
 * read-only), the domain the entry is pinned for and the frame it pinned.
 * Each mapping domain keeps its mappings in a maptrack table of at most
 * GRANT_MAPTRACK_LIMIT handles.
 *
 * The rules kept here:
 *   - The pin protocol (Xen's _set_status_v1): the {flags, domid} word is
 *     read once and claimed with one 32-bit compare-exchange that sets
 *     GTF_reading (and GTF_writing for a writable use), retried at most 5
 *     times against a guest changing it; a first pin requires
 *     GTF_permit_access (and not GTF_sub_page for a map) and the caller's
 *     domid, a writable one no GTF_readonly; the frame is read only after
 *     the claim succeeded.  A pinned entry is reused only by the same
 *     domain, and never beyond a counter's range.
 *   - Release (Xen's reduce_status_for_pin): the pin counter is lowered
 *     and, in the same step, GTF_reading is cleared atomically once no pin
 *     is left and GTF_writing once no writable host or device pin is left
 *     (XSA-218, XSA-230): a granter that sees the flags clear may reuse the
 *     page.
 *   - References: a device mapping holds a general reference on the frame
 *     (and a writable type reference if writable) in its maptrack entry; a
 *     host mapping is an L1 entry with bit 62 (_PAGE_GNTTAB) that holds the
 *     same references as any L1 entry (pvmon/page_type.h,
 *     page_install_grant_entry); a copy holds them while it copies.  So the
 *     granter can neither free nor retype a frame another domain maps.
 *     Every new reference names the granter as owner, so a frame the
 *     granter gave back is never mapped again, even through an old pin.
 *   - Status codes are Xen's GNTST_* per operation; the hypercall's own
 *     result is reserved for a bad list (kernel/grant_table_op.c).
 *   - Teardown: a mapper's teardown releases every maptrack entry (pins
 *     lowered, flags cleared, device references dropped; its page tables
 *     drop the host mappings' references); a granter's destruction marks
 *     the mappings others still hold on it as orphaned, and their frames
 *     live (owned by DOMID_INVALID, kernel/domain.c) until unmapped.
 *
 * Pure code: struct grant_environment says how to reach frames, domains,
 * hypervisor memory and the caller's page tables, so the same code runs
 * in the hypervisor and in host tests.  Callers serialise operations.
 */
#ifndef PVMON_GRANT_TABLE_H
#define PVMON_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <pvmon/page_type.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#define GRANT_TABLE_INITIAL_FRAMES 1
#define GRANT_TABLE_MAX_FRAMES 64
#define GRANT_ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define GRANT_PAGE_SIZE 4096u

/* Xen's pin counters: 4 x 8 bits in one 32-bit word. */
#define GRANT_PIN_HOST_WRITE 0x00000001u
#define GRANT_PIN_HOST_READ 0x00000100u
#define GRANT_PIN_DEVICE_WRITE 0x00010000u
#define GRANT_PIN_DEVICE_READ 0x01000000u
#define GRANT_PIN_COUNTER_MASK 0xffu
#define GRANT_PIN_WRITERS_MASK 0x00ff00ffu /* host and device writable */

struct grant_active_entry {
    uint32_t pin;     /* GRANT_PIN_* counters; 0: not in use */
    uint16_t domid;   /* the domain it is pinned for, while pin != 0 */
    uint16_t unused;
    uint64_t frame;   /* the machine frame pinned, while pin != 0 */
};

#define GRANT_ACTIVE_PER_PAGE (GRANT_PAGE_SIZE / sizeof(struct grant_active_entry))
#define GRANT_ACTIVE_PAGES_PER_FRAME (GRANT_ENTRIES_PER_FRAME / GRANT_ACTIVE_PER_PAGE)

/* A maptrack entry: one mapping of a grant by the table's domain. */
struct grant_mapping {
    uint16_t flags;   /* GNTMAP_device_map, _host_map, _readonly still held; 0: free */
    uint16_t granter; /* domain id of the grant's table */
    grant_ref_t ref;
    uint64_t frame;   /* the frame mapped */
};

/* A maptrack flag of pvmon's own: the granter's table is gone; the
 * mapping still holds its references on the frame. */
#define GRANT_MAPPING_ORPHANED 0x8000u

#define GRANT_MAPTRACK_PER_PAGE (GRANT_PAGE_SIZE / sizeof(struct grant_mapping))
#define GRANT_MAPTRACK_PAGES 4
#define GRANT_MAPTRACK_LIMIT (GRANT_MAPTRACK_PAGES * GRANT_MAPTRACK_PER_PAGE)

struct grant_table {
    uint16_t domain_id;
    bool dying;                   /* torn down: its grants take no new pin */
    unsigned int frame_count;     /* shared frames */
    uint64_t frames[GRANT_TABLE_MAX_FRAMES];
    struct grant_active_entry *active[GRANT_TABLE_MAX_FRAMES * GRANT_ACTIVE_PAGES_PER_FRAME];
    unsigned int maptrack_pages;
    struct grant_mapping *maptrack[GRANT_MAPTRACK_PAGES];
};

struct grant_environment {
    const struct page_memory *memory;
    /* The grant table of domain_id while the domain has one (alive or
     * torn down, not yet destroyed), else NULL. */
    struct grant_table *(*find)(const struct grant_environment *environment, uint16_t domain_id);
    /* A zeroed frame owned by owner outside its reservation, holding a
     * writable type reference (shared_info's kind); -XEN_ENOMEM. */
    int (*allocate_shared_frame)(const struct grant_environment *environment, uint16_t owner, uint64_t *frame);
    void (*release_shared_frame)(const struct grant_environment *environment, uint64_t frame);
    /* One zeroed page of hypervisor memory, or NULL. */
    void *(*allocate_private)(const struct grant_environment *environment);
    void (*free_private)(const struct grant_environment *environment, void *page);
    /* The validated L1 entry that maps address in domain's current page
     * tables; -XEN_EINVAL if none. */
    int (*find_l1_entry)(const struct grant_environment *environment, uint16_t domain, uint64_t address,
                         uint64_t *table_frame, unsigned int *index);
    /* A 32-bit compare-exchange on a word the guest shares: returns what
     * the word held (equal to expected if the exchange happened). */
    uint32_t (*compare_exchange)(const struct grant_environment *environment, uint32_t *word, uint32_t expected,
                                 uint32_t desired);
    void *context;
};

/* A table with GRANT_TABLE_INITIAL_FRAMES frames and no mapping:
 * 0 or -XEN_ENOMEM (nothing kept). */
int grant_table_create(const struct grant_environment *environment, struct grant_table *table, uint16_t domain_id);
/* Frees every frame and page of the table; the mappings it held must have
 * been released (grant_table_release_mappings) and other domains' mappings
 * of its grants orphaned (grant_table_orphan_mappings_of). */
void grant_table_destroy(const struct grant_environment *environment, struct grant_table *table);

/* Xen's gnttab_grow_table: GNTST_okay once the table has at least
 * frame_count frames, GNTST_general_error beyond GRANT_TABLE_MAX_FRAMES or
 * out of memory (frames already added stay). */
int16_t grant_table_grow(const struct grant_environment *environment, struct grant_table *table,
                         uint32_t frame_count);
uint32_t grant_table_entry_count(const struct grant_table *table);

/* GNTTABOP_set_version for the caller's table: 0 for version 1, -XEN_ENOSYS
 * for 2 (Xen with max_version 1), -XEN_EINVAL for anything else; *version
 * is then the table's version, 1. */
int grant_table_set_version(const struct grant_table *table, uint32_t *version);

/* GNTTABOP_map_grant_ref by mapper: op->status and, on success, handle and
 * dev_bus_addr (the machine address of the frame). */
void grant_table_map(const struct grant_environment *environment, struct grant_table *mapper,
                     struct gnttab_map_grant_ref *op);
/* GNTTABOP_unmap_grant_ref by mapper: op->status.  A host_addr of 0 or a
 * dev_bus_addr of 0 leaves that part mapped (XSA-224). */
void grant_table_unmap(const struct grant_environment *environment, struct grant_table *mapper,
                       struct gnttab_unmap_grant_ref *op);
/* GNTTABOP_copy by caller: op->status. */
void grant_table_copy(const struct grant_environment *environment, uint16_t caller, struct gnttab_copy *op);

/* A mapper's teardown: every mapping it holds is released. */
void grant_table_release_mappings(const struct grant_environment *environment, struct grant_table *mapper);
/* The granter's table is about to go: mapper's mappings of its grants keep
 * their frames' references but no longer touch its table. */
void grant_table_orphan_mappings_of(struct grant_table *mapper, uint16_t granter);

/* For tests and the fuzzer: the shared and active entries of a valid ref,
 * and a maptrack entry (NULL outside the table). */
grant_entry_v1_t *grant_table_shared_entry(const struct grant_environment *environment,
                                           const struct grant_table *table, grant_ref_t ref);
const struct grant_active_entry *grant_table_active_entry(const struct grant_table *table, grant_ref_t ref);
const struct grant_mapping *grant_table_mapping(const struct grant_table *table, grant_handle_t handle);

#endif
