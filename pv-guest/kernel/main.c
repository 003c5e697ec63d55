/*
 * start_kernel: the first C code of pvmon's PV kernel.  It checks the
 * start_info page it was given (magic, the page-table and p2m addresses
 * inside its own address space) and reports it; misbehaves first if asked
 * to (crash=, before any trap table exists, so that the hypervisor must
 * crash it); sets up the runtime (trap table, callbacks, events, timer);
 * runs what its command line asks for; as dom0 with a ramdisk holding a
 * "domains" file, runs the toolstack; and shuts down with SCHEDOP_shutdown.
 *
 * Command line (dom0's comes from the hypervisor's, after " -- "):
 *   crash=page-fault | hypervisor-write | privileged-instruction |
 *         software-interrupt | runaway | bad-iret | iret-unmapped-stack |
 *         iret-non-canonical | syscall-unmapped-kernel-stack
 *                     (syscall-direction-flag is no crash: a user-mode
 *                     SYSCALL with DF set, whose callback reports the DF
 *                     it finds and powers off)
 *                     misbehave on purpose with no trap table installed:
 *                     the hypervisor must crash this domain alone and keep
 *                     running (runaway: loop forever, for a toolstack or
 *                     scheduler to deal with)
 *   fault=page-fault  fault with the runtime's trap table installed: the
 *                     handler reports the trap and crashes the domain
 *   end=vcpu-down     end as Linux's halt loop does, with VCPUOP_down on
 *                     the only vCPU: the hypervisor powers the domain off
 *                     (Xen's rule for the last vCPU going down); if the
 *                     call returns, the domain crashes itself
 *   end=failing-hypercalls
 *                     end as a guest stuck in a loop of failing
 *                     hypercalls: a vcpu_op no Xen defines (-ENOSYS), for
 *                     ever, until the toolstack destroys it; pvmon's log
 *                     warns about it once a second
 *   test=hypercalls   check hypercalls with valid and invalid arguments,
 *                     one PASS or FAIL line per case
 *   test=virtio-blk   (dom0) write, flush and read back patterns on every
 *                     virtio disk, one PASS or FAIL line per case
 *                     (virtio_blk_check.h)
 *   bench=virtio-blk  (dom0) raw figures of the first virtio disk,
 *                     "bench ..." lines (virtio_blk_bench.h)
 *   test=virtio-blk-failure
 *                     (dom0) a request vda cannot map: the device is reset
 *                     and given up, its requests fail with -EIO
 *   test=virtio-net   (dom0) ARP and an ICMP echo to QEMU's user network
 *                     through eth0, one PASS or FAIL line per case
 *                     (virtio_net_check.h)
 *   bench=virtio-net  (dom0) round trips and bursts of ICMP echoes to
 *                     QEMU's user network, "bench ..." lines
 *                     (virtio_net_check.h)
 *   virtio_mmio.device=SIZE@BASE:GSI
 *                     (dom0) a virtio-mmio device; every virtio-blk one
 *                     becomes a block device (virtio_blk.h), every
 *                     virtio-net one a network device (virtio_net.h)
 *   test=devices      as dom0, map the virtio-mmio transport its
 *                     virtio_mmio.device= word names and check device
 *                     access (device_checks.c)
 *   role=...          a demonstration workload (workloads.h)
 *   init=LIST         run user processes (process.h): the program "init"
 *                     from the ramdisk, with LIST as its argument (the
 *                     programs it runs, see programs/init.c); the domain
 *                     powers off when init exits
 *   prezeroed=off     with init=: clear every page the kernel hands out
 *                     zeroed, ignoring which are known zero (frame_pool.h)
 *   test=console-input (dom0) read lines typed on the serial line and echo
 *                     them (console_input_check.h); lines=N, default 2
 *   shell             (dom0) dom0's shell with xl (tools/xl/xl_shell.h)
 *                     instead of the domains file's scenarios; dom0
 *                     shuts down when the shell ends
 *   test=xl-dmesg     (dom0) show the hypervisor's console history with
 *                     xl dmesg, clear it, show it again (xl_dmesg_check.h)
 */
#include <stdbool.h>
#include <stdint.h>
#include <pvmon/command_line.h>
#include <pvmon/string.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "device_checks.h"
#include "hypercall_checks.h"
#include "process.h"
#include "toolstack.h"
#include <tools/xl/xl_shell.h>
#include "virtio_blk.h"
#include "virtio_blk_bench.h"
#include "virtio_blk_check.h"
#include "virtio_net.h"
#include "virtio_net_check.h"
#include "workloads.h"
#include "console_input_check.h"
#include "xl_dmesg_check.h"

#define HYPERVISOR_IMAGE_ADDRESS 0xffff808000200000UL
#define UNMAPPED_ADDRESS 0x10UL
#define NO_SUCH_VCPUOP 99 /* no Xen version defines vcpu_op 99 */
#define NON_CANONICAL_ADDRESS 0x0000800000000000UL
#define UNMAPPED_CANONICAL_ADDRESS 0x40000000UL /* 1 GiB: nothing of this kernel is mapped there */
#define IRET_CONTEXT_WORDS 9
#define RFLAGS_DIRECTION 0x400UL

void start_kernel(const struct start_info *start_info);

/* A store the compiler cannot reason about, to any address. */
static void store_to(uint64_t address)
{
    __asm__ volatile("movq $1, (%0)" : : "r"(address) : "memory");
}

static void run_away(void)
{
    for (;;)
        __asm__ volatile("pause");
}

/* The iret hypercall with pvmon's own code selector (RPL 3 forced on it):
 * the hypervisor's return to the guest faults. */
static void iret_to_hypervisor_selector(void)
{
    static uint64_t context[9] __attribute__((aligned(16)));

    context[4] = (uint64_t)run_away;   /* rip */
    context[5] = 0xe008;               /* cs: the hypervisor's */
    context[6] = 0x202;                /* rflags */
    context[7] = (uint64_t)&context[8]; /* rsp */
    context[8] = FLAT_KERNEL_SS;
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "mov %1, %%eax\n\t"
                     "syscall"
                     : : "r"(context), "i"(__HYPERVISOR_iret) : "memory");
}

/* The iret hypercall with its context at `context` (RSP). */
static void iret_from(const uint64_t *context)
{
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "mov %1, %%eax\n\t"
                     "syscall"
                     : : "r"(context), "i"(__HYPERVISOR_iret) : "memory");
}

/* iret with RSP on an unmapped page: the context cannot be read. */
static void iret_on_an_unmapped_stack(void)
{
    iret_from((const uint64_t *)UNMAPPED_CANONICAL_ADDRESS);
}

/* iret to a non-canonical RIP, with VGCF_in_syscall: Xen's rule keeps
 * such a return off sysretq (which would fault in ring 0 on Intel); the
 * iretq faults instead, and the hypervisor crashes the domain. */
static void iret_to_a_non_canonical_rip(void)
{
    static uint64_t context[IRET_CONTEXT_WORDS + 1] __attribute__((aligned(16)));

    context[3] = VGCF_in_syscall;
    context[4] = NON_CANONICAL_ADDRESS;     /* rip */
    context[5] = FLAT_KERNEL_CS & ~3;             /* RPL 0: stay in kernel mode */
    context[6] = 0x202;                     /* rflags */
    context[7] = (uint64_t)&context[IRET_CONTEXT_WORDS]; /* rsp */
    context[8] = FLAT_KERNEL_SS;
    iret_from(context);
}

void user_mode_syscall(void);
void user_mode_syscall_with_direction_flag_set(void);
__asm__(".text\n"
        "user_mode_syscall:\n"
        "    syscall\n"
        "    ud2\n"
        "user_mode_syscall_with_direction_flag_set:\n"
        "    std\n"
        "    syscall\n"
        "    ud2\n");

/* Guest user mode at `code`, on the kernel's own page tables (read with
 * an emulated mov from CR3), which is enough for a few instructions; its
 * SYSCALL enters `callback` on `kernel_stack`. */
static void enter_user_mode(void (*code)(void), uint64_t callback, uint64_t kernel_stack)
{
    static uint64_t context[IRET_CONTEXT_WORDS] __attribute__((aligned(16)));
    static uint64_t user_stack[32] __attribute__((aligned(16)));
    struct mmuext_op set_user_tables = { .cmd = MMUEXT_NEW_USER_BASEPTR };
    uint64_t cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    set_user_tables.arg1.mfn = cr3 >> 12;
    if (hypercall5(__HYPERVISOR_mmuext_op, (unsigned long)&set_user_tables, 1, 0, DOMID_SELF, 0) != 0 ||
        hypercall_register_callback(CALLBACKTYPE_syscall, callback, 0) != 0 ||
        hypercall_stack_switch(FLAT_KERNEL_SS, kernel_stack) != 0) {
        console_printf("pv-kernel: cannot set up user mode\n");
        return;
    }
    context[4] = (uint64_t)code;               /* rip */
    context[5] = FLAT_USER_CS;
    context[6] = 0x202;                        /* rflags */
    context[7] = (uint64_t)&user_stack[32];    /* rsp */
    context[8] = FLAT_USER_SS;
    iret_from(context);
}

/* A SYSCALL from guest user mode whose bounce frame cannot be written:
 * the kernel stack registered with stack_switch is unmapped. */
static void syscall_onto_an_unmapped_kernel_stack(void)
{
    enter_user_mode(user_mode_syscall, (uint64_t)run_away, UNMAPPED_CANONICAL_ADDRESS);
}

/* The syscall callback of crash=syscall-direction-flag: DF as the handler
 * finds it (pushed first thing) and in the saved RFLAGS, then power off. */
void report_direction_flag(const uint64_t *flags_and_frame);
void direction_flag_reporting_callback(void);
__asm__(".text\n"
        "direction_flag_reporting_callback:\n"
        "    pushfq\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call report_direction_flag\n"
        "    ud2\n");

void report_direction_flag(const uint64_t *flags_and_frame)
{
    /* RFLAGS now, then the bounce frame: RCX, R11, RIP, CS, RFLAGS, RSP, SS. */
    console_printf("pv-kernel: syscall callback entered with DF %s; saved RFLAGS.DF %s\n",
                   flags_and_frame[0] & RFLAGS_DIRECTION ? "set" : "clear",
                   flags_and_frame[5] & RFLAGS_DIRECTION ? "set" : "clear");
    runtime_exit(SHUTDOWN_poweroff);
}

/* A user-mode SYSCALL with DF set: Xen's switch_to_kernel clears DF for
 * the guest kernel's syscall callback (the PV ABI has no virtual
 * SYSCALL_MASK and hardcodes it), keeping it in the saved RFLAGS. */
static void syscall_with_the_direction_flag_set(void)
{
    static uint64_t kernel_stack[512] __attribute__((aligned(16)));

    enter_user_mode(user_mode_syscall_with_direction_flag_set, (uint64_t)direction_flag_reporting_callback,
                    (uint64_t)&kernel_stack[512]);
}

static void misbehave(const char *how)
{
    console_printf("pv-kernel: crashing on purpose: %s\n", how);
    if (strcmp(how, "page-fault") == 0)
        store_to(UNMAPPED_ADDRESS);
    else if (strcmp(how, "hypervisor-write") == 0)
        store_to(HYPERVISOR_IMAGE_ADDRESS);
    else if (strcmp(how, "privileged-instruction") == 0)
        __asm__ volatile("cli; hlt");
    else if (strcmp(how, "software-interrupt") == 0)
        __asm__ volatile("int $0x80");
    else if (strcmp(how, "runaway") == 0)
        run_away();
    else if (strcmp(how, "bad-iret") == 0)
        iret_to_hypervisor_selector();
    else if (strcmp(how, "iret-unmapped-stack") == 0)
        iret_on_an_unmapped_stack();
    else if (strcmp(how, "iret-non-canonical") == 0)
        iret_to_a_non_canonical_rip();
    else if (strcmp(how, "syscall-unmapped-kernel-stack") == 0)
        syscall_onto_an_unmapped_kernel_stack();
    else if (strcmp(how, "syscall-direction-flag") == 0)
        syscall_with_the_direction_flag_set();
    console_printf("pv-kernel: still alive after crash=%s\n", how);
}

static void fault_on_purpose(const char *how)
{
    console_printf("pv-kernel: faulting on purpose with a trap table: %s\n", how);
    if (strcmp(how, "page-fault") == 0)
        store_to(UNMAPPED_ADDRESS);
    console_printf("pv-kernel: still alive after fault=%s\n", how);
}

static void take_the_last_vcpu_down(void)
{
    long result;

    console_printf("pv-kernel: taking its last vCPU down\n");
    result = hypercall_vcpu_op(VCPUOP_down, 0, NULL);
    console_printf("pv-kernel: still running after VCPUOP_down: result %ld; crashing\n", result);
    runtime_exit(SHUTDOWN_crash);
}

static void fail_hypercalls_for_ever(void)
{
    console_printf("pv-kernel: making a failing hypercall in a loop\n");
    for (;;)
        hypercall_vcpu_op(NO_SUCH_VCPUOP, 0, NULL);
}

/* test=NAME is on the command line. */
static bool is_test(const char *command_line, const char *name)
{
    char value[32];

    return command_line_find(command_line, "test", value, sizeof(value)) && strcmp(value, name) == 0;
}

static void report_start_info(const struct start_info *start_info)
{
    console_printf("pv-kernel: hello from ring 3; start_info at %p\n", (const void *)start_info);
    console_printf("pv-kernel: %lu pages, page tables at %#lx (%lu frames), p2m at %#lx\n", start_info->nr_pages,
                   start_info->pt_base, start_info->nr_pt_frames, start_info->mfn_list);
    if (start_info->mod_len != 0)
        console_printf("pv-kernel: ramdisk at %#lx, %lu bytes\n", start_info->mod_start, start_info->mod_len);
    console_printf("pv-kernel: command line '%s'\n", (const char *)start_info->cmd_line);
}

void start_kernel(const struct start_info *start_info)
{
    const char *command_line = (const char *)start_info->cmd_line;
    char value[64];

    if (strncmp(start_info->magic, "xen-3.0-x86_64", 14) != 0) {
        console_printf("pv-kernel: bad start_info magic\n");
        runtime_exit(SHUTDOWN_crash);
    }
    report_start_info(start_info);
    if (command_line_find(command_line, "crash", value, sizeof(value)))
        misbehave(value);
    if (runtime_init(start_info) != 0) {
        console_printf("pv-kernel: the runtime could not be set up; crashing\n");
        runtime_exit(SHUTDOWN_crash);
    }
    console_printf("pv-kernel: trap table, callbacks, events and timer are set up\n");
    if ((start_info->flags & SIF_PRIVILEGED) != 0 && !is_test(command_line, "devices")) { /* it checks raw access */
        virtio_blk_probe(command_line);
        virtio_net_probe(command_line);
    }
    if (command_line_find(command_line, "test", value, sizeof(value)) && strcmp(value, "hypercalls") == 0)
        run_hypercall_checks(start_info);
    if (is_test(command_line, "virtio-blk"))
        virtio_blk_check();
    if (is_test(command_line, "virtio-blk-failure"))
        virtio_blk_check_device_failure();
    if (is_test(command_line, "virtio-net"))
        virtio_net_check();
    if (command_line_find(command_line, "bench", value, sizeof(value)) && strcmp(value, "virtio-net") == 0)
        virtio_net_bench();
    if (command_line_find(command_line, "bench", value, sizeof(value)) && strcmp(value, "virtio-blk") == 0)
        virtio_blk_bench();
    if (command_line_find(command_line, "test", value, sizeof(value)) && strcmp(value, "devices") == 0)
        run_device_checks(start_info);
    if (command_line_find(command_line, "fault", value, sizeof(value)))
        fault_on_purpose(value);
    if (is_test(command_line, "console-input"))
        console_input_check(command_line);
    if (is_test(command_line, "xl-dmesg"))
        xl_dmesg_check();
    if (command_line_find(command_line, "end", value, sizeof(value)) && strcmp(value, "vcpu-down") == 0)
        take_the_last_vcpu_down();
    if (command_line_find(command_line, "end", value, sizeof(value)) && strcmp(value, "failing-hypercalls") == 0)
        fail_hypercalls_for_ever();
    if (command_line_find(command_line, "init", NULL, 0))
        processes_run_init(start_info, command_line);
    if (command_line_find(command_line, "role", value, sizeof(value)) && run_workload(command_line) != 0)
        runtime_exit(SHUTDOWN_crash);
    if (command_line_find(command_line, "shell", NULL, 0))
        xl_shell_run(start_info);
    else if (toolstack_has_work(start_info) && toolstack_run(start_info) != 0)
        console_printf("pv-kernel: the toolstack could not run every scenario\n");
    console_printf("pv-kernel: shutting down\n");
    hypercall_shutdown(SHUTDOWN_poweroff);
    console_printf("pv-kernel: still running after shutdown\n");
    runtime_exit(SHUTDOWN_crash);
}
