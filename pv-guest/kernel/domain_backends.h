/*
 * dom0's backends for one domU: what ties a domain the toolstack builds to
 * dom0's xenstore server (xenstore_server.h) and console backend
 * (console_backend.h), the jobs of xenstored and xenconsoled in Xen's
 * dom0.  The toolstack (toolstack.h) embeds a struct domain_backends in
 * its record of each domain and calls, in this order:
 *
 *   domain_backends_init         once: an empty xenstore with dom0's home
 *   domain_backends_prepare      for each domain it is about to build
 *   domain_backends_allocate_ports
 *                                once the domain exists: its xenstore and
 *                                console event channels, unbound for dom0
 *                                (EVTCHNOP_alloc_unbound); the domain
 *                                builder (domain_control load) is given
 *                                store.remote_port and console.remote_port
 *                                and returns where the ring pages are
 *   domain_backends_connect      with those pages' machine frames
 *   domain_backends_wait_until, domain_backends_service,
 *   domain_backends_set_memory_target
 *                                from the toolstack's watch loop
 *   domain_backends_disconnect   when the domain ends (or its build fails)
 *
 * The rules it keeps:
 *   - Ring windows.  A slot is dom0's place for one domU's backends: two
 *     pages of dom0's own, in dom0's initial mapping (so their L1 entries
 *     exist), which the ring pages are mapped over with
 *     update_va_mapping_otherdomain, a foreign mapping only a privileged
 *     domain may make.  Unmapping maps dom0's own frame there again, so
 *     those pages keep the direct map's rule (direct_map.h) whenever no
 *     domain is using them.  Two domains connected at the same time must
 *     be in different slots.
 *   - Events.  dom0 binds its end of each port
 *     (EVTCHNOP_bind_interdomain); an event only sets a flag, which
 *     domain_backends_wait_until watches.  The rings are served from the
 *     toolstack's loop (domain_backends_service), never from the event
 *     handler.  domain_backends_init also binds VIRQ_DOM_EXC (once per
 *     boot, on vCPU 0: a global virq, Xen's xenstored binds it the same
 *     way), which pvmon raises when a domain has shut down or crashed
 *     and when a destroyed one is gone; it wakes the same wait and sets a
 *     flag of its own (domain_backends_take_domain_exception).  Typing
 *     (VIRQ_CONSOLE, once xl's shell binds it: runtime/console_input.h)
 *     and the disks' and NICs' interrupts wake the same wait too.
 *   - The home.  Connecting writes the domain's xenstore home,
 *     /local/domain/<id>, as libxl does: name, domid, memory/static-max
 *     and memory/target (in KiB), an empty control/shutdown, empty
 *     device/ and data/, and where its rings are (store/ and console/:
 *     ring-ref, port).
 *   - Teardown.  Disconnecting undoes whatever connecting did, in this
 *     order: the console is drained one last time (a partial line
 *     included), the xenstore connection and dom0's ports are closed, the
 *     rings unmapped (the hypervisor keeps a foreign-mapped frame alive
 *     until then, even if the domain is gone) and the home removed.
 *   - The log.  This is part of dom0's toolstack and writes with its
 *     prefix: each console line as "console d<id>: <line>", and
 *     "toolstack: ..." lines for trouble.  Every function that can fail
 *     reports its failure in the log itself and returns it (a negative
 *     Xen error number).
 */
#ifndef PV_KERNEL_DOMAIN_BACKENDS_H
#define PV_KERNEL_DOMAIN_BACKENDS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <backend/blkback_dom0.h>
#include <backend/console_backend.h>
#include <backend/netback_dom0.h>
#include "domain_config.h"

/* As many slots as a scenario has domains at most (CONFIG_MAX_DOMAINS). */
#define DOMAIN_BACKENDS_SLOTS 12

/* dom0's end of one of a domU's rings. */
struct backend_ring {
    uint8_t *window;           /* the page of dom0's that the ring page is mapped over */
    evtchn_port_t remote_port; /* the domU's port */
    evtchn_port_t local_port;  /* dom0's port bound to it; 0: not bound */
    uint64_t frame;            /* the ring page's machine frame */
    bool mapped;
};

struct domain_backends {
    unsigned int slot;
    const char *domain_name;   /* for the log and the home */
    uint64_t memory_kibibytes; /* the home's memory/static-max and first memory/target */
    uint16_t domain;           /* from domain_backends_allocate_ports on */
    struct backend_ring store;
    struct backend_ring console;
    bool connect_started; /* something may be left to disconnect */
    bool store_connected;
    bool console_connected;
    struct console_backend console_output;
    unsigned int disk_count;                          /* its disk lines */
    const struct disk_spec *disks;
    struct blkback_xenbus *vbds[CONFIG_MAX_DISKS];    /* NULL: not created */
    unsigned int vif_count;                           /* its vif lines */
    const struct vif_spec *vif_specs;
    struct netback_xenbus *vifs[CONFIG_MAX_VIFS];     /* NULL: not created */
};

/* Where the domain builder put a domU's ring pages: machine frames. */
struct domain_ring_frames {
    uint64_t store;
    uint64_t console;
};

/* Empties the xenstore and writes dom0's own home (name, domid); the
 * vbds' key files come from start_info's ramdisk. */
int domain_backends_init(const struct start_info *start_info);

/* Readies backends (nothing allocated yet) for a domain in slot < DOMAIN_BACKENDS_SLOTS. */
void domain_backends_prepare(struct domain_backends *backends, unsigned int slot, const char *domain_name,
                             uint64_t memory_kibibytes);

/* The domain's virtual disks (its disk lines), connected with its other backends. */
void domain_backends_set_disks(struct domain_backends *backends, const struct disk_spec *disks, unsigned int count);

/* The domain's vifs (its vif lines), connected with its other backends, after its disks. */
void domain_backends_set_vifs(struct domain_backends *backends, const struct vif_spec *vifs, unsigned int count);

/* Allocates the domain's two ports: store.remote_port and console.remote_port. */
long domain_backends_allocate_ports(struct domain_backends *backends, uint16_t domain);

/*
 * Maps the ring pages over the slot's windows, binds dom0's ends of the
 * ports, connects the xenstore server and the console backend, writes
 * the domain's home, then creates its vbds (blkback_dom0.h: their
 * xenstore nodes, the backend waiting in InitWait) and its vifs
 * (netback_dom0.h: the same, each on the bridge).  On failure,
 * domain_backends_disconnect undoes what was done.
 */
long domain_backends_connect(struct domain_backends *backends, const struct domain_ring_frames *frames);

/* Undoes domain_backends_connect, as far as it went; nothing if it never ran. */
void domain_backends_disconnect(struct domain_backends *backends);

/* Blocks until a backend event, VIRQ_DOM_EXC, typing or a device's interrupt
 * arrives or system time reaches deadline_ns. */
void domain_backends_wait_until(uint64_t deadline_ns);

/* Whether VIRQ_DOM_EXC arrived since the last call (some domain shut
 * down, crashed or was destroyed): the caller then asks get_info. */
bool domain_backends_take_domain_exception(void);

/* How many VIRQ_DOM_EXC events dom0 has taken since boot. */
uint64_t domain_backends_domain_exception_count(void);

/*
 * Serves every connected domain's rings once: drains its console
 * (notifying the domU if anything was read), serves the xenstore, then
 * the vbds (their handshakes follow the xenstore's changes; the disks'
 * completions first), then the network (dom0's NIC and every vif, one
 * fair bounded pass).  If the xenstore, a vbd or the network has work
 * left, the next wait returns at once.
 */
void domain_backends_service(void);

/*
 * Writes typed bytes into the `in` half of the domain's console ring, as
 * many as fit, and notifies the domU if any went in: how many (0 if its
 * console is not connected).  The rest are the caller's to keep.
 */
uint32_t domain_backends_write_console_input(struct domain_backends *backends, const char *bytes, uint32_t length);

/* Writes the domain's memory/target, the target its balloon driver watches. */
int domain_backends_set_memory_target(struct domain_backends *backends, uint64_t kibibytes);

#endif
