/*
 * Tests of common/scheduler_policy.c: the proportional-share scheduler
 * that shares one CPU among domains.  Shares are measured by simulating a
 * CPU in fixed simulated time: whatever scheduler_pick_next chooses runs
 * until its slice ends (or, for an entity that re-enters the hypervisor
 * often, until its next hypercall), is accounted, and the scheduler picks
 * again.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/scheduler_policy.h>

#include "suites.h"

#define MILLISECOND UINT64_C(1000000)
#define SECOND (1000 * MILLISECOND)
#define MAX_ENTITIES 4

/* Shares over a simulated second may differ from the ideal by this much. */
#define SHARE_TOLERANCE (20 * MILLISECOND)

struct simulation {
    struct scheduler scheduler;
    struct scheduler_entity entities[MAX_ENTITIES];
    uint64_t burst_ns[MAX_ENTITIES]; /* runs at most this long per pick; 0: the whole slice */
    uint64_t ran_ns[MAX_ENTITIES];
    uint64_t idle_ns;
    uint64_t now_ns;
};

static void simulation_init(struct simulation *simulation, unsigned int count, const unsigned int weights[])
{
    memset(simulation, 0, sizeof(*simulation));
    scheduler_init(&simulation->scheduler);
    for (unsigned int index = 0; index < count; index++) {
        struct scheduler_entity *entity = &simulation->entities[index];

        ck_assert_int_eq(scheduler_add(&simulation->scheduler, entity, weights[index]), 0);
    }
}

static unsigned int index_of(const struct simulation *simulation, const struct scheduler_entity *entity)
{
    return (unsigned int) (entity - simulation->entities);
}

static uint64_t smallest(uint64_t first, uint64_t second)
{
    return first < second ? first : second;
}

static void run_for(struct simulation *simulation, uint64_t duration_ns)
{
    uint64_t end_ns = simulation->now_ns + duration_ns;

    while (simulation->now_ns < end_ns) {
        uint64_t slice_ns;
        struct scheduler_entity *next =
            scheduler_pick_next(&simulation->scheduler, simulation->now_ns, &slice_ns);
        uint64_t ran_ns;

        if (next == NULL) {
            simulation->idle_ns += end_ns - simulation->now_ns;
            simulation->now_ns = end_ns;
            return;
        }
        ran_ns = smallest(slice_ns, end_ns - simulation->now_ns);
        if (simulation->burst_ns[index_of(simulation, next)] != 0)
            ran_ns = smallest(ran_ns, simulation->burst_ns[index_of(simulation, next)]);
        scheduler_account(&simulation->scheduler, next, ran_ns);
        simulation->ran_ns[index_of(simulation, next)] += ran_ns;
        simulation->now_ns += ran_ns;
    }
}

static void assert_near(uint64_t measured_ns, uint64_t expected_ns)
{
    uint64_t difference = measured_ns > expected_ns ? measured_ns - expected_ns : expected_ns - measured_ns;

    ck_assert_msg(difference <= SHARE_TOLERANCE, "ran %llu ns, expected %llu ns",
                  (unsigned long long) measured_ns, (unsigned long long) expected_ns);
}

static struct scheduler_entity *pick(struct simulation *simulation, uint64_t now_ns)
{
    uint64_t slice_ns;

    return scheduler_pick_next(&simulation->scheduler, now_ns, &slice_ns);
}

START_TEST(test_equal_weights_share_the_cpu_half_and_half)
{
    static const unsigned int weights[] = { SCHEDULER_DEFAULT_WEIGHT, SCHEDULER_DEFAULT_WEIGHT };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    run_for(&simulation, SECOND);
    assert_near(simulation.ran_ns[0], SECOND / 2);
    assert_near(simulation.ran_ns[1], SECOND / 2);
    ck_assert_uint_eq(simulation.idle_ns, 0);
}
END_TEST

START_TEST(test_weights_two_to_one_share_the_cpu_two_to_one)
{
    static const unsigned int weights[] = { 512, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    run_for(&simulation, SECOND);
    assert_near(simulation.ran_ns[0], 2 * SECOND / 3);
    assert_near(simulation.ran_ns[1], SECOND / 3);
}
END_TEST

START_TEST(test_three_equal_weights_share_the_cpu_in_thirds)
{
    static const unsigned int weights[] = { 256, 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 3, weights);
    run_for(&simulation, SECOND);
    for (unsigned int index = 0; index < 3; index++)
        assert_near(simulation.ran_ns[index], SECOND / 3);
}
END_TEST

START_TEST(test_blocked_entity_is_never_picked_and_the_other_gets_everything)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    run_for(&simulation, SECOND);
    ck_assert_uint_eq(simulation.ran_ns[0], SECOND);
    ck_assert_uint_eq(simulation.ran_ns[1], 0);
}
END_TEST

START_TEST(test_spinning_idle_loop_takes_as_much_as_a_compute_loop)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    simulation.burst_ns[1] = MILLISECOND;
    run_for(&simulation, SECOND);
    assert_near(simulation.ran_ns[0], SECOND / 2);
    assert_near(simulation.ran_ns[1], SECOND / 2);
}
END_TEST

START_TEST(test_blocked_entity_earns_no_more_than_the_credit_limit)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    run_for(&simulation, SECOND);
    ck_assert_int_eq(simulation.entities[1].credit_ns, SCHEDULER_CREDIT_LIMIT_NS);
    ck_assert_int_ge(simulation.entities[0].credit_ns, -SCHEDULER_CREDIT_LIMIT_NS);
}
END_TEST

START_TEST(test_woken_entity_catches_up_by_no_more_than_the_credit_limit)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    run_for(&simulation, SECOND);
    scheduler_wake(&simulation.scheduler, &simulation.entities[1]);
    run_for(&simulation, SECOND);
    ck_assert_uint_gt(simulation.ran_ns[1], SECOND / 2);
    ck_assert_uint_le(simulation.ran_ns[1],
                      SECOND / 2 + (uint64_t) SCHEDULER_CREDIT_LIMIT_NS + SCHEDULER_DEFAULT_SLICE_NS);
}
END_TEST

START_TEST(test_entity_with_credit_runs_before_one_without)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_account(&simulation.scheduler, &simulation.entities[0], SCHEDULER_REFILL_PERIOD_NS);
    ck_assert_int_le(simulation.entities[0].credit_ns, 0);
    ck_assert_int_gt(simulation.entities[1].credit_ns, 0);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[1]);
}
END_TEST

START_TEST(test_entities_of_one_class_take_turns_slice_by_slice)
{
    static const unsigned int weights[] = { 256, 256, 256 };
    struct simulation simulation;
    uint64_t now_ns = 0;

    simulation_init(&simulation, 3, weights);
    for (unsigned int turn = 0; turn < 6; turn++) {
        ck_assert_ptr_eq(pick(&simulation, now_ns), &simulation.entities[turn % 3]);
        now_ns += SCHEDULER_DEFAULT_SLICE_NS;
    }
}
END_TEST

START_TEST(test_yield_moves_the_yielder_behind_the_others)
{
    static const unsigned int weights[] = { 256, 256, 256 };
    struct simulation simulation;
    uint64_t yielded_at = MILLISECOND;

    simulation_init(&simulation, 3, weights);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    scheduler_yield(&simulation.scheduler, &simulation.entities[0]);
    ck_assert_ptr_eq(pick(&simulation, yielded_at), &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, yielded_at + SCHEDULER_DEFAULT_SLICE_NS), &simulation.entities[2]);
    ck_assert_ptr_eq(pick(&simulation, yielded_at + 2 * SCHEDULER_DEFAULT_SLICE_NS), &simulation.entities[0]);
}
END_TEST

START_TEST(test_entity_reentering_before_its_slice_ends_keeps_the_rest_of_it)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;
    uint64_t slice_ns;

    simulation_init(&simulation, 2, weights);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    ck_assert_ptr_eq(scheduler_pick_next(&simulation.scheduler, 4 * MILLISECOND, &slice_ns),
                     &simulation.entities[0]);
    ck_assert_uint_eq(slice_ns, SCHEDULER_DEFAULT_SLICE_NS - 4 * MILLISECOND);
}
END_TEST

START_TEST(test_wake_puts_a_blocked_entity_back_in_the_queue)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    ck_assert_ptr_eq(pick(&simulation, SCHEDULER_DEFAULT_SLICE_NS), &simulation.entities[0]);
    scheduler_wake(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_int_eq(simulation.entities[1].state, SCHEDULER_RUNNABLE);
    ck_assert_ptr_eq(pick(&simulation, 2 * SCHEDULER_DEFAULT_SLICE_NS), &simulation.entities[1]);
}
END_TEST

START_TEST(test_wake_asks_for_a_reschedule_when_the_cpu_is_idle)
{
    static const unsigned int weights[] = { 256 };
    struct simulation simulation;

    simulation_init(&simulation, 1, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[0]);
    ck_assert_ptr_null(pick(&simulation, 0));
    ck_assert(scheduler_wake(&simulation.scheduler, &simulation.entities[0]));
}
END_TEST

START_TEST(test_wake_asks_for_a_reschedule_if_only_the_woken_has_credit)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    ck_assert(!scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    scheduler_account(&simulation.scheduler, &simulation.entities[0], SCHEDULER_REFILL_PERIOD_NS);
    ck_assert(scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
}
END_TEST

START_TEST(test_a_woken_entity_with_credit_preempts_a_running_one_with_credit)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    simulation.entities[0].credit_ns = 5 * MILLISECOND;
    simulation.entities[1].credit_ns = 5 * MILLISECOND;
    ck_assert(scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    ck_assert_ptr_eq(pick(&simulation, MILLISECOND), &simulation.entities[1]);
}
END_TEST

START_TEST(test_a_preemption_waits_until_the_running_entity_has_had_the_rate_limit)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;
    uint64_t slice_ns;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    simulation.entities[0].credit_ns = 5 * MILLISECOND;
    simulation.entities[1].credit_ns = 5 * MILLISECOND;
    ck_assert(scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    ck_assert_ptr_eq(scheduler_pick_next(&simulation.scheduler, SCHEDULER_RATELIMIT_NS / 4, &slice_ns),
                     &simulation.entities[0]);
    ck_assert_uint_eq(slice_ns, SCHEDULER_RATELIMIT_NS - SCHEDULER_RATELIMIT_NS / 4);
    ck_assert_ptr_eq(pick(&simulation, SCHEDULER_RATELIMIT_NS), &simulation.entities[1]);
}
END_TEST

START_TEST(test_the_rate_limit_keeps_no_one_waiting_after_a_yield)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    simulation.entities[0].credit_ns = 5 * MILLISECOND;
    simulation.entities[1].credit_ns = 5 * MILLISECOND;
    ck_assert(scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    scheduler_yield(&simulation.scheduler, &simulation.entities[0]);
    ck_assert_ptr_eq(pick(&simulation, SCHEDULER_RATELIMIT_NS / 4), &simulation.entities[1]);
}
END_TEST

START_TEST(test_the_rate_limit_leaves_the_slice_alone_when_no_one_outranks)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;
    uint64_t slice_ns;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    ck_assert_ptr_eq(scheduler_pick_next(&simulation.scheduler, SCHEDULER_RATELIMIT_NS / 4, &slice_ns),
                     &simulation.entities[0]);
    ck_assert_uint_eq(slice_ns, SCHEDULER_DEFAULT_SLICE_NS - SCHEDULER_RATELIMIT_NS / 4);
}
END_TEST

START_TEST(test_a_woken_entity_without_credit_waits_for_the_slice_to_end)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    simulation.entities[0].credit_ns = 5 * MILLISECOND;
    simulation.entities[1].credit_ns = -5 * (int64_t) MILLISECOND;
    ck_assert(!scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    ck_assert_ptr_eq(pick(&simulation, MILLISECOND), &simulation.entities[0]);
}
END_TEST

START_TEST(test_a_boosted_entity_does_not_preempt_another_boosted_one)
{
    static const unsigned int weights[] = { 256, 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 3, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    scheduler_block(&simulation.scheduler, &simulation.entities[2]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    for (unsigned int index = 0; index < 3; index++)
        simulation.entities[index].credit_ns = 5 * MILLISECOND;
    ck_assert(scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    ck_assert_ptr_eq(pick(&simulation, MILLISECOND), &simulation.entities[1]);
    ck_assert(!scheduler_wake(&simulation.scheduler, &simulation.entities[2]));
    ck_assert_ptr_eq(pick(&simulation, 2 * MILLISECOND), &simulation.entities[1]);
}
END_TEST

START_TEST(test_the_boost_ends_when_the_entity_leaves_the_cpu)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    simulation.entities[0].credit_ns = 20 * MILLISECOND;
    simulation.entities[1].credit_ns = 20 * MILLISECOND;
    scheduler_wake(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, MILLISECOND), &simulation.entities[1]);
    ck_assert_ptr_eq(pick(&simulation, MILLISECOND + SCHEDULER_DEFAULT_SLICE_NS), &simulation.entities[0]);
    ck_assert(!simulation.entities[1].boosted);
}
END_TEST

/* An entity that runs 1 ms, blocks and is woken at once, beside a spinning
 * one: boosted at every wake while it has credit, it still gets no more
 * than its share over a second. */
START_TEST(test_waking_often_earns_no_more_than_the_share)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    while (simulation.now_ns < SECOND) {
        uint64_t slice_ns;
        struct scheduler_entity *next = scheduler_pick_next(&simulation.scheduler, simulation.now_ns, &slice_ns);
        uint64_t ran_ns = next == &simulation.entities[1] ? smallest(slice_ns, MILLISECOND) : slice_ns;

        scheduler_account(&simulation.scheduler, next, ran_ns);
        simulation.ran_ns[index_of(&simulation, next)] += ran_ns;
        simulation.now_ns += ran_ns;
        if (next == &simulation.entities[1]) {
            scheduler_block(&simulation.scheduler, next);
            scheduler_wake(&simulation.scheduler, next);
        }
    }
    ck_assert_uint_le(simulation.ran_ns[1], SECOND / 2 + SHARE_TOLERANCE);
    ck_assert_uint_ge(simulation.ran_ns[0], SECOND / 2 - SHARE_TOLERANCE);
}
END_TEST

START_TEST(test_waking_an_entity_that_is_not_blocked_changes_nothing)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    ck_assert(!scheduler_wake(&simulation.scheduler, &simulation.entities[0]));
    ck_assert(!scheduler_wake(&simulation.scheduler, &simulation.entities[1]));
    ck_assert_int_eq(simulation.entities[0].state, SCHEDULER_RUNNING);
    ck_assert_ptr_eq(pick(&simulation, SCHEDULER_DEFAULT_SLICE_NS), &simulation.entities[1]);
}
END_TEST

START_TEST(test_nothing_runnable_gives_null_and_a_zero_slice)
{
    static const unsigned int weights[] = { 256 };
    struct simulation simulation;
    uint64_t slice_ns = 1;

    simulation_init(&simulation, 0, weights);
    ck_assert_ptr_null(scheduler_pick_next(&simulation.scheduler, 0, &slice_ns));
    ck_assert_uint_eq(slice_ns, 0);
    simulation_init(&simulation, 1, weights);
    scheduler_block(&simulation.scheduler, &simulation.entities[0]);
    ck_assert_ptr_null(pick(&simulation, 0));
}
END_TEST

START_TEST(test_removed_entity_is_never_picked_again)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_remove(&simulation.scheduler, &simulation.entities[1]);
    ck_assert_int_eq(simulation.entities[1].state, SCHEDULER_DETACHED);
    run_for(&simulation, SECOND);
    ck_assert_uint_eq(simulation.ran_ns[0], SECOND);
    ck_assert_uint_eq(simulation.ran_ns[1], 0);
}
END_TEST

START_TEST(test_removing_the_running_entity_leaves_the_cpu_idle)
{
    static const unsigned int weights[] = { 256 };
    struct simulation simulation;

    simulation_init(&simulation, 1, weights);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
    scheduler_remove(&simulation.scheduler, &simulation.entities[0]);
    ck_assert_ptr_null(pick(&simulation, MILLISECOND));
}
END_TEST

START_TEST(test_removed_entity_can_be_added_again)
{
    static const unsigned int weights[] = { 256 };
    struct simulation simulation;

    simulation_init(&simulation, 1, weights);
    scheduler_remove(&simulation.scheduler, &simulation.entities[0]);
    ck_assert_int_eq(scheduler_add(&simulation.scheduler, &simulation.entities[0], 256), 0);
    ck_assert_ptr_eq(pick(&simulation, 0), &simulation.entities[0]);
}
END_TEST

START_TEST(test_paused_entity_is_not_picked_until_unpaused)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_pause(&simulation.scheduler, &simulation.entities[0]);
    run_for(&simulation, SECOND);
    ck_assert_uint_eq(simulation.ran_ns[0], 0);
    scheduler_unpause(&simulation.scheduler, &simulation.entities[0]);
    run_for(&simulation, SECOND);
    ck_assert_uint_gt(simulation.ran_ns[0], 0);
}
END_TEST

START_TEST(test_paused_entity_earns_no_credit)
{
    static const unsigned int weights[] = { 256, 256 };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_pause(&simulation.scheduler, &simulation.entities[0]);
    run_for(&simulation, SECOND);
    ck_assert_int_eq(simulation.entities[0].credit_ns, 0);
}
END_TEST

START_TEST(test_weight_out_of_range_is_refused)
{
    struct scheduler scheduler;
    struct scheduler_entity entity;

    memset(&entity, 0, sizeof(entity));
    scheduler_init(&scheduler);
    ck_assert_int_eq(scheduler_add(&scheduler, &entity, 0), -XEN_EINVAL);
    ck_assert_int_eq(scheduler_add(&scheduler, &entity, SCHEDULER_MAX_WEIGHT + 1), -XEN_EINVAL);
    ck_assert_int_eq(scheduler_add(&scheduler, &entity, SCHEDULER_MAX_WEIGHT), 0);
}
END_TEST

START_TEST(test_has_runnable_is_false_for_an_empty_scheduler)
{
    struct scheduler scheduler;

    scheduler_init(&scheduler);
    ck_assert(!scheduler_has_runnable(&scheduler));
}
END_TEST

START_TEST(test_has_runnable_ignores_the_running_and_the_blocked)
{
    struct scheduler scheduler;
    struct scheduler_entity first;
    struct scheduler_entity second;
    uint64_t slice_ns;

    memset(&first, 0, sizeof(first));
    memset(&second, 0, sizeof(second));
    scheduler_init(&scheduler);
    ck_assert_int_eq(scheduler_add(&scheduler, &first, 256), 0);
    ck_assert_int_eq(scheduler_add(&scheduler, &second, 256), 0);
    ck_assert(scheduler_has_runnable(&scheduler));
    scheduler_block(&scheduler, &second);
    ck_assert_ptr_eq(scheduler_pick_next(&scheduler, 0, &slice_ns), &first);
    ck_assert(!scheduler_has_runnable(&scheduler));
    scheduler_wake(&scheduler, &second);
    ck_assert(scheduler_has_runnable(&scheduler));
}
END_TEST

START_TEST(test_adding_an_attached_entity_again_is_refused)
{
    static const unsigned int weights[] = { 256 };
    struct simulation simulation;

    simulation_init(&simulation, 1, weights);
    ck_assert_int_eq(scheduler_add(&simulation.scheduler, &simulation.entities[0], 256), -XEN_EEXIST);
}
END_TEST

START_TEST(test_configured_slice_is_handed_out)
{
    static const unsigned int weights[] = { 256 };
    struct simulation simulation;
    uint64_t slice_ns;

    simulation_init(&simulation, 1, weights);
    ck_assert_int_eq(scheduler_set_slice(&simulation.scheduler, 0), -XEN_EINVAL);
    ck_assert_int_eq(scheduler_set_slice(&simulation.scheduler, 3 * MILLISECOND), 0);
    scheduler_pick_next(&simulation.scheduler, 0, &slice_ns);
    ck_assert_uint_eq(slice_ns, 3 * MILLISECOND);
}
END_TEST

START_TEST(test_accounting_an_enormous_run_keeps_credit_within_limits)
{
    static const unsigned int weights[] = { 1, SCHEDULER_MAX_WEIGHT };
    struct simulation simulation;

    simulation_init(&simulation, 2, weights);
    scheduler_account(&simulation.scheduler, &simulation.entities[0], UINT64_MAX);
    ck_assert_int_eq(simulation.entities[0].credit_ns, SCHEDULER_CREDIT_LIMIT_NS);
    ck_assert_int_eq(simulation.entities[1].credit_ns, SCHEDULER_CREDIT_LIMIT_NS);
}
END_TEST

Suite *scheduler_policy_suite(void)
{
    Suite *suite = suite_create("scheduler_policy");
    TCase *cases = tcase_create("scheduler_policy");

    tcase_add_test(cases, test_equal_weights_share_the_cpu_half_and_half);
    tcase_add_test(cases, test_weights_two_to_one_share_the_cpu_two_to_one);
    tcase_add_test(cases, test_three_equal_weights_share_the_cpu_in_thirds);
    tcase_add_test(cases, test_blocked_entity_is_never_picked_and_the_other_gets_everything);
    tcase_add_test(cases, test_spinning_idle_loop_takes_as_much_as_a_compute_loop);
    tcase_add_test(cases, test_blocked_entity_earns_no_more_than_the_credit_limit);
    tcase_add_test(cases, test_woken_entity_catches_up_by_no_more_than_the_credit_limit);
    tcase_add_test(cases, test_entity_with_credit_runs_before_one_without);
    tcase_add_test(cases, test_entities_of_one_class_take_turns_slice_by_slice);
    tcase_add_test(cases, test_yield_moves_the_yielder_behind_the_others);
    tcase_add_test(cases, test_entity_reentering_before_its_slice_ends_keeps_the_rest_of_it);
    tcase_add_test(cases, test_wake_puts_a_blocked_entity_back_in_the_queue);
    tcase_add_test(cases, test_wake_asks_for_a_reschedule_when_the_cpu_is_idle);
    tcase_add_test(cases, test_wake_asks_for_a_reschedule_if_only_the_woken_has_credit);
    tcase_add_test(cases, test_a_woken_entity_with_credit_preempts_a_running_one_with_credit);
    tcase_add_test(cases, test_a_preemption_waits_until_the_running_entity_has_had_the_rate_limit);
    tcase_add_test(cases, test_the_rate_limit_keeps_no_one_waiting_after_a_yield);
    tcase_add_test(cases, test_the_rate_limit_leaves_the_slice_alone_when_no_one_outranks);
    tcase_add_test(cases, test_a_woken_entity_without_credit_waits_for_the_slice_to_end);
    tcase_add_test(cases, test_a_boosted_entity_does_not_preempt_another_boosted_one);
    tcase_add_test(cases, test_the_boost_ends_when_the_entity_leaves_the_cpu);
    tcase_add_test(cases, test_waking_often_earns_no_more_than_the_share);
    tcase_add_test(cases, test_waking_an_entity_that_is_not_blocked_changes_nothing);
    tcase_add_test(cases, test_nothing_runnable_gives_null_and_a_zero_slice);
    tcase_add_test(cases, test_removed_entity_is_never_picked_again);
    tcase_add_test(cases, test_removing_the_running_entity_leaves_the_cpu_idle);
    tcase_add_test(cases, test_removed_entity_can_be_added_again);
    tcase_add_test(cases, test_paused_entity_is_not_picked_until_unpaused);
    tcase_add_test(cases, test_paused_entity_earns_no_credit);
    tcase_add_test(cases, test_weight_out_of_range_is_refused);
    tcase_add_test(cases, test_adding_an_attached_entity_again_is_refused);
    tcase_add_test(cases, test_has_runnable_is_false_for_an_empty_scheduler);
    tcase_add_test(cases, test_has_runnable_ignores_the_running_and_the_blocked);
    tcase_add_test(cases, test_configured_slice_is_handed_out);
    tcase_add_test(cases, test_accounting_an_enormous_run_keeps_credit_within_limits);
    suite_add_tcase(suite, cases);
    return suite;
}

REGISTER_SUITE(scheduler_policy_suite)
