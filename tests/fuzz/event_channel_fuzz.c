/*
 * The event-channel fuzzer: LLVMFuzzerTestOneInput reads its input as a
 * sequence of operations by DOMAIN_SLOTS simulated domains (one of them
 * privileged) on hypervisor/common/event_channel.c: alloc_unbound,
 * bind_interdomain, bind_virq, bind_ipi, close, send, status, bind_vcpu,
 * unmask, the hypervisor raising a virq, moving a vcpu_info, the guest
 * writing its own mask, pending, selector and upcall bits, connecting two
 * domains (an offer and its binding), filling a
 * port table, a domain's teardown and a new domain (sometimes with an old
 * domain's id).  Ports, domain ids, vCPUs and virqs are hostile: live and
 * dead domains, DOMID_SELF, reserved ids, ports 0, 4095, 4096 and beyond.
 *
 * Beside the code under test the harness keeps its own model of every
 * port table and of every byte of event state the guests see (shared_info
 * and the registered vcpu_info areas), written from Xen's rules as
 * pvmon/event_channel.h states them.  After every step:
 *   - the return value, the output fields and the kick are the model's,
 *     and every port table, virq row and every byte of every domain's
 *     event state are exactly the model's (so pending, mask, selector and
 *     upcall bits follow the 2-level layout, and a closed port is never
 *     left pending);
 *   - without the model: a step changed the event state of no domain but
 *     the caller (or the domain the hypervisor raised a virq for), except
 *     that a send may raise the peer of one of the caller's interdomain
 *     ports (and a connection the domain that bound the caller's offer);
 *   - event_channel_invariants_hold for every live domain;
 *   - the step's work (basic blocks of event_channel.c, work_meter.h) is
 *     within a bound that does not grow with what earlier steps did;
 *   - after a teardown, the domain has no port open and no pending bit,
 *     and no live domain is still connected to it.
 * Any violation aborts with a message naming the step.
 *
 * Operation bytes: 0 kind, 1 calling domain slot, then what the kind needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/event_channel.h>

#include "fuzz_report.h"
#include "fuzz_input.h"
#include "work_meter.h"

#define DOMAIN_SLOTS 4
#define MAX_VCPUS 3
#define MAX_STEPS 400
#define PORT_WORDS (EVENT_CHANNEL_PORTS / BITS_PER_WORD)
#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
#define FIRST_NEW_DOMAIN_ID 3
/* Out of 256: how often a fill-table operation really fills. */
#define FILL_CHANCE 32

/*
 * Work bounds, in basic blocks of event_channel.c per call: an operation
 * may scan the port table once for a free port (a few blocks a port), and
 * a teardown closes every port once; neither may grow with anything else.
 */
#define OPERATION_WORK_PER_PORT 4
#define TEARDOWN_WORK_PER_PORT 12
#define WORK_CONSTANT 256

enum operation_kind {
    OPERATION_ALLOC_UNBOUND,
    OPERATION_BIND_INTERDOMAIN,
    OPERATION_BIND_VIRQ,
    OPERATION_BIND_IPI,
    OPERATION_CLOSE,
    OPERATION_SEND,
    OPERATION_STATUS,
    OPERATION_BIND_VCPU,
    OPERATION_UNMASK,
    OPERATION_RAISE_VIRQ,
    OPERATION_GUEST_WRITES_BITS,
    OPERATION_MOVE_VCPU_INFO,
    OPERATION_FILL_TABLE,
    OPERATION_TEARDOWN,
    OPERATION_CREATE,
    OPERATION_CONNECT,
    OPERATION_RAISE_GLOBAL_VIRQ,
    OPERATION_KINDS,
};

static const char *const operation_names[OPERATION_KINDS] = {
    "alloc_unbound", "bind_interdomain", "bind_virq", "bind_ipi", "close", "send", "status", "bind_vcpu",
    "unmask", "raise virq", "guest writes bits", "move vcpu_info", "fill table", "teardown", "create",
    "connect", "raise global virq",
};

/* What a guest sees of its events: shared_info and one spare vcpu_info per vCPU. */
struct event_memory {
    struct shared_info shared_info;
    struct vcpu_info spare_vcpu_info[MAX_VCPUS];
};

/* The model of one port, kept in the code under test's layout so that a
 * whole table compares at once: every field not meaningful in the port's
 * state is 0, as pvmon/event_channel.h leaves it. */
struct model_port {
    uint8_t state;
    uint8_t virq;
    uint16_t vcpu;
    uint16_t remote_domain;
    uint16_t remote_port;
};
_Static_assert(sizeof(struct model_port) == sizeof(struct event_channel), "the model's ports have the same layout");

struct model_domain {
    struct model_port ports[EVENT_CHANNEL_PORTS];
    uint16_t virq_ports[EVENT_CHANNEL_MAX_VCPUS][NR_VIRQS];
    bool spare_vcpu_info[MAX_VCPUS]; /* whether vCPU n's vcpu_info is the spare one */
    struct event_memory memory;      /* what every byte of the event state must be */
};

struct slot {
    bool live;
    uint16_t id;
    bool privileged;
    unsigned int vcpu_count;
    struct event_channel_domain domain; /* the code under test's */
    struct event_memory memory;         /* the code under test writes here */
    struct model_domain model;
};

struct world {
    struct slot slots[DOMAIN_SLOTS];
    struct event_channel_directory directory;
    uint16_t next_domain_id;
    bool filled;
    unsigned int step;
    const char *operation;
};

static struct world world;

#define violation(...) fuzz_report_violation("event-channel", world.step, world.operation, __VA_ARGS__)

static struct event_channel_domain *find_live(void *context, uint16_t domain_id)
{
    struct world *this_world = context;

    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        if (this_world->slots[index].live && this_world->slots[index].id == domain_id)
            return &this_world->slots[index].domain;
    }
    return NULL;
}

static struct slot *slot_of(uint16_t domain_id)
{
    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        if (world.slots[index].live && world.slots[index].id == domain_id)
            return &world.slots[index];
    }
    return NULL;
}

/* ---- the model: Xen's 2-level rules, written again ---- */

static bool word_bit(const xen_ulong_t *words, unsigned int bit)
{
    return (words[bit / BITS_PER_WORD] >> (bit % BITS_PER_WORD)) & 1;
}

static void set_word_bit(xen_ulong_t *words, unsigned int bit)
{
    words[bit / BITS_PER_WORD] |= (xen_ulong_t) 1 << (bit % BITS_PER_WORD);
}

static void clear_word_bit(xen_ulong_t *words, unsigned int bit)
{
    words[bit / BITS_PER_WORD] &= ~((xen_ulong_t) 1 << (bit % BITS_PER_WORD));
}

static struct vcpu_info *model_vcpu_info(struct slot *slot, unsigned int vcpu)
{
    struct model_domain *model = &slot->model;

    return model->spare_vcpu_info[vcpu] ? &model->memory.spare_vcpu_info[vcpu]
                                        : &model->memory.shared_info.vcpu_info[vcpu];
}

/* The upcall a newly pending, unmasked port raises on its vCPU; the kick when upcall_pending goes 0 to 1. */
static void model_mark_upcall(struct slot *slot, unsigned int vcpu, struct event_channel_kick *kick)
{
    struct vcpu_info *info = model_vcpu_info(slot, vcpu);

    if (info->evtchn_upcall_pending)
        return;
    info->evtchn_upcall_pending = 1;
    *kick = (struct event_channel_kick) {.needed = true, .domain_id = slot->id, .vcpu = vcpu};
}

static void model_raise(struct slot *slot, unsigned int port, struct event_channel_kick *kick)
{
    struct shared_info *shared = &slot->model.memory.shared_info;
    unsigned int vcpu = slot->model.ports[port].vcpu;
    struct vcpu_info *info = model_vcpu_info(slot, vcpu);

    if (word_bit(shared->evtchn_pending, port))
        return;
    set_word_bit(shared->evtchn_pending, port);
    if (word_bit(shared->evtchn_mask, port))
        return;
    if (word_bit(&info->evtchn_pending_sel, port / BITS_PER_WORD))
        return;
    set_word_bit(&info->evtchn_pending_sel, port / BITS_PER_WORD);
    model_mark_upcall(slot, vcpu, kick);
}

static bool virq_is_per_vcpu(unsigned int virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

static bool virq_is_global(unsigned int virq)
{
    return !virq_is_per_vcpu(virq) && virq != VIRQ_ARGO;
}

static unsigned int model_virq_row(unsigned int virq, unsigned int vcpu)
{
    return virq_is_per_vcpu(virq) ? vcpu : 0;
}

static int model_free_port(const struct slot *slot)
{
    for (unsigned int port = 1; port < EVENT_CHANNEL_PORTS; port++) {
        if (slot->model.ports[port].state == EVTCHNSTAT_closed)
            return (int) port;
    }
    return -XEN_ENOSPC;
}

static struct slot *model_find(struct slot *caller, domid_t domain_id)
{
    if (domain_id == DOMID_SELF)
        return caller;
    return slot_of(domain_id);
}

static void model_release_port(struct slot *slot, unsigned int port)
{
    clear_word_bit(slot->model.memory.shared_info.evtchn_pending, port);
    slot->model.ports[port] = (struct model_port) {.state = EVTCHNSTAT_closed};
}

static int model_close(struct slot *slot, unsigned int port)
{
    struct model_port *channel = &slot->model.ports[port];

    if (channel->state == EVTCHNSTAT_closed)
        return -XEN_EINVAL;
    if (channel->state == EVTCHNSTAT_virq)
        slot->model.virq_ports[model_virq_row(channel->virq, channel->vcpu)][channel->virq] = 0;
    if (channel->state == EVTCHNSTAT_interdomain) {
        struct slot *peer = channel->remote_domain == slot->id ? slot : slot_of(channel->remote_domain);
        if (peer == NULL)
            violation("model: interdomain port %u of domain %u has no live peer", port, slot->id);
        struct model_port *peer_channel = &peer->model.ports[channel->remote_port];
        peer_channel->state = EVTCHNSTAT_unbound;
        peer_channel->remote_domain = slot->id;
        peer_channel->remote_port = 0;
    }
    model_release_port(slot, port);
    return 0;
}

/* ---- comparing the code under test with the model ---- */

static void compare_ports(const struct slot *slot)
{
    const struct event_channel_domain *domain = &slot->domain;

    if (memcmp(domain->channels, slot->model.ports, sizeof(domain->channels)) == 0)
        return;
    for (unsigned int port = 0; port < EVENT_CHANNEL_PORTS; port++) {
        const struct event_channel *got = &domain->channels[port];
        const struct model_port *expected = &slot->model.ports[port];

        if (got->state != expected->state || got->vcpu != expected->vcpu ||
            got->remote_domain_id != expected->remote_domain || got->remote_port != expected->remote_port ||
            got->virq != expected->virq)
            violation("domain %u port %u: state %u vcpu %u remote %u:%u virq %u, expected state %u vcpu %u "
                      "remote %u:%u virq %u", slot->id, port, got->state, got->vcpu, got->remote_domain_id,
                      got->remote_port, got->virq, expected->state, expected->vcpu, expected->remote_domain,
                      expected->remote_port, expected->virq);
    }
}

static const char *event_state_part(size_t offset)
{
    if (offset < offsetof(struct shared_info, evtchn_pending))
        return "a vcpu_info in shared_info";
    if (offset < offsetof(struct shared_info, evtchn_mask))
        return "evtchn_pending";
    if (offset < offsetof(struct shared_info, wc_version))
        return "evtchn_mask";
    if (offset < sizeof(struct shared_info))
        return "the rest of shared_info";
    return "a moved vcpu_info";
}

static void compare_event_state(const struct slot *slot)
{
    const uint8_t *got = (const uint8_t *) &slot->memory;
    const uint8_t *expected = (const uint8_t *) &slot->model.memory;
    size_t offset = 0;

    if (memcmp(got, expected, sizeof(slot->memory)) == 0)
        return;
    while (got[offset] == expected[offset])
        offset++;
    violation("domain %u: event state byte %zu (%s) is %#x, expected %#x", slot->id, offset,
              event_state_part(offset), got[offset], expected[offset]);
}

static void compare_slot(const struct slot *slot)
{
    compare_ports(slot);
    if (memcmp(slot->domain.virq_ports, slot->model.virq_ports, sizeof(slot->domain.virq_ports)) != 0)
        violation("domain %u: the virq rows differ from the model's", slot->id);
    compare_event_state(slot);
}

static void compare_kick(const struct event_channel_kick *got, const struct event_channel_kick *expected)
{
    if (got->needed != expected->needed ||
        (expected->needed && (got->domain_id != expected->domain_id || got->vcpu != expected->vcpu)))
        violation("kick %d (domain %u vCPU %u), expected %d (domain %u vCPU %u)", got->needed, got->domain_id,
                  got->vcpu, expected->needed, expected->domain_id, expected->vcpu);
}

static void compare_result(int got, int expected)
{
    if (got != expected)
        violation("returned %d, expected %d", got, expected);
}

/* ---- hostile arguments ---- */

static uint32_t choose_port(struct fuzz_input *input)
{
    static const uint32_t edges[] = {
        0, 63, 64, 65, 127, 128, 4094, 4095, 4096, 4097, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff, 1,
    };
    uint8_t byte = fuzz_input_byte(input);

    if (byte < 0xa0)
        return 1 + byte % 12;
    if (byte < 0xf0)
        return edges[byte % (sizeof(edges) / sizeof(edges[0]))];
    return (uint32_t) fuzz_input_bytes(input, 4);
}

static domid_t choose_domain(struct fuzz_input *input)
{
    static const domid_t reserved[] = {DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, DOMID_IDLE, 0xffff, 0x7fef};
    uint8_t byte = fuzz_input_byte(input);

    if (byte < 0x90)
        return world.slots[byte % DOMAIN_SLOTS].id;
    if (byte < 0xc0)
        return DOMID_SELF;
    if (byte < 0xe0)
        return reserved[byte % (sizeof(reserved) / sizeof(reserved[0]))];
    return (domid_t) fuzz_input_bytes(input, 2);
}

static uint32_t choose_small(struct fuzz_input *input, unsigned int range)
{
    uint8_t byte = fuzz_input_byte(input);

    if (byte < 0xf0)
        return byte % range;
    return (uint32_t) fuzz_input_bytes(input, 4);
}

/* ---- metering ---- */

static void check_work(uint64_t bound)
{
    uint64_t work = work_meter_blocks();

    if (work > bound)
        violation("%llu basic blocks, beyond the bound of %llu", (unsigned long long) work,
                  (unsigned long long) bound);
}

#define OPERATION_WORK_BOUND (OPERATION_WORK_PER_PORT * EVENT_CHANNEL_PORTS + WORK_CONSTANT)
#define TEARDOWN_WORK_BOUND (TEARDOWN_WORK_PER_PORT * EVENT_CHANNEL_PORTS + WORK_CONSTANT)

/* ---- the operations: each runs the code under test and the model ---- */

/* Returns the port allocated, or the error. */
static int run_alloc_unbound(struct slot *caller, struct evtchn_alloc_unbound request)
{
    struct slot *target = model_find(caller, request.dom);
    int expected = 0;

    if (request.dom >= DOMID_FIRST_RESERVED && request.dom != DOMID_SELF)
        target = NULL;
    if (target == NULL)
        expected = -XEN_ESRCH;
    else if (target != caller && !caller->privileged)
        expected = -XEN_EPERM;
    else
        expected = model_free_port(target);
    work_meter_reset();
    int got = event_channel_alloc_unbound(&caller->domain, &world.directory, &request);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got < 0 ? got : (int) request.port, expected);
    if (expected > 0)
        target->model.ports[expected] = (struct model_port) {
            .state = EVTCHNSTAT_unbound,
            .remote_domain = request.remote_dom == DOMID_SELF ? caller->id : request.remote_dom,
        };
    return expected;
}

static void do_alloc_unbound(struct slot *caller, struct fuzz_input *input)
{
    run_alloc_unbound(caller, (struct evtchn_alloc_unbound) {.dom = choose_domain(input),
                                                              .remote_dom = choose_domain(input)});
}

static void run_bind_interdomain(struct slot *caller, struct evtchn_bind_interdomain request)
{
    struct event_channel_kick kick;
    struct event_channel_kick expected_kick = {.needed = false};
    struct slot *remote = model_find(caller, request.remote_dom);
    int expected;

    if (remote == NULL)
        expected = -XEN_ESRCH;
    else if ((expected = model_free_port(caller)) < 0)
        ;
    else if (request.remote_port >= EVENT_CHANNEL_PORTS ||
             remote->model.ports[request.remote_port].state != EVTCHNSTAT_unbound ||
             remote->model.ports[request.remote_port].remote_domain != caller->id)
        expected = -XEN_EINVAL;
    work_meter_reset();
    int got = event_channel_bind_interdomain(&caller->domain, &world.directory, &request, &kick);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got < 0 ? got : (int) request.local_port, expected);
    if (expected > 0) {
        struct model_port *remote_port = &remote->model.ports[request.remote_port];

        caller->model.ports[expected] = (struct model_port) {
            .state = EVTCHNSTAT_interdomain, .remote_domain = remote->id, .remote_port = (uint16_t) request.remote_port,
        };
        remote_port->state = EVTCHNSTAT_interdomain;
        remote_port->remote_domain = caller->id;
        remote_port->remote_port = (uint16_t) expected;
        model_raise(caller, (unsigned int) expected, &expected_kick);
    }
    compare_kick(&kick, &expected_kick);
}

static void do_bind_interdomain(struct slot *caller, struct fuzz_input *input)
{
    run_bind_interdomain(caller, (struct evtchn_bind_interdomain) {.remote_dom = choose_domain(input),
                                                                    .remote_port = choose_port(input)});
}

/* What a frontend and backend do: the caller offers a port to another live
 * domain (or itself), which binds it, so that interdomain pairs are common. */
static void do_connect(struct slot *caller, struct fuzz_input *input)
{
    struct slot *other = &world.slots[fuzz_input_byte(input) % DOMAIN_SLOTS];

    if (!other->live)
        return;
    int port = run_alloc_unbound(caller, (struct evtchn_alloc_unbound) {.dom = DOMID_SELF, .remote_dom = other->id});
    if (port > 0)
        run_bind_interdomain(other, (struct evtchn_bind_interdomain) {.remote_dom = caller->id,
                                                                      .remote_port = (evtchn_port_t) port});
}

static void do_bind_virq(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_bind_virq request = {.virq = choose_small(input, NR_VIRQS + 2),
                                       .vcpu = choose_small(input, MAX_VCPUS + 1)};
    int expected;

    if (request.virq >= NR_VIRQS)
        expected = -XEN_EINVAL;
    else if (!virq_is_per_vcpu(request.virq) && request.vcpu != 0)
        expected = -XEN_EINVAL;
    else if (request.vcpu >= caller->vcpu_count)
        expected = -XEN_ENOENT;
    else if (virq_is_global(request.virq) && !caller->privileged)
        expected = -XEN_EBUSY;
    else if (caller->model.virq_ports[request.vcpu][request.virq] != 0)
        expected = -XEN_EEXIST;
    else
        expected = model_free_port(caller);
    work_meter_reset();
    int got = event_channel_bind_virq(&caller->domain, &request);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got < 0 ? got : (int) request.port, expected);
    if (expected > 0) {
        caller->model.ports[expected] = (struct model_port) {
            .state = EVTCHNSTAT_virq, .virq = (uint8_t) request.virq, .vcpu = (uint16_t) request.vcpu,
        };
        caller->model.virq_ports[request.vcpu][request.virq] = (uint16_t) expected;
    }
}

static void do_bind_ipi(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_bind_ipi request = {.vcpu = choose_small(input, MAX_VCPUS + 1)};
    int expected = request.vcpu >= caller->vcpu_count ? -XEN_ENOENT : model_free_port(caller);

    work_meter_reset();
    int got = event_channel_bind_ipi(&caller->domain, &request);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got < 0 ? got : (int) request.port, expected);
    if (expected > 0)
        caller->model.ports[expected] = (struct model_port) {.state = EVTCHNSTAT_ipi, .vcpu = (uint16_t) request.vcpu};
}

static void do_close(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_close request = {.port = choose_port(input)};
    int expected = request.port >= EVENT_CHANNEL_PORTS ? -XEN_EINVAL : model_close(caller, request.port);

    work_meter_reset();
    int got = event_channel_close(&caller->domain, &world.directory, &request);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got, expected);
}

static void do_send(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_send request = {.port = choose_port(input)};
    struct event_channel_kick kick;
    struct event_channel_kick expected_kick = {.needed = false};
    int expected = -XEN_EINVAL;

    if (request.port < EVENT_CHANNEL_PORTS) {
        const struct model_port *channel = &caller->model.ports[request.port];

        if (channel->state == EVTCHNSTAT_interdomain) {
            model_raise(slot_of(channel->remote_domain), channel->remote_port, &expected_kick);
            expected = 0;
        } else if (channel->state == EVTCHNSTAT_ipi) {
            model_raise(caller, request.port, &expected_kick);
            expected = 0;
        } else if (channel->state == EVTCHNSTAT_unbound) {
            expected = 0;
        }
    }
    work_meter_reset();
    int got = event_channel_send(&caller->domain, &world.directory, &request, &kick);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got, expected);
    compare_kick(&kick, &expected_kick);
}

static void do_status(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_status request = {.dom = choose_domain(input), .port = choose_port(input)};
    struct slot *target = model_find(caller, request.dom);
    int expected = 0;

    memset(&request.u, 0xa5, sizeof(request.u));
    if (request.dom >= DOMID_FIRST_RESERVED && request.dom != DOMID_SELF)
        target = NULL;
    if (target == NULL)
        expected = -XEN_ESRCH;
    else if (request.port >= EVENT_CHANNEL_PORTS)
        expected = -XEN_EINVAL;
    else if (target != caller && !caller->privileged)
        expected = -XEN_EPERM;
    work_meter_reset();
    int got = event_channel_status(&caller->domain, &world.directory, &request);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got, expected);
    if (expected != 0)
        return;
    const struct model_port *channel = &target->model.ports[request.port];
    struct evtchn_status wanted;

    memset(&wanted, 0, sizeof(wanted));
    wanted.status = channel->state;
    wanted.vcpu = channel->vcpu;

    if (channel->state == EVTCHNSTAT_unbound)
        wanted.u.unbound.dom = channel->remote_domain;
    else if (channel->state == EVTCHNSTAT_interdomain)
        wanted.u.interdomain.dom = channel->remote_domain, wanted.u.interdomain.port = channel->remote_port;
    else if (channel->state == EVTCHNSTAT_virq)
        wanted.u.virq = channel->virq;
    if (request.status != wanted.status || request.vcpu != wanted.vcpu ||
        memcmp(&request.u, &wanted.u, sizeof(wanted.u)) != 0)
        violation("status of domain %u port %u: status %u vcpu %u, expected status %u vcpu %u, or its union "
                  "differs", target->id, request.port, request.status, request.vcpu, wanted.status, wanted.vcpu);
}

static void do_bind_vcpu(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_bind_vcpu request = {.port = choose_port(input), .vcpu = choose_small(input, MAX_VCPUS + 1)};
    int expected = 0;

    if (request.vcpu >= caller->vcpu_count) {
        expected = -XEN_ENOENT;
    } else if (request.port >= EVENT_CHANNEL_PORTS) {
        expected = -XEN_EINVAL;
    } else {
        struct model_port *channel = &caller->model.ports[request.port];
        bool movable = channel->state == EVTCHNSTAT_unbound || channel->state == EVTCHNSTAT_interdomain ||
                       (channel->state == EVTCHNSTAT_virq && !virq_is_per_vcpu(channel->virq));

        if (movable)
            channel->vcpu = (uint16_t) request.vcpu;
        else
            expected = -XEN_EINVAL;
    }
    work_meter_reset();
    int got = event_channel_bind_vcpu(&caller->domain, &request);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got, expected);
}

static void do_unmask(struct slot *caller, struct fuzz_input *input)
{
    struct evtchn_unmask request = {.port = choose_port(input)};
    struct event_channel_kick kick;
    struct event_channel_kick expected_kick = {.needed = false};
    int expected = -XEN_EINVAL;

    if (request.port < EVENT_CHANNEL_PORTS) {
        struct shared_info *shared = &caller->model.memory.shared_info;
        unsigned int vcpu = caller->model.ports[request.port].vcpu;
        bool was_masked = word_bit(shared->evtchn_mask, request.port);

        clear_word_bit(shared->evtchn_mask, request.port);
        if (was_masked && word_bit(shared->evtchn_pending, request.port)) {
            struct vcpu_info *info = model_vcpu_info(caller, vcpu);

            if (!word_bit(&info->evtchn_pending_sel, request.port / BITS_PER_WORD)) {
                set_word_bit(&info->evtchn_pending_sel, request.port / BITS_PER_WORD);
                model_mark_upcall(caller, vcpu, &expected_kick);
            }
        }
        expected = 0;
    }
    work_meter_reset();
    int got = event_channel_unmask(&caller->domain, &request, &kick);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got, expected);
    compare_kick(&kick, &expected_kick);
}

static void do_raise_virq(struct slot *target, struct fuzz_input *input)
{
    unsigned int virq = choose_small(input, NR_VIRQS + 2);
    unsigned int vcpu = choose_small(input, MAX_VCPUS + 1);
    struct event_channel_kick kick;
    struct event_channel_kick expected_kick = {.needed = false};

    if (virq < NR_VIRQS && model_virq_row(virq, vcpu) < target->vcpu_count) {
        unsigned int port = target->model.virq_ports[model_virq_row(virq, vcpu)][virq];

        if (port != 0)
            model_raise(target, port, &expected_kick);
    }
    work_meter_reset();
    event_channel_virq_raise(&target->domain, virq, vcpu, &kick);
    check_work(OPERATION_WORK_BOUND);
    compare_kick(&kick, &expected_kick);
}

/* The hypervisor raises a global virq (a domain's end, VIRQ_DOM_EXC): the
 * first live domain, in slot order, that has it bound gets it. */
static void do_raise_global_virq(struct fuzz_input *input)
{
    unsigned int virq = choose_small(input, NR_VIRQS + 2);
    struct event_channel_domain *live[DOMAIN_SLOTS];
    unsigned int count = 0;
    bool raised = false;
    struct event_channel_kick kick;
    struct event_channel_kick expected_kick = {.needed = false};

    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        struct slot *slot = &world.slots[index];

        if (!slot->live)
            continue;
        live[count++] = &slot->domain;
        if (!raised && virq < NR_VIRQS && virq_is_global(virq) && slot->model.virq_ports[0][virq] != 0) {
            model_raise(slot, slot->model.virq_ports[0][virq], &expected_kick);
            raised = true;
        }
    }
    work_meter_reset();
    event_channel_global_virq_raise(live, count, virq, &kick);
    check_work(OPERATION_WORK_BOUND);
    compare_kick(&kick, &expected_kick);
}

/* The guest handles or masks events in its own pages: the same write to both copies. */
static void do_guest_writes_bits(struct slot *caller, struct fuzz_input *input)
{
    uint8_t what = fuzz_input_byte(input);
    uint32_t port = choose_port(input) % EVENT_CHANNEL_PORTS;
    unsigned int vcpu = fuzz_input_byte(input) % caller->vcpu_count;
    struct event_memory *copies[] = {&caller->memory, &caller->model.memory};

    for (unsigned int index = 0; index < 2; index++) {
        struct shared_info *shared = &copies[index]->shared_info;
        struct vcpu_info *info = caller->model.spare_vcpu_info[vcpu] ? &copies[index]->spare_vcpu_info[vcpu]
                                                                     : &shared->vcpu_info[vcpu];

        switch (what % 5) {
        case 0:
            set_word_bit(shared->evtchn_mask, port);
            break;
        case 1:
            clear_word_bit(shared->evtchn_mask, port);
            break;
        case 2:
            clear_word_bit(shared->evtchn_pending, port);
            break;
        case 3:
            info->evtchn_pending_sel = 0;
            break;
        default:
            info->evtchn_upcall_pending = 0;
            break;
        }
    }
}

/* VCPUOP_register_vcpu_info: the caller copies the old contents, as the
 * hypervisor does.  A vCPU the domain lacks and a NULL area are refused. */
static void do_move_vcpu_info(struct slot *caller, struct fuzz_input *input)
{
    unsigned int vcpu = choose_small(input, MAX_VCPUS + 1);
    bool to_null = fuzz_input_byte(input) < 0x20;
    bool exists = vcpu < caller->vcpu_count;
    int expected = !exists ? -XEN_ENOENT : to_null ? -XEN_EINVAL : 0;
    struct vcpu_info *destination = NULL;

    if (exists && caller->model.spare_vcpu_info[vcpu])
        return; /* moved already */
    if (!to_null)
        destination = &caller->memory.spare_vcpu_info[exists ? vcpu : 0];
    if (expected == 0)
        *destination = caller->memory.shared_info.vcpu_info[vcpu];
    work_meter_reset();
    int got = event_channel_set_vcpu_info(&caller->domain, vcpu, destination);
    check_work(OPERATION_WORK_BOUND);
    compare_result(got, expected);
    if (expected == 0) {
        caller->model.memory.spare_vcpu_info[vcpu] = caller->model.memory.shared_info.vcpu_info[vcpu];
        caller->model.spare_vcpu_info[vcpu] = true;
    }
}

/* Leaves at most a few ports free, so that table-full refusals are tried:
 * once per input at most, and rarely, as it costs thousands of calls. */
static void do_fill_table(struct slot *caller, struct fuzz_input *input)
{
    uint8_t byte = fuzz_input_byte(input);
    unsigned int leave_free = byte % 4;
    unsigned int free_ports = 0;

    if (world.filled || byte >= FILL_CHANCE)
        return;
    world.filled = true;
    for (unsigned int port = 1; port < EVENT_CHANNEL_PORTS; port++)
        free_ports += caller->model.ports[port].state == EVTCHNSTAT_closed;
    for (; free_ports > leave_free; free_ports--) {
        struct evtchn_alloc_unbound request = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
        int expected = model_free_port(caller);

        work_meter_reset();
        int got = event_channel_alloc_unbound(&caller->domain, &world.directory, &request);
        check_work(OPERATION_WORK_BOUND);
        compare_result(got < 0 ? got : (int) request.port, expected);
        caller->model.ports[expected] = (struct model_port) {.state = EVTCHNSTAT_unbound, .remote_domain = caller->id};
    }
}

static void check_torn_down(const struct slot *dead)
{
    for (unsigned int port = 0; port < EVENT_CHANNEL_PORTS; port++) {
        if (dead->domain.channels[port].state != EVTCHNSTAT_closed)
            violation("domain %u torn down with port %u still in state %u", dead->id, port,
                      dead->domain.channels[port].state);
    }
    for (unsigned int word = 0; word < PORT_WORDS; word++) {
        if (dead->memory.shared_info.evtchn_pending[word] != 0)
            violation("domain %u torn down with pending bits in word %u", dead->id, word);
    }
    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        const struct slot *other = &world.slots[index];

        for (unsigned int port = 0; other->live && port < EVENT_CHANNEL_PORTS; port++) {
            if (other->domain.channels[port].state == EVTCHNSTAT_interdomain &&
                other->domain.channels[port].remote_domain_id == dead->id)
                violation("domain %u port %u is still connected to torn-down domain %u", other->id, port, dead->id);
        }
    }
}

/* Xen's domain_kill: the domain is no longer found, then every port closes. */
static void do_teardown(struct slot *dead)
{
    dead->live = false;
    for (unsigned int port = 1; port < EVENT_CHANNEL_PORTS; port++) {
        if (dead->model.ports[port].state != EVTCHNSTAT_closed)
            model_close(dead, port);
    }
    work_meter_reset();
    event_channel_domain_close_all(&dead->domain, &world.directory);
    check_work(TEARDOWN_WORK_BOUND);
    check_torn_down(dead);
}

static void create_domain(struct slot *slot, uint16_t id, bool privileged, unsigned int vcpu_count)
{
    memset(slot, 0, sizeof(*slot));
    slot->id = id;
    slot->privileged = privileged;
    slot->vcpu_count = vcpu_count;
    if (event_channel_domain_init(&slot->domain, id, privileged, vcpu_count, &slot->memory.shared_info) != 0)
        violation("event_channel_domain_init refused domain %u", id);
    slot->live = true;
}

/* A new domain in a dead slot: a fresh id, or the id of the domain that was there (reused at once). */
static void do_create(struct slot *slot, struct fuzz_input *input)
{
    uint8_t byte = fuzz_input_byte(input);
    uint16_t id = (byte & 0x80) ? slot->id : world.next_domain_id++;

    if (slot->live || slot_of(id) != NULL)
        return;
    create_domain(slot, id, false, 1 + byte % MAX_VCPUS);
}

/* ---- the run ---- */

static void check_invariants(void)
{
    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        const struct slot *slot = &world.slots[index];

        if (!slot->live)
            continue;
        compare_slot(slot);
        if (!event_channel_invariants_hold(&slot->domain, &world.directory))
            violation("event_channel_invariants_hold is false for domain %u", slot->id);
    }
}

/*
 * Which domains' event state a step may change, without the model: its
 * own, and for a send the peer of one of its interdomain ports.  Binding
 * raises the new local port only (for a connection, the binder's, now
 * the caller's peer), and closing leaves the peer's bits alone.  A raised
 * virq is the target's own; a global virq reaches only a privileged
 * domain, the only kind that may bind one.
 */
static bool may_reach(const struct slot *caller, enum operation_kind kind, const struct slot *other)
{
    if (kind == OPERATION_RAISE_GLOBAL_VIRQ)
        return other->privileged;
    if (other == caller)
        return true;
    if (kind != OPERATION_SEND && kind != OPERATION_CONNECT)
        return false;
    for (unsigned int port = 1; port < EVENT_CHANNEL_PORTS; port++) {
        const struct event_channel *channel = &caller->domain.channels[port];

        if (channel->state == EVTCHNSTAT_interdomain && channel->remote_domain_id == other->id)
            return true;
    }
    return false;
}

static void run_operation(enum operation_kind kind, struct slot *caller, struct fuzz_input *input)
{
    static struct event_memory before[DOMAIN_SLOTS];

    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++)
        before[index] = world.slots[index].memory;
    switch (kind) {
    case OPERATION_ALLOC_UNBOUND: do_alloc_unbound(caller, input); break;
    case OPERATION_BIND_INTERDOMAIN: do_bind_interdomain(caller, input); break;
    case OPERATION_BIND_VIRQ: do_bind_virq(caller, input); break;
    case OPERATION_BIND_IPI: do_bind_ipi(caller, input); break;
    case OPERATION_CLOSE: do_close(caller, input); break;
    case OPERATION_SEND: do_send(caller, input); break;
    case OPERATION_STATUS: do_status(caller, input); break;
    case OPERATION_BIND_VCPU: do_bind_vcpu(caller, input); break;
    case OPERATION_UNMASK: do_unmask(caller, input); break;
    case OPERATION_RAISE_VIRQ: do_raise_virq(caller, input); break;
    case OPERATION_GUEST_WRITES_BITS: do_guest_writes_bits(caller, input); break;
    case OPERATION_MOVE_VCPU_INFO: do_move_vcpu_info(caller, input); break;
    case OPERATION_FILL_TABLE: do_fill_table(caller, input); break;
    case OPERATION_TEARDOWN: do_teardown(caller); break;
    case OPERATION_CONNECT: do_connect(caller, input); break;
    case OPERATION_RAISE_GLOBAL_VIRQ: do_raise_global_virq(input); break;
    default: break;
    }
    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        const struct slot *other = &world.slots[index];

        if (memcmp(&before[index], &other->memory, sizeof(other->memory)) != 0 && !may_reach(caller, kind, other))
            violation("domain %u's event state changed, with no channel between it and domain %u", other->id,
                      caller->id);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = {data, size, 0};

    memset(&world, 0, sizeof(world));
    world.directory = (struct event_channel_directory) {.find = find_live, .context = &world};
    world.next_domain_id = FIRST_NEW_DOMAIN_ID;
    world.operation = "start";
    create_domain(&world.slots[0], 0, true, 2);
    create_domain(&world.slots[1], 1, false, 1);
    create_domain(&world.slots[2], 2, false, MAX_VCPUS);
    world.slots[3].id = 7; /* a domain that does not exist yet */
    for (world.step = 0; world.step < MAX_STEPS && !fuzz_input_exhausted(&input); world.step++) {
        enum operation_kind kind = (enum operation_kind) (fuzz_input_byte(&input) % OPERATION_KINDS);
        struct slot *caller = &world.slots[fuzz_input_byte(&input) % DOMAIN_SLOTS];

        world.operation = operation_names[kind];
        if (kind == OPERATION_CREATE) {
            do_create(caller, &input);
            continue;
        }
        if (!caller->live)
            continue;
        run_operation(kind, caller, &input);
        check_invariants();
    }
    for (unsigned int index = 0; index < DOMAIN_SLOTS; index++) {
        world.operation = "teardown at the end";
        if (world.slots[index].live)
            run_operation(OPERATION_TEARDOWN, &world.slots[index], &input);
    }
    return 0;
}
