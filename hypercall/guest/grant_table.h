/*
 * Guest-side wrappers for grant_table_op (hypercall 20), Xen's GNTTABOP_*
 * ABI from <xen/grant_table.h>, and the v1 entry protocol a granter keeps
 * (the comment at the top of that header; Linux's
 * gnttab_update_entry_v1 and gnttab_end_foreign_access_ref_v1).  Shared
 * by pv-guest/, frontend/, backend/ and the hypercall tests.
 *
 * Every batch call returns the hypercall's result (0, or a negative Xen
 * errno for a bad list); each request's own outcome is in its status
 * field (GNTST_*).
 */
#ifndef PVMON_GUEST_GRANT_TABLE_H
#define PVMON_GUEST_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include "hypercall.h"

static inline long hypercall_grant_table_op(unsigned int command, void *requests, unsigned int count)
{
    return hypercall3(__HYPERVISOR_grant_table_op, command, (unsigned long)requests, count);
}

/* Grows the caller's table to frame_count frames and writes their machine
 * frames to frames[]; 0 with *status set. */
static inline long grant_setup_table(uint32_t frame_count, xen_pfn_t *frames, int16_t *status)
{
    struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = frame_count };
    long result;

    set_xen_guest_handle(op.frame_list, frames);
    result = hypercall_grant_table_op(GNTTABOP_setup_table, &op, 1);
    *status = op.status;
    return result;
}

static inline long grant_query_size(struct gnttab_query_size *op)
{
    return hypercall_grant_table_op(GNTTABOP_query_size, op, 1);
}

static inline long grant_set_version(uint32_t *version)
{
    struct gnttab_set_version op = { .version = *version };
    long result = hypercall_grant_table_op(GNTTABOP_set_version, &op, 1);

    *version = op.version;
    return result;
}

static inline long grant_get_version(domid_t domain, uint32_t *version)
{
    struct gnttab_get_version op = { .dom = domain };
    long result = hypercall_grant_table_op(GNTTABOP_get_version, &op, 1);

    *version = op.version;
    return result;
}

static inline long grant_map(struct gnttab_map_grant_ref *ops, unsigned int count)
{
    return hypercall_grant_table_op(GNTTABOP_map_grant_ref, ops, count);
}

static inline long grant_unmap(struct gnttab_unmap_grant_ref *ops, unsigned int count)
{
    return hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, ops, count);
}

static inline long grant_copy(struct gnttab_copy *ops, unsigned int count)
{
    return hypercall_grant_table_op(GNTTABOP_copy, ops, count);
}

/* --- the granter's side of a v1 entry ---------------------------------- */

/* Grants frame to domain: domid and frame first, then (after a write
 * barrier) the flags, so that the hypervisor, which reads the frame only
 * after claiming the flags, never sees a half-written entry. */
static inline void grant_entry_permit(grant_entry_v1_t *entry, domid_t domain, uint32_t frame, bool readonly)
{
    entry->domid = domain;
    entry->frame = frame;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&entry->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
}

/* Revokes the entry unless it is in use: a 16-bit compare-exchange of the
 * flags to 0 that fails while GTF_reading or GTF_writing is set (then the
 * page must not be reused yet).  True once revoked. */
static inline bool grant_entry_revoke(grant_entry_v1_t *entry)
{
    uint16_t flags = __atomic_load_n(&entry->flags, __ATOMIC_ACQUIRE);

    do {
        if (flags & (GTF_reading | GTF_writing))
            return false;
    } while (!__atomic_compare_exchange_n(&entry->flags, &flags, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
    return true;
}

#endif
