/*
 * The toolstack's registry of live domains (see domain_registry.h): a
 * fixed table, one record per backends slot.
 */
#include <stddef.h>
#include <pvmon/errno.h>
#include <pvmon/string.h>
#include "domain_registry.h"

static struct live_domain registry[DOMAIN_REGISTRY_SIZE];

void domain_registry_reset(void)
{
    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++)
        registry[index] = (struct live_domain) { .slot = index };
}

static struct live_domain *find_name(const char *name)
{
    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++)
        if (registry[index].in_use && strcmp(registry[index].spec.name, name) == 0)
            return &registry[index];
    return NULL;
}

int domain_registry_add(const struct domain_spec *spec, const struct lifecycle_actions *actions,
                        struct live_domain **domain)
{
    if (strcmp(spec->name, DOMAIN_REGISTRY_DOM0_NAME) == 0 || find_name(spec->name) != NULL)
        return -XEN_EEXIST;
    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++) {
        struct live_domain *record = &registry[index];

        if (record->in_use)
            continue;
        *record = (struct live_domain) {
            .in_use = true, .slot = index, .spec = *spec, .actions = *actions,
        };
        *domain = record;
        return 0;
    }
    return -XEN_ENOSPC;
}

void domain_registry_remove(struct live_domain *domain)
{
    *domain = (struct live_domain) { .slot = domain->slot };
}

struct live_domain *domain_registry_at(unsigned int index)
{
    if (index >= DOMAIN_REGISTRY_SIZE || !registry[index].in_use)
        return NULL;
    return &registry[index];
}

struct live_domain *domain_registry_find_id(uint16_t id)
{
    for (unsigned int index = 0; index < DOMAIN_REGISTRY_SIZE; index++)
        if (registry[index].in_use && registry[index].built && registry[index].id == id)
            return &registry[index];
    return NULL;
}

bool domain_registry_qualifier_is_id(const char *qualifier, uint16_t *id)
{
    uint32_t value = 0;

    if (qualifier[0] == '\0')
        return false;
    for (const char *digit = qualifier; *digit != '\0'; digit++) {
        if (*digit < '0' || *digit > '9')
            return false;
        value = value * 10 + (uint32_t)(*digit - '0');
        if (value > UINT16_MAX)
            return false;
    }
    *id = (uint16_t)value;
    return true;
}

int domain_registry_resolve(const char *qualifier, uint16_t *id)
{
    struct live_domain *domain;
    uint16_t number;

    if (domain_registry_qualifier_is_id(qualifier, &number)) {
        if (number != DOMAIN_REGISTRY_DOM0_ID && domain_registry_find_id(number) == NULL)
            return -XEN_ESRCH;
        *id = number;
        return 0;
    }
    if (strcmp(qualifier, DOMAIN_REGISTRY_DOM0_NAME) == 0) {
        *id = DOMAIN_REGISTRY_DOM0_ID;
        return 0;
    }
    domain = find_name(qualifier);
    if (domain == NULL || !domain->built)
        return -XEN_ESRCH;
    *id = domain->id;
    return 0;
}

struct live_domain *domain_registry_find(const char *qualifier)
{
    uint16_t id;

    if (domain_registry_resolve(qualifier, &id) != 0 || id == DOMAIN_REGISTRY_DOM0_ID)
        return NULL;
    return domain_registry_find_id(id);
}

struct domain_backends *domain_registry_find_backends(const char *qualifier)
{
    struct live_domain *domain = domain_registry_find(qualifier);

    return domain == NULL ? NULL : &domain->backends;
}
