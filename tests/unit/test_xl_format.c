/*
 * Specification of xl's output formats (tools/xl/xl_format.h).  The
 * expected lines were made on the host by Python's printf-style
 * formatting of the format strings in Xen's source (c447b73), not by our
 * code:
 *   xl list  tools/xl/xl_info.c:476 (header) and :500
 *            "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", the reason
 *            letters "-rscwS" of :469
 *   xl info  the maybe_printf lines of tools/xl/xl_info.c:225-240 and
 *            :252-316, :438 (each string as written there)
 *   xentop   tools/xentop/xentop.c fields[] (:176-196) joined by do_header
 *            (:1028) with "%*s", the print_* formats (:485-925), do_summary
 *            (:980-1026)
 */
#include <stdint.h>
#include <string.h>
#include <xen/sched.h>
#include <public/domain_control.h>
#include <tools/xl/xl_format.h>

#include "suites.h"

static char buffer[1024];

/* --- xl list ---------------------------------------------------------------------- */

START_TEST(test_xl_list_header_is_xls)
{
    ck_assert_int_eq(xl_list_header(buffer, sizeof(buffer)), 73);
    ck_assert_str_eq(buffer, "Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
}
END_TEST

START_TEST(test_xl_list_line_of_a_running_dom0)
{
    struct xl_list_entry entry = {
        .name = "Domain-0", .domid = 0, .memory_kib = 512 * 1024, .online_vcpus = 1,
        .state = { .running = true }, .cpu_time_ns = UINT64_C(12340000000),
    };

    xl_list_line(buffer, sizeof(buffer), &entry);
    ck_assert_str_eq(buffer, "Domain-0                                     0   512     1     r-----      12.3\n");
}
END_TEST

START_TEST(test_xl_list_line_rounds_cpu_time_to_a_tenth)
{
    struct xl_list_entry entry = {
        .name = "linux", .domid = 3, .memory_kib = 256 * 1024 + 1023, .online_vcpus = 1,
        .state = { .paused = true }, .cpu_time_ns = 50000000,
    };

    xl_list_line(buffer, sizeof(buffer), &entry);
    ck_assert_str_eq(buffer, "linux                                        3   256     1     --p---       0.1\n");
}
END_TEST

START_TEST(test_xl_list_line_of_a_crashed_domain_shows_s_and_c)
{
    struct xl_list_entry entry = {
        .name = "crashy", .domid = 7, .memory_kib = 64 * 1024, .online_vcpus = 1,
        .state = { .shutdown = true, .shutdown_reason = SHUTDOWN_crash }, .cpu_time_ns = UINT64_C(1234560000000),
    };

    xl_list_line(buffer, sizeof(buffer), &entry);
    ck_assert_str_eq(buffer, "crashy                                       7    64     1     ---sc-    1234.6\n");
}
END_TEST

START_TEST(test_state_letters_give_each_shutdown_reason_and_ignore_a_reason_without_shutdown)
{
    static const char expected[] = "-rscwS";
    struct xl_domain_state state = { .shutdown = true };
    char letters[7];

    for (unsigned int reason = 0; reason < 6; reason++) {
        state.shutdown_reason = reason;
        xl_list_state_letters(&state, letters);
        ck_assert_int_eq(letters[4], expected[reason]);
        ck_assert_int_eq(letters[3], 's');
    }
    state.shutdown_reason = 9;
    xl_list_state_letters(&state, letters);
    ck_assert_str_eq(letters, "---s?-");
    state = (struct xl_domain_state) { .blocked = true, .dying = true, .shutdown_reason = SHUTDOWN_crash };
    xl_list_state_letters(&state, letters);
    ck_assert_str_eq(letters, "-b---d");
}
END_TEST

START_TEST(test_pvmon_states_map_to_xls_flags)
{
    struct pvmon_domain_info info = { .state = PVMON_DOMAIN_STATE_crashed };
    struct xl_domain_state state;
    char letters[7];

    xl_domain_state_from_pvmon(&info, &state);
    xl_list_state_letters(&state, letters);
    ck_assert_str_eq(letters, "---sc-");
    info = (struct pvmon_domain_info) { .state = PVMON_DOMAIN_STATE_shutdown, .shutdown_reason = SHUTDOWN_reboot };
    xl_domain_state_from_pvmon(&info, &state);
    xl_list_state_letters(&state, letters);
    ck_assert_str_eq(letters, "---sr-");
    info = (struct pvmon_domain_info) { .state = PVMON_DOMAIN_STATE_paused, .shutdown_reason = SHUTDOWN_crash };
    xl_domain_state_from_pvmon(&info, &state);
    xl_list_state_letters(&state, letters);
    ck_assert_str_eq(letters, "--p---");
    info = (struct pvmon_domain_info) { .state = PVMON_DOMAIN_STATE_running };
    xl_domain_state_from_pvmon(&info, &state);
    xl_list_state_letters(&state, letters);
    ck_assert_str_eq(letters, "r-----");
}
END_TEST

START_TEST(test_a_long_name_widens_the_line_as_xls_printf_does)
{
    struct xl_list_entry entry = { .name = "a-domain-name-of-more-than-forty-characters-long", .domid = 1 };

    xl_list_line(buffer, sizeof(buffer), &entry);
    ck_assert_str_eq(buffer, "a-domain-name-of-more-than-forty-characters-long     1     0     0     ------       0.0\n");
}
END_TEST

START_TEST(test_a_small_buffer_is_cut_and_the_whole_length_returned)
{
    char small[8];

    ck_assert_int_eq(xl_list_header(small, sizeof(small)), 73);
    ck_assert_str_eq(small, "Name   ");
    ck_assert_int_eq(xl_list_header(NULL, 0), 73);
}
END_TEST

/* --- xl info --------------------------------------------------------------------------- */

static const struct xl_host_info host = {
    .host = "pvmon-dom0", .release = "0.15", .version = "pvmon", .machine = "x86_64",
    .nr_cpus = 1, .max_cpu_id = 0, .nr_nodes = 1, .cores_per_socket = 1, .threads_per_core = 1,
    .cpu_khz = 2995123, .cap_pv = true, .cap_gnttab_v1 = true,
    .total_pages = 262144, .free_pages = 131072, .free_cpus = 0,
    .xen_major = 4, .xen_minor = 14, .xen_extra = ".0", .xen_caps = "xen-3.0-x86_64",
    .xen_scheduler = "credit", .page_size = 4096, .virt_start = UINT64_C(0xffff800000000000),
    .xen_changeset = "pvmon 1e2059f", .xen_commandline = "console=com1 dom0_mem=512M",
    .cc_compiler = "gcc (Debian 12.2.0-14) 12.2.0", .cc_compile_by = "pvmon",
    .cc_compile_domain = "localdomain", .cc_compile_date = "Sun Dec  6 2026",
};

START_TEST(test_xl_info_prints_xls_lines_in_xls_order)
{
    static const char expected[] =
        "host                   : pvmon-dom0\n"
        "release                : 0.15\n"
        "version                : pvmon\n"
        "machine                : x86_64\n"
        "nr_cpus                : 1\n"
        "max_cpu_id             : 0\n"
        "nr_nodes               : 1\n"
        "cores_per_socket       : 1\n"
        "threads_per_core       : 1\n"
        "cpu_mhz                : 2995.123\n"
        "virt_caps              : pv gnttab-v1\n"
        "total_memory           : 1024\n"
        "free_memory            : 512\n"
        "free_cpus              : 0\n"
        "xen_major              : 4\n"
        "xen_minor              : 14\n"
        "xen_extra              : .0\n"
        "xen_version            : 4.14.0\n"
        "xen_caps               : xen-3.0-x86_64\n"
        "xen_scheduler          : credit\n"
        "xen_pagesize           : 4096\n"
        "platform_params        : virt_start=0xffff800000000000\n"
        "xen_changeset          : pvmon 1e2059f\n"
        "xen_commandline        : console=com1 dom0_mem=512M\n"
        "cc_compiler            : gcc (Debian 12.2.0-14) 12.2.0\n"
        "cc_compile_by          : pvmon\n"
        "cc_compile_domain      : localdomain\n"
        "cc_compile_date        : Sun Dec  6 2026\n"
        "xend_config_format     : 4\n";

    ck_assert_int_eq(xl_info_format(buffer, sizeof(buffer), &host, NULL), (int)strlen(expected));
    ck_assert_str_eq(buffer, expected);
}
END_TEST

START_TEST(test_xl_info_with_a_key_prints_its_value_alone)
{
    xl_info_format(buffer, sizeof(buffer), &host, "free_memory");
    ck_assert_str_eq(buffer, "512\n");
    xl_info_format(buffer, sizeof(buffer), &host, "virt_caps");
    ck_assert_str_eq(buffer, "pv gnttab-v1\n");
}
END_TEST

START_TEST(test_xl_info_with_a_prefix_prints_every_key_it_begins)
{
    xl_info_format(buffer, sizeof(buffer), &host, "xen_m");
    ck_assert_str_eq(buffer, "4\n14\n");
}
END_TEST

START_TEST(test_xl_info_with_an_unknown_key_prints_nothing)
{
    memset(buffer, 'x', sizeof(buffer));
    ck_assert_int_eq(xl_info_format(buffer, sizeof(buffer), &host, "numa_info"), 0);
    ck_assert_str_eq(buffer, "");
}
END_TEST

START_TEST(test_xl_info_without_capabilities_filters_virt_caps_to_nothing)
{
    struct xl_host_info bare = { .page_size = 4096 };

    memset(buffer, 'x', sizeof(buffer));
    xl_info_format(buffer, sizeof(buffer), &bare, "virt_caps");
    ck_assert_str_eq(buffer, "");
}
END_TEST

/* --- xl top (xentop) ------------------------------------------------------------------- */

START_TEST(test_xentop_header_is_its_nineteen_fields)
{
    xentop_header(buffer, sizeof(buffer));
    ck_assert_str_eq(buffer, "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS "
                             "NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID\n");
}
END_TEST

START_TEST(test_xentop_line_of_a_blocked_guest_with_a_previous_sample)
{
    struct xentop_domain domain = {
        .name = "linux-guest-long", .state = { .blocked = true },
        .cpu_ns = UINT64_C(75400000000), .previous_cpu_ns = UINT64_C(74000000000), .elapsed_us = 2000000,
        .memory_kib = 262144, .max_memory_kib = 524288, .vcpus = 1, .nets = 1,
        .net_tx_bytes = 3 * 1024 * 1024, .net_rx_bytes = 5000, .vbds = 1,
        .vbd_rd = 120, .vbd_wr = 44, .vbd_rsect = 960, .vbd_wsect = 352,
    };

    xentop_line(buffer, sizeof(buffer), &domain, 1048576);
    ck_assert_str_eq(buffer, "linux-gues --b---         75   70.0     262144   25.0     524288      50.0     1    1 "
                             "    3072        4    1        0      120       44        960        352    0\n");
}
END_TEST

START_TEST(test_xentop_line_without_a_memory_limit_or_previous_sample)
{
    struct xentop_domain domain = {
        .name = "Domain-0", .state = { .running = true }, .cpu_ns = UINT64_C(3900000000),
        .memory_kib = 524288, .max_memory_kib = XENTOP_NO_MEMORY_LIMIT, .vcpus = 1,
    };

    xentop_line(buffer, sizeof(buffer), &domain, 1048576);
    ck_assert_str_eq(buffer, "  Domain-0 -----r          3    0.0     524288   50.0   no limit       n/a     1    0 "
                             "       0        0    0        0        0        0          0          0    0\n");
}
END_TEST

START_TEST(test_xentop_state_puts_crashed_apart_from_shutdown)
{
    struct xentop_domain domain = { .name = "x", .state = { .shutdown = true, .shutdown_reason = SHUTDOWN_crash } };

    xentop_line(buffer, sizeof(buffer), &domain, 0);
    ck_assert_int_eq(strncmp(buffer + 11, "---c--", 6), 0);
    domain.state.shutdown_reason = SHUTDOWN_poweroff;
    xentop_line(buffer, sizeof(buffer), &domain, 0);
    ck_assert_int_eq(strncmp(buffer + 11, "-s----", 6), 0);
}
END_TEST

START_TEST(test_xentop_summary_counts_domains_by_state)
{
    struct xentop_domain domains[] = {
        { .name = "Domain-0", .state = { .running = true } },
        { .name = "linux", .state = { .blocked = true } },
        { .name = "crashy", .state = { .shutdown = true, .shutdown_reason = SHUTDOWN_crash } },
    };
    struct xentop_node node = {
        .hours = 9, .minutes = 5, .seconds = 7, .xen_version = "4.14.0",
        .total_kib = 1048576, .free_kib = 262144, .cpus = 1, .cpu_mhz = 2995,
    };

    xentop_summary(buffer, sizeof(buffer), &node, domains, 3);
    ck_assert_str_eq(buffer, "xentop - 09:05:07   Xen 4.14.0\n"
                             "3 domains: 1 running, 1 blocked, 0 paused, 1 crashed, 0 dying, 0 shutdown \n"
                             "Mem: 1048576k total, 786432k used, 262144k free    CPUs: 1 @ 2995MHz\n");
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *xl_format_suite(void)
{
    Suite *suite = suite_create("xl_format");

    add_test_case(suite, test_xl_list_header_is_xls);
    add_test_case(suite, test_xl_list_line_of_a_running_dom0);
    add_test_case(suite, test_xl_list_line_rounds_cpu_time_to_a_tenth);
    add_test_case(suite, test_xl_list_line_of_a_crashed_domain_shows_s_and_c);
    add_test_case(suite, test_state_letters_give_each_shutdown_reason_and_ignore_a_reason_without_shutdown);
    add_test_case(suite, test_pvmon_states_map_to_xls_flags);
    add_test_case(suite, test_a_long_name_widens_the_line_as_xls_printf_does);
    add_test_case(suite, test_a_small_buffer_is_cut_and_the_whole_length_returned);
    add_test_case(suite, test_xl_info_prints_xls_lines_in_xls_order);
    add_test_case(suite, test_xl_info_with_a_key_prints_its_value_alone);
    add_test_case(suite, test_xl_info_with_a_prefix_prints_every_key_it_begins);
    add_test_case(suite, test_xl_info_with_an_unknown_key_prints_nothing);
    add_test_case(suite, test_xl_info_without_capabilities_filters_virt_caps_to_nothing);
    add_test_case(suite, test_xentop_header_is_its_nineteen_fields);
    add_test_case(suite, test_xentop_line_of_a_blocked_guest_with_a_previous_sample);
    add_test_case(suite, test_xentop_line_without_a_memory_limit_or_previous_sample);
    add_test_case(suite, test_xentop_state_puts_crashed_apart_from_shutdown);
    add_test_case(suite, test_xentop_summary_counts_domains_by_state);
    return suite;
}

REGISTER_SUITE(xl_format_suite)
