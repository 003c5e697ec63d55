/*
 * Hypercall preemption and continuations from a domU (Xen 4.17:
 * xen/common/multicall.c, xen/arch/x86/mm.c do_mmu_update and
 * do_mmuext_op, xen/common/memory.c do_memory_op, xen/drivers/char/
 * console.c guest_console_write; XSA-212 and XSA-213).
 *
 * Two ways make pvmon preempt a call while this guest watches:
 *   - an event the guest sent itself in an earlier entry of a multicall
 *     is pending and unmasked before the next entry (Xen's
 *     local_events_need_delivery): the multicall continues itself from
 *     that entry, and the event handler runs in between;
 *   - the guest's one-shot timer, re-armed every TIMER_STEP_NS by its own
 *     handler while a long call runs: its deadline passes inside the
 *     call, the call continues, and the handler runs between its parts.
 *     There it sees the work done so far (pdone, or the arguments the
 *     continuation wrote back into a multicall entry) and may change
 *     what the rest of the call will read.
 * Rules checked:
 *   - multicall, mmu_update and mmuext_op have no 1024-entry cap; a long
 *     batch completes through continuations, *pdone counting every
 *     request across them.
 *   - A continuation inside a multicall rewrites the entry: mmu_update's
 *     list advanced and count | MMU_UPDATE_PREEMPTED, memory_op's command
 *     | (next extent << MEMOP_EXTENT_SHIFT), console_io's count and buffer
 *     advanced.
 *   - Every re-entry checks the rest of the call again (XSA-212): a list
 *     moved into the hypervisor between parts is -EFAULT for mmu_update,
 *     and makes a reservation change stop at its start extent.
 *   - iret in a multicall ends the list (XSA-213, Xen's mc_exit): it runs,
 *     its result is the RAX it restored, later entries do not run, and
 *     the multicall returns that result.
 */
#include "pv_memory.h"

const char test_family[] = "preemption";

#define TIMER_STEP_NS 20000UL
#define LONG_MULTICALL 3000
#define HUGE_BATCH 65536
#define CLEAR_BATCH 4096
#define RESERVATION_EXTENTS 2048
#define CONSOLE_TEXT_BYTES (64 * 1024)
#define MARKER 0x5000000UL
#define UNTOUCHED_RESULT 0x5a5a5a5aUL
#define IRET_RESTORED_RAX 0x1e7UL

static struct guest_memory memory;

/* --- watching a call between its parts ------------------------------------ */

static void (*watcher)(void);
static volatile unsigned int watched_parts;

static void rearm_and_watch(void)
{
    if (watcher == NULL)
        return;
    watched_parts++;
    watcher();
    hypercall_set_singleshot_timer(system_time_ns() + TIMER_STEP_NS);
}

static void start_watching(void (*what)(void))
{
    watched_parts = 0;
    watcher = what;
    hypercall_set_singleshot_timer(system_time_ns() + TIMER_STEP_NS);
}

static void stop_watching(void)
{
    watcher = NULL;
}

/* --- multicall ------------------------------------------------------------- */

static struct multicall_entry calls[LONG_MULTICALL];

static struct multicall_entry entry(unsigned long op, unsigned long first, unsigned long second)
{
    return (struct multicall_entry) { .op = op, .args = { first, second }, .result = UNTOUCHED_RESULT };
}

static void check_long_multicall(void)
{
    long version = hypercall_xen_version(XENVER_version, 0);
    unsigned int right = 0;

    for (unsigned int index = 0; index < LONG_MULTICALL; index++)
        calls[index] = entry(__HYPERVISOR_xen_version, XENVER_version, 0);
    expect_result("multicall_of_3000_entries_returns_0", hypercall_multicall(calls, LONG_MULTICALL), 0);
    for (unsigned int index = 0; index < LONG_MULTICALL; index++)
        right += (long)calls[index].result == version;
    expect_result("multicall_of_3000_entries_ran_every_entry", right, LONG_MULTICALL);
}

static volatile unsigned int self_events;

/* The self-event's handler: turns the third entry, which would fail,
 * into a call that succeeds.  Only an entry read after the handler ran
 * can succeed. */
static void rewrite_third_entry(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    self_events++;
    calls[2].op = __HYPERVISOR_xen_version;
}

static void check_self_event_continues_multicall(void)
{
    struct evtchn_bind_ipi bind = { .vcpu = 0 };
    struct evtchn_send send;
    long version = hypercall_xen_version(XENVER_version, 0);

    if (hypercall_event_channel_op(EVTCHNOP_bind_ipi, &bind) != 0 ||
        events_attach(bind.port, rewrite_third_entry, 0) != 0) {
        expect_true("self_event_port_bound", false, -1, "a bound IPI port");
        return;
    }
    send.port = bind.port;
    calls[0] = entry(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send);
    calls[1] = entry(__HYPERVISOR_xen_version, XENVER_version, 0);
    calls[2] = entry(63, XENVER_version, 0);
    self_events = 0;
    expect_result("multicall_with_a_self_event_returns_0", hypercall_multicall(calls, 3), 0);
    expect_result("self_event_handled_once", self_events, 1);
    expect_result("self_event_send_entry_succeeded", (long)calls[0].result, 0);
    expect_result("entry_after_the_self_event_ran", (long)calls[1].result, version);
    expect_result("self_event_handler_ran_between_entries", (long)calls[2].result, version);
    events_detach(bind.port);
}

/* Calls multicall with an iret context on the stack that iret would
 * return through: to the instruction after the SYSCALL, with RAX
 * IRET_RESTORED_RAX, the same stack and events enabled.  Returns RAX as
 * the guest sees it there. */
static long multicall_over_an_iret_context(struct multicall_entry *list, unsigned long count)
{
    long result;

    __asm__ volatile("mov %%rsp, %%r12\n\t"
                     "and $-16, %%rsp\n\t"
                     "mov %%ss, %%eax\n\t"
                     "push %%rax\n\t"              /* ss */
                     "push %%r12\n\t"              /* rsp */
                     "pushfq\n\t"                  /* rflags: IF set, events enabled */
                     "mov %%cs, %%eax\n\t"
                     "and $-4, %%eax\n\t"          /* RPL 0: back to kernel mode */
                     "push %%rax\n\t"              /* cs */
                     "lea 1f(%%rip), %%rax\n\t"
                     "push %%rax\n\t"              /* rip */
                     "push $0\n\t"                 /* flags: restore RCX and R11 */
                     "push $0\n\t"                 /* rcx */
                     "push $0\n\t"                 /* r11 */
                     "push %[restored]\n\t"        /* rax */
                     "mov %[multicall], %%eax\n\t"
                     "syscall\n"
                     "1:\n\t"
                     "mov %%r12, %%rsp"
                     : "=a"(result)
                     : "D"(list), "S"(count), [restored] "i"(IRET_RESTORED_RAX),
                       [multicall] "i"(__HYPERVISOR_multicall)
                     : "rcx", "r11", "r12", "memory");
    return result;
}

static void check_iret_ends_multicall(void)
{
    long version = hypercall_xen_version(XENVER_version, 0);

    calls[0] = entry(__HYPERVISOR_xen_version, XENVER_version, 0);
    calls[1] = entry(__HYPERVISOR_iret, 0, 0);
    calls[2] = entry(__HYPERVISOR_xen_version, XENVER_version, 0);
    expect_result("iret_in_multicall_returns_the_rax_it_restored", multicall_over_an_iret_context(calls, 3),
                  IRET_RESTORED_RAX);
    expect_result("entry_before_iret_ran", (long)calls[0].result, version);
    expect_result("iret_entry_result_is_the_rax_it_restored", (long)calls[1].result, IRET_RESTORED_RAX);
    expect_result("entry_after_iret_does_not_run", (long)calls[2].result, UNTOUCHED_RESULT);
}

/* --- mmu_update and mmuext_op ---------------------------------------------- */

static struct mmu_update huge_batch[HUGE_BATCH];
static volatile unsigned int batch_done;
static volatile unsigned int midway_observations;

static void note_midway_done(void)
{
    if (batch_done > 0 && batch_done < HUGE_BATCH)
        midway_observations++;
}

static void fill_huge_batch(uint64_t frame)
{
    for (unsigned int index = 0; index < HUGE_BATCH; index++)
        huge_batch[index] = (struct mmu_update) { .ptr = frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE,
                                                  .val = MARKER + index };
}

static void check_huge_mmu_update(void)
{
    uint64_t frame = take_unmapped_frame(&memory);
    uint64_t pfn = pfn_of_frame(frame);
    long result;

    fill_huge_batch(frame);
    batch_done = 0;
    midway_observations = 0;
    start_watching(note_midway_done);
    result = call_mmu_update(huge_batch, HUGE_BATCH, (unsigned int *)&batch_done, DOMID_SELF);
    stop_watching();
    expect_result("mmu_update_of_65536_requests_returns_0", result, 0);
    expect_result("mmu_update_of_65536_requests_reports_65536_done", batch_done, HUGE_BATCH);
    expect_result("mmu_update_of_65536_requests_did_the_last", (long)m2p_entry(&memory, frame),
                  (long)(MARKER + HUGE_BATCH - 1));
    expect_true("mmu_update_of_65536_requests_was_continued_with_pdone_so_far", midway_observations > 0,
                midway_observations, "> 0 timer events seeing 0 < pdone < 65536");
    mmu_update_one(frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, pfn);
}

static struct mmuext_op clear_batch[CLEAR_BATCH];

static void note_midway_cleared(void)
{
    if (batch_done > 0 && batch_done < CLEAR_BATCH)
        midway_observations++;
}

static void check_preempted_mmuext_op(void)
{
    uint64_t frame = take_unmapped_frame(&memory);
    long result;

    for (unsigned int index = 0; index < CLEAR_BATCH; index++)
        clear_batch[index] = (struct mmuext_op) { .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = frame };
    batch_done = 0;
    midway_observations = 0;
    start_watching(note_midway_cleared);
    result = call_mmuext_op(clear_batch, CLEAR_BATCH, (unsigned int *)&batch_done, DOMID_SELF);
    stop_watching();
    expect_result("mmuext_op_of_4096_clears_returns_0", result, 0);
    expect_result("mmuext_op_of_4096_clears_reports_4096_done", batch_done, CLEAR_BATCH);
    expect_true("mmuext_op_of_4096_clears_was_continued_with_pdone_so_far", midway_observations > 0,
                midway_observations, "> 0 timer events seeing 0 < pdone < 4096");
}

/* XSA-212: the multicall entry's continuation, seen and then pointed at
 * the hypervisor by the timer handler. */
static volatile uint64_t seen_list;
static volatile uint64_t seen_count;

static void move_list_into_hypervisor(void)
{
    if (seen_list != 0 || !(calls[0].args[1] & MMU_UPDATE_PREEMPTED))
        return;
    seen_list = calls[0].args[0];
    seen_count = calls[0].args[1];
    calls[0].args[0] = HYPERVISOR_IMAGE_ADDRESS;
}

static void check_list_moved_between_continuations(void)
{
    uint64_t frame = take_unmapped_frame(&memory);
    uint64_t pfn = pfn_of_frame(frame);
    uint64_t requests_before;
    long result;

    fill_huge_batch(frame);
    batch_done = 0;
    seen_list = 0;
    calls[0] = entry(__HYPERVISOR_mmu_update, (unsigned long)huge_batch, HUGE_BATCH);
    calls[0].args[2] = (unsigned long)&batch_done;
    calls[0].args[3] = DOMID_SELF;
    start_watching(move_list_into_hypervisor);
    result = hypercall_multicall(calls, 1);
    stop_watching();
    requests_before = (seen_list - (uint64_t)huge_batch) / sizeof(struct mmu_update);
    expect_result("multicall_whose_mmu_update_list_moved_returns_0", result, 0);
    expect_true("mmu_update_continuation_in_multicall_seen", seen_list != 0, (long)seen_list, "an entry rewritten");
    expect_result("mmu_update_continuation_count_is_the_rest_with_mmu_update_preempted", (long)seen_count,
                  (long)((HUGE_BATCH - requests_before) | MMU_UPDATE_PREEMPTED));
    expect_result("mmu_update_list_moved_into_hypervisor_between_continuations_is_efault",
                  (long)calls[0].result, -XEN_EFAULT);
    expect_result("mmu_update_pdone_counts_the_requests_before_the_move", batch_done, (long)requests_before);
    expect_result("mmu_update_did_the_requests_before_the_move_only", (long)m2p_entry(&memory, frame),
                  (long)(MARKER + requests_before - 1));
    mmu_update_one(frame << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, pfn);
}

/* --- memory_op -------------------------------------------------------------- */

/* A reservation change is short next to the timer's latency under TCG
 * (some 100 us for ~1000 extents), so each check below runs until one
 * attempt was seen continued, at most RESERVATION_ATTEMPTS times; every
 * attempt is undone before the next. */
#define RESERVATION_ATTEMPTS 16

static uint64_t extents[RESERVATION_EXTENTS];
static unsigned int extent_count;
static struct xen_memory_reservation reservation;
static volatile uint64_t seen_command;

static void note_next_extent(void)
{
    if (seen_command == 0 && calls[0].args[0] >> MEMOP_EXTENT_SHIFT != 0)
        seen_command = calls[0].args[0];
}

static void move_extents_into_hypervisor(void)
{
    note_next_extent();
    if (seen_command != 0)
        set_xen_guest_handle(reservation.extent_start, (uint64_t *)HYPERVISOR_IMAGE_ADDRESS);
}

static long reservation_in_multicall(unsigned int command, void (*watch)(void))
{
    reservation = (struct xen_memory_reservation) { .nr_extents = extent_count, .domid = DOMID_SELF };
    set_xen_guest_handle(reservation.extent_start, extents);
    calls[0] = entry(__HYPERVISOR_memory_op, command, (unsigned long)&reservation);
    seen_command = 0;
    start_watching(watch);
    hypercall_multicall(calls, 1);
    stop_watching();
    return (long)calls[0].result;
}

static uint64_t seen_next_extent(void)
{
    return seen_command >> MEMOP_EXTENT_SHIFT;
}

static bool seen_midway(void)
{
    return seen_next_extent() > 0 && seen_next_extent() < extent_count;
}

static void check_decrease_continuation(long pages)
{
    long result = 0;

    for (unsigned int attempt = 0; attempt < RESERVATION_ATTEMPTS; attempt++) {
        result = reservation_in_multicall(XENMEM_decrease_reservation, note_next_extent);
        if (seen_midway() || result != (long)extent_count)
            break;
        reservation_op(XENMEM_increase_reservation, extents, extent_count, 0, DOMID_SELF);
    }
    expect_result("decrease_reservation_gives_back_every_extent", result, extent_count);
    expect_result("decrease_reservation_lowers_the_reservation_by_every_extent", current_reservation(),
                  pages - extent_count);
    expect_result("decrease_reservation_continuation_keeps_the_command_in_the_low_bits",
                  (long)(seen_command & ((1u << MEMOP_EXTENT_SHIFT) - 1)), XENMEM_decrease_reservation);
    expect_true("decrease_reservation_was_continued_with_the_next_extent_in_the_command", seen_midway(),
                (long)seen_next_extent(), "an extent between the first and the last");
}

static void check_increase_with_extents_moved(long pages)
{
    long result = 0;

    for (unsigned int attempt = 0; attempt < RESERVATION_ATTEMPTS; attempt++) {
        result = reservation_in_multicall(XENMEM_increase_reservation, move_extents_into_hypervisor);
        if (seen_midway() || result != (long)extent_count)
            break;
        reservation_op(XENMEM_decrease_reservation, extents, extent_count, 0, DOMID_SELF);
    }
    expect_true("increase_reservation_was_continued_midway", seen_midway(), (long)seen_next_extent(),
                "an extent between the first and the last");
    expect_result("increase_reservation_whose_extents_moved_into_hypervisor_stops_at_its_start_extent", result,
                  (long)seen_next_extent());
    expect_result("increase_reservation_whose_extents_moved_gave_only_what_it_reports", current_reservation(),
                  pages - extent_count + result);
    reservation_op(XENMEM_increase_reservation, extents, extent_count - (uint64_t)result, 0, DOMID_SELF);
    expect_result("reservation_restored", current_reservation(), pages);
}

static void check_reservation_continuations(void)
{
    long pages = current_reservation();

    for (extent_count = 0; extent_count < RESERVATION_EXTENTS; extent_count++) {
        extents[extent_count] = take_unmapped_frame(&memory);
        if (extents[extent_count] == 0)
            break;
    }
    expect_true("free_frames_to_give_back", extent_count >= 256, extent_count, "at least 256");
    check_decrease_continuation(pages);
    check_increase_with_extents_moved(pages);
}

/* --- console_io ------------------------------------------------------------- */

static char console_text[CONSOLE_TEXT_BYTES];
static volatile uint64_t seen_console_count;
static volatile uint64_t seen_console_buffer;

static void note_console_progress(void)
{
    if (seen_console_count == 0 && calls[0].args[1] < CONSOLE_TEXT_BYTES) {
        seen_console_count = calls[0].args[1];
        seen_console_buffer = calls[0].args[2];
    }
}

static void check_console_continuation(void)
{
    static const char line[] = "preemption: a line of a long console write\n";
    uint64_t written;

    for (unsigned int index = 0; index < CONSOLE_TEXT_BYTES; index++)
        console_text[index] = line[index % (sizeof(line) - 1)];
    console_text[CONSOLE_TEXT_BYTES - 1] = '\n';
    calls[0] = entry(__HYPERVISOR_console_io, CONSOLEIO_write, CONSOLE_TEXT_BYTES);
    calls[0].args[2] = (unsigned long)console_text;
    seen_console_count = 0;
    start_watching(note_console_progress);
    hypercall_multicall(calls, 1);
    stop_watching();
    written = seen_console_buffer - (uint64_t)console_text;
    expect_result("console_write_of_64_kib_returns_0", (long)calls[0].result, 0);
    expect_true("console_write_was_continued_midway", seen_console_count > 0, (long)seen_console_count,
                "a count below 65536");
    expect_result("console_write_continuation_advances_buffer_by_what_count_lost",
                  (long)(written + seen_console_count), CONSOLE_TEXT_BYTES);
}

void run_tests(void)
{
    if (!guest_memory_init(&memory)) {
        expect_true("guest_memory_known", false, 0, "the guest's memory map");
        return;
    }
    clock_set_timer_hook(rearm_and_watch);
    check_long_multicall();
    check_self_event_continues_multicall();
    check_iret_ends_multicall();
    check_huge_mmu_update();
    check_preempted_mmuext_op();
    check_list_moved_between_continuations();
    check_reservation_continuations();
    check_console_continuation();
    clock_set_timer_hook(NULL);
}
