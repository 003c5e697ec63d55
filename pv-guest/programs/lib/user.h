/*
 * The user programs' library: one function per system call of our PV
 * kernel (kernel/user_abi.h), formatted output to the console, and small
 * helpers.  A call that fails returns a negative error number (XEN_E*).
 */
#ifndef PV_PROGRAMS_USER_H
#define PV_PROGRAMS_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/user_abi.h>

void exit(int status) __attribute__((noreturn));
long write(int fd, const void *buffer, size_t length);
int fork(void);
/* argv ends with NULL; only returns on failure. */
int exec(const char *path, const char *const argv[]);
/* pid, or -1 for any child; status and usage may be NULL. */
int wait_child(int pid, int *status, struct process_usage *usage);
int getpid(void);
/* The address of length bytes of new demand-zero memory, or a negative error. */
long map_memory(size_t length);
int unmap_memory(uint64_t address, size_t length);
int yield(void);
/* The whole domain idles that long (at most SYS_SLEEP_MAX_NS). */
int sleep_ns(uint64_t duration_ns);
/* The domain's memory counters (pvmon's and the kernel's). */
int memory_counters(struct memory_counters *counters);
/* The kernel's runstate area as read on entry, and the hypervisor's answer. */
int runstate(struct runstate_views *views);
/* PV system time in nanoseconds. */
uint64_t clock_ns(void);
/* LDT entry index: a data segment at base, limit bytes long (selector index << 3 | 7). */
int set_ldt_entry(unsigned int index, uint32_t base, uint64_t limit);

/* printf to standard output, one write per call (lines up to 255 bytes). */
void print(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* A decimal number; false for anything else. */
bool parse_unsigned(const char *text, uint64_t *value);

/* Splits text in place at each separator; at most limit pieces; returns how many. */
unsigned int split(char *text, char separator, char *pieces[], unsigned int limit);

#endif
