/*
 * blkback in dom0 (see blkback_dom0.h): the devices, their ring windows,
 * the bounce pool, and the hypercalls and disk calls behind the pure
 * code's operations.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <guest/grant_table.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include <kernel/block_device.h>
#include <kernel/direct_map.h>
#include <kernel/frame_pool.h>
#include "blkback_dom0.h"
#include "device_dom0.h"

#define SECTORS_PER_MEBIBYTE 2048

struct dom0_device {
    bool in_use;          /* its domain has it (else free once idle) */
    bool created;         /* device holds a vbd (idle or not) */
    unsigned int disk_index;
    uint64_t first_sector, sectors;
    bool read_only;
    grant_handle_t ring_handle;
    bool counting;        /* machine counters read when the ring was mapped */
    struct pvmon_memory_statistics at_connection;
    struct blkback_xenbus device;
};

static struct dom0_device devices[BLKBACK_DOM0_DEVICES];
static uint8_t ring_windows[BLKBACK_DOM0_DEVICES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct blkback_bounce_pool pool;
static volatile bool *wake;
static const struct start_info *boot_start_info; /* its ramdisk holds the key files */

static struct dom0_device *owner_of(const struct blkback_xenbus *device)
{
    return (struct dom0_device *)device->context;
}

static uint8_t *window_of(const struct dom0_device *entry)
{
    return ring_windows[entry - devices];
}

static void report(struct blkback_xenbus *device, const char *what)
{
    console_printf("toolstack: d%u vbd %u: %s\n", device->config.frontend_domain, device->config.virtual_device,
                   what);
}

static void report_result(struct blkback_xenbus *device, const char *what, long result)
{
    char line[96];

    format_string(line, sizeof(line), "%s: %ld", what, result);
    report(device, line);
}

/* --- the vbd's operations ------------------------------------------------------ */

static long copy_grants(struct gnttab_copy *copies, unsigned int count)
{
    return grant_copy(copies, count);
}

static void notify_frontend(struct blkback *vbd)
{
    struct blkback_xenbus *device = vbd->context;
    long result = hypercall_event_send(device->local_port);

    if (result != 0)
        report_result(device, "notifying the frontend failed", result);
}

static const struct blkback_operations vbd_operations = {
    .grant_copy = copy_grants,
    .submit = block_device_submit,
    .notify_frontend = notify_frontend,
};

/* --- the handshake's operations ------------------------------------------------- */

static void report_step(void *device, const char *what, long result)
{
    report_result(device, what, result);
}

static long map_ring(struct blkback_xenbus *device, grant_ref_t ref, void **page)
{
    struct dom0_device *entry = owner_of(device);
    long result = device_dom0_map_ring(window_of(entry), device->config.frontend_domain, ref, &entry->ring_handle,
                                       "GNTTABOP_map_grant_ref of the ring", report_step, device);

    if (result != 0)
        return result;
    entry->counting = device_dom0_read_machine_counters(&entry->at_connection) == 0;
    *page = window_of(entry);
    return 0;
}

/* Removes the grant mapping, then maps dom0's own frame back over the window. */
static void unmap_ring(struct blkback_xenbus *device)
{
    struct dom0_device *entry = owner_of(device);

    device_dom0_unmap_ring(window_of(entry), entry->ring_handle, "GNTTABOP_unmap_grant_ref of the ring",
                           report_step, device);
}

static void note_event(evtchn_port_t port, void *context)
{
    (void)port;
    (void)context;
    *wake = true;
}

static long bind_event_channel(struct blkback_xenbus *device, evtchn_port_t remote_port, evtchn_port_t *local_port)
{
    return device_dom0_bind_event_channel(device->config.frontend_domain, remote_port, local_port, note_event,
                                          report_step, device);
}

static void close_event_channel(struct blkback_xenbus *device, evtchn_port_t local_port)
{
    device_dom0_close_event_channel(local_port, report_step, device);
}

static const struct blkback_xenbus_operations xenbus_operations = {
    .map_ring = map_ring,
    .unmap_ring = unmap_ring,
    .bind_event_channel = bind_event_channel,
    .close_event_channel = close_event_channel,
    .report = report,
};

/* --- devices --------------------------------------------------------------------- */

void blkback_dom0_init(volatile bool *wake_flag, const struct start_info *start_info)
{
    static uint64_t frames[BLKBACK_DOM0_BOUNCE_PAGES];
    unsigned int count = 0;
    uint64_t pfn;

    wake = wake_flag;
    boot_start_info = start_info;
    while (count < BLKBACK_DOM0_BOUNCE_PAGES && frame_allocate(FRAME_ANY, &pfn, NULL) == 0)
        frames[count++] = machine_frame_of(pfn);
    if (count < BLKBACK_DOM0_BOUNCE_PAGES)
        console_printf("toolstack: blkback: dom0's frame pool gave %u of %u bounce pages\n", count,
                       BLKBACK_DOM0_BOUNCE_PAGES);
    blkback_bounce_pool_init(&pool, frames, count);
}

/* A device no domain has and the disk has finished with. */
static struct dom0_device *free_device(void)
{
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++) {
        struct dom0_device *entry = &devices[index];

        if (!entry->in_use && (!entry->created || blkback_xenbus_idle(&entry->device)))
            return entry;
    }
    return NULL;
}

static bool overlaps_a_live_vbd(unsigned int disk_index, uint64_t first, uint64_t count, bool read_only)
{
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++) {
        const struct dom0_device *entry = &devices[index];

        if (entry->in_use && entry->disk_index == disk_index && first < entry->first_sector + entry->sectors &&
            entry->first_sector < first + count && !(read_only && entry->read_only))
            return true;
    }
    return false;
}

/* The vbd's place on the disk: the whole disk, or the range in MiB. */
static int place_on_disk(const struct disk_spec *disk, struct block_device *target, uint64_t *first,
                         uint64_t *count)
{
    uint64_t disk_sectors = block_device_sectors(target);

    if (disk->size_mebibytes == 0) {
        *first = 0;
        *count = disk_sectors;
        return 0;
    }
    *first = disk->start_mebibytes * SECTORS_PER_MEBIBYTE;
    *count = disk->size_mebibytes * SECTORS_PER_MEBIBYTE;
    return *first + *count <= disk_sectors ? 0 : -XEN_EINVAL;
}

int blkback_dom0_connect(domid_t domain, const struct disk_spec *disk, struct blkback_xenbus **device)
{
    struct block_device *target = block_device_get(disk->target_index);
    struct dom0_device *entry = free_device();
    struct blkback_xenbus_config config;
    uint64_t first, count;
    bool read_only;
    int result;

    if (target == NULL) {
        console_printf("toolstack: d%u %s: dom0 has no disk %s\n", domain, disk->vdev, disk->target);
        return -XEN_ENODEV;
    }
    if (place_on_disk(disk, target, &first, &count) != 0) {
        console_printf("toolstack: d%u %s: %s lies beyond %s's %lu sectors\n", domain, disk->vdev, disk->target,
                       block_device_name(target), block_device_sectors(target));
        return -XEN_EINVAL;
    }
    read_only = disk->read_only || block_device_read_only(target);
    if (overlaps_a_live_vbd(disk->target_index, first, count, read_only) || entry == NULL) {
        console_printf("toolstack: d%u %s: %s\n", domain, disk->vdev,
                       entry == NULL ? "no free vbd device" : "its range is in use by another vbd");
        return -XEN_EBUSY;
    }
    config = (struct blkback_xenbus_config) {
        .frontend_domain = domain,
        .virtual_device = disk->virtual_device,
        .vdev = disk->vdev,
        .params = disk->target,
        .vbd = { .disk = target, .first_sector = first, .sectors = count, .read_only = read_only,
                 .disk_has_flush = block_device_has_flush(target), .frontend_domain = domain },
    };
    *entry = (struct dom0_device) { .in_use = true, .created = true, .disk_index = disk->target_index,
                                    .first_sector = first, .sectors = count, .read_only = read_only };
    result = blkback_xenbus_create(&entry->device, &xenbus_operations, &config, &vbd_operations, &pool, entry);
    *device = &entry->device;
    if (result != 0) {
        report_result(&entry->device, "writing its xenstore nodes failed", result);
        return result;
    }
    console_printf("toolstack: d%u vbd %u: %s on %s, sectors %lu+%lu, %s%s\n", domain, disk->virtual_device,
                   disk->vdev, block_device_name(target), first, count, read_only ? "read-only" : "read-write",
                   config.vbd.disk_has_flush ? ", flush" : "");
    return 0;
}

/* What the whole machine did since the vbd's last ring was mapped (its
 * domain's boot before that left out), for the benchmarks' hypercalls per
 * request; every domain's hypercalls count, dom0's and the domU's. */
static void report_machine_counters(const struct dom0_device *entry)
{
    const struct blkback_xenbus *device = &entry->device;
    struct pvmon_memory_statistics now;

    if (!entry->counting || device_dom0_read_machine_counters(&now) != 0)
        return;
    console_printf("toolstack: d%u vbd %u: while connected, the machine made %lu hypercalls and "
                   "%lu page-table updates\n", device->config.frontend_domain, device->config.virtual_device,
                   now.hypercalls - entry->at_connection.hypercalls,
                   now.page_table_updates - entry->at_connection.page_table_updates);
}

/* What the vbd did, for the log and the benchmarks (events per request). */
static void report_statistics(const struct blkback_xenbus *device)
{
    const struct blkback_statistics *counts = &device->vbd.statistics;

    console_printf("toolstack: d%u vbd %u: %lu reads (%lu sectors), %lu writes (%lu sectors), %lu flushes, "
                   "%lu refused, %lu grant-copy failures, %lu disk errors; %lu GNTTABOP_copy calls "
                   "(%lu segments), %lu notifications\n",
                   device->config.frontend_domain, device->config.virtual_device, counts->reads,
                   counts->sectors_read, counts->writes, counts->sectors_written, counts->flushes, counts->refused,
                   counts->grant_copy_failures, counts->disk_errors, counts->grant_copy_calls,
                   counts->grant_copy_segments, counts->notifications);
}

void blkback_dom0_disconnect(struct blkback_xenbus *device)
{
    struct dom0_device *entry = owner_of(device);

    report_statistics(device);
    report_machine_counters(entry);
    blkback_xenbus_destroy(device);
    entry->in_use = false;
}

bool blkback_dom0_service(void)
{
    bool more = false;

    for (unsigned int index = 0; index < block_device_count(); index++)
        block_device_complete(block_device_get(index), blkback_request_done);
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++)
        if (devices[index].in_use && blkback_xenbus_service(&devices[index].device))
            more = true;
    return more;
}
