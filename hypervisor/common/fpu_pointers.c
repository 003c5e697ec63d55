/*
 * When the x87 FIP/FDP/FOP of the previous vCPU must be overwritten
 * before FXRSTOR (see pvmon/fpu_pointers.h).  Rules (Xen 4.17):
 *   - xen/arch/x86/cpu/amd.c: on an AMD CPU without the RstrFpErrPtrs
 *     feature (CPUID 0x80000008 EBX bit 2), (F)XSAVE and (F)XRSTOR do not
 *     save or restore FOP/FIP/FDP unless an x87 exception is pending
 *     (X86_BUG_FPU_PTRS).  Other vendors, Hygon included, are not flagged.
 *   - xen/arch/x86/i387.c fpu_fxrstor: on such a CPU the pointers are
 *     set to fixed values before the restore unless the image to restore
 *     has an exception pending that its control word does not mask: then
 *     FXRSTOR does load them.
 */
#include <pvmon/fpu_pointers.h>
#include <pvmon/string.h>

#define RESTORES_ERROR_POINTERS (UINT32_C(1) << 2)
#define FXSAVE_CONTROL_WORD_OFFSET 0
#define FXSAVE_STATUS_WORD_OFFSET 2
#define X87_EXCEPTION_FLAGS 0x003f

static const char amd_vendor[13] = "AuthenticAMD";

bool fpu_pointers_survive_fxrstor(const char vendor[13], uint32_t leaf_80000008_ebx)
{
    return memcmp(vendor, amd_vendor, sizeof(amd_vendor)) == 0 && !(leaf_80000008_ebx & RESTORES_ERROR_POINTERS);
}

static uint16_t image_word(const uint8_t image[FXSAVE_IMAGE_SIZE], unsigned int offset)
{
    return (uint16_t)(image[offset] | image[offset + 1] << 8);
}

bool fpu_pointers_need_clearing(bool survive_fxrstor, const uint8_t image[FXSAVE_IMAGE_SIZE])
{
    uint16_t control = image_word(image, FXSAVE_CONTROL_WORD_OFFSET);
    uint16_t status = image_word(image, FXSAVE_STATUS_WORD_OFFSET);

    return survive_fxrstor && !(status & ~control & X87_EXCEPTION_FLAGS);
}
