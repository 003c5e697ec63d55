/*
 * Tests of common/page_table_entry.c: the bits a guest's L1 entry may carry.
 */
#include <check.h>
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/page_table_entry.h>

#include "suites.h"

#define FRAME_ADDRESS UINT64_C(0x1234000)
#define NO_EXECUTE (UINT64_C(1) << 63)

START_TEST(not_present_entry_is_stored_unchanged)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(UINT64_C(0xfff0000000000ffe), &accepted), 0);
    ck_assert_uint_eq(accepted, UINT64_C(0xfff0000000000ffe));
}
END_TEST

START_TEST(present_kernel_entry_gets_the_user_bit)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE,
                                               &accepted), 0);
    ck_assert_uint_eq(accepted, FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE |
                                    PAGE_TABLE_ENTRY_USER);
}
END_TEST

START_TEST(no_execute_and_software_bits_are_allowed)
{
    uint64_t accepted = 0;
    uint64_t entry = FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | UINT64_C(0xe00) | NO_EXECUTE;

    ck_assert_int_eq(page_table_entry_check_l1(entry, &accepted), 0);
    ck_assert_uint_eq(accepted, entry | PAGE_TABLE_ENTRY_USER);
}
END_TEST

/* Linux 6.6 and later keep a saved Dirty bit in bit 58 (Xen's
 * L1_DISALLOW_MASK allows 52-61). */
START_TEST(software_bits_52_to_61_are_kept)
{
    for (unsigned int bit = 52; bit <= 61; bit++) {
        uint64_t entry = FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | (UINT64_C(1) << bit);
        uint64_t accepted = 0;

        ck_assert_int_eq(page_table_entry_check_l1(entry, &accepted), 0);
        ck_assert_uint_eq(accepted, entry | PAGE_TABLE_ENTRY_USER);
    }
}
END_TEST

START_TEST(bit_62_xen_s_grant_table_mark_is_refused)
{
    uint64_t accepted = 7;
    uint64_t entry = FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | (UINT64_C(1) << 62);

    ck_assert_int_eq(page_table_entry_check_l1(entry, &accepted), -XEN_EINVAL);
    ck_assert_uint_eq(accepted, 7);
}
END_TEST

START_TEST(cache_attribute_bits_are_refused_so_that_ram_stays_write_back)
{
    static const uint64_t attributes[] = { UINT64_C(1) << 3, UINT64_C(1) << 4, UINT64_C(1) << 7,
                                           (UINT64_C(1) << 3) | (UINT64_C(1) << 4) };
    uint64_t accepted = 7;

    for (unsigned int index = 0; index < sizeof(attributes) / sizeof(attributes[0]); index++) {
        uint64_t entry = FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE | attributes[index];

        ck_assert_int_eq(page_table_entry_check_l1(entry, &accepted), -XEN_EINVAL);
    }
    ck_assert_uint_eq(accepted, 7);
}
END_TEST

START_TEST(not_present_entry_may_hold_cache_attribute_bits)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(FRAME_ADDRESS | UINT64_C(0x98), &accepted), 0);
}
END_TEST

START_TEST(frame_is_taken_from_the_address_bits)
{
    ck_assert_uint_eq(page_table_entry_frame(FRAME_ADDRESS | NO_EXECUTE | PAGE_TABLE_ENTRY_PRESENT), 0x1234);
}
END_TEST

static Suite *page_table_entry_suite(void)
{
    Suite *suite = suite_create("page_table_entry");
    TCase *cases = tcase_create("l1");

    tcase_add_test(cases, not_present_entry_is_stored_unchanged);
    tcase_add_test(cases, present_kernel_entry_gets_the_user_bit);
    tcase_add_test(cases, no_execute_and_software_bits_are_allowed);
    tcase_add_test(cases, software_bits_52_to_61_are_kept);
    tcase_add_test(cases, bit_62_xen_s_grant_table_mark_is_refused);
    tcase_add_test(cases, cache_attribute_bits_are_refused_so_that_ram_stays_write_back);
    tcase_add_test(cases, not_present_entry_may_hold_cache_attribute_bits);
    tcase_add_test(cases, frame_is_taken_from_the_address_bits);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(page_table_entry_suite)
