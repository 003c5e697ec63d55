/*
 * The thin arch layer: every x86 instruction that C code in pvmon needs
 * (port and MSR access, control registers, CPUID, TLB maintenance) as a
 * small inline function.  Only files under hypervisor/arch/x86 include
 * this; hypervisor/kernel reaches hardware through their functions, and
 * the policy code under hypervisor/common stays free of it so that it
 * compiles for host tests.
 */
#ifndef PVMON_X86_H
#define PVMON_X86_H

#include <stdint.h>

#define CR0_WP (1UL << 16)
#define CR0_TS (1UL << 3)
#define CR4_PAE (1UL << 5)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_OSXSAVE (1UL << 18)
#define CR4_SMEP (1UL << 20)

#define MSR_APIC_BASE 0x1b
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_FLAG_MASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102

#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_NXE (1UL << 11)

#define RFLAGS_TF (1UL << 8)
#define RFLAGS_IF (1UL << 9)
#define RFLAGS_DF (1UL << 10)
#define RFLAGS_IOPL (3UL << 12)
#define RFLAGS_NT (1UL << 14)
#define RFLAGS_RF (1UL << 16)
#define RFLAGS_VM (1UL << 17)
#define RFLAGS_AC (1UL << 18)

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;

    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t low, high;

    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return ((uint64_t)high << 32) | low;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t low, high;

    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
}

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_result result;

    __asm__ volatile("cpuid"
                     : "=a"(result.eax), "=b"(result.ebx), "=c"(result.ecx), "=d"(result.edx)
                     : "a"(leaf), "c"(subleaf));
    return result;
}

#define DEFINE_CONTROL_REGISTER_ACCESS(name)                            \
    static inline uint64_t read_##name(void)                            \
    {                                                                   \
        uint64_t value;                                                 \
        __asm__ volatile("mov %%" #name ", %0" : "=r"(value));          \
        return value;                                                   \
    }                                                                   \
    static inline void write_##name(uint64_t value)                     \
    {                                                                   \
        __asm__ volatile("mov %0, %%" #name : : "r"(value) : "memory"); \
    }

DEFINE_CONTROL_REGISTER_ACCESS(cr0)
DEFINE_CONTROL_REGISTER_ACCESS(cr2)
DEFINE_CONTROL_REGISTER_ACCESS(cr3)
DEFINE_CONTROL_REGISTER_ACCESS(cr4)

static inline void invalidate_page(uint64_t virtual_address)
{
    __asm__ volatile("invlpg (%0)" : : "r"(virtual_address) : "memory");
}

static inline void enable_interrupts(void)
{
    __asm__ volatile("sti" : : : "memory");
}

static inline void disable_interrupts(void)
{
    __asm__ volatile("cli" : : : "memory");
}

/* Wait for an interrupt with interrupts enabled; "sti; hlt" leaves no gap
 * in which an interrupt could arrive before the halt. */
static inline void wait_for_interrupt(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" : : : "memory");
}

static inline uint64_t read_frame_pointer(void)
{
    uint64_t value;

    __asm__ volatile("mov %%rbp, %0" : "=r"(value));
    return value;
}

static inline uint64_t read_stack_pointer(void)
{
    uint64_t value;

    __asm__ volatile("mov %%rsp, %0" : "=r"(value));
    return value;
}

#endif
