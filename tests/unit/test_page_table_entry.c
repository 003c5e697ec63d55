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

    ck_assert_int_eq(page_table_entry_check_l1(UINT64_C(0xfff0000000000ffe), PAGE_TABLE_ENTRY_RAM, &accepted), 0);
    ck_assert_uint_eq(accepted, UINT64_C(0xfff0000000000ffe));
}
END_TEST

START_TEST(present_kernel_entry_gets_the_user_bit)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE,
                                               PAGE_TABLE_ENTRY_RAM, &accepted), 0);
    ck_assert_uint_eq(accepted, FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE |
                                    PAGE_TABLE_ENTRY_USER);
}
END_TEST

START_TEST(no_execute_and_software_bits_are_allowed)
{
    uint64_t accepted = 0;
    uint64_t entry = FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | UINT64_C(0xe00) | NO_EXECUTE;

    ck_assert_int_eq(page_table_entry_check_l1(entry, PAGE_TABLE_ENTRY_RAM, &accepted), 0);
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

        ck_assert_int_eq(page_table_entry_check_l1(entry, PAGE_TABLE_ENTRY_RAM, &accepted), 0);
        ck_assert_uint_eq(accepted, entry | PAGE_TABLE_ENTRY_USER);
    }
}
END_TEST

START_TEST(bit_62_xen_s_grant_table_mark_is_refused)
{
    uint64_t accepted = 7;
    uint64_t entry = FRAME_ADDRESS | PAGE_TABLE_ENTRY_PRESENT | (UINT64_C(1) << 62);

    ck_assert_int_eq(page_table_entry_check_l1(entry, PAGE_TABLE_ENTRY_RAM, &accepted), -XEN_EINVAL);
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

        ck_assert_int_eq(page_table_entry_check_l1(entry, PAGE_TABLE_ENTRY_RAM, &accepted), -XEN_EINVAL);
    }
    ck_assert_uint_eq(accepted, 7);
}
END_TEST

START_TEST(not_present_entry_may_hold_cache_attribute_bits)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(FRAME_ADDRESS | UINT64_C(0x98), PAGE_TABLE_ENTRY_RAM, &accepted), 0);
}
END_TEST

START_TEST(frame_is_taken_from_the_address_bits)
{
    ck_assert_uint_eq(page_table_entry_frame(FRAME_ADDRESS | NO_EXECUTE | PAGE_TABLE_ENTRY_PRESENT), 0x1234);
}
END_TEST


#define PRESENT_WRITABLE (PAGE_TABLE_ENTRY_PRESENT | PAGE_TABLE_ENTRY_WRITABLE)
#define PWT PAGE_TABLE_ENTRY_WRITE_THROUGH
#define PCD PAGE_TABLE_ENTRY_CACHE_DISABLE
#define PAT PAGE_TABLE_ENTRY_L1_PAT

/* What a device entry with these cache attributes is stored with. */
static uint64_t device_attributes(uint64_t attributes)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(FRAME_ADDRESS | PRESENT_WRITABLE | attributes,
                                               PAGE_TABLE_ENTRY_DEVICE, &accepted), 0);
    ck_assert_uint_eq(accepted & ~(PWT | PCD | PAT), FRAME_ADDRESS | PRESENT_WRITABLE | PAGE_TABLE_ENTRY_USER);
    return accepted & (PWT | PCD | PAT);
}

START_TEST(device_entry_asking_write_back_is_forced_uncached)
{
    /* Index 0 (WB) and 5 (WP) of XEN_MSR_PAT are cacheable. */
    ck_assert_uint_eq(device_attributes(0), PCD | PWT);
    ck_assert_uint_eq(device_attributes(PAT | PWT), PCD | PWT);
}
END_TEST

START_TEST(device_entry_asking_write_through_is_forced_uncached)
{
    ck_assert_uint_eq(device_attributes(PWT), PCD | PWT);
}
END_TEST

START_TEST(device_entry_already_uncached_or_write_combining_is_kept)
{
    ck_assert_uint_eq(device_attributes(PCD), PCD);             /* index 2: UC- */
    ck_assert_uint_eq(device_attributes(PCD | PWT), PCD | PWT); /* index 3: UC */
    ck_assert_uint_eq(device_attributes(PAT), PAT);             /* index 4: WC */
    ck_assert_uint_eq(device_attributes(PAT | PCD), PAT | PCD); /* index 6: UC */
    ck_assert_uint_eq(device_attributes(PAT | PCD | PWT), PAT | PCD | PWT);
}
END_TEST

START_TEST(device_entry_still_refuses_bit_62)
{
    uint64_t accepted = 0;

    ck_assert_int_eq(page_table_entry_check_l1(FRAME_ADDRESS | PRESENT_WRITABLE | (UINT64_C(1) << 62),
                                               PAGE_TABLE_ENTRY_DEVICE, &accepted), -XEN_EINVAL);
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
    tcase_add_test(cases, device_entry_asking_write_back_is_forced_uncached);
    tcase_add_test(cases, device_entry_asking_write_through_is_forced_uncached);
    tcase_add_test(cases, device_entry_already_uncached_or_write_combining_is_kept);
    tcase_add_test(cases, device_entry_still_refuses_bit_62);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(page_table_entry_suite)
