/*
 * A process's LDT (what Linux's modify_ldt gives a process): one page of
 * LDT_ENTRIES descriptors of the kernel's, created by the process's first
 * SYS_set_ldt_entry, installed with MMUEXT_SET_LDT whenever the process
 * runs, and freed when the process execs or exits.  A process without
 * one runs with the null LDT.  A forked child starts without an LDT
 * (Linux copies the parent's).
 *
 * The rules the hypervisor keeps for an LDT (Xen's, pvmon's
 * kernel/descriptor_tables.c), and how they are met: the page is mapped
 * read-only everywhere while it is an LDT (the direct map protects it
 * before it is first installed, as Linux's xen_alloc_ldt does), so it is
 * written only through update_descriptor, and it is writable again only
 * after no LDT names it any more.
 */
#ifndef PV_KERNEL_PROCESS_LDT_H
#define PV_KERNEL_PROCESS_LDT_H

#include <stdbool.h>
#include <stdint.h>

#define LDT_ENTRIES 512

struct process_ldt {
    bool exists;
    uint64_t pfn;
};

/* SYS_set_ldt_entry: entry index becomes a present, writable, 32-bit data
 * segment of DPL 3 at base, limit bytes long (byte granular up to 1 MiB,
 * then in whole pages).  Creates and installs the LDT if the process,
 * which is the running one, has none yet.  0, -EINVAL for an index out
 * of range or a limit of 0 or above 4 GiB, -ENOMEM, or the hypervisor's
 * error. */
long process_ldt_set_data_segment(struct process_ldt *ldt, uint64_t index, uint64_t base, uint64_t limit);

/* Installs this process's LDT, or the null LDT (a switch to it): 0 or
 * the hypervisor's error. */
int process_ldt_load(const struct process_ldt *ldt);

/* Frees the LDT (exec, exit); the null LDT is installed first if it was this one. */
void process_ldt_release(struct process_ldt *ldt);

#endif
