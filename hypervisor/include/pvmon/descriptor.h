/*
 * Segment descriptors a PV guest hands to the hypervisor: entries of the
 * frames it passes to set_gdt, the descriptor it writes with
 * update_descriptor, and the pages of its LDT.  The rules are Xen's
 * (xen/arch/x86/pv/descriptor-tables.c: check_descriptor, pv_set_gdt,
 * do_update_descriptor), so a guest written for Xen sees the same
 * acceptances, refusals and fix-ups.
 *
 * A descriptor is the raw 8-byte table entry, as the CPU reads it.  What
 * is accepted can never give the guest ring 0: code and data segments get
 * their DPL raised to the guest kernel's ring, call gates get DPL 0 so that
 * every use traps to the hypervisor, and every other system descriptor
 * (TSS, LDT, interrupt and trap gates) is refused.  Not-present entries
 * always fault on use and are accepted unchanged.
 */
#ifndef PVMON_DESCRIPTOR_H
#define PVMON_DESCRIPTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DESCRIPTORS_PER_PAGE 512
#define LDT_ENTRY_LIMIT 8192        /* Xen's MMUEXT_SET_LDT limit: 16 pages */

/*
 * Checks one descriptor and fixes it up in place; false, leaving it
 * unchanged, if the guest may not have it.  is_64bit_guest selects the
 * rules for a 64-bit PV guest (kernel in ring 3) rather than a 32-bit one
 * (kernel in ring 1).
 */
bool descriptor_check(uint64_t *descriptor, bool is_64bit_guest);

/*
 * descriptor_check over count consecutive entries (a GDT or LDT frame is
 * DESCRIPTORS_PER_PAGE of them).  0 if all are acceptable; otherwise
 * -XEN_EINVAL, with the entries before the first refused one already fixed
 * up, as in Xen's validate_segdesc_page.  The caller must keep the guest
 * from writing the entries meanwhile (the frame is typed as a descriptor
 * table, never mapped writable).
 */
int descriptor_check_table(uint64_t *descriptors, size_t count, bool is_64bit_guest);

/* set_gdt: a guest GDT may only cover the entries below pvmon's reserved page. */
bool descriptor_gdt_entry_count_is_valid(unsigned int entries);

/* set_gdt: how many frames hold that many entries. */
unsigned int descriptor_gdt_frame_count(unsigned int entries);

/* MMUEXT_SET_LDT: whether (linear_address, entries) may name an LDT
 * (entries 0, whatever the address, is the null LDT). */
bool descriptor_ldt_arguments_are_valid(uint64_t linear_address, uint64_t entries);

/* MMUEXT_SET_LDT: how many pages hold that many entries. */
unsigned int descriptor_ldt_frame_count(unsigned int entries);

/* update_descriptor: the target must be a whole, aligned table entry. */
bool descriptor_update_address_is_valid(uint64_t machine_address);

#endif
