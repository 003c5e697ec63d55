/*
 * pvmon-forkexec COUNT: the workload's fork/exec step.  Creates COUNT
 * processes one after the other, each a fork that execs /bin/true or, every
 * other time, /bin/false, waits for each and checks its exit status (0 and
 * 1: a status that is always 0 would prove nothing).  Every process costs
 * the kernel an address space copied, replaced by exec and torn down.
 *
 * Result: "fork-exec processes=N failures=N elapsed-ns=N ns-per-process=N".
 * A fork or wait that fails ends the step at once, as a failure; exec
 * failing shows as exit status 127.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "common.h"

#define STEP "fork-exec"
#define MAX_PROCESSES 10000000u

static const struct {
    const char *path;
    int exit_status;
} programs[] = {
    { "/bin/true", 0 },
    { "/bin/false", 1 },
};

/* Says how a process that should have exited with its program's status ended instead. */
static void describe_status(uint64_t index, unsigned int program, int status)
{
    fprintf(stderr, STEP ": process %llu (%s) should exit with status %d, but ",
            (unsigned long long) index, programs[program].path, programs[program].exit_status);
    if (WIFEXITED(status))
        fprintf(stderr, "exited with status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "was killed by signal %d\n", WTERMSIG(status));
    else
        fprintf(stderr, "ended with wait status %#x\n", (unsigned int) status);
}

int main(int argc, char **argv)
{
    uint64_t count;

    if (argc != 2 || !parse_number(STEP, "COUNT", argv[1], 1, MAX_PROCESSES, &count)) {
        fprintf(stderr, "usage: pvmon-forkexec COUNT\n");
        return report(false, STEP, "error=usage");
    }

    /* Nothing buffered may be inherited and printed twice. */
    fflush(stdout);

    uint64_t failures = 0;
    uint64_t started = 0;
    uint64_t start_ns = monotonic_ns(STEP);

    while (started < count) {
        unsigned int program = started % 2;
        pid_t child = fork();

        if (child < 0) {
            fprintf(stderr, STEP ": fork number %llu: %s\n", (unsigned long long) started,
                    strerror(errno));
            failures++;
            break;
        }
        if (child == 0) {
            execl(programs[program].path, programs[program].path, (char *) NULL);
            _exit(127);
        }

        int status;

        if (waitpid(child, &status, 0) != child) {
            fprintf(stderr, STEP ": waiting for process %d: %s\n", (int) child, strerror(errno));
            failures++;
            break;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != programs[program].exit_status) {
            if (failures < MAX_DIAGNOSTICS)
                describe_status(started, program, status);
            failures++;
        }
        started++;
    }

    uint64_t elapsed_ns = monotonic_ns(STEP) - start_ns;

    uint64_t per_process_ns = started > 0 ? elapsed_ns / started : 0;

    return report(failures == 0 && started == count, STEP,
                  "processes=%llu failures=%llu elapsed-ns=%llu ns-per-process=%llu",
                  (unsigned long long) started, (unsigned long long) failures,
                  (unsigned long long) elapsed_ns, (unsigned long long) per_process_ns);
}
