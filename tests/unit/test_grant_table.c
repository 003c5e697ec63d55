/*
 * Specification of common/grant_table.c: the table and its growth, the
 * pin protocol (including a guest racing the hypervisor's compare-exchange),
 * map and unmap (device and host), copy, and the teardown of either side,
 * with Xen 4.17's status for every refusal.  Every refusal must leave the
 * shared entry, the pins and the frames' counts as they were.  Domains
 * are simulated (simulated_grants.h): GRANTER grants its frames to MAPPER.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pvmon/errno.h>
#include <pvmon/grant_table.h>
#include <pvmon/page_table_entry.h>
#include <pvmon/page_type.h>

#include "simulated_grants.h"
#include "suites.h"

#define FRAME_COUNT 256
#define GRANTER 1
#define MAPPER 2
#define STRANGER 3
#define REF 8
#define HOST_ADDRESS (UINT64_C(5) * 4096)
#define OTHER_HOST_ADDRESS (UINT64_C(6) * 4096)
/* The allocation's share of reference_count after page_assign. */
#define ALLOCATION 1

static struct simulated_grants world;
static const struct grant_environment *environment;
static const struct page_memory *memory;
static uint64_t granted_frame;
static uint64_t mapper_l1;

static void create_world(void)
{
    simulated_grants_create(&world, FRAME_COUNT);
    environment = &world.environment;
    memory = environment->memory;
    for (uint16_t domain = GRANTER; domain <= STRANGER; domain++)
        ck_assert(simulated_grants_add_domain(&world, domain));
    granted_frame = simulated_grants_give_frame(&world, GRANTER);
    mapper_l1 = simulated_grants_give_host_l1(&world, MAPPER);
}

static void destroy_world(void)
{
    simulated_grants_destroy(&world);
}

static struct grant_table *table_of(uint16_t domain)
{
    return &world.tables[domain];
}

static grant_entry_v1_t *entry(grant_ref_t ref)
{
    return simulated_grants_entry(&world, GRANTER, ref);
}

static void permit(grant_ref_t ref, uint16_t grantee, bool readonly)
{
    simulated_grants_permit(&world, GRANTER, ref, grantee, granted_frame, readonly);
}

static struct gnttab_map_grant_ref map_request(uint32_t flags, grant_ref_t ref)
{
    return (struct gnttab_map_grant_ref){
        .host_addr = HOST_ADDRESS, .flags = flags, .ref = ref, .dom = GRANTER, .status = 99, .handle = 0xdead };
}

static struct gnttab_map_grant_ref map_by(uint16_t mapper, uint32_t flags, grant_ref_t ref)
{
    struct gnttab_map_grant_ref op = map_request(flags, ref);

    grant_table_map(environment, table_of(mapper), &op);
    return op;
}

static struct gnttab_map_grant_ref map_ok(uint32_t flags)
{
    struct gnttab_map_grant_ref op = map_by(MAPPER, flags, REF);

    ck_assert_int_eq(op.status, GNTST_okay);
    return op;
}

static int16_t unmap(grant_handle_t handle, uint64_t host_addr, uint64_t dev_bus_addr)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = host_addr, .dev_bus_addr = dev_bus_addr, .handle = handle };

    grant_table_unmap(environment, table_of(MAPPER), &op);
    return op.status;
}

static uint32_t pin(grant_ref_t ref)
{
    return grant_table_active_entry(table_of(GRANTER), ref)->pin;
}

static uint64_t host_entry(uint64_t address)
{
    return simulated_page_of(&world.machine, mapper_l1)[address / 4096];
}

static void expect_frame(uint32_t references, enum page_type type, uint32_t type_count)
{
    ck_assert_uint_eq(page_reference_count(memory, granted_frame), references);
    ck_assert_uint_eq(page_type_count(memory, granted_frame), type_count);
    if (type_count != 0)
        ck_assert_int_eq(page_type_of(memory, granted_frame), type);
}

/* The granter's entry as the guest wrote it, untouched, and no pin. */
static void expect_entry_untouched(grant_ref_t ref, uint16_t flags)
{
    ck_assert_uint_eq(entry(ref)->flags, flags);
    ck_assert_uint_eq(pin(ref), 0);
    expect_frame(ALLOCATION, PAGE_TYPE_NONE, 0);
}

/* ---- the table ---- */

START_TEST(test_a_new_table_has_one_hypervisor_frame_the_domain_owns)
{
    uint64_t frame = table_of(GRANTER)->frames[0];

    ck_assert_uint_eq(table_of(GRANTER)->frame_count, GRANT_TABLE_INITIAL_FRAMES);
    ck_assert_uint_eq(grant_table_entry_count(table_of(GRANTER)), 512);
    ck_assert_uint_eq(memory->frames[frame].owner, GRANTER);
    ck_assert(memory->frames[frame].flags & FRAME_FLAG_HYPERVISOR_PAGE);
    ck_assert_int_eq(page_type_of(memory, frame), PAGE_TYPE_WRITABLE);
    ck_assert_uint_eq(page_type_count(memory, frame), 1);
}
END_TEST

START_TEST(test_grow_adds_frames_up_to_64_and_keeps_the_first)
{
    uint64_t first = table_of(GRANTER)->frames[0];

    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), 4), GNTST_okay);
    ck_assert_uint_eq(table_of(GRANTER)->frame_count, 4);
    ck_assert_uint_eq(table_of(GRANTER)->frames[0], first);
    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), 2), GNTST_okay);
    ck_assert_uint_eq(table_of(GRANTER)->frame_count, 4);
    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), GRANT_TABLE_MAX_FRAMES), GNTST_okay);
    ck_assert_uint_eq(grant_table_entry_count(table_of(GRANTER)), 64 * 512);
}
END_TEST

START_TEST(test_grow_beyond_64_frames_is_general_error_and_adds_nothing)
{
    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), GRANT_TABLE_MAX_FRAMES + 1),
                     GNTST_general_error);
    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), UINT32_MAX), GNTST_general_error);
    ck_assert_uint_eq(table_of(GRANTER)->frame_count, 1);
}
END_TEST

START_TEST(test_grow_out_of_memory_is_general_error)
{
    world.private_budget_active = true;
    world.private_page_budget = 3;
    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), 8), GNTST_general_error);
    ck_assert_uint_eq(table_of(GRANTER)->frame_count, 2);
}
END_TEST

START_TEST(test_set_version_1_is_accepted_2_is_enosys_others_einval)
{
    uint32_t version = 1;

    ck_assert_int_eq(grant_table_set_version(table_of(GRANTER), &version), 0);
    ck_assert_uint_eq(version, 1);
    version = 2;
    ck_assert_int_eq(grant_table_set_version(table_of(GRANTER), &version), -XEN_ENOSYS);
    ck_assert_uint_eq(version, 1);
    version = 3;
    ck_assert_int_eq(grant_table_set_version(table_of(GRANTER), &version), -XEN_EINVAL);
    ck_assert_uint_eq(version, 1);
}
END_TEST

/* ---- map: refusals ---- */

START_TEST(test_map_without_host_or_device_flag_is_bad_gntref)
{
    permit(REF, MAPPER, false);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_readonly, REF).status, GNTST_bad_gntref);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_map_from_an_unknown_domain_or_domid_self_is_bad_domain)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_device_map, REF);

    permit(REF, MAPPER, false);
    op.dom = 0;
    grant_table_map(environment, table_of(MAPPER), &op);
    ck_assert_int_eq(op.status, GNTST_bad_domain);
    op.dom = DOMID_SELF;
    grant_table_map(environment, table_of(MAPPER), &op);
    ck_assert_int_eq(op.status, GNTST_bad_domain);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_map_from_a_torn_down_granter_is_bad_domain)
{
    permit(REF, MAPPER, false);
    simulated_grants_tear_down(&world, GRANTER);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_bad_domain);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_map_of_a_ref_beyond_the_table_is_bad_gntref)
{
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, 512).status, GNTST_bad_gntref);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, UINT32_MAX).status, GNTST_bad_gntref);
    expect_frame(ALLOCATION, PAGE_TYPE_NONE, 0);
}
END_TEST

START_TEST(test_map_of_an_entry_without_permit_access_is_general_error)
{
    permit(REF, MAPPER, false);
    entry(REF)->flags = GTF_accept_transfer;
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_accept_transfer);
}
END_TEST

START_TEST(test_map_of_a_grant_to_another_domain_is_general_error)
{
    permit(REF, STRANGER, false);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_writable_map_of_a_readonly_grant_is_general_error)
{
    permit(REF, MAPPER, true);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_host_map, REF).status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access | GTF_readonly);
    ck_assert_uint_eq(host_entry(HOST_ADDRESS), 0);
}
END_TEST

START_TEST(test_map_of_a_sub_page_grant_is_general_error)
{
    permit(REF, MAPPER, false);
    entry(REF)->flags |= GTF_sub_page;
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access | GTF_sub_page);
}
END_TEST

START_TEST(test_map_of_a_frame_the_granter_does_not_hold_is_bad_page_and_clears_the_claim)
{
    simulated_grants_permit(&world, GRANTER, REF, MAPPER, mapper_l1, false);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_bad_page);
    simulated_grants_permit(&world, GRANTER, REF + 1, MAPPER, 0xffffff, false);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF + 1).status, GNTST_bad_page);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access);
    ck_assert_uint_eq(entry(REF + 1)->flags, GTF_permit_access);
    ck_assert_uint_eq(pin(REF), 0);
}
END_TEST

START_TEST(test_map_pinned_for_another_domain_is_general_error)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map | GNTMAP_readonly);
    ck_assert_int_eq(map_by(STRANGER, GNTMAP_device_map | GNTMAP_readonly, REF).status, GNTST_general_error);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_READ);
}
END_TEST

START_TEST(test_a_pin_counter_never_overflows)
{
    permit(REF, MAPPER, false);
    for (unsigned int count = 0; count < 128; count++)
        map_ok(GNTMAP_device_map | GNTMAP_readonly);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map | GNTMAP_readonly, REF).status, GNTST_general_error);
    ck_assert_uint_eq(pin(REF), 128 * GRANT_PIN_DEVICE_READ);
    ck_assert_uint_eq(page_reference_count(memory, granted_frame), ALLOCATION + 128);
}
END_TEST

START_TEST(test_map_with_every_maptrack_handle_used_is_no_space)
{
    for (grant_ref_t ref = 0; ref < GRANT_MAPTRACK_LIMIT / 100 + 1; ref++)
        permit(ref, MAPPER, true);
    for (unsigned int count = 0; count < GRANT_MAPTRACK_LIMIT; count++)
        ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map | GNTMAP_readonly, count / 100).status, GNTST_okay);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map | GNTMAP_readonly, 0).status, GNTST_no_space);
    ck_assert_uint_eq(table_of(MAPPER)->maptrack_pages, GRANT_MAPTRACK_PAGES);
}
END_TEST

START_TEST(test_writable_host_map_without_an_l1_is_general_error_and_unpins)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map, REF);

    permit(REF, MAPPER, false);
    op.host_addr = SIMULATED_HOST_ADDRESS_LIMIT;
    grant_table_map(environment, table_of(MAPPER), &op);
    ck_assert_int_eq(op.status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_contains_pte_map_at_a_misaligned_entry_is_general_error)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map | GNTMAP_contains_pte, REF);

    permit(REF, MAPPER, false);
    op.host_addr = mapper_l1 * 4096 + 8 * 3 + 4;
    grant_table_map(environment, table_of(MAPPER), &op);
    ck_assert_int_eq(op.status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access);
    ck_assert_uint_eq(simulated_page_of(&world.machine, mapper_l1)[3], 0);
}
END_TEST

START_TEST(test_contains_pte_map_in_a_frame_that_is_not_the_mapper_s_l1_is_general_error)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map | GNTMAP_contains_pte, REF);

    permit(REF, MAPPER, false);
    op.host_addr = table_of(MAPPER)->frames[0] * 4096;
    grant_table_map(environment, table_of(MAPPER), &op);
    ck_assert_int_eq(op.status, GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

/* ---- map and unmap ---- */

START_TEST(test_readonly_device_map_pins_sets_reading_and_references_the_frame)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map | GNTMAP_readonly);
    ck_assert_uint_eq(op.dev_bus_addr, granted_frame * 4096);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_READ);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_NONE, 0);
    ck_assert_uint_eq(grant_table_mapping(table_of(MAPPER), op.handle)->frame, granted_frame);
}
END_TEST

START_TEST(test_writable_device_map_sets_writing_and_takes_a_writable_type)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_WRITE);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(test_device_unmap_releases_pin_flags_and_references)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map);
    ck_assert_int_eq(unmap(op.handle, 0, op.dev_bus_addr), GNTST_okay);
    expect_entry_untouched(REF, GTF_permit_access);
    ck_assert_ptr_null(grant_table_mapping(table_of(MAPPER), op.handle)->flags ? (void *)1 : NULL);
}
END_TEST

START_TEST(test_unmap_twice_is_bad_handle)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map);
    ck_assert_int_eq(unmap(op.handle, 0, op.dev_bus_addr), GNTST_okay);
    ck_assert_int_eq(unmap(op.handle, 0, op.dev_bus_addr), GNTST_bad_handle);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_unmap_of_a_forged_handle_is_bad_handle)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map);
    ck_assert_int_eq(unmap((grant_handle_t)(op.handle + 1), 0, op.dev_bus_addr), GNTST_bad_handle);
    ck_assert_int_eq(unmap(GRANT_MAPTRACK_LIMIT, 0, op.dev_bus_addr), GNTST_bad_handle);
    ck_assert_int_eq(unmap(UINT32_MAX, 0, op.dev_bus_addr), GNTST_bad_handle);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_WRITE);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(test_unmap_of_another_domain_s_handle_is_bad_handle)
{
    struct gnttab_map_grant_ref op;
    struct gnttab_unmap_grant_ref unmap_op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map);
    unmap_op = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = op.dev_bus_addr, .handle = op.handle };
    grant_table_unmap(environment, table_of(STRANGER), &unmap_op);
    ck_assert_int_eq(unmap_op.status, GNTST_bad_handle);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_WRITE);
}
END_TEST

START_TEST(test_unmap_with_another_bus_address_is_bad_dev_addr_and_keeps_the_mapping)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map);
    ck_assert_int_eq(unmap(op.handle, 0, op.dev_bus_addr + 4096), GNTST_bad_dev_addr);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_WRITE);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
}
END_TEST

/* XSA-224: a bus address of 0 leaves the device mapping and its references. */
START_TEST(test_unmap_with_bus_address_0_leaves_the_device_mapping)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_device_map);
    ck_assert_int_eq(unmap(op.handle, HOST_ADDRESS, 0), GNTST_okay);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_WRITE);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_int_eq(unmap(op.handle, 0, op.dev_bus_addr), GNTST_okay);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_host_map_writes_a_grant_entry_that_holds_the_references)
{
    uint64_t written;

    permit(REF, MAPPER, false);
    map_ok(GNTMAP_host_map);
    written = host_entry(HOST_ADDRESS);
    ck_assert_uint_eq(page_table_entry_frame(written), granted_frame);
    ck_assert(written & PAGE_TABLE_ENTRY_PRESENT);
    ck_assert(written & PAGE_TABLE_ENTRY_WRITABLE);
    ck_assert(written & PAGE_TABLE_ENTRY_GRANT);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_HOST_WRITE);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

START_TEST(test_readonly_host_map_writes_a_readonly_entry_without_a_type)
{
    permit(REF, MAPPER, true);
    map_ok(GNTMAP_host_map | GNTMAP_readonly);
    ck_assert(!(host_entry(HOST_ADDRESS) & PAGE_TABLE_ENTRY_WRITABLE));
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_NONE, 0);
}
END_TEST

START_TEST(test_host_unmap_leaves_a_non_present_entry_and_releases_everything)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_host_map);
    ck_assert_int_eq(unmap(op.handle, HOST_ADDRESS, 0), GNTST_okay);
    ck_assert_uint_eq(host_entry(HOST_ADDRESS), 0);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_host_unmap_at_an_address_not_mapping_the_frame_is_general_error)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_host_map);
    ck_assert_int_eq(unmap(op.handle, OTHER_HOST_ADDRESS, 0), GNTST_general_error);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_HOST_WRITE);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

/* XSA-234: a read-only mapping's unmap may not remove a writable grant
 * entry of the same frame (it would drop a writable reference it never
 * took). */
START_TEST(test_readonly_unmap_at_a_writable_grant_entry_is_general_error)
{
    struct gnttab_map_grant_ref readonly_map;
    struct gnttab_map_grant_ref writable_map;

    permit(REF, MAPPER, false);
    readonly_map = map_ok(GNTMAP_host_map | GNTMAP_readonly);
    writable_map = map_request(GNTMAP_host_map, REF);
    writable_map.host_addr = OTHER_HOST_ADDRESS;
    grant_table_map(environment, table_of(MAPPER), &writable_map);
    ck_assert_int_eq(writable_map.status, GNTST_okay);
    ck_assert_int_eq(unmap(readonly_map.handle, OTHER_HOST_ADDRESS, 0), GNTST_general_error);
    expect_frame(ALLOCATION + 2, PAGE_TYPE_WRITABLE, 1);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_HOST_WRITE + GRANT_PIN_HOST_READ);
    ck_assert_int_eq(unmap(readonly_map.handle, HOST_ADDRESS, 0), GNTST_okay);
    ck_assert_int_eq(unmap(writable_map.handle, OTHER_HOST_ADDRESS, 0), GNTST_okay);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

/* XSA-224: host and device writable, unmapped in two calls: each drops
 * exactly its own references. */
START_TEST(test_host_and_device_writable_map_unmapped_in_two_steps_keeps_counts_exact)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_host_map | GNTMAP_device_map);
    expect_frame(ALLOCATION + 2, PAGE_TYPE_WRITABLE, 2);
    ck_assert_int_eq(unmap(op.handle, HOST_ADDRESS, 0), GNTST_okay);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    ck_assert_int_eq(unmap(op.handle, 0, op.dev_bus_addr), GNTST_okay);
    expect_entry_untouched(REF, GTF_permit_access);
    ck_assert_int_eq(unmap(op.handle, HOST_ADDRESS, op.dev_bus_addr), GNTST_bad_handle);
}
END_TEST

START_TEST(test_a_readonly_map_beside_a_writable_one_keeps_writing_until_the_writer_goes)
{
    struct gnttab_map_grant_ref writer;
    struct gnttab_map_grant_ref reader;

    permit(REF, MAPPER, false);
    reader = map_ok(GNTMAP_device_map | GNTMAP_readonly);
    writer = map_ok(GNTMAP_device_map);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    ck_assert_int_eq(unmap(writer.handle, 0, writer.dev_bus_addr), GNTST_okay);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading);
    ck_assert_int_eq(unmap(reader.handle, 0, reader.dev_bus_addr), GNTST_okay);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_contains_pte_host_map_and_unmap_use_the_named_entry)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map | GNTMAP_contains_pte, REF);

    permit(REF, MAPPER, false);
    op.host_addr = mapper_l1 * 4096 + 8 * 7;
    grant_table_map(environment, table_of(MAPPER), &op);
    ck_assert_int_eq(op.status, GNTST_okay);
    ck_assert_uint_eq(page_table_entry_frame(simulated_page_of(&world.machine, mapper_l1)[7]), granted_frame);
    ck_assert_int_eq(unmap(op.handle, mapper_l1 * 4096 + 8 * 7, 0), GNTST_okay);
    ck_assert_uint_eq(simulated_page_of(&world.machine, mapper_l1)[7], 0);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_a_guest_update_may_not_overwrite_or_clear_a_grant_entry)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_host_map);
    ck_assert_int_eq(page_update_entry(memory, MAPPER, mapper_l1, HOST_ADDRESS / 4096, 0, false, NULL), -XEN_EINVAL);
    ck_assert_int_eq(page_update_entry(memory, MAPPER, mapper_l1, HOST_ADDRESS / 4096,
                                       host_entry(HOST_ADDRESS), false, NULL),
                     -XEN_EINVAL);
    ck_assert_uint_eq(page_table_entry_frame(host_entry(HOST_ADDRESS)), granted_frame);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
}
END_TEST

/* ---- what the granter can do to a mapped frame ---- */

START_TEST(test_the_granter_cannot_make_a_writably_mapped_frame_a_page_table)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map);
    ck_assert_int_eq(page_pin(memory, granted_frame, GRANTER, PAGE_TYPE_L1), -XEN_EINVAL);
}
END_TEST

START_TEST(test_a_frame_given_back_while_mapped_lives_until_unmapped)
{
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    op = map_ok(GNTMAP_host_map);
    ck_assert_int_eq(page_give_back(memory, granted_frame, GRANTER), 0);
    ck_assert_uint_eq(world.machine.release_counts[granted_frame], 0);
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    ck_assert_int_eq(unmap(op.handle, HOST_ADDRESS, 0), GNTST_okay);
    ck_assert_uint_eq(world.machine.release_counts[granted_frame], 1);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access);
}
END_TEST

START_TEST(test_the_granter_sees_reading_while_mapped_so_its_revoke_fails)
{
    permit(REF, MAPPER, true);
    map_ok(GNTMAP_device_map | GNTMAP_readonly);
    ck_assert(entry(REF)->flags & GTF_reading);
}
END_TEST

/* ---- the pin protocol against a racing guest ---- */

START_TEST(test_a_claim_retries_when_the_guest_changes_an_unrelated_bit)
{
    permit(REF, MAPPER, false);
    world.race_count = 4;
    world.race_toggle = true;
    world.race_toggle_bits = GTF_PWT;
    map_ok(GNTMAP_device_map | GNTMAP_readonly);
    ck_assert_uint_eq(world.compare_exchanges, 5);
    ck_assert(entry(REF)->flags & GTF_reading);
}
END_TEST

START_TEST(test_a_claim_gives_up_after_5_tries_against_an_unstable_entry)
{
    permit(REF, MAPPER, false);
    world.race_count = 5;
    world.race_toggle = true;
    world.race_toggle_bits = GTF_PWT;
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map | GNTMAP_readonly, REF).status, GNTST_general_error);
    ck_assert_uint_eq(world.compare_exchanges, 5);
    ck_assert(!(entry(REF)->flags & (GTF_reading | GTF_writing)));
    ck_assert_uint_eq(pin(REF), 0);
}
END_TEST

START_TEST(test_a_revoke_that_wins_the_race_refuses_the_map)
{
    permit(REF, MAPPER, false);
    world.race_count = 1;
    world.race_word = (uint32_t)MAPPER << 16; /* flags 0: revoked */
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    ck_assert_uint_eq(entry(REF)->flags, 0);
    ck_assert_uint_eq(pin(REF), 0);
    expect_frame(ALLOCATION, PAGE_TYPE_NONE, 0);
}
END_TEST

START_TEST(test_a_readonly_flag_set_during_the_claim_refuses_a_writable_map)
{
    permit(REF, MAPPER, false);
    world.race_count = 1;
    world.race_word = ((uint32_t)MAPPER << 16) | GTF_permit_access | GTF_readonly;
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_readonly);
}
END_TEST

START_TEST(test_a_domid_changed_during_the_claim_refuses_the_map)
{
    permit(REF, MAPPER, false);
    world.race_count = 1;
    world.race_word = ((uint32_t)STRANGER << 16) | GTF_permit_access;
    ck_assert_int_eq(map_by(MAPPER, GNTMAP_device_map, REF).status, GNTST_general_error);
    ck_assert_uint_eq(pin(REF), 0);
}
END_TEST

/* The guest revokes and grants again with another frame between the
 * hypervisor's read of the flags and its compare-exchange, which still
 * succeeds: the frame pinned must be the new one, read after the claim. */
START_TEST(test_the_frame_is_read_only_after_the_claim)
{
    uint64_t other_frame = simulated_grants_give_frame(&world, GRANTER);
    struct gnttab_map_grant_ref op;

    permit(REF, MAPPER, false);
    world.race_count = 1;
    world.race_word = ((uint32_t)MAPPER << 16) | GTF_permit_access;
    world.race_frame = (uint32_t)other_frame;
    op = map_ok(GNTMAP_device_map);
    ck_assert_uint_eq(op.dev_bus_addr, other_frame * 4096);
    ck_assert_uint_eq(page_reference_count(memory, other_frame), ALLOCATION + 1);
}
END_TEST

/* ---- copy ---- */

static struct gnttab_copy copy_request(grant_ref_t source_ref, uint64_t destination_frame, uint16_t length)
{
    return (struct gnttab_copy){
        .source = { .u.ref = source_ref, .domid = GRANTER, .offset = 0 },
        .dest = { .u.gmfn = destination_frame, .domid = DOMID_SELF, .offset = 0 },
        .len = length,
        .flags = GNTCOPY_source_gref,
        .status = 99,
    };
}

static int16_t copy_as(uint16_t caller, struct gnttab_copy op)
{
    grant_table_copy(environment, caller, &op);
    return op.status;
}

START_TEST(test_copy_from_a_grant_into_the_caller_s_frame_and_release)
{
    uint64_t destination = simulated_grants_give_frame(&world, MAPPER);
    struct gnttab_copy op = copy_request(REF, destination, 100);

    permit(REF, MAPPER, true);
    memset(simulated_page_of(&world.machine, granted_frame), 0x5a, 4096);
    op.source.offset = 8;
    op.dest.offset = 16;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_okay);
    ck_assert_uint_eq(((uint8_t *)simulated_page_of(&world.machine, destination))[16], 0x5a);
    ck_assert_uint_eq(((uint8_t *)simulated_page_of(&world.machine, destination))[115], 0x5a);
    ck_assert_uint_eq(((uint8_t *)simulated_page_of(&world.machine, destination))[116], 0);
    expect_entry_untouched(REF, GTF_permit_access | GTF_readonly);
    ck_assert_uint_eq(page_reference_count(memory, destination), ALLOCATION);
    ck_assert_uint_eq(page_type_count(memory, destination), 0);
}
END_TEST

START_TEST(test_copy_into_a_writable_grant)
{
    uint64_t source = simulated_grants_give_frame(&world, MAPPER);
    struct gnttab_copy op = {
        .source = { .u.gmfn = source, .domid = DOMID_SELF },
        .dest = { .u.ref = REF, .domid = GRANTER, .offset = 4000 },
        .len = 96,
        .flags = GNTCOPY_dest_gref,
    };

    permit(REF, MAPPER, false);
    memset(simulated_page_of(&world.machine, source), 0x33, 4096);
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_okay);
    ck_assert_uint_eq(((uint8_t *)simulated_page_of(&world.machine, granted_frame))[4095], 0x33);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_copy_into_a_readonly_grant_is_general_error)
{
    uint64_t source = simulated_grants_give_frame(&world, MAPPER);
    struct gnttab_copy op = {
        .source = { .u.gmfn = source, .domid = DOMID_SELF },
        .dest = { .u.ref = REF, .domid = GRANTER },
        .len = 8,
        .flags = GNTCOPY_dest_gref,
    };

    permit(REF, MAPPER, true);
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access | GTF_readonly);
}
END_TEST

START_TEST(test_copy_crossing_a_page_is_bad_copy_arg_and_releases)
{
    uint64_t destination = simulated_grants_give_frame(&world, MAPPER);
    struct gnttab_copy op = copy_request(REF, destination, 2);

    permit(REF, MAPPER, false);
    op.source.offset = 4095;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_copy_arg);
    op.source.offset = 0;
    op.dest.offset = 0xffff;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_copy_arg);
    op.dest.offset = 0;
    op.len = 0xffff;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_copy_arg);
    expect_entry_untouched(REF, GTF_permit_access);
    ck_assert_uint_eq(((uint8_t *)simulated_page_of(&world.machine, destination))[0], 0);
}
END_TEST

START_TEST(test_copy_of_length_0_does_nothing_and_succeeds)
{
    struct gnttab_copy op = copy_request(UINT32_MAX, 0xfffffff, 0);

    op.source.domid = 1234;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_okay);
}
END_TEST

START_TEST(test_copy_naming_a_frame_of_another_domain_is_permission_denied)
{
    struct gnttab_copy op = copy_request(REF, granted_frame, 8);

    permit(REF, MAPPER, false);
    op.dest.domid = GRANTER;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_permission_denied);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_copy_into_a_frame_the_caller_does_not_hold_is_bad_page)
{
    struct gnttab_copy op = copy_request(REF, granted_frame, 8);

    permit(REF, MAPPER, false);
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_page);
    op.dest.u.gmfn = UINT64_MAX;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_page);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_copy_from_an_unknown_domain_is_bad_domain)
{
    struct gnttab_copy op = copy_request(REF, simulated_grants_give_frame(&world, MAPPER), 8);

    op.source.domid = 0;
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_domain);
}
END_TEST

START_TEST(test_copy_of_a_ref_beyond_the_table_is_bad_gntref)
{
    struct gnttab_copy op = copy_request(512, simulated_grants_give_frame(&world, MAPPER), 8);

    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_bad_gntref);
}
END_TEST

START_TEST(test_copy_of_a_grant_to_another_domain_is_general_error)
{
    struct gnttab_copy op = copy_request(REF, simulated_grants_give_frame(&world, STRANGER), 8);

    permit(REF, MAPPER, false);
    ck_assert_int_eq(copy_as(STRANGER, op), GNTST_general_error);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_a_domain_copies_its_own_grant_through_domid_self)
{
    uint64_t own_frame = simulated_grants_give_frame(&world, GRANTER);
    uint64_t destination = simulated_grants_give_frame(&world, GRANTER);
    struct gnttab_copy op = copy_request(REF, destination, 4);

    simulated_grants_permit(&world, GRANTER, REF, GRANTER, own_frame, true);
    op.source.domid = DOMID_SELF;
    ck_assert_int_eq(copy_as(GRANTER, op), GNTST_okay);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_readonly);
}
END_TEST

START_TEST(test_copy_beside_a_mapping_leaves_the_mapping_s_flags)
{
    uint64_t destination = simulated_grants_give_frame(&world, MAPPER);

    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map | GNTMAP_readonly);
    ck_assert_int_eq(copy_as(MAPPER, copy_request(REF, destination, 8)), GNTST_okay);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading);
    ck_assert_uint_eq(pin(REF), GRANT_PIN_DEVICE_READ);
}
END_TEST

/* XSA-230: a copy's release must not clear GTF_writing while a writable
 * device mapping holds it. */
START_TEST(test_a_copy_release_keeps_writing_for_a_writable_device_mapping)
{
    uint64_t source = simulated_grants_give_frame(&world, MAPPER);
    struct gnttab_copy op = {
        .source = { .u.gmfn = source, .domid = DOMID_SELF },
        .dest = { .u.ref = REF, .domid = GRANTER },
        .len = 8,
        .flags = GNTCOPY_dest_gref,
    };

    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map);
    ck_assert_int_eq(copy_as(MAPPER, op), GNTST_okay);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
}
END_TEST

/* ---- teardown ---- */

START_TEST(test_the_mapper_s_teardown_releases_every_mapping)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map);
    map_ok(GNTMAP_device_map | GNTMAP_readonly);
    simulated_grants_tear_down(&world, MAPPER);
    expect_entry_untouched(REF, GTF_permit_access);
}
END_TEST

START_TEST(test_the_mapper_s_teardown_leaves_host_references_to_its_page_tables)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_host_map);
    simulated_grants_tear_down(&world, MAPPER);
    ck_assert_uint_eq(pin(REF), 0);
    ck_assert_uint_eq(entry(REF)->flags, GTF_permit_access);
    expect_frame(ALLOCATION + 1, PAGE_TYPE_WRITABLE, 1);
    ck_assert_int_eq(page_unpin(memory, mapper_l1, MAPPER), 0);
    expect_frame(ALLOCATION, PAGE_TYPE_NONE, 0);
}
END_TEST

START_TEST(test_a_destroyed_granter_leaves_its_frame_to_the_mapper_until_unmapped)
{
    struct gnttab_map_grant_ref device;
    struct gnttab_map_grant_ref host;

    permit(REF, MAPPER, false);
    device = map_ok(GNTMAP_device_map);
    host = map_ok(GNTMAP_host_map);
    simulated_grants_tear_down(&world, GRANTER);
    ck_assert_int_eq(page_give_back(memory, granted_frame, GRANTER), 0);
    simulated_grants_destroy_domain(&world, GRANTER);
    ck_assert(grant_table_mapping(table_of(MAPPER), device.handle)->flags & GRANT_MAPPING_ORPHANED);
    ck_assert_uint_eq(world.machine.release_counts[granted_frame], 0);
    ck_assert_int_eq(unmap(device.handle, 0, device.dev_bus_addr), GNTST_okay);
    ck_assert_int_eq(unmap(host.handle, HOST_ADDRESS, 0), GNTST_okay);
    ck_assert_uint_eq(world.machine.release_counts[granted_frame], 1);
}
END_TEST

START_TEST(test_destroy_frees_every_hypervisor_page)
{
    permit(REF, MAPPER, false);
    map_ok(GNTMAP_device_map);
    ck_assert_int_eq(grant_table_grow(environment, table_of(GRANTER), 3), GNTST_okay);
    simulated_grants_tear_down(&world, MAPPER);
    for (uint16_t domain = GRANTER; domain <= STRANGER; domain++)
        simulated_grants_destroy_domain(&world, domain);
    ck_assert_uint_eq(world.private_pages, 0);
}
END_TEST

static void add_test_case(Suite *suite, const TTest *test)
{
    TCase *test_case = tcase_create(test->name);

    tcase_add_checked_fixture(test_case, create_world, destroy_world);
    tcase_add_test(test_case, test);
    suite_add_tcase(suite, test_case);
}

static Suite *grant_table_suite(void)
{
    Suite *suite = suite_create("grant_table");

    add_test_case(suite, test_a_new_table_has_one_hypervisor_frame_the_domain_owns);
    add_test_case(suite, test_grow_adds_frames_up_to_64_and_keeps_the_first);
    add_test_case(suite, test_grow_beyond_64_frames_is_general_error_and_adds_nothing);
    add_test_case(suite, test_grow_out_of_memory_is_general_error);
    add_test_case(suite, test_set_version_1_is_accepted_2_is_enosys_others_einval);
    add_test_case(suite, test_map_without_host_or_device_flag_is_bad_gntref);
    add_test_case(suite, test_map_from_an_unknown_domain_or_domid_self_is_bad_domain);
    add_test_case(suite, test_map_from_a_torn_down_granter_is_bad_domain);
    add_test_case(suite, test_map_of_a_ref_beyond_the_table_is_bad_gntref);
    add_test_case(suite, test_map_of_an_entry_without_permit_access_is_general_error);
    add_test_case(suite, test_map_of_a_grant_to_another_domain_is_general_error);
    add_test_case(suite, test_writable_map_of_a_readonly_grant_is_general_error);
    add_test_case(suite, test_map_of_a_sub_page_grant_is_general_error);
    add_test_case(suite, test_map_of_a_frame_the_granter_does_not_hold_is_bad_page_and_clears_the_claim);
    add_test_case(suite, test_map_pinned_for_another_domain_is_general_error);
    add_test_case(suite, test_a_pin_counter_never_overflows);
    add_test_case(suite, test_map_with_every_maptrack_handle_used_is_no_space);
    add_test_case(suite, test_writable_host_map_without_an_l1_is_general_error_and_unpins);
    add_test_case(suite, test_contains_pte_map_at_a_misaligned_entry_is_general_error);
    add_test_case(suite, test_contains_pte_map_in_a_frame_that_is_not_the_mapper_s_l1_is_general_error);
    add_test_case(suite, test_readonly_device_map_pins_sets_reading_and_references_the_frame);
    add_test_case(suite, test_writable_device_map_sets_writing_and_takes_a_writable_type);
    add_test_case(suite, test_device_unmap_releases_pin_flags_and_references);
    add_test_case(suite, test_unmap_twice_is_bad_handle);
    add_test_case(suite, test_unmap_of_a_forged_handle_is_bad_handle);
    add_test_case(suite, test_unmap_of_another_domain_s_handle_is_bad_handle);
    add_test_case(suite, test_unmap_with_another_bus_address_is_bad_dev_addr_and_keeps_the_mapping);
    add_test_case(suite, test_unmap_with_bus_address_0_leaves_the_device_mapping);
    add_test_case(suite, test_host_map_writes_a_grant_entry_that_holds_the_references);
    add_test_case(suite, test_readonly_host_map_writes_a_readonly_entry_without_a_type);
    add_test_case(suite, test_host_unmap_leaves_a_non_present_entry_and_releases_everything);
    add_test_case(suite, test_host_unmap_at_an_address_not_mapping_the_frame_is_general_error);
    add_test_case(suite, test_readonly_unmap_at_a_writable_grant_entry_is_general_error);
    add_test_case(suite, test_host_and_device_writable_map_unmapped_in_two_steps_keeps_counts_exact);
    add_test_case(suite, test_a_readonly_map_beside_a_writable_one_keeps_writing_until_the_writer_goes);
    add_test_case(suite, test_contains_pte_host_map_and_unmap_use_the_named_entry);
    add_test_case(suite, test_a_guest_update_may_not_overwrite_or_clear_a_grant_entry);
    add_test_case(suite, test_the_granter_cannot_make_a_writably_mapped_frame_a_page_table);
    add_test_case(suite, test_a_frame_given_back_while_mapped_lives_until_unmapped);
    add_test_case(suite, test_the_granter_sees_reading_while_mapped_so_its_revoke_fails);
    add_test_case(suite, test_a_claim_retries_when_the_guest_changes_an_unrelated_bit);
    add_test_case(suite, test_a_claim_gives_up_after_5_tries_against_an_unstable_entry);
    add_test_case(suite, test_a_revoke_that_wins_the_race_refuses_the_map);
    add_test_case(suite, test_a_readonly_flag_set_during_the_claim_refuses_a_writable_map);
    add_test_case(suite, test_a_domid_changed_during_the_claim_refuses_the_map);
    add_test_case(suite, test_the_frame_is_read_only_after_the_claim);
    add_test_case(suite, test_copy_from_a_grant_into_the_caller_s_frame_and_release);
    add_test_case(suite, test_copy_into_a_writable_grant);
    add_test_case(suite, test_copy_into_a_readonly_grant_is_general_error);
    add_test_case(suite, test_copy_crossing_a_page_is_bad_copy_arg_and_releases);
    add_test_case(suite, test_copy_of_length_0_does_nothing_and_succeeds);
    add_test_case(suite, test_copy_naming_a_frame_of_another_domain_is_permission_denied);
    add_test_case(suite, test_copy_into_a_frame_the_caller_does_not_hold_is_bad_page);
    add_test_case(suite, test_copy_from_an_unknown_domain_is_bad_domain);
    add_test_case(suite, test_copy_of_a_ref_beyond_the_table_is_bad_gntref);
    add_test_case(suite, test_copy_of_a_grant_to_another_domain_is_general_error);
    add_test_case(suite, test_a_domain_copies_its_own_grant_through_domid_self);
    add_test_case(suite, test_copy_beside_a_mapping_leaves_the_mapping_s_flags);
    add_test_case(suite, test_a_copy_release_keeps_writing_for_a_writable_device_mapping);
    add_test_case(suite, test_the_mapper_s_teardown_releases_every_mapping);
    add_test_case(suite, test_the_mapper_s_teardown_leaves_host_references_to_its_page_tables);
    add_test_case(suite, test_a_destroyed_granter_leaves_its_frame_to_the_mapper_until_unmapped);
    add_test_case(suite, test_destroy_frees_every_hypervisor_page);
    return suite;
}

REGISTER_SUITE(grant_table_suite)
