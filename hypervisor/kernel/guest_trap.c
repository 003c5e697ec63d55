/*
 * Exceptions raised by a guest in ring 3, and its software interrupt
 * int $0x80.  Until the guest can register a trap table (the PV domains
 * work), a guest has no handler for any of them, and Xen's rule for a
 * fault with no handler applies: the domain is crashed, alone; the
 * hypervisor and the other domains go on.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/format.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>

void guest_trap(struct trap_frame *frame)
{
    struct vcpu *vcpu = current_vcpu();
    char why[128];

    if (vcpu == NULL)
        panic_with_frame(frame, "%s from ring 3 with no guest running", exception_name(frame->vector));
    format_string(why, sizeof(why), "unhandled %s at rip %#lx, error code %#lx, cr2 %#lx",
                  exception_name(frame->vector), frame->rip, frame->error_code,
                  cpu_read_fault_address());
    domain_crash(vcpu->domain, why);
    schedule_after_domain_end();
}
