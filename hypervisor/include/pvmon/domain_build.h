/*
 * Building a 64-bit PV domain from a kernel image: Xen's start-of-day
 * layout (common/pv_layout.c) filled with the kernel's segments, the
 * p2m list, start_info and the initial page tables, and the vCPU set up
 * to enter the kernel in ring 3.
 */
#ifndef PVMON_DOMAIN_BUILD_H
#define PVMON_DOMAIN_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/domain.h>

struct domain_build_request {
    const void *kernel;            /* ELF image, hypervisor-readable */
    uint64_t kernel_size;
    const void *module;            /* initial ramdisk, or NULL: none, or already in place */
    uint64_t module_size;
    bool segments_in_place;        /* the kernel's segments were copied already */
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

/* For a module copied in place before the build (a load in steps,
 * kernel/domain_control.c): the byte of the domain's pseudo-physical
 * memory where the build puts a module_size module next to this kernel
 * (an error for a kernel or sizes the build would refuse), and the page
 * of the domain's memory at a pfn, to be written by the builder. */
int domain_build_module_offset(const struct domain *domain, const void *kernel, uint64_t kernel_size,
                               uint64_t module_size, uint64_t *offset);
uint8_t *domain_build_page(const struct domain *domain, uint64_t pfn);
/* Copies at most budget bytes of the kernel's segments, from byte
 * *cursor of all of them end to end: 0 once every byte is in place,
 * -XEN_ERESTART while some remain (an error for a kernel the build would
 * refuse). */
int domain_build_copy_segments(const struct domain *domain, const void *kernel, uint64_t kernel_size,
                               uint64_t *cursor, uint64_t budget);

#endif
