/*
 * Boot-time self-tests, chosen on the hypervisor command line with
 * selftest=NAME[,NAME...] and run once the hypervisor is up.  They prove,
 * on the real (emulated) machine, what host unit tests cannot: that faults
 * are caught and reported, that the allocator never hands out a frame it
 * should not, and that a fatal fault stops the machine with a clear report.
 * tests/boot/ runs them and reads their verdicts from the serial log.
 */
#ifndef PVMON_SELFTEST_H
#define PVMON_SELFTEST_H

#include <pvmon/boot_info.h>

void selftests_run(const char *command_line, const struct boot_info *info);

#endif
