/*
 * vbd-checkpoint-tool: pvmon's checkpoint code (backend/vbd_checkpoint.h,
 * the same pure file dom0 runs, on the real qcow2 code) driven on the host
 * files of one directory, each file standing for one of dom0's disks named
 * by its base name, so that the host's own tools (qemu-img check, info
 * --backing-chain, compare) judge the chains it writes
 * (tests/qcow2/checkpoint-chain.sh):
 *
 *   vbd-checkpoint-tool DIR list DISK                   xl block-checkpoint-list DISK
 *   vbd-checkpoint-tool DIR checkpoint DISK             xl block-checkpoint DISK
 *   vbd-checkpoint-tool DIR rollback DISK CHECKPOINT    xl block-rollback DISK CHECKPOINT
 *
 * Output and messages are xl's (tools/xl/xl_block.h).  Exit status: 0
 * done, 1 the checkpoint code refused or failed (its message printed), 2
 * usage or a host I/O error.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvmon/errno.h>
#include <backend/qcow2.h>
#include <backend/vbd_checkpoint.h>
#include <tools/xl/xl_block.h>

struct host_file {
    struct image_file file;
    int descriptor;
};

static const char *directory;
static uint8_t header_buffer[QCOW2_MAX_CLUSTER_SIZE];
static struct vbd_checkpoint_catalogue catalogue;

static bool in_file(const struct image_file *file, uint64_t offset, uint64_t length)
{
    return offset % IMAGE_FILE_SECTOR_SIZE == 0 && length % IMAGE_FILE_SECTOR_SIZE == 0 && offset <= file->size &&
           length <= file->size - offset;
}

static int host_read(struct image_file *file, uint64_t offset, void *buffer, uint64_t length)
{
    struct host_file *host = file->context;

    if (!in_file(file, offset, length))
        return -XEN_EINVAL;
    return pread(host->descriptor, buffer, length, (off_t)offset) == (ssize_t)length ? 0 : -XEN_EIO;
}

static int host_write(struct image_file *file, uint64_t offset, const void *buffer, uint64_t length)
{
    struct host_file *host = file->context;

    if (!in_file(file, offset, length))
        return -XEN_EINVAL;
    if (file->read_only)
        return -XEN_EROFS;
    return pwrite(host->descriptor, buffer, length, (off_t)offset) == (ssize_t)length ? 0 : -XEN_EIO;
}

static int host_flush(struct image_file *file)
{
    struct host_file *host = file->context;

    return fsync(host->descriptor) == 0 ? 0 : -XEN_EIO;
}

static const struct image_file_operations host_operations = { host_read, host_write, host_flush };

/* Opens DIR/name as an image file in *host: 0, or -ENOENT. */
static int open_host_file(const char *name, bool writable, struct host_file *host)
{
    char path[4096];
    struct stat status;

    if (strlen(name) >= IMAGE_FILE_NAME_SIZE || strchr(name, '/') != NULL)
        return -XEN_ENOENT;
    snprintf(path, sizeof(path), "%s/%s", directory, name);
    host->descriptor = open(path, writable ? O_RDWR : O_RDONLY);
    if (host->descriptor < 0)
        return -XEN_ENOENT;
    if (fstat(host->descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
        close(host->descriptor);
        return -XEN_ENOENT;
    }
    host->file = (struct image_file){ .operations = &host_operations, .context = host,
                                      .size = (uint64_t)status.st_size / IMAGE_FILE_SECTOR_SIZE *
                                              IMAGE_FILE_SECTOR_SIZE,
                                      .read_only = !writable };
    strcpy(host->file.name, name);
    return 0;
}

static int open_writable(void *context, const char *name, struct image_file **file)
{
    static struct host_file host;
    int result = open_host_file(name, true, &host);

    (void)context;
    if (result == 0)
        *file = &host.file;
    return result;
}

static void close_file(void *context, struct image_file *file)
{
    (void)context;
    close(((struct host_file *)file->context)->descriptor);
}

static const struct vbd_checkpoint_disks disks = { open_writable, close_file, NULL };

/* Every regular file of DIR in name order, described, as dom0 describes its disks. */
static int describe_directory(void)
{
    struct dirent **entries;
    int count = scandir(directory, &entries, NULL, alphasort);
    int result = 0;

    if (count < 0)
        return -XEN_ENOENT;
    for (int index = 0; index < count; index++) {
        struct vbd_checkpoint_image image;
        struct host_file host;

        if (result == 0 && entries[index]->d_name[0] != '.' &&
            open_host_file(entries[index]->d_name, false, &host) == 0) {
            result = vbd_checkpoint_describe(&host.file, header_buffer, &image);
            close(host.descriptor);
            if (result == 0)
                result = vbd_checkpoint_catalogue_add(&catalogue, &image);
        }
        free(entries[index]);
    }
    free(entries);
    return result;
}

static void print_stdout(void *context, const char *text)
{
    (void)context;
    fputs(text, stdout);
}

static int run(enum xl_verb verb, const char *disk, const char *checkpoint)
{
    struct vbd_checkpoint_chain chain;
    unsigned int spare;
    int result = vbd_checkpoint_chain(&catalogue, disk, &chain);

    if (result == 0 && verb == XL_VERB_BLOCK_CHECKPOINT)
        result = vbd_checkpoint_take(&catalogue, &chain, &disks, &spare);
    if (result == 0 && verb == XL_VERB_BLOCK_ROLLBACK)
        result = vbd_checkpoint_rollback(&catalogue, &chain, checkpoint, &disks);
    if (result == 0)
        result = vbd_checkpoint_chain(&catalogue, disk, &chain);
    if (result < 0) {
        xl_block_print_failure(verb, disk, checkpoint, result, print_stdout, NULL);
        return 1;
    }
    xl_block_print_chain(&catalogue, &chain, print_stdout, NULL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[2], "rollback") == 0 && argc < 5)) {
        fprintf(stderr, "usage: %s DIR list|checkpoint DISK | DIR rollback DISK CHECKPOINT\n", argv[0]);
        return 2;
    }
    directory = argv[1];
    if (describe_directory() < 0) {
        fprintf(stderr, "%s: cannot describe the files of %s\n", argv[0], directory);
        return 2;
    }
    if (strcmp(argv[2], "list") == 0)
        return run(XL_VERB_BLOCK_CHECKPOINT_LIST, argv[3], NULL);
    if (strcmp(argv[2], "checkpoint") == 0)
        return run(XL_VERB_BLOCK_CHECKPOINT, argv[3], NULL);
    if (strcmp(argv[2], "rollback") == 0)
        return run(XL_VERB_BLOCK_ROLLBACK, argv[3], argv[4]);
    fprintf(stderr, "%s: unknown command %s\n", argv[0], argv[2]);
    return 2;
}
