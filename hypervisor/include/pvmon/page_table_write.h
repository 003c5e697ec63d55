/*
 * Emulation of a guest kernel's direct write to one of its page-table
 * entries ("writable page tables", Xen's xen/arch/x86/pv/ro-page-fault.c).
 *
 * A PV guest's page tables are mapped read-only to it, yet Linux writes some
 * entries with plain instructions: xchg (ptep_get_and_clear), lock andb
 * (ptep_set_wrprotect), lock btrq (ptep_test_and_clear_young), movq
 * (ptep_get_and_clear_full) and, through its generic helpers, lock orb,
 * lock btsq and lock cmpxchg.  Each write faults with #PF; the hypervisor
 * then reads the instruction bytes at RIP and asks page_table_write_emulate
 * what the instruction would have written.  It validates the new entry like
 * an mmu_update of that entry and, if it accepts it, stores it and commits
 * the new registers.
 *
 * This is pure code (no hardware, no guest memory): the caller fetches the
 * instruction bytes and the entry.  The instructions and encodings decoded
 * are listed at the top of hypervisor/common/page_table_write.c.
 */
#ifndef PVMON_PAGE_TABLE_WRITE_H
#define PVMON_PAGE_TABLE_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <pvmon/trap_frame.h>

/* The longest x86 instruction; bytes beyond it are never looked at. */
#define PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH 15

/*
 * Emulates the guest instruction at registers->rip (bytes: the instruction
 * bytes read from there, available: how many could be read, up to 15),
 * which faulted writing the 8-byte page-table entry that holds
 * fault_address, whose current value is old_entry.  On success returns 0,
 * *new_entry is the entry's full 8-byte value after the instruction, and
 * *result is a copy of *registers with the instruction's effects on
 * registers and RFLAGS applied, rip advanced past it and RFLAGS.RF cleared
 * (the caller commits *result only if it accepts *new_entry; if RFLAGS.TF
 * is set it then delivers the single-step #DB itself).  -XEN_EINVAL for
 * anything else, leaving *result and *new_entry untouched.
 */
int page_table_write_emulate(const uint8_t *bytes, size_t available, const struct trap_frame *registers,
                             uint64_t fault_address, uint64_t old_entry, struct trap_frame *result,
                             uint64_t *new_entry);

#endif
