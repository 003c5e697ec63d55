/*
 * A domU's memory reservation: memory_op XENMEM_populate_physmap,
 * XENMEM_increase_reservation, XENMEM_decrease_reservation,
 * current/maximum_reservation, and pvmon's memory extension (known-zero
 * frames, statistics), with adversarial inputs (security anchors 18, 19).
 * Frames freed and received are counted exactly from the domain's own
 * counters (the extension's domain_statistics; the machine-wide ones are
 * dom0's alone).
 *
 * Rules, by group (Xen 4.14 xen/common/memory.c: do_memory_op,
 * populate_physmap, increase_reservation, decrease_reservation,
 * guest_remove_page; pvmon's deviations marked):
 *   - Arguments: extent_order other than 0 is -EINVAL (pvmon: no
 *     superpages); a domid other than DOMID_SELF or the caller's own is
 *     -EPERM; an unreadable argument or extent list does nothing (Xen
 *     returns the 0 extents done; -EFAULT is accepted too), even with
 *     2^62 extents.
 *   - The result is the number of extents done; the call stops at the
 *     first extent that fails: a frame the caller does not hold, the
 *     maximum reservation reached, no memory.  current_reservation counts
 *     the frames held.
 *   - populate_physmap takes gpfns and writes back the machine frames,
 *     whose M2P entries become those gpfns; increase_reservation writes
 *     back machine frames.  Every frame handed out is zero and known zero
 *     (extension query) until it is first mapped writable; CLEAR_PAGE of a
 *     frame nothing maps writable makes it known zero again.
 *   - decrease_reservation of an unmapped frame frees it at once (M2P
 *     entry invalid, not mappable, pinnable or writable by mmu_update any
 *     more).  A decreased frame still mapped stays readable and writable
 *     through that mapping, cannot be mapped anew or pinned, and is freed
 *     when its last mapping goes.  A pinned L1 in use, or the L4 in CR3,
 *     is never freed while in use (anchor 19: refused, or deferred); the
 *     shared_info frame is the hypervisor's (0 extents done).
 *   - A frame given back counts in current_reservation until it is really
 *     freed (Xen's tot_pages), and no path adds a frame beyond the
 *     maximum: a frame kept alive by a mapping or a pin cannot be traded
 *     for a fresh one.  The pin survives the give-back (Xen 4.17, since
 *     XSA-252 guest_remove_page no longer unpins): the guest unpins it.
 *   - The extension: query of a frame not owned reports not known zero;
 *     more than PVMON_KNOWN_ZERO_QUERY_LIMIT frames -EINVAL; unreadable
 *     or unwritable structures and lists -EFAULT; unknown command -ENOSYS.
 *   - Free page reporting (PVMON_MEMORY_give_back_free, pvmon's, stricter
 *     than decrease_reservation: Xen's steal_page rule): a frame nothing
 *     but its allocation references leaves at once (current_reservation
 *     drops, it cannot be mapped, it is no longer known zero to us); a
 *     frame still mapped, pinned, not ours or the hypervisor's is -EINVAL
 *     and stays as it was; the call stops at the first refused frame and
 *     says how many went before it; more than PVMON_GIVE_BACK_LIMIT frames
 *     or a non-zero given_back on entry -EINVAL; unreadable lists and
 *     structures -EFAULT; the frames can be populated again, zero.
 */
#include "pv_memory.h"

const char test_family[] = "reservation";

#define VALUE UINT64_C(0x0123456789abcdef)
#define SECOND_VALUE UINT64_C(0xfedcba9876543210)
#define DATA_PTE (PTE_PRESENT | PTE_ACCESSED)
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define UNKNOWN_EXTENSION_COMMAND 99

static struct guest_memory memory;
static const uint64_t hypervisor_frame = HYPERVISOR_IMAGE_MACHINE_ADDRESS >> PAGE_SHIFT;
static long own_id;

static long populate(uint64_t *extents, uint64_t count)
{
    return reservation_op(XENMEM_populate_physmap, extents, count, 0, DOMID_SELF);
}

static long increase(uint64_t *extents, uint64_t count)
{
    return reservation_op(XENMEM_increase_reservation, extents, count, 0, DOMID_SELF);
}

static long decrease(uint64_t *extents, uint64_t count)
{
    return reservation_op(XENMEM_decrease_reservation, extents, count, 0, DOMID_SELF);
}

static long decrease_one(uint64_t frame)
{
    return decrease(&frame, 1);
}

static long free_frames_since(uint64_t before)
{
    return (long)(own_frames_freed_minus_received() - before);
}

static uint64_t frames_received(void)
{
    struct pvmon_domain_memory_statistics statistics = { 0 };

    own_statistics(&statistics);
    return statistics.frames_received;
}

/* Its frames pvmon zeroed for it, from the pool or at allocation. */
static uint64_t frames_received_zeroed(void)
{
    struct pvmon_domain_memory_statistics statistics = { 0 };

    own_statistics(&statistics);
    return statistics.prezeroed_frames_received + statistics.frames_zeroed_on_demand;
}

static void unmap_window(void)
{
    hypercall_update_va_mapping(memory.window, 0, UVMF_INVLPG);
}

/* Whether the frame is owned (it can be mapped read-only), and all zero. */
static bool frame_is_owned_and_zero(uint64_t frame)
{
    bool zero = true;

    if (map_frame(memory.window, frame, DATA_PTE) != 0)
        return false;
    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        zero = zero && ((const volatile uint64_t *)memory.window)[index] == 0;
    unmap_window();
    return zero;
}

/* --- arguments ------------------------------------------------------------------- */

static void check_arguments(void)
{
    long current = current_reservation();
    uint64_t free_before = own_frames_freed_minus_received();
    uint64_t frame = take_unmapped_frame(&memory);
    uint64_t extent = pfn_of_frame(frame);
    long result;

    expect_result("current_reservation_is_nr_pages", current, (long)memory.nr_pages);
    expect_true("maximum_reservation_is_at_least_current", maximum_reservation() >= current, maximum_reservation(),
                "at least current_reservation");
    expect_result("populate_with_extent_order_1_is_einval",
                  reservation_op(XENMEM_populate_physmap, &extent, 1, 1, DOMID_SELF), -XEN_EINVAL);
    expect_result("populate_with_extent_order_63_is_einval",
                  reservation_op(XENMEM_populate_physmap, &extent, 1, 63, DOMID_SELF), -XEN_EINVAL);
    expect_result("increase_with_extent_order_9_is_einval",
                  reservation_op(XENMEM_increase_reservation, &extent, 1, 9, DOMID_SELF), -XEN_EINVAL);
    extent = frame;
    expect_result("decrease_with_extent_order_1_is_einval",
                  reservation_op(XENMEM_decrease_reservation, &extent, 1, 1, DOMID_SELF), -XEN_EINVAL);
    expect_result("decrease_for_dom0_is_eperm", reservation_op(XENMEM_decrease_reservation, &extent, 1, 0, 0),
                  -XEN_EPERM);
    expect_result("decrease_for_an_unknown_domain_is_eperm",
                  reservation_op(XENMEM_decrease_reservation, &extent, 1, 0, MISSING_DOMAIN), -XEN_EPERM);
    extent = pfn_of_frame(frame);
    expect_result("populate_for_dom0_is_eperm", reservation_op(XENMEM_populate_physmap, &extent, 1, 0, 0),
                  -XEN_EPERM);
    expect_result("increase_for_dom0_is_eperm", reservation_op(XENMEM_increase_reservation, &extent, 1, 0, 0),
                  -XEN_EPERM);
    expect_result("decrease_of_no_extents_with_own_id_returns_0",
                  reservation_op(XENMEM_decrease_reservation, &extent, 0, 0, (domid_t)own_id), 0);

    result = call_memory_op(XENMEM_populate_physmap, (void *)UNMAPPED_ADDRESS);
    expect_true("populate_with_unmapped_argument_does_nothing", result == 0 || result == -XEN_EFAULT, result,
                "0 or -14");
    result = call_memory_op(XENMEM_decrease_reservation, (void *)HYPERVISOR_IMAGE_ADDRESS);
    expect_true("decrease_with_argument_in_hypervisor_does_nothing", result == 0 || result == -XEN_EFAULT, result,
                "0 or -14");
    result = decrease((uint64_t *)UNMAPPED_ADDRESS, 1);
    expect_true("decrease_with_unmapped_extent_list_does_nothing", result == 0 || result == -XEN_EFAULT, result,
                "0 or -14");
    result = populate((uint64_t *)HYPERVISOR_IMAGE_ADDRESS, 1);
    expect_true("populate_with_extent_list_in_hypervisor_does_nothing", result == 0 || result == -XEN_EFAULT, result,
                "0 or -14");
    result = populate((uint64_t *)UNMAPPED_ADDRESS, UINT64_C(1) << 62);
    expect_true("populate_of_2_pow_62_extents_from_an_unmapped_list_does_nothing",
                result == 0 || result == -XEN_EFAULT || result == -XEN_EINVAL, result, "0, -14 or -22");
    result = decrease((uint64_t *)UNMAPPED_ADDRESS, UINT64_C(1) << 62);
    expect_true("decrease_of_2_pow_62_extents_from_an_unmapped_list_does_nothing",
                result == 0 || result == -XEN_EFAULT || result == -XEN_EINVAL, result, "0, -14 or -22");
    expect_result("refused_changes_leave_current_reservation", current_reservation(), current);
    expect_result("refused_changes_leave_the_hypervisors_free_frames", free_frames_since(free_before), 0);
    expect_true("refused_decrease_left_the_frame_owned", frame_is_owned_and_zero(frame), 0, "an owned frame");
}

/* --- decrease, populate, increase ----------------------------------------------- */

static void check_decrease_and_populate(void)
{
    uint64_t first = take_unmapped_frame(&memory), second = take_unmapped_frame(&memory);
    uint64_t third = take_unmapped_frame(&memory);
    uint64_t first_pfn = pfn_of_frame(first), second_pfn = pfn_of_frame(second);
    uint64_t free_before = own_frames_freed_minus_received();
    long current = current_reservation();
    uint64_t stopping[3] = { second, hypervisor_frame, third };
    uint64_t gpfns[2] = { first_pfn, second_pfn };
    uint64_t received_before, zeroed_before;
    uint8_t bitmap[1] = { 0 };
    struct pvmon_known_zero_query query = { .frames = (uint64_t)gpfns, .bitmap = (uint64_t)bitmap, .count = 2 };

    expect_result("decrease_of_an_unmapped_frame_returns_1", decrease_one(first), 1);
    expect_result("decrease_lowers_current_reservation", current_reservation(), current - 1);
    expect_result("decreased_unmapped_frame_is_freed_at_once", free_frames_since(free_before), 1);
    expect_result("decreased_frame_cannot_be_mapped", map_frame(memory.window, first, DATA_PTE), -XEN_EINVAL);
    expect_result("decreased_frame_cannot_be_pinned", mmuext_one(MMUEXT_PIN_L1_TABLE, first), -XEN_EINVAL);
    expect_result("decreased_frame_cannot_be_written_by_mmu_update", mmu_update_one(first << PAGE_SHIFT, VALUE),
                  -XEN_EINVAL);
    expect_result("decreased_frame_cannot_get_an_m2p_entry",
                  mmu_update_one(first << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, first_pfn), -XEN_EINVAL);
    expect_true("decreased_frame_has_an_invalid_m2p_entry", m2p_entry(&memory, first) == INVALID_M2P_ENTRY,
                (long)m2p_entry(&memory, first), "INVALID_M2P_ENTRY");
    expect_result("second_decrease_of_the_same_frame_returns_0", decrease_one(first), 0);
    expect_result("decrease_stops_at_a_frame_not_owned", decrease(stopping, 3), 1);
    expect_true("decrease_kept_the_frame_after_the_one_not_owned", frame_is_owned_and_zero(third), 0,
                "an owned frame");
    expect_result("two_decreases_lower_current_reservation_by_2", current_reservation(), current - 2);

    received_before = frames_received();
    zeroed_before = frames_received_zeroed();
    expect_result("populate_of_two_extents_returns_2", populate(gpfns, 2), 2);
    expect_result("populate_restores_current_reservation", current_reservation(), current);
    expect_result("populate_takes_two_frames_from_the_hypervisor", free_frames_since(free_before), 0);
    expect_result("populated_frames_count_as_received_by_the_domain", (long)(frames_received() - received_before),
                  2);
    expect_result("populated_frames_come_zeroed_from_the_pool_or_on_demand",
                  (long)(frames_received_zeroed() - zeroed_before), 2);
    expect_result("known_zero_query_of_populated_frames_succeeds",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, &query), 0);
    expect_true("populated_frames_are_known_zero", bitmap[0] == 3 && query.known_zero == 2, (long)bitmap[0],
                "bits 0 and 1");
    expect_true("populated_frames_are_owned_and_zero", frame_is_owned_and_zero(gpfns[0]) &&
                frame_is_owned_and_zero(gpfns[1]), 0, "two zero frames");
    expect_true("read_only_mapping_keeps_them_known_zero", frame_is_known_zero(gpfns[0]), 0, "known zero");
    expect_result("m2p_of_a_populated_frame_is_its_gpfn", (long)m2p_entry(&memory, gpfns[0]), (long)first_pfn);
    expect_result("writable_mapping_of_a_populated_frame_succeeds", map_frame(memory.window, gpfns[0], WRITABLE_PTE),
                  0);
    expect_true("writable_mapping_ends_known_zero", !frame_is_known_zero(gpfns[0]), 1, "not known zero");
    expect_result("clear_page_while_mapped_writable_succeeds", mmuext_one(MMUEXT_CLEAR_PAGE, gpfns[0]), 0);
    expect_true("clear_page_while_mapped_writable_leaves_it_not_known_zero", !frame_is_known_zero(gpfns[0]), 1,
                "not known zero");
    unmap_window();
    expect_result("clear_page_of_an_unmapped_frame_succeeds", mmuext_one(MMUEXT_CLEAR_PAGE, gpfns[0]), 0);
    expect_true("clear_page_of_an_unmapped_frame_makes_it_known_zero_again", frame_is_known_zero(gpfns[0]), 0,
                "known zero");

    uint64_t handed_out;

    expect_result("decrease_of_a_populated_frame_returns_1", decrease_one(gpfns[1]), 1);
    expect_result("increase_of_one_extent_returns_1", increase(&handed_out, 1), 1);
    expect_true("increase_writes_back_an_owned_zero_frame", frame_is_owned_and_zero(handed_out), (long)handed_out,
                "an owned zero frame");
    expect_true("increased_frame_is_known_zero", frame_is_known_zero(handed_out), 0, "known zero");
    expect_result("increase_restores_current_reservation", current_reservation(), current);
}

static void check_maximum(void)
{
    enum { TAKEN = 3, ASKED = 5 };
    uint64_t extents[ASKED];
    uint64_t free_before;
    long room, expected, done;
    bool all_zero = true;

    for (unsigned int index = 0; index < TAKEN; index++)
        extents[index] = take_unmapped_frame(&memory);
    expect_result("decrease_of_three_frames_returns_3", decrease(extents, TAKEN), TAKEN);
    room = maximum_reservation() - current_reservation();
    expected = room < ASKED ? room : ASKED;
    for (unsigned int index = 0; index < ASKED; index++)
        extents[index] = memory.nr_pages + index;
    free_before = own_frames_freed_minus_received();
    done = populate(extents, ASKED);
    expect_result("populate_stops_at_the_maximum_reservation", done, expected);
    expect_result("populate_up_to_the_maximum_takes_that_many_frames", free_frames_since(free_before), -done);
    for (long index = 0; index < done; index++)
        all_zero = all_zero && frame_is_owned_and_zero(extents[index]);
    expect_true("every_populated_frame_is_zero", all_zero, 0, "zero frames");
    if (maximum_reservation() == current_reservation()) {
        uint64_t extent = memory.nr_pages + ASKED;

        free_before = own_frames_freed_minus_received();
        expect_result("populate_at_the_maximum_returns_0", populate(&extent, 1), 0);
        expect_result("increase_at_the_maximum_returns_0", increase(&extent, 1), 0);
        expect_result("refused_growth_takes_no_frames", free_frames_since(free_before), 0);
    }
}

/* --- the extension's query and statistics ----------------------------------------- */

static void check_extension(void)
{
    uint64_t untouched = frame_of_pfn(memory.next_unmapped_pfn++);
    uint64_t written_frame;
    uint64_t frames[2] = { hypervisor_frame, 0 };
    uint8_t bitmap[1] = { 0xff };
    struct pvmon_known_zero_query query = { .frames = (uint64_t)frames, .bitmap = (uint64_t)bitmap, .count = 1 };
    struct pvmon_domain_memory_statistics first = { 0 }, second = { 0 };
    struct pvmon_memory_statistics machine = { 0 };
    long result;

    take_slack_page(&memory, &written_frame);
    expect_true("frame_beyond_v_end_never_mapped_is_known_zero", frame_is_known_zero(untouched), 0, "known zero");
    expect_true("frame_mapped_writable_since_boot_is_not_known_zero", !frame_is_known_zero(written_frame), 1,
                "not known zero");
    expect_result("known_zero_query_of_a_frame_not_owned_succeeds",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, &query), 0);
    expect_true("frame_not_owned_is_not_known_zero", (bitmap[0] & 1) == 0 && query.known_zero == 0, bitmap[0],
                "bit 0 clear");
    query.count = 0;
    expect_result("known_zero_query_of_no_frames_succeeds",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, &query), 0);
    query.count = PVMON_KNOWN_ZERO_QUERY_LIMIT + 1;
    expect_result("known_zero_query_above_the_limit_is_einval",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, &query), -XEN_EINVAL);
    query = (struct pvmon_known_zero_query) { .frames = UNMAPPED_ADDRESS, .bitmap = (uint64_t)bitmap, .count = 1 };
    expect_result("known_zero_query_with_unmapped_frame_list_is_efault",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, &query), -XEN_EFAULT);
    query = (struct pvmon_known_zero_query) {
        .frames = (uint64_t)frames, .bitmap = HYPERVISOR_IMAGE_ADDRESS, .count = 1 };
    expect_result("known_zero_query_with_bitmap_in_hypervisor_is_efault",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, &query), -XEN_EFAULT);
    expect_result("known_zero_query_unmapped_is_efault",
                  call_memory_extension(PVMON_MEMORY_query_known_zero, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    expect_result("own_statistics_into_hypervisor_is_efault",
                  call_memory_extension(PVMON_MEMORY_domain_statistics, (void *)HYPERVISOR_IMAGE_ADDRESS),
                  -XEN_EFAULT);
    expect_result("unknown_extension_command_is_enosys", call_memory_extension(UNKNOWN_EXTENSION_COMMAND, &first),
                  -XEN_ENOSYS);
    expect_result("machine_statistics_are_eperm_to_a_domu", call_memory_extension(PVMON_MEMORY_statistics, &machine),
                  -XEN_EPERM);
    expect_true("refused_machine_statistics_write_nothing", machine.free_frames == 0 && machine.hypercalls == 0,
                (long)machine.hypercalls, "all zero");
    result = call_memory_extension(PVMON_MEMORY_domain_statistics, &first);
    call_memory_extension(PVMON_MEMORY_domain_statistics, &second);
    expect_result("own_statistics_succeed", result, 0);
    expect_result("own_statistics_count_its_own_hypercall", (long)(second.hypercalls - first.hypercalls), 1);
    expect_result("own_statistics_give_its_current_reservation", (long)second.pages, current_reservation());
    expect_result("own_statistics_give_its_maximum_reservation", (long)second.maximum_pages, maximum_reservation());
}

/* --- frames given back while still in use ---------------------------------------- */

static void check_decreased_frame_still_mapped(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    volatile uint64_t *contents = (volatile uint64_t *)page;
    uint64_t free_before;
    long current;

    contents[0] = VALUE;
    free_before = own_frames_freed_minus_received();
    current = current_reservation();
    expect_result("decrease_of_a_mapped_frame_returns_1", decrease_one(frame), 1);
    expect_result("decreased_mapped_frame_stays_readable", (long)contents[0], (long)VALUE);
    expect_true("decreased_mapped_frame_stays_writable",
                !write_faults(page, SECOND_VALUE) && contents[0] == SECOND_VALUE, (long)contents[0],
                "the value written");
    expect_result("decreased_mapped_frame_is_not_freed_yet", free_frames_since(free_before), 0);
    expect_result("decreased_mapped_frame_cannot_be_mapped_anew", map_frame(memory.window, frame, DATA_PTE),
                  -XEN_EINVAL);
    expect_result("decreased_mapped_frame_cannot_be_pinned", mmuext_one(MMUEXT_PIN_L1_TABLE, frame), -XEN_EINVAL);
    expect_result("decreased_mapped_frame_cannot_be_decreased_again", decrease_one(frame), 0);
    expect_result("unmapping_the_decreased_frame_succeeds", hypercall_update_va_mapping(page, 0, UVMF_INVLPG), 0);
    expect_result("decreased_frame_is_freed_when_its_last_mapping_goes", free_frames_since(free_before), 1);
    expect_result("freed_frame_leaves_current_reservation", current_reservation(), current - 1);
}

/* A frame mapped twice and given back is freed only when both mappings go. */
static void check_decreased_frame_mapped_twice(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    uint64_t free_before;

    expect_result("second_mapping_of_a_frame_succeeds", map_frame(memory.window, frame, DATA_PTE), 0);
    free_before = own_frames_freed_minus_received();
    expect_result("decrease_of_a_frame_mapped_twice_returns_1", decrease_one(frame), 1);
    expect_result("unmapping_one_of_two_mappings_succeeds", hypercall_update_va_mapping(page, 0, UVMF_INVLPG), 0);
    expect_result("frame_with_a_mapping_left_is_not_freed", free_frames_since(free_before), 0);
    expect_result("the_mapping_left_still_reads_the_frame", (long)*(const volatile uint64_t *)memory.window, 0);
    unmap_window();
    expect_result("frame_is_freed_when_the_second_mapping_goes", free_frames_since(free_before), 1);
}

/* A descriptor page given back while it is the GDT: never freed while in use. */
static void check_decreased_descriptor_page(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    xen_ulong_t frames[1] = { frame };
    uint64_t free_before;
    long given_back;

    expect_result("setup_maps_the_descriptor_frame_read_only", map_frame(page, frame, DATA_PTE), 0);
    expect_result("setup_makes_it_the_gdt", hypercall_set_gdt(frames, 512), 0);
    free_before = own_frames_freed_minus_received();
    given_back = decrease_one(frame);
    expect_true("decrease_of_the_gdt_frame_is_done_or_refused", given_back == 0 || given_back == 1, given_back,
                "0 or 1");
    expect_result("decreased_gdt_frame_is_not_freed", free_frames_since(free_before), 0);
    expect_result("decreased_gdt_frame_cannot_be_mapped_writable", map_frame(page, frame, WRITABLE_PTE), -XEN_EINVAL);
    expect_result("gdt_can_be_set_to_no_entries", hypercall_set_gdt(frames, 0), 0);
    /* set_gdt(0) also frees the hypervisor's checked copy of the page: count from here. */
    free_before = own_frames_freed_minus_received();
    expect_result("unmapping_the_former_gdt_frame_succeeds", hypercall_update_va_mapping(page, 0, UVMF_INVLPG), 0);
    expect_result("former_gdt_frame_is_freed_with_its_last_mapping_if_given_back", free_frames_since(free_before),
                  given_back == 1 ? 1 : 0);
}

static void check_decreased_page_table(void)
{
    uint64_t table = take_unmapped_frame(&memory);
    uint64_t data_frame, data_page = take_slack_page(&memory, &data_frame);
    uint64_t slot = entry_machine_address(memory.l2_frame, memory.first_free_l2_slot + 3);
    uint64_t through_slot = KERNEL_VIRT_BASE + (memory.first_free_l2_slot + 3) * L2_SPAN;
    uint64_t free_before;
    long current, given_back, unpinned;

    *(volatile uint64_t *)data_page = VALUE;
    mmu_update_one(table << PAGE_SHIFT, data_frame << PAGE_SHIFT | DATA_PTE);
    expect_result("setup_pins_an_l1", mmuext_one(MMUEXT_PIN_L1_TABLE, table), 0);
    expect_result("setup_links_the_l1", mmu_update_one(slot, table << PAGE_SHIFT | TABLE_PTE), 0);
    expect_result("setup_reads_through_the_l1", (long)probe_read(through_slot), (long)VALUE);
    free_before = own_frames_freed_minus_received();
    current = current_reservation();
    given_back = decrease_one(table);
    expect_true("decrease_of_a_pinned_l1_in_use_is_done_or_refused", given_back == 0 || given_back == 1, given_back,
                "0 or 1");
    expect_result("decreased_l1_in_use_still_translates", (long)probe_read(through_slot), (long)VALUE);
    expect_result("decreased_l1_in_use_is_not_freed", free_frames_since(free_before), 0);
    expect_result("decreased_l1_in_use_cannot_be_mapped_writable", map_frame(memory.window, table, WRITABLE_PTE),
                  -XEN_EINVAL);
    expect_result("unlinking_the_l1_succeeds", mmu_update_one(slot, 0), 0);
    unpinned = mmuext_one(MMUEXT_UNPIN_TABLE, table);
    if (given_back == 1) {
        expect_true("unpin_of_the_given_back_l1_succeeds_or_was_done_by_the_decrease",
                    unpinned == 0 || unpinned == -XEN_EINVAL, unpinned, "0 or -22");
        expect_result("given_back_l1_is_freed_once_unlinked_and_unpinned", free_frames_since(free_before), 1);
        expect_result("given_back_l1_leaves_current_reservation", current_reservation(), current - 1);
    } else {
        expect_result("l1_kept_by_a_refused_decrease_unpins", unpinned, 0);
        expect_result("l1_kept_by_a_refused_decrease_is_writable_data_again",
                      map_frame(memory.window, table, WRITABLE_PTE), 0);
        unmap_window();
    }
}

/* --- given-back frames still count against the maximum ------------------------- */

/* Populates gpfns beyond nr_pages until the reservation is at its maximum. */
static bool fill_to_maximum(uint64_t first_gpfn)
{
    uint64_t extent = first_gpfn;

    while (current_reservation() < maximum_reservation()) {
        if (populate(&extent, 1) != 1)
            return false;
        extent++;
    }
    return true;
}

/* Given back while mapped: still counted, so the reservation cannot grow
 * by it; freed (and uncounted) with its last mapping. */
static void check_mapped_given_back_frame_still_counts(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame);
    uint64_t extent = memory.nr_pages + 64;
    long current;

    expect_true("setup_fills_the_reservation_to_its_maximum", fill_to_maximum(memory.nr_pages + 32), 0,
                "populate succeeds up to the maximum");
    current = current_reservation();
    expect_result("decrease_of_a_mapped_frame_at_the_maximum_returns_1", decrease_one(frame), 1);
    expect_result("mapped_given_back_frame_still_counts_in_current_reservation", current_reservation(), current);
    expect_result("populate_while_a_given_back_frame_is_mapped_returns_0", populate(&extent, 1), 0);
    expect_result("increase_while_a_given_back_frame_is_mapped_returns_0", increase(&extent, 1), 0);
    expect_result("unmapping_the_given_back_frame_succeeds", hypercall_update_va_mapping(page, 0, UVMF_INVLPG), 0);
    expect_result("freed_frame_leaves_the_reservation", current_reservation(), current - 1);
    expect_result("populate_after_the_frame_is_freed_returns_1", populate(&extent, 1), 1);
    expect_result("reservation_is_back_at_its_maximum", current_reservation(), current);
}

/* The attack that held 429 MiB in an 8 MiB domain: take a frame, pin it,
 * give it back, take another...  Only the room below the maximum can ever
 * be taken, not a single frame more. */
static void check_pin_and_give_back_loop_stays_within_the_maximum(void)
{
    enum { ROOM = 4, ATTEMPTS = 16 };
    uint64_t room[ROOM], taken[ATTEMPTS];
    long maximum = maximum_reservation();
    unsigned int count = 0;
    bool pins_survived = true;

    for (unsigned int index = 0; index < ROOM; index++)
        room[index] = take_unmapped_frame(&memory);
    expect_result("setup_decrease_makes_room_for_four_frames", decrease(room, ROOM), ROOM);
    while (count < ATTEMPTS && increase(&taken[count], 1) == 1) {
        if (mmuext_one(MMUEXT_PIN_L1_TABLE, taken[count]) != 0 || decrease_one(taken[count]) != 1)
            break;
        count++;
    }
    expect_result("pin_and_give_back_loop_takes_only_the_room_below_the_maximum", count, ROOM);
    expect_result("pinned_given_back_frames_keep_the_reservation_at_its_maximum", current_reservation(), maximum);
    for (unsigned int index = 0; index < count; index++)
        pins_survived = pins_survived && mmuext_one(MMUEXT_UNPIN_TABLE, taken[index]) == 0;
    expect_true("pin_survives_the_give_back_and_the_guest_unpins", pins_survived, 0, "every unpin 0");
    expect_result("unpinned_given_back_frames_leave_the_reservation", current_reservation(), maximum - (long)count);
    for (unsigned int index = 0; index < ROOM; index++)
        room[index] = memory.nr_pages + 128 + index;
    expect_result("populate_gets_every_freed_frame_back", populate(room, ROOM), ROOM);
    expect_result("reservation_is_at_its_maximum_again", current_reservation(), maximum);
}

/* shared_info is the hypervisor's page, shared with the guest: giving it
 * back is refused, and events keep arriving through it. */
static void check_decreased_shared_info(void)
{
    uint64_t free_before = own_frames_freed_minus_received();

    expect_result("decrease_of_the_shared_info_frame_returns_0",
                  decrease_one(runtime_start_info->shared_info >> PAGE_SHIFT), 0);
    expect_result("refused_shared_info_decrease_frees_nothing", free_frames_since(free_before), 0);
    expect_true("events_still_arrive_through_shared_info", self_event_arrives(), 0, "a self-sent event");
}

/* --- free page reporting ----------------------------------------------------- */

static long give_back_free(uint64_t *frames, uint32_t count, uint32_t *given_back)
{
    struct pvmon_free_frames request = { .frames = (uint64_t)frames, .count = count };
    long result = call_memory_extension(PVMON_MEMORY_give_back_free, &request);

    *given_back = request.given_back;
    return result;
}

static void check_give_back_free_arguments(void)
{
    uint64_t frames[1] = { 0 };
    struct pvmon_free_frames request = { .frames = (uint64_t)frames, .count = PVMON_GIVE_BACK_LIMIT + 1 };

    expect_result("give_back_free_above_the_limit_is_einval",
                  call_memory_extension(PVMON_MEMORY_give_back_free, &request), -XEN_EINVAL);
    request = (struct pvmon_free_frames) { .frames = (uint64_t)frames, .count = 1, .given_back = 1 };
    expect_result("give_back_free_with_given_back_set_on_entry_is_einval",
                  call_memory_extension(PVMON_MEMORY_give_back_free, &request), -XEN_EINVAL);
    request = (struct pvmon_free_frames) { .frames = UNMAPPED_ADDRESS, .count = 1 };
    expect_result("give_back_free_with_unmapped_frame_list_is_efault",
                  call_memory_extension(PVMON_MEMORY_give_back_free, &request), -XEN_EFAULT);
    expect_result("give_back_free_unmapped_is_efault",
                  call_memory_extension(PVMON_MEMORY_give_back_free, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    request = (struct pvmon_free_frames) { .frames = (uint64_t)frames, .count = 0 };
    expect_result("give_back_free_of_no_frames_succeeds",
                  call_memory_extension(PVMON_MEMORY_give_back_free, &request), 0);
}

static void check_give_back_free_of_an_unreferenced_frame(void)
{
    uint64_t frame = take_unmapped_frame(&memory), frames[1] = { frame }, extents[1] = { pfn_of_frame(frame) };
    uint64_t free_before = own_frames_freed_minus_received();
    long current = current_reservation();
    uint32_t given_back;

    expect_result("give_back_free_of_an_unmapped_frame_succeeds", give_back_free(frames, 1, &given_back), 0);
    expect_result("give_back_free_reports_the_frame_given_back", given_back, 1);
    expect_result("frame_given_back_free_is_freed_at_once", free_frames_since(free_before), 1);
    expect_result("frame_given_back_free_leaves_current_reservation_at_once", current_reservation(), current - 1);
    expect_result("frame_given_back_free_cannot_be_mapped", map_frame(memory.window, frame, DATA_PTE), -XEN_EINVAL);
    expect_result("frame_given_back_free_cannot_be_pinned", mmuext_one(MMUEXT_PIN_L1_TABLE, frame), -XEN_EINVAL);
    expect_true("frame_given_back_free_is_not_known_zero_to_its_giver", !frame_is_known_zero(frame), 1,
                "not known zero");
    expect_result("frame_given_back_free_twice_is_einval", give_back_free(frames, 1, &given_back), -XEN_EINVAL);
    expect_result("refused_second_give_back_gives_nothing", given_back, 0);
    expect_result("given_back_pfn_can_be_populated_again", populate(extents, 1), 1);
    expect_true("frame_populated_after_give_back_is_zero_and_known_zero",
                frame_is_known_zero(extents[0]) && frame_is_owned_and_zero(extents[0]), (long)extents[0],
                "owned, zero, known zero");
    expect_result("populating_again_restores_current_reservation", current_reservation(), current);
}

static void check_give_back_free_of_a_mapped_frame(void)
{
    uint64_t frame, page = take_slack_page(&memory, &frame), frames[1] = { frame };
    volatile uint64_t *contents = (volatile uint64_t *)page;
    uint64_t free_before = own_frames_freed_minus_received();
    long current = current_reservation();
    uint32_t given_back;

    contents[0] = VALUE;
    expect_result("give_back_free_of_a_mapped_frame_is_einval", give_back_free(frames, 1, &given_back),
                  -XEN_EINVAL);
    expect_result("refused_mapped_frame_is_not_given_back", given_back, 0);
    expect_result("refused_mapped_frame_is_not_freed", free_frames_since(free_before), 0);
    expect_result("refused_mapped_frame_stays_in_current_reservation", current_reservation(), current);
    expect_result("refused_mapped_frame_keeps_its_contents", (long)contents[0], (long)VALUE);
    expect_result("refused_mapped_frame_can_still_be_mapped", map_frame(memory.window, frame, DATA_PTE), 0);
    unmap_window();
}

static void check_give_back_free_of_a_pinned_frame(void)
{
    uint64_t table = take_unmapped_frame(&memory), frames[1] = { table };
    uint64_t free_before;
    uint32_t given_back;

    expect_result("setup_pins_an_unmapped_l1", mmuext_one(MMUEXT_PIN_L1_TABLE, table), 0);
    free_before = own_frames_freed_minus_received();
    expect_result("give_back_free_of_a_pinned_l1_is_einval", give_back_free(frames, 1, &given_back), -XEN_EINVAL);
    expect_result("refused_pinned_l1_is_not_freed", free_frames_since(free_before), 0);
    expect_result("refused_pinned_l1_unpins", mmuext_one(MMUEXT_UNPIN_TABLE, table), 0);
    expect_result("unpinned_l1_can_be_given_back_free", give_back_free(frames, 1, &given_back), 0);
    expect_result("unpinned_l1_given_back_free_is_freed", free_frames_since(free_before), 1);
}

/* A frame with an M2P entry that is another domain's: not in our p2m and
 * not mappable by us (frames we populated are not in our p2m either). */
static uint64_t frame_of_another_domain(void)
{
    for (uint64_t frame = 0x100; frame < memory.m2p_entries; frame++) {
        if (m2p_entry(&memory, frame) == INVALID_M2P_ENTRY || pfn_of_frame(frame) != UINT64_MAX)
            continue;
        if (map_frame(memory.window, frame, DATA_PTE) == -XEN_EINVAL)
            return frame;
        unmap_window();
    }
    return 0;
}

static void check_give_back_free_of_frames_not_ours(void)
{
    uint64_t frames[1] = { hypervisor_frame };
    uint64_t free_before = own_frames_freed_minus_received();
    uint32_t given_back;

    expect_result("give_back_free_of_a_hypervisor_frame_is_einval", give_back_free(frames, 1, &given_back),
                  -XEN_EINVAL);
    frames[0] = runtime_start_info->shared_info >> PAGE_SHIFT;
    expect_result("give_back_free_of_shared_info_is_einval", give_back_free(frames, 1, &given_back), -XEN_EINVAL);
    frames[0] = frame_of_another_domain();
    expect_true("setup_finds_a_frame_of_another_domain", frames[0] != 0, 0, "a frame");
    expect_result("give_back_free_of_another_domains_frame_is_einval", give_back_free(frames, 1, &given_back),
                  -XEN_EINVAL);
    frames[0] = UINT64_MAX;
    expect_result("give_back_free_of_a_frame_beyond_memory_is_einval", give_back_free(frames, 1, &given_back),
                  -XEN_EINVAL);
    expect_result("refused_frames_not_ours_free_nothing", free_frames_since(free_before), 0);
    expect_true("events_still_arrive_after_giving_back_shared_info_was_refused", self_event_arrives(), 0,
                "a self-sent event");
}

/* The call stops at the first refused frame; those before it are gone. */
static void check_give_back_free_stops_at_the_first_refused(void)
{
    uint64_t mapped_frame;
    uint64_t frames[3] = { take_unmapped_frame(&memory), 0, take_unmapped_frame(&memory) };
    uint64_t free_before = own_frames_freed_minus_received();
    uint32_t given_back;

    take_slack_page(&memory, &mapped_frame);
    frames[1] = mapped_frame;
    expect_result("give_back_free_of_a_list_with_a_mapped_frame_is_einval", give_back_free(frames, 3, &given_back),
                  -XEN_EINVAL);
    expect_result("frames_before_the_refused_one_are_given_back", given_back, 1);
    expect_result("only_the_frames_before_the_refused_one_are_freed", free_frames_since(free_before), 1);
    expect_result("frame_after_the_refused_one_is_still_ours", map_frame(memory.window, frames[2], DATA_PTE), 0);
    unmap_window();
}

static void check_give_back_free(void)
{
    check_give_back_free_arguments();
    check_give_back_free_of_an_unreferenced_frame();
    check_give_back_free_of_a_mapped_frame();
    check_give_back_free_of_a_pinned_frame();
    check_give_back_free_of_frames_not_ours();
    check_give_back_free_stops_at_the_first_refused();
}

/* Last: the domain may not be usable for much after this. */
static void check_decreased_cr3_l4(void)
{
    uint64_t free_before = own_frames_freed_minus_received();
    long given_back = decrease_one(memory.l4_frame);

    expect_true("decrease_of_the_cr3_l4_is_done_or_refused", given_back == 0 || given_back == 1, given_back, "0 or 1");
    expect_result("decreased_cr3_l4_is_still_cr3", (long)read_cr3(), (long)(memory.l4_frame << PAGE_SHIFT));
    expect_result("decreased_cr3_l4_is_not_freed", free_frames_since(free_before), 0);
    expect_result("decreased_cr3_l4_cannot_be_mapped_writable", map_frame(memory.window, memory.l4_frame, WRITABLE_PTE),
                  -XEN_EINVAL);
    expect_true("events_still_arrive_after_decreasing_the_cr3_l4", self_event_arrives(), 0, "a self-sent event");
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);

    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    own_id = own_domain_id();
    expect_true("setup_learns_its_own_domain_id", own_id > 0, own_id, "a domU id");
    expect_true("setup_reads_its_own_counters", own_frames_freed_minus_received() != UINT64_MAX, 0,
                "the extension's domain statistics");
    if (!ready || own_id <= 0)
        return;
    expect_page_faults();
    check_extension();
    check_arguments();
    check_decrease_and_populate();
    check_maximum();
    check_decreased_frame_still_mapped();
    check_decreased_frame_mapped_twice();
    check_decreased_descriptor_page();
    check_decreased_page_table();
    check_mapped_given_back_frame_still_counts();
    check_pin_and_give_back_loop_stays_within_the_maximum();
    check_decreased_shared_info();
    check_give_back_free();
    check_decreased_cr3_l4();
}
