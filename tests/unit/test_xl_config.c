/*
 * Specification of the xl.cfg parser (tools/xl/xl_config.h): libxlu's
 * syntax (tools/libs/util/libxlu_cfg_l.l, _y.y), the keys pvmon supports
 * with xl's defaults (tools/xl/xl_parse.c parse_config_data, libxl's
 * libxl__domain_build_info_setdefault), and messages in libxlu's and xl's
 * words naming the file and the line.  Each bad file is refused with one
 * message and never read past its size.
 */
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xl/xl_config.h>

#include "suites.h"

#define MAX_MESSAGES 4

static struct xl_domain_config config;
static char messages[MAX_MESSAGES][XL_CONFIG_MESSAGE_SIZE];
static unsigned int message_count;

static void collect(void *context, const char *message)
{
    (void)context;
    if (message_count < MAX_MESSAGES)
        strncpy(messages[message_count], message, XL_CONFIG_MESSAGE_SIZE - 1);
    message_count++;
}

static int parse(const char *text)
{
    memset(messages, 0, sizeof(messages));
    message_count = 0;
    return xl_config_parse("guest.cfg", text, strlen(text), &config, collect, NULL);
}

/* The file is refused with exactly this one message. */
static void assert_refused_with(const char *text, const char *message)
{
    ck_assert_int_eq(parse(text), -XEN_EINVAL);
    ck_assert_uint_eq(message_count, 1);
    ck_assert_str_eq(messages[0], message);
}

#define MINIMAL "name = \"guest\"\nkernel = \"pv-kernel.elf\"\n"

/* --- keys and defaults ------------------------------------------------------------ */

START_TEST(test_every_supported_key_reaches_the_configuration)
{
    ck_assert_int_eq(parse("name = \"linux\"\n"
                           "memory = 256\n"
                           "maxmem = 512\n"
                           "vcpus = 1\n"
                           "kernel = \"vmlinux-6.1\"\n"
                           "ramdisk = \"initramfs.cpio\"\n"
                           "cmdline = \"console=hvc0 root=/dev/xvda\"\n"
                           "disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/vda' ]\n"
                           "vif = [ 'mac=00:16:3e:00:00:21, bridge=xenbr0' ]\n"
                           "on_poweroff = \"preserve\"\n"
                           "on_reboot = \"destroy\"\n"
                           "on_crash = \"restart\"\n"),
                     0);
    ck_assert_str_eq(config.name, "linux");
    ck_assert_uint_eq(config.memory_mebibytes, 256);
    ck_assert_uint_eq(config.maxmem_mebibytes, 512);
    ck_assert_uint_eq(config.vcpus, 1);
    ck_assert_str_eq(config.kernel_file, "vmlinux-6.1");
    ck_assert_str_eq(config.ramdisk_file, "initramfs.cpio");
    ck_assert_str_eq(config.command_line, "console=hvc0 root=/dev/xvda");
    ck_assert_uint_eq(config.disk_count, 1);
    ck_assert_str_eq(config.disks[0].vdev, "xvda");
    ck_assert_uint_eq(config.disks[0].virtual_device, 202 << 8);
    ck_assert_str_eq(config.disks[0].target, "/dev/vda");
    ck_assert(!config.disks[0].read_only);
    ck_assert_uint_eq(config.vif_count, 1);
    ck_assert(config.vifs[0].has_address);
    ck_assert_uint_eq(config.vifs[0].address.bytes[5], 0x21);
    ck_assert_int_eq(config.on_poweroff, XL_ACTION_PRESERVE);
    ck_assert_int_eq(config.on_reboot, XL_ACTION_DESTROY);
    ck_assert_int_eq(config.on_crash, XL_ACTION_RESTART);
    ck_assert_uint_eq(message_count, 0);
}
END_TEST

START_TEST(test_unset_keys_take_xls_defaults)
{
    ck_assert_int_eq(parse(MINIMAL), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 32);
    ck_assert_uint_eq(config.maxmem_mebibytes, 32);
    ck_assert_uint_eq(config.vcpus, 1);
    ck_assert_str_eq(config.ramdisk_file, "");
    ck_assert_str_eq(config.command_line, "");
    ck_assert_uint_eq(config.disk_count, 0);
    ck_assert_uint_eq(config.vif_count, 0);
    ck_assert_int_eq(config.on_poweroff, XL_ACTION_DESTROY);
    ck_assert_int_eq(config.on_reboot, XL_ACTION_RESTART);
    ck_assert_int_eq(config.on_crash, XL_ACTION_DESTROY);
}
END_TEST

START_TEST(test_memory_alone_sets_maxmem_and_maxmem_alone_sets_memory)
{
    ck_assert_int_eq(parse(MINIMAL "memory = 128\n"), 0);
    ck_assert_uint_eq(config.maxmem_mebibytes, 128);
    ck_assert_int_eq(parse(MINIMAL "maxmem = 96\n"), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 96);
}
END_TEST

START_TEST(test_maxmem_below_memory_is_refused)
{
    assert_refused_with(MINIMAL "memory = 128\nmaxmem = 64\n",
                        "guest.cfg: maxmem (64 MiB) is smaller than memory (128 MiB)");
}
END_TEST

START_TEST(test_name_is_mandatory)
{
    assert_refused_with("kernel = \"pv-kernel.elf\"\n", "guest.cfg: Domain name must be specified.");
}
END_TEST

START_TEST(test_kernel_is_mandatory)
{
    assert_refused_with("name = \"guest\"\n",
                        "guest.cfg: Domain kernel must be specified (pvmon boots PV kernels only).");
}
END_TEST

START_TEST(test_name_with_a_space_or_quote_is_refused)
{
    assert_refused_with("name = \"my guest\"\n",
                        "guest.cfg:1: invalid domain name \"my guest\": a space, quote or control character");
    ck_assert_int_eq(parse("name = 'it\\'s'\nkernel = \"k\"\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_unknown_parameter_is_refused_naming_its_line)
{
    assert_refused_with(MINIMAL "\nbuilder = \"hvm\"\n", "guest.cfg:4: unknown parameter `builder' (not one pvmon supports)");
}
END_TEST

START_TEST(test_type_pv_is_accepted_and_others_refused)
{
    ck_assert_int_eq(parse(MINIMAL "type = \"pv\"\n"), 0);
    assert_refused_with(MINIMAL "type = \"hvm\"\n", "guest.cfg:3: Invalid domain type hvm (pvmon runs pv only).");
}
END_TEST

/* --- numbers ------------------------------------------------------------------------ */

START_TEST(test_numbers_are_decimal_hex_or_octal_and_may_be_quoted)
{
    ck_assert_int_eq(parse(MINIMAL "memory = 0x80\n"), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 128);
    ck_assert_int_eq(parse(MINIMAL "memory = 0200\n"), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 128);
    ck_assert_int_eq(parse(MINIMAL "memory = \"64\"\n"), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 64);
}
END_TEST

START_TEST(test_a_malformed_number_is_refused_as_libxlu_words_it)
{
    assert_refused_with(MINIMAL "memory = 12abc\n", "guest.cfg:3: parameter `memory' is not a valid number");
    assert_refused_with(MINIMAL "memory = 089\n", "guest.cfg:3: parameter `memory' is not a valid number");
    assert_refused_with(MINIMAL "memory = \"\"\n", "guest.cfg:3: parameter `memory' is not a valid number");
}
END_TEST

START_TEST(test_numbers_out_of_bounds_are_refused_with_the_bound)
{
    assert_refused_with(MINIMAL "memory = 0\n", "guest.cfg:3: value `0' is smaller than minimum bound '1'");
    assert_refused_with(MINIMAL "maxmem = 4097\n", "guest.cfg:3: value `4097' is greater than maximum bound '4096'");
    assert_refused_with(MINIMAL "vcpus = 2\n", "guest.cfg:3: value `2' is greater than maximum bound '1'");
}
END_TEST

START_TEST(test_a_number_beyond_64_bits_is_out_of_bounds_not_wrapped)
{
    ck_assert_int_eq(parse(MINIMAL "memory = 18446744073709551744\n"), -XEN_EINVAL);
    ck_assert_ptr_nonnull(strstr(messages[0], "greater than maximum bound '4096'"));
}
END_TEST

/* --- syntax --------------------------------------------------------------------------- */

START_TEST(test_comments_blank_lines_and_semicolons_separate_settings)
{
    ck_assert_int_eq(parse("# a guest\n\n  name = 'guest' ; memory = 64 # its memory\n"
                           "\tkernel = 'k'"),
                     0);
    ck_assert_str_eq(config.name, "guest");
    ck_assert_uint_eq(config.memory_mebibytes, 64);
    ck_assert_str_eq(config.kernel_file, "k");
}
END_TEST

START_TEST(test_a_comment_may_end_the_file_without_a_newline)
{
    ck_assert_int_eq(parse(MINIMAL "# the end"), 0);
}
END_TEST

START_TEST(test_a_key_set_twice_keeps_its_last_value)
{
    ck_assert_int_eq(parse(MINIMAL "memory = 64\nmemory = 48\nname = \"other\"\n"), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 48);
    ck_assert_str_eq(config.name, "other");
}
END_TEST

START_TEST(test_append_concatenates_strings_and_extends_lists)
{
    ck_assert_int_eq(parse(MINIMAL "cmdline = \"console=hvc0\"\ncmdline += \" quiet\"\n"
                                   "disk = [ 'vdev=xvda, target=/dev/vda' ]\n"
                                   "disk += [ 'vdev=xvdb, target=/dev/vdb' ]\n"),
                     0);
    ck_assert_str_eq(config.command_line, "console=hvc0 quiet");
    ck_assert_uint_eq(config.disk_count, 2);
    ck_assert_str_eq(config.disks[1].vdev, "xvdb");
}
END_TEST

START_TEST(test_assigning_a_list_again_replaces_it)
{
    ck_assert_int_eq(parse(MINIMAL "disk = [ 'vdev=xvda, target=/dev/vda' ]\n"
                                   "disk = [ 'vdev=xvdc, target=/dev/vdb' ]\n"),
                     0);
    ck_assert_uint_eq(config.disk_count, 1);
    ck_assert_str_eq(config.disks[0].vdev, "xvdc");
}
END_TEST

START_TEST(test_append_to_a_number_is_refused)
{
    assert_refused_with(MINIMAL "memory = 64\nmemory += 1\n",
                        "guest.cfg:4: can't use += with numbers for parameter `memory'");
}
END_TEST

START_TEST(test_a_list_continues_over_lines_with_a_trailing_comma)
{
    ck_assert_int_eq(parse(MINIMAL "vif = [\n"
                                   "    'mac=00:16:3e:00:00:01',\n"
                                   "    # the second\n"
                                   "    'mac=00:16:3e:00:00:02',\n"
                                   "]\n"
                                   "memory = 0\n"),
                     -XEN_EINVAL);
    ck_assert_str_eq(messages[0], "guest.cfg:8: value `0' is smaller than minimum bound '1'");
    ck_assert_int_eq(parse(MINIMAL "vif = [\n'mac=00:16:3e:00:00:01',\n'mac=00:16:3e:00:00:02',\n]\n"), 0);
    ck_assert_uint_eq(config.vif_count, 2);
    ck_assert_uint_eq(config.vifs[1].handle, 1);
}
END_TEST

START_TEST(test_an_empty_list_has_no_entries)
{
    ck_assert_int_eq(parse(MINIMAL "disk = [ ]\nvif = []\n"), 0);
    ck_assert_uint_eq(config.disk_count, 0);
    ck_assert_uint_eq(config.vif_count, 0);
}
END_TEST

START_TEST(test_a_list_where_a_single_value_belongs_is_refused)
{
    assert_refused_with(MINIMAL "memory = [ 64 ]\n",
                        "guest.cfg:3: parameter `memory' is a list but should be a single value");
}
END_TEST

START_TEST(test_a_single_value_where_a_list_belongs_is_refused)
{
    assert_refused_with(MINIMAL "disk = 'vdev=xvda, target=/dev/vda'\n",
                        "guest.cfg:3: parameter `disk' is a single value but should be a list");
}
END_TEST

START_TEST(test_a_list_inside_a_list_is_refused)
{
    assert_refused_with(MINIMAL "disk = [ [ 'x' ] ]\n",
                        "guest.cfg:3: parameter `disk': a list inside a list is not supported");
}
END_TEST

START_TEST(test_a_character_outside_the_syntax_is_a_lexical_error)
{
    assert_refused_with(MINIMAL "memory = -64 # negative\n",
                        "guest.cfg:3: config parsing error near `-64': lexical error");
    assert_refused_with("Name = \"guest\"\n", "guest.cfg:1: config parsing error near `Name': lexical error");
}
END_TEST

START_TEST(test_a_carriage_return_is_a_lexical_error_as_in_libxlu)
{
    assert_refused_with("name = \"guest\"\r\n", "guest.cfg:1: config parsing error near `?': lexical error");
}
END_TEST

START_TEST(test_control_characters_never_reach_a_message)
{
    assert_refused_with(MINIMAL "on_crash = 'a\\nb\x1b[2J'\n", "guest.cfg:3: Unknown on_crash action \"a?b?[2J\" specified");
}
END_TEST

START_TEST(test_a_missing_value_is_a_syntax_error_near_the_newline)
{
    assert_refused_with(MINIMAL "memory =\n",
                        "guest.cfg:3: config parsing error near <newline>: syntax error, expecting a value");
}
END_TEST

START_TEST(test_a_missing_equals_sign_is_a_syntax_error_near_the_value)
{
    assert_refused_with("name \"guest\"\n",
                        "guest.cfg:1: config parsing error near `\"guest\"': syntax error, expecting `=' or `+='");
}
END_TEST

START_TEST(test_two_values_in_one_setting_are_a_syntax_error)
{
    assert_refused_with(MINIMAL "memory = 64 128\n",
                        "guest.cfg:3: config parsing error near `128': syntax error, expecting a newline or `;'");
}
END_TEST

START_TEST(test_a_list_without_its_closing_bracket_is_a_syntax_error_at_the_end)
{
    assert_refused_with(MINIMAL "disk = [ 'vdev=xvda, target=/dev/vda'\n",
                        "guest.cfg:4: config parsing error near end of file: syntax error, expecting `,' or `]'");
}
END_TEST

START_TEST(test_a_string_left_open_is_a_lexical_error)
{
    assert_refused_with(MINIMAL "kernel = \"vmlinux\nname = 'x'\n",
                        "guest.cfg:3: config parsing error near `\"vmlinux': lexical error");
}
END_TEST

START_TEST(test_strings_take_libxlus_backslash_escapes)
{
    ck_assert_int_eq(parse(MINIMAL "cmdline = 'say \\'hi\\'\\tand \\\"bye\\\" \\\\'\n"), 0);
    ck_assert_str_eq(config.command_line, "say 'hi'\tand \"bye\" \\");
}
END_TEST

START_TEST(test_numeric_and_unknown_escapes_are_refused)
{
    assert_refused_with(MINIMAL "cmdline = 'a\\x41'\n",
                        "guest.cfg:3: config parsing error near `'a\\x': invalid character after backslash in quoted string");
    ck_assert_int_eq(parse(MINIMAL "cmdline = 'a\\101'\n"), -XEN_EINVAL);
    ck_assert_int_eq(parse(MINIMAL "cmdline = 'a\\q'\n"), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_nul_byte_is_a_lexical_error)
{
    static const char text[] = "name = \"gu\0est\"\nkernel = 'k'\n";

    message_count = 0;
    ck_assert_int_eq(xl_config_parse("guest.cfg", text, sizeof(text) - 1, &config, collect, NULL), -XEN_EINVAL);
    ck_assert_uint_eq(message_count, 1);
    ck_assert_ptr_nonnull(strstr(messages[0], "guest.cfg:1: config parsing error near"));
}
END_TEST

START_TEST(test_nothing_past_size_is_read)
{
    static const char text[] = MINIMAL "memory = 64";

    ck_assert_int_eq(xl_config_parse("guest.cfg", text, sizeof(text) - 2, &config, NULL, NULL), 0);
    ck_assert_uint_eq(config.memory_mebibytes, 6);
}
END_TEST

START_TEST(test_a_string_too_long_for_its_field_is_refused)
{
    char text[512];

    strcpy(text, MINIMAL "ramdisk = \"");
    memset(text + strlen(text), 'r', CONFIG_FILE_SIZE);
    strcpy(text + strlen(MINIMAL "ramdisk = \"") + CONFIG_FILE_SIZE, "\"\n");
    assert_refused_with(text, "guest.cfg:3: parameter `ramdisk' is too long (at most 63 characters)");
}
END_TEST

START_TEST(test_a_string_longer_than_any_field_is_refused_not_overflowed)
{
    static char text[4096];

    strcpy(text, "name = \"");
    memset(text + strlen(text), 'n', 3000);
    strcat(text, "\"\n");
    assert_refused_with(text, "guest.cfg:1: parameter `name' is too long (at most 31 characters)");
}
END_TEST

/* --- the command line: xl's parse_cmdline ------------------------------------------------- */

START_TEST(test_root_and_extra_make_the_command_line)
{
    ck_assert_int_eq(parse(MINIMAL "root = \"/dev/xvda\"\nextra = \"console=hvc0\"\n"), 0);
    ck_assert_str_eq(config.command_line, "root=/dev/xvda console=hvc0");
    ck_assert_int_eq(parse(MINIMAL "root = \"/dev/xvda\"\n"), 0);
    ck_assert_str_eq(config.command_line, "root=/dev/xvda");
    ck_assert_int_eq(parse(MINIMAL "extra = \"console=hvc0\"\n"), 0);
    ck_assert_str_eq(config.command_line, "console=hvc0");
}
END_TEST

START_TEST(test_cmdline_wins_over_root_and_extra_with_xls_warning)
{
    ck_assert_int_eq(parse(MINIMAL "root = \"/dev/xvda\"\ncmdline = \"quiet\"\n"), 0);
    ck_assert_str_eq(config.command_line, "quiet");
    ck_assert_uint_eq(message_count, 1);
    ck_assert_str_eq(messages[0], "guest.cfg: Warning: ignoring root= and extra= in favour of cmdline=");
}
END_TEST

/* --- on_poweroff, on_reboot, on_crash ------------------------------------------------ */

START_TEST(test_every_action_xl_cfg_names_is_accepted)
{
    static const char *const names[] = { "destroy", "restart", "rename-restart", "preserve",
                                         "coredump-destroy", "coredump-restart", "soft-reset" };
    char text[128];

    for (unsigned int action = 0; action < sizeof(names) / sizeof(names[0]); action++) {
        strcpy(text, MINIMAL "on_crash = \"");
        strcat(text, names[action]);
        strcat(text, "\"\n");
        ck_assert_int_eq(parse(text), 0);
        ck_assert_int_eq(config.on_crash, (int)action);
        ck_assert_str_eq(xl_action_on_shutdown_name(config.on_crash), names[action]);
    }
    ck_assert_ptr_null(xl_action_on_shutdown_name((enum xl_action_on_shutdown)7));
}
END_TEST

START_TEST(test_an_unknown_action_is_refused_in_xls_words)
{
    assert_refused_with(MINIMAL "on_crash = \"explode\"\n", "guest.cfg:3: Unknown on_crash action \"explode\" specified");
    assert_refused_with(MINIMAL "on_reboot = 'Restart'\n", "guest.cfg:3: Unknown on_reboot action \"Restart\" specified");
}
END_TEST

/* --- disk and vif: the domains file's specs ------------------------------------------- */

START_TEST(test_a_disk_spec_is_read_as_the_domains_file_reads_it)
{
    ck_assert_int_eq(parse(MINIMAL "disk = [ 'format=raw, vdev=xvdb, access=ro, target=/dev/vdb@16+32' ]\n"), 0);
    ck_assert_uint_eq(config.disks[0].virtual_device, 202 << 8 | 1 << 4);
    ck_assert(config.disks[0].read_only);
    ck_assert_uint_eq(config.disks[0].target_index, 1);
    ck_assert_uint_eq(config.disks[0].start_mebibytes, 16);
    ck_assert_uint_eq(config.disks[0].size_mebibytes, 32);
}
END_TEST

START_TEST(test_a_positional_disk_spec_is_read_as_xl_reads_it)
{
    ck_assert_int_eq(parse(MINIMAL "disk = [ '/dev/vdb,raw,xvdb,rw', '/dev/vda,,xvda' ]\n"), 0);
    ck_assert_uint_eq(config.disk_count, 2);
    ck_assert_str_eq(config.disks[0].target, "/dev/vdb");
    ck_assert_str_eq(config.disks[1].vdev, "xvda");
}
END_TEST

START_TEST(test_a_qcow2_disk_with_pvmons_extensions_is_taken)
{
    ck_assert_int_eq(parse(MINIMAL "disk = [ 'format=qcow2, vdev=xvda, access=rw, cipher=aes-xts-plain64, "
                                   "keyfile=/etc/xen/keys/guest.key, target=overlay1.qcow2',\n"
                                   "'format=qcow2, vdev=xvdb, compress=on, target=packed.qcow2' ]\n"),
                     0);
    ck_assert_uint_eq(config.disk_count, 2);
    ck_assert_int_eq(config.disks[0].format, DISK_FORMAT_QCOW2);
    ck_assert(config.disks[0].target_is_name);
    ck_assert_str_eq(config.disks[0].target, "overlay1.qcow2");
    ck_assert(config.disks[0].encrypted);
    ck_assert_str_eq(config.disks[0].keyfile, "/etc/xen/keys/guest.key");
    ck_assert(config.disks[1].compress);
}
END_TEST

START_TEST(test_a_malformed_disk_spec_is_refused_on_its_own_line)
{
    assert_refused_with(MINIMAL "disk = [\n'vdev=xvda, target=/dev/vda',\n'/dev/vdb,vhd,xvdb,rw'\n]\n",
                        "guest.cfg:5: invalid disk specification `/dev/vdb,vhd,xvdb,rw'");
}
END_TEST

START_TEST(test_the_same_vdev_twice_is_refused)
{
    assert_refused_with(MINIMAL "disk = [ 'vdev=xvda, target=/dev/vda', 'vdev=xvda, target=/dev/vdb' ]\n",
                        "guest.cfg:3: disk vdev xvda given twice");
}
END_TEST

START_TEST(test_disks_beyond_the_maximum_are_refused)
{
    assert_refused_with(MINIMAL "disk = [ 'vdev=xvda, target=/dev/vda', 'vdev=xvdb, target=/dev/vda',\n"
                                "'vdev=xvdc, target=/dev/vda', 'vdev=xvdd, target=/dev/vda',\n"
                                "'vdev=xvde, target=/dev/vda' ]\n",
                        "guest.cfg:5: too many entries in `disk' (at most 4)");
}
END_TEST

START_TEST(test_an_empty_vif_spec_takes_every_default)
{
    ck_assert_int_eq(parse(MINIMAL "vif = [ '' ]\n"), 0);
    ck_assert_uint_eq(config.vif_count, 1);
    ck_assert(!config.vifs[0].has_address);
    ck_assert_uint_eq(config.vifs[0].handle, 0);
}
END_TEST

START_TEST(test_a_vif_on_another_bridge_or_with_a_bad_mac_is_refused)
{
    assert_refused_with(MINIMAL "vif = [ 'bridge=br1' ]\n", "guest.cfg:3: invalid vif specification `bridge=br1'");
    assert_refused_with(MINIMAL "vif = [ 'mac=00:16:3e:00:00' ]\n",
                        "guest.cfg:3: invalid vif specification `mac=00:16:3e:00:00'");
}
END_TEST

START_TEST(test_the_same_mac_twice_is_refused)
{
    assert_refused_with(MINIMAL "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3E:00:00:01' ]\n",
                        "guest.cfg:3: vif mac given twice");
}
END_TEST

START_TEST(test_a_parse_without_a_report_function_still_refuses)
{
    ck_assert_int_eq(xl_config_parse("guest.cfg", "memory = x", 10, &config, NULL, NULL), -XEN_EINVAL);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *xl_config_suite(void)
{
    Suite *suite = suite_create("xl_config");

    add_test_case(suite, test_every_supported_key_reaches_the_configuration);
    add_test_case(suite, test_unset_keys_take_xls_defaults);
    add_test_case(suite, test_memory_alone_sets_maxmem_and_maxmem_alone_sets_memory);
    add_test_case(suite, test_maxmem_below_memory_is_refused);
    add_test_case(suite, test_name_is_mandatory);
    add_test_case(suite, test_kernel_is_mandatory);
    add_test_case(suite, test_name_with_a_space_or_quote_is_refused);
    add_test_case(suite, test_unknown_parameter_is_refused_naming_its_line);
    add_test_case(suite, test_type_pv_is_accepted_and_others_refused);
    add_test_case(suite, test_numbers_are_decimal_hex_or_octal_and_may_be_quoted);
    add_test_case(suite, test_a_malformed_number_is_refused_as_libxlu_words_it);
    add_test_case(suite, test_numbers_out_of_bounds_are_refused_with_the_bound);
    add_test_case(suite, test_a_number_beyond_64_bits_is_out_of_bounds_not_wrapped);
    add_test_case(suite, test_comments_blank_lines_and_semicolons_separate_settings);
    add_test_case(suite, test_a_comment_may_end_the_file_without_a_newline);
    add_test_case(suite, test_a_key_set_twice_keeps_its_last_value);
    add_test_case(suite, test_append_concatenates_strings_and_extends_lists);
    add_test_case(suite, test_assigning_a_list_again_replaces_it);
    add_test_case(suite, test_append_to_a_number_is_refused);
    add_test_case(suite, test_a_list_continues_over_lines_with_a_trailing_comma);
    add_test_case(suite, test_an_empty_list_has_no_entries);
    add_test_case(suite, test_a_list_where_a_single_value_belongs_is_refused);
    add_test_case(suite, test_a_single_value_where_a_list_belongs_is_refused);
    add_test_case(suite, test_a_list_inside_a_list_is_refused);
    add_test_case(suite, test_a_character_outside_the_syntax_is_a_lexical_error);
    add_test_case(suite, test_a_carriage_return_is_a_lexical_error_as_in_libxlu);
    add_test_case(suite, test_control_characters_never_reach_a_message);
    add_test_case(suite, test_a_missing_value_is_a_syntax_error_near_the_newline);
    add_test_case(suite, test_a_missing_equals_sign_is_a_syntax_error_near_the_value);
    add_test_case(suite, test_two_values_in_one_setting_are_a_syntax_error);
    add_test_case(suite, test_a_list_without_its_closing_bracket_is_a_syntax_error_at_the_end);
    add_test_case(suite, test_a_string_left_open_is_a_lexical_error);
    add_test_case(suite, test_strings_take_libxlus_backslash_escapes);
    add_test_case(suite, test_numeric_and_unknown_escapes_are_refused);
    add_test_case(suite, test_a_nul_byte_is_a_lexical_error);
    add_test_case(suite, test_nothing_past_size_is_read);
    add_test_case(suite, test_a_string_too_long_for_its_field_is_refused);
    add_test_case(suite, test_a_string_longer_than_any_field_is_refused_not_overflowed);
    add_test_case(suite, test_root_and_extra_make_the_command_line);
    add_test_case(suite, test_cmdline_wins_over_root_and_extra_with_xls_warning);
    add_test_case(suite, test_every_action_xl_cfg_names_is_accepted);
    add_test_case(suite, test_an_unknown_action_is_refused_in_xls_words);
    add_test_case(suite, test_a_disk_spec_is_read_as_the_domains_file_reads_it);
    add_test_case(suite, test_a_positional_disk_spec_is_read_as_xl_reads_it);
    add_test_case(suite, test_a_qcow2_disk_with_pvmons_extensions_is_taken);
    add_test_case(suite, test_a_malformed_disk_spec_is_refused_on_its_own_line);
    add_test_case(suite, test_the_same_vdev_twice_is_refused);
    add_test_case(suite, test_disks_beyond_the_maximum_are_refused);
    add_test_case(suite, test_an_empty_vif_spec_takes_every_default);
    add_test_case(suite, test_a_vif_on_another_bridge_or_with_a_bad_mac_is_refused);
    add_test_case(suite, test_the_same_mac_twice_is_refused);
    add_test_case(suite, test_a_parse_without_a_report_function_still_refuses);
    return suite;
}

REGISTER_SUITE(xl_config_suite)
