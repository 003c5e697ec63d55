/*
 * grant_table_op (hypercall 20) from a domU, with self-grants: the domain
 * grants its own frames to its own id, which Xen allows (map_grant_ref
 * looks op->dom up by id and only requires the entry's domid to be the
 * caller; copy takes DOMID_SELF or the id).  Security anchors 27-31 and
 * the grant XSAs (224, 227, 230, 234; 218 through the flags a granter
 * sees), each refusal expecting Xen 4.17's status and no change of state
 * (the entry's flags, the PTE, the data).
 *
 * Rules, by group (Xen 4.17 xen/common/grant_table.c and
 * xen/arch/x86/pv/grant_table.c):
 *   - The call: a count negative as an int is -XEN_EINVAL, a list outside
 *     guest space or unreadable -XEN_EFAULT whatever its length;
 *     setup_table/query_size take one request (-XEN_EINVAL); per-request
 *     errors are in status and the call returns 0.
 *   - setup_table: up to 64 frames (65: GNTST_general_error), an unknown
 *     domain GNTST_bad_domain, another domain GNTST_permission_denied for
 *     a domU; the frames come back as machine frames the domain may map
 *     writable.  set_version 2 is -XEN_ENOSYS (max_version 1) and leaves
 *     version 1.
 *   - map: no host or device flag or a ref beyond the table is
 *     GNTST_bad_gntref, an unknown domain or DOMID_SELF GNTST_bad_domain,
 *     a grant to another domain or a writable map of a read-only grant
 *     GNTST_general_error; a map sets GTF_reading (and GTF_writing), so
 *     the granter's revoke fails until the unmap, which clears them.
 *   - host map: the L1 entry at host_addr maps the frame with bit 62
 *     (_PAGE_GNTTAB); a guest update of that entry is refused; unmap with
 *     host_addr leaves it not present; an unmap at an address whose entry
 *     does not map the frame with the mapping's RW bit is
 *     GNTST_general_error (XSA-234); a second unmap or a forged handle
 *     GNTST_bad_handle; a device unmap with another bus address
 *     GNTST_bad_dev_addr, with 0 leaves the device mapping (XSA-224).
 *   - A frame mapped writable through a grant cannot become a page table,
 *     and one given back while mapped lives (and counts) until unmapped.
 *   - copy: crossing a page (or len 0xffff) is GNTST_bad_copy_arg, a frame
 *     the caller does not hold GNTST_bad_page, a frame side naming another
 *     domain GNTST_permission_denied; the flags are clear after a copy.
 *   - Mappings left when the domain powers off are released by its
 *     teardown (the system test checks the hypervisor carries on).
 */
#include "pv_memory.h"
#include <guest/grant_table.h>

const char test_family[] = "grant_table";

#define REF 10
#define SECOND_REF 11
#define DATA_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED | PTE_DIRTY)
#define GRANT_PTE_BIT PTE_BIT(62)
#define PATTERN UINT64_C(0x6772616e74730001)
#define MAXIMUM_FRAMES 64

static struct guest_memory memory;
static domid_t own_id;
static grant_entry_v1_t *entries;   /* the table's first frame, mapped writable */
static uint64_t data_frame;          /* a slack page granted in the cases */
static volatile uint64_t *data;      /* its own mapping */
static uint64_t host_address, other_host_address;
static uint64_t copy_frame;
static volatile uint64_t *copy_page;

static void permit(grant_ref_t ref, domid_t domain, uint64_t frame, bool readonly)
{
    grant_entry_permit(&entries[ref], domain, (uint32_t)frame, readonly);
}

static struct gnttab_map_grant_ref map_request(uint32_t flags, grant_ref_t ref, uint64_t address)
{
    return (struct gnttab_map_grant_ref){ .host_addr = address, .flags = flags, .ref = ref, .dom = own_id };
}

static int16_t map_one(struct gnttab_map_grant_ref *op)
{
    long result = grant_map(op, 1);

    return result != 0 ? (int16_t)-1000 : op->status;
}

static int16_t unmap_one(uint64_t address, uint64_t bus_address, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = address, .dev_bus_addr = bus_address, .handle = handle };
    long result = grant_unmap(&op, 1);

    return result != 0 ? (int16_t)-1000 : op.status;
}

static int16_t copy_one(struct gnttab_copy *op)
{
    long result = grant_copy(op, 1);

    return result != 0 ? (int16_t)-1000 : op->status;
}

static uint64_t pte_of(uint64_t address)
{
    return *bootstrap_l1_entry(&memory, address);
}

static void expect_flags(const char *name, grant_ref_t ref, uint16_t flags)
{
    expect_result(name, entries[ref].flags, flags);
}

/* ---- setup ---- */

static bool set_up_table(void)
{
    xen_pfn_t frames[1] = { 0 };
    int16_t status = 99;
    uint64_t table_address, unused_frame;
    long result = grant_setup_table(1, frames, &status);

    expect_result("setup_table_of_one_frame_returns_0", result, 0);
    expect_result("setup_table_of_one_frame_is_okay", status, GNTST_okay);
    table_address = take_slack_page(&memory, &unused_frame);
    if (result != 0 || status != GNTST_okay || table_address == 0)
        return false;
    result = hypercall_update_va_mapping(table_address, (frames[0] << PAGE_SHIFT) | DATA_PTE, UVMF_INVLPG);
    expect_result("the_table_frame_maps_writable", result, 0);
    entries = (grant_entry_v1_t *)table_address;
    return result == 0;
}

static bool set_up_pages(void)
{
    uint64_t frame;

    data = (volatile uint64_t *)take_slack_page(&memory, &data_frame);
    host_address = take_slack_page(&memory, &frame);
    other_host_address = take_slack_page(&memory, &frame);
    copy_page = (volatile uint64_t *)take_slack_page(&memory, &copy_frame);
    return data != NULL && host_address != 0 && other_host_address != 0 && copy_page != NULL;
}

/* ---- the call ---- */

static void check_call_arguments(void)
{
    struct gnttab_copy copy = { 0 };
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1 };
    struct gnttab_query_size query = { .dom = DOMID_SELF };

    expect_result("a_negative_count_is_einval", hypercall_grant_table_op(GNTTABOP_copy, &copy, 0x80000000u),
                  -XEN_EINVAL);
    expect_result("continuation_bits_in_the_command_are_einval",
                  hypercall_grant_table_op(GNTTABOP_copy | 0x1000, &copy, 1), -XEN_EINVAL);
    expect_result("a_list_in_the_hypervisor_is_efault",
                  grant_copy((struct gnttab_copy *)HYPERVISOR_IMAGE_ADDRESS, 1), -XEN_EFAULT);
    expect_result("an_unmapped_list_is_efault", grant_copy((struct gnttab_copy *)UNMAPPED_ADDRESS, 1), -XEN_EFAULT);
    expect_result("a_huge_count_beyond_guest_space_is_efault_at_once", grant_copy(&copy, 0x7fffffff), -XEN_EFAULT);
    expect_result("a_non_canonical_map_list_is_efault",
                  grant_map((struct gnttab_map_grant_ref *)NON_CANONICAL_ADDRESS, 1), -XEN_EFAULT);
    expect_result("setup_table_of_two_requests_is_einval",
                  hypercall_grant_table_op(GNTTABOP_setup_table, &setup, 2), -XEN_EINVAL);
    expect_result("query_size_of_zero_requests_is_einval",
                  hypercall_grant_table_op(GNTTABOP_query_size, &query, 0), -XEN_EINVAL);
    expect_result("transfer_is_enosys", hypercall_grant_table_op(GNTTABOP_transfer, &copy, 0), -XEN_ENOSYS);
    expect_result("an_unknown_command_is_enosys", hypercall_grant_table_op(99, &copy, 0), -XEN_ENOSYS);
}

static void check_setup_and_version(void)
{
    xen_pfn_t frames[MAXIMUM_FRAMES];
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 65 };
    struct gnttab_query_size query = { .dom = DOMID_SELF };
    uint32_t version = 2;
    int16_t status = 0;

    set_xen_guest_handle(setup.frame_list, frames);
    expect_result("setup_table_beyond_64_frames_returns_0", hypercall_grant_table_op(GNTTABOP_setup_table, &setup, 1),
                  0);
    expect_result("setup_table_beyond_64_frames_is_general_error", setup.status, GNTST_general_error);
    setup.nr_frames = 1;
    setup.dom = MISSING_DOMAIN;
    hypercall_grant_table_op(GNTTABOP_setup_table, &setup, 1);
    expect_result("setup_table_of_an_unknown_domain_is_bad_domain", setup.status, GNTST_bad_domain);
    setup.dom = 0;
    hypercall_grant_table_op(GNTTABOP_setup_table, &setup, 1);
    expect_result("setup_table_of_dom0_by_a_domu_is_permission_denied", setup.status, GNTST_permission_denied);
    setup.dom = DOMID_SELF;
    set_xen_guest_handle(setup.frame_list, (xen_pfn_t *)HYPERVISOR_IMAGE_ADDRESS);
    expect_result("setup_table_with_a_frame_list_in_the_hypervisor_is_efault",
                  hypercall_grant_table_op(GNTTABOP_setup_table, &setup, 1), -XEN_EFAULT);
    expect_result("query_size_returns_0", grant_query_size(&query), 0);
    expect_true("query_size_reports_one_of_64_frames",
                query.status == GNTST_okay && query.nr_frames == 1 && query.max_nr_frames == 64, query.nr_frames,
                "okay, 1 of 64");
    expect_result("set_version_2_is_enosys", grant_set_version(&version), -XEN_ENOSYS);
    expect_result("set_version_2_leaves_version_1", version, 1);
    version = 1;
    expect_result("set_version_1_is_accepted", grant_set_version(&version), 0);
    version = 0;
    expect_result("get_version_reports_1", grant_get_version(DOMID_SELF, &version), 0);
    expect_result("get_version_is_1", version, 1);
    expect_result("get_version_of_an_unknown_domain_is_esrch", grant_get_version(MISSING_DOMAIN, &version), -XEN_ESRCH);
    expect_result("setup_table_to_64_frames_returns_0", grant_setup_table(64, frames, &status), 0);
    expect_result("setup_table_to_64_frames_is_okay", status, GNTST_okay);
    grant_query_size(&query);
    expect_result("query_size_then_reports_64_frames", query.nr_frames, 64);
}

/* ---- map refusals ---- */

static void check_map_refusals(void)
{
    struct gnttab_map_grant_ref op;
    uint64_t pte_before = pte_of(host_address);

    permit(REF, own_id, data_frame, true);
    op = map_request(GNTMAP_device_map, 512 * 64, 0);
    expect_result("map_of_a_ref_beyond_the_table_is_bad_gntref", map_one(&op), GNTST_bad_gntref);
    op = map_request(GNTMAP_readonly, REF, 0);
    expect_result("map_without_host_or_device_flag_is_bad_gntref", map_one(&op), GNTST_bad_gntref);
    op = map_request(GNTMAP_device_map | GNTMAP_readonly, REF, 0);
    op.dom = MISSING_DOMAIN;
    expect_result("map_from_an_unknown_domain_is_bad_domain", map_one(&op), GNTST_bad_domain);
    op.dom = DOMID_SELF;
    expect_result("map_naming_domid_self_is_bad_domain", map_one(&op), GNTST_bad_domain);
    op = map_request(GNTMAP_host_map, REF, host_address);
    expect_result("writable_map_of_a_readonly_grant_is_general_error", map_one(&op), GNTST_general_error);
    expect_result("a_refused_map_leaves_the_pte", pte_of(host_address), pte_before);
    op = map_request(GNTMAP_device_map, REF, 0);
    expect_result("writable_device_map_of_a_readonly_grant_is_general_error", map_one(&op), GNTST_general_error);
    expect_flags("a_refused_map_leaves_the_flags", REF, GTF_permit_access | GTF_readonly);
    permit(REF, 0, data_frame, false);
    op = map_request(GNTMAP_device_map, REF, 0);
    expect_result("map_of_a_grant_to_another_domain_is_general_error", map_one(&op), GNTST_general_error);
    expect_flags("a_refused_map_of_another_s_grant_leaves_the_flags", REF, GTF_permit_access);
    entries[REF].flags = 0;
    permit(REF, own_id, 0xfffffff, false);
    op = map_request(GNTMAP_device_map, REF, 0);
    expect_result("map_of_a_frame_the_granter_does_not_hold_is_bad_page", map_one(&op), GNTST_bad_page);
    expect_flags("a_bad_page_map_clears_its_claim", REF, GTF_permit_access);
    permit(REF, own_id, data_frame, false);
    op = map_request(GNTMAP_host_map, REF, NON_CANONICAL_ADDRESS);
    expect_result("host_map_at_an_unmapped_address_is_general_error", map_one(&op), GNTST_general_error);
    op = map_request(GNTMAP_host_map | GNTMAP_contains_pte, REF,
                     bootstrap_l1_entry_machine_address(&memory, host_address) + 4);
    expect_result("host_map_at_a_misaligned_pte_is_general_error", map_one(&op), GNTST_general_error);
    expect_result("a_misaligned_pte_map_leaves_the_pte", pte_of(host_address), pte_before);
    expect_flags("refused_host_maps_leave_the_flags", REF, GTF_permit_access);
}

/* ---- device mappings ---- */

static void check_device_map(void)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_device_map | GNTMAP_readonly, REF, 0);

    permit(REF, own_id, data_frame, false);
    expect_result("readonly_device_map_is_okay", map_one(&op), GNTST_okay);
    expect_result("device_map_returns_the_machine_address", op.dev_bus_addr, data_frame << PAGE_SHIFT);
    expect_flags("a_readonly_map_sets_reading", REF, GTF_permit_access | GTF_reading);
    expect_true("the_granter_cannot_revoke_a_mapped_grant", !grant_entry_revoke(&entries[REF]), entries[REF].flags,
                "revoke refused");
    expect_result("unmap_with_another_bus_address_is_bad_dev_addr",
                  unmap_one(0, op.dev_bus_addr + PAGE_SIZE, op.handle), GNTST_bad_dev_addr);
    expect_result("unmap_with_bus_address_0_is_okay", unmap_one(0, 0, op.handle), GNTST_okay);
    expect_flags("unmap_with_bus_address_0_leaves_the_device_mapping", REF, GTF_permit_access | GTF_reading);
    expect_result("unmap_of_a_forged_handle_is_bad_handle", unmap_one(0, op.dev_bus_addr, op.handle + 1),
                  GNTST_bad_handle);
    expect_result("unmap_of_a_huge_handle_is_bad_handle", unmap_one(0, op.dev_bus_addr, 0xffffffffu),
                  GNTST_bad_handle);
    expect_result("device_unmap_is_okay", unmap_one(0, op.dev_bus_addr, op.handle), GNTST_okay);
    expect_flags("device_unmap_clears_reading", REF, GTF_permit_access);
    expect_result("a_second_unmap_is_bad_handle", unmap_one(0, op.dev_bus_addr, op.handle), GNTST_bad_handle);
    expect_true("the_granter_revokes_once_unmapped", grant_entry_revoke(&entries[REF]), entries[REF].flags,
                "revoked");
}

static void check_mapped_frame_cannot_become_a_page_table(void)
{
    uint64_t frame = take_unmapped_frame(&memory);
    struct gnttab_map_grant_ref op = map_request(GNTMAP_device_map, SECOND_REF, 0);

    permit(SECOND_REF, own_id, frame, false);
    expect_result("writable_device_map_of_an_unmapped_frame_is_okay", map_one(&op), GNTST_okay);
    expect_flags("a_writable_map_sets_reading_and_writing", SECOND_REF,
                 GTF_permit_access | GTF_reading | GTF_writing);
    expect_result("a_frame_mapped_writable_by_grant_cannot_be_pinned_as_l1", mmuext_one(MMUEXT_PIN_L1_TABLE, frame),
                  -XEN_EINVAL);
    expect_result("its_device_unmap_is_okay", unmap_one(0, op.dev_bus_addr, op.handle), GNTST_okay);
    expect_result("once_unmapped_it_may_become_an_l1", mmuext_one(MMUEXT_PIN_L1_TABLE, frame), 0);
    mmuext_one(MMUEXT_UNPIN_TABLE, frame);
    expect_flags("a_writable_unmap_clears_both_flags", SECOND_REF, GTF_permit_access);
}

/* ---- host mappings ---- */

static void check_host_map(void)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map, REF, host_address);
    uint64_t pte;

    permit(REF, own_id, data_frame, false);
    data[0] = 0;
    expect_result("writable_host_map_is_okay", map_one(&op), GNTST_okay);
    pte = pte_of(host_address);
    expect_true("the_host_pte_maps_the_frame_with_bit_62",
                entry_frame(pte) == data_frame && (pte & GRANT_PTE_BIT) && (pte & PTE_WRITABLE), (long)pte,
                "the granted frame, RW, bit 62");
    *(volatile uint64_t *)host_address = PATTERN;
    expect_result("a_write_through_the_host_map_reaches_the_granted_page", data[0], PATTERN);
    expect_result("update_va_mapping_over_a_grant_pte_is_refused",
                  hypercall_update_va_mapping(host_address, (data_frame << PAGE_SHIFT) | DATA_PTE, UVMF_INVLPG),
                  -XEN_EINVAL);
    expect_result("mmu_update_clearing_a_grant_pte_is_refused",
                  mmu_update_one(bootstrap_l1_entry_machine_address(&memory, host_address), 0), -XEN_EINVAL);
    expect_result("a_refused_update_leaves_the_grant_pte", pte_of(host_address), pte);
    expect_result("host_unmap_at_another_address_is_general_error", unmap_one(other_host_address, 0, op.handle),
                  GNTST_general_error);
    expect_result("host_unmap_is_okay", unmap_one(host_address, 0, op.handle), GNTST_okay);
    expect_result("host_unmap_leaves_a_non_present_pte", pte_of(host_address), 0);
    expect_flags("host_unmap_clears_the_flags", REF, GTF_permit_access);
    expect_result("a_second_host_unmap_is_bad_handle", unmap_one(host_address, 0, op.handle), GNTST_bad_handle);
}

/* XSA-234: a read-only mapping's unmap cannot remove the writable PTE of
 * another mapping of the same frame. */
static void check_readonly_unmap_of_a_writable_pte(void)
{
    struct gnttab_map_grant_ref readonly = map_request(GNTMAP_host_map | GNTMAP_readonly, REF, host_address);
    struct gnttab_map_grant_ref writable = map_request(GNTMAP_host_map, REF, other_host_address);
    uint64_t writable_pte;

    permit(REF, own_id, data_frame, false);
    expect_result("readonly_host_map_is_okay", map_one(&readonly), GNTST_okay);
    expect_true("a_readonly_host_map_has_no_rw_bit", !(pte_of(host_address) & PTE_WRITABLE), (long)pte_of(host_address),
                "no RW");
    expect_result("a_second_writable_host_map_is_okay", map_one(&writable), GNTST_okay);
    writable_pte = pte_of(other_host_address);
    expect_result("a_readonly_unmap_at_the_writable_pte_is_general_error",
                  unmap_one(other_host_address, 0, readonly.handle), GNTST_general_error);
    expect_result("the_writable_pte_stays", pte_of(other_host_address), writable_pte);
    expect_result("the_readonly_unmap_at_its_own_pte_is_okay", unmap_one(host_address, 0, readonly.handle),
                  GNTST_okay);
    expect_flags("writing_stays_while_the_writable_map_does", REF, GTF_permit_access | GTF_reading | GTF_writing);
    expect_result("the_writable_unmap_is_okay", unmap_one(other_host_address, 0, writable.handle), GNTST_okay);
    expect_flags("both_unmapped_the_flags_are_clear", REF, GTF_permit_access);
}

/* XSA-224: host and device writable in one mapping, unmapped in two calls. */
static void check_host_and_device_unmapped_in_two_steps(void)
{
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map | GNTMAP_device_map, REF, host_address);

    permit(REF, own_id, data_frame, false);
    expect_result("host_and_device_map_is_okay", map_one(&op), GNTST_okay);
    expect_result("its_host_unmap_is_okay", unmap_one(host_address, 0, op.handle), GNTST_okay);
    expect_flags("the_device_part_keeps_writing", REF, GTF_permit_access | GTF_reading | GTF_writing);
    expect_result("its_device_unmap_is_okay", unmap_one(0, op.dev_bus_addr, op.handle), GNTST_okay);
    expect_flags("both_parts_unmapped_the_flags_are_clear", REF, GTF_permit_access);
    expect_result("the_handle_is_then_free", unmap_one(host_address, op.dev_bus_addr, op.handle), GNTST_bad_handle);
}

/* A granted frame given back while mapped lives until unmapped (anchor 31). */
static void check_frame_given_back_while_mapped(void)
{
    uint64_t frame = take_unmapped_frame(&memory);
    struct gnttab_map_grant_ref op = map_request(GNTMAP_host_map, SECOND_REF, other_host_address);
    long reservation;

    permit(SECOND_REF, own_id, frame, false);
    expect_result("host_map_of_a_frame_to_give_back_is_okay", map_one(&op), GNTST_okay);
    reservation = current_reservation();
    expect_result("giving_back_a_mapped_frame_is_done", give_back_frame(frame), 1);
    expect_result("a_given_back_frame_still_mapped_still_counts", current_reservation(), reservation);
    *(volatile uint64_t *)other_host_address = PATTERN;
    expect_result("its_mapping_still_reads_it", *(volatile uint64_t *)other_host_address, PATTERN);
    expect_result("its_unmap_is_okay", unmap_one(other_host_address, 0, op.handle), GNTST_okay);
    expect_result("once_unmapped_it_is_freed", current_reservation(), reservation - 1);
    op = map_request(GNTMAP_device_map, SECOND_REF, 0);
    expect_result("the_grant_of_a_freed_frame_is_bad_page", map_one(&op), GNTST_bad_page);
}

/* ---- copy ---- */

static struct gnttab_copy copy_from_grant(grant_ref_t ref, uint16_t source_offset, uint16_t dest_offset,
                                          uint16_t length)
{
    return (struct gnttab_copy){
        .source = { .u.ref = ref, .domid = DOMID_SELF, .offset = source_offset },
        .dest = { .u.gmfn = copy_frame, .domid = DOMID_SELF, .offset = dest_offset },
        .len = length,
        .flags = GNTCOPY_source_gref,
    };
}

static void check_copy(void)
{
    struct gnttab_copy op;
    struct gnttab_copy batch[64];

    permit(REF, own_id, data_frame, true);
    data[1] = PATTERN;
    copy_page[0] = 0;
    op = copy_from_grant(REF, 8, 0, 8);
    expect_result("copy_from_a_readonly_self_grant_is_okay", copy_one(&op), GNTST_okay);
    expect_result("copy_moves_the_bytes", copy_page[0], PATTERN);
    expect_flags("copy_leaves_the_flags_clear", REF, GTF_permit_access | GTF_readonly);
    op = copy_from_grant(REF, 4095, 0, 2);
    expect_result("copy_crossing_the_source_page_is_bad_copy_arg", copy_one(&op), GNTST_bad_copy_arg);
    op = copy_from_grant(REF, 0, 4090, 8);
    expect_result("copy_crossing_the_destination_page_is_bad_copy_arg", copy_one(&op), GNTST_bad_copy_arg);
    op = copy_from_grant(REF, 0, 0, 0xffff);
    expect_result("copy_of_0xffff_bytes_is_bad_copy_arg", copy_one(&op), GNTST_bad_copy_arg);
    expect_flags("a_refused_copy_leaves_the_flags_clear", REF, GTF_permit_access | GTF_readonly);
    op = copy_from_grant(REF, 0, 0, 8);
    op.dest.u.gmfn = HYPERVISOR_IMAGE_MACHINE_ADDRESS >> PAGE_SHIFT;
    expect_result("copy_into_a_frame_not_held_is_bad_page", copy_one(&op), GNTST_bad_page);
    op = copy_from_grant(REF, 0, 0, 8);
    op.dest.domid = 0;
    expect_result("copy_into_a_frame_of_another_domain_is_permission_denied", copy_one(&op),
                  GNTST_permission_denied);
    op = copy_from_grant(REF, 0, 0, 8);
    op.source.domid = MISSING_DOMAIN;
    expect_result("copy_from_an_unknown_domain_is_bad_domain", copy_one(&op), GNTST_bad_domain);
    op = copy_from_grant(512 * 64, 0, 0, 8);
    expect_result("copy_of_a_ref_beyond_the_table_is_bad_gntref", copy_one(&op), GNTST_bad_gntref);
    op = (struct gnttab_copy){
        .source = { .u.gmfn = copy_frame, .domid = DOMID_SELF },
        .dest = { .u.ref = REF, .domid = own_id },
        .len = 8,
        .flags = GNTCOPY_dest_gref,
    };
    expect_result("copy_into_a_readonly_grant_is_general_error", copy_one(&op), GNTST_general_error);
    expect_result("a_refused_copy_leaves_the_data", data[0], PATTERN);
    for (unsigned int index = 0; index < 64; index++)
        batch[index] = copy_from_grant(REF, 8, (uint16_t)(index * 8), 8);
    expect_result("a_batch_of_64_copies_returns_0", grant_copy(batch, 64), 0);
    expect_true("every_copy_of_the_batch_is_okay", batch[63].status == GNTST_okay && copy_page[63] == PATTERN,
                batch[63].status, "okay and copied");
}

/* A batch long enough to be preempted at a timer tick under TCG (1024
 * whole-page copies): every request must come out okay whether or not
 * the call went on as a continuation. */
static struct gnttab_copy long_batch[1024];

static void check_long_copy_batch(void)
{
    struct pvmon_domain_memory_statistics before = { 0 }, after = { 0 };
    unsigned int okay = 0;
    long result;

    permit(REF, own_id, data_frame, true);
    data[511] = PATTERN + 1;
    copy_page[511] = 0;
    for (unsigned int index = 0; index < 1024; index++)
        long_batch[index] = copy_from_grant(REF, 0, 0, 4096);
    own_statistics(&before);
    result = grant_copy(long_batch, 1024);
    own_statistics(&after);
    console_printf("grant_table: the long batch took %lu hypercalls (1 is the statistics call; more than 2: continued)\n",
                   (unsigned long)(after.hypercalls - before.hypercalls));
    expect_result("a_batch_of_1024_page_copies_returns_0", result, 0);
    for (unsigned int index = 0; index < 1024; index++)
        okay += long_batch[index].status == GNTST_okay;
    expect_result("every_page_copy_of_the_long_batch_is_okay", okay, 1024);
    expect_result("the_long_batch_copied_whole_pages", copy_page[511], PATTERN + 1);
    expect_flags("the_long_batch_leaves_the_flags_clear", REF, GTF_permit_access | GTF_readonly);
}

/* grant_table_op inside a multicall: each entry's result is the call's. */
static void check_in_a_multicall(void)
{
    struct gnttab_map_grant_ref map = map_request(GNTMAP_device_map, REF, 0);
    struct gnttab_unmap_grant_ref unmap = { 0 };
    struct multicall_entry calls[2] = {
        { .op = __HYPERVISOR_grant_table_op, .args = { GNTTABOP_map_grant_ref, (unsigned long)&map, 1 } },
        { .op = __HYPERVISOR_grant_table_op, .args = { GNTTABOP_copy, HYPERVISOR_IMAGE_ADDRESS, 1 } },
    };

    permit(REF, own_id, data_frame, false);
    expect_result("a_multicall_of_grant_ops_returns_0", hypercall_multicall(calls, 2), 0);
    expect_result("the_map_entry_returns_0", (long)calls[0].result, 0);
    expect_result("the_map_entry_maps", map.status, GNTST_okay);
    expect_result("the_bad_list_entry_is_efault", (long)calls[1].result, -XEN_EFAULT);
    unmap = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = map.dev_bus_addr, .handle = map.handle };
    expect_result("its_mapping_unmaps", grant_unmap(&unmap, 1) == 0 ? unmap.status : -1000, GNTST_okay);
    expect_flags("the_multicall_mapping_is_gone", REF, GTF_permit_access);
}

/* Left mapped at power-off: the teardown must release them. */
static void leave_mappings_for_the_teardown(void)
{
    struct gnttab_map_grant_ref host = map_request(GNTMAP_host_map, REF, host_address);
    struct gnttab_map_grant_ref device = map_request(GNTMAP_device_map, REF, 0);

    permit(REF, own_id, data_frame, false);
    expect_result("a_host_map_left_for_the_teardown_is_okay", map_one(&host), GNTST_okay);
    expect_result("a_device_map_left_for_the_teardown_is_okay", map_one(&device), GNTST_okay);
}

void run_tests(void)
{
    long id;
    bool ready = guest_memory_init(&memory);

    expect_true("setup_finds_the_bootstrap_layout", ready, (long)memory.bootstrap_end_pfn, "free frames");
    id = own_domain_id();
    expect_true("setup_learns_its_own_domain_id", id > 0, id, "a domU id");
    if (!ready || id <= 0)
        return;
    own_id = (domid_t)id;
    check_call_arguments();
    if (!set_up_table() || !set_up_pages())
        return;
    check_setup_and_version();
    check_map_refusals();
    check_device_map();
    check_mapped_frame_cannot_become_a_page_table();
    check_host_map();
    check_readonly_unmap_of_a_writable_pte();
    check_host_and_device_unmapped_in_two_steps();
    check_frame_given_back_while_mapped();
    check_copy();
    check_long_copy_batch();
    check_in_a_multicall();
    leave_mappings_for_the_teardown();
}
