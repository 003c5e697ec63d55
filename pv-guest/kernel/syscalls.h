/*
 * The system calls of our PV kernel (numbers and conventions in
 * user_abi.h): decoding a user-mode SYSCALL's registers, checking and
 * copying its arguments, and the result in RAX.
 */
#ifndef PV_KERNEL_SYSCALLS_H
#define PV_KERNEL_SYSCALLS_H

#include <runtime/traps.h>
#include "process.h"

/* Runs the call the frame holds for the running process.  RAX gets the
 * result, except when the call leaves the process (exit), replaces its
 * program (a successful exec) or blocks it (wait). */
void syscall_dispatch(struct process *process, struct trap_frame *frame);

#endif
