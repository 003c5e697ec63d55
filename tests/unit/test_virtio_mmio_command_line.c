/*
 * Specification of how dom0 finds its virtio-mmio devices
 * (pv-guest/kernel/virtio_mmio_command_line.h): every
 * virtio_mmio.device=<size>@<base>:<irq>[:<id>] word of its command line,
 * in Linux's syntax, taken only if its registers fit in one page.
 */
#include <kernel/virtio_mmio_command_line.h>

#include "suites.h"

#define CAPACITY 4

static struct virtio_mmio_location locations[CAPACITY];
static unsigned int skipped;

static unsigned int find(const char *command_line)
{
    return virtio_mmio_find_devices(command_line, locations, CAPACITY, &skipped);
}

START_TEST(test_qemu_microvm_word_gives_base_size_and_gsi)
{
    ck_assert_uint_eq(find("console=hvc0 virtio_mmio.device=512@0xfeb00e00:12 test=virtio-blk"), 1);
    ck_assert_uint_eq(locations[0].base, 0xfeb00e00);
    ck_assert_uint_eq(locations[0].size, 512);
    ck_assert_uint_eq(locations[0].gsi, 12);
    ck_assert_uint_eq(skipped, 0);
}
END_TEST

START_TEST(test_several_words_come_in_command_line_order)
{
    ck_assert_uint_eq(find("virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11"), 2);
    ck_assert_uint_eq(locations[0].base, 0xfeb00e00);
    ck_assert_uint_eq(locations[1].base, 0xfeb00c00);
    ck_assert_uint_eq(locations[1].gsi, 11);
}
END_TEST

START_TEST(test_size_takes_a_k_suffix_and_hexadecimal)
{
    ck_assert_uint_eq(find("virtio_mmio.device=4K@0x10000000:5"), 1);
    ck_assert_uint_eq(locations[0].size, 4096);
    ck_assert_uint_eq(find("virtio_mmio.device=0x200@4096:5"), 1);
    ck_assert_uint_eq(locations[0].size, 512);
    ck_assert_uint_eq(locations[0].base, 4096);
}
END_TEST

START_TEST(test_a_trailing_device_id_is_accepted_and_ignored)
{
    ck_assert_uint_eq(find("virtio_mmio.device=512@0xfeb00e00:12:3"), 1);
    ck_assert_uint_eq(locations[0].gsi, 12);
}
END_TEST

START_TEST(test_registers_crossing_a_page_boundary_are_skipped)
{
    ck_assert_uint_eq(find("virtio_mmio.device=512@0xfeb00f00:12"), 0);
    ck_assert_uint_eq(skipped, 1);
}
END_TEST

START_TEST(test_registers_smaller_than_the_minimum_are_skipped)
{
    ck_assert_uint_eq(find("virtio_mmio.device=256@0xfeb00e00:12"), 0);
    ck_assert_uint_eq(skipped, 1);
}
END_TEST

START_TEST(test_malformed_words_are_skipped_and_counted)
{
    ck_assert_uint_eq(find("virtio_mmio.device= virtio_mmio.device=512 virtio_mmio.device=512@0xfeb00e00 "
                           "virtio_mmio.device=512@:12 virtio_mmio.device=512@0xfeb00e00:12x "
                           "virtio_mmio.device=512@0xfeb00e00:99999999999 virtio_mmio.device=512@0xfeb00c00:11"),
                      1);
    ck_assert_uint_eq(locations[0].base, 0xfeb00c00);
    ck_assert_uint_eq(skipped, 6);
}
END_TEST

START_TEST(test_a_number_too_big_for_64_bits_is_malformed)
{
    ck_assert_uint_eq(find("virtio_mmio.device=512@0x1ffffffffffffffff:12 virtio_mmio.device=99999999999G@0:1"), 0);
    ck_assert_uint_eq(skipped, 2);
}
END_TEST

START_TEST(test_words_beyond_the_capacity_are_counted_as_skipped)
{
    ck_assert_uint_eq(find("virtio_mmio.device=512@0x1000:1 virtio_mmio.device=512@0x2000:2 "
                           "virtio_mmio.device=512@0x3000:3 virtio_mmio.device=512@0x4000:4 "
                           "virtio_mmio.device=512@0x5000:5"),
                      CAPACITY);
    ck_assert_uint_eq(skipped, 1);
}
END_TEST

START_TEST(test_only_whole_words_with_the_exact_prefix_count)
{
    ck_assert_uint_eq(find("xvirtio_mmio.device=512@0x1000:1 virtio_mmio.devices=512@0x1000:1 virtio_mmio.device"),
                      0);
    ck_assert_uint_eq(skipped, 0);
}
END_TEST

START_TEST(test_no_command_line_holds_no_devices)
{
    ck_assert_uint_eq(find(NULL), 0);
    ck_assert_uint_eq(find(""), 0);
    ck_assert_uint_eq(skipped, 0);
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */
static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *virtio_mmio_command_line_suite(void)
{
    Suite *suite = suite_create("virtio_mmio_command_line");

    add_test_case(suite, test_qemu_microvm_word_gives_base_size_and_gsi);
    add_test_case(suite, test_several_words_come_in_command_line_order);
    add_test_case(suite, test_size_takes_a_k_suffix_and_hexadecimal);
    add_test_case(suite, test_a_trailing_device_id_is_accepted_and_ignored);
    add_test_case(suite, test_registers_crossing_a_page_boundary_are_skipped);
    add_test_case(suite, test_registers_smaller_than_the_minimum_are_skipped);
    add_test_case(suite, test_malformed_words_are_skipped_and_counted);
    add_test_case(suite, test_a_number_too_big_for_64_bits_is_malformed);
    add_test_case(suite, test_words_beyond_the_capacity_are_counted_as_skipped);
    add_test_case(suite, test_only_whole_words_with_the_exact_prefix_count);
    add_test_case(suite, test_no_command_line_holds_no_devices);
    return suite;
}

REGISTER_SUITE(virtio_mmio_command_line_suite)
