/*
 * copy_from_guest and copy_to_guest: the only way the hypervisor reads or
 * writes memory through a guest-supplied pointer (see pvmon/guest_access.h).
 * The range is checked first; the copy itself runs under the exception
 * table (safe_copy), so an unmapped page ends it with -XEN_EFAULT.
 */
#include <pvmon/arch.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>

int copy_from_guest(void *destination, uint64_t guest_source, size_t length)
{
    if (!guest_range_is_valid(guest_source, length))
        return -XEN_EFAULT;
    return safe_copy(destination, (const void *)guest_source, length);
}

int copy_to_guest(uint64_t guest_destination, const void *source, size_t length)
{
    if (!guest_range_is_valid(guest_destination, length))
        return -XEN_EFAULT;
    return safe_copy((void *)guest_destination, source, length);
}
