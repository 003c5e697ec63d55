/*
 * CPU bring-up: feature detection, control registers, EFER and the
 * SYSCALL MSRs, programmed as the Xen x86-64 PV ABI needs them.
 *
 * PV guest kernels run in ring 3 and enter the hypervisor with SYSCALL, so
 * STAR is set the way Xen sets it: SYSCALL loads CS 0xe008 and SS 0xe010,
 * SYSRET returns to FLAT_RING3_CS64 0xe033 with SS FLAT_RING3_DS32 0xe02b.
 * CSTAR points at the same entry.  SFMASK clears IF, TF, DF, NT, RF, VM and AC on entry.  SMEP is turned on
 * where present (the hypervisor never executes guest pages); SMAP is not,
 * because every guest page, kernel pages included, carries U=1 under PV.
 * CR4.OSXSAVE and XCR0 are set by xstate_init (arch/x86/xstate.c) when the
 * processor has XSAVE, as Xen's xstate_init does.
 */
#include <pvmon/arch.h>
#include "exception_fixup.h"
#include <pvmon/errno.h>
#include <pvmon/fpu_pointers.h>
#include <pvmon/privileged_instruction.h>
#include <pvmon/layout.h>
#include <pvmon/string.h>
#include <pvmon/x86.h>

extern const uint8_t syscall_entry_cpu0[];

static void detect_features(struct cpu_features *features)
{
    struct cpuid_result vendor = cpuid(0, 0);
    struct cpuid_result basic = cpuid(1, 0);
    struct cpuid_result extended_max = cpuid(0x80000000, 0);

    memset(features, 0, sizeof(*features));
    memcpy(&features->vendor[0], &vendor.ebx, 4);
    memcpy(&features->vendor[4], &vendor.edx, 4);
    memcpy(&features->vendor[8], &vendor.ecx, 4);
    features->has_tsc_deadline = basic.ecx & (1U << 24);
    if (vendor.eax >= 7)
        features->has_smep = cpuid(7, 0).ebx & (1U << 7);
    if (extended_max.eax >= 0x80000001) {
        struct cpuid_result extended = cpuid(0x80000001, 0);

        features->has_nx = extended.edx & (1U << 20);
        features->has_1gb_pages = extended.edx & (1U << 26);
    }
    if (extended_max.eax >= 0x80000007)
        features->has_invariant_tsc = cpuid(0x80000007, 0).edx & (1U << 8);
    features->fpu_pointers_survive_fxrstor = fpu_pointers_survive_fxrstor(
        features->vendor, extended_max.eax >= 0x80000008 ? cpuid(0x80000008, 0).ebx : 0);
}

unsigned int cpu_physical_address_bits(void)
{
    if (cpuid(0x80000000, 0).eax < 0x80000008)
        return 36;
    return cpuid(0x80000008, 0).eax & 0xff;
}

static void program_syscall(void)
{
    uint64_t star = ((uint64_t)FLAT_RING3_CS32 << 48) | ((uint64_t)HYPERVISOR_CS << 32);
    uint64_t flags_cleared_on_entry =
        RFLAGS_AC | RFLAGS_VM | RFLAGS_RF | RFLAGS_NT | RFLAGS_DF | RFLAGS_IF | RFLAGS_TF;

    wrmsr(MSR_STAR, star);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry_cpu0);
    /* 32-bit PV guests are not supported; a compatibility-mode SYSCALL
     * (AMD only) takes the same path rather than jumping to address 0. */
    wrmsr(MSR_CSTAR, (uint64_t)syscall_entry_cpu0);
    wrmsr(MSR_SYSCALL_FLAG_MASK, flags_cleared_on_entry);
}

void cpu_init(struct cpu_features *features)
{
    uint64_t efer = rdmsr(MSR_EFER) | EFER_SCE;

    detect_features(features);
    if (features->has_nx)
        efer |= EFER_NXE;
    wrmsr(MSR_EFER, efer);
    write_cr0((read_cr0() | CR0_WP) & ~CR0_TS);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (features->has_smep ? CR4_SMEP : 0));
    features->switched_xstate = xstate_init();
    program_syscall();
    wrmsr(MSR_PAT, XEN_MSR_PAT);
    cpu_context_init(features);
}

/* The control registers as they are; guests get views of them. */
uint64_t cpu_read_control_register(unsigned int number)
{
    switch (number) {
    case 0:
        return read_cr0();
    case 3:
        return read_cr3();
    default:
        return read_cr4();
    }
}

uint64_t cpu_read_efer(void)
{
    return rdmsr(MSR_EFER);
}

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t result[4])
{
    struct cpuid_result registers = cpuid(leaf, subleaf);

    result[0] = registers.eax;
    result[1] = registers.ebx;
    result[2] = registers.ecx;
    result[3] = registers.edx;
}

/* rdmsr that survives a #GP (an MSR the processor lacks): 0 or -XEN_EFAULT. */
int cpu_read_msr_safe(uint32_t msr, uint64_t *value)
{
    uint32_t low = 0;
    uint32_t high = 0;
    int result = 0;

    __asm__ volatile("1: rdmsr\n"
                     "2:\n"
                     EXCEPTION_FIXUP("movl %[fault], %[result]")
                     : [result] "+r"(result), "+a"(low), "+d"(high)
                     : "c"(msr), [fault] "i"(-XEN_EFAULT));
    *value = (uint64_t)high << 32 | low;
    return result;
}

void interrupts_enable(void)
{
    enable_interrupts();
}

void interrupts_disable(void)
{
    disable_interrupts();
}

void cpu_wait_for_interrupt(void)
{
    wait_for_interrupt();
}

void cpu_breakpoint(void)
{
    __asm__ volatile("int3");
}

uint64_t cpu_read_timestamp_counter(void)
{
    return rdtsc();
}

uint64_t cpu_read_fault_address(void)
{
    return read_cr2();
}
