/*
 * The virtio-mmio transport (see virtio_mmio.h): register access, the
 * status handshake, feature words and queue set-up for the legacy and the
 * modern layout.  Register accesses are 32-bit, uncached (io_memory.h),
 * and ordered after every earlier store to memory, so that a queue is
 * complete before the device is told of it.
 */
#include <pvmon/errno.h>
#include "direct_map.h"
#include "io_memory.h"
#include "virtio_mmio.h"

/* Register offsets (Linux include/uapi/linux/virtio_mmio.h). */
enum virtio_mmio_register {
    REGISTER_MAGIC = 0x000,
    REGISTER_VERSION = 0x004,
    REGISTER_DEVICE_ID = 0x008,
    REGISTER_DEVICE_FEATURES = 0x010,
    REGISTER_DEVICE_FEATURES_SELECT = 0x014,
    REGISTER_DRIVER_FEATURES = 0x020,
    REGISTER_DRIVER_FEATURES_SELECT = 0x024,
    REGISTER_GUEST_PAGE_SIZE = 0x028,       /* legacy */
    REGISTER_QUEUE_SELECT = 0x030,
    REGISTER_QUEUE_SIZE_MAXIMUM = 0x034,
    REGISTER_QUEUE_SIZE = 0x038,
    REGISTER_QUEUE_ALIGN = 0x03c,           /* legacy */
    REGISTER_QUEUE_PFN = 0x040,             /* legacy */
    REGISTER_QUEUE_READY = 0x044,           /* modern */
    REGISTER_QUEUE_NOTIFY = 0x050,
    REGISTER_INTERRUPT_STATUS = 0x060,
    REGISTER_INTERRUPT_ACK = 0x064,
    REGISTER_STATUS = 0x070,
    REGISTER_QUEUE_DESCRIPTORS_LOW = 0x080, /* modern, and the five below */
    REGISTER_QUEUE_DESCRIPTORS_HIGH = 0x084,
    REGISTER_QUEUE_AVAILABLE_LOW = 0x090,
    REGISTER_QUEUE_AVAILABLE_HIGH = 0x094,
    REGISTER_QUEUE_USED_LOW = 0x0a0,
    REGISTER_QUEUE_USED_HIGH = 0x0a4,
    REGISTER_CONFIG_GENERATION = 0x0fc,     /* modern */
    REGISTER_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */

/* Device status bits (virtio 1.2, 2.1). */
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_DEVICE_NEEDS_RESET 0x40
#define STATUS_FAILED 0x80

static uint32_t read_register(const struct virtio_mmio_transport *transport, unsigned int offset)
{
    uint32_t value;

    __asm__ volatile("movl %1, %0" : "=r"(value) : "m"(*(volatile uint32_t *)(transport->registers + offset))
                     : "memory");
    return value;
}

static void write_register(struct virtio_mmio_transport *transport, unsigned int offset, uint32_t value)
{
    __asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)(transport->registers + offset)) : "r"(value)
                     : "memory");
}

static void add_status(struct virtio_mmio_transport *transport, uint32_t bits)
{
    write_register(transport, REGISTER_STATUS, read_register(transport, REGISTER_STATUS) | bits);
}

int virtio_mmio_open(struct virtio_mmio_transport *transport, void *window,
                     const struct virtio_mmio_location *location)
{
    int result = io_memory_map(window, location->base >> PAGE_SHIFT);

    if (result != 0)
        return result;
    transport->registers = (volatile uint8_t *)window + (location->base & (PAGE_SIZE - 1));
    if (read_register(transport, REGISTER_MAGIC) != VIRTIO_MMIO_MAGIC)
        return -XEN_ENODEV;
    transport->version = read_register(transport, REGISTER_VERSION);
    if (transport->version != VIRTIO_MMIO_VERSION_LEGACY && transport->version != VIRTIO_MMIO_VERSION_MODERN)
        return -XEN_ENODEV;
    transport->device_id = read_register(transport, REGISTER_DEVICE_ID);
    return 0;
}

static uint64_t read_device_features(struct virtio_mmio_transport *transport)
{
    uint64_t features;

    write_register(transport, REGISTER_DEVICE_FEATURES_SELECT, 0);
    features = read_register(transport, REGISTER_DEVICE_FEATURES);
    if (virtio_mmio_is_modern(transport)) {
        write_register(transport, REGISTER_DEVICE_FEATURES_SELECT, 1);
        features |= (uint64_t)read_register(transport, REGISTER_DEVICE_FEATURES) << 32;
    }
    return features;
}

static void write_driver_features(struct virtio_mmio_transport *transport, uint64_t features)
{
    write_register(transport, REGISTER_DRIVER_FEATURES_SELECT, 0);
    write_register(transport, REGISTER_DRIVER_FEATURES, (uint32_t)features);
    if (virtio_mmio_is_modern(transport)) {
        write_register(transport, REGISTER_DRIVER_FEATURES_SELECT, 1);
        write_register(transport, REGISTER_DRIVER_FEATURES, (uint32_t)(features >> 32));
    }
}

void virtio_mmio_reset(struct virtio_mmio_transport *transport)
{
    add_status(transport, STATUS_FAILED);
    write_register(transport, REGISTER_STATUS, 0);
}

static int give_up(struct virtio_mmio_transport *transport, int error)
{
    virtio_mmio_reset(transport);
    return error;
}

int virtio_mmio_negotiate(struct virtio_mmio_transport *transport,
                          int (*accept)(uint64_t offered, bool modern, uint64_t *accepted), uint64_t *accepted)
{
    int result;

    write_register(transport, REGISTER_STATUS, 0);
    add_status(transport, STATUS_ACKNOWLEDGE);
    add_status(transport, STATUS_DRIVER);
    result = accept(read_device_features(transport), virtio_mmio_is_modern(transport), accepted);
    if (result != 0)
        return give_up(transport, result);
    write_driver_features(transport, *accepted);
    if (!virtio_mmio_is_modern(transport)) {
        write_register(transport, REGISTER_GUEST_PAGE_SIZE, PAGE_SIZE);
        return 0;
    }
    add_status(transport, STATUS_FEATURES_OK);
    if ((read_register(transport, REGISTER_STATUS) & STATUS_FEATURES_OK) == 0)
        return give_up(transport, -XEN_ENODEV);
    return 0;
}

static void write_address(struct virtio_mmio_transport *transport, unsigned int low_register, uint64_t address)
{
    write_register(transport, low_register, (uint32_t)address);
    write_register(transport, low_register + 4, (uint32_t)(address >> 32));
}

static int setup_legacy_queue(struct virtio_mmio_transport *transport, unsigned int size, uint64_t ring_address)
{
    if (read_register(transport, REGISTER_QUEUE_PFN) != 0)
        return -XEN_ENODEV;
    if ((ring_address >> PAGE_SHIFT) > UINT32_MAX)
        return -XEN_EINVAL;
    write_register(transport, REGISTER_QUEUE_SIZE, size);
    write_register(transport, REGISTER_QUEUE_ALIGN, VIRTQUEUE_USED_ALIGNMENT);
    write_register(transport, REGISTER_QUEUE_PFN, (uint32_t)(ring_address >> PAGE_SHIFT));
    return 0;
}

static int setup_modern_queue(struct virtio_mmio_transport *transport, unsigned int size, uint64_t ring_address,
                              const struct virtqueue_layout *layout)
{
    if (read_register(transport, REGISTER_QUEUE_READY) != 0)
        return -XEN_ENODEV;
    write_register(transport, REGISTER_QUEUE_SIZE, size);
    write_address(transport, REGISTER_QUEUE_DESCRIPTORS_LOW, ring_address);
    write_address(transport, REGISTER_QUEUE_AVAILABLE_LOW, ring_address + layout->available_offset);
    write_address(transport, REGISTER_QUEUE_USED_LOW, ring_address + layout->used_offset);
    write_register(transport, REGISTER_QUEUE_READY, 1);
    return 0;
}

int virtio_mmio_setup_queue(struct virtio_mmio_transport *transport, unsigned int index, unsigned int size,
                            uint64_t ring_address, const struct virtqueue_layout *layout)
{
    uint32_t maximum;

    if (ring_address % PAGE_SIZE != 0 || layout->total_bytes > PAGE_SIZE)
        return -XEN_EINVAL;
    write_register(transport, REGISTER_QUEUE_SELECT, index);
    maximum = read_register(transport, REGISTER_QUEUE_SIZE_MAXIMUM);
    if (maximum == 0)
        return -XEN_ENODEV;
    if (size > maximum)
        return -XEN_EINVAL;
    if (virtio_mmio_is_modern(transport))
        return setup_modern_queue(transport, size, ring_address, layout);
    return setup_legacy_queue(transport, size, ring_address);
}

void virtio_mmio_driver_ok(struct virtio_mmio_transport *transport)
{
    add_status(transport, STATUS_DRIVER_OK);
}

bool virtio_mmio_needs_reset(const struct virtio_mmio_transport *transport)
{
    return (read_register(transport, REGISTER_STATUS) & STATUS_DEVICE_NEEDS_RESET) != 0;
}

void virtio_mmio_notify(struct virtio_mmio_transport *transport, unsigned int queue_index)
{
    write_register(transport, REGISTER_QUEUE_NOTIFY, queue_index);
}

uint32_t virtio_mmio_acknowledge_interrupt(struct virtio_mmio_transport *transport)
{
    uint32_t status = read_register(transport, REGISTER_INTERRUPT_STATUS);

    if (status != 0)
        write_register(transport, REGISTER_INTERRUPT_ACK, status);
    return status;
}

/* Two 32-bit reads of the configuration, repeated until they agree with the
 * generation counter (modern) or with each other (legacy has no counter). */
uint64_t virtio_mmio_read_config64(const struct virtio_mmio_transport *transport, unsigned int offset)
{
    uint64_t value, again;
    uint32_t generation;

    do {
        generation = virtio_mmio_is_modern(transport) ? read_register(transport, REGISTER_CONFIG_GENERATION) : 0;
        value = read_register(transport, REGISTER_CONFIG + offset) |
                (uint64_t)read_register(transport, REGISTER_CONFIG + offset + 4) << 32;
        again = read_register(transport, REGISTER_CONFIG + offset) |
                (uint64_t)read_register(transport, REGISTER_CONFIG + offset + 4) << 32;
    } while (value != again ||
             (virtio_mmio_is_modern(transport) && generation != read_register(transport, REGISTER_CONFIG_GENERATION)));
    return value;
}
