/*
 * Domains and their virtual CPUs.
 *
 * A domain owns a set of machine frames (its pseudo-physical memory, listed
 * in its physical-to-machine table), the address space its kernel runs in
 * (an L4 page table), its shared_info page, its event channels and one
 * vCPU for now.  A vCPU's registers are kept in a struct trap_frame while
 * it is not running, with the rest of its state (segment bases, FPU, debug
 * registers) in struct vcpu_context.  Domain 0 is built by the hypervisor
 * at boot and is privileged; the others are made by dom0 through
 * domain_control.
 *
 * Life of a domain: created (paused, no memory), given memory, loaded,
 * unpaused: it then runs until it shuts down or crashes.  At that point
 * it is torn down at once (its frames zeroed and returned, its event
 * channels closed, its vCPU off the scheduler) but its slot stays, with the
 * reason, until the toolstack destroys it; the others keep running.
 */
#ifndef PVMON_DOMAIN_H
#define PVMON_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/memory_extension.h>
#include <pvmon/bounce_frame.h>
#include <pvmon/cpu.h>
#include <pvmon/debug_registers.h>
#include <pvmon/event_channel.h>
#include <pvmon/frame.h>
#include <pvmon/grant_table.h>
#include <pvmon/hypercall_failures.h>
#include <pvmon/page_type.h>
#include <pvmon/scheduler_policy.h>
#include <pvmon/token_bucket.h>
#include <pvmon/trap_table.h>
#include <xen/vcpu.h>

#define DOMAIN_LIMIT 8
#define DOMAIN_CONSOLE_LINE_SIZE 256
#define VCPU_POLL_PORT_LIMIT 128     /* Xen's limit for SCHEDOP_poll */
#define FPU_STATE_SIZE 1024          /* the XSAVE area (x87, SSE, YMM), or the FXSAVE image */
#define GUEST_GDT_FRAME_LIMIT 14     /* GDT pages below pvmon's reserved page */
#define GUEST_LDT_FRAME_LIMIT 16     /* 8192 entries, Xen's MMUEXT_SET_LDT limit */

/* How far a domain's memory has been given back (kernel/domain.c). */
enum domain_release_phase {
    DOMAIN_RELEASE_NONE = 0, /* nothing to give back, or not started */
    DOMAIN_RELEASE_UNPIN,    /* dropping every pin */
    DOMAIN_RELEASE_PARTIAL,  /* tearing down partial tables nothing continues */
    DOMAIN_RELEASE_GIVE_BACK, /* dropping every frame's allocation */
    DOMAIN_RELEASE_ORPHAN,   /* leaving frames other domains still map */
    DOMAIN_RELEASE_DONE,
};

/* A load under way (kernel/domain_control.c), a step at a time: the
 * caller's kernel image copied into hypervisor frames, then the module
 * straight into the domain's memory where the build will want it, then
 * the kernel's segments from the copy. */
struct domain_load_staging {
    bool active;
    uint64_t kernel_address, kernel_size;
    uint64_t module_address, module_size;
    uint64_t kernel_frame;               /* first frame of the kernel's copy (0: none) */
    unsigned int kernel_order;
    bool placed;                         /* the layout is known: module_offset */
    uint64_t module_offset;              /* byte of the domain's memory where it goes */
    uint64_t staged_bytes;               /* of kernel_size + module_size */
    uint64_t segment_bytes;              /* of the kernel's segments, copied in */
    bool segments_placed;
};

enum domain_state {
    DOMAIN_UNUSED = 0,
    DOMAIN_CREATED,     /* exists; memory and kernel may still be missing */
    DOMAIN_LOADED,      /* built; runs once unpaused */
    DOMAIN_SHUT_DOWN,   /* torn down; waits to be destroyed */
    DOMAIN_CRASHED,     /* torn down; waits to be destroyed */
    DOMAIN_DYING,       /* torn down by destroy, its memory coming back in steps */
};

struct domain;

/* What a guest registers for its upcalls (callback_op, set_callbacks). */
struct guest_callback {
    uint64_t address;       /* 0: none */
    bool mask_events;       /* CALLBACKF_mask_events */
};

/* Hardware state of a vCPU beyond its general registers, switched with it. */
struct vcpu_context {
    /* Standard format; the first 512 bytes are the FXSAVE image. */
    uint8_t fpu_state[FPU_STATE_SIZE] __attribute__((aligned(64)));
    uint64_t xcr0;              /* the guest's XCR0 (xsetbv); 0 without XSAVE */
    uint64_t fs_base;
    uint64_t gs_base;           /* the active GS base */
    uint64_t shadow_gs_base;    /* the inactive one (user GS while in kernel mode) */
    uint16_t data_selectors[4]; /* DS, ES, FS, GS */
    bool task_switched;         /* the guest's virtual CR0.TS (fpu_taskswitch) */
    struct debug_registers debug;
};

struct vcpu {
    struct domain *domain;
    unsigned int id;
    struct trap_frame registers;
    struct vcpu_context context;

    /* Guest kernel/user mode: both run in ring 3 (Xen's TF_kernel_mode). */
    bool kernel_mode;
    uint64_t kernel_stack_pointer;  /* stack_switch */
    uint64_t kernel_stack_segment;
    uint64_t kernel_root_page_table; /* machine address of the kernel L4 (MMUEXT_NEW_BASEPTR) */
    uint64_t user_root_page_table;  /* 0: none yet (MMUEXT_NEW_USER_BASEPTR) */
    /* A page-table devalidation left to finish (Xen's old_guest_table):
     * the next mmu_update or mmuext_op, and the teardown, finish it first. */
    struct page_pending_release pending_page_release;
    unsigned int io_privilege_level; /* PHYSDEVOP_set_iopl; grants no ports */
    uint64_t guest_control_register4; /* the guest's view of CR4 */

    /* set_gdt: the guest's frames, and the hypervisor's checked copies of
     * them that the CPU really uses (GDT pages 0..gdt_frame_count-1). */
    unsigned int gdt_frame_count;
    uint64_t gdt_guest_frames[GUEST_GDT_FRAME_LIMIT];
    uint64_t gdt_shadow_frames[GUEST_GDT_FRAME_LIMIT];

    /* MMUEXT_SET_LDT: the guest's linear address and entry count (0: the
     * null LDT), the frames that address mapped when it was set, and the
     * hypervisor's checked copies of them that the LDT area maps while
     * the vCPU runs. */
    uint64_t ldt_base;
    unsigned int ldt_entries;
    unsigned int ldt_frame_count;
    uint64_t ldt_guest_frames[GUEST_LDT_FRAME_LIMIT];
    uint64_t ldt_shadow_frames[GUEST_LDT_FRAME_LIMIT];

    struct virtual_trap_table trap_table;
    struct guest_callback event_callback;
    struct guest_callback failsafe_callback;
    struct guest_callback syscall_callback;
    struct guest_callback syscall32_callback; /* stored, never entered (Xen's ABI) */
    struct guest_callback sysenter_callback;  /* stored, never entered (Xen's ABI) */

    struct vcpu_info *vcpu_info;    /* in shared_info, or where the guest registered it */
    uint64_t vcpu_info_frame;       /* the registered frame, 0: in shared_info */

    struct scheduler_entity scheduling;
    struct vcpu_runstate_info runstate;
    uint64_t runstate_guest_address; /* register_runstate_memory_area, 0: none */
    bool runstate_publish_pending;   /* a publish failed in guest user mode (Xen's need_update_runstate_area) */

    uint64_t singleshot_deadline_ns; /* 0: no one-shot timer */
    uint64_t periodic_period_ns;     /* 0: no periodic timer */
    uint64_t periodic_deadline_ns;

    /* Hypercall continuations (kernel/hypercall_continuation.c): whether
     * the running hypercall created one, and while a multicall entry runs,
     * that entry's arguments (NULL outside a multicall). */
    bool hypercall_preempted;
    uint64_t *multicall_entry_arguments;

    bool polling;                    /* blocked in SCHEDOP_poll */
    uint64_t poll_deadline_ns;       /* 0: no timeout */
    unsigned int poll_port_count;
    uint32_t poll_ports[VCPU_POLL_PORT_LIMIT];
};

struct domain {
    uint16_t id;
    bool privileged;
    bool paused;                    /* by the toolstack; created domains start paused */
    unsigned int weight;            /* the scheduler's proportional share */
    enum domain_state state;
    unsigned int shutdown_reason;
    unsigned long vm_assist;        /* VMASST_TYPE_* bits the guest enabled */
    uint64_t page_count;                /* frames it owns until freed, given back or not (current_reservation) */
    uint64_t maximum_pages;             /* set by the toolstack (maximum_reservation) */
    struct pvmon_domain_memory_statistics counters; /* its own (memory extension); pages filled on reading */
    bool build_attempted;               /* a kernel was (being) loaded: no second load */
    bool memory_filling;                /* set_memory under way, page_count < maximum_pages */
    struct domain_load_staging load_staging;
    enum domain_release_phase release_phase; /* teardown, in bounded steps */
    uint64_t release_next_frame;        /* where the current phase goes on */
    uint64_t *physical_to_machine;      /* as built: maximum_pages machine frame numbers */
    uint64_t physical_to_machine_frame; /* first frame of that table */
    unsigned int physical_to_machine_order;
    uint64_t shared_info_frame;
    struct shared_info *shared_info;
    struct vcpu vcpu;
    struct event_channel_domain events;
    struct grant_table grants;          /* kernel/grant_table_op.c */
    char console_line[DOMAIN_CONSOLE_LINE_SIZE];
    unsigned int console_line_length;
    /* A domU's console_io rate limit (kernel/console_io.c): the bucket
     * (filled at the first write), bytes dropped since the last notice. */
    struct token_bucket console_rate_limit;
    uint64_t console_suppressed_bytes;
    bool console_notice_sent;
    uint64_t console_notice_ns;
    /* Its failing hypercalls, for the log's warning (kernel/hypercall_dispatch.c). */
    struct hypercall_failures hypercall_failures;
};

/* kernel/domain.c */
struct domain *domain_create(uint16_t id, bool privileged);
/* A domain's memory, in bounded steps (kernel/domain.c): a step gives at
 * most DOMAIN_FILL_STEP_FRAMES frames (each zeroed, perhaps on the spot)
 * or looks at most DOMAIN_STEP_FRAMES frame-table entries when giving
 * them back, and answers -XEN_ERESTART while work remains, so that a
 * hypercall can continue between steps.  domain_set_memory and
 * domain_destroy do every step at once, for boot. */
#define DOMAIN_STEP_FRAMES 1024
#define DOMAIN_FILL_STEP_FRAMES 64
int domain_set_memory_begin(struct domain *domain, uint64_t page_count);
int domain_set_memory_step(struct domain *domain);
int domain_set_memory(struct domain *domain, uint64_t page_count);
int domain_destroy_step(struct domain *domain);
/* Zeroes and frees the staged copies of a load that will not finish. */
void domain_release_load_staging(struct domain *domain);
int domain_take_reservation_frame(struct domain *domain, uint64_t *frame);
void domain_reservation_frame_freed(uint16_t owner);
void domain_destroy(struct domain *domain);
/* One step of some ended domain's teardown, if any is under way; true if
 * it did work (the idle loop calls it). */
bool domain_release_some(void);
void domain_shutdown(struct domain *domain, unsigned int reason);
void domain_crash(struct domain *domain, const char *why);
struct domain *domain_find(uint16_t id);
struct domain *domain_first_from(uint16_t id);
uint16_t domain_free_id(void);
struct domain *domain_slots(unsigned int *count);

/* Created or loaded: holding memory and not yet torn down. */
static inline bool domain_is_alive(const struct domain *domain)
{
    return domain->state == DOMAIN_CREATED || domain->state == DOMAIN_LOADED;
}

unsigned int domain_live_count(void);
void domain_console_write(struct domain *domain, const char *text, size_t length);
uint64_t domain_machine_frame(const struct domain *domain, uint64_t physical_frame);
bool domain_owns_machine_frame(const struct domain *domain, uint64_t machine_frame);
extern const struct event_channel_directory domain_event_directory;

/* kernel/schedule.c */
struct vcpu *current_vcpu(void);
void schedule_init(void (*when_no_domain_is_left)(void));
void schedule_add_vcpu(struct vcpu *vcpu, unsigned int weight);
void schedule_remove_vcpu(struct vcpu *vcpu);
void schedule_pause(struct vcpu *vcpu);
void schedule_unpause(struct vcpu *vcpu);
void schedule_wake(struct vcpu *vcpu);
void schedule_kick(const struct event_channel_kick *kick);
void schedule_check_pollers(void);
void schedule_timers_changed(void);
/* A vCPU was woken that should run before the current one, or the current
 * one blocked, yielded or ended: the next return to a guest reschedules. */
bool schedule_reschedule_pending(void);
void schedule_raise_timer_virq(struct vcpu *vcpu);
/* The 'r' debug key: the running vCPU and the run queue, in order. */
void schedule_dump_run_queue(void);
uint64_t vcpu_running_time_ns(const struct vcpu *vcpu);
void vcpu_publish_time(struct vcpu *vcpu);
void vcpu_publish_runstate(struct vcpu *vcpu);
_Noreturn void schedule_start(void);
void leave_to_guest(struct trap_frame *frame);

/* kernel/guest_entry.c: entering the guest kernel's handlers. */
int guest_bounce(struct vcpu *vcpu, struct trap_frame *frame, const struct bounce_request *request);
void guest_deliver_pending_event(struct vcpu *vcpu, struct trap_frame *frame);
void guest_toggle_mode(struct vcpu *vcpu);

/* kernel/guest_trap.c: an exception for the guest, as if its own CPU raised it. */
void guest_raise_exception(struct vcpu *vcpu, struct trap_frame *frame, uint64_t vector, bool has_error_code,
                           uint64_t error_code);

#endif
