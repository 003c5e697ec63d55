/*
 * What dom0's backends (blkback_dom0.c, netback_dom0.c) do alike with a
 * frontend's ring pages and event channel, as Linux's backends do through
 * xenbus_map_ring_valloc and bind_interdomain_evtchn_to_irq: a ring page
 * granted by the frontend is mapped over a window page of dom0's own
 * (GNTTABOP_map_grant_ref, host mapping), and when the ring goes the
 * grant mapping is removed and dom0's own frame mapped back over the
 * window, so that the window never points at a frontend's page after it;
 * the frontend's port is bound interdomain and attached to a handler, and
 * closed after detaching.  Plus pvmon's machine-wide counters, read when a
 * device connects.
 *
 * The rules it keeps: every hypercall's result (and a grant operation's
 * status) is checked and each failure reported through the caller's
 * report, naming the step; a port bound but not attached is closed again.
 *
 * dom0-only glue (hypercalls): not compiled into the host tests.
 */
#ifndef BACKEND_DEVICE_DOM0_H
#define BACKEND_DEVICE_DOM0_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <public/memory_extension.h>
#include <runtime/events.h>

/* Reports that step `what` of device's setting up or tearing down failed with result. */
typedef void (*device_dom0_report)(void *device, const char *what, long result);

/* Maps the frontend's grant ref over window (reporting `what` on failure):
 * 0 with *handle, the hypercall's error, or -EINVAL for a bad status. */
long device_dom0_map_ring(void *window, domid_t frontend_domain, grant_ref_t ref, grant_handle_t *handle,
                          const char *what, device_dom0_report report, void *device);

/* Removes the grant mapping at window (reporting `what` on failure), then
 * maps dom0's own frame back over it. */
void device_dom0_unmap_ring(void *window, grant_handle_t handle, const char *what, device_dom0_report report,
                            void *device);

/* Binds the frontend's remote_port and attaches handler to the local port:
 * 0 with *local_port, or the error (the port closed again). */
long device_dom0_bind_event_channel(domid_t frontend_domain, evtchn_port_t remote_port, evtchn_port_t *local_port,
                                    event_handler handler, device_dom0_report report, void *device);

/* Detaches and closes local_port. */
void device_dom0_close_event_channel(evtchn_port_t local_port, device_dom0_report report, void *device);

/* pvmon's machine-wide counters: 0, or the hypercall's error. */
long device_dom0_read_machine_counters(struct pvmon_memory_statistics *counters);

#endif
