/*
 * Bounce frames (see pvmon/bounce_frame.h): the frame a 64-bit PV guest
 * kernel's handler finds on its stack, laid out as Xen's
 * create_bounce_frame lays it out (xen/arch/x86/x86_64/entry.S), the
 * register state the handler starts with, the iret hypercall that
 * returns from it (xen/arch/x86/pv/iret.c), and whether the way back to
 * the guest may be sysretq (xen/arch/x86/x86_64/entry.S: the TRAP_syscall
 * mark that lstar_enter and create_bounce_frame set, do_iret clears
 * without VGCF_in_syscall, and restore_all_guest tests).
 */
#include <pvmon/bounce_frame.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <xen/xen.h>

#define RFLAGS_TRAP (1UL << 8)
#define RFLAGS_INTERRUPT (1UL << 9)
#define RFLAGS_IOPL (3UL << 12)
#define RFLAGS_NESTED_TASK (1UL << 14)
#define RFLAGS_RESUME (1UL << 16)
#define RFLAGS_VIRTUAL_8086 (1UL << 17)
#define RFLAGS_ALIGNMENT_CHECK (1UL << 18)
#define RFLAGS_CLEARED_ON_ENTRY \
    (RFLAGS_TRAP | RFLAGS_NESTED_TASK | RFLAGS_RESUME | RFLAGS_VIRTUAL_8086 | RFLAGS_ALIGNMENT_CHECK)
#define SELECTOR_RPL_MASK 3UL
#define SAVED_EVENT_MASK_SHIFT 32
#define STACK_ALIGNMENT 16UL
#define CANONICAL_SIGN_BIT 47

/* The RFLAGS the handler finds saved: IF stands for "events unmasked". */
static uint64_t saved_rflags(uint64_t rflags, uint8_t event_mask)
{
    rflags &= ~(RFLAGS_INTERRUPT | RFLAGS_IOPL);
    return event_mask ? rflags : rflags | RFLAGS_INTERRUPT;
}

/* The CS the handler finds saved: RPL 0 marks a kernel-mode frame. */
static uint64_t saved_code_segment(uint64_t code_segment, bool guest_kernel_mode, uint8_t event_mask)
{
    uint64_t selector = code_segment & 0xffff;

    if (guest_kernel_mode)
        selector &= ~SELECTOR_RPL_MASK;
    return selector | (uint64_t)event_mask << SAVED_EVENT_MASK_SHIFT;
}

int bounce_frame_build(const struct trap_frame *registers, bool guest_kernel_mode,
                       uint64_t kernel_stack_pointer, uint8_t event_mask,
                       const struct bounce_request *request, struct bounce_frame *frame)
{
    uint64_t stack = (guest_kernel_mode ? registers->rsp : kernel_stack_pointer) & ~(STACK_ALIGNMENT - 1);
    uint64_t *word = frame->words;

    *word++ = registers->rcx;
    *word++ = registers->r11;
    if (request->has_error_code)
        *word++ = request->error_code;
    *word++ = registers->rip;
    *word++ = saved_code_segment(registers->cs, guest_kernel_mode, event_mask);
    *word++ = saved_rflags(registers->rflags, event_mask);
    *word++ = registers->rsp;
    *word++ = registers->ss;
    frame->word_count = (unsigned int)(word - frame->words);
    if (stack < frame->word_count * sizeof(uint64_t))
        return -XEN_EFAULT;
    stack -= frame->word_count * sizeof(uint64_t);
    if (!guest_range_is_valid(stack, frame->word_count * sizeof(uint64_t)) ||
        !guest_range_is_valid(request->handler, 1))
        return -XEN_EFAULT;
    frame->stack_pointer = stack;
    return 0;
}

void bounce_frame_enter_handler(struct trap_frame *registers, const struct bounce_frame *frame,
                                uint64_t handler)
{
    registers->rip = handler;
    registers->cs = FLAT_KERNEL_CS;
    registers->ss = FLAT_KERNEL_SS;
    registers->rsp = frame->stack_pointer;
    registers->rflags &= ~RFLAGS_CLEARED_ON_ENTRY;
    registers->vector = SYSCALL_VECTOR;
}

void bounce_frame_return(struct trap_frame *registers, const struct iret_context *context,
                         struct iret_outcome *outcome)
{
    outcome->to_user_mode = (context->cs & SELECTOR_RPL_MASK) == 3;
    outcome->event_mask = (context->rflags & RFLAGS_INTERRUPT) ? 0 : 1;
    outcome->rax = context->rax;
    registers->rip = context->rip;
    registers->cs = (context->cs & 0xffff) | 3;
    registers->rflags = (context->rflags & ~(RFLAGS_IOPL | RFLAGS_VIRTUAL_8086)) | RFLAGS_INTERRUPT;
    registers->rsp = context->rsp;
    registers->ss = (context->ss & 0xffff) | 3;
    if (!(context->flags & VGCF_in_syscall)) {
        registers->rcx = context->rcx;
        registers->r11 = context->r11;
        registers->vector = IRET_RESTORED_VECTOR;
    }
    registers->rax = context->rax;
}

/* Xen's restore_all_guest: sysret only for a canonical RIP (SYSRET with a
 * non-canonical RCX faults in ring 0 on Intel), and sysretq only to the
 * 64-bit user CS; pvmon also keeps iretq for any SS but the flat one
 * (sysret would load FLAT_RING3_DS32 whatever the frame says). */
bool bounce_frame_returns_by_sysret(const struct trap_frame *registers)
{
    uint64_t upper_bits = (uint64_t)((int64_t)registers->rip >> CANONICAL_SIGN_BIT);

    return registers->vector == SYSCALL_VECTOR && (upper_bits == 0 || upper_bits == UINT64_MAX) &&
           registers->cs == FLAT_RING3_CS64 && registers->ss == FLAT_RING3_DS32;
}
