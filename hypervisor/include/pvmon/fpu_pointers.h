/*
 * The x87 last-instruction and last-operand pointers (FIP, FDP) and
 * last opcode (FOP) across a vCPU switch.  On older AMD CPUs, FXSAVE and
 * FXRSTOR save and restore them only while an x87 exception is pending,
 * so without care a vCPU would read, with fnstenv or fxsave, the
 * pointers of the vCPU that ran before it, from another domain.  Xen
 * (xen/arch/x86/cpu/amd.c, X86_BUG_FPU_PTRS; i387.c fpu_fxrstor) sets
 * them to fixed values before FXRSTOR on such a CPU whenever the image
 * it restores has no unmasked exception pending.
 */
#ifndef PVMON_FPU_POINTERS_H
#define PVMON_FPU_POINTERS_H

#include <stdbool.h>
#include <stdint.h>

#define FXSAVE_IMAGE_SIZE 512

/* Whether FXRSTOR may leave the previous FIP/FDP/FOP on this CPU: an AMD
 * CPU ("AuthenticAMD") without CPUID 0x80000008 EBX bit 2, RstrFpErrPtrs
 * (leaf_80000008_ebx is 0 if the CPU has no such leaf). */
bool fpu_pointers_survive_fxrstor(const char vendor[13], uint32_t leaf_80000008_ebx);

/* Whether to set the pointers to fixed values before restoring image:
 * the CPU has the flaw and the image's status word has no exception that
 * its control word leaves unmasked (fsw & ~fcw & 0x3f). */
bool fpu_pointers_need_clearing(bool survive_fxrstor, const uint8_t image[FXSAVE_IMAGE_SIZE]);

#endif
