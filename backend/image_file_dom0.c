/*
 * Image files on dom0's virtio disks (see image_file_dom0.h): the open
 * files and their sharing, the disks' names, and one synchronous request
 * at a time through this file's own bounce pages, its completion picked
 * out of the disk's by its owner.
 */
#include <stdint.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <kernel/direct_map.h>
#include <kernel/frame_pool.h>
#include "image_file_dom0.h"

#define DEVICE_PREFIX "/dev/vd"
#define DEVICE_PREFIX_LENGTH 7
#define DISK_LETTERS 26

struct open_file {
    bool in_use;
    bool writable;
    struct block_device *disk;
    struct image_file file;
};

/* The one request under way (dom0 is single-threaded and every call waits). */
struct waiter {
    struct block_request request;
    volatile bool done;
    bool outstanding; /* on the disk: the bounce pages are the disk's */
};

static struct open_file files[IMAGE_FILE_DOM0_FILES];
static struct waiter waiter;
static uint64_t bounce_pfns[IMAGE_FILE_DOM0_BOUNCE_PAGES];
static unsigned int bounce_count;
static void (*other_completions)(struct block_request *request);
static volatile bool *wake;

int image_file_dom0_init(void (*others)(struct block_request *request), volatile bool *wake_flag)
{
    other_completions = others;
    wake = wake_flag;
    while (bounce_count < IMAGE_FILE_DOM0_BOUNCE_PAGES) {
        int result = frame_allocate(FRAME_ANY, &bounce_pfns[bounce_count], NULL);

        if (result != 0)
            return result;
        bounce_count++;
    }
    return 0;
}

/* --- names -------------------------------------------------------------------- */

static struct block_device *disk_by_place(const char *name)
{
    if (strncmp(name, DEVICE_PREFIX, DEVICE_PREFIX_LENGTH) != 0 || name[DEVICE_PREFIX_LENGTH] < 'a' ||
        name[DEVICE_PREFIX_LENGTH] >= 'a' + DISK_LETTERS || name[DEVICE_PREFIX_LENGTH + 1] != '\0')
        return NULL;
    return block_device_get((unsigned int)(name[DEVICE_PREFIX_LENGTH] - 'a'));
}

struct block_device *image_file_dom0_find_disk(const char *name)
{
    struct block_device *disk = disk_by_place(name);

    for (unsigned int index = 0; disk == NULL && index < block_device_count(); index++) {
        const char *serial = block_device_serial(block_device_get(index));

        if (serial[0] != '\0' && strcmp(serial, name) == 0)
            disk = block_device_get(index);
    }
    return disk;
}

/* A file's name: the disk's serial, or "/dev/vdX" for a disk without one. */
static void name_file(struct image_file *file, const struct block_device *disk)
{
    const char *serial = block_device_serial(disk);

    if (serial[0] != '\0') {
        memcpy(file->name, serial, strlen(serial) + 1);
        return;
    }
    memcpy(file->name, DEVICE_PREFIX, DEVICE_PREFIX_LENGTH);
    memcpy(file->name + DEVICE_PREFIX_LENGTH, block_device_name(disk) + 2, 2);
}

/* --- completions ---------------------------------------------------------------- */

static void dispatch(struct block_request *request)
{
    if (request != &waiter.request) {
        other_completions(request);
        return;
    }
    waiter.outstanding = false;
    waiter.done = true;
}

unsigned int image_file_dom0_complete(struct block_device *disk)
{
    return block_device_complete(disk, dispatch);
}

/* Waits for the waiter's request, sleeping on the disks' wake flag; false
 * at the deadline.  The flag is set again after: whatever else woke dom0
 * meanwhile gets its pass. */
static bool wait_for_completion(struct block_device *disk, uint64_t deadline_ns)
{
    for (;;) {
        *wake = false;
        image_file_dom0_complete(disk);
        if (waiter.done || system_time_ns() >= deadline_ns)
            break;
        wait_for_flag_until(wake, deadline_ns);
    }
    *wake = true;
    return waiter.done;
}

/* Submits the waiter's request, waiting while the disk is busy; 0 or the submission's error. */
static int submit_waiting_while_busy(struct block_device *disk, uint64_t deadline_ns)
{
    int result;

    while ((result = block_device_submit(disk, &waiter.request)) == -XEN_EBUSY && system_time_ns() < deadline_ns) {
        *wake = false;
        if (image_file_dom0_complete(disk) == 0)
            wait_for_flag_until(wake, deadline_ns);
        *wake = true;
    }
    return result == -XEN_EBUSY ? -XEN_EIO : result;
}

/* One request of segment_count bounce pages (the last last_length bytes long): 0 or an error. */
static int run_request(struct open_file *entry, enum block_operation operation, uint64_t sector,
                       unsigned int segment_count, uint32_t last_length)
{
    uint64_t deadline_ns = system_time_ns() + IMAGE_FILE_DOM0_TIMEOUT_NS;
    int result;

    if (waiter.outstanding)
        return -XEN_EIO;
    waiter.request = (struct block_request) {
        .operation = operation, .sector = sector, .segment_count = segment_count, .owner = &waiter,
    };
    for (unsigned int index = 0; index < segment_count; index++)
        waiter.request.segments[index] = (struct block_segment) {
            .machine_address = machine_frame_of(bounce_pfns[index]) << PAGE_SHIFT,
            .length = index + 1 == segment_count ? last_length : PAGE_SIZE,
        };
    waiter.done = false;
    if ((result = submit_waiting_while_busy(entry->disk, deadline_ns)) != 0)
        return result;
    waiter.outstanding = true;
    if (!wait_for_completion(entry->disk, deadline_ns)) {
        console_printf("image file %s: %s gave no answer in %lu s: its image files fail until it does\n",
                       entry->file.name, block_device_name(entry->disk),
                       IMAGE_FILE_DOM0_TIMEOUT_NS / NANOSECONDS_PER_SECOND);
        return -XEN_EIO;
    }
    return waiter.request.status;
}

/* --- the operations ---------------------------------------------------------------- */

static bool within(const struct image_file *file, uint64_t offset, uint64_t length)
{
    return offset % IMAGE_FILE_SECTOR_SIZE == 0 && length % IMAGE_FILE_SECTOR_SIZE == 0 && offset <= file->size &&
           length <= file->size - offset;
}

static unsigned int segments_for(uint64_t chunk)
{
    return (unsigned int)((chunk + PAGE_SIZE - 1) / PAGE_SIZE);
}

static uint32_t last_length_of(uint64_t chunk)
{
    return (uint32_t)(chunk - (segments_for(chunk) - 1) * PAGE_SIZE);
}

static int read_file(struct image_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    struct open_file *entry = file->context;
    uint8_t *bytes = buffer;

    if (!within(file, offset, length))
        return -XEN_EINVAL;
    while (length > 0) {
        uint64_t chunk = length < bounce_count * PAGE_SIZE ? length : bounce_count * PAGE_SIZE;
        int result = run_request(entry, BLOCK_READ, offset / IMAGE_FILE_SECTOR_SIZE, segments_for(chunk),
                                 last_length_of(chunk));

        if (result != 0)
            return result;
        for (unsigned int index = 0; index < segments_for(chunk); index++)
            memcpy(bytes + index * PAGE_SIZE, direct_map_page(bounce_pfns[index]),
                   index + 1 == segments_for(chunk) ? last_length_of(chunk) : PAGE_SIZE);
        bytes += chunk;
        offset += chunk;
        length -= chunk;
    }
    return 0;
}

static int write_file(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length)
{
    struct open_file *entry = file->context;
    const uint8_t *bytes = buffer;

    if (!within(file, offset, length))
        return -XEN_EINVAL;
    if (file->read_only)
        return -XEN_EROFS;
    while (length > 0) {
        uint64_t chunk = length < bounce_count * PAGE_SIZE ? length : bounce_count * PAGE_SIZE;
        int result;

        if (waiter.outstanding)
            return -XEN_EIO; /* the bounce pages are still the disk's */
        for (unsigned int index = 0; index < segments_for(chunk); index++)
            memcpy(direct_map_page(bounce_pfns[index]), bytes + index * PAGE_SIZE,
                   index + 1 == segments_for(chunk) ? last_length_of(chunk) : PAGE_SIZE);
        result = run_request(entry, BLOCK_WRITE, offset / IMAGE_FILE_SECTOR_SIZE, segments_for(chunk),
                             last_length_of(chunk));
        if (result != 0)
            return result;
        bytes += chunk;
        offset += chunk;
        length -= chunk;
    }
    return 0;
}

static int flush_file(struct image_file *file)
{
    struct open_file *entry = file->context;

    if (!block_device_has_flush(entry->disk))
        return 0;
    return run_request(entry, BLOCK_FLUSH, 0, 0, 0);
}

static const struct image_file_operations operations = {
    .read = read_file,
    .write = write_file,
    .flush = flush_file,
};

/* --- opening ------------------------------------------------------------------------- */

bool image_file_dom0_in_use(const struct block_device *disk, bool *writable)
{
    bool used = false;

    *writable = false;
    for (unsigned int index = 0; index < IMAGE_FILE_DOM0_FILES; index++)
        if (files[index].in_use && files[index].disk == disk) {
            used = true;
            *writable = *writable || files[index].writable;
        }
    return used;
}

static struct open_file *free_entry(void)
{
    for (unsigned int index = 0; index < IMAGE_FILE_DOM0_FILES; index++)
        if (!files[index].in_use)
            return &files[index];
    return NULL;
}

int image_file_dom0_open(const char *name, bool writable, struct image_file **file)
{
    struct block_device *disk = image_file_dom0_find_disk(name);
    struct open_file *entry = free_entry();
    bool written;

    if (disk == NULL)
        return -XEN_ENODEV;
    if (writable && block_device_read_only(disk))
        return -XEN_EROFS;
    if (image_file_dom0_in_use(disk, &written) && (writable || written))
        return -XEN_EBUSY;
    if (entry == NULL || bounce_count == 0)
        return -XEN_ENOMEM;
    *entry = (struct open_file) {
        .in_use = true,
        .writable = writable,
        .disk = disk,
        .file = { .operations = &operations, .context = entry, .size = block_device_sectors(disk) * BLOCK_SECTOR_SIZE,
                  .read_only = !writable },
    };
    name_file(&entry->file, disk);
    *file = &entry->file;
    return 0;
}

void image_file_dom0_close(struct image_file *file)
{
    struct open_file *entry = file->context;

    entry->in_use = false;
}

struct block_device *image_file_dom0_disk(const struct image_file *file)
{
    const struct open_file *entry = file->context;

    return entry->disk;
}
