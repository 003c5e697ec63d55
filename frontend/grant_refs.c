/*
 * Grant references of the guest's own table: the free list, granting and
 * ending access, following the entry protocol in grant_refs.h (Xen public
 * grant_table.h; Linux grant-table.c, v1 entries).  Pure: the entries are
 * whatever memory the caller hands over.
 */
#include <stdint.h>
#include <xen/errno.h>
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
    grant_entry_v1_t *entry;
    grant_ref_t taken;

    if (frame > GRANT_FRAME_LIMIT)
        return -XEN_EINVAL;
    if (refs->free_count == 0)
        return -XEN_ENOSPC;
    taken = refs->free_refs[--refs->free_count];
    refs->allocated[taken] = true;
    entry = &refs->entries[taken];
    __atomic_store_n(&entry->domid, domid, __ATOMIC_RELAXED);
    __atomic_store_n(&entry->frame, (uint32_t)frame, __ATOMIC_RELAXED);
    /* Xen: domid and frame are visible before the flags that validate them. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&entry->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELAXED);
    *ref = taken;
    return 0;
}

/* Xen: "Invalidating an unused GTF_permit_access entry": cmpxchg flags to 0
 * only while neither GTF_reading nor GTF_writing is set. */
static bool revoke_entry(grant_entry_v1_t *entry)
{
    uint16_t flags = __atomic_load_n(&entry->flags, __ATOMIC_ACQUIRE);

    do {
        if (flags & (GTF_reading | GTF_writing))
            return false;
    } while (!__atomic_compare_exchange_n(&entry->flags, &flags, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
    return true;
}

int grant_refs_end(struct grant_refs *refs, grant_ref_t ref)
{
    if (ref >= refs->entry_count || !refs->allocated[ref])
        return -XEN_EINVAL;
    if (!revoke_entry(&refs->entries[ref]))
        return -XEN_EBUSY;
    refs->allocated[ref] = false;
    refs->free_refs[refs->free_count++] = ref;
    return 0;
}

unsigned int grant_refs_free_count(const struct grant_refs *refs)
{
    return refs->free_count;
}
