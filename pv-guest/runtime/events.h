/*
 * 2-level event channels from the guest's side (Xen public xen.h,
 * event_channel.h): a handler per port, the upcall that scans shared_info
 * (pending_sel exchanged with 0, then pending & ~mask per selected word),
 * and the vCPU's event mask, the PV guest's interrupt flag.
 */
#ifndef PV_RUNTIME_EVENTS_H
#define PV_RUNTIME_EVENTS_H

#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

/* Ports the runtime dispatches; a port beyond is reported and masked. */
#define EVENT_HANDLER_PORTS 256

typedef void (*event_handler)(evtchn_port_t port, void *context);

/* Masks every port, so that only ports with a handler are ever delivered. */
void events_init(void);

/* Sets port's handler, then unmasks the port (EVTCHNOP_unmask). */
int events_attach(evtchn_port_t port, event_handler handler, void *context);

/* Binds virq on vCPU 0 (EVTCHNOP_bind_virq) and attaches handler. */
int events_bind_virq(uint32_t virq, event_handler handler, void *context, evtchn_port_t *port);

/* Removes the handler and masks the port (it stays bound). */
void events_detach(evtchn_port_t port);

/* Sets the port's mask bit in shared_info. */
void events_mask_port(evtchn_port_t port);

/* The vCPU's upcall mask: events_disable sets it; events_enable clears it
 * and, if an event arrived meanwhile, has it delivered at once. */
void events_disable(void);
void events_enable(void);
bool events_disabled(void);

/* The upcall: runs the handler of every pending, unmasked port. */
void events_handle_upcall(void);

#endif
