/*
 * copy_from_guest and copy_to_guest: the only way the hypervisor reads or
 * writes memory through a guest-supplied pointer (see pvmon/guest_access.h).
 * The range is checked first; the copy itself runs under the exception
 * table (safe_copy), so an unmapped page ends it with -XEN_EFAULT.
 * safe_copy moves 8-byte words, so the bounce and iret frames of the
 * syscall fast path cost one step per word (Xen's create_bounce_frame and
 * do_iret also touch the guest stack a word at a time under fixups).
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
