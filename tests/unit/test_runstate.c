/*
 * Tests of common/runstate.c: per-state time accounting and the order in
 * which the guest's copy is rewritten.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/runstate.h>

#include "suites.h"

static uint64_t time_sum(const struct vcpu_runstate_info *runstate)
{
    return runstate->time[0] + runstate->time[1] + runstate->time[2] + runstate->time[3];
}

START_TEST(test_new_vcpu_is_offline_with_no_time)
{
    struct vcpu_runstate_info runstate;

    runstate_init(&runstate, 500);
    ck_assert_int_eq(runstate.state, RUNSTATE_offline);
    ck_assert_uint_eq(runstate.state_entry_time, 500);
    ck_assert_uint_eq(time_sum(&runstate), 0);
}
END_TEST

START_TEST(test_change_charges_elapsed_time_to_the_state_left)
{
    struct vcpu_runstate_info runstate;

    runstate_init(&runstate, 100);
    ck_assert_int_eq(runstate_change(&runstate, RUNSTATE_running, 250), 0);
    ck_assert_int_eq(runstate_change(&runstate, RUNSTATE_blocked, 1250), 0);
    ck_assert_int_eq(runstate_change(&runstate, RUNSTATE_runnable, 1300), 0);
    ck_assert_int_eq(runstate_change(&runstate, RUNSTATE_running, 1310), 0);
    ck_assert_uint_eq(runstate.time[RUNSTATE_offline], 150);
    ck_assert_uint_eq(runstate.time[RUNSTATE_running], 1000);
    ck_assert_uint_eq(runstate.time[RUNSTATE_blocked], 50);
    ck_assert_uint_eq(runstate.time[RUNSTATE_runnable], 10);
    ck_assert_int_eq(runstate.state, RUNSTATE_running);
    ck_assert_uint_eq(runstate.state_entry_time, 1310);
}
END_TEST

START_TEST(test_times_always_sum_to_elapsed_time)
{
    static const int states[] = { RUNSTATE_running, RUNSTATE_runnable, RUNSTATE_running, RUNSTATE_blocked,
                                  RUNSTATE_running, RUNSTATE_offline, RUNSTATE_runnable, RUNSTATE_running };
    struct vcpu_runstate_info runstate, snapshot;
    uint64_t now = 1000;

    runstate_init(&runstate, now);
    for (unsigned int step = 0; step < 200; step++) {
        now += 1 + (step * 7919) % 1000;
        ck_assert_int_eq(runstate_change(&runstate, states[step % 8], now), 0);
        ck_assert_uint_eq(time_sum(&runstate), runstate.state_entry_time - 1000);
        snapshot = runstate_snapshot(&runstate, now);
        ck_assert_uint_eq(time_sum(&snapshot), now - 1000);
    }
}
END_TEST

START_TEST(test_change_to_the_current_state_changes_nothing)
{
    struct vcpu_runstate_info runstate;

    runstate_init(&runstate, 0);
    runstate_change(&runstate, RUNSTATE_running, 10);
    ck_assert_int_eq(runstate_change(&runstate, RUNSTATE_running, 40), 0);
    ck_assert_uint_eq(runstate.state_entry_time, 10);
    ck_assert_uint_eq(runstate.time[RUNSTATE_running], 0);
}
END_TEST

START_TEST(test_time_going_backwards_charges_nothing_and_keeps_entry_time)
{
    struct vcpu_runstate_info runstate;

    runstate_init(&runstate, 0);
    runstate_change(&runstate, RUNSTATE_running, 100);
    ck_assert_int_eq(runstate_change(&runstate, RUNSTATE_blocked, 60), 0);
    ck_assert_int_eq(runstate.state, RUNSTATE_blocked);
    ck_assert_uint_eq(runstate.state_entry_time, 100);
    ck_assert_uint_eq(runstate.time[RUNSTATE_running], 0);
    runstate_change(&runstate, RUNSTATE_running, 130);
    ck_assert_uint_eq(runstate.time[RUNSTATE_blocked], 30);
    ck_assert_uint_eq(time_sum(&runstate), 130);
}
END_TEST

START_TEST(test_change_to_an_unknown_state_is_refused_and_changes_nothing)
{
    struct vcpu_runstate_info runstate;

    runstate_init(&runstate, 0);
    ck_assert_int_eq(runstate_change(&runstate, 4, 10), -XEN_EINVAL);
    ck_assert_int_eq(runstate_change(&runstate, -1, 10), -XEN_EINVAL);
    ck_assert_int_eq(runstate.state, RUNSTATE_offline);
    ck_assert_uint_eq(runstate.state_entry_time, 0);
}
END_TEST

START_TEST(test_snapshot_includes_current_state_time_so_far)
{
    struct vcpu_runstate_info runstate, snapshot;

    runstate_init(&runstate, 0);
    runstate_change(&runstate, RUNSTATE_running, 100);
    snapshot = runstate_snapshot(&runstate, 175);
    ck_assert_uint_eq(snapshot.time[RUNSTATE_running], 75);
    ck_assert_uint_eq(snapshot.time[RUNSTATE_offline], 100);
    ck_assert_uint_eq(snapshot.state_entry_time, 100);
    ck_assert_uint_eq(runstate.time[RUNSTATE_running], 0);
}
END_TEST

START_TEST(test_snapshot_before_entry_time_adds_nothing)
{
    struct vcpu_runstate_info runstate, snapshot;

    runstate_init(&runstate, 0);
    runstate_change(&runstate, RUNSTATE_running, 100);
    snapshot = runstate_snapshot(&runstate, 90);
    ck_assert_uint_eq(snapshot.time[RUNSTATE_running], 0);
}
END_TEST

/* A fake guest area that records what the guest could see after each write. */
struct fake_guest_area {
    struct vcpu_runstate_info area;
    uint64_t entry_time_after_write[8];
    unsigned int write_count;
    int fail_on_write; /* 1-based write number that fails, or 0 */
};

static int write_fake_guest_area(void *context, size_t offset, const void *source, size_t length)
{
    struct fake_guest_area *guest = context;

    ck_assert_uint_le(offset + length, sizeof(guest->area));
    guest->write_count++;
    if ((int) guest->write_count == guest->fail_on_write)
        return -XEN_EFAULT;
    memcpy((char *) &guest->area + offset, source, length);
    guest->entry_time_after_write[guest->write_count - 1] = guest->area.state_entry_time;
    return 0;
}

static struct vcpu_runstate_info sample_runstate(void)
{
    struct vcpu_runstate_info runstate;

    runstate_init(&runstate, 1000);
    runstate_change(&runstate, RUNSTATE_running, 3000);
    runstate_change(&runstate, RUNSTATE_blocked, 7000);
    return runstate;
}

START_TEST(test_publish_without_update_flag_writes_the_structure_once)
{
    struct vcpu_runstate_info runstate = sample_runstate();
    struct fake_guest_area guest = { .fail_on_write = 0 };

    ck_assert_int_eq(runstate_publish(&runstate, false, write_fake_guest_area, &guest), 0);
    ck_assert_uint_eq(guest.write_count, 1);
    ck_assert_int_eq(memcmp(&guest.area, &runstate, sizeof(runstate)), 0);
}
END_TEST

START_TEST(test_publish_with_update_flag_sets_the_flag_first_and_clears_it_last)
{
    struct vcpu_runstate_info runstate = sample_runstate();
    struct fake_guest_area guest = { .fail_on_write = 0 };

    guest.area.state_entry_time = 42;
    ck_assert_int_eq(runstate_publish(&runstate, true, write_fake_guest_area, &guest), 0);
    ck_assert_uint_eq(guest.write_count, 3);
    ck_assert_uint_eq(guest.entry_time_after_write[0], 42 | XEN_RUNSTATE_UPDATE);
    ck_assert_uint_eq(guest.entry_time_after_write[1], 7000 | XEN_RUNSTATE_UPDATE);
    ck_assert_uint_eq(guest.entry_time_after_write[2], 7000);
    ck_assert_int_eq(memcmp(&guest.area, &runstate, sizeof(runstate)), 0);
}
END_TEST

START_TEST(test_publish_with_update_flag_leaves_the_hypervisor_copy_unflagged)
{
    struct vcpu_runstate_info runstate = sample_runstate();
    struct fake_guest_area guest = { .fail_on_write = 0 };

    runstate_publish(&runstate, true, write_fake_guest_area, &guest);
    ck_assert_uint_eq(runstate.state_entry_time, 7000);
}
END_TEST

START_TEST(test_publish_clears_the_flag_even_when_the_body_write_fails)
{
    struct vcpu_runstate_info runstate = sample_runstate();
    struct fake_guest_area guest = { .fail_on_write = 2 };

    ck_assert_int_eq(runstate_publish(&runstate, true, write_fake_guest_area, &guest), -XEN_EFAULT);
    ck_assert_uint_eq(guest.write_count, 3);
    ck_assert_uint_eq(guest.area.state_entry_time & XEN_RUNSTATE_UPDATE, 0);
}
END_TEST

START_TEST(test_published_copy_has_no_padding_bytes_from_the_hypervisor)
{
    struct vcpu_runstate_info runstate;
    struct fake_guest_area guest = { .fail_on_write = 0 };
    size_t padding_start = offsetof(struct vcpu_runstate_info, state) + sizeof(int);
    size_t padding_end = offsetof(struct vcpu_runstate_info, state_entry_time);

    memset(&runstate, 0xaa, sizeof(runstate));
    runstate_init(&runstate, 0);
    memset((char *) &runstate + padding_start, 0xaa, padding_end - padding_start);
    runstate_publish(&runstate, false, write_fake_guest_area, &guest);
    for (size_t offset = padding_start; offset < padding_end; offset++)
        ck_assert_uint_eq(((unsigned char *) &guest.area)[offset], 0);
}
END_TEST

Suite *runstate_suite(void)
{
    Suite *suite = suite_create("runstate");
    TCase *cases = tcase_create("runstate");

    tcase_add_test(cases, test_new_vcpu_is_offline_with_no_time);
    tcase_add_test(cases, test_change_charges_elapsed_time_to_the_state_left);
    tcase_add_test(cases, test_times_always_sum_to_elapsed_time);
    tcase_add_test(cases, test_change_to_the_current_state_changes_nothing);
    tcase_add_test(cases, test_time_going_backwards_charges_nothing_and_keeps_entry_time);
    tcase_add_test(cases, test_change_to_an_unknown_state_is_refused_and_changes_nothing);
    tcase_add_test(cases, test_snapshot_includes_current_state_time_so_far);
    tcase_add_test(cases, test_snapshot_before_entry_time_adds_nothing);
    tcase_add_test(cases, test_publish_without_update_flag_writes_the_structure_once);
    tcase_add_test(cases, test_publish_with_update_flag_sets_the_flag_first_and_clears_it_last);
    tcase_add_test(cases, test_publish_with_update_flag_leaves_the_hypervisor_copy_unflagged);
    tcase_add_test(cases, test_publish_clears_the_flag_even_when_the_body_write_fails);
    tcase_add_test(cases, test_published_copy_has_no_padding_bytes_from_the_hypervisor);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(runstate_suite)
