/*
 * Emulation of the privileged instructions a 64-bit Xen PV guest kernel
 * executes in ring 3, where they fault with #GP(0), and of the forced-
 * emulation CPUID prefix (ud2 "xen" cpuid), which faults with #UD.
 *
 * privileged_instruction_emulate decodes the instruction at RIP in 64-bit
 * mode: rdmsr, wrmsr, rdtsc, mov to and from CR0/CR2/CR3/CR4 and DR0-DR7,
 * clts, wbinvd, xsetbv, cli and sti, and in/out with an immediate port or DX.  Call it only for
 * a #GP with error code 0 taken in the guest kernel (Xen's emulator gives
 * #GP for all of these at the guest's user privilege, and pvmon grants
 * user mode no I/O ports).  forced_cpuid_emulate may be called for a #UD
 * from the guest kernel or guest user mode.
 *
 * The hardware, the vCPU's state and guest memory are reached only through
 * the callbacks, so this is pure code.  The policy (which MSRs, which CR
 * bits, what ports return) is described at the top of
 * hypervisor/common/privileged_instruction.c.
 */
#ifndef PVMON_PRIVILEGED_INSTRUCTION_H
#define PVMON_PRIVILEGED_INSTRUCTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pvmon/cpuid_policy.h>
#include <pvmon/trap_frame.h>

/* The PAT the hypervisor programs and a PV guest reads (Xen's XEN_MSR_PAT,
 * xen/arch/x86/include/asm/processor.h): WB, WT, UC-, UC, WC, WP, UC, UC.
 * Linux derives its cache modes from it (<xen/arch-x86/xen.h>). */
#define XEN_MSR_PAT UINT64_C(0x0000050100070406)

/* The CR4 bits of a PV guest's view (Xen's PV_CR4_GUEST_MASK and
 * PV_CR4_GUEST_VISIBLE_MASK, xen/arch/x86/include/asm/pv/domain.h): it
 * chooses TSD, DE, FSGSBASE and OSXSAVE, each only if its CPUID shows the
 * feature (TSC, DE, FSGSBASE, XSAVE); PV_CR4_KEPT_AS_READ stay as they
 * read; a write of CR4 drops every other bit. */
#define PV_CR4_TSD (UINT64_C(1) << 2)
#define PV_CR4_DE (UINT64_C(1) << 3)
#define PV_CR4_PAE (UINT64_C(1) << 5)
#define PV_CR4_MCE (UINT64_C(1) << 6)
#define PV_CR4_OSFXSR (UINT64_C(1) << 9)
#define PV_CR4_OSXMMEXCPT (UINT64_C(1) << 10)
#define PV_CR4_FSGSBASE (UINT64_C(1) << 16)
#define PV_CR4_OSXSAVE (UINT64_C(1) << 18)
#define PV_CR4_KEPT_AS_READ (PV_CR4_PAE | PV_CR4_MCE | PV_CR4_OSFXSR | PV_CR4_OSXMMEXCPT)

struct privileged_operations {
    void *context;
    /* Copies length guest bytes at guest_address (the guest's own mapping,
     * as the guest kernel sees it) into buffer: 0 or -XEN_EFAULT.  Called
     * with one byte at a time, so a failed call names the first unreadable
     * byte. */
    int (*fetch)(void *context, uint64_t guest_address, void *buffer, size_t length);
    /* The guest's view of CR0 (with the TS it set), CR2 (vcpu_info
     * arch.cr2), CR3 (its current base) or CR4.  Only 0, 2, 3 and 4. */
    uint64_t (*read_control_register)(void *context, unsigned int number);
    /* Stores the guest's new CR2, or its new view of CR4, already reduced
     * to the bits it may set.  Only 2 and 4. */
    void (*write_control_register)(void *context, unsigned int number, uint64_t value);
    /* The guest's virtual CR0.TS (fpu_taskswitch). */
    void (*set_task_switched)(void *context, bool set);
    /* msr is 0xc0000100 (FS_BASE), 0xc0000101 (GS_BASE: the guest
     * kernel's, loaded while it runs) or 0xc0000102 (SHADOW_GS_BASE: the
     * guest user's).  0 or a negative Xen errno (the guest gets #GP).
     * Values written are canonical. */
    int (*read_segment_base)(void *context, uint32_t msr, uint64_t *value);
    int (*write_segment_base)(void *context, uint32_t msr, uint64_t value);
    /* The processor's EFER; the guest sees only part of it. */
    uint64_t (*read_efer)(void *context);
    /* The processor's IA32_MISC_ENABLE: 0, or a negative Xen errno when
     * the processor has none (reading it faulted). */
    int (*read_misc_enable)(void *context, uint64_t *value);
    /* The time-stamp counter as the guest sees it (rdtsc, MSR 0x10). */
    uint64_t (*read_timestamp_counter)(void *context);
    /* The vCPU's number (APIC_BASE marks vCPU 0 as the boot processor). */
    unsigned int (*vcpu_id)(void *context);
    /* DR0-DR15 as encoded (the hypercalls' numbering: 4 and 5 alias 6 and
     * 7): 0, -XEN_ENODEV for no such register (the guest gets #UD) or
     * another negative Xen errno for a refused value (#GP). */
    int (*read_debug_register)(void *context, unsigned int number, uint64_t *value);
    int (*write_debug_register)(void *context, unsigned int number, uint64_t value);
    /* The guest's virtual I/O privilege level (PHYSDEVOP_set_iopl). */
    unsigned int (*io_privilege_level)(void *context);
    /* Makes value, already checked against the guest's CPUID, the vCPU's
     * XCR0, in the processor too (xsetbv). */
    void (*write_xcr0)(void *context, uint64_t value);
    /* The guest's CPUID (cpuid_policy_guest_leaf). */
    void (*cpuid)(void *context, uint32_t leaf, uint32_t subleaf, uint32_t result[CPUID_REGISTERS]);
};

enum emulation_result {
    /* Emulated: the registers hold the results, RIP is past the
     * instruction and RFLAGS.RF is clear.  If RFLAGS.TF is set the caller
     * delivers a single-step #DB, as Xen's pv_emul_instruction_done does. */
    EMULATION_DONE,
    /* Deliver #GP(0) to the guest; the registers are unchanged.  Also
     * what a privileged instruction's fetch outside guest space gives. */
    EMULATION_RAISE_GENERAL_PROTECTION,
    /* Deliver #UD to the guest (a debug register that does not exist). */
    EMULATION_RAISE_INVALID_OPCODE,
    /* A fetch failed: deliver a page fault at the address given to the
     * failing fetch call (Xen's error code: instruction fetch, when NX is
     * on, for a privileged instruction; 0 for the forced-CPUID prefix). */
    EMULATION_FETCH_FAULT,
    /* mov to CR3: not emulated yet (Linux uses MMUEXT_NEW_BASEPTR); the
     * caller delivers #GP(0).  The registers are unchanged. */
    EMULATION_CR3_WRITE_UNSUPPORTED,
    /* Not an instruction emulated here: the caller delivers the original
     * fault (#GP or #UD).  The registers are unchanged. */
    EMULATION_NOT_HANDLED,
};

enum emulation_result privileged_instruction_emulate(struct trap_frame *registers,
                                                     const struct privileged_operations *operations);

/* The 7 bytes 0f 0b 78 65 6e 0f a2 at RIP: CPUID with EAX and ECX through
 * operations->cpuid, the results zero-extended into RAX, RBX, RCX, RDX.
 * Only the fetch and cpuid callbacks are used. */
enum emulation_result forced_cpuid_emulate(struct trap_frame *registers,
                                           const struct privileged_operations *operations);

#endif
