/*
 * Device access from dom0, checked from inside it (test=devices): what a
 * PV dom0 does to reach a virtio-mmio disk under Xen, one PASS or FAIL
 * line per case and a summary line the boot test reads.
 *
 *   - discovery: the virtio_mmio.device=SIZE@BASE:GSI word the hypervisor
 *     copied onto the command line (Linux's virtio_mmio module parameter
 *     syntax, drivers/virtio/virtio_mmio.c);
 *   - MMIO: the transport's page mapped over a window page of the kernel
 *     with update_va_mapping_otherdomain(DOMID_IO) and with
 *     update_va_mapping (DOMID_SELF: dom0 has I/O memory), its registers
 *     read (MagicValue "virt", Version 1 or 2, DeviceID 2: a block
 *     device), and the window given back its own page; the frames the
 *     hypervisor keeps (local APIC) are -EPERM, RAM through DOMID_IO is
 *     -EBUSY, as Xen's get_page_from_l1e answers.
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <pvmon/command_line.h>
#include <guest/hypercall.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "device_checks.h"
#include "direct_map.h"

#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_DEVICE_ID_BLOCK 2
#define LOCAL_APIC_ADDRESS UINT64_C(0xfee00000)
#define DEVICE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED | PTE_DIRTY | PTE_NO_EXECUTE)

struct virtio_mmio_device {
    uint64_t size;
    uint64_t base;
    uint64_t gsi;
};

static uint8_t device_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned int passed;
static unsigned int failed;

static void expect(const char *name, long got, long expected)
{
    if (got == expected) {
        passed++;
        console_printf("pv-kernel: PASS %s\n", name);
    } else {
        failed++;
        console_printf("pv-kernel: FAIL %s: got %ld (%#lx), expected %ld (%#lx)\n", name, got, got, expected,
                       expected);
    }
}

/* Digits in base 10, or 16 after 0x, up to the first character that is not one. */
static const char *parse_number(const char *text, uint64_t *value)
{
    unsigned int base = 10;
    const char *start;

    *value = 0;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    start = text;
    for (;; text++) {
        unsigned int digit;

        if (*text >= '0' && *text <= '9')
            digit = (unsigned int)(*text - '0');
        else if (base == 16 && *text >= 'a' && *text <= 'f')
            digit = (unsigned int)(*text - 'a' + 10);
        else if (base == 16 && *text >= 'A' && *text <= 'F')
            digit = (unsigned int)(*text - 'A' + 10);
        else
            break;
        *value = *value * base + digit;
    }
    return text == start ? NULL : text;
}

/* SIZE@BASE:GSI, SIZE with an optional K suffix (Linux's memparse). */
static bool parse_device(const char *text, struct virtio_mmio_device *device)
{
    text = parse_number(text, &device->size);
    if (text != NULL && (*text == 'K' || *text == 'k')) {
        device->size <<= 10;
        text++;
    }
    if (text == NULL || *text++ != '@' || (text = parse_number(text, &device->base)) == NULL || *text++ != ':' ||
        (text = parse_number(text, &device->gsi)) == NULL)
        return false;
    return *text == '\0' || *text == ':';
}

static long map_window(uint64_t machine_address, domid_t domain)
{
    return hypercall_update_va_mapping_otherdomain((unsigned long)device_window,
                                                   (machine_address & PTE_ADDRESS_MASK) | DEVICE_PTE, UVMF_INVLPG,
                                                   domain);
}

static long restore_window(void)
{
    return hypercall_update_va_mapping((unsigned long)device_window,
                                       runtime_machine_address(device_window) | PTE_PRESENT | PTE_WRITABLE |
                                           PTE_ACCESSED | PTE_DIRTY | PTE_NO_EXECUTE,
                                       UVMF_INVLPG);
}

static uint32_t read_register(const struct virtio_mmio_device *device, unsigned int offset)
{
    const volatile uint32_t *registers =
        (const volatile uint32_t *)(device_window + (device->base & (PAGE_SIZE - 1)));

    return registers[offset / 4];
}

static void check_transport_registers(const struct virtio_mmio_device *device)
{
    uint32_t version;

    expect("virtio_mmio_magic_value_reads_virt", read_register(device, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    version = read_register(device, VIRTIO_MMIO_VERSION);
    expect("virtio_mmio_version_is_1_or_2", version == 1 || version == 2, 1);
    expect("virtio_mmio_device_id_is_a_block_device", read_register(device, VIRTIO_MMIO_DEVICE_ID),
           VIRTIO_DEVICE_ID_BLOCK);
    console_printf("pv-kernel: virtio-mmio at %#lx: version %u, device %u, vendor %#x\n", device->base, version,
                   read_register(device, VIRTIO_MMIO_DEVICE_ID), read_register(device, 0x00c));
}

static void check_memory_mapped_io(const struct virtio_mmio_device *device)
{
    expect("transport_page_through_domid_io_is_mapped", map_window(device->base, DOMID_IO), 0);
    check_transport_registers(device);
    expect("window_gets_its_own_page_back", restore_window(), 0);
    expect("transport_page_through_domid_self_is_mapped", map_window(device->base, DOMID_SELF), 0);
    expect("virtio_mmio_magic_value_reads_virt_through_domid_self", read_register(device, VIRTIO_MMIO_MAGIC_VALUE),
           VIRTIO_MMIO_MAGIC);
    expect("window_gets_its_own_page_back_again", restore_window(), 0);
    expect("local_apic_page_kept_by_the_hypervisor_is_eperm", map_window(LOCAL_APIC_ADDRESS, DOMID_IO), -XEN_EPERM);
    /* Another page of dom0's RAM (the window's own would take Xen's fast
     * path: same frame, same RW, nothing checked). */
    expect("own_ram_through_domid_io_is_ebusy", map_window(runtime_machine_address(&passed), DOMID_IO), -XEN_EBUSY);
    restore_window();
}

void run_device_checks(const struct start_info *start_info)
{
    const char *command_line = (const char *)start_info->cmd_line;
    char word[96];
    struct virtio_mmio_device device;

    if (!command_line_find(command_line, COMMAND_LINE_DOM0_DEVICE_OPTION, word, sizeof(word)) ||
        !parse_device(word, &device)) {
        expect("command_line_names_a_virtio_mmio_device", 0, 1);
    } else {
        expect("command_line_names_a_virtio_mmio_device", 1, 1);
        console_printf("pv-kernel: virtio_mmio.device: %lu bytes at %#lx, GSI %lu\n", device.size, device.base,
                       device.gsi);
        check_memory_mapped_io(&device);
    }
    console_printf("pv-kernel: device checks: %u passed, %u failed\n", passed, failed);
}
