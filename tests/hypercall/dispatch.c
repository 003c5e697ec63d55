/*
 * The hypercall dispatch from a domU: numbers no handler answers are
 * -ENOSYS (Xen's pv_hypercall for numbers past its table or without a
 * handler), and the call leaves the domain running.
 */
#include "check.h"

const char test_family[] = "dispatch";

void run_tests(void)
{
    expect_result("unused_number_63_is_enosys", hypercall5(63, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect_result("number_64_is_enosys", hypercall5(64, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect_result("number_1000_is_enosys", hypercall5(1000, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect_result("number_with_high_bits_is_enosys", hypercall5(1UL << 32 | __HYPERVISOR_xen_version, 0, 0, 0, 0, 0),
                  -XEN_ENOSYS);
    expect_result("all_ones_number_is_enosys", hypercall5(~0UL, 0, 0, 0, 0, 0), -XEN_ENOSYS);
}
