/*
 * Tests of common/guest_address.c: which guest pointers the hypervisor
 * will follow.
 */
#include <check.h>
#include <stdint.h>

#include <pvmon/guest_access.h>
#include <pvmon/layout.h>

#include "suites.h"

START_TEST(test_lower_half_range_is_valid)
{
    ck_assert(guest_range_is_valid(0x400000, 4096));
    ck_assert(guest_range_is_valid(0x00007ffffffff000UL, 4096));
}
END_TEST

START_TEST(test_guest_kernel_range_above_hypervisor_slots_is_valid)
{
    ck_assert(guest_range_is_valid(0xffffffff80000000UL, 8192));
    ck_assert(guest_range_is_valid(HYPERVISOR_SLOTS_END, 1));
}
END_TEST

START_TEST(test_range_inside_hypervisor_slots_is_refused)
{
    ck_assert(!guest_range_is_valid(HYPERVISOR_SLOTS_START, 8));
    ck_assert(!guest_range_is_valid(IMAGE_VIRT_BASE + 0x200000, 8));
    ck_assert(!guest_range_is_valid(HYPERVISOR_SLOTS_END - 1, 1));
}
END_TEST

START_TEST(test_range_ending_inside_hypervisor_slots_is_refused)
{
    ck_assert(!guest_range_is_valid(0xffff7ffffffff000UL, 0x2000));
}
END_TEST

START_TEST(test_range_starting_inside_and_ending_above_hypervisor_slots_is_refused)
{
    ck_assert(!guest_range_is_valid(HYPERVISOR_SLOTS_END - 8, 16));
}
END_TEST

START_TEST(test_non_canonical_range_is_refused)
{
    ck_assert(!guest_range_is_valid(0x0000800000000000UL, 1));
    ck_assert(!guest_range_is_valid(0x00007ffffffffff8UL, 16));
    ck_assert(!guest_range_is_valid(0x8000000000000000UL, 8));
}
END_TEST

START_TEST(test_wrapping_range_is_refused)
{
    ck_assert(!guest_range_is_valid(0xfffffffffffff000UL, 0x2000));
    ck_assert(!guest_range_is_valid(0x1000, UINT64_MAX));
}
END_TEST

START_TEST(test_empty_range_is_valid_anywhere)
{
    ck_assert(guest_range_is_valid(HYPERVISOR_SLOTS_START, 0));
}
END_TEST

static Suite *guest_address_suite(void)
{
    Suite *suite = suite_create("guest_address");
    TCase *cases = tcase_create("guest_address");

    tcase_add_test(cases, test_lower_half_range_is_valid);
    tcase_add_test(cases, test_guest_kernel_range_above_hypervisor_slots_is_valid);
    tcase_add_test(cases, test_range_inside_hypervisor_slots_is_refused);
    tcase_add_test(cases, test_range_ending_inside_hypervisor_slots_is_refused);
    tcase_add_test(cases, test_range_starting_inside_and_ending_above_hypervisor_slots_is_refused);
    tcase_add_test(cases, test_non_canonical_range_is_refused);
    tcase_add_test(cases, test_wrapping_range_is_refused);
    tcase_add_test(cases, test_empty_range_is_valid_anywhere);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(guest_address_suite)
