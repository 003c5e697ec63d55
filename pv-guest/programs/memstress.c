/*
 * memstress MiB [ROUNDS]: each round maps MiB of anonymous memory, checks
 * that every page reads zero when first touched (demand-zero), writes a
 * pattern over every word, verifies it, has a forked child verify its copy
 * (fork copies every page through the kernel's own mapping of it, which a
 * page taken back from pvmon does not have until then), and unmaps it.
 * Prints per round
 * and in total:
 *     memstress: 16 MiB x 4 rounds, 16384 pages written and verified, 0 errors
 */
#include "lib/user.h"

#define DEFAULT_MEBIBYTES 4
#define PAGE_WORDS 512
#define PAGE_BYTES 4096
#define PATTERN_MULTIPLIER UINT64_C(0x9e3779b97f4a7c15)

static uint64_t pattern(uint64_t word, uint64_t round)
{
    return (word + 1) * PATTERN_MULTIPLIER ^ round;
}

/* Every page reads zero on first touch; then the pattern goes over all of it. */
static uint64_t fill(volatile uint64_t *words, uint64_t pages, uint64_t round)
{
    uint64_t errors = 0;

    for (uint64_t page = 0; page < pages; page++) {
        volatile uint64_t *first = words + page * PAGE_WORDS;

        errors += first[0] != 0 || first[PAGE_WORDS - 1] != 0;
        for (uint64_t word = 0; word < PAGE_WORDS; word++)
            first[word] = pattern(page * PAGE_WORDS + word, round);
    }
    return errors;
}

static uint64_t verify(volatile uint64_t *words, uint64_t pages, uint64_t round)
{
    uint64_t errors = 0;

    for (uint64_t word = 0; word < pages * PAGE_WORDS; word++)
        errors += words[word] != pattern(word, round);
    return errors;
}

/* 1 if a forked child does not find the pattern in its copy of the memory. */
static uint64_t child_verifies(volatile uint64_t *words, uint64_t pages, uint64_t round)
{
    int status = -1, pid = fork();

    if (pid == 0)
        exit(verify(words, pages, round) == 0 ? 0 : 1);
    return pid < 0 || wait_child(pid, &status, NULL) != pid || status != 0;
}

int main(int argc, char **argv)
{
    uint64_t mebibytes = DEFAULT_MEBIBYTES, rounds = 1, pages, verified = 0, errors = 0;

    if ((argc > 1 && !parse_unsigned(argv[1], &mebibytes)) || (argc > 2 && !parse_unsigned(argv[2], &rounds)) ||
        mebibytes == 0 || mebibytes > 1024) {
        print("memstress: usage: memstress MiB [ROUNDS]\n");
        return 1;
    }
    pages = mebibytes * 1024 * 1024 / PAGE_BYTES;
    for (uint64_t round = 0; round < rounds; round++) {
        long address = map_memory(pages * PAGE_BYTES);
        uint64_t round_errors;

        if (address < 0) {
            print("memstress: map_memory of %lu MiB failed: %ld\n", mebibytes, address);
            return 1;
        }
        round_errors = fill((volatile uint64_t *)address, pages, round);
        round_errors += verify((volatile uint64_t *)address, pages, round);
        round_errors += child_verifies((volatile uint64_t *)address, pages, round);
        if (unmap_memory((uint64_t)address, pages * PAGE_BYTES) != 0)
            round_errors++;
        print("memstress: round %lu: %lu pages, %lu errors\n", round, pages, round_errors);
        errors += round_errors;
        verified += pages;
    }
    print("memstress: %lu MiB x %lu rounds, %lu pages written and verified, %lu errors\n", mebibytes, rounds,
          verified, errors);
    return errors == 0 ? 0 : 1;
}
