/*
 * The toolstack's steps on one domain, shared by the scenario runner
 * (toolstack.h) and xl (tools/xl): building a domain the way xl does,
 * in the steps of pvmon's domain_control hypercall
 * (hypercall/public/domain_control.h), destroying it, and the commands
 * and readings the watch loops and xl's verbs need.
 *
 * Building: create (paused, with its weight), set_memory, two ports of
 * the new domain allocated unbound for dom0 (its xenstore and console
 * event channels: domain_backends_allocate_ports), load (the kernel
 * image, and the domain's own ramdisk if the spec names one, straight
 * from dom0's ramdisk, mapped in dom0's initial mapping; the builder
 * names the two ports and the two ring pages in the domain's start_info
 * and tells us the pages' machine frames), then its backends are
 * connected.  The domain is left paused.  A failed step is reported in
 * the log ("toolstack: NAME: STEP failed: ERROR") and what was done is
 * undone: the backends disconnected, the domain destroyed.
 */
#ifndef PV_KERNEL_DOMAIN_BUILDER_H
#define PV_KERNEL_DOMAIN_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <public/domain_control.h>
#include <public/memory_extension.h>
#include "domain_backends.h"
#include "domain_config.h"

#define PAGES_PER_MEBIBYTE 256
#define KIBIBYTES_PER_MEBIBYTE 1024
#define KIBIBYTES_PER_PAGE 4

/*
 * Builds spec's domain with the backends readied for it
 * (domain_backends_prepare, _set_disks, _set_vifs); 0 with *domain, or
 * the failing step's error (reported and undone).
 */
long domain_builder_build(const struct start_info *start_info, const struct domain_spec *spec,
                          struct domain_backends *backends, uint16_t *domain);

/* Disconnects the domain's backends and destroys it; 0 or the error (reported). */
long domain_builder_destroy(const char *name, struct domain_backends *backends, uint16_t domain);

/* A domain_control command without arguments (pause, unpause, destroy). */
long domain_builder_command(uint32_t command, uint16_t domain);

/* Returns 0 with *info for exactly this domain, or -XEN_ESRCH if it is gone. */
long domain_builder_get_info(uint16_t domain, struct pvmon_domain_info *info);

/* Shut down or crashed. */
bool domain_builder_has_ended(const struct pvmon_domain_info *info);

/* pvmon's machine-wide counters: 0, or the hypercall's error. */
long domain_builder_read_statistics(struct pvmon_memory_statistics *statistics);

/* Frames the hypervisor can hand out: free, pooled, or dirty (to be zeroed). */
uint64_t domain_builder_free_frames(const struct pvmon_memory_statistics *statistics);

#endif
