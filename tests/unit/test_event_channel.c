/*
 * Specification of common/event_channel.c: Xen's 2-level event channels.
 *
 * Every test runs in a small world of three domains with real shared_info
 * pages: domain 0 is privileged with one vCPU, domain 1 is unprivileged
 * with one vCPU, domain 2 is unprivileged with two.  A domain's id is its
 * index in the world, and the directory finds the domains marked present.
 * The cases cover each operation's success and every error a guest can
 * provoke, the exact pending, mask, selector and upcall rules, teardown,
 * and a long fixed-seed sequence of random operations after each of which
 * the table and bit invariants are checked.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/event_channel.h>

#include "suites.h"

#define WORLD_DOMAINS 3
#define UNKNOWN_DOMAIN_ID 9
#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

struct world {
    struct event_channel_domain domains[WORLD_DOMAINS];
    struct shared_info shared_info[WORLD_DOMAINS];
    bool present[WORLD_DOMAINS];
    struct event_channel_directory directory;
};

static struct world *world;

static const unsigned int vcpus_of_domain[WORLD_DOMAINS] = { 1, 1, 2 };

static struct event_channel_domain *find_in_world(void *context, uint16_t domain_id)
{
    struct world *searched = context;

    for (unsigned int index = 0; index < WORLD_DOMAINS; index++) {
        if (searched->present[index] && searched->domains[index].domain_id == domain_id)
            return &searched->domains[index];
    }
    return NULL;
}

/* A fresh domain with that id: zeroed shared_info, every port closed, found by the directory. */
static void start_domain(unsigned int id)
{
    memset(&world->shared_info[id], 0, sizeof(world->shared_info[id]));
    ck_assert_int_eq(event_channel_domain_init(&world->domains[id], (uint16_t) id, id == 0, vcpus_of_domain[id],
                                               &world->shared_info[id]),
                     0);
    world->present[id] = true;
}

static void create_world(void)
{
    world = calloc(1, sizeof(*world));
    ck_assert_ptr_nonnull(world);
    world->directory = (struct event_channel_directory) { .find = find_in_world, .context = world };
    for (unsigned int id = 0; id < WORLD_DOMAINS; id++)
        start_domain(id);
}

static void destroy_world(void)
{
    free(world);
    world = NULL;
}

static struct event_channel_domain *domain(unsigned int id)
{
    return &world->domains[id];
}

static const struct event_channel_directory *directory(void)
{
    return &world->directory;
}

static struct shared_info *shared_info_of(unsigned int id)
{
    return &world->shared_info[id];
}

static bool bit_is_set(const xen_ulong_t *words, unsigned int bit)
{
    return (words[bit / BITS_PER_WORD] >> (bit % BITS_PER_WORD)) & 1;
}

static void set_bit(xen_ulong_t *words, unsigned int bit)
{
    words[bit / BITS_PER_WORD] |= (xen_ulong_t) 1 << (bit % BITS_PER_WORD);
}

static bool is_pending(unsigned int id, evtchn_port_t port)
{
    return bit_is_set(shared_info_of(id)->evtchn_pending, port);
}

static bool is_masked(unsigned int id, evtchn_port_t port)
{
    return bit_is_set(shared_info_of(id)->evtchn_mask, port);
}

/* What the guest does to mask a port: it writes the bit itself. */
static void guest_masks(unsigned int id, evtchn_port_t port)
{
    set_bit(shared_info_of(id)->evtchn_mask, port);
}

static xen_ulong_t selector_of(unsigned int id, unsigned int vcpu)
{
    return shared_info_of(id)->vcpu_info[vcpu].evtchn_pending_sel;
}

static uint8_t upcall_of(unsigned int id, unsigned int vcpu)
{
    return shared_info_of(id)->vcpu_info[vcpu].evtchn_upcall_pending;
}

static bool no_port_is_pending(unsigned int id)
{
    for (unsigned int word = 0; word < sizeof(shared_info_of(id)->evtchn_pending) / sizeof(xen_ulong_t); word++) {
        if (shared_info_of(id)->evtchn_pending[word] != 0)
            return false;
    }
    return true;
}

static unsigned int pending_port_count(unsigned int id)
{
    unsigned int count = 0;

    for (evtchn_port_t port = 0; port < EVENT_CHANNEL_PORTS; port++)
        count += is_pending(id, port);
    return count;
}

static bool no_upcall_raised(unsigned int id)
{
    for (unsigned int vcpu = 0; vcpu < vcpus_of_domain[id]; vcpu++) {
        if (selector_of(id, vcpu) != 0 || upcall_of(id, vcpu) != 0)
            return false;
    }
    return true;
}

/* The guest handled every event: upcall, selectors and pending bits all clear. */
static void guest_acknowledges_everything(unsigned int id)
{
    struct shared_info *shared_info = shared_info_of(id);

    for (unsigned int vcpu = 0; vcpu < vcpus_of_domain[id]; vcpu++) {
        shared_info->vcpu_info[vcpu].evtchn_upcall_pending = 0;
        shared_info->vcpu_info[vcpu].evtchn_pending_sel = 0;
    }
    memset(shared_info->evtchn_pending, 0, sizeof(shared_info->evtchn_pending));
}

static int alloc_unbound(unsigned int caller, domid_t dom, domid_t remote_dom, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound request = { .dom = dom, .remote_dom = remote_dom };
    int result = event_channel_alloc_unbound(domain(caller), directory(), &request);

    *port = request.port;
    return result;
}

/* The owner opens a port of its own for the remote domain. */
static evtchn_port_t offer(unsigned int owner, domid_t remote_dom)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(alloc_unbound(owner, DOMID_SELF, remote_dom, &port), 0);
    return port;
}

static int bind_interdomain(unsigned int caller, domid_t remote_dom, evtchn_port_t remote_port,
                            evtchn_port_t *local_port, struct event_channel_kick *kick)
{
    struct evtchn_bind_interdomain request = { .remote_dom = remote_dom, .remote_port = remote_port };
    int result = event_channel_bind_interdomain(domain(caller), directory(), &request, kick);

    *local_port = request.local_port;
    return result;
}

/* caller binds to a port that remote offers it; returns the caller's port. */
static evtchn_port_t connect(unsigned int caller, unsigned int remote, evtchn_port_t remote_port)
{
    struct event_channel_kick kick;
    evtchn_port_t local_port = 0;

    ck_assert_int_eq(bind_interdomain(caller, (domid_t) remote, remote_port, &local_port, &kick), 0);
    return local_port;
}

/* A connected pair between a (port returned through a_port) and b; the new end's notification is acknowledged. */
static void connect_pair(unsigned int a, evtchn_port_t *a_port, unsigned int b, evtchn_port_t *b_port)
{
    *b_port = offer(b, (domid_t) a);
    *a_port = connect(a, b, *b_port);
    guest_acknowledges_everything(a);
}

static int bind_virq(unsigned int caller, uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq request = { .virq = virq, .vcpu = vcpu };
    int result = event_channel_bind_virq(domain(caller), &request);

    *port = request.port;
    return result;
}

static int bind_ipi(unsigned int caller, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi request = { .vcpu = vcpu };
    int result = event_channel_bind_ipi(domain(caller), &request);

    *port = request.port;
    return result;
}

static int close_port(unsigned int caller, evtchn_port_t port)
{
    struct evtchn_close request = { .port = port };

    return event_channel_close(domain(caller), directory(), &request);
}

static int send_on(unsigned int caller, evtchn_port_t port, struct event_channel_kick *kick)
{
    struct evtchn_send request = { .port = port };

    return event_channel_send(domain(caller), directory(), &request, kick);
}

static int unmask(unsigned int caller, evtchn_port_t port, struct event_channel_kick *kick)
{
    struct evtchn_unmask request = { .port = port };

    return event_channel_unmask(domain(caller), &request, kick);
}

static int bind_vcpu(unsigned int caller, evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu request = { .port = port, .vcpu = vcpu };

    return event_channel_bind_vcpu(domain(caller), &request);
}

static int query_status(unsigned int caller, domid_t dom, evtchn_port_t port, struct evtchn_status *status)
{
    *status = (struct evtchn_status) { .dom = dom, .port = port };
    return event_channel_status(domain(caller), directory(), status);
}

/* The status of a port, which must be readable. */
static struct evtchn_status status_of(unsigned int id, evtchn_port_t port)
{
    struct evtchn_status status;

    ck_assert_int_eq(query_status(id, DOMID_SELF, port, &status), 0);
    return status;
}

static void expect_kick(const struct event_channel_kick *kick, unsigned int id, unsigned int vcpu)
{
    ck_assert(kick->needed);
    ck_assert_uint_eq(kick->domain_id, id);
    ck_assert_uint_eq(kick->vcpu, vcpu);
}

static void expect_world_consistent(void)
{
    for (unsigned int id = 0; id < WORLD_DOMAINS; id++) {
        if (world->present[id])
            ck_assert_msg(event_channel_invariants_hold(domain(id), directory()), "domain %u inconsistent", id);
    }
}

START_TEST(test_init_rejects_no_vcpu_too_many_vcpus_a_reserved_id_and_no_shared_info)
{
    struct event_channel_domain *spare = domain(1);

    ck_assert_int_eq(event_channel_domain_init(spare, 1, false, 0, shared_info_of(1)), -XEN_EINVAL);
    ck_assert_int_eq(event_channel_domain_init(spare, 1, false, EVENT_CHANNEL_MAX_VCPUS + 1, shared_info_of(1)),
                     -XEN_EINVAL);
    ck_assert_int_eq(event_channel_domain_init(spare, DOMID_SELF, false, 1, shared_info_of(1)), -XEN_EINVAL);
    ck_assert_int_eq(event_channel_domain_init(spare, 1, false, 1, NULL), -XEN_EINVAL);
    ck_assert_int_eq(event_channel_domain_init(spare, 1, false, EVENT_CHANNEL_MAX_VCPUS, shared_info_of(1)), 0);
}
END_TEST

START_TEST(test_new_domain_has_every_port_closed)
{
    evtchn_port_t ports[] = { 0, 1, 63, EVENT_CHANNEL_PORTS - 1 };

    for (unsigned int index = 0; index < sizeof(ports) / sizeof(ports[0]); index++) {
        struct evtchn_status status = status_of(1, ports[index]);

        ck_assert_uint_eq(status.status, EVTCHNSTAT_closed);
        ck_assert_uint_eq(status.vcpu, 0);
    }
    expect_world_consistent();
}
END_TEST

START_TEST(test_the_2_level_abi_offers_4096_ports)
{
    ck_assert_uint_eq(EVENT_CHANNEL_PORTS, 4096);
}
END_TEST

START_TEST(test_alloc_unbound_returns_the_lowest_port_and_never_port_0)
{
    ck_assert_uint_eq(offer(1, 2), 1);
    ck_assert_uint_eq(offer(1, 2), 2);
    ck_assert_uint_eq(offer(1, 0), 3);
}
END_TEST

START_TEST(test_alloc_unbound_offers_the_port_to_the_remote_domain)
{
    evtchn_port_t port = offer(1, 2);
    struct evtchn_status status = status_of(1, port);

    ck_assert_uint_eq(status.status, EVTCHNSTAT_unbound);
    ck_assert_uint_eq(status.u.unbound.dom, 2);
    ck_assert_uint_eq(status.vcpu, 0);
}
END_TEST

START_TEST(test_alloc_unbound_with_remote_domid_self_offers_the_port_to_the_caller)
{
    evtchn_port_t port = offer(1, DOMID_SELF);

    ck_assert_uint_eq(status_of(1, port).u.unbound.dom, 1);
}
END_TEST

START_TEST(test_alloc_unbound_accepts_the_caller_s_own_id_as_dom)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(alloc_unbound(2, 2, 1, &port), 0);
    ck_assert_uint_eq(status_of(2, port).status, EVTCHNSTAT_unbound);
}
END_TEST

START_TEST(test_alloc_unbound_in_another_domain_without_privilege_fails_with_eperm)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(alloc_unbound(1, 2, 1, &port), -XEN_EPERM);
    ck_assert_uint_eq(status_of(2, 1).status, EVTCHNSTAT_closed);
}
END_TEST

START_TEST(test_privileged_alloc_unbound_in_another_domain_offers_to_the_privileged_caller)
{
    evtchn_port_t port = 0;
    struct evtchn_status status;

    ck_assert_int_eq(alloc_unbound(0, 2, DOMID_SELF, &port), 0);
    status = status_of(2, port);
    ck_assert_uint_eq(status.status, EVTCHNSTAT_unbound);
    ck_assert_uint_eq(status.u.unbound.dom, 0);
}
END_TEST

START_TEST(test_alloc_unbound_in_an_unknown_or_reserved_domain_fails_with_esrch)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(alloc_unbound(0, UNKNOWN_DOMAIN_ID, 1, &port), -XEN_ESRCH);
    ck_assert_int_eq(alloc_unbound(0, DOMID_IO, 1, &port), -XEN_ESRCH);
    ck_assert_int_eq(alloc_unbound(0, DOMID_IDLE, 1, &port), -XEN_ESRCH);
}
END_TEST

START_TEST(test_a_full_table_fails_every_binding_with_enospc)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;
    evtchn_port_t remote_port = offer(2, 1);

    for (evtchn_port_t expected = 1; expected < EVENT_CHANNEL_PORTS; expected++)
        ck_assert_uint_eq(offer(1, 2), expected);
    ck_assert_int_eq(alloc_unbound(1, DOMID_SELF, 2, &port), -XEN_ENOSPC);
    ck_assert_int_eq(bind_ipi(1, 0, &port), -XEN_ENOSPC);
    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), -XEN_ENOSPC);
    ck_assert_int_eq(bind_interdomain(1, 2, remote_port, &port, &kick), -XEN_ENOSPC);
    ck_assert_uint_eq(status_of(2, remote_port).status, EVTCHNSTAT_unbound);
    expect_world_consistent();
}
END_TEST

START_TEST(test_a_closed_port_is_reused_lowest_first)
{
    for (unsigned int count = 0; count < 5; count++)
        offer(1, 2);
    ck_assert_int_eq(close_port(1, 4), 0);
    ck_assert_int_eq(close_port(1, 2), 0);
    ck_assert_uint_eq(offer(1, 2), 2);
    ck_assert_uint_eq(offer(1, 2), 4);
    ck_assert_uint_eq(offer(1, 2), 6);
}
END_TEST

START_TEST(test_bind_interdomain_connects_both_ends_to_each_other)
{
    evtchn_port_t remote_port = offer(2, 1);
    evtchn_port_t local_port = connect(1, 2, remote_port);
    struct evtchn_status local = status_of(1, local_port);
    struct evtchn_status remote = status_of(2, remote_port);

    ck_assert_uint_eq(local.status, EVTCHNSTAT_interdomain);
    ck_assert_uint_eq(local.u.interdomain.dom, 2);
    ck_assert_uint_eq(local.u.interdomain.port, remote_port);
    ck_assert_uint_eq(remote.status, EVTCHNSTAT_interdomain);
    ck_assert_uint_eq(remote.u.interdomain.dom, 1);
    ck_assert_uint_eq(remote.u.interdomain.port, local_port);
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_interdomain_makes_the_new_local_port_pending)
{
    evtchn_port_t remote_port = offer(2, 1);
    evtchn_port_t local_port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_interdomain(1, 2, remote_port, &local_port, &kick), 0);
    ck_assert(is_pending(1, local_port));
    ck_assert_uint_eq(upcall_of(1, 0), 1);
    expect_kick(&kick, 1, 0);
    ck_assert(no_port_is_pending(2));
}
END_TEST

START_TEST(test_bind_interdomain_to_a_port_offered_to_another_domain_fails_with_einval)
{
    evtchn_port_t offered_to_0 = offer(2, 0);
    evtchn_port_t local_port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_interdomain(1, 2, offered_to_0, &local_port, &kick), -XEN_EINVAL);
    ck_assert(!kick.needed);
    ck_assert_uint_eq(status_of(2, offered_to_0).status, EVTCHNSTAT_unbound);
    ck_assert_uint_eq(status_of(1, 1).status, EVTCHNSTAT_closed);
}
END_TEST

START_TEST(test_bind_interdomain_to_a_port_that_is_not_unbound_fails_with_einval)
{
    evtchn_port_t local_port = 0;
    evtchn_port_t connected_1 = 0;
    evtchn_port_t connected_2 = 0;
    evtchn_port_t ipi_port = 0;
    struct event_channel_kick kick;

    connect_pair(1, &connected_1, 2, &connected_2);
    ck_assert_int_eq(bind_ipi(2, 0, &ipi_port), 0);
    ck_assert_int_eq(bind_interdomain(1, 2, connected_2, &local_port, &kick), -XEN_EINVAL);
    ck_assert_int_eq(bind_interdomain(1, 2, ipi_port, &local_port, &kick), -XEN_EINVAL);
    ck_assert_int_eq(bind_interdomain(1, 2, 40, &local_port, &kick), -XEN_EINVAL);
    ck_assert_uint_eq(status_of(2, connected_2).u.interdomain.port, connected_1);
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_interdomain_to_port_0_or_out_of_range_fails_with_einval)
{
    evtchn_port_t remote_ports[] = { 0, EVENT_CHANNEL_PORTS, EVENT_CHANNEL_PORTS + 1, 0x80000000u, 0xffffffffu };
    evtchn_port_t local_port = 0;
    struct event_channel_kick kick;

    offer(2, 1);
    for (unsigned int index = 0; index < sizeof(remote_ports) / sizeof(remote_ports[0]); index++)
        ck_assert_int_eq(bind_interdomain(1, 2, remote_ports[index], &local_port, &kick), -XEN_EINVAL);
}
END_TEST

START_TEST(test_bind_interdomain_to_an_unknown_domain_fails_with_esrch)
{
    evtchn_port_t local_port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_interdomain(1, UNKNOWN_DOMAIN_ID, 1, &local_port, &kick), -XEN_ESRCH);
    ck_assert_int_eq(bind_interdomain(1, DOMID_XEN, 1, &local_port, &kick), -XEN_ESRCH);
}
END_TEST

START_TEST(test_a_failed_bind_interdomain_leaves_no_port_allocated)
{
    evtchn_port_t local_port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_interdomain(1, 2, 7, &local_port, &kick), -XEN_EINVAL);
    ck_assert_uint_eq(offer(1, 2), 1);
    ck_assert(no_port_is_pending(1));
}
END_TEST

START_TEST(test_a_domain_may_bind_interdomain_to_itself)
{
    evtchn_port_t offered = offer(1, DOMID_SELF);
    evtchn_port_t local_port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_interdomain(1, DOMID_SELF, offered, &local_port, &kick), 0);
    ck_assert_uint_eq(status_of(1, local_port).u.interdomain.port, offered);
    ck_assert_uint_eq(status_of(1, offered).u.interdomain.port, local_port);
    guest_acknowledges_everything(1);
    ck_assert_int_eq(send_on(1, local_port, &kick), 0);
    ck_assert(is_pending(1, offered));
    ck_assert(!is_pending(1, local_port));
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_virq_returns_a_virq_port_on_that_vcpu)
{
    evtchn_port_t port = 0;
    struct evtchn_status status;

    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 1, &port), 0);
    status = status_of(2, port);
    ck_assert_uint_eq(status.status, EVTCHNSTAT_virq);
    ck_assert_uint_eq(status.u.virq, VIRQ_TIMER);
    ck_assert_uint_eq(status.vcpu, 1);
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_virq_twice_on_the_same_vcpu_fails_with_eexist)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), 0);
    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), -XEN_EEXIST);
    ck_assert_uint_eq(status_of(1, 2).status, EVTCHNSTAT_closed);
}
END_TEST

START_TEST(test_a_per_vcpu_virq_binds_once_on_each_vcpu)
{
    evtchn_port_t on_vcpu_0 = 0;
    evtchn_port_t on_vcpu_1 = 0;

    ck_assert_int_eq(bind_virq(2, VIRQ_DEBUG, 0, &on_vcpu_0), 0);
    ck_assert_int_eq(bind_virq(2, VIRQ_DEBUG, 1, &on_vcpu_1), 0);
    ck_assert_uint_ne(on_vcpu_0, on_vcpu_1);
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_virq_beyond_nr_virqs_fails_with_einval)
{
    uint32_t virqs[] = { NR_VIRQS, NR_VIRQS + 1, 0x80000000u, 0xffffffffu };
    evtchn_port_t port = 0;

    for (unsigned int index = 0; index < sizeof(virqs) / sizeof(virqs[0]); index++)
        ck_assert_int_eq(bind_virq(0, virqs[index], 0, &port), -XEN_EINVAL);
}
END_TEST

START_TEST(test_bind_virq_on_a_vcpu_the_domain_lacks_fails_with_enoent)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 1, &port), -XEN_ENOENT);
    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 2, &port), -XEN_ENOENT);
    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 0xffffffffu, &port), -XEN_ENOENT);
}
END_TEST

START_TEST(test_a_virq_that_is_not_per_vcpu_binds_only_on_vcpu_0)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_virq(2, VIRQ_ARGO, 1, &port), -XEN_EINVAL);
    ck_assert_int_eq(bind_virq(0, VIRQ_CONSOLE, 1, &port), -XEN_EINVAL);
    ck_assert_int_eq(bind_virq(2, VIRQ_ARGO, 0, &port), 0);
}
END_TEST

START_TEST(test_an_unprivileged_domain_cannot_bind_a_global_virq)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_virq(1, VIRQ_CONSOLE, 0, &port), -XEN_EBUSY);
    ck_assert_int_eq(bind_virq(1, VIRQ_DOM_EXC, 0, &port), -XEN_EBUSY);
    ck_assert_uint_eq(status_of(1, 1).status, EVTCHNSTAT_closed);
}
END_TEST

START_TEST(test_the_privileged_domain_binds_global_virqs)
{
    evtchn_port_t console = 0;
    evtchn_port_t dom_exc = 0;

    ck_assert_int_eq(bind_virq(0, VIRQ_CONSOLE, 0, &console), 0);
    ck_assert_int_eq(bind_virq(0, VIRQ_DOM_EXC, 0, &dom_exc), 0);
    ck_assert_uint_eq(status_of(0, console).u.virq, VIRQ_CONSOLE);
    ck_assert_uint_eq(status_of(0, dom_exc).u.virq, VIRQ_DOM_EXC);
}
END_TEST

START_TEST(test_a_closed_virq_can_be_bound_again)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), 0);
    ck_assert_int_eq(close_port(1, port), 0);
    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), 0);
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_ipi_returns_an_ipi_port_on_that_vcpu)
{
    evtchn_port_t port = 0;
    struct evtchn_status status;

    ck_assert_int_eq(bind_ipi(2, 1, &port), 0);
    status = status_of(2, port);
    ck_assert_uint_eq(status.status, EVTCHNSTAT_ipi);
    ck_assert_uint_eq(status.vcpu, 1);
}
END_TEST

START_TEST(test_bind_ipi_on_a_vcpu_the_domain_lacks_fails_with_enoent)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_ipi(1, 1, &port), -XEN_ENOENT);
    ck_assert_int_eq(bind_ipi(1, 0xffffffffu, &port), -XEN_ENOENT);
}
END_TEST

START_TEST(test_close_makes_an_unbound_port_closed)
{
    evtchn_port_t port = offer(1, 2);

    ck_assert_int_eq(close_port(1, port), 0);
    ck_assert_uint_eq(status_of(1, port).status, EVTCHNSTAT_closed);
}
END_TEST

START_TEST(test_closing_one_interdomain_end_leaves_the_peer_unbound_and_offered_to_the_closer)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    struct evtchn_status peer;

    connect_pair(1, &port_1, 2, &port_2);
    ck_assert_int_eq(close_port(1, port_1), 0);
    ck_assert_uint_eq(status_of(1, port_1).status, EVTCHNSTAT_closed);
    peer = status_of(2, port_2);
    ck_assert_uint_eq(peer.status, EVTCHNSTAT_unbound);
    ck_assert_uint_eq(peer.u.unbound.dom, 1);
    expect_world_consistent();
}
END_TEST

START_TEST(test_the_closer_can_bind_again_to_the_peer_left_unbound)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    evtchn_port_t new_port;

    connect_pair(1, &port_1, 2, &port_2);
    ck_assert_int_eq(close_port(1, port_1), 0);
    new_port = connect(1, 2, port_2);
    ck_assert_uint_eq(status_of(2, port_2).u.interdomain.port, new_port);
    expect_world_consistent();
}
END_TEST

START_TEST(test_close_clears_the_pending_bit)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert(is_pending(1, port));
    ck_assert_int_eq(close_port(1, port), 0);
    ck_assert(!is_pending(1, port));
}
END_TEST

START_TEST(test_closing_a_port_twice_fails_with_einval)
{
    evtchn_port_t port = offer(1, 2);

    ck_assert_int_eq(close_port(1, port), 0);
    ck_assert_int_eq(close_port(1, port), -XEN_EINVAL);
}
END_TEST

START_TEST(test_close_of_port_0_or_out_of_range_fails_with_einval)
{
    ck_assert_int_eq(close_port(1, 0), -XEN_EINVAL);
    ck_assert_int_eq(close_port(1, EVENT_CHANNEL_PORTS), -XEN_EINVAL);
    ck_assert_int_eq(close_port(1, 0xffffffffu), -XEN_EINVAL);
    ck_assert_int_eq(close_port(1, 17), -XEN_EINVAL);
}
END_TEST

START_TEST(test_interdomain_send_pends_only_the_peer_port)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    struct event_channel_kick kick;

    connect_pair(1, &port_1, 2, &port_2);
    ck_assert_int_eq(send_on(1, port_1, &kick), 0);
    ck_assert(is_pending(2, port_2));
    expect_kick(&kick, 2, 0);
    ck_assert(no_port_is_pending(1));
    ck_assert(no_upcall_raised(1));
    ck_assert(no_port_is_pending(0));
    ck_assert(no_upcall_raised(0));
    ck_assert_uint_eq(pending_port_count(2), 1);
}
END_TEST

START_TEST(test_interdomain_send_notifies_the_peer_port_s_vcpu)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    struct event_channel_kick kick;

    connect_pair(1, &port_1, 2, &port_2);
    ck_assert_int_eq(bind_vcpu(2, port_2, 1), 0);
    ck_assert_int_eq(send_on(1, port_1, &kick), 0);
    expect_kick(&kick, 2, 1);
    ck_assert_uint_eq(upcall_of(2, 1), 1);
    ck_assert_uint_eq(upcall_of(2, 0), 0);
    ck_assert_uint_eq(selector_of(2, 1), (xen_ulong_t) 1 << (port_2 / BITS_PER_WORD));
}
END_TEST

START_TEST(test_send_on_an_ipi_port_pends_it_in_the_caller)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(2, 1, &port), 0);
    ck_assert_int_eq(send_on(2, port, &kick), 0);
    ck_assert(is_pending(2, port));
    expect_kick(&kick, 2, 1);
    ck_assert(no_port_is_pending(1));
}
END_TEST

START_TEST(test_send_on_an_unbound_port_is_dropped_and_succeeds)
{
    evtchn_port_t port = offer(1, 2);
    struct event_channel_kick kick;

    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert(!kick.needed);
    ck_assert(no_port_is_pending(1));
    ck_assert(no_port_is_pending(2));
}
END_TEST

START_TEST(test_send_on_a_virq_port_fails_with_einval)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), 0);
    ck_assert_int_eq(send_on(1, port, &kick), -XEN_EINVAL);
    ck_assert(!is_pending(1, port));
}
END_TEST

START_TEST(test_send_on_a_closed_port_0_or_out_of_range_fails_with_einval)
{
    struct event_channel_kick kick;

    ck_assert_int_eq(send_on(1, 5, &kick), -XEN_EINVAL);
    ck_assert_int_eq(send_on(1, 0, &kick), -XEN_EINVAL);
    ck_assert_int_eq(send_on(1, EVENT_CHANNEL_PORTS, &kick), -XEN_EINVAL);
    ck_assert_int_eq(send_on(1, 0xffffffffu, &kick), -XEN_EINVAL);
    ck_assert(!kick.needed);
    ck_assert(no_port_is_pending(1));
}
END_TEST

START_TEST(test_send_to_a_peer_gone_from_the_directory_fails_without_writing)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    struct event_channel_kick kick;

    connect_pair(1, &port_1, 2, &port_2);
    world->present[2] = false;
    ck_assert_int_eq(send_on(1, port_1, &kick), -XEN_EINVAL);
    ck_assert(!kick.needed);
    ck_assert(no_port_is_pending(2));
    ck_assert(no_upcall_raised(2));
}
END_TEST

START_TEST(test_the_first_event_sets_pending_selector_and_upcall_and_kicks)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert(is_pending(1, port));
    ck_assert_uint_eq(selector_of(1, 0), (xen_ulong_t) 1 << (port / BITS_PER_WORD));
    ck_assert_uint_eq(upcall_of(1, 0), 1);
    expect_kick(&kick, 1, 0);
}
END_TEST

START_TEST(test_the_selector_bit_is_the_port_s_word_of_pending_bits)
{
    struct event_channel_kick kick;

    for (evtchn_port_t port = 1; port <= 130; port++)
        offer(1, DOMID_SELF);
    ck_assert_uint_eq(connect(1, 1, 130), 131);
    guest_acknowledges_everything(1);
    ck_assert_int_eq(send_on(1, 131, &kick), 0);
    ck_assert(is_pending(1, 130));
    ck_assert_uint_eq(selector_of(1, 0), (xen_ulong_t) 1 << 2);
}
END_TEST

START_TEST(test_a_masked_port_becomes_pending_without_selector_or_upcall)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    guest_masks(1, port);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert(is_pending(1, port));
    ck_assert_uint_eq(selector_of(1, 0), 0);
    ck_assert_uint_eq(upcall_of(1, 0), 0);
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_a_second_send_of_a_pending_port_raises_nothing_again)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    shared_info_of(1)->vcpu_info[0].evtchn_upcall_pending = 0;
    shared_info_of(1)->vcpu_info[0].evtchn_pending_sel = 0;
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert(!kick.needed);
    ck_assert_uint_eq(upcall_of(1, 0), 0);
    ck_assert_uint_eq(selector_of(1, 0), 0);
}
END_TEST

START_TEST(test_a_port_in_a_word_already_selected_raises_no_upcall)
{
    evtchn_port_t first = 0;
    evtchn_port_t second = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &first), 0);
    ck_assert_int_eq(bind_ipi(1, 0, &second), 0);
    ck_assert_int_eq(send_on(1, first, &kick), 0);
    shared_info_of(1)->vcpu_info[0].evtchn_upcall_pending = 0;
    ck_assert_int_eq(send_on(1, second, &kick), 0);
    ck_assert(is_pending(1, second));
    ck_assert_uint_eq(upcall_of(1, 0), 0);
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_an_upcall_already_pending_is_not_kicked_again)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    shared_info_of(1)->vcpu_info[0].evtchn_upcall_pending = 1;
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert_uint_eq(selector_of(1, 0), 1);
    ck_assert_uint_eq(upcall_of(1, 0), 1);
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_unmask_of_a_pending_port_raises_selector_and_upcall)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    guest_masks(1, port);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert_int_eq(unmask(1, port, &kick), 0);
    ck_assert(!is_masked(1, port));
    ck_assert_uint_eq(selector_of(1, 0), 1);
    ck_assert_uint_eq(upcall_of(1, 0), 1);
    expect_kick(&kick, 1, 0);
}
END_TEST

START_TEST(test_unmask_of_a_port_not_pending_only_clears_the_mask)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    guest_masks(1, port);
    ck_assert_int_eq(unmask(1, port, &kick), 0);
    ck_assert(!is_masked(1, port));
    ck_assert(no_upcall_raised(1));
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_unmask_of_a_port_that_was_not_masked_changes_nothing)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    guest_acknowledges_everything(1);
    set_bit(shared_info_of(1)->evtchn_pending, port);
    ck_assert_int_eq(unmask(1, port, &kick), 0);
    ck_assert(no_upcall_raised(1));
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_unmask_signals_the_port_s_vcpu)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_ipi(2, 1, &port), 0);
    guest_masks(2, port);
    ck_assert_int_eq(send_on(2, port, &kick), 0);
    ck_assert_int_eq(unmask(2, port, &kick), 0);
    expect_kick(&kick, 2, 1);
    ck_assert_uint_eq(upcall_of(2, 0), 0);
}
END_TEST

START_TEST(test_unmask_out_of_range_fails_with_einval)
{
    struct event_channel_kick kick;

    ck_assert_int_eq(unmask(1, EVENT_CHANNEL_PORTS, &kick), -XEN_EINVAL);
    ck_assert_int_eq(unmask(1, 0xffffffffu, &kick), -XEN_EINVAL);
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_status_reports_an_interdomain_peer)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    struct evtchn_status status;

    connect_pair(1, &port_1, 2, &port_2);
    ck_assert_int_eq(query_status(1, 1, port_1, &status), 0);
    ck_assert_uint_eq(status.status, EVTCHNSTAT_interdomain);
    ck_assert_uint_eq(status.u.interdomain.dom, 2);
    ck_assert_uint_eq(status.u.interdomain.port, port_2);
    ck_assert_uint_eq(status.vcpu, 0);
}
END_TEST

START_TEST(test_status_of_another_domain_without_privilege_fails_with_eperm)
{
    struct evtchn_status status;

    offer(2, 1);
    ck_assert_int_eq(query_status(1, 2, 1, &status), -XEN_EPERM);
}
END_TEST

START_TEST(test_the_privileged_domain_reads_another_domain_s_status)
{
    struct evtchn_status status;
    evtchn_port_t port = offer(2, 1);

    ck_assert_int_eq(query_status(0, 2, port, &status), 0);
    ck_assert_uint_eq(status.status, EVTCHNSTAT_unbound);
    ck_assert_uint_eq(status.u.unbound.dom, 1);
}
END_TEST

START_TEST(test_status_of_an_unknown_domain_fails_with_esrch)
{
    struct evtchn_status status;

    ck_assert_int_eq(query_status(0, UNKNOWN_DOMAIN_ID, 1, &status), -XEN_ESRCH);
    ck_assert_int_eq(query_status(0, DOMID_COW, 1, &status), -XEN_ESRCH);
}
END_TEST

START_TEST(test_status_out_of_range_fails_with_einval)
{
    struct evtchn_status status;

    ck_assert_int_eq(query_status(1, DOMID_SELF, EVENT_CHANNEL_PORTS, &status), -XEN_EINVAL);
    ck_assert_int_eq(query_status(1, DOMID_SELF, 0xffffffffu, &status), -XEN_EINVAL);
}
END_TEST

START_TEST(test_bind_vcpu_moves_an_interdomain_or_unbound_port)
{
    evtchn_port_t unbound = offer(2, 1);
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;

    connect_pair(1, &port_1, 2, &port_2);
    ck_assert_int_eq(bind_vcpu(2, unbound, 1), 0);
    ck_assert_int_eq(bind_vcpu(2, port_2, 1), 0);
    ck_assert_uint_eq(status_of(2, unbound).vcpu, 1);
    ck_assert_uint_eq(status_of(2, port_2).vcpu, 1);
}
END_TEST

START_TEST(test_bind_vcpu_moves_a_per_domain_virq)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(2, VIRQ_ARGO, 0, &port), 0);
    ck_assert_int_eq(bind_vcpu(2, port, 1), 0);
    event_channel_virq_raise(domain(2), VIRQ_ARGO, 0, &kick);
    expect_kick(&kick, 2, 1);
    expect_world_consistent();
}
END_TEST

START_TEST(test_bind_vcpu_refuses_per_vcpu_virq_ipi_and_closed_ports)
{
    evtchn_port_t timer = 0;
    evtchn_port_t ipi = 0;

    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 0, &timer), 0);
    ck_assert_int_eq(bind_ipi(2, 0, &ipi), 0);
    ck_assert_int_eq(bind_vcpu(2, timer, 1), -XEN_EINVAL);
    ck_assert_int_eq(bind_vcpu(2, ipi, 1), -XEN_EINVAL);
    ck_assert_int_eq(bind_vcpu(2, 0, 1), -XEN_EINVAL);
    ck_assert_int_eq(bind_vcpu(2, 30, 1), -XEN_EINVAL);
    ck_assert_uint_eq(status_of(2, timer).vcpu, 0);
}
END_TEST

START_TEST(test_bind_vcpu_checks_the_vcpu_then_the_port)
{
    evtchn_port_t port = offer(1, 2);

    ck_assert_int_eq(bind_vcpu(1, port, 1), -XEN_ENOENT);
    ck_assert_int_eq(bind_vcpu(1, EVENT_CHANNEL_PORTS, 1), -XEN_ENOENT);
    ck_assert_int_eq(bind_vcpu(1, EVENT_CHANNEL_PORTS, 0), -XEN_EINVAL);
    ck_assert_int_eq(bind_vcpu(1, 0xffffffffu, 0), -XEN_EINVAL);
}
END_TEST

static int init_control(unsigned int caller, uint32_t vcpu, uint32_t offset)
{
    struct evtchn_init_control request = { .control_gfn = 1, .offset = offset, .vcpu = vcpu };

    return event_channel_check_init_control(domain(caller), &request);
}

START_TEST(test_init_control_for_a_vcpu_the_domain_lacks_is_enoent)
{
    ck_assert_int_eq(init_control(1, domain(1)->vcpu_count, 0), -XEN_ENOENT);
    ck_assert_int_eq(init_control(1, 0xffffffffu, 0), -XEN_ENOENT);
}
END_TEST

START_TEST(test_init_control_block_crossing_its_page_is_einval)
{
    uint32_t last = FIFO_CONTROL_PAGE_SIZE - sizeof(struct evtchn_fifo_control_block);

    ck_assert_int_eq(init_control(1, 0, last), 0);
    ck_assert_int_eq(init_control(1, 0, last + 8), -XEN_EINVAL);
    ck_assert_int_eq(init_control(1, 0, 0xfffffff8u), -XEN_EINVAL);
}
END_TEST

START_TEST(test_init_control_block_not_8_byte_aligned_is_einval)
{
    ck_assert_int_eq(init_control(1, 0, 4), -XEN_EINVAL);
    ck_assert_int_eq(init_control(1, 0, 1), -XEN_EINVAL);
    ck_assert_int_eq(init_control(1, 0, 8), 0);
}
END_TEST

START_TEST(test_expand_array_without_a_control_block_is_eopnotsupp)
{
    struct evtchn_expand_array request = { .array_gfn = 1 };

    ck_assert_int_eq(event_channel_expand_array(domain(1), &request), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(test_set_priority_on_2_level_is_enosys_for_a_port_in_the_table)
{
    struct evtchn_set_priority request = { .port = offer(1, 2), .priority = 0 };

    ck_assert_int_eq(event_channel_set_priority(domain(1), &request), -XEN_ENOSYS);
    request.port = 0;
    ck_assert_int_eq(event_channel_set_priority(domain(1), &request), -XEN_ENOSYS);
}
END_TEST

START_TEST(test_set_priority_on_a_port_outside_the_table_is_einval)
{
    struct evtchn_set_priority request = { .port = EVENT_CHANNEL_PORTS, .priority = 0 };

    ck_assert_int_eq(event_channel_set_priority(domain(1), &request), -XEN_EINVAL);
    request.port = 0xffffffffu;
    ck_assert_int_eq(event_channel_set_priority(domain(1), &request), -XEN_EINVAL);
}
END_TEST

START_TEST(test_virq_raise_pends_the_bound_port_and_kicks)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), 0);
    event_channel_virq_raise(domain(1), VIRQ_TIMER, 0, &kick);
    ck_assert(is_pending(1, port));
    expect_kick(&kick, 1, 0);
    ck_assert(no_port_is_pending(2));
}
END_TEST

START_TEST(test_virq_raise_reaches_the_port_of_that_vcpu)
{
    evtchn_port_t on_vcpu_0 = 0;
    evtchn_port_t on_vcpu_1 = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 0, &on_vcpu_0), 0);
    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 1, &on_vcpu_1), 0);
    event_channel_virq_raise(domain(2), VIRQ_TIMER, 1, &kick);
    ck_assert(is_pending(2, on_vcpu_1));
    ck_assert(!is_pending(2, on_vcpu_0));
    expect_kick(&kick, 2, 1);
}
END_TEST

START_TEST(test_virq_raise_of_an_unbound_virq_does_nothing)
{
    struct event_channel_kick kick;

    event_channel_virq_raise(domain(1), VIRQ_TIMER, 0, &kick);
    ck_assert(!kick.needed);
    ck_assert(no_port_is_pending(1));
    ck_assert(no_upcall_raised(1));
}
END_TEST

START_TEST(test_virq_raise_ignores_a_bad_virq_or_vcpu)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(1, VIRQ_TIMER, 0, &port), 0);
    event_channel_virq_raise(domain(1), NR_VIRQS, 0, &kick);
    ck_assert(!kick.needed);
    event_channel_virq_raise(domain(1), VIRQ_TIMER, 1, &kick);
    ck_assert(!kick.needed);
    event_channel_virq_raise(domain(1), VIRQ_TIMER, EVENT_CHANNEL_MAX_VCPUS, &kick);
    ck_assert(!kick.needed);
    ck_assert(no_port_is_pending(1));
}
END_TEST

/* The whole world, in id order, as the hypervisor offers its live domains to a global virq. */
static void raise_global_virq(unsigned int virq, struct event_channel_kick *kick)
{
    struct event_channel_domain *domains[WORLD_DOMAINS] = { domain(0), domain(1), domain(2) };

    event_channel_global_virq_raise(domains, WORLD_DOMAINS, virq, kick);
}

START_TEST(test_dom_exc_binds_only_on_vcpu_0_as_in_xen)
{
    evtchn_port_t port = 0;

    ck_assert_int_eq(bind_virq(0, VIRQ_DOM_EXC, 1, &port), -XEN_EINVAL);
    ck_assert_int_eq(bind_virq(2, VIRQ_DOM_EXC, 1, &port), -XEN_EINVAL);
    ck_assert_int_eq(bind_virq(0, VIRQ_DOM_EXC, 0, &port), 0);
    ck_assert_uint_eq(status_of(0, port).status, EVTCHNSTAT_virq);
    ck_assert_uint_eq(status_of(0, port).u.virq, VIRQ_DOM_EXC);
    ck_assert_uint_eq(status_of(0, port).vcpu, 0);
}
END_TEST

START_TEST(test_global_virq_raise_reaches_the_port_its_binder_bound)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(0, VIRQ_DOM_EXC, 0, &port), 0);
    raise_global_virq(VIRQ_DOM_EXC, &kick);
    ck_assert(is_pending(0, port));
    expect_kick(&kick, 0, 0);
    ck_assert(no_port_is_pending(1));
    ck_assert(no_port_is_pending(2));
}
END_TEST

START_TEST(test_global_virq_raise_with_nothing_bound_does_nothing)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(0, VIRQ_CONSOLE, 0, &port), 0);
    raise_global_virq(VIRQ_DOM_EXC, &kick);
    ck_assert(!kick.needed);
    for (unsigned int id = 0; id < WORLD_DOMAINS; id++) {
        ck_assert(no_port_is_pending(id));
        ck_assert(no_upcall_raised(id));
    }
}
END_TEST

START_TEST(test_global_virq_raise_reaches_only_the_first_binder)
{
    evtchn_port_t first = 0;
    evtchn_port_t second = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(event_channel_domain_init(domain(1), 1, true, 1, shared_info_of(1)), 0);
    ck_assert_int_eq(bind_virq(0, VIRQ_DOM_EXC, 0, &first), 0);
    ck_assert_int_eq(bind_virq(1, VIRQ_DOM_EXC, 0, &second), 0);
    raise_global_virq(VIRQ_DOM_EXC, &kick);
    ck_assert(is_pending(0, first));
    ck_assert(!is_pending(1, second));
    expect_kick(&kick, 0, 0);
}
END_TEST

START_TEST(test_global_virq_raise_ignores_a_virq_that_is_not_global)
{
    evtchn_port_t timer = 0;
    evtchn_port_t argo = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(0, VIRQ_TIMER, 0, &timer), 0);
    ck_assert_int_eq(bind_virq(0, VIRQ_ARGO, 0, &argo), 0);
    raise_global_virq(VIRQ_TIMER, &kick);
    ck_assert(!kick.needed);
    raise_global_virq(VIRQ_ARGO, &kick);
    ck_assert(!kick.needed);
    raise_global_virq(NR_VIRQS, &kick);
    ck_assert(!kick.needed);
    ck_assert(no_port_is_pending(0));
}
END_TEST

START_TEST(test_close_all_closes_every_port_and_leaves_peers_unbound)
{
    evtchn_port_t port_1 = 0;
    evtchn_port_t port_2 = 0;
    evtchn_port_t virq_port = 0;
    evtchn_port_t ipi_port = 0;
    struct event_channel_kick kick;

    connect_pair(2, &port_2, 1, &port_1);
    ck_assert_int_eq(bind_virq(2, VIRQ_TIMER, 1, &virq_port), 0);
    ck_assert_int_eq(bind_ipi(2, 0, &ipi_port), 0);
    ck_assert_int_eq(send_on(2, ipi_port, &kick), 0);
    connect(2, 2, offer(2, DOMID_SELF));
    offer(2, 0);

    world->present[2] = false;
    event_channel_domain_close_all(domain(2), directory());
    for (evtchn_port_t port = 0; port < EVENT_CHANNEL_PORTS; port++)
        ck_assert_uint_eq(domain(2)->channels[port].state, EVTCHNSTAT_closed);
    ck_assert(no_port_is_pending(2));
    ck_assert_uint_eq(status_of(1, port_1).status, EVTCHNSTAT_unbound);
    ck_assert_uint_eq(status_of(1, port_1).u.unbound.dom, 2);
    world->present[2] = true;
    expect_world_consistent();
}
END_TEST

START_TEST(test_a_registered_vcpu_info_receives_the_upcall)
{
    struct vcpu_info *registered = calloc(1, sizeof(*registered));
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_ptr_nonnull(registered);
    ck_assert_int_eq(event_channel_set_vcpu_info(domain(1), 0, registered), 0);
    ck_assert_int_eq(bind_ipi(1, 0, &port), 0);
    ck_assert_int_eq(send_on(1, port, &kick), 0);
    ck_assert_uint_eq(registered->evtchn_upcall_pending, 1);
    ck_assert_uint_eq(registered->evtchn_pending_sel, 1);
    ck_assert(no_upcall_raised(1));
    free(registered);
}
END_TEST

START_TEST(test_set_vcpu_info_refuses_a_missing_vcpu_or_no_area)
{
    struct vcpu_info area;

    ck_assert_int_eq(event_channel_set_vcpu_info(domain(1), 1, &area), -XEN_ENOENT);
    ck_assert_int_eq(event_channel_set_vcpu_info(domain(1), 0, NULL), -XEN_EINVAL);
    ck_assert_ptr_eq(domain(1)->vcpu_info[0], &shared_info_of(1)->vcpu_info[0]);
}
END_TEST

/* A fixed-seed xorshift generator, so that a failure can be reproduced. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static unsigned int random_below(uint64_t *state, unsigned int limit)
{
    return (unsigned int) (next_random(state) % limit);
}

/* Mostly ports that may be in use, sometimes port 0, the edge of the table or beyond it. */
static evtchn_port_t random_port(uint64_t *state)
{
    switch (random_below(state, 10)) {
    case 0:
        return EVENT_CHANNEL_PORTS - 1 + random_below(state, 3);
    case 1:
        return (evtchn_port_t) next_random(state);
    default:
        return random_below(state, 40);
    }
}

static domid_t random_domain_id(uint64_t *state)
{
    static const domid_t ids[] = { 0, 1, 2, DOMID_SELF, UNKNOWN_DOMAIN_ID, DOMID_IO };

    return ids[random_below(state, sizeof(ids) / sizeof(ids[0]))];
}

static uint32_t random_vcpu(uint64_t *state)
{
    return random_below(state, 8) == 0 ? 0xffffffffu : random_below(state, 3);
}

static void expect_result_among(int result, const int *allowed, unsigned int allowed_count, int step)
{
    for (unsigned int index = 0; index < allowed_count; index++) {
        if (result == allowed[index])
            return;
    }
    ck_abort_msg("step %d: unexpected result %d", step, result);
}

#define EXPECT_RESULT_AMONG(result, step, ...)                                                                   \
    do {                                                                                                        \
        const int allowed_results[] = { __VA_ARGS__ };                                                          \
        expect_result_among(result, allowed_results, sizeof(allowed_results) / sizeof(allowed_results[0]), step); \
    } while (0)

/* Half the time the first port some domain offers to the binder, so that connections form; otherwise anything. */
static void random_binding_target(uint64_t *state, unsigned int binder, domid_t *remote_dom,
                                  evtchn_port_t *remote_port)
{
    unsigned int owner = random_below(state, WORLD_DOMAINS);

    *remote_dom = random_domain_id(state);
    *remote_port = random_port(state);
    if (random_below(state, 2) == 0)
        return;
    for (evtchn_port_t port = 1; port < EVENT_CHANNEL_PORTS; port++) {
        const struct event_channel *channel = &domain(owner)->channels[port];

        if (channel->state == EVTCHNSTAT_unbound && channel->remote_domain_id == binder) {
            *remote_dom = (domid_t) owner;
            *remote_port = port;
            return;
        }
    }
}

/* One random step by domain caller (a guest operation, a guest write to its bits, or a virq from the hypervisor). */
static void random_operation(uint64_t *state, unsigned int caller, int step)
{
    struct event_channel_kick kick;
    struct evtchn_status status;
    evtchn_port_t port = 0;
    domid_t remote_dom;
    evtchn_port_t remote_port;

    switch (random_below(state, 12)) {
    case 0:
        EXPECT_RESULT_AMONG(alloc_unbound(caller, random_domain_id(state), random_domain_id(state), &port), step, 0,
                            -XEN_ESRCH, -XEN_EPERM, -XEN_ENOSPC);
        break;
    case 1:
    case 2:
        random_binding_target(state, caller, &remote_dom, &remote_port);
        EXPECT_RESULT_AMONG(bind_interdomain(caller, remote_dom, remote_port, &port, &kick), step, 0, -XEN_ESRCH,
                            -XEN_EINVAL, -XEN_ENOSPC);
        break;
    case 3:
        EXPECT_RESULT_AMONG(bind_virq(caller, random_below(state, NR_VIRQS + 2), random_vcpu(state), &port), step, 0,
                            -XEN_EINVAL, -XEN_ENOENT, -XEN_EBUSY, -XEN_EEXIST, -XEN_ENOSPC);
        break;
    case 4:
        EXPECT_RESULT_AMONG(bind_ipi(caller, random_vcpu(state), &port), step, 0, -XEN_ENOENT, -XEN_ENOSPC);
        break;
    case 5:
        EXPECT_RESULT_AMONG(close_port(caller, random_port(state)), step, 0, -XEN_EINVAL);
        break;
    case 6:
    case 7:
        EXPECT_RESULT_AMONG(send_on(caller, random_port(state), &kick), step, 0, -XEN_EINVAL);
        break;
    case 8:
        EXPECT_RESULT_AMONG(unmask(caller, random_port(state), &kick), step, 0, -XEN_EINVAL);
        break;
    case 9:
        EXPECT_RESULT_AMONG(bind_vcpu(caller, random_port(state), random_vcpu(state)), step, 0, -XEN_EINVAL,
                            -XEN_ENOENT);
        break;
    case 10:
        EXPECT_RESULT_AMONG(query_status(caller, random_domain_id(state), random_port(state), &status), step, 0,
                            -XEN_ESRCH, -XEN_EINVAL, -XEN_EPERM);
        break;
    default:
        if (random_below(state, 2) == 0)
            guest_masks(caller, random_below(state, 40));
        else
            event_channel_virq_raise(domain(caller), random_below(state, NR_VIRQS + 1), random_vcpu(state), &kick);
        break;
    }
}

/* A domain dies and a new one with the same id starts, as a restarted guest would. */
static void restart_domain(unsigned int id)
{
    world->present[id] = false;
    event_channel_domain_close_all(domain(id), directory());
    start_domain(id);
}

static void snapshot_pending(xen_ulong_t pending[WORLD_DOMAINS][sizeof(xen_ulong_t) * 8])
{
    for (unsigned int id = 0; id < WORLD_DOMAINS; id++)
        memcpy(pending[id], shared_info_of(id)->evtchn_pending, sizeof(shared_info_of(id)->evtchn_pending));
}

/* A pending bit that appeared in another domain belongs to a port connected to the caller. */
static void expect_only_connected_ports_raised(const xen_ulong_t before[WORLD_DOMAINS][sizeof(xen_ulong_t) * 8],
                                               unsigned int caller, int step)
{
    for (unsigned int id = 0; id < WORLD_DOMAINS; id++) {
        if (id == caller)
            continue;
        for (evtchn_port_t port = 0; port < EVENT_CHANNEL_PORTS; port++) {
            const struct event_channel *channel = &domain(id)->channels[port];

            if (!is_pending(id, port) || bit_is_set(before[id], port))
                continue;
            ck_assert_msg(channel->state == EVTCHNSTAT_interdomain && channel->remote_domain_id == caller,
                          "step %d: domain %u raised port %u of domain %u", step, caller, port, id);
        }
    }
}

/* Closed ports are never pending; a pending unmasked port is selected on some vCPU; a selector implies an upcall. */
static void expect_bits_consistent(unsigned int id, int step)
{
    for (evtchn_port_t port = 0; port < EVENT_CHANNEL_PORTS; port++) {
        bool selected = false;

        if (!is_pending(id, port))
            continue;
        ck_assert_msg(domain(id)->channels[port].state != EVTCHNSTAT_closed,
                      "step %d: closed port %u of domain %u is pending", step, port, id);
        if (is_masked(id, port))
            continue;
        for (unsigned int vcpu = 0; vcpu < vcpus_of_domain[id]; vcpu++)
            selected = selected || ((selector_of(id, vcpu) >> (port / BITS_PER_WORD)) & 1);
        ck_assert_msg(selected, "step %d: port %u of domain %u pending but not selected", step, port, id);
    }
    for (unsigned int vcpu = 0; vcpu < vcpus_of_domain[id]; vcpu++) {
        if (selector_of(id, vcpu) != 0)
            ck_assert_msg(upcall_of(id, vcpu) == 1, "step %d: domain %u vCPU %u selected without upcall", step, id,
                          vcpu);
    }
}

#define RANDOM_STEPS 4000

START_TEST(test_random_operations_across_three_domains_keep_invariants)
{
    static xen_ulong_t pending_before[WORLD_DOMAINS][sizeof(xen_ulong_t) * 8];
    uint64_t random_state = 0x9e3779b97f4a7c15ull;

    for (int step = 0; step < RANDOM_STEPS; step++) {
        unsigned int caller = random_below(&random_state, WORLD_DOMAINS);
        unsigned int choice = random_below(&random_state, 100);

        snapshot_pending(pending_before);
        if (choice == 0)
            restart_domain(caller);
        else if (choice < 4)
            guest_acknowledges_everything(caller);
        else
            random_operation(&random_state, caller, step);
        expect_world_consistent();
        expect_only_connected_ports_raised(pending_before, caller, step);
        for (unsigned int id = 0; id < WORLD_DOMAINS; id++)
            expect_bits_consistent(id, step);
    }
}
END_TEST

/* Each behaviour is a check test case of its own, so that the report names it. */

/* ---- pirq ports (the pirq table's checks are pvmon/pirq.h's) ---- */

static evtchn_port_t bind_pirq(unsigned int id, uint32_t pirq)
{
    struct evtchn_bind_pirq request = { .pirq = pirq };

    ck_assert_int_eq(event_channel_bind_pirq(domain(id), &request), 0);
    return request.port;
}

START_TEST(test_bind_pirq_makes_a_pirq_port_on_vcpu_0_that_status_reports)
{
    evtchn_port_t port = bind_pirq(0, 12);
    struct evtchn_status status = { .dom = DOMID_SELF, .port = port };

    ck_assert_uint_ne(port, 0);
    ck_assert_int_eq(event_channel_status(domain(0), directory(), &status), 0);
    ck_assert_uint_eq(status.status, EVTCHNSTAT_pirq);
    ck_assert_uint_eq(status.vcpu, 0);
    ck_assert_uint_eq(status.u.pirq, 12);
    ck_assert(event_channel_invariants_hold(domain(0), directory()));
}
END_TEST

START_TEST(test_pirq_raise_pends_the_port_and_kicks)
{
    evtchn_port_t port = bind_pirq(0, 12);
    struct event_channel_kick kick;

    event_channel_pirq_raise(domain(0), port, &kick);

    ck_assert(is_pending(0, port));
    expect_kick(&kick, 0, 0);
}
END_TEST

START_TEST(test_pirq_raise_of_a_port_that_is_not_a_pirq_port_does_nothing)
{
    evtchn_port_t port = 0;
    struct event_channel_kick kick;

    ck_assert_int_eq(bind_virq(0, VIRQ_TIMER, 0, &port), 0);
    event_channel_pirq_raise(domain(0), port, &kick);
    event_channel_pirq_raise(domain(0), EVENT_CHANNEL_PORTS, &kick);
    event_channel_pirq_raise(domain(0), port + 1, &kick);

    ck_assert(no_port_is_pending(0));
    ck_assert(!kick.needed);
}
END_TEST

START_TEST(test_send_on_a_pirq_port_is_einval)
{
    struct evtchn_send send = { .port = bind_pirq(0, 12) };
    struct event_channel_kick kick;

    ck_assert_int_eq(event_channel_send(domain(0), directory(), &send, &kick), -XEN_EINVAL);
    ck_assert(no_port_is_pending(0));
}
END_TEST

START_TEST(test_closing_a_pirq_port_frees_it)
{
    struct evtchn_close close = { .port = bind_pirq(0, 12) };

    ck_assert_int_eq(event_channel_close(domain(0), directory(), &close), 0);
    ck_assert_uint_eq(domain(0)->channels[close.port].state, EVTCHNSTAT_closed);
    ck_assert_uint_eq(bind_pirq(0, 13), close.port);
}
END_TEST

START_TEST(test_a_pirq_port_may_move_to_another_vcpu)
{
    struct evtchn_bind_vcpu request = { .port = bind_pirq(2, 12), .vcpu = 1 };

    ck_assert_int_eq(event_channel_bind_vcpu(domain(2), &request), 0);
    ck_assert_uint_eq(domain(2)->channels[request.port].vcpu, 1);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, create_world, destroy_world);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

Suite *event_channel_suite(void)
{
    Suite *suite = suite_create("event_channel");

    add_test_case(suite, test_init_rejects_no_vcpu_too_many_vcpus_a_reserved_id_and_no_shared_info);
    add_test_case(suite, test_new_domain_has_every_port_closed);
    add_test_case(suite, test_the_2_level_abi_offers_4096_ports);
    add_test_case(suite, test_alloc_unbound_returns_the_lowest_port_and_never_port_0);
    add_test_case(suite, test_alloc_unbound_offers_the_port_to_the_remote_domain);
    add_test_case(suite, test_alloc_unbound_with_remote_domid_self_offers_the_port_to_the_caller);
    add_test_case(suite, test_alloc_unbound_accepts_the_caller_s_own_id_as_dom);
    add_test_case(suite, test_alloc_unbound_in_another_domain_without_privilege_fails_with_eperm);
    add_test_case(suite, test_privileged_alloc_unbound_in_another_domain_offers_to_the_privileged_caller);
    add_test_case(suite, test_alloc_unbound_in_an_unknown_or_reserved_domain_fails_with_esrch);
    add_test_case(suite, test_a_full_table_fails_every_binding_with_enospc);
    add_test_case(suite, test_a_closed_port_is_reused_lowest_first);
    add_test_case(suite, test_bind_interdomain_connects_both_ends_to_each_other);
    add_test_case(suite, test_bind_interdomain_makes_the_new_local_port_pending);
    add_test_case(suite, test_bind_interdomain_to_a_port_offered_to_another_domain_fails_with_einval);
    add_test_case(suite, test_bind_interdomain_to_a_port_that_is_not_unbound_fails_with_einval);
    add_test_case(suite, test_bind_interdomain_to_port_0_or_out_of_range_fails_with_einval);
    add_test_case(suite, test_bind_interdomain_to_an_unknown_domain_fails_with_esrch);
    add_test_case(suite, test_a_failed_bind_interdomain_leaves_no_port_allocated);
    add_test_case(suite, test_a_domain_may_bind_interdomain_to_itself);
    add_test_case(suite, test_bind_virq_returns_a_virq_port_on_that_vcpu);
    add_test_case(suite, test_bind_virq_twice_on_the_same_vcpu_fails_with_eexist);
    add_test_case(suite, test_a_per_vcpu_virq_binds_once_on_each_vcpu);
    add_test_case(suite, test_bind_virq_beyond_nr_virqs_fails_with_einval);
    add_test_case(suite, test_bind_virq_on_a_vcpu_the_domain_lacks_fails_with_enoent);
    add_test_case(suite, test_a_virq_that_is_not_per_vcpu_binds_only_on_vcpu_0);
    add_test_case(suite, test_an_unprivileged_domain_cannot_bind_a_global_virq);
    add_test_case(suite, test_the_privileged_domain_binds_global_virqs);
    add_test_case(suite, test_a_closed_virq_can_be_bound_again);
    add_test_case(suite, test_bind_ipi_returns_an_ipi_port_on_that_vcpu);
    add_test_case(suite, test_bind_ipi_on_a_vcpu_the_domain_lacks_fails_with_enoent);
    add_test_case(suite, test_close_makes_an_unbound_port_closed);
    add_test_case(suite, test_closing_one_interdomain_end_leaves_the_peer_unbound_and_offered_to_the_closer);
    add_test_case(suite, test_the_closer_can_bind_again_to_the_peer_left_unbound);
    add_test_case(suite, test_close_clears_the_pending_bit);
    add_test_case(suite, test_closing_a_port_twice_fails_with_einval);
    add_test_case(suite, test_close_of_port_0_or_out_of_range_fails_with_einval);
    add_test_case(suite, test_interdomain_send_pends_only_the_peer_port);
    add_test_case(suite, test_interdomain_send_notifies_the_peer_port_s_vcpu);
    add_test_case(suite, test_send_on_an_ipi_port_pends_it_in_the_caller);
    add_test_case(suite, test_send_on_an_unbound_port_is_dropped_and_succeeds);
    add_test_case(suite, test_send_on_a_virq_port_fails_with_einval);
    add_test_case(suite, test_send_on_a_closed_port_0_or_out_of_range_fails_with_einval);
    add_test_case(suite, test_send_to_a_peer_gone_from_the_directory_fails_without_writing);
    add_test_case(suite, test_the_first_event_sets_pending_selector_and_upcall_and_kicks);
    add_test_case(suite, test_the_selector_bit_is_the_port_s_word_of_pending_bits);
    add_test_case(suite, test_a_masked_port_becomes_pending_without_selector_or_upcall);
    add_test_case(suite, test_a_second_send_of_a_pending_port_raises_nothing_again);
    add_test_case(suite, test_a_port_in_a_word_already_selected_raises_no_upcall);
    add_test_case(suite, test_an_upcall_already_pending_is_not_kicked_again);
    add_test_case(suite, test_unmask_of_a_pending_port_raises_selector_and_upcall);
    add_test_case(suite, test_unmask_of_a_port_not_pending_only_clears_the_mask);
    add_test_case(suite, test_unmask_of_a_port_that_was_not_masked_changes_nothing);
    add_test_case(suite, test_unmask_signals_the_port_s_vcpu);
    add_test_case(suite, test_unmask_out_of_range_fails_with_einval);
    add_test_case(suite, test_status_reports_an_interdomain_peer);
    add_test_case(suite, test_status_of_another_domain_without_privilege_fails_with_eperm);
    add_test_case(suite, test_the_privileged_domain_reads_another_domain_s_status);
    add_test_case(suite, test_status_of_an_unknown_domain_fails_with_esrch);
    add_test_case(suite, test_status_out_of_range_fails_with_einval);
    add_test_case(suite, test_bind_vcpu_moves_an_interdomain_or_unbound_port);
    add_test_case(suite, test_bind_vcpu_moves_a_per_domain_virq);
    add_test_case(suite, test_bind_vcpu_refuses_per_vcpu_virq_ipi_and_closed_ports);
    add_test_case(suite, test_bind_vcpu_checks_the_vcpu_then_the_port);
    add_test_case(suite, test_init_control_for_a_vcpu_the_domain_lacks_is_enoent);
    add_test_case(suite, test_init_control_block_crossing_its_page_is_einval);
    add_test_case(suite, test_init_control_block_not_8_byte_aligned_is_einval);
    add_test_case(suite, test_expand_array_without_a_control_block_is_eopnotsupp);
    add_test_case(suite, test_set_priority_on_2_level_is_enosys_for_a_port_in_the_table);
    add_test_case(suite, test_set_priority_on_a_port_outside_the_table_is_einval);
    add_test_case(suite, test_virq_raise_pends_the_bound_port_and_kicks);
    add_test_case(suite, test_virq_raise_reaches_the_port_of_that_vcpu);
    add_test_case(suite, test_virq_raise_of_an_unbound_virq_does_nothing);
    add_test_case(suite, test_virq_raise_ignores_a_bad_virq_or_vcpu);
    add_test_case(suite, test_dom_exc_binds_only_on_vcpu_0_as_in_xen);
    add_test_case(suite, test_global_virq_raise_reaches_the_port_its_binder_bound);
    add_test_case(suite, test_global_virq_raise_with_nothing_bound_does_nothing);
    add_test_case(suite, test_global_virq_raise_reaches_only_the_first_binder);
    add_test_case(suite, test_global_virq_raise_ignores_a_virq_that_is_not_global);
    add_test_case(suite, test_close_all_closes_every_port_and_leaves_peers_unbound);
    add_test_case(suite, test_a_registered_vcpu_info_receives_the_upcall);
    add_test_case(suite, test_set_vcpu_info_refuses_a_missing_vcpu_or_no_area);
    add_test_case(suite, test_random_operations_across_three_domains_keep_invariants);
    add_test_case(suite, test_bind_pirq_makes_a_pirq_port_on_vcpu_0_that_status_reports);
    add_test_case(suite, test_pirq_raise_pends_the_port_and_kicks);
    add_test_case(suite, test_pirq_raise_of_a_port_that_is_not_a_pirq_port_does_nothing);
    add_test_case(suite, test_send_on_a_pirq_port_is_einval);
    add_test_case(suite, test_closing_a_pirq_port_frees_it);
    add_test_case(suite, test_a_pirq_port_may_move_to_another_vcpu);
    return suite;
}

REGISTER_SUITE(event_channel_suite)
