/*
 * Specification of what xl does when a domain ends
 * (tools/xl/xl_lifecycle.h, after Xen's xl_vmcontrol.c
 * handle_domain_death): the reason picks the action, the action the step.
 */
#include <stdint.h>
#include <string.h>
#include <xen/sched.h>
#include <public/domain_control.h>
#include <tools/xl/xl_lifecycle.h>

#include "suites.h"

static const struct lifecycle_actions xl_defaults = {
    .on_poweroff = XL_ACTION_DESTROY, .on_reboot = XL_ACTION_RESTART, .on_crash = XL_ACTION_DESTROY,
};

static struct pvmon_domain_info shut_down(uint32_t reason)
{
    return (struct pvmon_domain_info) { .state = PVMON_DOMAIN_STATE_shutdown, .shutdown_reason = reason };
}

START_TEST(test_a_running_or_paused_domain_is_left_alone)
{
    struct pvmon_domain_info running = { .state = PVMON_DOMAIN_STATE_running };
    struct pvmon_domain_info paused = { .state = PVMON_DOMAIN_STATE_paused };

    ck_assert_int_eq(xl_lifecycle_decide(&xl_defaults, &running), XL_LIFECYCLE_KEEP);
    ck_assert_int_eq(xl_lifecycle_decide(&xl_defaults, &paused), XL_LIFECYCLE_KEEP);
}
END_TEST

START_TEST(test_xls_defaults_destroy_on_poweroff_and_restart_on_reboot)
{
    struct pvmon_domain_info poweroff = shut_down(SHUTDOWN_poweroff), reboot = shut_down(SHUTDOWN_reboot);

    ck_assert_int_eq(xl_lifecycle_decide(&xl_defaults, &poweroff), XL_LIFECYCLE_DESTROY);
    ck_assert_int_eq(xl_lifecycle_decide(&xl_defaults, &reboot), XL_LIFECYCLE_RESTART);
}
END_TEST

START_TEST(test_a_crash_follows_on_crash_whether_crashed_or_shut_down_for_crash)
{
    struct lifecycle_actions actions = xl_defaults;
    struct pvmon_domain_info crashed = { .state = PVMON_DOMAIN_STATE_crashed };
    struct pvmon_domain_info crash_reason = shut_down(SHUTDOWN_crash);

    actions.on_crash = XL_ACTION_PRESERVE;
    ck_assert_int_eq(xl_lifecycle_decide(&actions, &crashed), XL_LIFECYCLE_PRESERVE);
    ck_assert_int_eq(xl_lifecycle_decide(&actions, &crash_reason), XL_LIFECYCLE_PRESERVE);
    actions.on_crash = XL_ACTION_RESTART;
    ck_assert_int_eq(xl_lifecycle_decide(&actions, &crashed), XL_LIFECYCLE_RESTART);
}
END_TEST

START_TEST(test_each_action_comes_down_to_its_step)
{
    static const struct {
        enum xl_action_on_shutdown action;
        enum xl_lifecycle_step step;
    } expected[] = {
        { XL_ACTION_DESTROY, XL_LIFECYCLE_DESTROY },        { XL_ACTION_RESTART, XL_LIFECYCLE_RESTART },
        { XL_ACTION_RENAME_RESTART, XL_LIFECYCLE_RESTART }, { XL_ACTION_PRESERVE, XL_LIFECYCLE_PRESERVE },
        { XL_ACTION_COREDUMP_DESTROY, XL_LIFECYCLE_DESTROY }, { XL_ACTION_COREDUMP_RESTART, XL_LIFECYCLE_RESTART },
        { XL_ACTION_SOFT_RESET, XL_LIFECYCLE_RESTART },
    };
    struct pvmon_domain_info poweroff = shut_down(SHUTDOWN_poweroff);

    for (unsigned int index = 0; index < sizeof(expected) / sizeof(expected[0]); index++) {
        struct lifecycle_actions actions = xl_defaults;

        actions.on_poweroff = expected[index].action;
        ck_assert_int_eq(xl_lifecycle_decide(&actions, &poweroff), expected[index].step);
    }
}
END_TEST

START_TEST(test_a_suspended_domain_is_left_alone)
{
    struct pvmon_domain_info suspended = shut_down(SHUTDOWN_suspend);

    ck_assert_int_eq(xl_lifecycle_decide(&xl_defaults, &suspended), XL_LIFECYCLE_KEEP);
}
END_TEST

START_TEST(test_watchdog_and_unknown_reasons_destroy)
{
    struct lifecycle_actions restart_everything = {
        .on_poweroff = XL_ACTION_RESTART, .on_reboot = XL_ACTION_RESTART, .on_crash = XL_ACTION_RESTART,
    };
    struct pvmon_domain_info watchdog = shut_down(SHUTDOWN_watchdog), unknown = shut_down(77);

    ck_assert_int_eq(xl_lifecycle_decide(&restart_everything, &watchdog), XL_LIFECYCLE_DESTROY);
    ck_assert_int_eq(xl_lifecycle_decide(&restart_everything, &unknown), XL_LIFECYCLE_DESTROY);
}
END_TEST

START_TEST(test_a_config_becomes_the_spec_the_toolstack_builds)
{
    struct xl_domain_config config = {
        .name = "guest", .memory_mebibytes = 48, .kernel_file = "boot/pv-kernel", .ramdisk_file = "boot/initrd",
        .command_line = "role=compute", .vif_count = 1, .on_poweroff = XL_ACTION_PRESERVE,
        .on_reboot = XL_ACTION_RESTART, .on_crash = XL_ACTION_COREDUMP_DESTROY,
    };
    struct domain_spec spec;
    struct lifecycle_actions actions;

    config.vifs[0].has_address = true;
    config.vifs[0].address.bytes[5] = 0x21;
    xl_config_to_domain_spec(&config, &spec, &actions);
    ck_assert_str_eq(spec.name, "guest");
    ck_assert_uint_eq(spec.memory_mebibytes, 48);
    ck_assert_uint_eq(spec.weight, 256);
    ck_assert_str_eq(spec.kernel_file, "boot/pv-kernel");
    ck_assert_str_eq(spec.ramdisk_file, "boot/initrd");
    ck_assert_str_eq(spec.command_line, "role=compute");
    ck_assert_uint_eq(spec.start_after_milliseconds, 0);
    ck_assert_uint_eq(spec.vif_count, 1);
    ck_assert_uint_eq(spec.vifs[0].address.bytes[5], 0x21);
    ck_assert_int_eq(actions.on_poweroff, XL_ACTION_PRESERVE);
    ck_assert_int_eq(actions.on_crash, XL_ACTION_COREDUMP_DESTROY);
}
END_TEST

static Suite *xl_lifecycle_suite(void)
{
    Suite *suite = suite_create("xl_lifecycle");
    TCase *cases = tcase_create("xl_lifecycle");

    tcase_add_test(cases, test_a_running_or_paused_domain_is_left_alone);
    tcase_add_test(cases, test_xls_defaults_destroy_on_poweroff_and_restart_on_reboot);
    tcase_add_test(cases, test_a_crash_follows_on_crash_whether_crashed_or_shut_down_for_crash);
    tcase_add_test(cases, test_each_action_comes_down_to_its_step);
    tcase_add_test(cases, test_a_suspended_domain_is_left_alone);
    tcase_add_test(cases, test_watchdog_and_unknown_reasons_destroy);
    tcase_add_test(cases, test_a_config_becomes_the_spec_the_toolstack_builds);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(xl_lifecycle_suite)
