/*
 * The kernel's registered runstate area (see runstate_area.h).  The area
 * is written by the hypervisor behind the compiler's back: it is read
 * through a volatile pointer, field by field, once.
 */
#include <stdbool.h>
#include <stdint.h>
#include <guest/hypercall.h>
#include "runstate_area.h"

static struct vcpu_runstate_info area;
static bool registered;

static int register_area(void)
{
    struct vcpu_register_runstate_memory_area request = { 0 };
    long result;

    request.addr.v = &area;
    result = hypercall_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &request);
    if (result != 0)
        return (int)result;
    registered = true;
    return 0;
}

static struct runstate_view view_of(const volatile struct vcpu_runstate_info *runstate)
{
    struct runstate_view view = { .state = runstate->state, .state_entry_time = runstate->state_entry_time };

    for (unsigned int state = 0; state < RUNSTATE_VIEW_STATES; state++)
        view.time[state] = runstate->time[state];
    return view;
}

int runstate_area_read(struct runstate_views *views)
{
    struct vcpu_runstate_info answer = { 0 };
    long result;
    int error;

    if (!registered && (error = register_area()) != 0)
        return error;
    views->area = view_of(&area);
    if ((result = hypercall_get_runstate_info(&answer)) != 0)
        return (int)result;
    views->hypervisor = view_of(&answer);
    return 0;
}
