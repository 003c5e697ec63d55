/*
 * What a domU of the demonstration does (role= on its command line):
 *   role=busy seconds=S               computes for S seconds of system time
 *   role=idle seconds=S [wait=spin]   wakes every 100 ms for S seconds,
 *                                     blocking between wake-ups
 *                                     (SCHEDOP_block), or spinning on the
 *                                     clock with wait=spin
 * (and the test roles: microbenchmarks, disk-test, disk-verify, disk-broken,
 * disk-attack, net-test, net-attack, console-echo: console_echo.h).
 * Each of busy and idle then prints the share of the CPU its vCPU got: time running (from
 * VCPUOP_get_runstate_info) over the system time that passed.
 */
#ifndef PV_KERNEL_WORKLOADS_H
#define PV_KERNEL_WORKLOADS_H

/* Runs the role command_line names; returns 0, or -XEN_EINVAL for an unknown role. */
int run_workload(const char *command_line);

#endif
