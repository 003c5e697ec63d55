/*
 * lmb: the workload of 'make compare' (tools/compare/README.md), an
 * lmbench-style set of OS primitives plus two macro workloads, run in the
 * same busybox initramfs under every configuration (native, pvmon, Xen, KVM).
 * A static user program built by the host's gcc against glibc.
 *
 *   lmb [--size full|quick] [--tests NAME:...]
 *                             every test in order (or only those named, colon-separated), then "lmb: done ..."
 *   lmb --exit                exits at once: the program fork_exec executes
 *   lmb --stamp               prints "lmb: stamp tsc=N", the time-stamp counter as
 *                             user space reads it (rdtsc; /init runs it first, for
 *                             the harness's boot-to-init figure: under QEMU's
 *                             -icount QEMU's TSC is its virtual clock, nanoseconds
 *                             of guest time since QEMU started, whatever the
 *                             guest's own clock says)
 *
 * Each test times its operation over a fixed number of iterations (more
 * with --size full, the default, than with quick; the same count in every
 * configuration) with clock_gettime(CLOCK_MONOTONIC), after an untimed
 * warm-up of a tenth as many (one run for bcopy_64M and the macro tests).  Under QEMU's -icount shift=0 guest time
 * counts instructions, so a "µs" there is a thousand instructions of the
 * whole machine.  Lines printed, each one line, for the harness to parse:
 *
 *   lmb: info KEY=VALUE...                 what the guest runs on (kernel, clock
 *                                          source, CPU features the kernel and user
 *                                          space see)
 *   lmb: begin test=NAME                   before a test's timed loop
 *   lmb: result test=NAME unit=UNIT iterations=N total_ns=T us_per_op=U
 *   lmb: counters test=NAME source=pvmon NAME=PER-OP...
 *                                          where /dev/xen/privcmd reaches pvmon's
 *                                          PVMON_MEMORY_domain_statistics
 *                                          (hypercall/public/memory_extension.h):
 *                                          the domain's own counters over the timed
 *                                          loop, divided by its iterations
 *   lmb: counters test=NAME source=linux-reporting given-back=PER-OP taken-back=PER-OP
 *                                          where the kernel has pvmon's series patch
 *                                          0004 (/sys/kernel/pvmon/reporting): the
 *                                          pages its free page reporting gave back to
 *                                          pvmon and took back over the timed loop
 *   lmb: fail test=NAME reason=...         a test that could not run (no result line)
 *   lmb: done results=N failed=N           last; the exit status is 1 if any failed
 *
 * Tests (lmbench's names in brackets):
 *   null_syscall   getppid() through syscall(2)                     [null call]
 *   open_close     open and close of a file on tmpfs                [open/close]
 *   fork_exit      fork, the child _exits, the parent waits         [fork proc]
 *   fork_exec      fork, the child execs "lmb --exit", wait         [exec proc]
 *   ctxsw_pipe     one byte there and back between two processes over two pipes:
 *                  two context switches per round trip              [ctxsw 2p/0K]
 *   pagefault      first write to each page of a fresh anonymous mapping, per page
 *   mmap_4M        mmap of 4 MiB, a write to each page, munmap      [mmap lat]
 *   bcopy_64M      memcpy of 64 MiB between buffers already faulted in [bcopy]
 *   macro_tar_gzip tar of the initramfs's programs through gzip -6 to tmpfs, then
 *                  back through gzip -d and tar -x, then rm -rf (busybox's)
 *   macro_shell    a configure-like busybox sh loop: 100 rounds of echo | sed | grep
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE_BYTES 4096UL
#define MIB (1024UL * 1024UL)
#define LMB_PATH "/usr/bin/lmb"
#define TMPFS_FILE "/tmp/lmb-open-close"

struct test {
    const char *name;
    const char *unit;
    unsigned long full_iterations;
    unsigned long quick_iterations;
    /* Runs the operation iterations times; returns 0 or an errno-style value. */
    int (*run)(unsigned long iterations);
    /* Optional, untimed, around run: what the operation needs made and undone. */
    int (*set_up)(unsigned long iterations);
    void (*tear_down)(unsigned long iterations);
};

/* --- pvmon's per-domain counters, through Linux's privcmd ---------------- */

/* linux/include/uapi/xen/privcmd.h: IOCTL_PRIVCMD_HYPERCALL. */
struct privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))

/* hypercall/public/memory_extension.h (pvmon's ABI, mirrored field for field:
 * lmb is built by the host's gcc against glibc, outside the tree's include
 * paths; pvmon writes the whole structure, so it must not be shorter). */
#define PVMON_HYPERVISOR_memory_extension 57
#define PVMON_MEMORY_domain_statistics 2

struct pvmon_domain_counters {
    uint64_t pages;
    uint64_t maximum_pages;
    uint64_t frames_received;
    uint64_t frames_freed;
    uint64_t hypercalls;
    uint64_t page_table_updates;
    uint64_t page_table_writes_emulated;
    uint64_t tlb_flushes;
    uint64_t page_faults_to_guests;
    uint64_t frames_zeroed_on_demand;
    uint64_t prezeroed_frames_received;
    uint64_t entries_validated;
    uint64_t entries_devalidated;
    uint64_t references_taken;
    uint64_t iret_hypercalls;
    uint64_t exceptions_bounced;
    uint64_t syscalls_bounced;
    uint64_t events_bounced;
    uint64_t tlb_flushes_requested;
    uint64_t tlb_flushes_grant_unmap;
    uint64_t tlb_flushes_type_change;
    uint64_t tlb_flushes_scrub;
};

static int privcmd = -1;

/* True once a first reading succeeded: the domain runs on pvmon. */
static bool read_pvmon_counters(struct pvmon_domain_counters *counters)
{
    struct privcmd_hypercall call = {
        .op = PVMON_HYPERVISOR_memory_extension,
        .arg = { PVMON_MEMORY_domain_statistics, (uint64_t)(uintptr_t)counters },
    };

    if (privcmd < 0)
        return false;
    memset(counters, 0, sizeof(*counters));
    return ioctl(privcmd, IOCTL_PRIVCMD_HYPERCALL, &call) == 0;
}

static void open_pvmon_counters(void)
{
    struct pvmon_domain_counters probe;

    privcmd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (privcmd >= 0 && !read_pvmon_counters(&probe)) {
        close(privcmd);
        privcmd = -1;
    }
    printf("lmb: info pvmon-counters=%s\n", privcmd >= 0 ? "yes" : "no");
}

static void print_counter(const char *name, uint64_t before, uint64_t after, unsigned long iterations)
{
    printf(" %s=%.2f", name, (double)(after - before) / (double)iterations);
}

/* Three lines, each short (pvmon's console backend splits lines longer
 * than 256 bytes): the domain's counters, the hot work's, the TLB flushes
 * by reason. */
static void print_pvmon_counters(const char *test, const struct pvmon_domain_counters *before,
                                 const struct pvmon_domain_counters *after, unsigned long iterations)
{
    printf("lmb: counters test=%s source=pvmon", test);
    print_counter("hypercalls", before->hypercalls, after->hypercalls, iterations);
    print_counter("pt-updates", before->page_table_updates, after->page_table_updates, iterations);
    print_counter("pt-writes-emulated", before->page_table_writes_emulated, after->page_table_writes_emulated,
                  iterations);
    print_counter("tlb-flushes", before->tlb_flushes, after->tlb_flushes, iterations);
    print_counter("faults-reflected", before->page_faults_to_guests, after->page_faults_to_guests, iterations);
    printf("\n");
    printf("lmb: counters test=%s source=pvmon-work", test);
    print_counter("validated", before->entries_validated, after->entries_validated, iterations);
    print_counter("devalidated", before->entries_devalidated, after->entries_devalidated, iterations);
    print_counter("refs", before->references_taken, after->references_taken, iterations);
    print_counter("irets", before->iret_hypercalls, after->iret_hypercalls, iterations);
    print_counter("bounced-exc", before->exceptions_bounced, after->exceptions_bounced, iterations);
    print_counter("bounced-sys", before->syscalls_bounced, after->syscalls_bounced, iterations);
    print_counter("bounced-ev", before->events_bounced, after->events_bounced, iterations);
    printf("\n");
    printf("lmb: counters test=%s source=pvmon-flushes", test);
    print_counter("requested", before->tlb_flushes_requested, after->tlb_flushes_requested, iterations);
    print_counter("grant-unmap", before->tlb_flushes_grant_unmap, after->tlb_flushes_grant_unmap, iterations);
    print_counter("type-change", before->tlb_flushes_type_change, after->tlb_flushes_type_change, iterations);
    print_counter("scrub", before->tlb_flushes_scrub, after->tlb_flushes_scrub, iterations);
    printf("\n");
}

/* --- free page reporting of pvmon's Linux series (patch 0004) ----------- */

struct reporting_counters {
    uint64_t given_back;
    uint64_t taken_back;
};

/* /sys/kernel/pvmon/reporting's pages_given_back and pages_taken_back;
 * false where the kernel has no such file (every kernel but the patched). */
static bool read_reporting_counters(struct reporting_counters *counters)
{
    FILE *file = fopen("/sys/kernel/pvmon/reporting", "r");
    char key[64];
    unsigned long long value;
    int found = 0;

    if (file == NULL)
        return false;
    while (fscanf(file, "%63s %llu", key, &value) == 2) {
        if (strcmp(key, "pages_given_back") == 0 && ++found)
            counters->given_back = value;
        else if (strcmp(key, "pages_taken_back") == 0 && ++found)
            counters->taken_back = value;
    }
    fclose(file);
    return found == 2;
}

static void print_reporting_counters(const char *test, const struct reporting_counters *before,
                                     const struct reporting_counters *after, unsigned long iterations)
{
    printf("lmb: counters test=%s source=linux-reporting", test);
    print_counter("given-back", before->given_back, after->given_back, iterations);
    print_counter("taken-back", before->taken_back, after->taken_back, iterations);
    printf("\n");
}

/* --- the operations --------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec time;

    clock_gettime(CLOCK_MONOTONIC, &time);
    return (uint64_t)time.tv_sec * 1000000000ULL + (uint64_t)time.tv_nsec;
}

static int run_null_syscall(unsigned long iterations)
{
    for (unsigned long i = 0; i < iterations; i++)
        syscall(SYS_getppid);
    return 0;
}

static int run_open_close(unsigned long iterations)
{
    for (unsigned long i = 0; i < iterations; i++) {
        int file = open(TMPFS_FILE, O_RDONLY);

        if (file < 0)
            return errno;
        close(file);
    }
    return 0;
}

/* Waits for the child and checks that it exited with status 0. */
static int reap(pid_t child)
{
    int status;

    if (waitpid(child, &status, 0) != child)
        return errno;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static int run_fork_exit(unsigned long iterations)
{
    for (unsigned long i = 0; i < iterations; i++) {
        pid_t child = fork();

        if (child < 0)
            return errno;
        if (child == 0)
            _exit(0);
        int error = reap(child);
        if (error)
            return error;
    }
    return 0;
}

static int run_fork_exec(unsigned long iterations)
{
    char *const arguments[] = { "lmb", "--exit", NULL };
    char *const environment[] = { NULL };

    for (unsigned long i = 0; i < iterations; i++) {
        pid_t child = fork();

        if (child < 0)
            return errno;
        if (child == 0) {
            execve(LMB_PATH, arguments, environment);
            _exit(127);
        }
        int error = reap(child);
        if (error)
            return error;
    }
    return 0;
}

/* The child of ctxsw_pipe: echoes each byte from one pipe to the other. */
static void echo_bytes(int from, int to)
{
    char byte;

    while (read(from, &byte, 1) == 1) {
        if (write(to, &byte, 1) != 1)
            _exit(1);
    }
    _exit(0);
}

static int run_ctxsw_pipe(unsigned long iterations)
{
    int there[2], back[2];
    char byte = 'x';
    int error = 0;

    if (pipe(there) != 0)
        return errno;
    if (pipe(back) != 0) {
        error = errno;
        close(there[0]);
        close(there[1]);
        return error;
    }
    pid_t child = fork();
    if (child == 0) {
        close(there[1]);
        close(back[0]);
        echo_bytes(there[0], back[1]);
    }
    close(there[0]);
    close(back[1]);
    if (child < 0)
        error = errno;
    for (unsigned long i = 0; i < iterations && error == 0; i++) {
        if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1)
            error = EIO;
    }
    close(there[1]);
    close(back[0]);
    if (child > 0 && reap(child) != 0 && error == 0)
        error = ECHILD;
    return error;
}

static void touch_pages(volatile char *memory, unsigned long pages)
{
    for (unsigned long page = 0; page < pages; page++)
        memory[page * PAGE_BYTES] = 1;
}

/* pagefault: iterations = pages of one fresh mapping, made and unmapped untimed. */
static char *fault_memory;

static int map_fault_memory(unsigned long iterations)
{
    fault_memory = mmap(NULL, iterations * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return fault_memory == MAP_FAILED ? errno : 0;
}

static void unmap_fault_memory(unsigned long iterations)
{
    munmap(fault_memory, iterations * PAGE_BYTES);
}

static int run_pagefault(unsigned long iterations)
{
    touch_pages(fault_memory, iterations);
    return 0;
}

static int run_mmap_4m(unsigned long iterations)
{
    const unsigned long bytes = 4 * MIB;

    for (unsigned long i = 0; i < iterations; i++) {
        char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (memory == MAP_FAILED)
            return errno;
        touch_pages(memory, bytes / PAGE_BYTES);
        if (munmap(memory, bytes) != 0)
            return errno;
    }
    return 0;
}

/* bcopy_64M: both buffers mapped (page-aligned: glibc's memcpy picks its
 * method by the buffers' relative alignment, so it is fixed here) and
 * faulted in untimed, and unmapped after, so that the other tests'
 * processes stay small (fork copies page tables). */
#define BCOPY_BYTES (64 * MIB)
static char *bcopy_source, *bcopy_destination;

static void unmap_bcopy_buffers(unsigned long iterations)
{
    (void)iterations;
    if (bcopy_source && bcopy_source != MAP_FAILED)
        munmap(bcopy_source, BCOPY_BYTES);
    if (bcopy_destination && bcopy_destination != MAP_FAILED)
        munmap(bcopy_destination, BCOPY_BYTES);
    bcopy_source = bcopy_destination = NULL;
}

static int map_bcopy_buffers(unsigned long iterations)
{
    bcopy_source = mmap(NULL, BCOPY_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bcopy_destination = mmap(NULL, BCOPY_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bcopy_source == MAP_FAILED || bcopy_destination == MAP_FAILED) {
        int error = errno;
        unmap_bcopy_buffers(iterations);
        return error;
    }
    memset(bcopy_source, 0x5a, BCOPY_BYTES);
    memset(bcopy_destination, 0, BCOPY_BYTES);
    return 0;
}

static int run_bcopy_64m(unsigned long iterations)
{
    for (unsigned long i = 0; i < iterations; i++) {
        memcpy(bcopy_destination, bcopy_source, BCOPY_BYTES);
        /* The copy is used, so that the compiler keeps every one. */
        __asm__ volatile("" : : "r"(bcopy_destination) : "memory");
    }
    return 0;
}

/* Runs /bin/sh -c SCRIPT iterations times, each to a successful end. */
static int run_shell(const char *script, unsigned long iterations)
{
    for (unsigned long i = 0; i < iterations; i++) {
        pid_t child = fork();

        if (child < 0)
            return errno;
        if (child == 0) {
            execl("/bin/sh", "sh", "-c", script, (char *)NULL);
            _exit(127);
        }
        int error = reap(child);
        if (error)
            return error;
    }
    return 0;
}

static int run_macro_tar_gzip(unsigned long iterations)
{
    return run_shell("tar -cf - -C / bin sbin usr | gzip -6 >/tmp/lmb-tree.tar.gz && "
                     "mkdir -p /tmp/lmb-tree && gzip -dc /tmp/lmb-tree.tar.gz | tar -xf - -C /tmp/lmb-tree && "
                     "rm -rf /tmp/lmb-tree /tmp/lmb-tree.tar.gz",
                     iterations);
}

static int run_macro_shell(unsigned long iterations)
{
    return run_shell("i=0; while [ $i -lt 100 ]; do "
                     "echo \"#define HAVE_FEATURE_$i 1\" | sed -e s/HAVE_/HAS_/ | grep -q HAS_ || exit 1; "
                     "i=$((i + 1)); done",
                     iterations);
}

static const struct test tests[] = {
    { .name = "null_syscall", .unit = "op", .full_iterations = 200000, .quick_iterations = 20000,
      .run = run_null_syscall },
    { .name = "open_close", .unit = "op", .full_iterations = 20000, .quick_iterations = 2000,
      .run = run_open_close },
    { .name = "fork_exit", .unit = "op", .full_iterations = 400, .quick_iterations = 40, .run = run_fork_exit },
    { .name = "fork_exec", .unit = "op", .full_iterations = 200, .quick_iterations = 20, .run = run_fork_exec },
    { .name = "ctxsw_pipe", .unit = "round-trip", .full_iterations = 10000, .quick_iterations = 1000,
      .run = run_ctxsw_pipe },
    { .name = "pagefault", .unit = "page", .full_iterations = 16384, .quick_iterations = 2048,
      .run = run_pagefault, .set_up = map_fault_memory, .tear_down = unmap_fault_memory },
    { .name = "mmap_4M", .unit = "op", .full_iterations = 20, .quick_iterations = 4, .run = run_mmap_4m },
    { .name = "bcopy_64M", .unit = "copy", .full_iterations = 10, .quick_iterations = 2, .run = run_bcopy_64m,
      .set_up = map_bcopy_buffers, .tear_down = unmap_bcopy_buffers },
    { .name = "macro_tar_gzip", .unit = "run", .full_iterations = 3, .quick_iterations = 1,
      .run = run_macro_tar_gzip },
    { .name = "macro_shell", .unit = "run", .full_iterations = 3, .quick_iterations = 1,
      .run = run_macro_shell },
};

/* --- setup and reporting ---------------------------------------------- */

/* Prints KEY=VALUE from the first line of PATH, or KEY=none. */
static void print_file_line(const char *key, const char *path)
{
    char line[128] = "none";
    FILE *file = fopen(path, "r");

    if (file) {
        if (!fgets(line, sizeof(line), file))
            strcpy(line, "none");
        fclose(file);
    }
    line[strcspn(line, "\n")] = '\0';
    printf(" %s=%s", key, line);
}

/* Whether /proc/cpuinfo's flags list FLAG: what the guest kernel uses. */
static bool kernel_has_flag(const char *flags, const char *flag)
{
    size_t length = strlen(flag);

    for (const char *at = strstr(flags, flag); at; at = strstr(at + 1, flag)) {
        bool starts = at == flags || at[-1] == ' ';
        bool ends = at[length] == ' ' || at[length] == '\n' || at[length] == '\0';
        if (starts && ends)
            return true;
    }
    return false;
}

static void print_cpu_features(void)
{
    static const char *const wanted[] = { "xsave", "avx", "avx2", "smap", "smep", "pcid", "hypervisor" };
    char line[4096];
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    uint32_t ecx;

    printf("lmb: info cpu");
    while (cpuinfo && fgets(line, sizeof(line), cpuinfo)) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
            printf(" %s=%d", wanted[i], kernel_has_flag(line, wanted[i]));
        break;
    }
    if (cpuinfo)
        fclose(cpuinfo);
    /* CPUID.1:ECX.OSXSAVE (bit 27) as user space sees it: glibc's AVX test. */
    __asm__ volatile("cpuid" : "=c"(ecx) : "a"(1), "c"(0) : "ebx", "edx");
    printf(" user-osxsave=%u\n", (ecx >> 27) & 1);
}

static void print_info(const char *size)
{
    struct utsname name;

    uname(&name);
    printf("lmb: info kernel=%s size=%s", name.release, size);
    print_file_line("clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
    print_file_line("hypervisor", "/sys/hypervisor/type");
    printf("\n");
    print_cpu_features();
}

/* The file open_close opens, made before any timing. */
static int prepare(void)
{
    int file = open(TMPFS_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (file < 0)
        return errno;
    close(file);
    return 0;
}

/* What pvmon and the kernel counted over a timed loop, where they can be read. */
struct loop_counters {
    struct pvmon_domain_counters pvmon;
    bool pvmon_counted;
    struct reporting_counters reporting;
    bool reporting_counted;
};

/* Runs the test's operation iterations times between its set-up and tear-down. */
static int run_between(const struct test *test, unsigned long iterations, uint64_t *elapsed_ns,
                       struct loop_counters *before, struct loop_counters *after)
{
    int error = test->set_up ? test->set_up(iterations) : 0;

    if (error)
        return error;
    before->reporting_counted = read_reporting_counters(&before->reporting);
    before->pvmon_counted = read_pvmon_counters(&before->pvmon);
    uint64_t started = now_ns();
    error = test->run(iterations);
    *elapsed_ns = now_ns() - started;
    after->pvmon_counted = before->pvmon_counted && read_pvmon_counters(&after->pvmon);
    after->reporting_counted = before->reporting_counted && read_reporting_counters(&after->reporting);
    if (test->tear_down)
        test->tear_down(iterations);
    return error;
}

/* Runs one test: warm-up, then the timed loop; true if it produced a result. */
static bool run_test(const struct test *test, bool quick)
{
    unsigned long iterations = quick ? test->quick_iterations : test->full_iterations;
    unsigned long warm_up = iterations / 10 ? iterations / 10 : 1;
    struct loop_counters before, after;
    uint64_t elapsed;
    int error;

    if (strncmp(test->name, "macro_", 6) == 0 || strcmp(test->name, "bcopy_64M") == 0)
        warm_up = 1;
    error = run_between(test, warm_up, &elapsed, &before, &after);
    if (error) {
        printf("lmb: fail test=%s reason=warm-up:%s\n", test->name, strerror(error));
        fflush(stdout);
        return false;
    }
    printf("lmb: begin test=%s\n", test->name);
    fflush(stdout);
    error = run_between(test, iterations, &elapsed, &before, &after);
    if (error) {
        printf("lmb: fail test=%s reason=%s\n", test->name, strerror(error));
        fflush(stdout);
        return false;
    }
    printf("lmb: result test=%s unit=%s iterations=%lu total_ns=%llu us_per_op=%.4f\n", test->name, test->unit,
           iterations, (unsigned long long)elapsed, (double)elapsed / 1000.0 / (double)iterations);
    if (after.pvmon_counted)
        print_pvmon_counters(test->name, &before.pvmon, &after.pvmon, iterations);
    if (after.reporting_counted)
        print_reporting_counters(test->name, &before.reporting, &after.reporting, iterations);
    fflush(stdout);
    return true;
}

/* True if NAME is one of the colon-separated names in LIST (NULL: every test).
 * Colons, not commas: QEMU's -initrd splits multiboot modules at commas. */
static bool is_selected(const char *name, const char *list)
{
    size_t length = strlen(name);

    if (!list)
        return true;
    for (const char *word = list; *word;) {
        const char *end = strchr(word, ':');
        size_t word_length = end ? (size_t)(end - word) : strlen(word);

        if (word_length == length && strncmp(word, name, length) == 0)
            return true;
        word += word_length + (end ? 1 : 0);
    }
    return false;
}

static int print_stamp(void)
{
    uint32_t low, high;

    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    printf("lmb: stamp tsc=%llu\n", ((unsigned long long)high << 32) | low);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: lmb [--size full|quick] [--tests NAME:...] | lmb --exit | lmb --stamp\n");
    return 2;
}

int main(int argc, char **argv)
{
    bool quick = false;
    const char *selected = NULL;
    unsigned int results = 0, failed = 0;

    if (argc == 2 && strcmp(argv[1], "--exit") == 0)
        return 0;
    if (argc == 2 && strcmp(argv[1], "--stamp") == 0)
        return print_stamp();
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--size") == 0 && strcmp(argv[i + 1], "quick") == 0)
            quick = true;
        else if (strcmp(argv[i], "--size") == 0 && strcmp(argv[i + 1], "full") == 0)
            quick = false;
        else if (strcmp(argv[i], "--tests") == 0)
            selected = argv[i + 1];
        else
            return usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    print_info(quick ? "quick" : "full");
    open_pvmon_counters();
    int error = prepare();
    if (error) {
        printf("lmb: fail test=prepare reason=%s\n", strerror(error));
        printf("lmb: done results=0 failed=1\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (!is_selected(tests[i].name, selected))
            continue;
        if (run_test(&tests[i], quick))
            results++;
        else
            failed++;
    }
    printf("lmb: done results=%u failed=%u\n", results, failed);
    return failed ? 1 : 0;
}
