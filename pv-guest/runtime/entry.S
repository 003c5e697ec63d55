/*
 * Entry points the hypervisor bounces to, and the way back through the
 * iret hypercall (Xen x86-64 PV ABI, public/arch-x86/xen-x86_64.h).
 *
 * A bounce frame on the guest kernel stack holds, from the lowest
 * address: RCX, R11, [error code], RIP, CS (the saved event mask in bits
 * 32-39), RFLAGS, RSP, SS.  Every stub pops RCX and R11 back into their
 * registers, pushes a zero where the CPU gives no error code and then its
 * vector, and joins trap_common, which saves the other registers as a
 * struct trap_frame (runtime/traps.h) and calls handle_trap.  Event
 * upcalls take the same path with vector EVENT_UPCALL_VECTOR.
 *
 * Returning: the registers are restored, and the iret hypercall gets its
 * struct iret_context at RSP: RAX, R11, RCX, flags (0: restore RCX and
 * R11), then the RIP, CS, RFLAGS, RSP and SS of the bounce frame.  The
 * hypervisor restores the event mask from the saved RFLAGS.IF.
 */
#include <xen/xen.h>
#include "trap_vectors.h"

    .text

.macro TRAP_ENTRY vector, has_error_code
    .globl trap_entry_\vector
trap_entry_\vector:
    pop %rcx
    pop %r11
    .if \has_error_code == 0
    push $0
    .endif
    push $\vector
    jmp trap_common
.endm

    TRAP_ENTRY 0, 0     /* #DE */
    TRAP_ENTRY 1, 0     /* #DB */
    TRAP_ENTRY 3, 0     /* #BP */
    TRAP_ENTRY 4, 0     /* #OF */
    TRAP_ENTRY 5, 0     /* #BR */
    TRAP_ENTRY 6, 0     /* #UD */
    TRAP_ENTRY 7, 0     /* #NM */
    TRAP_ENTRY 8, 1     /* #DF */
    TRAP_ENTRY 10, 1    /* #TS */
    TRAP_ENTRY 11, 1    /* #NP */
    TRAP_ENTRY 12, 1    /* #SS */
    TRAP_ENTRY 13, 1    /* #GP */
    TRAP_ENTRY 14, 1    /* #PF */
    TRAP_ENTRY 16, 0    /* #MF */
    TRAP_ENTRY 17, 1    /* #AC */
    TRAP_ENTRY 18, 0    /* #MC */
    TRAP_ENTRY 19, 0    /* #XM */

/* The syscall callback (CALLBACKTYPE_syscall): a SYSCALL from guest user
 * mode, bounced without error code; RCX and R11 hold what the SYSCALL
 * instruction left there (the user's RIP and RFLAGS). */
    .globl syscall_entry
syscall_entry:
    pop %rcx
    pop %r11
    push $0
    push $SYSCALL_CALLBACK_VECTOR
    jmp trap_common

/* The event callback (CALLBACKTYPE_event): a bounce frame without error code. */
    .globl event_entry
event_entry:
    pop %rcx
    pop %r11
    push $0
    push $EVENT_UPCALL_VECTOR
    jmp trap_common

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    mov %rsp, %rbx              /* callee-saved: the frame, across the call */
    and $-16, %rsp
    call handle_trap
    mov %rbx, %rsp
restore_frame:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp               /* vector and error code */
    push $0                     /* iret flags: not VGCF_in_syscall */
    push %rcx
    push %r11
    push %rax
    mov $__HYPERVISOR_iret, %eax
    syscall
    ud2                         /* the iret hypercall does not come back */

/*
 * trap_return(frame): enters the context a struct trap_frame describes
 * (the kernel uses it to enter its first user process) through the same
 * restore and iret path; it does not come back.
 */
    .globl trap_return
trap_return:
    mov %rdi, %rsp
    jmp restore_frame

/*
 * The failsafe callback: reloading a segment register or the final iret
 * of a return to the guest faulted.  Frame: RCX, R11, DS, ES, FS, GS,
 * RIP, CS, RFLAGS, RSP, SS.  The runtime never loads segments, so this is
 * a bug: report it and crash.
 */
    .globl failsafe_entry
failsafe_entry:
    pop %rcx
    pop %r11
    mov %rsp, %rdi
    and $-16, %rsp
    call handle_failsafe
    ud2

/* Stub addresses by vector for the trap table; 0 where there is none. */
    .section .rodata
    .globl trap_entry_points
    .balign 8
trap_entry_points:
    .quad trap_entry_0, trap_entry_1, 0, trap_entry_3, trap_entry_4
    .quad trap_entry_5, trap_entry_6, trap_entry_7, trap_entry_8, 0
    .quad trap_entry_10, trap_entry_11, trap_entry_12, trap_entry_13, trap_entry_14
    .quad 0, trap_entry_16, trap_entry_17, trap_entry_18, trap_entry_19

    .section .note.GNU-stack, "", @progbits
