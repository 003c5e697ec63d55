/*
 * The answers of the xen_version hypercall (Xen public version.h), as
 * pure functions: the hypervisor copies in what the sub-op reads from the
 * guest, asks xen_version_answer, and copies reply_size bytes of the reply
 * out to the guest's argument (nothing when reply_size is 0).
 *
 * pvmon presents itself as Xen 4.14, the release of the interface version
 * it is built against (__XEN_INTERFACE_VERSION__ 0x00040e00), with
 * extraversion "-pvmon".  Feature bits reported by XENVER_get_features
 * (submap 0; any other submap is -XEN_EINVAL, as in Xen):
 *
 *   XENFEAT_mmu_pt_update_preserve_ad (5)  yes: Linux panics without it
 *   XENFEAT_gnttab_map_avail_bits (7)      yes: Linux panics without it
 *   XENFEAT_dom0 (11)                      for the privileged domain only
 *
 * and nothing else, while pvmon lacks what the others promise.
 */
#ifndef PVMON_XEN_VERSION_H
#define PVMON_XEN_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/version.h>

#define PVMON_XEN_MAJOR_VERSION 4
#define PVMON_XEN_MINOR_VERSION 14
#define PVMON_XEN_EXTRAVERSION "-pvmon"

struct xen_version_request {
    unsigned int command;               /* XENVER_*: the hypercall's first argument */
    bool privileged;                    /* the caller is the privileged domain (dom0) */
    bool argument_is_null;              /* the guest passed a null pointer as the argument */
    unsigned int feature_submap_index;  /* get_features: submap_idx, copied in from the guest */
    uint32_t build_id_buffer_length;    /* build_id with an argument: its len, copied in */
    const char *hypervisor_command_line; /* commandline: pvmon's own command line */
};

union xen_version_reply {
    xen_extraversion_t extraversion;
    xen_compile_info_t compile_info;
    xen_capabilities_info_t capabilities;
    xen_changeset_info_t changeset;
    xen_platform_parameters_t platform_parameters;
    xen_feature_info_t feature_info;
    xen_domain_handle_t guest_handle;
    xen_commandline_t command_line;
};

/*
 * Answer one xen_version call.  Returns what the hypercall returns (a
 * value such as the version or page size, 0, or a negative Xen errno
 * value) and sets *reply_size to the number of bytes of *reply to copy to
 * the guest's argument, 0 when nothing is copied.
 */
long xen_version_answer(const struct xen_version_request *request, union xen_version_reply *reply,
                        size_t *reply_size);

#endif
