/*
 * Specification of dom0's "domains" file (pv-guest/kernel/domain_config.h),
 * for the statements the liveness test adds: console-flood (dom0 floods
 * its own console during a scenario) and start-after (a domain built and
 * started later than the others), and the disk line in xl.cfg's disk
 * syntax.  A malformed or misplaced statement fails the whole file with
 * the number of its line.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <kernel/domain_config.h>

#include "suites.h"

static struct domain_config config;
static unsigned int error_line;

static int parse(const char *text)
{
    error_line = 0;
    return domain_config_parse(text, strlen(text), &config, &error_line);
}

#define SCENARIO "scenario liveness 60\n"
#define WATCHDOG "domain watchdog liveness_watchdog.elf 4 65535 seconds=3\n"

START_TEST(test_console_flood_belongs_to_its_scenario)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "console-flood 200 2097152 3\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].console_flood.delay_milliseconds, 200);
    ck_assert_uint_eq(config.scenarios[0].console_flood.bytes, 2097152);
    ck_assert_uint_eq(config.scenarios[0].console_flood.rounds, 3);
}
END_TEST

START_TEST(test_a_scenario_without_console_flood_has_none)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG), 0);
    ck_assert_uint_eq(config.scenarios[0].console_flood.rounds, 0);
}
END_TEST

START_TEST(test_console_flood_of_the_largest_console_io_count_is_accepted)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4294967295 1\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].console_flood.bytes, UINT64_C(4294967295));
}
END_TEST

START_TEST(test_console_flood_beyond_an_unsigned_int_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4294967296 1\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 2);
}
END_TEST

START_TEST(test_console_flood_of_zero_bytes_or_rounds_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 0 1\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4096 0\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_console_flood_before_any_scenario_is_refused)
{
    ck_assert_int_eq(parse("console-flood 0 4096 1\n" SCENARIO), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 1);
}
END_TEST

START_TEST(test_second_console_flood_in_a_scenario_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4096 1\nconsole-flood 0 4096 1\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 3);
}
END_TEST

START_TEST(test_console_flood_with_a_field_too_many_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "console-flood 0 4096 1 1\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_start_after_belongs_to_the_domain_above)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "domain attacker liveness_attacker.elf 256 1 attack=none\n"
                                             "start-after 200\n"),
                     0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].start_after_milliseconds, 0);
    ck_assert_uint_eq(config.scenarios[0].domains[1].start_after_milliseconds, 200);
}
END_TEST

START_TEST(test_start_after_before_any_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "start-after 200\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 2);
}
END_TEST

START_TEST(test_second_start_after_for_a_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "start-after 200\nstart-after 300\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 4);
}
END_TEST

START_TEST(test_start_after_zero_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO WATCHDOG "start-after 0\n"), -XEN_EINVAL);
}
END_TEST

/* --- disk ---------------------------------------------------------------------- */

#define GUEST "domain guest pv-kernel.elf 16 256\n"

static const struct disk_spec *first_disk(void)
{
    return &config.scenarios[0].domains[0].disks[0];
}

START_TEST(test_disk_in_xl_syntax_belongs_to_the_domain_above)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=raw, vdev=xvda, access=rw, target=/dev/vda\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].disk_count, 1);
    ck_assert_str_eq(first_disk()->vdev, "xvda");
    ck_assert_uint_eq(first_disk()->virtual_device, 51712);
    ck_assert(!first_disk()->read_only);
    ck_assert_str_eq(first_disk()->target, "/dev/vda");
    ck_assert_uint_eq(first_disk()->target_index, 0);
    ck_assert_uint_eq(first_disk()->start_mebibytes, 0);
    ck_assert_uint_eq(first_disk()->size_mebibytes, 0);
}
END_TEST

START_TEST(test_disk_vdev_gives_xens_virtual_device_number)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvdb, target=/dev/vda\n"), 0);
    ck_assert_uint_eq(first_disk()->virtual_device, 202 << 8 | 1 << 4);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvdp, target=/dev/vda\n"), 0);
    ck_assert_uint_eq(first_disk()->virtual_device, 202 << 8 | 15 << 4);
}
END_TEST

START_TEST(test_disk_beyond_xvdp_or_a_partition_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvdq, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda1, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=hda, target=/dev/vda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_access_r_and_ro_are_read_only)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, access=r, target=/dev/vda\n"), 0);
    ck_assert(first_disk()->read_only);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, access=ro, target=/dev/vda\n"), 0);
    ck_assert(first_disk()->read_only);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, access=w, target=/dev/vda\n"), 0);
    ck_assert(!first_disk()->read_only);
}
END_TEST

START_TEST(test_disk_unknown_access_or_format_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, access=rwx, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=vhd, vdev=xvda, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow, vdev=xvda, target=/dev/vda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_target_range_is_in_mebibytes)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vdb@64+128\n"), 0);
    ck_assert_str_eq(first_disk()->target, "/dev/vdb@64+128");
    ck_assert_uint_eq(first_disk()->target_index, 1);
    ck_assert_uint_eq(first_disk()->start_mebibytes, 64);
    ck_assert_uint_eq(first_disk()->size_mebibytes, 128);
}
END_TEST

START_TEST(test_disk_malformed_range_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda@64\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda@64+0\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda@+8\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda@1+8x\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda@99999999999+8\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_target_other_than_a_virtio_disk_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/sda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/images/disk.img\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vdaa\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_format_qcow2_is_taken)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, target=/dev/vda\n"), 0);
    ck_assert_int_eq(first_disk()->format, DISK_FORMAT_QCOW2);
    ck_assert(disk_spec_needs_image(first_disk()));
}
END_TEST

START_TEST(test_disk_raw_without_features_needs_no_image)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=raw, vdev=xvda, target=/dev/vda@0+16\n"), 0);
    ck_assert_int_eq(first_disk()->format, DISK_FORMAT_RAW);
    ck_assert(!disk_spec_needs_image(first_disk()));
}
END_TEST

START_TEST(test_disk_target_may_name_a_disk_by_its_host_files_base_name)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, target=overlay1.qcow2\n"), 0);
    ck_assert(first_disk()->target_is_name);
    ck_assert_str_eq(first_disk()->target, "overlay1.qcow2");
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=A-b_c+9.raw\n"), 0);
    ck_assert(first_disk()->target_is_name);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda\n"), 0);
    ck_assert(!first_disk()->target_is_name);
}
END_TEST

START_TEST(test_disk_name_longer_than_a_serial_or_not_a_plain_name_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=abcdefghij0123456789\n"), 0);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=abcdefghij0123456789x\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=.hidden\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=../base.qcow2\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=a b\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=a:b\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_range_is_for_format_raw_without_a_cipher_only)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=/k, target=/dev/vda@0+16\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, target=/dev/vda@0+16\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=base.qcow2@0+16\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_cipher_takes_its_key_file)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, cipher=aes-xts-plain64, "
                                          "keyfile=/etc/xen/keys/secret.key, target=crypt.qcow2\n"), 0);
    ck_assert(first_disk()->encrypted);
    ck_assert_str_eq(first_disk()->keyfile, "/etc/xen/keys/secret.key");
    ck_assert(disk_spec_needs_image(first_disk()));
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=/k, target=/dev/vda\n"), 0);
    ck_assert_int_eq(first_disk()->format, DISK_FORMAT_RAW);
    ck_assert(disk_spec_needs_image(first_disk()));
}
END_TEST

START_TEST(test_disk_cipher_without_key_file_or_key_file_without_cipher_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, keyfile=/etc/xen/keys/k, target=/dev/vda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_other_cipher_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-cbc-essiv:sha256, keyfile=/k, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=, keyfile=/k, target=/dev/vda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_key_file_must_be_an_absolute_path_of_plain_names)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=etc/k, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=/etc/../k, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=/etc//k, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=/etc/k/, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, keyfile=/, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cipher=aes-xts-plain64, "
                                          "keyfile=/aaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbb/cccccccccccccccccccc/d, "
                                          "target=/dev/vda\n"),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_compress_is_for_qcow2_without_a_cipher)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, compress=on, target=packed.qcow2\n"), 0);
    ck_assert(first_disk()->compress);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, compress=off, target=packed.qcow2\n"), 0);
    ck_assert(!first_disk()->compress);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, compress=on, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, compress=on, cipher=aes-xts-plain64, "
                                          "keyfile=/k, target=/dev/vda\n"),
                     -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, compress=yes, target=/dev/vda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_extensions_are_never_positional)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk /dev/vda, qcow2, xvda, rw, on\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=qcow2, vdev=xvda, compress=on, compress=on, target=/dev/vda\n"),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_needs_vdev_and_target)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_target_must_come_last)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk target=/dev/vda, vdev=xvda\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 3);
}
END_TEST

START_TEST(test_disk_unknown_key_or_flag_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, script=block, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, cdrom, target=/dev/vda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_positional_parameters_are_target_format_vdev_access)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk /dev/vdb, raw, xvdc, ro\n"), 0);
    ck_assert_str_eq(config.scenarios[0].domains[0].disks[0].target, "/dev/vdb");
    ck_assert_str_eq(config.scenarios[0].domains[0].disks[0].vdev, "xvdc");
    ck_assert(config.scenarios[0].domains[0].disks[0].read_only);
}
END_TEST

START_TEST(test_disk_empty_positional_parameter_takes_its_default)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk /dev/vda,,xvda\n"), 0);
    ck_assert(!config.scenarios[0].domains[0].disks[0].read_only);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk ,raw,xvda\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_positional_values_fill_the_parameters_not_named)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvdb, /dev/vda@4+8, raw, r\n"), 0);
    ck_assert_str_eq(config.scenarios[0].domains[0].disks[0].vdev, "xvdb");
    ck_assert_uint_eq(config.scenarios[0].domains[0].disks[0].size_mebibytes, 8);
    ck_assert(config.scenarios[0].domains[0].disks[0].read_only);
}
END_TEST

START_TEST(test_disk_parameter_given_twice_or_a_fifth_value_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk /dev/vda, raw, xvda, rw, rw\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk xvda, vdev=xvda, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk format=raw, format=raw, vdev=xvda, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk /dev/vda, vdev=xvda, target=/dev/vdb\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_disk_before_any_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "disk vdev=xvda, target=/dev/vda\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 2);
}
END_TEST

START_TEST(test_disk_same_vdev_twice_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda\ndisk vdev=xvda, target=/dev/vdb\n"),
                     -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 4);
}
END_TEST

START_TEST(test_disks_up_to_the_maximum_are_accepted)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda\ndisk vdev=xvdb, target=/dev/vda\n"
                                          "disk vdev=xvdc, target=/dev/vda\ndisk vdev=xvdd, target=/dev/vda\n"),
                     0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].disk_count, CONFIG_MAX_DISKS);
    ck_assert_int_eq(parse(SCENARIO GUEST "disk vdev=xvda, target=/dev/vda\ndisk vdev=xvdb, target=/dev/vda\n"
                                          "disk vdev=xvdc, target=/dev/vda\ndisk vdev=xvdd, target=/dev/vda\n"
                                          "disk vdev=xvde, target=/dev/vda\n"),
                     -XEN_EINVAL);
}
END_TEST

START_TEST(test_domain_without_disk_line_has_none)
{
    ck_assert_int_eq(parse(SCENARIO GUEST), 0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].disk_count, 0);
}
END_TEST

/* --- vif ----------------------------------------------------------------------- */

static const struct vif_spec *vif_of(unsigned int index)
{
    return &config.scenarios[0].domains[0].vifs[index];
}

START_TEST(test_vif_in_xl_syntax_belongs_to_the_domain_above)
{
    static const uint8_t expected[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x21 };

    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3E:00:00:21, bridge=xenbr0\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].vif_count, 1);
    ck_assert(vif_of(0)->has_address);
    ck_assert_mem_eq(vif_of(0)->address.bytes, expected, 6);
    ck_assert_uint_eq(vif_of(0)->handle, 0);
}
END_TEST

START_TEST(test_vif_without_mac_leaves_it_to_the_toolstack)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif bridge=xenbr0\nvif\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].vif_count, 2);
    ck_assert(!vif_of(0)->has_address);
    ck_assert(!vif_of(1)->has_address);
}
END_TEST

START_TEST(test_vifs_are_numbered_in_line_order)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3e:00:00:01\nvif mac=00:16:3e:00:00:02\n"), 0);
    ck_assert_uint_eq(vif_of(0)->handle, 0);
    ck_assert_uint_eq(vif_of(1)->handle, 1);
    ck_assert_uint_eq(vif_of(1)->address.bytes[5], 2);
}
END_TEST

START_TEST(test_vif_on_another_bridge_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif bridge=xenbr1\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 3);
}
END_TEST

START_TEST(test_vif_malformed_mac_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3e:00:00\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3e:00:00:2g\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3e:00:00:21:00\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_vif_group_or_zero_mac_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=01:16:3e:00:00:21\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=ff:ff:ff:ff:ff:ff\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:00:00:00:00:00\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_vif_unknown_key_or_repeated_mac_key_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif model=e1000\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3e:00:00:01, mac=00:16:3e:00:00:02\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_vif_same_mac_twice_in_a_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif mac=00:16:3e:00:00:01\nvif mac=00:16:3e:00:00:01\n"), -XEN_EINVAL);
    ck_assert_uint_eq(error_line, 4);
}
END_TEST

START_TEST(test_vif_before_any_domain_is_refused)
{
    ck_assert_int_eq(parse(SCENARIO "vif\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_vifs_up_to_the_maximum_are_accepted)
{
    ck_assert_int_eq(parse(SCENARIO GUEST "vif\nvif\nvif\nvif\n"), 0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].vif_count, CONFIG_MAX_VIFS);
    ck_assert_int_eq(parse(SCENARIO GUEST "vif\nvif\nvif\nvif\nvif\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_domain_without_vif_line_has_none)
{
    ck_assert_int_eq(parse(SCENARIO GUEST), 0);
    ck_assert_uint_eq(config.scenarios[0].domains[0].vif_count, 0);
}
END_TEST

/* --- one spec alone: what xl.cfg's disk and vif lists use ------------------------- */

START_TEST(test_one_disk_spec_parses_alone_as_on_its_line)
{
    struct disk_spec disk;

    ck_assert_int_eq(domain_config_parse_disk("format=raw, vdev=xvdc, access=ro, target=/dev/vdb@8+16", &disk), 0);
    ck_assert_str_eq(disk.vdev, "xvdc");
    ck_assert_uint_eq(disk.virtual_device, 202 << 8 | 2 << 4);
    ck_assert(disk.read_only);
    ck_assert_uint_eq(disk.target_index, 1);
    ck_assert_uint_eq(disk.size_mebibytes, 16);
    ck_assert_int_eq(domain_config_parse_disk("vdev=xvda", &disk), -XEN_EINVAL);
    ck_assert_int_eq(domain_config_parse_disk("/dev/vda,vhd,xvda,rw", &disk), -XEN_EINVAL);
}
END_TEST

START_TEST(test_one_vif_spec_parses_alone_as_on_its_line)
{
    struct vif_spec vif;

    ck_assert_int_eq(domain_config_parse_vif("mac=00:16:3e:00:00:07, bridge=xenbr0", &vif), 0);
    ck_assert(vif.has_address);
    ck_assert_uint_eq(vif.address.bytes[5], 7);
    ck_assert_int_eq(domain_config_parse_vif("", &vif), 0);
    ck_assert(!vif.has_address);
    ck_assert_int_eq(domain_config_parse_vif("bridge=xenbr1", &vif), -XEN_EINVAL);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *domain_config_suite(void)
{
    Suite *suite = suite_create("domain_config");

    add_test_case(suite, test_console_flood_belongs_to_its_scenario);
    add_test_case(suite, test_a_scenario_without_console_flood_has_none);
    add_test_case(suite, test_console_flood_of_the_largest_console_io_count_is_accepted);
    add_test_case(suite, test_console_flood_beyond_an_unsigned_int_is_refused);
    add_test_case(suite, test_console_flood_of_zero_bytes_or_rounds_is_refused);
    add_test_case(suite, test_console_flood_before_any_scenario_is_refused);
    add_test_case(suite, test_second_console_flood_in_a_scenario_is_refused);
    add_test_case(suite, test_console_flood_with_a_field_too_many_is_refused);
    add_test_case(suite, test_start_after_belongs_to_the_domain_above);
    add_test_case(suite, test_start_after_before_any_domain_is_refused);
    add_test_case(suite, test_second_start_after_for_a_domain_is_refused);
    add_test_case(suite, test_start_after_zero_is_refused);
    add_test_case(suite, test_disk_in_xl_syntax_belongs_to_the_domain_above);
    add_test_case(suite, test_disk_vdev_gives_xens_virtual_device_number);
    add_test_case(suite, test_disk_beyond_xvdp_or_a_partition_is_refused);
    add_test_case(suite, test_disk_access_r_and_ro_are_read_only);
    add_test_case(suite, test_disk_unknown_access_or_format_is_refused);
    add_test_case(suite, test_disk_target_range_is_in_mebibytes);
    add_test_case(suite, test_disk_malformed_range_is_refused);
    add_test_case(suite, test_disk_target_other_than_a_virtio_disk_is_refused);
    add_test_case(suite, test_disk_format_qcow2_is_taken);
    add_test_case(suite, test_disk_raw_without_features_needs_no_image);
    add_test_case(suite, test_disk_target_may_name_a_disk_by_its_host_files_base_name);
    add_test_case(suite, test_disk_name_longer_than_a_serial_or_not_a_plain_name_is_refused);
    add_test_case(suite, test_disk_range_is_for_format_raw_without_a_cipher_only);
    add_test_case(suite, test_disk_cipher_takes_its_key_file);
    add_test_case(suite, test_disk_cipher_without_key_file_or_key_file_without_cipher_is_refused);
    add_test_case(suite, test_disk_other_cipher_is_refused);
    add_test_case(suite, test_disk_key_file_must_be_an_absolute_path_of_plain_names);
    add_test_case(suite, test_disk_compress_is_for_qcow2_without_a_cipher);
    add_test_case(suite, test_disk_extensions_are_never_positional);
    add_test_case(suite, test_disk_needs_vdev_and_target);
    add_test_case(suite, test_disk_target_must_come_last);
    add_test_case(suite, test_disk_unknown_key_or_flag_is_refused);
    add_test_case(suite, test_disk_positional_parameters_are_target_format_vdev_access);
    add_test_case(suite, test_disk_empty_positional_parameter_takes_its_default);
    add_test_case(suite, test_disk_positional_values_fill_the_parameters_not_named);
    add_test_case(suite, test_disk_parameter_given_twice_or_a_fifth_value_is_refused);
    add_test_case(suite, test_disk_before_any_domain_is_refused);
    add_test_case(suite, test_disk_same_vdev_twice_is_refused);
    add_test_case(suite, test_disks_up_to_the_maximum_are_accepted);
    add_test_case(suite, test_domain_without_disk_line_has_none);
    add_test_case(suite, test_vif_in_xl_syntax_belongs_to_the_domain_above);
    add_test_case(suite, test_vif_without_mac_leaves_it_to_the_toolstack);
    add_test_case(suite, test_vifs_are_numbered_in_line_order);
    add_test_case(suite, test_vif_on_another_bridge_is_refused);
    add_test_case(suite, test_vif_malformed_mac_is_refused);
    add_test_case(suite, test_vif_group_or_zero_mac_is_refused);
    add_test_case(suite, test_vif_unknown_key_or_repeated_mac_key_is_refused);
    add_test_case(suite, test_vif_same_mac_twice_in_a_domain_is_refused);
    add_test_case(suite, test_vif_before_any_domain_is_refused);
    add_test_case(suite, test_vifs_up_to_the_maximum_are_accepted);
    add_test_case(suite, test_domain_without_vif_line_has_none);
    add_test_case(suite, test_one_disk_spec_parses_alone_as_on_its_line);
    add_test_case(suite, test_one_vif_spec_parses_alone_as_on_its_line);
    return suite;
}

REGISTER_SUITE(domain_config_suite)
