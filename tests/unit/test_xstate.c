/*
 * Tests of common/xstate.c: the XCR0 values a PV guest may set with
 * xsetbv (Xen's handle_xsetbv and valid_xcr0).  The components offered
 * here are every one Xen knows, so that each consistency rule is reached.
 */
#include <check.h>

#include <pvmon/xstate.h>

#include "suites.h"

#define EVERY_KNOWN_COMPONENT UINT64_C(0xff)
#define AVX512 (XSTATE_OPMASK | XSTATE_ZMM | XSTATE_HI_ZMM)
#define MPX (XSTATE_BNDREGS | XSTATE_BNDCSR)

START_TEST(test_xcr0_needs_x87)
{
    ck_assert(!xstate_xcr0_is_valid(0, EVERY_KNOWN_COMPONENT));
    ck_assert(!xstate_xcr0_is_valid(XSTATE_SSE, EVERY_KNOWN_COMPONENT));
    ck_assert(xstate_xcr0_is_valid(XSTATE_X87, EVERY_KNOWN_COMPONENT));
}
END_TEST

START_TEST(test_xcr0_ymm_needs_sse)
{
    ck_assert(!xstate_xcr0_is_valid(XSTATE_X87 | XSTATE_YMM, EVERY_KNOWN_COMPONENT));
    ck_assert(xstate_xcr0_is_valid(XSTATE_SWITCHABLE, EVERY_KNOWN_COMPONENT));
}
END_TEST

START_TEST(test_xcr0_avx512_needs_ymm_and_all_three_components)
{
    ck_assert(!xstate_xcr0_is_valid(XSTATE_FP_SSE | AVX512, EVERY_KNOWN_COMPONENT));
    ck_assert(!xstate_xcr0_is_valid(XSTATE_SWITCHABLE | XSTATE_OPMASK, EVERY_KNOWN_COMPONENT));
    ck_assert(!xstate_xcr0_is_valid(XSTATE_SWITCHABLE | XSTATE_OPMASK | XSTATE_ZMM, EVERY_KNOWN_COMPONENT));
    ck_assert(xstate_xcr0_is_valid(XSTATE_SWITCHABLE | AVX512, EVERY_KNOWN_COMPONENT));
}
END_TEST

START_TEST(test_xcr0_mpx_components_come_together)
{
    ck_assert(!xstate_xcr0_is_valid(XSTATE_FP_SSE | XSTATE_BNDREGS, EVERY_KNOWN_COMPONENT));
    ck_assert(!xstate_xcr0_is_valid(XSTATE_FP_SSE | XSTATE_BNDCSR, EVERY_KNOWN_COMPONENT));
    ck_assert(xstate_xcr0_is_valid(XSTATE_FP_SSE | MPX, EVERY_KNOWN_COMPONENT));
}
END_TEST

START_TEST(test_xcr0_may_not_name_a_component_not_offered)
{
    ck_assert(!xstate_xcr0_is_valid(XSTATE_SWITCHABLE, XSTATE_FP_SSE));
    ck_assert(!xstate_xcr0_is_valid(XSTATE_FP_SSE | (UINT64_C(1) << 63), EVERY_KNOWN_COMPONENT));
    ck_assert(xstate_xcr0_is_valid(XSTATE_FP_SSE, XSTATE_FP_SSE));
}
END_TEST

static Suite *xstate_suite(void)
{
    Suite *suite = suite_create("xstate");
    TCase *cases = tcase_create("xcr0");

    tcase_add_test(cases, test_xcr0_needs_x87);
    tcase_add_test(cases, test_xcr0_ymm_needs_sse);
    tcase_add_test(cases, test_xcr0_avx512_needs_ymm_and_all_three_components);
    tcase_add_test(cases, test_xcr0_mpx_components_come_together);
    tcase_add_test(cases, test_xcr0_may_not_name_a_component_not_offered);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(xstate_suite)
