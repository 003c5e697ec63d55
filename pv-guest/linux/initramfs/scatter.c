/*
 * pvmon-scatter: writes of every size and alignment to a region of a disk,
 * whose result is known exactly, so that the host can compare the whole
 * region byte for byte with what the image holds (qemu-img compare,
 * tests/linux/run-linux-tests.sh).  Run by /init for pvmon.test=disk-scatter
 * on the Xen virtual disk itself (/dev/xvda, beyond the end of its file
 * system), and by the host on a plain file to make the expected image.
 *
 *   pvmon-scatter pattern FILE OFFSET-MIB MIB BASE-SEED          step "disk-pattern"
 *   pvmon-scatter write FILE OFFSET-MIB MIB WRITES SEED BASE-SEED  step "disk-scatter"
 *
 * pattern fills the MIB MiB starting OFFSET-MIB MiB into FILE with the
 * base pattern of BASE-SEED (the host makes a base image's region so).
 * write expects the region to hold that pattern, makes WRITES writes to
 * it, then reads the whole region back and compares every sector with
 * what it must hold now (the pattern, then each write over it in order);
 * on a block device both with O_DIRECT and an fdatasync in between, so
 * that what is read back is what the disk holds, not the page cache.
 *
 * The writes come from SEED alone: three of every four start at any
 * sector and cover 1 to 256 sectors (512 bytes to 128 KiB, across cluster
 * boundaries of every image format), the fourth covers one whole aligned
 * 64 KiB unit (a qcow2 cluster of the default size).  Sector N of write W
 * holds 8 pseudo-random words made from SEED, W and N, repeated 8 times:
 * unique to its place and its write (a misplaced, stale or torn sector
 * shows), yet compressible (a compressed image compresses it).
 *
 * Results are one line each, as common.h says: "disk-pattern bytes=N",
 * "disk-scatter writes=N sectors=N bytes=N write-ns=N".
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"

#define SECTOR_SIZE 512u
#define SECTOR_WORDS (SECTOR_SIZE / sizeof(uint64_t))
#define RANDOM_WORDS 8u
#define MIB (1024u * 1024u)
#define SECTORS_PER_MIB (MIB / SECTOR_SIZE)
#define MAX_MIB 1024u
#define MAX_OFFSET_MIB (1024u * 1024u)
#define MAX_WRITES 1000000u
#define MAX_WRITE_SECTORS 256u
#define UNIT_SECTORS 128u /* 64 KiB */
#define GOLDEN 0x9e3779b97f4a7c15u
#define BASE_KEY 0x6261736570617474u /* "basepatt" */

/* splitmix64's finalizer: a different, well-mixed value for each input. */
static uint64_t mix(uint64_t value)
{
    value = (value ^ value >> 30) * 0xbf58476d1ce4e5b9u;
    value = (value ^ value >> 27) * 0x94d049bb133111ebu;
    return value ^ value >> 31;
}

/* xorshift64: the writes' places, the same for a seed on every machine. */
static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* Sector number (of the whole disk) as content key makes it: 8 words, repeated. */
static void fill_sector(uint64_t *words, uint64_t key, uint64_t sector)
{
    for (unsigned int index = 0; index < RANDOM_WORDS; index++)
        words[index] = mix(key ^ mix(sector * GOLDEN + index));
    for (unsigned int index = RANDOM_WORDS; index < SECTOR_WORDS; index++)
        words[index] = words[index % RANDOM_WORDS];
}

static uint64_t base_key(uint64_t base_seed)
{
    return mix(base_seed ^ BASE_KEY);
}

static uint64_t write_key(uint64_t seed, uint64_t write)
{
    return mix(seed ^ mix(write + 1));
}

struct region {
    uint64_t first_sector; /* of the disk */
    uint64_t sectors;
};

struct scatter_write {
    uint64_t sector; /* of the region */
    uint64_t sectors;
};

/* Write number `write` of the sequence state draws from. */
static struct scatter_write draw_write(uint64_t *state, uint64_t write, uint64_t region_sectors)
{
    uint64_t random = next_random(state);

    if (write % 4 == 3 && region_sectors >= UNIT_SECTORS)
        return (struct scatter_write) { (random % (region_sectors / UNIT_SECTORS)) * UNIT_SECTORS,
                                        UNIT_SECTORS };

    uint64_t sectors = 1 + (random >> 32) % MAX_WRITE_SECTORS;

    if (sectors > region_sectors)
        sectors = region_sectors;
    return (struct scatter_write) { (random & 0xffffffffu) % (region_sectors - sectors + 1), sectors };
}

static bool is_block_device(int file)
{
    struct stat status;

    return fstat(file, &status) == 0 && S_ISBLK(status.st_mode);
}

/* Opens FILE for both directions: O_DIRECT on a block device, created if a missing plain file. */
static int open_region_file(const char *step, const char *path, bool *direct)
{
    int file = open(path, O_RDWR | O_CREAT, 0644);

    if (file < 0) {
        fprintf(stderr, "%s: opening %s: %s\n", step, path, strerror(errno));
        return -1;
    }
    *direct = is_block_device(file);
    if (*direct) {
        close(file);
        file = open(path, O_RDWR | O_DIRECT);
        if (file < 0)
            fprintf(stderr, "%s: opening %s with O_DIRECT: %s\n", step, path, strerror(errno));
    }
    return file;
}

static bool transfer_all(int file, bool writing, void *bytes, size_t length, off_t offset)
{
    char *next = bytes;

    while (length > 0) {
        ssize_t done = writing ? pwrite(file, next, length, offset) : pread(file, next, length, offset);

        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false;
        next += done;
        offset += done;
        length -= (size_t) done;
    }
    return true;
}

/* A buffer O_DIRECT accepts (page-aligned). */
static void *aligned_buffer(size_t size)
{
    void *buffer;

    return posix_memalign(&buffer, 4096, size) == 0 ? buffer : NULL;
}

static int write_pattern(const char *path, struct region region, uint64_t base_seed)
{
    const char *step = "disk-pattern";
    uint64_t key = base_key(base_seed);
    bool direct;
    int file = open_region_file(step, path, &direct);
    uint64_t *chunk = aligned_buffer(MIB);

    if (file < 0 || chunk == NULL) {
        if (file >= 0)
            close(file);
        free(chunk);
        return report(false, step, "error=open");
    }
    for (uint64_t done = 0; done < region.sectors; done += SECTORS_PER_MIB) {
        uint64_t first = region.first_sector + done;

        for (uint64_t index = 0; index < SECTORS_PER_MIB; index++)
            fill_sector(chunk + index * SECTOR_WORDS, key, first + index);
        if (!transfer_all(file, true, chunk, MIB, (off_t) (first * SECTOR_SIZE))) {
            fprintf(stderr, "%s: writing %s at sector %llu: %s\n", step, path, (unsigned long long) first,
                    strerror(errno));
            close(file);
            free(chunk);
            return report(false, step, "error=write");
        }
    }
    free(chunk);
    if (fsync(file) != 0 || close(file) != 0)
        return report(false, step, "error=fsync");
    return report(true, step, "bytes=%llu", (unsigned long long) (region.sectors * SECTOR_SIZE));
}

/* The region as it must be after the writes: the pattern, each write over it in order. */
static void apply_write(uint64_t *model, struct scatter_write write, uint64_t key, struct region region)
{
    for (uint64_t index = 0; index < write.sectors; index++)
        fill_sector(model + (write.sector + index) * SECTOR_WORDS, key,
                    region.first_sector + write.sector + index);
}

static bool make_writes(const char *path, int file, uint64_t *model, struct region region, uint64_t writes,
                        uint64_t seed, uint64_t *sectors_written)
{
    uint64_t state = mix(seed) | 1;
    uint64_t *buffer = aligned_buffer(MAX_WRITE_SECTORS * SECTOR_SIZE);

    if (buffer == NULL)
        return false;
    *sectors_written = 0;
    for (uint64_t number = 0; number < writes; number++) {
        struct scatter_write write = draw_write(&state, number, region.sectors);
        uint64_t key = write_key(seed, number);
        uint64_t disk_sector = region.first_sector + write.sector;

        for (uint64_t index = 0; index < write.sectors; index++)
            fill_sector(buffer + index * SECTOR_WORDS, key, disk_sector + index);
        if (!transfer_all(file, true, buffer, write.sectors * SECTOR_SIZE, (off_t) (disk_sector * SECTOR_SIZE))) {
            fprintf(stderr, "disk-scatter: write %llu of %llu sectors at sector %llu of %s: %s\n",
                    (unsigned long long) number, (unsigned long long) write.sectors,
                    (unsigned long long) disk_sector, path, strerror(errno));
            free(buffer);
            return false;
        }
        apply_write(model, write, key, region);
        *sectors_written += write.sectors;
    }
    free(buffer);
    return true;
}

/* Reads the region back and counts the sectors that differ from the model. */
static bool count_differences(const char *path, int file, const uint64_t *model, struct region region,
                              uint64_t base_seed, uint64_t *bad_sectors)
{
    uint64_t *chunk = aligned_buffer(MIB);
    uint64_t stale[SECTOR_WORDS];
    unsigned int diagnostics = 0;

    if (chunk == NULL)
        return false;
    *bad_sectors = 0;
    for (uint64_t done = 0; done < region.sectors; done += SECTORS_PER_MIB) {
        if (!transfer_all(file, false, chunk, MIB, (off_t) ((region.first_sector + done) * SECTOR_SIZE))) {
            fprintf(stderr, "disk-scatter: reading %s at sector %llu: %s\n", path,
                    (unsigned long long) (region.first_sector + done), strerror(errno));
            free(chunk);
            return false;
        }
        for (uint64_t index = 0; index < SECTORS_PER_MIB; index++) {
            const uint64_t *got = chunk + index * SECTOR_WORDS;
            uint64_t sector = region.first_sector + done + index;

            if (memcmp(got, model + (done + index) * SECTOR_WORDS, SECTOR_SIZE) == 0)
                continue;
            (*bad_sectors)++;
            fill_sector(stale, base_key(base_seed), sector);
            if (diagnostics++ < MAX_DIAGNOSTICS)
                fprintf(stderr, "disk-scatter: sector %llu of %s differs from what was written (%s)\n",
                        (unsigned long long) sector, path,
                        memcmp(got, stale, SECTOR_SIZE) == 0 ? "it holds the base pattern" : "it holds other data");
        }
    }
    free(chunk);
    return true;
}

static int scatter(const char *path, struct region region, uint64_t writes, uint64_t seed, uint64_t base_seed)
{
    const char *step = "disk-scatter";
    uint64_t start_ns = monotonic_ns(step);
    uint64_t *model = malloc(region.sectors * SECTOR_SIZE);
    uint64_t sectors_written = 0;
    uint64_t bad_sectors = 0;
    bool direct;
    int file = open_region_file(step, path, &direct);

    if (file < 0 || model == NULL) {
        if (file >= 0)
            close(file);
        free(model);
        return report(false, step, "writes=%llu error=open", (unsigned long long) writes);
    }
    for (uint64_t index = 0; index < region.sectors; index++)
        fill_sector(model + index * SECTOR_WORDS, base_key(base_seed), region.first_sector + index);
    bool written = make_writes(path, file, model, region, writes, seed, &sectors_written);
    bool synced = written && fdatasync(file) == 0;
    uint64_t write_ns = monotonic_ns(step) - start_ns;
    bool read = synced && count_differences(path, file, model, region, base_seed, &bad_sectors);

    close(file);
    free(model);
    if (!read)
        return report(false, step, "writes=%llu error=%s", (unsigned long long) writes,
                      !written ? "write" : !synced ? "fdatasync" : "read");
    if (bad_sectors != 0)
        return report(false, step, "writes=%llu bad-sectors=%llu", (unsigned long long) writes,
                      (unsigned long long) bad_sectors);
    return report(true, step, "writes=%llu sectors=%llu bytes=%llu write-ns=%llu", (unsigned long long) writes,
                  (unsigned long long) sectors_written, (unsigned long long) (region.sectors * SECTOR_SIZE),
                  (unsigned long long) write_ns);
}

static int usage(void)
{
    fprintf(stderr, "usage: pvmon-scatter pattern FILE OFFSET-MIB MIB BASE-SEED\n"
                    "       pvmon-scatter write FILE OFFSET-MIB MIB WRITES SEED BASE-SEED\n");
    return report(false, "disk-scatter", "error=usage");
}

/* Parses OFFSET-MIB and MIB into a region of sectors. */
static bool parse_region(const char *offset_text, const char *mib_text, struct region *region)
{
    uint64_t offset_mib;
    uint64_t mib;

    if (!parse_number("disk-scatter", "OFFSET-MIB", offset_text, 0, MAX_OFFSET_MIB, &offset_mib) ||
        !parse_number("disk-scatter", "MIB", mib_text, 1, MAX_MIB, &mib))
        return false;
    *region = (struct region) { offset_mib * SECTORS_PER_MIB, mib * SECTORS_PER_MIB };
    return true;
}

int main(int argc, char **argv)
{
    struct region region;
    uint64_t writes;
    uint64_t seed;
    uint64_t base_seed;

    if (argc == 6 && strcmp(argv[1], "pattern") == 0) {
        if (!parse_region(argv[3], argv[4], &region) ||
            !parse_number("disk-scatter", "BASE-SEED", argv[5], 0, UINT64_MAX, &base_seed))
            return usage();
        return write_pattern(argv[2], region, base_seed);
    }
    if (argc == 8 && strcmp(argv[1], "write") == 0) {
        if (!parse_region(argv[3], argv[4], &region) ||
            !parse_number("disk-scatter", "WRITES", argv[5], 1, MAX_WRITES, &writes) ||
            !parse_number("disk-scatter", "SEED", argv[6], 0, UINT64_MAX, &seed) ||
            !parse_number("disk-scatter", "BASE-SEED", argv[7], 0, UINT64_MAX, &base_seed))
            return usage();
        return scatter(argv[2], region, writes, seed, base_seed);
    }
    return usage();
}
