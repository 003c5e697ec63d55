/*
 * Hypercall checks from inside a guest, in the spirit of the Xen Test
 * Framework: each case makes one hypercall, valid or not, and compares
 * the result with Xen's.  One line per case, "pv-kernel: PASS name" or
 * "pv-kernel: FAIL name: got X, expected Y", then a summary line that the
 * boot test reads.  Covered here: console_io, sched_op, the dispatch of
 * unknown numbers, and pvmon's domain_control as the privileged domain
 * sees it (hypercall/public/domain_control.h, with read_console: the
 * hypervisor's console history, Xen's XEN_SYSCTL_readconsole); every other hypercall
 * family has a test guest of its own under tests/hypercall/.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <pvmon/string.h>
#include <public/domain_control.h>
#include <public/memory_extension.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include "direct_map.h"
#include "hypercall_checks.h"

#define HYPERVISOR_ADDRESS 0xffff808000200000UL
#define NON_CANONICAL_ADDRESS 0x0000800000000000UL
#define UNMAPPED_GUEST_ADDRESS 0x10UL

static unsigned int passed;
static unsigned int failed;

static void expect(const char *name, long got, long expected)
{
    if (got == expected) {
        passed++;
        console_printf("pv-kernel: PASS %s\n", name);
    } else {
        failed++;
        console_printf("pv-kernel: FAIL %s: got %ld, expected %ld\n", name, got, expected);
    }
}

/* dom0's console output is not rate-limited (kernel/console_io.c): more
 * than a domU's whole burst in one call, whose last line the system test
 * finds in the log. */
#define CONSOLE_FLOOD_BYTES (320 * 1024)
#define CONSOLE_FLOOD_LINE "pv-kernel: console flood, not rate-limited for dom0\n"

static long write_console_flood(void)
{
    static char flood[CONSOLE_FLOOD_BYTES];
    static const char line[] = CONSOLE_FLOOD_LINE;
    static const char last[] = "pv-kernel: console flood: last line\n";
    uint64_t length = 0;

    while (length + sizeof(line) - 1 + sizeof(last) - 1 <= sizeof(flood)) {
        for (unsigned int index = 0; index < sizeof(line) - 1; index++)
            flood[length + index] = line[index];
        length += sizeof(line) - 1;
    }
    for (unsigned int index = 0; index < sizeof(last) - 1; index++)
        flood[length + index] = last[index];
    length += sizeof(last) - 1;
    return hypercall_console_write(flood, length);
}

/* pvmon's direct output (public/console_extension.h): the line shows unprefixed, its "\r\n" unchanged. */
static void check_console_write_direct(void)
{
    static const char text[] = "pv-kernel: direct console output\r\n";
    static char too_long[PVMON_CONSOLEIO_DIRECT_MAX + 1];

    expect("console_io_write_direct_from_dom0", hypercall_console_write_direct(text, sizeof(text) - 1), 0);
    expect("console_io_write_direct_unmapped_pointer_is_efault",
           hypercall_console_write_direct((const char *)UNMAPPED_GUEST_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_direct_beyond_its_maximum_is_einval",
           hypercall_console_write_direct(too_long, sizeof(too_long)), -XEN_EINVAL);
}

static void check_console_io(void)
{
    static const char text[] = "pv-kernel: console_io write from a valid buffer\n";

    expect("console_io_write_valid_buffer",
           hypercall_console_write(text, sizeof(text) - 1), 0);
    expect("console_io_write_zero_length", hypercall_console_write(text, 0), 0);
    expect("console_io_write_hypervisor_pointer_is_efault",
           hypercall_console_write((const char *)HYPERVISOR_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_non_canonical_pointer_is_efault",
           hypercall_console_write((const char *)NON_CANONICAL_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_unmapped_pointer_is_efault",
           hypercall_console_write((const char *)UNMAPPED_GUEST_ADDRESS, 16), -XEN_EFAULT);
    expect("console_io_write_range_into_hypervisor_is_efault",
           hypercall_console_write((const char *)(0xffff800000000000UL - 8), 16), -XEN_EFAULT);
    expect("console_io_write_count_is_32_bits",
           hypercall5(__HYPERVISOR_console_io, CONSOLEIO_write, 1UL << 33, (unsigned long)text, 0, 0), 0);
    expect("console_io_write_beyond_a_domus_burst_from_dom0", write_console_flood(), 0);
    expect("console_io_unknown_command_is_enosys",
           hypercall5(__HYPERVISOR_console_io, 99, 0, 0, 0, 0), -XEN_ENOSYS);
    check_console_write_direct();
}

/* CONSOLEIO_read as dom0, with nothing typed (the boot test types nothing
 * here; test=console-input reads what it types). */
static void check_console_read(void)
{
    char buffer[16];

    expect("console_io_read_with_no_input_returns_0", hypercall_console_read(buffer, sizeof(buffer)), 0);
    expect("console_io_read_with_no_input_never_touches_the_buffer",
           hypercall_console_read((char *)UNMAPPED_GUEST_ADDRESS, sizeof(buffer)), 0);
    expect("console_io_read_count_above_int_max_is_e2big",
           hypercall_console_read(buffer, 0x80000000UL), -XEN_E2BIG);
    expect("console_io_read_count_is_32_bits", hypercall_console_read(buffer, 1UL << 32), 0);
}

static void check_sched_op(void)
{
    expect("sched_op_unknown_command_is_enosys", hypercall_sched_op(99, 0), -XEN_ENOSYS);
    expect("sched_op_shutdown_hypervisor_pointer_is_efault",
           hypercall_sched_op(SCHEDOP_shutdown, (void *)HYPERVISOR_ADDRESS), -XEN_EFAULT);
    expect("sched_op_shutdown_unmapped_pointer_is_efault",
           hypercall_sched_op(SCHEDOP_shutdown, (void *)UNMAPPED_GUEST_ADDRESS), -XEN_EFAULT);
}

static void check_dispatch(void)
{
    expect("unknown_hypercall_number_is_enosys", hypercall5(63, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect("hypercall_number_beyond_table_is_enosys", hypercall5(64, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect("huge_hypercall_number_is_enosys", hypercall5(~0UL, 0, 0, 0, 0, 0), -XEN_ENOSYS);
}

static struct pvmon_domain_control control_request(uint32_t command, uint16_t domain)
{
    return (struct pvmon_domain_control) {
        .command = command,
        .interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION,
        .domain = domain,
    };
}

static long control(uint32_t command, uint16_t domain)
{
    struct pvmon_domain_control request = control_request(command, domain);

    return hypercall_domain_control(&request);
}

static void check_domain_control_request_validation(void)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_get_info, 0);

    request.interface_version = PVMON_DOMAIN_CONTROL_INTERFACE_VERSION + 1;
    expect("domain_control_other_interface_version_is_eacces", hypercall_domain_control(&request), -XEN_EACCES);
    request = control_request(PVMON_DOMAIN_CONTROL_get_info, 0);
    request.reserved[1] = 1;
    expect("domain_control_nonzero_reserved_field_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    expect("domain_control_unknown_command_is_enosys", control(99, 0), -XEN_ENOSYS);
    expect("domain_control_hypervisor_pointer_is_efault",
           hypercall_domain_control((struct pvmon_domain_control *)HYPERVISOR_ADDRESS), -XEN_EFAULT);
    expect("domain_control_unmapped_pointer_is_efault",
           hypercall_domain_control((struct pvmon_domain_control *)UNMAPPED_GUEST_ADDRESS), -XEN_EFAULT);
    request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    request.u.create.weight = 65536;
    expect("domain_control_create_weight_above_65535_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
}

static void check_domain_control_domain_ids(void)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_get_info, 0);

    expect("domain_control_get_info_from_0_finds_dom0", hypercall_domain_control(&request), 0);
    expect("domain_control_get_info_dom0_is_privileged", request.u.info.domain == 0 && request.u.info.privileged == 1,
           1);
    expect("domain_control_get_info_past_the_last_domain_is_esrch",
           control(PVMON_DOMAIN_CONTROL_get_info, DOMID_FIRST_RESERVED - 1), -XEN_ESRCH);
    expect("domain_control_destroy_dom0_is_einval", control(PVMON_DOMAIN_CONTROL_destroy, 0), -XEN_EINVAL);
    expect("domain_control_unpause_domid_self_is_einval", control(PVMON_DOMAIN_CONTROL_unpause, DOMID_SELF),
           -XEN_EINVAL);
    expect("domain_control_pause_reserved_id_is_einval", control(PVMON_DOMAIN_CONTROL_pause, DOMID_IDLE),
           -XEN_EINVAL);
    expect("domain_control_pause_missing_domain_is_esrch", control(PVMON_DOMAIN_CONTROL_pause, 1000), -XEN_ESRCH);
}

static void check_domain_control_life_cycle(void)
{
    static const char not_an_elf_image[] = "not an ELF image";
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    uint16_t domain;

    expect("domain_control_create_succeeds", hypercall_domain_control(&request), 0);
    domain = request.domain;
    expect("domain_control_create_gives_a_new_domain_id", domain != 0 && domain < DOMID_FIRST_RESERVED, 1);
    request = control_request(PVMON_DOMAIN_CONTROL_get_info, domain);
    hypercall_domain_control(&request);
    expect("domain_control_created_domain_is_paused_without_memory",
           request.u.info.domain == domain && request.u.info.state == PVMON_DOMAIN_STATE_paused &&
               request.u.info.pages == 0 && request.u.info.weight == 256,
           1);
    expect("domain_control_unpause_before_load_is_einval", control(PVMON_DOMAIN_CONTROL_unpause, domain),
           -XEN_EINVAL);
    request = control_request(PVMON_DOMAIN_CONTROL_set_memory, domain);
    expect("domain_control_set_memory_zero_pages_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.set_memory.pages = PVMON_DOMAIN_CONTROL_MAX_PAGES + 1;
    expect("domain_control_set_memory_above_maximum_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.set_memory.pages = PVMON_DOMAIN_CONTROL_MAX_PAGES;
    expect("domain_control_set_memory_beyond_free_memory_is_enomem", hypercall_domain_control(&request),
           -XEN_ENOMEM);
    request.u.set_memory.pages = 1024;
    expect("domain_control_set_memory_succeeds", hypercall_domain_control(&request), 0);
    expect("domain_control_set_memory_twice_is_eexist", hypercall_domain_control(&request), -XEN_EEXIST);
    request = control_request(PVMON_DOMAIN_CONTROL_load, domain);
    request.u.load.kernel_address = (uint64_t)not_an_elf_image;
    request.u.load.kernel_size = sizeof(not_an_elf_image);
    expect("domain_control_load_bad_image_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.load.kernel_size = PVMON_DOMAIN_CONTROL_MAX_IMAGE_SIZE + 1;
    expect("domain_control_load_oversized_image_is_einval", hypercall_domain_control(&request), -XEN_EINVAL);
    request.u.load.kernel_address = HYPERVISOR_ADDRESS;
    request.u.load.kernel_size = 4096;
    expect("domain_control_load_from_hypervisor_is_efault", hypercall_domain_control(&request), -XEN_EFAULT);
    expect("domain_control_destroy_succeeds", control(PVMON_DOMAIN_CONTROL_destroy, domain), 0);
    expect("domain_control_destroyed_domain_is_gone", control(PVMON_DOMAIN_CONTROL_pause, domain), -XEN_ESRCH);
    request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    expect("domain_control_create_after_destroy_succeeds", hypercall_domain_control(&request), 0);
    expect("domain_control_destroyed_id_is_not_reused_at_once", request.domain > domain, 1);
    expect("domain_control_destroy_of_the_second_domain_succeeds",
           control(PVMON_DOMAIN_CONTROL_destroy, request.domain), 0);
}

/* dom0 reads the machine's memory counters; a domU is refused them
 * (tests/hypercall/reservation.c). */
static void check_memory_extension(void)
{
    struct pvmon_memory_statistics statistics = { 0 };

    expect("memory_extension_machine_statistics_succeed_for_dom0",
           hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_statistics, (unsigned long)&statistics, 0), 0);
    expect("memory_extension_machine_statistics_count_free_frames", statistics.free_frames > 0, 1);
}

/* set_memory, load and destroy go in bounded steps and continue between
 * them (docs/ARCHITECTURE.md, "Hypercall preemption and continuations"):
 * dom0's own timer, re-armed every STEP_WATCH_NS while they run, sees
 * the domain's pages strictly between none and all, changes the load's
 * request while its image is staged (the next step reads it again), and
 * sees the destroyed domain ended but not yet gone (its frames still
 * coming back). */
#define STEPPED_PAGES 16384 /* 256 steps of 64 frames */
#define STEP_WATCH_NS 20000UL

#define BOOTSTRAP_REGION_ADDRESS 0xffffffff80000000UL /* dom0's first 4 MiB, always mapped */
#define STAGED_IMAGE_BYTES (4UL << 20)                 /* 16 steps of a load */

static uint16_t stepped_domain;
static volatile bool watching_steps;
static struct pvmon_domain_control load_request;
static volatile bool move_command_line;
static volatile uint64_t pages_seen_midway;
static volatile bool destroying;
static volatile unsigned int destroy_seen_midway;

static uint64_t unused_frames(void)
{
    struct pvmon_memory_statistics statistics;

    if (hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_statistics, (unsigned long)&statistics, 0) != 0)
        return 0;
    return statistics.free_frames + statistics.zeroed_pool_frames + statistics.dirty_frames;
}

/* The stepped domain as get_info sees it now (false: gone). */
static bool stepped_domain_info(struct pvmon_domain_info *info)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_get_info, stepped_domain);

    if (hypercall_domain_control(&request) != 0 || request.u.info.domain != stepped_domain)
        return false;
    *info = request.u.info;
    return true;
}

static void watch_steps(void)
{
    struct pvmon_domain_info info;

    if (!watching_steps)
        return;
    if (move_command_line) {
        load_request.u.load.command_line_address = UNMAPPED_GUEST_ADDRESS;
        move_command_line = false;
    }
    if (stepped_domain_info(&info)) {
        if (pages_seen_midway == 0 && info.pages > 0 && info.pages < STEPPED_PAGES)
            pages_seen_midway = info.pages;
        destroy_seen_midway += destroying && info.state == PVMON_DOMAIN_STATE_shutdown;
    }
    hypercall_set_singleshot_timer(system_time_ns() + STEP_WATCH_NS);
}

static long stepped_call(struct pvmon_domain_control *request)
{
    long result;

    pages_seen_midway = 0;
    destroy_seen_midway = 0;
    watching_steps = true;
    hypercall_set_singleshot_timer(system_time_ns() + STEP_WATCH_NS);
    result = hypercall_domain_control(request);
    watching_steps = false;
    return result;
}

static void check_domain_control_steps(void)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    unsigned int seen_while_destroying;
    uint64_t unused_before;

    if (hypercall_domain_control(&request) != 0) {
        expect("domain_control_create_for_steps_succeeds", -1, 0);
        return;
    }
    stepped_domain = request.domain;
    clock_set_timer_hook(watch_steps);
    request = control_request(PVMON_DOMAIN_CONTROL_set_memory, stepped_domain);
    request.u.set_memory.pages = STEPPED_PAGES;
    expect("domain_control_set_memory_of_16384_pages_succeeds", stepped_call(&request), 0);
    expect("domain_control_set_memory_was_continued_midway", pages_seen_midway > 0, 1);
    /* A 4 MiB image (not an ELF one) is staged in steps; the timer moves
     * the command line to an unmapped address while that goes on, and the
     * step after that reads it again. */
    load_request = control_request(PVMON_DOMAIN_CONTROL_load, stepped_domain);
    load_request.u.load.kernel_address = BOOTSTRAP_REGION_ADDRESS;
    load_request.u.load.kernel_size = STAGED_IMAGE_BYTES;
    move_command_line = true;
    expect("domain_control_load_rereads_its_request_between_steps", stepped_call(&load_request), -XEN_EFAULT);
    move_command_line = false;
    unused_before = unused_frames();
    request = control_request(PVMON_DOMAIN_CONTROL_destroy, stepped_domain);
    destroying = true;
    expect("domain_control_destroy_of_16384_pages_succeeds", stepped_call(&request), 0);
    destroying = false;
    seen_while_destroying = destroy_seen_midway;
    clock_set_timer_hook(NULL);
    expect("domain_control_destroy_gave_every_frame_back_before_returning",
           unused_frames() >= unused_before + STEPPED_PAGES, 1);
    expect("domain_control_destroy_was_seen_ended_but_not_yet_gone_between_steps", seen_while_destroying > 0, 1);
    expect("domain_control_destroyed_stepped_domain_is_gone", control(PVMON_DOMAIN_CONTROL_pause, stepped_domain),
           -XEN_ESRCH);
}

/* mmuext_op's foreigndom is Xen's pg_owner (kernel/mmuext_op.c): frame
 * operations act on that domain's frames, and the operations on the
 * caller's own vCPU are -EPERM with another domain named. */
#define SCRATCH_BYTE 0xa5

static uint8_t foreign_scratch_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static long foreign_mmuext(struct mmuext_op operation, uint16_t domain)
{
    unsigned int done = 0;

    return hypercall5(__HYPERVISOR_mmuext_op, (unsigned long)&operation, 1, (unsigned long)&done, domain, 0);
}

static uint64_t own_machine_frame(const struct start_info *start_info, const void *page)
{
    const uint64_t *physical_to_machine = (const uint64_t *)start_info->mfn_list;

    return physical_to_machine[((uint64_t)page - KERNEL_VIRTUAL_BASE) >> PAGE_SHIFT];
}

static bool scratch_page_untouched(void)
{
    for (unsigned int index = 0; index < sizeof(foreign_scratch_page); index++) {
        if (foreign_scratch_page[index] != SCRATCH_BYTE)
            return false;
    }
    return true;
}

static void check_mmuext_op_foreign_owner(const struct start_info *start_info)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_create, 0);
    struct mmuext_op operation;
    uint16_t domain;

    if (hypercall_domain_control(&request) != 0) {
        expect("mmuext_foreign_owner_domain_is_created", -1, 0);
        return;
    }
    domain = request.domain;
    memset(foreign_scratch_page, SCRATCH_BYTE, sizeof(foreign_scratch_page));
    expect("mmuext_foreign_set_ldt_is_eperm",
           foreign_mmuext((struct mmuext_op){ .cmd = MMUEXT_SET_LDT }, domain), -XEN_EPERM);
    expect("mmuext_foreign_tlb_flush_local_is_eperm",
           foreign_mmuext((struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL }, domain), -XEN_EPERM);
    expect("mmuext_foreign_new_baseptr_is_eperm",
           foreign_mmuext((struct mmuext_op){ .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = 1 }, domain),
           -XEN_EPERM);
    expect("mmuext_foreign_unknown_command_is_enosys",
           foreign_mmuext((struct mmuext_op){ .cmd = 14 }, domain), -XEN_ENOSYS);
    operation = (struct mmuext_op){ .cmd = MMUEXT_CLEAR_PAGE,
                                    .arg1.mfn = own_machine_frame(start_info, foreign_scratch_page) };
    expect("mmuext_foreign_clear_page_of_a_frame_the_owner_lacks_is_einval", foreign_mmuext(operation, domain),
           -XEN_EINVAL);
    expect("mmuext_foreign_clear_page_leaves_the_caller_s_frame_alone", scratch_page_untouched(), 1);
    expect("mmuext_foreign_owner_domain_is_destroyed", control(PVMON_DOMAIN_CONTROL_destroy, domain), 0);
}

static char history[PVMON_CONSOLE_HISTORY_BYTES + 1];

/* Reads the whole history (without clearing it) into history[], NUL-terminated. */
static long read_whole_history(uint32_t *count)
{
    uint32_t index = 0;

    *count = PVMON_CONSOLE_HISTORY_BYTES;
    long error = hypercall_read_console(history, count, &index, false, false);

    history[error == 0 ? *count : 0] = '\0';
    return error;
}

static bool history_contains(const char *text)
{
    size_t length = strlen(text);

    for (const char *place = history; *place != '\0'; place++)
        if (strncmp(place, text, length) == 0)
            return true;
    return false;
}

static long read_console_request(uint16_t domain, uint8_t clear, uint8_t reserved, uint64_t buffer)
{
    struct pvmon_domain_control request = control_request(PVMON_DOMAIN_CONTROL_read_console, domain);

    request.u.read_console.buffer = buffer;
    request.u.read_console.count = 16;
    request.u.read_console.clear = clear;
    request.u.read_console.reserved[5] = reserved;
    return hypercall_domain_control(&request);
}

static void check_read_console_contents(void)
{
    uint32_t count;

    expect("read_console_succeeds_for_dom0", read_whole_history(&count), 0);
    expect("read_console_holds_the_hypervisor_s_messages", history_contains("created (weight"), 1);
    console_printf("pv-kernel: dom0 line kept out of the console history\n");
    read_whole_history(&count);
    expect("read_console_leaves_out_dom0_s_own_lines", history_contains("kept out of the console history"), 0);
}

static void check_read_console_bounds(void)
{
    char whole[32];
    char piece[32];
    uint32_t count = 16;
    uint32_t index = 0;

    memset(piece, 'X', sizeof(piece));
    hypercall_read_console(whole, &count, &index, false, false);
    count = 8;
    index = 0;
    expect("read_console_of_8_bytes_succeeds", hypercall_read_console(piece, &count, &index, false, false), 0);
    expect("read_console_copies_no_more_than_the_count", count == 8 && index > 0 && piece[8] == 'X', 1);
    count = 8;
    expect("read_console_incremental_read_succeeds", hypercall_read_console(piece + 8, &count, &index, true, false), 0);
    expect("read_console_incremental_read_goes_on_where_the_last_stopped", memcmp(piece, whole, 16), 0);
    count = 0;
    expect("read_console_of_0_bytes_copies_nothing",
           hypercall_read_console(piece, &count, &index, false, false) == 0 && count == 0, 1);
}

static void check_read_console_validation(void)
{
    uint32_t count;

    expect("read_console_clear_above_1_is_einval", read_console_request(0, 2, 0, (uint64_t)history), -XEN_EINVAL);
    expect("read_console_nonzero_reserved_byte_is_einval", read_console_request(0, 0, 1, (uint64_t)history),
           -XEN_EINVAL);
    expect("read_console_naming_a_domain_is_einval", read_console_request(1, 0, 0, (uint64_t)history), -XEN_EINVAL);
    expect("read_console_into_the_hypervisor_is_efault", read_console_request(0, 1, 0, HYPERVISOR_ADDRESS),
           -XEN_EFAULT);
    expect("read_console_into_an_unmapped_page_is_efault", read_console_request(0, 1, 0, UNMAPPED_GUEST_ADDRESS),
           -XEN_EFAULT);
    read_whole_history(&count);
    expect("read_console_failed_clear_drops_nothing", count > 16, 1);
}

static void check_read_console_clear(void)
{
    uint32_t count = PVMON_CONSOLE_HISTORY_BYTES;
    uint32_t index = 0;

    expect("read_console_with_clear_succeeds", hypercall_read_console(history, &count, &index, false, true), 0);
    read_whole_history(&count);
    expect("read_console_after_clear_holds_only_what_came_later", history_contains("created (weight"), 0);
}

static void check_read_console(void)
{
    check_read_console_contents();
    check_read_console_bounds();
    check_read_console_validation();
    check_read_console_clear();
}

void run_hypercall_checks(const struct start_info *start_info)
{
    check_console_io();
    check_console_read();
    check_sched_op();
    check_dispatch();
    check_domain_control_request_validation();
    check_domain_control_domain_ids();
    check_domain_control_life_cycle();
    check_domain_control_steps();
    check_memory_extension();
    check_mmuext_op_foreign_owner(start_info);
    check_read_console();
    console_printf("pv-kernel: hypercall checks: %u passed, %u failed\n", passed, failed);
}
