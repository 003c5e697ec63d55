/*
 * execloop N: N times, fork a child that execs "exitwith CODE" with a code
 * derived from the round; the parent checks the status it gets back.
 * Prints:
 *     execloop: N execs, N exits, 0 errors
 */
#include <pvmon/format.h>
#include "lib/user.h"

#define DEFAULT_ROUNDS 50
#define STATUS_MODULUS 200

int main(int argc, char **argv)
{
    uint64_t rounds = DEFAULT_ROUNDS, execs = 0, exits = 0, errors = 0;

    if (argc > 1 && !parse_unsigned(argv[1], &rounds)) {
        print("execloop: usage: execloop N\n");
        return 1;
    }
    for (uint64_t round = 0; round < rounds; round++) {
        int expected = (int)(round % STATUS_MODULUS) + 1, status = -1;
        char code[8];
        const char *arguments[] = { "exitwith", code, NULL };
        int pid;

        format_string(code, sizeof(code), "%d", expected);
        pid = fork();
        if (pid == 0) {
            exec("exitwith", arguments);
            exit(0);
        }
        if (pid < 0) {
            errors++;
            continue;
        }
        execs++;
        if (wait_child(pid, &status, NULL) != pid || status != expected) {
            print("execloop: round %lu: status %d, expected %d\n", round, status, expected);
            errors++;
            continue;
        }
        exits++;
    }
    print("execloop: %lu execs, %lu exits, %lu errors\n", execs, exits, errors);
    return errors == 0 ? 0 : 1;
}
