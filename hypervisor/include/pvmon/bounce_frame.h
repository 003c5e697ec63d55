/*
 * Bounce frames: how the hypervisor enters a 64-bit PV guest kernel's
 * handler for an exception, an event upcall or a guest-user syscall (Xen
 * x86-64 PV ABI; xen/arch/x86/x86_64/entry.S: create_bounce_frame, and the
 * frame described in xen/include/public/arch-x86/xen-x86_64.h).
 *
 * The frame goes on the guest kernel's stack: the interrupted RSP when the
 * guest was already in kernel mode, otherwise the stack it registered with
 * stack_switch.  It is aligned down to 16 bytes and holds, from high
 * addresses to low:
 *
 *     SS, RSP, RFLAGS, CS, RIP, [error code], R11, RCX
 *
 * so that the handler finds RCX and R11 on top (it pops them, and the rest
 * is a hardware-shaped frame).  The saved CS carries the vCPU's event mask
 * as it was (bits 32-39); its RPL is cleared when the guest was in kernel
 * mode, which is how a guest tells kernel from user frames (both run in
 * ring 3).  The saved RFLAGS.IF is the inverse of that event mask, and IOPL
 * reads 0.  The handler then runs on FLAT_KERNEL_CS/SS with TF, NT, RF, VM
 * and AC cleared; for an interrupt-style entry (an event upcall, or a trap
 * registered with its mask flag) events become masked.  The frame gets the
 * TRAP_syscall mark (SYSCALL_VECTOR), as in Xen: RCX and R11 are saved in
 * the bounce frame, so the way back may be sysretq.
 *
 * Pure arithmetic: the caller writes the words to guest memory with
 * copy_to_guest and then applies the new register state.
 */
#ifndef PVMON_BOUNCE_FRAME_H
#define PVMON_BOUNCE_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/trap_frame.h>
#include <xen/xen.h>

#define BOUNCE_FRAME_MAX_WORDS 8

struct bounce_request {
    uint64_t handler;           /* guest virtual address of the handler */
    bool has_error_code;
    uint32_t error_code;
    bool mask_events;           /* interrupt-style entry: set the event mask */
};

struct bounce_frame {
    uint64_t stack_pointer;     /* where words[0] goes; the handler's RSP */
    unsigned int word_count;
    uint64_t words[BOUNCE_FRAME_MAX_WORDS];  /* words[0] = RCX at the lowest address */
};

/*
 * Builds the frame for interrupting `registers` (the guest's state; kernel
 * mode or not, as the vCPU says) with `request`.  event_mask is the
 * vCPU's evtchn_upcall_mask before the bounce.  -XEN_EFAULT if the stack
 * the frame would go on lies outside the guest's range (non-canonical or
 * in the hypervisor's slots) or the handler does: the domain must then be
 * crashed, as Xen does.
 */
int bounce_frame_build(const struct trap_frame *registers, bool guest_kernel_mode,
                       uint64_t kernel_stack_pointer, uint8_t event_mask,
                       const struct bounce_request *request, struct bounce_frame *frame);

/* The guest's registers on entry to the handler, once the frame is written. */
void bounce_frame_enter_handler(struct trap_frame *registers, const struct bounce_frame *frame,
                                uint64_t handler);

/*
 * The iret hypercall, which undoes a bounce (xen/arch/x86/pv/iret.c:
 * do_iret; the frame is struct iret_context at the guest's RSP): RIP, RSP,
 * RFLAGS, CS and SS come from the context, with ring 3 forced on the
 * selectors, IOPL and VM cleared and IF forced on; RCX and R11 too unless
 * the guest says VGCF_in_syscall.  What the hypervisor does besides:
 */
struct iret_outcome {
    bool to_user_mode;      /* the saved CS has RPL 3: switch to guest user mode */
    uint8_t event_mask;     /* the vCPU's new event mask: !saved RFLAGS.IF */
    uint64_t rax;           /* the guest's RAX after the return */
};

void bounce_frame_return(struct trap_frame *registers, const struct iret_context *context,
                         struct iret_outcome *outcome);

/*
 * Whether the return to the guest described by `registers` may be
 * sysretq, which loads RIP from RCX and RFLAGS from R11 (Xen's
 * restore_all_guest): the frame carries the TRAP_syscall mark
 * (SYSCALL_VECTOR: it came in by SYSCALL, or a bounce rewrote it, so RCX
 * and R11 are dead or saved in the bounce frame; the iret hypercall
 * without VGCF_in_syscall replaces it with IRET_RESTORED_VECTOR), RIP is
 * canonical, CS is FLAT_RING3_CS64 and SS FLAT_RING3_DS32.
 */
bool bounce_frame_returns_by_sysret(const struct trap_frame *registers);

#endif
