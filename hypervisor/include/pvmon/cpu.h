/*
 * Per-CPU state.
 *
 * struct cpu_info sits at the top of each CPU's stack; current_cpu() finds
 * it by rounding RSP, so no segment base is needed (the PV guests own GS).
 */
#ifndef PVMON_CPU_H
#define PVMON_CPU_H

#include <stdint.h>
#include <pvmon/layout.h>
#include <pvmon/trap_frame.h>

/* A fault that an exception-table fixup recovered from. */
struct recovered_fault {
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t address;
};

struct vcpu;

struct cpu_info {
    uint32_t cpu_number;
    uint32_t in_panic;
    struct recovered_fault last_recovered_fault;
    struct vcpu *current_vcpu;  /* NULL while the CPU is idle */
};
_Static_assert(sizeof(struct cpu_info) <= CPU_INFO_SIZE, "layout.h: CPU_INFO_SIZE");

static inline struct cpu_info *current_cpu(void)
{
    uint64_t stack_pointer;

    __asm__("mov %%rsp, %0" : "=r"(stack_pointer));
    return (struct cpu_info *)((stack_pointer | (STACK_SIZE - 1)) + 1 - CPU_INFO_SIZE);
}

/* Where an entry from a guest (ring 3) leaves its frame: just below
 * struct cpu_info at the top of the stack. */
static inline struct trap_frame *guest_trap_frame(void)
{
    return (struct trap_frame *)current_cpu() - 1;
}

extern uint8_t cpu0_stack[STACK_SIZE];

#endif
