/*
 * Ways into and out of the native baseline kernel's ring 0:
 *   - trap_stubs: one stub per exception vector (0-31) pushing a uniform
 *     frame (a zero where the CPU pushes no error code, then the vector)
 *     for trap_common, which saves the general registers, calls
 *     native_trap(frame) and returns with iretq.  From ring 3 the CPU has
 *     already switched to the TSS's RSP0.
 *   - syscall_entry: SYSCALL's target (LSTAR).  SYSCALL does not switch
 *     stacks, so the stub parks the user RSP, moves to its own stack,
 *     saves RCX (user RIP), R11 (user RFLAGS) and the argument registers
 *     the way a small kernel's entry does, calls native_syscall(number,
 *     first, second, third) and returns with SYSRETQ.
 *   - enter_user(entry, stack): saves the callee-saved registers and the
 *     kernel stack pointer, and iretqs to ring 3 with interrupts off;
 *     leave_user (SYSCALL_EXIT) restores them, so enter_user returns.
 */
#define USER_CS (0x20 | 3)
#define USER_DS (0x18 | 3)
#define USER_RFLAGS 0x2
#define SYSCALL_STACK_SIZE 0x4000

    .text
.macro trap_stub vector, cpu_pushes_error_code
trap_stub_\vector:
    .if \cpu_pushes_error_code == 0
    push $0
    .endif
    push $\vector
    jmp trap_common
.endm

    trap_stub 0, 0
    trap_stub 1, 0
    trap_stub 2, 0
    trap_stub 3, 0
    trap_stub 4, 0
    trap_stub 5, 0
    trap_stub 6, 0
    trap_stub 7, 0
    trap_stub 8, 1
    trap_stub 9, 0
    trap_stub 10, 1
    trap_stub 11, 1
    trap_stub 12, 1
    trap_stub 13, 1
    trap_stub 14, 1
    trap_stub 15, 0
    trap_stub 16, 0
    trap_stub 17, 1
    trap_stub 18, 0
    trap_stub 19, 0
    trap_stub 20, 0
    trap_stub 21, 1
    trap_stub 22, 0
    trap_stub 23, 0
    trap_stub 24, 0
    trap_stub 25, 0
    trap_stub 26, 0
    trap_stub 27, 0
    trap_stub 28, 0
    trap_stub 29, 1
    trap_stub 30, 1
    trap_stub 31, 0

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
    call native_trap
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
    add $16, %rsp
    iretq

    .globl syscall_entry
syscall_entry:
    mov %rsp, user_stack_pointer(%rip)
    lea syscall_stack_top(%rip), %rsp
    push %rcx
    push %r11
    push %rdi
    push %rsi
    push %rdx
    push %r8
    push %r9
    push %r10
    mov %rdx, %rcx
    mov %rsi, %rdx
    mov %rdi, %rsi
    mov %rax, %rdi
    call native_syscall
    pop %r10
    pop %r9
    pop %r8
    pop %rdx
    pop %rsi
    pop %rdi
    pop %r11
    pop %rcx
    mov user_stack_pointer(%rip), %rsp
    sysretq

    .globl enter_user
enter_user:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, kernel_stack_pointer(%rip)
    push $USER_DS
    push %rsi
    push $USER_RFLAGS
    push $USER_CS
    push %rdi
    iretq

    .globl leave_user
leave_user:
    mov kernel_stack_pointer(%rip), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .section .rodata
    .balign 8
    .globl trap_stubs
trap_stubs:
    .irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_stub_\vector
    .endr

    .bss
    .balign 16
user_stack_pointer:
    .skip 8
kernel_stack_pointer:
    .skip 8
    .balign 16
syscall_stack:
    .skip SYSCALL_STACK_SIZE
syscall_stack_top:

    .section .note.GNU-stack, "", @progbits
