/*
 * Domains and their virtual CPUs.
 *
 * A domain owns a set of machine frames (its pseudo-physical memory, listed
 * in its physical-to-machine table), the address space its kernel runs in
 * (an L4 page table), its shared_info page, and one vCPU for now.  A
 * vCPU's registers are kept in a struct trap_frame while it is not
 * running.  Domain 0 is built by the hypervisor at boot and is privileged.
 * A domain that shuts down or crashes is torn down alone: its frames are
 * zeroed and returned to the allocator, and the others keep running.
 */
#ifndef PVMON_DOMAIN_H
#define PVMON_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <pvmon/cpu.h>

#define DOMAIN_LIMIT 8
#define DOMAIN_CONSOLE_LINE_SIZE 256

enum domain_state {
    DOMAIN_UNUSED = 0,
    DOMAIN_BUILDING,
    DOMAIN_RUNNABLE,
    DOMAIN_SHUT_DOWN,
    DOMAIN_CRASHED,
};

struct domain;

struct vcpu {
    struct domain *domain;
    struct trap_frame registers;
};

struct domain {
    uint16_t id;
    bool privileged;
    enum domain_state state;
    unsigned int shutdown_reason;
    uint64_t page_count;
    uint64_t *physical_to_machine;     /* page_count machine frame numbers */
    uint64_t physical_to_machine_frame; /* first frame of that table */
    unsigned int physical_to_machine_order;
    uint64_t root_page_table;           /* machine address of the L4 */
    uint64_t shared_info_frame;
    struct vcpu vcpu;
    char console_line[DOMAIN_CONSOLE_LINE_SIZE];
    unsigned int console_line_length;
};

struct domain *domain_create(uint16_t id, bool privileged, uint64_t page_count);
void domain_destroy(struct domain *domain);
void domain_shutdown(struct domain *domain, unsigned int reason);
void domain_crash(struct domain *domain, const char *why);
void domain_console_write(struct domain *domain, const char *text, size_t length);
uint64_t domain_machine_frame(const struct domain *domain, uint64_t physical_frame);

struct vcpu *current_vcpu(void);
_Noreturn void run_vcpu(struct vcpu *vcpu);
_Noreturn void schedule_after_domain_end(void);

#endif
