/*
 * Checkpoints in dom0 (see vbd_checkpoint_dom0.h): dom0's disks described
 * for the chain logic, spares opened through image_file_dom0, a live vbd
 * moved onto its new overlay with blkback_dom0_reopen.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include <runtime/console.h>
#include <kernel/block_device.h>
#include <kernel/direct_map.h>
#include <kernel/frame_pool.h>
#include "blkback_dom0.h"
#include "image_file_dom0.h"
#include "qcow2.h"
#include "vbd_checkpoint_dom0.h"

/* What dom0 knows of its disks; kept between calls for the disks open for writing. */
static struct vbd_checkpoint_catalogue known;
static struct vbd_checkpoint_catalogue fresh;
static uint8_t *header_buffer; /* QCOW2_MAX_CLUSTER_SIZE bytes from dom0's frame pool, not the kernel's BSS */

#define HEADER_BUFFER_PAGES (QCOW2_MAX_CLUSTER_SIZE / 4096)

/* --- spares through image_file_dom0 ----------------------------------------------- */

static int open_writable(void *context, const char *name, struct image_file **file)
{
    (void)context;
    return image_file_dom0_open(name, true, file);
}

static void close_file(void *context, struct image_file *file)
{
    (void)context;
    image_file_dom0_close(file);
}

static const struct vbd_checkpoint_disks disks = { open_writable, close_file, NULL };

/* --- describing dom0's disks -------------------------------------------------------- */

static void copy_name(char *destination, const char *source)
{
    size_t length = strlen(source);

    if (length >= IMAGE_FILE_NAME_SIZE)
        length = IMAGE_FILE_NAME_SIZE - 1;
    memcpy(destination, source, length);
    destination[length] = '\0';
}

/* A disk open for writing: what was known of it before, or nothing valid. */
static void describe_from_before(const char *name, struct vbd_checkpoint_image *image)
{
    int before = vbd_checkpoint_find(&known, name);

    if (before >= 0) {
        *image = known.images[before];
    } else {
        *image = (struct vbd_checkpoint_image){ 0 };
        copy_name(image->name, name);
    }
}

static int describe_disk(struct block_device *disk, const char *name, struct vbd_checkpoint_image *image)
{
    struct image_file *file;
    bool writable = false;
    bool in_use = image_file_dom0_in_use(disk, &writable);
    int result;

    if (in_use && writable) {
        describe_from_before(name, image);
        image->busy = true;
        return 0;
    }
    if ((result = image_file_dom0_open(name, false, &file)) < 0)
        return result;
    result = vbd_checkpoint_describe(file, header_buffer, image);
    image_file_dom0_close(file);
    image->busy = in_use;
    return result;
}

/* The header buffer, taken from dom0's frame pool once. */
static int header_memory(void)
{
    uint64_t first_pfn;
    int result;

    if (header_buffer != NULL)
        return 0;
    if ((result = frame_allocate_contiguous(HEADER_BUFFER_PAGES, &first_pfn)) != 0)
        return result;
    header_buffer = direct_map_page(first_pfn);
    return 0;
}

/* Every named disk described into known (the disks open for writing as known before). */
static int describe_disks(void)
{
    int memory = header_memory();

    if (memory != 0)
        return memory;
    fresh.count = 0;
    for (unsigned int index = 0; index < block_device_count(); index++) {
        struct block_device *disk = block_device_get(index);
        const char *name = block_device_serial(disk);
        struct vbd_checkpoint_image image;
        int result;

        if (name[0] == '\0')
            continue;
        if ((result = describe_disk(disk, name, &image)) < 0 ||
            (result = vbd_checkpoint_catalogue_add(&fresh, &image)) < 0) {
            console_printf("toolstack: checkpoints: describing disk %s failed: %d\n", name, result);
            return result;
        }
    }
    known = fresh;
    return 0;
}

/* --- the chains --------------------------------------------------------------------- */

int vbd_checkpoint_dom0_top(const char *name, char *top)
{
    struct vbd_checkpoint_chain chain;
    int result = describe_disks();

    if (result < 0)
        return result;
    result = vbd_checkpoint_chain(&known, name, &chain);
    if (result == -XEN_ENOENT) {
        copy_name(top, name);
        return 0;
    }
    if (result < 0)
        return result;
    copy_name(top, known.images[chain.images[0]].name);
    return 0;
}

int vbd_checkpoint_dom0_chain(const char *name, const struct vbd_checkpoint_catalogue **catalogue,
                              struct vbd_checkpoint_chain *chain)
{
    int result = describe_disks();

    *catalogue = &known;
    if (result < 0)
        return result;
    return vbd_checkpoint_chain(&known, name, chain);
}

/* The spare's name for the caller, and the log's line. */
static void report_taken(const struct vbd_checkpoint_chain *chain, unsigned int spare, char *spare_name)
{
    copy_name(spare_name, known.images[spare].name);
    console_printf("toolstack: checkpoint: %s frozen, %s takes its writes\n", known.images[chain->images[0]].name,
                   spare_name);
}

int vbd_checkpoint_dom0_take_live(struct blkback_xenbus *device, char *spare_name)
{
    const char *top = blkback_dom0_top_name(device);
    struct vbd_checkpoint_chain chain;
    unsigned int spare;
    int result;

    if (top == NULL)
        return -XEN_EOPNOTSUPP;
    if ((result = describe_disks()) < 0 || (result = vbd_checkpoint_chain(&known, top, &chain)) < 0)
        return result;
    if (strcmp(known.images[chain.images[0]].name, top) != 0)
        return -XEN_EINVAL;
    if ((result = vbd_checkpoint_take(&known, &chain, &disks, &spare)) < 0)
        return result;
    result = blkback_dom0_reopen(device, known.images[spare].name);
    if (result < 0) {
        console_printf("toolstack: checkpoint: the vbd could not move onto %s (%d): it stays on %s\n",
                       known.images[spare].name, result, top);
        vbd_checkpoint_release(&known, spare, &disks);
        return result;
    }
    known.images[spare].busy = true;
    report_taken(&chain, spare, spare_name);
    return 0;
}

int vbd_checkpoint_dom0_take(const char *name, char *spare_name)
{
    struct vbd_checkpoint_chain chain;
    unsigned int spare;
    int result;

    if ((result = describe_disks()) < 0 || (result = vbd_checkpoint_chain(&known, name, &chain)) < 0)
        return result;
    if (known.images[chain.images[0]].busy)
        return -XEN_EBUSY;
    if ((result = vbd_checkpoint_take(&known, &chain, &disks, &spare)) < 0)
        return result;
    report_taken(&chain, spare, spare_name);
    return 0;
}

int vbd_checkpoint_dom0_rollback(const char *name, const char *checkpoint)
{
    struct vbd_checkpoint_chain chain;
    int result;

    if ((result = describe_disks()) < 0 || (result = vbd_checkpoint_chain(&known, name, &chain)) < 0)
        return result;
    result = vbd_checkpoint_rollback(&known, &chain, checkpoint, &disks);
    if (result == 0)
        console_printf("toolstack: checkpoint: %s rolled back to %s\n", name, checkpoint);
    return result;
}
