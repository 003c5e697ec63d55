/*
 * console_io from a domU (xen/drivers/char/console.c: do_console_io,
 * guest_console_write), and pvmon's rate limit on a domU's output
 * (kernel/console_io.c, docs/ARCHITECTURE.md "Console output of domUs"):
 *   - CONSOLEIO_write is allowed (Xen's debug builds; release builds say
 *     -EPERM): 0 for a readable buffer, -EFAULT for an unreadable one;
 *     the command and count are 32 bits; CONSOLEIO_read, and any
 *     command Xen does not know, is -EPERM (xsm dummy's console_io:
 *     XSM_PRIV for a domain that is not the console domain), checked
 *     before the buffer is looked at; so is pvmon's direct write
 *     (public/console_extension.h), which is dom0's alone.
 *   - A domU writes at most a burst of 256 KiB, refilled at 64 KiB/s:
 *     a write beyond it (512 KiB here) prints what the bucket grants,
 *     discards the rest without reading it, and still returns 0 (the
 *     system test finds the "suppressed" notice, and not the flood's last
 *     line, in the log).
 *     So a 4 GiB write over a buffer that ends in unmapped memory returns
 *     0 once the bucket is empty: nothing past the burst is read.
 * The flood comes last, and the guest waits for the bucket to refill
 * before it reports.
 */
#include "check.h"

const char test_family[] = "console_io";

#define FLOOD_BYTES (512 * 1024)
#define REFILL_WAIT_NS (2 * NANOSECONDS_PER_SECOND)
#define NO_SUCH_CONSOLEIO_COMMAND 7 /* Xen defines 0 (write) and 1 (read) */

static char flood[FLOOD_BYTES];

static long console_io(unsigned long command, unsigned long count, const void *buffer)
{
    return hypercall3(__HYPERVISOR_console_io, command, count, (unsigned long)buffer);
}

static void fill_flood(void)
{
    static const char line[] = "console_io: a line of the flood\n";
    static const char last[] = "console_io: the flood's last line\n";
    unsigned int length = 0;

    while (length + sizeof(line) - 1 <= FLOOD_BYTES - (sizeof(last) - 1)) {
        for (unsigned int index = 0; index < sizeof(line) - 1; index++)
            flood[length + index] = line[index];
        length += sizeof(line) - 1;
    }
    while (length < FLOOD_BYTES - (sizeof(last) - 1))
        flood[length++] = '.';
    flood[length - 1] = '\n';
    for (unsigned int index = 0; index < sizeof(last) - 1; index++)
        flood[length + index] = last[index];
}

void run_tests(void)
{
    static const char text[] = "console_io: one line from a domU\n";
    long flood_result;
    long four_gib_result;

    expect_result("write_from_a_domu_returns_0", console_io(CONSOLEIO_write, sizeof(text) - 1, text), 0);
    expect_result("write_of_nothing_returns_0", console_io(CONSOLEIO_write, 0, text), 0);
    expect_result("write_from_an_unmapped_buffer_is_efault", console_io(CONSOLEIO_write, 16, (void *)UNMAPPED_ADDRESS),
                  -XEN_EFAULT);
    expect_result("write_from_the_hypervisor_is_efault",
                  console_io(CONSOLEIO_write, 16, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("write_count_is_32_bits", console_io(CONSOLEIO_write, 1UL << 32, (void *)UNMAPPED_ADDRESS), 0);
    expect_result("command_is_32_bits",
                  console_io((1UL << 32) | CONSOLEIO_write, sizeof(text) - 1, text), 0);
    expect_result("read_from_a_domu_is_eperm", console_io(CONSOLEIO_read, 16, flood), -XEN_EPERM);
    expect_result("read_from_a_domu_is_eperm_before_its_buffer_is_looked_at",
                  console_io(CONSOLEIO_read, 16, (void *)UNMAPPED_ADDRESS), -XEN_EPERM);
    expect_result("unknown_command_from_a_domu_is_eperm", console_io(NO_SUCH_CONSOLEIO_COMMAND, 0, text), -XEN_EPERM);
    expect_result("direct_write_from_a_domu_is_eperm", console_io(PVMON_CONSOLEIO_write_direct, 4, text), -XEN_EPERM);
    expect_result("direct_write_from_a_domu_is_eperm_before_the_buffer_is_read",
                  console_io(PVMON_CONSOLEIO_write_direct, 4, (void *)UNMAPPED_ADDRESS), -XEN_EPERM);

    fill_flood();
    flood_result = console_io(CONSOLEIO_write, FLOOD_BYTES, flood);
    four_gib_result = console_io(CONSOLEIO_write, UINT32_MAX, flood);
    spin_for(REFILL_WAIT_NS);
    console_io(CONSOLEIO_write, 1, "\n");
    expect_result("flood_beyond_the_burst_returns_0", flood_result, 0);
    expect_result("write_of_4_gib_over_the_limit_returns_0_without_reading_past_the_burst", four_gib_result, 0);
}
