/*
 * disk-pattern-check: checks on the host that a disk image holds what
 * dom0's disk check wrote (pv-guest/kernel/disk_pattern.h), proof that the
 * data went through the virtio disk into the file.
 *
 *   disk-pattern-check IMAGE SEED FIRST+COUNT [FIRST+COUNT ...]
 *
 * Each FIRST+COUNT is a range of 512-byte sectors (decimal, or FIRST
 * negative: counted back from the end of the image).  Prints one line per
 * range, the first mismatching sector if any; exits 0 if every range
 * matches, 1 if not, 2 on a usage or I/O error.
 */
#define _POSIX_C_SOURCE 200809L /* fseeko, ftello */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <kernel/disk_pattern.h>

static int check_range(FILE *image, long long image_sectors, uint64_t seed, const char *range)
{
    long long first, count;
    uint8_t sector[DISK_PATTERN_SECTOR_SIZE];

    if (sscanf(range, "%lld+%lld", &first, &count) != 2 || count <= 0) {
        fprintf(stderr, "disk-pattern-check: bad range '%s' (FIRST+COUNT)\n", range);
        return 2;
    }
    if (first < 0)
        first += image_sectors;
    if (first < 0 || first + count > image_sectors) {
        fprintf(stderr, "disk-pattern-check: range %s is outside the image (%lld sectors)\n", range, image_sectors);
        return 2;
    }
    for (long long index = first; index < first + count; index++) {
        if (fseeko(image, (off_t)index * DISK_PATTERN_SECTOR_SIZE, SEEK_SET) != 0 ||
            fread(sector, sizeof(sector), 1, image) != 1) {
            fprintf(stderr, "disk-pattern-check: cannot read sector %lld\n", index);
            return 2;
        }
        if (!disk_pattern_matches(sector, (uint64_t)index, seed)) {
            printf("MISMATCH sectors %lld+%lld: sector %lld does not hold the pattern\n", first, count, index);
            return 1;
        }
    }
    printf("MATCH sectors %lld+%lld\n", first, count);
    return 0;
}

int main(int argc, char **argv)
{
    FILE *image;
    long long image_sectors;
    int worst = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: disk-pattern-check IMAGE SEED FIRST+COUNT [FIRST+COUNT ...]\n");
        return 2;
    }
    image = fopen(argv[1], "rb");
    if (image == NULL || fseeko(image, 0, SEEK_END) != 0) {
        perror(argv[1]);
        return 2;
    }
    image_sectors = (long long)ftello(image) / DISK_PATTERN_SECTOR_SIZE;
    for (int index = 3; index < argc; index++) {
        int result = check_range(image, image_sectors, strtoull(argv[2], NULL, 0), argv[index]);

        if (result > worst)
            worst = result;
    }
    fclose(image);
    return worst;
}
