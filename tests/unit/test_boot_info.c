/*
 * Tests of common/boot_info.c: multiboot2 and PVH hand-overs parsed into
 * struct boot_info, read through a simulated physical memory.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pvmon/boot_info.h>
#include <pvmon/errno.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "suites.h"

/* Simulated physical memory: PHYSICAL_BASE .. PHYSICAL_BASE + sizeof(memory). */
#define PHYSICAL_BASE 0x100000UL
static uint8_t memory[64 * 1024] __attribute__((aligned(8)));

static const void *read_simulated(uint64_t physical_address, uint64_t length)
{
    if (physical_address < PHYSICAL_BASE || length > sizeof(memory) ||
        physical_address - PHYSICAL_BASE > sizeof(memory) - length)
        return NULL;
    return memory + (physical_address - PHYSICAL_BASE);
}

static uint64_t physical(const void *pointer)
{
    return PHYSICAL_BASE + (uint64_t)((const uint8_t *)pointer - memory);
}

/* --- multiboot2 ----------------------------------------------------------- */

static size_t multiboot2_length;

static void multiboot2_begin(void)
{
    memset(memory, 0, sizeof(memory));
    multiboot2_length = 8;
}

static void multiboot2_tag(uint32_t type, const void *payload, uint32_t payload_size)
{
    uint32_t header[2] = { type, 8 + payload_size };

    memcpy(memory + multiboot2_length, header, sizeof(header));
    if (payload_size > 0)
        memcpy(memory + multiboot2_length + 8, payload, payload_size);
    multiboot2_length += (8 + payload_size + 7) & ~7UL;
}

static void multiboot2_end(void)
{
    uint32_t total;

    multiboot2_tag(0, NULL, 0);
    total = (uint32_t)multiboot2_length;
    memcpy(memory, &total, sizeof(total));
}

static void multiboot2_memory_map(void)
{
    struct {
        uint32_t entry_size, entry_version;
        struct { uint64_t base, length; uint32_t type, reserved; } entries[2];
    } map = { 24, 0, { { 0, 0x9fc00, 1, 0 }, { 0x100000, 0x1ff00000, 1, 0 } } };

    multiboot2_tag(6, &map, sizeof(map));
}

static void multiboot2_module(uint32_t start, uint32_t end, const char *name)
{
    uint8_t payload[64];

    memcpy(payload, &start, 4);
    memcpy(payload + 4, &end, 4);
    strcpy((char *)payload + 8, name);
    multiboot2_tag(3, payload, (uint32_t)(8 + strlen(name) + 1));
}

START_TEST(test_multiboot2_command_line_loader_and_memory_map_are_read)
{
    struct boot_info info;

    multiboot2_begin();
    multiboot2_tag(1, "loglevel=3 selftest=exceptions", 31);
    multiboot2_tag(2, "GRUB 2.06", 10);
    multiboot2_memory_map();
    multiboot2_end();

    ck_assert_int_eq(boot_info_from_multiboot2(&info, PHYSICAL_BASE, read_simulated), 0);
    ck_assert_int_eq(info.protocol, BOOT_PROTOCOL_MULTIBOOT2);
    ck_assert_str_eq(info.command_line, "loglevel=3 selftest=exceptions");
    ck_assert_str_eq(info.loader_name, "GRUB 2.06");
    ck_assert_uint_eq(memory_map_bytes_of_type(&info.firmware_map, MEMORY_USABLE),
                      0x9fc00 + 0x1ff00000);
}
END_TEST

START_TEST(test_multiboot2_modules_are_kept_as_modules_and_containers)
{
    struct boot_info info;

    multiboot2_begin();
    multiboot2_memory_map();
    multiboot2_module(0x400000, 0x401000, "dom0 console=hvc0");
    multiboot2_module(0x500000, 0x500800, "ramdisk");
    multiboot2_end();

    ck_assert_int_eq(boot_info_from_multiboot2(&info, PHYSICAL_BASE, read_simulated), 0);
    ck_assert_uint_eq(info.module_count, 2);
    ck_assert_uint_eq(info.modules[0].start, 0x400000);
    ck_assert_uint_eq(info.modules[0].size, 0x1000);
    ck_assert_str_eq(info.modules[0].name, "dom0 console=hvc0");
    ck_assert_str_eq(info.modules[1].name, "ramdisk");
    ck_assert_uint_eq(info.container_count, 2);
    ck_assert_uint_eq(info.containers[1].start, 0x500000);
}
END_TEST

START_TEST(test_multiboot2_tag_running_past_the_end_is_refused)
{
    struct boot_info info;
    uint32_t oversized[2] = { 1, 4096 };

    multiboot2_begin();
    multiboot2_tag(2, "GRUB", 5);
    multiboot2_end();
    memcpy(memory + 8, oversized, sizeof(oversized));

    ck_assert_int_eq(boot_info_from_multiboot2(&info, PHYSICAL_BASE, read_simulated), -XEN_EINVAL);
}
END_TEST

START_TEST(test_multiboot2_module_ending_before_it_starts_is_refused)
{
    struct boot_info info;

    multiboot2_begin();
    multiboot2_module(0x500000, 0x400000, "backwards");
    multiboot2_end();

    ck_assert_int_eq(boot_info_from_multiboot2(&info, PHYSICAL_BASE, read_simulated), -XEN_EINVAL);
}
END_TEST

START_TEST(test_multiboot2_information_out_of_reach_is_refused)
{
    struct boot_info info;

    ck_assert_int_eq(boot_info_from_multiboot2(&info, 0x1000, read_simulated), -XEN_EINVAL);
}
END_TEST

/* --- PVH ------------------------------------------------------------------- */

struct pvh_layout {
    struct hvm_start_info start_info;
    struct hvm_memmap_table_entry memory_map[2];
    struct hvm_modlist_entry module;
    char command_line[64];
    char module_name[16];
    uint8_t module_data[1024];
};

static struct pvh_layout *pvh_begin(void)
{
    struct pvh_layout *layout = (struct pvh_layout *)memory;

    memset(memory, 0, sizeof(memory));
    layout->start_info.magic = XEN_HVM_START_MAGIC_VALUE;
    layout->start_info.version = 1;
    layout->start_info.memmap_paddr = physical(layout->memory_map);
    layout->start_info.memmap_entries = 2;
    layout->memory_map[0] = (struct hvm_memmap_table_entry){ .addr = 0, .size = 0x9fc00, .type = 1 };
    layout->memory_map[1] =
        (struct hvm_memmap_table_entry){ .addr = 0x100000, .size = 0x7f00000, .type = 1 };
    strcpy(layout->command_line, "idle_seconds=1");
    layout->start_info.cmdline_paddr = physical(layout->command_line);
    return layout;
}

static void pvh_add_module(struct pvh_layout *layout, const void *data, size_t size)
{
    memcpy(layout->module_data, data, size);
    strcpy(layout->module_name, "initrd");
    layout->module.paddr = physical(layout->module_data);
    layout->module.size = size;
    layout->module.cmdline_paddr = physical(layout->module_name);
    layout->start_info.modlist_paddr = physical(&layout->module);
    layout->start_info.nr_modules = 1;
}

/* One "newc" cpio member: 110-byte header, name and data padded to 4. */
static size_t cpio_member(uint8_t *out, const char *name, const char *data, unsigned int mode)
{
    size_t name_size = strlen(name) + 1, data_size = strlen(data);
    size_t length = (size_t)sprintf((char *)out,
                                    "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
                                    1, mode, 0, 0, 1, 0, data_size, 0, 0, 0, 0, name_size, 0);

    memcpy(out + length, name, name_size);
    length = (length + name_size + 3) & ~3UL;
    memcpy(out + length, data, data_size);
    return (length + data_size + 3) & ~3UL;
}

START_TEST(test_pvh_command_line_and_memory_map_are_read)
{
    struct boot_info info;

    pvh_begin();
    ck_assert_int_eq(boot_info_from_pvh(&info, PHYSICAL_BASE, read_simulated), 0);
    ck_assert_int_eq(info.protocol, BOOT_PROTOCOL_PVH);
    ck_assert_str_eq(info.command_line, "idle_seconds=1");
    ck_assert_uint_eq(info.module_count, 0);
    ck_assert_uint_eq(memory_map_end_of_usable(&info.firmware_map), 0x8000000);
}
END_TEST

START_TEST(test_pvh_plain_module_is_one_module)
{
    struct boot_info info;
    struct pvh_layout *layout = pvh_begin();

    pvh_add_module(layout, "plain bytes", 11);
    ck_assert_int_eq(boot_info_from_pvh(&info, PHYSICAL_BASE, read_simulated), 0);
    ck_assert_uint_eq(info.module_count, 1);
    ck_assert_uint_eq(info.modules[0].start, physical(layout->module_data));
    ck_assert_uint_eq(info.modules[0].size, 11);
    ck_assert_str_eq(info.modules[0].name, "initrd");
    ck_assert_uint_eq(info.container_count, 1);
}
END_TEST

START_TEST(test_pvh_cpio_module_is_unpacked_into_its_regular_files)
{
    struct boot_info info;
    struct pvh_layout *layout = pvh_begin();
    uint8_t archive[1024];
    size_t length = 0;

    length += cpio_member(archive + length, "boot", "", 040755);
    length += cpio_member(archive + length, "dom0", "kernel", 0100644);
    length += cpio_member(archive + length, "ramdisk", "ram", 0100644);
    length += cpio_member(archive + length, "TRAILER!!!", "", 0);
    pvh_add_module(layout, archive, length);

    ck_assert_int_eq(boot_info_from_pvh(&info, PHYSICAL_BASE, read_simulated), 0);
    ck_assert_uint_eq(info.module_count, 2);
    ck_assert_str_eq(info.modules[0].name, "dom0");
    ck_assert_uint_eq(info.modules[0].size, 6);
    ck_assert_mem_eq(read_simulated(info.modules[0].start, 6), "kernel", 6);
    ck_assert_str_eq(info.modules[1].name, "ramdisk");
    ck_assert_mem_eq(read_simulated(info.modules[1].start, 3), "ram", 3);
    ck_assert_uint_eq(info.container_count, 1);
    ck_assert_uint_eq(info.containers[0].size, length);
}
END_TEST

START_TEST(test_pvh_wrong_magic_is_refused)
{
    struct boot_info info;

    pvh_begin()->start_info.magic = 0x12345678;
    ck_assert_int_eq(boot_info_from_pvh(&info, PHYSICAL_BASE, read_simulated), -XEN_EINVAL);
}
END_TEST

START_TEST(test_pvh_version_0_without_memory_map_is_refused)
{
    struct boot_info info;

    pvh_begin()->start_info.version = 0;
    ck_assert_int_eq(boot_info_from_pvh(&info, PHYSICAL_BASE, read_simulated), -XEN_EINVAL);
}
END_TEST

START_TEST(test_pvh_module_list_out_of_reach_is_refused)
{
    struct boot_info info;
    struct pvh_layout *layout = pvh_begin();

    layout->start_info.nr_modules = 1;
    layout->start_info.modlist_paddr = 0x10;
    ck_assert_int_eq(boot_info_from_pvh(&info, PHYSICAL_BASE, read_simulated), -XEN_EINVAL);
}
END_TEST

Suite *boot_info_suite(void)
{
    Suite *suite = suite_create("boot_info");
    TCase *multiboot2 = tcase_create("multiboot2");
    TCase *pvh = tcase_create("pvh");

    tcase_add_test(multiboot2, test_multiboot2_command_line_loader_and_memory_map_are_read);
    tcase_add_test(multiboot2, test_multiboot2_modules_are_kept_as_modules_and_containers);
    tcase_add_test(multiboot2, test_multiboot2_tag_running_past_the_end_is_refused);
    tcase_add_test(multiboot2, test_multiboot2_module_ending_before_it_starts_is_refused);
    tcase_add_test(multiboot2, test_multiboot2_information_out_of_reach_is_refused);
    tcase_add_test(pvh, test_pvh_command_line_and_memory_map_are_read);
    tcase_add_test(pvh, test_pvh_plain_module_is_one_module);
    tcase_add_test(pvh, test_pvh_cpio_module_is_unpacked_into_its_regular_files);
    tcase_add_test(pvh, test_pvh_wrong_magic_is_refused);
    tcase_add_test(pvh, test_pvh_version_0_without_memory_map_is_refused);
    tcase_add_test(pvh, test_pvh_module_list_out_of_reach_is_refused);
    suite_add_tcase(suite, multiboot2);
    suite_add_tcase(suite, pvh);
    return suite;
}

REGISTER_SUITE(boot_info_suite)
