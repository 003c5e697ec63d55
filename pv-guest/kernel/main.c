/*
 * start_kernel: the first C code of pvmon's PV kernel.  It checks the
 * start_info page it was given (magic, the page-table and p2m addresses
 * inside its own address space), reports it, runs what its command line
 * asks for, and shuts down through SCHEDOP_shutdown.
 *
 * Command line (from the hypervisor's, after " -- "):
 *   test=hypercalls   check the hypercalls pvmon implements with valid and
 *                     invalid arguments, one PASS or FAIL line per case
 *   crash=page-fault | hypervisor-write | privileged-instruction |
 *         software-interrupt
 *                     misbehave on purpose: the hypervisor must crash this
 *                     domain alone and keep running
 * Traps, events, timers and processes come next.
 */
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/string.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include "console.h"
#include "hypercall_checks.h"

void start_kernel(const struct start_info *start_info);

/* A store the compiler cannot reason about, to any address. */
static void store_to(uint64_t address)
{
    __asm__ volatile("movq $1, (%0)" : : "r"(address) : "memory");
}

static void misbehave(const char *how)
{
    console_printf("pv-kernel: crashing on purpose: %s\n", how);
    if (strcmp(how, "page-fault") == 0)
        store_to(0x10);
    else if (strcmp(how, "hypervisor-write") == 0)
        store_to(0xffff808000200000UL);
    else if (strcmp(how, "privileged-instruction") == 0)
        __asm__ volatile("cli; hlt");
    else if (strcmp(how, "software-interrupt") == 0)
        __asm__ volatile("int $0x80");
    console_printf("pv-kernel: still alive after crash=%s\n", how);
}

void start_kernel(const struct start_info *start_info)
{
    const char *command_line = (const char *)start_info->cmd_line;
    char value[64];

    if (strncmp(start_info->magic, "xen-3.0-x86_64", 14) != 0) {
        console_printf("pv-kernel: bad start_info magic\n");
        hypercall_shutdown(SHUTDOWN_crash);
    }
    console_printf("pv-kernel: hello from ring 3; start_info at %p\n", (const void *)start_info);
    console_printf("pv-kernel: %lu pages, page tables at %#lx (%lu frames), p2m at %#lx\n",
                   start_info->nr_pages, start_info->pt_base, start_info->nr_pt_frames,
                   start_info->mfn_list);
    console_printf("pv-kernel: command line '%s'\n", command_line);
    if (command_line_find(command_line, "test", value, sizeof(value)) &&
        strcmp(value, "hypercalls") == 0)
        run_hypercall_checks(start_info);
    if (command_line_find(command_line, "crash", value, sizeof(value)))
        misbehave(value);
    console_printf("pv-kernel: shutting down\n");
    hypercall_shutdown(SHUTDOWN_poweroff);
    console_printf("pv-kernel: still running after shutdown\n");
    for (;;)
        ;
}
