/*
 * The xen_version hypercall's answers (see pvmon/xen_version.h).  This
 * file owns what pvmon tells guests about itself.  It follows Xen's
 * do_xen_version (xen/common/kernel.c) with the default (dummy) XSM policy
 * of xen/include/xsm/dummy.h: version, platform_parameters and
 * get_features answer everyone; extraversion, compile_info, capabilities,
 * changeset, pagesize and guest_handle too; commandline and build_id are
 * privileged.  Per sub-op:
 *
 * - version: major << 16 | minor, returned, nothing copied;
 * - extraversion, changeset, capabilities: the whole fixed-size buffer,
 *   string NUL-padded; capabilities is "xen-3.0-x86_64 " with its trailing
 *   space, as Xen's arch_get_xen_caps (xen/arch/x86/setup.c) writes it for
 *   a hypervisor that runs 64-bit PV guests only; the changeset is
 *   "unavailable", Xen's text when built outside a repository;
 * - compile_info: the compiler, "pvmon" as compile_by, empty domain and
 *   date (kept empty so that builds are reproducible);
 * - platform_parameters: virt_start = HYPERVISOR_VIRT_START;
 * - get_features: submap 0 as below, written back with its submap_idx;
 *   any other submap: -EINVAL (XENFEAT_NR_SUBMAPS is 1);
 * - pagesize: 4096 when the argument is null, else -EINVAL;
 * - guest_handle: 16 zero bytes (no toolstack gives pvmon's domains a UUID);
 * - commandline: the hypervisor's command line in the full 1024 bytes for
 *   the privileged domain; others get "<denied>" and its NUL (Xen's
 *   xen_deny()) and a return value of 0, not an error;
 * - build_id: -EPERM unprivileged; -EINVAL for an argument whose len is 0;
 *   otherwise -ENODATA, Xen's answer when built without a build id;
 * - anything else: -ENOSYS.
 *
 * Feature bits of submap 0 (numbers from Xen public features.h), against
 * what Xen's do_xen_version sets for a PV domain:
 *
 * - mmu_pt_update_preserve_ad (5): set, as Linux panics without it
 *   (drivers/xen/features.c); it promises MMU_PT_UPDATE_PRESERVE_AD in
 *   mmu_update, which pvmon's MMU code must therefore keep;
 * - gnttab_map_avail_bits (7): set, as Linux panics without it too; it
 *   promises that GNTTABOP_map_grant_ref honours the GNTMAP flags for the
 *   PTE's available bits, which pvmon's grant mapping must keep;
 * - dom0 (11): set for the privileged domain, as Xen does for the hardware
 *   domain;
 * - highmem_assist (6): Xen sets it for PV; it promises MMUEXT_CLEAR_PAGE
 *   and MMUEXT_COPY_PAGE, which pvmon does not offer yet: clear;
 * - memory_op_vnode_supported (13): Xen sets it; it promises
 *   XENMEM_get_vnumainfo, which pvmon does not offer: clear;
 * - pae_pgdir_above_4gb (4): Xen sets it after VMASST_TYPE_pae_extended_cr3;
 *   it concerns 32-bit PAE guests only, which pvmon does not run: clear;
 * - writable_page_tables (0), auto_translated_physmap (2) and the hvm_*
 *   bits: HVM only in Xen; writable_descriptor_tables (1) and
 *   supervisor_mode_kernel (3): never set by Xen: clear.
 */
#include <pvmon/errno.h>
#include <pvmon/layout.h>
#include <pvmon/string.h>
#include <pvmon/xen_version.h>

#define VERSION_NUMBER ((PVMON_XEN_MAJOR_VERSION << 16) | PVMON_XEN_MINOR_VERSION)
#define CAPABILITIES "xen-3.0-x86_64 "
#define CHANGESET "unavailable"
#define COMPILER "gcc " __VERSION__
#define COMPILED_BY "pvmon"
#define DENIED "<denied>"

#define FEATURES_FOR_EVERY_PV_GUEST \
    ((1U << XENFEAT_mmu_pt_update_preserve_ad) | (1U << XENFEAT_gnttab_map_avail_bits))
#define FEATURES_FOR_THE_PRIVILEGED_DOMAIN (1U << XENFEAT_dom0)

#define INTERFACE_VERSION_OF_THIS_RELEASE ((PVMON_XEN_MAJOR_VERSION << 16) | (PVMON_XEN_MINOR_VERSION << 8))

_Static_assert(INTERFACE_VERSION_OF_THIS_RELEASE == __XEN_INTERFACE_VERSION__,
               "the version presented is the release of the interface version built against");

/* Copy source into buffer (size bytes, zeroed by the caller), leaving at least one NUL. */
static void copy_string(char *buffer, size_t size, const char *source)
{
    size_t length = strlen(source);

    if (length > size - 1)
        length = size - 1;
    memcpy(buffer, source, length);
}

static long answer_string(char *buffer, size_t size, const char *text, size_t *reply_size)
{
    copy_string(buffer, size, text);
    *reply_size = size;
    return 0;
}

static long answer_compile_info(xen_compile_info_t *info, size_t *reply_size)
{
    copy_string(info->compiler, sizeof(info->compiler), COMPILER);
    copy_string(info->compile_by, sizeof(info->compile_by), COMPILED_BY);
    *reply_size = sizeof(*info);
    return 0;
}

static long answer_platform_parameters(xen_platform_parameters_t *parameters, size_t *reply_size)
{
    parameters->virt_start = HYPERVISOR_VIRT_START;
    *reply_size = sizeof(*parameters);
    return 0;
}

static long answer_features(const struct xen_version_request *request, xen_feature_info_t *info,
                            size_t *reply_size)
{
    if (request->feature_submap_index != 0)
        return -XEN_EINVAL;
    info->submap_idx = request->feature_submap_index;
    info->submap = FEATURES_FOR_EVERY_PV_GUEST;
    if (request->privileged)
        info->submap |= FEATURES_FOR_THE_PRIVILEGED_DOMAIN;
    *reply_size = sizeof(*info);
    return 0;
}

static long answer_page_size(const struct xen_version_request *request)
{
    return request->argument_is_null ? (long) PAGE_SIZE : -XEN_EINVAL;
}

static long answer_guest_handle(size_t *reply_size)
{
    *reply_size = sizeof(xen_domain_handle_t);
    return 0;
}

static long answer_command_line(const struct xen_version_request *request, char *buffer, size_t *reply_size)
{
    if (!request->privileged) {
        copy_string(buffer, sizeof(xen_commandline_t), DENIED);
        *reply_size = sizeof(DENIED);
        return 0;
    }
    if (request->hypervisor_command_line != NULL)
        copy_string(buffer, sizeof(xen_commandline_t), request->hypervisor_command_line);
    *reply_size = sizeof(xen_commandline_t);
    return 0;
}

static long answer_build_id(const struct xen_version_request *request)
{
    if (!request->privileged)
        return -XEN_EPERM;
    if (!request->argument_is_null && request->build_id_buffer_length == 0)
        return -XEN_EINVAL;
    return -XEN_ENODATA;
}

long xen_version_answer(const struct xen_version_request *request, union xen_version_reply *reply,
                        size_t *reply_size)
{
    memset(reply, 0, sizeof(*reply));
    *reply_size = 0;

    switch (request->command) {
    case XENVER_version:
        return VERSION_NUMBER;
    case XENVER_extraversion:
        return answer_string(reply->extraversion, sizeof(reply->extraversion), PVMON_XEN_EXTRAVERSION,
                             reply_size);
    case XENVER_compile_info:
        return answer_compile_info(&reply->compile_info, reply_size);
    case XENVER_capabilities:
        return answer_string(reply->capabilities, sizeof(reply->capabilities), CAPABILITIES, reply_size);
    case XENVER_changeset:
        return answer_string(reply->changeset, sizeof(reply->changeset), CHANGESET, reply_size);
    case XENVER_platform_parameters:
        return answer_platform_parameters(&reply->platform_parameters, reply_size);
    case XENVER_get_features:
        return answer_features(request, &reply->feature_info, reply_size);
    case XENVER_pagesize:
        return answer_page_size(request);
    case XENVER_guest_handle:
        return answer_guest_handle(reply_size);
    case XENVER_commandline:
        return answer_command_line(request, reply->command_line, reply_size);
    case XENVER_build_id:
        return answer_build_id(request);
    default:
        return -XEN_ENOSYS;
    }
}
