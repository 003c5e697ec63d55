/*
 * A PV guest's page tables from a domU: mmu_update, mmuext_op (pinning,
 * base pointers, flushes, LDT, clearing and copying pages) and
 * update_va_mapping, with adversarial inputs (the research notes' security
 * anchors, cases 1-15 and 19).  Every refused request is checked twice: for
 * Xen's error code, and for no change of state (the entry read back
 * through the table's read-only mapping, the M2P entry, the pin, CR3, or
 * a write that must still fault).
 *
 * Rules, by group (Xen 4.14, xen/arch/x86/mm.c unless named; pvmon's
 * deviations are marked):
 *   - mmu_update arguments (do_mmu_update, get_pg_owner): foreign domain
 *     DOMID_SELF or the caller's own id; dom0 -EPERM, an unknown domain
 *     -ESRCH (and the same for update_va_mapping_otherdomain, which only
 *     a privileged domain may point at another domain's frames); a
 *     request list that is not a valid guest range -EFAULT before any
 *     work, and before the foreign domain is looked at (also one that
 *     crosses into non-canonical addresses); the count is 32 bits and
 *     any length below MMU_UPDATE_PREEMPTED runs (continuations,
 *     tests/hypercall/preemption.c); a count with only that bit set is a
 *     continuation with nothing left.
 *   - Requests (do_mmu_update's loop): the command is ptr & 7, unknown
 *     ones -ENOSYS; MMU_MACHPHYS_UPDATE of a frame the caller does not own
 *     -EINVAL; processing stops at the first failure and *pdone says how
 *     many were done; pdone may be NULL.  A frame that is no page table in
 *     use is written raw.
 *   - Cache attributes: PWT, PCD and PAT in an L1 entry, and PWT or PCD
 *     in an upper one, are -EINVAL (Xen 4.17's l1_disallow_mask for a PV
 *     domain without I/O access, base_disallow_mask): RAM is only ever
 *     mapped write-back, as in pvmon's direct map.
 *   - L1 entries (get_page_from_l1e, adjust_guest_l1e): the frame must be
 *     the caller's (not the hypervisor's, another domain's, or beyond
 *     RAM); a writable entry may not map a page table or descriptor page
 *     in use (pinned, CR3, or referenced), nor flip RW alone on a
 *     read-only mapping of one (XSA-182); software bits 52-61 kept (Linux
 *     6.6 and later keep a saved Dirty bit in 58), bit 62 (_PAGE_GNTTAB)
 *     -EINVAL (L1_DISALLOW_MASK; docs/page-table-entry-bits.md); U forced on;
 *     MMU_PT_UPDATE_PRESERVE_AD keeps A and D.
 *   - L2/L3/L4 entries (get_page_from_l2e..l4e): the target must validate
 *     as the next lower level, not mapped writable; PSE
 *     (XSA-148) and G -EINVAL; software bits 52-62 kept
 *     (base_disallow_mask); D is accepted, since
 *     Linux's _PAGE_TABLE sets it; L4
 *     slots 256-271 are the hypervisor's (-EINVAL), whatever a table held
 *     there before it was validated.
 *   - Read-only linear page tables (Xen 4.17's default pv-linear-pt under
 *     its XSA-240 rules, get_lN_linear_pagetable): an L2-L4 entry may
 *     point read-only at its own table or at another validated table of
 *     its level of the same domain; writable is -EINVAL, and one level
 *     only: a table used linearly cannot hold linear entries, a table
 *     holding them cannot be used linearly (-EINVAL).  Writing through
 *     the read-only mapping faults.  The domain ends with its L4
 *     self-mapped (teardown).
 *   - Pinning (MMUEXT_PIN_Ln_TABLE, MMUEXT_UNPIN_TABLE): owned frames
 *     that validate, once; a pinned frame has one type; unpinning the L4
 *     in use as CR3 succeeds but keeps it a page table.  The writable
 *     type is counted per mapping, and a writable translation removed
 *     without a flush is flushed before its frame becomes a table.
 *   - XSA-286: in one multicall, update_va_mapping after an mmu_update
 *     that swapped an L2 entry writes the new L1.
 *   - Base pointers: NEW_BASEPTR needs an owned frame that validates as
 *     L4 (CR3 unchanged otherwise); NEW_USER_BASEPTR 0 means none.  A
 *     fresh L4->L3->L2->L1 built with mmu_update in a multicall, pinned,
 *     switched to and back, then unpinned, frees its frames as data.
 *   - A 32 MiB tree (16 full L1s) pins and unpins, alone and twice in one
 *     batch, and its tables are writable data again: pvmon validates and
 *     devalidates it in preemptible steps (pvmon/page_type.h).
 *   - Flushes: TLB_FLUSH_*, INVLPG_* succeed; the _MULTI forms read a vCPU
 *     mask (-EFAULT if unreadable); invalidating a non-canonical or
 *     hypervisor address, or a vCPU mask pointer there in
 *     update_va_mapping's flags, is harmless (0, or -EINVAL/-EFAULT);
 *     FLUSH_CACHE needs cache-flush permission (-EACCES).
 *   - SET_LDT: page-aligned, at most 8192 entries, inside guest space
 *     (-EINVAL; pvmon checks the whole range, Xen only its base); a
 *     page mapped writable cannot be an LDT (-EINVAL); the rest of the
 *     LDT's rules are tested in ldt.c.
 *   - CLEAR_PAGE, COPY_PAGE: destination owned and not a page table or
 *     descriptor page in use, source owned (-EINVAL).  Unknown mmuext
 *     commands -ENOSYS.
 *   - update_va_mapping: a guest address whose L1 exists (-EINVAL), the
 *     entry checked as an L1 update.
 *   - Descriptor pages (set_gdt): never mapped writable, pinned or cleared
 *     while in the GDT; writable again once set_gdt lets them go.
 */
#include "pv_memory.h"
#include <pvmon/format.h>

const char test_family[] = "page_tables";

#define FRESH_L4_SLOT 272
#define FRESH_ADDRESS (UINT64_C(0xffff880000000000) + 5 * PAGE_SIZE) /* L4 slot 272, L1 index 5 */
#define TOP_OF_LOWER_HALF UINT64_C(0x00007ffffffff000)
#define LOWER_HALF_LAST_L4_SLOT 255
#define FREE_L4_SLOT 300
#define FREE_L3_SLOT 0
#define TOP_FRAME_40_BITS UINT64_C(0xffffffffff)
#define LOCAL_APIC_FRAME UINT64_C(0xfee00)
#define VGA_FRAME UINT64_C(0xb8)
#define MARKER UINT64_C(0x5ca1ab1e0ddba11)
#define LARGE_TREE_L1S 16
#define LARGE_TREE_TABLES (3 + LARGE_TREE_L1S)
#define DATA_PTE (PTE_PRESENT | PTE_ACCESSED)
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define NAME_SIZE 128
#define PTE_WRITE_THROUGH PTE_BIT(3)
#define PTE_CACHE_DISABLE PTE_BIT(4)
#define PTE_PAT PTE_BIT(7)

static struct guest_memory memory;
static const uint64_t hypervisor_frame = HYPERVISOR_IMAGE_MACHINE_ADDRESS >> PAGE_SHIFT;
static uint64_t beyond_ram_frame;
static uint64_t foreign_frame;
static long own_id;

static long pin(unsigned int level, uint64_t frame)
{
    return mmuext_one(MMUEXT_PIN_L1_TABLE + level - 1, frame);
}

static long unpin(uint64_t frame)
{
    return mmuext_one(MMUEXT_UNPIN_TABLE, frame);
}

static void unmap_window(void)
{
    hypercall_update_va_mapping(memory.window, 0, UVMF_INVLPG);
}

/* Whether frame can be mapped writable now (it is then unmapped again). */
static bool frame_is_writable_data(uint64_t frame)
{
    bool mapped = map_frame(memory.window, frame, WRITABLE_PTE) == 0;

    unmap_window();
    return mapped;
}

/* STEM_is_einval (or another error) and STEM_leaves_the_entry_unchanged. */
static void expect_refused(const char *stem, long result, long error, const volatile uint64_t *entry,
                           uint64_t before)
{
    char name[NAME_SIZE];
    uint64_t after = *entry;

    format_string(name, sizeof(name), "%s_is_%s", stem, error == -XEN_EINVAL ? "einval" : error == -XEN_EPERM ? "eperm" : "refused");
    expect_result(name, result, error);
    format_string(name, sizeof(name), "%s_leaves_the_entry_unchanged", stem);
    expect_true(name, after == before, (long)after, "the entry as it was");
}

/* The update of a bootstrap table entry (machine address, read back at
 * entry) is refused and leaves it; an entry accepted against the rules is
 * put back, so that one deviation does not change the next cases. */
static void expect_update_refused(const char *stem, uint64_t machine_address, uint64_t value,
                                  const volatile uint64_t *entry)
{
    uint64_t before = *entry;
    long result = mmu_update_one(machine_address, value);

    expect_refused(stem, result, -XEN_EINVAL, entry, before);
    if (result == 0)
        mmu_update_one(machine_address, before);
}

/* --- mmu_update: arguments ------------------------------------------------ */

static void check_mmu_update_arguments(void)
{
    static struct mmu_update too_many[FORMER_BATCH_CAP + 1];
    uint64_t frame = take_unmapped_frame(&memory);
    uint64_t pfn = pfn_of_frame(frame);
    struct mmu_update harmless = { .ptr = frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = pfn };
    unsigned int done = 77;
    long result;

    expect_result("mmu_update_with_dom0_as_foreign_domain_is_eperm", call_mmu_update(&harmless, 1, NULL, 0),
                  -XEN_EPERM);
    expect_result("mmu_update_with_unknown_foreign_domain_is_esrch",
                  call_mmu_update(&harmless, 1, NULL, MISSING_DOMAIN), -XEN_ESRCH);
    expect_result("mmu_update_with_own_id_as_foreign_domain_succeeds",
                  call_mmu_update(&harmless, 1, NULL, (unsigned long)own_id), 0);
    expect_result("mmu_update_with_domid_self_succeeds", call_mmu_update(&harmless, 1, NULL, DOMID_SELF), 0);
    expect_result("mmu_update_list_is_checked_before_the_foreign_domain",
                  call_mmu_update((const struct mmu_update *)HYPERVISOR_IMAGE_ADDRESS, 1, NULL, MISSING_DOMAIN),
                  -XEN_EFAULT);
    expect_result("update_va_mapping_otherdomain_naming_dom0_is_eperm",
                  hypercall_update_va_mapping_otherdomain(memory.window, 0, UVMF_INVLPG, 0), -XEN_EPERM);
    expect_result("update_va_mapping_otherdomain_naming_an_unknown_domain_is_esrch",
                  hypercall_update_va_mapping_otherdomain(memory.window, 0, UVMF_INVLPG, MISSING_DOMAIN),
                  -XEN_ESRCH);
    expect_result("update_va_mapping_otherdomain_naming_itself_succeeds",
                  hypercall_update_va_mapping_otherdomain(memory.window, 0, UVMF_INVLPG, DOMID_SELF), 0);
    expect_result("mmu_update_of_no_requests_succeeds", call_mmu_update(&harmless, 0, &done, DOMID_SELF), 0);
    expect_result("mmu_update_of_no_requests_reports_0_done", done, 0);
    expect_result("mmu_update_list_in_hypervisor_is_efault",
                  call_mmu_update((const struct mmu_update *)HYPERVISOR_IMAGE_ADDRESS, 1, NULL, DOMID_SELF),
                  -XEN_EFAULT);
    expect_result("mmu_update_list_non_canonical_is_efault",
                  call_mmu_update((const struct mmu_update *)NON_CANONICAL_ADDRESS, 1, NULL, DOMID_SELF),
                  -XEN_EFAULT);
    expect_result("mmu_update_list_unmapped_is_efault",
                  call_mmu_update((const struct mmu_update *)UNMAPPED_ADDRESS, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    expect_result("mmu_update_list_wrapping_around_the_address_space_is_efault",
                  call_mmu_update((const struct mmu_update *)UINT64_C(0xfffffffffffffff0), 2, NULL, DOMID_SELF),
                  -XEN_EFAULT);

    for (unsigned int index = 0; index <= FORMER_BATCH_CAP; index++)
        too_many[index] = (struct mmu_update) { .ptr = harmless.ptr, .val = MARKER + index };
    expect_result("mmu_update_of_1025_requests_succeeds",
                  call_mmu_update(too_many, FORMER_BATCH_CAP + 1, &done, DOMID_SELF), 0);
    expect_result("mmu_update_of_1025_requests_reports_1025_done", done, FORMER_BATCH_CAP + 1);
    expect_result("mmu_update_of_1025_requests_did_the_last", (long)m2p_entry(&memory, frame),
                  (long)(MARKER + FORMER_BATCH_CAP));
    call_mmu_update(&harmless, 1, NULL, DOMID_SELF);
    expect_result("mmu_update_count_of_only_the_preempted_bit_does_nothing",
                  call_mmu_update((const struct mmu_update *)UNMAPPED_ADDRESS, UINT64_C(1) << 31, NULL, DOMID_SELF),
                  0);
    expect_result("mmu_update_count_above_32_bits_is_cut_to_32",
                  call_mmu_update(&harmless, (UINT64_C(1) << 32) | 1, &done, DOMID_SELF), 0);
    expect_result("mmu_update_count_above_32_bits_reports_the_cut_count_done", done, 1);
    result = call_mmu_update((const struct mmu_update *)HYPERVISOR_IMAGE_ADDRESS, UINT32_MAX, NULL, DOMID_SELF);
    expect_true("mmu_update_of_4g_minus_1_requests_in_hypervisor_is_refused",
                result == -XEN_EINVAL || result == -XEN_EFAULT, result, "-22 or -14");
}

/* --- mmu_update: commands, batches and pdone ------------------------------- */

static void check_mmu_update_batches(void)
{
    uint64_t first = take_unmapped_frame(&memory), second = take_unmapped_frame(&memory);
    uint64_t third = take_unmapped_frame(&memory);
    uint64_t first_pfn = pfn_of_frame(first), second_pfn = pfn_of_frame(second), third_pfn = pfn_of_frame(third);
    uint64_t hypervisor_m2p = m2p_entry(&memory, hypervisor_frame);
    uint64_t foreign_m2p = m2p_entry(&memory, foreign_frame);
    struct mmu_update batch[3];
    unsigned int done;
    long result;

    expect_result("machphys_update_of_own_frame_succeeds",
                  mmu_update_one(first << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, first_pfn + 0x1000), 0);
    expect_result("machphys_update_sets_the_m2p_entry", (long)m2p_entry(&memory, first), (long)(first_pfn + 0x1000));
    mmu_update_one(first << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, first_pfn);
    expect_result("machphys_update_of_hypervisor_frame_is_einval",
                  mmu_update_one(hypervisor_frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, 1), -XEN_EINVAL);
    expect_result("machphys_update_of_hypervisor_frame_leaves_its_m2p_entry",
                  (long)m2p_entry(&memory, hypervisor_frame), (long)hypervisor_m2p);
    if (foreign_frame != 0) {
        expect_result("machphys_update_of_another_domains_frame_is_einval",
                      mmu_update_one(foreign_frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, 1), -XEN_EINVAL);
        expect_result("machphys_update_of_another_domains_frame_leaves_its_m2p_entry",
                      (long)m2p_entry(&memory, foreign_frame), (long)foreign_m2p);
    }
    expect_result("machphys_update_beyond_ram_is_einval",
                  mmu_update_one(beyond_ram_frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, 1), -XEN_EINVAL);
    expect_result("mmu_update_command_7_is_enosys", mmu_update_one(first << PAGE_SHIFT | MMU_UNKNOWN_COMMAND, 0),
                  -XEN_ENOSYS);

    batch[0] = (struct mmu_update) { .ptr = first << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = MARKER };
    batch[1] = (struct mmu_update) { .ptr = second << PAGE_SHIFT | MMU_UNKNOWN_COMMAND, .val = MARKER };
    batch[2] = (struct mmu_update) { .ptr = third << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = MARKER };
    done = 99;
    expect_result("batch_with_unknown_command_second_is_enosys", call_mmu_update(batch, 3, &done, DOMID_SELF),
                  -XEN_ENOSYS);
    expect_result("batch_with_unknown_command_second_reports_1_done", done, 1);
    expect_result("batch_with_unknown_command_second_did_the_first", (long)m2p_entry(&memory, first), (long)MARKER);
    expect_result("batch_with_unknown_command_second_skipped_the_third", (long)m2p_entry(&memory, third),
                  (long)third_pfn);

    batch[1] = (struct mmu_update) { .ptr = hypervisor_frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = MARKER };
    batch[0].val = MARKER + 1;
    done = 99;
    expect_result("batch_with_refused_second_is_einval", call_mmu_update(batch, 3, &done, DOMID_SELF), -XEN_EINVAL);
    expect_result("batch_with_refused_second_reports_1_done", done, 1);
    expect_result("batch_with_refused_second_skipped_the_third", (long)m2p_entry(&memory, third), (long)third_pfn);

    batch[0] = (struct mmu_update) { .ptr = first << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = first_pfn };
    batch[1] = (struct mmu_update) { .ptr = second << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = second_pfn };
    batch[2] = (struct mmu_update) { .ptr = third << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = third_pfn };
    done = 99;
    expect_result("batch_of_three_valid_requests_succeeds", call_mmu_update(batch, 3, &done, DOMID_SELF), 0);
    expect_result("batch_of_three_valid_requests_reports_3_done", done, 3);
    result = call_mmu_update(batch, 1, (unsigned int *)HYPERVISOR_IMAGE_ADDRESS, DOMID_SELF);
    expect_true("pdone_in_hypervisor_is_not_written", result == 0 || result == -XEN_EFAULT, result, "0 or -14");

    /* Three requests, the last on a page that is not mapped: two done, then -EFAULT. */
    uint64_t list_frame, next_frame;
    uint64_t list_page = take_slack_page(&memory, &list_frame);
    uint64_t next_page = take_slack_page(&memory, &next_frame);
    struct mmu_update *list = (struct mmu_update *)(next_page - 2 * sizeof(struct mmu_update));

    if (next_page != list_page + PAGE_SIZE) {
        expect_true("setup_has_two_adjacent_slack_pages", false, 0, "adjacent pages");
        return;
    }
    list[0] = (struct mmu_update) { .ptr = first << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = MARKER };
    list[1] = (struct mmu_update) { .ptr = second << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = MARKER };
    map_frame(next_page, 0, 0);
    done = 99;
    expect_result("batch_whose_third_request_is_unmapped_is_efault", call_mmu_update(list, 3, &done, DOMID_SELF),
                  -XEN_EFAULT);
    expect_result("batch_whose_third_request_is_unmapped_reports_2_done", done, 2);
    expect_result("batch_whose_third_request_is_unmapped_did_the_second", (long)m2p_entry(&memory, second),
                  (long)MARKER);
    map_frame(next_page, next_frame, WRITABLE_PTE | PTE_DIRTY);
    call_mmu_update(batch, 3, NULL, DOMID_SELF);
}

/* --- the frame an mmu_update writes ------------------------------------------- */

static void check_mmu_update_targets(void)
{
    uint64_t plain = take_unmapped_frame(&memory);
    bool ok;

    expect_result("mmu_update_into_hypervisor_frame_is_einval", mmu_update_one(hypervisor_frame << PAGE_SHIFT, 0),
                  -XEN_EINVAL);
    expect_result("mmu_update_beyond_ram_is_einval", mmu_update_one(beyond_ram_frame << PAGE_SHIFT, 0), -XEN_EINVAL);
    expect_result("mmu_update_at_the_top_of_40_bits_is_einval", mmu_update_one(TOP_FRAME_40_BITS << PAGE_SHIFT, 0),
                  -XEN_EINVAL);
    if (foreign_frame != 0)
        expect_result("mmu_update_into_another_domains_frame_is_einval",
                      mmu_update_one((foreign_frame << PAGE_SHIFT) + PAGE_SIZE - 8, 0), -XEN_EINVAL);
    expect_result("mmu_update_preserving_ad_into_a_plain_frame_writes_it_raw",
                  mmu_update_one(((plain << PAGE_SHIFT) + 16) | MMU_PT_UPDATE_PRESERVE_AD, MARKER), 0);
    expect_result("mmu_update_preserving_ad_into_a_plain_frame_stored_the_value", (long)peek(&memory, plain, 2, &ok),
                  (long)MARKER);
}

/* --- L1 entries -------------------------------------------------------------- */

/* Xen's software bits of an entry, but for bit 62 (_PAGE_GNTTAB in L1). */
#define SOFTWARE_BITS_52_TO_61 UINT64_C(0x3ff0000000000000)

/* The same L1 entry accepted both ways, mmu_update and update_va_mapping,
 * and stored with its bits (U forced on); the slot is put back after. */
static void expect_l1_kept(const char *what, uint64_t address, uint64_t entry)
{
    const volatile uint64_t *slot = bootstrap_l1_entry(&memory, address);
    uint64_t before = *slot;
    char stem[NAME_SIZE];

    format_string(stem, sizeof(stem), "l1_entry_%s_by_mmu_update_is_accepted", what);
    expect_result(stem, mmu_update_one(bootstrap_l1_entry_machine_address(&memory, address), entry), 0);
    format_string(stem, sizeof(stem), "l1_entry_%s_by_mmu_update_is_kept", what);
    expect_true(stem, (*slot | PTE_USER) == (entry | PTE_USER), *slot, "the entry as written");
    format_string(stem, sizeof(stem), "l1_entry_%s_by_update_va_mapping_is_accepted", what);
    expect_result(stem, hypercall_update_va_mapping(address, entry, UVMF_INVLPG), 0);
    format_string(stem, sizeof(stem), "l1_entry_%s_by_update_va_mapping_is_kept", what);
    expect_true(stem, (*slot | PTE_USER) == (entry | PTE_USER), *slot, "the entry as written");
    hypercall_update_va_mapping(address, before, UVMF_INVLPG);
}

/* The same L1 entry refused both ways with error: mmu_update and update_va_mapping. */
static void expect_l1_refused_with(const char *what, uint64_t address, uint64_t entry, long error)
{
    const volatile uint64_t *slot = bootstrap_l1_entry(&memory, address);
    uint64_t before = *slot;
    char stem[NAME_SIZE];

    format_string(stem, sizeof(stem), "l1_entry_%s_by_mmu_update", what);
    expect_refused(stem, mmu_update_one(bootstrap_l1_entry_machine_address(&memory, address), entry), error, slot,
                   before);
    format_string(stem, sizeof(stem), "l1_entry_%s_by_update_va_mapping", what);
    expect_refused(stem, hypercall_update_va_mapping(address, entry, UVMF_INVLPG), error, slot, before);
}

static void expect_l1_refused(const char *what, uint64_t address, uint64_t entry)
{
    expect_l1_refused_with(what, address, entry, -XEN_EINVAL);
}

static void check_l1_entries(void)
{
    uint64_t page_frame, data = take_unmapped_frame(&memory);
    uint64_t page = take_slack_page(&memory, &page_frame);
    const volatile uint64_t *slot = bootstrap_l1_entry(&memory, page);
    uint64_t slot_address = bootstrap_l1_entry_machine_address(&memory, page);
    uint64_t original = *slot;
    const uint64_t not_present = UINT64_C(0xabcdef000) | PTE_WRITABLE;

    expect_result("mmu_update_of_a_plain_frame_writes_it_raw", mmu_update_one((data << PAGE_SHIFT) + 8, MARKER), 0);
    expect_result("l1_update_of_own_frame_succeeds", mmu_update_one(slot_address, data << PAGE_SHIFT | DATA_PTE), 0);
    expect_true("l1_update_forces_the_user_bit", *slot == (data << PAGE_SHIFT | DATA_PTE | PTE_USER), (long)*slot,
                "the entry with U set");
    invalidate_page(page);
    expect_result("l1_update_takes_effect", (long)((const volatile uint64_t *)page)[1], (long)MARKER);
    mmu_update_one(slot_address, data << PAGE_SHIFT | DATA_PTE | PTE_DIRTY);
    expect_result("preserve_ad_update_succeeds",
                  mmu_update_one(slot_address | MMU_PT_UPDATE_PRESERVE_AD, data << PAGE_SHIFT | PTE_PRESENT), 0);
    expect_true("preserve_ad_keeps_accessed_and_dirty",
                *slot == (data << PAGE_SHIFT | PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_DIRTY), (long)*slot,
                "the entry with U, A and D");
    expect_result("l1_not_present_entry_is_accepted", mmu_update_one(slot_address, not_present), 0);
    expect_true("l1_not_present_entry_is_stored_as_given", *slot == not_present, (long)*slot, "0xabcdef002");
    mmu_update_one(slot_address, data << PAGE_SHIFT | DATA_PTE);

    expect_l1_refused("for_hypervisor_frame", page, hypervisor_frame << PAGE_SHIFT | DATA_PTE);
    /* Frames that are not RAM are device memory, which a domU has none
     * of: Xen's get_page_from_l1e answers -EPERM, and -EINVAL for the
     * all-ones frame (its INVALID_MFN). */
    expect_l1_refused_with("for_frame_beyond_ram", page, beyond_ram_frame << PAGE_SHIFT | DATA_PTE, -XEN_EPERM);
    expect_l1_refused("for_frame_at_the_top_of_40_bits", page, TOP_FRAME_40_BITS << PAGE_SHIFT | DATA_PTE);
    expect_l1_refused_with("for_the_local_apic_frame", page, LOCAL_APIC_FRAME << PAGE_SHIFT | DATA_PTE, -XEN_EPERM);
    expect_l1_refused_with("for_frame_0", page, PTE_PRESENT | PTE_ACCESSED, -XEN_EPERM);
    expect_l1_refused_with("for_the_vga_frame", page, VGA_FRAME << PAGE_SHIFT | DATA_PTE, -XEN_EPERM);
    if (foreign_frame != 0)
        expect_l1_refused("for_another_domains_frame", page, foreign_frame << PAGE_SHIFT | DATA_PTE);
    expect_l1_refused("with_bit_62", page, data << PAGE_SHIFT | DATA_PTE | PTE_BIT(62));
    expect_l1_kept("with_linux_s_saved_dirty_bit_58", page, data << PAGE_SHIFT | DATA_PTE | PTE_BIT(58));
    expect_l1_kept("with_software_bits_52_to_61", page, data << PAGE_SHIFT | DATA_PTE | SOFTWARE_BITS_52_TO_61);
    expect_l1_refused("write_through_for_ram", page, data << PAGE_SHIFT | WRITABLE_PTE | PTE_WRITE_THROUGH);
    expect_l1_refused("uncached_for_ram", page, data << PAGE_SHIFT | WRITABLE_PTE | PTE_CACHE_DISABLE);
    expect_l1_refused("with_the_pat_bit_for_ram", page, data << PAGE_SHIFT | WRITABLE_PTE | PTE_PAT);
    expect_l1_refused("uncached_for_shared_info", page,
                      (runtime_start_info->shared_info & PTE_ADDRESS_MASK) | DATA_PTE | PTE_CACHE_DISABLE);
    expect_l1_refused("writable_for_the_cr3_l4", page, memory.l4_frame << PAGE_SHIFT | WRITABLE_PTE);
    expect_l1_refused("writable_for_the_bootstrap_l3", page, memory.l3_frame << PAGE_SHIFT | WRITABLE_PTE);
    expect_l1_refused("writable_for_the_bootstrap_l2", page, memory.l2_frame << PAGE_SHIFT | WRITABLE_PTE);
    expect_l1_refused("writable_for_a_bootstrap_l1", page, entry_frame(memory.l2[0]) << PAGE_SHIFT | WRITABLE_PTE);

    for (unsigned int level = 1; level <= 4; level++) {
        uint64_t table = take_unmapped_frame(&memory);
        char what[NAME_SIZE];

        format_string(what, sizeof(what), "pin_l%u_for_the_mapping_test_succeeds", level);
        expect_result(what, pin(level, table), 0);
        format_string(what, sizeof(what), "writable_for_a_pinned_l%u", level);
        expect_l1_refused(what, page, table << PAGE_SHIFT | WRITABLE_PTE);
        format_string(what, sizeof(what), "read_only_mapping_of_a_pinned_l%u_succeeds", level);
        expect_result(what, hypercall_update_va_mapping(page, table << PAGE_SHIFT | DATA_PTE, UVMF_INVLPG), 0);
        mmu_update_one(slot_address, data << PAGE_SHIFT | DATA_PTE);
        unpin(table);
    }
    mmu_update_one(slot_address, original);
    invalidate_page(page);
}

/* XSA-182: RW set alone on a read-only mapping of a page table. */
static void check_writable_bit_alone(void)
{
    uint64_t page_frame, table = take_unmapped_frame(&memory);
    uint64_t page = take_slack_page(&memory, &page_frame);
    const volatile uint64_t *slot = bootstrap_l1_entry(&memory, page);
    uint64_t slot_address = bootstrap_l1_entry_machine_address(&memory, page);
    uint64_t original = *slot, read_only;

    expect_result("pin_l2_for_the_writable_bit_test_succeeds", pin(2, table), 0);
    expect_result("read_only_mapping_of_the_pinned_l2_succeeds",
                  mmu_update_one(slot_address, table << PAGE_SHIFT | DATA_PTE), 0);
    read_only = *slot;
    expect_refused("setting_only_the_writable_bit_by_mmu_update",
                   mmu_update_one(slot_address, read_only | PTE_WRITABLE), -XEN_EINVAL, slot, read_only);
    expect_refused("setting_only_the_writable_bit_preserving_ad",
                   mmu_update_one(slot_address | MMU_PT_UPDATE_PRESERVE_AD, read_only | PTE_WRITABLE), -XEN_EINVAL,
                   slot, read_only);
    expect_refused("setting_only_the_writable_bit_by_update_va_mapping",
                   hypercall_update_va_mapping(page, read_only | PTE_WRITABLE, UVMF_INVLPG), -XEN_EINVAL, slot,
                   read_only);
    invalidate_page(page);
    expect_true("write_through_the_read_only_l2_mapping_faults", write_faults(page, 0xbad), 0, "a page fault");
    expect_true("write_through_the_read_only_l2_mapping_faults_as_a_protection_fault",
                last_page_fault.error_code == (PAGE_FAULT_PRESENT | PAGE_FAULT_WRITE) &&
                    last_page_fault.address == page,
                (long)last_page_fault.error_code, "error code 3 at the page");
    expect_result("the_pinned_l2_is_still_empty", (long)((const volatile uint64_t *)page)[0], 0);
    mmu_update_one(slot_address, original);
    invalidate_page(page);
    expect_result("unpin_of_the_l2_succeeds", unpin(table), 0);
}

/* --- L2, L3 and L4 entries --------------------------------------------------- */

static void check_upper_level_entries(void)
{
    uint64_t slot_index = memory.first_free_l2_slot + 4;
    uint64_t l2_slot = entry_machine_address(memory.l2_frame, slot_index);
    uint64_t through_slot = KERNEL_VIRT_BASE + slot_index * L2_SPAN;
    uint64_t fresh = take_unmapped_frame(&memory), other = take_unmapped_frame(&memory);
    uint64_t data = take_unmapped_frame(&memory);
    uint64_t writable_frame, writable_page = take_slack_page(&memory, &writable_frame);
    const volatile uint64_t *entry = &memory.l2[slot_index];
    uint64_t l3_slot = entry_machine_address(memory.l3_frame, FREE_L3_SLOT);
    const volatile uint64_t *l3_entry = &memory.l3[FREE_L3_SLOT];
    uint64_t l4_slot = entry_machine_address(memory.l4_frame, FREE_L4_SLOT);
    const volatile uint64_t *l4_entry = &memory.l4[FREE_L4_SLOT];

    mmu_update_one(data << PAGE_SHIFT, MARKER);
    expect_result("l2_entry_to_a_fresh_frame_succeeds", mmu_update_one(l2_slot, fresh << PAGE_SHIFT | TABLE_PTE), 0);
    expect_true("l2_entry_gets_the_user_bit", (*entry & PTE_USER) && entry_frame(*entry) == fresh, (long)*entry,
                "the fresh frame with U");
    expect_result("frame_validated_as_l1_cannot_be_mapped_writable",
                  map_frame(memory.window, fresh, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("frame_validated_as_l1_cannot_be_pinned_as_l2", pin(2, fresh), -XEN_EINVAL);
    expect_result("entry_of_a_live_l1_is_accepted",
                  mmu_update_one(entry_machine_address(fresh, 3), data << PAGE_SHIFT | DATA_PTE), 0);
    expect_result("live_l1_maps_through_the_l2", (long)probe_read(through_slot + 3 * PAGE_SIZE), (long)MARKER);
    expect_result("entry_of_a_live_l1_for_hypervisor_frame_is_einval",
                  mmu_update_one(entry_machine_address(fresh, 4), hypervisor_frame << PAGE_SHIFT | DATA_PTE),
                  -XEN_EINVAL);
    expect_true("entry_of_a_live_l1_for_hypervisor_frame_maps_nothing", read_faults(through_slot + 4 * PAGE_SIZE), 0,
                "a page fault");
    expect_result("clearing_the_l2_entry_succeeds", mmu_update_one(l2_slot, 0), 0);
    expect_true("frame_released_by_the_l2_is_writable_again", frame_is_writable_data(fresh), 0,
                "a writable mapping");

    expect_update_refused("l2_entry_to_a_writable_mapped_frame", l2_slot, writable_frame << PAGE_SHIFT | TABLE_PTE,
                          entry);
    expect_true("frame_refused_as_l1_stays_writable", !write_faults(writable_page, 1), 0, "no page fault");
    expect_update_refused("writable_l2_entry_pointing_at_its_own_table", l2_slot,
                          memory.l2_frame << PAGE_SHIFT | TABLE_PTE, entry);
    expect_update_refused("l2_entry_with_pse", l2_slot, other << PAGE_SHIFT | TABLE_PTE | PTE_LARGE, entry);
    expect_update_refused("l2_superpage_over_own_page_tables", l2_slot,
                          (memory.l2_frame & ~UINT64_C(511)) << PAGE_SHIFT | TABLE_PTE | PTE_LARGE, entry);
    expect_update_refused("l2_entry_with_global", l2_slot, other << PAGE_SHIFT | TABLE_PTE | PTE_GLOBAL, entry);
    expect_update_refused("l2_entry_write_through", l2_slot, other << PAGE_SHIFT | TABLE_PTE | PTE_WRITE_THROUGH,
                          entry);
    expect_update_refused("l2_entry_uncached", l2_slot, other << PAGE_SHIFT | TABLE_PTE | PTE_CACHE_DISABLE, entry);
    expect_update_refused("l3_entry_uncached", l3_slot,
                          memory.l2_frame << PAGE_SHIFT | TABLE_PTE | PTE_CACHE_DISABLE, l3_entry);
    uint64_t entry_before_dirty = *entry;
    expect_result("l2_entry_with_dirty_is_accepted_as_linux_sets_it",
                  mmu_update_one(l2_slot, other << PAGE_SHIFT | TABLE_PTE | PTE_DIRTY), 0);
    expect_result("l2_entry_with_dirty_can_be_put_back", mmu_update_one(l2_slot, entry_before_dirty), 0);
    expect_result("l2_entry_with_software_bits_52_to_62_is_accepted",
                  mmu_update_one(l2_slot, other << PAGE_SHIFT | TABLE_PTE | SOFTWARE_BITS_52_TO_61 | PTE_BIT(62)), 0);
    expect_true("l2_entry_keeps_its_software_bits",
                (*entry & (SOFTWARE_BITS_52_TO_61 | PTE_BIT(62))) == (SOFTWARE_BITS_52_TO_61 | PTE_BIT(62)), *entry,
                "bits 52-62 set");
    expect_result("l2_entry_with_software_bits_can_be_put_back", mmu_update_one(l2_slot, entry_before_dirty), 0);
    expect_true("refused_l2_entries_leave_their_target_untyped", frame_is_writable_data(other), 0,
                "a writable mapping");
    expect_update_refused("l2_entry_to_hypervisor_frame", l2_slot, hypervisor_frame << PAGE_SHIFT | TABLE_PTE, entry);
    expect_update_refused("l2_entry_to_frame_beyond_ram", l2_slot, beyond_ram_frame << PAGE_SHIFT | TABLE_PTE, entry);
    if (foreign_frame != 0)
        expect_update_refused("l2_entry_to_another_domains_frame", l2_slot, foreign_frame << PAGE_SHIFT | TABLE_PTE,
                              entry);

    expect_result("pin_l1_for_the_level_test_succeeds", pin(1, other), 0);
    expect_update_refused("l3_entry_to_a_pinned_l1", l3_slot, other << PAGE_SHIFT | TABLE_PTE, l3_entry);
    unpin(other);
    expect_result("pin_l2_for_the_same_level_test_succeeds", pin(2, other), 0);
    expect_update_refused("l2_entry_to_another_l2", l2_slot, other << PAGE_SHIFT | TABLE_PTE, entry);
    unpin(other);
    expect_result("pin_l3_for_the_same_level_test_succeeds", pin(3, other), 0);
    expect_update_refused("l3_entry_to_another_l3", l3_slot, other << PAGE_SHIFT | TABLE_PTE, l3_entry);
    expect_result("l4_entry_to_a_pinned_l3_succeeds", mmu_update_one(l4_slot, other << PAGE_SHIFT | TABLE_PTE), 0);
    expect_result("clearing_the_l4_entry_to_the_pinned_l3_succeeds", mmu_update_one(l4_slot, 0), 0);
    unpin(other);
    expect_update_refused("writable_l3_entry_pointing_at_its_own_table", l3_slot,
                          memory.l3_frame << PAGE_SHIFT | TABLE_PTE, l3_entry);
    expect_update_refused("l3_entry_with_pse", l3_slot, UINT64_C(0x40000) << PAGE_SHIFT | TABLE_PTE | PTE_LARGE,
                          l3_entry);

    for (unsigned int slot = FIRST_HYPERVISOR_L4_SLOT; slot <= LAST_HYPERVISOR_L4_SLOT;
         slot += LAST_HYPERVISOR_L4_SLOT - FIRST_HYPERVISOR_L4_SLOT) {
        uint64_t hypervisor_slot = entry_machine_address(memory.l4_frame, slot);
        char stem[NAME_SIZE];

        format_string(stem, sizeof(stem), "l4_slot_%u_to_a_fresh_frame", slot);
        expect_update_refused(stem, hypervisor_slot, fresh << PAGE_SHIFT | TABLE_PTE, &memory.l4[slot]);
        format_string(stem, sizeof(stem), "l4_slot_%u_cleared", slot);
        expect_update_refused(stem, hypervisor_slot, 0, &memory.l4[slot]);
    }
    expect_update_refused("writable_l4_entry_pointing_at_its_own_table", l4_slot,
                          memory.l4_frame << PAGE_SHIFT | TABLE_PTE, l4_entry);
    expect_result("pin_l2_for_the_level_test_succeeds", pin(2, other), 0);
    expect_update_refused("l4_entry_to_a_pinned_l2", l4_slot, other << PAGE_SHIFT | TABLE_PTE, l4_entry);
    unpin(other);
}

/* --- read-only linear page tables ------------------------------------------ */

#define SELF_MAP_L4_SLOT 301
#define LINEAR_L4_SLOT 302

/* The address at which an L4 mapped at slot in itself shows its own page:
 * the slot at every level, sign-extended. */
static uint64_t self_mapped_l4_address(unsigned int slot)
{
    uint64_t address = (uint64_t)slot << 39 | (uint64_t)slot << 30 | (uint64_t)slot << 21 | (uint64_t)slot << 12;

    return (address & (UINT64_C(1) << 47)) ? address | UINT64_C(0xffff000000000000) : address;
}

static void check_linear_page_tables(void)
{
    uint64_t self_slot = entry_machine_address(memory.l4_frame, SELF_MAP_L4_SLOT);
    uint64_t linear_slot = entry_machine_address(memory.l4_frame, LINEAR_L4_SLOT);
    uint64_t l4_page = self_mapped_l4_address(SELF_MAP_L4_SLOT);
    uint64_t second = take_unmapped_frame(&memory), third = take_unmapped_frame(&memory);
    bool readable;

    expect_result("read_only_l4_self_map_is_accepted",
                  mmu_update_one(self_slot, memory.l4_frame << PAGE_SHIFT | DATA_PTE), 0);
    expect_result("self_map_shows_the_l4_through_itself", (long)probe_read(l4_page + 511 * sizeof(uint64_t)),
                  (long)memory.l4[511]);
    expect_result("self_map_shows_its_own_entry", (long)entry_frame(probe_read(l4_page + SELF_MAP_L4_SLOT * 8)),
                  (long)memory.l4_frame);
    expect_true("writing_the_l4_through_its_self_map_faults", write_faults(l4_page + 8, MARKER), 0, "a page fault");
    expect_update_refused("self_map_made_writable", self_slot, memory.l4_frame << PAGE_SHIFT | TABLE_PTE,
                          &memory.l4[SELF_MAP_L4_SLOT]);
    expect_update_refused("writable_l4_self_map", linear_slot, memory.l4_frame << PAGE_SHIFT | TABLE_PTE,
                          &memory.l4[LINEAR_L4_SLOT]);

    expect_result("setup_pins_a_second_l4", pin(4, second), 0);
    expect_result("setup_pins_a_third_l4", pin(4, third), 0);
    expect_update_refused("writable_l4_entry_to_another_l4", linear_slot, second << PAGE_SHIFT | TABLE_PTE,
                          &memory.l4[LINEAR_L4_SLOT]);
    expect_result("read_only_l4_entry_to_another_pinned_l4_is_accepted",
                  mmu_update_one(linear_slot, second << PAGE_SHIFT | DATA_PTE), 0);
    expect_result("linear_entry_in_an_l4_used_linearly_is_einval",
                  mmu_update_one(entry_machine_address(second, 0), third << PAGE_SHIFT | DATA_PTE), -XEN_EINVAL);
    expect_result("refused_linear_entry_leaves_the_second_l4_empty", (long)peek(&memory, second, 0, &readable), 0);
    expect_result("l4_holding_linear_entries_used_linearly_is_einval",
                  mmu_update_one(entry_machine_address(third, 0), memory.l4_frame << PAGE_SHIFT | DATA_PTE),
                  -XEN_EINVAL);
    expect_result("unpinning_the_l4_used_linearly_succeeds", unpin(second), 0);
    expect_result("l4_used_linearly_stays_a_table_while_the_entry_holds_it",
                  map_frame(memory.window, second, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("clearing_the_linear_entry_succeeds", mmu_update_one(linear_slot, 0), 0);
    expect_true("former_linear_l4_is_writable_data_again", frame_is_writable_data(second), 0, "a writable mapping");
    expect_result("unpinning_the_third_l4_succeeds", unpin(third), 0);

    mmu_update_one(entry_machine_address(third, 7), third << PAGE_SHIFT | DATA_PTE);
    expect_result("pin_l4_holding_a_read_only_entry_to_itself_succeeds", pin(4, third), 0);
    expect_result("unpin_of_the_self_mapped_l4_succeeds", unpin(third), 0);
    expect_true("unpinned_self_mapped_l4_is_writable_data_again", frame_is_writable_data(third), 0,
                "a writable mapping");
}

/* A page at the top of the lower half, through tables validated on demand;
 * then a request list that runs off its end into non-canonical addresses. */
static void check_request_list_at_the_canonical_boundary(void)
{
    uint64_t l3 = take_unmapped_frame(&memory), l2 = take_unmapped_frame(&memory), l1 = take_unmapped_frame(&memory);
    uint64_t marked = take_unmapped_frame(&memory), marked_pfn = pfn_of_frame(marked);
    uint64_t page_frame, page = take_slack_page(&memory, &page_frame);
    uint64_t l4_slot = entry_machine_address(memory.l4_frame, LOWER_HALF_LAST_L4_SLOT);
    const uint64_t list_address = TOP_OF_LOWER_HALF + PAGE_SIZE - sizeof(struct mmu_update);
    struct mmu_update *request = (struct mmu_update *)(page + PAGE_SIZE - sizeof(struct mmu_update));
    unsigned int done = 99;

    expect_result("l4_entry_to_a_fresh_frame_validates_it_as_l3", mmu_update_one(l4_slot, l3 << PAGE_SHIFT | TABLE_PTE),
                  0);
    expect_result("entry_of_a_live_l3_validates_a_fresh_l2",
                  mmu_update_one(entry_machine_address(l3, 511), l2 << PAGE_SHIFT | TABLE_PTE), 0);
    expect_result("entry_of_a_live_l2_validates_a_fresh_l1",
                  mmu_update_one(entry_machine_address(l2, 511), l1 << PAGE_SHIFT | TABLE_PTE), 0);
    expect_result("entry_of_a_live_l1_maps_the_top_of_the_lower_half",
                  mmu_update_one(entry_machine_address(l1, 511), page_frame << PAGE_SHIFT | WRITABLE_PTE), 0);
    *request = (struct mmu_update) { .ptr = marked << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, .val = MARKER };
    expect_result("top_of_the_lower_half_reads_the_page", (long)probe_read(list_address + 8), (long)MARKER);
    expect_result("request_list_running_into_non_canonical_addresses_is_efault",
                  call_mmu_update((const struct mmu_update *)list_address, 2, &done, DOMID_SELF), -XEN_EFAULT);
    expect_result("request_list_running_into_non_canonical_addresses_does_no_work",
                  (long)m2p_entry(&memory, marked), (long)marked_pfn);
    expect_result("request_list_ending_at_the_canonical_boundary_succeeds",
                  call_mmu_update((const struct mmu_update *)list_address, 1, &done, DOMID_SELF), 0);
    expect_result("request_list_ending_at_the_canonical_boundary_is_done", (long)m2p_entry(&memory, marked),
                  (long)MARKER);
    mmu_update_one(marked << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, marked_pfn);
    expect_result("clearing_the_l4_entry_succeeds", mmu_update_one(l4_slot, 0), 0);
    expect_true("l3_released_by_the_l4_is_writable_again", frame_is_writable_data(l3), 0, "a writable mapping");
    expect_true("l1_released_down_the_chain_is_writable_again", frame_is_writable_data(l1), 0, "a writable mapping");
}

/* --- mmuext_op ----------------------------------------------------------------- */

static void check_mmuext_arguments(void)
{
    struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    static struct mmuext_op too_many[FORMER_BATCH_CAP + 1];
    unsigned int done = 77;

    for (unsigned int index = 0; index <= FORMER_BATCH_CAP; index++)
        too_many[index] = flush;
    expect_result("mmuext_with_dom0_as_foreign_domain_is_eperm", call_mmuext_op(&flush, 1, NULL, 0), -XEN_EPERM);
    expect_result("mmuext_with_unknown_foreign_domain_is_esrch", call_mmuext_op(&flush, 1, NULL, MISSING_DOMAIN),
                  -XEN_ESRCH);
    expect_result("mmuext_with_own_id_as_foreign_domain_succeeds",
                  call_mmuext_op(&flush, 1, NULL, (unsigned long)own_id), 0);
    expect_result("mmuext_list_is_checked_before_the_foreign_domain",
                  call_mmuext_op((const struct mmuext_op *)HYPERVISOR_IMAGE_ADDRESS, 1, NULL, MISSING_DOMAIN),
                  -XEN_EFAULT);
    expect_result("mmuext_of_no_operations_succeeds", call_mmuext_op(&flush, 0, &done, DOMID_SELF), 0);
    expect_result("mmuext_of_no_operations_reports_0_done", done, 0);
    expect_result("mmuext_list_in_hypervisor_is_efault",
                  call_mmuext_op((const struct mmuext_op *)HYPERVISOR_IMAGE_ADDRESS, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    expect_result("mmuext_list_non_canonical_is_efault",
                  call_mmuext_op((const struct mmuext_op *)NON_CANONICAL_ADDRESS, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    expect_result("mmuext_list_unmapped_is_efault",
                  call_mmuext_op((const struct mmuext_op *)UNMAPPED_ADDRESS, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    expect_result("mmuext_of_1025_operations_succeeds",
                  call_mmuext_op(too_many, FORMER_BATCH_CAP + 1, &done, DOMID_SELF), 0);
    expect_result("mmuext_of_1025_operations_reports_1025_done", done, FORMER_BATCH_CAP + 1);
    expect_result("mmuext_count_of_only_the_preempted_bit_does_nothing",
                  call_mmuext_op((const struct mmuext_op *)UNMAPPED_ADDRESS, UINT64_C(1) << 31, NULL, DOMID_SELF),
                  0);
    expect_result("mmuext_command_99_is_enosys", mmuext_one(MMUEXT_UNKNOWN_COMMAND, 0), -XEN_ENOSYS);
    expect_result("mmuext_command_14_is_enosys", mmuext_one(14, 0), -XEN_ENOSYS);
}

static void check_pinning(void)
{
    uint64_t first = take_unmapped_frame(&memory), second = take_unmapped_frame(&memory);
    uint64_t bad = take_unmapped_frame(&memory);
    uint64_t writable_frame, writable_page = take_slack_page(&memory, &writable_frame);
    struct mmuext_op batch[3] = {
        { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = first },
        { .cmd = MMUEXT_UNKNOWN_COMMAND },
        { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = second },
    };
    unsigned int done = 99;

    expect_result("pin_l1_of_a_fresh_frame_succeeds", pin(1, first), 0);
    expect_result("pin_l1_twice_is_einval", pin(1, first), -XEN_EINVAL);
    expect_result("pin_l2_of_a_pinned_l1_is_einval", pin(2, first), -XEN_EINVAL);
    expect_result("pinned_l1_cannot_be_mapped_writable", map_frame(memory.window, first, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("pinned_l1_can_be_mapped_read_only", map_frame(memory.window, first, DATA_PTE), 0);
    unmap_window();
    expect_result("unpin_of_a_pinned_l1_succeeds", unpin(first), 0);
    expect_result("second_unpin_is_einval", unpin(first), -XEN_EINVAL);
    expect_result("unpinned_frame_pins_as_l2", pin(2, first), 0);
    expect_result("unpin_of_the_l2_succeeds", unpin(first), 0);
    expect_result("pin_l3_of_a_zero_frame_succeeds", pin(3, first), 0);
    expect_result("unpin_of_the_l3_succeeds", unpin(first), 0);
    expect_result("pin_l4_of_a_zero_frame_succeeds", pin(4, first), 0);
    expect_result("unpin_of_the_l4_succeeds", unpin(first), 0);
    expect_true("unpinned_frame_is_writable_data_again", frame_is_writable_data(first), 0, "a writable mapping");
    expect_result("unpin_of_a_never_pinned_frame_is_einval", unpin(second), -XEN_EINVAL);

    expect_result("pin_l1_of_a_frame_mapped_writable_is_einval", pin(1, writable_frame), -XEN_EINVAL);
    expect_true("frame_refused_as_l1_stays_writable", !write_faults(writable_page, 1), 0, "no page fault");
    expect_result("frame_refused_as_l1_is_not_pinned", unpin(writable_frame), -XEN_EINVAL);
    expect_result("pin_l1_of_hypervisor_frame_is_einval", pin(1, hypervisor_frame), -XEN_EINVAL);
    expect_result("pin_l4_of_hypervisor_frame_is_einval", pin(4, hypervisor_frame), -XEN_EINVAL);
    expect_result("pin_l1_of_frame_beyond_ram_is_einval", pin(1, beyond_ram_frame), -XEN_EINVAL);
    if (foreign_frame != 0)
        expect_result("pin_l1_of_another_domains_frame_is_einval", pin(1, foreign_frame), -XEN_EINVAL);

    mmu_update_one(bad << PAGE_SHIFT, hypervisor_frame << PAGE_SHIFT | DATA_PTE);
    expect_result("pin_l1_holding_an_entry_for_hypervisor_frame_is_einval", pin(1, bad), -XEN_EINVAL);
    mmu_update_one(bad << PAGE_SHIFT, bad << PAGE_SHIFT | WRITABLE_PTE);
    expect_result("pin_l1_mapping_itself_writable_is_einval", pin(1, bad), -XEN_EINVAL);
    mmu_update_one(bad << PAGE_SHIFT, second << PAGE_SHIFT | DATA_PTE | PTE_BIT(62));
    expect_result("pin_l1_holding_an_entry_with_bit_62_is_einval", pin(1, bad), -XEN_EINVAL);
    mmu_update_one(bad << PAGE_SHIFT, second << PAGE_SHIFT | TABLE_PTE | PTE_LARGE);
    expect_result("pin_l2_holding_a_superpage_is_einval", pin(2, bad), -XEN_EINVAL);
    mmu_update_one(bad << PAGE_SHIFT, writable_frame << PAGE_SHIFT | TABLE_PTE);
    expect_result("pin_l2_holding_an_entry_to_a_writable_mapped_frame_is_einval", pin(2, bad), -XEN_EINVAL);
    mmu_update_one(bad << PAGE_SHIFT, 0);
    mmu_update_one(entry_machine_address(bad, FREE_L4_SLOT), bad << PAGE_SHIFT | TABLE_PTE);
    expect_result("pin_l4_holding_a_writable_entry_to_itself_is_einval", pin(4, bad), -XEN_EINVAL);
    mmu_update_one(entry_machine_address(bad, FREE_L4_SLOT), 0);
    expect_true("frames_refused_as_tables_stay_writable_data", frame_is_writable_data(bad), 0, "a writable mapping");
    expect_true("targets_of_refused_tables_stay_writable_data", frame_is_writable_data(second), 0,
                "a writable mapping");

    expect_result("batch_with_unknown_second_operation_is_enosys", call_mmuext_op(batch, 3, &done, DOMID_SELF),
                  -XEN_ENOSYS);
    expect_result("batch_with_unknown_second_operation_reports_1_done", done, 1);
    expect_result("batch_with_unknown_second_operation_did_the_first", unpin(first), 0);
    expect_result("batch_with_unknown_second_operation_skipped_the_third", unpin(second), -XEN_EINVAL);

    /* Four operations, the last on a page that is not mapped: three done, then -EFAULT. */
    uint64_t list_frame, next_frame;
    uint64_t list_page = take_slack_page(&memory, &list_frame);
    uint64_t next_page = take_slack_page(&memory, &next_frame);
    struct mmuext_op *list = (struct mmuext_op *)(next_page - 3 * sizeof(struct mmuext_op));

    if (next_page == list_page + PAGE_SIZE) {
        list[0] = (struct mmuext_op) { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = first };
        list[1] = (struct mmuext_op) { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
        list[2] = (struct mmuext_op) { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = second };
        map_frame(next_page, 0, 0);
        done = 99;
        expect_result("batch_whose_fourth_operation_is_unmapped_is_efault", call_mmuext_op(list, 4, &done, DOMID_SELF),
                      -XEN_EFAULT);
        expect_result("batch_whose_fourth_operation_is_unmapped_reports_3_done", done, 3);
        expect_result("batch_whose_fourth_operation_is_unmapped_did_the_third", unpin(second), 0);
        unpin(first);
        map_frame(next_page, next_frame, WRITABLE_PTE | PTE_DIRTY);
    } else {
        expect_true("setup_has_two_adjacent_slack_pages", false, 0, "adjacent pages");
    }

    expect_result("unpin_of_the_l4_in_use_as_cr3_succeeds", unpin(memory.l4_frame), 0);
    expect_result("unpinned_cr3_l4_still_cannot_be_mapped_writable",
                  map_frame(memory.window, memory.l4_frame, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("cr3_l4_can_be_pinned_again", pin(4, memory.l4_frame), 0);
}

/* The writable type is counted: a frame stays writable until its last
 * writable mapping goes, whichever way it goes (removed, or made read-only
 * in place). */
static void check_writable_references(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    uint64_t page_slot = bootstrap_l1_entry_machine_address(&memory, page);
    uint64_t original = *bootstrap_l1_entry(&memory, page);

    expect_result("second_writable_mapping_succeeds", map_frame(memory.window, frame, WRITABLE_PTE), 0);
    expect_result("pin_while_mapped_writable_twice_is_einval", pin(1, frame), -XEN_EINVAL);
    unmap_window();
    expect_result("pin_while_one_writable_mapping_remains_is_einval", pin(1, frame), -XEN_EINVAL);
    expect_result("making_the_last_writable_mapping_read_only_succeeds", map_frame(page, frame, DATA_PTE), 0);
    expect_result("pin_once_no_writable_mapping_remains_succeeds", pin(1, frame), 0);
    expect_result("pinned_frame_cannot_get_its_writable_mapping_back", map_frame(page, frame, WRITABLE_PTE),
                  -XEN_EINVAL);
    expect_result("unpin_of_the_formerly_writable_frame_succeeds", unpin(frame), 0);
    expect_result("writable_mapping_after_unpinning_succeeds", mmu_update_one(page_slot, original), 0);
    invalidate_page(page);
    expect_true("the_frame_is_written_directly_again", !write_faults(page, 1), 0, "no page fault");
}

/* A writable mapping removed without a flush (UVMF_NONE) may live on in
 * the TLB; when the frame then becomes a page table, the hypervisor must
 * flush it (Xen's tlbflush_timestamp check in get_page_type), or the
 * guest writes its pinned table directly. */
static void check_stale_writable_translation(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    bool ok;

    expect_true("setup_writes_the_page", !write_faults(page, 0), 0, "no page fault");
    expect_result("unmapping_without_a_flush_succeeds", hypercall_update_va_mapping(page, 0, UVMF_NONE), 0);
    expect_result("pin_l1_after_an_unflushed_unmapping_succeeds", pin(1, frame), 0);
    expect_true("write_through_the_stale_translation_faults",
                write_faults(page, hypervisor_frame << PAGE_SHIFT | WRITABLE_PTE), 0, "a page fault");
    expect_result("the_pinned_l1_is_still_empty", (long)peek(&memory, frame, 0, &ok), 0);
    expect_result("unpin_after_the_stale_translation_test_succeeds", unpin(frame), 0);
    map_frame(page, frame, WRITABLE_PTE | PTE_DIRTY);
}

/* XSA-286: update_va_mapping, an L2 swap by mmu_update, update_va_mapping
 * again, in one multicall: the last write goes to the new L1. */
static void check_l2_swap_in_a_multicall(void)
{
    uint64_t slot_index = memory.first_free_l2_slot + 8;
    uint64_t l2_slot = entry_machine_address(memory.l2_frame, slot_index);
    uint64_t address = KERNEL_VIRT_BASE + slot_index * L2_SPAN + 7 * PAGE_SIZE;
    uint64_t first_l1 = take_unmapped_frame(&memory), second_l1 = take_unmapped_frame(&memory);
    uint64_t first_data = take_unmapped_frame(&memory), second_data = take_unmapped_frame(&memory);
    struct mmu_update swap = { .ptr = l2_slot, .val = second_l1 << PAGE_SHIFT | TABLE_PTE };
    struct multicall_entry calls[3] = {
        { .op = __HYPERVISOR_update_va_mapping,
          .args = { address, first_data << PAGE_SHIFT | DATA_PTE, UVMF_INVLPG } },
        { .op = __HYPERVISOR_mmu_update, .args = { (uint64_t)&swap, 1, 0, DOMID_SELF } },
        { .op = __HYPERVISOR_update_va_mapping,
          .args = { address, second_data << PAGE_SHIFT | DATA_PTE, UVMF_INVLPG } },
    };
    bool ok;

    mmu_update_one(first_data << PAGE_SHIFT, MARKER);
    mmu_update_one(second_data << PAGE_SHIFT, MARKER + 1);
    expect_result("setup_links_the_first_l1", mmu_update_one(l2_slot, first_l1 << PAGE_SHIFT | TABLE_PTE), 0);
    expect_result("multicall_mapping_swapping_and_mapping_returns_0", hypercall_multicall(calls, 3), 0);
    expect_true("each_call_of_the_swap_multicall_succeeds",
                calls[0].result == 0 && calls[1].result == 0 && calls[2].result == 0, (long)calls[1].result,
                "three results of 0");
    expect_result("mapping_after_the_swap_is_in_the_new_l1", (long)peek(&memory, second_l1, 7, &ok),
                  (long)(second_data << PAGE_SHIFT | DATA_PTE | PTE_USER));
    expect_result("mapping_before_the_swap_stays_in_the_old_l1", (long)peek(&memory, first_l1, 7, &ok),
                  (long)(first_data << PAGE_SHIFT | DATA_PTE | PTE_USER));
    expect_result("address_reads_the_frame_mapped_after_the_swap", (long)probe_read(address), (long)(MARKER + 1));
    expect_result("unlinking_the_second_l1_succeeds", mmu_update_one(l2_slot, 0), 0);
}

static void check_base_pointers(void)
{
    uint64_t pinned_l1 = take_unmapped_frame(&memory), user = take_unmapped_frame(&memory);
    uint64_t writable_frame;
    uint64_t cr3 = memory.l4_frame << PAGE_SHIFT;

    take_slack_page(&memory, &writable_frame);
    expect_result("new_baseptr_of_hypervisor_frame_is_einval", mmuext_one(MMUEXT_NEW_BASEPTR, hypervisor_frame),
                  -XEN_EINVAL);
    expect_result("new_baseptr_of_frame_beyond_ram_is_einval", mmuext_one(MMUEXT_NEW_BASEPTR, beyond_ram_frame),
                  -XEN_EINVAL);
    if (foreign_frame != 0)
        expect_result("new_baseptr_of_another_domains_frame_is_einval",
                      mmuext_one(MMUEXT_NEW_BASEPTR, foreign_frame), -XEN_EINVAL);
    expect_result("new_baseptr_of_a_frame_mapped_writable_is_einval", mmuext_one(MMUEXT_NEW_BASEPTR, writable_frame),
                  -XEN_EINVAL);
    pin(1, pinned_l1);
    expect_result("new_baseptr_of_a_pinned_l1_is_einval", mmuext_one(MMUEXT_NEW_BASEPTR, pinned_l1), -XEN_EINVAL);
    unpin(pinned_l1);
    mmu_update_one(entry_machine_address(user, FREE_L4_SLOT), hypervisor_frame << PAGE_SHIFT | TABLE_PTE);
    expect_result("new_baseptr_of_an_l4_with_an_entry_to_hypervisor_frame_is_einval",
                  mmuext_one(MMUEXT_NEW_BASEPTR, user), -XEN_EINVAL);
    expect_true("l4_refused_as_base_pointer_stays_writable_data", frame_is_writable_data(user), 0,
                "a writable mapping");
    mmu_update_one(entry_machine_address(user, FREE_L4_SLOT), 0);
    expect_result("refused_base_pointers_leave_cr3_unchanged", (long)read_cr3(), (long)cr3);
    expect_result("new_baseptr_of_the_current_l4_succeeds", mmuext_one(MMUEXT_NEW_BASEPTR, memory.l4_frame), 0);
    expect_result("cr3_reads_the_current_l4", (long)read_cr3(), (long)cr3);
    expect_result("new_user_baseptr_0_succeeds", mmuext_one(MMUEXT_NEW_USER_BASEPTR, 0), 0);
    expect_result("new_user_baseptr_of_a_frame_mapped_writable_is_einval",
                  mmuext_one(MMUEXT_NEW_USER_BASEPTR, writable_frame), -XEN_EINVAL);
    expect_result("new_user_baseptr_of_a_fresh_frame_succeeds", mmuext_one(MMUEXT_NEW_USER_BASEPTR, user), 0);
    expect_result("user_l4_cannot_be_mapped_writable", map_frame(memory.window, user, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("new_user_baseptr_back_to_0_succeeds", mmuext_one(MMUEXT_NEW_USER_BASEPTR, 0), 0);
    expect_true("former_user_l4_is_writable_data_again", frame_is_writable_data(user), 0, "a writable mapping");
}

/* Run on the fresh tables: the bootstrap L4, unpinned and out of CR3, is
 * plain memory; once the guest has written it, it must be validated again
 * before it can be CR3 or pinned. */
static void check_former_l4_is_validated_again(uint64_t fresh_l4)
{
    uint64_t l4_page = runtime_start_info->pt_base;
    volatile uint64_t *l4 = (volatile uint64_t *)l4_page;

    expect_result("unpin_of_the_bootstrap_l4_out_of_cr3_succeeds", unpin(memory.l4_frame), 0);
    expect_result("former_l4_can_be_mapped_writable", map_frame(l4_page, memory.l4_frame, WRITABLE_PTE | PTE_DIRTY), 0);
    l4[FREE_L4_SLOT] = hypervisor_frame << PAGE_SHIFT | TABLE_PTE;
    expect_result("former_l4_can_be_mapped_read_only_again", map_frame(l4_page, memory.l4_frame, DATA_PTE), 0);
    expect_result("new_baseptr_of_the_former_l4_with_a_bad_entry_is_einval",
                  mmuext_one(MMUEXT_NEW_BASEPTR, memory.l4_frame), -XEN_EINVAL);
    expect_result("refused_new_baseptr_leaves_cr3_on_the_fresh_l4", (long)read_cr3(), (long)(fresh_l4 << PAGE_SHIFT));
    expect_result("pin_l4_of_the_former_l4_with_a_bad_entry_is_einval", pin(4, memory.l4_frame), -XEN_EINVAL);
    map_frame(l4_page, memory.l4_frame, WRITABLE_PTE | PTE_DIRTY);
    l4[FREE_L4_SLOT] = 0;
    map_frame(l4_page, memory.l4_frame, DATA_PTE);
    expect_result("repaired_former_l4_pins_again", pin(4, memory.l4_frame), 0);
}

/* A fresh hierarchy built and pinned in one multicall, switched to and back. */
static void check_fresh_hierarchy(void)
{
    uint64_t l4 = take_unmapped_frame(&memory), l3 = take_unmapped_frame(&memory);
    uint64_t l2 = take_unmapped_frame(&memory), l1 = take_unmapped_frame(&memory);
    uint64_t data = take_unmapped_frame(&memory);
    uint64_t tables[4] = { l4, l3, l2, l1 };
    struct mmuext_op clear[4];
    struct mmu_update writes[8] = {
        { .ptr = data << PAGE_SHIFT, .val = MARKER },
        { .ptr = entry_machine_address(l1, table_index(FRESH_ADDRESS, 1)), .val = data << PAGE_SHIFT | WRITABLE_PTE },
        { .ptr = entry_machine_address(l2, table_index(FRESH_ADDRESS, 2)), .val = l1 << PAGE_SHIFT | TABLE_PTE },
        { .ptr = entry_machine_address(l3, table_index(FRESH_ADDRESS, 3)), .val = l2 << PAGE_SHIFT | TABLE_PTE },
        { .ptr = entry_machine_address(l4, FRESH_L4_SLOT), .val = l3 << PAGE_SHIFT | TABLE_PTE },
        { .ptr = entry_machine_address(l4, table_index(KERNEL_VIRT_BASE, 4)),
          .val = memory.l3_frame << PAGE_SHIFT | TABLE_PTE },
        /* The guest's own entries in the hypervisor's slots: ignored and replaced by validation. */
        { .ptr = entry_machine_address(l4, FIRST_HYPERVISOR_L4_SLOT), .val = data << PAGE_SHIFT | WRITABLE_PTE },
        { .ptr = entry_machine_address(l4, LAST_HYPERVISOR_L4_SLOT), .val = l3 << PAGE_SHIFT | TABLE_PTE },
    };
    struct mmuext_op pin_l4 = { .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = l4 };
    unsigned int clear_done = 0, writes_done = 0, pin_done = 0;
    struct multicall_entry calls[3] = {
        { .op = __HYPERVISOR_mmuext_op, .args = { (uint64_t)clear, 4, (uint64_t)&clear_done, DOMID_SELF } },
        { .op = __HYPERVISOR_mmu_update, .args = { (uint64_t)writes, 8, (uint64_t)&writes_done, DOMID_SELF } },
        { .op = __HYPERVISOR_mmuext_op, .args = { (uint64_t)&pin_l4, 1, (uint64_t)&pin_done, DOMID_SELF } },
    };
    bool same_slots = true, ok;

    for (unsigned int index = 0; index < 4; index++)
        clear[index] = (struct mmuext_op) { .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = tables[index] };
    expect_result("multicall_building_a_hierarchy_returns_0", hypercall_multicall(calls, 3), 0);
    expect_result("clear_page_of_four_frames_in_a_multicall_succeeds", (long)calls[0].result, 0);
    expect_result("mmu_update_of_eight_plain_entries_in_a_multicall_succeeds", (long)calls[1].result, 0);
    expect_result("mmu_update_of_eight_plain_entries_reports_8_done", writes_done, 8);
    expect_result("fresh_hierarchy_pins_as_l4", (long)calls[2].result, 0);
    if (calls[2].result != 0)
        return;
    expect_result("fresh_l1_cannot_be_mapped_writable", map_frame(memory.window, l1, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("fresh_l4_cannot_be_mapped_writable", map_frame(memory.window, l4, WRITABLE_PTE), -XEN_EINVAL);
    /* The processor sets A in the entries it walks: compare without it. */
    for (unsigned int slot = FIRST_HYPERVISOR_L4_SLOT; slot <= LAST_HYPERVISOR_L4_SLOT; slot++) {
        uint64_t fresh_entry = peek(&memory, l4, slot, &ok);

        if (!ok || ((fresh_entry ^ memory.l4[slot]) & ~(PTE_ACCESSED | PTE_DIRTY)) != 0) {
            console_printf("page_tables: fresh L4 slot %u holds %#lx, the bootstrap L4 %#lx\n", slot, fresh_entry,
                           (unsigned long)memory.l4[slot]);
            same_slots = false;
        }
    }
    expect_true("validated_l4_holds_the_hypervisors_slots", same_slots, 0, "slots 256-271 as in the bootstrap L4");
    expect_result("new_baseptr_to_the_fresh_l4_succeeds", mmuext_one(MMUEXT_NEW_BASEPTR, l4), 0);
    expect_result("cr3_names_the_fresh_l4", (long)read_cr3(), (long)(l4 << PAGE_SHIFT));
    expect_result("fresh_tables_map_the_data_frame", (long)probe_read(FRESH_ADDRESS), (long)MARKER);
    expect_true("write_through_the_fresh_tables_succeeds", !write_faults(FRESH_ADDRESS, MARKER + 1), 0,
                "no page fault");
    check_former_l4_is_validated_again(l4);
    expect_result("unpin_of_the_fresh_l4_in_cr3_succeeds", unpin(l4), 0);
    expect_result("unpinned_fresh_l4_in_cr3_still_cannot_be_mapped_writable",
                  map_frame(memory.window, l4, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("unpinned_fresh_l4_in_cr3_still_translates", (long)probe_read(FRESH_ADDRESS), (long)(MARKER + 1));
    expect_result("new_baseptr_back_to_the_bootstrap_l4_succeeds", mmuext_one(MMUEXT_NEW_BASEPTR, memory.l4_frame), 0);
    expect_result("cr3_names_the_bootstrap_l4_again", (long)read_cr3(), (long)(memory.l4_frame << PAGE_SHIFT));
    expect_true("fresh_address_faults_in_the_bootstrap_tables", read_faults(FRESH_ADDRESS), 0, "a page fault");
    expect_result("write_through_the_fresh_tables_reached_the_frame", (long)peek(&memory, data, 0, &ok),
                  (long)(MARKER + 1));
    expect_result("second_unpin_of_the_fresh_l4_is_einval", unpin(l4), -XEN_EINVAL);
    for (unsigned int level = 4; level >= 1; level--) {
        char name[NAME_SIZE];

        format_string(name, sizeof(name), "unpinned_fresh_l%u_is_writable_data_again", level);
        expect_true(name, frame_is_writable_data(tables[4 - level]), 0, "a writable mapping");
    }
}

/* Writes count entries into frame through the window, as plain data. */
static bool fill_table(uint64_t frame, const uint64_t *entries, unsigned int count)
{
    volatile uint64_t *window = (volatile uint64_t *)memory.window;

    if (map_frame(memory.window, frame, WRITABLE_PTE) != 0)
        return false;
    for (unsigned int index = 0; index < count; index++)
        window[index] = entries[index];
    unmap_window();
    return true;
}

static bool take_frames(uint64_t *frames, unsigned int count)
{
    for (unsigned int index = 0; index < count; index++) {
        frames[index] = take_unmapped_frame(&memory);
        if (frames[index] == 0)
            return false;
    }
    return true;
}

/* LARGE_TREE_L1S L1s full of read-only mappings of one data frame (32
 * MiB of mappings, 8192 entries to validate) under one L2, L3 and L4:
 * frames[0] the L4, [1] the L3, [2] the L2, then the L1s, then the data. */
static bool build_large_tree(uint64_t *frames)
{
    static uint64_t entries[ENTRIES_PER_TABLE];
    uint64_t data = frames[LARGE_TREE_TABLES];
    bool built = true;

    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        entries[index] = data << PAGE_SHIFT | DATA_PTE;
    for (unsigned int l1 = 0; l1 < LARGE_TREE_L1S; l1++)
        built = built && fill_table(frames[3 + l1], entries, ENTRIES_PER_TABLE);
    for (unsigned int l1 = 0; l1 < LARGE_TREE_L1S; l1++)
        entries[l1] = frames[3 + l1] << PAGE_SHIFT | TABLE_PTE;
    built = built && fill_table(frames[2], entries, LARGE_TREE_L1S);
    entries[0] = frames[2] << PAGE_SHIFT | TABLE_PTE;
    built = built && fill_table(frames[1], entries, 1);
    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        entries[index] = 0;
    entries[FRESH_L4_SLOT] = frames[1] << PAGE_SHIFT | TABLE_PTE;
    return built && fill_table(frames[0], entries, FRESH_L4_SLOT + 1);
}

/* Pinning and unpinning a large tree is long work, which pvmon does in
 * bounded, preemptible steps (pvmon/page_type.h: partial tables, and the
 * unpin's devalidation left pending on the vCPU for the next request to
 * finish first).  Whether or not it was preempted, the guest sees each
 * call complete, through continuations. */
static void check_large_tree(void)
{
    uint64_t frames[LARGE_TREE_TABLES + 1];
    struct mmuext_op twice[4] = {
        { .cmd = MMUEXT_PIN_L4_TABLE }, { .cmd = MMUEXT_UNPIN_TABLE },
        { .cmd = MMUEXT_PIN_L4_TABLE }, { .cmd = MMUEXT_UNPIN_TABLE },
    };
    unsigned int done = 0;
    bool free_again = true;
    bool available = take_frames(frames, LARGE_TREE_TABLES + 1);
    bool built = available && build_large_tree(frames);

    expect_true("large_tree_frames_are_available", available, 0, "20 free frames");
    expect_true("large_tree_is_written_as_plain_data", built, 0, "writable mappings");
    if (!built)
        return;
    expect_result("pin_of_a_32_mib_tree_succeeds", pin(4, frames[0]), 0);
    expect_result("l1_of_the_pinned_large_tree_cannot_be_mapped_writable",
                  map_frame(memory.window, frames[3 + LARGE_TREE_L1S - 1], WRITABLE_PTE), -XEN_EINVAL);
    expect_result("unpin_of_the_32_mib_tree_succeeds", unpin(frames[0]), 0);
    for (unsigned int index = 0; index < 4; index++)
        twice[index].arg1.mfn = frames[0];
    expect_result("pin_unpin_pin_unpin_of_the_large_tree_in_one_batch_succeeds",
                  call_mmuext_op(twice, 4, &done, DOMID_SELF), 0);
    expect_result("pin_unpin_pin_unpin_of_the_large_tree_reports_4_done", done, 4);
    for (unsigned int index = 0; index < LARGE_TREE_TABLES; index++)
        free_again = free_again && frame_is_writable_data(frames[index]);
    expect_true("every_table_of_the_unpinned_large_tree_is_writable_data_again", free_again, 0,
                "writable mappings");
}

static void check_flushes(void)
{
    uint64_t mask = 1;
    struct mmuext_op operation = { .cmd = MMUEXT_TLB_FLUSH_MULTI };
    long result;

    expect_result("tlb_flush_local_succeeds", mmuext_one(MMUEXT_TLB_FLUSH_LOCAL, 0), 0);
    expect_result("tlb_flush_all_succeeds", mmuext_one(MMUEXT_TLB_FLUSH_ALL, 0), 0);
    expect_result("invlpg_local_succeeds", invalidate_page(memory.window), 0);
    operation = (struct mmuext_op) { .cmd = MMUEXT_INVLPG_ALL, .arg1.linear_addr = memory.window };
    expect_result("invlpg_all_succeeds", call_mmuext_op(&operation, 1, NULL, DOMID_SELF), 0);

    operation = (struct mmuext_op) { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = NON_CANONICAL_ADDRESS };
    result = call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
    expect_true("invlpg_local_of_a_non_canonical_address_is_harmless", result == 0 || result == -XEN_EINVAL, result,
                "0 or -22");
    operation = (struct mmuext_op) { .cmd = MMUEXT_INVLPG_ALL, .arg1.linear_addr = HYPERVISOR_IMAGE_ADDRESS };
    result = call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
    expect_true("invlpg_all_of_a_hypervisor_address_is_harmless", result == 0 || result == -XEN_EINVAL, result,
                "0 or -22");
    expect_result("flush_cache_is_eacces", mmuext_one(MMUEXT_FLUSH_CACHE, 0), -XEN_EACCES);
    result = hypercall_update_va_mapping(memory.window, 0, HYPERVISOR_IMAGE_ADDRESS | UVMF_INVLPG);
    expect_true("update_va_mapping_with_a_vcpu_mask_in_hypervisor_space_is_harmless",
                result == 0 || result == -XEN_EFAULT, result, "0 or -14");
    result = hypercall_update_va_mapping(memory.window, 0, NON_CANONICAL_ADDRESS | UVMF_TLB_FLUSH);
    expect_true("update_va_mapping_with_a_non_canonical_vcpu_mask_is_harmless",
                result == 0 || result == -XEN_EFAULT, result, "0 or -14");

    operation = (struct mmuext_op) { .cmd = MMUEXT_TLB_FLUSH_MULTI };
    set_xen_guest_handle(operation.arg2.vcpumask, &mask);
    expect_result("tlb_flush_multi_succeeds", call_mmuext_op(&operation, 1, NULL, DOMID_SELF), 0);
    set_xen_guest_handle(operation.arg2.vcpumask, (const void *)UNMAPPED_ADDRESS);
    expect_result("tlb_flush_multi_with_unmapped_mask_is_efault", call_mmuext_op(&operation, 1, NULL, DOMID_SELF),
                  -XEN_EFAULT);
    set_xen_guest_handle(operation.arg2.vcpumask, (const void *)HYPERVISOR_IMAGE_ADDRESS);
    expect_result("tlb_flush_multi_with_mask_in_hypervisor_is_efault", call_mmuext_op(&operation, 1, NULL, DOMID_SELF),
                  -XEN_EFAULT);
    operation = (struct mmuext_op) { .cmd = MMUEXT_INVLPG_MULTI, .arg1.linear_addr = memory.window };
    set_xen_guest_handle(operation.arg2.vcpumask, &mask);
    expect_result("invlpg_multi_succeeds", call_mmuext_op(&operation, 1, NULL, DOMID_SELF), 0);
    set_xen_guest_handle(operation.arg2.vcpumask, (const void *)UNMAPPED_ADDRESS);
    expect_result("invlpg_multi_with_unmapped_mask_is_efault", call_mmuext_op(&operation, 1, NULL, DOMID_SELF),
                  -XEN_EFAULT);
}

static long set_ldt(uint64_t address, unsigned int entries)
{
    struct mmuext_op operation = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = address, .arg2.nr_ents = entries };

    return call_mmuext_op(&operation, 1, NULL, DOMID_SELF);
}

static void check_ldt(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);

    expect_result("set_ldt_misaligned_is_einval", set_ldt(page + 8, 1), -XEN_EINVAL);
    expect_result("set_ldt_of_8193_entries_is_einval", set_ldt(page, 8193), -XEN_EINVAL);
    expect_result("set_ldt_in_hypervisor_range_is_einval", set_ldt(HYPERVISOR_RANGE_START, 1), -XEN_EINVAL);
    expect_result("set_ldt_non_canonical_is_einval", set_ldt(NON_CANONICAL_ADDRESS, 1), -XEN_EINVAL);
    expect_result("set_ldt_running_into_non_canonical_addresses_is_einval", set_ldt(TOP_OF_LOWER_HALF, 8192),
                  -XEN_EINVAL);
    /* A real LDT is tested in ldt.c; this page is mapped writable. */
    expect_result("set_ldt_of_a_writable_page_is_einval", set_ldt(page, 1), -XEN_EINVAL);
    expect_result("set_ldt_of_no_entries_succeeds", set_ldt(0, 0), 0);
}

static void check_clear_and_copy(void)
{
    uint64_t target = take_unmapped_frame(&memory), source = take_unmapped_frame(&memory);
    uint64_t table = take_unmapped_frame(&memory);
    uint64_t in_use_l1 = entry_frame(memory.l2[0]);
    uint64_t table_entry;
    bool ok;

    mmu_update_one(target << PAGE_SHIFT, MARKER);
    mmu_update_one((target << PAGE_SHIFT) + 511 * 8, MARKER);
    expect_result("clear_page_of_an_own_frame_succeeds", mmuext_one(MMUEXT_CLEAR_PAGE, target), 0);
    expect_true("clear_page_zeroes_the_frame",
                peek(&memory, target, 0, &ok) == 0 && peek(&memory, target, 511, &ok) == 0, 0, "zeros");
    mmu_update_one((source << PAGE_SHIFT) + 7 * 8, MARKER);
    expect_result("copy_page_of_own_frames_succeeds", mmuext_copy_page(target, source), 0);
    expect_result("copy_page_copies_the_frame", (long)peek(&memory, target, 7, &ok), (long)MARKER);

    mmu_update_one(table << PAGE_SHIFT, source << PAGE_SHIFT | DATA_PTE);
    expect_result("pin_l1_for_the_clear_test_succeeds", pin(1, table), 0);
    table_entry = peek(&memory, table, 0, &ok);
    expect_result("clear_page_of_a_pinned_table_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, table), -XEN_EINVAL);
    expect_result("copy_page_into_a_pinned_table_is_einval", mmuext_copy_page(table, target), -XEN_EINVAL);
    expect_true("refused_clear_and_copy_leave_the_pinned_table", peek(&memory, table, 0, &ok) == table_entry &&
                entry_frame(table_entry) == source, (long)table_entry, "its entry as it was");
    unpin(table);
    expect_result("clear_page_of_a_table_in_use_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, in_use_l1), -XEN_EINVAL);
    expect_result("clear_page_of_the_cr3_l4_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, memory.l4_frame), -XEN_EINVAL);
    expect_true("refused_clear_leaves_the_cr3_l4", memory.l4[table_index(KERNEL_VIRT_BASE, 4)] != 0, 0,
                "the kernel's L4 entry");
    expect_result("clear_page_of_hypervisor_frame_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, hypervisor_frame),
                  -XEN_EINVAL);
    expect_result("clear_page_beyond_ram_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, beyond_ram_frame), -XEN_EINVAL);
    expect_result("copy_page_from_hypervisor_frame_is_einval", mmuext_copy_page(target, hypervisor_frame),
                  -XEN_EINVAL);
    expect_result("copy_page_into_hypervisor_frame_is_einval", mmuext_copy_page(hypervisor_frame, source),
                  -XEN_EINVAL);
    if (foreign_frame != 0) {
        expect_result("clear_page_of_another_domains_frame_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, foreign_frame),
                      -XEN_EINVAL);
        expect_result("copy_page_from_another_domains_frame_is_einval", mmuext_copy_page(target, foreign_frame),
                      -XEN_EINVAL);
    }
    expect_result("refused_copies_leave_the_target", (long)peek(&memory, target, 7, &ok), (long)MARKER);
}

static void check_descriptor_page(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    xen_ulong_t frames[1] = { frame };
    const volatile uint64_t *slot = bootstrap_l1_entry(&memory, page);
    uint64_t read_only;

    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        ((volatile uint64_t *)page)[index] = 0;
    expect_result("read_only_mapping_of_the_descriptor_frame_succeeds", map_frame(page, frame, DATA_PTE), 0);
    read_only = *slot;
    expect_result("set_gdt_of_a_read_only_frame_succeeds", hypercall_set_gdt(frames, 512), 0);
    expect_refused("writable_mapping_of_the_descriptor_page_by_update_va_mapping",
                   map_frame(page, frame, WRITABLE_PTE), -XEN_EINVAL, slot, read_only);
    expect_refused("writable_mapping_of_the_descriptor_page_by_mmu_update",
                   mmu_update_one(bootstrap_l1_entry_machine_address(&memory, page),
                                  frame << PAGE_SHIFT | WRITABLE_PTE),
                   -XEN_EINVAL, slot, read_only);
    expect_true("write_to_the_descriptor_page_faults", write_faults(page, 1), 0, "a page fault");
    expect_result("mmu_update_writing_into_the_descriptor_page_is_einval",
                  mmu_update_one((frame << PAGE_SHIFT) + 8, UINT64_C(0x00cff3000000ffff)), -XEN_EINVAL);
    expect_result("refused_writes_leave_the_descriptor_page", (long)((const volatile uint64_t *)page)[1], 0);
    expect_result("pin_of_the_descriptor_page_is_einval", pin(1, frame), -XEN_EINVAL);
    expect_result("clear_page_of_the_descriptor_page_is_einval", mmuext_one(MMUEXT_CLEAR_PAGE, frame), -XEN_EINVAL);
    expect_result("set_gdt_of_no_entries_succeeds", hypercall_set_gdt(frames, 0), 0);
    expect_result("released_descriptor_page_can_be_mapped_writable", map_frame(page, frame, WRITABLE_PTE | PTE_DIRTY),
                  0);
}

static void check_update_va_mapping(void)
{
    uint64_t empty_slot_address = KERNEL_VIRT_BASE + (memory.first_free_l2_slot + 6) * L2_SPAN;
    uint64_t frame;

    take_slack_page(&memory, &frame);
    expect_result("update_va_mapping_in_hypervisor_range_is_einval",
                  hypercall_update_va_mapping(HYPERVISOR_IMAGE_ADDRESS, 0, UVMF_INVLPG), -XEN_EINVAL);
    expect_result("update_va_mapping_non_canonical_is_einval",
                  hypercall_update_va_mapping(NON_CANONICAL_ADDRESS, 0, UVMF_INVLPG), -XEN_EINVAL);
    expect_result("update_va_mapping_without_an_l3_is_einval",
                  hypercall_update_va_mapping(UNMAPPED_ADDRESS & ~(PAGE_SIZE - 1), frame << PAGE_SHIFT | DATA_PTE,
                                              UVMF_INVLPG),
                  -XEN_EINVAL);
    expect_result("update_va_mapping_without_an_l2_is_einval",
                  hypercall_update_va_mapping(UINT64_C(0xffffff8000000000), frame << PAGE_SHIFT | DATA_PTE,
                                              UVMF_INVLPG),
                  -XEN_EINVAL);
    expect_result("update_va_mapping_without_an_l1_is_einval",
                  hypercall_update_va_mapping(empty_slot_address, frame << PAGE_SHIFT | DATA_PTE, UVMF_INVLPG),
                  -XEN_EINVAL);
    expect_result("update_va_mapping_of_own_frame_succeeds", map_frame(memory.window, frame, DATA_PTE), 0);
    unmap_window();
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);
    long maximum_ram_page = call_memory_op(XENMEM_maximum_ram_page, NULL);

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    own_id = own_domain_id();
    expect_true("setup_learns_its_own_domain_id", own_id > 0, own_id, "a domU id");
    expect_true("setup_learns_the_number_of_machine_frames", maximum_ram_page > 0, maximum_ram_page, "a count");
    if (!ready || own_id <= 0 || maximum_ram_page <= 0)
        return;
    beyond_ram_frame = (uint64_t)maximum_ram_page + 16;
    foreign_frame = find_foreign_frame(&memory);
    expect_true("setup_finds_a_frame_of_another_domain", foreign_frame != 0, 0, "a frame in the M2P not ours");
    expect_page_faults();

    check_mmu_update_arguments();
    check_mmu_update_batches();
    check_mmu_update_targets();
    check_l1_entries();
    check_writable_bit_alone();
    check_upper_level_entries();
    check_request_list_at_the_canonical_boundary();
    check_mmuext_arguments();
    check_pinning();
    check_writable_references();
    check_stale_writable_translation();
    check_l2_swap_in_a_multicall();
    check_base_pointers();
    check_fresh_hierarchy();
    check_large_tree();
    check_flushes();
    check_ldt();
    check_clear_and_copy();
    check_descriptor_page();
    check_update_va_mapping();
    check_linear_page_tables();
}
