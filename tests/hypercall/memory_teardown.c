/*
 * Every frame of a domain that ends in a mess comes back
 * (tests/system/teardown.domains, run by tests/system/run-system-tests.sh):
 * the same guest runs in three scenarios one after the other, and dom0's
 * toolstack prints the hypervisor's free frames (memory extension: free +
 * zeroed pool + dirty; machine-wide figures are dom0's alone) as each
 * scenario starts, so the system test can check that the count is the
 * same each time.
 *
 * With "mess" on its command line the guest leaves its page tables as
 * tangled as the rules allow before it ends: it runs on a fresh pinned
 * L4 hierarchy that shares the bootstrap L3, with the bootstrap L4
 * unpinned; a user L4 set with NEW_USER_BASEPTR; an L1 pinned and linked
 * three times from two L2s, and a pinned L2 pointing at it; a pinned L1
 * in use and a mapped frame, both given back with decrease_reservation;
 * a frame unmapped without a TLB flush after being given back; a
 * descriptor page in its GDT.  With "crash" it then ends by a fault with
 * no trap table, so that the hypervisor crashes it; otherwise it shuts
 * down.
 *
 * Rule enforced (Xen's domain_relinquish_resources, pvmon's teardown):
 * when a domain ends, every reference its tables, pins, CR3s, GDT and
 * allocation held is dropped, and every frame it had, or had given back
 * while still using it, returns to the hypervisor.
 */
#include "pv_memory.h"

const char test_family[] = "memory_teardown";

#define FRESH_L4_SLOT 272
#define DATA_PTE (PTE_PRESENT | PTE_ACCESSED)
#define WRITABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)

static struct guest_memory memory;

static bool command_line_has(const char *word)
{
    const char *line = (const char *)runtime_start_info->cmd_line;

    for (unsigned int start = 0; line[start] != 0 && start < MAX_GUEST_CMDLINE; start++) {
        unsigned int length = 0;

        while (word[length] != 0 && line[start + length] == word[length])
            length++;
        if (word[length] == 0)
            return true;
    }
    return false;
}

static long pin(unsigned int level, uint64_t frame)
{
    return mmuext_one(MMUEXT_PIN_L1_TABLE + level - 1, frame);
}

static long link(uint64_t table, unsigned int index, uint64_t target)
{
    return mmu_update_one(entry_machine_address(table, index), target << PAGE_SHIFT | TABLE_PTE);
}

static void make_a_mess(void)
{
    uint64_t l4 = take_unmapped_frame(&memory), l3 = take_unmapped_frame(&memory);
    uint64_t l2 = take_unmapped_frame(&memory), l1 = take_unmapped_frame(&memory);
    uint64_t user_l4 = take_unmapped_frame(&memory), shared_l1 = take_unmapped_frame(&memory);
    uint64_t pinned_l2 = take_unmapped_frame(&memory), given_back_l1 = take_unmapped_frame(&memory);
    uint64_t data = take_unmapped_frame(&memory);
    uint64_t mapped_frame, mapped_page = take_slack_page(&memory, &mapped_frame);
    uint64_t stale_frame, stale_page = take_slack_page(&memory, &stale_frame);
    uint64_t gdt_frame, gdt_page = take_slack_page(&memory, &gdt_frame);
    uint64_t free_slot = memory.first_free_l2_slot;
    xen_ulong_t gdt_frames[1] = { gdt_frame };

    expect_result("fresh_l1_maps_a_data_frame", mmu_update_one(entry_machine_address(l1, 0), data << PAGE_SHIFT |
                  WRITABLE_PTE), 0);
    expect_result("fresh_l2_links_the_l1", link(l2, 0, l1), 0);
    expect_result("fresh_l3_links_the_l2", link(l3, 0, l2), 0);
    expect_result("fresh_l4_links_the_l3", link(l4, FRESH_L4_SLOT, l3), 0);
    expect_result("fresh_l4_shares_the_bootstrap_l3", link(l4, table_index(KERNEL_VIRT_BASE, 4), memory.l3_frame), 0);
    expect_result("fresh_l4_pins", pin(4, l4), 0);
    expect_result("fresh_l4_becomes_cr3", mmuext_one(MMUEXT_NEW_BASEPTR, l4), 0);
    expect_result("bootstrap_l4_is_unpinned", mmuext_one(MMUEXT_UNPIN_TABLE, memory.l4_frame), 0);
    expect_result("a_user_l4_is_set", mmuext_one(MMUEXT_NEW_USER_BASEPTR, user_l4), 0);

    expect_result("shared_l1_pins", pin(1, shared_l1), 0);
    expect_result("bootstrap_l2_links_the_shared_l1", link(memory.l2_frame, free_slot, shared_l1), 0);
    expect_result("bootstrap_l2_links_the_shared_l1_again", link(memory.l2_frame, free_slot + 1, shared_l1), 0);
    expect_result("fresh_l2_links_the_shared_l1", link(l2, 1, shared_l1), 0);
    expect_result("pinned_l2_links_the_shared_l1", mmu_update_one(entry_machine_address(pinned_l2, 0),
                  shared_l1 << PAGE_SHIFT | TABLE_PTE), 0);
    expect_result("l2_holding_the_shared_l1_pins", pin(2, pinned_l2), 0);

    expect_result("l1_to_give_back_pins", pin(1, given_back_l1), 0);
    expect_result("bootstrap_l2_links_the_l1_to_give_back", link(memory.l2_frame, free_slot + 2, given_back_l1), 0);
    expect_true("pinned_l1_in_use_is_given_back_or_kept", give_back_frame(given_back_l1) >= 0, 0, "no error");
    expect_result("mapped_frame_is_given_back", give_back_frame(mapped_frame), 1);
    expect_result("second_mapped_frame_is_given_back", give_back_frame(stale_frame), 1);
    expect_result("it_is_unmapped_without_a_flush", hypercall_update_va_mapping(stale_page, 0, UVMF_NONE), 0);

    expect_result("descriptor_frame_is_mapped_read_only", map_frame(gdt_page, gdt_frame, DATA_PTE), 0);
    expect_result("descriptor_frame_becomes_the_gdt", hypercall_set_gdt(gdt_frames, 512), 0);
    (void)mapped_page;
}

void run_tests(void)
{
    bool ready;

    ready = guest_memory_init(&memory);
    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready || !command_line_has("mess"))
        return;
    make_a_mess();
    if (command_line_has("crash")) {
        console_printf("memory_teardown: crashing on purpose, no trap table\n");
        hypercall_set_trap_table(NULL);
        probe_write(UNMAPPED_ADDRESS, 1);
    }
}
