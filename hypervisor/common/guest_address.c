/*
 * Which guest virtual ranges the hypervisor may access on a guest's
 * behalf.  A 64-bit PV guest owns the lower canonical half and the upper
 * half outside L4 slots 256-271; the hypervisor owns those slots in every
 * address space (Xen x86-64 PV ABI), so a guest pointer into them, or a
 * range that crosses into them, wraps around, or touches the
 * non-canonical hole, is refused before it is dereferenced.
 */
#include <pvmon/guest_access.h>
#include <pvmon/layout.h>

#define LOWER_HALF_END 0x0000800000000000UL
#define UPPER_HALF_START 0xffff800000000000UL

static bool inside(uint64_t first, uint64_t last, uint64_t start, uint64_t end_inclusive)
{
    return first >= start && last <= end_inclusive;
}

bool guest_range_is_valid(uint64_t guest_address, uint64_t length)
{
    uint64_t last;

    if (length == 0)
        return true;
    if (guest_address + (length - 1) < guest_address)
        return false;
    last = guest_address + (length - 1);
    return inside(guest_address, last, 0, LOWER_HALF_END - 1) ||
           inside(guest_address, last, HYPERVISOR_SLOTS_END, UINT64_MAX);
}
