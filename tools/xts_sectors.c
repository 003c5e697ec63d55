/*
 * xts-sectors: pvmon's own XTS-AES-256 with dm-crypt's plain64 IV
 * (backend/xts.c, the very file dom0 runs) on the host, for the check
 * against python3-cryptography (tests/lib/xts_crosscheck.py) and for
 * 'make bench'.
 *
 *   xts-sectors encrypt KEYFILE FIRST_SECTOR   stdin to stdout
 *   xts-sectors decrypt KEYFILE FIRST_SECTOR   stdin to stdout
 *   xts-sectors bench [MIB]                    prints MB/s; asserts nothing
 *
 * KEYFILE holds exactly the 64-byte key (data key, then tweak key).  The
 * input is whole 512-byte sectors, the first numbered FIRST_SECTOR
 * (decimal, or hexadecimal after 0x).  Exits 0; 1 if the key is refused
 * (its halves are equal); 2 on a usage, key file or I/O error, or input
 * that is not whole sectors.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/xts.h"

#define CHUNK_SECTORS 64

typedef void sector_transform(const struct xts_key *key, uint64_t first_sector, void *data, uint32_t sectors);

static int usage(void)
{
    fprintf(stderr, "usage: xts-sectors encrypt|decrypt KEYFILE FIRST_SECTOR < in > out\n"
                    "       xts-sectors bench [MIB]\n");
    return 2;
}

static int read_key_file(const char *path, uint8_t key[XTS_KEY_SIZE])
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        fprintf(stderr, "xts-sectors: cannot open key file %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t length = fread(key, 1, XTS_KEY_SIZE, file);
    int extra = fgetc(file);
    fclose(file);
    if (length != XTS_KEY_SIZE || extra != EOF) {
        fprintf(stderr, "xts-sectors: key file %s does not hold exactly %d bytes\n", path, XTS_KEY_SIZE);
        return -1;
    }
    return 0;
}

static int parse_sector(const char *text, uint64_t *sector)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
        return -1;
    *sector = value;
    return 0;
}

static int transform_stream(const struct xts_key *key, uint64_t sector, sector_transform *transform)
{
    static uint8_t chunk[CHUNK_SECTORS * XTS_SECTOR_SIZE];
    size_t length;

    while ((length = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
        if (length % XTS_SECTOR_SIZE != 0) {
            fprintf(stderr, "xts-sectors: the input is not whole %d-byte sectors\n", XTS_SECTOR_SIZE);
            return 2;
        }
        uint32_t sectors = (uint32_t)(length / XTS_SECTOR_SIZE);
        transform(key, sector, chunk, sectors);
        sector += sectors;
        if (fwrite(chunk, 1, length, stdout) != length) {
            fprintf(stderr, "xts-sectors: cannot write the output\n");
            return 2;
        }
    }
    if (ferror(stdin)) {
        fprintf(stderr, "xts-sectors: cannot read the input\n");
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 2;
}

static int run_transform(int argc, char **argv, sector_transform *transform)
{
    uint8_t raw_key[XTS_KEY_SIZE];
    struct xts_key key;
    uint64_t first_sector;

    if (argc != 4 || parse_sector(argv[3], &first_sector) != 0)
        return usage();
    if (read_key_file(argv[2], raw_key) != 0)
        return 2;
    if (xts_key_init(&key, raw_key) != 0) {
        fprintf(stderr, "xts-sectors: key refused: its two halves are equal\n");
        return 1;
    }
    int status = transform_stream(&key, first_sector, transform);
    xts_key_forget(&key);
    return status;
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* The best of three passes over the buffer, in seconds. */
static double time_transform(const struct xts_key *key, uint8_t *data, uint32_t sectors, sector_transform *transform)
{
    double best = 0;
    for (int pass = 0; pass < 3; pass++) {
        double start = seconds_now();
        transform(key, pass * (uint64_t)sectors, data, sectors);
        double elapsed = seconds_now() - start;
        if (pass == 0 || elapsed < best)
            best = elapsed;
    }
    return best;
}

static void print_rate(const char *what, double seconds, uint32_t sectors)
{
    double bytes = (double)sectors * XTS_SECTOR_SIZE;
    printf("xts %s: %.1f MB/s, %.0f ns per 512-byte sector (%u sectors, best of 3, host)\n", what,
           bytes / seconds / 1e6, seconds * 1e9 / sectors, sectors);
}

static int run_bench(int argc, char **argv)
{
    unsigned long mebibytes = argc == 3 ? strtoul(argv[2], NULL, 10) : 16;
    if (argc > 3 || mebibytes == 0 || mebibytes > 1024)
        return usage();
    uint32_t sectors = (uint32_t)(mebibytes * 1024 * 1024 / XTS_SECTOR_SIZE);
    uint8_t *data = malloc((size_t)sectors * XTS_SECTOR_SIZE);
    uint8_t raw_key[XTS_KEY_SIZE];
    struct xts_key key;

    if (!data) {
        fprintf(stderr, "xts-sectors: cannot allocate %lu MiB\n", mebibytes);
        return 2;
    }
    for (size_t i = 0; i < XTS_KEY_SIZE; i++)
        raw_key[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < (size_t)sectors * XTS_SECTOR_SIZE; i++)
        data[i] = (uint8_t)(i * 31 + 5);
    if (xts_key_init(&key, raw_key) != 0)
        return 2;
    print_rate("encrypt", time_transform(&key, data, sectors, xts_encrypt_sectors), sectors);
    print_rate("decrypt", time_transform(&key, data, sectors, xts_decrypt_sectors), sectors);
    xts_key_forget(&key);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "encrypt") == 0)
        return run_transform(argc, argv, xts_encrypt_sectors);
    if (argc >= 2 && strcmp(argv[1], "decrypt") == 0)
        return run_transform(argc, argv, xts_decrypt_sectors);
    if (argc >= 2 && strcmp(argv[1], "bench") == 0)
        return run_bench(argc, argv);
    return usage();
}
