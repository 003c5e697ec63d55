/*
 * Tests of common/pv_layout.c: the start-of-day layout of a 64-bit PV
 * guest.  Kernels are described directly by the fields of struct
 * pv_kernel the layout reads; expected layouts are worked out by hand in
 * the comments, and the rest is checked against the invariants every
 * layout must keep.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/pv_kernel.h>
#include <pvmon/pv_layout.h>

#include "suites.h"

#define PAGE 0x1000UL
#define LINUX_VIRTUAL_BASE 0xffffffff80000000UL
#define KERNEL_FIRST_PFN 0x1000UL
#define SMALL_KERNEL_PAGES 3
#define GUEST_PAGES 0x10000UL /* 256 MiB: a p2m list of 128 pages */
#define FOUR_MIB (4UL << 20)
#define HALF_MIB (512UL << 10)
#define TWO_MIB (2UL << 20)
#define ONE_GIB (1UL << 30)
#define MODULE_SIZE 0x5001UL  /* 6 pages */
#define MODULE_PAGES 6

static struct pv_kernel kernel_at(uint64_t virtual_base, uint64_t first_pfn, uint64_t pages)
{
    return (struct pv_kernel) {
        .virtual_base = virtual_base,
        .virtual_start = virtual_base + first_pfn * PAGE,
        .virtual_end = virtual_base + (first_pfn + pages) * PAGE,
        .mod_start_pfn = true,
    };
}

static struct pv_kernel small_kernel(void)
{
    return kernel_at(LINUX_VIRTUAL_BASE, KERNEL_FIRST_PFN, SMALL_KERNEL_PAGES);
}

static void expect_area(const struct pv_layout_area *area, uint64_t first_pfn, uint64_t pages, uint64_t virtual_base)
{
    ck_assert_uint_eq(area->first_pfn, first_pfn);
    ck_assert_uint_eq(area->pages, pages);
    ck_assert_uint_eq(area->virtual_address, virtual_base + first_pfn * PAGE);
}

static uint64_t area_end_pfn(const struct pv_layout_area *area)
{
    return area->first_pfn + area->pages;
}

/* How many tables of 2^span_shift bytes each it takes to map [first, last]. */
static uint64_t tables_needed(uint64_t first, uint64_t last, unsigned int span_shift)
{
    return (last >> span_shift) - (first >> span_shift) + 1;
}

/* The rules every layout keeps, whatever its inputs. */
static void expect_consistent_layout(const struct pv_kernel *kernel, uint64_t nr_pages, bool module_mapped,
                                     const struct pv_layout *layout)
{
    uint64_t base = kernel->virtual_base;
    uint64_t last = layout->bootstrap_end_virtual - 1;
    const struct pv_layout_area *after_kernel = module_mapped ? &layout->module : &layout->p2m;

    ck_assert_uint_eq(area_end_pfn(&layout->kernel), after_kernel->first_pfn);
    if (module_mapped)
        ck_assert_uint_eq(area_end_pfn(&layout->module), layout->p2m.first_pfn);
    ck_assert_uint_eq(layout->p2m.pages, (nr_pages * 8 + PAGE - 1) / PAGE);
    ck_assert_uint_eq(area_end_pfn(&layout->p2m), layout->start_info.first_pfn);
    ck_assert_uint_eq(area_end_pfn(&layout->start_info), layout->xenstore.first_pfn);
    ck_assert_uint_eq(area_end_pfn(&layout->xenstore), layout->console.first_pfn);
    ck_assert_uint_eq(area_end_pfn(&layout->console), layout->page_tables.first_pfn);
    ck_assert_uint_eq(area_end_pfn(&layout->page_tables), layout->stack.first_pfn);
    ck_assert_uint_eq(layout->stack.pages, 1);

    ck_assert_uint_eq(layout->page_tables.pages, layout->level4_tables + layout->level3_tables +
                                                     layout->level2_tables + layout->level1_tables);
    ck_assert_uint_eq(layout->level4_tables, 1);
    ck_assert_uint_eq(layout->level3_tables, tables_needed(base, last, 39));
    ck_assert_uint_eq(layout->level2_tables, tables_needed(base, last, 30));
    ck_assert_uint_eq(layout->level1_tables, tables_needed(base, last, 21));
    ck_assert_uint_ge((base & ~(TWO_MIB - 1)) + layout->level1_tables * TWO_MIB, layout->bootstrap_end_virtual);

    ck_assert_uint_eq(layout->bootstrap_end_virtual % FOUR_MIB, 0);
    ck_assert_uint_eq(layout->bootstrap_end_virtual, base + layout->bootstrap_pages * PAGE);
    ck_assert_uint_ge(layout->bootstrap_end_virtual - layout->stack_top_virtual, HALF_MIB);
    ck_assert_uint_lt(layout->bootstrap_end_virtual - layout->stack_top_virtual, FOUR_MIB + HALF_MIB);
    ck_assert_uint_eq(base & ~(ONE_GIB - 1), last & ~(ONE_GIB - 1));
    ck_assert_uint_le(layout->bootstrap_pages, nr_pages);
    ck_assert_uint_eq(layout->stack_top_virtual, layout->stack.virtual_address + PAGE);
    ck_assert_uint_eq(layout->start_info_virtual, layout->start_info.virtual_address);
}

START_TEST(test_small_kernel_without_module_is_laid_out_in_xen_order)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    /* Kernel pfns 0x1000-0x1002, p2m 0x1003-0x1082 (128 pages), start_info
     * 0x1083, xenstore 0x1084, console 0x1085, then 13 page tables (L4,
     * L3, L2 and 10 L1s for the 20 MiB region) and the stack at 0x1093:
     * its end, pfn 0x1094, rounds up to v_end at pfn 0x1400 (20 MiB). */
    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, 0, false, &layout), 0);
    expect_area(&layout.kernel, 0x1000, 3, LINUX_VIRTUAL_BASE);
    ck_assert_uint_eq(layout.module.pages, 0);
    expect_area(&layout.p2m, 0x1003, 128, LINUX_VIRTUAL_BASE);
    expect_area(&layout.start_info, 0x1083, 1, LINUX_VIRTUAL_BASE);
    expect_area(&layout.xenstore, 0x1084, 1, LINUX_VIRTUAL_BASE);
    expect_area(&layout.console, 0x1085, 1, LINUX_VIRTUAL_BASE);
    expect_area(&layout.page_tables, 0x1086, 13, LINUX_VIRTUAL_BASE);
    ck_assert_uint_eq(layout.level4_tables, 1);
    ck_assert_uint_eq(layout.level3_tables, 1);
    ck_assert_uint_eq(layout.level2_tables, 1);
    ck_assert_uint_eq(layout.level1_tables, 10);
    expect_area(&layout.stack, 0x1093, 1, LINUX_VIRTUAL_BASE);
    ck_assert_uint_eq(layout.bootstrap_pages, 0x1400);
    ck_assert_uint_eq(layout.bootstrap_end_virtual, LINUX_VIRTUAL_BASE + 0x1400000);
    expect_consistent_layout(&kernel, GUEST_PAGES, false, &layout);
}
END_TEST

START_TEST(test_mapped_module_follows_the_kernel)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, MODULE_SIZE, false, &layout), 0);
    expect_area(&layout.module, 0x1003, MODULE_PAGES, LINUX_VIRTUAL_BASE);
    expect_area(&layout.p2m, 0x1009, 128, LINUX_VIRTUAL_BASE);
    expect_area(&layout.start_info, 0x1089, 1, LINUX_VIRTUAL_BASE);
    expect_area(&layout.page_tables, 0x108c, 13, LINUX_VIRTUAL_BASE);
    expect_area(&layout.stack, 0x1099, 1, LINUX_VIRTUAL_BASE);
    ck_assert_uint_eq(layout.bootstrap_pages, 0x1400);
    expect_consistent_layout(&kernel, GUEST_PAGES, true, &layout);
}
END_TEST

START_TEST(test_module_by_pfn_follows_the_bootstrap_region_unmapped)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, MODULE_SIZE, true, &layout), 0);
    ck_assert_uint_eq(layout.module.first_pfn, 0x1400);
    ck_assert_uint_eq(layout.module.pages, MODULE_PAGES);
    ck_assert_uint_eq(layout.module.virtual_address, 0);
    expect_area(&layout.p2m, 0x1003, 128, LINUX_VIRTUAL_BASE);
    ck_assert_uint_eq(layout.bootstrap_pages, 0x1400);
    expect_consistent_layout(&kernel, GUEST_PAGES, false, &layout);
}
END_TEST

START_TEST(test_module_by_pfn_needs_a_kernel_that_accepts_it)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    kernel.mod_start_pfn = false;
    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, MODULE_SIZE, true, &layout), -XEN_EINVAL);
    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, MODULE_SIZE, false, &layout), 0);
}
END_TEST

START_TEST(test_start_info_and_stack_top_are_the_initial_rsi_and_rsp)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, 0, false, &layout), 0);
    ck_assert_uint_eq(layout.start_info_virtual, LINUX_VIRTUAL_BASE + 0x1083000);
    ck_assert_uint_eq(layout.stack_top_virtual, LINUX_VIRTUAL_BASE + 0x1094000);
}
END_TEST

START_TEST(test_less_than_512_kib_of_slack_adds_4_mib)
{
    /* The console ends at pfn 0x13f1; with few page tables the stack would
     * end at or just below pfn 0x1400, leaving under 512 KiB, so v_end moves
     * to pfn 0x1800: 12 L1s, 15 tables in all, and the stack ends at 0x1401. */
    struct pv_kernel kernel = kernel_at(LINUX_VIRTUAL_BASE, KERNEL_FIRST_PFN, 0x36e);
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, 0, false, &layout), 0);
    ck_assert_uint_eq(layout.console.first_pfn, 0x13f0);
    ck_assert_uint_eq(layout.page_tables.pages, 15);
    ck_assert_uint_eq(layout.level1_tables, 12);
    ck_assert_uint_eq(area_end_pfn(&layout.stack), 0x1401);
    ck_assert_uint_eq(layout.bootstrap_pages, 0x1800);
    expect_consistent_layout(&kernel, GUEST_PAGES, false, &layout);
}
END_TEST

START_TEST(test_page_table_count_covers_the_region_it_ends)
{
    static const uint64_t bases[] = { LINUX_VIRTUAL_BASE, LINUX_VIRTUAL_BASE + 0x201000, 0x400000 };

    for (unsigned int base_index = 0; base_index < sizeof(bases) / sizeof(bases[0]); base_index++) {
        for (uint64_t kernel_pages = 1; kernel_pages < 0x2000; kernel_pages += 7) {
            struct pv_kernel kernel = kernel_at(bases[base_index], 0x100, kernel_pages);
            struct pv_layout layout;
            bool module_mapped = kernel_pages % 2 == 0;

            ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, module_mapped ? MODULE_SIZE : 0, false,
                                               &layout),
                             0);
            expect_consistent_layout(&kernel, GUEST_PAGES, module_mapped, &layout);
        }
    }
}
END_TEST

START_TEST(test_too_few_pages_for_the_bootstrap_region_is_enomem)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    /* With 0x1400 pages the p2m list is 10 pages and v_end is still pfn 0x1400. */
    ck_assert_int_eq(pv_layout_compute(&kernel, 0x1400, 0, false, &layout), 0);
    ck_assert_uint_eq(layout.bootstrap_pages, 0x1400);
    ck_assert_int_eq(pv_layout_compute(&kernel, 0x13ff, 0, false, &layout), -XEN_ENOMEM);
    ck_assert_int_eq(pv_layout_compute(&kernel, 16, 0, false, &layout), -XEN_ENOMEM);
    ck_assert_int_eq(pv_layout_compute(&kernel, 0, 0, false, &layout), -XEN_ENOMEM);
}
END_TEST

START_TEST(test_module_by_pfn_beyond_the_guest_pages_is_enomem)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, 0x1400 + MODULE_PAGES, MODULE_SIZE, true, &layout), 0);
    ck_assert_int_eq(pv_layout_compute(&kernel, 0x1400 + MODULE_PAGES - 1, MODULE_SIZE, true, &layout),
                     -XEN_ENOMEM);
}
END_TEST

START_TEST(test_region_over_one_gibibyte_is_einval)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, 0x100000, ONE_GIB, false, &layout), -XEN_EINVAL);
    ck_assert_int_eq(pv_layout_compute(&kernel, 0x100000, ONE_GIB, true, &layout), 0);
}
END_TEST

START_TEST(test_region_must_stay_in_the_gibibyte_holding_virtual_base)
{
    /* 4 MiB below the end of its 1 GiB block, a 3.5 MiB kernel leaves no room
     * for the rest; a kernel of 0x337 pages leaves room for everything up to
     * the stack (ending at pfn 0x3bf), but not for the 512 KiB of slack
     * after it.  At a 1 GiB-aligned VIRT_BASE both fit. */
    static const uint64_t kernel_pages[] = { 0x380, 0x337 };

    for (unsigned int index = 0; index < sizeof(kernel_pages) / sizeof(kernel_pages[0]); index++) {
        struct pv_kernel near_block_end = kernel_at(0xffffffffbfc00000UL, 0, kernel_pages[index]);
        struct pv_kernel block_aligned = kernel_at(LINUX_VIRTUAL_BASE, 0, kernel_pages[index]);
        struct pv_layout layout;

        ck_assert_int_eq(pv_layout_compute(&near_block_end, GUEST_PAGES, 0, false, &layout), -XEN_EINVAL);
        ck_assert_int_eq(pv_layout_compute(&block_aligned, GUEST_PAGES, 0, false, &layout), 0);
    }
}
END_TEST

START_TEST(test_region_ending_at_the_top_of_the_address_space_is_einval)
{
    /* 0x3f900 kernel pages, a 512-page p2m, 3 special pages, 515 page
     * tables and the stack end at pfn 0x3fd07, so v_end is the end of the
     * 1 GiB block: 0xffffffffc0000000 from Linux's base, 2^64 from the last
     * block's. */
    struct pv_kernel top_block = kernel_at(0xffffffffc0000000UL, 0, 0x3f900);
    struct pv_kernel linux_block = kernel_at(LINUX_VIRTUAL_BASE, 0, 0x3f900);
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&linux_block, 0x40000, 0, false, &layout), 0);
    ck_assert_uint_eq(layout.bootstrap_end_virtual, 0xffffffffc0000000UL);
    ck_assert_uint_eq(layout.page_tables.pages, 515);
    ck_assert_int_eq(pv_layout_compute(&top_block, 0x40000, 0, false, &layout), -XEN_EINVAL);
}
END_TEST

START_TEST(test_huge_page_counts_and_modules_are_refused_without_overflow)
{
    struct pv_kernel kernel = small_kernel();
    struct pv_layout layout;

    ck_assert_int_eq(pv_layout_compute(&kernel, UINT64_MAX, 0, false, &layout), -XEN_EINVAL);
    ck_assert_int_eq(pv_layout_compute(&kernel, 1UL << 40, 0, false, &layout), -XEN_EINVAL);
    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, UINT64_MAX, false, &layout), -XEN_EINVAL);
    ck_assert_int_eq(pv_layout_compute(&kernel, GUEST_PAGES, UINT64_MAX, true, &layout), -XEN_ENOMEM);
    ck_assert_int_eq(pv_layout_compute(&kernel, UINT64_MAX, UINT64_MAX, true, &layout), -XEN_EINVAL);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *pv_layout_suite(void)
{
    Suite *suite = suite_create("pv_layout");

    add_test_case(suite, test_small_kernel_without_module_is_laid_out_in_xen_order);
    add_test_case(suite, test_mapped_module_follows_the_kernel);
    add_test_case(suite, test_module_by_pfn_follows_the_bootstrap_region_unmapped);
    add_test_case(suite, test_module_by_pfn_needs_a_kernel_that_accepts_it);
    add_test_case(suite, test_start_info_and_stack_top_are_the_initial_rsi_and_rsp);
    add_test_case(suite, test_less_than_512_kib_of_slack_adds_4_mib);
    add_test_case(suite, test_page_table_count_covers_the_region_it_ends);
    add_test_case(suite, test_too_few_pages_for_the_bootstrap_region_is_enomem);
    add_test_case(suite, test_module_by_pfn_beyond_the_guest_pages_is_enomem);
    add_test_case(suite, test_region_over_one_gibibyte_is_einval);
    add_test_case(suite, test_region_must_stay_in_the_gibibyte_holding_virtual_base);
    add_test_case(suite, test_region_ending_at_the_top_of_the_address_space_is_einval);
    add_test_case(suite, test_huge_page_counts_and_modules_are_refused_without_overflow);
    return suite;
}

REGISTER_SUITE(pv_layout_suite)
