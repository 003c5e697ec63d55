/*
 * init: the first process.  Its argument (the kernel's init= option) is a
 * list of programs to run one after the other, separated by commas, each
 * with its arguments separated by colons:
 *
 *     forkloop:2000,execloop:200,memstress:16:4,bench:all:5
 *
 * For each, init forks, the child execs the program from the ramdisk, and
 * init waits for it and reports its exit status and what it cost in
 * memory, as the kernel counted it (struct process_usage: demand-zero
 * faults, how many of those pages were known zero and how many the kernel
 * cleared, pages copied by fork), for the program and its children.
 * Then it reaps whatever orphans came to it.  It exits with 0 if every
 * program did.
 */
#include <pvmon/string.h>
#include "lib/user.h"

#define LIST_SIZE 256
#define MAX_PROGRAMS 16
#define MAX_PROGRAM_ARGUMENTS 8
#define EXEC_FAILED_STATUS 127

static void run_child(char *arguments[], unsigned int count)
{
    const char *argv[MAX_PROGRAM_ARGUMENTS + 1];
    int error;

    for (unsigned int index = 0; index < count; index++)
        argv[index] = arguments[index];
    argv[count] = NULL;
    error = exec(argv[0], argv);
    print("init: cannot run %s: error %d\n", argv[0], error);
    exit(EXEC_FAILED_STATUS);
}

/* Runs one "name:arg:..." item; returns true if it exited with status 0. */
static bool run_program(char *item)
{
    char *arguments[MAX_PROGRAM_ARGUMENTS];
    unsigned int count = split(item, ':', arguments, MAX_PROGRAM_ARGUMENTS);
    struct process_usage usage = { 0 };
    int status = -1, pid = fork();

    if (pid == 0)
        run_child(arguments, count);
    if (pid < 0) {
        print("init: fork failed: %d\n", pid);
        return false;
    }
    if (wait_child(pid, &status, &usage) != pid) {
        print("init: waiting for %s failed\n", arguments[0]);
        return false;
    }
    print("init: %s exited with status %d; memory: %lu demand-zero faults, %lu known-zero pages, "
          "%lu cleared by the kernel, %lu pages copied by fork\n", arguments[0], status, usage.demand_zero_faults,
          usage.known_zero_pages, usage.cleared_pages, usage.pages_copied);
    return status == 0;
}

static void reap_orphans(void)
{
    int status;

    while (wait_child(-1, &status, NULL) > 0)
        ;
}

int main(int argc, char **argv)
{
    char list[LIST_SIZE];
    char *programs[MAX_PROGRAMS];
    unsigned int count, failed = 0;

    if (argc < 2 || strlen(argv[1]) >= sizeof(list)) {
        print("init: usage: init name[:argument...][,name...]\n");
        return 1;
    }
    memcpy(list, argv[1], strlen(argv[1]) + 1);
    count = split(list, ',', programs, MAX_PROGRAMS);
    print("init: pid %d, running %u programs\n", getpid(), count);
    for (unsigned int index = 0; index < count; index++) {
        failed += !run_program(programs[index]);
        reap_orphans();
    }
    print("init: %u programs run, %u failed\n", count, failed);
    return failed == 0 ? 0 : 1;
}
