/*
 * The hypercall dispatch table.  A 64-bit PV guest kernel issues SYSCALL
 * with the hypercall number in RAX and its arguments in RDI, RSI, RDX, R10
 * and R8 (Xen x86-64 register ABI); the entry stub saves them in the trap
 * frame and hypercall_entry looks the number up here.  A number outside
 * the table, or one pvmon does not implement, returns -ENOSYS.  The result
 * goes back in RAX.  Only the guest kernel may make hypercalls; SYSCALL from
 * guest user mode will be bounced to the guest kernel's syscall callback.
 */
#include <pvmon/arch.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/hypercalls.h>
#include <pvmon/panic.h>
#include <xen/xen.h>

#define HYPERCALL_TABLE_SIZE 64

typedef long (*hypercall_handler)(struct vcpu *vcpu, const struct trap_frame *arguments);

static long console_io(struct vcpu *vcpu, const struct trap_frame *arguments)
{
    return do_console_io(vcpu, arguments->rdi, arguments->rsi, arguments->rdx);
}

static long sched_op(struct vcpu *vcpu, const struct trap_frame *arguments)
{
    return do_sched_op(vcpu, arguments->rdi, arguments->rsi);
}

static const hypercall_handler hypercall_table[HYPERCALL_TABLE_SIZE] = {
    [__HYPERVISOR_console_io] = console_io,
    [__HYPERVISOR_sched_op] = sched_op,
};

void hypercall_entry(struct trap_frame *frame)
{
    struct vcpu *vcpu = current_vcpu();
    uint64_t number = frame->rax;

    if (vcpu == NULL)
        panic_with_frame(frame, "SYSCALL from rip %#lx with no guest running", frame->rip);
    if (number >= HYPERCALL_TABLE_SIZE || hypercall_table[number] == NULL)
        frame->rax = (uint64_t)-XEN_ENOSYS;
    else
        frame->rax = (uint64_t)hypercall_table[number](vcpu, frame);
}
