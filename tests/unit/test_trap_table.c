/*
 * Tests of common/trap_table.c: storing and checking the handlers a guest
 * registers with set_trap_table, and the int $n privilege rule.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/trap_table.h>

#include "suites.h"

#define GUEST_HANDLER UINT64_C(0xffffffff81001000)
#define LOWER_HALF_HANDLER UINT64_C(0x0000000000401000)
#define PAGE_FAULT_VECTOR 14
#define SYSCALL_VECTOR 0x80

static struct trap_info trap(uint8_t vector, uint8_t flags, uint64_t address)
{
    struct trap_info entry = { .vector = vector, .flags = flags, .cs = 0xe033, .address = address };

    return entry;
}

static struct virtual_trap_table empty_table(void)
{
    struct virtual_trap_table table;

    trap_table_clear(&table);
    return table;
}

static bool has_handler(const struct virtual_trap_table *table, unsigned int vector)
{
    uint64_t handler;
    unsigned int dpl;
    bool mask_events;

    return trap_table_lookup(table, vector, &handler, &dpl, &mask_events);
}

START_TEST(test_valid_entry_is_stored_and_found)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info entry = trap(PAGE_FAULT_VECTOR, 0, GUEST_HANDLER);
    uint64_t handler = 0;
    unsigned int dpl = 9;
    bool mask_events = true;

    ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    ck_assert(trap_table_lookup(&table, PAGE_FAULT_VECTOR, &handler, &dpl, &mask_events));
    ck_assert_uint_eq(handler, GUEST_HANDLER);
    ck_assert_uint_eq(dpl, 0);
    ck_assert(!mask_events);
}
END_TEST

START_TEST(test_lower_half_handler_is_accepted)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info entry = trap(3, 3, LOWER_HALF_HANDLER);

    ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    ck_assert(has_handler(&table, 3));
}
END_TEST

START_TEST(test_dpl_and_mask_events_flags_are_reported)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info entry = trap(SYSCALL_VECTOR, 3 | TRAP_FLAG_MASK_EVENTS, GUEST_HANDLER);
    uint64_t handler;
    unsigned int dpl;
    bool mask_events;

    ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    ck_assert(trap_table_lookup(&table, SYSCALL_VECTOR, &handler, &dpl, &mask_events));
    ck_assert_uint_eq(dpl, 3);
    ck_assert(mask_events);
}
END_TEST

START_TEST(test_handler_in_hypervisor_slots_is_refused)
{
    static const uint64_t hypervisor_addresses[] = { UINT64_C(0xffff800000000000),
                                                     UINT64_C(0xffff808000200000),
                                                     UINT64_C(0xffff87ffffffffff) };
    struct virtual_trap_table table = empty_table();

    for (unsigned int index = 0; index < sizeof(hypervisor_addresses) / sizeof(hypervisor_addresses[0]);
         index++) {
        struct trap_info entry = trap(PAGE_FAULT_VECTOR, 0, hypervisor_addresses[index]);

        ck_assert_int_eq(trap_table_set_entry(&table, &entry), -XEN_EINVAL);
    }
    ck_assert(!has_handler(&table, PAGE_FAULT_VECTOR));
}
END_TEST

START_TEST(test_handler_just_above_hypervisor_slots_is_accepted)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info entry = trap(PAGE_FAULT_VECTOR, 0, UINT64_C(0xffff880000000000));

    ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
}
END_TEST

START_TEST(test_non_canonical_handler_is_refused)
{
    static const uint64_t non_canonical[] = { UINT64_C(0x0000800000000000), UINT64_C(0x8000000000000000),
                                              UINT64_C(0xffff7fffffffffff) };
    struct virtual_trap_table table = empty_table();

    for (unsigned int index = 0; index < sizeof(non_canonical) / sizeof(non_canonical[0]); index++) {
        struct trap_info entry = trap(PAGE_FAULT_VECTOR, 0, non_canonical[index]);

        ck_assert_int_eq(trap_table_set_entry(&table, &entry), -XEN_EINVAL);
    }
}
END_TEST

START_TEST(test_refused_entry_leaves_the_previous_handler_in_place)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info good = trap(PAGE_FAULT_VECTOR, 0, GUEST_HANDLER);
    struct trap_info bad = trap(PAGE_FAULT_VECTOR, 3, UINT64_C(0xffff808000200000));
    uint64_t handler;
    unsigned int dpl;
    bool mask_events;

    ck_assert_int_eq(trap_table_set_entry(&table, &good), 0);
    ck_assert_int_eq(trap_table_set_entry(&table, &bad), -XEN_EINVAL);
    ck_assert(trap_table_lookup(&table, PAGE_FAULT_VECTOR, &handler, &dpl, &mask_events));
    ck_assert_uint_eq(handler, GUEST_HANDLER);
    ck_assert_uint_eq(dpl, 0);
}
END_TEST

START_TEST(test_lookup_of_a_vector_out_of_range_fails)
{
    struct virtual_trap_table table = empty_table();

    ck_assert(!has_handler(&table, TRAP_TABLE_VECTORS));
    ck_assert(!has_handler(&table, UINT32_MAX));
}
END_TEST

START_TEST(test_lookup_of_an_unset_vector_fails)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info entry = trap(PAGE_FAULT_VECTOR, 0, GUEST_HANDLER);

    ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    ck_assert(!has_handler(&table, PAGE_FAULT_VECTOR + 1));
}
END_TEST

START_TEST(test_clear_removes_every_handler)
{
    struct virtual_trap_table table = empty_table();

    for (unsigned int vector = 0; vector < TRAP_TABLE_VECTORS; vector++) {
        struct trap_info entry = trap((uint8_t) vector, 3, GUEST_HANDLER + vector * 16);

        ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    }
    trap_table_clear(&table);
    for (unsigned int vector = 0; vector < TRAP_TABLE_VECTORS; vector++)
        ck_assert(!has_handler(&table, vector));
}
END_TEST

START_TEST(test_entry_with_address_0_removes_the_vectors_handler)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info set = trap(PAGE_FAULT_VECTOR, 0, GUEST_HANDLER);
    struct trap_info unset = trap(PAGE_FAULT_VECTOR, 0, 0);

    ck_assert_int_eq(trap_table_set_entry(&table, &set), 0);
    ck_assert_int_eq(trap_table_set_entry(&table, &unset), 0);
    ck_assert(!has_handler(&table, PAGE_FAULT_VECTOR));
}
END_TEST

START_TEST(test_list_ends_at_the_entry_with_address_0)
{
    struct trap_info last = trap(0, 0, 0);
    struct trap_info handler = trap(0, 0, GUEST_HANDLER);

    ck_assert(trap_table_entry_ends_list(&last));
    ck_assert(!trap_table_entry_ends_list(&handler));
}
END_TEST

START_TEST(test_selector_rpl_is_raised_to_the_guest_kernel_ring)
{
    struct virtual_trap_table table = empty_table();
    struct trap_info entry = trap(PAGE_FAULT_VECTOR, 0, GUEST_HANDLER);

    entry.cs = 0xe030;
    ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    ck_assert_uint_eq(table.entries[PAGE_FAULT_VECTOR].cs, 0xe033);
}
END_TEST

START_TEST(test_int_n_from_guest_kernel_needs_vector_dpl_1_or_more)
{
    struct virtual_trap_table table = empty_table();

    for (uint8_t dpl = 0; dpl <= 3; dpl++) {
        struct trap_info entry = trap(0x40 + dpl, dpl, GUEST_HANDLER);

        ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    }
    ck_assert(!trap_table_permits_software_interrupt(&table, 0x40, true));
    ck_assert(trap_table_permits_software_interrupt(&table, 0x41, true));
    ck_assert(trap_table_permits_software_interrupt(&table, 0x42, true));
    ck_assert(trap_table_permits_software_interrupt(&table, 0x43, true));
}
END_TEST

START_TEST(test_int_n_from_guest_user_needs_vector_dpl_3)
{
    struct virtual_trap_table table = empty_table();

    for (uint8_t dpl = 0; dpl <= 3; dpl++) {
        struct trap_info entry = trap(0x40 + dpl, dpl, GUEST_HANDLER);

        ck_assert_int_eq(trap_table_set_entry(&table, &entry), 0);
    }
    ck_assert(!trap_table_permits_software_interrupt(&table, 0x40, false));
    ck_assert(!trap_table_permits_software_interrupt(&table, 0x41, false));
    ck_assert(!trap_table_permits_software_interrupt(&table, 0x42, false));
    ck_assert(trap_table_permits_software_interrupt(&table, 0x43, false));
}
END_TEST

START_TEST(test_int_n_on_a_cleared_table_is_never_permitted)
{
    struct virtual_trap_table table = empty_table();

    ck_assert(!trap_table_permits_software_interrupt(&table, SYSCALL_VECTOR, true));
    ck_assert(!trap_table_permits_software_interrupt(&table, SYSCALL_VECTOR, false));
}
END_TEST

START_TEST(test_int_n_on_a_vector_out_of_range_is_refused)
{
    struct virtual_trap_table table = empty_table();

    ck_assert(!trap_table_permits_software_interrupt(&table, TRAP_TABLE_VECTORS, true));
}
END_TEST

Suite *trap_table_suite(void)
{
    Suite *suite = suite_create("trap_table");
    TCase *cases = tcase_create("trap_table");

    tcase_add_test(cases, test_valid_entry_is_stored_and_found);
    tcase_add_test(cases, test_lower_half_handler_is_accepted);
    tcase_add_test(cases, test_dpl_and_mask_events_flags_are_reported);
    tcase_add_test(cases, test_handler_in_hypervisor_slots_is_refused);
    tcase_add_test(cases, test_handler_just_above_hypervisor_slots_is_accepted);
    tcase_add_test(cases, test_non_canonical_handler_is_refused);
    tcase_add_test(cases, test_refused_entry_leaves_the_previous_handler_in_place);
    tcase_add_test(cases, test_lookup_of_a_vector_out_of_range_fails);
    tcase_add_test(cases, test_lookup_of_an_unset_vector_fails);
    tcase_add_test(cases, test_clear_removes_every_handler);
    tcase_add_test(cases, test_entry_with_address_0_removes_the_vectors_handler);
    tcase_add_test(cases, test_list_ends_at_the_entry_with_address_0);
    tcase_add_test(cases, test_selector_rpl_is_raised_to_the_guest_kernel_ring);
    tcase_add_test(cases, test_int_n_from_guest_kernel_needs_vector_dpl_1_or_more);
    tcase_add_test(cases, test_int_n_from_guest_user_needs_vector_dpl_3);
    tcase_add_test(cases, test_int_n_on_a_cleared_table_is_never_permitted);
    tcase_add_test(cases, test_int_n_on_a_vector_out_of_range_is_refused);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(trap_table_suite)
