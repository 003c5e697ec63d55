/*
 * The native baseline kernel's ring 0 (see native.h): it sets up
 * descriptors, SYSCALL and 4 KiB mappings for the benchmarks, calibrates
 * the TSC against the PIT, runs the kernel-level benchmarks, then the
 * ring-3 part (user.c), and leaves QEMU through isa-debug-exit.
 *
 * Time: every figure is TSC ticks converted to nanoseconds with the TSC
 * frequency measured against the PIT over 50 ms, the way pvmon calibrates
 * the clock its guests read, so the PV and native figures are in the same
 * unit.  Under plain TCG the guest TSC is the host's, and nanoseconds are
 * wall-clock time.  Under -icount shift=0 the TSC, the PIT and every
 * virtual clock advance exactly 1 ns per guest instruction, so the TSC
 * calibrates to 1 GHz and "nanoseconds" are instructions executed.
 *
 * The kernel-level benchmarks and their PV counterparts
 * (pv-guest/kernel/microbenchmarks.c):
 *   native-function-call      a call to an empty function that is not
 *                             inlined: what a "null hypercall" is when
 *                             there is no hypervisor
 *   native-pte-write          a plain store to an L1 entry (mmu_update of
 *                             one entry; no flush is needed for the count)
 *   native-pte-write-invlpg   store + invlpg (update_va_mapping UVMF_INVLPG)
 *   native-pte-write-tlb-flush  store + CR3 reload (UVMF_TLB_FLUSH)
 *   native-pte-xchg           xchg on an L1 entry (the trapped, emulated
 *                             write a PV kernel's xchg becomes)
 *   native-tlb-flush          CR3 reload (MMUEXT_TLB_FLUSH_LOCAL)
 * Each changes the entry for real: the value alternates between mappings
 * of two frames on every pass over the table.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include "native.h"

#define SERIAL_PORT 0x3f8
#define SERIAL_LINE_STATUS 5
#define SERIAL_TRANSMIT_EMPTY 0x20
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_SUCCESS 0x10 /* QEMU exits with status 33 */
#define DEBUG_EXIT_FAILURE 0x11 /* status 35 */

#define PIT_FREQUENCY_HZ 1193182UL
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_CHANNEL0_MODE0_BINARY 0x30
#define PIT_READ_BACK_CHANNEL0_STATUS 0xe2
#define PIT_STATUS_OUTPUT_HIGH 0x80
#define CALIBRATION_PIT_TICKS (PIT_FREQUENCY_HZ / 20) /* 50 ms */
#define NANOSECONDS_PER_SECOND 1000000000UL

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define RFLAGS_NT 0x4000
#define RFLAGS_AC 0x40000

#define PTE_PRESENT 0x001UL
#define PTE_WRITABLE 0x002UL
#define PTE_USER 0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_TABLE (PTE_PRESENT | PTE_WRITABLE | PTE_USER)
#define ENTRIES_PER_TABLE 512
#define PAGE_FAULT_VECTOR 14
#define PAGE_FAULT_PRESENT 0x1

/* 4 KiB mappings above the identity-mapped GiB: boot_level3[1] ->
 * bench_level2, whose entry 0 maps the PTE benchmarks' table and entry 1
 * the user fault region (BENCH_FAULT_BASE). */
#define BENCH_PTE_BASE 0x40000000UL

#define FUNCTION_CALLS_PER_RUN 100000
#define PTE_WRITE_PASSES 16
#define PTE_INVLPG_PASSES 8
#define PTE_FLUSH_PASSES 2
#define PTE_XCHG_PASSES 8
#define TLB_FLUSHES_PER_RUN 1024

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

struct task_state_segment {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t interrupt_stacks[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t io_map_base;
} __attribute__((packed));

struct gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t interrupt_stack;
    uint8_t type;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};

struct descriptor_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* Called from head.S and entry.S. */
void native_main(void) __attribute__((noreturn));
void native_trap(struct trap_frame *frame);
uint64_t native_syscall(uint64_t number, uint64_t first, uint64_t second, uint64_t third);

extern uint64_t boot_level3[ENTRIES_PER_TABLE];

/* null, kernel code (64-bit), kernel data, user data, user code (64-bit),
 * and the TSS's two slots, filled in by descriptors_init.  head.S loads
 * it first. */
uint64_t gdt[7] = { 0, 0x00af9a000000ffffUL, 0x00cf92000000ffffUL, 0x00cff2000000ffffUL, 0x00affa000000ffffUL, 0,
                    0 };
static struct task_state_segment task_state;
static struct gate interrupt_table[32];

static uint64_t bench_level2[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t pte_level1[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static uint64_t fault_level1[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t frame_a[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t frame_b[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t fault_frames[BENCH_FAULT_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned int fault_frames_used;
static bool fault_frames_prezeroed;

static uint8_t trap_stack[0x4000] __attribute__((aligned(16)));
static uint8_t user_stack[0x4000] __attribute__((aligned(16)));

static uint64_t tsc_hz;
static uint64_t nanoseconds_per_tick_scaled; /* (10^9 << 32) / tsc_hz */

/* --- hardware access ---------------------------------------------------- */

static void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
    uint8_t value;

    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static void outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static uint64_t read_tsc(void)
{
    uint32_t low, high;

    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

static void write_msr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static uint64_t read_cr2(void)
{
    uint64_t value;

    __asm__ volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}

static uint64_t read_cr3(void)
{
    uint64_t value;

    __asm__ volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

static void write_cr3(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

static void invalidate_page(uint64_t address)
{
    __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
}

/* --- console and exit ----------------------------------------------------- */

static void serial_put(char character)
{
    while (!(inb(SERIAL_PORT + SERIAL_LINE_STATUS) & SERIAL_TRANSMIT_EMPTY))
        ;
    outb(SERIAL_PORT, (uint8_t)character);
}

static void print(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void print(const char *format, ...)
{
    char line[256];
    va_list arguments;

    va_start(arguments, format);
    format_string_va(line, sizeof(line), format, arguments);
    va_end(arguments);
    for (const char *next = line; *next != '\0'; next++) {
        if (*next == '\n')
            serial_put('\r');
        serial_put(*next);
    }
}

static void exit_qemu(uint32_t value) __attribute__((noreturn));
static void exit_qemu(uint32_t value)
{
    outl(DEBUG_EXIT_PORT, value);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* --- time ----------------------------------------------------------------- */

/* PIT channel 0 counts down once in mode 0; the read-back status says when
 * its output went high (no port 0x61 on -M microvm). */
static void calibrate_tsc(void)
{
    uint64_t start, end;

    outb(PIT_COMMAND, PIT_CHANNEL0_MODE0_BINARY);
    outb(PIT_CHANNEL0, CALIBRATION_PIT_TICKS & 0xff);
    outb(PIT_CHANNEL0, CALIBRATION_PIT_TICKS >> 8);
    start = read_tsc();
    do {
        outb(PIT_COMMAND, PIT_READ_BACK_CHANNEL0_STATUS);
    } while (!(inb(PIT_CHANNEL0) & PIT_STATUS_OUTPUT_HIGH));
    end = read_tsc();
    tsc_hz = (end - start) * PIT_FREQUENCY_HZ / CALIBRATION_PIT_TICKS;
    nanoseconds_per_tick_scaled = (NANOSECONDS_PER_SECOND << 32) / tsc_hz;
}

static uint64_t ticks_to_nanoseconds(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * nanoseconds_per_tick_scaled) >> 32);
}

static void report(const char *name, uint64_t operations, uint64_t ticks)
{
    print("bench native-%s %lu %lu\n", name, operations, ticks_to_nanoseconds(ticks));
}

/* --- set-up ----------------------------------------------------------------- */

static void set_gate(unsigned int vector, uint64_t handler)
{
    interrupt_table[vector] = (struct gate) {
        .offset_low = handler & 0xffff,
        .selector = KERNEL_CS,
        .type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
        .offset_middle = (handler >> 16) & 0xffff,
        .offset_high = handler >> 32,
    };
}

static void descriptors_init(void)
{
    uint64_t base = (uint64_t)&task_state, limit = sizeof(task_state) - 1;
    struct descriptor_pointer gdt_pointer = { sizeof(gdt) - 1, (uint64_t)gdt };
    struct descriptor_pointer idt_pointer = { sizeof(interrupt_table) - 1, (uint64_t)interrupt_table };

    task_state.rsp[0] = (uint64_t)(trap_stack + sizeof(trap_stack));
    task_state.io_map_base = sizeof(task_state);
    gdt[TSS_SELECTOR / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89UL << 40 /* present, 64-bit TSS */ |
                            ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[TSS_SELECTOR / 8 + 1] = base >> 32;
    __asm__ volatile("lgdt %0" : : "m"(gdt_pointer));
    __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
    for (unsigned int vector = 0; vector < 32; vector++)
        set_gate(vector, trap_stubs[vector]);
    __asm__ volatile("lidt %0" : : "m"(idt_pointer));
    /* SYSCALL: CS KERNEL_CS, SS KERNEL_DS; SYSRET: SS USER_DS, CS USER_CS. */
    write_msr(MSR_STAR, (uint64_t)KERNEL_DS << 48 | (uint64_t)KERNEL_CS << 32);
    write_msr(MSR_LSTAR, (uint64_t)syscall_entry);
    write_msr(MSR_SFMASK, RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
}

static void bench_tables_init(void)
{
    bench_level2[0] = (uint64_t)pte_level1 | PTE_TABLE;
    bench_level2[1] = (uint64_t)fault_level1 | PTE_TABLE;
    boot_level3[1] = (uint64_t)bench_level2 | PTE_TABLE;
    write_cr3(read_cr3());
}

/* --- kernel-level benchmarks ------------------------------------------------ */

__attribute__((noinline)) static uint64_t empty_function(uint64_t value)
{
    __asm__ volatile("" : "+r"(value));
    return value;
}

static uint64_t mapping_for_pass(unsigned int pass)
{
    return (uint64_t)(pass % 2 ? frame_b : frame_a) | PTE_PRESENT | PTE_USER | PTE_ACCESSED;
}

static uint64_t page_address(unsigned int index)
{
    return BENCH_PTE_BASE + (uint64_t)index * PAGE_SIZE;
}

enum pte_flush { FLUSH_NONE, FLUSH_INVLPG, FLUSH_TLB };

static void bench_pte_writes(const char *name, unsigned int passes, enum pte_flush flush, bool exchange)
{
    static unsigned int pass_number;

    for (unsigned int run = 0; run < BENCH_RUNS; run++) {
        uint64_t start = read_tsc();

        for (unsigned int pass = 0; pass < passes; pass++, pass_number++) {
            uint64_t value = mapping_for_pass(pass_number);

            for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++) {
                if (exchange)
                    __atomic_exchange_n(&pte_level1[index], value, __ATOMIC_SEQ_CST);
                else
                    *(volatile uint64_t *)&pte_level1[index] = value;
                if (flush == FLUSH_INVLPG)
                    invalidate_page(page_address(index));
                else if (flush == FLUSH_TLB)
                    write_cr3(read_cr3());
            }
        }
        report(name, (uint64_t)passes * ENTRIES_PER_TABLE, read_tsc() - start);
    }
}

static void run_kernel_benchmarks(void)
{
    for (unsigned int run = 0; run < BENCH_RUNS; run++) {
        volatile uint64_t sink = 0;
        uint64_t start = read_tsc();

        for (unsigned int call = 0; call < FUNCTION_CALLS_PER_RUN; call++)
            sink = empty_function(call);
        (void)sink;
        report("function-call", FUNCTION_CALLS_PER_RUN, read_tsc() - start);
    }
    bench_pte_writes("pte-write", PTE_WRITE_PASSES, FLUSH_NONE, false);
    bench_pte_writes("pte-write-invlpg", PTE_INVLPG_PASSES, FLUSH_INVLPG, false);
    bench_pte_writes("pte-write-tlb-flush", PTE_FLUSH_PASSES, FLUSH_TLB, false);
    bench_pte_writes("pte-xchg", PTE_XCHG_PASSES, FLUSH_NONE, true);
    for (unsigned int run = 0; run < BENCH_RUNS; run++) {
        uint64_t start = read_tsc();

        for (unsigned int flush = 0; flush < TLB_FLUSHES_PER_RUN; flush++)
            write_cr3(read_cr3());
        report("tlb-flush", TLB_FLUSHES_PER_RUN, read_tsc() - start);
    }
}

/* --- the user fault region ------------------------------------------------- */

/* The PV kernel clears a page with memset (hypervisor/common/string.c,
 * pv-guest/kernel/frame_pool.c); the baseline clears it with the same
 * code, so that the two page-fault figures differ by what the hypervisor
 * adds, not by how the page is cleared. */
static void zero_page(void *page)
{
    memset(page, 0, PAGE_SIZE);
}

static void reset_fault_region(bool prezeroed)
{
    for (unsigned int index = 0; index < BENCH_FAULT_PAGES; index++)
        fault_level1[index] = 0;
    write_cr3(read_cr3());
    fault_frames_used = 0;
    fault_frames_prezeroed = prezeroed;
    if (prezeroed) {
        for (unsigned int index = 0; index < BENCH_FAULT_PAGES; index++)
            zero_page(fault_frames[index]);
    }
}

/* A first touch of the fault region: map the next frame, zeroing it unless
 * the reset already did. */
static bool map_fresh_page(const struct trap_frame *frame)
{
    uint64_t address = read_cr2();
    uint64_t index = (address - BENCH_FAULT_BASE) / PAGE_SIZE;
    uint8_t *page;

    if (address < BENCH_FAULT_BASE || index >= BENCH_FAULT_PAGES || (frame->error_code & PAGE_FAULT_PRESENT) ||
        fault_frames_used == BENCH_FAULT_PAGES)
        return false;
    page = fault_frames[fault_frames_used++];
    if (!fault_frames_prezeroed)
        zero_page(page);
    fault_level1[index] = (uint64_t)page | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
    return true;
}

void native_trap(struct trap_frame *frame)
{
    if (frame->vector == PAGE_FAULT_VECTOR && map_fresh_page(frame))
        return;
    print("native: unexpected exception %lu at %#lx (CS %#lx), error code %#lx, CR2 %#lx\n", frame->vector,
          frame->rip, frame->cs, frame->error_code, read_cr2());
    exit_qemu(DEBUG_EXIT_FAILURE);
}

uint64_t native_syscall(uint64_t number, uint64_t first, uint64_t second, uint64_t third)
{
    switch (number) {
    case SYSCALL_NULL:
        return 0;
    case SYSCALL_REPORT:
        report((const char *)first, second, third);
        return 0;
    case SYSCALL_RESET_FAULTS:
        reset_fault_region(first != 0);
        return 0;
    case SYSCALL_EXIT:
        leave_user();
    default:
        return (uint64_t)-1;
    }
}

void native_main(void)
{
    print("native: baseline kernel: ring 0 with its own page tables and a ring-3 part, no hypervisor\n");
    descriptors_init();
    bench_tables_init();
    calibrate_tsc();
    print("native: TSC %lu Hz (calibrated against the PIT over 50 ms)\n", tsc_hz);
    run_kernel_benchmarks();
    enter_user(user_main, (uint64_t)(user_stack + sizeof(user_stack)));
    print("native: benchmarks done\n");
    exit_qemu(DEBUG_EXIT_SUCCESS);
}
