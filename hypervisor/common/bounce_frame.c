/*
 * Bounce frames (see pvmon/bounce_frame.h): the frame a 64-bit PV guest
 * kernel's handler finds on its stack, laid out as Xen's
 * create_bounce_frame lays it out (xen/arch/x86/x86_64/entry.S), the
 * register state the handler starts with, and the iret hypercall that
 * returns from it (xen/arch/x86/pv/iret.c).
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
    uint64_t stack = guest_kernel_mode ? registers->rsp : kernel_stack_pointer;
    unsigned int count = 0;
    uint64_t words[BOUNCE_FRAME_MAX_WORDS];

    words[count++] = registers->rcx;
    words[count++] = registers->r11;
    if (request->has_error_code)
        words[count++] = request->error_code;
    words[count++] = registers->rip;
    words[count++] = saved_code_segment(registers->cs, guest_kernel_mode, event_mask);
    words[count++] = saved_rflags(registers->rflags, event_mask);
    words[count++] = registers->rsp;
    words[count++] = registers->ss;
    stack &= ~(STACK_ALIGNMENT - 1);
    if (stack < count * sizeof(uint64_t))
        return -XEN_EFAULT;
    stack -= count * sizeof(uint64_t);
    if (!guest_range_is_valid(stack, count * sizeof(uint64_t)) ||
        !guest_range_is_valid(request->handler, 1))
        return -XEN_EFAULT;
    frame->stack_pointer = stack;
    frame->word_count = count;
    for (unsigned int index = 0; index < count; index++)
        frame->words[index] = words[index];
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
    }
    registers->rax = context->rax;
}
