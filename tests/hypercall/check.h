/*
 * The hypercall test guests' framework, in the spirit of the Xen Test
 * Framework: each guest is a tiny PV kernel (the shared runtime plus one
 * file here) that the toolstack boots as a domU, exercises one hypercall
 * family with valid and invalid inputs, and prints one line per case,
 *   "PASS family: case"  or  "FAIL family: case: got X expected Y",
 * then "SUMMARY family: N passed, N failed" and powers off.  Expected
 * values are what Xen returns (its sources are cited in each file).
 *
 * A guest file defines test_family (its name) and run_tests(); check.c
 * provides start_kernel, which sets up the runtime first.
 */
#ifndef TESTS_HYPERCALL_CHECK_H
#define TESTS_HYPERCALL_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/errno.h>
#include <xen/xen.h>
#include <guest/hypercall.h>
#include <runtime/clock.h>
#include <runtime/console.h>
#include <runtime/events.h>
#include <runtime/runtime.h>
#include <runtime/traps.h>

/* Addresses a guest may not hand to the hypervisor. */
#define HYPERVISOR_RANGE_START 0xffff800000000000UL /* L4 slot 256 */
#define HYPERVISOR_RANGE_LAST_PAGE 0xffff87fffffff000UL
#define HYPERVISOR_IMAGE_ADDRESS 0xffff808000200000UL
#define NON_CANONICAL_ADDRESS 0x0000800000000000UL
#define UNMAPPED_ADDRESS 0x10UL
#define HYPERVISOR_IMAGE_MACHINE_ADDRESS 0x200000UL

#define MISSING_DOMAIN 1000
#define OUT_OF_RANGE_PORT 5000

extern const char test_family[];
void run_tests(void);

void expect_result(const char *name, long got, long expected);
/* For results that are not a single value: what describes the expectation. */
void expect_true(const char *name, bool holds, long got, const char *expected);

/* Sends an event to the guest itself (an IPI port, bound once) and waits
 * up to half a second for its handler to run: true if it did. */
bool self_event_arrives(void);

/* Spins (events enabled) for duration_ns of system time. */
void spin_for(uint64_t duration_ns);

/* Spins until the runtime has counted `events` timer events (clock.h),
 * or for limit_ns of system time, whichever comes first. */
void spin_until_timer_events(uint64_t events, uint64_t limit_ns);

#endif
