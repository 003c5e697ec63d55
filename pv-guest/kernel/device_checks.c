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
 *     -EBUSY, as Xen's get_page_from_l1e answers;
 *   - the interrupt, as Linux's xen_register_gsi and bind_evtchn_to_pirq
 *     set it up: PHYSDEVOP_map_pirq (GSI at pirq = GSI), setup_gsi (level,
 *     active high, as QEMU's microvm wires virtio-mmio), EVTCHNOP_bind_pirq,
 *     irq_status_query; then the device is made to interrupt with the
 *     smallest request a legacy transport takes (one virtqueue in one
 *     page, QueueAlign small, a read of sector 0) and the pirq's port must
 *     become pending; the interrupt is acknowledged at the device and
 *     PHYSDEVOP_eoi unmasks the line; the port is closed and the pirq
 *     unmapped.  A modern transport gets the MMIO checks only (its
 *     interrupt path is the same; the virtio driver exercises it).
 */
#include <stdint.h>
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/physdev.h>
#include <pvmon/command_line.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include "device_checks.h"
#include "direct_map.h"

#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_GUEST_PAGE_SIZE 0x028
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_ALIGN 0x03c
#define VIRTIO_MMIO_QUEUE_PFN 0x040
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_INTERRUPT_USED_BUFFER 1
#define VIRTIO_BLK_T_IN 0
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define QUEUE_SIZE 4
#define QUEUE_ALIGN 64
#define INTERRUPT_TIMEOUT_NS UINT64_C(2000000000)
#define QUIET_LINE_NS UINT64_C(200000000)
#define PHYSDEV_LEVEL 1
#define PHYSDEV_ACTIVE_HIGH 0
#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_DEVICE_ID_BLOCK 2
#define LOCAL_APIC_ADDRESS UINT64_C(0xfee00000)
#define DEVICE_PTE (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED | PTE_DIRTY | PTE_NO_EXECUTE)

struct virtio_mmio_device {
    uint64_t size;
    uint64_t base;
    uint64_t gsi;
};

/* The legacy virtqueue layout (virtio 1.0 section 2.6.2, "legacy
 * interfaces"): descriptors, then the available ring, then the used ring
 * at the next QueueAlign boundary; with 4 entries and QueueAlign 64 it
 * all fits in one page, so no machine contiguity is needed. */
struct virtq_descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
};

struct legacy_virtqueue {
    struct virtq_descriptor descriptors[QUEUE_SIZE];
    uint16_t available_flags;
    uint16_t available_index;
    uint16_t available_ring[QUEUE_SIZE];
    uint8_t padding[QUEUE_ALIGN - (sizeof(struct virtq_descriptor) * QUEUE_SIZE + 4 + 2 * QUEUE_SIZE) % QUEUE_ALIGN];
    uint16_t used_flags;
    volatile uint16_t used_index;
    struct {
        uint32_t id;
        uint32_t length;
    } used_ring[QUEUE_SIZE];
};

struct block_request_buffers {
    struct {
        uint32_t type;
        uint32_t priority;
        uint64_t sector;
    } header;
    uint8_t data[512];
    volatile uint8_t status;
};

static uint8_t device_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct legacy_virtqueue queue __attribute__((aligned(PAGE_SIZE)));
static struct block_request_buffers request_buffers __attribute__((aligned(PAGE_SIZE)));
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

static void write_register(const struct virtio_mmio_device *device, unsigned int offset, uint32_t value)
{
    volatile uint32_t *registers = (volatile uint32_t *)(device_window + (device->base & (PAGE_SIZE - 1)));

    registers[offset / 4] = value;
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

/* The device's queue 0 set up on the legacy transport with no feature
 * negotiated; false if the device offers no queue of QUEUE_SIZE. */
static bool start_legacy_device(const struct virtio_mmio_device *device)
{
    write_register(device, VIRTIO_MMIO_STATUS, 0);
    write_register(device, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    write_register(device, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    write_register(device, VIRTIO_MMIO_DRIVER_FEATURES, 0);
    write_register(device, VIRTIO_MMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
    write_register(device, VIRTIO_MMIO_QUEUE_SEL, 0);
    if (read_register(device, VIRTIO_MMIO_QUEUE_NUM_MAX) < QUEUE_SIZE)
        return false;
    write_register(device, VIRTIO_MMIO_QUEUE_NUM, QUEUE_SIZE);
    write_register(device, VIRTIO_MMIO_QUEUE_ALIGN, QUEUE_ALIGN);
    write_register(device, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(runtime_machine_address(&queue) >> PAGE_SHIFT));
    write_register(device, VIRTIO_MMIO_STATUS,
                   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
    return true;
}

/* A read of sector 0: header, data, status; DMA at machine addresses. */
static void submit_read_of_sector_0(const struct virtio_mmio_device *device)
{
    uint64_t buffers = runtime_machine_address(&request_buffers);

    request_buffers.header.type = VIRTIO_BLK_T_IN;
    request_buffers.header.sector = 0;
    request_buffers.status = 0xff;
    queue.descriptors[0] = (struct virtq_descriptor) {
        .address = buffers, .length = sizeof(request_buffers.header), .flags = VIRTQ_DESC_F_NEXT, .next = 1,
    };
    queue.descriptors[1] = (struct virtq_descriptor) {
        .address = buffers + sizeof(request_buffers.header), .length = sizeof(request_buffers.data),
        .flags = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, .next = 2,
    };
    queue.descriptors[2] = (struct virtq_descriptor) {
        .address = buffers + sizeof(request_buffers.header) + sizeof(request_buffers.data), .length = 1,
        .flags = VIRTQ_DESC_F_WRITE,
    };
    queue.available_ring[queue.available_index % QUEUE_SIZE] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    queue.available_index++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    write_register(device, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static bool port_is_pending(evtchn_port_t port)
{
    return (__atomic_load_n(&runtime_shared_info()->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) >> (port % 64)) & 1;
}

static void clear_pending(evtchn_port_t port)
{
    __atomic_fetch_and(&runtime_shared_info()->evtchn_pending[port / 64], ~(UINT64_C(1) << (port % 64)),
                       __ATOMIC_SEQ_CST);
}

/* Waits in SCHEDOP_poll (which wakes for a masked port too). */
static bool interrupt_arrives(evtchn_port_t port, uint64_t timeout_ns)
{
    uint64_t deadline = system_time_ns() + timeout_ns;

    while (!port_is_pending(port) && system_time_ns() < deadline)
        hypercall_poll(&port, 1, deadline);
    return port_is_pending(port);
}

static long physdev(int command, void *argument)
{
    return hypercall3(__HYPERVISOR_physdev_op, (unsigned long)command, (unsigned long)argument, 0);
}

static void check_interrupt(const struct virtio_mmio_device *device, bool legacy)
{
    struct physdev_map_pirq map = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = (int)device->gsi, .pirq = (int)device->gsi,
    };
    struct physdev_setup_gsi setup = {
        .gsi = (int)device->gsi, .triggering = PHYSDEV_LEVEL, .polarity = PHYSDEV_ACTIVE_HIGH,
    };
    struct evtchn_bind_pirq bind = { .pirq = (uint32_t)device->gsi };
    struct physdev_irq_status_query query = { .irq = (uint32_t)device->gsi };
    struct physdev_eoi eoi = { .irq = (uint32_t)device->gsi };
    struct physdev_unmap_pirq unmap = { .domid = DOMID_SELF, .pirq = (int)device->gsi };

    expect("map_pirq_of_the_devices_gsi_succeeds", physdev(PHYSDEVOP_map_pirq, &map), 0);
    expect("map_pirq_gives_the_pirq_asked_for", map.pirq, (long)device->gsi);
    expect("setup_gsi_level_active_high_succeeds", physdev(PHYSDEVOP_setup_gsi, &setup), 0);
    expect("bind_pirq_succeeds", hypercall_event_channel_op(EVTCHNOP_bind_pirq, &bind), 0);
    expect("bind_pirq_twice_is_eexist", hypercall_event_channel_op(EVTCHNOP_bind_pirq, &bind), -XEN_EEXIST);
    expect("irq_status_query_succeeds", physdev(PHYSDEVOP_irq_status_query, &query), 0);
    expect("irq_status_query_asks_for_an_eoi", query.flags & XENIRQSTAT_needs_eoi, XENIRQSTAT_needs_eoi);
    expect("eoi_with_nothing_in_flight_succeeds", physdev(PHYSDEVOP_eoi, &eoi), 0);
    if (legacy) {
        expect("legacy_device_takes_a_one_page_queue", start_legacy_device(device), true);
        submit_read_of_sector_0(device);
        expect("device_interrupt_arrives_on_the_pirq_port", interrupt_arrives(bind.port, INTERRUPT_TIMEOUT_NS), true);
        expect("device_completed_the_read", queue.used_index == 1 && request_buffers.status == 0, true);
        console_printf("pv-kernel: virtio-blk sector 0 starts with %02x %02x %02x %02x %02x %02x %02x %02x\n",
                       request_buffers.data[0], request_buffers.data[1], request_buffers.data[2],
                       request_buffers.data[3], request_buffers.data[4], request_buffers.data[5],
                       request_buffers.data[6], request_buffers.data[7]);
        expect("device_says_it_used_a_buffer",
               read_register(device, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_USED_BUFFER,
               VIRTIO_INTERRUPT_USED_BUFFER);
        write_register(device, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INTERRUPT_USED_BUFFER);
        clear_pending(bind.port);
        expect("eoi_after_the_interrupt_succeeds", physdev(PHYSDEVOP_eoi, &eoi), 0);
        expect("no_second_interrupt_once_acknowledged", interrupt_arrives(bind.port, QUIET_LINE_NS), false);
        write_register(device, VIRTIO_MMIO_STATUS, 0);
    }
    expect("closing_the_pirq_port_succeeds", hypercall_event_close(bind.port), 0);
    expect("unmap_pirq_succeeds", physdev(PHYSDEVOP_unmap_pirq, &unmap), 0);
    expect("unmap_pirq_twice_is_einval", physdev(PHYSDEVOP_unmap_pirq, &unmap), -XEN_EINVAL);
    expect("bind_pirq_once_unmapped_is_eperm", hypercall_event_channel_op(EVTCHNOP_bind_pirq, &bind), -XEN_EPERM);
    map.index = 2;
    map.pirq = 2;
    expect("map_pirq_of_the_timers_gsi_kept_by_the_hypervisor_is_eperm", physdev(PHYSDEVOP_map_pirq, &map),
           -XEN_EPERM);
    map.index = 24;
    expect("map_pirq_beyond_the_ioapic_is_einval", physdev(PHYSDEVOP_map_pirq, &map), -XEN_EINVAL);
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
        if (map_window(device.base, DOMID_IO) == 0) {
            check_interrupt(&device, read_register(&device, VIRTIO_MMIO_VERSION) == 1);
            restore_window();
        }
    }
    console_printf("pv-kernel: device checks: %u passed, %u failed\n", passed, failed);
}
