/*
 * Event channels with Xen's 2-level ABI (see pvmon/event_channel.h).
 *
 * This file owns each domain's port table and the event bits the guest
 * sees: evtchn_pending and evtchn_mask in shared_info, and each vCPU's
 * evtchn_pending_sel and evtchn_upcall_pending.  The rules it keeps:
 *
 * - a port number from a guest is used as an index only after the check
 *   port < EVENT_CHANNEL_PORTS, which also catches negative numbers that
 *   wrapped around; port 0 is never allocated, so it always reads closed;
 * - another domain's table or bits are changed only through a connection
 *   both ends agree on: an interdomain pair whose ends name each other, an
 *   unbound port offered to exactly the caller, or a privileged caller;
 * - both ends of an interdomain channel always point at each other, and
 *   closing one end turns the other back into an unbound port offered to
 *   the closer, as in Xen;
 * - a closed port is never left pending by this code;
 * - the guest writes its shared_info and vcpu_info concurrently, so every
 *   change to those bits is an atomic read-modify-write, in the order
 *   Xen's common/event_2l.c uses.
 *
 * Each operation names the Xen function whose semantics and errors it
 * follows (xen-project/xen, common/event_channel.c unless said otherwise).
 */
#include <pvmon/errno.h>
#include <pvmon/event_channel.h>
#include <pvmon/string.h>

#define BITS_PER_EVENT_WORD (sizeof(xen_ulong_t) * 8)

_Static_assert(EVENT_CHANNEL_PORTS <= sizeof(((struct shared_info *) 0)->evtchn_pending) * 8,
               "every port has a pending and a mask bit");
_Static_assert(EVENT_CHANNEL_PORTS / BITS_PER_EVENT_WORD <= BITS_PER_EVENT_WORD,
               "every word of pending bits has a selector bit");
_Static_assert(EVENT_CHANNEL_PORTS <= UINT16_MAX + 1, "ports fit struct event_channel's remote_port");
_Static_assert(NR_VIRQS <= UINT8_MAX + 1, "virqs fit struct event_channel's virq");
_Static_assert(EVENT_CHANNEL_MAX_VCPUS <= XEN_LEGACY_MAX_VCPUS, "every vCPU has a vcpu_info in shared_info");

/*
 * Bit operations on words the guest writes at the same time.  The
 * __atomic builtins compile to locked instructions in ring 0 and on the
 * host alike; sequential consistency gives the strict ordering Xen relies
 * on between the pending, mask and selector updates.
 */
static xen_ulong_t bit_in_word(unsigned int bit)
{
    return (xen_ulong_t) 1 << (bit % BITS_PER_EVENT_WORD);
}

static bool event_bit_test(xen_ulong_t *words, unsigned int bit)
{
    return (__atomic_load_n(&words[bit / BITS_PER_EVENT_WORD], __ATOMIC_SEQ_CST) & bit_in_word(bit)) != 0;
}

static bool event_bit_test_and_set(xen_ulong_t *words, unsigned int bit)
{
    xen_ulong_t old = __atomic_fetch_or(&words[bit / BITS_PER_EVENT_WORD], bit_in_word(bit), __ATOMIC_SEQ_CST);

    return (old & bit_in_word(bit)) != 0;
}

static bool event_bit_test_and_clear(xen_ulong_t *words, unsigned int bit)
{
    xen_ulong_t old = __atomic_fetch_and(&words[bit / BITS_PER_EVENT_WORD], ~bit_in_word(bit), __ATOMIC_SEQ_CST);

    return (old & bit_in_word(bit)) != 0;
}

static void no_kick(struct event_channel_kick *kick)
{
    *kick = (struct event_channel_kick) { .needed = false };
}

/*
 * x86 vcpu_mark_events_pending (arch/x86/domain.c): set upcall_pending;
 * only the event that sets it kicks the vCPU.
 */
static void mark_upcall_pending(const struct event_channel_domain *domain, unsigned int vcpu,
                                struct event_channel_kick *kick)
{
    if (__atomic_exchange_n(&domain->vcpu_info[vcpu]->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) != 0)
        return;
    kick->needed = true;
    kick->domain_id = domain->domain_id;
    kick->vcpu = vcpu;
}

/*
 * evtchn_2l_set_pending (common/event_2l.c): pending first; an already
 * pending port raises nothing; a masked one stays silent until unmasked;
 * the selector bit of the port's word, then the upcall, only when newly set.
 */
static void raise_port(struct event_channel_domain *domain, evtchn_port_t port, struct event_channel_kick *kick)
{
    struct shared_info *shared_info = domain->shared_info;
    unsigned int vcpu = domain->channels[port].vcpu;

    if (event_bit_test_and_set(shared_info->evtchn_pending, port))
        return;
    if (event_bit_test(shared_info->evtchn_mask, port))
        return;
    if (event_bit_test_and_set(&domain->vcpu_info[vcpu]->evtchn_pending_sel, port / BITS_PER_EVENT_WORD))
        return;
    mark_upcall_pending(domain, vcpu, kick);
}

/* rcu_lock_domain_by_any_id: DOMID_SELF is the caller; reserved ids are never domains. */
static struct event_channel_domain *find_domain(struct event_channel_domain *caller,
                                                const struct event_channel_directory *directory, domid_t domain_id)
{
    if (domain_id == DOMID_SELF || domain_id == caller->domain_id)
        return caller;
    if (domain_id >= DOMID_FIRST_RESERVED)
        return NULL;
    return directory->find(directory->context, domain_id);
}

/* The dummy XSM policy's XSM_TARGET (include/xsm/dummy.h): oneself, or a privileged caller. */
static bool may_act_on(const struct event_channel_domain *caller, const struct event_channel_domain *target)
{
    return caller == target || caller->privileged;
}

static bool port_in_range(evtchn_port_t port)
{
    return port < EVENT_CHANNEL_PORTS;
}

/* get_free_port: the lowest closed port above 0, or -XEN_ENOSPC. */
static int find_free_port(const struct event_channel_domain *domain)
{
    for (evtchn_port_t port = 1; port < EVENT_CHANNEL_PORTS; port++) {
        if (domain->channels[port].state == EVTCHNSTAT_closed)
            return (int) port;
    }
    return -XEN_ENOSPC;
}

/* evtchn_free: the pending bit is cleared so that a later binding starts clean; the vCPU returns to 0. */
static void free_port(struct event_channel_domain *domain, evtchn_port_t port)
{
    event_bit_test_and_clear(domain->shared_info->evtchn_pending, port);
    domain->channels[port] = (struct event_channel) { .state = EVTCHNSTAT_closed };
}

/*
 * The domain at the other end of an interdomain port, provided that end
 * is still an interdomain port pointing back here; NULL otherwise.
 */
static struct event_channel_domain *connected_peer(struct event_channel_domain *domain,
                                                   const struct event_channel_directory *directory,
                                                   evtchn_port_t port)
{
    const struct event_channel *channel = &domain->channels[port];
    struct event_channel_domain *peer;
    const struct event_channel *peer_channel;

    if (channel->state != EVTCHNSTAT_interdomain)
        return NULL;
    peer = find_domain(domain, directory, channel->remote_domain_id);
    if (peer == NULL || !port_in_range(channel->remote_port))
        return NULL;
    peer_channel = &peer->channels[channel->remote_port];
    if (peer_channel->state != EVTCHNSTAT_interdomain || peer_channel->remote_domain_id != domain->domain_id ||
        peer_channel->remote_port != port)
        return NULL;
    return peer;
}

/* get_virq_type: per-vCPU, per-domain (vCPU 0 first, movable) or global (one handling domain). */
enum virq_scope {
    VIRQ_SCOPE_VCPU,
    VIRQ_SCOPE_DOMAIN,
    VIRQ_SCOPE_GLOBAL,
};

static enum virq_scope virq_scope(unsigned int virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return VIRQ_SCOPE_VCPU;
    case VIRQ_ARGO:
        return VIRQ_SCOPE_DOMAIN;
    default:
        return VIRQ_SCOPE_GLOBAL;
    }
}

/* Which vCPU's row of virq_ports holds the virq: Xen keeps non-per-vCPU virqs in vCPU 0's virq_to_evtchn. */
static unsigned int virq_row(unsigned int virq, unsigned int vcpu)
{
    return virq_scope(virq) == VIRQ_SCOPE_VCPU ? vcpu : 0;
}

/* The surviving end of a closed interdomain channel: unbound, offered to the closer, on the same vCPU. */
static void offer_back_to(struct event_channel *channel, uint16_t closer_domain_id)
{
    channel->state = EVTCHNSTAT_unbound;
    channel->remote_domain_id = closer_domain_id;
    channel->remote_port = 0;
}

/* evtchn_close; the caller has checked the port is in range. */
static int close_port(struct event_channel_domain *domain, const struct event_channel_directory *directory,
                      evtchn_port_t port)
{
    struct event_channel *channel = &domain->channels[port];
    struct event_channel_domain *peer;

    switch (channel->state) {
    case EVTCHNSTAT_closed:
        return -XEN_EINVAL;
    case EVTCHNSTAT_virq:
        domain->virq_ports[virq_row(channel->virq, channel->vcpu)][channel->virq] = 0;
        break;
    case EVTCHNSTAT_interdomain:
        peer = connected_peer(domain, directory, port);
        if (peer != NULL)
            offer_back_to(&peer->channels[channel->remote_port], domain->domain_id);
        break;
    default:
        break;
    }
    free_port(domain, port);
    return 0;
}

int event_channel_domain_init(struct event_channel_domain *domain, uint16_t domain_id, bool privileged,
                              unsigned int vcpu_count, struct shared_info *shared_info)
{
    if (vcpu_count == 0 || vcpu_count > EVENT_CHANNEL_MAX_VCPUS || domain_id >= DOMID_FIRST_RESERVED ||
        shared_info == NULL)
        return -XEN_EINVAL;
    memset(domain, 0, sizeof(*domain));
    domain->domain_id = domain_id;
    domain->privileged = privileged;
    domain->vcpu_count = vcpu_count;
    domain->shared_info = shared_info;
    for (unsigned int vcpu = 0; vcpu < vcpu_count; vcpu++)
        domain->vcpu_info[vcpu] = &shared_info->vcpu_info[vcpu];
    return 0;
}

int event_channel_set_vcpu_info(struct event_channel_domain *domain, unsigned int vcpu,
                                struct vcpu_info *vcpu_info)
{
    if (vcpu >= domain->vcpu_count)
        return -XEN_ENOENT;
    if (vcpu_info == NULL)
        return -XEN_EINVAL;
    domain->vcpu_info[vcpu] = vcpu_info;
    return 0;
}

/*
 * evtchn_alloc_unbound.  Xen allocates the port before its XSM check, so
 * a full table there reports -ENOSPC before -EPERM; here the permission
 * comes first and an unprivileged caller learns nothing about another
 * domain's table.  remote_dom is stored unchecked, as in Xen: a binding
 * needs the binder's real id to match it.
 */
int event_channel_alloc_unbound(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                                struct evtchn_alloc_unbound *request)
{
    struct event_channel_domain *target = find_domain(caller, directory, request->dom);
    int port;

    if (target == NULL)
        return -XEN_ESRCH;
    if (!may_act_on(caller, target))
        return -XEN_EPERM;
    port = find_free_port(target);
    if (port < 0)
        return port;
    target->channels[port] = (struct event_channel) {
        .state = EVTCHNSTAT_unbound,
        .remote_domain_id = request->remote_dom == DOMID_SELF ? caller->domain_id : request->remote_dom,
    };
    request->port = (evtchn_port_t) port;
    return 0;
}

/* evtchn_bind_interdomain: errors in Xen's order (-ESRCH, -ENOSPC, -EINVAL). */
int event_channel_bind_interdomain(struct event_channel_domain *caller,
                                   const struct event_channel_directory *directory,
                                   struct evtchn_bind_interdomain *request, struct event_channel_kick *kick)
{
    struct event_channel_domain *remote = find_domain(caller, directory, request->remote_dom);
    evtchn_port_t remote_port = request->remote_port;
    struct event_channel *remote_channel;
    int local_port;

    no_kick(kick);
    if (remote == NULL)
        return -XEN_ESRCH;
    local_port = find_free_port(caller);
    if (local_port < 0)
        return local_port;
    if (!port_in_range(remote_port))
        return -XEN_EINVAL;
    remote_channel = &remote->channels[remote_port];
    if (remote_channel->state != EVTCHNSTAT_unbound || remote_channel->remote_domain_id != caller->domain_id)
        return -XEN_EINVAL;

    caller->channels[local_port] = (struct event_channel) {
        .state = EVTCHNSTAT_interdomain,
        .remote_domain_id = remote->domain_id,
        .remote_port = (uint16_t) remote_port,
    };
    remote_channel->state = EVTCHNSTAT_interdomain;
    remote_channel->remote_domain_id = caller->domain_id;
    remote_channel->remote_port = (uint16_t) local_port;
    raise_port(caller, (evtchn_port_t) local_port, kick);
    request->local_port = (evtchn_port_t) local_port;
    return 0;
}

/* evtchn_bind_virq, with pvmon's privileged domains as the handlers of every global virq. */
int event_channel_bind_virq(struct event_channel_domain *caller, struct evtchn_bind_virq *request)
{
    uint32_t virq = request->virq;
    uint32_t vcpu = request->vcpu;
    int port;

    if (virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (virq_scope(virq) != VIRQ_SCOPE_VCPU && vcpu != 0)
        return -XEN_EINVAL;
    if (vcpu >= caller->vcpu_count)
        return -XEN_ENOENT;
    if (virq_scope(virq) == VIRQ_SCOPE_GLOBAL && !caller->privileged)
        return -XEN_EBUSY;
    if (caller->virq_ports[vcpu][virq] != 0)
        return -XEN_EEXIST;
    port = find_free_port(caller);
    if (port < 0)
        return port;
    caller->channels[port] = (struct event_channel) {
        .state = EVTCHNSTAT_virq,
        .virq = (uint8_t) virq,
        .vcpu = (uint16_t) vcpu,
    };
    caller->virq_ports[vcpu][virq] = (uint16_t) port;
    request->port = (evtchn_port_t) port;
    return 0;
}

/* evtchn_bind_ipi */
int event_channel_bind_ipi(struct event_channel_domain *caller, struct evtchn_bind_ipi *request)
{
    int port;

    if (request->vcpu >= caller->vcpu_count)
        return -XEN_ENOENT;
    port = find_free_port(caller);
    if (port < 0)
        return port;
    caller->channels[port] = (struct event_channel) {
        .state = EVTCHNSTAT_ipi,
        .vcpu = (uint16_t) request->vcpu,
    };
    request->port = (evtchn_port_t) port;
    return 0;
}

/* evtchn_bind_pirq's port: on vCPU 0, as Xen binds it to d->vcpu[0]. */
int event_channel_bind_pirq(struct event_channel_domain *caller, struct evtchn_bind_pirq *request)
{
    int port = find_free_port(caller);

    if (port < 0)
        return port;
    caller->channels[port] = (struct event_channel) {
        .state = EVTCHNSTAT_pirq,
        .vcpu = 0,
        .pirq = (uint16_t) request->pirq,
    };
    request->port = (evtchn_port_t) port;
    return 0;
}

void event_channel_pirq_raise(struct event_channel_domain *domain, evtchn_port_t port,
                              struct event_channel_kick *kick)
{
    no_kick(kick);
    if (port_in_range(port) && domain->channels[port].state == EVTCHNSTAT_pirq)
        raise_port(domain, port, kick);
}

int event_channel_close(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                        const struct evtchn_close *request)
{
    if (!port_in_range(request->port))
        return -XEN_EINVAL;
    return close_port(caller, directory, request->port);
}

/*
 * evtchn_send.  A peer that no longer points back (only possible if a
 * domain left the directory without event_channel_domain_close_all) is
 * refused rather than written to.
 */
int event_channel_send(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                       const struct evtchn_send *request, struct event_channel_kick *kick)
{
    evtchn_port_t port = request->port;
    struct event_channel_domain *peer;

    no_kick(kick);
    if (!port_in_range(port))
        return -XEN_EINVAL;
    switch (caller->channels[port].state) {
    case EVTCHNSTAT_interdomain:
        peer = connected_peer(caller, directory, port);
        if (peer == NULL)
            return -XEN_EINVAL;
        raise_port(peer, caller->channels[port].remote_port, kick);
        return 0;
    case EVTCHNSTAT_ipi:
        raise_port(caller, port, kick);
        return 0;
    case EVTCHNSTAT_unbound:
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

/* evtchn_status: errors in Xen's order (-ESRCH, -EINVAL, -EPERM); unused fields of the union read 0. */
int event_channel_status(struct event_channel_domain *caller, const struct event_channel_directory *directory,
                         struct evtchn_status *request)
{
    struct event_channel_domain *target = find_domain(caller, directory, request->dom);
    const struct event_channel *channel;

    if (target == NULL)
        return -XEN_ESRCH;
    if (!port_in_range(request->port))
        return -XEN_EINVAL;
    if (!may_act_on(caller, target))
        return -XEN_EPERM;
    channel = &target->channels[request->port];
    memset(&request->u, 0, sizeof(request->u));
    request->status = channel->state;
    request->vcpu = channel->vcpu;
    if (channel->state == EVTCHNSTAT_unbound) {
        request->u.unbound.dom = channel->remote_domain_id;
    } else if (channel->state == EVTCHNSTAT_interdomain) {
        request->u.interdomain.dom = channel->remote_domain_id;
        request->u.interdomain.port = channel->remote_port;
    } else if (channel->state == EVTCHNSTAT_virq) {
        request->u.virq = channel->virq;
    } else if (channel->state == EVTCHNSTAT_pirq) {
        request->u.pirq = channel->pirq;
    }
    return 0;
}

/* evtchn_bind_vcpu: only ports whose events are not tied to one vCPU may move. */
static bool may_move_to_another_vcpu(const struct event_channel *channel)
{
    switch (channel->state) {
    case EVTCHNSTAT_unbound:
    case EVTCHNSTAT_interdomain:
    case EVTCHNSTAT_pirq:
        return true;
    case EVTCHNSTAT_virq:
        return virq_scope(channel->virq) != VIRQ_SCOPE_VCPU;
    default:
        return false;
    }
}

int event_channel_bind_vcpu(struct event_channel_domain *caller, const struct evtchn_bind_vcpu *request)
{
    struct event_channel *channel;

    if (request->vcpu >= caller->vcpu_count)
        return -XEN_ENOENT;
    if (!port_in_range(request->port))
        return -XEN_EINVAL;
    channel = &caller->channels[request->port];
    if (!may_move_to_another_vcpu(channel))
        return -XEN_EINVAL;
    channel->vcpu = (uint16_t) request->vcpu;
    return 0;
}

/*
 * evtchn_unmask and evtchn_2l_unmask (common/event_2l.c): any port in
 * range, even a closed one, as in Xen: the bits are the guest's own.
 */
int event_channel_unmask(struct event_channel_domain *caller, const struct evtchn_unmask *request,
                         struct event_channel_kick *kick)
{
    evtchn_port_t port = request->port;
    struct shared_info *shared_info = caller->shared_info;
    unsigned int vcpu;

    no_kick(kick);
    if (!port_in_range(port))
        return -XEN_EINVAL;
    vcpu = caller->channels[port].vcpu;
    if (!event_bit_test_and_clear(shared_info->evtchn_mask, port))
        return 0;
    if (!event_bit_test(shared_info->evtchn_pending, port))
        return 0;
    if (!event_bit_test_and_set(&caller->vcpu_info[vcpu]->evtchn_pending_sel, port / BITS_PER_EVENT_WORD))
        mark_upcall_pending(caller, vcpu, kick);
    return 0;
}

/* Xen 4.17's evtchn_fifo_init_control checks, in this order: the vCPU
 * (-ENOENT), that the control block fits in its page (-EINVAL), that it is
 * 8-byte aligned (-EINVAL). */
int event_channel_check_init_control(const struct event_channel_domain *domain,
                                     const struct evtchn_init_control *request)
{
    if (request->vcpu >= domain->vcpu_count)
        return -XEN_ENOENT;
    if (request->offset > FIFO_CONTROL_PAGE_SIZE - sizeof(struct evtchn_fifo_control_block))
        return -XEN_EINVAL;
    if (request->offset & (FIFO_CONTROL_BLOCK_ALIGNMENT - 1))
        return -XEN_EINVAL;
    return 0;
}

/* Xen 4.17's evtchn_fifo_expand_array before the domain has a control
 * block: -EOPNOTSUPP, whatever the frame. */
int event_channel_expand_array(const struct event_channel_domain *domain, const struct evtchn_expand_array *request)
{
    (void)domain;
    (void)request;
    return -XEN_EOPNOTSUPP;
}

/* Xen 4.17's evtchn_set_priority on a 2-level domain: a port outside the
 * table is -EINVAL (_evtchn_from_port finds nothing), any other -ENOSYS
 * (the 2-level port operations have no set_priority).  Xen's table grows
 * by buckets, pvmon's is whole from the start, so every port below
 * EVENT_CHANNEL_PORTS counts as valid here. */
int event_channel_set_priority(const struct event_channel_domain *domain, const struct evtchn_set_priority *request)
{
    (void)domain;
    return port_in_range(request->port) ? -XEN_ENOSYS : -XEN_EINVAL;
}

/* send_guest_vcpu_virq and send_guest_domain_virq. */
void event_channel_virq_raise(struct event_channel_domain *domain, unsigned int virq, unsigned int vcpu,
                              struct event_channel_kick *kick)
{
    unsigned int row;
    evtchn_port_t port;

    no_kick(kick);
    if (virq >= NR_VIRQS)
        return;
    row = virq_row(virq, vcpu);
    if (row >= domain->vcpu_count)
        return;
    port = domain->virq_ports[row][virq];
    if (port != 0)
        raise_port(domain, port, kick);
}

/* send_global_virq, with the handler chosen as pvmon/event_channel.h says. */
void event_channel_global_virq_raise(struct event_channel_domain *const *domains, unsigned int count,
                                     unsigned int virq, struct event_channel_kick *kick)
{
    no_kick(kick);
    if (virq >= NR_VIRQS || virq_scope(virq) != VIRQ_SCOPE_GLOBAL)
        return;
    for (unsigned int index = 0; index < count; index++) {
        if (domains[index]->virq_ports[0][virq] != 0) {
            raise_port(domains[index], domains[index]->virq_ports[0][virq], kick);
            return;
        }
    }
}

/* evtchn_destroy: every port closed, each peer left unbound. */
void event_channel_domain_close_all(struct event_channel_domain *domain,
                                    const struct event_channel_directory *directory)
{
    for (evtchn_port_t port = 1; port < EVENT_CHANNEL_PORTS; port++) {
        if (domain->channels[port].state != EVTCHNSTAT_closed)
            close_port(domain, directory, port);
    }
}

static const struct event_channel_domain *find_domain_for_check(const struct event_channel_domain *domain,
                                                         const struct event_channel_directory *directory,
                                                         uint16_t domain_id)
{
    if (domain_id == domain->domain_id)
        return domain;
    return directory->find(directory->context, domain_id);
}

static bool interdomain_ends_point_at_each_other(const struct event_channel_domain *domain,
                                                 const struct event_channel_directory *directory,
                                                 evtchn_port_t port)
{
    const struct event_channel *channel = &domain->channels[port];
    const struct event_channel_domain *peer = find_domain_for_check(domain, directory, channel->remote_domain_id);
    const struct event_channel *peer_channel;

    if (peer == NULL || !port_in_range(channel->remote_port))
        return false;
    peer_channel = &peer->channels[channel->remote_port];
    return peer_channel->state == EVTCHNSTAT_interdomain && peer_channel->remote_domain_id == domain->domain_id &&
           peer_channel->remote_port == port;
}

static bool virq_port_is_in_its_row(const struct event_channel_domain *domain, evtchn_port_t port)
{
    const struct event_channel *channel = &domain->channels[port];

    return channel->virq < NR_VIRQS &&
           domain->virq_ports[virq_row(channel->virq, channel->vcpu)][channel->virq] == port;
}

static bool channel_is_consistent(const struct event_channel_domain *domain,
                                  const struct event_channel_directory *directory, evtchn_port_t port)
{
    const struct event_channel *channel = &domain->channels[port];

    if (channel->vcpu >= domain->vcpu_count)
        return false;
    switch (channel->state) {
    case EVTCHNSTAT_closed:
    case EVTCHNSTAT_unbound:
    case EVTCHNSTAT_ipi:
        return true;
    case EVTCHNSTAT_interdomain:
        return interdomain_ends_point_at_each_other(domain, directory, port);
    case EVTCHNSTAT_virq:
        return virq_port_is_in_its_row(domain, port);
    case EVTCHNSTAT_pirq:
        return domain->privileged;
    default:
        return false;
    }
}

static bool virq_row_entry_is_consistent(const struct event_channel_domain *domain, unsigned int row,
                                         unsigned int virq)
{
    uint16_t port = domain->virq_ports[row][virq];
    const struct event_channel *channel;

    if (port == 0)
        return true;
    if (row >= domain->vcpu_count || !port_in_range(port))
        return false;
    channel = &domain->channels[port];
    return channel->state == EVTCHNSTAT_virq && channel->virq == virq && virq_row(virq, channel->vcpu) == row;
}

bool event_channel_invariants_hold(const struct event_channel_domain *domain,
                                   const struct event_channel_directory *directory)
{
    if (domain->channels[0].state != EVTCHNSTAT_closed)
        return false;
    for (evtchn_port_t port = 0; port < EVENT_CHANNEL_PORTS; port++) {
        if (!channel_is_consistent(domain, directory, port))
            return false;
    }
    for (unsigned int row = 0; row < EVENT_CHANNEL_MAX_VCPUS; row++) {
        for (unsigned int virq = 0; virq < NR_VIRQS; virq++) {
            if (!virq_row_entry_is_consistent(domain, row, virq))
                return false;
        }
    }
    return true;
}
