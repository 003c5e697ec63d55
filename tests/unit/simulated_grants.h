/*
 * Simulated domains with grant tables for the grant-table tests and
 * fuzzer: a struct grant_environment over a simulated machine
 * (simulated_memory.h), with domains 0 .. SIMULATED_GRANT_DOMAINS - 1,
 * frames handed out from a bump pointer, hypervisor pages from the host
 * heap, one L1 per domain that maps its "host addresses", and a guest
 * that may change a grant entry between the hypervisor's read of it and
 * its compare-exchange (a race, played deterministically).
 */
#ifndef PVMON_TEST_SIMULATED_GRANTS_H
#define PVMON_TEST_SIMULATED_GRANTS_H

#include <stdbool.h>
#include <stdint.h>

#include <pvmon/grant_table.h>

#include "simulated_memory.h"

#define SIMULATED_GRANT_DOMAINS 4
/* Host addresses a domain may map at: [0, 512 pages), entry address / 4096
 * of the domain's L1 (host_l1). */
#define SIMULATED_HOST_ADDRESS_LIMIT (UINT64_C(512) * 4096)

struct simulated_grants {
    struct simulated_memory machine;
    struct grant_environment environment;
    struct grant_table tables[SIMULATED_GRANT_DOMAINS];
    bool exists[SIMULATED_GRANT_DOMAINS];
    uint64_t host_l1[SIMULATED_GRANT_DOMAINS]; /* 0: none */
    uint64_t next_frame;
    /* The race: before each of the next race_count compare-exchanges the
     * guest writes race_word (or, if race_toggle, flips race_toggle_bits)
     * into the word (and race_frame into the frame that follows it), leaving
 * GTF_reading and GTF_writing as they are: those are the hypervisor's,
 * which a guest keeping the protocol never writes. */
    unsigned int race_count;
    bool race_toggle;
    uint32_t race_word;
    uint32_t race_toggle_bits;
    uint32_t race_frame;         /* if not 0, also written to the entry's frame */
    uint64_t compare_exchanges;
    uint64_t private_pages;      /* allocated and not freed */
    unsigned int private_page_budget; /* 0: unlimited; else pages left before allocation fails */
    bool private_budget_active;
};

void simulated_grants_create(struct simulated_grants *world, uint64_t frame_count);
void simulated_grants_destroy(struct simulated_grants *world);
/* A domain with a grant table (ck-free: returns false on failure). */
bool simulated_grants_add_domain(struct simulated_grants *world, uint16_t domain);
/* A fresh frame the domain holds (its allocation only). */
uint64_t simulated_grants_give_frame(struct simulated_grants *world, uint16_t domain);
/* A pinned, empty L1 of the domain's where its host addresses map. */
uint64_t simulated_grants_give_host_l1(struct simulated_grants *world, uint16_t domain);
/* The domain's teardown then destruction, as kernel/domain.c does them. */
void simulated_grants_tear_down(struct simulated_grants *world, uint16_t domain);
void simulated_grants_destroy_domain(struct simulated_grants *world, uint16_t domain);
/* The granter's side of entry ref of domain's table. */
grant_entry_v1_t *simulated_grants_entry(struct simulated_grants *world, uint16_t domain, grant_ref_t ref);
void simulated_grants_permit(struct simulated_grants *world, uint16_t granter, grant_ref_t ref, uint16_t grantee,
                             uint64_t frame, bool readonly);

#endif
