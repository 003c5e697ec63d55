/*
 * User processes: the process table, their life (fork, exec, exit, wait)
 * and a round-robin scheduler.
 *
 * How the kernel runs them: it handles one trap at a time, on one kernel
 * stack (the one registered with stack_switch, where the hypervisor
 * bounces every trap from user mode), and never blocks inside.  The frame
 * the hypervisor bounced holds the running process's registers; a process
 * that is not running keeps its registers in its table entry.  At the end
 * of every trap from user mode the scheduler decides who runs next: the
 * same process unless it waits, ended, or its time slice is over (the
 * one-shot timer, VIRQ_TIMER, every PROCESS_TIME_SLICE_NS), and switches by
 * exchanging the frame's contents and the vCPU's user base pointer.  A
 * process waiting for a child is finished later, when the child exits: its
 * saved RAX gets the child's pid.
 *
 * The domain lives as long as init: when init exits, the kernel reports
 * what its processes did and powers the domain off.
 */
#ifndef PV_KERNEL_PROCESS_H
#define PV_KERNEL_PROCESS_H

#include <stdint.h>
#include <xen/xen.h>
#include <runtime/traps.h>
#include "address_space.h"
#include "process_ldt.h"
#include "program_loader.h"
#include "user_abi.h"

#define PROCESS_MAX 64
#define PROCESS_MAX_REGIONS 16
#define PROCESS_TIME_SLICE_NS 10000000UL

enum process_state {
    PROCESS_FREE = 0,
    PROCESS_RUNNABLE,
    PROCESS_WAITING,   /* in SYS_wait for a child that has not exited */
    PROCESS_ZOMBIE,    /* exited; its parent has not reaped it */
};

/* Anonymous memory, [start, end), page-aligned: pages appear on first touch. */
struct memory_region {
    uint64_t start;
    uint64_t end;
};

struct process {
    enum process_state state;
    int pid;
    struct process *parent;
    char name[USER_MAX_PATH];
    struct trap_frame registers;  /* while it is not the running process */
    struct address_space space;
    struct process_ldt ldt;       /* SYS_set_ldt_entry; none after fork and exec */
    struct memory_region regions[PROCESS_MAX_REGIONS];
    unsigned int region_count;
    int exit_status;
    struct {
        int pid;                  /* -1: any child */
        uint64_t status_address;
        uint64_t usage_address;
    } wait;
    struct process_usage usage;           /* its own */
    struct process_usage children_usage;  /* of the children it reaped, theirs included */
};

/* Kernel-wide counts, for the final report. */
struct process_statistics {
    uint64_t forks, execs, exits, killed;
    uint64_t context_switches, syscalls, page_faults;
    uint64_t demand_zero_faults, known_zero_pages, cleared_pages, pages_copied;
};

/* Sets up memory and processes and runs init with the command line's
 * init= list as its argument; never returns (see above). */
void processes_run_init(const struct start_info *start_info, const char *command_line) __attribute__((noreturn));

/* --- for the system calls (syscalls.c) ------------------------------------ */

long process_fork(struct process *process, const struct trap_frame *frame);
/* On success the frame starts the new program; the return value is then ignored. */
long process_exec(struct process *process, struct trap_frame *frame, const char *path,
                  const struct program_arguments *arguments);
void process_exit(struct process *process, int status);
/* 0 after blocking (RAX comes later), a pid, or an error. */
long process_wait(struct process *process, int pid, uint64_t status_address, uint64_t usage_address);
void process_yield(void);
/* Ends a process for a fault it cannot be served, saying why. */
void process_kill(struct process *process, const char *why, const struct trap_frame *frame);

struct process_statistics *process_statistics(void);

#endif
