/*
 * pvmon-ldt: the workload's "modify-ldt" step.  A process writes data
 * segments into its own LDT with modify_ldt (which a Xen PV kernel turns
 * into read-only LDT pages and MMUEXT_SET_LDT: arch/x86/xen/enlighten_pv.c
 * xen_alloc_ldt, xen_set_ldt), loads GS with each selector (glibc keeps
 * its thread pointer in FS, so GS is free) and reads its own variables
 * through GS:0.  Entry 0 first, then entry 5, which makes the kernel
 * install a new, larger LDT; then a forked child, which inherits the LDT,
 * reads through it too; last modify_ldt reads the table back.
 *
 * Result: "modify-ldt reads=N child-read=yes|no read-back-entries=N
 * failures=N".
 */
#define _GNU_SOURCE

#include <asm/ldt.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define STEP "modify-ldt"
#define FIRST_ENTRY 0
#define SECOND_ENTRY 5
#define MODIFY_LDT_READ 0
#define MODIFY_LDT_WRITE 1
#define SELECTOR(entry) ((uint16_t) ((entry) << 3 | 7))

static volatile uint64_t first_marker = UINT64_C(0x6c64742d66697273);
static volatile uint64_t second_marker = UINT64_C(0x6c64742d7365636f);

/* Entry becomes a flat-limit 32-bit data segment at base; false (having said why) on an error. */
static bool write_entry(unsigned int entry, const volatile void *base)
{
    struct user_desc descriptor = {
        .entry_number = entry,
        .base_addr = (unsigned int) (uintptr_t) base,
        .limit = 0xfffff,
        .seg_32bit = 1,
        .limit_in_pages = 1,
        .useable = 1,
    };

    if ((uintptr_t) base > UINT32_MAX) {
        fprintf(stderr, STEP ": %p is above 4 GiB: no segment base can name it\n", (const void *) base);
        return false;
    }
    if (syscall(SYS_modify_ldt, MODIFY_LDT_WRITE, &descriptor, sizeof(descriptor)) != 0) {
        fprintf(stderr, STEP ": modify_ldt write of entry %u: %s\n", entry, strerror(errno));
        return false;
    }
    return true;
}

/* Loads GS with selector and reads 8 bytes at GS:0; GS is null again afterwards. */
static uint64_t read_through_gs(uint16_t selector)
{
    uint64_t value;

    __asm__ volatile("mov %1, %%gs\n\t"
                     "movq %%gs:0, %0\n\t"
                     "mov %2, %%gs"
                     : "=&r"(value)
                     : "r"(selector), "r"(0)
                     : "memory");
    return value;
}

static bool read_expected(uint16_t selector, uint64_t expected)
{
    uint64_t value = read_through_gs(selector);

    if (value != expected)
        fprintf(stderr, STEP ": selector %#x read %#llx, not %#llx\n", selector, (unsigned long long) value,
                (unsigned long long) expected);
    return value == expected;
}

static bool child_reads_through_the_inherited_ldt(void)
{
    int status;
    pid_t child = fork();

    if (child == 0)
        _exit(read_expected(SELECTOR(SECOND_ENTRY), second_marker) ? 0 : 1);
    if (child < 0 || waitpid(child, &status, 0) != child) {
        fprintf(stderr, STEP ": fork or wait: %s\n", strerror(errno));
        return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    uint64_t failures = 0, reads = 0;
    uint64_t table[SECOND_ENTRY + 1];
    long read_back;
    bool child_read;

    if (!write_entry(FIRST_ENTRY, &first_marker))
        return report(false, STEP, "error=modify-ldt-write");
    reads += read_expected(SELECTOR(FIRST_ENTRY), first_marker);
    if (!write_entry(SECOND_ENTRY, &second_marker))
        return report(false, STEP, "error=modify-ldt-write-second");
    reads += read_expected(SELECTOR(SECOND_ENTRY), second_marker);
    reads += read_expected(SELECTOR(FIRST_ENTRY), first_marker);
    failures += 3 - reads;
    child_read = child_reads_through_the_inherited_ldt();
    failures += !child_read;
    read_back = syscall(SYS_modify_ldt, MODIFY_LDT_READ, table, sizeof(table));
    if (read_back != (long) sizeof(table) || table[FIRST_ENTRY] == 0 || table[SECOND_ENTRY] == 0) {
        fprintf(stderr, STEP ": modify_ldt read gave %ld bytes\n", read_back);
        failures++;
    }
    return report(failures == 0, STEP, "reads=%llu child-read=%s read-back-entries=%ld failures=%llu",
                  (unsigned long long) reads, child_read ? "yes" : "no",
                  read_back > 0 ? read_back / 8 : read_back, (unsigned long long) failures);
}
