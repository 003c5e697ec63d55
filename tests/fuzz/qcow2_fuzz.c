/*
 * The qcow2 image fuzzer: LLVMFuzzerTestOneInput builds a small chain of
 * images with pvmon's own code (backend/qcow2.h, disk_image.h), damages
 * their bytes as a hostile image file could, then opens the top image
 * and reads and writes it.
 *
 * Input bytes: 0 cluster size (512 B to 4 KiB) and compression type, 1
 * the chain (no backing; a raw or qcow2 base; a chain that loops through
 * the top image, or names itself), 2 open flags (read-only, compressed
 * writes), then the writes that fill the images (the base through its own
 * open, then the top), then up to 16 damages, then up to 24 operations.
 * A damage hits the top or the base: a header field, an L1, refcount
 * table or refcount block entry, an entry of the L2 table mapping the
 * virtual disk, or 8 bytes anywhere, set to a value from the
 * input or one of the awkward ones (0, the file's size, one cluster
 * beyond it, unaligned, reserved bits, the compressed bit).
 *
 * The rules checked:
 *   - No access outside a file: each file's operations check every
 *     request against its size and report one beyond it as a violation
 *     (besides: each file's bytes sit in a heap block of exactly its size,
 *     and every read lands in one of exactly the request's size, so that
 *     AddressSanitizer stops anything beyond them).
 *   - A base opened read-only is never written.
 *   - Every result is 0 or an error of disk_image.h's list.
 *   - Undamaged images: every open and request succeeds, and every read
 *     gives what a model of the virtual disk (the writes so far over the
 *     base's contents) says.
 *   - Bounded work: the image code (metered: work_meter.h) does at most
 *     WORK_CONSTANT + WORK_PER_BYTE * (the bytes of the chain's files +
 *     the request) basic blocks per open or request.
 * Any violation aborts naming the step.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvmon/errno.h>
#include <backend/disk_image.h>
#include <backend/qcow2.h>

#include "fuzz_input.h"
#include "fuzz_report.h"
#include "work_meter.h"

#define FILE_CLUSTERS 48
#define VIRTUAL_CLUSTERS 24
#define MAX_CLUSTER 4096u
#define MAX_REQUEST_SECTORS 24
#define MAX_FILL_WRITES 12
#define MAX_DAMAGES 16
#define MAX_OPERATIONS 24
#define WORK_CONSTANT 20000u
#define WORK_PER_BYTE 8u

struct fuzz_file {
    struct image_file file;
    uint8_t *bytes;
    unsigned long writes;
};

enum chain_kind { CHAIN_NONE, CHAIN_RAW_BASE, CHAIN_QCOW2_BASE, CHAIN_LOOP, CHAIN_SELF, CHAIN_KINDS };

static struct fuzz_file top, base;
static struct disk_image image;
static uint8_t model[VIRTUAL_CLUSTERS * MAX_CLUSTER];
static unsigned step;
static const char *operation = "set-up";

#define violation(...) fuzz_report_violation("qcow2", step, operation, __VA_ARGS__)

static void check_request(const struct image_file *file, uint64_t offset, uint64_t length)
{
    if (offset % IMAGE_FILE_SECTOR_SIZE || length % IMAGE_FILE_SECTOR_SIZE || offset > file->size ||
        length > file->size - offset)
        violation("%s: access at %lu+%lu outside the file of %lu bytes", file->name, (unsigned long)offset,
                  (unsigned long)length, (unsigned long)file->size);
}

static int fuzz_read(struct image_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    check_request(file, offset, length);
    memcpy(buffer, ((struct fuzz_file *)file->context)->bytes + offset, length);
    return 0;
}

static int fuzz_write(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length)
{
    check_request(file, offset, length);
    if (file->read_only)
        violation("%s: written though read-only", file->name);
    memcpy(((struct fuzz_file *)file->context)->bytes + offset, buffer, length);
    ((struct fuzz_file *)file->context)->writes++;
    return 0;
}

static int fuzz_flush(struct image_file *file)
{
    (void)file;
    return 0;
}

static const struct image_file_operations fuzz_operations = { fuzz_read, fuzz_write, fuzz_flush };

static void make_file(struct fuzz_file *file, uint64_t size, const char *name)
{
    file->bytes = malloc(size);
    memset(file->bytes, 0, size);
    file->writes = 0;
    file->file = (struct image_file){ .operations = &fuzz_operations, .context = file, .size = size };
    strncpy(file->file.name, name, sizeof(file->file.name) - 1);
}

static struct image_file *find_file(void *context, const char *name)
{
    (void)context;
    if (base.bytes != NULL && strcmp(name, base.file.name) == 0)
        return &base.file;
    if (strcmp(name, top.file.name) == 0)
        return &top.file;
    return NULL;
}

static bool allowed_error(int result)
{
    switch (-result) {
    case 0: case XEN_EIO: case XEN_EINVAL: case XEN_ENOSPC: case XEN_EROFS: case XEN_EOPNOTSUPP:
    case XEN_E2BIG: case XEN_ENOENT: case XEN_ERANGE:
        return true;
    default:
        return false;
    }
}

static uint64_t chain_bytes(void)
{
    return top.file.size + (base.bytes != NULL ? base.file.size : 0);
}

static void check_work(uint64_t request_bytes)
{
    const uint64_t bound = WORK_CONSTANT + WORK_PER_BYTE * (chain_bytes() + request_bytes);
    if (work_meter_blocks() > bound)
        violation("%lu basic blocks, above the bound %lu", (unsigned long)work_meter_blocks(), (unsigned long)bound);
}

static int metered_open(const struct disk_image_options *options)
{
    work_meter_reset();
    int result = disk_image_open(&image, DISK_IMAGE_QCOW2, &top.file, options, find_file, NULL);
    check_work(0);
    if (!allowed_error(result))
        violation("open gave %d", result);
    return result;
}

/* A request's sectors, inside the disk or (now and then) beyond it. */
static void request_range(struct fuzz_input *input, uint64_t sectors, uint64_t *sector, uint32_t *count)
{
    *count = 1 + fuzz_input_byte(input) % MAX_REQUEST_SECTORS;
    *sector = fuzz_input_bytes(input, 2) % (sectors + 4);
}

static void fill_data(struct fuzz_input *input, uint8_t *data, size_t length)
{
    const uint8_t kind = fuzz_input_byte(input), value = fuzz_input_byte(input);
    for (size_t index = 0; index < length; index++)
        data[index] = kind % 3 == 0 ? 0 : kind % 3 == 1 ? value : (uint8_t)(index * value + kind);
}

static int metered_write(struct fuzz_input *input, bool damaged)
{
    uint64_t sector;
    uint32_t count;
    const uint64_t sectors = disk_image_sectors(&image);

    request_range(input, sectors, &sector, &count);
    uint8_t *data = malloc((size_t)count * 512);
    fill_data(input, data, (size_t)count * 512);
    work_meter_reset();
    int result = disk_image_write(&image, sector, data, count);
    check_work((uint64_t)count * 512);
    const bool inside = sector + count <= sectors;
    if (!allowed_error(result))
        violation("write gave %d", result);
    if (!damaged && inside && !disk_image_read_only(&image) && result != 0)
        violation("write of %lu+%u to an undamaged image gave %d", (unsigned long)sector, count, result);
    if (!inside && result == 0)
        violation("write beyond the disk succeeded");
    if (result == 0)
        memcpy(model + sector * 512, data, (size_t)count * 512);
    free(data);
    return result;
}

static void metered_read(struct fuzz_input *input, bool damaged)
{
    uint64_t sector;
    uint32_t count;
    const uint64_t sectors = disk_image_sectors(&image);

    request_range(input, sectors, &sector, &count);
    uint8_t *data = malloc((size_t)count * 512);
    work_meter_reset();
    int result = disk_image_read(&image, sector, data, count);
    check_work((uint64_t)count * 512);
    const bool inside = sector + count <= sectors;
    if (!allowed_error(result))
        violation("read gave %d", result);
    if (!damaged && inside && result != 0)
        violation("read of %lu+%u from an undamaged image gave %d", (unsigned long)sector, count, result);
    if (!damaged && result == 0 && memcmp(data, model + sector * 512, (size_t)count * 512) != 0)
        violation("read of %lu+%u differs from the model", (unsigned long)sector, count);
    free(data);
}

static uint64_t awkward_value(struct fuzz_input *input, const struct fuzz_file *file, uint64_t cluster_size)
{
    switch (fuzz_input_byte(input) % 8) {
    case 0: return 0;
    case 1: return file->file.size;
    case 2: return (1ull << 63) | (file->file.size + cluster_size);
    case 3: return (1ull << 63) | (fuzz_input_bytes(input, 2) * 512);
    case 4: return (1ull << 62) | fuzz_input_bytes(input, 4) << 9 | fuzz_input_bytes(input, 2);
    case 5: return fuzz_input_bytes(input, 8);
    case 6: return (1ull << 63) | (fuzz_input_byte(input) % FILE_CLUSTERS) * cluster_size | 1;
    default: return (1ull << 63) | (fuzz_input_byte(input) % FILE_CLUSTERS) * cluster_size;
    }
}

static void put64(uint8_t *bytes, uint64_t value)
{
    for (unsigned index = 0; index < 8; index++)
        bytes[index] = (uint8_t)(value >> (56 - 8 * index));
}

static uint64_t get64(const uint8_t *bytes)
{
    uint64_t value = 0;
    for (unsigned index = 0; index < 8; index++)
        value = value << 8 | bytes[index];
    return value;
}

/* The place of one of the first L2 table's entries for the virtual disk (if L1 names one inside the file). */
static uint64_t first_l2_entry(struct fuzz_input *input, const struct fuzz_file *file, uint64_t cluster_size)
{
    const uint64_t l1 = get64(file->bytes + 40);
    const uint64_t l2 = l1 + 8 <= file->file.size ? get64(file->bytes + l1) & 0x00fffffffffffe00ull : 0;
    const uint64_t index = fuzz_input_byte(input) % VIRTUAL_CLUSTERS;

    if (l2 == 0 || l2 + cluster_size > file->file.size)
        return 40;
    return l2 + index * 8;
}

/* An 8-byte entry at a place of the file chosen by the input, in a table or anywhere. */
static uint64_t damage_place(struct fuzz_input *input, const struct fuzz_file *file, uint64_t cluster_size)
{
    const uint64_t size = file->file.size;
    const uint64_t table = fuzz_input_byte(input) % 6;
    const uint64_t index = fuzz_input_bytes(input, 2) % (cluster_size / 8);
    uint64_t start;

    if (table == 0)
        return (fuzz_input_byte(input) % 14) * 8; /* a header field */
    if (table == 1)
        start = get64(file->bytes + 40);           /* L1 */
    else if (table == 2)
        start = get64(file->bytes + 48);           /* refcount table */
    else if (table == 3)
        start = get64(file->bytes + 48) + cluster_size; /* the first refcount block, as created */
    else if (table == 4)
        start = (fuzz_input_byte(input) % FILE_CLUSTERS) * cluster_size; /* any cluster: L2 tables, data */
    else
        return first_l2_entry(input, file, cluster_size); /* an entry of the virtual disk's clusters */
    const uint64_t place = (start % size) / 8 * 8 + index * 8;
    return place + 8 <= size ? place : size - 8;
}

static void damage(struct fuzz_input *input, uint64_t cluster_size)
{
    struct fuzz_file *file = base.bytes != NULL && (fuzz_input_byte(input) & 1) ? &base : &top;
    const uint64_t place = damage_place(input, file, cluster_size);
    put64(file->bytes + place, awkward_value(input, file, cluster_size));
}

static void make_chain(struct fuzz_input *input, enum chain_kind kind, unsigned cluster_bits, bool zstd)
{
    const uint64_t cluster_size = 1ull << cluster_bits;
    const uint64_t virtual_size = VIRTUAL_CLUSTERS * cluster_size;
    const char *backing = NULL, *format = NULL;

    make_file(&top, FILE_CLUSTERS * cluster_size, "top.qcow2");
    if (kind == CHAIN_RAW_BASE) {
        make_file(&base, virtual_size, "base.raw");
        fill_data(input, base.bytes, virtual_size);
        memcpy(model, base.bytes, virtual_size);
        backing = "base.raw", format = "raw";
    } else if (kind == CHAIN_QCOW2_BASE || kind == CHAIN_LOOP) {
        make_file(&base, FILE_CLUSTERS * cluster_size, "base.qcow2");
        if (qcow2_create(&base.file, virtual_size, kind == CHAIN_LOOP ? "top.qcow2" : NULL, "qcow2",
                         cluster_bits) != 0)
            violation("qcow2_create of the base failed");
        backing = "base.qcow2", format = "qcow2";
    } else if (kind == CHAIN_SELF) {
        backing = "top.qcow2", format = "qcow2";
    }
    if (qcow2_create(&top.file, virtual_size, backing, format, cluster_bits) != 0)
        violation("qcow2_create of the top failed");
    if (zstd) {
        top.bytes[79] |= 1 << 3; /* incompatible: compression type */
        top.bytes[104] = 1;
    }
    if (kind == CHAIN_QCOW2_BASE) {
        operation = "fill-base";
        if (disk_image_open(&image, DISK_IMAGE_QCOW2, &base.file, NULL, NULL, NULL) != 0)
            violation("the fresh base does not open");
        for (unsigned count = fuzz_input_byte(input) % MAX_FILL_WRITES; count > 0; count--)
            metered_write(input, false);
        disk_image_close(&image);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input input = { data, size, 0 };
    const uint8_t shape = fuzz_input_byte(&input);
    const unsigned cluster_bits = 9 + shape % 4;
    const enum chain_kind kind = (enum chain_kind)(fuzz_input_byte(&input) % CHAIN_KINDS);
    const uint8_t flags = fuzz_input_byte(&input);
    const bool looping = kind == CHAIN_LOOP || kind == CHAIN_SELF;
    struct disk_image_options options = { .compress_writes = (flags & 2) != 0 };

    step = 0;
    operation = "set-up";
    memset(&top, 0, sizeof(top));
    memset(&base, 0, sizeof(base));
    memset(model, 0, sizeof(model));
    make_chain(&input, kind, cluster_bits, (shape & 4) != 0);
    if (!looping) {
        operation = "fill-top";
        if (metered_open(&options) != 0)
            violation("the fresh chain does not open");
        for (unsigned count = fuzz_input_byte(&input) % MAX_FILL_WRITES; count > 0; count--)
            metered_write(&input, false);
        disk_image_close(&image);
    }

    operation = "damage";
    const unsigned damages = fuzz_input_byte(&input) % (MAX_DAMAGES + 1);
    for (unsigned count = 0; count < damages; count++)
        damage(&input, 1ull << cluster_bits);
    const bool damaged = damages != 0 || looping;

    operation = "open";
    options.read_only = (flags & 1) != 0;
    const unsigned long base_writes = base.writes;
    int result = metered_open(&options);
    if (looping && damages == 0 && result != -XEN_EINVAL)
        violation("a looping chain opened: %d", result);
    if (!damaged && result != 0)
        violation("the undamaged chain does not open: %d", result);
    if (result == 0) {
        for (step = 1; step <= MAX_OPERATIONS && !fuzz_input_exhausted(&input); step++) {
            const uint8_t choice = fuzz_input_byte(&input);
            operation = choice % 3 == 0 ? "write" : choice % 3 == 1 ? "read" : "flush";
            if (choice % 3 == 0)
                metered_write(&input, damaged);
            else if (choice % 3 == 1)
                metered_read(&input, damaged);
            else if (disk_image_flush(&image) != 0)
                violation("flush failed");
        }
        disk_image_close(&image);
    }
    if (base.writes != base_writes)
        violation("the backing file was written");
    free(top.bytes);
    free(base.bytes);
    return 0;
}
