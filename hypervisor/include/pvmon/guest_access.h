/*
 * Touching guest memory.  Every pointer a guest hands the hypervisor is a
 * guest virtual address in the current address space; it is used only
 * through these helpers, which refuse ranges that wrap, that are not
 * canonical or that reach into the hypervisor's slots (Xen's
 * access_ok/guest_handle_okay rule), and which survive a fault on an
 * unmapped page by returning -XEN_EFAULT.
 */
#ifndef PVMON_GUEST_ACCESS_H
#define PVMON_GUEST_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* common/guest_address.c: the pure range rule, tested on the host. */
bool guest_range_is_valid(uint64_t guest_address, uint64_t length);

/* kernel/guest_access.c */
int copy_from_guest(void *destination, uint64_t guest_source, size_t length);
int copy_to_guest(uint64_t guest_destination, const void *source, size_t length);

#endif
