/*
 * The hypervisor's place in memory: physical load address, virtual address
 * ranges and stack layout.  Included from C and from assembly.
 *
 * Every 64-bit PV guest shares its address space with pvmon (Xen x86-64 PV
 * ABI: the hypervisor owns L4 slots 256-271, 0xffff800000000000 to
 * 0xffff87ffffffffff, in every guest page table).  Slot 256 is kept free
 * for the read-only machine-to-physical table that guests read; pvmon itself
 * lives in slots 257 onwards.  docs/ARCHITECTURE.md has the same table.
 *
 *   0xffff800000000000  slot 256       read-only M2P table (for guests; later)
 *   0xffff808000000000  slot 257       the hypervisor image (VA = base + PA); during
 *                                      early boot, all of the first 4 GiB
 *   0xffff808100000000  slot 257       per-CPU GDT/LDT areas
 *   0xffff808140000000  slot 257       device MMIO mappings (local APIC)
 *   0xffff810000000000  slots 258-259  direct map of all RAM (VA = base + PA)
 *   0xffff820000000000  slots 260-271  free for later use
 */
#ifndef PVMON_LAYOUT_H
#define PVMON_LAYOUT_H

#ifdef __ASSEMBLY__
#define LAYOUT_CONSTANT(value) value
#else
#define LAYOUT_CONSTANT(value) value##UL
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE LAYOUT_CONSTANT(0x1000)

/* Physical address the image is loaded at (2 MiB keeps it large-page aligned). */
#define IMAGE_LOAD_ADDRESS LAYOUT_CONSTANT(0x200000)

#define HYPERVISOR_SLOTS_START LAYOUT_CONSTANT(0xffff800000000000)
#define HYPERVISOR_SLOTS_END LAYOUT_CONSTANT(0xffff880000000000)
#define FIRST_HYPERVISOR_SLOT 256
#define LAST_HYPERVISOR_SLOT 271

#define M2P_VIRT_START LAYOUT_CONSTANT(0xffff800000000000)
#define IMAGE_VIRT_BASE LAYOUT_CONSTANT(0xffff808000000000)
#define EARLY_MAP_SIZE LAYOUT_CONSTANT(0x100000000)
#define GDT_AREA_VIRT_START LAYOUT_CONSTANT(0xffff808100000000)
#define MMIO_VIRT_START LAYOUT_CONSTANT(0xffff808140000000)
#define MMIO_VIRT_END LAYOUT_CONSTANT(0xffff808180000000)
#define DIRECT_MAP_VIRT_START LAYOUT_CONSTANT(0xffff810000000000)
#define DIRECT_MAP_SIZE LAYOUT_CONSTANT(0x0000020000000000)

/* Each CPU's GDT/LDT area: 16 pages of GDT (guest pages 0-13, pvmon's
 * reserved page 14, one spare) followed by 16 pages of LDT, which hold
 * the checked copy of the running vCPU's LDT (MMUEXT_SET_LDT: at most
 * 8192 entries of 8 bytes). */
#define GDT_AREA_PAGES_PER_CPU 32
#define RESERVED_GDT_PAGE 14  /* holds Xen's FIRST_RESERVED_GDT_ENTRY, 7168 */
#define LDT_AREA_VIRT_START LAYOUT_CONSTANT(0xffff808100010000)
#define LDT_AREA_PAGES 16

/* Selectors in pvmon's reserved GDT page (Xen x86-64 ABI values). */
#define HYPERVISOR_CS 0xe008
#define HYPERVISOR_DS 0xe010
#define FLAT_RING3_CS32 0xe023
#define FLAT_RING3_DS32 0xe02b
#define FLAT_RING3_CS64 0xe033
#define TSS_SELECTOR 0xe040   /* 16 bytes: entries 0xe040 and 0xe048 */
#define LDT_SELECTOR 0xe050   /* 16 bytes, written when a vCPU with an LDT runs */

/* Per-CPU stacks are STACK_SIZE bytes, aligned to STACK_SIZE, with the CPU's
 * struct cpu_info at the very top: pvmon finds per-CPU data from RSP and
 * never uses GS, whose base belongs to the guests.  The lowest
 * IST_STACK_COUNT * IST_STACK_SIZE bytes of the block are the CPU's IST
 * stacks (#DF, NMI, #MC, #DB), so that per-CPU data is found from them too
 * (Xen's layout); the rest, up to struct cpu_info, is the CPU stack. */
#define STACK_ORDER 4
#define STACK_SIZE (PAGE_SIZE << STACK_ORDER)
#define CPU_INFO_SIZE 64
#define TRAP_FRAME_SIZE (22 * 8)
#define IST_STACK_SIZE (2 * PAGE_SIZE)
#define IST_STACK_COUNT 4

#endif
