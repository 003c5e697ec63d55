/*
 * Runstate accounting (see pvmon/runstate.h): this file owns the
 * per-state times of a vCPU and the order in which the guest's copy is
 * rewritten.  The rules it keeps:
 *
 * - a change charges now - state_entry_time to the state being left and
 *   moves state_entry_time to now only when that difference is positive;
 *   otherwise the entry time stays (Xen's vcpu_runstate_change,
 *   xen/common/sched/core.c), and a change to the current state is a
 *   no-op (ditto);
 * - a snapshot adds the current state's time so far, again only when
 *   positive (Xen's vcpu_runstate_get, same file);
 * - the guest's copy is rewritten under XEN_RUNSTATE_UPDATE when the
 *   guest asked for VMASST_TYPE_runstate_update_flag, setting and clearing
 *   the flag with a write of the single byte that holds bit 63 (Xen's
 *   update_runstate_area, xen/arch/x86/domain.c; flag defined in Xen
 *   public vcpu.h);
 * - what reaches the guest is built field by field in a zeroed structure,
 *   so no padding bytes of the hypervisor's memory leak out.
 */
#include <pvmon/errno.h>
#include <pvmon/runstate.h>
#include <pvmon/string.h>

#define RUNSTATE_COUNT 4
#define UPDATE_FLAG_BYTE_OFFSET (offsetof(struct vcpu_runstate_info, state_entry_time) + 7)

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "bit 63 of state_entry_time is in its last byte");
_Static_assert(RUNSTATE_offline == RUNSTATE_COUNT - 1, "RUNSTATE_* values are 0 to 3");
_Static_assert(sizeof(((struct vcpu_runstate_info *) 0)->time) / sizeof(uint64_t) == RUNSTATE_COUNT,
               "one time per state");

static bool state_is_valid(int state)
{
    return state >= RUNSTATE_running && state <= RUNSTATE_offline;
}

void runstate_init(struct vcpu_runstate_info *runstate, uint64_t now_ns)
{
    memset(runstate, 0, sizeof(*runstate));
    runstate->state = RUNSTATE_offline;
    runstate->state_entry_time = now_ns;
}

int runstate_change(struct vcpu_runstate_info *runstate, int new_state, uint64_t now_ns)
{
    if (!state_is_valid(new_state))
        return -XEN_EINVAL;
    if (new_state == runstate->state)
        return 0;
    if (now_ns > runstate->state_entry_time) {
        runstate->time[runstate->state] += now_ns - runstate->state_entry_time;
        runstate->state_entry_time = now_ns;
    }
    runstate->state = new_state;
    return 0;
}

static struct vcpu_runstate_info copy_without_padding(const struct vcpu_runstate_info *runstate)
{
    struct vcpu_runstate_info copy;

    memset(&copy, 0, sizeof(copy));
    copy.state = runstate->state;
    copy.state_entry_time = runstate->state_entry_time;
    for (unsigned int state = 0; state < RUNSTATE_COUNT; state++)
        copy.time[state] = runstate->time[state];
    return copy;
}

struct vcpu_runstate_info runstate_snapshot(const struct vcpu_runstate_info *runstate, uint64_t now_ns)
{
    struct vcpu_runstate_info snapshot = copy_without_padding(runstate);

    if (now_ns > snapshot.state_entry_time)
        snapshot.time[snapshot.state] += now_ns - snapshot.state_entry_time;
    return snapshot;
}

static void write_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static uint8_t update_flag_byte(uint64_t state_entry_time)
{
    return (uint8_t) (state_entry_time >> 56);
}

static int first_failure(int earlier, int later)
{
    return earlier != 0 ? earlier : later;
}

int runstate_publish(const struct vcpu_runstate_info *runstate, bool update_flag,
                     runstate_write_function write, void *context)
{
    struct vcpu_runstate_info guest_view = copy_without_padding(runstate);
    uint8_t flag_byte;
    int result;

    if (!update_flag)
        return write(context, 0, &guest_view, sizeof(guest_view));

    guest_view.state_entry_time |= XEN_RUNSTATE_UPDATE;
    flag_byte = update_flag_byte(guest_view.state_entry_time);
    result = write(context, UPDATE_FLAG_BYTE_OFFSET, &flag_byte, 1);
    write_barrier();
    result = first_failure(result, write(context, 0, &guest_view, sizeof(guest_view)));
    write_barrier();
    flag_byte = update_flag_byte(guest_view.state_entry_time & ~XEN_RUNSTATE_UPDATE);
    return first_failure(result, write(context, UPDATE_FLAG_BYTE_OFFSET, &flag_byte, 1));
}
