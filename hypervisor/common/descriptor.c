/*
 * Validation and fix-up of guest segment descriptors (see
 * pvmon/descriptor.h), following Xen's check_descriptor in
 * xen/arch/x86/pv/descriptor-tables.c rule by rule:
 *
 * - A not-present descriptor always faults when loaded, so it is accepted
 *   unchanged, whatever else it holds.
 * - The DPL is raised to the guest kernel's ring if below it: ring 3 for a
 *   64-bit guest, ring 1 for a 32-bit one (Xen's __fixup_guest_selector
 *   with GUEST_KERNEL_RPL).  A 64-bit guest's code and data segments thus
 *   all end up DPL 3; DPL 3 stays 3.
 * - Code and data segments (S = 1) are then accepted, conforming ones
 *   included, with no base or limit check: in 64-bit mode the CPU ignores
 *   base and limit for CS, DS, ES and SS, and at DPL 3 a segment can only
 *   be used from ring 3, where the page tables' U/S bits keep the guest out
 *   of the hypervisor.  A 32-bit guest may not have a 64-bit code segment
 *   (L = 1).  Xen's widening of flat 32-bit limits over its compat M2P
 *   table is left out: pvmon runs no 32-bit guests and has no such table.
 * - A system descriptor of type 0 is accepted unchanged: it is invalid for
 *   the CPU and is what the upper half of a 16-byte call gate looks like.
 * - A call gate is accepted if its target selector is one the guest owns:
 *   an LDT selector, a GDT entry below FIRST_RESERVED_GDT_ENTRY, or exactly
 *   the flat kernel code selector (Xen's guest_gate_selector_okay).  Its
 *   DPL is forced to 0 so that every use raises #GP for the hypervisor to
 *   emulate, the guest's (raised) DPL is kept in the target selector's RPL,
 *   and its reserved bits must be zero (all of byte 4 for a 64-bit gate,
 *   bits 5-7 of it for a 32-bit one).
 * - Every other system descriptor (TSS, LDT, task, interrupt and trap
 *   gates, 16-bit gates, reserved types) is refused.
 *
 * MMUEXT_SET_LDT's arguments (xen/arch/x86/mm.c): at most 8192 entries;
 * with no entries the address is ignored (the null LDT); otherwise the
 * address is page-aligned and the whole table lies in guest space (Xen's
 * __addr_ok checks the base and leaves the rest to the first use; pvmon
 * maps the LDT at once, so it checks every byte).  Each refusal is
 * -EINVAL.
 */
#include <pvmon/descriptor.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/layout.h>
#include <xen/xen.h>

#define TYPE_SHIFT 40
#define TYPE_MASK (UINT64_C(0xf) << TYPE_SHIFT)
#define CODE_OR_DATA (UINT64_C(1) << 44)
#define DPL_SHIFT 45
#define DPL_MASK (UINT64_C(3) << DPL_SHIFT)
#define PRESENT (UINT64_C(1) << 47)
#define LONG_MODE_CODE (UINT64_C(1) << 53)

#define GATE_SELECTOR_SHIFT 16
#define GATE_SELECTOR_MASK (UINT64_C(0xffff) << GATE_SELECTOR_SHIFT)
#define GATE_RESERVED_64BIT (UINT64_C(0xff) << 32)
#define GATE_RESERVED_32BIT (UINT64_C(0xe0) << 32)

#define SYSTEM_TYPE_UNUSED 0
#define SYSTEM_TYPE_CALL_GATE 12

#define SELECTOR_RPL_MASK 3
#define SELECTOR_IN_LDT 4
#define SELECTOR_INDEX_SHIFT 3

/* Xen's flat ring-1 code selector for 32-bit guests (FLAT_RING1_CS in
 * Xen's public arch-x86/xen-x86_32.h, which a 64-bit build cannot include). */
#define FLAT_COMPAT_KERNEL_CS 0xe019

#define DESCRIPTOR_SIZE 8
#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)

static unsigned int guest_kernel_ring(bool is_64bit_guest)
{
    return is_64bit_guest ? 3 : 1;
}

static uint16_t flat_kernel_code_selector(bool is_64bit_guest)
{
    return is_64bit_guest ? FLAT_RING3_CS64 : FLAT_COMPAT_KERNEL_CS;
}

static unsigned int descriptor_dpl(uint64_t descriptor)
{
    return (unsigned int) ((descriptor & DPL_MASK) >> DPL_SHIFT);
}

static uint64_t with_dpl(uint64_t descriptor, unsigned int dpl)
{
    return (descriptor & ~DPL_MASK) | ((uint64_t) dpl << DPL_SHIFT);
}

static unsigned int system_type(uint64_t descriptor)
{
    return (unsigned int) ((descriptor & TYPE_MASK) >> TYPE_SHIFT);
}

static bool gate_selector_is_guest_owned(uint16_t selector, bool is_64bit_guest)
{
    bool in_ldt = (selector & SELECTOR_IN_LDT) != 0;
    bool below_reserved_gdt = (selector >> SELECTOR_INDEX_SHIFT) < FIRST_RESERVED_GDT_ENTRY;

    return in_ldt || below_reserved_gdt || selector == flat_kernel_code_selector(is_64bit_guest);
}

static bool accept_code_or_data(uint64_t *descriptor, uint64_t raised, bool is_64bit_guest)
{
    if (!is_64bit_guest && (raised & LONG_MODE_CODE) != 0)
        return false;
    *descriptor = raised;
    return true;
}

static bool accept_call_gate(uint64_t *descriptor, uint64_t raised, bool is_64bit_guest)
{
    uint16_t selector = (uint16_t) ((raised & GATE_SELECTOR_MASK) >> GATE_SELECTOR_SHIFT);
    uint64_t reserved = is_64bit_guest ? GATE_RESERVED_64BIT : GATE_RESERVED_32BIT;
    uint16_t selector_keeping_dpl;

    if (!gate_selector_is_guest_owned(selector, is_64bit_guest) || (raised & reserved) != 0)
        return false;
    selector_keeping_dpl = (uint16_t) ((selector & ~SELECTOR_RPL_MASK) | descriptor_dpl(raised));
    *descriptor = with_dpl(raised & ~GATE_SELECTOR_MASK, 0) |
                  ((uint64_t) selector_keeping_dpl << GATE_SELECTOR_SHIFT);
    return true;
}

bool descriptor_check(uint64_t *descriptor, bool is_64bit_guest)
{
    uint64_t raised;

    if ((*descriptor & PRESENT) == 0)
        return true;
    raised = *descriptor;
    if (descriptor_dpl(raised) < guest_kernel_ring(is_64bit_guest))
        raised = with_dpl(raised, guest_kernel_ring(is_64bit_guest));
    if ((raised & CODE_OR_DATA) != 0)
        return accept_code_or_data(descriptor, raised, is_64bit_guest);
    switch (system_type(raised)) {
    case SYSTEM_TYPE_UNUSED:
        return true;
    case SYSTEM_TYPE_CALL_GATE:
        return accept_call_gate(descriptor, raised, is_64bit_guest);
    default:
        return false;
    }
}

int descriptor_check_table(uint64_t *descriptors, size_t count, bool is_64bit_guest)
{
    for (size_t index = 0; index < count; index++) {
        if (!descriptor_check(&descriptors[index], is_64bit_guest))
            return -XEN_EINVAL;
    }
    return 0;
}

/* Xen's pv_set_gdt and do_set_gdt: entries > FIRST_RESERVED_GDT_ENTRY is -EINVAL. */
bool descriptor_gdt_entry_count_is_valid(unsigned int entries)
{
    return entries <= FIRST_RESERVED_GDT_ENTRY;
}

unsigned int descriptor_gdt_frame_count(unsigned int entries)
{
    return entries / DESCRIPTORS_PER_PAGE + (entries % DESCRIPTORS_PER_PAGE != 0);
}

/* Xen's do_update_descriptor: a misaligned address would corrupt two neighbours. */
bool descriptor_update_address_is_valid(uint64_t machine_address)
{
    return machine_address % DESCRIPTOR_SIZE == 0;
}

bool descriptor_ldt_arguments_are_valid(uint64_t linear_address, uint64_t entries)
{
    if (entries > LDT_ENTRY_LIMIT)
        return false;
    if (entries == 0)
        return true;
    return (linear_address & PAGE_OFFSET_MASK) == 0 && guest_range_is_valid(linear_address, entries * DESCRIPTOR_SIZE);
}

unsigned int descriptor_ldt_frame_count(unsigned int entries)
{
    return entries / DESCRIPTORS_PER_PAGE + (entries % DESCRIPTORS_PER_PAGE != 0);
}
