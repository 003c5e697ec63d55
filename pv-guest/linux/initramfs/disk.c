/*
 * pvmon-disk: the disk steps of the Linux guest, run by /init on a file
 * system on the Xen virtual disk (/dev/xvda).  Four commands:
 *
 *   pvmon-disk write FILE MIB SEED          step "disk-write"
 *   pvmon-disk verify FILE MIB SEED         step "disk-verify"
 *   pvmon-disk records FILE COUNT SEED      step "disk-records"
 *   pvmon-disk check-records FILE SEED      step "disk-check-records"
 *
 * write fills FILE with MIB MiB of 4 KiB blocks, fsyncs it and its
 * directory; verify, usually in a later boot, reads it back and compares
 * every byte with what write made.  Block N of seed S holds 511 words of
 * pseudo-random data that depend only on S, N and the word's place, and a
 * checksum of them and of N in the last word, so that a block read from
 * the wrong place, stale or torn fails too.
 *
 * records appends numbered 4 KiB records, record N at N * 4 KiB, each
 * with a magic word, its number, the seed, pseudo-random words and a
 * checksum; after each one it calls fsync and, once fsync has returned,
 * prints "pvmon-linux: acked N" (N records, 0 to N-1, durable).  COUNT 0
 * writes until the machine dies (or MAX_RECORDS), which is the point: the
 * host kills it.
 * check-records reads FILE after such a crash and counts the records that
 * are intact from the start; every acked one must be among them.
 *
 * Results are one line each, as common.h says: "disk-write bytes=N
 * write-ns=N", "disk-verify bytes=N read-ns=N", "disk-records acked=N",
 * "disk-check-records intact=N file-records=N".  It is an ordinary Linux
 * program: the host builds it too, and tests/linux/run-linux-tests.sh
 * checks an image's records with it after e2fsck has replayed the journal.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"

#define BLOCK_SIZE 4096u
#define BLOCK_WORDS (BLOCK_SIZE / sizeof(uint64_t))
#define CHECKSUM_WORD (BLOCK_WORDS - 1)
#define MIB (1024u * 1024u)
#define MAX_MIB 65536u
#define BLOCKS_PER_CHUNK 256u /* 1 MiB per write() */
#define MAX_RECORDS 100000000u
#define RECORD_MAGIC 0x444345524e4f4d56u /* "VMONRECD" */
#define GOLDEN 0x9e3779b97f4a7c15u

/* splitmix64's finalizer: a different, well-mixed value for each input. */
static uint64_t mix(uint64_t value)
{
    value = (value ^ value >> 30) * 0xbf58476d1ce4e5b9u;
    value = (value ^ value >> 27) * 0x94d049bb133111ebu;
    return value ^ value >> 31;
}

/* The checksum of a block's first CHECKSUM_WORD words and of its number. */
static uint64_t block_checksum(const uint64_t *words, uint64_t number)
{
    uint64_t sum = mix(number ^ 0x636865636b73756du);

    for (unsigned int index = 0; index < CHECKSUM_WORD; index++)
        sum = mix(sum ^ words[index]);
    return sum;
}

/* Fills block NUMBER of SEED: FIRST_WORDS words given by the caller, pseudo-random ones, checksum. */
static void make_block(uint64_t *words, uint64_t seed, uint64_t number, unsigned int first_words)
{
    uint64_t base = mix(seed ^ mix(number * GOLDEN));

    for (unsigned int index = first_words; index < CHECKSUM_WORD; index++)
        words[index] = mix(base + index * GOLDEN);
    words[CHECKSUM_WORD] = block_checksum(words, number);
}

static void make_data_block(uint64_t *words, uint64_t seed, uint64_t number)
{
    make_block(words, seed, number, 0);
}

static void make_record(uint64_t *words, uint64_t seed, uint64_t number)
{
    words[0] = RECORD_MAGIC;
    words[1] = number;
    words[2] = seed;
    make_block(words, seed, number, 3);
}

static bool write_all(int file, const void *bytes, size_t length, off_t offset)
{
    const char *next = bytes;

    while (length > 0) {
        ssize_t written = pwrite(file, next, length, offset);

        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        next += written;
        offset += written;
        length -= (size_t) written;
    }
    return true;
}

/* Reads up to length bytes at offset; returns how many (less only at the end), or -1. */
static ssize_t read_up_to(int file, void *bytes, size_t length, off_t offset)
{
    char *next = bytes;
    size_t done = 0;

    while (done < length) {
        ssize_t got = pread(file, next + done, length - done, offset + (off_t) done);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        done += (size_t) got;
    }
    return (ssize_t) done;
}

/* fsync of the directory holding path, so that a new file's name is durable too. */
static bool sync_directory(const char *step, const char *path)
{
    char copy[4096];

    if (strlen(path) >= sizeof(copy)) {
        fprintf(stderr, "%s: path too long: %s\n", step, path);
        return false;
    }
    strcpy(copy, path);

    const char *directory = dirname(copy);
    int file = open(directory, O_RDONLY | O_DIRECTORY);

    if (file < 0 || fsync(file) != 0) {
        fprintf(stderr, "%s: fsync of directory %s: %s\n", step, directory, strerror(errno));
        if (file >= 0)
            close(file);
        return false;
    }
    close(file);
    return true;
}

static int write_data(const char *path, uint64_t mib, uint64_t seed)
{
    static uint64_t chunk[BLOCKS_PER_CHUNK * BLOCK_WORDS];
    const char *step = "disk-write";
    uint64_t size = mib * MIB;
    uint64_t blocks = size / BLOCK_SIZE;
    uint64_t start_ns = monotonic_ns(step);
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (file < 0) {
        fprintf(stderr, "%s: creating %s: %s\n", step, path, strerror(errno));
        return report(false, step, "bytes=%llu error=create", (unsigned long long) size);
    }
    for (uint64_t first = 0; first < blocks; first += BLOCKS_PER_CHUNK) {
        for (unsigned int index = 0; index < BLOCKS_PER_CHUNK; index++)
            make_data_block(chunk + index * BLOCK_WORDS, seed, first + index);
        if (!write_all(file, chunk, sizeof(chunk), (off_t) (first * BLOCK_SIZE))) {
            fprintf(stderr, "%s: writing %s at block %llu: %s\n", step, path,
                    (unsigned long long) first, strerror(errno));
            close(file);
            return report(false, step, "bytes=%llu error=write", (unsigned long long) size);
        }
    }
    if (fsync(file) != 0) {
        fprintf(stderr, "%s: fsync of %s: %s\n", step, path, strerror(errno));
        close(file);
        return report(false, step, "bytes=%llu error=fsync", (unsigned long long) size);
    }
    if (close(file) != 0 || !sync_directory(step, path))
        return report(false, step, "bytes=%llu error=close", (unsigned long long) size);
    return report(true, step, "bytes=%llu write-ns=%llu", (unsigned long long) size,
                  (unsigned long long) (monotonic_ns(step) - start_ns));
}

/* Compares one block read back with what it should be; says where the first difference is. */
static bool block_matches(const char *step, const uint64_t *got, const uint64_t *expected,
                          uint64_t number, unsigned int *diagnostics)
{
    if (memcmp(got, expected, BLOCK_SIZE) == 0)
        return true;

    unsigned int word = 0;

    while (got[word] == expected[word])
        word++;
    if ((*diagnostics)++ < MAX_DIAGNOSTICS)
        fprintf(stderr, "%s: block %llu differs from word %u (%016llx, not %016llx); checksum %s\n",
                step, (unsigned long long) number, word, (unsigned long long) got[word],
                (unsigned long long) expected[word],
                block_checksum(got, number) == got[CHECKSUM_WORD] ? "consistent" : "wrong");
    return false;
}

static int verify_data(const char *path, uint64_t mib, uint64_t seed)
{
    static uint64_t chunk[BLOCKS_PER_CHUNK * BLOCK_WORDS];
    uint64_t expected[BLOCK_WORDS];
    const char *step = "disk-verify";
    uint64_t size = mib * MIB;
    uint64_t blocks = size / BLOCK_SIZE;
    uint64_t bad_blocks = 0;
    unsigned int diagnostics = 0;
    uint64_t start_ns = monotonic_ns(step);
    int file = open(path, O_RDONLY);
    struct stat status;

    if (file < 0 || fstat(file, &status) != 0) {
        fprintf(stderr, "%s: opening %s: %s\n", step, path, strerror(errno));
        return report(false, step, "bytes=%llu error=open", (unsigned long long) size);
    }
    if ((uint64_t) status.st_size != size) {
        fprintf(stderr, "%s: %s has %lld bytes, not %llu\n", step, path,
                (long long) status.st_size, (unsigned long long) size);
        close(file);
        return report(false, step, "bytes=%llu error=size", (unsigned long long) size);
    }
    for (uint64_t first = 0; first < blocks; first += BLOCKS_PER_CHUNK) {
        if (read_up_to(file, chunk, sizeof(chunk), (off_t) (first * BLOCK_SIZE)) !=
            (ssize_t) sizeof(chunk)) {
            fprintf(stderr, "%s: reading %s at block %llu: %s\n", step, path,
                    (unsigned long long) first, strerror(errno));
            close(file);
            return report(false, step, "bytes=%llu error=read", (unsigned long long) size);
        }
        for (unsigned int index = 0; index < BLOCKS_PER_CHUNK; index++) {
            make_data_block(expected, seed, first + index);
            if (!block_matches(step, chunk + index * BLOCK_WORDS, expected, first + index,
                               &diagnostics))
                bad_blocks++;
        }
    }
    close(file);
    if (bad_blocks != 0)
        return report(false, step, "bytes=%llu bad-blocks=%llu", (unsigned long long) size,
                      (unsigned long long) bad_blocks);
    return report(true, step, "bytes=%llu read-ns=%llu", (unsigned long long) size,
                  (unsigned long long) (monotonic_ns(step) - start_ns));
}

static int write_records(const char *path, uint64_t count, uint64_t seed)
{
    uint64_t record[BLOCK_WORDS];
    const char *step = "disk-records";
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (file < 0 || fsync(file) != 0 || !sync_directory(step, path)) {
        fprintf(stderr, "%s: creating %s: %s\n", step, path, strerror(errno));
        return report(false, step, "acked=0 error=create");
    }
    uint64_t limit = count == 0 ? MAX_RECORDS : count;

    for (uint64_t number = 0; number < limit; number++) {
        make_record(record, seed, number);
        if (!write_all(file, record, BLOCK_SIZE, (off_t) (number * BLOCK_SIZE)) ||
            fsync(file) != 0) {
            fprintf(stderr, "%s: record %llu: %s\n", step, (unsigned long long) number,
                    strerror(errno));
            close(file);
            return report(false, step, "acked=%llu error=write", (unsigned long long) number);
        }
        printf("pvmon-linux: acked %llu\n", (unsigned long long) number + 1);
        fflush(stdout);
    }
    close(file);
    return report(true, step, "acked=%llu", (unsigned long long) limit);
}

static int check_records(const char *path, uint64_t seed)
{
    uint64_t record[BLOCK_WORDS];
    uint64_t expected[BLOCK_WORDS];
    const char *step = "disk-check-records";
    uint64_t intact = 0;
    uint64_t file_records = 0;
    unsigned int diagnostics = 0;
    bool still_intact = true;
    int file = open(path, O_RDONLY);

    if (file < 0) {
        fprintf(stderr, "%s: opening %s: %s\n", step, path, strerror(errno));
        return report(false, step, "intact=0 error=open");
    }
    for (;;) {
        ssize_t got = read_up_to(file, record, BLOCK_SIZE, (off_t) (file_records * BLOCK_SIZE));

        if (got < 0) {
            fprintf(stderr, "%s: reading %s: %s\n", step, path, strerror(errno));
            close(file);
            return report(false, step, "intact=%llu error=read", (unsigned long long) intact);
        }
        if (got == 0)
            break;
        make_record(expected, seed, file_records);
        /* Records after the first damaged one are only counted: they were never acked. */
        if (still_intact && got == BLOCK_SIZE &&
            block_matches(step, record, expected, file_records, &diagnostics))
            intact++;
        else
            still_intact = false;
        file_records++;
        if (got < (ssize_t) BLOCK_SIZE)
            break;
    }
    close(file);
    return report(true, step, "intact=%llu file-records=%llu", (unsigned long long) intact,
                  (unsigned long long) file_records);
}

static int usage(void)
{
    fprintf(stderr, "usage: pvmon-disk write|verify FILE MIB SEED\n"
                    "       pvmon-disk records FILE COUNT SEED   (COUNT 0: until killed)\n"
                    "       pvmon-disk check-records FILE SEED\n");
    return report(false, "disk", "error=usage");
}

int main(int argc, char **argv)
{
    uint64_t number;
    uint64_t seed;

    if (argc == 5 && (strcmp(argv[1], "write") == 0 || strcmp(argv[1], "verify") == 0)) {
        if (!parse_number("disk", "MIB", argv[3], 1, MAX_MIB, &number) ||
            !parse_number("disk", "SEED", argv[4], 0, UINT64_MAX, &seed))
            return usage();
        if (strcmp(argv[1], "write") == 0)
            return write_data(argv[2], number, seed);
        return verify_data(argv[2], number, seed);
    }
    if (argc == 5 && strcmp(argv[1], "records") == 0) {
        if (!parse_number("disk", "COUNT", argv[3], 0, MAX_RECORDS, &number) ||
            !parse_number("disk", "SEED", argv[4], 0, UINT64_MAX, &seed))
            return usage();
        return write_records(argv[2], number, seed);
    }
    if (argc == 4 && strcmp(argv[1], "check-records") == 0) {
        if (!parse_number("disk", "SEED", argv[3], 0, UINT64_MAX, &seed))
            return usage();
        return check_records(argv[2], seed);
    }
    return usage();
}
