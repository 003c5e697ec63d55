/*
 * blkback in dom0 (see blkback_dom0.h): the devices, their ring windows,
 * the bounce pool, and the hypercalls and disk calls behind the pure
 * code's operations; for a vbd on an image, the image, its files and
 * key, and the synchronous submission on it.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/format.h>
#include <pvmon/string.h>
#include <guest/grant_table.h>
#include <guest/hypercall.h>
#include <public/memory_extension.h>
#include <runtime/console.h>
#include <runtime/runtime.h>
#include <kernel/block_device.h>
#include <kernel/direct_map.h>
#include <kernel/frame_pool.h>
#include <kernel/ramdisk.h>
#include "blkback_dom0.h"
#include "device_dom0.h"
#include "disk_image.h"
#include "image_file_dom0.h"
#include "vbd_checkpoint_dom0.h"
#include "xts.h"

#define SECTORS_PER_MEBIBYTE 2048
#define IMAGE_PAGES ((sizeof(struct disk_image) + PAGE_SIZE - 1) / PAGE_SIZE)
#define STAGING_BYTES (BLKIF_MAX_SEGMENTS_PER_REQUEST * PAGE_SIZE)
#define IMAGE_ERRORS_LOGGED 4 /* per vbd: a guest hammering a corrupt image does not flood the log */

/* A vbd on a disk image (none for the plain raw path). */
struct vbd_image {
    struct disk_image *image;         /* IMAGE_PAGES of dom0's, kept with the device once taken */
    bool open;
    unsigned int file_count;          /* the files of its chain, top first */
    struct image_file *files[DISK_IMAGE_MAX_CHAIN];
    struct xts_key key;
    unsigned int done_count;          /* requests done on the image, answered on the next pass */
    struct block_request *done[BLKBACK_SLOTS];
    unsigned int errors_logged;
};

struct dom0_device {
    bool in_use;          /* its domain has it (else free once idle) */
    bool created;         /* device holds a vbd (idle or not) */
    unsigned int disk_index;
    uint64_t first_sector, sectors;
    bool read_only;
    struct disk_spec spec;
    domid_t domain;
    bool on_image;        /* served from vbd_image, not the plain raw path */
    struct vbd_image image;
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
static uint8_t *staging;  /* one request's data, gathered for the image: STAGING_BYTES of dom0's */

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

/* --- a vbd on an image: the request done synchronously --------------------------- */

static struct dom0_device *device_of_request(const struct block_request *request)
{
    const struct blkback_slot *slot = request->owner;

    return owner_of(slot->vbd->context);
}

/* A segment's bytes: a bounce page of dom0's, by its machine address, through the direct map. */
static uint8_t *segment_bytes(const struct block_segment *segment)
{
    uint64_t pfn;

    if (!physical_frame_of(segment->machine_address >> PAGE_SHIFT, &pfn))
        return NULL;
    return (uint8_t *)direct_map_page(pfn) + (segment->machine_address & (PAGE_SIZE - 1));
}

/* Copies the request's segments into staging (to_staging) or back; false for a page not dom0's. */
static bool move_segments(const struct block_request *request, bool to_staging)
{
    uint64_t offset = 0;

    for (unsigned int index = 0; index < request->segment_count; index++) {
        const struct block_segment *segment = &request->segments[index];
        uint8_t *bytes = segment_bytes(segment);

        if (bytes == NULL)
            return false;
        if (to_staging)
            memcpy(staging + offset, bytes, segment->length);
        else
            memcpy(bytes, staging + offset, segment->length);
        offset += segment->length;
    }
    return true;
}

static uint32_t request_sectors(const struct block_request *request)
{
    uint32_t bytes = 0;

    for (unsigned int index = 0; index < request->segment_count; index++)
        bytes += request->segments[index].length;
    return bytes / BLOCK_SECTOR_SIZE;
}

static int run_on_image(struct disk_image *image, struct block_request *request)
{
    int result;

    switch (request->operation) {
    case BLOCK_READ:
        if ((result = disk_image_read(image, request->sector, staging, request_sectors(request))) != 0)
            return result;
        return move_segments(request, false) ? 0 : -XEN_EIO;
    case BLOCK_WRITE:
        if (!move_segments(request, true))
            return -XEN_EIO;
        return disk_image_write(image, request->sector, staging, request_sectors(request));
    case BLOCK_FLUSH:
        return disk_image_flush(image);
    }
    return -XEN_EINVAL;
}

static void report_image_error(struct dom0_device *entry, const struct block_request *request, int error)
{
    if (entry->image.errors_logged == IMAGE_ERRORS_LOGGED)
        return;
    entry->image.errors_logged++;
    console_printf("toolstack: d%u vbd %u: %s of sectors %lu+%u on its image failed: %d%s\n",
                   entry->device.config.frontend_domain, entry->device.config.virtual_device,
                   request->operation == BLOCK_READ ? "a read" : request->operation == BLOCK_WRITE ? "a write" : "a flush",
                   request->sector, request_sectors(request), error,
                   entry->image.errors_logged == IMAGE_ERRORS_LOGGED ? " (its further errors only counted)" : "");
}

/* blkback_operations.submit for a vbd on an image: done now, answered on the next pass. */
static int submit_to_image(struct block_device *disk, struct block_request *request)
{
    struct dom0_device *entry = device_of_request(request);

    (void)disk;
    request->status = entry->image.open ? run_on_image(entry->image.image, request) : -XEN_EIO;
    if (request->status != 0)
        report_image_error(entry, request, request->status);
    entry->image.done[entry->image.done_count++] = request;
    return 0;
}

static const struct blkback_operations image_vbd_operations = {
    .grant_copy = copy_grants,
    .submit = submit_to_image,
    .notify_frontend = notify_frontend,
};

/* The requests done on the image since the last pass: their responses. */
static void answer_done_requests(struct dom0_device *entry)
{
    unsigned int count = entry->image.done_count;

    entry->image.done_count = 0;
    for (unsigned int index = 0; index < count; index++)
        blkback_request_done(entry->image.done[index]);
}

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

/* --- a vbd's image: its files, key and chain ------------------------------------ */

static bool raw_vbd_uses(const struct block_device *disk, bool writable)
{
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++) {
        const struct dom0_device *entry = &devices[index];

        if (entry->in_use && !entry->on_image && block_device_get(entry->disk_index) == disk &&
            (writable || !entry->read_only))
            return true;
    }
    return false;
}

/* Opens the disk called name for the vbd's chain, under the sharing rules of
 * image files and of the raw vbds' ranges; 0 or the error. */
static int open_chain_file(struct dom0_device *entry, const char *name, bool writable, struct image_file **file)
{
    struct block_device *disk = image_file_dom0_find_disk(name);
    int result;

    if (entry->image.file_count == DISK_IMAGE_MAX_CHAIN)
        return -XEN_E2BIG;
    if (disk != NULL && raw_vbd_uses(disk, writable))
        return -XEN_EBUSY;
    if ((result = image_file_dom0_open(name, writable, file)) != 0)
        return result;
    entry->image.files[entry->image.file_count++] = *file;
    return 0;
}

static const char *open_failure(int error)
{
    switch (error) {
    case -XEN_ENODEV:
        return "dom0 has no disk of that name";
    case -XEN_EBUSY:
        return "in use: another vbd's, or a backing chain looping back to its writable top";
    case -XEN_EROFS:
        return "it may only be read (a read-only disk, or an image qemu-img must repair)";
    case -XEN_ENOENT:
        return "a backing file or its key file is not there";
    case -XEN_EINVAL:
        return "a malformed image, a backing chain that loops, or a bad key";
    case -XEN_E2BIG:
        return "its backing chain is too deep";
    case -XEN_EOPNOTSUPP:
        return "it uses a feature pvmon does not support";
    case -XEN_ENOMEM:
        return "dom0 has no memory left for it";
    default:
        return "its disk failed";
    }
}

/* disk_image_find_file: a backing file, by the name the image's header gives (hostile). */
static struct image_file *find_backing(void *context, const char *name)
{
    struct dom0_device *entry = context;
    struct image_file *file;
    int result;

    if (!domain_config_disk_name_valid(name, strlen(name))) {
        console_printf("toolstack: d%u vbd %u: its image names a backing file that is no disk's name\n",
                       entry->domain, entry->spec.virtual_device);
        return NULL;
    }
    if ((result = open_chain_file(entry, name, false, &file)) != 0) {
        console_printf("toolstack: d%u vbd %u: opening backing file %s read-only failed: %s (%d)\n", entry->domain,
                       entry->spec.virtual_device, name, open_failure(result), result);
        return NULL;
    }
    return file;
}

static void close_chain_files(struct vbd_image *image)
{
    while (image->file_count > 0)
        image_file_dom0_close(image->files[--image->file_count]);
}

/* The 64-byte key of keyfile, from dom0's ramdisk (the path without its leading '/'). */
static int load_key(struct dom0_device *entry)
{
    struct boot_archive_member member;

    if (!ramdisk_find(boot_start_info, entry->spec.keyfile + 1, &member))
        return -XEN_ENOENT;
    if (member.size != XTS_KEY_SIZE)
        return -XEN_EINVAL;
    return xts_key_init(&entry->image.key, member.data);
}

/* The memory of the device's disk image: taken from dom0's frame pool once, kept with the device. */
static int image_memory(struct vbd_image *image)
{
    uint64_t first_pfn;
    int result;

    if (image->image != NULL)
        return 0;
    if ((result = frame_allocate_contiguous(IMAGE_PAGES, &first_pfn)) != 0)
        return result;
    image->image = direct_map_page(first_pfn);
    return 0;
}

/* Opens the vbd's image with top on the disk called top_name, as its disk line says. */
static int open_image(struct dom0_device *entry, const char *top_name)
{
    bool writable = !entry->spec.read_only;
    struct disk_image_options options = {
        .read_only = !writable,
        .encryption = entry->spec.encrypted ? &entry->image.key : NULL,
        .compress_writes = entry->spec.compress,
    };
    enum disk_image_format format = entry->spec.format == DISK_FORMAT_QCOW2 ? DISK_IMAGE_QCOW2 : DISK_IMAGE_RAW;
    struct image_file *top;
    int result;

    if ((result = image_memory(&entry->image)) != 0 || (result = open_chain_file(entry, top_name, writable, &top)) != 0)
        return result;
    memset(entry->image.image, 0, sizeof(*entry->image.image));
    result = disk_image_open(entry->image.image, format, top, &options, find_backing, entry);
    if (result != 0) {
        close_chain_files(&entry->image);
        return result;
    }
    entry->image.open = true;
    return 0;
}

static void close_image(struct dom0_device *entry)
{
    if (entry->image.open) {
        int result = disk_image_flush(entry->image.image);

        if (result != 0)
            report_result(&entry->device, "flushing its image failed", result);
        disk_image_close(entry->image.image);
        entry->image.open = false;
    }
    close_chain_files(&entry->image);
}

/* The disk the vbd opens: a writable vbd on a named disk writes to the top of
 * the chain of checkpoints through it (vbd_checkpoint_dom0.h). */
static int writable_top(const struct dom0_device *entry, char *top)
{
    if (entry->spec.read_only || !entry->spec.target_is_name) {
        memcpy(top, entry->spec.target, strlen(entry->spec.target) + 1);
        return 0;
    }
    return vbd_checkpoint_dom0_top(entry->spec.target, top);
}

/* Key and image for a vbd on an image: 0, or the error with a reason in reason. */
static int open_vbd_image(struct dom0_device *entry, char *reason, size_t size)
{
    char top[IMAGE_FILE_NAME_SIZE];
    int result = 0;

    if (entry->spec.encrypted && (result = load_key(entry)) != 0) {
        format_string(reason, size, "its key file %s: %s (%d)", entry->spec.keyfile,
                      result == -XEN_ENOENT ? "not in dom0's ramdisk" : "not a 64-byte XTS key", result);
        return result;
    }
    if ((result = writable_top(entry, top)) != 0) {
        format_string(reason, size, "the chain of checkpoints through %s does not check (%d)", entry->spec.target,
                      result);
        return result;
    }
    if ((result = open_image(entry, top)) != 0)
        format_string(reason, size, "opening image %s failed: %s (%d)", top, open_failure(result), result);
    return result;
}

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
    if (image_file_dom0_init(blkback_request_done, wake_flag) != 0 ||
        frame_allocate_contiguous(STAGING_BYTES / PAGE_SIZE, &pfn) != 0)
        console_printf("toolstack: blkback: no pages for image files: vbds on images will be refused\n");
    else
        staging = direct_map_page(pfn);
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

/* Another raw vbd's range, or an image file, on the disk in a way that excludes this one. */
static bool overlaps_a_live_vbd(unsigned int disk_index, uint64_t first, uint64_t count, bool read_only)
{
    bool image_writes;

    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++) {
        const struct dom0_device *entry = &devices[index];

        if (entry->in_use && !entry->on_image && entry->disk_index == disk_index &&
            first < entry->first_sector + entry->sectors && entry->first_sector < first + count &&
            !(read_only && entry->read_only))
            return true;
    }
    return image_file_dom0_in_use(block_device_get(disk_index), &image_writes) && (!read_only || image_writes);
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

/* Writes the vbd's nodes and starts it (InitWait); 0 or the xenstore's error. */
static int create_device(struct dom0_device *entry, domid_t domain, const struct disk_spec *disk,
                         const struct blkback_vbd_config *vbd, const struct blkback_operations *operations,
                         struct blkback_xenbus **device)
{
    struct blkback_xenbus_config config = {
        .frontend_domain = domain,
        .virtual_device = disk->virtual_device,
        .vdev = entry->spec.vdev,
        .params = entry->spec.target,
        .vbd = *vbd,
    };
    int result = blkback_xenbus_create(&entry->device, &xenbus_operations, &config, operations, &pool, entry);

    *device = &entry->device;
    if (result != 0)
        report_result(&entry->device, "writing its xenstore nodes failed", result);
    return result;
}

/* A vbd on the plain raw path: a range of a disk, asynchronously on it. */
static int connect_raw(struct dom0_device *entry, domid_t domain, const struct disk_spec *disk,
                       struct blkback_xenbus **device)
{
    struct block_device *target = disk->target_is_name ? image_file_dom0_find_disk(disk->target)
                                                       : block_device_get(disk->target_index);
    struct blkback_vbd_config vbd;
    uint64_t first, count;
    unsigned int disk_index = 0;
    bool read_only;
    int result;

    if (target == NULL) {
        console_printf("toolstack: d%u %s: dom0 has no disk %s\n", domain, disk->vdev, disk->target);
        return -XEN_ENODEV;
    }
    while (block_device_get(disk_index) != target)
        disk_index++;
    if (place_on_disk(disk, target, &first, &count) != 0) {
        console_printf("toolstack: d%u %s: %s lies beyond %s's %lu sectors\n", domain, disk->vdev, disk->target,
                       block_device_name(target), block_device_sectors(target));
        return -XEN_EINVAL;
    }
    read_only = disk->read_only || block_device_read_only(target);
    if (overlaps_a_live_vbd(disk_index, first, count, read_only)) {
        console_printf("toolstack: d%u %s: its range is in use by another vbd\n", domain, disk->vdev);
        return -XEN_EBUSY;
    }
    vbd = (struct blkback_vbd_config) { .disk = target, .first_sector = first, .sectors = count,
                                        .read_only = read_only, .disk_has_flush = block_device_has_flush(target),
                                        .frontend_domain = domain };
    *entry = (struct dom0_device) { .in_use = true, .created = true, .disk_index = disk_index, .spec = *disk,
                                    .first_sector = first, .sectors = count, .read_only = read_only,
                                    .image.image = entry->image.image };
    if ((result = create_device(entry, domain, disk, &vbd, &vbd_operations, device)) != 0)
        return result;
    console_printf("toolstack: d%u vbd %u: %s on %s, sectors %lu+%lu, %s%s\n", domain, disk->virtual_device,
                   disk->vdev, block_device_name(target), first, count, read_only ? "read-only" : "read-write",
                   vbd.disk_has_flush ? ", flush" : "");
    return 0;
}

/* A vbd on a disk image: served synchronously on it; an image that does
 * not open fails this vbd's connection alone (its error node). */
static int connect_image(struct dom0_device *entry, domid_t domain, const struct disk_spec *disk,
                         struct blkback_xenbus **device)
{
    struct blkback_vbd_config vbd = { .frontend_domain = domain, .disk_has_flush = true };
    char reason[160];
    int opened, result;

    *entry = (struct dom0_device) { .in_use = true, .created = true, .spec = *disk, .domain = domain,
                                    .on_image = true, .image.image = entry->image.image };
    opened = staging == NULL ? -XEN_ENOMEM : open_vbd_image(entry, reason, sizeof(reason));
    if (staging == NULL)
        format_string(reason, sizeof(reason), "dom0 has no pages for image files");
    if (opened == 0) {
        vbd.sectors = disk_image_sectors(entry->image.image);
        vbd.read_only = disk_image_read_only(entry->image.image);
        entry->sectors = vbd.sectors;
        entry->read_only = vbd.read_only;
    }
    if ((result = create_device(entry, domain, disk, &vbd, &image_vbd_operations, device)) != 0)
        return result;
    if (opened != 0) {
        blkback_xenbus_fail(&entry->device, reason);
        return 0;
    }
    console_printf("toolstack: d%u vbd %u: %s on image %s (%s%s%s%s), %lu sectors, %s\n", domain,
                   disk->virtual_device, disk->vdev, entry->image.files[0]->name,
                   disk->format == DISK_FORMAT_QCOW2 ? "qcow2" : "raw",
                   entry->image.file_count > 1 ? " with backing files" : "", disk->encrypted ? ", aes-xts-plain64" : "",
                   disk->compress ? ", compressed writes" : "", vbd.sectors, vbd.read_only ? "read-only" : "read-write");
    return 0;
}

int blkback_dom0_connect(domid_t domain, const struct disk_spec *disk, struct blkback_xenbus **device)
{
    struct dom0_device *entry = free_device();

    if (entry == NULL) {
        console_printf("toolstack: d%u %s: no free vbd device\n", domain, disk->vdev);
        return -XEN_EBUSY;
    }
    if (disk_spec_needs_image(disk))
        return connect_image(entry, domain, disk, device);
    return connect_raw(entry, domain, disk, device);
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
    if (entry->on_image) {
        answer_done_requests(entry);
        close_image(entry);
        xts_key_forget(&entry->image.key);
    }
    entry->in_use = false;
}

bool blkback_dom0_service(void)
{
    bool more = false;

    for (unsigned int index = 0; index < block_device_count(); index++)
        image_file_dom0_complete(block_device_get(index));
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++)
        if (devices[index].created && devices[index].on_image)
            answer_done_requests(&devices[index]);
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++)
        if (devices[index].in_use && blkback_xenbus_service(&devices[index].device))
            more = true;
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++)
        if (devices[index].in_use && devices[index].image.done_count > 0)
            more = true;
    return more;
}

/* --- a live vbd's image ------------------------------------------------------------- */

struct blkback_xenbus *blkback_dom0_find(domid_t domain, const char *vdev)
{
    for (unsigned int index = 0; index < BLKBACK_DOM0_DEVICES; index++) {
        struct dom0_device *entry = &devices[index];

        if (entry->in_use && entry->device.config.frontend_domain == domain && strcmp(entry->spec.vdev, vdev) == 0)
            return &entry->device;
    }
    return NULL;
}

const char *blkback_dom0_top_name(const struct blkback_xenbus *device)
{
    const struct dom0_device *entry = owner_of(device);

    if (!entry->on_image || entry->image.file_count == 0)
        return NULL;
    return entry->image.files[0]->name;
}

int blkback_dom0_flush(struct blkback_xenbus *device)
{
    struct dom0_device *entry = owner_of(device);

    if (!entry->on_image)
        return -XEN_EOPNOTSUPP;
    return entry->image.open ? disk_image_flush(entry->image.image) : -XEN_EIO;
}

int blkback_dom0_reopen(struct blkback_xenbus *device, const char *top_name)
{
    struct dom0_device *entry = owner_of(device);
    char old_top[IMAGE_FILE_NAME_SIZE];
    int result;

    if (!entry->on_image || !entry->image.open || entry->spec.format != DISK_FORMAT_QCOW2)
        return -XEN_EOPNOTSUPP;
    if ((result = disk_image_flush(entry->image.image)) != 0)
        return result;
    memcpy(old_top, entry->image.files[0]->name, sizeof(old_top));
    close_image(entry);
    result = open_image(entry, top_name);
    if (result == 0 && disk_image_sectors(entry->image.image) != entry->sectors) {
        close_image(entry);
        result = -XEN_EINVAL;
    }
    if (result == 0) {
        console_printf("toolstack: d%u vbd %u: now on image %s (was %s)\n", device->config.frontend_domain,
                       device->config.virtual_device, top_name, old_top);
        return 0;
    }
    if (open_image(entry, old_top) != 0)
        report(device, "reopening its old image failed: its requests fail");
    return result;
}
