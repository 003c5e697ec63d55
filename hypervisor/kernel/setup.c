/*
 * start_hypervisor: the boot sequence of pvmon on CPU 0, called from
 * arch/x86/head.S in long mode on the early page tables.
 *
 *   descriptors (GDT, TSS, IDT)   exceptions are caught from here on
 *   serial console, banner
 *   CPU features, EFER, CR0/CR4, SYSCALL MSRs
 *   boot information              multiboot2 or PVH, into struct boot_info
 *   memory                        memory map, page tables, frame table, allocator
 *   local APIC timer              calibrated against the PIT; periodic tick
 *   boot modules                  listed (with their CRC-32 if module_check=crc)
 *   self-tests                    those named by selftest= on the command line
 *   dom0                          built from the first boot module (its
 *                                 ramdisk: the second) and entered in ring 3
 *   idle                          when no domain is left: idle with a
 *                                 heartbeat, then shut down after
 *                                 idle_seconds= (default 3, 0 = forever)
 * Command-line options: loglevel=0..3, selftest=..., idle_seconds=N,
 * dom0_mem=MiB (default 64), conswitch=LETTER[x] (kernel/serial_input.c);
 * everything after " -- " is dom0's command line,
 * to which every virtio_mmio.device= word of the hypervisor's own part is
 * added: that is how dom0 discovers the virtio-mmio transports QEMU's
 * microvm describes there (common/command_line.c).
 */
#include <pvmon/arch.h>
#include <pvmon/boot_info.h>
#include <pvmon/command_line.h>
#include <pvmon/crc32.h>
#include <pvmon/device_access.h>
#include <pvmon/domain_build.h>
#include <pvmon/serial_input.h>
#include <pvmon/domain_memory.h>
#include <pvmon/hypercalls.h>
#include <pvmon/machine_to_physical.h>
#include <pvmon/memory.h>
#include <pvmon/panic.h>
#include <pvmon/physical_irq.h>
#include <pvmon/printk.h>
#include <pvmon/selftest.h>
#include <pvmon/string.h>
#include <pvmon/time.h>
#include <xen/arch-x86/hvm/start_info.h>

#define PVMON_VERSION "0.1"
#define TICK_PERIOD_NS 10000000UL
#define DEFAULT_IDLE_SECONDS 3
#define DEFAULT_DOM0_MEBIBYTES 64

static struct boot_info boot_info;

void start_hypervisor(uint32_t boot_magic, uint64_t boot_info_address);

static const void *read_early_physical(uint64_t physical_address, uint64_t length)
{
    if (physical_address + length < physical_address || physical_address + length > EARLY_MAP_SIZE)
        return NULL;
    return early_physical_to_virtual(physical_address);
}

static void read_boot_info(uint32_t boot_magic, uint64_t boot_info_address)
{
    int error;

    if (boot_magic == MULTIBOOT2_BOOTLOADER_MAGIC)
        error = boot_info_from_multiboot2(&boot_info, boot_info_address, read_early_physical);
    else if (boot_magic == XEN_HVM_START_MAGIC_VALUE)
        error = boot_info_from_pvh(&boot_info, boot_info_address, read_early_physical);
    else
        panic("unknown boot protocol (magic %#x): boot pvmon with GRUB (multiboot2) or PVH",
              boot_magic);
    if (error)
        panic("cannot read the boot information at %#lx: error %d", boot_info_address, error);
    printk(LOG_INFO, "booted by %s (%s)\n", boot_info.loader_name,
           boot_info.protocol == BOOT_PROTOCOL_PVH ? "PVH, hvm_start_info" : "multiboot2");
    printk(LOG_INFO, "command line: %s\n", boot_info.command_line);
}

static void apply_log_level(void)
{
    uint64_t level;

    if (command_line_get_unsigned(boot_info.command_line, "loglevel", &level) && level <= LOG_DEBUG)
        printk_set_level((enum log_level)level);
}

static void print_cpu(const struct cpu_features *features)
{
    printk(LOG_INFO, "cpu: %s; NX %s, SMEP %s, 1 GiB pages %s, TSC-deadline %s, invariant TSC %s\n",
           features->vendor, features->has_nx ? "yes" : "no", features->has_smep ? "on" : "no",
           features->has_1gb_pages ? "yes" : "no", features->has_tsc_deadline ? "yes" : "no",
           features->has_invariant_tsc ? "yes" : "no");
    printk(LOG_INFO, "cpu: GDT with Xen's reserved entries from 7168 (0xe008 hypervisor, 0xe023/0xe02b/0xe033 flat ring 3), TSS with IST stacks for #DF/NMI/#MC/#DB, IDT for all 256 vectors, SYSCALL to 0xe008, null LDT\n");
    if (features->fpu_pointers_survive_fxrstor)
        printk(LOG_INFO, "cpu: fxrstor keeps the previous x87 FIP/FDP/FOP: they are reset on every vCPU switch\n");
}

static void start_timer(void)
{
    struct timer_calibration calibration;

    platform_mask_legacy_interrupts();
    apic_init();
    apic_calibrate(&calibration);
    time_init(&calibration);
    printk(LOG_INFO, "timer: TSC %lu.%03lu MHz, local APIC timer %lu.%03lu MHz (calibrated against the PIT over 50 ms)\n",
           calibration.tsc_hz / 1000000, calibration.tsc_hz / 1000 % 1000,
           calibration.apic_timer_hz / 1000000, calibration.apic_timer_hz / 1000 % 1000);
    if (calibration.tsc_hz == 0 || calibration.apic_timer_hz == 0)
        panic("timer calibration failed: is there a PIT?");
    timer_start_ticks(TICK_PERIOD_NS);
    interrupts_enable();
    printk(LOG_INFO, "timer: ticking every %lu ms; system time 0 is TSC %lu\n", TICK_PERIOD_NS / 1000000,
           time_boot_timestamp());
}

/*
 * The modules, each with its CRC-32 only when `module_check=crc` asks for
 * it: reading every byte of a 67 MB ramdisk costs most of a second under
 * QEMU's TCG, on every boot.
 */
static void print_modules(void)
{
    char check[8];
    bool with_crc = command_line_find(boot_info.command_line, "module_check", check, sizeof(check)) &&
                    strcmp(check, "crc") == 0;

    printk(LOG_INFO, "boot modules: %u\n", boot_info.module_count);
    for (unsigned int index = 0; index < boot_info.module_count; index++) {
        const struct boot_module *module = &boot_info.modules[index];

        if (with_crc)
            printk(LOG_INFO, "  module %u: '%s' at %#lx, %lu bytes, crc32 %08x\n", index, module->name,
                   module->start, module->size, crc32(physical_to_virtual(module->start), module->size));
        else
            printk(LOG_INFO, "  module %u: '%s' at %#lx, %lu bytes\n", index, module->name,
                   module->start, module->size);
    }
}

/* Nothing (left) to run: idle with a heartbeat once a second. */
static _Noreturn void idle(void)
{
    uint64_t idle_seconds = DEFAULT_IDLE_SECONDS;
    uint64_t idle_start = system_time_ns() / NANOSECONDS_PER_SECOND;
    uint64_t seconds_reported = idle_start;

    command_line_get_unsigned(boot_info.command_line, "idle_seconds", &idle_seconds);
    printk(LOG_INFO, "no domain to run; idling%s\n",
           idle_seconds ? "" : " until QEMU is stopped (Ctrl-A X)");
    for (;;) {
        uint64_t seconds = system_time_ns() / NANOSECONDS_PER_SECOND;

        if (seconds > seconds_reported) {
            seconds_reported = seconds;
            printk(LOG_INFO, "tick %lu: %lu s since boot\n", timer_tick_count(), seconds);
        }
        if (idle_seconds != 0 && seconds >= idle_start + idle_seconds) {
            printk(LOG_INFO, "idle for %lu s with nothing to run: shutting down\n", idle_seconds);
            platform_exit(PLATFORM_EXIT_SUCCESS);
        }
        cpu_wait_for_interrupt();
    }
}

/* dom0's part of the command line and the devices it is given. */
static const char *dom0_command_line(void)
{
    static char line[MAX_GUEST_CMDLINE];
    unsigned int left_out;

    command_line_compose_dom0(boot_info.command_line, line, sizeof(line), &left_out);
    if (left_out > 0)
        printk(LOG_WARNING, "dom0: %u virtio_mmio.device= words do not fit on its command line\n", left_out);
    return line;
}

static void start_dom0(void)
{
    uint64_t mebibytes = DEFAULT_DOM0_MEBIBYTES;
    const struct boot_module *kernel = &boot_info.modules[0];
    const struct boot_module *ramdisk = boot_info.module_count > 1 ? &boot_info.modules[1] : NULL;
    struct domain_build_request request = {
        .kernel = physical_to_virtual(kernel->start),
        .kernel_size = kernel->size,
        .module = ramdisk ? physical_to_virtual(ramdisk->start) : NULL,
        .module_size = ramdisk ? ramdisk->size : 0,
        .command_line = dom0_command_line(),
    };
    struct domain_build_result built;
    struct domain *dom0 = domain_create(0, true);
    int error;

    command_line_get_unsigned(boot_info.command_line, "dom0_mem", &mebibytes);
    if (dom0 == NULL || domain_set_memory(dom0, mebibytes << (20 - PAGE_SHIFT)) != 0) {
        printk(LOG_ERROR, "dom0: cannot create a domain of %lu MiB\n", mebibytes);
        if (dom0 != NULL)
            domain_destroy(dom0);
        return;
    }
    error = domain_build_pv(dom0, &request, &built);
    if (error) {
        printk(LOG_ERROR, "dom0: cannot build '%s': error %d\n", kernel->name, error);
        domain_destroy(dom0);
        return;
    }
    dom0->weight = SCHEDULER_DEFAULT_WEIGHT;
    schedule_add_vcpu(&dom0->vcpu, dom0->weight);
    dom0->paused = false;
    schedule_unpause(&dom0->vcpu);
    printk(LOG_INFO, "dom0: entering '%s' in ring 3\n", kernel->name);
}

void start_hypervisor(uint32_t boot_magic, uint64_t boot_info_address)
{
    struct cpu_features features;

    time_record_boot();
    descriptors_init();
    serial_init();
    printk(LOG_INFO, "pvmon %s: a paravirtualizing hypervisor for x86-64 (Xen PV ABI subset, interface %#x)\n",
           PVMON_VERSION, __XEN_INTERFACE_VERSION__);
    cpu_init(&features);
    print_cpu(&features);
    read_boot_info(boot_magic, boot_info_address);
    apply_log_level();
    memory_init(&boot_info, features.has_nx);
    memory_print_summary();
    start_timer();
    print_modules();
    selftests_run(boot_info.command_line, &boot_info);
    time_read_wallclock();
    machine_to_physical_init();
    device_access_init();
    physical_irq_init();
    domain_memory_init();
    schedule_init(idle);
    version_set_command_line(boot_info.command_line);
    if (boot_info.module_count > 0)
        start_dom0();
    serial_input_start(boot_info.command_line);
    schedule_start();
}
