/*
 * The CPU's descriptor tables: GDT, TSS and IDT.
 *
 * The GDT follows the Xen x86-64 PV ABI: entries from 7168 (GDT page 14)
 * belong to the hypervisor and hold the selectors every PV guest uses,
 * FLAT_RING3_CS32 0xe023, FLAT_RING3_DS32 0xe02b and FLAT_RING3_CS64 0xe033,
 * next to pvmon's own 0xe008 (code) and 0xe010 (data).  The GDT therefore
 * lives in a per-CPU virtual area of 16 pages: pages 0-13 are where a
 * guest's set_gdt frames will be mapped (until then, a read-only zero
 * page), page 14 is pvmon's reserved page below.  The TSS gives interrupts
 * from ring 3 the CPU's stack and gives #DF, NMI, #MC and #DB stacks of
 * their own (IST, at the bottom of the CPU's stack block: layout.h), so that even a fault on a bad stack is reported and
 * none of them ever runs on a guest's stack (an NMI or #MC at the first
 * instruction of the SYSCALL stub, or a #DB held back by mov ss until
 * then: entry.S).  Every IDT gate
 * is DPL 0 except #BP, #OF and 0x80, which Xen makes reachable from ring 3.
 *
 * The LDT register never keeps what the CPU held before pvmon: the null
 * LDT is loaded at boot, and on every vCPU switch either the null LDT
 * again (the vCPU has none) or an LDT descriptor for the LDT area, which
 * holds the vCPU's checked copy (Xen's load_LDT: lldt 0, or LDT_ENTRY in
 * the per-CPU GDT).  Otherwise a CPU's reset LDT (base 0, limit 0xffff)
 * would make whatever a guest writes at linear 0-0xffff live descriptors,
 * call gates into ring 0 included.
 */
#include <stdint.h>
#include <pvmon/arch.h>
#include <pvmon/layout.h>
#include <pvmon/string.h>
#include <xen/xen.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t io_bitmap_offset;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "architectural 64-bit TSS");

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attributes;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "architectural 64-bit gate");

struct descriptor_table_register {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

enum interrupt_stack {
    IST_NONE = 0,
    IST_DOUBLE_FAULT = 1,
    IST_NMI = 2,
    IST_MACHINE_CHECK = 3,
    IST_DEBUG = 4,
};

_Static_assert(IST_DEBUG == IST_STACK_COUNT, "layout.h: one IST stack per IST vector");
_Static_assert(IST_STACK_COUNT * IST_STACK_SIZE <= STACK_SIZE / 2, "layout.h: the CPU stack keeps half the block");

#define GATE_PRESENT_INTERRUPT 0x8e
#define GATE_DPL3 0x60

/* Descriptors in pvmon's reserved GDT page, by entry number. */
#define GDT_CODE64_DPL0 0x00af9b000000ffffUL
#define GDT_DATA_DPL0 0x00cf93000000ffffUL
#define GDT_CODE32_DPL3 0x00cffb000000ffffUL
#define GDT_DATA_DPL3 0x00cff3000000ffffUL
#define GDT_CODE64_DPL3 0x00affb000000ffffUL
#define GDT_TSS_AVAILABLE 0x89UL
#define GDT_LDT_PRESENT 0x82UL
#define LDT_ENTRY_SIZE 8
#define NULL_SELECTOR 0

uint64_t reserved_gdt_page[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
uint8_t zero_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
uint8_t cpu0_stack[STACK_SIZE] __attribute__((aligned(STACK_SIZE), section(".bss.page_aligned")));
static struct tss cpu0_tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(PAGE_SIZE)));

extern const uint8_t trap_stubs[];

static void set_reserved_entry(uint16_t selector, uint64_t descriptor)
{
    reserved_gdt_page[(selector >> 3) - FIRST_RESERVED_GDT_ENTRY] = descriptor;
}

/* A 16-byte long-mode system descriptor (TSS or LDT) at selector. */
static void set_system_descriptor(uint16_t selector, uint64_t type, uint64_t base, uint64_t limit)
{
    uint64_t low = (limit & 0xffff) | ((base & 0xffffff) << 16) | (type << 40) |
                   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);

    set_reserved_entry(selector, low);
    set_reserved_entry(selector + 8, base >> 32);
}

static void set_tss_descriptor(const struct tss *tss)
{
    set_system_descriptor(TSS_SELECTOR, GDT_TSS_AVAILABLE, (uint64_t)tss, sizeof(*tss) - 1);
}

static void load_ldt_register(uint16_t selector)
{
    __asm__ volatile("lldt %w0" : : "r"(selector) : "memory");
}

/* The running vCPU's LDT: entries descriptors at the LDT area, whose
 * pages the caller has mapped; 0 entries loads the null LDT. */
void cpu_load_local_descriptor_table(unsigned int entries)
{
    if (entries == 0) {
        load_ldt_register(NULL_SELECTOR);
        return;
    }
    set_system_descriptor(LDT_SELECTOR, GDT_LDT_PRESENT, LDT_AREA_VIRT_START,
                          (uint64_t)entries * LDT_ENTRY_SIZE - 1);
    load_ldt_register(LDT_SELECTOR);
}

static void fill_reserved_gdt_page(void)
{
    memset(reserved_gdt_page, 0, sizeof(reserved_gdt_page));
    set_reserved_entry(HYPERVISOR_CS, GDT_CODE64_DPL0);
    set_reserved_entry(HYPERVISOR_DS, GDT_DATA_DPL0);
    set_reserved_entry(FLAT_RING3_CS32, GDT_CODE32_DPL3);
    set_reserved_entry(FLAT_RING3_DS32, GDT_DATA_DPL3);
    set_reserved_entry(FLAT_RING3_CS64, GDT_CODE64_DPL3);
    set_tss_descriptor(&cpu0_tss);
}

static void fill_tss(void)
{
    memset(&cpu0_tss, 0, sizeof(cpu0_tss));
    cpu0_tss.rsp[0] = (uint64_t)cpu0_stack + STACK_SIZE - CPU_INFO_SIZE;
    for (unsigned int stack = IST_DOUBLE_FAULT; stack <= IST_DEBUG; stack++)
        cpu0_tss.ist[stack - 1] = (uint64_t)cpu0_stack + stack * IST_STACK_SIZE;
    /* No I/O permission bitmap: port access from ring 3 raises #GP. */
    cpu0_tss.io_bitmap_offset = sizeof(cpu0_tss);
}

static enum interrupt_stack stack_for_vector(unsigned int vector)
{
    switch (vector) {
    case 1:
        return IST_DEBUG;
    case 2:
        return IST_NMI;
    case 8:
        return IST_DOUBLE_FAULT;
    case 18:
        return IST_MACHINE_CHECK;
    default:
        return IST_NONE;
    }
}

static bool reachable_from_ring3(unsigned int vector)
{
    return vector == 3 || vector == 4 || vector == 0x80;
}

static void fill_idt(void)
{
    for (unsigned int vector = 0; vector < 256; vector++) {
        uint64_t handler = (uint64_t)(trap_stubs + 16 * vector);
        struct idt_gate *gate = &idt[vector];

        gate->offset_low = handler & 0xffff;
        gate->offset_middle = (handler >> 16) & 0xffff;
        gate->offset_high = handler >> 32;
        gate->selector = HYPERVISOR_CS;
        gate->ist = stack_for_vector(vector);
        gate->type_attributes = GATE_PRESENT_INTERRUPT | (reachable_from_ring3(vector) ? GATE_DPL3 : 0);
        gate->reserved = 0;
    }
}

static void load_descriptor_tables(void)
{
    struct descriptor_table_register gdtr = {
        .limit = (RESERVED_GDT_PAGE + 1) * PAGE_SIZE - 1,
        .base = GDT_AREA_VIRT_START,
    };
    struct descriptor_table_register idtr = {
        .limit = sizeof(idt) - 1,
        .base = (uint64_t)idt,
    };

    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* Reload CS with a far return, then the data selectors. */
    __asm__ volatile("pushq %[code]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %[data], %%eax\n\t"
                     "movl %%eax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs"
                     :
                     : [code] "i"(HYPERVISOR_CS), [data] "i"(HYPERVISOR_DS)
                     : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
    load_ldt_register(NULL_SELECTOR);
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void descriptors_init(void)
{
    fill_tss();
    fill_reserved_gdt_page();
    fill_idt();
    load_descriptor_tables();
}
