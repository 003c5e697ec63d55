/*
 * Building a 64-bit PV domain from a kernel image: Xen's start-of-day
 * layout (common/pv_layout.c) filled with the kernel's segments, the
 * p2m list, start_info and the initial page tables, and the vCPU set up
 * to enter the kernel in ring 3.
 */
#ifndef PVMON_DOMAIN_BUILD_H
#define PVMON_DOMAIN_BUILD_H

#include <stdint.h>
#include <pvmon/domain.h>

struct domain_build_request {
    const void *kernel;            /* ELF image, hypervisor-readable */
    uint64_t kernel_size;
    const void *module;            /* initial ramdisk or NULL */
    uint64_t module_size;
    const char *command_line;
    uint32_t store_event_channel;  /* 0: no xenstore ring */
    uint32_t console_event_channel; /* 0: no console ring */
};

/* What the builder tells the toolstack: the rings' machine frames. */
struct domain_build_result {
    uint64_t store_frame;
    uint64_t console_frame;
};

int domain_build_pv(struct domain *domain, const struct domain_build_request *request,
                    struct domain_build_result *result);

#endif
