/*
 * dom0's check of `xl dmesg` (test=xl-dmesg on dom0's command line), for
 * the boot test that reads the serial log: between marker lines it runs
 *
 *   "pv-kernel: xl-dmesg: shown"        xl_dmesg(false): the hypervisor's
 *                                       boot messages again, raw
 *   "pv-kernel: xl-dmesg: cleared"      xl_dmesg(true): the same, and
 *                                       the history cleared
 *   "pv-kernel: xl-dmesg: after clear"  xl_dmesg(false): nothing, as only
 *                                       dom0 wrote since (its lines are
 *                                       not kept)
 *
 * then "pv-kernel: xl-dmesg: results A B C", the three return values.
 */
#ifndef PV_KERNEL_XL_DMESG_CHECK_H
#define PV_KERNEL_XL_DMESG_CHECK_H

void xl_dmesg_check(void);

#endif
