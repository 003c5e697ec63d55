/*
 * The toolstack's registry of live domains: dom0 and every domU built at
 * run time (by `xl create`, /etc/xen/auto/ or a rebuild on reboot), as
 * libxl knows them from xenstore's /local/domain and xl from its config
 * files.  Each domU's record holds what it was built from (its
 * domain_spec, so that on_reboot=restart can rebuild it under the same
 * name), its xl.cfg lifecycle actions and its backends
 * (domain_backends.h), whose slot is the record's place in the table.
 *
 * The rules it keeps:
 *   - Names are unique among live domains, as libxl requires
 *     (libxl_domain_rename's check); "Domain-0" is dom0's and is taken.
 *   - A domain is named on xl's command line by a qualifier, as
 *     libxl_domain_qualifier_to_domid reads it: all decimal digits is a
 *     domain id, anything else a name.
 *   - The registry only records: building, watching and destroying are
 *     the toolstack's (toolstack.h); nothing here calls the hypervisor, so
 *     the host unit tests compile it.
 */
#ifndef PV_KERNEL_DOMAIN_REGISTRY_H
#define PV_KERNEL_DOMAIN_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <tools/xl/xl_lifecycle.h>
#include "domain_backends.h"
#include "domain_config.h"

#define DOMAIN_REGISTRY_SIZE DOMAIN_BACKENDS_SLOTS
#define DOMAIN_REGISTRY_DOM0_NAME "Domain-0"
#define DOMAIN_REGISTRY_DOM0_ID 0

struct live_domain {
    bool in_use;
    bool built;             /* it exists in the hypervisor: id is valid */
    bool preserved;         /* ended, kept by its action (preserve): not watched */
    uint16_t id;
    unsigned int slot;      /* its place in the table: its backends' slot */
    struct domain_spec spec;
    struct lifecycle_actions actions;
    struct domain_backends backends;
};

/* Forgets every domU. */
void domain_registry_reset(void);

/*
 * Takes a free record for a domain named spec->name, copying spec and
 * actions; the caller builds it.  -XEN_EEXIST if a live domain (or dom0)
 * has that name, -XEN_ENOSPC if every record is taken.
 */
int domain_registry_add(const struct domain_spec *spec, const struct lifecycle_actions *actions,
                        struct live_domain **domain);

/* Gives the record back (once the domain is destroyed and its backends disconnected). */
void domain_registry_remove(struct live_domain *domain);

/* The record in use at place index (< DOMAIN_REGISTRY_SIZE), or NULL. */
struct live_domain *domain_registry_at(unsigned int index);

/* The built domU with this id, or NULL. */
struct live_domain *domain_registry_find_id(uint16_t id);

/* True if qualifier is all decimal digits, its value fitting *id: libxl's domain id form. */
bool domain_registry_qualifier_is_id(const char *qualifier, uint16_t *id);

/*
 * Resolves xl's domain qualifier (name or id) to a domain id, dom0's
 * included; -XEN_ESRCH if no live domain has it.
 */
int domain_registry_resolve(const char *qualifier, uint16_t *id);

/* The domU a qualifier names, or NULL (dom0, or nothing). */
struct live_domain *domain_registry_find(const char *qualifier);

/* The backends of the domU a qualifier names (for `xl console`), or NULL. */
struct domain_backends *domain_registry_find_backends(const char *qualifier);

#endif
