/*
 * Specification of I/O memory permissions (pvmon/io_memory.h): dom0 may
 * map every frame the machine can address from 1 MiB up except RAM and
 * pvmon's claims, firmware tables, the frames the hypervisor keeps and
 * the all-ones frame; firmware "reserved" ranges and holes are I/O.
 */
#include <stdint.h>

#include <pvmon/errno.h>
#include <pvmon/io_memory.h>
#include <pvmon/memory_map.h>

#include "suites.h"

#define MIB (UINT64_C(1) << 20)
#define LOCAL_APIC_FRAME UINT64_C(0xfee00)
#define IOAPIC_FRAME UINT64_C(0xfec00)
#define HPET_FRAME UINT64_C(0xfed00)

static struct memory_map map;
static struct io_memory io;
static const uint64_t kept[] = { LOCAL_APIC_FRAME, IOAPIC_FRAME, HPET_FRAME };

/* QEMU microvm with 512 MiB, as pvmon merges it. */
static void build_microvm_map(void)
{
    memory_map_init(&map);
    ck_assert_int_eq(memory_map_add(&map, 0, 0x9fc00, MEMORY_USABLE), 0);
    ck_assert_int_eq(memory_map_add(&map, 0x9fc00, 0x400, MEMORY_RESERVED), 0);
    ck_assert_int_eq(memory_map_add(&map, 0xf0000, 0x10000, MEMORY_RESERVED), 0);
    ck_assert_int_eq(memory_map_add(&map, MIB, 511 * MIB, MEMORY_USABLE), 0);
    ck_assert_int_eq(memory_map_add(&map, 2 * MIB, 4 * MIB, MEMORY_HYPERVISOR), 0);
    ck_assert_int_eq(memory_map_add(&map, 0xfeffc000, 0x4000, MEMORY_RESERVED), 0);
    ck_assert_int_eq(memory_map_add(&map, 0x1000000, 0x100000, MEMORY_ACPI_NVS), 0);
}

static void build_dom0_io_memory(void)
{
    build_microvm_map();
    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 40, kept, 3), 0);
}

START_TEST(the_virtio_mmio_window_is_permitted)
{
    build_dom0_io_memory();

    ck_assert(io_memory_permits(&io, 0xfeb00));
    ck_assert(io_memory_permits(&io, 0xfebff));
}
END_TEST

START_TEST(ram_and_pvmon_s_claims_are_not)
{
    build_dom0_io_memory();

    ck_assert(!io_memory_permits(&io, 0x100));
    ck_assert(!io_memory_permits(&io, 0x300));                 /* the hypervisor */
    ck_assert(!io_memory_permits(&io, 0x1ffff));               /* the last frame of RAM */
    ck_assert(!io_memory_permits(&io, 0x1000));                /* ACPI NVS */
}
END_TEST

START_TEST(the_first_mib_is_not)
{
    build_dom0_io_memory();

    ck_assert(!io_memory_permits(&io, 0));
    ck_assert(!io_memory_permits(&io, 0xa0));
    ck_assert(!io_memory_permits(&io, 0xf0));
    ck_assert(!io_memory_permits(&io, 0xff));
}
END_TEST

START_TEST(the_frames_the_hypervisor_keeps_are_not_but_their_neighbours_are)
{
    build_dom0_io_memory();

    ck_assert(!io_memory_permits(&io, LOCAL_APIC_FRAME));
    ck_assert(!io_memory_permits(&io, IOAPIC_FRAME));
    ck_assert(!io_memory_permits(&io, HPET_FRAME));
    ck_assert(io_memory_permits(&io, LOCAL_APIC_FRAME - 1));
    ck_assert(io_memory_permits(&io, LOCAL_APIC_FRAME + 1));
    ck_assert(io_memory_permits(&io, IOAPIC_FRAME + 1));
}
END_TEST

START_TEST(holes_and_firmware_reserved_ranges_above_1_mib_are_permitted)
{
    build_dom0_io_memory();

    ck_assert(io_memory_permits(&io, 0x20000));                /* right after RAM */
    ck_assert(io_memory_permits(&io, 0xfeffc));                /* firmware reserved */
}
END_TEST

START_TEST(nothing_beyond_the_physical_address_width_nor_the_all_ones_frame)
{
    build_microvm_map();
    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 40, kept, 3), 0);
    ck_assert(io_memory_permits(&io, (UINT64_C(1) << 28) - 1));
    ck_assert(!io_memory_permits(&io, UINT64_C(1) << 28));

    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 52, kept, 3), 0);
    ck_assert(!io_memory_permits(&io, IO_MEMORY_INVALID_FRAME));
    ck_assert(io_memory_permits(&io, IO_MEMORY_INVALID_FRAME - 1));
}
END_TEST

START_TEST(a_partial_frame_of_a_region_is_taken_out_whole)
{
    memory_map_init(&map);
    ck_assert_int_eq(memory_map_add(&map, 0x200800, 0x1000, MEMORY_USABLE), 0);
    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 40, NULL, 0), 0);

    ck_assert(io_memory_permits(&io, 0x1ff));
    ck_assert(!io_memory_permits(&io, 0x200));
    ck_assert(!io_memory_permits(&io, 0x201));
    ck_assert(io_memory_permits(&io, 0x202));
}
END_TEST

START_TEST(a_bad_address_width_permits_nothing)
{
    build_microvm_map();

    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 12, kept, 3), -XEN_EINVAL);
    ck_assert(!io_memory_permits(&io, 0xfeb00));
    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 53, kept, 3), -XEN_EINVAL);
    ck_assert(!io_memory_permits(&io, 0xfeb00));
}
END_TEST

START_TEST(too_many_ranges_is_enospc_and_permits_nothing)
{
    static uint64_t many[IO_MEMORY_MAX_RANGES + 1];

    memory_map_init(&map);
    for (unsigned int index = 0; index < IO_MEMORY_MAX_RANGES + 1; index++)
        many[index] = 0x1000 + 2 * index;
    ck_assert_int_eq(io_memory_init_dom0(&io, &map, 40, many, IO_MEMORY_MAX_RANGES + 1), -XEN_ENOSPC);
    ck_assert(!io_memory_permits(&io, 0xfeb00));
}
END_TEST

START_TEST(ranges_stay_sorted_and_disjoint)
{
    build_dom0_io_memory();

    for (unsigned int index = 0; index < io.count; index++) {
        ck_assert_uint_le(io.ranges[index].first, io.ranges[index].last);
        if (index > 0)
            ck_assert_uint_gt(io.ranges[index].first, io.ranges[index - 1].last + 1);
    }
}
END_TEST

static Suite *io_memory_suite(void)
{
    Suite *suite = suite_create("io_memory");
    TCase *cases = tcase_create("dom0");

    tcase_add_test(cases, the_virtio_mmio_window_is_permitted);
    tcase_add_test(cases, ram_and_pvmon_s_claims_are_not);
    tcase_add_test(cases, the_first_mib_is_not);
    tcase_add_test(cases, the_frames_the_hypervisor_keeps_are_not_but_their_neighbours_are);
    tcase_add_test(cases, holes_and_firmware_reserved_ranges_above_1_mib_are_permitted);
    tcase_add_test(cases, nothing_beyond_the_physical_address_width_nor_the_all_ones_frame);
    tcase_add_test(cases, a_partial_frame_of_a_region_is_taken_out_whole);
    tcase_add_test(cases, a_bad_address_width_permits_nothing);
    tcase_add_test(cases, too_many_ranges_is_enospc_and_permits_nothing);
    tcase_add_test(cases, ranges_stay_sorted_and_disjoint);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(io_memory_suite)
