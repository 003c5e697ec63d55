/*
 * The physdev_op sub-ops an unprivileged PV guest uses, answered as Xen
 * answers them (xen/arch/x86/physdev.c: do_physdev_op):
 *   - set_iopl: the guest's virtual I/O privilege level, 0 to 3 (-EINVAL
 *     above).  It is recorded, but a domain has no I/O ports in pvmon, so
 *     port reads still give all ones and writes are dropped whatever it is.
 * pvmon has no physical devices to hand out: every other sub-op is
 * -ENOSYS, which Linux handles (it falls back, or prints and goes on).
 */
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <xen/physdev.h>

#define HIGHEST_IO_PRIVILEGE_LEVEL 3

long do_physdev_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    struct physdev_set_iopl request;

    if (command != PHYSDEVOP_set_iopl)
        return -XEN_ENOSYS;
    if (copy_from_guest(&request, argument, sizeof(request)) != 0)
        return -XEN_EFAULT;
    if (request.iopl > HIGHEST_IO_PRIVILEGE_LEVEL)
        return -XEN_EINVAL;
    vcpu->io_privilege_level = request.iopl;
    return 0;
}
