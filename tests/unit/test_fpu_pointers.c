/*
 * Tests of common/fpu_pointers.c: which CPUs keep the previous vCPU's x87
 * FIP/FDP/FOP across FXRSTOR (Xen's X86_BUG_FPU_PTRS), and for which
 * images they must be reset first (Xen's fpu_fxrstor).  FXSAVE images are
 * built here from the control and status words.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/fpu_pointers.h>

#include "suites.h"

#define RSTR_FP_ERR_PTRS (UINT32_C(1) << 2)
#define CONTROL_ALL_MASKED 0x037f
#define CONTROL_INVALID_UNMASKED 0x037e     /* IM clear */
#define STATUS_CLEAR 0x0000
#define STATUS_INVALID 0x0001               /* IE */
#define STATUS_PRECISION 0x0020             /* PE */
#define STATUS_ERROR_SUMMARY 0x0080         /* ES, not an exception flag itself */

static const char amd[13] = "AuthenticAMD";
static const char intel[13] = "GenuineIntel";
static const char hygon[13] = "HygonGenuine";

static void image_with(uint8_t image[FXSAVE_IMAGE_SIZE], uint16_t control, uint16_t status)
{
    memset(image, 0, FXSAVE_IMAGE_SIZE);
    image[0] = control & 0xff;
    image[1] = control >> 8;
    image[2] = status & 0xff;
    image[3] = status >> 8;
}

START_TEST(test_amd_without_rstr_fp_err_ptrs_keeps_the_pointers)
{
    ck_assert(fpu_pointers_survive_fxrstor(amd, 0));
    ck_assert(fpu_pointers_survive_fxrstor(amd, ~RSTR_FP_ERR_PTRS));
}
END_TEST

START_TEST(test_amd_with_rstr_fp_err_ptrs_restores_them)
{
    ck_assert(!fpu_pointers_survive_fxrstor(amd, RSTR_FP_ERR_PTRS));
}
END_TEST

START_TEST(test_other_vendors_are_not_flagged)
{
    ck_assert(!fpu_pointers_survive_fxrstor(intel, 0));
    ck_assert(!fpu_pointers_survive_fxrstor(hygon, 0));
}
END_TEST

START_TEST(test_image_without_a_pending_exception_needs_clearing)
{
    uint8_t image[FXSAVE_IMAGE_SIZE];

    image_with(image, CONTROL_ALL_MASKED, STATUS_CLEAR);
    ck_assert(fpu_pointers_need_clearing(true, image));
}
END_TEST

START_TEST(test_masked_exception_flags_are_not_pending)
{
    uint8_t image[FXSAVE_IMAGE_SIZE];

    image_with(image, CONTROL_ALL_MASKED, STATUS_INVALID | STATUS_PRECISION | STATUS_ERROR_SUMMARY);
    ck_assert(fpu_pointers_need_clearing(true, image));
}
END_TEST

START_TEST(test_unmasked_pending_exception_is_restored_by_fxrstor)
{
    uint8_t image[FXSAVE_IMAGE_SIZE];

    image_with(image, CONTROL_INVALID_UNMASKED, STATUS_INVALID);
    ck_assert(!fpu_pointers_need_clearing(true, image));
}
END_TEST

START_TEST(test_cpu_without_the_flaw_never_clears)
{
    uint8_t image[FXSAVE_IMAGE_SIZE];

    image_with(image, CONTROL_ALL_MASKED, STATUS_CLEAR);
    ck_assert(!fpu_pointers_need_clearing(false, image));
}
END_TEST

static Suite *fpu_pointers_suite(void)
{
    Suite *suite = suite_create("fpu_pointers");
    TCase *cases = tcase_create("fpu_pointers");

    tcase_add_test(cases, test_amd_without_rstr_fp_err_ptrs_keeps_the_pointers);
    tcase_add_test(cases, test_amd_with_rstr_fp_err_ptrs_restores_them);
    tcase_add_test(cases, test_other_vendors_are_not_flagged);
    tcase_add_test(cases, test_image_without_a_pending_exception_needs_clearing);
    tcase_add_test(cases, test_masked_exception_flags_are_not_pending);
    tcase_add_test(cases, test_unmasked_pending_exception_is_restored_by_fxrstor);
    tcase_add_test(cases, test_cpu_without_the_flaw_never_clears);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(fpu_pointers_suite)
