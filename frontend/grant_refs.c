/*
 * Grant references of the guest's own table: the free list, granting and
 * ending access, following the entry protocol in grant_refs.h (Xen public
 * grant_table.h; Linux grant-table.c, v1 entries) through the entry
 * helpers of hypercall/guest/grant_table.h.  Pure: the entries are
 * whatever memory the caller hands over.
 */
#include <stdint.h>
#include <xen/errno.h>
#include <guest/grant_table.h>
#include "grant_refs.h"

#define GRANT_FRAME_LIMIT UINT32_MAX

void grant_refs_init(struct grant_refs *refs, grant_entry_v1_t *entries, unsigned int entry_count)
{
    if (entry_count > GRANT_REFS_MAX)
        entry_count = GRANT_REFS_MAX;
    refs->entries = entries;
    refs->entry_count = entry_count;
    refs->free_count = 0;
    for (unsigned int ref = 0; ref < GRANT_REFS_MAX; ref++)
        refs->allocated[ref] = false;
    /* Highest first, so that the lowest free reference is handed out first. */
    for (unsigned int ref = entry_count; ref-- > GNTTAB_NR_RESERVED_ENTRIES;)
        refs->free_refs[refs->free_count++] = (grant_ref_t)ref;
}

int grant_refs_grant(struct grant_refs *refs, domid_t domid, uint64_t frame, bool readonly, grant_ref_t *ref)
{
    grant_ref_t taken;

    if (frame > GRANT_FRAME_LIMIT)
        return -XEN_EINVAL;
    if (refs->free_count == 0)
        return -XEN_ENOSPC;
    taken = refs->free_refs[--refs->free_count];
    refs->allocated[taken] = true;
    grant_entry_permit(&refs->entries[taken], domid, (uint32_t)frame, readonly);
    *ref = taken;
    return 0;
}

int grant_refs_end(struct grant_refs *refs, grant_ref_t ref)
{
    if (ref >= refs->entry_count || !refs->allocated[ref])
        return -XEN_EINVAL;
    if (!grant_entry_revoke(&refs->entries[ref]))
        return -XEN_EBUSY;
    refs->allocated[ref] = false;
    refs->free_refs[refs->free_count++] = ref;
    return 0;
}

unsigned int grant_refs_free_count(const struct grant_refs *refs)
{
    return refs->free_count;
}
