/*
 * The physdev_op hypercall, answered as Xen answers it
 * (xen/arch/x86/physdev.c: do_physdev_op):
 *   - set_iopl: the guest's virtual I/O privilege level, 0 to 3 (-EINVAL
 *     above).  It is recorded, but a domain has no I/O ports in pvmon, so
 *     port reads still give all ones and writes are dropped whatever it is.
 *   - map_pirq, unmap_pirq, setup_gsi, eoi: the privileged domain's
 *     physical interrupts (kernel/physical_irq.c, common/pirq.c), with
 *     Xen's refusals for a domU.  map_pirq writes its whole structure
 *     back whatever the outcome, as Xen's __copy_to_guest does.
 *   - irq_status_query: -EINVAL beyond the pirqs, else
 *     XENIRQSTAT_needs_eoi, for any domain, as Xen answers a PV guest.
 * Every other sub-op is -ENOSYS, which Linux handles (it falls back, or
 * prints and goes on).
 */
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/physical_irq.h>
#include <pvmon/pirq.h>
#include <xen/physdev.h>

#define HIGHEST_IO_PRIVILEGE_LEVEL 3

static long set_iopl(struct vcpu *vcpu, uint64_t argument)
{
    struct physdev_set_iopl request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.iopl > HIGHEST_IO_PRIVILEGE_LEVEL)
        return -XEN_EINVAL;
    vcpu->io_privilege_level = request.iopl;
    return 0;
}

static long map_pirq(struct vcpu *vcpu, uint64_t argument)
{
    struct physdev_map_pirq request;
    long result;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    result = physical_irq_map(vcpu, &request);
    if (copy_to_guest(argument, &request, sizeof(request)) != 0)
        return -XEN_EFAULT;
    return result;
}

static long unmap_pirq(struct vcpu *vcpu, uint64_t argument)
{
    struct physdev_unmap_pirq request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    return physical_irq_unmap(vcpu, &request);
}

static long setup_gsi(struct vcpu *vcpu, uint64_t argument)
{
    struct physdev_setup_gsi request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    return physical_irq_setup_gsi(vcpu, &request);
}

static long end_of_interrupt(struct vcpu *vcpu, uint64_t argument)
{
    struct physdev_eoi request;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.irq >= PIRQ_COUNT)
        return -XEN_EINVAL;
    return physical_irq_eoi(vcpu, &request);
}

static long irq_status_query(uint64_t argument)
{
    struct physdev_irq_status_query request;
    long result;

    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    result = pirq_status_query(request.irq, &request.flags);
    if (result == 0 && copy_to_guest(argument, &request, sizeof(request)) != 0)
        return -XEN_EFAULT;
    return result;
}

long do_physdev_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    switch (command) {
    case PHYSDEVOP_set_iopl:
        return set_iopl(vcpu, argument);
    case PHYSDEVOP_map_pirq:
        return map_pirq(vcpu, argument);
    case PHYSDEVOP_unmap_pirq:
        return unmap_pirq(vcpu, argument);
    case PHYSDEVOP_setup_gsi:
        return setup_gsi(vcpu, argument);
    case PHYSDEVOP_eoi:
        return end_of_interrupt(vcpu, argument);
    case PHYSDEVOP_irq_status_query:
        return irq_status_query(argument);
    default:
        return -XEN_ENOSYS;
    }
}
