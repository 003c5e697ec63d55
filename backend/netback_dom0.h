/*
 * netback in dom0: what ties the pure vif code (netback.h,
 * netback_xenbus.h) and the bridge (bridge.h) to the hypervisor and to
 * dom0's NIC (pv-guest/kernel/net_device.h), the jobs of Linux's
 * xen-netback module, Linux's bridge and Xen's vif-bridge script in Xen's
 * dom0.  domain_backends.c calls it for each vif line of a domain
 * (domain_config.h) and from dom0's loop.
 *
 * The rules it keeps:
 *   - One bridge, xenbr0: port 0 is eth0 (net_device_get(0), unlocked,
 *     so that it learns the outside world's addresses) if dom0 has a NIC;
 *     port 1 + i is vif device i, locked to the vif's MAC (bridge.h: a
 *     guest can neither spoof nor fill the table).  At most
 *     NETBACK_DOM0_VIFS vifs exist at once.
 *   - MACs.  A vif's MAC is its vif line's, or else 00:16:3e:NN:DD:DD
 *     (Xen's OUI, NN the vif's number, DDDD the domain's id), as xl
 *     derives one when none is given.  Two vifs may not share a MAC: the
 *     second is refused (-XEN_EEXIST).
 *   - Frames live in one pool of NETBACK_DOM0_BUFFERS pages of dom0's
 *     (packet_buffer.h), shared by every vif and the NIC.  A frame a vif
 *     sends (netback's deliver) or the NIC receives (copied into a buffer,
 *     as the NIC's frame is valid only during the call) goes to the ports
 *     bridge_forward names: a vif's queue (netback_queue_frame, its own
 *     reference), or the NIC (net_device_transmit by machine address, a
 *     reference held until the NIC completes it).  At most
 *     NETBACK_DOM0_NIC_BACKLOG frames are held for the NIC, with it or
 *     waiting for room on it, and at most NETBACK_DOM0_NIC_SHARE of them
 *     from any one vif, so that a vif flooding the outside world leaves
 *     room for the others; beyond that, or with the pool empty, a frame
 *     is dropped and counted.
 *   - No one starves another of buffers: the pool holds more than every
 *     vif's full rx queue (NETBACK_RX_QUEUE each, a guest that never
 *     refills its rx ring holds that many at most) and the NIC's backlog
 *     together, and every other buffer is held only while a frame is
 *     being forwarded.
 *   - Fair, bounded service.  One pass takes the NIC's completions and at
 *     most NETBACK_DOM0_NIC_BUDGET received frames, then serves every vif
 *     once (netback_service's own bounds), starting one vif further on
 *     each pass, so that no vif or the outside world can starve another;
 *     then once more each vif that frames were queued for after its turn,
 *     so that they reach its guest in the same pass (a vif is served at
 *     most twice a pass).
 *     Work left (a vif's budget used up, frames queued for a vif after its
 *     turn, the NIC still holding frames) makes the pass say so, and the
 *     loop comes back at once.
 *   - dom0's memory, not the kernel image's: the pool's pages and the ring
 *     windows come from dom0's frame pool at start, so that the kernel
 *     image every domU of our kernel loads stays small.
 *   - Ring pages.  Each vif has two window pages of dom0's own, which the
 *     frontend's tx and rx ring grants are mapped over
 *     (GNTTABOP_map_grant_ref, GNTMAP_host_map); unmapping maps dom0's
 *     own frame back there (update_va_mapping), as blkback_dom0.c does.
 *   - Events.  dom0 binds the frontend's port (EVTCHNOP_bind_interdomain);
 *     an event, like the NIC's interrupt, only sets the flag dom0's loop
 *     sleeps on; the rings are served from the loop.
 *   - Teardown.  A dead domain's vif stops (its queue released), its
 *     port leaves the bridge (every address learnt on it forgotten), its
 *     rings are unmapped and its nodes removed.  Frames it sent that wait
 *     elsewhere hold their own buffers; nothing of its memory is in flight.
 *   - The log: "toolstack: d<id> vif <N>: ..." for each step and trouble
 *     (a disabled vif says why), and the vif's counters when it goes
 *     (events per packet for the benchmarks); the bridge's and the NIC's
 *     when the last vif goes.
 */
#ifndef BACKEND_NETBACK_DOM0_H
#define BACKEND_NETBACK_DOM0_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/domain_config.h>
#include "netback_xenbus.h"

#define NETBACK_DOM0_VIFS 12
#define NETBACK_DOM0_BUFFERS 1024
#define NETBACK_DOM0_NIC_BACKLOG 128
#define NETBACK_DOM0_NIC_SHARE 32
#define NETBACK_DOM0_NIC_BUDGET 64

/*
 * Takes the packet pool's pages and the ring windows from dom0's frame
 * pool (frame_pool.h, set up by the toolstack) and sets up the bridge
 * (eth0 on port 0 if dom0 has a NIC); events set *wake_flag.  0, or
 * -XEN_ENOMEM: then no vif can be created (-XEN_ENODEV).
 */
int netback_dom0_init(volatile bool *wake_flag);

/*
 * Creates vif spec->handle of domain (its nodes, then InitWait) on the
 * bridge.  0 with *device, or: -XEN_EBUSY (no free vif device),
 * -XEN_ENODEV (netback_dom0_init found no memory),
 * -XEN_EEXIST (its MAC is another vif's), or the xenstore's error.
 */
int netback_dom0_connect(domid_t domain, const struct vif_spec *spec, struct netback_xenbus **device);

/* The domain is gone: its vif stops, leaves the bridge, and its nodes go. */
void netback_dom0_disconnect(struct netback_xenbus *device);

/* One fair, bounded pass over the NIC and every vif (see above); true if work is left for another pass now. */
bool netback_dom0_service(void);

#endif
