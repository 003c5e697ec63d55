/*
 * Guest-side hypercall wrappers for 64-bit PV kernels, on the Xen x86-64
 * register ABI: the guest kernel (ring 3) executes SYSCALL with the
 * hypercall number in RAX and up to five arguments in RDI, RSI, RDX, R10
 * and R8; the result comes back in RAX.  SYSCALL itself overwrites RCX and
 * R11, and the hypervisor may change the argument registers, so all of
 * them are outputs here.  No hypercall page is needed (Linux 6.1.121 and
 * later call the same way).  Shared by pv-guest/ and the hypercall tests.
 */
#ifndef PVMON_GUEST_HYPERCALL_H
#define PVMON_GUEST_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/sched.h>

static inline long hypercall5(unsigned long number, unsigned long first, unsigned long second,
                              unsigned long third, unsigned long fourth, unsigned long fifth)
{
    register unsigned long r10 __asm__("r10") = fourth;
    register unsigned long r8 __asm__("r8") = fifth;
    long result;

    __asm__ volatile("syscall"
                     : "=a"(result), "+D"(first), "+S"(second), "+d"(third), "+r"(r10), "+r"(r8)
                     : "a"(number)
                     : "rcx", "r11", "memory");
    return result;
}

static inline long hypercall_console_write(const char *text, unsigned long length)
{
    return hypercall5(__HYPERVISOR_console_io, CONSOLEIO_write, length, (unsigned long)text, 0, 0);
}

static inline long hypercall_sched_op(int command, void *argument)
{
    return hypercall5(__HYPERVISOR_sched_op, (unsigned long)command, (unsigned long)argument, 0, 0, 0);
}

static inline long hypercall_shutdown(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };

    return hypercall_sched_op(SCHEDOP_shutdown, &shutdown);
}

#endif
