/*
 * How one physical CPU is shared among single-vCPU domains: a
 * proportional-share scheduler in the manner of Xen's credit scheduler
 * (xen/common/sched/credit.c), reduced to one CPU.
 *
 * Each entity has a weight (Xen's default 256) and a credit, counted in
 * nanoseconds of CPU time.  Running burns credit (scheduler_account).
 * After every SCHEDULER_REFILL_PERIOD_NS of accounted time, that period is
 * handed out again as credit to every entity that is not paused, in
 * proportion to weight.  Credit is kept within plus or minus
 * SCHEDULER_CREDIT_LIMIT_NS, so a blocked entity cannot hoard more than
 * that and a busy one cannot sink into unbounded debt.
 *
 * An entity woken with credit left is boosted until it leaves the CPU;
 * boosted entities run first, then those with credit left (UNDER), then
 * those without (OVER); within each class they take turns in queue order,
 * one time slice each.
 * A preemption (a woken entity outranking the running one) waits until the
 * running one has had SCHEDULER_RATELIMIT_NS since it was switched in: its
 * slice is cut to end then.
 * An entity that yields goes behind every other runnable entity; a blocked
 * or paused one is never picked.  When nothing is runnable,
 * scheduler_pick_next returns NULL and the CPU idles.
 *
 * Pure data structures: entities are linked through fields inside them,
 * nothing is allocated, and time comes from the caller.
 */
#ifndef PVMON_SCHEDULER_POLICY_H
#define PVMON_SCHEDULER_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define SCHEDULER_DEFAULT_WEIGHT 256
#define SCHEDULER_MAX_WEIGHT 65535
#define SCHEDULER_DEFAULT_SLICE_NS UINT64_C(10000000)
#define SCHEDULER_REFILL_PERIOD_NS UINT64_C(30000000)
#define SCHEDULER_CREDIT_LIMIT_NS ((int64_t) SCHEDULER_REFILL_PERIOD_NS)
/* Xen's sched_ratelimit_us default (credit1): once switched in, an entity
 * keeps the CPU at least this long unless it blocks, yields or is paused. */
#define SCHEDULER_RATELIMIT_NS UINT64_C(1000000)

enum scheduler_state {
    SCHEDULER_DETACHED, /* not known to any scheduler (zero-initialised) */
    SCHEDULER_RUNNABLE, /* waiting in the run queue */
    SCHEDULER_RUNNING,  /* the one scheduler_pick_next last returned */
    SCHEDULER_BLOCKED,  /* waiting for an event; still earns credit */
    SCHEDULER_PAUSED,   /* held by the hypervisor; earns nothing */
};

struct scheduler_link {
    struct scheduler_link *previous;
    struct scheduler_link *next;
};

struct scheduler_entity {
    struct scheduler_link member_link; /* in scheduler.members while attached */
    struct scheduler_link queue_link;  /* in scheduler.run_queue while RUNNABLE */
    enum scheduler_state state;
    unsigned int weight;
    int64_t credit_ns;
    bool boosted; /* woken with credit: runs before UNDER until it leaves the CPU */
};

struct scheduler {
    struct scheduler_link members;
    struct scheduler_link run_queue;
    struct scheduler_entity *running;
    bool running_yielded;
    uint64_t slice_ns;
    uint64_t slice_end_ns;
    uint64_t running_since_ns; /* when the running entity was switched in */
    uint64_t accounted_since_refill_ns;
};

/* An empty scheduler with the default time slice. */
void scheduler_init(struct scheduler *scheduler);

/* -XEN_EINVAL for a zero slice; applies from the next slice handed out. */
int scheduler_set_slice(struct scheduler *scheduler, uint64_t slice_ns);

/*
 * Attaches a DETACHED (zeroed or removed) entity, runnable, with no
 * credit.  -XEN_EINVAL if weight is 0 or above SCHEDULER_MAX_WEIGHT,
 * -XEN_EEXIST if the entity is attached already.
 */
int scheduler_add(struct scheduler *scheduler, struct scheduler_entity *entity, unsigned int weight);

/* Detaches the entity whatever its state; a detached entity is left alone. */
void scheduler_remove(struct scheduler *scheduler, struct scheduler_entity *entity);

/* A runnable or running entity stops being picked until woken. */
void scheduler_block(struct scheduler *scheduler, struct scheduler_entity *entity);

/*
 * A blocked entity becomes runnable, at the back of the queue, boosted if
 * it has credit left; any other is left alone.  True if the caller should
 * reschedule now: the CPU is idle, the woken entity is boosted and the
 * running one is not, or the woken entity has credit left and the running
 * one has none.
 */
bool scheduler_wake(struct scheduler *scheduler, struct scheduler_entity *entity);

/* The hypervisor holds an attached entity: never picked, earns no credit. */
void scheduler_pause(struct scheduler *scheduler, struct scheduler_entity *entity);

/* A paused entity becomes runnable, at the back of the queue. */
void scheduler_unpause(struct scheduler *scheduler, struct scheduler_entity *entity);

/* Whether any entity waits in the run queue (the running one does not count). */
bool scheduler_has_runnable(const struct scheduler *scheduler);

/* The running entity gives up the rest of its slice at the next pick. */
void scheduler_yield(struct scheduler *scheduler, struct scheduler_entity *entity);

/* The entity ran for ran_ns: its credit burns, and credit is refilled
 * each time another SCHEDULER_REFILL_PERIOD_NS has been accounted. */
void scheduler_account(struct scheduler *scheduler, struct scheduler_entity *entity, uint64_t ran_ns);

/*
 * Chooses what runs from now_ns and for how long (*slice_ns).  The entity
 * that was running goes back into the queue first: at the back if its
 * slice is over or it yielded, otherwise at the front, keeping the rest
 * of its slice if picked again.  NULL, with *slice_ns 0, when nothing is
 * runnable.
 */
struct scheduler_entity *scheduler_pick_next(struct scheduler *scheduler, uint64_t now_ns,
                                             uint64_t *slice_ns);

#endif
