/*
 * The kernel's registered runstate area (VCPUOP_register_runstate_memory_area,
 * Xen's public vcpu.h), as Linux registers one per CPU for its steal-time
 * clock: a vcpu_runstate_info in kernel memory that the hypervisor keeps up
 * to date at every change of the vCPU's state.
 *
 * Rules kept (Xen's contract, xen/arch/x86/domain.c _update_runstate_area
 * and pv/domain.c _toggle_guest_pt): the kernel may read the area at any of
 * its entries and find it current, even when the vCPU was switched out and
 * in while a process ran in user mode, whose page tables do not map the
 * kernel (address_space.h).  This file only registers and reads; it does
 * not correct what it reads, so a stale area shows (SYS_runstate, the
 * `runstate` program).
 */
#ifndef PV_KERNEL_RUNSTATE_AREA_H
#define PV_KERNEL_RUNSTATE_AREA_H

#include "user_abi.h"

/* Registers the area at the first call (negative XEN_E* if refused), then
 * reads it, first, and asks the hypervisor (VCPUOP_get_runstate_info). */
int runstate_area_read(struct runstate_views *views);

#endif
