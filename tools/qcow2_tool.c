/*
 * qcow2-tool: pvmon's disk image code (backend/disk_image.h, qcow2.h: the
 * same pure files dom0 runs) driven on host files, so that the host's own
 * tools (qemu-img check, compare, info --backing-chain) judge what it
 * writes (tests/qcow2/run-qcow2-tests.sh).
 *
 *   qcow2-tool create IMAGE VIRTUAL_SIZE [BACKING_NAME BACKING_FORMAT] [CLUSTER_BITS]
 *       writes a fresh v3 image over the existing file IMAGE (whose size is
 *       the fixed size the image may grow to), as qcow2_create does for
 *       checkpoints.
 *   qcow2-tool workload IMAGE FORMAT REFERENCE SEED OPERATIONS [OPTION ...]
 *       opens IMAGE (raw|qcow2; backing files are looked up by name in
 *       IMAGE's directory) and runs OPERATIONS seeded pseudo-random
 *       writes and reads.  Each write that disk_image_write acknowledged
 *       is then written (plainly, with pwrite) at the same place of
 *       REFERENCE, a raw file of the virtual size; each read through the
 *       image is compared with REFERENCE.  Options:
 *         compress          whole-cluster writes stored compressed
 *         key=FILE          aes-xts-plain64 with the 64-byte key in FILE
 *         max-sectors=N     largest request (default 256)
 *         span-sectors=N    requests fall in the first N sectors (default: all)
 *         crash-after=N     the image file takes N writes, then the process
 *                           stops at the next one (exit 42) as if killed,
 *                           leaving in REFERENCE.pending the request under
 *                           way: "SECTOR COUNT" and then its new data.
 *   qcow2-tool read IMAGE FORMAT OUTPUT [key=FILE]
 *       the whole virtual disk through the image code, into OUTPUT.
 *
 * Exit status: 0 done, 1 a read differed from REFERENCE, 2 usage or I/O
 * error, 3 the image code failed (its error printed), 42 a simulated crash.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvmon/errno.h>
#include <backend/disk_image.h>
#include <backend/qcow2.h>
#include <backend/xts.h>

#define MAX_FILES DISK_IMAGE_MAX_CHAIN
#define CRASH_EXIT 42
#define DISK_IMAGE_MAX_REQUEST (1024 * 1024)

struct host_file {
    struct image_file file;
    int descriptor;
};

static struct host_file files[MAX_FILES];
static unsigned file_count;
static char image_directory[4096];
static long long writes_left = -1; /* crash-after: -1 never */
static const char *pending_path;
static uint64_t pending_sector;
static uint32_t pending_count;
static const uint8_t *pending_data;

static void crash_now(void)
{
    FILE *pending = fopen(pending_path, "wb");
    if (pending != NULL) {
        fprintf(pending, "%" PRIu64 " %" PRIu32 "\n", pending_sector, pending_count);
        fwrite(pending_data, DISK_IMAGE_SECTOR_SIZE, pending_count, pending);
        fclose(pending);
    }
    _exit(CRASH_EXIT);
}

static int host_read(struct image_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    struct host_file *host = file->context;
    if (offset % IMAGE_FILE_SECTOR_SIZE || length % IMAGE_FILE_SECTOR_SIZE || offset > file->size ||
        length > file->size - offset)
        return -XEN_EINVAL;
    return pread(host->descriptor, buffer, length, (off_t)offset) == (ssize_t)length ? 0 : -XEN_EIO;
}

static int host_write(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length)
{
    struct host_file *host = file->context;
    if (offset % IMAGE_FILE_SECTOR_SIZE || length % IMAGE_FILE_SECTOR_SIZE || offset > file->size ||
        length > file->size - offset)
        return -XEN_EINVAL;
    if (file->read_only)
        return -XEN_EROFS;
    if (writes_left == 0)
        crash_now();
    if (writes_left > 0)
        writes_left--;
    return pwrite(host->descriptor, buffer, length, (off_t)offset) == (ssize_t)length ? 0 : -XEN_EIO;
}

static int host_flush(struct image_file *file)
{
    struct host_file *host = file->context;
    return fsync(host->descriptor) == 0 ? 0 : -XEN_EIO;
}

static const struct image_file_operations host_operations = { host_read, host_write, host_flush };

static struct image_file *open_host_file(const char *path, bool read_only)
{
    struct stat status;
    if (file_count == MAX_FILES)
        return NULL;
    int descriptor = open(path, read_only ? O_RDONLY : O_RDWR);
    if (descriptor < 0 || fstat(descriptor, &status) != 0) {
        if (descriptor >= 0)
            close(descriptor);
        return NULL;
    }
    struct host_file *host = &files[file_count++];
    host->descriptor = descriptor;
    host->file = (struct image_file){ .operations = &host_operations, .context = host,
                                      .size = (uint64_t)status.st_size / IMAGE_FILE_SECTOR_SIZE * IMAGE_FILE_SECTOR_SIZE,
                                      .read_only = read_only };
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", path);
    snprintf(host->file.name, sizeof(host->file.name), "%s", basename(copy));
    return &host->file;
}

/* Backing files: by name, in the top image's directory, read-only. */
static struct image_file *find_backing(void *context, const char *name)
{
    char path[8192];
    (void)context;
    if (strchr(name, '/') != NULL)
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", image_directory, name);
    return open_host_file(path, true);
}

static void remember_directory(const char *image)
{
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", image);
    snprintf(image_directory, sizeof(image_directory), "%s", dirname(copy));
}

static int fail(const char *what, int result)
{
    fprintf(stderr, "qcow2-tool: %s: error %d\n", what, result);
    return 3;
}

static int create(int argc, char **argv)
{
    if (argc != 4 && argc != 6 && argc != 7 && argc != 5)
        return 2;
    struct image_file *file = open_host_file(argv[2], false);
    if (file == NULL)
        return 2;
    const char *backing = argc >= 6 ? argv[4] : NULL;
    const char *format = argc >= 6 ? argv[5] : NULL;
    unsigned cluster_bits = QCOW2_DEFAULT_CLUSTER_BITS;
    if (argc == 7)
        cluster_bits = (unsigned)strtoul(argv[6], NULL, 0);
    if (argc == 5)
        cluster_bits = (unsigned)strtoul(argv[4], NULL, 0);
    int result = qcow2_create(file, strtoull(argv[3], NULL, 0), backing, format, cluster_bits);
    return result < 0 ? fail("create", result) : 0;
}

static uint64_t random_state;

static uint64_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

/* Data of one of four kinds: zeros, one byte repeated, a short repeated phrase, noise. */
static void fill_data(uint8_t *data, size_t length)
{
    const unsigned kind = next_random() % 4;
    const uint8_t byte = (uint8_t)next_random();
    for (size_t index = 0; index < length; index++) {
        if (kind == 0)
            data[index] = 0;
        else if (kind == 1)
            data[index] = byte;
        else if (kind == 2)
            data[index] = (uint8_t)("pvmon qcow2 "[index % 12] + byte % 3);
        else
            data[index] = (uint8_t)next_random();
    }
}

static struct xts_key key;
static struct disk_image image;

static int load_key(const char *path)
{
    uint8_t bytes[XTS_KEY_SIZE];
    FILE *file = fopen(path, "rb");
    if (file == NULL || fread(bytes, 1, sizeof(bytes), file) != sizeof(bytes)) {
        if (file != NULL)
            fclose(file);
        return -1;
    }
    fclose(file);
    return xts_key_init(&key, bytes) == 0 ? 0 : -1;
}

static int parse_format(const char *name, enum disk_image_format *format)
{
    if (strcmp(name, "raw") == 0)
        *format = DISK_IMAGE_RAW;
    else if (strcmp(name, "qcow2") == 0)
        *format = DISK_IMAGE_QCOW2;
    else
        return -1;
    return 0;
}

static int workload(int argc, char **argv)
{
    struct disk_image_options options = {0};
    enum disk_image_format format;
    uint64_t max_sectors = 256, span = 0;
    char pending[4096];

    if (argc < 7 || parse_format(argv[3], &format) < 0)
        return 2;
    for (int index = 7; index < argc; index++) {
        if (strcmp(argv[index], "compress") == 0)
            options.compress_writes = true;
        else if (strncmp(argv[index], "key=", 4) == 0) {
            if (load_key(argv[index] + 4) < 0)
                return 2;
            options.encryption = &key;
        } else if (strncmp(argv[index], "max-sectors=", 12) == 0)
            max_sectors = strtoull(argv[index] + 12, NULL, 0);
        else if (strncmp(argv[index], "span-sectors=", 13) == 0)
            span = strtoull(argv[index] + 13, NULL, 0);
        else if (strncmp(argv[index], "crash-after=", 12) == 0)
            writes_left = strtoll(argv[index] + 12, NULL, 0);
        else
            return 2;
    }
    snprintf(pending, sizeof(pending), "%s.pending", argv[4]);
    pending_path = pending;
    remember_directory(argv[2]);
    struct image_file *file = open_host_file(argv[2], false);
    int reference = open(argv[4], O_RDWR);
    if (file == NULL || reference < 0 || max_sectors == 0)
        return 2;
    int result = disk_image_open(&image, format, file, &options, find_backing, NULL);
    if (result < 0)
        return fail("open", result);

    const uint64_t sectors = disk_image_sectors(&image);
    if (span == 0 || span > sectors)
        span = sectors;
    if (max_sectors > span)
        max_sectors = span;
    static uint8_t data[DISK_IMAGE_MAX_REQUEST], expected[DISK_IMAGE_MAX_REQUEST];
    if (max_sectors > DISK_IMAGE_MAX_REQUEST / DISK_IMAGE_SECTOR_SIZE)
        return 2;
    random_state = strtoull(argv[5], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
    const unsigned long operations = strtoul(argv[6], NULL, 0);
    for (unsigned long step = 0; step < operations; step++) {
        const uint32_t count = (uint32_t)(1 + next_random() % max_sectors);
        const uint64_t sector = next_random() % (span - count + 1);
        const size_t bytes = (size_t)count * DISK_IMAGE_SECTOR_SIZE;
        if (next_random() % 3 != 0) {
            fill_data(data, bytes);
            pending_sector = sector;
            pending_count = count;
            pending_data = data;
            if ((result = disk_image_write(&image, sector, data, count)) < 0)
                return fail("write", result);
            if (pwrite(reference, data, bytes, (off_t)(sector * DISK_IMAGE_SECTOR_SIZE)) != (ssize_t)bytes)
                return 2;
        } else {
            if ((result = disk_image_read(&image, sector, data, count)) < 0)
                return fail("read", result);
            if (pread(reference, expected, bytes, (off_t)(sector * DISK_IMAGE_SECTOR_SIZE)) != (ssize_t)bytes)
                return 2;
            if (memcmp(data, expected, bytes) != 0) {
                fprintf(stderr, "qcow2-tool: step %lu: sectors %" PRIu64 "+%" PRIu32 " differ from the reference\n",
                        step, sector, count);
                return 1;
            }
        }
    }
    if ((result = disk_image_flush(&image)) < 0)
        return fail("flush", result);
    disk_image_close(&image);
    return 0;
}

static int read_all(int argc, char **argv)
{
    struct disk_image_options options = { .read_only = true };
    enum disk_image_format format;
    uint8_t buffer[64 * 1024];

    if (argc < 5 || parse_format(argv[3], &format) < 0)
        return 2;
    if (argc == 6) {
        if (strncmp(argv[5], "key=", 4) != 0 || load_key(argv[5] + 4) < 0)
            return 2;
        options.encryption = &key;
    }
    remember_directory(argv[2]);
    struct image_file *file = open_host_file(argv[2], true);
    FILE *output = fopen(argv[4], "wb");
    if (file == NULL || output == NULL)
        return 2;
    int result = disk_image_open(&image, format, file, &options, find_backing, NULL);
    if (result < 0)
        return fail("open", result);
    const uint64_t sectors = disk_image_sectors(&image);
    for (uint64_t sector = 0; sector < sectors;) {
        const uint32_t count = (uint32_t)(sectors - sector < 128 ? sectors - sector : 128);
        if ((result = disk_image_read(&image, sector, buffer, count)) < 0)
            return fail("read", result);
        if (fwrite(buffer, DISK_IMAGE_SECTOR_SIZE, count, output) != count)
            return 2;
        sector += count;
    }
    return fclose(output) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    int status = 2;
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        status = create(argc, argv);
    else if (argc >= 2 && strcmp(argv[1], "workload") == 0)
        status = workload(argc, argv);
    else if (argc >= 2 && strcmp(argv[1], "read") == 0)
        status = read_all(argc, argv);
    if (status == 2)
        fprintf(stderr, "qcow2-tool: usage or I/O error (see tools/qcow2_tool.c)\n");
    return status;
}
