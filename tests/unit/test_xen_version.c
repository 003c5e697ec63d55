/*
 * Tests of common/xen_version.c: each xen_version sub-op's return value
 * and the bytes copied back to the guest.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/xen_version.h>

#include "suites.h"

static struct xen_version_request request_for(unsigned int command)
{
    struct xen_version_request request = {
        .command = command,
        .privileged = false,
        .argument_is_null = false,
        .feature_submap_index = 0,
        .build_id_buffer_length = 0,
        .hypervisor_command_line = "console=com1 dom0_mem=512M",
    };

    return request;
}

static uint32_t feature_submap(bool privileged)
{
    struct xen_version_request request = request_for(XENVER_get_features);
    union xen_version_reply reply;
    size_t reply_size;

    request.privileged = privileged;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, sizeof(xen_feature_info_t));
    return reply.feature_info.submap;
}

START_TEST(test_version_is_4_14_returned_with_nothing_copied)
{
    struct xen_version_request request = request_for(XENVER_version);
    union xen_version_reply reply;
    size_t reply_size = 99;

    request.argument_is_null = true;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0x0004000e);
    ck_assert_uint_eq(reply_size, 0);
}
END_TEST

START_TEST(test_extraversion_is_pvmon_in_a_zero_padded_buffer)
{
    struct xen_version_request request = request_for(XENVER_extraversion);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, XEN_EXTRAVERSION_LEN);
    ck_assert_str_eq(reply.extraversion, "-pvmon");
    ck_assert_uint_eq(reply.extraversion[XEN_EXTRAVERSION_LEN - 1], 0);
}
END_TEST

START_TEST(test_compile_info_names_the_compiler_and_pvmon)
{
    struct xen_version_request request = request_for(XENVER_compile_info);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, sizeof(xen_compile_info_t));
    ck_assert_int_eq(strncmp(reply.compile_info.compiler, "gcc ", 4), 0);
    ck_assert_str_eq(reply.compile_info.compile_by, "pvmon");
    ck_assert_str_eq(reply.compile_info.compile_domain, "");
    ck_assert_str_eq(reply.compile_info.compile_date, "");
}
END_TEST

START_TEST(test_capabilities_are_64_bit_pv_only_with_trailing_space)
{
    struct xen_version_request request = request_for(XENVER_capabilities);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, XEN_CAPABILITIES_INFO_LEN);
    ck_assert_str_eq(reply.capabilities, "xen-3.0-x86_64 ");
}
END_TEST

START_TEST(test_changeset_is_unavailable)
{
    struct xen_version_request request = request_for(XENVER_changeset);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, XEN_CHANGESET_INFO_LEN);
    ck_assert_str_eq(reply.changeset, "unavailable");
}
END_TEST

START_TEST(test_platform_parameters_give_hypervisor_virt_start)
{
    struct xen_version_request request = request_for(XENVER_platform_parameters);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, sizeof(xen_platform_parameters_t));
    ck_assert_uint_eq(reply.platform_parameters.virt_start, 0xffff800000000000ULL);
}
END_TEST

START_TEST(test_features_include_the_two_bits_linux_panics_without)
{
    uint32_t submap = feature_submap(false);

    ck_assert_uint_ne(submap & (1U << XENFEAT_mmu_pt_update_preserve_ad), 0);
    ck_assert_uint_ne(submap & (1U << XENFEAT_gnttab_map_avail_bits), 0);
}
END_TEST

START_TEST(test_features_of_an_unprivileged_guest_are_exactly_those_two)
{
    ck_assert_uint_eq(feature_submap(false),
                      (1U << XENFEAT_mmu_pt_update_preserve_ad) | (1U << XENFEAT_gnttab_map_avail_bits));
}
END_TEST

START_TEST(test_features_of_the_privileged_domain_add_dom0)
{
    ck_assert_uint_eq(feature_submap(true), feature_submap(false) | (1U << XENFEAT_dom0));
}
END_TEST

START_TEST(test_features_never_offer_writable_page_or_descriptor_tables)
{
    uint32_t submap = feature_submap(true);

    ck_assert_uint_eq(submap & (1U << XENFEAT_writable_page_tables), 0);
    ck_assert_uint_eq(submap & (1U << XENFEAT_writable_descriptor_tables), 0);
    ck_assert_uint_eq(submap & (1U << XENFEAT_auto_translated_physmap), 0);
}
END_TEST

START_TEST(test_features_reply_keeps_the_submap_index)
{
    struct xen_version_request request = request_for(XENVER_get_features);
    union xen_version_reply reply;
    size_t reply_size;

    xen_version_answer(&request, &reply, &reply_size);
    ck_assert_uint_eq(reply.feature_info.submap_idx, 0);
}
END_TEST

START_TEST(test_features_submap_other_than_0_is_einval_with_nothing_copied)
{
    struct xen_version_request request = request_for(XENVER_get_features);
    union xen_version_reply reply;
    size_t reply_size;

    request.feature_submap_index = 1;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_EINVAL);
    ck_assert_uint_eq(reply_size, 0);
}
END_TEST

START_TEST(test_pagesize_is_4096_with_a_null_argument)
{
    struct xen_version_request request = request_for(XENVER_pagesize);
    union xen_version_reply reply;
    size_t reply_size;

    request.argument_is_null = true;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 4096);
    ck_assert_uint_eq(reply_size, 0);
}
END_TEST

START_TEST(test_pagesize_with_an_argument_is_einval)
{
    struct xen_version_request request = request_for(XENVER_pagesize);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_EINVAL);
}
END_TEST

START_TEST(test_guest_handle_is_16_zero_bytes)
{
    static const xen_domain_handle_t zeros;
    struct xen_version_request request = request_for(XENVER_guest_handle);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, 16);
    ck_assert_int_eq(memcmp(reply.guest_handle, zeros, sizeof(zeros)), 0);
}
END_TEST

START_TEST(test_commandline_for_the_privileged_domain_is_the_full_buffer)
{
    struct xen_version_request request = request_for(XENVER_commandline);
    union xen_version_reply reply;
    size_t reply_size;

    request.privileged = true;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, sizeof(xen_commandline_t));
    ck_assert_str_eq(reply.command_line, "console=com1 dom0_mem=512M");
}
END_TEST

START_TEST(test_commandline_too_long_is_truncated_with_a_terminating_nul)
{
    static char long_line[2000];
    struct xen_version_request request = request_for(XENVER_commandline);
    union xen_version_reply reply;
    size_t reply_size;

    memset(long_line, 'x', sizeof(long_line) - 1);
    request.privileged = true;
    request.hypervisor_command_line = long_line;
    xen_version_answer(&request, &reply, &reply_size);
    ck_assert_uint_eq(strlen(reply.command_line), sizeof(xen_commandline_t) - 1);
}
END_TEST

START_TEST(test_commandline_for_others_is_denied_but_succeeds)
{
    struct xen_version_request request = request_for(XENVER_commandline);
    union xen_version_reply reply;
    size_t reply_size;

    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), 0);
    ck_assert_uint_eq(reply_size, sizeof("<denied>"));
    ck_assert_str_eq(reply.command_line, "<denied>");
}
END_TEST

START_TEST(test_build_id_for_others_is_eperm)
{
    struct xen_version_request request = request_for(XENVER_build_id);
    union xen_version_reply reply;
    size_t reply_size;

    request.build_id_buffer_length = 64;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_EPERM);
    ck_assert_uint_eq(reply_size, 0);
}
END_TEST

START_TEST(test_build_id_for_the_privileged_domain_is_enodata)
{
    struct xen_version_request request = request_for(XENVER_build_id);
    union xen_version_reply reply;
    size_t reply_size;

    request.privileged = true;
    request.build_id_buffer_length = 64;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_ENODATA);
    request.argument_is_null = true;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_ENODATA);
    ck_assert_uint_eq(reply_size, 0);
}
END_TEST

START_TEST(test_build_id_with_an_empty_buffer_is_einval)
{
    struct xen_version_request request = request_for(XENVER_build_id);
    union xen_version_reply reply;
    size_t reply_size;

    request.privileged = true;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_EINVAL);
}
END_TEST

START_TEST(test_unknown_sub_op_is_enosys_with_nothing_copied)
{
    struct xen_version_request request = request_for(11);
    union xen_version_reply reply;
    size_t reply_size = 99;

    request.privileged = true;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_ENOSYS);
    ck_assert_uint_eq(reply_size, 0);
    request.command = (unsigned int) -1;
    ck_assert_int_eq(xen_version_answer(&request, &reply, &reply_size), -XEN_ENOSYS);
}
END_TEST

Suite *xen_version_suite(void)
{
    Suite *suite = suite_create("xen_version");
    TCase *cases = tcase_create("xen_version");

    tcase_add_test(cases, test_version_is_4_14_returned_with_nothing_copied);
    tcase_add_test(cases, test_extraversion_is_pvmon_in_a_zero_padded_buffer);
    tcase_add_test(cases, test_compile_info_names_the_compiler_and_pvmon);
    tcase_add_test(cases, test_capabilities_are_64_bit_pv_only_with_trailing_space);
    tcase_add_test(cases, test_changeset_is_unavailable);
    tcase_add_test(cases, test_platform_parameters_give_hypervisor_virt_start);
    tcase_add_test(cases, test_features_include_the_two_bits_linux_panics_without);
    tcase_add_test(cases, test_features_of_an_unprivileged_guest_are_exactly_those_two);
    tcase_add_test(cases, test_features_of_the_privileged_domain_add_dom0);
    tcase_add_test(cases, test_features_never_offer_writable_page_or_descriptor_tables);
    tcase_add_test(cases, test_features_reply_keeps_the_submap_index);
    tcase_add_test(cases, test_features_submap_other_than_0_is_einval_with_nothing_copied);
    tcase_add_test(cases, test_pagesize_is_4096_with_a_null_argument);
    tcase_add_test(cases, test_pagesize_with_an_argument_is_einval);
    tcase_add_test(cases, test_guest_handle_is_16_zero_bytes);
    tcase_add_test(cases, test_commandline_for_the_privileged_domain_is_the_full_buffer);
    tcase_add_test(cases, test_commandline_too_long_is_truncated_with_a_terminating_nul);
    tcase_add_test(cases, test_commandline_for_others_is_denied_but_succeeds);
    tcase_add_test(cases, test_build_id_for_others_is_eperm);
    tcase_add_test(cases, test_build_id_for_the_privileged_domain_is_enodata);
    tcase_add_test(cases, test_build_id_with_an_empty_buffer_is_einval);
    tcase_add_test(cases, test_unknown_sub_op_is_enosys_with_nothing_copied);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(xen_version_suite)
