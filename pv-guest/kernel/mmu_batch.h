/*
 * Page-table work in batches.  Every change our PV kernel makes to a page
 * table, and every operation around it (pin, unpin, user base pointer,
 * TLB flush, remapping one of its own pages), is queued here in order and
 * sent to the hypervisor as one multicall (Xen public xen.h): consecutive
 * page-table writes travel as one mmu_update call carrying many entries,
 * consecutive extended operations as one mmuext_op call.  Nothing takes
 * effect before mmu_batch_submit (or before the queue fills up, which
 * submits what is queued so far: the order is kept either way).
 *
 * The rules the hypervisor applies (Xen's, pvmon/page_type.h):
 *   - an entry written into a page table in use (pinned, or reachable
 *     from a pinned or loaded table) is validated; an entry written into
 *     a plain frame is stored as it is;
 *   - a frame is pinned or hooked as a page table only while nothing maps
 *     it writable, the kernel's own mappings included.
 *
 * A failure is reported once on the console, naming the hypercall, the
 * entry and the error, and returned by the next mmu_batch_submit; the
 * queue is emptied either way.  There is one queue: the kernel handles one
 * trap at a time and the event handlers never queue page-table work.
 */
#ifndef PV_KERNEL_MMU_BATCH_H
#define PV_KERNEL_MMU_BATCH_H

#include <stdint.h>

/* MMU_NORMAL_PT_UPDATE: the 8-byte entry at entry_machine_address gets value. */
void mmu_batch_update(uint64_t entry_machine_address, uint64_t value);

/* mmuext_op commands (the frame is a machine frame number). */
void mmu_batch_pin(unsigned int command, uint64_t machine_frame); /* MMUEXT_PIN_Ln_TABLE */
void mmu_batch_unpin(uint64_t machine_frame);
void mmu_batch_new_user_base(uint64_t machine_frame);             /* 0: no user page tables */
void mmu_batch_flush_tlb(void);                                   /* MMUEXT_TLB_FLUSH_LOCAL */
void mmu_batch_set_ldt(uint64_t linear_address, unsigned int entries); /* MMUEXT_SET_LDT; 0 entries: none */

/* update_va_mapping(address, entry, UVMF_INVLPG): one of the kernel's own pages. */
void mmu_batch_remap_kernel_page(uint64_t virtual_address, uint64_t entry);

/* Any other hypercall, in order with the rest; its result goes to *result
 * at submission and is the caller's to check (it is not an error here). */
void mmu_batch_call(unsigned long number, unsigned long first, unsigned long second, unsigned long third,
                    long *result);

/* Sends what is queued; 0, or the first error since the last submission. */
int mmu_batch_submit(void);

/* Changes with every submission: what was read from the tables before may be stale. */
uint64_t mmu_batch_generation(void);

struct mmu_batch_statistics {
    uint64_t multicalls;
    uint64_t page_table_updates;
    uint64_t extended_operations;
    uint64_t other_calls;
};

void mmu_batch_get_statistics(struct mmu_batch_statistics *statistics);

#endif
