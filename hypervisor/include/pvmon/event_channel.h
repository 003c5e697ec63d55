/*
 * Event channels with Xen's 2-level ABI: each domain's port table and the
 * pending, mask and selector bits in its shared_info page.
 *
 * A port is closed, unbound (offered to one remote domain), interdomain
 * (connected to a port of a domain, possibly the same one), virq (a
 * virtual interrupt the hypervisor raises), ipi (a vCPU-to-vCPU signal)
 * or pirq (a physical interrupt line of the privileged domain's,
 * pvmon/pirq.h, which the hypervisor raises); the states and their
 * numbers are Xen's EVTCHNSTAT_*.  Port 0 is never allocated.  pvmon offers the
 * whole 2-level space, EVTCHN_2L_NR_CHANNELS = 4096 ports, which is what a
 * 2-level guest such as Linux assumes without asking.
 *
 * Raising an event on a port is the 2-level rule: set the port's pending
 * bit; if it was clear, the port is unmasked and the port's selector bit
 * (port / 64) in its vCPU's evtchn_pending_sel was clear, set
 * evtchn_upcall_pending, and if that was clear too, the vCPU must be
 * kicked (woken, or interrupted, to take the upcall).
 *
 * Operations take Xen's request structures from <xen/event_channel.h>
 * (already copied from the guest) and return 0 or a negative Xen errno
 * value with Xen's meaning.  Every guest-supplied number is checked before
 * anything changes, and nothing outside a domain's table, its shared_info
 * and its registered vcpu_info areas is ever touched.  The tables are not
 * locked: callers serialise operations on them.  The shared_info bits are
 * written concurrently by the guest and are only changed atomically.
 */
#ifndef PVMON_EVENT_CHANNEL_H
#define PVMON_EVENT_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVENT_CHANNEL_PORTS EVTCHN_2L_NR_CHANNELS
#define EVENT_CHANNEL_MAX_VCPUS XEN_LEGACY_MAX_VCPUS

/* One port; everything but state and vcpu is meaningful only in the states named. */
struct event_channel {
    uint8_t state;             /* EVTCHNSTAT_closed, _unbound, _interdomain, _virq or _ipi */
    uint8_t virq;              /* virq: the VIRQ_* number */
    uint16_t vcpu;             /* the vCPU notified when the port becomes pending */
    uint16_t remote_domain_id; /* unbound: the domain allowed to bind; interdomain: the peer */
    union {
        uint16_t remote_port;  /* interdomain: the peer's port */
        uint16_t pirq;         /* pirq: its number */
    };
};

struct event_channel_domain {
    uint16_t domain_id;
    bool privileged;
    unsigned int vcpu_count;
    struct shared_info *shared_info;
    struct vcpu_info *vcpu_info[EVENT_CHANNEL_MAX_VCPUS];
    /* The port bound to each virq, or 0; virqs that are not per-vCPU use vCPU 0's row. */
    uint16_t virq_ports[EVENT_CHANNEL_MAX_VCPUS][NR_VIRQS];
    struct event_channel channels[EVENT_CHANNEL_PORTS];
};

/*
 * How operations find other domains: find returns the live domain with
 * that id, or NULL.  A domain being torn down must no longer be found.
 */
struct event_channel_directory {
    struct event_channel_domain *(*find)(void *context, uint16_t domain_id);
    void *context;
};

/* Set by operations that may raise an upcall: when needed, that vCPU of that domain must be kicked. */
struct event_channel_kick {
    bool needed;
    uint16_t domain_id;
    unsigned int vcpu;
};

/*
 * Every port closed, every vCPU's vcpu_info in shared_info.  -XEN_EINVAL
 * if vcpu_count is 0 or above EVENT_CHANNEL_MAX_VCPUS, domain_id is a
 * reserved id (DOMID_FIRST_RESERVED and above) or shared_info is NULL.
 */
int event_channel_domain_init(struct event_channel_domain *domain, uint16_t domain_id, bool privileged,
                              unsigned int vcpu_count, struct shared_info *shared_info);

/*
 * VCPUOP_register_vcpu_info: from now on the vCPU's upcall and selector
 * bits are written at vcpu_info (the caller copies the old contents).
 * -XEN_ENOENT for a vCPU the domain does not have, -XEN_EINVAL for NULL.
 */
int event_channel_set_vcpu_info(struct event_channel_domain *domain, unsigned int vcpu,
                                struct vcpu_info *vcpu_info);

/*
 * EVTCHNOP_alloc_unbound: a new unbound port in request->dom (DOMID_SELF
 * or an id) that request->remote_dom (DOMID_SELF: the caller) may bind.
 * -XEN_ESRCH unknown domain, -XEN_EPERM another domain's table without
 * privilege, -XEN_ENOSPC table full.  Out: request->port.
 */
int event_channel_alloc_unbound(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                                struct evtchn_alloc_unbound *request);

/*
 * EVTCHNOP_bind_interdomain: connects a new local port to remote_port of
 * remote_dom (DOMID_SELF allowed), which must be unbound and offered to
 * the caller; the new port is made pending at once, as events sent to the
 * unbound end were dropped.  -XEN_ESRCH unknown domain, -XEN_ENOSPC table
 * full, -XEN_EINVAL bad or unsuitable remote port.  Out: local_port.
 */
int event_channel_bind_interdomain(struct event_channel_domain *caller,
                                   const struct event_channel_directory *directory,
                                   struct evtchn_bind_interdomain *request, struct event_channel_kick *kick);

/*
 * EVTCHNOP_bind_virq: -XEN_EINVAL virq >= NR_VIRQS or a vCPU other than 0
 * for a virq that is not per-vCPU, -XEN_ENOENT no such vCPU, -XEN_EBUSY a
 * global virq asked for by an unprivileged domain, -XEN_EEXIST already
 * bound (on that vCPU), -XEN_ENOSPC table full.  Out: request->port.
 */
int event_channel_bind_virq(struct event_channel_domain *caller, struct evtchn_bind_virq *request);

/* EVTCHNOP_bind_ipi: -XEN_ENOENT no such vCPU, -XEN_ENOSPC table full.  Out: request->port. */
int event_channel_bind_ipi(struct event_channel_domain *caller, struct evtchn_bind_ipi *request);

/*
 * EVTCHNOP_bind_pirq once the pirq table has accepted it (pvmon/pirq.h:
 * range, mapping and an earlier binding are checked there first, as in
 * Xen's evtchn_bind_pirq): a new port in state pirq on vCPU 0.
 * -XEN_ENOSPC table full.  Out: request->port.
 */
int event_channel_bind_pirq(struct event_channel_domain *caller, struct evtchn_bind_pirq *request);

/*
 * The hypervisor raises a pirq port (the line fired): nothing happens for
 * a port out of range or not in state pirq.
 */
void event_channel_pirq_raise(struct event_channel_domain *domain, evtchn_port_t port,
                              struct event_channel_kick *kick);

/*
 * EVTCHNOP_close: the port becomes closed and not pending; an interdomain
 * peer becomes unbound, offered back to the caller.  -XEN_EINVAL for a
 * port out of range or already closed.
 */
int event_channel_close(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                        const struct evtchn_close *request);

/*
 * EVTCHNOP_send: interdomain raises the peer's port, ipi raises the port
 * itself, unbound drops the event and succeeds; anything else (closed,
 * virq, pirq, out of range) is -XEN_EINVAL.
 */
int event_channel_send(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                       const struct evtchn_send *request, struct event_channel_kick *kick);

/*
 * EVTCHNOP_status of request->port in request->dom: -XEN_ESRCH unknown
 * domain, -XEN_EINVAL port out of range, -XEN_EPERM another domain
 * without privilege.  Out: status, vcpu and the union for the state.
 */
int event_channel_status(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                         struct evtchn_status *request);

/*
 * EVTCHNOP_bind_vcpu: the port's events go to another vCPU.  Allowed for
 * unbound, interdomain, pirq and non-per-vCPU virq ports, else -XEN_EINVAL (also
 * for a port out of range); -XEN_ENOENT no such vCPU.
 */
int event_channel_bind_vcpu(struct event_channel_domain *caller, const struct evtchn_bind_vcpu *request);

/*
 * EVTCHNOP_unmask, the 2-level rule: clear the mask bit, and if it was set
 * and the port is pending, raise the selector and upcall bits as a new
 * event would.  -XEN_EINVAL for a port out of range.
 */
int event_channel_unmask(struct event_channel_domain *caller, const struct evtchn_unmask *request,
                         struct event_channel_kick *kick);

/*
 * The FIFO ABI, which pvmon does not offer: guests (Linux) fall back to
 * 2-level when EVTCHNOP_init_control fails.  Each answer is Xen 4.17's for
 * a domain that has not (successfully) set up a FIFO control block.
 *   - init_control: event_channel_check_init_control gives Xen's argument
 *     checks (-ENOENT for a vCPU the domain does not have, -EINVAL for a
 *     block that crosses its page or is not 8-byte aligned); the caller
 *     then checks the frame (-EINVAL unless the domain may map it
 *     writable) and refuses a request Xen would accept with -ENOSYS.
 *   - expand_array: -EOPNOTSUPP.
 *   - set_priority: -EINVAL for a port outside the table, -ENOSYS otherwise.
 */
#define FIFO_CONTROL_PAGE_SIZE 4096u
#define FIFO_CONTROL_BLOCK_ALIGNMENT 8u
int event_channel_check_init_control(const struct event_channel_domain *domain,
                                     const struct evtchn_init_control *request);
int event_channel_expand_array(const struct event_channel_domain *domain, const struct evtchn_expand_array *request);
int event_channel_set_priority(const struct event_channel_domain *domain, const struct evtchn_set_priority *request);

/*
 * The hypervisor raises virq for the domain: on vcpu for a per-vCPU virq
 * (vcpu is ignored for the others).  Nothing happens if the virq is not
 * bound or virq or vcpu is out of range.
 */
void event_channel_virq_raise(struct event_channel_domain *domain, unsigned int virq, unsigned int vcpu,
                              struct event_channel_kick *kick);

/*
 * Xen's send_global_virq: the hypervisor raises a global virq (VIRQ_DOM_EXC,
 * VIRQ_CONSOLE, ...) on its handler.  Xen's handler is the hardware domain
 * unless set_global_virq_handler named another; pvmon has no
 * set_global_virq_handler, so the handler is the first of the count domains
 * given that has the virq bound (only a privileged domain can bind one, so
 * today that is dom0, Xen's default handler).  Nothing happens for a virq
 * that is not global, or that none of them has bound.
 */
void event_channel_global_virq_raise(struct event_channel_domain *const *domains, unsigned int count,
                                     unsigned int virq, struct event_channel_kick *kick);

/* Domain teardown: closes every port; each interdomain peer becomes unbound. */
void event_channel_domain_close_all(struct event_channel_domain *domain,
                                    const struct event_channel_directory *directory);

/*
 * For tests and fuzzers: port 0 is closed; every port's vCPU exists; every
 * interdomain port's peer is found and points back at it; the virq rows
 * and the virq ports name each other exactly; only a privileged domain
 * has pirq ports.
 */
bool event_channel_invariants_hold(const struct event_channel_domain *domain,
                                   const struct event_channel_directory *directory);

#endif
