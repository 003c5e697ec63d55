/*
 * The proportional-share CPU scheduler (see pvmon/scheduler_policy.h).
 *
 * Rules kept, with what they take from Xen's credit scheduler
 * (xen/common/sched/credit.c):
 *
 * - Weights run from 1 to 65535, 256 by default (CSCHED_DEFAULT_WEIGHT,
 *   and the 16-bit weight of xen_domctl_sched_credit).
 * - Credit is earned per accounting period in proportion to weight
 *   (csched_acct's credit_fair) and burnt by running (burn_credits).  Here
 *   the period is 30 ms of accounted running time rather than a wall-clock
 *   timer, and blocked entities earn too, so that one waking after a wait
 *   finds credit and runs ahead of busy ones.
 * - Credit stays within one period either way (csched_acct bounds it by
 *   credits_per_tslice: the lower bound as here, the upper one by parking
 *   the vCPU and halving its credit).
 * - BOOST runs before UNDER (credit > 0), which runs before OVER.  An
 *   entity woken from a block with credit left is boosted (csched_vcpu_wake
 *   with its sleep-to-wake boost) and preempts a running entity that is
 *   not boosted (runq_tickle: the woken one's priority is higher), so a
 *   domain waiting for a timer or an event gets the CPU at once instead of
 *   after a busy neighbour's slice.  The boost ends when the entity leaves
 *   the CPU (Xen ends it at the next accounting tick, at most a slice
 *   later); it needs credit, so blocking and waking again never earns an
 *   entity more than its share.  Xen's periodic run-queue sort is left
 *   out, the class being read at each pick instead.
 * - Rate limit (Xen's sched_ratelimit_us, 1 ms by default, in
 *   csched_schedule): an entity switched in less than
 *   SCHEDULER_RATELIMIT_NS ago is not preempted; its slice is cut to end
 *   when that time is up, and the entity that outranks it runs then.  A
 *   domain sending an event (a frontend posting a request) so goes on to
 *   its next request or to its block instead of switching twice per
 *   event: over a PV disk's one-request-at-a-time reads, one switch each
 *   way per 64 KiB instead of three and a half, and a fifth less of the
 *   machine's time per request.
 * - A yielder goes behind every other runnable entity of its class (Xen
 *   also lets one entity of a lower class ahead of it).
 *
 * The run queue holds RUNNABLE entities only; the RUNNING one is out of it
 * until scheduler_pick_next puts it back.
 */
#include <stddef.h>

#include <pvmon/errno.h>
#include <pvmon/scheduler_policy.h>

#define ENTITY_OF(link, field) \
    ((struct scheduler_entity *) ((char *) (link) - offsetof(struct scheduler_entity, field)))

static void list_init(struct scheduler_link *head)
{
    head->previous = head;
    head->next = head;
}

static void list_insert_between(struct scheduler_link *link, struct scheduler_link *previous,
                                struct scheduler_link *next)
{
    link->previous = previous;
    link->next = next;
    previous->next = link;
    next->previous = link;
}

static void list_append(struct scheduler_link *head, struct scheduler_link *link)
{
    list_insert_between(link, head->previous, head);
}

static void list_prepend(struct scheduler_link *head, struct scheduler_link *link)
{
    list_insert_between(link, head, head->next);
}

static void list_unlink(struct scheduler_link *link)
{
    link->previous->next = link->next;
    link->next->previous = link->previous;
    list_init(link);
}

static bool has_credit(const struct scheduler_entity *entity)
{
    return entity->credit_ns > 0;
}

/* Xen's priority classes, highest first. */
static bool outranks_running(const struct scheduler_entity *entity, const struct scheduler_entity *running)
{
    return entity->boosted && !running->boosted;
}

static bool earns_credit(const struct scheduler_entity *entity)
{
    return entity->state != SCHEDULER_PAUSED;
}

static int64_t within_credit_limit(int64_t credit_ns)
{
    if (credit_ns > SCHEDULER_CREDIT_LIMIT_NS)
        return SCHEDULER_CREDIT_LIMIT_NS;
    if (credit_ns < -SCHEDULER_CREDIT_LIMIT_NS)
        return -SCHEDULER_CREDIT_LIMIT_NS;
    return credit_ns;
}

static void make_runnable_at_back(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    entity->state = SCHEDULER_RUNNABLE;
    list_append(&scheduler->run_queue, &entity->queue_link);
}

/* Takes the entity off the CPU or out of the queue, into new_state. */
static void stop_competing(struct scheduler *scheduler, struct scheduler_entity *entity,
                           enum scheduler_state new_state)
{
    if (entity->state == SCHEDULER_RUNNABLE)
        list_unlink(&entity->queue_link);
    if (scheduler->running == entity)
        scheduler->running = NULL;
    entity->boosted = false;
    entity->state = new_state;
}

/* What an entity with share_ns per period earns over periods, saturating
 * once it is enough to take any credit from the lower limit to the upper. */
static uint64_t credit_earned(uint64_t share_ns, uint64_t periods)
{
    uint64_t enough_ns = 2 * (uint64_t) SCHEDULER_CREDIT_LIMIT_NS;

    if (share_ns != 0 && periods > enough_ns / share_ns)
        return enough_ns;
    return share_ns * periods;
}

static uint64_t total_earning_weight(const struct scheduler *scheduler)
{
    uint64_t total_weight = 0;

    for (const struct scheduler_link *link = scheduler->members.next; link != &scheduler->members;
         link = link->next) {
        const struct scheduler_entity *entity = ENTITY_OF(link, member_link);

        if (earns_credit(entity))
            total_weight += entity->weight;
    }
    return total_weight;
}

static void refill_credit(struct scheduler *scheduler, uint64_t periods)
{
    uint64_t total_weight = total_earning_weight(scheduler);

    for (struct scheduler_link *link = scheduler->members.next; link != &scheduler->members;
         link = link->next) {
        struct scheduler_entity *entity = ENTITY_OF(link, member_link);
        uint64_t share_ns;
        int64_t earned_ns;

        if (!earns_credit(entity))
            continue;
        share_ns = SCHEDULER_REFILL_PERIOD_NS * entity->weight / total_weight;
        earned_ns = (int64_t) credit_earned(share_ns, periods);
        entity->credit_ns = within_credit_limit(entity->credit_ns + earned_ns);
    }
}

/* The first entity of the best class (boosted, with credit, without) in
 * queue order, or NULL. */
static struct scheduler_entity *best_runnable(const struct scheduler *scheduler)
{
    struct scheduler_entity *first_with_credit = NULL;
    struct scheduler_entity *first_without_credit = NULL;

    for (struct scheduler_link *link = scheduler->run_queue.next; link != &scheduler->run_queue;
         link = link->next) {
        struct scheduler_entity *entity = ENTITY_OF(link, queue_link);

        if (entity->boosted)
            return entity;
        if (has_credit(entity) && first_with_credit == NULL)
            first_with_credit = entity;
        if (first_without_credit == NULL)
            first_without_credit = entity;
    }
    return first_with_credit != NULL ? first_with_credit : first_without_credit;
}

void scheduler_init(struct scheduler *scheduler)
{
    list_init(&scheduler->members);
    list_init(&scheduler->run_queue);
    scheduler->running = NULL;
    scheduler->running_yielded = false;
    scheduler->slice_ns = SCHEDULER_DEFAULT_SLICE_NS;
    scheduler->slice_end_ns = 0;
    scheduler->accounted_since_refill_ns = 0;
}

int scheduler_set_slice(struct scheduler *scheduler, uint64_t slice_ns)
{
    if (slice_ns == 0)
        return -XEN_EINVAL;
    scheduler->slice_ns = slice_ns;
    return 0;
}

int scheduler_add(struct scheduler *scheduler, struct scheduler_entity *entity, unsigned int weight)
{
    if (weight == 0 || weight > SCHEDULER_MAX_WEIGHT)
        return -XEN_EINVAL;
    if (entity->state != SCHEDULER_DETACHED)
        return -XEN_EEXIST;
    entity->weight = weight;
    entity->credit_ns = 0;
    list_append(&scheduler->members, &entity->member_link);
    make_runnable_at_back(scheduler, entity);
    return 0;
}

void scheduler_remove(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    if (entity->state == SCHEDULER_DETACHED)
        return;
    stop_competing(scheduler, entity, SCHEDULER_DETACHED);
    list_unlink(&entity->member_link);
}

void scheduler_block(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    if (entity->state == SCHEDULER_RUNNABLE || entity->state == SCHEDULER_RUNNING)
        stop_competing(scheduler, entity, SCHEDULER_BLOCKED);
}

bool scheduler_wake(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    const struct scheduler_entity *running = scheduler->running;

    if (entity->state != SCHEDULER_BLOCKED)
        return false;
    make_runnable_at_back(scheduler, entity);
    entity->boosted = has_credit(entity);
    return running == NULL || outranks_running(entity, running) || (has_credit(entity) && !has_credit(running));
}

void scheduler_pause(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    if (entity->state != SCHEDULER_DETACHED)
        stop_competing(scheduler, entity, SCHEDULER_PAUSED);
}

void scheduler_unpause(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    if (entity->state == SCHEDULER_PAUSED)
        make_runnable_at_back(scheduler, entity);
}

bool scheduler_has_runnable(const struct scheduler *scheduler)
{
    return scheduler->run_queue.next != &scheduler->run_queue;
}

void scheduler_yield(struct scheduler *scheduler, struct scheduler_entity *entity)
{
    if (scheduler->running == entity)
        scheduler->running_yielded = true;
}

static int64_t credit_after_burning(int64_t credit_ns, uint64_t ran_ns)
{
    if (ran_ns >= (uint64_t) (credit_ns + SCHEDULER_CREDIT_LIMIT_NS))
        return -SCHEDULER_CREDIT_LIMIT_NS;
    return credit_ns - (int64_t) ran_ns;
}

void scheduler_account(struct scheduler *scheduler, struct scheduler_entity *entity, uint64_t ran_ns)
{
    uint64_t part_period_ns = scheduler->accounted_since_refill_ns + ran_ns % SCHEDULER_REFILL_PERIOD_NS;
    uint64_t periods = ran_ns / SCHEDULER_REFILL_PERIOD_NS + part_period_ns / SCHEDULER_REFILL_PERIOD_NS;

    entity->credit_ns = credit_after_burning(entity->credit_ns, ran_ns);
    scheduler->accounted_since_refill_ns = part_period_ns % SCHEDULER_REFILL_PERIOD_NS;
    if (periods != 0)
        refill_credit(scheduler, periods);
}

/* Xen's ratelimit check: the running entity was switched in less than
 * SCHEDULER_RATELIMIT_NS ago.  If so its slice is cut to end when the limit
 * does, so that the entity it holds back gets the CPU then. */
static bool within_rate_limit(struct scheduler *scheduler, uint64_t now_ns)
{
    uint64_t limit_end_ns = scheduler->running_since_ns + SCHEDULER_RATELIMIT_NS;

    if (now_ns >= limit_end_ns)
        return false;
    if (scheduler->slice_end_ns > limit_end_ns)
        scheduler->slice_end_ns = limit_end_ns;
    return true;
}

struct scheduler_entity *scheduler_pick_next(struct scheduler *scheduler, uint64_t now_ns, uint64_t *slice_ns)
{
    struct scheduler_entity *previous = scheduler->running;
    bool previous_keeps_slice =
        previous != NULL && !scheduler->running_yielded && now_ns < scheduler->slice_end_ns;
    struct scheduler_entity *next;

    if (previous != NULL) {
        previous->state = SCHEDULER_RUNNABLE;
        previous->boosted = previous->boosted && previous_keeps_slice;
        if (previous_keeps_slice)
            list_prepend(&scheduler->run_queue, &previous->queue_link);
        else
            list_append(&scheduler->run_queue, &previous->queue_link);
    }
    scheduler->running = NULL;
    scheduler->running_yielded = false;
    next = best_runnable(scheduler);
    if (next == NULL) {
        *slice_ns = 0;
        return NULL;
    }
    if (next != previous && previous_keeps_slice && within_rate_limit(scheduler, now_ns))
        next = previous;
    list_unlink(&next->queue_link);
    next->state = SCHEDULER_RUNNING;
    scheduler->running = next;
    if (next != previous || !previous_keeps_slice)
        scheduler->slice_end_ns = now_ns + scheduler->slice_ns;
    if (next != previous)
        scheduler->running_since_ns = now_ns;
    *slice_ns = scheduler->slice_end_ns - now_ns;
    return next;
}
