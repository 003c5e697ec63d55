/*
 * The interface between our PV kernel and its user processes, shared by
 * the kernel (kernel/syscalls.c) and the user programs (programs/).
 *
 * A process calls the kernel with SYSCALL: the number in RAX, arguments in
 * RDI, RSI, RDX, R10 and R8, the result in RAX; RCX and R11 are clobbered
 * (the Linux x86-64 convention).  The hypervisor bounces the user-mode
 * SYSCALL to the kernel's syscall callback (Xen PV ABI).  A result in
 * [-4095, -1] is a negative error number (XEN_E*, the same values as
 * Linux's errno).
 *
 * A program starts at its ELF entry with RDI = argc, RSI = argv (an array
 * of argc string pointers and a NULL, on its stack) and RSP 16-byte
 * aligned.  Processes have no FPU or SSE state of their own: the kernel
 * switches general registers only, so programs are built with
 * -mgeneral-regs-only.
 *
 * User address space (all in L4 slot 0):
 *   USER_PROGRAM_BASE ..       the program's ELF segments (below USER_MMAP_BASE)
 *   USER_MMAP_BASE .. USER_MMAP_END
 *                              anonymous memory (SYS_map_memory), demand-zero
 *   USER_STACK_TOP - USER_STACK_SIZE .. USER_STACK_TOP
 *                              the stack, demand-zero below its first page
 */
#ifndef PV_KERNEL_USER_ABI_H
#define PV_KERNEL_USER_ABI_H

#include <stdint.h>

#define SYS_exit 0            /* (status): never returns */
#define SYS_write 1           /* (fd 1 or 2, buffer, length): bytes written, to the console */
#define SYS_fork 2            /* (): child pid in the parent, 0 in the child */
#define SYS_exec 3            /* (path, argv): only returns on failure */
#define SYS_wait 4            /* (pid or -1, int *status, struct process_usage *usage or 0): pid reaped */
#define SYS_getpid 5          /* (): pid */
#define SYS_map_memory 6      /* (length): address of new anonymous memory, demand-zero */
#define SYS_unmap_memory 7    /* (address, length): 0; the range must be a whole mapping */
#define SYS_yield 8           /* (): 0, after the other runnable processes had a turn */
#define SYS_clock 9           /* (): PV system time, nanoseconds since the hypervisor booted */
#define SYS_set_ldt_entry 10  /* (index < 512, 32-bit base, limit in bytes): 0; entry index of the
                                 process's LDT becomes a writable data segment of DPL 3 (selector
                                 index << 3 | 7); the LDT is gone after fork and exec */
#define SYS_sleep 11          /* (nanoseconds, at most SYS_SLEEP_MAX_NS): 0; the kernel gives free pages
                                 back (frame_pool.h), then the whole domain idles that long (no sleep
                                 queue: no other process runs meanwhile) */
#define SYS_memory_counters 12 /* (struct memory_counters *): 0; the domain's memory counters */
#define SYS_runstate 13        /* (struct runstate_views *): 0; the runstate area the kernel registered
                                  (VCPUOP_register_runstate_memory_area, in kernel memory, which a
                                  process's page tables do not map; registered at the first call) as
                                  the kernel read it on entry, and VCPUOP_get_runstate_info's answer */
#define SYS_COUNT 14

#define SYS_SLEEP_MAX_NS UINT64_C(1000000000)

#define USER_PROGRAM_BASE UINT64_C(0x0000000000400000)
#define USER_MMAP_BASE UINT64_C(0x0000000040000000)
#define USER_MMAP_END UINT64_C(0x0000004000000000)
#define USER_STACK_TOP UINT64_C(0x0000007ffffff000)
#define USER_STACK_SIZE (UINT64_C(1) << 20)

#define USER_MAX_ARGUMENTS 16
#define USER_MAX_ARGUMENT_BYTES 512   /* the strings of argv, with their NULs */
#define USER_MAX_PATH 64

/* A process killed by the kernel (a fault it cannot serve) exits with this. */
#define EXIT_STATUS_KILLED 139

/*
 * What a process cost in memory, summed over the process and every child
 * it reaped (the way rusage adds children): each demand-zero fault took a
 * page that was known to be zero (no clearing), or one the kernel cleared.
 */
struct process_usage {
    uint64_t demand_zero_faults;
    uint64_t known_zero_pages;
    uint64_t cleared_pages;
    uint64_t pages_copied;        /* by fork */
};

/* SYS_memory_counters: the domain's since it started, for benchmarks. */
struct memory_counters {
    uint64_t prezeroed_frames_received; /* pvmon: frames it got from pvmon's pre-zeroed pool */
    uint64_t frames_zeroed_on_demand;   /* pvmon: frames pvmon zeroed when it handed them over */
    uint64_t pages;                     /* pvmon: the domain's current reservation */
    uint64_t known_zero_handed_out;     /* kernel: zeroed pages handed out without clearing */
    uint64_t cleared;                   /* kernel: zeroed pages it cleared itself */
    uint64_t pages_given_back;          /* kernel: free pages given back to pvmon */
    uint64_t give_back_ns;              /* kernel: time spent giving them back */
    uint64_t pages_populated;           /* kernel: given-back pages taken back */
    uint64_t populate_ns;               /* kernel: time spent taking them back */
};

/* SYS_runstate: a vcpu_runstate_info as the kernel saw it.  time[] is
 * indexed by Xen's RUNSTATE_* (vcpu.h), named here for the programs. */
#define RUNSTATE_VIEW_RUNNING 0
#define RUNSTATE_VIEW_RUNNABLE 1
#define RUNSTATE_VIEW_BLOCKED 2
#define RUNSTATE_VIEW_OFFLINE 3
#define RUNSTATE_VIEW_STATES 4

struct runstate_view {
    int64_t state;
    uint64_t state_entry_time;        /* system time of the last change of state, ns */
    uint64_t time[RUNSTATE_VIEW_STATES]; /* ns in each state up to state_entry_time (the
                                         hypervisor's answer: up to now for the current state) */
};

struct runstate_views {
    struct runstate_view area;       /* the registered area, read first on entry */
    struct runstate_view hypervisor; /* VCPUOP_get_runstate_info, right after */
};

#endif
