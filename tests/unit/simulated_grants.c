/*
 * The simulated grant-table world (simulated_grants.h).
 */
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/page_type.h>

#include "simulated_grants.h"

static struct simulated_grants *world_of(const struct grant_environment *environment)
{
    return environment->context;
}

static struct grant_table *find(const struct grant_environment *environment, uint16_t domain)
{
    struct simulated_grants *world = world_of(environment);

    if (domain >= SIMULATED_GRANT_DOMAINS || !world->exists[domain])
        return NULL;
    return &world->tables[domain];
}

static uint64_t next_free_frame(struct simulated_grants *world)
{
    while (world->next_frame < world->machine.frame_count && world->machine.frames[world->next_frame].state != FRAME_FREE)
        world->next_frame++;
    return world->next_frame < world->machine.frame_count ? world->next_frame++ : 0;
}

static int allocate_shared_frame(const struct grant_environment *environment, uint16_t owner, uint64_t *frame)
{
    struct simulated_grants *world = world_of(environment);
    const struct page_memory *memory = environment->memory;

    *frame = next_free_frame(world);
    if (*frame == 0)
        return -XEN_ENOMEM;
    page_assign(memory, *frame, owner, true);
    if (page_get_reference_and_type(memory, *frame, owner, PAGE_TYPE_WRITABLE) != 0)
        abort();
    memory->frames[*frame].flags |= FRAME_FLAG_HYPERVISOR_PAGE;
    return 0;
}

static void release_shared_frame(const struct grant_environment *environment, uint64_t frame)
{
    const struct page_memory *memory = environment->memory;

    page_put_reference_and_type(memory, frame);
    if (memory->frames[frame].reference_count & PAGE_REFERENCE_ALLOCATED)
        page_give_back(memory, frame, memory->frames[frame].owner);
}

static void *allocate_private(const struct grant_environment *environment)
{
    struct simulated_grants *world = world_of(environment);
    void *page;

    if (world->private_budget_active) {
        if (world->private_page_budget == 0)
            return NULL;
        world->private_page_budget--;
    }
    page = calloc(1, GRANT_PAGE_SIZE);
    if (page != NULL)
        world->private_pages++;
    return page;
}

static void free_private(const struct grant_environment *environment, void *page)
{
    world_of(environment)->private_pages--;
    free(page);
}

static int find_l1_entry(const struct grant_environment *environment, uint16_t domain, uint64_t address,
                         uint64_t *table_frame, unsigned int *index)
{
    struct simulated_grants *world = world_of(environment);

    if (domain >= SIMULATED_GRANT_DOMAINS || world->host_l1[domain] == 0 || address >= SIMULATED_HOST_ADDRESS_LIMIT)
        return -XEN_EINVAL;
    if (!page_is_validated_table(environment->memory, world->host_l1[domain], PAGE_TYPE_L1))
        return -XEN_EINVAL;
    *table_frame = world->host_l1[domain];
    *index = (unsigned int)(address / 4096);
    return 0;
}

static uint32_t compare_exchange(const struct grant_environment *environment, uint32_t *word, uint32_t expected,
                                 uint32_t desired)
{
    struct simulated_grants *world = world_of(environment);

    world->compare_exchanges++;
    if (world->race_count > 0) {
        world->race_count--;
        uint32_t hypervisors_bits = GTF_reading | GTF_writing;
        uint32_t written = world->race_toggle ? *word ^ world->race_toggle_bits : world->race_word;

        *word = (written & ~hypervisors_bits) | (*word & hypervisors_bits);
        if (world->race_frame != 0)
            word[1] = world->race_frame;
    }
    if (*word != expected)
        return *word;
    *word = desired;
    return expected;
}

void simulated_grants_create(struct simulated_grants *world, uint64_t frame_count)
{
    memset(world, 0, sizeof(*world));
    simulated_memory_create(&world->machine, frame_count);
    world->next_frame = 1;
    world->environment = (struct grant_environment){
        .memory = simulated_memory_view(&world->machine),
        .find = find,
        .allocate_shared_frame = allocate_shared_frame,
        .release_shared_frame = release_shared_frame,
        .allocate_private = allocate_private,
        .free_private = free_private,
        .find_l1_entry = find_l1_entry,
        .compare_exchange = compare_exchange,
        .context = world,
    };
}

void simulated_grants_destroy(struct simulated_grants *world)
{
    for (uint16_t domain = 0; domain < SIMULATED_GRANT_DOMAINS; domain++) {
        if (world->exists[domain])
            grant_table_destroy(&world->environment, &world->tables[domain]);
    }
    simulated_memory_destroy(&world->machine);
}

bool simulated_grants_add_domain(struct simulated_grants *world, uint16_t domain)
{
    if (grant_table_create(&world->environment, &world->tables[domain], domain) != 0)
        return false;
    world->exists[domain] = true;
    return true;
}

uint64_t simulated_grants_give_frame(struct simulated_grants *world, uint16_t domain)
{
    uint64_t frame = next_free_frame(world);

    if (frame != 0)
        page_assign(world->environment.memory, frame, domain, false);
    return frame;
}

uint64_t simulated_grants_give_host_l1(struct simulated_grants *world, uint16_t domain)
{
    uint64_t frame = simulated_grants_give_frame(world, domain);

    if (frame == 0 || page_pin(world->environment.memory, frame, domain, PAGE_TYPE_L1) != 0)
        abort();
    world->host_l1[domain] = frame;
    return frame;
}

void simulated_grants_tear_down(struct simulated_grants *world, uint16_t domain)
{
    grant_table_release_mappings(&world->environment, &world->tables[domain]);
    world->tables[domain].dying = true;
}

void simulated_grants_destroy_domain(struct simulated_grants *world, uint16_t domain)
{
    for (uint16_t other = 0; other < SIMULATED_GRANT_DOMAINS; other++) {
        if (other != domain && world->exists[other])
            grant_table_orphan_mappings_of(&world->tables[other], domain);
    }
    grant_table_destroy(&world->environment, &world->tables[domain]);
    world->exists[domain] = false;
}

grant_entry_v1_t *simulated_grants_entry(struct simulated_grants *world, uint16_t domain, grant_ref_t ref)
{
    return grant_table_shared_entry(&world->environment, &world->tables[domain], ref);
}

void simulated_grants_permit(struct simulated_grants *world, uint16_t granter, grant_ref_t ref, uint16_t grantee,
                             uint64_t frame, bool readonly)
{
    grant_entry_v1_t *entry = simulated_grants_entry(world, granter, ref);

    entry->domid = grantee;
    entry->frame = (uint32_t)frame;
    entry->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}
