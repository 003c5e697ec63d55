/*
 * Hypercall checks from inside a guest, in the spirit of the Xen Test
 * Framework: each case makes one hypercall, valid or not, and compares
 * the result with Xen's.  One line per case, "pv-kernel: PASS name" or
 * "pv-kernel: FAIL name: got X, expected Y", then a summary line that the
 * boot test reads.  Only hypercalls pvmon implements so far are covered:
 * console_io and sched_op, plus the dispatch of unknown numbers.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/sched.h>
#include <guest/hypercall.h>
#include "console.h"
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
    expect("console_io_write_huge_count_is_einval",
           hypercall5(__HYPERVISOR_console_io, CONSOLEIO_write, 1UL << 33, (unsigned long)text, 0, 0),
           -XEN_EINVAL);
    expect("console_io_unknown_command_is_enosys",
           hypercall5(__HYPERVISOR_console_io, 99, 0, 0, 0, 0), -XEN_ENOSYS);
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

void run_hypercall_checks(const struct start_info *start_info)
{
    (void)start_info;
    check_console_io();
    check_sched_op();
    check_dispatch();
    console_printf("pv-kernel: hypercall checks: %u passed, %u failed\n", passed, failed);
}
