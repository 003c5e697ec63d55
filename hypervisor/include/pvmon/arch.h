/*
 * What the rest of the hypervisor calls in hypervisor/arch/x86: CPU
 * bring-up, the hypervisor's page tables, the console UART, the timers and
 * leaving QEMU.  Each function is defined in the arch file named beside it.
 */
#ifndef PVMON_ARCH_H
#define PVMON_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pvmon/cpu.h>
#include <pvmon/memory_map.h>
#include <pvmon/frame_allocator.h>

/* descriptors.c: pvmon's GDT page (Xen's reserved entries), TSS, IDT,
 * and the LDT register: the null LDT, or entries (1..8192) of the LDT
 * area. */
void descriptors_init(void);
void cpu_load_local_descriptor_table(unsigned int entries);

/* cpu.c: control registers, EFER and the SYSCALL MSRs. */
struct cpu_features {
    char vendor[13];
    bool has_nx;
    bool has_smep;
    bool has_tsc_deadline;
    bool has_invariant_tsc;
    bool has_1gb_pages;
    bool fpu_pointers_survive_fxrstor;  /* common/fpu_pointers.c */
    uint64_t switched_xstate;           /* xstate.c: XCR0 components switched, 0 without XSAVE */
};
void cpu_init(struct cpu_features *features);
void interrupts_enable(void);
void interrupts_disable(void);
void cpu_wait_for_interrupt(void);
void cpu_breakpoint(void);
uint64_t cpu_read_timestamp_counter(void);
uint64_t cpu_read_fault_address(void);
uint64_t cpu_read_control_register(unsigned int number);
uint64_t cpu_read_efer(void);
void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t result[4]);
int cpu_read_msr_safe(uint32_t msr, uint64_t *value);

/* context.c: a vCPU's FPU, segment and debug state, switched with it. */
struct vcpu_context;
struct debug_registers;
void vcpu_context_init(struct vcpu_context *context);
void cpu_context_init(const struct cpu_features *features);
void vcpu_context_save(struct vcpu_context *context);
void vcpu_context_load(const struct vcpu_context *context);
void cpu_set_task_switched(bool set);
void cpu_swap_gs(void);
enum segment_base { SEGMENT_BASE_FS, SEGMENT_BASE_GS, SEGMENT_BASE_SHADOW_GS };
uint64_t cpu_read_segment_base(enum segment_base which);
void cpu_write_segment_base(enum segment_base which, uint64_t base);
void cpu_load_user_gs_selector(uint16_t selector);
void cpu_load_debug_registers(const struct debug_registers *debug);
uint64_t cpu_read_debug_status(void);
uint64_t cpu_read_debug_control(void);
void cpu_disable_breakpoints(void);
unsigned int cpu_physical_address_bits(void); /* CPUID 0x80000008, or 36 without it */

/* xstate.c: XSAVE for the vCPUs' extended state (pvmon/xstate.h bits).
 * xstate_init sets CR4.OSXSAVE and XCR0 and returns the components
 * switched (0: XSAVE is not used).  An area is FPU_STATE_SIZE bytes,
 * 64-byte aligned. */
uint64_t xstate_init(void);
uint64_t xstate_switched_components(void);
void xstate_load_guest_xcr0(uint64_t value);
void xstate_save(uint8_t *area);
void xstate_restore(const uint8_t *area, uint64_t guest_xcr0);

/* paging.c: the hypervisor's own page tables. */
typedef uint64_t (*boot_frame_source)(void);
void paging_init(const struct memory_map *map, boot_frame_source allocate_zeroed_frame, bool use_nx);
void paging_load_root(uint64_t root_page_table);
void paging_load_hypervisor_root(void);
void paging_invalidate_page(uint64_t virtual_address);
void paging_flush_all(void);
uint32_t paging_full_flush_count(void); /* CR3 loads so far: the TLB flush clock */
void paging_map_guest_readable(uint64_t virtual_address, uint64_t physical_address, boot_frame_source table_source);
void paging_map_guest_gdt(const uint64_t *frames, unsigned int count);
void paging_map_guest_ldt(const uint64_t *frames, unsigned int count);
void paging_copy_hypervisor_slots(uint64_t *guest_root_table);
const uint64_t *paging_hypervisor_l4_entries(void);  /* slots FIRST..LAST_HYPERVISOR_SLOT */
void page_zero(void *page);
void page_copy(void *destination, const void *source);
uint64_t paging_frames_needed(const struct memory_map *map);
void *physical_to_virtual(uint64_t physical_address);
uint64_t virtual_to_physical(const void *virtual_address);
void *early_physical_to_virtual(uint64_t physical_address);
void *map_mmio(uint64_t physical_address, size_t size);
extern uint8_t zero_page[PAGE_SIZE];

/* serial.c: the 16550 UART on COM1. */
void serial_init(void);
void serial_write(const char *text, size_t length);
void serial_write_raw(const char *bytes, size_t length);
void serial_flush(void);
bool serial_read_byte(uint8_t *byte);

/* apic.c and pit.c: the local APIC timer, calibrated against the PIT. */
struct timer_calibration {
    uint64_t tsc_hz;
    uint64_t apic_timer_hz;
};
void pit_start_countdown(uint16_t ticks);
bool pit_countdown_expired(void);
#define PIT_FREQUENCY_HZ 1193182
void apic_init(void);
void apic_calibrate(struct timer_calibration *calibration);
void apic_timer_arm(uint64_t nanoseconds);
void apic_end_of_interrupt(void);
uint64_t apic_base_address(void);      /* the local APIC's MMIO page */
uint32_t apic_id(void);                /* this CPU's local APIC id */

/* io_apic.c: the IOAPIC whose pins are the GSIs dom0 gets as pirqs. */
#define IO_APIC_FIRST_VECTOR 0x30
#define IO_APIC_MAX_PINS 24
void io_apic_init(void);
unsigned int io_apic_pin_count(void);
void io_apic_configure(unsigned int pin, bool level, bool active_low);
void io_apic_set_masked(unsigned int pin, bool masked);
/* The machine's fixed device pages pvmon keeps for itself: dom0 may not
 * map them (kernel/device_access.c). */
#define IO_APIC_BASE_ADDRESS 0xfec00000UL
#define HPET_BASE_ADDRESS 0xfed00000UL
#define APIC_TIMER_VECTOR 0xf0
#define APIC_SPURIOUS_VECTOR 0xff

/* entry.S: into a guest, and off a stack that is no longer needed. */
_Noreturn void enter_guest(const struct trap_frame *registers);
_Noreturn void reset_stack_and_call(void (*function)(void));

/* traps.c: exception handling and the exception table.  Traps from a guest
 * go to guest_trap (kernel/guest_trap.c); entry.S's SYSCALL stub calls
 * guest_syscall (kernel/guest_entry.c), which returns true when the way
 * back may be sysretq; kernel-mode hypercalls go on to hypercall_entry
 * (kernel/hypercall_dispatch.c). */
bool guest_syscall(struct trap_frame *frame);
void hypercall_entry(struct trap_frame *frame);
void guest_trap(struct trap_frame *frame);
int safe_copy(void *destination, const void *source, size_t length);
void trap_set_timer_handler(void (*handler)(void));
/* Called with the GSI of an IOAPIC vector; it sends the local APIC's EOI. */
void trap_set_device_interrupt_handler(void (*handler)(unsigned int gsi));
const char *exception_name(uint64_t vector);

/* platform.c: legacy interrupt controllers and leaving the machine. */
enum platform_exit_status {
    PLATFORM_EXIT_SUCCESS = 0x10,   /* QEMU exits with status 33 */
    PLATFORM_EXIT_PANIC = 0x11,     /* QEMU exits with status 35 */
};
void platform_mask_legacy_interrupts(void);
struct calendar_time;
void platform_read_real_time_clock(struct calendar_time *time);
_Noreturn void platform_exit(enum platform_exit_status status);

#endif
