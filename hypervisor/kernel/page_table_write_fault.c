/*
 * Writable page tables: a guest kernel's direct write to one of its own
 * page-table entries, trapped and emulated (Xen's ptwr,
 * xen/arch/x86/pv/ro-page-fault.c).
 *
 * Linux writes some entries of its pinned L1 tables directly (xchg in
 * ptep_get_and_clear, lock and in ptep_set_wrprotect, lock btr in
 * ptep_test_and_clear_young, ...), although they are mapped read-only.
 * Rules kept here:
 *   - Only a write fault from guest kernel mode on a present, read-only
 *     mapping whose target is a validated L1 of the domain's, found by
 *     walking the kernel page tables, is considered; any other fault goes
 *     to the guest as it is.
 *   - The instruction is decoded and its effect computed by
 *     common/page_table_write.c; the new entry is then an L1 update like
 *     any other (common/page_type.c checks it and moves references).  Only
 *     if that update is accepted are the instruction's register and flag
 *     results committed and RIP advanced; otherwise the guest gets the
 *     #PF it caused, and the entry is unchanged.  A guest single-stepping
 *     through the write gets its #DB after it, as from the hardware.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/layout.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_table_write.h>

#define PAGE_FAULT_PRESENT 1UL
#define PAGE_FAULT_WRITE 2UL
#define RFLAGS_TRAP 0x100UL
#define VECTOR_DEBUG 1

/* The L1 table the faulting address's mapping points at, if it is a
 * read-only mapping of a validated L1 of the domain's. */
static bool find_written_table(const struct vcpu *vcpu, uint64_t fault_address, uint64_t *written_table)
{
    const struct page_memory *memory = domain_page_memory();
    uint64_t mapping_table, entry, target;
    unsigned int index;

    if (guest_find_l1_entry(vcpu->kernel_root_page_table, fault_address, &mapping_table, &index) != 0)
        return false;
    entry = memory->table(memory, mapping_table)[index];
    if (!(entry & PAGE_TABLE_ENTRY_PRESENT) || (entry & PAGE_TABLE_ENTRY_WRITABLE))
        return false;
    target = page_table_entry_frame(entry);
    if (!page_is_validated_table(memory, target, PAGE_TYPE_L1) || memory->frames[target].owner != vcpu->domain->id)
        return false;
    *written_table = target;
    return true;
}

/* Reads up to 15 instruction bytes, stopping at the first unreadable one.
 * Whether a byte is readable is decided by its page (the mapping, and the
 * range rule of pvmon/guest_access.h, whose bounds are page aligned), so
 * each of the at most two pages the bytes lie on is read in one checked
 * copy: the bytes read are those a copy byte by byte would read, for two
 * copies at most instead of fifteen (every entry Linux clears with xchg
 * comes here).  Xen's ptwr_emulated_insn_fetch likewise reads the bytes
 * with one checked copy (copy_from_guest_pv) per fetch. */
static size_t fetch_instruction(uint64_t address, uint8_t *bytes)
{
    size_t in_first_page = PAGE_SIZE - (address & (PAGE_SIZE - 1));
    size_t first = in_first_page < PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH
                       ? in_first_page
                       : PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH;

    if (copy_from_guest(bytes, address, first) != 0)
        return 0;
    if (first == PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH ||
        copy_from_guest(bytes + first, address + first, PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH - first) != 0)
        return first;
    return PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH;
}

bool guest_emulate_page_table_write(struct vcpu *vcpu, struct trap_frame *frame, uint64_t fault_address)
{
    const struct page_memory *memory = domain_page_memory();
    uint8_t bytes[PAGE_TABLE_WRITE_MAXIMUM_INSTRUCTION_LENGTH];
    struct trap_frame result;
    uint64_t table, old_entry, new_entry;
    unsigned int index = (fault_address & (PAGE_SIZE - 1)) / sizeof(uint64_t);
    size_t available;

    if ((frame->error_code & (PAGE_FAULT_PRESENT | PAGE_FAULT_WRITE)) != (PAGE_FAULT_PRESENT | PAGE_FAULT_WRITE) ||
        !vcpu->kernel_mode || !find_written_table(vcpu, fault_address, &table))
        return false;
    available = fetch_instruction(frame->rip, bytes);
    old_entry = memory->table(memory, table)[index];
    if (page_table_write_emulate(bytes, available, frame, fault_address, old_entry, &result, &new_entry) != 0)
        return false;
    if (new_entry != old_entry &&
        page_update_entry(memory, vcpu->domain->id, table, index, new_entry, false, NULL) != 0)
        return false;
    *frame = result;
    domain_memory_count(DOMAIN_MEMORY_PAGE_TABLE_WRITE_EMULATED);
    if (frame->rflags & RFLAGS_TRAP)
        guest_raise_exception(vcpu, frame, VECTOR_DEBUG, false, 0);
    return true;
}
