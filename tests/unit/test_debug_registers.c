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

/* DR7 for slot n enabled locally with the given R/W field and length 1. */
static uint64_t enable_slot(unsigned int slot, unsigned int access)
{
    return DEBUG_CONTROL_RESET | UINT64_C(1) << (slot * 2) | (uint64_t)access << (16 + slot * 4);
}

#define ACCESS_EXECUTE 0
#define ACCESS_WRITE 1
#define ACCESS_READ_WRITE 3
#define HIT(slot) (DEBUG_STATUS_RESET | UINT64_C(1) << (slot))
#define SINGLE_STEP_STATUS (DEBUG_STATUS_RESET | UINT64_C(0x4000))
#define RFLAGS_TRAP UINT64_C(0x100)
#define RFLAGS_INTERRUPTS UINT64_C(0x202)

START_TEST(test_data_breakpoint_hit_in_the_hypervisor_is_ignored)
{
    struct hypervisor_debug_response response =
        debug_exception_in_hypervisor(RFLAGS_INTERRUPTS, HIT(1), enable_slot(1, ACCESS_WRITE));

    ck_assert(!response.clear_single_step);
    ck_assert(!response.disable_breakpoints);
    response = debug_exception_in_hypervisor(RFLAGS_INTERRUPTS, HIT(0), enable_slot(0, ACCESS_READ_WRITE));
    ck_assert(!response.disable_breakpoints);
}
END_TEST

START_TEST(test_instruction_breakpoint_hit_in_the_hypervisor_disables_breakpoints)
{
    for (unsigned int slot = 0; slot < 4; slot++) {
        struct hypervisor_debug_response response =
            debug_exception_in_hypervisor(RFLAGS_INTERRUPTS, HIT(slot), enable_slot(slot, ACCESS_EXECUTE));

        ck_assert(response.disable_breakpoints);
        ck_assert(!response.clear_single_step);
    }
}
END_TEST

START_TEST(test_status_of_a_disabled_instruction_breakpoint_is_not_trusted)
{
    /* DR6 is the guest's to write: a hit bit alone proves nothing. */
    struct hypervisor_debug_response response =
        debug_exception_in_hypervisor(RFLAGS_INTERRUPTS, HIT(2), DEBUG_CONTROL_RESET);

    ck_assert(!response.disable_breakpoints);
    response = debug_exception_in_hypervisor(RFLAGS_INTERRUPTS, HIT(2), enable_slot(3, ACCESS_EXECUTE));
    ck_assert(!response.disable_breakpoints);
}
END_TEST

START_TEST(test_globally_enabled_instruction_breakpoint_counts_as_enabled)
{
    uint64_t control = DEBUG_CONTROL_RESET | UINT64_C(1) << 3;  /* G1, R/W1 = execute */

    ck_assert(debug_exception_in_hypervisor(RFLAGS_INTERRUPTS, HIT(1), control).disable_breakpoints);
}
END_TEST

START_TEST(test_single_step_in_the_hypervisor_is_cleared)
{
    struct hypervisor_debug_response response =
        debug_exception_in_hypervisor(RFLAGS_INTERRUPTS | RFLAGS_TRAP, SINGLE_STEP_STATUS, DEBUG_CONTROL_RESET);

    ck_assert(response.clear_single_step);
    ck_assert(!response.disable_breakpoints);
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
    tcase_add_test(cases, test_data_breakpoint_hit_in_the_hypervisor_is_ignored);
    tcase_add_test(cases, test_instruction_breakpoint_hit_in_the_hypervisor_disables_breakpoints);
    tcase_add_test(cases, test_status_of_a_disabled_instruction_breakpoint_is_not_trusted);
    tcase_add_test(cases, test_globally_enabled_instruction_breakpoint_counts_as_enabled);
    tcase_add_test(cases, test_single_step_in_the_hypervisor_is_cleared);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(debug_registers_suite)
