/*
 * The native baseline kernel (tools/bench/native): what its ring-0 part
 * (native.c, entry.S) and its ring-3 part (user.c) share.
 *
 * It is a baseline, not an operating system: one image, identity-mapped
 * (the first GiB with 2 MiB pages, user-accessible, so that the ring-3
 * part runs from the same image; SMEP and SMAP stay off), interrupts off
 * throughout, one CPU.  It measures on bare (emulated) hardware what the
 * PV benchmarks measure under pvmon, and prints the same protocol:
 *
 *     bench native-NAME OPERATIONS ELAPSED_NS
 *
 * Ring 3 enters ring 0 only through SYSCALL, with the number in RAX and
 * up to three arguments in RDI, RSI and RDX; the result comes back in RAX.
 */
#ifndef NATIVE_BENCH_NATIVE_H
#define NATIVE_BENCH_NATIVE_H

#include <stdint.h>

#define PAGE_SIZE 4096UL

/* Segment selectors (the GDT is in native.c). */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS (0x18 | 3)
#define USER_CS (0x20 | 3)
#define TSS_SELECTOR 0x28

/* How many times each benchmark is run; the harness takes the median. */
#define BENCH_RUNS 7

/* The user region whose pages are mapped on first touch (native.c's #PF
 * handler): BENCH_FAULT_PAGES pages at BENCH_FAULT_BASE. */
#define BENCH_FAULT_BASE 0x40200000UL
#define BENCH_FAULT_PAGES 256

/* System calls. */
enum native_syscall {
    SYSCALL_NULL = 0,          /* returns 0 at once */
    SYSCALL_REPORT = 1,        /* (name, operations, tsc_ticks): prints a bench line */
    SYSCALL_RESET_FAULTS = 2,  /* (prezeroed): unmaps the fault region; with prezeroed, frames are zeroed now */
    SYSCALL_EXIT = 3,          /* back to the kernel, which carries on after enter_user */
};

/* entry.S */
void enter_user(void (*entry)(void), uint64_t user_stack_top);
void leave_user(void) __attribute__((noreturn));
void syscall_entry(void);
extern const uint64_t trap_stubs[32];

/* user.c: the ring-3 part; never returns (ends with SYSCALL_EXIT). */
void user_main(void);

#endif
