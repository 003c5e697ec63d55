/*
 * The console_io hypercall (xen/drivers/char/console.c: do_console_io,
 * guest_console_write).
 *
 * Rules kept here:
 *   - The command and count are 32 bits (Xen's unsigned int).
 *   - CONSOLEIO_write copies the guest buffer in 128-byte chunks through
 *     copy_from_guest and prints it line by line with the domain's id
 *     (kernel/domain.c).  Before every chunk but the first of this entry
 *     it checks for preemption and, if something is due, continues with
 *     the count and buffer advanced past what was written (Xen's "iih"
 *     continuation of CONSOLEIO_write).  An unreadable chunk is -EFAULT.
 *   - dom0 writes without limit.  A domU may write too, as in Xen's debug
 *     builds (Xen's release builds answer -EPERM to a domU: pvmon's
 *     deviation, docs/ARCHITECTURE.md "Console output of domUs"), but at a
 *     bounded rate: a token bucket per domain (common/token_bucket.c) of
 *     CONSOLE_BURST_BYTES refilled at CONSOLE_BYTES_PER_SECOND of system
 *     time.  Once a write is over the limit it prints what the bucket
 *     grants and discards the rest of the call without reading it, and
 *     returns 0 as a complete write does; the bytes dropped are reported
 *     in a "suppressed N bytes" line at most once a second per domain.
 *   - CONSOLEIO_read is the privileged domain's only (Xen's xsm dummy
 *     console_io: XSM_PRIV unless the domain is the console domain; a
 *     domU gets -EPERM, for reads and every other command) and reads the
 *     serial line's input (kernel/serial_input.c, common/console_input.c).
 *   - PVMON_CONSOLEIO_write_direct (public/console_extension.h) is the
 *     privileged domain's only too: its bytes go to the serial line as
 *     they are (printk_direct), as Xen writes the hardware domain's.
 */
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <pvmon/printk.h>
#include <pvmon/serial_input.h>
#include <pvmon/time.h>
#include <pvmon/token_bucket.h>
#include <xen/xen.h>
#include <public/console_extension.h>

#define CONSOLE_CHUNK_SIZE 128
#define CONSOLE_BURST_BYTES (256 * 1024)
#define CONSOLE_BYTES_PER_SECOND (64 * 1024)
#define SUPPRESSION_NOTICE_INTERVAL_NS NANOSECONDS_PER_SECOND

/* How many of the wanted bytes the domain may print now. */
static uint64_t bytes_allowed(struct domain *domain, uint64_t wanted)
{
    struct token_bucket *bucket = &domain->console_rate_limit;

    if (domain->privileged)
        return wanted;
    if (bucket->capacity == 0)
        token_bucket_init(bucket, CONSOLE_BURST_BYTES, CONSOLE_BYTES_PER_SECOND, system_time_ns());
    return token_bucket_take(bucket, wanted, system_time_ns());
}

static void note_suppressed(struct domain *domain, uint64_t bytes)
{
    uint64_t now = system_time_ns();

    domain->console_suppressed_bytes += bytes;
    if (domain->console_notice_sent && now - domain->console_notice_ns < SUPPRESSION_NOTICE_INTERVAL_NS)
        return;
    printk(LOG_WARNING, "console: domain %u over its output rate limit: suppressed %lu bytes\n", domain->id,
           domain->console_suppressed_bytes);
    domain->console_suppressed_bytes = 0;
    domain->console_notice_sent = true;
    domain->console_notice_ns = now;
}

static long continue_write(struct vcpu *vcpu, uint32_t count, uint64_t buffer)
{
    return hypercall_create_continuation(vcpu, __HYPERVISOR_console_io, 3,
                                         (const uint64_t[]){ CONSOLEIO_write, count, buffer });
}

static long console_write(struct vcpu *vcpu, uint32_t count, uint64_t buffer)
{
    char chunk[CONSOLE_CHUNK_SIZE];
    bool first_chunk = true;

    while (count > 0) {
        uint64_t length = count < sizeof(chunk) ? count : sizeof(chunk);
        uint64_t allowed;

        if (!first_chunk && hypercall_preempt_check())
            return continue_write(vcpu, count, buffer);
        first_chunk = false;
        allowed = bytes_allowed(vcpu->domain, length);
        if (allowed < length)
            note_suppressed(vcpu->domain, count - allowed);
        if (allowed > 0 && copy_from_guest(chunk, buffer, allowed) != 0)
            return -XEN_EFAULT;
        domain_console_write(vcpu->domain, chunk, allowed);
        if (allowed < length)
            return 0;
        buffer += length;
        count -= length;
    }
    return 0;
}

static long console_write_direct(uint32_t count, uint64_t buffer)
{
    char text[PVMON_CONSOLEIO_DIRECT_MAX];

    if (count > sizeof(text))
        return -XEN_EINVAL;
    if (copy_from_guest(text, buffer, count) != 0)
        return -XEN_EFAULT;
    printk_direct(text, count);
    return 0;
}

long do_console_io(struct vcpu *vcpu, uint64_t command, uint64_t count, uint64_t buffer)
{
    switch ((uint32_t)command) {
    case CONSOLEIO_write:
        return console_write(vcpu, (uint32_t)count, buffer);
    case CONSOLEIO_read:
        return vcpu->domain->privileged ? serial_input_read((uint32_t)count, buffer) : -XEN_EPERM;
    case PVMON_CONSOLEIO_write_direct:
        return vcpu->domain->privileged ? console_write_direct((uint32_t)count, buffer) : -XEN_EPERM;
    default:
        return vcpu->domain->privileged ? -XEN_ENOSYS : -XEN_EPERM;
    }
}
