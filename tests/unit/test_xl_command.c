/*
 * Specification of xl's command line (tools/xl/xl_command.h): each
 * verb's arguments, xl's messages for what is wrong (the strings of
 * Xen's xl.c, xl_utils.c def_getopt and xl_mem.c), and xl's size syntax
 * (xl_parse.c parse_mem_size_kb).
 */
#include <stdint.h>
#include <string.h>
#include <pvmon/errno.h>
#include <tools/xl/xl_command.h>

#include "suites.h"

static char printed[4096];

static void collect(void *context, const char *text)
{
    (void)context;
    strncat(printed, text, sizeof(printed) - strlen(printed) - 1);
}

static int parse(struct xl_command *command, unsigned int argc, const char *const *argv)
{
    printed[0] = '\0';
    return xl_command_parse(argc, argv, command, collect, NULL);
}

static bool printed_begins_with(const char *text)
{
    return strncmp(printed, text, strlen(text)) == 0;
}

START_TEST(test_list_without_a_domain_lists_all)
{
    const char *argv[] = { "xl", "list" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 2, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_LIST);
    ck_assert_ptr_null(command.domain);
}
END_TEST

START_TEST(test_create_takes_a_file_and_p_leaves_it_paused)
{
    const char *argv[] = { "xl", "create", "/etc/xen/guest.cfg", "-p" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 4, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_CREATE);
    ck_assert_str_eq(command.file, "/etc/xen/guest.cfg");
    ck_assert(command.paused);
}
END_TEST

START_TEST(test_pause_names_its_domain)
{
    const char *argv[] = { "xl", "pause", "guest" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_PAUSE);
    ck_assert_str_eq(command.domain, "guest");
    ck_assert_str_eq(printed, "");
}
END_TEST

START_TEST(test_mem_set_reads_the_size_in_kib)
{
    const char *argv[] = { "xl", "mem-set", "3", "24m" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 4, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_MEM_SET);
    ck_assert_str_eq(command.domain, "3");
    ck_assert_uint_eq(command.memory_kib, 24 * 1024);
}
END_TEST

START_TEST(test_mem_set_with_a_bad_size_is_xls_message)
{
    const char *argv[] = { "xl", "mem-set", "guest", "12q" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 4, argv), -XEN_EINVAL);
    ck_assert_str_eq(printed, "invalid memory size: 12q\n");
}
END_TEST

START_TEST(test_a_missing_argument_is_xls_message_and_the_verbs_help)
{
    const char *argv[] = { "xl", "mem-set", "guest" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), -XEN_EINVAL);
    ck_assert(printed_begins_with("'xl mem-set' requires at least 2 arguments.\n\n"
                                  "Usage: xl mem-set <Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>\n\n"
                                  "Set the current memory usage for a domain.\n\n"));
}
END_TEST

START_TEST(test_one_missing_argument_is_singular)
{
    const char *argv[] = { "xl", "destroy" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 2, argv), -XEN_EINVAL);
    ck_assert(printed_begins_with("'xl destroy' requires at least 1 argument.\n\n"));
}
END_TEST

START_TEST(test_an_unknown_verb_is_not_implemented)
{
    const char *argv[] = { "xl", "frobnicate", "guest" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), -XEN_EINVAL);
    ck_assert_str_eq(printed, "command not implemented\n");
}
END_TEST

START_TEST(test_an_unknown_option_is_not_supported)
{
    const char *argv[] = { "xl", "list", "-l" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), -XEN_EINVAL);
    ck_assert(printed_begins_with("option `l' not supported.\nUsage: xl list [Domain]\n"));
}
END_TEST

START_TEST(test_double_dash_ends_the_options)
{
    const char *argv[] = { "xl", "pause", "--", "-odd-name" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 4, argv), 0);
    ck_assert_str_eq(command.domain, "-odd-name");
}
END_TEST

START_TEST(test_dmesg_c_clears)
{
    const char *argv[] = { "xl", "dmesg", "-c" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_DMESG);
    ck_assert(command.clear);
}
END_TEST

START_TEST(test_xl_alone_prints_every_verb_and_fails)
{
    const char *argv[] = { "xl" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 1, argv), -XEN_EINVAL);
    ck_assert(printed_begins_with("Usage xl <subcommand> [args]\n\nxl full list of subcommands:\n\n"));
    ck_assert_ptr_nonnull(strstr(printed, " list                List information about all/some domains\n"));
    ck_assert_ptr_nonnull(strstr(printed, " mem-set             Set the current memory usage for a domain\n"));
}
END_TEST

START_TEST(test_help_of_an_unknown_verb_says_so)
{
    const char *argv[] = { "xl", "help", "migrate" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_HELP);
    xl_command_help(command.topic, collect, NULL);
    ck_assert_str_eq(printed, "command \"migrate\" not implemented\n");
}
END_TEST

/* --- the block-* verbs (docs/ARCHITECTURE.md, "Checkpoints") ------------------ */

START_TEST(test_block_checkpoint_of_a_domains_vdev)
{
    const char *argv[] = { "xl", "block-checkpoint", "guest", "xvda" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 4, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_BLOCK_CHECKPOINT);
    ck_assert_str_eq(command.domain, "guest");
    ck_assert_str_eq(command.vdev, "xvda");
    ck_assert_ptr_null(command.disk);
}
END_TEST

START_TEST(test_block_checkpoint_list_of_one_word_names_a_disk)
{
    const char *argv[] = { "xl", "block-checkpoint-list", "guest.qcow2" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_BLOCK_CHECKPOINT_LIST);
    ck_assert_str_eq(command.disk, "guest.qcow2");
    ck_assert_ptr_null(command.domain);
    ck_assert_ptr_null(command.vdev);
}
END_TEST

START_TEST(test_block_rollback_names_the_disk_and_its_checkpoint)
{
    const char *argv[] = { "xl", "block-rollback", "guest.qcow2", "ckpt1.qcow2" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 4, argv), 0);
    ck_assert_int_eq(command.verb, XL_VERB_BLOCK_ROLLBACK);
    ck_assert_str_eq(command.disk, "guest.qcow2");
    ck_assert_str_eq(command.checkpoint, "ckpt1.qcow2");
}
END_TEST

START_TEST(test_block_rollback_without_a_checkpoint_is_xls_message)
{
    const char *argv[] = { "xl", "block-rollback", "guest.qcow2" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 3, argv), -XEN_EINVAL);
    ck_assert(printed_begins_with("'xl block-rollback' requires at least 2 arguments.\n\n"
                                  "Usage: xl block-rollback <Disk> <Checkpoint>\n\n"));
}
END_TEST

START_TEST(test_help_lists_the_block_verbs)
{
    const char *argv[] = { "xl", "help" };
    struct xl_command command;

    ck_assert_int_eq(parse(&command, 2, argv), 0);
    xl_command_help(command.topic, collect, NULL);
    ck_assert_ptr_nonnull(strstr(printed, " block-checkpoint    Freeze a disk's image as a checkpoint;"));
    ck_assert_ptr_nonnull(strstr(printed, " block-checkpoint-list List a disk's chain and its checkpoints\n"));
    ck_assert_ptr_nonnull(strstr(printed, " block-rollback      Roll a disk no domain is using back"));
}
END_TEST

/* --- sizes ------------------------------------------------------------------- */

static uint64_t size_kib(const char *text)
{
    uint64_t kib = 12345;

    ck_assert_int_eq(xl_parse_memory_size_kib(text, &kib), 0);
    return kib;
}

START_TEST(test_a_size_without_a_suffix_is_mebibytes)
{
    ck_assert_uint_eq(size_kib("64"), 65536);
}
END_TEST

START_TEST(test_size_suffixes_in_either_case)
{
    ck_assert_uint_eq(size_kib("2048k"), 2048);
    ck_assert_uint_eq(size_kib("2048K"), 2048);
    ck_assert_uint_eq(size_kib("32M"), 32768);
    ck_assert_uint_eq(size_kib("1g"), 1048576);
    ck_assert_uint_eq(size_kib("1T"), UINT64_C(1) << 30);
    ck_assert_uint_eq(size_kib("4096b"), 4);
    ck_assert_uint_eq(size_kib("1000b"), 0);
}
END_TEST

START_TEST(test_bad_sizes_are_refused)
{
    const char *bad[] = { "", "m", "-1", "+5", " 5", "5mb", "5x", "12.5", "9223372036854775809k",
                          "9007199254740992g" };
    uint64_t kib = 7;

    for (unsigned int index = 0; index < sizeof(bad) / sizeof(bad[0]); index++)
        ck_assert_msg(xl_parse_memory_size_kib(bad[index], &kib) == -XEN_EINVAL, "'%s' accepted", bad[index]);
    ck_assert_uint_eq(kib, 7);
}
END_TEST

static Suite *xl_command_suite(void)
{
    Suite *suite = suite_create("xl_command");
    TCase *cases = tcase_create("xl_command");

    tcase_add_test(cases, test_list_without_a_domain_lists_all);
    tcase_add_test(cases, test_create_takes_a_file_and_p_leaves_it_paused);
    tcase_add_test(cases, test_pause_names_its_domain);
    tcase_add_test(cases, test_mem_set_reads_the_size_in_kib);
    tcase_add_test(cases, test_mem_set_with_a_bad_size_is_xls_message);
    tcase_add_test(cases, test_a_missing_argument_is_xls_message_and_the_verbs_help);
    tcase_add_test(cases, test_one_missing_argument_is_singular);
    tcase_add_test(cases, test_an_unknown_verb_is_not_implemented);
    tcase_add_test(cases, test_an_unknown_option_is_not_supported);
    tcase_add_test(cases, test_double_dash_ends_the_options);
    tcase_add_test(cases, test_dmesg_c_clears);
    tcase_add_test(cases, test_xl_alone_prints_every_verb_and_fails);
    tcase_add_test(cases, test_help_of_an_unknown_verb_says_so);
    tcase_add_test(cases, test_block_checkpoint_of_a_domains_vdev);
    tcase_add_test(cases, test_block_checkpoint_list_of_one_word_names_a_disk);
    tcase_add_test(cases, test_block_rollback_names_the_disk_and_its_checkpoint);
    tcase_add_test(cases, test_block_rollback_without_a_checkpoint_is_xls_message);
    tcase_add_test(cases, test_help_lists_the_block_verbs);
    tcase_add_test(cases, test_a_size_without_a_suffix_is_mebibytes);
    tcase_add_test(cases, test_size_suffixes_in_either_case);
    tcase_add_test(cases, test_bad_sizes_are_refused);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(xl_command_suite)
