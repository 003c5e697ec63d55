/*
 * The memory_op sub-ops a PV domU asks for at boot, answered as Xen
 * answers an unprivileged PV guest (xen/common/memory.c: do_memory_op,
 * xen/arch/x86/mm.c: arch_memory_op):
 *   - memory_map: the domain's pseudo-physical map, one RAM region from 0
 *     to its maximum reservation (what Xen's toolstack sets for a PV
 *     guest); at most
 *     nr_entries entries are written and nr_entries says how many.
 *   - current_reservation, maximum_reservation: the domain's pages, for
 *     DOMID_SELF or its own id; another domain needs privilege (-EPERM),
 *     an unknown one is -ESRCH.
 *   - maximum_ram_page: the number of machine frames (the argument must be
 *     NULL, -EINVAL otherwise).
 *   - machphys_mapping: where the read-only M2P table is
 *     (kernel/machine_to_physical.c).
 *   - populate_physmap, increase_reservation, decrease_reservation
 *     (ballooning), with PV semantics (xen/common/memory.c): the guest
 *     owns its pseudo-physical map, so populate_physmap reads a pfn from
 *     each extent, sets the new frame's M2P entry to it and writes the
 *     machine frame back; increase_reservation only writes machine frames
 *     back; decrease_reservation reads machine frames the guest holds and
 *     gives them back (common/page_type.c: a frame still mapped is freed
 *     when its last reference goes, and cannot be mapped anew meanwhile).
 *     As in Xen 4.17 (guest_remove_page since XSA-252) a pin survives the
 *     give-back: the guest unpins itself.  A frame counts in the domain's
 *     page_count, which current_reservation returns, until it is really
 *     freed (Xen's tot_pages), and no frame is added beyond the maximum
 *     reservation (domain_take_reservation_frame): a frame kept alive by
 *     a pin or a mapping cannot be traded for a fresh one.
 *     Every new frame is zero (kernel/domain_memory.c).  The answer is the
 *     number of extents done, which stops at the first that fails (over
 *     the maximum reservation, out of memory, a frame the guest does not
 *     hold, shared_info, an unreadable or unwritable extent).  Only
 *     extent_order 0 is supported (-EINVAL otherwise), the address-width
 *     limit of mem_flags is honoured, the domain must be the caller's
 *     (-EPERM).  As in Xen, nothing is done and the answer is the start
 *     extent when the list is too long to encode a continuation
 *     (nr_extents > UINT_MAX >> MEMOP_EXTENT_SHIFT), when nothing remains
 *     from the start extent, or when the extents that remain are not in
 *     guest space (checked on every entry: XSA-212).
 *   - Preemption: before every extent but the first of this entry,
 *     hypercall_preempt_check; the call then continues with
 *     cmd | (next extent << MEMOP_EXTENT_SHIFT) and the same argument
 *     (Xen's continuation of these three commands).  The queries answer
 *     a command with a start extent -EINVAL.
 * Everything else is -ENOSYS, as is any other command with upper bits.
 */
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <xen/memory.h>

#define E820_TYPE_RAM 1

struct e820_entry {
    uint64_t address;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

static long pseudo_physical_memory_map(const struct domain *domain, uint64_t argument)
{
    struct xen_memory_map map;
    struct e820_entry ram = { .address = 0, .size = domain->maximum_pages * PAGE_SIZE, .type = E820_TYPE_RAM };

    if (copy_from_guest(&map, argument, sizeof(map)) != 0)
        return -XEN_EFAULT;
    map.nr_entries = map.nr_entries < 1 ? map.nr_entries : 1;
    if (map.nr_entries == 1 && copy_to_guest((uint64_t)map.buffer.p, &ram, sizeof(ram)) != 0)
        return -XEN_EFAULT;
    return copy_to_guest(argument, &map, sizeof(map)) != 0 ? -XEN_EFAULT : 0;
}

/* The domain a reservation query names: the caller (DOMID_SELF or its own
 * id), or another live one for a privileged caller. */
static long find_reservation_target(const struct domain *caller, uint64_t argument, const struct domain **target)
{
    domid_t id;

    if (copy_from_guest(&id, argument, sizeof(id)) != 0)
        return -XEN_EFAULT;
    *target = id == DOMID_SELF ? caller : domain_find(id);
    if (*target == NULL || !domain_is_alive(*target))
        return -XEN_ESRCH;
    if (*target != caller && !caller->privileged)
        return -XEN_EPERM;
    return 0;
}

static long reservation(const struct domain *caller, uint64_t argument, bool maximum)
{
    const struct domain *target;
    long error = find_reservation_target(caller, argument, &target);

    if (error)
        return error;
    return (long)(maximum ? target->maximum_pages : target->page_count);
}

enum reservation_change { POPULATE, INCREASE, DECREASE };

static int check_reservation(const struct domain *domain, const struct xen_memory_reservation *request)
{
    if (request->domid != DOMID_SELF && request->domid != domain->id)
        return -XEN_EPERM;
    if (request->extent_order != 0)
        return -XEN_EINVAL;
    return 0;
}

/* Xen's do_memory_op: a list too long for a continuation to encode its
 * next extent, or nothing left from start_extent, does nothing. */
static bool extents_remain(const struct xen_memory_reservation *request, uint64_t start_extent)
{
    return request->nr_extents <= (UINT32_MAX >> MEMOP_EXTENT_SHIFT) && start_extent < request->nr_extents;
}

/* The extents not yet done lie in guest space: checked on every entry,
 * so a list moved between continuations is refused (XSA-212,
 * guest_handle_subrange_okay). */
static bool remaining_extents_are_guest_memory(const struct xen_memory_reservation *request,
                                               uint64_t start_extent)
{
    uint64_t first = (uint64_t)request->extent_start.p + start_extent * sizeof(xen_pfn_t);

    return guest_range_is_valid(first, (request->nr_extents - start_extent) * sizeof(xen_pfn_t));
}

/* A frame below the reservation's address-width limit (0: no limit). */
static bool within_address_width(uint64_t frame, unsigned int memory_flags)
{
    unsigned int bits = XENMEMF_get_address_bits(memory_flags);

    return bits == 0 || bits >= 64 || frame < (UINT64_C(1) << bits) / PAGE_SIZE;
}

static int add_frame(struct domain *domain, uint64_t extent, enum reservation_change change,
                     unsigned int memory_flags)
{
    const struct page_memory *memory = domain_page_memory();
    uint64_t physical_frame = 0;
    uint64_t frame;
    int error;

    if (change == POPULATE && copy_from_guest(&physical_frame, extent, sizeof(physical_frame)) != 0)
        return -XEN_EFAULT;
    if (domain_take_reservation_frame(domain, &frame) != 0)
        return -XEN_ENOMEM;
    error = !within_address_width(frame, memory_flags)             ? -XEN_ENOMEM
            : copy_to_guest(extent, &frame, sizeof(frame)) != 0 ? -XEN_EFAULT
                                                                 : 0;
    if (error) {
        BUG_ON(page_give_back(memory, frame, domain->id) != 0);
        return error;
    }
    if (change == POPULATE)
        machine_to_physical_set(frame, physical_frame);
    else
        machine_to_physical_clear(frame);
    return 0;
}

static int remove_frame(struct domain *domain, uint64_t extent)
{
    const struct page_memory *memory = domain_page_memory();
    uint64_t frame;

    if (copy_from_guest(&frame, extent, sizeof(frame)) != 0)
        return -XEN_EFAULT;
    if (frame < memory->frame_count && (memory->frames[frame].flags & FRAME_FLAG_HYPERVISOR_PAGE))
        return -XEN_EINVAL;
    return page_give_back(memory, frame, domain->id) != 0 ? -XEN_EINVAL : 0;
}

static long continue_reservation(struct vcpu *vcpu, unsigned int command, uint64_t next_extent,
                                 uint64_t argument)
{
    return hypercall_create_continuation(vcpu, __HYPERVISOR_memory_op, 2,
                                         (const uint64_t[]){ command | (next_extent << MEMOP_EXTENT_SHIFT), argument });
}

static long change_reservation(struct vcpu *vcpu, unsigned int command, uint64_t start_extent, uint64_t argument,
                               enum reservation_change change)
{
    struct domain *domain = vcpu->domain;
    struct xen_memory_reservation request;
    uint64_t done;
    int error;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (!extents_remain(&request, start_extent))
        return (long)start_extent;
    error = check_reservation(domain, &request);
    if (error)
        return error;
    if (!remaining_extents_are_guest_memory(&request, start_extent))
        return (long)start_extent;
    for (done = start_extent; done < request.nr_extents; done++) {
        uint64_t extent = (uint64_t)request.extent_start.p + done * sizeof(xen_pfn_t);

        if (done != start_extent && hypercall_preempt_check())
            return continue_reservation(vcpu, command, done, argument);
        error = change == DECREASE ? remove_frame(domain, extent)
                                   : add_frame(domain, extent, change, request.mem_flags);
        if (error)
            break;
    }
    return (long)done;
}

static bool is_reservation_change(unsigned int command)
{
    return command == XENMEM_populate_physmap || command == XENMEM_increase_reservation ||
           command == XENMEM_decrease_reservation;
}

/* Xen's queries that refuse a start extent with -EINVAL; any other
 * command but the reservation changes is unknown with one (-ENOSYS). */
static bool is_query(unsigned int command)
{
    return command == XENMEM_current_reservation || command == XENMEM_maximum_reservation ||
           command == XENMEM_maximum_ram_page;
}

static enum reservation_change change_of(unsigned int command)
{
    return command == XENMEM_populate_physmap ? POPULATE
           : command == XENMEM_increase_reservation ? INCREASE
                                                    : DECREASE;
}

long do_memory_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    unsigned int base_command = command & MEMOP_CMD_MASK;
    uint64_t start_extent = command >> MEMOP_EXTENT_SHIFT;

    if (is_reservation_change(base_command))
        return change_reservation(vcpu, base_command, start_extent, argument, change_of(base_command));
    if (start_extent != 0)
        return is_query(base_command) ? -XEN_EINVAL : -XEN_ENOSYS;
    switch (command) {
    case XENMEM_memory_map:
        return pseudo_physical_memory_map(vcpu->domain, argument);
    case XENMEM_current_reservation:
        return reservation(vcpu->domain, argument, false);
    case XENMEM_maximum_reservation:
        return reservation(vcpu->domain, argument, true);
    case XENMEM_machphys_mapping:
        return machine_to_physical_describe(argument);
    case XENMEM_maximum_ram_page:
        return argument != 0 ? -XEN_EINVAL : (long)machine_frame_allocator()->frame_count;
    default:
        return -XEN_ENOSYS;
    }
}
