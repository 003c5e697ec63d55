/*
 * dom0's check of `xl dmesg` (see xl_dmesg_check.h): three runs of
 * tools/xl's xl_dmesg between marker lines, for the boot test to compare.
 */
#include <runtime/console.h>
#include <tools/xl/xl_dmesg.h>
#include "xl_dmesg_check.h"

void xl_dmesg_check(void)
{
    int shown;
    int cleared;
    int after_clear;

    console_printf("pv-kernel: xl-dmesg: shown\n");
    shown = xl_dmesg(false);
    console_printf("pv-kernel: xl-dmesg: cleared\n");
    cleared = xl_dmesg(true);
    console_printf("pv-kernel: xl-dmesg: after clear\n");
    after_clear = xl_dmesg(false);
    console_printf("pv-kernel: xl-dmesg: results %d %d %d\n", shown, cleared, after_clear);
}
