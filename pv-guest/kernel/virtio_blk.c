/*
 * dom0's virtio-blk driver (see virtio_blk.h) behind block_device.h: the
 * devices, their request slots, submission and completion.
 */
#include <stddef.h>
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include <runtime/runtime.h>
#include "block_device.h"
#include "direct_map.h"
#include "physical_interrupt.h"
#include "virtio_blk.h"
#include "virtio_blk_protocol.h"
#include "virtio_mmio.h"
#include "virtio_mmio_command_line.h"

#define REQUEST_QUEUE 0
#define SECTORS_PER_MIB (1024 * 1024 / BLOCK_SECTOR_SIZE)
#define SERIAL_TIMEOUT_NS (2 * NANOSECONDS_PER_SECOND)
#define SERIAL_CHAIN 3 /* header, the 20-byte id, status */

/* What the device reads and writes besides the data: one page of dom0's
 * per device (so that no header straddles two frames). */
struct request_page {
    struct virtio_blk_header headers[VIRTIO_BLK_SLOTS];
    uint8_t statuses[VIRTIO_BLK_SLOTS];
    uint8_t id[VIRTIO_BLK_ID_BYTES]; /* GET_ID's answer, at probe */
} __attribute__((aligned(PAGE_SIZE)));

struct block_device {
    char name[4];
    char serial[VIRTIO_BLK_SERIAL_SIZE];
    struct virtio_mmio_location location;
    struct virtio_mmio_transport transport;
    struct virtqueue queue;
    uint64_t capacity_sectors;
    bool read_only;
    bool has_flush;
    bool failed;
    struct physical_interrupt interrupt;
    volatile bool interrupt_received;
    volatile uint64_t interrupts;
    unsigned int spurious_interrupts; /* in a row */
    struct request_page *request_page;
    struct block_request *slots[VIRTIO_BLK_SLOTS]; /* NULL: free */
};

static uint8_t register_windows[VIRTIO_BLK_MAX_DEVICES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t queue_pages[VIRTIO_BLK_MAX_DEVICES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct request_page request_pages[VIRTIO_BLK_MAX_DEVICES];
static struct block_device devices[VIRTIO_BLK_MAX_DEVICES];
static unsigned int device_count;
static volatile bool *wakeup_flag;

_Static_assert(sizeof(struct request_page) == PAGE_SIZE, "a device's headers and statuses fill one page");

/* --- block_device.h: properties ---------------------------------------- */

unsigned int block_device_count(void)
{
    return device_count;
}

struct block_device *block_device_get(unsigned int index)
{
    return index < device_count ? &devices[index] : NULL;
}

const char *block_device_name(const struct block_device *device)
{
    return device->name;
}

const char *block_device_serial(const struct block_device *device)
{
    return device->serial;
}

uint64_t block_device_sectors(const struct block_device *device)
{
    return device->capacity_sectors;
}

bool block_device_read_only(const struct block_device *device)
{
    return device->read_only;
}

bool block_device_has_flush(const struct block_device *device)
{
    return device->has_flush;
}

evtchn_port_t block_device_event_port(const struct block_device *device)
{
    return device->interrupt.port;
}

void block_device_set_wakeup_flag(volatile bool *flag)
{
    wakeup_flag = flag;
}

uint64_t virtio_blk_interrupts(const struct block_device *device)
{
    return device->interrupts;
}

/* --- submission ----------------------------------------------------------- */

static int free_slot(const struct block_device *device)
{
    for (unsigned int slot = 0; slot < VIRTIO_BLK_SLOTS; slot++)
        if (device->slots[slot] == NULL)
            return (int)slot;
    return -XEN_EBUSY;
}

int block_device_submit(struct block_device *device, struct block_request *request)
{
    struct virtqueue_buffer chain[VIRTIO_BLK_MAX_CHAIN];
    unsigned int length;
    int slot, result;

    if (device->failed)
        return -XEN_EIO;
    result = virtio_blk_check_request(request, device->capacity_sectors, device->read_only, device->has_flush);
    if (result != 0)
        return result;
    slot = free_slot(device);
    if (slot < 0)
        return slot;
    virtio_blk_fill_header(request, &device->request_page->headers[slot]);
    device->request_page->statuses[slot] = VIRTIO_BLK_STATUS_UNWRITTEN;
    length = virtio_blk_build_chain(request, runtime_machine_address(&device->request_page->headers[slot]),
                                    runtime_machine_address(&device->request_page->statuses[slot]), chain);
    result = virtqueue_add(&device->queue, chain, length, &device->slots[slot]);
    if (result != 0)
        return result;
    device->slots[slot] = request;
    if (virtqueue_should_notify(&device->queue))
        virtio_mmio_notify(&device->transport, REQUEST_QUEUE);
    return 0;
}

/* --- completion ----------------------------------------------------------- */

static unsigned int slot_of(const struct block_device *device, void *token)
{
    return (unsigned int)((struct block_request **)token - device->slots);
}

static void finish(struct block_device *device, unsigned int slot, int status, void (*done)(struct block_request *))
{
    struct block_request *request = device->slots[slot];

    device->slots[slot] = NULL;
    request->status = status;
    done(request);
}

/* The device broke the protocol, asked for a reset or holds its line up:
 * it is reset (which lowers its line), and whatever it still held
 * completes with -EIO. */
static unsigned int give_up(struct block_device *device, const char *why, void (*done)(struct block_request *))
{
    unsigned int completed = 0;
    void *token;

    console_printf("virtio-blk: %s: %s; resetting it and failing its requests\n", device->name, why);
    virtio_mmio_reset(&device->transport);
    device->failed = true;
    while (virtqueue_next_abandoned(&device->queue, &token)) {
        finish(device, slot_of(device, token), -XEN_EIO, done);
        completed++;
    }
    return completed;
}

static unsigned int take_used_requests(struct block_device *device, void (*done)(struct block_request *))
{
    unsigned int completed = 0;
    uint32_t written;
    void *token;
    int taken;

    while ((taken = virtqueue_take_used(&device->queue, &token, &written)) == 1) {
        unsigned int slot = slot_of(device, token);

        finish(device, slot, virtio_blk_status_error(device->request_page->statuses[slot]), done);
        completed++;
    }
    if (taken < 0)
        completed += give_up(device, "the device broke the virtqueue protocol", done);
    else if (virtio_mmio_needs_reset(&device->transport))
        completed += give_up(device, "the device needs a reset", done);
    return completed;
}

/* An interrupt with nothing to say, again and again, is a line the device
 * holds up (QEMU stops updating a broken device's line): after
 * VIRTIO_BLK_SPURIOUS_LIMIT in a row the device is given up, lest dom0 do
 * nothing but take its interrupts. */
static unsigned int check_spurious(struct block_device *device, bool spurious, void (*done)(struct block_request *))
{
    device->spurious_interrupts = spurious ? device->spurious_interrupts + 1 : 0;
    if (device->spurious_interrupts < VIRTIO_BLK_SPURIOUS_LIMIT || device->failed)
        return 0;
    return give_up(device, "its interrupt keeps firing with nothing to report", done);
}

/* Takes an interrupt the device raised since the last call, acknowledging
 * it on the transport; false if there was none.  *interrupt_status: the
 * device's interrupt status then. */
static bool take_interrupt(struct block_device *device, uint32_t *interrupt_status)
{
    /* Taken in one step: the upcall may set it again at any moment. */
    bool interrupted = __atomic_exchange_n(&device->interrupt_received, false, __ATOMIC_SEQ_CST);

    *interrupt_status = interrupted ? virtio_mmio_acknowledge_interrupt(&device->transport) : 0;
    return interrupted;
}

/* The PIRQ's EOI, after an interrupt taken (a level line: masked until then). */
static void end_interrupt(struct block_device *device)
{
    int result = physical_interrupt_end(&device->interrupt);

    if (result != 0)
        console_printf("virtio-blk: %s: PHYSDEVOP_eoi for pirq %u failed: %d\n", device->name, device->interrupt.pirq,
                       result);
}

unsigned int block_device_complete(struct block_device *device, void (*done)(struct block_request *))
{
    uint32_t interrupt_status;
    bool interrupted = take_interrupt(device, &interrupt_status);
    unsigned int completed = 0;

    if (!device->failed)
        completed = take_used_requests(device, done);
    if (interrupted)
        completed += check_spurious(device, interrupt_status == 0 && completed == 0, done);
    if (interrupted)
        end_interrupt(device);
    return completed;
}

static void note_interrupt(evtchn_port_t port, void *context)
{
    struct block_device *device = context;

    (void)port;
    device->interrupt_received = true;
    device->interrupts++;
    if (wakeup_flag != NULL)
        *wakeup_flag = true;
}

/* --- set-up ---------------------------------------------------------------- */

/* The request queue, as large as the device allows up to
 * VIRTIO_BLK_QUEUE_SIZE, in its one page. */
static int setup_queue(struct block_device *device, uint8_t *queue_page)
{
    struct virtqueue_layout layout;
    unsigned int size;
    uint32_t maximum;
    int result = virtio_mmio_queue_size_maximum(&device->transport, REQUEST_QUEUE, &maximum);

    if (result != 0)
        return result;
    size = virtio_blk_queue_size(maximum, VIRTIO_BLK_QUEUE_SIZE);
    if (size == 0)
        return -XEN_ENODEV;
    result = virtqueue_layout(size, VIRTQUEUE_USED_ALIGNMENT, &layout);
    if (result != 0)
        return result;
    virtqueue_init(&device->queue, size, queue_page, &layout);
    return virtio_mmio_setup_queue(&device->transport, REQUEST_QUEUE, size, runtime_machine_address(queue_page),
                                   &layout);
}

static int bind_interrupt(struct block_device *device)
{
    int result = physical_interrupt_bind_gsi(device->location.gsi, &device->interrupt);

    if (result != 0)
        return result;
    return events_attach(device->interrupt.port, note_interrupt, device);
}

/* Waits for the one request on the queue (GET_ID's) on the device's
 * interrupt, up to deadline_ns: 1 when it is back, 0 when the deadline
 * passed, or -EIO for a device breaking the virtqueue protocol. */
static int wait_for_the_only_request(struct block_device *device, uint64_t deadline_ns)
{
    uint32_t interrupt_status, written;
    void *token;
    int taken;

    while ((taken = virtqueue_take_used(&device->queue, &token, &written)) == 0 && system_time_ns() < deadline_ns) {
        wait_for_flag_until(&device->interrupt_received, deadline_ns);
        if (take_interrupt(device, &interrupt_status))
            end_interrupt(device);
    }
    return taken < 0 || (taken == 1 && token != &device->slots[0]) ? -XEN_EIO : taken;
}

/*
 * The device's serial (VIRTIO_BLK_T_GET_ID, virtio 1.2 5.2.6): one request
 * alone on the queue right after DRIVER_OK, awaited for at most
 * SERIAL_TIMEOUT_NS.  A device that answers with an error, or with a
 * serial that is no name (virtio_blk_protocol.h), has no serial; one that
 * does not answer in time or breaks the protocol is not used
 * (-ETIMEDOUT, -EIO): its request would stay on the queue.
 */
static int read_serial(struct block_device *device)
{
    struct request_page *page = device->request_page;
    struct virtqueue_buffer chain[SERIAL_CHAIN] = {
        { .address = runtime_machine_address(&page->headers[0]), .length = sizeof(page->headers[0]) },
        { .address = runtime_machine_address(page->id), .length = VIRTIO_BLK_ID_BYTES, .device_writes = true },
        { .address = runtime_machine_address(&page->statuses[0]), .length = 1, .device_writes = true },
    };
    int result;

    page->headers[0] = (struct virtio_blk_header) { .type = VIRTIO_BLK_T_GET_ID };
    page->statuses[0] = VIRTIO_BLK_STATUS_UNWRITTEN;
    memset(page->id, 0, sizeof(page->id));
    if ((result = virtqueue_add(&device->queue, chain, SERIAL_CHAIN, &device->slots[0])) != 0)
        return result;
    if (virtqueue_should_notify(&device->queue))
        virtio_mmio_notify(&device->transport, REQUEST_QUEUE);
    result = wait_for_the_only_request(device, system_time_ns() + SERIAL_TIMEOUT_NS);
    if (result <= 0)
        return result == 0 ? -XEN_ETIMEDOUT : result;
    if (virtio_blk_status_error(page->statuses[0]) == 0)
        virtio_blk_parse_serial(page->id, device->serial);
    return 0;
}

/* The handshake of a virtio-blk device; on failure the device is reset. */
static int start_device(struct block_device *device, unsigned int index)
{
    uint64_t accepted;
    int result = virtio_mmio_negotiate(&device->transport, virtio_blk_accept_features, &accepted);

    if (result != 0)
        return result;
    device->read_only = (accepted & virtio_feature_bit(VIRTIO_BLK_F_RO)) != 0;
    device->has_flush = (accepted & virtio_feature_bit(VIRTIO_BLK_F_FLUSH)) != 0;
    device->capacity_sectors = virtio_mmio_read_config64(&device->transport, VIRTIO_BLK_CONFIG_CAPACITY);
    device->request_page = &request_pages[index];
    if ((result = setup_queue(device, queue_pages[index])) != 0 || (result = bind_interrupt(device)) != 0) {
        virtio_mmio_reset(&device->transport);
        return result;
    }
    virtio_mmio_driver_ok(&device->transport);
    if ((result = read_serial(device)) != 0) {
        virtio_mmio_reset(&device->transport);
        return result;
    }
    return 0;
}

static void report_device(const struct block_device *device)
{
    console_printf("virtio-blk: %s at %#lx (gsi %u, pirq %u, port %u), %s transport: %lu sectors (%lu MiB), %s, %s, "
                   "serial '%s'\n",
                   device->name, device->location.base, device->location.gsi, device->interrupt.pirq,
                   device->interrupt.port,
                   virtio_mmio_is_modern(&device->transport) ? "modern" : "legacy", device->capacity_sectors,
                   device->capacity_sectors / SECTORS_PER_MIB, device->read_only ? "read-only" : "read-write",
                   device->has_flush ? "volatile cache (flush)" : "no volatile cache", device->serial);
}

/* Opens one transport; true if it is a virtio-blk device now ready. */
static bool probe_location(const struct virtio_mmio_location *location)
{
    struct block_device *device = &devices[device_count];
    int result;

    *device = (struct block_device) { .location = *location };
    result = virtio_mmio_open(&device->transport, register_windows[device_count], location);
    if (result != 0) {
        console_printf("virtio-blk: no virtio device at %#lx: %d\n", location->base, result);
        return false;
    }
    if (device->transport.device_id != VIRTIO_DEVICE_ID_BLOCK)
        return false;
    format_string(device->name, sizeof(device->name), "vd%c", 'a' + device_count);
    result = start_device(device, device_count);
    if (result != 0) {
        console_printf("virtio-blk: %s at %#lx could not be started: %d\n", device->name, location->base, result);
        return false;
    }
    report_device(device);
    return true;
}

unsigned int virtio_blk_probe(const char *command_line)
{
    struct virtio_mmio_location locations[VIRTIO_MMIO_MAX_TRANSPORTS];
    unsigned int skipped, count = virtio_mmio_find_devices(command_line, locations, VIRTIO_MMIO_MAX_TRANSPORTS,
                                                           &skipped);

    if (skipped != 0)
        console_printf("virtio-blk: %u virtio_mmio.device= word(s) skipped (malformed, or beyond %u)\n", skipped,
                       VIRTIO_MMIO_MAX_TRANSPORTS);
    for (unsigned int index = 0; index < count && device_count < VIRTIO_BLK_MAX_DEVICES; index++)
        if (probe_location(&locations[index]))
            device_count++;
    return device_count;
}
