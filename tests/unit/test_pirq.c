/*
 * Specification of the privileged domain's physical interrupts
 * (pvmon/pirq.h): Xen's map_pirq, unmap_pirq, setup_gsi, bind_pirq, EOI
 * and irq_status_query answers for GSI lines of one IOAPIC, and what each
 * does to the line (masked from an interrupt until the EOI when level).
 */
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/pirq.h>
#include <xen/physdev.h>

#include "suites.h"

#define VIRTIO_GSI 12
#define PORT 7
#define LEVEL 1
#define EDGE 0
#define ACTIVE_HIGH 0

static struct pirq_table table;
static struct pirq_line_change change;

static void set_up(void)
{
    pirq_table_init(&table);
}

static int map(int gsi, int pirq)
{
    int chosen = pirq;
    int error = pirq_map_gsi(&table, gsi, &chosen);

    return error != 0 ? error : chosen;
}

/* The GSI mapped at pirq = gsi, set up level, bound to PORT. */
static void map_level_and_bind(int gsi)
{
    bool program;

    ck_assert_int_eq(map(gsi, gsi), gsi);
    ck_assert_int_eq(pirq_setup_gsi(&table, gsi, LEVEL, ACTIVE_HIGH, &program), 0);
    ck_assert_int_eq(pirq_check_bind(&table, (uint32_t)gsi), 0);
    pirq_bind(&table, (uint32_t)gsi, PORT, &change);
}

static void expect_change(int gsi, bool mask)
{
    ck_assert_int_eq(change.gsi, gsi);
    ck_assert_int_eq(change.mask, mask);
}

START_TEST(every_line_starts_masked_with_no_pirq)
{
    for (int gsi = 0; gsi < PIRQ_GSI_COUNT; gsi++) {
        ck_assert(table.lines[gsi].masked);
        ck_assert_uint_eq(table.lines[gsi].pirq, 0);
    }
    ck_assert(pirq_invariants_hold(&table));
}
END_TEST

START_TEST(mapping_a_gsi_at_its_own_number_gives_that_pirq)
{
    ck_assert_int_eq(map(VIRTIO_GSI, VIRTIO_GSI), VIRTIO_GSI);
    ck_assert_int_eq(table.pirqs[VIRTIO_GSI].gsi, VIRTIO_GSI);
    ck_assert(pirq_invariants_hold(&table));
}
END_TEST

START_TEST(mapping_with_pirq_minus_one_allocates_from_16_then_from_the_top)
{
    ck_assert_int_eq(map(5, -1), 16);
    for (int gsi = 6; gsi < 13; gsi++)
        ck_assert_int_eq(map(gsi, -1), 17 + gsi - 6);
    ck_assert_int_eq(map(13, -1), PIRQ_COUNT - 1);
    ck_assert_int_eq(map(14, -1), PIRQ_COUNT - 2);
}
END_TEST

START_TEST(mapping_a_mapped_gsi_with_pirq_minus_one_gives_its_pirq)
{
    ck_assert_int_eq(map(VIRTIO_GSI, 30), 30);
    ck_assert_int_eq(map(VIRTIO_GSI, -1), 30);
}
END_TEST

START_TEST(mapping_a_mapped_gsi_to_another_pirq_is_eexist)
{
    ck_assert_int_eq(map(VIRTIO_GSI, VIRTIO_GSI), VIRTIO_GSI);
    ck_assert_int_eq(map(VIRTIO_GSI, 30), -XEN_EEXIST);
    ck_assert_int_eq(table.pirqs[30].gsi, PIRQ_NO_GSI);
}
END_TEST

START_TEST(mapping_a_pirq_taken_by_another_gsi_answers_0_and_changes_nothing)
{
    int pirq = 30;

    ck_assert_int_eq(map(5, 30), 30);
    ck_assert_int_eq(pirq_map_gsi(&table, VIRTIO_GSI, &pirq), 0);
    ck_assert_int_eq(table.pirqs[30].gsi, 5);
    ck_assert_uint_eq(table.lines[VIRTIO_GSI].pirq, 0);
}
END_TEST

START_TEST(gsis_outside_the_ioapic_are_einval)
{
    ck_assert_int_eq(map(-1, 5), -XEN_EINVAL);
    ck_assert_int_eq(map(PIRQ_GSI_COUNT, 5), -XEN_EINVAL);
    ck_assert_int_eq(map(INT32_MIN, -1), -XEN_EINVAL);
}
END_TEST

START_TEST(gsis_the_hypervisor_keeps_are_eperm)
{
    ck_assert_int_eq(map(0, -1), -XEN_EPERM);
    ck_assert_int_eq(map(2, 2), -XEN_EPERM);
    ck_assert(!pirq_gsi_permitted(0));
    ck_assert(!pirq_gsi_permitted(2));
    ck_assert(pirq_gsi_permitted(1));
    ck_assert(pirq_gsi_permitted(PIRQ_GSI_COUNT - 1));
}
END_TEST

START_TEST(pirqs_outside_the_table_and_pirq_0_are_einval)
{
    ck_assert_int_eq(map(VIRTIO_GSI, PIRQ_COUNT), -XEN_EINVAL);
    ck_assert_int_eq(map(VIRTIO_GSI, 0), -XEN_EINVAL);
    ck_assert_int_eq(map(VIRTIO_GSI, INT32_MAX), -XEN_EINVAL);
    ck_assert_uint_eq(table.lines[VIRTIO_GSI].pirq, 0);
}
END_TEST

START_TEST(allocation_with_every_pirq_taken_is_enospc)
{
    for (int pirq = 1; pirq < PIRQ_COUNT; pirq++)
        table.pirqs[pirq].gsi = 3; /* as if taken (the lines do not matter here) */

    ck_assert_int_eq(map(VIRTIO_GSI, -1), -XEN_ENOSPC);
}
END_TEST

START_TEST(unmapping_frees_the_pirq_and_masks_the_line)
{
    map_level_and_bind(VIRTIO_GSI);

    ck_assert_int_eq(pirq_unmap(&table, VIRTIO_GSI, &change), 0);

    expect_change(VIRTIO_GSI, true);
    ck_assert_int_eq(table.pirqs[VIRTIO_GSI].gsi, PIRQ_NO_GSI);
    ck_assert_uint_eq(table.pirqs[VIRTIO_GSI].port, 0);
    ck_assert_uint_eq(table.lines[VIRTIO_GSI].pirq, 0);
    ck_assert(pirq_invariants_hold(&table));
}
END_TEST

START_TEST(unmapping_a_pirq_not_mapped_or_out_of_range_is_einval)
{
    ck_assert_int_eq(pirq_unmap(&table, VIRTIO_GSI, &change), -XEN_EINVAL);
    ck_assert_int_eq(pirq_unmap(&table, -1, &change), -XEN_EINVAL);
    ck_assert_int_eq(pirq_unmap(&table, PIRQ_COUNT, &change), -XEN_EINVAL);
    ck_assert_int_eq(change.gsi, PIRQ_NO_GSI);
}
END_TEST

START_TEST(setup_gsi_programs_a_line_once)
{
    bool program;

    ck_assert_int_eq(pirq_setup_gsi(&table, VIRTIO_GSI, LEVEL, ACTIVE_HIGH, &program), 0);
    ck_assert(program);
    ck_assert(table.lines[VIRTIO_GSI].level);
    ck_assert(!table.lines[VIRTIO_GSI].active_low);
    ck_assert_int_eq(pirq_setup_gsi(&table, VIRTIO_GSI, EDGE, 1, &program), 0);
    ck_assert(!program);
    ck_assert(table.lines[VIRTIO_GSI].level);
}
END_TEST

START_TEST(setup_gsi_of_a_line_in_use_is_eexist)
{
    bool program;

    ck_assert_int_eq(map(VIRTIO_GSI, VIRTIO_GSI), VIRTIO_GSI);
    ck_assert_int_eq(pirq_check_bind(&table, VIRTIO_GSI), 0);
    pirq_bind(&table, VIRTIO_GSI, PORT, &change);

    ck_assert_int_eq(pirq_setup_gsi(&table, VIRTIO_GSI, LEVEL, ACTIVE_HIGH, &program), -XEN_EEXIST);
    ck_assert(!program);
}
END_TEST

START_TEST(setup_gsi_out_of_range_is_einval_and_of_a_kept_gsi_eperm)
{
    bool program;

    ck_assert_int_eq(pirq_setup_gsi(&table, PIRQ_GSI_COUNT, LEVEL, ACTIVE_HIGH, &program), -XEN_EINVAL);
    ck_assert_int_eq(pirq_setup_gsi(&table, -5, LEVEL, ACTIVE_HIGH, &program), -XEN_EINVAL);
    ck_assert_int_eq(pirq_setup_gsi(&table, 2, LEVEL, ACTIVE_HIGH, &program), -XEN_EPERM);
}
END_TEST

START_TEST(binding_a_mapped_pirq_unmasks_its_line)
{
    ck_assert_int_eq(map(VIRTIO_GSI, VIRTIO_GSI), VIRTIO_GSI);
    ck_assert_int_eq(pirq_check_bind(&table, VIRTIO_GSI), 0);

    pirq_bind(&table, VIRTIO_GSI, PORT, &change);

    expect_change(VIRTIO_GSI, false);
    ck_assert_uint_eq(table.pirqs[VIRTIO_GSI].port, PORT);
    ck_assert(pirq_invariants_hold(&table));
}
END_TEST

START_TEST(binding_is_einval_out_of_range_eperm_unmapped_eexist_bound)
{
    ck_assert_int_eq(pirq_check_bind(&table, PIRQ_COUNT), -XEN_EINVAL);
    ck_assert_int_eq(pirq_check_bind(&table, 0), -XEN_EINVAL);
    ck_assert_int_eq(pirq_check_bind(&table, VIRTIO_GSI), -XEN_EPERM);
    map_level_and_bind(VIRTIO_GSI);
    ck_assert_int_eq(pirq_check_bind(&table, VIRTIO_GSI), -XEN_EEXIST);
}
END_TEST

START_TEST(a_level_interrupt_raises_the_port_and_masks_until_the_eoi)
{
    map_level_and_bind(VIRTIO_GSI);

    ck_assert_uint_eq(pirq_interrupt(&table, VIRTIO_GSI, &change), PORT);
    expect_change(VIRTIO_GSI, true);
    ck_assert(table.pirqs[VIRTIO_GSI].in_flight);

    ck_assert_int_eq(pirq_eoi(&table, VIRTIO_GSI, &change), 0);
    expect_change(VIRTIO_GSI, false);
    ck_assert(!table.pirqs[VIRTIO_GSI].in_flight);
    ck_assert(pirq_invariants_hold(&table));
}
END_TEST

START_TEST(an_edge_interrupt_raises_the_port_and_leaves_the_line_alone)
{
    ck_assert_int_eq(map(5, 5), 5);
    ck_assert_int_eq(pirq_check_bind(&table, 5), 0);
    pirq_bind(&table, 5, PORT, &change);

    ck_assert_uint_eq(pirq_interrupt(&table, 5, &change), PORT);
    ck_assert_int_eq(change.gsi, PIRQ_NO_GSI);
    ck_assert_int_eq(pirq_eoi(&table, 5, &change), 0);
    ck_assert_int_eq(change.gsi, PIRQ_NO_GSI);
}
END_TEST

START_TEST(an_eoi_with_nothing_in_flight_answers_0_and_leaves_the_line)
{
    map_level_and_bind(VIRTIO_GSI);

    ck_assert_int_eq(pirq_eoi(&table, VIRTIO_GSI, &change), 0);
    ck_assert_int_eq(change.gsi, PIRQ_NO_GSI);
}
END_TEST

START_TEST(an_eoi_of_a_pirq_never_mapped_or_out_of_range_is_einval)
{
    ck_assert_int_eq(pirq_eoi(&table, VIRTIO_GSI, &change), -XEN_EINVAL);
    ck_assert_int_eq(pirq_eoi(&table, PIRQ_COUNT, &change), -XEN_EINVAL);
    ck_assert_int_eq(pirq_eoi(&table, UINT32_MAX, &change), -XEN_EINVAL);
}
END_TEST

START_TEST(an_interrupt_on_a_line_nobody_bound_masks_it_and_raises_nothing)
{
    ck_assert_int_eq(map(VIRTIO_GSI, VIRTIO_GSI), VIRTIO_GSI);

    ck_assert_uint_eq(pirq_interrupt(&table, VIRTIO_GSI, &change), 0);
    expect_change(VIRTIO_GSI, true);
    ck_assert_uint_eq(pirq_interrupt(&table, 9, &change), 0);
    expect_change(9, true);
    ck_assert_uint_eq(pirq_interrupt(&table, PIRQ_GSI_COUNT, &change), 0);
    ck_assert_int_eq(change.gsi, PIRQ_NO_GSI);
}
END_TEST

START_TEST(closing_the_port_unbinds_and_masks_and_forgets_what_was_in_flight)
{
    map_level_and_bind(VIRTIO_GSI);
    ck_assert_uint_eq(pirq_interrupt(&table, VIRTIO_GSI, &change), PORT);

    pirq_port_closed(&table, VIRTIO_GSI, PORT, &change);

    expect_change(VIRTIO_GSI, true);
    ck_assert_uint_eq(table.pirqs[VIRTIO_GSI].port, 0);
    ck_assert(!table.pirqs[VIRTIO_GSI].in_flight);
    ck_assert_int_eq(pirq_check_bind(&table, VIRTIO_GSI), 0);
    ck_assert(pirq_invariants_hold(&table));
}
END_TEST

START_TEST(closing_a_port_the_pirq_is_no_longer_bound_to_changes_nothing)
{
    map_level_and_bind(VIRTIO_GSI);
    ck_assert_int_eq(pirq_unmap(&table, VIRTIO_GSI, &change), 0);
    map_level_and_bind(VIRTIO_GSI);

    pirq_port_closed(&table, VIRTIO_GSI, PORT + 1, &change);

    ck_assert_int_eq(change.gsi, PIRQ_NO_GSI);
    ck_assert_uint_eq(table.pirqs[VIRTIO_GSI].port, PORT);
}
END_TEST

START_TEST(status_query_asks_for_an_eoi_for_every_pirq_in_range)
{
    uint32_t flags = 0;

    ck_assert_int_eq(pirq_status_query(VIRTIO_GSI, &flags), 0);
    ck_assert_uint_eq(flags, XENIRQSTAT_needs_eoi);
    ck_assert_int_eq(pirq_status_query(0, &flags), 0);
    ck_assert_int_eq(pirq_status_query(PIRQ_COUNT, &flags), -XEN_EINVAL);
}
END_TEST

static void add(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, set_up, NULL);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *pirq_suite(void)
{
    Suite *suite = suite_create("pirq");

    add(suite, every_line_starts_masked_with_no_pirq);
    add(suite, mapping_a_gsi_at_its_own_number_gives_that_pirq);
    add(suite, mapping_with_pirq_minus_one_allocates_from_16_then_from_the_top);
    add(suite, mapping_a_mapped_gsi_with_pirq_minus_one_gives_its_pirq);
    add(suite, mapping_a_mapped_gsi_to_another_pirq_is_eexist);
    add(suite, mapping_a_pirq_taken_by_another_gsi_answers_0_and_changes_nothing);
    add(suite, gsis_outside_the_ioapic_are_einval);
    add(suite, gsis_the_hypervisor_keeps_are_eperm);
    add(suite, pirqs_outside_the_table_and_pirq_0_are_einval);
    add(suite, allocation_with_every_pirq_taken_is_enospc);
    add(suite, unmapping_frees_the_pirq_and_masks_the_line);
    add(suite, unmapping_a_pirq_not_mapped_or_out_of_range_is_einval);
    add(suite, setup_gsi_programs_a_line_once);
    add(suite, setup_gsi_of_a_line_in_use_is_eexist);
    add(suite, setup_gsi_out_of_range_is_einval_and_of_a_kept_gsi_eperm);
    add(suite, binding_a_mapped_pirq_unmasks_its_line);
    add(suite, binding_is_einval_out_of_range_eperm_unmapped_eexist_bound);
    add(suite, a_level_interrupt_raises_the_port_and_masks_until_the_eoi);
    add(suite, an_edge_interrupt_raises_the_port_and_leaves_the_line_alone);
    add(suite, an_eoi_with_nothing_in_flight_answers_0_and_leaves_the_line);
    add(suite, an_eoi_of_a_pirq_never_mapped_or_out_of_range_is_einval);
    add(suite, an_interrupt_on_a_line_nobody_bound_masks_it_and_raises_nothing);
    add(suite, closing_the_port_unbinds_and_masks_and_forgets_what_was_in_flight);
    add(suite, closing_a_port_the_pirq_is_no_longer_bound_to_changes_nothing);
    add(suite, status_query_asks_for_an_eoi_for_every_pirq_in_range);
    return suite;
}

REGISTER_SUITE(pirq_suite)
