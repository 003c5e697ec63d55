/*
 * A process's memory as the kernel sees it: demand-zero pages, anonymous
 * mappings, and copies between the kernel and a process.
 *
 * The kernel's own L4 does not map user memory (the hypervisor loads it
 * on every entry into the kernel), so a copy finds each user page through
 * the process's page tables and reaches it through the direct map.  A page
 * of a demand-zero area (an anonymous mapping, or the stack below its
 * first page) that was never touched is faulted in by the copy as a
 * user access would.  Anything else outside the process's pages is
 * -XEN_EFAULT, as is writing a read-only page.
 *
 * Demand-zero faults take a page from the frame pool asked for zeroed:
 * known zero (handed out as pvmon zeroed it) or cleared by the kernel;
 * the process's usage counts which.
 */
#ifndef PV_KERNEL_USER_MEMORY_H
#define PV_KERNEL_USER_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "process.h"

/* A user page fault at address: 0 if a demand-zero page now backs it. */
int user_memory_fault(struct process *process, uint64_t address, uint64_t error_code);

int copy_from_user(struct process *process, void *destination, uint64_t source, uint64_t length);
int copy_to_user(struct process *process, uint64_t destination, const void *source, uint64_t length);

/* A NUL-terminated string of at most size - 1 bytes; -XEN_ENAMETOOLONG if longer. */
int copy_string_from_user(struct process *process, char *destination, uint64_t source, size_t size);

/* SYS_map_memory: a new anonymous mapping of length bytes (rounded up to
 * pages) in [USER_MMAP_BASE, USER_MMAP_END), at the lowest gap that fits. */
long user_memory_map(struct process *process, uint64_t length);

/* SYS_unmap_memory: removes the mapping that starts at address, whose
 * length (rounded up) must be the mapping's; its pages are freed. */
long user_memory_unmap(struct process *process, uint64_t address, uint64_t length);

#endif
