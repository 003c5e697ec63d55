/*
 * Entry of pvmon's PV kernel, and the ELF notes that tell a Xen-style
 * domain builder how to load it (Xen public elfnote.h): the kernel is
 * linked at VIRT_BASE 0xffffffff80000000 with PADDR_OFFSET 0, so that
 * pseudo-physical frame N is mapped at VIRT_BASE + N * 4096, as in the Xen
 * start-of-day layout.  The builder enters _start in ring 3 with RSI =
 * start_info and RSP at the top of its boot stack, events masked.
 *
 * There is no XEN_ELFNOTE_MOD_START_PFN: the builder maps the module (the
 * ramdisk) in the initial mapping, and start_info.mod_start is then its
 * virtual address (Xen's default).  _start moves to a stack of its own,
 * larger than the builder's single page, because traps and event upcalls
 * bounce onto whatever stack the kernel is running on.
 *
 * Every guest that links the runtime (pv-guest/runtime) starts here and
 * provides start_kernel(start_info).
 */
#include <xen/elfnote.h>

#define ELF_NOTE(type, descriptor_directive, value)   \
    .pushsection .note.Xen, "a", @note;               \
    .balign 4;                                         \
    .long 4, 2f - 1f, type;                            \
    .asciz "Xen";                                      \
    .balign 4;                                         \
1:  descriptor_directive value;                        \
2:  .balign 4;                                         \
    .popsection

    ELF_NOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "pvmon-pv-kernel")
    ELF_NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz, "0.1")
    ELF_NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
    ELF_NOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
    ELF_NOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0xffffffff80000000)
    ELF_NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0)
    ELF_NOTE(XEN_ELFNOTE_ENTRY, .quad, _start)

    .text
    .globl _start
_start:
    cld
    mov %rsi, %rdi
    xor %ebp, %ebp
    lea kernel_stack_top(%rip), %rsp
    call start_kernel
    ud2

#define KERNEL_STACK_SIZE (64 * 1024)

    .bss
    .balign 4096
kernel_stack:
    .skip KERNEL_STACK_SIZE
kernel_stack_top:

    .section .note.GNU-stack, "", @progbits
