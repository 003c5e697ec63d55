/*
 * The saved register frame: what hypervisor/arch/x86/entry.S pushes on
 * every entry to the hypervisor (exception, interrupt or SYSCALL), the
 * general registers, the vector and error code, then the five-word
 * hardware frame.  A vCPU's registers are kept in the same shape while it
 * is not running.  Plain data, so that pure code (and host tests) can use
 * it.
 */
#ifndef PVMON_TRAP_FRAME_H
#define PVMON_TRAP_FRAME_H

#include <stdint.h>
#include <pvmon/layout.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "entry.S pushes 22 words");

/* The vector number entry.S records for a SYSCALL instruction.  It is
 * also Xen's TRAP_syscall mark: a frame with it may go back to the guest
 * with sysretq, which clobbers RCX and R11 (pvmon/bounce_frame.h). */
#define SYSCALL_VECTOR 0x100
/* The mark the iret hypercall leaves when it restored the guest's RCX
 * and R11 (no VGCF_in_syscall): the way back must be iretq. */
#define IRET_RESTORED_VECTOR 0x101

#endif
