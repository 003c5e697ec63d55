/*
 * xen_version from a domU.  Expected values: xen/common/kernel.c
 * (do_xen_version): -EFAULT for an unwritable buffer, get_features
 * submap 0 for a PV guest includes mmu_pt_update_preserve_ad (5) and
 * gnttab_map_avail_bits (7) and any other submap is -EINVAL, pagesize is
 * 4096 with a NULL argument and -EINVAL with one, unknown commands
 * -ENOSYS.
 */
#include "check.h"
#include <pvmon/string.h>

const char test_family[] = "xen_version";

static bool has_nul(const char *text, size_t size)
{
    for (size_t index = 0; index < size; index++) {
        if (text[index] == '\0')
            return true;
    }
    return false;
}

static void check_version_strings(void)
{
    xen_extraversion_t extraversion;
    xen_capabilities_info_t capabilities;
    long version = hypercall_xen_version(XENVER_version, 0);

    expect_true("version_is_major_and_minor", version > 0 && (version >> 16) >= 3, version, "major << 16 | minor, 3.x or later");
    memset(extraversion, 0xff, sizeof(extraversion));
    expect_result("extraversion_succeeds", hypercall_xen_version(XENVER_extraversion, extraversion), 0);
    expect_true("extraversion_is_nul_terminated", has_nul(extraversion, sizeof(extraversion)), 0,
                "a NUL inside the 16 bytes");
    expect_result("extraversion_into_hypervisor_is_efault",
                  hypercall_xen_version(XENVER_extraversion, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
    expect_result("extraversion_unmapped_is_efault",
                  hypercall_xen_version(XENVER_extraversion, (void *)UNMAPPED_ADDRESS), -XEN_EFAULT);
    memset(capabilities, 0, sizeof(capabilities));
    expect_result("capabilities_succeeds", hypercall_xen_version(XENVER_capabilities, capabilities), 0);
    expect_true("capabilities_name_xen_3_0_x86_64", strncmp(capabilities, "xen-3.0-x86_64", 14) == 0, 0,
                "\"xen-3.0-x86_64\" first");
}

static void check_features(void)
{
    struct xen_feature_info features = { .submap_idx = 0 };
    uint32_t required = 1u << XENFEAT_mmu_pt_update_preserve_ad | 1u << XENFEAT_gnttab_map_avail_bits;

    expect_result("get_features_submap_0_succeeds", hypercall_xen_version(XENVER_get_features, &features), 0);
    expect_true("get_features_has_the_bits_linux_requires", (features.submap & required) == required,
                (long)features.submap, "bits 5 and 7 set");
    features.submap_idx = 1;
    expect_result("get_features_submap_1_is_einval", hypercall_xen_version(XENVER_get_features, &features),
                  -XEN_EINVAL);
    expect_result("get_features_in_hypervisor_is_efault",
                  hypercall_xen_version(XENVER_get_features, (void *)HYPERVISOR_IMAGE_ADDRESS), -XEN_EFAULT);
}

static void check_other_commands(void)
{
    xen_platform_parameters_t parameters;

    expect_result("pagesize_is_4096", hypercall_xen_version(XENVER_pagesize, 0), 4096);
    expect_result("pagesize_with_a_buffer_is_einval", hypercall_xen_version(XENVER_pagesize, &parameters),
                  -XEN_EINVAL);
    expect_result("platform_parameters_succeeds", hypercall_xen_version(XENVER_platform_parameters, &parameters), 0);
    expect_result("unknown_command_is_enosys", hypercall_xen_version(99, 0), -XEN_ENOSYS);
}

void run_tests(void)
{
    check_version_strings();
    check_features();
    check_other_commands();
}
