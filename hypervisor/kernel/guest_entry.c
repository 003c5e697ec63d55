/*
 * Entering a PV guest kernel's own handlers: bounce frames for exceptions,
 * event upcalls and guest-user syscalls, and the kernel/user mode toggle;
 * and the SYSCALL fast path that entry.S's stub calls.
 *
 * Rules kept here (Xen x86-64 PV ABI, xen/arch/x86/x86_64/entry.S:
 * create_bounce_frame, test_all_events; xen/arch/x86/pv/domain.c:
 * toggle_guest_mode):
 *   - A bounce from guest user mode first switches the vCPU to kernel
 *     mode (swapgs, kernel page tables, and the runstate area a switch
 *     could not write in user mode) and puts the frame on the stack
 *     registered with stack_switch; from kernel mode it goes on the
 *     interrupted stack.  See pvmon/bounce_frame.h for the frame.
 *   - A frame that cannot be written (bad stack) crashes the domain alone.
 *   - An event upcall is entered when evtchn_upcall_pending is set and
 *     evtchn_upcall_mask is clear, on every way back to the guest, and
 *     masks events.  Pending events with no event callback registered
 *     crash the domain, as Xen's bounce to address 0 does.
 *   - SYSCALL (guest_syscall; Xen's lstar_enter): from guest user mode it
 *     enters the guest kernel's syscall callback (Xen's switch_to_kernel:
 *     a bounce frame without error code on the stack_switch stack, events
 *     masked if the callback was registered with CALLBACKF_mask_events,
 *     and DF cleared in the handler, not in the saved RFLAGS, because the
 *     PV ABI has no virtual SYSCALL_MASK and hardcodes it); with no
 *     callback registered it is #UD at the SYSCALL instruction.  From
 *     guest kernel mode it is the iret hypercall (kernel/guest_callbacks.c)
 *     or another hypercall (kernel/hypercall_dispatch.c).  Either way the
 *     return goes through leave_to_guest, then by sysretq where Xen's
 *     restore_all_guest would use it (bounce_frame_returns_by_sysret),
 *     else by iretq.  The bounce and iret frames are copied with the
 *     checked copies, which move 8-byte words (safe_copy).
 */
#include <pvmon/arch.h>
#include <pvmon/bounce_frame.h>
#include <pvmon/domain.h>
#include <pvmon/domain_memory.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercall_continuation.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>
#include <xen/xen.h>

#define VECTOR_INVALID_OPCODE 6
#define RFLAGS_DIRECTION (1UL << 10)

void guest_toggle_mode(struct vcpu *vcpu)
{
    vcpu->kernel_mode = !vcpu->kernel_mode;
    cpu_swap_gs();
    paging_load_root(vcpu->kernel_mode ? vcpu->kernel_root_page_table : vcpu->user_root_page_table);
    if (vcpu->kernel_mode && vcpu->runstate_publish_pending)
        vcpu_publish_runstate(vcpu);
}

int guest_bounce(struct vcpu *vcpu, struct trap_frame *frame, const struct bounce_request *request)
{
    struct bounce_frame bounce;
    bool was_in_kernel_mode = vcpu->kernel_mode;
    uint8_t event_mask = vcpu->vcpu_info->evtchn_upcall_mask;
    int error;

    if (!was_in_kernel_mode)
        guest_toggle_mode(vcpu);
    error = bounce_frame_build(frame, was_in_kernel_mode, vcpu->kernel_stack_pointer, event_mask, request,
                               &bounce);
    if (error == 0)
        error = copy_to_guest(bounce.stack_pointer, bounce.words, bounce.word_count * sizeof(uint64_t));
    if (error) {
        char why[96];

        format_string(why, sizeof(why), "cannot write a bounce frame below %#lx for handler %#lx",
                      was_in_kernel_mode ? frame->rsp : vcpu->kernel_stack_pointer, request->handler);
        domain_crash(vcpu->domain, why);
        return error;
    }
    bounce_frame_enter_handler(frame, &bounce, request->handler);
    if (request->mask_events)
        vcpu->vcpu_info->evtchn_upcall_mask = 1;
    return 0;
}

void guest_deliver_pending_event(struct vcpu *vcpu, struct trap_frame *frame)
{
    const struct vcpu_info *info = vcpu->vcpu_info;
    struct bounce_request request;

    if (!info->evtchn_upcall_pending || info->evtchn_upcall_mask)
        return;
    request = (struct bounce_request) { .handler = vcpu->event_callback.address, .mask_events = true };
    if (request.handler == 0) {
        domain_crash(vcpu->domain, "events pending with no event callback registered");
        return;
    }
    domain_memory_count(DOMAIN_MEMORY_EVENT_BOUNCED);
    guest_bounce(vcpu, frame, &request);
}

/* A guest-user SYSCALL: into the guest kernel's syscall callback (Xen's
 * switch_to_kernel), or #UD at the SYSCALL with none registered. */
static void enter_syscall_callback(struct vcpu *vcpu, struct trap_frame *frame)
{
    struct bounce_request request = {
        .handler = vcpu->syscall_callback.address,
        .mask_events = vcpu->syscall_callback.mask_events,
    };

    if (request.handler == 0) {
        frame->rip -= SYSCALL_INSTRUCTION_LENGTH;
        frame->vector = VECTOR_INVALID_OPCODE;
        frame->error_code = 0;
        guest_trap(frame);
        return;
    }
    domain_memory_count(DOMAIN_MEMORY_SYSCALL_BOUNCED);
    if (guest_bounce(vcpu, frame, &request) == 0)
        frame->rflags &= ~RFLAGS_DIRECTION;
}

bool guest_syscall(struct trap_frame *frame)
{
    struct vcpu *vcpu = current_cpu()->current_vcpu;  /* current_vcpu(), inline */

    if (vcpu == NULL)
        panic_with_frame(frame, "SYSCALL from rip %#lx with no guest running", frame->rip);
    if (!vcpu->kernel_mode) {
        enter_syscall_callback(vcpu, frame);
    } else if (frame->rax == __HYPERVISOR_iret) {
        domain_memory_count(DOMAIN_MEMORY_IRET);
        frame->rax = (uint64_t)do_iret(vcpu, frame);
    } else {
        hypercall_entry(frame);
    }
    leave_to_guest(frame);
    return bounce_frame_returns_by_sysret(frame);
}
