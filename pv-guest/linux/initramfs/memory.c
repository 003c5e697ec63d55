/*
 * pvmon-memory: the workload's anonymous-memory steps.
 *
 *   pvmon-memory fill-percent PERCENT   step "memory-fill" over PERCENT% of MemAvailable
 *   pvmon-memory fill-mib MIB           step "memory-fill" over MIB MiB
 *   pvmon-memory unmap ROUNDS REGIONS PAGES
 *                                       step "memory-unmap"
 *
 * memory-fill maps one anonymous region and makes three passes over it:
 *   first touch  a write to each page (a demand-zero fault: the kernel must
 *                give it a page that is all zeros), then a check that the
 *                whole page reads zero: this is what catches a page handed
 *                out without being cleared;
 *   fill         every 64-bit word gets a value made of its page's number
 *                and its own, so that two pages sharing a frame, or a page
 *                mapped at the wrong place, show;
 *   verify       every word is read back and compared;
 * and unmaps it.  Result: "memory-fill pages=N first-touch-ns-per-page=N
 * fill-ns=N verify-ns=N failures=N" (failures: pages found wrong).
 *
 * memory-unmap, for ROUNDS rounds, maps REGIONS regions of PAGES pages,
 * touches every page (a write, then the check that it reads zero), marks
 * its first and last word with the round, region and page, checks the
 * marks and unmaps every region.  A mapping or TLB entry that survives an
 * munmap shows as a mark in a page of a later round that should read
 * zero (in its last word: the touching write covers the first).
 * Result: "memory-unmap rounds=N pages-per-round=N ns-per-round=N
 * munmap-ns-per-page=N failures=N".
 *
 * Both ask the kernel not to use transparent huge pages, so that every
 * page is a fault and a page-table entry of its own.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_NOHUGEPAGE */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "common.h"

#define FILL_STEP "memory-fill"
#define UNMAP_STEP "memory-unmap"
#define MIB (1024u * 1024u)
#define MAX_ROUNDS 1000000u
#define MAX_REGIONS 4096u
#define MAX_REGION_PAGES 65536u

static size_t page_size;
static size_t words_per_page;

static void usage(void)
{
    fprintf(stderr, "usage: pvmon-memory fill-percent PERCENT\n"
                    "       pvmon-memory fill-mib MIB\n"
                    "       pvmon-memory unmap ROUNDS REGIONS PAGES\n");
}

/* The value of word `word` of page `page` in the fill pass: never zero, never the same twice. */
static uint64_t fill_value(uint64_t page, uint64_t word)
{
    return (page << 20 | word) ^ 0xa5a5000000000000u;
}

/* The mark of a page in the unmap rounds. */
static uint64_t unmap_mark(uint64_t round, uint64_t region, uint64_t page)
{
    return 0x5a00000000000000u | round << 32 | region << 16 | page;
}

/* MemAvailable from /proc/meminfo in bytes, or 0 (having said why) if it cannot be read. */
static uint64_t memory_available(void)
{
    FILE *meminfo = fopen("/proc/meminfo", "r");

    if (meminfo == NULL) {
        perror(FILL_STEP ": /proc/meminfo");
        return 0;
    }

    char line[256];
    unsigned long long kib = 0;

    while (fgets(line, sizeof(line), meminfo) != NULL)
        if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
            break;
    fclose(meminfo);
    if (kib == 0)
        fprintf(stderr, FILL_STEP ": no MemAvailable in /proc/meminfo\n");
    return (uint64_t) kib * 1024;
}

/*
 * Maps length bytes of anonymous memory without transparent huge pages;
 * NULL (having said why) if it cannot.
 */
static uint64_t *map_anonymous(const char *step, size_t length)
{
    void *region = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (region == MAP_FAILED) {
        fprintf(stderr, "%s: mmap of %zu bytes: %s\n", step, length, strerror(errno));
        return NULL;
    }
    /* EINVAL: a kernel without transparent huge pages, where every page is small anyway. */
    if (madvise(region, length, MADV_NOHUGEPAGE) != 0 && errno != EINVAL) {
        fprintf(stderr, "%s: madvise(MADV_NOHUGEPAGE): %s\n", step, strerror(errno));
        munmap(region, length);
        return NULL;
    }
    return region;
}

/*
 * Faults the page in with a write of zero, then checks that all of it reads
 * zero; if not, counts a failure and says where while diagnostics remain.
 */
static void first_touch(const char *step, volatile uint64_t *page, uint64_t *failures)
{
    page[0] = 0;
    for (size_t word = 0; word < words_per_page; word++) {
        uint64_t found = page[word];

        if (found != 0) {
            if ((*failures)++ < MAX_DIAGNOSTICS)
                fprintf(stderr, "%s: page at %p is not zero on first touch: word %zu is %#llx\n",
                        step, (void *) page, word, (unsigned long long) found);
            return;
        }
    }
}

static int fill(uint64_t length)
{
    if (length < page_size) {
        fprintf(stderr, FILL_STEP ": %llu bytes is not something to map\n",
                (unsigned long long) length);
        return report(false, FILL_STEP, "error=size");
    }

    size_t pages = length / page_size;
    uint64_t *region = map_anonymous(FILL_STEP, pages * page_size);

    if (region == NULL)
        return report(false, FILL_STEP, "pages=%zu error=mmap", pages);

    uint64_t failures = 0;
    uint64_t start_ns = monotonic_ns(FILL_STEP);

    for (size_t page = 0; page < pages; page++)
        first_touch(FILL_STEP, region + page * words_per_page, &failures);

    uint64_t touched_ns = monotonic_ns(FILL_STEP);

    for (size_t page = 0; page < pages; page++)
        for (size_t word = 0; word < words_per_page; word++)
            region[page * words_per_page + word] = fill_value(page, word);

    uint64_t filled_ns = monotonic_ns(FILL_STEP);

    /* Read through volatile: the compiler must not assume the values just written. */
    const volatile uint64_t *readback = region;

    for (size_t page = 0; page < pages; page++) {
        for (size_t word = 0; word < words_per_page; word++) {
            uint64_t found = readback[page * words_per_page + word];

            if (found != fill_value(page, word)) {
                if (failures++ < MAX_DIAGNOSTICS)
                    fprintf(stderr, FILL_STEP ": page %zu word %zu reads %#llx, not %#llx\n",
                            page, word, (unsigned long long) found,
                            (unsigned long long) fill_value(page, word));
                break;
            }
        }
    }

    uint64_t verified_ns = monotonic_ns(FILL_STEP);

    if (munmap(region, pages * page_size) != 0) {
        fprintf(stderr, FILL_STEP ": munmap: %s\n", strerror(errno));
        failures++;
    }
    return report(failures == 0, FILL_STEP,
                  "pages=%zu first-touch-ns-per-page=%llu fill-ns=%llu verify-ns=%llu failures=%llu",
                  pages, (unsigned long long) ((touched_ns - start_ns) / pages),
                  (unsigned long long) (filled_ns - touched_ns),
                  (unsigned long long) (verified_ns - filled_ns), (unsigned long long) failures);
}

static int fill_percent(const char *text)
{
    uint64_t percent;

    if (!parse_number(FILL_STEP, "PERCENT", text, 1, 100, &percent))
        return report(false, FILL_STEP, "error=usage");

    uint64_t available = memory_available();

    if (available == 0)
        return report(false, FILL_STEP, "error=meminfo");
    return fill(available / 100 * percent);
}

static int fill_mib(const char *text)
{
    uint64_t mib;

    if (!parse_number(FILL_STEP, "MIB", text, 1, 1u << 30, &mib))
        return report(false, FILL_STEP, "error=usage");
    return fill(mib * MIB);
}

/* One round of memory-unmap: map, touch, mark, check, unmap; adds to the munmap time. */
static bool unmap_round(uint64_t round, uint64_t **regions, size_t region_count,
                        size_t region_pages, uint64_t *munmap_ns, uint64_t *failures)
{
    size_t region_length = region_pages * page_size;
    size_t mapped = 0;
    bool complete = true;

    while (mapped < region_count) {
        regions[mapped] = map_anonymous(UNMAP_STEP, region_length);
        if (regions[mapped] == NULL) {
            complete = false;
            break;
        }
        mapped++;
    }

    for (size_t region = 0; region < mapped; region++) {
        for (size_t page = 0; page < region_pages; page++) {
            uint64_t *words = regions[region] + page * words_per_page;

            first_touch(UNMAP_STEP, words, failures);
            words[0] = unmap_mark(round, region, page);
            words[words_per_page - 1] = unmap_mark(round, region, page);
        }
    }

    for (size_t region = 0; region < mapped; region++) {
        for (size_t page = 0; page < region_pages; page++) {
            const volatile uint64_t *words = regions[region] + page * words_per_page;
            uint64_t mark = unmap_mark(round, region, page);
            uint64_t first = words[0];
            uint64_t last = words[words_per_page - 1];

            if ((first != mark || last != mark) && (*failures)++ < MAX_DIAGNOSTICS)
                fprintf(stderr, UNMAP_STEP ": round %llu region %zu page %zu lost its mark: "
                                "%#llx and %#llx, not %#llx\n",
                        (unsigned long long) round, region, page, (unsigned long long) first,
                        (unsigned long long) last, (unsigned long long) mark);
        }
    }

    uint64_t start_ns = monotonic_ns(UNMAP_STEP);

    for (size_t region = 0; region < mapped; region++) {
        if (munmap(regions[region], region_length) != 0) {
            fprintf(stderr, UNMAP_STEP ": munmap: %s\n", strerror(errno));
            complete = false;
        }
    }
    *munmap_ns += monotonic_ns(UNMAP_STEP) - start_ns;
    return complete;
}

static int unmap(const char *rounds_text, const char *regions_text, const char *pages_text)
{
    uint64_t rounds;
    uint64_t region_count;
    uint64_t region_pages;

    if (!parse_number(UNMAP_STEP, "ROUNDS", rounds_text, 1, MAX_ROUNDS, &rounds) ||
        !parse_number(UNMAP_STEP, "REGIONS", regions_text, 1, MAX_REGIONS, &region_count) ||
        !parse_number(UNMAP_STEP, "PAGES", pages_text, 1, MAX_REGION_PAGES, &region_pages))
        return report(false, UNMAP_STEP, "error=usage");

    uint64_t *regions[MAX_REGIONS];
    uint64_t failures = 0;
    uint64_t munmap_ns = 0;
    uint64_t round = 0;
    uint64_t start_ns = monotonic_ns(UNMAP_STEP);

    while (round < rounds) {
        bool complete = unmap_round(round, regions, region_count, region_pages, &munmap_ns,
                                    &failures);

        round++;
        if (!complete) {
            failures++;
            break;
        }
    }

    uint64_t elapsed_ns = monotonic_ns(UNMAP_STEP) - start_ns;
    uint64_t pages_per_round = region_count * region_pages;

    return report(failures == 0, UNMAP_STEP,
                  "rounds=%llu pages-per-round=%llu ns-per-round=%llu munmap-ns-per-page=%llu "
                  "failures=%llu",
                  (unsigned long long) round, (unsigned long long) pages_per_round,
                  (unsigned long long) (elapsed_ns / round),
                  (unsigned long long) (munmap_ns / (round * pages_per_round)),
                  (unsigned long long) failures);
}

int main(int argc, char **argv)
{
    long size = sysconf(_SC_PAGESIZE);

    if (size <= 0) {
        perror("sysconf(_SC_PAGESIZE)");
        return EXIT_FAILURE;
    }
    page_size = (size_t) size;
    words_per_page = page_size / sizeof(uint64_t);

    if (argc == 3 && strcmp(argv[1], "fill-percent") == 0)
        return fill_percent(argv[2]);
    if (argc == 3 && strcmp(argv[1], "fill-mib") == 0)
        return fill_mib(argv[2]);
    if (argc == 5 && strcmp(argv[1], "unmap") == 0)
        return unmap(argv[2], argv[3], argv[4]);
    usage();
    return report(false, argc >= 2 && strcmp(argv[1], "unmap") == 0 ? UNMAP_STEP : FILL_STEP,
                  "error=usage");
}
