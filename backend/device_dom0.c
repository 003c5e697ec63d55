/*
 * dom0's ring windows and event channels for its backends (see
 * device_dom0.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <guest/grant_table.h>
#include <guest/hypercall.h>
#include <runtime/runtime.h>
#include <kernel/direct_map.h>
#include "device_dom0.h"

#define WINDOW_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_NO_EXECUTE)

long device_dom0_map_ring(void *window, domid_t frontend_domain, grant_ref_t ref, grant_handle_t *handle,
                          const char *what, device_dom0_report report, void *device)
{
    struct gnttab_map_grant_ref map = {
        .host_addr = (uint64_t)window,
        .flags = GNTMAP_host_map,
        .ref = ref,
        .dom = frontend_domain,
    };
    long result = grant_map(&map, 1);

    if (result != 0 || map.status != GNTST_okay) {
        report(device, what, result != 0 ? result : map.status);
        return result != 0 ? result : -XEN_EINVAL;
    }
    *handle = map.handle;
    return 0;
}

void device_dom0_unmap_ring(void *window, grant_handle_t handle, const char *what, device_dom0_report report,
                            void *device)
{
    struct gnttab_unmap_grant_ref unmap = { .host_addr = (uint64_t)window, .handle = handle };
    long result = grant_unmap(&unmap, 1);

    if (result != 0 || unmap.status != GNTST_okay)
        report(device, what, result != 0 ? result : unmap.status);
    result = hypercall_update_va_mapping((unsigned long)window, runtime_machine_address(window) | WINDOW_FLAGS,
                                         UVMF_INVLPG);
    if (result != 0)
        report(device, "mapping dom0's window page back", result);
}

long device_dom0_bind_event_channel(domid_t frontend_domain, evtchn_port_t remote_port, evtchn_port_t *local_port,
                                    event_handler handler, device_dom0_report report, void *device)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = frontend_domain, .remote_port = remote_port };
    long result = hypercall_event_channel_op(EVTCHNOP_bind_interdomain, &bind);

    if (result != 0) {
        report(device, "EVTCHNOP_bind_interdomain", result);
        return result;
    }
    *local_port = bind.local_port;
    result = events_attach(bind.local_port, handler, NULL);
    if (result != 0) {
        hypercall_event_close(bind.local_port);
        report(device, "attaching the event channel", result);
    }
    return result;
}

void device_dom0_close_event_channel(evtchn_port_t local_port, device_dom0_report report, void *device)
{
    long result;

    events_detach(local_port);
    result = hypercall_event_close(local_port);
    if (result != 0)
        report(device, "closing the event channel", result);
}

long device_dom0_read_machine_counters(struct pvmon_memory_statistics *counters)
{
    return hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_statistics, (unsigned long)counters, 0);
}
