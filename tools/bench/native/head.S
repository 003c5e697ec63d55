/*
 * Entry of the native baseline kernel: QEMU's PVH loader (-M microvm
 * -kernel) finds pvh_entry through the XEN_ELFNOTE_PHYS32_ENTRY note and
 * enters it in 32-bit protected mode with paging off.  This code clears
 * the bss, builds page tables that identity-map the first GiB with 2 MiB
 * pages (present, writable, user: see native.h), turns on long mode with
 * SYSCALL enabled, loads native.c's GDT and calls native_main on the boot
 * stack.  native.c adds 4 KiB mappings above 1 GiB for the benchmarks
 * (boot_level3[1]).
 */
#include <xen/elfnote.h>

#define PAGE_PRESENT_WRITABLE_USER 0x7
#define PAGE_LARGE 0x80
#define LARGE_PAGE_SIZE 0x200000
#define CR0_PE 0x1
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_SCE 0x1
#define EFER_LME 0x100
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define BOOT_STACK_SIZE 0x8000

    .section .note.Xen, "a", @note
    .balign 4
    .long 4, 8, XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .quad pvh_entry

    .text
    .code32
    .globl pvh_entry
pvh_entry:
    cli
    cld
    /* The bss holds the page tables and stacks: clear it first. */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb

    /* L4[0] -> L3, L3[0] -> L2, L2[i] -> the 2 MiB page at i * 2 MiB. */
    mov $boot_level3, %eax
    or $PAGE_PRESENT_WRITABLE_USER, %eax
    mov %eax, boot_level4
    mov $boot_level2, %eax
    or $PAGE_PRESENT_WRITABLE_USER, %eax
    mov %eax, boot_level3
    mov $boot_level2, %edi
    mov $(PAGE_PRESENT_WRITABLE_USER | PAGE_LARGE), %eax
    mov $512, %ecx
1:  mov %eax, (%edi)
    add $LARGE_PAGE_SIZE, %eax
    add $8, %edi
    loop 1b

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_level4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_SCE), %eax
    wrmsr
    lgdt boot_gdt_pointer
    mov %cr0, %eax
    or $(CR0_PE | CR0_PG), %eax
    mov %eax, %cr0
    ljmp $KERNEL_CS, $long_mode

    .code64
long_mode:
    mov $KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call native_main
2:  hlt
    jmp 2b

    .data
    .balign 8
boot_gdt_pointer:
    .word 7 * 8 - 1
    .long gdt

    .bss
    .balign 4096
    .globl boot_level4, boot_level3, boot_level2
boot_level4:
    .skip 4096
boot_level3:
    .skip 4096
boot_level2:
    .skip 4096
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
