/*
 * The grant-table fuzzer: LLVMFuzzerTestOneInput drives common/grant_table.c
 * (with page_type.c below it) between three simulated domains
 * (tests/unit/simulated_grants.c), each granter, mapper and copier at
 * once: granters permit and revoke entries by the v1 protocol or scribble
 * over them as a hostile guest may; mappers map (device, host, read-only,
 * contains_pte, any ref, domain and address) and unmap (right, wrong or
 * forged handles, addresses and bus addresses); domains copy, give frames
 * back, race the hypervisor's compare-exchange, try to overwrite grant
 * PTEs with ordinary updates, are torn down and destroyed.
 *
 * After every step, recomputed from the state itself:
 *   - pins: each entry's pin counters are exactly the sum of the live
 *     (not orphaned) mappings of it in every domain's maptrack, all of one
 *     mapper and one frame;
 *   - flags: an entry no one scribbled over since its last permit has
 *     GTF_reading exactly when pinned and GTF_writing exactly when a
 *     writable pin is held (a copy holds none between steps: XSA-218/230);
 *   - references: every data frame holds its allocation's reference (until
 *     given back), one per device mapping and one per present grant PTE
 *     naming it, and a writable type reference per writable one of those;
 *     a frame is released when its count reaches 0, and only once;
 *   - a guest update never changes a grant PTE;
 *   - the step's work (basic blocks of the metered code) stays under a
 *     bound.
 * At the end every domain is torn down and destroyed: every data frame is
 * released exactly once and every hypervisor page freed.
 *
 * Operation bytes: 0 kind (kind_table), then operands as each kind reads
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/grant_table.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#include "fuzz_report.h"
#include "../unit/simulated_grants.h"
#include "fuzz_input.h"
#include "work_meter.h"

#define FRAME_COUNT UINT64_C(96)
#define DOMAINS 3
#define DATA_FRAMES 4
#define REFS 4
#define HANDLES_TRACKED 8
#define HOST_SLOTS 8
#define MAX_STEPS 300
#define BOGUS_FRAME UINT64_C(0xfffff)
/* A step scans at most the whole maptrack (1024 handles) a few times, or
 * devalidates one 512-entry L1. */
#define WORK_BOUND 60000

static const uint16_t domain_ids[DOMAINS] = {1, 2, 3};

enum operation_kind {
    OPERATION_PERMIT,
    OPERATION_REVOKE,
    OPERATION_SCRIBBLE,
    OPERATION_MAP,
    OPERATION_UNMAP,
    OPERATION_COPY,
    OPERATION_GIVE_BACK,
    OPERATION_RACE,
    OPERATION_GUEST_UPDATE,
    OPERATION_TEAR_DOWN,
    OPERATION_DESTROY,
    OPERATION_GROW,
};

static const char *const operation_names[] = {
    "permit", "revoke", "scribble", "map", "unmap", "copy", "give back", "race", "guest update",
    "tear down", "destroy", "grow",
};

struct harness {
    struct simulated_grants world;
    uint64_t data_frames[DOMAINS][DATA_FRAMES];
    bool given_back[DOMAINS][DATA_FRAMES];
    bool torn_down[DOMAINS];
    bool destroyed[DOMAINS];
    bool scribbled[DOMAINS][REFS];
    uint64_t host_address_of[DOMAINS][HANDLES_TRACKED]; /* where each handle's host map went */
    unsigned int step;
    const char *operation;
};

static struct harness harness;

#define violation(...) fuzz_report_violation("grant-table", harness.step, harness.operation, __VA_ARGS__)

static const struct grant_environment *environment(void)
{
    return &harness.world.environment;
}

static const struct page_memory *memory(void)
{
    return harness.world.environment.memory;
}

static struct grant_table *table_of(unsigned int domain)
{
    return &harness.world.tables[domain_ids[domain]];
}

static bool usable(unsigned int domain)
{
    return !harness.torn_down[domain];
}

static grant_entry_v1_t *shared_entry(unsigned int domain, grant_ref_t ref)
{
    return simulated_grants_entry(&harness.world, domain_ids[domain], ref);
}

static uint64_t *host_l1_entries(unsigned int domain)
{
    return simulated_page_of(&harness.world.machine, harness.world.host_l1[domain_ids[domain]]);
}

/* ---- set-up ---- */

static void set_up(void)
{
    memset(&harness, 0, sizeof(harness));
    simulated_grants_create(&harness.world, FRAME_COUNT);
    for (unsigned int domain = 0; domain < DOMAINS; domain++) {
        if (!simulated_grants_add_domain(&harness.world, domain_ids[domain]))
            violation("domain %u gets no grant table", domain_ids[domain]);
        simulated_grants_give_host_l1(&harness.world, domain_ids[domain]);
        for (unsigned int index = 0; index < DATA_FRAMES; index++)
            harness.data_frames[domain][index] = simulated_grants_give_frame(&harness.world, domain_ids[domain]);
    }
}

/* ---- operands ---- */

static unsigned int read_domain(struct fuzz_input *input)
{
    return fuzz_input_byte(input) % DOMAINS;
}

static uint64_t read_frame(struct fuzz_input *input, unsigned int owner)
{
    uint8_t choice = fuzz_input_byte(input);

    if (choice % 8 < 6)
        return harness.data_frames[owner][choice % 8 % DATA_FRAMES];
    if (choice % 16 < 7)
        return harness.data_frames[(owner + 1 + choice % 2) % DOMAINS][choice / 8 % DATA_FRAMES];
    if (choice % 16 == 7)
        return table_of(owner)->frames[0];
    return BOGUS_FRAME;
}

static uint64_t host_address(uint8_t slot)
{
    return (uint64_t)(slot % (HOST_SLOTS + 1)) * 4096;
}

/* ---- operations ---- */

/* The v1 protocol: only an entry not in use is rewritten. */
static void permit(struct fuzz_input *input)
{
    unsigned int granter = read_domain(input);
    grant_ref_t ref = fuzz_input_byte(input) % REFS;
    unsigned int grantee = read_domain(input);
    uint64_t frame = read_frame(input, granter);
    bool readonly = fuzz_input_byte(input) & 1;
    grant_entry_v1_t *entry = shared_entry(granter, ref);

    if (!usable(granter) || (entry->flags & (GTF_reading | GTF_writing)))
        return;
    entry->domid = domain_ids[grantee];
    entry->frame = (uint32_t)frame;
    entry->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    if (grant_table_active_entry(table_of(granter), ref)->pin == 0)
        harness.scribbled[granter][ref] = false; /* a scribbled entry still pinned stays unreliable */
}

static void revoke(struct fuzz_input *input)
{
    unsigned int granter = read_domain(input);
    grant_ref_t ref = fuzz_input_byte(input) % REFS;
    grant_entry_v1_t *entry = shared_entry(granter, ref);

    if (usable(granter) && !(entry->flags & (GTF_reading | GTF_writing)))
        entry->flags = 0;
}

static void scribble(struct fuzz_input *input)
{
    unsigned int granter = read_domain(input);
    grant_ref_t ref = fuzz_input_byte(input) % REFS;
    grant_entry_v1_t *entry = shared_entry(granter, ref);

    if (!usable(granter))
        return;
    entry->flags = (uint16_t)fuzz_input_bytes(input, 2);
    entry->domid = domain_ids[read_domain(input)];
    entry->frame = (uint32_t)read_frame(input, granter);
    harness.scribbled[granter][ref] = true;
}

/* Mostly a map the grant allows (the mapper the entry names, a host or
 * device flag), so that mappings pile up; the rest anything at all. */
static void map(struct fuzz_input *input)
{
    unsigned int granter = read_domain(input);
    grant_ref_t ref = fuzz_input_byte(input) % (REFS + 1);
    uint8_t flags = fuzz_input_byte(input);
    uint8_t choice = fuzz_input_byte(input);
    unsigned int mapper = read_domain(input);
    struct gnttab_map_grant_ref op = {
        .flags = flags & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly | GNTMAP_contains_pte),
        .ref = ref,
        .dom = domain_ids[granter],
        .host_addr = host_address(fuzz_input_byte(input)),
    };

    if (ref < REFS && (choice & 3) != 0) {
        for (unsigned int domain = 0; domain < DOMAINS; domain++) {
            if (domain_ids[domain] == shared_entry(granter, ref)->domid)
                mapper = domain;
        }
        op.flags &= ~(uint32_t)GNTMAP_contains_pte;
        if (!(op.flags & (GNTMAP_device_map | GNTMAP_host_map)))
            op.flags |= choice & 4 ? GNTMAP_host_map : GNTMAP_device_map;
    }
    if (!usable(mapper))
        return;
    if (choice == 0xff)
        op.dom = DOMID_SELF;
    if (op.flags & GNTMAP_contains_pte)
        op.host_addr = harness.world.host_l1[domain_ids[mapper]] * 4096 + (flags >> 5 & 3) * 4 + 8;
    grant_table_map(environment(), table_of(mapper), &op);
    if (op.status > 0 || op.status < GNTST_no_space)
        violation("status %d is not a GNTST_* code", op.status);
    if (op.status == GNTST_okay && op.handle < HANDLES_TRACKED)
        harness.host_address_of[mapper][op.handle] = op.host_addr;
}

/* Mostly the right addresses of a handle in use; else wrong, 0 or forged. */
static void unmap(struct fuzz_input *input)
{
    unsigned int mapper = read_domain(input);
    uint8_t choice = fuzz_input_byte(input);
    grant_handle_t handle = fuzz_input_byte(input) % HANDLES_TRACKED;
    const struct grant_mapping *mapping = grant_table_mapping(table_of(mapper), handle);
    struct gnttab_unmap_grant_ref op = { .handle = handle };

    if (!usable(mapper))
        return;
    if ((choice & 0x70) == 0x70)
        op.handle = (grant_handle_t)fuzz_input_bytes(input, 4);
    if (mapping != NULL && (choice & 3) != 0)
        op.dev_bus_addr = mapping->frame * 4096 + ((choice & 3) == 3 ? 4096 : 0);
    if ((choice & 0xc) != 0)
        op.host_addr = (choice & 0xc) == 0xc ? host_address(fuzz_input_byte(input))
                                             : harness.host_address_of[mapper][handle];
    grant_table_unmap(environment(), table_of(mapper), &op);
}

/* A grant side names mostly a ref granted to the caller. */
static void fill_copy_side(struct fuzz_input *input, unsigned int caller, struct gnttab_copy_ptr *side,
                           bool *is_grant)
{
    uint8_t choice = fuzz_input_byte(input);
    unsigned int granter = read_domain(input);

    *is_grant = choice & 1;
    side->domid = (choice & 6) == 6 ? DOMID_SELF : domain_ids[granter];
    side->offset = (uint16_t)(choice & 8 ? fuzz_input_byte(input) * 17 : fuzz_input_byte(input) * 8);
    if (!*is_grant) {
        side->domid = choice & 0x10 ? domain_ids[granter] : DOMID_SELF;
        side->u.gmfn = read_frame(input, caller);
        return;
    }
    side->u.ref = fuzz_input_byte(input) % (REFS + 1);
    for (grant_ref_t ref = 0; ref < REFS && (choice & 0x20); ref++) {
        if (shared_entry(granter, ref)->domid == domain_ids[caller] && usable(granter)) {
            side->u.ref = ref;
            side->domid = domain_ids[granter];
        }
    }
}

static void copy(struct fuzz_input *input)
{
    unsigned int caller = read_domain(input);
    uint8_t length = fuzz_input_byte(input);
    struct gnttab_copy op = { .len = (uint16_t)(length & 0x80 ? length * 19 : length) };
    bool source_grant, destination_grant;

    fill_copy_side(input, caller, &op.source, &source_grant);
    fill_copy_side(input, caller, &op.dest, &destination_grant);
    op.flags = (uint16_t)((source_grant ? GNTCOPY_source_gref : 0) | (destination_grant ? GNTCOPY_dest_gref : 0));
    if (!usable(caller))
        return;
    grant_table_copy(environment(), domain_ids[caller], &op);
    if (op.status > 0 || op.status < GNTST_no_space)
        violation("status %d is not a GNTST_* code", op.status);
}

static void give_back(struct fuzz_input *input)
{
    unsigned int owner = read_domain(input);
    unsigned int index = fuzz_input_byte(input) % DATA_FRAMES;

    if (!usable(owner) || harness.given_back[owner][index])
        return;
    if (page_give_back(memory(), harness.data_frames[owner][index], domain_ids[owner]) != 0)
        violation("domain %u cannot give back its frame", domain_ids[owner]);
    harness.given_back[owner][index] = true;
}

/* The guest races the next step's compare-exchanges. */
static void race(struct fuzz_input *input)
{
    uint8_t choice = fuzz_input_byte(input);

    harness.world.race_count = choice % 7;
    harness.world.race_toggle = choice & 8;
    harness.world.race_toggle_bits = (uint32_t)fuzz_input_bytes(input, 4);
    harness.world.race_word = (uint32_t)fuzz_input_bytes(input, 4);
    harness.world.race_frame = fuzz_input_byte(input) & 1 ? (uint32_t)read_frame(input, 0) : 0;
}

/* An ordinary update of the domain's host L1: a grant PTE never changes. */
static void guest_update(struct fuzz_input *input)
{
    unsigned int domain = read_domain(input);
    unsigned int slot = fuzz_input_byte(input) % HOST_SLOTS;
    uint64_t value = fuzz_input_byte(input) & 1 ? 0 : host_l1_entries(domain)[slot] ^ PAGE_TABLE_ENTRY_WRITABLE;
    uint64_t before = host_l1_entries(domain)[slot];
    int result;

    if (!usable(domain))
        return;
    result = page_update_entry(memory(), domain_ids[domain], harness.world.host_l1[domain_ids[domain]], slot, value,
                               false, NULL);
    if ((before & PAGE_TABLE_ENTRY_PRESENT) && (before & PAGE_TABLE_ENTRY_GRANT) &&
        (result == 0 || host_l1_entries(domain)[slot] != before))
        violation("a guest update changed grant PTE %#llx", (unsigned long long)before);
}

/* As kernel/domain.c: mappings released, page tables torn down, memory given back. */
static void tear_down(unsigned int domain)
{
    uint16_t id = domain_ids[domain];

    if (harness.torn_down[domain])
        return;
    simulated_grants_tear_down(&harness.world, id);
    if (page_unpin(memory(), harness.world.host_l1[id], id) != 0)
        violation("domain %u's host L1 cannot be unpinned", id);
    if (page_give_back(memory(), harness.world.host_l1[id], id) != 0)
        violation("domain %u's host L1 cannot be given back", id);
    harness.world.host_l1[id] = 0;
    for (unsigned int index = 0; index < DATA_FRAMES; index++) {
        if (!harness.given_back[domain][index])
            page_give_back(memory(), harness.data_frames[domain][index], id);
        harness.given_back[domain][index] = true;
    }
    harness.torn_down[domain] = true;
}

static void destroy(unsigned int domain)
{
    if (!harness.torn_down[domain] || harness.destroyed[domain])
        return;
    simulated_grants_destroy_domain(&harness.world, domain_ids[domain]);
    harness.destroyed[domain] = true;
}

static void grow(struct fuzz_input *input)
{
    unsigned int domain = read_domain(input);
    uint8_t frames = fuzz_input_byte(input) % 4;

    if (usable(domain))
        grant_table_grow(environment(), table_of(domain), frames);
}

/* How often each kind comes (out of 32): mostly grants, maps and unmaps;
 * a domain's end rarely, so that the others have time to pile up state. */
static const enum operation_kind kind_table[32] = {
    OPERATION_PERMIT, OPERATION_PERMIT, OPERATION_PERMIT, OPERATION_PERMIT, OPERATION_PERMIT,
    OPERATION_REVOKE, OPERATION_REVOKE, OPERATION_SCRIBBLE,
    OPERATION_MAP, OPERATION_MAP, OPERATION_MAP, OPERATION_MAP, OPERATION_MAP, OPERATION_MAP, OPERATION_MAP,
    OPERATION_UNMAP, OPERATION_UNMAP, OPERATION_UNMAP, OPERATION_UNMAP, OPERATION_UNMAP,
    OPERATION_COPY, OPERATION_COPY, OPERATION_COPY, OPERATION_COPY,
    OPERATION_GIVE_BACK, OPERATION_RACE, OPERATION_RACE, OPERATION_GUEST_UPDATE, OPERATION_GUEST_UPDATE,
    OPERATION_GROW, OPERATION_TEAR_DOWN, OPERATION_DESTROY,
};

static void run_operation(struct fuzz_input *input)
{
    enum operation_kind kind = kind_table[fuzz_input_byte(input) % 32];

    if ((kind == OPERATION_TEAR_DOWN || kind == OPERATION_DESTROY) && fuzz_input_byte(input) % 8 != 0)
        kind = OPERATION_MAP;

    harness.operation = operation_names[kind];
    work_meter_reset();
    switch (kind) {
    case OPERATION_PERMIT: permit(input); break;
    case OPERATION_REVOKE: revoke(input); break;
    case OPERATION_SCRIBBLE: scribble(input); break;
    case OPERATION_MAP: map(input); break;
    case OPERATION_UNMAP: unmap(input); break;
    case OPERATION_COPY: copy(input); break;
    case OPERATION_GIVE_BACK: give_back(input); break;
    case OPERATION_RACE: race(input); return;
    case OPERATION_GUEST_UPDATE: guest_update(input); break;
    case OPERATION_TEAR_DOWN: tear_down(read_domain(input)); break;
    case OPERATION_DESTROY: destroy(read_domain(input)); break;
    case OPERATION_GROW:
        grow(input);
        break;
    default: break;
    }
    harness.world.race_count = 0;
    if (work_meter_blocks() > WORK_BOUND)
        violation("%llu basic blocks, beyond the bound of %u", (unsigned long long)work_meter_blocks(), WORK_BOUND);
}

/* ---- the invariants ---- */

struct expected_pins {
    uint32_t pin;
    uint16_t mapper;
    uint64_t frame;
};

static bool live_mapping(const struct grant_mapping *mapping)
{
    return (mapping->flags & (GNTMAP_device_map | GNTMAP_host_map)) != 0;
}

static uint32_t mapping_pin(const struct grant_mapping *mapping)
{
    bool readonly = mapping->flags & GNTMAP_readonly;
    uint32_t pin = 0;

    if (mapping->flags & GNTMAP_device_map)
        pin += readonly ? GRANT_PIN_DEVICE_READ : GRANT_PIN_DEVICE_WRITE;
    if (mapping->flags & GNTMAP_host_map)
        pin += readonly ? GRANT_PIN_HOST_READ : GRANT_PIN_HOST_WRITE;
    return pin;
}

static void add_mapping_pins(struct expected_pins pins[DOMAINS][REFS], uint16_t mapper_id,
                             const struct grant_mapping *mapping)
{
    for (unsigned int granter = 0; granter < DOMAINS; granter++) {
        struct expected_pins *expected;

        if (domain_ids[granter] != mapping->granter)
            continue;
        if (harness.destroyed[granter] != ((mapping->flags & GRANT_MAPPING_ORPHANED) != 0))
            violation("a mapping of domain %u's grant is %s orphaned", domain_ids[granter],
                      harness.destroyed[granter] ? "not" : "wrongly");
        if (harness.destroyed[granter])
            continue;
        if (mapping->ref >= REFS)
            violation("a mapping of ref %u, which no operation can pin", mapping->ref);
        expected = &pins[granter][mapping->ref];
        if (expected->pin != 0 && (expected->mapper != mapper_id || expected->frame != mapping->frame))
            violation("ref %u of domain %u is mapped by two domains or at two frames", mapping->ref,
                      domain_ids[granter]);
        expected->pin += mapping_pin(mapping);
        expected->mapper = mapper_id;
        expected->frame = mapping->frame;
    }
}

static void check_entry(unsigned int granter, grant_ref_t ref, const struct expected_pins *expected)
{
    const struct grant_active_entry *active = grant_table_active_entry(table_of(granter), ref);
    uint16_t flags = shared_entry(granter, ref)->flags;

    if (active->pin != expected->pin)
        violation("ref %u of domain %u: pin %#x, its mappings make %#x", ref, domain_ids[granter], active->pin,
                  expected->pin);
    if (active->pin != 0 && (active->domid != expected->mapper || active->frame != expected->frame))
        violation("ref %u of domain %u is pinned for another domain or frame than its mappings", ref,
                  domain_ids[granter]);
    if (harness.scribbled[granter][ref])
        return;
    if (((flags & GTF_reading) != 0) != (active->pin != 0))
        violation("ref %u of domain %u: GTF_reading %s with pin %#x", ref, domain_ids[granter],
                  flags & GTF_reading ? "set" : "clear", active->pin);
    if (((flags & GTF_writing) != 0) != ((active->pin & GRANT_PIN_WRITERS_MASK) != 0))
        violation("ref %u of domain %u: GTF_writing %s with pin %#x", ref, domain_ids[granter],
                  flags & GTF_writing ? "set" : "clear", active->pin);
}

static void check_pins_and_flags(void)
{
    static struct expected_pins pins[DOMAINS][REFS];

    memset(pins, 0, sizeof(pins));
    for (unsigned int mapper = 0; mapper < DOMAINS; mapper++) {
        const struct grant_table *table = table_of(mapper);

        for (grant_handle_t handle = 0; handle < table->maptrack_pages * GRANT_MAPTRACK_PER_PAGE; handle++) {
            const struct grant_mapping *mapping = grant_table_mapping(table, handle);

            if (live_mapping(mapping))
                add_mapping_pins(pins, domain_ids[mapper], mapping);
        }
    }
    for (unsigned int granter = 0; granter < DOMAINS; granter++) {
        if (harness.destroyed[granter])
            continue;
        for (grant_ref_t ref = 0; ref < REFS; ref++)
            check_entry(granter, ref, &pins[granter][ref]);
    }
}

struct expected_counts {
    uint32_t references;
    uint32_t writable;
};

static void count_device_mappings(struct expected_counts *counts, uint64_t frame)
{
    for (unsigned int mapper = 0; mapper < DOMAINS; mapper++) {
        const struct grant_table *table = table_of(mapper);

        for (grant_handle_t handle = 0; handle < table->maptrack_pages * GRANT_MAPTRACK_PER_PAGE; handle++) {
            const struct grant_mapping *mapping = grant_table_mapping(table, handle);

            if ((mapping->flags & GNTMAP_device_map) && mapping->frame == frame) {
                counts->references++;
                counts->writable += !(mapping->flags & GNTMAP_readonly);
            }
        }
    }
}

static void count_host_mappings(struct expected_counts *counts, uint64_t frame)
{
    for (unsigned int domain = 0; domain < DOMAINS; domain++) {
        uint64_t l1 = harness.world.host_l1[domain_ids[domain]];

        if (l1 == 0)
            continue;
        for (unsigned int index = 0; index < PAGE_TABLE_ENTRIES; index++) {
            uint64_t entry = simulated_page_of(&harness.world.machine, l1)[index];

            if (!(entry & PAGE_TABLE_ENTRY_PRESENT))
                continue;
            if (!(entry & PAGE_TABLE_ENTRY_GRANT))
                violation("host L1 of domain %u holds a present entry that is not a grant's", domain_ids[domain]);
            if (page_table_entry_frame(entry) == frame) {
                counts->references++;
                counts->writable += (entry & PAGE_TABLE_ENTRY_WRITABLE) != 0;
            }
        }
    }
}

static void check_frame(unsigned int owner, unsigned int index)
{
    uint64_t frame = harness.data_frames[owner][index];
    struct expected_counts counts = { .references = harness.given_back[owner][index] ? 0 : 1 };
    uint32_t releases = harness.world.machine.release_counts[frame];

    count_device_mappings(&counts, frame);
    count_host_mappings(&counts, frame);
    if (page_reference_count(memory(), frame) != counts.references)
        violation("frame %llu holds %u references, its allocation and mappings make %u", (unsigned long long)frame,
                  page_reference_count(memory(), frame), counts.references);
    if (counts.writable != 0 &&
        (page_type_of(memory(), frame) != PAGE_TYPE_WRITABLE || page_type_count(memory(), frame) != counts.writable))
        violation("frame %llu holds %u writable type references, expected %u", (unsigned long long)frame,
                  page_type_count(memory(), frame), counts.writable);
    if (counts.writable == 0 && page_type_count(memory(), frame) != 0)
        violation("frame %llu holds a type no mapping accounts for", (unsigned long long)frame);
    if (releases != (counts.references == 0 ? 1u : 0u))
        violation("frame %llu was released %u times with %u references", (unsigned long long)frame, releases,
                  counts.references);
}

static void check_frames(void)
{
    for (unsigned int owner = 0; owner < DOMAINS; owner++) {
        for (unsigned int index = 0; index < DATA_FRAMES; index++)
            check_frame(owner, index);
    }
}

static void let_go_of_everything(void)
{
    harness.operation = "the end";
    for (unsigned int domain = 0; domain < DOMAINS; domain++)
        tear_down(domain);
    for (unsigned int domain = 0; domain < DOMAINS; domain++) {
        grant_table_release_mappings(environment(), table_of(domain));
        destroy(domain);
    }
    for (unsigned int domain = 0; domain < DOMAINS; domain++) {
        for (grant_handle_t handle = 0; handle < 8; handle++) {
            if (grant_table_mapping(table_of(domain), handle) != NULL)
                violation("a destroyed domain keeps maptrack entries");
        }
    }
    check_frames();
    if (harness.world.private_pages != 0)
        violation("%llu hypervisor pages are never freed", (unsigned long long)harness.world.private_pages);
    simulated_grants_destroy(&harness.world);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = {data, size, 0};

    set_up();
    for (harness.step = 1; harness.step <= MAX_STEPS && !fuzz_input_exhausted(&input); harness.step++) {
        run_operation(&input);
        check_pins_and_flags();
        check_frames();
    }
    let_go_of_everything();
    return 0;
}
