/*
 * A domU that tries to outgrow its memory, and a neighbour that must get
 * back every frame it ballooned away (tests/system/memory-attack.domains,
 * run by tests/system/run-system-tests.sh).  The same guest plays either
 * part, by its command line.
 *
 * Rule checked (Xen's assign_pages and tot_pages, xen/common/page_alloc.c;
 * guest_remove_page, xen/common/memory.c): a frame a domain gives back
 * counts in its reservation until it is really freed, so a frame kept
 * alive by a pin cannot be traded for a fresh one, and no domain holds
 * more than its maximum reservation.
 *
 *   "attacker": starts at its maximum; ATTACK_DELAY_NS after it starts,
 *       pins one of its frames as an L1 (which keeps it alive), gives it
 *       back and asks for a fresh one with increase_reservation, and
 *       repeats with that one until a step fails (at most ATTACK_LIMIT
 *       times).  It must not get a single fresh frame; it prints how many
 *       it got, then holds them until HOLD_UNTIL_NS after its start, so
 *       that the neighbour, started just before it, balloons up meanwhile.
 *   "neighbour": gives back BALLOON_FRAMES frames at once, waits until
 *       REFILL_AT_NS after its start, and asks for as many again: it must
 *       get every one.
 * On the old tree the attacker took every free frame of the machine
 * (107721 frames beyond its 2048, in 8.5 s under TCG, hence the neighbour's
 * long wait) and the neighbour got none back.
 */
#include "pv_memory.h"

const char test_family[] = "memory_attacker";

#define ATTACK_DELAY_NS (1 * NANOSECONDS_PER_SECOND)
#define ATTACK_LIMIT 262144 /* 1 GiB of frames, more than the test machine has */
#define REFILL_AT_NS (16 * NANOSECONDS_PER_SECOND)
#define HOLD_UNTIL_NS (20 * NANOSECONDS_PER_SECOND)
#define BALLOON_FRAMES 1024

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

static long change_one(unsigned int command, uint64_t *extent)
{
    return reservation_op(command, extent, 1, 0, DOMID_SELF);
}

static uint64_t started_ns;

static void attack(void)
{
    long maximum = maximum_reservation();
    unsigned long taken = 0;
    uint64_t frame = take_unmapped_frame(&memory);

    expect_result("setup_attacker_starts_at_its_maximum", current_reservation(), maximum);
    sleep_until(started_ns + ATTACK_DELAY_NS);
    while (taken < ATTACK_LIMIT && mmuext_one(MMUEXT_PIN_L1_TABLE, frame) == 0 &&
           change_one(XENMEM_decrease_reservation, &frame) == 1 && change_one(XENMEM_increase_reservation, &frame) == 1)
        taken++;
    console_printf("memory_attacker: took %lu frames beyond a maximum of %ld pages\n", taken, maximum);
    expect_result("attack_takes_not_a_single_frame_beyond_the_maximum", (long)taken, 0);
    expect_result("pinned_given_back_frames_keep_the_reservation_at_its_maximum", current_reservation(), maximum);
    sleep_until(started_ns + HOLD_UNTIL_NS);
}

static void balloon_down_and_up(void)
{
    static uint64_t extents[BALLOON_FRAMES];
    long full = current_reservation();
    long refilled;

    for (unsigned int index = 0; index < BALLOON_FRAMES; index++)
        extents[index] = take_unmapped_frame(&memory);
    expect_result("neighbour_balloons_down", reservation_op(XENMEM_decrease_reservation, extents, BALLOON_FRAMES, 0,
                                                            DOMID_SELF), BALLOON_FRAMES);
    expect_result("ballooned_down_reservation", current_reservation(), full - BALLOON_FRAMES);
    sleep_until(started_ns + REFILL_AT_NS);
    for (unsigned int index = 0; index < BALLOON_FRAMES; index++)
        extents[index] = memory.nr_pages + index;
    refilled = reservation_op(XENMEM_populate_physmap, extents, BALLOON_FRAMES, 0, DOMID_SELF);
    console_printf("memory_attacker: neighbour got %ld of %u frames back\n", refilled, BALLOON_FRAMES);
    expect_result("ballooned_neighbour_gets_all_its_memory_back", refilled, BALLOON_FRAMES);
    expect_result("neighbour_reservation_is_full_again", current_reservation(), full);
}

void run_tests(void)
{
    bool ready = guest_memory_init(&memory);

    started_ns = system_time_ns();
    expect_true("setup_finds_the_bootstrap_layout_and_free_frames_beyond_it", ready,
                (long)memory.bootstrap_end_pfn, "free frames beyond v_end");
    if (!ready)
        return;
    if (command_line_has("attacker"))
        attack();
    else if (command_line_has("neighbour"))
        balloon_down_and_up();
}
