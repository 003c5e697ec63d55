/*
 * Guest-side wrapper of grant_table_op (hypercall 20, Xen public
 * grant_table.h): GNTTABOP_* command, an array of `count` argument
 * structures, each carrying its own status.  As in Xen, the hypercall's
 * own result is 0 when every element was looked at, and each element's
 * status (GNTST_*) says how it went; a negative result (-EFAULT,
 * -ENOSYS, -EINVAL) means the call itself was refused.
 * Shared by pv-guest/, frontend/, backend/ and the hypercall tests.
 */
#ifndef PVMON_GUEST_GRANT_TABLE_H
#define PVMON_GUEST_GRANT_TABLE_H

#include <guest/hypercall.h>
#include <xen/grant_table.h>

static inline long hypercall_grant_table_op(unsigned int command, void *arguments, unsigned int count)
{
    return hypercall3(__HYPERVISOR_grant_table_op, command, (unsigned long)arguments, count);
}

#endif
