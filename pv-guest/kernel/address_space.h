/*
 * A user process's address space: its own four-level page tables, used as
 * the vCPU's user base pointer (MMUEXT_NEW_USER_BASEPTR) while the process
 * runs, as in Xen's 64-bit PV guests.  The user L4 holds user mappings in
 * slots 0-255 only; the hypervisor puts its own slots 256-271 in when the
 * table is validated, and the kernel's mappings stay in the kernel's L4.
 *
 * Rules kept:
 *   - every table frame is mapped read-only in the direct map before it
 *     is hooked into a table in use or pinned (direct_map_protect), and
 *     writable again only after the L4 is unpinned (direct_map_unprotect);
 *   - every entry is written by mmu_update through the page-table batch
 *     (mmu_batch.h): stored as it is into a space being built, validated
 *     once the L4 is pinned;
 *   - a space being built is pinned once, when complete
 *     (address_space_activate), so the hypervisor validates it in one pass;
 *   - the kernel reads tables through the direct map; entries it queued
 *     but has not submitted yet are remembered until the next submission,
 *     so building never needs a hypercall just to read back its own work;
 *   - a space is destroyed only when it is no user base pointer.
 *
 * The map functions queue; the others submit the batch before returning.
 */
#ifndef PV_KERNEL_ADDRESS_SPACE_H
#define PV_KERNEL_ADDRESS_SPACE_H

#include <stdbool.h>
#include <stdint.h>

/* Permissions of a user page (user_page_entry); always present and user. */
#define USER_PAGE_WRITABLE 0x1u
#define USER_PAGE_EXECUTABLE 0x2u

struct address_space {
    bool exists;
    bool pinned;
    uint64_t root_pfn;     /* the user L4 */
    uint64_t table_pages;  /* L4 included */
    uint64_t user_pages;
};

/* A new, empty space: a zeroed L4, protected (queued). */
int address_space_create(struct address_space *space);

/* Maps user page va (page-aligned, below the user half's end) to pfn,
 * creating the tables it needs; queued.  The page must not be mapped. */
int address_space_map(struct address_space *space, uint64_t va, uint64_t pfn, unsigned int permissions);

/* Pins the L4 of a space that was just built (queued). */
void address_space_activate(struct address_space *space);

uint64_t address_space_root_machine_frame(const struct address_space *space);

/* The page mapped at va, if any: its pfn and its permissions. */
bool address_space_lookup(const struct address_space *space, uint64_t va, uint64_t *pfn,
                          unsigned int *permissions);

/* child becomes a copy of parent, page by page, pinned; *pages_copied says how many. */
int address_space_copy(const struct address_space *parent, struct address_space *child, uint64_t *pages_copied);

/* Unmaps and frees every page in [start, end); *pages_freed says how many. */
int address_space_unmap_range(struct address_space *space, uint64_t start, uint64_t end, uint64_t *pages_freed);

/* Unpins the space (if pinned) and frees its tables and pages; whatever
 * was queued for the space's own entries must have been submitted. */
int address_space_destroy(struct address_space *space);

#endif
