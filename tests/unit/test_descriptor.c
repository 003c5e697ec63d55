/*
 * Tests of common/descriptor.c: Xen's rules for the segment descriptors a
 * PV guest installs in its GDT and LDT.  Descriptors are built here from
 * their fields as the CPU lays them out, independently of the code tested.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include <pvmon/descriptor.h>
#include <pvmon/errno.h>

#include "suites.h"

#define PRESENT (UINT64_C(1) << 47)
#define CODE_OR_DATA (UINT64_C(1) << 44)
#define LONG_MODE (UINT64_C(1) << 53)
#define DPL_SHIFT 45
#define TYPE_SHIFT 40

#define TYPE_DATA_WRITABLE 0x2
#define TYPE_CODE_READABLE 0xa
#define TYPE_CODE_CONFORMING_READABLE 0xe
#define SYSTEM_LDT 0x2
#define SYSTEM_TSS_AVAILABLE 0x9
#define SYSTEM_CALL_GATE 0xc
#define SYSTEM_INTERRUPT_GATE 0xe
#define SYSTEM_TRAP_GATE 0xf

#define GUEST_KERNEL_CS 0x0010
#define FLAT_KERNEL_CS_64 0xe033
#define HYPERVISOR_CODE 0xe008

static const uint64_t flat_limit_and_granularity = UINT64_C(0x008f00000000ffff);

static uint64_t flat_segment(unsigned int type, unsigned int dpl)
{
    return flat_limit_and_granularity | PRESENT | CODE_OR_DATA | ((uint64_t) type << TYPE_SHIFT) |
           ((uint64_t) dpl << DPL_SHIFT);
}

static uint64_t code_64(unsigned int dpl)
{
    return flat_segment(TYPE_CODE_READABLE, dpl) | LONG_MODE;
}

static uint64_t data(unsigned int dpl)
{
    return flat_segment(TYPE_DATA_WRITABLE, dpl) | (UINT64_C(1) << 54);
}

static uint64_t system_descriptor(unsigned int type, unsigned int dpl)
{
    return PRESENT | ((uint64_t) type << TYPE_SHIFT) | ((uint64_t) dpl << DPL_SHIFT) | 0x0067;
}

static uint64_t call_gate(uint16_t selector, unsigned int dpl, uint32_t offset)
{
    return (offset & 0xffffU) | ((uint64_t) selector << 16) | ((uint64_t) SYSTEM_CALL_GATE << TYPE_SHIFT) |
           ((uint64_t) dpl << DPL_SHIFT) | PRESENT | ((uint64_t) (offset >> 16) << 48);
}

static unsigned int dpl_of(uint64_t descriptor)
{
    return (unsigned int) (descriptor >> DPL_SHIFT) & 3;
}

static uint16_t gate_selector_of(uint64_t descriptor)
{
    return (uint16_t) (descriptor >> 16);
}

static bool check_64(uint64_t *descriptor)
{
    return descriptor_check(descriptor, true);
}

START_TEST(test_dpl0_code_segment_is_raised_to_dpl3)
{
    uint64_t descriptor = code_64(0);

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(descriptor, code_64(3));
}
END_TEST

START_TEST(test_dpl3_code_segment_is_kept_unchanged)
{
    uint64_t descriptor = code_64(3);

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(descriptor, code_64(3));
}
END_TEST

START_TEST(test_data_segments_of_every_dpl_end_up_dpl3)
{
    for (unsigned int dpl = 0; dpl <= 3; dpl++) {
        uint64_t descriptor = data(dpl);

        ck_assert(check_64(&descriptor));
        ck_assert_uint_eq(descriptor, data(3));
    }
}
END_TEST

START_TEST(test_conforming_code_segment_is_raised_like_any_code_segment)
{
    uint64_t descriptor = flat_segment(TYPE_CODE_CONFORMING_READABLE, 0) | LONG_MODE;

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(descriptor, flat_segment(TYPE_CODE_CONFORMING_READABLE, 3) | LONG_MODE);
}
END_TEST

START_TEST(test_not_present_descriptors_are_accepted_unchanged)
{
    static const uint64_t not_present[] = { 0, UINT64_MAX & ~PRESENT, UINT64_C(0x0000090000000067) };

    for (unsigned int index = 0; index < sizeof(not_present) / sizeof(not_present[0]); index++) {
        uint64_t descriptor = not_present[index];

        ck_assert(check_64(&descriptor));
        ck_assert_uint_eq(descriptor, not_present[index]);
    }
}
END_TEST

START_TEST(test_tss_descriptor_is_refused)
{
    uint64_t descriptor = system_descriptor(SYSTEM_TSS_AVAILABLE, 0);

    ck_assert(!check_64(&descriptor));
}
END_TEST

START_TEST(test_ldt_descriptor_is_refused)
{
    uint64_t descriptor = system_descriptor(SYSTEM_LDT, 3);

    ck_assert(!check_64(&descriptor));
}
END_TEST

START_TEST(test_interrupt_and_trap_gates_are_refused)
{
    uint64_t interrupt_gate = system_descriptor(SYSTEM_INTERRUPT_GATE, 3);
    uint64_t trap_gate = system_descriptor(SYSTEM_TRAP_GATE, 3);

    ck_assert(!check_64(&interrupt_gate));
    ck_assert(!check_64(&trap_gate));
}
END_TEST

START_TEST(test_of_the_system_types_only_call_gates_and_type_0_are_accepted)
{
    for (unsigned int type = 0; type < 16; type++) {
        uint64_t descriptor = type == SYSTEM_CALL_GATE ? call_gate(GUEST_KERNEL_CS, 3, 0x1000)
                                                       : system_descriptor(type, 3);
        bool expected = type == 0 || type == SYSTEM_CALL_GATE;

        ck_assert_msg(check_64(&descriptor) == expected, "system type %u", type);
    }
}
END_TEST

START_TEST(test_present_type_0_system_descriptor_is_kept_unchanged)
{
    uint64_t upper_half_of_a_gate = PRESENT | UINT64_C(0xffffffff);
    uint64_t descriptor = upper_half_of_a_gate;

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(descriptor, upper_half_of_a_gate);
}
END_TEST

START_TEST(test_call_gate_into_hypervisor_segments_is_refused)
{
    static const uint16_t hypervisor_selectors[] = { HYPERVISOR_CODE, 0xe010, 0xe023, 0xe040, 0xe030,
                                                     0xfff8 };

    for (unsigned int index = 0; index < sizeof(hypervisor_selectors) / sizeof(hypervisor_selectors[0]);
         index++) {
        uint64_t descriptor = call_gate(hypervisor_selectors[index], 3, 0x1000);
        uint64_t original = descriptor;

        ck_assert_msg(!check_64(&descriptor), "selector %#x", hypervisor_selectors[index]);
        ck_assert_uint_eq(descriptor, original);
    }
}
END_TEST

START_TEST(test_call_gate_to_flat_kernel_code_gets_dpl_0)
{
    uint64_t descriptor = call_gate(FLAT_KERNEL_CS_64, 3, 0x12345678);

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(dpl_of(descriptor), 0);
    ck_assert_uint_eq(gate_selector_of(descriptor), FLAT_KERNEL_CS_64);
    ck_assert_uint_eq(descriptor & ~(UINT64_C(3) << DPL_SHIFT), call_gate(FLAT_KERNEL_CS_64, 0, 0x12345678));
}
END_TEST

START_TEST(test_call_gate_to_guest_gdt_entry_keeps_its_raised_dpl_in_the_selector_rpl)
{
    uint64_t descriptor = call_gate(GUEST_KERNEL_CS, 0, 0x1000);

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(dpl_of(descriptor), 0);
    ck_assert_uint_eq(gate_selector_of(descriptor), GUEST_KERNEL_CS | 3);
}
END_TEST

START_TEST(test_call_gate_to_ldt_selector_is_accepted)
{
    uint16_t ldt_selector = 0xfff8 | 4;
    uint64_t descriptor = call_gate(ldt_selector, 3, 0x1000);

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(gate_selector_of(descriptor), ldt_selector | 3);
}
END_TEST

START_TEST(test_call_gate_with_reserved_bits_set_is_refused)
{
    uint64_t descriptor = call_gate(GUEST_KERNEL_CS, 3, 0x1000) | (UINT64_C(1) << 32);

    ck_assert(!check_64(&descriptor));
}
END_TEST

START_TEST(test_64bit_code_segment_with_l_bit_is_accepted_for_64bit_guest)
{
    uint64_t descriptor = code_64(3);

    ck_assert(check_64(&descriptor));
    ck_assert_uint_eq(descriptor & LONG_MODE, LONG_MODE);
}
END_TEST

START_TEST(test_32bit_guest_may_not_have_a_64bit_code_segment)
{
    uint64_t descriptor = code_64(1);

    ck_assert(!descriptor_check(&descriptor, false));
}
END_TEST

START_TEST(test_32bit_guest_dpl0_is_raised_to_dpl1_and_dpl2_is_kept)
{
    uint64_t ring0 = flat_segment(TYPE_CODE_READABLE, 0);
    uint64_t ring2 = flat_segment(TYPE_CODE_READABLE, 2);

    ck_assert(descriptor_check(&ring0, false));
    ck_assert(descriptor_check(&ring2, false));
    ck_assert_uint_eq(ring0, flat_segment(TYPE_CODE_READABLE, 1));
    ck_assert_uint_eq(ring2, flat_segment(TYPE_CODE_READABLE, 2));
}
END_TEST

START_TEST(test_32bit_call_gate_may_carry_a_parameter_count)
{
    uint64_t with_parameter_count = call_gate(GUEST_KERNEL_CS, 1, 0x1000) | (UINT64_C(0x1f) << 32);
    uint64_t with_reserved_bit = call_gate(GUEST_KERNEL_CS, 1, 0x1000) | (UINT64_C(0x20) << 32);

    ck_assert(descriptor_check(&with_parameter_count, false));
    ck_assert(!descriptor_check(&with_reserved_bit, false));
}
END_TEST

START_TEST(test_checking_an_accepted_descriptor_again_changes_nothing)
{
    uint64_t descriptors[] = { code_64(0), data(1), call_gate(FLAT_KERNEL_CS_64, 0, 0x1000),
                               call_gate(GUEST_KERNEL_CS, 2, 0x2000) };

    for (unsigned int index = 0; index < sizeof(descriptors) / sizeof(descriptors[0]); index++) {
        uint64_t once = descriptors[index];
        uint64_t twice;

        ck_assert(check_64(&once));
        twice = once;
        ck_assert(check_64(&twice));
        ck_assert_uint_eq(twice, once);
    }
}
END_TEST

START_TEST(test_table_check_fixes_up_every_entry)
{
    uint64_t table[DESCRIPTORS_PER_PAGE] = { 0, code_64(0), data(0) };

    ck_assert_int_eq(descriptor_check_table(table, DESCRIPTORS_PER_PAGE, true), 0);
    ck_assert_uint_eq(table[0], 0);
    ck_assert_uint_eq(table[1], code_64(3));
    ck_assert_uint_eq(table[2], data(3));
}
END_TEST

START_TEST(test_table_check_refuses_a_table_with_one_bad_entry)
{
    uint64_t tss = system_descriptor(SYSTEM_TSS_AVAILABLE, 0);
    uint64_t table[4] = { code_64(0), tss, data(0), 0 };

    ck_assert_int_eq(descriptor_check_table(table, 4, true), -XEN_EINVAL);
    ck_assert_uint_eq(table[1], tss);
    ck_assert_uint_eq(table[2], data(0));
}
END_TEST

START_TEST(test_guest_gdt_may_not_reach_the_reserved_entries)
{
    ck_assert(descriptor_gdt_entry_count_is_valid(0));
    ck_assert(descriptor_gdt_entry_count_is_valid(7168));
    ck_assert(!descriptor_gdt_entry_count_is_valid(7169));
    ck_assert(!descriptor_gdt_entry_count_is_valid(UINT32_MAX));
}
END_TEST

START_TEST(test_gdt_frame_count_rounds_up_to_whole_frames)
{
    ck_assert_uint_eq(descriptor_gdt_frame_count(0), 0);
    ck_assert_uint_eq(descriptor_gdt_frame_count(1), 1);
    ck_assert_uint_eq(descriptor_gdt_frame_count(512), 1);
    ck_assert_uint_eq(descriptor_gdt_frame_count(513), 2);
    ck_assert_uint_eq(descriptor_gdt_frame_count(7168), 14);
}
END_TEST

START_TEST(test_update_address_must_be_aligned_to_a_descriptor)
{
    ck_assert(descriptor_update_address_is_valid(0x123450));
    ck_assert(descriptor_update_address_is_valid(0x123458));
    ck_assert(!descriptor_update_address_is_valid(0x123454));
    ck_assert(!descriptor_update_address_is_valid(0x123451));
}
END_TEST

#define LDT_PAGE UINT64_C(0x00007f0000000000)
#define LOWER_HALF_TOP_PAGE UINT64_C(0x00007ffffffff000)

START_TEST(test_ldt_of_no_entries_is_the_null_ldt_whatever_the_address)
{
    ck_assert(descriptor_ldt_arguments_are_valid(0, 0));
    ck_assert(descriptor_ldt_arguments_are_valid(LDT_PAGE + 8, 0));
    ck_assert(descriptor_ldt_arguments_are_valid(UINT64_C(0xffff800000000000), 0));
}
END_TEST

START_TEST(test_ldt_holds_at_most_8192_entries)
{
    ck_assert(descriptor_ldt_arguments_are_valid(LDT_PAGE, 8192));
    ck_assert(!descriptor_ldt_arguments_are_valid(LDT_PAGE, 8193));
    ck_assert(!descriptor_ldt_arguments_are_valid(LDT_PAGE, UINT64_C(1) << 61));
}
END_TEST

START_TEST(test_ldt_address_must_be_page_aligned)
{
    ck_assert(descriptor_ldt_arguments_are_valid(LDT_PAGE, 1));
    ck_assert(!descriptor_ldt_arguments_are_valid(LDT_PAGE + 8, 1));
    ck_assert(!descriptor_ldt_arguments_are_valid(LDT_PAGE + 0x800, 1));
}
END_TEST

START_TEST(test_ldt_must_lie_wholly_in_guest_space)
{
    ck_assert(descriptor_ldt_arguments_are_valid(LOWER_HALF_TOP_PAGE, 512));
    ck_assert(!descriptor_ldt_arguments_are_valid(LOWER_HALF_TOP_PAGE, 513));
    ck_assert(!descriptor_ldt_arguments_are_valid(UINT64_C(0x0000800000000000), 1));
    ck_assert(!descriptor_ldt_arguments_are_valid(UINT64_C(0xffff800000000000), 1));
    ck_assert(!descriptor_ldt_arguments_are_valid(UINT64_C(0xffff87fffffff000), 1));
    ck_assert(descriptor_ldt_arguments_are_valid(UINT64_C(0xffff880000000000), 1));
    ck_assert(!descriptor_ldt_arguments_are_valid(UINT64_C(0xfffffffffffff000), 513));
}
END_TEST

START_TEST(test_ldt_frame_count_rounds_up_to_whole_pages)
{
    ck_assert_uint_eq(descriptor_ldt_frame_count(0), 0);
    ck_assert_uint_eq(descriptor_ldt_frame_count(1), 1);
    ck_assert_uint_eq(descriptor_ldt_frame_count(512), 1);
    ck_assert_uint_eq(descriptor_ldt_frame_count(513), 2);
    ck_assert_uint_eq(descriptor_ldt_frame_count(8192), 16);
}
END_TEST

Suite *descriptor_suite(void)
{
    Suite *suite = suite_create("descriptor");
    TCase *cases = tcase_create("descriptor");

    tcase_add_test(cases, test_dpl0_code_segment_is_raised_to_dpl3);
    tcase_add_test(cases, test_dpl3_code_segment_is_kept_unchanged);
    tcase_add_test(cases, test_data_segments_of_every_dpl_end_up_dpl3);
    tcase_add_test(cases, test_conforming_code_segment_is_raised_like_any_code_segment);
    tcase_add_test(cases, test_not_present_descriptors_are_accepted_unchanged);
    tcase_add_test(cases, test_tss_descriptor_is_refused);
    tcase_add_test(cases, test_ldt_descriptor_is_refused);
    tcase_add_test(cases, test_interrupt_and_trap_gates_are_refused);
    tcase_add_test(cases, test_of_the_system_types_only_call_gates_and_type_0_are_accepted);
    tcase_add_test(cases, test_present_type_0_system_descriptor_is_kept_unchanged);
    tcase_add_test(cases, test_call_gate_into_hypervisor_segments_is_refused);
    tcase_add_test(cases, test_call_gate_to_flat_kernel_code_gets_dpl_0);
    tcase_add_test(cases, test_call_gate_to_guest_gdt_entry_keeps_its_raised_dpl_in_the_selector_rpl);
    tcase_add_test(cases, test_call_gate_to_ldt_selector_is_accepted);
    tcase_add_test(cases, test_call_gate_with_reserved_bits_set_is_refused);
    tcase_add_test(cases, test_64bit_code_segment_with_l_bit_is_accepted_for_64bit_guest);
    tcase_add_test(cases, test_32bit_guest_may_not_have_a_64bit_code_segment);
    tcase_add_test(cases, test_32bit_guest_dpl0_is_raised_to_dpl1_and_dpl2_is_kept);
    tcase_add_test(cases, test_32bit_call_gate_may_carry_a_parameter_count);
    tcase_add_test(cases, test_checking_an_accepted_descriptor_again_changes_nothing);
    tcase_add_test(cases, test_table_check_fixes_up_every_entry);
    tcase_add_test(cases, test_table_check_refuses_a_table_with_one_bad_entry);
    tcase_add_test(cases, test_guest_gdt_may_not_reach_the_reserved_entries);
    tcase_add_test(cases, test_gdt_frame_count_rounds_up_to_whole_frames);
    tcase_add_test(cases, test_update_address_must_be_aligned_to_a_descriptor);
    tcase_add_test(cases, test_ldt_of_no_entries_is_the_null_ldt_whatever_the_address);
    tcase_add_test(cases, test_ldt_holds_at_most_8192_entries);
    tcase_add_test(cases, test_ldt_address_must_be_page_aligned);
    tcase_add_test(cases, test_ldt_must_lie_wholly_in_guest_space);
    tcase_add_test(cases, test_ldt_frame_count_rounds_up_to_whole_pages);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(descriptor_suite)
