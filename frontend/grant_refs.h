/*
 * The guest's side of its grant table v1 entries, pure (no hypercalls): a
 * free list of grant references over the mapped table, granting a frame
 * to a domain and ending that access.  The table itself is mapped by
 * grant_table.c; the host unit tests run this file over plain memory.
 *
 * Rules kept (Xen public grant_table.h, "Introducing a valid entry into
 * the grant table" and "Invalidating an unused GTF_permit_access entry";
 * Linux drivers/xen/grant-table.c gnttab_update_entry_v1 and
 * gnttab_end_foreign_access_ref_v1):
 *   - granting writes domid and frame, then a write barrier, then flags,
 *     so that the hypervisor, which reads flags first and the frame only
 *     after it has pinned the entry, never sees a half-written entry;
 *   - ending access swaps flags to 0 with a 16-bit compare-and-exchange
 *     that fails while GTF_reading or GTF_writing is set: the other
 *     domain still has the frame, so neither the frame nor the reference
 *     may be reused, and the reference stays allocated;
 *   - references 0 to GNTTAB_NR_RESERVED_ENTRIES - 1 belong to the
 *     toolstack (console, xenstore) and are never handed out;
 *   - a reference that is not allocated cannot be ended (no double free).
 */
#ifndef FRONTEND_GRANT_REFS_H
#define FRONTEND_GRANT_REFS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#define GRANT_TABLE_MAX_FRAMES 4
#define GRANT_ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define GRANT_REFS_MAX (GRANT_TABLE_MAX_FRAMES * GRANT_ENTRIES_PER_FRAME)

struct grant_refs {
    grant_entry_v1_t *entries;
    unsigned int entry_count;
    unsigned int free_count;
    grant_ref_t free_refs[GRANT_REFS_MAX];
    bool allocated[GRANT_REFS_MAX];
};

/* Takes over entry_count (at most GRANT_REFS_MAX) entries, all invalid. */
void grant_refs_init(struct grant_refs *refs, grant_entry_v1_t *entries, unsigned int entry_count);

/* Grants domid access to frame (a machine frame for a PV guest), read-only
 * or not.  Returns 0 with *ref set, -XEN_ENOSPC when no reference is free,
 * -XEN_EINVAL for a frame that does not fit v1's 32-bit field. */
int grant_refs_grant(struct grant_refs *refs, domid_t domid, uint64_t frame, bool readonly, grant_ref_t *ref);

/* Ends the access ref grants and frees ref.  Returns 0, -XEN_EBUSY if
 * the other domain still reads or writes the frame (nothing changes: the
 * caller may try again later, and must not reuse the frame meanwhile), or
 * -XEN_EINVAL for a reference that is not allocated. */
int grant_refs_end(struct grant_refs *refs, grant_ref_t ref);

unsigned int grant_refs_free_count(const struct grant_refs *refs);

#endif
