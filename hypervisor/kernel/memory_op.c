/*
 * The memory_op sub-ops a PV domU asks for at boot, answered as Xen
 * answers an unprivileged PV guest (xen/common/memory.c: do_memory_op,
 * xen/arch/x86/mm.c: arch_memory_op):
 *   - memory_map: the domain's pseudo-physical map, one RAM region from 0
 *     to nr_pages (what Xen's toolstack sets for a PV guest); at most
 *     nr_entries entries are written and nr_entries says how many.
 *   - current_reservation, maximum_reservation: the domain's pages, for
 *     DOMID_SELF or its own id; another domain needs privilege (-EPERM),
 *     an unknown one is -ESRCH.
 *   - maximum_ram_page: the number of machine frames (the argument must be
 *     NULL, -EINVAL otherwise).
 *   - machphys_mapping: where the read-only M2P table is
 *     (kernel/machine_to_physical.c).
 * Everything else (reservation changes) is -ENOSYS until pvmon's PV memory
 * work provides it.
 */
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
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
    struct e820_entry ram = { .address = 0, .size = domain->page_count * PAGE_SIZE, .type = E820_TYPE_RAM };

    if (copy_from_guest(&map, argument, sizeof(map)) != 0)
        return -XEN_EFAULT;
    map.nr_entries = map.nr_entries < 1 ? map.nr_entries : 1;
    if (map.nr_entries == 1 && copy_to_guest((uint64_t)map.buffer.p, &ram, sizeof(ram)) != 0)
        return -XEN_EFAULT;
    return copy_to_guest(argument, &map, sizeof(map)) != 0 ? -XEN_EFAULT : 0;
}

static long reservation(const struct domain *caller, uint64_t argument)
{
    domid_t id;
    const struct domain *target;

    if (copy_from_guest(&id, argument, sizeof(id)) != 0)
        return -XEN_EFAULT;
    target = id == DOMID_SELF ? caller : domain_find(id);
    if (target == NULL || !domain_is_alive(target))
        return -XEN_ESRCH;
    if (target != caller && !caller->privileged)
        return -XEN_EPERM;
    return (long)target->page_count;
}

long do_memory_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    switch (command) {
    case XENMEM_memory_map:
        return pseudo_physical_memory_map(vcpu->domain, argument);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation(vcpu->domain, argument);
    case XENMEM_machphys_mapping:
        return machine_to_physical_describe(argument);
    case XENMEM_maximum_ram_page:
        return argument != 0 ? -XEN_EINVAL : (long)machine_frame_allocator()->frame_count;
    default:
        return -XEN_ENOSYS;
    }
}
