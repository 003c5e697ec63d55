/*
 * dom0's virtio-net driver (see virtio_net.h) behind net_device.h: the
 * devices, transmission, reception and their interrupt.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include <runtime/runtime.h>
#include "direct_map.h"
#include "net_device.h"
#include "physical_interrupt.h"
#include "virtio_blk_protocol.h"
#include "virtio_mmio.h"
#include "virtio_mmio_command_line.h"
#include "virtio_net.h"
#include "virtio_net_protocol.h"
#include "virtio_net_receiver.h"

#define TRANSMIT_CHAIN 2 /* header, frame */
#define INTERRUPT_USED_BUFFER 1
#define INTERRUPT_CONFIGURATION_CHANGE 2

_Static_assert(VIRTIO_NET_RECEIVE_BUFFERS <= VIRTIO_NET_QUEUE_SIZE, "every receive buffer can be posted");

struct net_device {
    char name[8];
    struct virtio_mmio_location location;
    struct virtio_mmio_transport transport;
    uint64_t features;
    unsigned int header_bytes;
    struct ethernet_address address;
    struct virtqueue receive_queue;
    struct virtqueue transmit_queue;
    struct virtio_net_receiver receiver;
    uint64_t receive_addresses[VIRTIO_NET_RECEIVE_BUFFERS];
    bool failed;
    struct physical_interrupt interrupt;
    volatile bool interrupt_received;
    bool end_of_interrupt_owed;
    unsigned int spurious_interrupts; /* in a row */
    struct net_device_statistics statistics;
};

struct queue_pages {
    uint8_t receive[PAGE_SIZE];
    uint8_t transmit[PAGE_SIZE];
};

static uint8_t register_windows[VIRTIO_NET_MAX_DEVICES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct queue_pages queue_pages[VIRTIO_NET_MAX_DEVICES] __attribute__((aligned(PAGE_SIZE)));
static struct virtio_net_buffer_slot receive_slots[VIRTIO_NET_MAX_DEVICES][VIRTIO_NET_RECEIVE_BUFFERS]
    __attribute__((aligned(PAGE_SIZE)));
/* What the device reads before every frame sent: no offload asked. */
static const uint8_t transmit_header[VIRTIO_NET_MODERN_HEADER_BYTES] __attribute__((aligned(16)));
static struct net_device devices[VIRTIO_NET_MAX_DEVICES];
static unsigned int device_count;
static volatile bool *wakeup_flag;

/* --- net_device.h: properties --------------------------------------------- */

unsigned int net_device_count(void)
{
    return device_count;
}

struct net_device *net_device_get(unsigned int index)
{
    return index < device_count ? &devices[index] : NULL;
}

const char *net_device_name(const struct net_device *device)
{
    return device->name;
}

void net_device_address(const struct net_device *device, struct ethernet_address *address)
{
    *address = device->address;
}

bool net_device_link_up(const struct net_device *device)
{
    if (device->failed)
        return false;
    return virtio_net_config_link_up(virtio_mmio_read_config64(&device->transport, VIRTIO_NET_CONFIG_MAC),
                                     device->features);
}

const struct net_device_statistics *net_device_statistics(const struct net_device *device)
{
    return &device->statistics;
}

evtchn_port_t net_device_event_port(const struct net_device *device)
{
    return device->interrupt.port;
}

void net_device_set_wakeup_flag(volatile bool *flag)
{
    wakeup_flag = flag;
}

/* --- giving up ------------------------------------------------------------ */

/* The device broke the protocol, asked for a reset or holds its line up:
 * it is reset (which lowers its line and stops its use of memory); the
 * frames it still held complete with -EIO in the next
 * net_device_complete_transmissions. */
static void give_up(struct net_device *device, const char *why)
{
    void *token;

    console_printf("virtio-net: %s: %s; resetting it and failing its frames\n", device->name, why);
    virtio_mmio_reset(&device->transport);
    device->failed = true;
    while (virtqueue_next_abandoned(&device->receive_queue, &token))
        continue;
}

/* --- transmission ----------------------------------------------------------- */

int net_device_transmit(struct net_device *device, struct net_transmission *transmission)
{
    struct virtqueue_buffer chain[TRANSMIT_CHAIN] = {
        { .address = runtime_machine_address(transmit_header), .length = device->header_bytes },
        { .address = transmission->machine_address, .length = transmission->length },
    };
    int result;

    if (device->failed)
        return -XEN_EIO;
    result = virtio_net_check_transmission(transmission->machine_address, transmission->length);
    if (result != 0)
        return result;
    result = virtqueue_add(&device->transmit_queue, chain, TRANSMIT_CHAIN, transmission);
    if (result != 0)
        return result;
    if (virtqueue_should_notify(&device->transmit_queue)) {
        virtio_mmio_notify(&device->transport, VIRTIO_NET_TRANSMIT_QUEUE);
        device->statistics.notifications++;
    }
    return 0;
}

static void finish(struct net_device *device, struct net_transmission *transmission, int status,
                   void (*done)(struct net_transmission *))
{
    if (status == 0) {
        device->statistics.frames_sent++;
        device->statistics.bytes_sent += transmission->length;
    }
    transmission->status = status;
    done(transmission);
}

static unsigned int fail_abandoned(struct net_device *device, void (*done)(struct net_transmission *))
{
    unsigned int completed = 0;
    void *token;

    while (virtqueue_next_abandoned(&device->transmit_queue, &token)) {
        finish(device, token, -XEN_EIO, done);
        completed++;
    }
    return completed;
}

unsigned int net_device_complete_transmissions(struct net_device *device,
                                               void (*done)(struct net_transmission *))
{
    unsigned int completed = 0;
    uint32_t written;
    void *token;
    int taken;

    if (device->failed)
        return fail_abandoned(device, done);
    while ((taken = virtqueue_take_used(&device->transmit_queue, &token, &written)) == 1) {
        finish(device, token, 0, done);
        completed++;
    }
    if (taken < 0) {
        give_up(device, "the device broke the transmit queue's protocol");
        completed += fail_abandoned(device, done);
    }
    return completed;
}

/* --- reception and the interrupt ------------------------------------------- */

/* Takes the interrupt the upcall recorded, if any: acknowledges the
 * device's status (lowering its line) into *status, owes the PIRQ's EOI,
 * and gives the device up if it asks for a reset.  Whether there was one. */
static bool take_interrupt(struct net_device *device, uint32_t *status)
{
    /* Taken in one step: the upcall may set it again at any moment. */
    if (!__atomic_exchange_n(&device->interrupt_received, false, __ATOMIC_SEQ_CST))
        return false;
    device->end_of_interrupt_owed = true;
    *status = virtio_mmio_acknowledge_interrupt(&device->transport);
    if ((*status & INTERRUPT_CONFIGURATION_CHANGE) != 0 && !device->failed &&
        virtio_mmio_needs_reset(&device->transport))
        give_up(device, "the device needs a reset");
    return true;
}

/* An interrupt with nothing to say, again and again, is a line the device
 * holds up (as virtio_blk.c explains): after VIRTIO_NET_SPURIOUS_LIMIT in a
 * row the device is given up, lest dom0 do nothing but take its interrupts. */
static void check_spurious(struct net_device *device, bool spurious)
{
    device->spurious_interrupts = spurious ? device->spurious_interrupts + 1 : 0;
    if (device->spurious_interrupts >= VIRTIO_NET_SPURIOUS_LIMIT && !device->failed)
        give_up(device, "its interrupt keeps firing with nothing to report");
}

static void end_interrupt_when_drained(struct net_device *device)
{
    int result;

    if (!device->end_of_interrupt_owed || (!device->failed && virtqueue_has_used(&device->receive_queue)))
        return;
    device->end_of_interrupt_owed = false;
    if ((result = physical_interrupt_end(&device->interrupt)) != 0)
        console_printf("virtio-net: %s: PHYSDEVOP_eoi for pirq %u failed: %d\n", device->name, device->interrupt.pirq,
                       result);
}

/* Up to budget filled buffers taken, their frames delivered, the buffers
 * posted again (the device told if it wants to be); returns how many were
 * taken, valid or not. */
static unsigned int take_buffers(struct net_device *device, unsigned int budget,
                                 void (*deliver)(void *context, const uint8_t *frame, uint32_t length),
                                 void *context)
{
    int taken = virtio_net_receiver_take(&device->receiver, budget, deliver, context);

    if (taken < 0) {
        give_up(device, "the device broke the receive queue's protocol");
        return 0;
    }
    if (taken > 0 && virtqueue_should_notify(&device->receive_queue)) {
        virtio_mmio_notify(&device->transport, VIRTIO_NET_RECEIVE_QUEUE);
        device->statistics.notifications++;
    }
    return (unsigned int)taken;
}

unsigned int net_device_receive(struct net_device *device, unsigned int budget,
                                void (*deliver)(void *context, const uint8_t *frame, uint32_t length),
                                void *context)
{
    uint64_t delivered_before = device->statistics.frames_received;
    uint32_t status = 0;
    bool interrupted = take_interrupt(device, &status);
    unsigned int taken = device->failed ? 0 : take_buffers(device, budget, deliver, context);

    if (interrupted)
        check_spurious(device, status == 0 && taken == 0);
    end_interrupt_when_drained(device);
    return (unsigned int)(device->statistics.frames_received - delivered_before);
}

bool net_device_receive_pending(const struct net_device *device)
{
    return !device->failed && virtqueue_has_used(&device->receive_queue);
}

static void note_interrupt(evtchn_port_t port, void *context)
{
    struct net_device *device = context;

    (void)port;
    device->interrupt_received = true;
    device->statistics.interrupts++;
    if (wakeup_flag != NULL)
        *wakeup_flag = true;
}

/* --- set-up ---------------------------------------------------------------- */

/* Queue `index`, as large as the device allows up to VIRTIO_NET_QUEUE_SIZE
 * (and no smaller than `minimum`), in its one page. */
static int setup_queue(struct net_device *device, unsigned int index, struct virtqueue *queue, uint8_t *page,
                       unsigned int minimum)
{
    struct virtqueue_layout layout;
    unsigned int size;
    uint32_t maximum;
    int result = virtio_mmio_queue_size_maximum(&device->transport, index, &maximum);

    if (result != 0)
        return result;
    size = virtio_net_queue_size(maximum, VIRTIO_NET_QUEUE_SIZE, minimum);
    if (size == 0)
        return -XEN_ENODEV;
    result = virtqueue_layout(size, VIRTQUEUE_USED_ALIGNMENT, &layout);
    if (result != 0)
        return result;
    virtqueue_init(queue, size, page, &layout);
    return virtio_mmio_setup_queue(&device->transport, index, size, runtime_machine_address(page), &layout);
}

static int setup_queues(struct net_device *device, unsigned int index)
{
    int result = setup_queue(device, VIRTIO_NET_RECEIVE_QUEUE, &device->receive_queue, queue_pages[index].receive,
                             VIRTIO_NET_RECEIVE_BUFFERS);

    if (result != 0)
        return result;
    result = setup_queue(device, VIRTIO_NET_TRANSMIT_QUEUE, &device->transmit_queue, queue_pages[index].transmit,
                         TRANSMIT_CHAIN);
    if (result != 0)
        return result;
    for (unsigned int slot = 0; slot < VIRTIO_NET_RECEIVE_BUFFERS; slot++)
        device->receive_addresses[slot] = runtime_machine_address(&receive_slots[index][slot]);
    virtio_net_receiver_init(&device->receiver, &device->receive_queue, device->header_bytes, receive_slots[index],
                             device->receive_addresses, VIRTIO_NET_RECEIVE_BUFFERS, &device->statistics);
    return virtio_net_receiver_post_all(&device->receiver);
}

static int bind_interrupt(struct net_device *device)
{
    int result = physical_interrupt_bind_gsi(device->location.gsi, &device->interrupt);

    if (result != 0)
        return result;
    return events_attach(device->interrupt.port, note_interrupt, device);
}

/* The handshake of a virtio-net device; on failure the device is reset.
 * The receive buffers are posted before DRIVER_OK (5.1.5), and the device
 * told of them after it. */
static int start_device(struct net_device *device, unsigned int index)
{
    int result = virtio_mmio_negotiate(&device->transport, virtio_net_accept_features, &device->features);

    if (result != 0)
        return result;
    device->header_bytes = virtio_net_header_bytes(device->features);
    virtio_net_config_address(virtio_mmio_read_config64(&device->transport, VIRTIO_NET_CONFIG_MAC), device->features,
                              index, &device->address);
    if ((result = setup_queues(device, index)) != 0 || (result = bind_interrupt(device)) != 0) {
        virtio_mmio_reset(&device->transport);
        return result;
    }
    virtio_mmio_driver_ok(&device->transport);
    virtio_mmio_notify(&device->transport, VIRTIO_NET_RECEIVE_QUEUE);
    return 0;
}

static void report_device(const struct net_device *device)
{
    char address[18];

    ethernet_address_format(&device->address, address);
    console_printf("virtio-net: %s at %#lx (gsi %u, pirq %u, port %u), %s transport: %s%s, link %s, "
                   "queues %u/%u, %u receive buffers\n",
                   device->name, device->location.base, device->location.gsi, device->interrupt.pirq,
                   device->interrupt.port, virtio_mmio_is_modern(&device->transport) ? "modern" : "legacy", address,
                   (device->features & virtio_feature_bit(VIRTIO_NET_F_MAC)) != 0 ? "" : " (made up)",
                   net_device_link_up(device) ? "up" : "down", device->receive_queue.size,
                   device->transmit_queue.size, VIRTIO_NET_RECEIVE_BUFFERS);
}

/* Opens one transport; true if it is a virtio-net device now ready. */
static bool probe_location(const struct virtio_mmio_location *location)
{
    struct net_device *device = &devices[device_count];
    int result;

    *device = (struct net_device) { .location = *location };
    result = virtio_mmio_open(&device->transport, register_windows[device_count], location);
    if (result != 0 || device->transport.device_id != VIRTIO_DEVICE_ID_NET)
        return false;
    format_string(device->name, sizeof(device->name), "eth%u", device_count);
    result = start_device(device, device_count);
    if (result != 0) {
        console_printf("virtio-net: %s at %#lx could not be started: %d\n", device->name, location->base, result);
        return false;
    }
    report_device(device);
    return true;
}

unsigned int virtio_net_probe(const char *command_line)
{
    struct virtio_mmio_location locations[VIRTIO_MMIO_MAX_TRANSPORTS];
    unsigned int skipped, count = virtio_mmio_find_devices(command_line, locations, VIRTIO_MMIO_MAX_TRANSPORTS,
                                                           &skipped);

    for (unsigned int index = 0; index < count && device_count < VIRTIO_NET_MAX_DEVICES; index++)
        if (probe_location(&locations[index]))
            device_count++;
    return device_count;
}
