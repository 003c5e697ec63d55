/*
 * Tests of common/debug_registers.c: Xen's set_debugreg/get_debugreg
 * rules for a 64-bit PV guest, one rule per case.
 */
#include <check.h>
#include <stdint.h>

#include <pvmon/debug_registers.h>
#include <pvmon/errno.h>

#include "suites.h"

static struct debug_registers reset_registers(void)
{
    struct debug_registers registers;

    debug_registers_reset(&registers);
    return registers;
}

static uint64_t read_register(const struct debug_registers *registers, unsigned int reg)
{
    uint64_t value = 0;

    ck_assert_int_eq(debug_registers_get(registers, reg, &value), 0);
    return value;
}

START_TEST(test_reset_values_are_zero_addresses_and_architectural_dr6_dr7)
{
    struct debug_registers registers = reset_registers();

    for (unsigned int reg = 0; reg < 4; reg++)
        ck_assert_uint_eq(read_register(&registers, reg), 0);
    ck_assert_uint_eq(read_register(&registers, 6), 0xffff0ff0);
    ck_assert_uint_eq(read_register(&registers, 7), 0x400);
}
END_TEST

START_TEST(test_breakpoint_addresses_in_guest_ranges_are_stored)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 0, 0x400000), 0);
    ck_assert_int_eq(debug_registers_set(&registers, 1, 0x00007fffffffffffULL), 0);
    ck_assert_int_eq(debug_registers_set(&registers, 2, 0xffff880000000000ULL), 0);
    ck_assert_int_eq(debug_registers_set(&registers, 3, 0xffffffff81000000ULL), 0);
    ck_assert_uint_eq(read_register(&registers, 0), 0x400000);
    ck_assert_uint_eq(read_register(&registers, 1), 0x00007fffffffffffULL);
    ck_assert_uint_eq(read_register(&registers, 2), 0xffff880000000000ULL);
    ck_assert_uint_eq(read_register(&registers, 3), 0xffffffff81000000ULL);
}
END_TEST

START_TEST(test_breakpoint_address_in_hypervisor_range_is_refused_with_eperm)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 0, 0xffff800000000000ULL), -XEN_EPERM);
    ck_assert_int_eq(debug_registers_set(&registers, 3, 0xffff87ffffffffffULL), -XEN_EPERM);
    ck_assert_uint_eq(read_register(&registers, 0), 0);
}
END_TEST

START_TEST(test_non_canonical_breakpoint_address_is_refused_with_eperm)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 1, 0x0000800000000000ULL), -XEN_EPERM);
    ck_assert_int_eq(debug_registers_set(&registers, 2, 0xffff7fffffffffffULL), -XEN_EPERM);
}
END_TEST

START_TEST(test_dr6_write_forces_reserved_bits)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 6, 0), 0);
    ck_assert_uint_eq(read_register(&registers, 6), 0xffff0ff0);
    ck_assert_int_eq(debug_registers_set(&registers, 6, 0x0000f00f), 0);
    ck_assert_uint_eq(read_register(&registers, 6), 0xffffefff);
}
END_TEST

START_TEST(test_dr6_write_with_upper_bits_is_refused_with_einval)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 6, 0x100000000ULL), -XEN_EINVAL);
    ck_assert_uint_eq(read_register(&registers, 6), 0xffff0ff0);
}
END_TEST

START_TEST(test_dr7_write_forces_reserved_bits)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 7, 0), 0);
    ck_assert_uint_eq(read_register(&registers, 7), 0x400);
    ck_assert_int_eq(debug_registers_set(&registers, 7, 0xd800), 0);
    ck_assert_uint_eq(read_register(&registers, 7), 0x400);
}
END_TEST

START_TEST(test_dr7_enabling_a_data_breakpoint_is_stored)
{
    struct debug_registers registers = reset_registers();
    uint64_t write_8_bytes_in_slot_1 = 0x4 | (UINT64_C(0x9) << 20) | 0x300;

    ck_assert_int_eq(debug_registers_set(&registers, 7, write_8_bytes_in_slot_1), 0);
    ck_assert_uint_eq(read_register(&registers, 7), write_8_bytes_in_slot_1 | 0x400);
}
END_TEST

START_TEST(test_dr7_write_with_upper_bits_is_refused_with_einval)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 7, 0x8000000000000001ULL), -XEN_EINVAL);
    ck_assert_uint_eq(read_register(&registers, 7), 0x400);
}
END_TEST

START_TEST(test_dr7_general_detect_is_refused_with_eperm)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 7, 0x2000), -XEN_EPERM);
    ck_assert_uint_eq(read_register(&registers, 7), 0x400);
}
END_TEST

START_TEST(test_dr7_io_breakpoint_with_any_enable_is_refused_with_eperm)
{
    struct debug_registers registers = reset_registers();
    uint64_t io_in_slot_2 = UINT64_C(0x2) << 24;

    ck_assert_int_eq(debug_registers_set(&registers, 7, io_in_slot_2 | 0x10), -XEN_EPERM);
    ck_assert_int_eq(debug_registers_set(&registers, 7, io_in_slot_2 | 0x01), -XEN_EPERM);
    ck_assert_uint_eq(read_register(&registers, 7), 0x400);
}
END_TEST

START_TEST(test_dr7_io_breakpoint_with_no_enable_is_stored)
{
    struct debug_registers registers = reset_registers();
    uint64_t io_in_slot_3 = UINT64_C(0x2) << 28;

    ck_assert_int_eq(debug_registers_set(&registers, 7, io_in_slot_3), 0);
    ck_assert_uint_eq(read_register(&registers, 7), io_in_slot_3 | 0x400);
}
END_TEST

START_TEST(test_dr4_and_dr5_alias_dr6_and_dr7)
{
    struct debug_registers registers = reset_registers();

    ck_assert_int_eq(debug_registers_set(&registers, 4, 0x1), 0);
    ck_assert_int_eq(debug_registers_set(&registers, 5, 0x3), 0);
    ck_assert_uint_eq(read_register(&registers, 6), 0xffff0ff1);
    ck_assert_uint_eq(read_register(&registers, 7), 0x403);
    ck_assert_uint_eq(read_register(&registers, 4), 0xffff0ff1);
    ck_assert_uint_eq(read_register(&registers, 5), 0x403);
    ck_assert_int_eq(debug_registers_set(&registers, 5, 0x2000), -XEN_EPERM);
}
END_TEST

START_TEST(test_register_beyond_7_is_refused_with_enodev)
{
    struct debug_registers registers = reset_registers();
    uint64_t value = 0x1234;

    ck_assert_int_eq(debug_registers_set(&registers, 8, 0), -XEN_ENODEV);
    ck_assert_int_eq(debug_registers_set(&registers, UINT32_MAX, 0), -XEN_ENODEV);
    ck_assert_int_eq(debug_registers_get(&registers, 8, &value), -XEN_ENODEV);
    ck_assert_uint_eq(value, 0x1234);
}
END_TEST

Suite *debug_registers_suite(void)
{
    Suite *suite = suite_create("debug_registers");
    TCase *cases = tcase_create("debug_registers");

    tcase_add_test(cases, test_reset_values_are_zero_addresses_and_architectural_dr6_dr7);
    tcase_add_test(cases, test_breakpoint_addresses_in_guest_ranges_are_stored);
    tcase_add_test(cases, test_breakpoint_address_in_hypervisor_range_is_refused_with_eperm);
    tcase_add_test(cases, test_non_canonical_breakpoint_address_is_refused_with_eperm);
    tcase_add_test(cases, test_dr6_write_forces_reserved_bits);
    tcase_add_test(cases, test_dr6_write_with_upper_bits_is_refused_with_einval);
    tcase_add_test(cases, test_dr7_write_forces_reserved_bits);
    tcase_add_test(cases, test_dr7_enabling_a_data_breakpoint_is_stored);
    tcase_add_test(cases, test_dr7_write_with_upper_bits_is_refused_with_einval);
    tcase_add_test(cases, test_dr7_general_detect_is_refused_with_eperm);
    tcase_add_test(cases, test_dr7_io_breakpoint_with_any_enable_is_refused_with_eperm);
    tcase_add_test(cases, test_dr7_io_breakpoint_with_no_enable_is_stored);
    tcase_add_test(cases, test_dr4_and_dr5_alias_dr6_and_dr7);
    tcase_add_test(cases, test_register_beyond_7_is_refused_with_enodev);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(debug_registers_suite)
