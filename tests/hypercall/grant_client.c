/*
 * The grant table client our frontends use (frontend/grant_table.c and
 * grant_refs.c), as a domU sees it against pvmon's grant tables: the
 * table set up and mapped, a page granted to the domain itself and read
 * through GNTTABOP_copy (Xen allows a domain to use its own grants, which
 * makes both ends of the protocol observable from one guest), and ending
 * access refused with -EBUSY exactly while a mapping of the grant holds
 * GTF_reading/GTF_writing (Xen public grant_table.h, "Invalidating an
 * in-use GTF_permit_access entry").
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/string.h>
#include <guest/grant_table.h>
#include <frontend/grant_table.h>
#include <frontend/xenbus.h>
#include "check.h"

const char test_family[] = "grant_client";

#define PAGE_SIZE 4096
#define PAGE_SHIFT 12
#define COPY_LENGTH 64

static uint8_t granted_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t copy_target[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t map_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static domid_t own_id;

static int16_t copy_from_grant(grant_ref_t ref)
{
    struct gnttab_copy copy = {
        .source = { .u.ref = ref, .domid = own_id, .offset = 0 },
        .dest = { .u.gmfn = runtime_machine_address(copy_target) >> PAGE_SHIFT, .domid = DOMID_SELF, .offset = 0 },
        .len = COPY_LENGTH, .flags = GNTCOPY_source_gref };
    long result = grant_copy(&copy, 1);

    return result == 0 ? copy.status : (int16_t)result;
}

static bool find_own_id(void)
{
    uint64_t domid = 0;

    expect_result("xenstore_ring_found", xenbus_init(), 0);
    expect_result("own_domid_read", xenbus_read_unsigned(XENBUS_NO_TRANSACTION, "domid", &domid), 0);
    own_id = (domid_t)domid;
    return domid != 0 && domid < DOMID_FIRST_RESERVED;
}

static void check_copy_through_a_grant(void)
{
    grant_ref_t ref = 0;
    unsigned int free_before = grant_table_free_count();

    for (unsigned int index = 0; index < COPY_LENGTH; index++)
        granted_page[index] = (uint8_t)(index * 7 + 1);
    expect_result("page_granted_to_itself", grant_table_grant_page(own_id, granted_page, true, &ref), 0);
    expect_true("reference_is_not_reserved", ref >= GNTTAB_NR_RESERVED_ENTRIES, ref, ">= 8");
    expect_result("copy_through_the_grant_is_okay", copy_from_grant(ref), GNTST_okay);
    expect_true("copy_brings_the_granted_bytes", memcmp(copy_target, granted_page, COPY_LENGTH) == 0, 0,
                "the granted page's bytes");
    expect_result("access_ends_after_the_copy", grant_table_end_access(ref), 0);
    expect_result("copy_through_an_ended_grant_fails", copy_from_grant(ref), GNTST_general_error);
    expect_result("ended_reference_is_free_again", grant_table_free_count(), free_before);
    expect_result("ending_twice_is_einval", grant_table_end_access(ref), -XEN_EINVAL);
}

static void check_end_while_mapped(void)
{
    struct gnttab_map_grant_ref map = { .host_addr = (uint64_t)map_window, .flags = GNTMAP_host_map, .dom = own_id };
    struct gnttab_unmap_grant_ref unmap = { .host_addr = (uint64_t)map_window };
    grant_ref_t ref = 0;

    expect_result("writable_grant_to_itself", grant_table_grant_page(own_id, granted_page, false, &ref), 0);
    map.ref = ref;
    expect_result("map_grant_ref_call", grant_map(&map, 1), 0);
    expect_result("own_grant_mapped", map.status, GNTST_okay);
    if (map.status != GNTST_okay)
        return;
    /* Volatile: the compiler must not assume two different arrays never alias. */
    *(volatile uint8_t *)&map_window[0] = 0x5a;
    expect_result("write_through_the_mapping_reaches_the_page", *(volatile uint8_t *)&granted_page[0], 0x5a);
    expect_result("ending_a_mapped_grant_is_ebusy", grant_table_end_access(ref), -XEN_EBUSY);
    unmap.handle = map.handle;
    expect_result("unmap_grant_ref_call", grant_unmap(&unmap, 1), 0);
    expect_result("own_grant_unmapped", unmap.status, GNTST_okay);
    expect_result("ending_after_the_unmap_succeeds", grant_table_end_access(ref), 0);
}

void run_tests(void)
{
    int result = grant_table_init();

    expect_result("grant_table_set_up", result, 0);
    expect_true("table_has_entries_beyond_the_reserved", grant_table_entry_count() > GNTTAB_NR_RESERVED_ENTRIES,
                grant_table_entry_count(), "> 8");
    expect_result("second_init_is_harmless", grant_table_init(), 0);
    if (result != 0 || !find_own_id())
        return;
    check_copy_through_a_grant();
    check_end_while_mapped();
}
