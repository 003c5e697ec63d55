/*
 * _start of every user program: the kernel enters it with RDI = argc and
 * RSI = argv (kernel/user_abi.h); main's return value becomes the exit
 * status.
 */
    .text
    .globl _start
_start:
    xor %ebp, %ebp
    and $-16, %rsp
    call main
    mov %eax, %edi
    call exit
    ud2

    .section .note.GNU-stack, "", @progbits
