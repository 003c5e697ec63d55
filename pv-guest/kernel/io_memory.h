/*
 * Device registers in dom0's address space: a page of I/O memory (a machine
 * frame that is not RAM, e.g. a virtio-mmio transport at 0xfeb00000) mapped
 * over a window page of dom0's own, as Xen lets a PV dom0 do it (Xen:
 * arch/x86/mm.c get_page_from_l1e, the pg_owner DOMID_IO case): an
 * mmu_update of the window's L1 entry with foreigndom DOMID_IO, which the
 * hypervisor allows only for a domain with I/O-memory access to that frame
 * and only for a frame that is not RAM.  The entry asks for an uncached
 * mapping (PCD, PWT), which Xen would force anyway.
 *
 * The rule it keeps: a window is a page of the kernel's image, so that the
 * builder's start-of-day tables hold its L1 entry; the entry is found by
 * walking those tables from start_info's pt_base, each table reached
 * through the M2P and the kernel's mapping of its own pages.  A window is
 * never handed back: its frame stays dom0's, merely unmapped there.
 */
#ifndef PV_KERNEL_IO_MEMORY_H
#define PV_KERNEL_IO_MEMORY_H

#include <stdint.h>

/* Maps the machine frame over the page-aligned window; 0 or a negative Xen
 * error (the hypervisor's, e.g. -EPERM without I/O-memory access). */
int io_memory_map(void *window, uint64_t machine_frame);

#endif
