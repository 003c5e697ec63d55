/*
 * The hypercall handlers, one per Xen hypercall number that pvmon
 * implements, as hypercall/dispatch.c calls them: the calling vCPU and the
 * raw argument registers (RDI, RSI, RDX, R10, R8).  Each handler validates
 * everything it is handed and returns 0 or a result, or a negative Xen
 * error number.
 */
#ifndef PVMON_HYPERCALLS_H
#define PVMON_HYPERCALLS_H

#include <stdint.h>
#include <pvmon/domain.h>

long do_console_io(struct vcpu *vcpu, uint64_t command, uint64_t count, uint64_t buffer);
long do_sched_op(struct vcpu *vcpu, uint64_t command, uint64_t argument);

void schedule_set_idle(void (*idle)(void), struct vcpu *(*pick_next)(void));

#endif
