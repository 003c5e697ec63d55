/*
 * The console_io hypercall.  CONSOLEIO_write is open to every domain (real
 * Xen refuses it to domUs; pvmon allows it, as the PV ABI brief advises, so
 * that every guest can print early): the guest buffer is copied in chunks
 * through copy_from_guest and printed line by line with the domain's id.
 * CONSOLEIO_read is dom0's only and comes with the console backend.
 */
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <xen/xen.h>

#define CONSOLE_CHUNK_SIZE 128

static long console_write(struct vcpu *vcpu, uint64_t count, uint64_t buffer)
{
    char chunk[CONSOLE_CHUNK_SIZE];

    if (count > UINT32_MAX)
        return -XEN_EINVAL;
    while (count > 0) {
        uint64_t length = count < sizeof(chunk) ? count : sizeof(chunk);

        if (copy_from_guest(chunk, buffer, length) != 0)
            return -XEN_EFAULT;
        domain_console_write(vcpu->domain, chunk, length);
        buffer += length;
        count -= length;
    }
    return 0;
}

long do_console_io(struct vcpu *vcpu, uint64_t command, uint64_t count, uint64_t buffer)
{
    switch (command) {
    case CONSOLEIO_write:
        return console_write(vcpu, count, buffer);
    case CONSOLEIO_read:
        return vcpu->domain->privileged ? -XEN_ENOSYS : -XEN_EPERM;
    default:
        return -XEN_ENOSYS;
    }
}
