/*
 * The page-type fuzzer's view of its simulated machine: what the harness
 * itself did to every frame (assigned, given back, pinned, references it
 * holds, like a CR3), kept without asking common/page_type.c, and the
 * independent invariant check that compares the implementation's frame
 * table with a recount from scratch.
 */
#ifndef PVMON_TEST_PAGE_TYPE_HARNESS_H
#define PVMON_TEST_PAGE_TYPE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <pvmon/page_type.h>

#include "../unit/simulated_memory.h"

#define FUZZ_FRAME_COUNT 64
/* The allocation's share of reference_count right after page_assign. */
#define FUZZ_ALLOCATION_REFERENCE 1

enum frame_life {
    LIFE_UNASSIGNED = 0, /* never assigned, or released since */
    LIFE_ALLOCATED,      /* assigned and not given back */
    LIFE_GIVEN_BACK,     /* given back, still referenced: waiting for its release */
};

struct harness_frame {
    enum frame_life life;
    uint16_t owner;
    enum page_type pinned_level;  /* PAGE_TYPE_NONE when not pinned */
    uint32_t general_references;  /* held by the harness itself */
    uint32_t type_references;     /* of held_type, each riding on one of the general references */
    enum page_type held_type;
    uint32_t releases_seen;
    bool seen_in_use;             /* its type count was non-zero after some step */
    uint32_t last_in_use_clock;   /* the flush clock after the last such step */
};

struct harness {
    struct simulated_memory machine;
    struct harness_frame frames[FUZZ_FRAME_COUNT];
    struct simulated_snapshot before_step; /* the machine before the current step */
    unsigned int step;          /* the operation being checked, for messages */
    char step_description[160];
};

/* Prints what broke, with the step, and aborts. */
void harness_violation(const struct harness *harness, const char *format, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

/* Takes note of the frames released since the last check, then recounts
 * every frame's references and type references from the harness's own
 * records and the contents of every validated table, and checks them and
 * the entry rules against the frame table.  Aborts on any difference. */
void harness_check_invariants(struct harness *harness);

/* The entry rules of pvmon/page_type.h, written again here. */
bool harness_entry_allowed(uint64_t entry, enum page_type level);
uint64_t harness_entry_target(uint64_t entry);

/* Device memory (pvmon/page_type.h invariant 6): owner FUZZ_DEVICE_OWNER
 * has the two frames just beyond the machine in its I/O memory; no other
 * owner has any.  An L1 entry naming a frame beyond the machine is device
 * memory: accepted only for that owner and those frames, with any cache
 * attribute, stored uncached as harness_device_entry_stored says, and
 * holding nothing. */
#define FUZZ_DEVICE_OWNER 0
#define FUZZ_DEVICE_FRAMES 2
bool harness_device_permitted(uint16_t owner, uint64_t frame);
uint64_t harness_device_entry_stored(uint64_t entry);
enum page_type harness_type_of(const struct frame *frame);
uint32_t harness_type_count_of(const struct frame *frame);
bool harness_is_page_table_type(enum page_type type);
bool harness_is_hypervisor_slot(enum page_type level, unsigned int index);

#endif
