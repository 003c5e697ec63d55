/*
 * The first instructions: from a 32-bit boot loader to 64-bit C.
 *
 * Two ways in, both in 32-bit protected mode with paging off:
 *   multiboot2_entry  GRUB (multiboot2): EAX = 0x36d76289, EBX = info address
 *   pvh_entry         QEMU's PVH loader (XEN_ELFNOTE_PHYS32_ENTRY):
 *                     EBX = physical address of struct hvm_start_info
 * Both continue on one path that loads a boot GDT, turns on long mode with
 * the early page tables below, jumps to the image's high virtual address
 * and calls start_hypervisor(boot_magic, boot_info_physical) on CPU 0's
 * stack.  This code and its data are linked at their physical addresses.
 *
 * Early page tables (replaced by hypervisor/arch/x86/paging.c):
 *   L4[0]   -> the first 4 GiB identity-mapped with 2 MiB pages (for the switch)
 *   L4[257] -> L3[0-3]: the same 4 GiB at IMAGE_VIRT_BASE: the image, and
 *                       the boot information and modules (all below 4 GiB)
 *              L3[4]:   CPU 0's GDT area, whose page 14 is pvmon's GDT page
 */
#include <pvmon/layout.h>
#include <xen/elfnote.h>

/* XEN_HVM_START_MAGIC_VALUE of xen/arch-x86/hvm/start_info.h, which is C only. */
#define PVH_START_MAGIC 0x336ec578
#define MULTIBOOT2_HEADER_MAGIC 0xe85250d6
#define MULTIBOOT2_ARCHITECTURE_I386 0
#define MULTIBOOT2_TAG_END 0
#define MULTIBOOT2_TAG_MODULE_ALIGNMENT 6

#define PAGE_PRESENT 0x1
#define PAGE_WRITABLE 0x2
#define PAGE_LARGE 0x80
#define CR0_PE 0x1
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100

#define BOOT_CS32 0x08
#define BOOT_DS 0x10
#define BOOT_CS64 0x18

    .section .multiboot2, "a"
    .balign 8
multiboot2_header:
    .long MULTIBOOT2_HEADER_MAGIC
    .long MULTIBOOT2_ARCHITECTURE_I386
    .long multiboot2_header_end - multiboot2_header
    .long -(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCHITECTURE_I386 + \
            (multiboot2_header_end - multiboot2_header))
    /* Page-aligned modules, so that they can be handed to domains by frame. */
    .balign 8
    .short MULTIBOOT2_TAG_MODULE_ALIGNMENT, 0
    .long 8
    .balign 8
    .short MULTIBOOT2_TAG_END, 0
    .long 8
multiboot2_header_end:

    /* PVH: QEMU reads the 32-bit entry point from this note (a .quad,
     * as Linux emits it; the note section is only 4-byte aligned). */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4, 8, XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .quad pvh_entry

    .section .boot.text, "ax"
    .code32
    .globl pvh_entry
pvh_entry:
    mov $PVH_START_MAGIC, %eax

    .globl multiboot2_entry
multiboot2_entry:
    cli
    cld
    mov %eax, %edi
    mov %ebx, %esi
    lgdt boot_gdt_descriptor
    mov $BOOT_DS, %ecx
    mov %ecx, %ds
    mov %ecx, %es
    mov %ecx, %ss
    mov %ecx, %fs
    mov %ecx, %gs
    ljmp $BOOT_CS32, $1f
1:  mov $boot_stack_top, %esp

    /* Long mode is CPUID 0x80000001 EDX bit 29. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    mov $boot_l4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP | CR0_PE), %eax
    mov %eax, %cr0
    ljmp $BOOT_CS64, $long_mode

no_long_mode:
    mov $no_long_mode_message, %esi
    mov $0x3f8, %dx
2:  lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:  hlt
    jmp 3b

    .code64
long_mode:
    mov %edi, %edi
    mov %esi, %esi
    movabs $high_entry, %rax
    jmp *%rax

    .section .boot.data, "aw"
no_long_mode_message:
    .asciz "pvmon: this CPU has no long mode (x86-64); cannot boot.\r\n"

    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00cf9b000000ffff    /* BOOT_CS32: flat 32-bit code */
    .quad 0x00cf93000000ffff    /* BOOT_DS: flat data */
    .quad 0x00af9b000000ffff    /* BOOT_CS64: 64-bit code */
boot_gdt_end:
boot_gdt_descriptor:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .balign 4096
boot_l4:
    .quad boot_l3_identity + (PAGE_PRESENT | PAGE_WRITABLE)
    .fill 256, 8, 0
    .quad boot_l3_high + (PAGE_PRESENT | PAGE_WRITABLE)
    .fill 254, 8, 0
boot_l3_identity:
    .set gigabyte, 0
    .rept 4
    .quad boot_l2_first_4_gigabytes + gigabyte * 4096 + (PAGE_PRESENT | PAGE_WRITABLE)
    .set gigabyte, gigabyte + 1
    .endr
    .fill 508, 8, 0
boot_l3_high:
    .set gigabyte, 0
    .rept 4
    .quad boot_l2_first_4_gigabytes + gigabyte * 4096 + (PAGE_PRESENT | PAGE_WRITABLE)
    .set gigabyte, gigabyte + 1
    .endr
    .quad boot_l2_gdt_area + (PAGE_PRESENT | PAGE_WRITABLE)
    .fill 507, 8, 0
boot_l2_first_4_gigabytes:
    .set large_page, 0
    .rept 2048
    .quad (large_page << 21) + (PAGE_PRESENT | PAGE_WRITABLE | PAGE_LARGE)
    .set large_page, large_page + 1
    .endr
boot_l2_gdt_area:
    .quad boot_l1_gdt_area + (PAGE_PRESENT | PAGE_WRITABLE)
    .fill 511, 8, 0
boot_l1_gdt_area:
    .rept RESERVED_GDT_PAGE
    .quad (zero_page - IMAGE_VIRT_BASE) + PAGE_PRESENT
    .endr
    .quad (reserved_gdt_page - IMAGE_VIRT_BASE) + (PAGE_PRESENT | PAGE_WRITABLE)
    .fill 512 - RESERVED_GDT_PAGE - 1, 8, 0

    .section .boot.bss, "aw", @nobits
    .balign 16
    .skip 1024
boot_stack_top:

    .text
high_entry:
    xor %eax, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    lea cpu0_stack(%rip), %rsp
    add $(STACK_SIZE - CPU_INFO_SIZE), %rsp
    xor %ebp, %ebp
    call start_hypervisor
    ud2
