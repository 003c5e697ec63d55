/*
 * ldt: a data segment of the process's own LDT, loaded and used in ring 3
 * (what a Linux process gets from modify_ldt).  Entry 1 becomes a segment
 * whose base is a variable of the program's; FS is loaded with its
 * selector and the variable is read through FS:0, again after yields
 * (other processes may run in between, with another LDT or none); lsl and
 * lar give the limit and DPL 3; an index beyond the LDT's page is refused;
 * a forked child has no LDT, so loading the selector there is a #GP that
 * kills it.  Prints:
 *     ldt: 4 reads through an LDT segment, limit 7, dpl 3, child without an LDT killed, 0 errors
 */
#include <pvmon/errno.h>
#include "lib/user.h"

#define DATA_INDEX 1
#define DATA_SELECTOR (DATA_INDEX << 3 | 7)
#define LDT_ENTRIES 512
#define ROUNDS 4
#define MARKER UINT64_C(0x1d7a5e96e57ab1e5)

static volatile uint64_t marker = MARKER;

static void load_fs(uint16_t selector)
{
    __asm__ volatile("mov %0, %%fs" : : "r"(selector) : "memory");
}

static uint64_t read_fs_zero(void)
{
    uint64_t value;

    __asm__ volatile("movq %%fs:0, %0" : "=r"(value) : : "memory");
    return value;
}

static uint32_t segment_limit(uint16_t selector)
{
    uint32_t limit = 0;

    __asm__ volatile("lsl %1, %0" : "+r"(limit) : "r"((uint32_t)selector));
    return limit;
}

static unsigned int segment_dpl(uint16_t selector)
{
    uint32_t rights = 0;

    __asm__ volatile("lar %1, %0" : "+r"(rights) : "r"((uint32_t)selector));
    return rights >> 13 & 3;
}

static bool child_without_an_ldt_is_killed(void)
{
    int status = 0;
    int pid = fork();

    if (pid == 0) {
        load_fs(DATA_SELECTOR);
        exit(0);
    }
    return pid > 0 && wait_child(pid, &status, NULL) == pid && status == EXIT_STATUS_KILLED;
}

int main(void)
{
    unsigned int errors = 0, reads = 0;
    uint32_t limit;
    unsigned int dpl;
    bool child_killed;

    if (set_ldt_entry(LDT_ENTRIES, (uint32_t)(uintptr_t)&marker, sizeof(marker)) != -XEN_EINVAL)
        errors++;
    if (set_ldt_entry(DATA_INDEX, (uint32_t)(uintptr_t)&marker, sizeof(marker)) != 0) {
        print("ldt: set_ldt_entry failed\n");
        return 1;
    }
    for (unsigned int round = 0; round < ROUNDS; round++) {
        load_fs(DATA_SELECTOR);
        if (read_fs_zero() == MARKER)
            reads++;
        else
            errors++;
        yield();
    }
    limit = segment_limit(DATA_SELECTOR);
    dpl = segment_dpl(DATA_SELECTOR);
    if (limit != sizeof(marker) - 1 || dpl != 3)
        errors++;
    load_fs(0);
    child_killed = child_without_an_ldt_is_killed();
    if (!child_killed)
        errors++;
    print("ldt: %u reads through an LDT segment, limit %u, dpl %u, child without an LDT %s, %u errors\n", reads, limit,
          dpl, child_killed ? "killed" : "not killed", errors);
    return errors == 0 ? 0 : 1;
}
