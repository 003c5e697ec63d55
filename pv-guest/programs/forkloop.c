/*
 * forkloop N: N times, fork a child that checks it got a copy of its
 * parent's memory, changes it, and exits with a status derived from the
 * round; the parent waits for it and checks the pid, the status, and that
 * its own memory did not change.  Prints the counts:
 *     forkloop: N forks, N exits, 0 errors
 */
#include "lib/user.h"

#define DEFAULT_ROUNDS 100
#define STATUS_MODULUS 250

static volatile uint64_t shared_value;

static int expected_status(uint64_t round)
{
    return (int)(round % STATUS_MODULUS) + 1;
}

static void child(uint64_t round)
{
    if (shared_value != round * 7)
        exit(0); /* a status the parent does not expect */
    shared_value = ~round;
    exit(expected_status(round));
}

int main(int argc, char **argv)
{
    uint64_t rounds = DEFAULT_ROUNDS, forks = 0, exits = 0, errors = 0;

    if (argc > 1 && !parse_unsigned(argv[1], &rounds)) {
        print("forkloop: usage: forkloop N\n");
        return 1;
    }
    for (uint64_t round = 0; round < rounds; round++) {
        int status = -1, pid;

        shared_value = round * 7;
        pid = fork();
        if (pid == 0)
            child(round);
        if (pid < 0) {
            print("forkloop: fork %lu failed: %d\n", round, pid);
            errors++;
            continue;
        }
        forks++;
        if (wait_child(pid, &status, NULL) != pid || status != expected_status(round) ||
            shared_value != round * 7) {
            print("forkloop: round %lu: child %d ended with status %d, parent's value %lu\n", round, pid, status,
                  shared_value);
            errors++;
            continue;
        }
        exits++;
    }
    print("forkloop: %lu forks, %lu exits, %lu errors\n", forks, exits, errors);
    return errors == 0 ? 0 : 1;
}
