/*
 * The liveness test's attacker (tests/liveness): an unprivileged domU
 * that runs beside the watchdog (liveness_watchdog.c) the longest
 * hypercalls it can build, for a bounded number of rounds, then powers
 * off.  Each family is the worst case of one hypercall as issue 11
 * describes it; a hypervisor that keeps every hypercall's work bounded or
 * preemptible (Xen's hypercall_preempt_check and continuations) keeps the
 * watchdog's timer on time whatever the attacker does.
 *
 * Command line: attack=FAMILY rounds=N delay_ms=N (default 100: the
 * attacker spins that long before its attack, so that the watchdog has
 * settled and the scheduler has charged the attacker for its running time:
 * it then has no credit, and a woken watchdog preempts it whenever the
 * hypervisor lets it), and per family:
 *   console-domu console_io write over an aliased read-only range (one
 *                page of text mapped over 4 GiB, runtime/aliased_range.h):
 *                first_bytes=N in the first round (default 1 MiB, a stall
 *                that ends and can be measured), then bytes=N (default
 *                4 GiB - 1, the largest count Xen's ABI allows: it is an
 *                unsigned int) in every later round;
 *   pin-tree     the largest page-table tree the domain's memory allows
 *                (one L4, one L3, L2s, and every other free frame an L1
 *                whose 512 entries map one data frame read-only), pinned
 *                and unpinned as an L4: a multicall of calls=N mmuext_op
 *                entries of pairs=N MMUEXT_PIN_L4_TABLE / UNPIN_TABLE
 *                pairs each;
 *   batch        the largest batches the hypervisor accepts: a multicall
 *                of as many mmuext_op entries as it accepts, each with as
 *                many operations as it accepts (pin and unpin of an empty
 *                L1), up to ops=N operations in all per round;
 *   l4-toggle    the same tree without its L4: one mmu_update batch of
 *                toggles=N requests that link its L3 into a slot of the
 *                running L4 and unlink it again, in turn;
 *   reservation  decrease_reservation of every frame beyond the start-of-day
 *                mapping in one call, then increase_reservation asking for
 *                that many frames and beyond=N more, in one call;
 *   grant-copy   grant_table_op: setup_table growing the table to its 64
 *                frames in one request, then per round one copy list of
 *                copies=N (default 16384) whole-page copies from a
 *                self-grant into a page of its own;
 *   none         nothing: the domain whose build by dom0 is the attack
 *                (domain-build: a start-after line in the domains file);
 *   teardown     the tree of pin-tree, every table pinned one level at a
 *                time in short calls, left pinned when the domain powers
 *                off: its teardown unpins and devalidates all of it (the
 *                round count does not apply).
 * The largest batch counts are found by asking: a batch of cheap requests
 * (TLB invalidations, raw stores, xen_version) of PROBE_START_COUNT
 * entries, halved while the hypervisor answers -EINVAL, so that the
 * attack grows by itself once a cap is lifted; each count used is printed.
 *
 * Prints "LIVENESS attack FAMILY: round N: RESULT in T ns" per round and
 * "LIVENESS attack FAMILY: done rounds=N elapsed_ns=T" at the end.
 */
#include <pvmon/command_line.h>
#include <pvmon/string.h>
#include <runtime/aliased_range.h>
#include "pv_memory.h"
#include <guest/grant_table.h>

const char test_family[] = "liveness_attacker";

#define PROBE_START_COUNT 4096
#define MAX_TREE_FRAMES 16384
#define MAX_EXTENTS (65536 + 4096)
#define ALIAS_L4_SLOT 272
#define TOGGLE_L4_SLOT 273
#define TREE_L4_SLOT 274
#define ALIAS_GIBIBYTES 4
#define TABLE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED)
#define READ_ONLY_PTE (PTE_PRESENT | PTE_USER | PTE_ACCESSED)
#define MEBIBYTE (UINT64_C(1) << 20)
#define LARGEST_CONSOLE_COUNT UINT64_C(0xffffffff)
/* Building the tree must not be an attack of its own: each copy of a page
 * costs the hypervisor some 16,000 instructions today. */
#define COPIES_PER_CALL 16
#define PINS_PER_CALL 16

static struct aliased_range_pages alias_pages;
static struct multicall_entry calls[PROBE_START_COUNT];
static struct mmuext_op operations[PROBE_START_COUNT];
static struct mmu_update requests[PROBE_START_COUNT];
static uint64_t extents[MAX_EXTENTS];
static uint64_t l1_frames[MAX_TREE_FRAMES];
static struct guest_memory memory;

struct tree {
    uint64_t l4, l3;
    uint64_t l2[ENTRIES_PER_TABLE];
    unsigned int l2_count;
    unsigned int l1_count;
};

static struct tree tree;
static char family[32];
static uint64_t rounds;
static uint64_t probe_frame; /* mmu_update's probe writes into it */

static uint64_t option(const char *name, uint64_t fallback)
{
    uint64_t value;

    if (command_line_get_unsigned((const char *)runtime_start_info->cmd_line, name, &value))
        return value;
    return fallback;
}

/* An attack that fails does no work: each round must succeed, or be
 * refused as Xen refuses it (accepted). */
static void report_round_accepting(uint64_t round, long result, uint64_t started_ns, long accepted)
{
    console_printf("LIVENESS attack %s: round %lu: result %ld in %lu ns\n", family, round, result,
                   system_time_ns() - started_ns);
    expect_true("attack_round_succeeds", result == 0 || result == accepted, result, "0");
}

static void report_round(uint64_t round, long result, uint64_t started_ns)
{
    report_round_accepting(round, result, started_ns, 0);
}

/* --- the largest counts the hypervisor accepts -------------------------------- */

static long probe_mmuext_op(unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        operations[index] = (struct mmuext_op) { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = memory.window };
    return call_mmuext_op(operations, count, NULL, DOMID_SELF);
}

/* Raw stores of 0 into entry 0 of a plain frame nothing maps. */
static long probe_mmu_update(unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        requests[index] = (struct mmu_update) { .ptr = probe_frame << PAGE_SHIFT, .val = 0 };
    return call_mmu_update(requests, count, NULL, DOMID_SELF);
}

static long probe_multicall(unsigned int count)
{
    for (unsigned int index = 0; index < count; index++)
        calls[index] = (struct multicall_entry) { .op = __HYPERVISOR_xen_version, .args = { XENVER_version } };
    return hypercall_multicall(calls, count);
}

static unsigned int largest_accepted(const char *what, long (*probe)(unsigned int count))
{
    unsigned int count = PROBE_START_COUNT;
    long result;

    while ((result = probe(count)) == -XEN_EINVAL && count > 1)
        count /= 2;
    console_printf("LIVENESS attack %s: %s accepts %u entries per call (probe: %ld)\n", family, what, count, result);
    return count;
}

/* --- the page-table tree ---------------------------------------------------------- */

static long write_entries(const struct mmu_update *list, unsigned int count)
{
    unsigned int done = 0;
    long result = call_mmu_update(list, count, &done, DOMID_SELF);

    return result == 0 && done != count ? -XEN_EINVAL : result;
}

/* Fills table's first count entries with frames[i] << PAGE_SHIFT | flags (raw stores). */
static long fill_table(uint64_t table, const uint64_t *frames, unsigned int count, uint64_t flags)
{
    for (unsigned int index = 0; index < count; index++)
        requests[index] = (struct mmu_update) { .ptr = entry_machine_address(table, index),
                                                .val = frames[index] << PAGE_SHIFT | flags };
    return write_entries(requests, count);
}

/* Every L1 a copy of the first, whose entries all map data read-only (a few
 * copies per call). */
static long fill_l1s(uint64_t data)
{
    uint64_t same[ENTRIES_PER_TABLE];
    long result;

    for (unsigned int index = 0; index < ENTRIES_PER_TABLE; index++)
        same[index] = data;
    if ((result = fill_table(l1_frames[0], same, ENTRIES_PER_TABLE, READ_ONLY_PTE)) != 0)
        return result;
    for (unsigned int first = 1; first < tree.l1_count; first += COPIES_PER_CALL) {
        unsigned int count = 0;

        for (unsigned int index = first; index < tree.l1_count && count < COPIES_PER_CALL; index++)
            operations[count++] = (struct mmuext_op) { .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = l1_frames[index],
                                                       .arg2.src_mfn = l1_frames[0] };
        if ((result = call_mmuext_op(operations, count, NULL, DOMID_SELF)) != 0)
            return result;
    }
    return 0;
}

static long fill_upper_levels(void)
{
    long result = 0;

    for (unsigned int index = 0; index < tree.l2_count && result == 0; index++) {
        unsigned int first = index * ENTRIES_PER_TABLE;
        unsigned int count = tree.l1_count - first < ENTRIES_PER_TABLE ? tree.l1_count - first : ENTRIES_PER_TABLE;

        result = fill_table(tree.l2[index], &l1_frames[first], count, TABLE_PTE);
    }
    if (result == 0)
        result = fill_table(tree.l3, tree.l2, tree.l2_count, TABLE_PTE);
    if (result == 0)
        result = mmu_update_one(entry_machine_address(tree.l4, TREE_L4_SLOT), tree.l3 << PAGE_SHIFT | TABLE_PTE);
    return result;
}

/* Every frame beyond the start-of-day mapping goes into the tree. */
static long build_tree(void)
{
    uint64_t free_frames = memory.nr_pages - memory.next_unmapped_pfn;
    uint64_t data;
    long result;

    if (free_frames < 4 || take_slack_page(&memory, &data) == 0)
        return -XEN_ENOMEM;
    tree.l4 = take_unmapped_frame(&memory);
    tree.l3 = take_unmapped_frame(&memory);
    free_frames -= 2;
    tree.l2_count = (unsigned int)((free_frames + ENTRIES_PER_TABLE) / (ENTRIES_PER_TABLE + 1));
    if (tree.l2_count > ENTRIES_PER_TABLE)
        tree.l2_count = ENTRIES_PER_TABLE;
    for (unsigned int index = 0; index < tree.l2_count; index++)
        tree.l2[index] = take_unmapped_frame(&memory);
    while (tree.l1_count < MAX_TREE_FRAMES && tree.l1_count < tree.l2_count * ENTRIES_PER_TABLE &&
           memory.next_unmapped_pfn < memory.nr_pages)
        l1_frames[tree.l1_count++] = take_unmapped_frame(&memory);
    console_printf("LIVENESS attack %s: tree of 1 L4, 1 L3, %u L2s and %u L1s (%u entries each)\n", family,
                   tree.l2_count, tree.l1_count, ENTRIES_PER_TABLE);
    result = fill_l1s(data);
    return result != 0 ? result : fill_upper_levels();
}

/* --- the families ------------------------------------------------------------------ */

/* About 3 KiB of console allowance at 64 KiB/s (kernel/console_io.c). */
#define CONSOLE_REFILL_WAIT_NS (50 * NANOSECONDS_PER_MILLISECOND)

static void attack_console(void)
{
    uint64_t start = 0;
    long result = aliased_range_map(&alias_pages, "liveness attacker: console flood over an aliased range",
                                    ALIAS_L4_SLOT, ALIAS_GIBIBYTES, &start);

    expect_result("aliased_range_maps", result, 0);
    if (result != 0)
        return;
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t count = option(round == 0 ? "first_bytes" : "bytes", round == 0 ? MEBIBYTE : LARGEST_CONSOLE_COUNT);
        uint64_t started_ns = system_time_ns();

        console_printf("LIVENESS attack %s: round %lu: console_io write of %lu bytes\n", family, round, count);
        result = hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, count, start);
        /* The flood emptied this domain's console allowance (pvmon rate-limits
         * a domU's output): wait until it has refilled for the reports. */
        sleep_until(system_time_ns() + CONSOLE_REFILL_WAIT_NS);
        /* Xen refuses a domU's console writes (-EPERM): no work, no stall. */
        report_round_accepting(round, result, started_ns, -XEN_EPERM);
    }
}

static void fill_pin_pairs(uint64_t frame, unsigned int command, unsigned int pairs)
{
    for (unsigned int index = 0; index < pairs; index++) {
        operations[2 * index] = (struct mmuext_op) { .cmd = command, .arg1.mfn = frame };
        operations[2 * index + 1] = (struct mmuext_op) { .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = frame };
    }
}

static void fill_calls(unsigned int count, unsigned int operations_per_call)
{
    for (unsigned int index = 0; index < count; index++)
        calls[index] = (struct multicall_entry) {
            .op = __HYPERVISOR_mmuext_op,
            .args = { (uint64_t)operations, operations_per_call, 0, DOMID_SELF },
        };
}

/* The multicall's own result, or the first failing entry's. */
static long run_calls(unsigned int count)
{
    long result = hypercall_multicall(calls, count);

    for (unsigned int index = 0; index < count && result == 0; index++)
        result = (long)calls[index].result;
    return result;
}

static unsigned int at_most(uint64_t wanted, unsigned int accepted)
{
    return wanted < accepted ? (unsigned int)wanted : accepted;
}

static void run_multicall_rounds(unsigned int call_count)
{
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t started_ns = system_time_ns();

        report_round(round, run_calls(call_count), started_ns);
    }
}

static void attack_pin_tree(void)
{
    unsigned int largest_calls = largest_accepted("multicall", probe_multicall);
    unsigned int largest_operations = largest_accepted("mmuext_op", probe_mmuext_op);
    unsigned int pairs = at_most(option("pairs", 2), largest_operations / 2);
    unsigned int call_count = at_most(option("calls", 2), largest_calls);
    long result = build_tree();

    expect_result("tree_is_built", result, 0);
    if (result != 0)
        return;
    console_printf("LIVENESS attack %s: a multicall of %u mmuext_op calls of %u pin/unpin pairs each\n", family,
                   call_count, pairs);
    fill_pin_pairs(tree.l4, MMUEXT_PIN_L4_TABLE, pairs);
    fill_calls(call_count, 2 * pairs);
    run_multicall_rounds(call_count);
}

static void attack_batch(void)
{
    unsigned int largest_calls = largest_accepted("multicall", probe_multicall);
    unsigned int largest_operations = largest_accepted("mmuext_op", probe_mmuext_op) & ~1U;
    uint64_t budget = option("ops", UINT64_C(1) << 17);
    unsigned int operations_per_call = at_most(budget, largest_operations) & ~1U;
    unsigned int call_count;
    uint64_t empty_l1 = take_unmapped_frame(&memory);

    expect_true("a_free_frame_for_the_empty_l1", empty_l1 != 0 && operations_per_call >= 2, (long)empty_l1,
                "a frame and room for one pair");
    if (empty_l1 == 0 || operations_per_call < 2)
        return;
    call_count = at_most(budget / operations_per_call, largest_calls);
    console_printf("LIVENESS attack %s: a multicall of %u mmuext_op calls of %u operations each\n", family,
                   call_count, operations_per_call);
    fill_pin_pairs(empty_l1, MMUEXT_PIN_L1_TABLE, operations_per_call / 2);
    fill_calls(call_count, operations_per_call);
    run_multicall_rounds(call_count);
}

static void attack_l4_toggle(void)
{
    uint64_t running_l4_slot = entry_machine_address(memory.l4_frame, TOGGLE_L4_SLOT);
    unsigned int toggles, done;
    long result;

    probe_frame = take_unmapped_frame(&memory);
    toggles = at_most(option("toggles", 8), largest_accepted("mmu_update", probe_mmu_update)) & ~1U;
    result = build_tree();
    expect_result("tree_is_built", result, 0);
    if (result != 0 || toggles < 2)
        return;
    console_printf("LIVENESS attack %s: an mmu_update batch of %u requests linking and unlinking L4 slot %u\n",
                   family, toggles, TOGGLE_L4_SLOT);
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t started_ns = system_time_ns();

        for (unsigned int index = 0; index < toggles; index++)
            requests[index] = (struct mmu_update) { .ptr = running_l4_slot,
                                                    .val = index % 2 == 0 ? tree.l3 << PAGE_SHIFT | TABLE_PTE : 0 };
        done = 0;
        result = call_mmu_update(requests, toggles, &done, DOMID_SELF);
        report_round(round, result == 0 && done != toggles ? -XEN_EINVAL : result, started_ns);
    }
}

/* Pins tables one level at a time, PINS_PER_CALL per call: each pin then
 * validates one table whose children are validated already, short work. */
static long pin_each(unsigned int command, const uint64_t *frames, unsigned int count)
{
    long result = 0;

    for (unsigned int first = 0; first < count && result == 0; first += PINS_PER_CALL) {
        unsigned int batch = 0;

        for (unsigned int index = first; index < count && batch < PINS_PER_CALL; index++)
            operations[batch++] = (struct mmuext_op) { .cmd = command, .arg1.mfn = frames[index] };
        result = call_mmuext_op(operations, batch, NULL, DOMID_SELF);
    }
    return result;
}

/* The tree, pinned bottom-up in short steps, is left to the domain's end:
 * the teardown must unpin and devalidate all of it. */
static void attack_teardown(void)
{
    long result = build_tree();

    expect_result("tree_is_built", result, 0);
    if (result != 0)
        return;
    if ((result = pin_each(MMUEXT_PIN_L1_TABLE, l1_frames, tree.l1_count)) == 0 &&
        (result = pin_each(MMUEXT_PIN_L2_TABLE, tree.l2, tree.l2_count)) == 0 &&
        (result = pin_each(MMUEXT_PIN_L3_TABLE, &tree.l3, 1)) == 0)
        result = pin_each(MMUEXT_PIN_L4_TABLE, &tree.l4, 1);
    expect_result("every_table_of_the_tree_is_pinned", result, 0);
    console_printf("LIVENESS attack %s: %u tables pinned; ending with them\n", family,
                   tree.l1_count + tree.l2_count + 2);
}

static void attack_nothing(void)
{
}

static void attack_reservation(void)
{
    uint64_t count = 0, beyond = option("beyond", 4096);
    long given, taken;

    while (count < MAX_EXTENTS && memory.next_unmapped_pfn < memory.nr_pages)
        extents[count++] = frame_of_pfn(memory.next_unmapped_pfn++);
    if (count + beyond > MAX_EXTENTS)
        beyond = MAX_EXTENTS - count;
    console_printf("LIVENESS attack %s: giving back %lu frames, then asking for %lu, per round\n", family, count,
                   count + beyond);
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t started_ns = system_time_ns();

        given = reservation_op(XENMEM_decrease_reservation, extents, count, 0, DOMID_SELF);
        taken = reservation_op(XENMEM_increase_reservation, extents, count + beyond, 0, DOMID_SELF);
        console_printf("LIVENESS attack %s: round %lu: gave back %ld, got %ld\n", family, round, given, taken);
        report_round(round, given != (long)count ? -XEN_EINVAL : taken < (long)count ? -XEN_ENOMEM : 0, started_ns);
        count = taken > 0 ? (uint64_t)taken : 0;
    }
}

#define MAX_GRANT_COPIES 16384
#define GRANT_TABLE_MAXIMUM_FRAMES 64
#define GRANT_REF 8

static struct gnttab_copy grant_copies[MAX_GRANT_COPIES];

/* The table's first frame mapped over a slack page, a self-grant of
 * another slack page; false if any step fails. */
static bool grant_own_page(uint64_t *granted_frame)
{
    xen_pfn_t frames[GRANT_TABLE_MAXIMUM_FRAMES];
    uint64_t table_address, unused_frame;
    long own_id = own_domain_id();
    int16_t status = -1;
    long result = grant_setup_table(GRANT_TABLE_MAXIMUM_FRAMES, frames, &status);

    console_printf("LIVENESS attack %s: setup_table of %u frames: %ld, status %d\n", family,
                   GRANT_TABLE_MAXIMUM_FRAMES, result, status);
    table_address = take_slack_page(&memory, &unused_frame);
    if (result != 0 || status != GNTST_okay || own_id <= 0 || table_address == 0 ||
        take_slack_page(&memory, granted_frame) == 0)
        return false;
    if (hypercall_update_va_mapping(table_address,
                                    (frames[0] << PAGE_SHIFT) | PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED,
                                    UVMF_INVLPG) != 0)
        return false;
    grant_entry_permit(&((grant_entry_v1_t *)table_address)[GRANT_REF], (domid_t)own_id, (uint32_t)*granted_frame,
                       true);
    return true;
}

static void attack_grant_copy(void)
{
    uint64_t copies = option("copies", MAX_GRANT_COPIES), granted_frame = 0, destination_frame = 0;
    long result;

    if (copies > MAX_GRANT_COPIES)
        copies = MAX_GRANT_COPIES;
    if (!grant_own_page(&granted_frame) || take_slack_page(&memory, &destination_frame) == 0) {
        expect_true("grant_copy_attack_is_set_up", false, 0, "a table, a grant and a page");
        return;
    }
    for (uint64_t index = 0; index < copies; index++)
        grant_copies[index] = (struct gnttab_copy){
            .source = { .u.ref = GRANT_REF, .domid = DOMID_SELF },
            .dest = { .u.gmfn = destination_frame, .domid = DOMID_SELF },
            .len = (uint16_t)PAGE_SIZE,
            .flags = GNTCOPY_source_gref,
        };
    console_printf("LIVENESS attack %s: %lu whole-page copies per call\n", family, copies);
    for (uint64_t round = 0; round < rounds; round++) {
        uint64_t started_ns = system_time_ns();

        result = grant_copy(grant_copies, (unsigned int)copies);
        if (result == 0 && grant_copies[copies - 1].status != GNTST_okay)
            result = grant_copies[copies - 1].status;
        report_round(round, result, started_ns);
    }
}

static const struct {
    const char *name;
    void (*attack)(void);
} families[] = {
    { "console-domu", attack_console }, { "pin-tree", attack_pin_tree },       { "batch", attack_batch },
    { "l4-toggle", attack_l4_toggle },  { "reservation", attack_reservation }, { "teardown", attack_teardown },
    { "grant-copy", attack_grant_copy }, { "none", attack_nothing },
};

void run_tests(void)
{
    const char *command_line = (const char *)runtime_start_info->cmd_line;
    uint64_t started_ns;

    if (!command_line_find(command_line, "attack", family, sizeof(family)))
        family[0] = '\0';
    rounds = option("rounds", 1);
    expect_true("memory_layout_is_the_documented_one", guest_memory_init(&memory), 0, "true");
    spin_for(option("delay_ms", 100) * NANOSECONDS_PER_MILLISECOND);
    started_ns = system_time_ns();
    console_printf("LIVENESS attack %s: start at_ns=%lu rounds=%lu\n", family, started_ns, rounds);
    for (unsigned int index = 0; index < sizeof(families) / sizeof(families[0]); index++) {
        if (strcmp(family, families[index].name) == 0) {
            families[index].attack();
            console_printf("LIVENESS attack %s: done rounds=%lu elapsed_ns=%lu\n", family, rounds,
                           system_time_ns() - started_ns);
            return;
        }
    }
    expect_true("attack_is_a_known_family", false, 0, "console-domu, pin-tree, batch, l4-toggle, reservation, teardown, grant-copy or none");
}
