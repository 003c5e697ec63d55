/*
 * The xen_version and vm_assist hypercalls.
 *
 * xen_version's answers are pure and live in common/xen_version.c; this
 * file copies in what a sub-op reads (the feature submap index, a build-id
 * buffer length) and copies the reply out, -EFAULT if either fails.
 *
 * vm_assist (xen/common/kernel.c: do_vm_assist) turns on or off one of the
 * assists Xen offers a 64-bit PV guest (VM_ASSIST_VALID for 64-bit PV
 * domains); any other type is -EINVAL, any other command -ENOSYS.  Only
 * runstate_update_flag changes what pvmon does; writable_pagetables is how
 * pvmon always behaves for 64-bit guests, and the segment assists concern
 * 32-bit guests only.
 */
#include <pvmon/domain.h>
#include <pvmon/errno.h>
#include <pvmon/guest_access.h>
#include <pvmon/hypercalls.h>
#include <pvmon/xen_version.h>
#include <xen/xen.h>

#define VM_ASSISTS_OFFERED                                                                           \
    ((1UL << VMASST_TYPE_4gb_segments) | (1UL << VMASST_TYPE_4gb_segments_notify) |                   \
     (1UL << VMASST_TYPE_writable_pagetables) | (1UL << VMASST_TYPE_pae_extended_cr3) |               \
     (1UL << VMASST_TYPE_architectural_iopl) | (1UL << VMASST_TYPE_runstate_update_flag) |            \
     (1UL << VMASST_TYPE_m2p_strict))
#define VM_ASSIST_TYPE_LIMIT 64

static const char *hypervisor_command_line;

void version_set_command_line(const char *command_line)
{
    hypervisor_command_line = command_line;
}

static int read_request_fields(struct xen_version_request *request, uint64_t argument)
{
    if (request->command == XENVER_get_features) {
        xen_feature_info_t features;

        if (copy_from_guest(&features, argument, sizeof(features)) != 0)
            return -XEN_EFAULT;
        request->feature_submap_index = features.submap_idx;
    }
    if (request->command == XENVER_build_id && request->privileged && argument != 0) {
        xen_build_id_t build_id;

        if (copy_from_guest(&build_id, argument, sizeof(build_id.len)) != 0)
            return -XEN_EFAULT;
        request->build_id_buffer_length = build_id.len;
    }
    return 0;
}

long do_xen_version(struct vcpu *vcpu, uint64_t command, uint64_t argument)
{
    struct xen_version_request request = {
        .command = (unsigned int)command,
        .privileged = vcpu->domain->privileged,
        .argument_is_null = argument == 0,
        .hypervisor_command_line = hypervisor_command_line,
    };
    union xen_version_reply reply;
    size_t reply_size = 0;
    long result;
    int error;

    if (command > UINT32_MAX)
        return -XEN_ENOSYS;
    error = read_request_fields(&request, argument);
    if (error)
        return error;
    result = xen_version_answer(&request, &reply, &reply_size);
    if (reply_size != 0 && copy_to_guest(argument, &reply, reply_size) != 0)
        return -XEN_EFAULT;
    return result;
}

long do_vm_assist(struct vcpu *vcpu, uint64_t command, uint64_t type)
{
    if (type >= VM_ASSIST_TYPE_LIMIT || !(VM_ASSISTS_OFFERED & (1UL << type)))
        return -XEN_EINVAL;
    switch (command) {
    case VMASST_CMD_enable:
        vcpu->domain->vm_assist |= 1UL << type;
        return 0;
    case VMASST_CMD_disable:
        vcpu->domain->vm_assist &= ~(1UL << type);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
