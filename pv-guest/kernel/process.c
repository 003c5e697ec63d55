/*
 * Processes (see process.h): the table, fork, exec, exit and wait, the
 * scheduler, the handler for every trap from user mode, and the start and
 * end of it all.
 *
 * Rules kept:
 *   - the running process's registers live in the bounced frame, every
 *     other process's in its table entry; a switch copies them across and
 *     moves the vCPU's user base pointer (MMUEXT_NEW_USER_BASEPTR);
 *   - an address space is destroyed only after it stopped being the user
 *     base pointer (exit sets it to none in the batch that unpins the
 *     space; exec moves it to the new space first);
 *   - a switch also installs the next process's LDT (or the null LDT);
 *     exec and exit free the process's LDT (process_ldt.c);
 *   - a child that exits before its parent waits stays a zombie with its
 *     status and usage; its memory is freed at exit, not at reaping;
 *   - the children of an exiting process become init's;
 *   - every frame comes back: after init exits the pool must hold every
 *     page it manages, and the report says so.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include <runtime/traps.h>
#include "frame_pool.h"
#include "mmu_batch.h"
#include "process.h"
#include "ramdisk.h"
#include "syscalls.h"
#include "user_memory.h"

#define INIT_PROGRAM "init"
#define INIT_PID 1
#define USER_RFLAGS 0x202UL  /* IF, and bit 1, which always reads 1 */
#define PAGE_FAULT_VECTOR 14
#define TRAP_STACK_SIZE (16 * 1024)
#define INIT_LIST_SIZE 256

static struct process processes[PROCESS_MAX];
static struct process *running;
static struct process *init_process;
static int next_pid = INIT_PID;
static uint64_t loaded_user_base;       /* machine frame of the user L4 the vCPU has; 0: none */
static uint64_t slice_timer_events;     /* VIRQ_TIMER count when the slice started */
static bool switch_requested;
static uint64_t started_ns;
static struct process_statistics statistics;
static const struct start_info *kernel_start_info;
static uint8_t trap_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));

struct process_statistics *process_statistics(void)
{
    return &statistics;
}

static void kernel_failure(const char *what, long error)
{
    console_printf("pv-kernel: %s failed (%ld); crashing\n", what, error);
    runtime_exit(SHUTDOWN_crash);
}

/* --- the user base pointer -------------------------------------------- */

/* Another address space for user mode: Xen promises no TLB flush for a new
 * user base pointer, so the kernel asks for one. */
static void load_user_base(uint64_t machine_frame)
{
    int error;

    if (loaded_user_base == machine_frame)
        return;
    mmu_batch_new_user_base(machine_frame);
    mmu_batch_flush_tlb();
    if ((error = mmu_batch_submit()) != 0)
        kernel_failure("MMUEXT_NEW_USER_BASEPTR", error);
    loaded_user_base = machine_frame;
}

/* Destroys the process's space, first moving the user base pointer off it. */
static void release_address_space(struct process *process)
{
    int error;

    if (!process->space.exists)
        return;
    if (loaded_user_base == address_space_root_machine_frame(&process->space)) {
        mmu_batch_new_user_base(0);
        loaded_user_base = 0;
    }
    if ((error = address_space_destroy(&process->space)) != 0)
        console_printf("pv-kernel: tearing down process %d's memory failed (%d)\n", process->pid, error);
}

/* --- the table ----------------------------------------------------------- */

static struct process *new_process(struct process *parent, const char *name)
{
    for (unsigned int slot = 0; slot < PROCESS_MAX; slot++) {
        struct process *process = &processes[slot];

        if (process->state != PROCESS_FREE)
            continue;
        *process = (struct process) { .state = PROCESS_RUNNABLE, .pid = next_pid++, .parent = parent };
        memcpy(process->name, name, strlen(name) + 1);
        return process;
    }
    return NULL;
}

static void add_usage(struct process_usage *total, const struct process_usage *more)
{
    total->demand_zero_faults += more->demand_zero_faults;
    total->known_zero_pages += more->known_zero_pages;
    total->cleared_pages += more->cleared_pages;
    total->pages_copied += more->pages_copied;
}

static bool waits_for(const struct process *parent, const struct process *child)
{
    return parent->state == PROCESS_WAITING && (parent->wait.pid == -1 || parent->wait.pid == child->pid);
}

/* Hands a zombie's status and usage to its parent and frees its slot; 0, or
 * -XEN_EFAULT if the parent's status or usage address cannot be written. */
static long reap(struct process *parent, struct process *child, uint64_t status_address, uint64_t usage_address)
{
    struct process_usage usage = child->usage;
    int status = child->exit_status;

    add_usage(&usage, &child->children_usage);
    if ((status_address != 0 && copy_to_user(parent, status_address, &status, sizeof(status)) != 0) ||
        (usage_address != 0 && copy_to_user(parent, usage_address, &usage, sizeof(usage)) != 0))
        return -XEN_EFAULT;
    add_usage(&parent->children_usage, &usage);
    child->state = PROCESS_FREE;
    return 0;
}

/* A parent blocked in SYS_wait gets the child: its saved RAX says the pid. */
static void finish_wait(struct process *parent, struct process *child)
{
    long result = reap(parent, child, parent->wait.status_address, parent->wait.usage_address);
    int pid = child->pid;

    parent->registers.rax = (uint64_t)(result != 0 ? result : pid);
    parent->state = PROCESS_RUNNABLE;
}

long process_fork(struct process *parent, const struct trap_frame *frame)
{
    struct process *child = new_process(parent, parent->name);
    uint64_t pages_copied;
    int error;

    if (child == NULL)
        return -XEN_EAGAIN;
    error = address_space_copy(&parent->space, &child->space, &pages_copied);
    if (error != 0) {
        child->state = PROCESS_FREE;
        return error;
    }
    child->registers = *frame;
    child->registers.rax = 0;
    memcpy(child->regions, parent->regions, sizeof(parent->regions));
    child->region_count = parent->region_count;
    parent->usage.pages_copied += pages_copied;
    statistics.pages_copied += pages_copied;
    statistics.forks++;
    return child->pid;
}

static void start_registers(struct trap_frame *frame, const struct program_start *start)
{
    *frame = (struct trap_frame) {
        .rip = start->entry,
        .cs = FLAT_USER_CS,
        .rflags = USER_RFLAGS,
        .rsp = start->stack_pointer,
        .ss = FLAT_USER_SS,
        .rdi = start->argument_count,
        .rsi = start->argument_vector,
    };
}

long process_exec(struct process *process, struct trap_frame *frame, const char *path,
                  const struct program_arguments *arguments)
{
    struct boot_archive_member file;
    struct address_space space;
    struct program_start start;
    int error;

    if (!ramdisk_find(kernel_start_info, path, &file))
        return -XEN_ENOENT;
    if ((error = program_load(file.data, file.size, arguments, &space, &start)) != 0)
        return error;
    load_user_base(address_space_root_machine_frame(&space)); /* exec is the running process's */
    release_address_space(process);
    process_ldt_release(&process->ldt);
    process->space = space;
    process->region_count = 0;
    memcpy(process->name, path, strlen(path) + 1);
    start_registers(frame, &start);
    statistics.execs++;
    return 0;
}

static void finish_everything(void) __attribute__((noreturn));

void process_exit(struct process *process, int status)
{
    release_address_space(process);
    process_ldt_release(&process->ldt);
    process->exit_status = status;
    process->state = PROCESS_ZOMBIE;
    statistics.exits++;
    for (unsigned int slot = 0; slot < PROCESS_MAX; slot++) {
        struct process *child = &processes[slot];

        if (child->state == PROCESS_FREE || child->parent != process)
            continue;
        child->parent = init_process;
        if (child->state == PROCESS_ZOMBIE && waits_for(init_process, child))
            finish_wait(init_process, child);
    }
    frame_pool_give_back_free();
    if (process == init_process)
        finish_everything();
    if (waits_for(process->parent, process))
        finish_wait(process->parent, process);
}

long process_wait(struct process *process, int pid, uint64_t status_address, uint64_t usage_address)
{
    bool has_child = false;

    for (unsigned int slot = 0; slot < PROCESS_MAX; slot++) {
        struct process *child = &processes[slot];

        if (child->state == PROCESS_FREE || child->parent != process || (pid != -1 && child->pid != pid))
            continue;
        has_child = true;
        if (child->state == PROCESS_ZOMBIE) {
            int child_pid = child->pid;
            long result = reap(process, child, status_address, usage_address);

            return result != 0 ? result : child_pid;
        }
    }
    if (!has_child)
        return -XEN_ECHILD;
    process->wait.pid = pid;
    process->wait.status_address = status_address;
    process->wait.usage_address = usage_address;
    process->state = PROCESS_WAITING;
    return 0;
}

void process_yield(void)
{
    switch_requested = true;
}

void process_kill(struct process *process, const char *why, const struct trap_frame *frame)
{
    console_printf("pv-kernel: process %d (%s) killed: %s at rip %#lx\n", process->pid, process->name, why,
                   frame->rip);
    statistics.killed++;
    process_exit(process, EXIT_STATUS_KILLED);
}

/* --- scheduling ----------------------------------------------------------- */

static void arm_time_slice(void)
{
    long result;

    slice_timer_events = clock_timer_events();
    result = hypercall_set_singleshot_timer(system_time_ns() + PROCESS_TIME_SLICE_NS);
    if (result != 0)
        kernel_failure("VCPUOP_set_singleshot_timer", result);
}

static void check_time_slice(void)
{
    if (clock_timer_events() == slice_timer_events)
        return;
    switch_requested = true;
    arm_time_slice();
}

/* The next runnable process after the running one, round-robin; the running one last. */
static struct process *pick_next(void)
{
    unsigned int current = running != NULL ? (unsigned int)(running - processes) : PROCESS_MAX - 1;

    for (unsigned int step = 1; step <= PROCESS_MAX; step++) {
        struct process *candidate = &processes[(current + step) % PROCESS_MAX];

        if (candidate->state == PROCESS_RUNNABLE)
            return candidate;
    }
    return NULL;
}

static void schedule(struct trap_frame *frame)
{
    bool running_can_go_on = running != NULL && running->state == PROCESS_RUNNABLE;
    struct process *next;
    int error;

    if (running_can_go_on && !switch_requested)
        return;
    switch_requested = false;
    next = pick_next();
    if (next == NULL) {
        console_printf("pv-kernel: no process can run, but init has not exited; crashing\n");
        runtime_exit(SHUTDOWN_crash);
    }
    if (next == running)
        return;
    if (running != NULL && (running->state == PROCESS_RUNNABLE || running->state == PROCESS_WAITING))
        running->registers = *frame;
    *frame = next->registers;
    load_user_base(address_space_root_machine_frame(&next->space));
    if ((error = process_ldt_load(&next->ldt)) != 0)
        kernel_failure("MMUEXT_SET_LDT", error);
    running = next;
    statistics.context_switches++;
}

/* --- the user-mode trap handler --------------------------------------------- */

static void page_fault(struct process *process, struct trap_frame *frame)
{
    uint64_t address = runtime_vcpu_info()->arch.cr2;
    char why[80];
    int error;

    statistics.page_faults++;
    if ((error = user_memory_fault(process, address, frame->error_code)) == 0)
        return;
    if (error == -XEN_ENOMEM)
        format_string(why, sizeof(why), "out of memory for the page at %#lx", address);
    else
        format_string(why, sizeof(why), "page fault at %#lx (error code %#lx)", address, frame->error_code);
    process_kill(process, why, frame);
}

static void handle_user_trap(struct trap_frame *frame)
{
    struct process *process = running;
    char why[48];

    if (frame->vector == SYSCALL_CALLBACK_VECTOR) {
        statistics.syscalls++;
        syscall_dispatch(process, frame);
    } else if (frame->vector == PAGE_FAULT_VECTOR) {
        page_fault(process, frame);
    } else if (frame->vector != EVENT_UPCALL_VECTOR) {
        format_string(why, sizeof(why), "exception %lu (error code %#lx)", frame->vector, frame->error_code);
        process_kill(process, why, frame);
    }
    check_time_slice();
    schedule(frame);
}

/* --- start and end ----------------------------------------------------------- */

static void report(void)
{
    struct frame_pool_statistics pool;
    struct mmu_batch_statistics batches;
    struct pvmon_domain_memory_statistics own;
    long own_result;

    frame_pool_get_statistics(&pool);
    mmu_batch_get_statistics(&batches);
    own_result = hypercall3(__PVMON_HYPERVISOR_memory_extension, PVMON_MEMORY_domain_statistics,
                            (unsigned long)&own, 0);
    console_printf("pv-kernel: init exited with status %d after %lu ms\n", init_process->exit_status,
                   (system_time_ns() - started_ns) / NANOSECONDS_PER_MILLISECOND);
    console_printf("pv-kernel: processes: %lu forks, %lu execs, %lu exits, %lu killed, %lu context switches, "
                   "%lu syscalls, %lu page faults\n", statistics.forks, statistics.execs, statistics.exits,
                   statistics.killed, statistics.context_switches, statistics.syscalls, statistics.page_faults);
    console_printf("pv-kernel: demand-zero faults: %lu: %lu known-zero pages used, %lu cleared by the kernel; "
                   "%lu pages copied by fork\n", statistics.demand_zero_faults, statistics.known_zero_pages,
                   statistics.cleared_pages, statistics.pages_copied);
    console_printf("pv-kernel: frame pool: %lu pages, %lu free known-zero, %lu free dirty, %lu given back; "
                   "zeroed allocations: %lu known-zero, %lu cleared\n",
                   pool.managed_pages, pool.free_known_zero, pool.free_dirty, pool.pages_absent,
                   pool.known_zero_handed_out, pool.cleared);
    console_printf("pv-kernel: free page reporting: given back: %lu pages in %lu batches (%lu refused) in %lu us; "
                   "taken back: %lu pages in %lu batches in %lu us, %lu mapped in the kernel later\n",
                   pool.pages_given_back, pool.give_back_batches, pool.give_back_refused, pool.give_back_ns / 1000,
                   pool.pages_populated, pool.populate_batches, pool.populate_ns / 1000,
                   pool.mapped_in_kernel_later);
    console_printf("pv-kernel: %s: %lu of %lu pages free or given back after init\n",
                   pool.free_known_zero + pool.free_dirty + pool.pages_absent == pool.managed_pages
                       ? "every page came back"
                       : "PAGES LEAKED",
                   pool.free_known_zero + pool.free_dirty + pool.pages_absent, pool.managed_pages);
    console_printf("pv-kernel: page-table batches: %lu multicalls carrying %lu page-table updates, "
                   "%lu mmuext operations, %lu other calls\n", batches.multicalls, batches.page_table_updates,
                   batches.extended_operations, batches.other_calls);
    if (own_result == 0)
        console_printf("pv-kernel: hypervisor, for this domain: %lu frames zeroed on demand, %lu prezeroed frames "
                       "received, %lu page-table updates, %lu TLB flushes, %lu page faults bounced\n",
                       own.frames_zeroed_on_demand, own.prezeroed_frames_received, own.page_table_updates,
                       own.tlb_flushes, own.page_faults_to_guests);
    else
        console_printf("pv-kernel: hypervisor memory statistics unavailable (%ld)\n", own_result);
}

static void finish_everything(void)
{
    unsigned int left = 0;

    for (unsigned int slot = 0; slot < PROCESS_MAX; slot++)
        left += processes[slot].state != PROCESS_FREE && &processes[slot] != init_process;
    if (left != 0)
        console_printf("pv-kernel: init exited with %u other processes left\n", left);
    report();
    console_printf("pv-kernel: shutting down\n");
    hypercall_shutdown(SHUTDOWN_poweroff);
    runtime_exit(SHUTDOWN_crash);
}

static bool prezeroed_pages_wanted(const char *command_line)
{
    char value[8];

    return !command_line_find(command_line, "prezeroed", value, sizeof(value)) || strcmp(value, "off") != 0;
}

static void set_up_user_mode(void)
{
    long result = hypercall_register_callback(CALLBACKTYPE_syscall, (unsigned long)syscall_entry,
                                              CALLBACKF_mask_events);

    if (result != 0)
        kernel_failure("registering the syscall callback", result);
    result = hypercall_stack_switch(FLAT_KERNEL_SS, (unsigned long)(trap_stack + TRAP_STACK_SIZE));
    if (result != 0)
        kernel_failure("stack_switch", result);
    traps_set_user_mode_handler(handle_user_trap);
}

void processes_run_init(const struct start_info *start_info, const char *command_line)
{
    struct program_arguments arguments = { 0 };
    char list[INIT_LIST_SIZE] = "";
    long result;

    kernel_start_info = start_info;
    if ((result = frame_pool_init(start_info, prezeroed_pages_wanted(command_line))) != 0)
        kernel_failure("setting up the frame pool", result);
    set_up_user_mode();
    command_line_find(command_line, "init", list, sizeof(list));
    program_arguments_add(&arguments, INIT_PROGRAM, strlen(INIT_PROGRAM));
    if (list[0] != '\0')
        program_arguments_add(&arguments, list, strlen(list));
    init_process = new_process(NULL, INIT_PROGRAM);
    if ((result = process_exec(init_process, &init_process->registers, INIT_PROGRAM, &arguments)) != 0)
        kernel_failure("starting init from the ramdisk", result);
    console_printf("pv-kernel: starting init (pid %d): '%s'\n", init_process->pid, list);
    running = init_process;
    started_ns = system_time_ns();
    arm_time_slice();
    trap_return(&init_process->registers);
}
