/*
 * The serial line's input: the UART polled from the timer interrupt, the
 * bytes switched between pvmon's debug keys and dom0 (common's
 * console_input.c), dom0 told by VIRQ_CONSOLE (xen/drivers/char/console.c:
 * serial_rx, __serial_rx, send_global_virq; xen/common/keyhandler.c).
 *
 * Rules kept here:
 *   - Polling, not the UART's interrupt: the timer interrupt already comes
 *     every tick (10 ms) whatever runs, while IRQ 4 would need an IOAPIC
 *     route and a handler of its own for a typist's few bytes.  With the
 *     FIFO off (arch/x86/serial.c) the UART holds one byte, so a tick takes
 *     at most one: 100 bytes a second.  QEMU's 16550 sends the next byte
 *     only once Data Ready is clear, so nothing is lost under QEMU; a real
 *     UART fed faster than that overruns.
 *   - Input starts with pvmon (Xen's console_rx = 0) and goes to dom0 at
 *     the end of boot, if dom0 was built; a dom0 that has died gets none.
 *     Xen's conswitch=<letter>[x] on the command line chooses the switch
 *     letter (under QEMU's -nographic, Ctrl-A is QEMU's own escape:
 *     conswitch=b avoids typing each Ctrl-A twice), and a trailing x
 *     leaves the input with pvmon at the end of boot.
 *   - VIRQ_CONSOLE is a global virq, bound only by a privileged domain
 *     (common/event_channel.c); it is raised on domain 0, Xen's hardware
 *     domain.
 *   - Debug keys, as Xen's handlers print them: 'h' lists the keys, 'q'
 *     dumps every domain, 'r' the run queue.  Other keys are ignored, as
 *     in Xen.
 */
#include <pvmon/arch.h>
#include <pvmon/command_line.h>
#include <pvmon/console_input.h>
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/printk.h>
#include <pvmon/serial_input.h>
#include <pvmon/time.h>
#include <xen/xen.h>

#define HARDWARE_DOMAIN_ID 0

struct debug_key {
    char key;
    void (*handle)(char key);
    const char *description;
};

static struct console_input input;

static struct domain *hardware_domain(void)
{
    struct domain *domain = domain_find(HARDWARE_DOMAIN_ID);

    return domain != NULL && domain_is_alive(domain) ? domain : NULL;
}

static const char *domain_state_name(const struct domain *domain)
{
    switch (domain->state) {
    case DOMAIN_CREATED:
        return "created";
    case DOMAIN_LOADED:
        return domain->paused ? "paused" : "running";
    case DOMAIN_SHUT_DOWN:
        return "shut down";
    case DOMAIN_CRASHED:
        return "crashed";
    case DOMAIN_DYING:
        return "dying";
    default:
        return "unused";
    }
}

static const char *runstate_name(int state)
{
    switch (state) {
    case RUNSTATE_running:
        return "running";
    case RUNSTATE_runnable:
        return "runnable";
    case RUNSTATE_blocked:
        return "blocked";
    default:
        return "offline";
    }
}

static void dump_domain(const struct domain *domain)
{
    const struct vcpu *vcpu = &domain->vcpu;
    const struct vcpu_info *info = vcpu->vcpu_info;

    printk(LOG_INFO, "General information for domain %u:\n", domain->id);
    printk(LOG_INFO, "    state=%s privileged=%d paused=%d nr_pages=%lu max_pages=%lu vm_assist=%08lx\n",
           domain_state_name(domain), domain->privileged, domain->paused, domain->page_count,
           domain->maximum_pages, domain->vm_assist);
    printk(LOG_INFO, "VCPU information and callbacks for domain %u:\n", domain->id);
    printk(LOG_INFO, "    VCPU%u: %s poll=%d upcall_pend=%02x upcall_mask=%02x\n", vcpu->id,
           runstate_name(vcpu->runstate.state), vcpu->polling, info != NULL ? info->evtchn_upcall_pending : 0,
           info != NULL ? info->evtchn_upcall_mask : 0);
}

static void dump_domains(char key)
{
    printk(LOG_INFO, "'%c' pressed -> dumping domain info (now = %lu)\n", key, system_time_ns());
    for (uint16_t id = 0;; id++) {
        const struct domain *domain = domain_first_from(id);

        if (domain == NULL)
            return;
        dump_domain(domain);
        id = domain->id;
    }
}

static void dump_run_queues(char key)
{
    printk(LOG_INFO, "'%c' pressed -> dumping run queues\n", key);
    schedule_dump_run_queue();
}

static void show_handlers(char key);

static const struct debug_key debug_keys[] = {
    { 'h', show_handlers, "show this message" },
    { 'q', dump_domains, "dump domain (and guest debug) info" },
    { 'r', dump_run_queues, "dump run queues" },
};

static void show_handlers(char key)
{
    printk(LOG_INFO, "'%c' pressed -> showing installed handlers\n", key);
    for (size_t index = 0; index < sizeof(debug_keys) / sizeof(debug_keys[0]); index++)
        printk(LOG_INFO, " key '%c' (ascii '%02x') => %s\n", debug_keys[index].key, debug_keys[index].key,
               debug_keys[index].description);
}

static void handle_debug_key(void *context, char key)
{
    (void)context;
    for (size_t index = 0; index < sizeof(debug_keys) / sizeof(debug_keys[0]); index++) {
        if (debug_keys[index].key == key) {
            debug_keys[index].handle(key);
            return;
        }
    }
}

static void notify_hardware_domain(void *context)
{
    struct domain *domain = hardware_domain();
    struct event_channel_kick kick = { 0 };

    (void)context;
    if (domain == NULL)
        return;
    event_channel_virq_raise(&domain->events, VIRQ_CONSOLE, 0, &kick);
    schedule_kick(&kick);
}

static bool hardware_domain_exists(void *context)
{
    (void)context;
    return hardware_domain() != NULL;
}

static void report_switch(void *context, enum console_input_target target)
{
    (void)context;
    printk(LOG_INFO, "*** Serial input to %s (type 'CTRL-%c' three times to switch input)\n",
           target == CONSOLE_INPUT_TO_DOM0 ? "DOM0" : "pvmon", input.switch_letter);
}

static const struct console_input_actions actions = {
    .debug_key = handle_debug_key,
    .notify_dom0 = notify_hardware_domain,
    .dom0_exists = hardware_domain_exists,
    .switched = report_switch,
};

void serial_input_start(const char *command_line)
{
    char conswitch[3] = "";

    command_line_find(command_line, "conswitch", conswitch, sizeof(conswitch));
    console_input_init(&input, &actions, CONSOLE_INPUT_TO_HYPERVISOR, conswitch[0]);
    if (conswitch[0] != '\0' && conswitch[1] == 'x')
        report_switch(NULL, CONSOLE_INPUT_TO_HYPERVISOR);
    else
        console_input_switch(&input);
}

void serial_input_poll(void)
{
    uint8_t byte;

    if (input.actions != NULL && serial_read_byte(&byte))
        console_input_receive(&input, (char)byte);
}

static int copy_to_reader(void *context, uint32_t offset, const char *bytes, uint32_t length)
{
    const uint64_t *buffer = context;

    return copy_to_guest(*buffer + offset, bytes, length) == 0 ? 0 : -XEN_EFAULT;
}

long serial_input_read(uint32_t count, uint64_t buffer)
{
    if (input.actions == NULL)
        return 0;
    return console_input_read(&input, count, copy_to_reader, &buffer);
}
