/*
 * The hypercalls by which a PV guest kernel tells the hypervisor where its
 * handlers and stacks are, and returns from them: set_trap_table,
 * set_callbacks, callback_op, stack_switch and iret.
 *
 * Rules kept here (xen/arch/x86/pv/callback.c, xen/arch/x86/pv/iret.c):
 *   - A trap table is a list of struct trap_info ending at address 0; a
 *     NULL list clears every vector.  Entries are validated one by one and
 *     stored as they come (common/trap_table.c), so on an error the
 *     entries before it stay, as in Xen.  pvmon has no hypercall
 *     continuations, so a list longer than TRAP_TABLE_LIST_LIMIT entries
 *     is refused with -EINVAL after storing that many.
 *   - A callback address must be canonical and, pvmon's rule as for trap
 *     handlers, outside the hypervisor's slots: -EINVAL.  The event,
 *     failsafe, syscall, syscall32 and sysenter callbacks can be
 *     registered, not unregistered (-EINVAL), as in Xen's
 *     register_guest_callback and unregister_guest_callback.  syscall32
 *     and sysenter are stored and answered 0 even though a 64-bit guest
 *     never enters through them (pvmon runs no 32-bit user code, and
 *     neither does Xen use them for a 64-bit guest's own entry); nmi and
 *     unknown types are -ENOSYS.
 *   - iret reads struct iret_context at the guest's RSP, in one checked
 *     copy of whole words (its nine fields are 8-byte words); an unreadable
 *     context, or a return to user mode with no user page tables, crashes
 *     the domain (there is nothing sane to return to).  Selectors get RPL
 *     3 forced, but a selector or RIP the CPU refuses still makes the
 *     final iretq fault: that fault crashes the domain too (where Xen
 *     would try the guest's failsafe callback).
 */
#include <pvmon/arch.h>
#include <pvmon/bounce_frame.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>
#include <xen/callback.h>

#define TRAP_TABLE_LIST_LIMIT 1024
#define SELECTOR_RPL_MASK 3UL

_Static_assert(sizeof(struct iret_context) % sizeof(uint64_t) == 0, "iret reads the context as whole words");

long do_set_trap_table(struct vcpu *vcpu, uint64_t list)
{
    if (list == 0) {
        trap_table_clear(&vcpu->trap_table);
        return 0;
    }
    for (unsigned int index = 0; index < TRAP_TABLE_LIST_LIMIT; index++) {
        struct trap_info entry;
        int error;

        if (copy_from_guest(&entry, list + index * sizeof(entry), sizeof(entry)) != 0)
            return -XEN_EFAULT;
        if (trap_table_entry_ends_list(&entry))
            return 0;
        error = trap_table_set_entry(&vcpu->trap_table, &entry);
        if (error)
            return error;
    }
    return -XEN_EINVAL;
}

static bool callback_address_is_valid(uint64_t address)
{
    return guest_range_is_valid(address, 1);
}

static struct guest_callback *callback_slot(struct vcpu *vcpu, unsigned int type)
{
    switch (type) {
    case CALLBACKTYPE_event:
        return &vcpu->event_callback;
    case CALLBACKTYPE_failsafe:
        return &vcpu->failsafe_callback;
    case CALLBACKTYPE_syscall:
        return &vcpu->syscall_callback;
    case CALLBACKTYPE_syscall32:
        return &vcpu->syscall32_callback;
    case CALLBACKTYPE_sysenter:
        return &vcpu->sysenter_callback;
    default:
        return NULL;
    }
}

static long register_callback(struct vcpu *vcpu, unsigned int type, uint64_t address, unsigned int flags)
{
    struct guest_callback *slot = callback_slot(vcpu, type);

    if (!callback_address_is_valid(address))
        return -XEN_EINVAL;
    if (slot == NULL)
        return -XEN_ENOSYS;
    slot->address = address;
    slot->mask_events = (flags & CALLBACKF_mask_events) != 0;
    return 0;
}

long do_callback_op(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    switch (command) {
    case CALLBACKOP_register: {
        struct callback_register request;

        if (copy_from_guest(&request, argument, sizeof(request)) != 0)
            return -XEN_EFAULT;
        return register_callback(vcpu, request.type, request.address, request.flags);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister request;

        if (copy_from_guest(&request, argument, sizeof(request)) != 0)
            return -XEN_EFAULT;
        return callback_slot(vcpu, request.type) != NULL ? -XEN_EINVAL : -XEN_ENOSYS;
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* The old interface: the event callback without masking, failsafe and
 * syscall with it (Xen's do_set_callbacks).  The first refusal is
 * returned, where Xen ignores them. */
long do_set_callbacks(struct vcpu *vcpu, uint64_t event_address, uint64_t failsafe_address,
                      uint64_t syscall_address)
{
    long error = register_callback(vcpu, CALLBACKTYPE_event, event_address, 0);

    if (error == 0)
        error = register_callback(vcpu, CALLBACKTYPE_failsafe, failsafe_address, CALLBACKF_mask_events);
    if (error == 0)
        error = register_callback(vcpu, CALLBACKTYPE_syscall, syscall_address, CALLBACKF_mask_events);
    return error;
}

/* The kernel stack for bounces from guest user mode; RPL 3 is forced on
 * the selector, and the pointer is checked when a frame is written. */
long do_stack_switch(struct vcpu *vcpu, uint64_t stack_segment, uint64_t stack_pointer)
{
    vcpu->kernel_stack_segment = stack_segment | SELECTOR_RPL_MASK;
    vcpu->kernel_stack_pointer = stack_pointer;
    return 0;
}

/* The return to the guest after an iret faulted (entry.S): whatever the
 * guest asked for cannot be entered, so the domain is crashed and the CPU
 * goes on with another vCPU. */
_Noreturn void guest_return_failed(void)
{
    struct vcpu *vcpu = current_vcpu();

    if (vcpu == NULL)
        panic("a return to a guest faulted with no guest running");
    domain_crash(vcpu->domain, "the return to the guest faulted (bad selector or RIP from iret)");
    leave_to_guest(guest_trap_frame());
    panic("leave_to_guest returned with no guest to run");
}

long do_iret(struct vcpu *vcpu, struct trap_frame *frame)
{
    struct iret_context context;
    struct iret_outcome outcome;

    if (copy_from_guest(&context, frame->rsp, sizeof(context)) != 0) {
        domain_crash(vcpu->domain, "iret: cannot read the iret context on the guest stack");
        return 0;
    }
    if ((context.cs & SELECTOR_RPL_MASK) == 3 && vcpu->user_root_page_table == 0) {
        domain_crash(vcpu->domain, "iret: switching to user mode with no user page tables");
        return 0;
    }
    bounce_frame_return(frame, &context, &outcome);
    if (outcome.to_user_mode && vcpu->kernel_mode)
        guest_toggle_mode(vcpu);
    vcpu->vcpu_info->evtchn_upcall_mask = outcome.event_mask;
    return (long)outcome.rax;
}
