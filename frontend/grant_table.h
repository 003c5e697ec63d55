/*
 * The guest's grant table (v1), client side, for our PV kernel's
 * frontends: set up with GNTTABOP_query_size and GNTTABOP_setup_table,
 * whose machine frames are mapped writable over pages of the kernel's own
 * with update_va_mapping (as the runtime maps shared_info), then used
 * through grant_refs.h's entry protocol.  One table per domain: a
 * process-wide instance.
 */
#ifndef FRONTEND_GRANT_TABLE_H
#define FRONTEND_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/* Sets the table up (at most GRANT_TABLE_MAX_FRAMES frames, fewer if the
 * hypervisor allows fewer) once; later calls return 0 at once.  Returns 0,
 * the hypercall's negative errno, or -XEN_EIO when an operation's status
 * is not GNTST_okay (printed with the step that failed). */
int grant_table_init(void);

/* Grants domid access to the page of the kernel's own memory at page
 * (page-aligned, in the kernel's initial mapping), read-only or not. */
int grant_table_grant_page(domid_t domid, const void *page, bool readonly, grant_ref_t *ref);

/* Grants domid access to a machine frame named directly (the malicious
 * frontends' foreign and made-up frames). */
int grant_table_grant_frame(domid_t domid, uint64_t frame, bool readonly, grant_ref_t *ref);

/* grant_refs_end on the table: 0, -XEN_EBUSY while the peer still has it,
 * -XEN_EINVAL for a reference not allocated. */
int grant_table_end_access(grant_ref_t ref);

unsigned int grant_table_entry_count(void);
unsigned int grant_table_free_count(void);

#endif
